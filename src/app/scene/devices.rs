//! The parts that are not plain buffers: the process, the CPU with its mode lamp,
//! register and interrupt lines, the memory bus, the DMA engine, the disk, the NIC
//! (with its SG badge) and the wire, plus the kernel's pipe/mmap/descriptor notes.

use crate::i18n::Texts;
use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::layout::*;
use super::{SceneSet, rect, text};
use crate::app::model::Loaded;
use crate::app::palette::{self, Theme};
use crate::app::playback::View;
use crate::replay::{DescView, SceneState};
use crate::sim::event::{Agent, IrqLine, Mode, Place, ProcessState};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (draw_labels, draw_lamps, draw_crossing, draw_irq_wires).in_set(SceneSet::Draw),
    );
}

/// The system call's name crossing the user/kernel boundary at a mode switch.
#[derive(Component)]
pub struct Crossing;

#[derive(Component)]
pub struct CrossingText;

#[derive(Component, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Process,
    Mode,
    Cpu,
    Dma,
    Disk,
    Nic,
    Wire,
    Kernel,
    Bus,
}

/// The name on an interrupt pin: it takes the colour that reads on the pin's
/// (light on the dark theme's empty pin, dark on a lit yellow or orange one).
#[derive(Component, Clone, Copy, PartialEq, Eq)]
pub struct PinName(IrqLine);

/// One leg of the wire from a device to its interrupt pin on the CPU.
#[derive(Component, Clone, Copy, PartialEq, Eq)]
pub struct IrqWire(IrqLine, usize);

#[derive(Component, Clone, Copy, PartialEq, Eq)]
pub enum Lamp {
    Mode,
    Bus,
    Irq(IrqLine),
    Process,
    DmaProgress,
    NicProgress,
}

