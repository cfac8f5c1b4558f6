//! Playback controls and the timeline: one row per part (CPU mode, CPU activity,
//! bus owner, disk DMA, disk, NIC) as coloured spans, with the playhead. Click or
//! drag on the timeline to seek.

use bevy_egui::egui::{self, Color32, Sense, Stroke};

use crate::app::model::Loaded;
use crate::app::palette::{self, Theme};
use crate::app::playback::Playhead;
use crate::lanes::{Track, copies, state_spans};
use crate::sim::event::{EventKind, Mode};

/// Spans cached per run: (row, first cycle, end cycle, colour).
#[derive(Default)]
pub struct Spans {
    generation: u64,
    /// The theme the colours were taken in.
    projector: bool,
    spans: Vec<(usize, u64, u64, Color32)>,
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
) {
    let r = &loaded.replay;
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
        if ui
            .button(egui::RichText::new(label).strong())
            .on_hover_text("Space")
            .clicked()
        {
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
    if spans.generation != loaded.generation
        || spans.spans.is_empty()
        || spans.projector != theme.projector
    {
        spans.spans = build(loaded, theme);
        spans.generation = loaded.generation;
        spans.projector = theme.projector;
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
    // Spans narrower than a pixel are merged into their neighbours by drawing at
    // least one pixel, so a MiB run stays cheap to draw.
    let mut last_px: Vec<(i32, Color32)> = vec![(i32::MIN, Color32::TRANSPARENT); ROWS.len()];
    for &(row, s, e, color) in &spans.spans {
        if color == palette::egui(theme.cell_empty()) {
            continue;
        }
        let (x0, x1) = (x_of(s as f32), x_of(e as f32).max(x_of(s as f32) + 1.0));
        if (x1 - x0) < 1.5 && last_px[row] == (x0 as i32, color) {
            continue;
        }
        last_px[row] = (x0 as i32, color);
        let y = rect.top() + row as f32 * row_h;
        painter.rect_filled(
            egui::Rect::from_min_max(egui::pos2(x0, y + 2.0), egui::pos2(x1, y + row_h - 2.0)),
            0.0,
            color,
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
}
