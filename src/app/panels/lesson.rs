//! The Lesson section of the left panel: pick a shipped lesson, go through its
//! steps (each opens its scene stopped at its moment), answer the checkpoint
//! before the answer shows, and see the score. "Teacher" shows each answer at once.
//! What it draws lives in app/lesson.rs.

use bevy_egui::egui;

use crate::app::lesson::Panel;
use crate::app::model::{Editor, Loaded};
use crate::i18n::{Lang, Texts};
use crate::lesson::{self, BUILTIN_LESSONS};

pub fn show(
    ui: &mut egui::Ui,
    panel: &mut Panel,
    ed: &mut Editor,
    loaded: &mut Loaded,
    tr: &Texts,
    lang: Lang,
) {
    let zh = lang == Lang::Zh;
    egui::CollapsingHeader::new(tr.t("app.lesson"))
        .id_salt("lesson")
        .open(panel.lesson.is_some().then_some(true))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (name, text) in BUILTIN_LESSONS {
                    if ui.button(*name).clicked() {
                        match lesson::parse(text, name) {
                            Ok(l) => panel.start(l, 0, ed, loaded, lang),
                            Err(e) => panel.error = Some(e.0),
                        }
                    }
                }
                ui.checkbox(&mut panel.teacher, tr.t("app.lesson_teacher"));
            });
            // A lesson file of one's own; a broken one is named, the lesson kept.
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut panel.path)
                        .hint_text("my-lesson.ron")
                        .desired_width(150.0),
                );
                if ui.button(tr.t("app.open")).clicked() {
                    let path = std::path::PathBuf::from(panel.path.trim());
                    let _ = panel.open_file(&path, ed, loaded, lang);
                }
            });
            if let Some(e) = &panel.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            let Some(l) = panel.lesson.clone() else {
                return;
            };
            let n = l.steps.len();
            let step = &l.steps[panel.step.min(n - 1)];
            let title = match (zh, &l.title_zh) {
                (true, Some(t)) => t.clone(),
                _ => l.title.clone(),
            };
            ui.strong(title);
            ui.label(tr.get(
                "l_step",
                &[
                    ("i", (panel.step + 1).to_string()),
                    ("n", n.to_string()),
                    ("scene", step.scene.clone()),
                ],
            ));
            let text = match (zh, &step.text_zh) {
                (true, Some(t)) => t,
                _ => &step.text,
            };
            ui.label(egui::RichText::new(text).size(16.0));
            if let Some(cp) = panel.checkpoint.clone() {
                ui.label(egui::RichText::new(format!("? {}", cp.question)).strong());
                if panel.revealed() {
                    ui.label(verdict(panel, &cp.answer, tr));
                    ui.label(&cp.why);
                } else if cp.choices.is_empty() {
                    ui.horizontal(|ui| {
                        let field = ui.add(
                            egui::TextEdit::singleline(&mut panel.answer).desired_width(120.0),
                        );
                        let enter =
                            field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                        if ui.button(tr.t("app.lesson_check")).clicked() || enter {
                            let answer = panel.answer.clone();
                            panel.check(&answer);
                        }
                    });
                } else {
                    // A choice: a click, or its number on the keyboard.
                    ui.horizontal_wrapped(|ui| {
                        for (k, c) in cp.choices.iter().enumerate() {
                            if ui.button(format!("{} {c}", k + 1)).clicked() {
                                panel.choose(k);
                            }
                        }
                    });
                }
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(panel.step > 0, egui::Button::new(tr.t("app.bp_prev")))
                    .clicked()
                {
                    panel.go(false, ed, loaded, lang);
                }
                if ui
                    .add_enabled(panel.step + 1 < n, egui::Button::new(tr.t("app.bp_next")))
                    .clicked()
                {
                    panel.go(true, ed, loaded, lang);
                }
            });
            if !panel.teacher && panel.score.1 > 0 {
                ui.label(tr.get(
                    "l_score",
                    &[
                        ("right", panel.score.0.to_string()),
                        ("asked", panel.score.1.to_string()),
                    ],
                ));
            }
        });
}

/// What the panel (and the presentation caption) says once the answer shows:
/// right, wrong, or the answer alone (the teacher's switch, or Space).
pub fn verdict(panel: &Panel, answer: &str, tr: &Texts) -> String {
    let key = match panel.verdict() {
        _ if panel.teacher => "l_answer",
        Some(true) => "l_right",
        Some(false) => "l_wrong",
        None => "l_answer",
    };
    tr.get(key, &[("answer", answer.to_string())])
}

/// The lesson in presentation mode, over the caption: the step's text, its
/// question with the choices' keys, then the answer once it shows.
pub fn caption(ui: &mut egui::Ui, panel: &Panel, tr: &Texts, zh: bool) {
    let Some(l) = &panel.lesson else { return };
    let Some(step) = l.steps.get(panel.step) else {
        return;
    };
    let text = match (zh, &step.text_zh) {
        (true, Some(t)) => t,
        _ => &step.text,
    };
    let (i, n) = panel.step();
    ui.label(
        egui::RichText::new(format!("{}/{n}  {text}", i + 1))
            .size(22.0)
            .color(ui.visuals().strong_text_color()),
    );
    let Some(cp) = panel.checkpoint() else { return };
    let line = if panel.revealed() {
        format!("{}  {}", verdict(panel, &cp.answer, tr), cp.why)
    } else {
        let keys: Vec<String> = cp
            .choices
            .iter()
            .enumerate()
            .map(|(k, c)| format!("[{}] {c}", k + 1))
            .collect();
        format!(
            "? {}  {}  {}",
            cp.question,
            keys.join("  "),
            tr.t("app.lesson_space")
        )
    };
    ui.label(egui::RichText::new(line).size(24.0).strong());
}
