//! The compare view: one lane per run on a shared clock (CPU mode, CPU and DMA
//! copies, interrupts, the counters at the playhead), then the totals as a table
//! and as bar charts.

use bevy_egui::egui::{self, Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, pos2, vec2};
use egui_plot::{Bar, BarChart, Plot, Text};

use super::super::compare::Comparison;
use super::super::model::Editor;
use super::super::palette;
use crate::compare::{
    CLASSIC, PIO_VS_DMA, RUN_COLOURS, Spans, TO_IO_URING, WRITE_PATH, short_number,
};
use crate::i18n::Texts;
use crate::metrics::{CHARTS, Metric, Reading};
use crate::sim::Counters;

pub fn colour(i: usize) -> Color32 {
    let (r, g, b) = RUN_COLOURS[i % RUN_COLOURS.len()];
    Color32::from_rgb(r, g, b)
}

/// The left panel's section: the lecture comparisons and a free list.
pub fn controls(ui: &mut egui::Ui, cmp: &mut Comparison, editor: &Editor, tr: &Texts) {
    ui.heading(tr.t("app.compare"));
    ui.label(tr.t("app.compare_hint"));
    for (key, preset) in [
        ("app.classic", &CLASSIC[..]),
        ("app.pio_vs_dma", &PIO_VS_DMA[..]),
        ("app.write_path", &WRITE_PATH[..]),
        ("app.to_io_uring", &TO_IO_URING[..]),
    ] {
        if ui
            .button(tr.t(key))
            .on_hover_text(preset.join(", "))
            .clicked()
        {
            let labels: Vec<String> = preset.iter().map(|s| s.to_string()).collect();
            cmp.load(editor, &labels);
        }
    }
    ui.horizontal(|ui| {
        let edit = ui.add(
            egui::TextEdit::singleline(&mut cmp.labels_text)
                .hint_text("read_write, sendfile+sg")
                .desired_width(150.0),
        );
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(tr.t("app.compare_these")).clicked() || enter {
            let labels = super::super::compare::labels_of(&cmp.labels_text);
            cmp.load(editor, &labels);
        }
    });
    if let Some(e) = &cmp.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if !cmp.runs.is_empty() {
        let key = if cmp.open {
            "app.show_scene"
        } else {
            "app.show_compare"
        };
        if ui.button(tr.t(key)).clicked() {
            cmp.open = !cmp.open;
        }
    }
}

/// The view itself, in the middle of the window.
pub fn show(ui: &mut egui::Ui, cmp: &mut Comparison, tr: &Texts) {
    let end = cmp.end();
    ui.horizontal(|ui| {
        let play = if cmp.playing {
            tr.t("app.pause")
        } else {
            tr.t("app.play")
        };
        if ui.button(play).clicked() {
            cmp.toggle_play();
        }
        if ui.button(tr.t("app.to_start")).clicked() {
            cmp.seek(0.0);
        }
        if ui.button(tr.t("app.to_end")).clicked() {
            cmp.to_end();
        }
        if ui.button("−").clicked() {
            cmp.slower();
        }
        if ui.button("+").clicked() {
            cmp.faster();
        }
        ui.label(tr.get(
            "app.clock",
            &[
                ("cycle", format!("{:.0}", cmp.cycle.floor())),
                ("end", end.to_string()),
            ],
        ));
    });
    legend(ui, tr);
    // The charts share the view's width, however wide the table grows.
    let width = ui.available_width();
    egui::ScrollArea::vertical().show(ui, |ui| {
        lanes(ui, cmp, tr);
        ui.add_space(8.0);
        egui::ScrollArea::horizontal()
            .id_salt("compare-table-scroll")
            .show(ui, |ui| table(ui, cmp, tr));
        ui.add_space(8.0);
        charts(ui, cmp, tr, width);
    });
}

fn swatch(ui: &mut egui::Ui, c: Color32, text: &str) {
    let (r, _) = ui.allocate_exact_size(vec2(14.0, 14.0), Sense::hover());
    ui.painter().rect_filled(r, 2.0, c);
    ui.label(text);
}