pub fn spawn(
    commands: &mut Commands,
    _st: &SceneState,
    layout: &Layout,
    loaded: &Loaded,
    tr: &Texts,
    theme: &Theme,
) {
    // A device's status lines, and the kernel's notes, wrap inside their box
    // (presentation mode's are larger).
    let label = |commands: &mut Commands, l: Label, at: Vec2, size: f32, anchor: Anchor| {
        let e = text(commands, "", at, size, theme.text(), anchor);
        commands.entity(e).insert(l);
        let within = [CPU_BOX, DMA_BOX, DISK_BOX, NIC_BOX, WIRE_BOX, layout.kinfo]
            .into_iter()
            .find(|b| b.contains(at) && anchor == Anchor::TOP_LEFT);
        if let Some(b) = within {
            let w = b.max.x - at.x - 6.0;
            commands
                .entity(e)
                .insert((bevy::text::TextBounds::new_horizontal(w), super::Within(b)));
        }
    };
    let lamp = |commands: &mut Commands, l: Lamp, r: Rect| {
        let e = rect(commands, r, theme.cell_empty(), 2.0);
        commands.entity(e).insert(l);
    };
    let present = layout.present;
    // Process.
    let process = layout.process;
    lamp(
        commands,
        Lamp::Process,
        Rect::new(
            process.min.x,
            process.max.y - 6.0,
            process.max.x,
            process.max.y,
        ),
    );
    let e = text(
        commands,
        "",
        Vec2::new(process.min.x + 8.0, process.max.y - 12.0),
        17.0,
        theme.text(),
        Anchor::TOP_LEFT,
    );
    // Its larger lines wrap inside the box.
    commands.entity(e).insert((
        Label::Process,
        bevy::text::TextBounds::new_horizontal(process.width() - 14.0),
        super::Within(process),
    ));
    // CPU: mode lamp, activity and register, interrupt lines.
    let status = status_y(CPU_BOX, present);
    let lamp_r = Rect::new(
        CPU_BOX.min.x + 8.0,
        status - if present { 32.0 } else { 36.0 },
        CPU_BOX.max.x - 8.0,
        status,
    );
    lamp(commands, Lamp::Mode, lamp_r);
    label(commands, Label::Mode, lamp_r.center(), 20.0, Anchor::CENTER);
    label(
        commands,
        Label::Cpu,
        Vec2::new(
            CPU_BOX.min.x + 8.0,
            lamp_r.min.y - if present { 4.0 } else { 8.0 },
        ),
        15.0,
        Anchor::TOP_LEFT,
    );
    for (i, line) in [IrqLine::Disk, IrqLine::Dma, IrqLine::Nic]
        .into_iter()
        .enumerate()
    {
        // Side by side; one above the other in presentation mode, where their
        // names are too long for a third of the box.
        let r = if present {
            let y0 = CPU_BOX.min.y + 6.0 + (2 - i) as f32 * 29.0;
            Rect::new(CPU_BOX.min.x + 8.0, y0, CPU_BOX.max.x - 8.0, y0 + 27.0)
        } else {
            let x0 = CPU_BOX.min.x + 8.0 + i as f32 * 63.0;
            Rect::new(x0, CPU_BOX.min.y + 8.0, x0 + 58.0, CPU_BOX.min.y + 34.0)
        };
        lamp(commands, Lamp::Irq(line), r);
        let name = match line {
            IrqLine::Disk => "app.s_irq_disk",
            IrqLine::Dma => "app.s_irq_dma",
            IrqLine::Nic => "app.s_irq_nic",
        };
        let t = text(
            commands,
            &tr.t(name),
            r.center(),
            11.0,
            theme.text(),
            Anchor::CENTER,
        );
        commands.entity(t).insert(PinName(line));
    }
    // The interrupt wires: down from the device, along under the boxes, up to
    // its pin; lit while the interrupt is pending.
    for line in [IrqLine::Disk, IrqLine::Dma, IrqLine::Nic] {
        for leg in 0..3 {
            let e = rect(
                commands,
                Rect::from_center_size(Vec2::ZERO, Vec2::ONE),
                palette::IRQ,
                3.0,
            );
            commands
                .entity(e)
                .insert((IrqWire(line, leg), Visibility::Hidden));
        }
    }
    // The memory bus.
    lamp(
        commands,
        Lamp::Bus,
        Rect::new(-620.0, BUS_Y - 7.0, 620.0, BUS_Y + 7.0),
    );
    label(
        commands,
        Label::Bus,
        Vec2::new(-615.0, BUS_Y + 9.0),
        13.0,
        Anchor::BOTTOM_LEFT,
    );
    // DMA engine.
    label(
        commands,
        Label::Dma,
        Vec2::new(DMA_BOX.min.x + 8.0, status_y(DMA_BOX, present)),
        14.0,
        Anchor::TOP_LEFT,
    );
    rect(commands, progress_rect(DMA_BOX), theme.cell_empty(), 1.5);
    lamp(commands, Lamp::DmaProgress, progress_rect(DMA_BOX));
    // Disk: platter and request.
    let platter = platter_box();
    rect(commands, platter, theme.band_hardware(), 1.5);
    text(
        commands,
        &tr.t("app.s_platter"),
        Vec2::new(platter.min.x + 4.0, platter.max.y - 1.0),
        12.0,
        theme.text_dim(),
        Anchor::TOP_LEFT,
    );
    label(
        commands,
        Label::Disk,
        Vec2::new(DISK_BOX.min.x + 8.0, status_y(DISK_BOX, present)),
        14.0,
        Anchor::TOP_LEFT,
    );
    // NIC.
    label(
        commands,
        Label::Nic,
        Vec2::new(NIC_BOX.min.x + 8.0, status_y(NIC_BOX, present)),
        14.0,
        Anchor::TOP_LEFT,
    );
    rect(commands, progress_rect(NIC_BOX), theme.cell_empty(), 1.5);
    lamp(commands, Lamp::NicProgress, progress_rect(NIC_BOX));
    if loaded.replay.setup.hw.nic_sg {
        let (w, h) = if present { (62.0, 30.0) } else { (46.0, 20.0) };
        let badge = Rect::new(
            NIC_BOX.max.x - 6.0 - w,
            NIC_BOX.max.y - 4.0 - h,
            NIC_BOX.max.x - 6.0,
            NIC_BOX.max.y - 4.0,
        );
        rect(commands, badge, palette::DMA, 3.0);
        text(
            commands,
            "SG",
            badge.center(),
            14.0,
            theme.text(),
            Anchor::CENTER,
        );
    }
    label(
        commands,
        Label::Wire,
        Vec2::new(WIRE_BOX.min.x + 6.0, status_y(WIRE_BOX, present)),
        14.0,
        Anchor::TOP_LEFT,
    );
    label(
        commands,
        Label::Kernel,
        Vec2::new(layout.kinfo.min.x + 8.0, layout.kinfo.max.y - 6.0),
        14.0,
        Anchor::TOP_LEFT,
    );
    let tag = rect(
        commands,
        Rect::from_center_size(Vec2::ZERO, tag_size(present)),
        palette::KERNEL,
        9.0,
    );
    commands.entity(tag).insert((Crossing, Visibility::Hidden));
    let t = text(
        commands,
        "",
        Vec2::ZERO,
        16.0,
        palette::TEXT_DARK,
        Anchor::CENTER,
    );
    // The tag keeps clear of the page cache's title (see `draw_crossing`): the
    // layout report checks its whole plate against the other labels.
    commands.entity(t).insert((
        CrossingText,
        super::Plated(tag_size(present)),
        Visibility::Hidden,
    ));
}

