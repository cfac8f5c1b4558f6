//! Counters at the playhead (they pop when they change), the narration of the
//! current step, and the event list (click to jump).

use bevy_egui::egui;

use crate::app::model::Loaded;
use crate::app::palette;
use crate::app::playback::{Playhead, View};
use crate::i18n::Texts;
use crate::metrics::{self, Reading};
use crate::narrate::narrate_in;
use crate::replay::Flight;
use crate::sim::Counters;
use crate::sim::event::Agent;

/// What the panel remembers between frames: the counters last shown and when each
/// changed, and the event the list last scrolled to.
#[derive(Default)]
pub struct Memory {
    last: Option<Counters>,
    /// The counters of the whole run (for "so far" figures), by run generation.
    totals: Option<(u64, Counters)>,
    changed_at: [f64; 9],
    scrolled_to: Option<usize>,
}

/// The summary's metrics at the playhead, as the panel prints them. Before the
/// end, copies read as bytes so far out of the run's total (a per-byte ratio of a
/// run half done means nothing); at the end, as copies per byte.
pub fn values(
    c: &Counters,
    cycle: u64,
    total: Option<&Counters>,
    flights: &[Flight],
    tr: &Texts,
) -> Vec<(&'static str, String)> {
    metrics::SUMMARY
        .iter()
        .map(|m| {
            let text = match m.read(c, cycle) {
                Reading::Count(n) => n.to_string(),
                Reading::PerByte(_) if total.is_some() => {
                    let total = total.and_then(|t| m.bytes(t)).unwrap_or(0);
                    // Not "0 B of 0 B": this agent copies nothing in the run.
                    if total == 0 {
                        return (m.text, tr.t("app.copied_none").into());
                    }
                    // Copies in flight count with the bytes already drawn.
                    let agent = if m.key == metrics::CPU_COPIES.key {
                        Agent::Cpu
                    } else {
                        Agent::Dma
                    };
                    let now = m.bytes(c).unwrap_or(0)
                        + crate::replay::moving(flights, |f| f.agent == agent);
                    tr.get(
                        "app.copied_so_far",
                        &[
                            // Exact bytes for a classroom run, KiB / MiB for a
                            // large one (so the line fits the panel).
                            ("now", metrics::bytes(now.min(total))),
                            ("total", metrics::bytes(total)),
                        ],
                    )
                }
                Reading::PerByte(x) => {
                    let x = if x.fract() == 0.0 {
                        format!("{x:.0}")
                    } else {
                        format!("{x:.2}")
                    };
                    format!("{x}  ({} B)", m.bytes(c).unwrap_or(0))
                }
                Reading::Yes(true) => tr.t("app.yes").into(),
                Reading::Yes(false) => "-".into(),
            };
            (m.text, text)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub fn show(
    ui: &mut egui::Ui,
    loaded: &Loaded,
    view: &View,
    p: &mut Playhead,
    mem: &mut Memory,
    now: f64,
    tr: &Texts,
    hidden: bool,
) {
    let r = &loaded.replay;
    let st = &view.state;
    let cycle = p.cycle.floor() as u64;
    let mut c = st.counters.clone();
    c.cycles = cycle.max(c.cycles);
    // The panel scrolls sideways (for the event list at a large UI scale), so
    // its content could grow past the panel's edge: the counts and the narration
    // wrap at the edge that shows instead ("2.6 MiB of 129.0 MiB so far" on a
    // 64 MiB run ran off the window).
    ui.set_max_width(ui.clip_rect().width().max(120.0));
    ui.heading(tr.t("app.counters"));
    // A lesson's question is open: the counts would give the answer away.
    if hidden {
        ui.label(tr.t("app.counters_hidden"));
        return;
    }
    if mem.totals.as_ref().is_none_or(|t| t.0 != loaded.generation) {
        mem.totals = Some((loaded.generation, Counters::of(&r.events)));
    }
    let at_end = st.applied >= r.events.len();
    let total = mem.totals.as_ref().map(|t| &t.1).filter(|_| !at_end);
    let vals = values(&c, cycle, total, &view.flights, tr);
    if let Some(last) = &mem.last {
        let old = values(last, last.cycles, total, &view.flights, tr);
        for i in 0..vals.len() {
            if old[i].1 != vals[i].1 && i != 5 && i != 6 {
                mem.changed_at[i] = now;
            }
        }
    }
    mem.last = Some(c.clone());
    // The counts scroll in the panel's upper part, so the narration under them
    // always shows whole and the event list keeps room at any UI scale.
    let top = ui.available_height() * 0.55;
    egui::ScrollArea::vertical()
        .id_salt("counts")
        .max_height(top)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("counters")
                .num_columns(2)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    for (i, (k, v)) in vals.iter().enumerate() {
                        ui.label(tr.t(k));
                        let fresh = now - mem.changed_at[i] < 0.8;
                        let text = egui::RichText::new(v)
                            .size(if fresh { 19.0 } else { 16.0 })
                            .strong();
                        let text = if fresh {
                            text.color(palette::egui(palette::IRQ))
                        } else {
                            text
                        };
                        ui.add(egui::Label::new(text).wrap());
                        ui.end_row();
                    }
                    // The page cache, fault, I/O model and scheduler counters, when
                    // not zero: smaller, in the same columns.
                    for m in metrics::MORE {
                        if m.value(&c) != 0.0 {
                            ui.label(tr.t(m.text));
                            ui.add(
                                egui::Label::new(egui::RichText::new(m.format(&c)).strong()).wrap(),
                            );
                            ui.end_row();
                        }
                    }
                });
            if !r.setup.files.is_empty() {
                egui::Grid::new("files")
                    .num_columns(2)
                    .spacing([16.0, 2.0])
                    .show(ui, |ui| {
                        for (i, f) in r.setup.files.iter().enumerate() {
                            ui.label(tr.get("app.hit_ratio", &[("file", f.name.clone())]));
                            let pct = |r: Option<f64>| {
                                r.map_or("-".into(), |x| format!("{:.0}%", x * 100.0))
                            };
                            let c = &st.counters;
                            let v = tr.get(
                                "app.hit_reuse",
                                &[
                                    ("hit", pct(c.hit_ratio(i as u32))),
                                    ("reuse", pct(c.reuse_ratio(i as u32))),
                                ],
                            );
                            ui.add(egui::Label::new(egui::RichText::new(v).strong()).wrap());
                            ui.end_row();
                        }
                    });
            }
        });
    ui.separator();
    ui.heading(tr.t("app.what_happens"));
    ui.label(tr.get(
        "app.step_of",
        &[
            ("step", st.applied.to_string()),
            ("events", r.events.len().to_string()),
            ("cycle", cycle.to_string()),
        ],
    ));
    let text = crate::narrate::caption(&r.events, st.applied, &view.flights, &r.setup, tr)
        .unwrap_or_else(|| tr.t("app.press_space").into());
    ui.label(egui::RichText::new(text).size(17.0));
    ui.separator();
    ui.heading(tr.t("app.events"));
    let row_h = 18.0;
    let current = st.applied.checked_sub(1);
    let mut area = egui::ScrollArea::vertical()
        .id_salt("events")
        .auto_shrink([false, false]);
    if mem.scrolled_to != current {
        mem.scrolled_to = current;
        if let Some(i) = current {
            area = area.vertical_scroll_offset(
                (i as f32 * (row_h + ui.spacing().item_spacing.y) - 120.0).max(0.0),
            );
        }
    }
    let mut jump = None;
    area.show_rows(ui, row_h, r.events.len(), |ui, range| {
        for i in range {
            let e = &r.events[i];
            let json = serde_json::to_value(&e.kind).ok();
            let kind = json
                .as_ref()
                .and_then(|v| v["type"].as_str())
                .unwrap_or("")
                .to_string();
            // A mode switch an interrupt causes is not the process's: not counted.
            let note = if matches!(
                e.kind,
                crate::sim::EventKind::ModeSwitch {
                    cause: crate::sim::event::ModeCause::Interrupt { .. },
                    ..
                }
            ) {
                tr.t("app.not_counted").into_owned()
            } else {
                String::new()
            };
            // The event's name in the app's language; its identifier (as in the
            // exported log) with the narration in the tooltip.
            let name = tr.t(&format!("ev.{kind}"));
            let label = format!("{:>5}  c{:<6} {name}{note}", i, e.cycle);
            let resp =
                ui.selectable_label(Some(i) == current, egui::RichText::new(label).monospace());
            if resp.clicked() {
                jump = Some(i);
            }
            resp.on_hover_text(format!("{kind}: {}", narrate_in(e, &r.setup, tr)));
        }
    });
    if let Some(i) = jump {
        p.playing = false;
        p.seek_event(r, i);
    }
}