fn legend(ui: &mut egui::Ui, tr: &Texts) {
    ui.horizontal(|ui| {
        swatch(ui, palette::egui(palette::USER), &tr.t("app.user_mode"));
        swatch(ui, palette::egui(palette::KERNEL), &tr.t("app.kernel_mode"));
        swatch(ui, palette::egui(palette::CPU), &tr.t("app.cpu_copy"));
        swatch(ui, palette::egui(palette::DMA), &tr.t("app.dma_copy"));
        swatch(ui, palette::egui(palette::IRQ), &tr.t("app.interrupt"));
    });
}

/// Column ranges [c0, c1) of a strip `width` pixels wide over `end` cycles.
fn columns(width: usize, end: u64) -> impl Iterator<Item = (usize, u64, u64)> {
    (0..width).map(move |j| {
        let c0 = (j as u128 * end as u128 / width as u128) as u64;
        let c1 = ((j + 1) as u128 * end as u128 / width as u128) as u64;
        (j, c0, c1.max(c0 + 1))
    })
}

/// Paints runs of equal columns as single rectangles.
fn paint_runs(p: &egui::Painter, x0: f32, y: (f32, f32), cols: &[Option<(Color32, f32)>]) {
    let mut j = 0;
    while j < cols.len() {
        let Some((c, h)) = cols[j] else {
            j += 1;
            continue;
        };
        let mut k = j + 1;
        while k < cols.len() && cols[k] == Some((c, h)) {
            k += 1;
        }
        let top = y.1 - (y.1 - y.0) * h;
        p.rect_filled(
            Rect::from_min_max(pos2(x0 + j as f32, top), pos2(x0 + k as f32, y.1)),
            0.0,
            c,
        );
        j = k;
    }
}

fn coverage(s: &Spans, c0: u64, c1: u64, stop: u64, colour: Color32) -> Option<(Color32, f32)> {
    if c0 >= stop {
        return None;
    }
    (s.covered(c0, c1) > 0).then_some((colour, 1.0))
}

/// The lanes' counter columns: the charts' metrics but the last (total cycles is
/// the clock), at the playhead.
fn lane_metrics() -> &'static [&'static Metric] {
    &CHARTS[..CHARTS.len() - 1]
}

fn numbers(c: &Counters, cycle: u64) -> Vec<String> {
    lane_metrics()
        .iter()
        .map(|m| match m.read(c, cycle) {
            Reading::Count(n) => short_number(n as f64),
            Reading::PerByte(x) => short_number(x),
            Reading::Yes(b) => b.to_string(),
        })
        .collect()
}