/// The crossing tag's size.
fn tag_size(present: bool) -> Vec2 {
    if present {
        Vec2::new(170.0, 34.0)
    } else {
        Vec2::new(120.0, 26.0)
    }
}

/// Where the crossing tag is: (position, colour, text), if a syscall mode switch
/// happened within the last few cycles before the playhead.
fn crossing(
    loaded: &Loaded,
    view: &View,
    process: Rect,
    floor: f32,
    cycle: f64,
) -> Option<(Vec2, Color, String)> {
    use crate::sim::event::{EventKind, ModeCause};
    let r = &loaded.replay;
    let hw = &r.setup.hw;
    let span = hw.syscall_entry_cycles.max(hw.syscall_exit_cycles).max(2) as f64;
    for e in r.events[..view.state.applied].iter().rev().take(64) {
        if (e.cycle as f64) + span < cycle {
            return None;
        }
        if let EventKind::ModeSwitch {
            to,
            cause: ModeCause::Syscall { name },
        } = &e.kind
        {
            let t = ((cycle - e.cycle as f64) / span).clamp(0.0, 1.0) as f32;
            let top = Vec2::new(process.center().x, process.min.y - 4.0);
            // Just across the user/kernel line, clear of the page cache's title.
            let bottom = Vec2::new(process.center().x, (KERNEL_BAND.max.y - 18.0).max(floor));
            let (from, to_pos, arrow) = match to {
                Mode::Kernel => (top, bottom, "v"),
                Mode::User => (bottom, top, "^"),
            };
            return Some((
                from.lerp(to_pos, t),
                palette::mode(*to),
                format!("{name}() {arrow}"),
            ));
        }
    }
    None
}

type TagQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static mut Transform,
        &'static mut Sprite,
        &'static mut Visibility,
    ),
    (With<Crossing>, Without<CrossingText>),
>;
type TagTextQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static mut Transform,
        &'static mut Text2d,
        &'static mut TextColor,
        &'static mut Visibility,
    ),
    (With<CrossingText>, Without<Crossing>),
>;

