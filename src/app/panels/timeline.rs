//! Playback controls and the timeline: one row per part (CPU mode, CPU activity,
//! bus owner, disk DMA, disk, NIC) as coloured spans, with the playhead. Click or
//! drag on the timeline to seek.

use bevy_egui::egui::{self, Color32, Sense, Stroke};

use crate::app::model::Loaded;
use crate::app::palette::{self, Theme};
use crate::app::playback::Playhead;
use crate::breakpoint::{self, Kind};
use crate::lanes::{Track, copies, state_spans};
use crate::sim::event::{EventKind, Mode};

/// Spans cached per run: (row, first cycle, end cycle, colour).
#[derive(Default)]
pub struct Spans {
    generation: u64,
    /// The theme the colours were taken in.
    projector: bool,
    spans: Vec<(usize, u64, u64, Color32)>,
    /// The strip as drawn: for each row, the colour of each pixel column (the one
    /// covering most of its cycles), and the width it was made for. Made once per
    /// run and size, so a frame draws a few hundred rectangles, however long the log.
    columns: Vec<Vec<Option<Color32>>>,
    columns_for: (u64, u32),
    /// Breakpoints: the kinds of moment chosen, and their moments in this run.
    pub stop_at: Vec<Kind>,
    moments: Vec<(u64, usize)>,
    moments_for: Option<(u64, Vec<Kind>)>,
}

/// The colour covering most of each of `n` pixel columns of a strip of `total`
/// cycles, row by row.
fn columns_of(
    spans: &[(usize, u64, u64, Color32)],
    total: f64,
    n: usize,
    skip: Color32,
) -> Vec<Vec<Option<Color32>>> {
    let mut cover: Vec<Vec<Vec<(Color32, f64)>>> = vec![vec![Vec::new(); n]; ROWS.len()];
    let per = total.max(1.0) / n.max(1) as f64;
    for &(row, s, e, color) in spans {
        if color == skip || e <= s {
            continue;
        }
        let (s, e) = (s as f64, e as f64);
        let (c0, c1) = ((s / per) as usize, ((e / per) as usize).min(n - 1));
        let first = c0.min(n - 1);
        for (c, cell) in cover[row].iter_mut().enumerate().take(c1 + 1).skip(first) {
            let (a, b) = (c as f64 * per, (c + 1) as f64 * per);
            let w = e.min(b) - s.max(a);
            if w <= 0.0 {
                continue;
            }
            match cell.iter_mut().find(|x| x.0 == color) {
                Some(x) => x.1 += w,
                None => cell.push((color, w)),
            }
        }
    }
    cover
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| {
                    cell.into_iter()
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|x| x.0)
                })
                .collect()
        })
        .collect()
}

const ROWS: [&str; 6] = [
    "app.row_mode",
    "app.row_cpu",
    "app.row_bus",
    "app.row_disk_dma",
    "app.row_disk",
    "app.row_nic",
];

/// The strip's spans: (row, start, end, colour). Rows 0-2 are states (CPU mode,
/// activity, bus owner); rows 3-5 are the copies of the disk DMA, the disk and the NIC.
fn build(loaded: &Loaded, theme: &Theme) -> Vec<(usize, u64, u64, Color32)> {
    let r = &loaded.replay;
    let (events, end) = (&r.events[..], r.total_cycles());
    let mut out = Vec::new();
    let mode = state_spans(events, end, Some(Mode::User), |k| match k {
        EventKind::ModeSwitch { to, .. } => Some(*to),
        _ => None,
    });
    out.extend(
        mode.into_iter()
            .map(|(a, b, m)| (0, a, b, palette::egui(palette::mode(m)))),
    );
    let activity = state_spans(events, end, None, |k| match k {
        EventKind::CpuActivity { activity } => Some(*activity),
        _ => None,
    });
    out.extend(
        activity
            .into_iter()
            .map(|(a, b, x)| (1, a, b, palette::egui(theme.activity(x)))),
    );
    let bus = state_spans(events, end, None, |k| match k {
        EventKind::BusOwner { owner } => Some(*owner),
        _ => None,
    });
    out.extend(
        bus.into_iter()
            .map(|(a, b, o)| (2, a, b, palette::egui(theme.bus(o)))),
    );
    for (track, agent, (a, b)) in copies(events) {
        let row = match track {
            Track::DiskDma => 3,
            Track::Disk => 4,
            Track::Nic => 5,
            Track::Cpu => continue,
        };
        out.push((row, a, b, palette::egui(palette::agent(agent))));
    }
    out
}