fn lanes(ui: &mut egui::Ui, cmp: &mut Comparison, tr: &Texts) {
    let end = cmp.end().max(1);
    let label_w = 120.0;
    let col_w = 104.0;
    let counters_w = col_w * lane_metrics().len() as f32;
    let width = ui.available_width();
    let strip_w = (width - label_w - counters_w - 16.0).max(100.0);
    let text = ui.visuals().text_color();
    let dim = ui.visuals().weak_text_color();
    let font = FontId::proportional(14.0);
    // Header: the counter columns.
    let (head, _) = ui.allocate_exact_size(vec2(width, 34.0), Sense::hover());
    for (k, key) in lane_metrics().iter().map(|m| m.text).enumerate() {
        let x = head.left() + label_w + strip_w + 16.0 + col_w * (k as f32 + 1.0) - 4.0;
        ui.painter().text(
            pos2(x, head.bottom() - 2.0),
            Align2::RIGHT_BOTTOM,
            tr.t(key),
            FontId::proportional(12.0),
            dim,
        );
    }
    let mut seek = None;
    let mut strips = Vec::new();
    let cycle = cmp.cycle.floor() as u64;
    for (i, run) in cmp.runs.iter().enumerate() {
        let (rect, _) = ui.allocate_exact_size(vec2(width, 46.0), Sense::hover());
        let p = ui.painter();
        p.rect_filled(
            Rect::from_min_size(rect.min + vec2(0.0, 8.0), vec2(8.0, 30.0)),
            2.0,
            colour(i),
        );
        p.text(
            pos2(rect.left() + 14.0, rect.center().y),
            Align2::LEFT_CENTER,
            &run.label,
            FontId::proportional(16.0),
            text,
        );
        let strip = Rect::from_min_size(
            pos2(rect.left() + label_w, rect.top() + 3.0),
            vec2(strip_w, 40.0),
        );
        strips.push(strip);
        p.rect_filled(strip, 2.0, ui.visuals().extreme_bg_color);
        let w = strip_w as usize;
        let lane = &run.lane;
        let (mut mode, mut cpu, mut dma, mut irq) = (vec![], vec![], vec![], vec![]);
        for (_, c0, c1) in columns(w, end) {
            if c0 >= lane.end {
                mode.push(None);
                cpu.push(None);
                dma.push(None);
                irq.push(None);
                continue;
            }
            // Kernel time as a share of the column, in quarters (short stints still
            // show); nothing once the process has exited.
            let k = lane.kernel.covered(c0, c1) as f32 / (c1 - c0) as f32;
            let q = (k * 4.0).ceil() / 4.0;
            let gone = lane.exited.is_some_and(|x| c0 >= x);
            mode.push(match (gone, q > 0.0) {
                (true, _) => None,
                (false, true) => Some((palette::egui(palette::KERNEL), q)),
                (false, false) => Some((palette::egui(palette::USER), 1.0)),
            });
            cpu.push(coverage(
                &lane.cpu_copy,
                c0,
                c1,
                lane.end,
                palette::egui(palette::CPU),
            ));
            dma.push(coverage(
                &lane.dma_copy,
                c0,
                c1,
                lane.end,
                palette::egui(palette::DMA),
            ));
            irq.push(
                (lane.interrupts_in(c0, c1) > 0).then_some((palette::egui(palette::IRQ), 1.0)),
            );
        }
        // User mode underneath, kernel share on top.
        let user: Vec<_> = mode
            .iter()
            .map(|m| m.map(|_| (palette::egui(palette::USER), 1.0)))
            .collect();
        let y = strip.top();
        paint_runs(p, strip.left(), (y + 1.0, y + 12.0), &user);
        paint_runs(p, strip.left(), (y + 1.0, y + 12.0), &mode);
        paint_runs(p, strip.left(), (y + 14.0, y + 22.0), &cpu);
        paint_runs(p, strip.left(), (y + 24.0, y + 32.0), &dma);
        paint_runs(p, strip.left(), (y + 33.0, y + 39.0), &irq);
        // The counters at the playhead.
        for (k, v) in numbers(&run.now, cycle).iter().enumerate() {
            let x = strip.right() + 16.0 + col_w * (k as f32 + 1.0) - 4.0;
            p.text(
                pos2(x, rect.center().y),
                Align2::RIGHT_CENTER,
                v,
                font.clone(),
                text,
            );
        }
    }
    // One playhead across every lane; click or drag a lane to move it.
    if let (Some(first), Some(last)) = (strips.first(), strips.last()) {
        let all = first.union(*last);
        let resp = ui.interact(all, ui.id().with("lanes"), Sense::click_and_drag());
        if let Some(pos) = resp.interact_pointer_pos()
            && (resp.clicked() || resp.dragged())
        {
            seek = Some(((pos.x - all.left()) / all.width()) as f64 * end as f64);
        }
        // A cycle scale under the lanes: 0, quarters, end.
        let (axis, _) = ui.allocate_exact_size(vec2(width, 18.0), Sense::hover());
        for q in 0..=4u64 {
            let x = all.left() + all.width() * q as f32 / 4.0;
            let align = match q {
                0 => Align2::LEFT_TOP,
                4 => Align2::RIGHT_TOP,
                _ => Align2::CENTER_TOP,
            };
            ui.painter().line_segment(
                [pos2(x, axis.top()), pos2(x, axis.top() + 4.0)],
                Stroke::new(1.0, dim),
            );
            ui.painter().text(
                pos2(x, axis.top() + 4.0),
                align,
                short_number((end * q / 4) as f64),
                FontId::proportional(12.0),
                dim,
            );
        }
        let x = all.left() + (cmp.cycle / end as f64) as f32 * all.width();
        ui.painter().line_segment(
            [
                Pos2::new(x, all.top() - 4.0),
                Pos2::new(x, all.bottom() + 4.0),
            ],
            Stroke::new(2.0, ui.visuals().strong_text_color()),
        );
    }
    if let Some(c) = seek {
        cmp.playing = false;
        cmp.seek(c);
    }
}