fn draw_crossing(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    playhead: Res<crate::app::playback::Playhead>,
    built: Res<super::Built>,
    mut tags: TagQuery,
    mut texts: TagTextQuery,
) {
    let Some(view) = view else { return };
    let process = built.layout.as_ref().map_or(PROCESS_BOX, |l| l.process);
    // The lowest the tag's centre may go: its bottom edge just above the page
    // cache's box, whose title is close under the line in presentation mode.
    let floor = built.layout.as_ref().map_or(f32::MIN, |l| {
        l.cache.max.y + tag_size(l.present).y / 2.0 + 2.0
    });
    let c = crossing(&loaded, &view, process, floor, playhead.cycle);
    for (mut tf, mut sprite, mut vis) in &mut tags {
        match &c {
            Some((pos, color, _)) => {
                tf.translation = pos.extend(9.0);
                sprite.color = *color;
                *vis = Visibility::Visible;
            }
            None => *vis = Visibility::Hidden,
        }
    }
    for (mut tf, mut t, mut colour, mut vis) in &mut texts {
        match &c {
            Some((pos, bg, s)) => {
                tf.translation = pos.extend(10.0);
                if t.0 != *s {
                    t.0 = s.clone();
                }
                // Readable on the mode's colour: dark on the user's blue, light
                // on the kernel's vermilion where that reads better.
                let fg = palette::text_on(*bg);
                if colour.0 != fg {
                    colour.0 = fg;
                }
                *vis = Visibility::Visible;
            }
            None => *vis = Visibility::Hidden,
        }
    }
}

/// The interrupt wire of `line`: from the raising device's box down to the gap
/// under the boxes, along it, and up to the line's pin on the CPU.
fn irq_wire(line: IrqLine) -> [Vec2; 4] {
    let (device, i, lane) = match line {
        IrqLine::Disk => (DISK_BOX, 0, -386.0),
        IrqLine::Dma => (DMA_BOX, 1, -390.0),
        IrqLine::Nic => (NIC_BOX, 2, -394.0),
    };
    let pin_x = CPU_BOX.min.x + 8.0 + i as f32 * 63.0 + 29.0;
    let dev_x = device.min.x + 30.0 + 8.0 * i as f32;
    [
        Vec2::new(dev_x, device.min.y),
        Vec2::new(dev_x, lane),
        Vec2::new(pin_x, lane),
        Vec2::new(pin_x, CPU_BOX.min.y),
    ]
}

fn draw_irq_wires(
    view: Option<Res<View>>,
    mut wires: Query<(&IrqWire, &mut Sprite, &mut Transform, &mut Visibility)>,
) {
    let Some(view) = view else { return };
    let st = &view.state;
    for (IrqWire(line, leg), mut sprite, mut tf, mut vis) in &mut wires {
        let lit = st.pending_irqs.contains(line) || st.handler == Some(*line);
        let want = if lit {
            Visibility::Visible
        } else {
            Visibility::Hidden
        };
        if *vis != want {
            *vis = want;
        }
        if lit {
            let pts = irq_wire(*line);
            let (p, q) = (pts[*leg], pts[*leg + 1]);
            let d = q - p;
            let w = 4.0;
            sprite.custom_size = Some(Vec2::new(d.abs().x.max(w), d.abs().y.max(w)));
            tf.translation = ((p + q) / 2.0).extend(3.0);
            // Pending: yellow, as the pin; being handled: the CPU's colour.
            sprite.color = if st.handler == Some(*line) {
                palette::CPU
            } else {
                palette::IRQ
            };
        }
    }
}

/// The progress bar along the bottom of a device's box.
fn progress_rect(b: Rect) -> Rect {
    Rect::new(b.min.x + 8.0, b.min.y + 10.0, b.max.x - 8.0, b.min.y + 26.0)
}

fn place_name(p: Place, tr: &Texts) -> String {
    crate::i18n::place(&p, crate::i18n::Naming::Label, tr)
}

