//! Playback controls and the timeline: one row per part (CPU mode, CPU activity,
//! bus owner, disk DMA, disk, NIC) as coloured spans, with the playhead. Click or
//! drag on the timeline to seek.

use bevy_egui::egui::{self, Color32, Sense, Stroke};

use crate::app::model::Loaded;
use crate::app::palette::{self, Theme};
use crate::app::playback::Playhead;
use crate::sim::event::{Agent, Engine, EventKind, Place};

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

fn build(loaded: &Loaded, theme: &Theme) -> Vec<(usize, u64, u64, Color32)> {
    let r = &loaded.replay;
    let end = r.total_cycles();
    let mut out = Vec::new();
    let mut open: [Option<(u64, Color32)>; 3] = [None; 3];
    let mut close =
        |row: usize, at: u64, next: Option<Color32>, out: &mut Vec<(usize, u64, u64, Color32)>| {
            if let Some((s, c)) = open[row].take()
                && at > s
            {
                out.push((row, s, at, c));
            }
            if let Some(c) = next {
                open[row] = Some((at, c));
            }
        };
    close(0, 0, Some(palette::egui(palette::USER)), &mut out);
    for e in &r.events {
        match &e.kind {
            EventKind::ModeSwitch { to, .. } => close(
                0,
                e.cycle,
                Some(palette::egui(palette::mode(*to))),
                &mut out,
            ),
            EventKind::CpuActivity { activity } => close(
                1,
                e.cycle,
                Some(palette::egui(theme.activity(*activity))),
                &mut out,
            ),
            EventKind::BusOwner { owner } => {
                close(2, e.cycle, Some(palette::egui(theme.bus(*owner))), &mut out)
            }
            EventKind::Copy {
                from,
                to,
                agent,
                engine,
                first_cycle,
                last_cycle,
                ..
            } => {
                let row = match (agent, engine, from, to) {
                    (Agent::Dma, Some(Engine::DiskDma), _, _) => 3,
                    (Agent::Device, _, Place::Platter { .. }, _) => 4,
                    (_, Some(Engine::NicDma), _, _) | (_, _, _, Place::Wire { .. }) => 5,
                    _ => continue,
                };
                out.push((
                    row,
                    *first_cycle,
                    last_cycle + 1,
                    palette::egui(palette::agent(*agent)),
                ));
            }
            _ => {}
        }
    }
    for row in 0..3 {
        close(row, end, None, &mut out);
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
            p.step_event(r, false);
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
            p.step_event(r, true);
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