fn table(ui: &mut egui::Ui, cmp: &Comparison, tr: &Texts) {
    ui.heading(tr.t("app.totals"));
    // The write path: when each program exited and its dirty pages, as on the CLI.
    let writes = cmp.runs.iter().any(|r| r.writes);
    let extra: &[&crate::metrics::Metric] = if writes {
        &crate::metrics::WRITE_COLUMNS
    } else {
        &[]
    };
    egui::Grid::new("compare-table")
        .striped(true)
        .spacing(vec2(18.0, 4.0))
        .show(ui, |ui| {
            ui.strong(tr.t("app.run"));
            for m in CHARTS.iter().chain(extra) {
                ui.strong(tr.t(m.text));
            }
            ui.strong(tr.t("app.data_intact"));
            ui.end_row();
            for (i, run) in cmp.runs.iter().enumerate() {
                ui.colored_label(colour(i), format!("■ {}", run.label));
                for m in CHARTS.iter().chain(extra) {
                    ui.label(short_number(m.value(&run.total)));
                }
                ui.label(if run.total.data_intact {
                    tr.t("app.yes")
                } else {
                    tr.t("app.no")
                });
                ui.end_row();
            }
        });
}

fn charts(ui: &mut egui::Ui, cmp: &Comparison, tr: &Texts, width: f32) {
    let n = cmp.runs.len();
    let per_row = 4;
    let w = (width / per_row as f32 - 12.0).max(120.0);
    // The write path's eighth chart: when each program exited (the run may go on).
    let mut metrics: Vec<&crate::metrics::Metric> = CHARTS.to_vec();
    if cmp.runs.iter().any(|r| r.writes) {
        metrics.push(&crate::metrics::PROGRAM_EXIT);
    }
    for row in metrics.chunks(per_row).enumerate() {
        ui.horizontal(|ui| {
            for (k, metric) in row.1.iter().enumerate() {
                let m = row.0 * per_row + k;
                ui.vertical(|ui| {
                    ui.set_width(w);
                    ui.strong(tr.t(metric.text));
                    let values: Vec<f64> =
                        cmp.runs.iter().map(|r| metric.value(&r.total)).collect();
                    let top = values.iter().cloned().fold(0.0, f64::max).max(1.0) * 1.25;
                    Plot::new(("compare-chart", m))
                        .width(w)
                        .height(165.0)
                        .allow_zoom(false)
                        .allow_drag(false)
                        .allow_scroll(false)
                        .allow_boxed_zoom(false)
                        .allow_double_click_reset(false)
                        .show_x(false)
                        .show_axes([false, true])
                        .show_grid([false, true])
                        .include_y(0.0)
                        .include_y(top)
                        .include_x(-0.6)
                        .include_x(n as f64 - 0.4)
                        .y_axis_min_width(36.0)
                        .y_axis_formatter(|mark, _| short_number(mark.value))
                        .show(ui, |plot| {
                            let bars = values
                                .iter()
                                .enumerate()
                                .map(|(i, v)| {
                                    Bar::new(i as f64, *v)
                                        .width(0.7)
                                        .fill(colour(i))
                                        .name(&cmp.runs[i].label)
                                })
                                .collect();
                            plot.bar_chart(BarChart::new(tr.t(metric.text), bars));
                            for (i, v) in values.iter().enumerate() {
                                plot.text(
                                    Text::new(
                                        "value",
                                        [i as f64, *v].into(),
                                        egui::RichText::new(short_number(*v)).size(15.0).strong(),
                                    )
                                    .anchor(Align2::CENTER_BOTTOM),
                                );
                            }
                        });
                });
            }
        });
    }
}