/// A DMA engine's descriptor; `moving`: bytes of its copies still in flight, so
/// the count moves with the bytes drawn.
fn desc(d: &Option<DescView>, moving: u64, tr: &Texts) -> String {
    match d {
        Some(d) => tr.get(
            "app.s_descriptor",
            &[
                ("id", d.number.to_string()),
                ("from", place_name(d.src, tr)),
                ("to", place_name(d.dst, tr)),
                ("moved", (d.moved + moving).min(d.len).to_string()),
                ("len", d.len.to_string()),
            ],
        ),
        None => tr.t("app.s_no_descriptor").into(),
    }
}

fn label_text(
    l: Label,
    st: &SceneState,
    view: &View,
    loaded: &Loaded,
    tr: &Texts,
    present: bool,
) -> String {
    let r = &loaded.replay;
    match l {
        Label::Process => {
            let state = match st.process {
                // A fault under way says so, taken inside the call below.
                _ if st.fault.is_some() => {
                    let (page, major) = st.fault.unwrap_or_default();
                    let key = if major {
                        "app.s_fault_major"
                    } else {
                        "app.s_fault_minor"
                    };
                    tr.get(key, &[("page", page.to_string())]).into()
                }
                ProcessState::Running => tr.t("app.s_running"),
                ProcessState::Sleeping => tr.t("app.s_sleeping"),
                // SQPOLL: the process busy-polls the completion ring.
                ProcessState::Waiting if r.setup.method == crate::sim::Method::IoUring => {
                    tr.t("app.s_polling_cq")
                }
                ProcessState::Waiting => tr.t("app.s_waiting"),
                ProcessState::Exited => tr.t("app.s_exited"),
            };
            let call = st
                .syscall
                .map(|s| tr.get("app.s_in_call", &[("name", s.to_string())]))
                .unwrap_or_default();
            let who = tr.get("app.s_process", &[("method", r.setup.method.name().into())]);
            // Asleep because of dirty_limit: say why instead of only "sleeping".
            if st.throttled {
                let why = tr.get(
                    "app.s_throttled",
                    &[("limit", r.setup.hw.dirty_limit.to_string())],
                );
                return format!("{who}\n{why}\n{call}");
            }
            format!("{who}\n{state}\n{call}")
        }
        // An idle CPU runs nobody's code: the process sleeps in the kernel, but the
        // lamp must not say the CPU is busy there.
        Label::Mode if st.activity == crate::sim::event::Activity::Idle => {
            tr.t("app.s_mode_idle").into()
        }
        Label::Mode => match st.mode {
            Mode::User => tr.t("app.s_mode_user").into(),
            Mode::Kernel => tr.t("app.s_mode_kernel").into(),
        },
        Label::Cpu => {
            let reg = view
                .flights
                .iter()
                .find(|f| f.agent == Agent::Cpu)
                .map(|f| {
                    let i = f.file_offset
                        + ((f.progress * f.len as f64) as u64).min(f.len.saturating_sub(1));
                    let w = r.setup.hw.word_bytes as usize;
                    let a = (i as usize / w * w).max(f.file_offset as usize);
                    let bytes: String = r
                        .bytes(f.file, a as u64, w as u64)
                        .iter()
                        .map(|b| format!("{b:02X}"))
                        .collect();
                    tr.get("app.s_register", &[("bytes", bytes)])
                })
                .unwrap_or_else(|| tr.get("app.s_register", &[("bytes", "-".into())]));
            let activity = format!("{:?}", st.activity).to_lowercase();
            format!("{}\n{reg}", tr.t(&format!("app.act_{activity}")))
        }
        Label::Dma => {
            let moving = crate::replay::moving(&view.flights, |f| {
                f.engine == Some(crate::sim::event::Engine::DiskDma)
            });
            let d = desc(&st.dma, moving, tr);
            // NVMe: completion entries wait in memory for the handler (coalescing
            // lets several gather before one interrupt).
            if r.setup.hw.nvme() {
                let cq = tr.get("app.s_nvme_cq", &[("n", st.nvme_cq.to_string())]);
                format!("{d}\n{cq}")
            } else {
                d
            }
        }
        Label::Disk => {
            let now = match st.disk_request {
                Some((off, len, write)) => tr.get(
                    if write {
                        "app.s_disk_writing"
                    } else {
                        "app.s_disk_reading"
                    },
                    &[
                        ("off", off.to_string()),
                        ("last", (off + len - 1).to_string()),
                    ],
                ),
                None => tr.t("app.s_idle").into(),
            };
            // NVMe: the drive's channels, one square each, filled while it
            // serves a request.
            let now = if r.setup.hw.nvme() {
                let of = r.setup.hw.device_parallelism;
                let n = st.nvme_in_service.min(of);
                let bar: String = (0..of.min(16))
                    .map(|i| if i < n { '■' } else { '□' })
                    .collect();
                // Presentation mode's larger letters: the short form fits a line.
                let key = if present {
                    "app.s_nvme_channels_short"
                } else {
                    "app.s_nvme_channels"
                };
                let busy = tr.get(
                    key,
                    &[("bar", bar), ("n", n.to_string()), ("of", of.to_string())],
                );
                format!("{now}\n{busy}")
            } else {
                now
            };
            // The write path: how much of the new file the platter holds.
            if r.setup.method.writes() {
                let on_disk = tr.get(
                    "app.s_on_disk",
                    &[
                        ("n", st.on_disk.to_string()),
                        ("size", r.setup.file_size.to_string()),
                    ],
                );
                format!("{now}\n{on_disk}")
            } else {
                now
            }
        }
        Label::Nic => {
            let moving = crate::replay::moving(&view.flights, |f| {
                f.engine == Some(crate::sim::event::Engine::NicDma)
            });
            desc(&st.nic_dma, moving, tr)
        }
        Label::Wire => tr.get(
            // A receive takes bytes off the wire; everything else puts them on it.
            if r.setup.method == crate::sim::Method::Recv {
                "app.s_wire_received"
            } else {
                "app.s_wire_sent"
            },
            &[
                // In KiB or MiB for a large file, as in the counters panel.
                ("sent", crate::metrics::bytes(st.wire)),
                ("size", crate::metrics::bytes(r.setup.file_size)),
            ],
        ),
        Label::Kernel => {
            let mut lines = Vec::new();
            if !st.socket_refs.is_empty() {
                let refs: Vec<String> = st
                    .socket_refs
                    .iter()
                    .take(6)
                    .map(|p| format!("[f{}+{}, {} B]", p.frame, p.offset, p.len))
                    .collect();
                lines.push(tr.get("app.s_socket_refs", &[("refs", refs.join(" "))]));
            }
            if !st.pipe_refs.is_empty() {
                let refs: Vec<String> = st
                    .pipe_refs
                    .iter()
                    .take(6)
                    .map(|p| format!("[f{}+{}, {} B]", p.frame, p.offset, p.len))
                    .collect();
                lines.push(tr.get("app.s_pipe_refs", &[("refs", refs.join(" "))]));
            }
            if let Some(p) = st.io_phase {
                let phase = match p {
                    crate::sim::event::IoPhase::WaitingForData => "app.s_phase_wait",
                    crate::sim::event::IoPhase::CopyingToUser => "app.s_phase_copy",
                    crate::sim::event::IoPhase::Done => "app.s_phase_done",
                };
                lines.push(tr.get(
                    "app.s_io_model",
                    &[
                        ("model", r.setup.io_model.name().to_string()),
                        ("phase", tr.t(phase).into()),
                    ],
                ));
            }
            if let Some((start, size)) = st.readahead {
                lines.push(tr.get(
                    "app.s_readahead",
                    &[
                        ("start", start.to_string()),
                        ("last", (start + size - 1).to_string()),
                    ],
                ));
            }
            if st.mapped > 0 {
                lines.push(tr.get("app.s_mmap", &[("n", st.mapped.to_string())]));
            }
            if r.setup.method.writes() {
                let dirty = st.frames.iter().filter(|f| f.dirty).count();
                let wb = st.frames.iter().filter(|f| f.writeback).count();
                lines.push(tr.get(
                    "app.s_dirty",
                    &[
                        ("dirty", dirty.to_string()),
                        ("wb", wb.to_string()),
                        ("limit", r.setup.hw.dirty_limit.to_string()),
                    ],
                ));
                if let Some(reason) = st.writeback {
                    let who = format!("n.wb_{}", crate::narrate::reason_name(reason));
                    lines.push(tr.t(&who).into());
                }
            }
            lines.join("\n")
        }
        Label::Bus => tr.get(
            "app.s_bus",
            &[(
                "owner",
                tr.t(&format!("app.bus_{:?}", st.bus).to_lowercase()).into(),
            )],
        ),
    }
}