pub fn show(
    ui: &mut egui::Ui,
    loaded: &Loaded,
    p: &mut Playhead,
    spans: &mut Spans,
    tr: &crate::i18n::Texts,
    theme: &Theme,
) -> egui::Rect {
    let r = &loaded.replay;
    let mut play_rect = egui::Rect::NOTHING;
    ui.horizontal(|ui| {
        if ui
            .button("|<")
            .on_hover_text(tr.t("app.hint_start"))
            .clicked()
        {
            p.to_start();
        }
        if ui
            .button("<<")
            .on_hover_text(tr.t("app.hint_event_back"))
            .clicked()
        {
            p.playing = false;
            p.step_narrated(r, false);
        }
        if ui
            .button("<")
            .on_hover_text(tr.t("app.hint_cycle_back"))
            .clicked()
        {
            p.playing = false;
            p.step_cycle(r, false);
        }
        let label = if p.playing {
            tr.t("app.pause")
        } else {
            tr.t("app.play")
        };
        let play = ui
            .button(egui::RichText::new(label).strong())
            .on_hover_text("Space");
        play_rect = play.rect;
        if play.clicked() {
            if p.applied >= r.events.len() {
                p.to_start();
            }
            p.playing = !p.playing;
        }
        if ui
            .button(">")
            .on_hover_text(tr.t("app.hint_cycle_fwd"))
            .clicked()
        {
            p.playing = false;
            p.step_cycle(r, true);
        }
        if ui
            .button(">>")
            .on_hover_text(tr.t("app.hint_event_fwd"))
            .clicked()
        {
            p.playing = false;
            p.step_narrated(r, true);
        }
        if ui
            .button(">|")
            .on_hover_text(tr.t("app.hint_end"))
            .clicked()
        {
            p.to_end(r);
        }
        ui.separator();
        ui.label(tr.t("app.speed"));
        ui.add(
            egui::Slider::new(&mut p.speed, 0.05..=1e10)
                .logarithmic(true)
                .suffix(tr.t("app.cycles_per_s")),
        )
        .on_hover_text(tr.t("app.hint_speed"));
        ui.separator();
        ui.label(tr.get(
            "app.clock",
            &[
                ("cycle", format!("{:.0}", p.cycle)),
                ("end", r.total_cycles().to_string()),
            ],
        ));
    });
    // Breakpoints: run to the previous or next moment of the kinds chosen
    // (interrupts to begin with: few, and each one a story).
    if spans.moments_for.is_none() && spans.stop_at.is_empty() {
        spans.stop_at.push(Kind::Interrupt);
    }
    let key = (loaded.generation, spans.stop_at.clone());
    if spans.moments_for.as_ref() != Some(&key) {
        spans.moments = breakpoint::moments(&r.events, &spans.stop_at);
        spans.moments_for = Some(key);
    }
    ui.horizontal(|ui| {
        ui.label(tr.t("app.bp_stop_at"));
        let chosen: Vec<String> = spans
            .stop_at
            .iter()
            .map(|k| tr.t(k.text()).into())
            .collect();
        let summary = if chosen.is_empty() {
            tr.t("app.bp_none").into_owned()
        } else {
            chosen.join(", ")
        };
        ui.menu_button(summary, |ui| {
            for k in Kind::ALL {
                let mut on = spans.stop_at.contains(&k);
                if ui.checkbox(&mut on, tr.t(k.text())).changed() {
                    if on {
                        spans.stop_at.push(k);
                    } else {
                        spans.stop_at.retain(|x| *x != k);
                    }
                }
            }
        });
        for (label, forward) in [("app.bp_prev", false), ("app.bp_next", true)] {
            let target = breakpoint::next(&spans.moments, p.cycle, forward);
            if ui
                .add_enabled(target.is_some(), egui::Button::new(tr.t(label)))
                .clicked()
                && let Some(c) = target
            {
                p.playing = false;
                p.seek_cycle(r, c as f64);
            }
        }
        ui.label(tr.get("app.bp_count", &[("n", spans.moments.len().to_string())]));
    });
    if spans.generation != loaded.generation
        || spans.spans.is_empty()
        || spans.projector != theme.projector
    {
        spans.spans = build(loaded, theme);
        spans.generation = loaded.generation;
        spans.projector = theme.projector;
        spans.columns.clear();
    }
    let width = ui.available_width();
    let label_w = 70.0;
    let row_h = ((ui.available_height() - 8.0) / ROWS.len() as f32).clamp(10.0, 24.0);
    let (resp, painter) = ui.allocate_painter(
        egui::vec2(width, row_h * ROWS.len() as f32 + 4.0),
        Sense::click_and_drag(),
    );
    let rect = resp.rect;
    let total = r.total_cycles().max(1) as f32;
    let x_of = |c: f32| rect.left() + label_w + (c / total) * (rect.width() - label_w);
    painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
    for (i, name) in ROWS.iter().enumerate() {
        let y = rect.top() + i as f32 * row_h;
        painter.text(
            egui::pos2(rect.left() + 4.0, y + row_h / 2.0),
            egui::Align2::LEFT_CENTER,
            tr.t(name),
            egui::FontId::proportional((row_h - 1.0).min(12.0)),
            ui.visuals().text_color(),
        );
    }
    // One colour per pixel column (made once per run and width), drawn as runs.
    let n = (rect.width() - label_w).max(1.0) as usize;
    if spans.columns_for != (loaded.generation, n as u32) || spans.columns.is_empty() {
        let skip = palette::egui(theme.cell_empty());
        spans.columns = columns_of(&spans.spans, total as f64, n, skip);
        spans.columns_for = (loaded.generation, n as u32);
    }
    let x0 = rect.left() + label_w;
    for (row, cols) in spans.columns.iter().enumerate() {
        let y = rect.top() + row as f32 * row_h;
        let mut c = 0;
        while c < cols.len() {
            let Some(color) = cols[c] else {
                c += 1;
                continue;
            };
            let start = c;
            while c < cols.len() && cols[c] == Some(color) {
                c += 1;
            }
            painter.rect_filled(
                egui::Rect::from_min_max(
                    egui::pos2(x0 + start as f32, y + 2.0),
                    egui::pos2(x0 + c as f32, y + row_h - 2.0),
                ),
                0.0,
                color,
            );
        }
    }
    // The breakpoints' moments as ticks along the top (one per pixel column).
    let mut last_x = i32::MIN;
    for &(c, _) in &spans.moments {
        let x = x_of(c as f32);
        if x as i32 == last_x {
            continue;
        }
        last_x = x as i32;
        painter.line_segment(
            [
                egui::pos2(x, rect.top()),
                egui::pos2(x, rect.top() + row_h * 0.8),
            ],
            Stroke::new(2.0, palette::egui(palette::IRQ)),
        );
    }
    let px = x_of(p.cycle as f32);
    painter.line_segment(
        [egui::pos2(px, rect.top()), egui::pos2(px, rect.bottom())],
        Stroke::new(2.0, ui.visuals().strong_text_color()),
    );
    if let Some(pos) = resp.interact_pointer_pos()
        && (resp.clicked() || resp.dragged())
        && pos.x >= rect.left() + label_w
    {
        let c =
            ((pos.x - rect.left() - label_w) / (rect.width() - label_w)).clamp(0.0, 1.0) * total;
        p.playing = false;
        p.seek_cycle(r, c as f64);
    }
    play_rect
}
