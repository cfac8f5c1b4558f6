//! The Lesson section of the left panel: pick a shipped lesson, go through its
//! steps (each opens its scene stopped at its moment), answer the checkpoint
//! before the answer shows, and see the score. "Teacher" shows each answer at once.

use bevy_egui::egui;

use crate::app::model::{Editor, Loaded};
use crate::app::playback::Playhead;
use crate::i18n::{Lang, Texts};
use crate::lesson::{self, BUILTIN_LESSONS, Checkpoint, LessonFile};
use crate::scenario::BUILTIN_SCENES;

/// A lesson's question waits for its answer: the counters (the panel's and the
/// scene's caption) are hidden meanwhile, so they do not give it away.
#[derive(bevy::prelude::Resource, Clone, Copy, Debug, Default)]
pub struct Unrevealed(pub bool);

/// `iolab gui --lesson NAME --lesson-step K`: open the app in a lesson, at a step.
#[derive(bevy::prelude::Resource, Clone, Debug, Default)]
pub struct StartLesson(pub Option<(std::path::PathBuf, usize)>);

/// The lesson under way: its step, the checkpoint and the student's answer, the
/// score. The panel below draws it; the logic is here, so it can be tested
/// without a window.
#[derive(Default)]
pub struct Panel {
    lesson: Option<LessonFile>,
    step: usize,
    checkpoint: Option<Checkpoint>,
    answer: String,
    verdict: Option<bool>,
    teacher: bool,
    /// (right, asked) so far.
    score: (u32, u32),
    /// The run the step opened, and the events its stop shows: the playhead goes
    /// there once the playback has taken the new run.
    pending: Option<(u64, usize)>,
    error: Option<String>,
}

impl Panel {
    /// Starts lesson `l` at step `i` (from 0), with a fresh score.
    pub fn start(
        &mut self,
        l: LessonFile,
        i: usize,
        ed: &mut Editor,
        loaded: &mut Loaded,
        lang: Lang,
    ) {
        let last = l.steps.len().saturating_sub(1);
        self.lesson = Some(l);
        self.score = (0, 0);
        self.open(i.min(last), ed, loaded, lang);
    }

    /// The step shown (from 0), and how many there are.
    pub fn step(&self) -> (usize, usize) {
        (self.step, self.lesson.as_ref().map_or(0, |l| l.steps.len()))
    }

    /// The checkpoint's answer may be shown: the student answered, or the
    /// teacher's switch is on. Until then the panel shows only the question.
    pub fn revealed(&self) -> bool {
        self.teacher || self.verdict.is_some()
    }

    /// The step asks a question that is not answered yet.
    pub fn asking(&self) -> bool {
        self.checkpoint.is_some() && !self.revealed()
    }

    /// The student's answer to the step's checkpoint: right or wrong (None where
    /// the step asks nothing or it was answered already); it counts in the score.
    pub fn check(&mut self, answer: &str) -> Option<bool> {
        let cp = self.checkpoint.as_ref()?;
        if self.verdict.is_some() {
            return None;
        }
        let ok = lesson::is_right(answer, &cp.answer);
        self.verdict = Some(ok);
        self.score.1 += 1;
        self.score.0 += ok as u32;
        Some(ok)
    }

    /// The teacher's switch: every answer shows at once, nothing is scored.
    pub fn set_teacher(&mut self, on: bool) {
        self.teacher = on;
    }

    /// (right, asked) so far.
    pub fn score(&self) -> (u32, u32) {
        self.score
    }

    /// The stop of the step just opened: the number of events the playhead shows
    /// once the run is loaded.
    pub fn pending_stop(&self) -> Option<usize> {
        self.pending.map(|p| p.1)
    }

    /// The next or the previous step, if there is one.
    pub fn go(&mut self, forward: bool, ed: &mut Editor, loaded: &mut Loaded, lang: Lang) {
        let (i, n) = self.step();
        if forward && i + 1 < n {
            self.open(i + 1, ed, loaded, lang);
        } else if !forward && i > 0 {
            self.open(i - 1, ed, loaded, lang);
        }
    }

    /// Opens step `i`: its scene (with its method label), stopped at its moment.
    fn open(&mut self, i: usize, ed: &mut Editor, loaded: &mut Loaded, lang: Lang) {
        let Some(l) = &self.lesson else { return };
        let Some(step) = l.steps.get(i) else { return };
        self.step = i;
        self.answer.clear();
        self.verdict = None;
        self.error = None;
        let scene = BUILTIN_SCENES.iter().position(|s| s.0 == step.scene);
        let path = scene
            .is_none()
            .then(|| std::path::PathBuf::from(&step.scene));
        ed.open(loaded, scene, path);
        if let Some(label) = &step.method {
            match crate::compare::parse_label(label, &Default::default()) {
                Ok(ov) => {
                    if let Some(m) = ov.method {
                        ed.method = m;
                    }
                    if let Some(sg) = ov.nic_sg {
                        ed.nic_sg = sg;
                    }
                    if let Some(d) = ov.disk {
                        ed.disk_pio = d == crate::sim::DiskTransfer::Pio;
                    }
                    ed.apply(loaded);
                }
                Err(e) => self.error = Some(e),
            }
        }
        match lesson::stop(&loaded.replay, &step.at) {
            Ok(applied) => self.pending = Some((loaded.generation, applied)),
            Err(e) => self.error = Some(e.0),
        }
        match lesson::checkpoint(step, lang) {
            Ok(cp) => self.checkpoint = cp,
            Err(e) => self.error = Some(e.0),
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub fn show(
    ui: &mut egui::Ui,
    panel: &mut Panel,
    start: &mut StartLesson,
    ed: &mut Editor,
    loaded: &mut Loaded,
    p: &mut Playhead,
    tr: &Texts,
    lang: Lang,
) {
    if let Some((path, step)) = start.0.take() {
        match lesson::load(&path) {
            Ok(l) => panel.start(l, step.saturating_sub(1), ed, loaded, lang),
            Err(e) => panel.error = Some(e.0),
        }
    }
    // The step's stop, once the playback has the step's run.
    if let Some((generation, applied)) = panel.pending
        && p.generation == generation
    {
        p.playing = false;
        p.seek_event(&loaded.replay, applied.saturating_sub(1));
        panel.pending = None;
    }
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
                if panel.teacher {
                    ui.label(tr.get("l_answer", &[("answer", cp.answer.clone())]));
                    ui.label(&cp.why);
                } else if let Some(ok) = panel.verdict {
                    let key = if ok { "l_right" } else { "l_wrong" };
                    ui.label(tr.get(key, &[("answer", cp.answer.clone())]));
                    ui.label(&cp.why);
                } else {
                    ui.horizontal(|ui| {
                        ui.add(egui::TextEdit::singleline(&mut panel.answer).desired_width(120.0));
                        if ui.button(tr.t("app.lesson_check")).clicked() {
                            let answer = panel.answer.clone();
                            panel.check(&answer);
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