fn draw_labels(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    mut labels: Query<(&Label, &mut Text2d)>,
    tr: Res<crate::app::lang::Tr>,
    present: Res<crate::app::playback::Present>,
) {
    let Some(view) = view else { return };
    for (l, mut t) in &mut labels {
        let s = label_text(*l, &view.state, &view, &loaded, &tr.texts, present.0);
        if t.0 != s {
            t.0 = s;
        }
    }
}

fn progress(d: &Option<DescView>) -> f32 {
    d.as_ref()
        .map(|d| d.moved as f32 / d.len.max(1) as f32)
        .unwrap_or(0.0)
}

/// An interrupt pin's colour and its name's: the CPU's orange while its handler
/// runs, yellow while pending, the empty cell's while quiet; the name in the
/// colour that reads on it.
pub fn pin_look(st: &SceneState, line: IrqLine, theme: &Theme) -> (Color, Color) {
    let lit = if st.handler == Some(line) {
        Some(palette::CPU)
    } else if st.pending_irqs.contains(&line) {
        Some(palette::IRQ)
    } else {
        None
    };
    match lit {
        Some(c) => (c, palette::text_on(c)),
        None => (theme.cell_empty(), theme.text()),
    }
}

fn draw_lamps(
    view: Option<Res<View>>,
    theme: Res<Theme>,
    mut lamps: Query<(&Lamp, &mut Sprite, &mut Transform)>,
    mut pin_names: Query<(&PinName, &mut TextColor)>,
) {
    let Some(view) = view else { return };
    let st = &view.state;
    for (PinName(line), mut colour) in &mut pin_names {
        let want = pin_look(st, *line, &theme).1;
        if colour.0 != want {
            colour.0 = want;
        }
    }
    for (lamp, mut sprite, mut tf) in &mut lamps {
        let color = match lamp {
            Lamp::Mode if st.activity == crate::sim::event::Activity::Idle => theme.cell_empty(),
            Lamp::Mode => palette::mode(st.mode),
            Lamp::Bus => theme.bus(st.bus),
            Lamp::Irq(line) => pin_look(st, *line, &theme).0,
            Lamp::Process => match st.process {
                ProcessState::Running => palette::USER,
                ProcessState::Sleeping => palette::MISS,
                ProcessState::Waiting => palette::HIT,
                ProcessState::Exited => theme.cell_empty(),
            },
            Lamp::DmaProgress | Lamp::NicProgress => {
                let (d, r) = if *lamp == Lamp::DmaProgress {
                    (&st.dma, DMA_BOX)
                } else {
                    (&st.nic_dma, NIC_BOX)
                };
                let bar = progress_rect(r);
                let w = bar.width() * progress(d);
                sprite.custom_size = Some(Vec2::new(w.max(0.01), bar.height()));
                tf.translation.x = bar.min.x + w / 2.0;
                palette::DMA
            }
        };
        if sprite.color != color {
            sprite.color = color;
        }
    }
}
