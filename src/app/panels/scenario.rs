//! The scenario panel: pick a scene, open a file, change the conditions; every
//! change re-runs at once. Errors are shown here and the old run keeps playing.

use bevy_egui::egui;

use crate::app::model::{Editor, Loaded};
use crate::i18n::Texts;
use crate::scenario::BUILTIN_SCENES;
use crate::sim::program::SyncMode;
use crate::sim::{Hardware, Method};

pub fn show(ui: &mut egui::Ui, ed: &mut Editor, loaded: &mut Loaded, tr: &Texts, zh: bool) {
    ui.heading(tr.t("app.scenario"));
    // A file opened by path that is one of the shipped scenes shows its name.
    let stem = std::path::Path::new(ed.path_text.trim())
        .file_stem()
        .map(|s| s.to_string_lossy().to_string());
    let current = ed
        .scene
        .and_then(|i| BUILTIN_SCENES.get(i))
        .map(|s| s.0.to_string())
        .or_else(|| stem.filter(|s| BUILTIN_SCENES.iter().any(|b| b.0 == s)))
        .unwrap_or_else(|| tr.t("app.file_or_default").into());
    let mut pick = None;
    egui::ComboBox::from_id_salt("scene")
        .selected_text(current)
        .width(240.0)
        .show_ui(ui, |ui| {
            for (i, (name, _)) in BUILTIN_SCENES.iter().enumerate() {
                if ui.selectable_label(ed.scene == Some(i), *name).clicked() {
                    pick = Some(i);
                }
            }
        });
    if let Some(i) = pick {
        ed.open(loaded, Some(i), None);
    }
    ui.horizontal(|ui| {
        let r = ui.add(
            egui::TextEdit::singleline(&mut ed.path_text)
                .hint_text("path/to/scenario.ron")
                .desired_width(180.0),
        );
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(tr.t("app.open")).clicked() || enter {
            let path = std::path::PathBuf::from(ed.path_text.trim());
            ed.open(loaded, None, Some(path));
        }
        if ui.button("…").on_hover_text(tr.t("app.browse")).clicked() {
            ed.browse = true;
            ed.no_file_chosen = false;
        }
    });
    if ed.no_file_chosen {
        ui.label(tr.t("app.no_file_chosen"));
    }
    ui.separator();
    let mut changed = false;
    egui::Grid::new("conditions")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            ui.label(tr.t("app.method"));
            egui::ComboBox::from_id_salt("method")
                .selected_text(ed.method.name())
                .show_ui(ui, |ui| {
                    for m in Method::ALL {
                        changed |= ui.selectable_value(&mut ed.method, m, m.name()).changed();
                    }
                });
            ui.end_row();
            if ed.method.writes() {
                ui.label(tr.t("app.sync"));
                egui::ComboBox::from_id_salt("sync")
                    .selected_text(ed.sync.name())
                    .show_ui(ui, |ui| {
                        for m in SyncMode::ALL {
                            changed |= ui.selectable_value(&mut ed.sync, m, m.name()).changed();
                        }
                    });
                ui.end_row();
            }
            if ed.method.queued() {
                ui.label(tr.t("app.queue_depth"));
                let r = ui
                    .add(egui::TextEdit::singleline(&mut ed.queue_depth_text).desired_width(110.0));
                changed |= r.lost_focus();
                ui.end_row();
            }
            if ed.method == Method::IoUring {
                ui.label("SQPOLL");
                changed |= ui.checkbox(&mut ed.sqpoll, tr.t("app.sqpoll")).changed();
                ui.end_row();
            }
            for (label, text) in [
                ("app.file_size", &mut ed.file_size_text),
                ("app.buffer_size", &mut ed.buffer_size_text),
            ] {
                ui.label(tr.t(label));
                let r = ui.add(egui::TextEdit::singleline(text).desired_width(110.0));
                changed |= r.lost_focus();
                ui.end_row();
            }
            ui.label(tr.t("app.disk"));
            ui.horizontal(|ui| {
                changed |= ui.radio_value(&mut ed.disk_pio, true, "PIO").changed();
                changed |= ui.radio_value(&mut ed.disk_pio, false, "DMA").changed();
            });
            ui.end_row();
            ui.label(tr.t("app.completion"));
            ui.horizontal(|ui| {
                changed |= ui.radio_value(&mut ed.poll, false, "IRQ").changed();
                changed |= ui
                    .radio_value(&mut ed.poll, true, tr.t("app.poll"))
                    .changed();
            });
            ui.end_row();
            ui.label(tr.t("app.nic"));
            changed |= ui.checkbox(&mut ed.nic_sg, tr.t("app.sg_dma")).changed();
            ui.end_row();
            ui.label(tr.t("app.page_cache"));
            ui.horizontal(|ui| {
                changed |= ui
                    .radio_value(&mut ed.warm, false, tr.t("app.cold"))
                    .changed();
                changed |= ui
                    .radio_value(&mut ed.warm, true, tr.t("app.warm"))
                    .changed();
            });
            ui.end_row();
            // Which page reclaim takes: the least recently used, or Linux's lists.
            ui.label(tr.t("app.policy"));
            ui.horizontal(|ui| {
                changed |= ui.radio_value(&mut ed.two_list, false, "lru").changed();
                changed |= ui
                    .radio_value(&mut ed.two_list, true, "two_list")
                    .on_hover_text(tr.t("app.policy_two_list"))
                    .changed();
            });
            ui.end_row();
            ui.label(tr.t("app.style"));
            ui.horizontal(|ui| {
                changed |= ui
                    .radio_value(&mut ed.realistic, false, tr.t("app.textbook"))
                    .changed();
                changed |= ui
                    .radio_value(&mut ed.realistic, true, tr.t("app.realistic"))
                    .changed();
            });
            ui.end_row();
            ui.label(tr.t("app.profile"));
            egui::ComboBox::from_id_salt("profile")
                .selected_text(ed.profile.clone())
                .show_ui(ui, |ui| {
                    for p in Hardware::PROFILES {
                        changed |= ui
                            .selectable_value(&mut ed.profile, p.to_string(), p)
                            .changed();
                    }
                });
            ui.end_row();
        });
    if changed {
        ed.apply(loaded);
    }
    if let Some(e) = &ed.error {
        ui.separator();
        ui.colored_label(
            egui::Color32::from_rgb(240, 110, 90),
            tr.get("app.not_applied", &[("error", e.clone())]),
        );
        ui.label(tr.t("app.old_run_plays"));
    }
    ui.separator();
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt("export_format")
            .selected_text(ed.export_format.name())
            .width(70.0)
            .show_ui(ui, |ui| {
                use crate::trace::Format;
                for f in [Format::Chrome, Format::Vcd, Format::Csv, Format::Jsonl] {
                    ui.selectable_value(&mut ed.export_format, f, f.name());
                }
            });
        ui.add(egui::TextEdit::singleline(&mut ed.export_path).desired_width(110.0));
        if ui
            .button(tr.t("app.export"))
            .on_hover_text(tr.t("app.export_hint"))
            .clicked()
        {
            ed.export(loaded);
        }
    });
    if let Some(s) = &ed.export_status {
        ui.label(s.text(tr));
    }
    // Keep the conditions set up here as a scenario file.
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(&mut ed.save_path).desired_width(150.0));
        if ui
            .button(tr.t("app.save_as"))
            .on_hover_text(tr.t("app.save_as_hint"))
            .clicked()
        {
            let path = std::path::PathBuf::from(ed.save_path.trim());
            if let Err(e) = ed.save_as(&path) {
                ed.save_status = Some(crate::app::model::FileStatus::Failed(e));
            }
        }
        if ui
            .button("…")
            .on_hover_text(tr.t("app.browse_save"))
            .clicked()
        {
            ed.browse_save = true;
            ed.save_status = None;
        }
    });
    if let Some(s) = &ed.save_status {
        ui.label(s.text(tr));
    }
    ui.separator();
    // A Chinese class reads the scene's Chinese title and notes, where it has them
    // (and the run is still the scene's own, not an edited variant).
    let own = loaded.title == ed.base.file.name.clone().unwrap_or_default();
    let f = &ed.base.file;
    let (title, notes) = match (zh && own, &f.name_zh, &f.notes_zh) {
        (true, Some(t), n) => (t.clone(), n.clone().or(loaded.notes.clone())),
        (true, None, Some(n)) => (loaded.title.clone(), Some(n.clone())),
        _ => (loaded.title.clone(), loaded.notes.clone()),
    };
    egui::CollapsingHeader::new(tr.t("app.glossary"))
        .id_salt("glossary")
        .show(ui, |ui| {
            egui::Grid::new("glossary-grid")
                .striped(true)
                .show(ui, |ui| {
                    for (en, zh, def) in crate::i18n::glossary(tr) {
                        ui.strong(en).on_hover_text(def);
                        ui.label(zh);
                        ui.end_row();
                    }
                });
        });
    ui.strong(title);
    if let Some(n) = &notes {
        egui::ScrollArea::vertical()
            .id_salt("notes")
            .show(ui, |ui| ui.label(n));
    }
}
