//! A lesson under way: its step, the checkpoint and the student's answer, the
//! score, and the presenter's keys (→ / PageDown next step, ← / PageUp the step
//! before, Space shows the answer, 1 to 9 pick a choice). The Lesson section of
//! the left panel (panels/lesson.rs) draws it; the logic is here, so it can be
//! tested without a window.

use bevy::prelude::*;

use crate::app::compare::Comparison;
use crate::app::lang::Tr;
use crate::app::model::{Editor, Loaded};
use crate::app::playback::{PlaybackSet, Playhead, Typing};
use crate::i18n::Lang;
use crate::lesson::{self, Checkpoint, LessonFile};
use crate::scenario::BUILTIN_SCENES;

pub(super) fn plugin(app: &mut App) {
    if !app.world().contains_resource::<StartLesson>() {
        app.init_resource::<StartLesson>();
    }
    app.init_resource::<Panel>()
        .init_resource::<Unrevealed>()
        .add_systems(Update, drive.before(PlaybackSet));
}

/// A lesson's question waits for its answer: the counters (the panel's and the
/// scene's caption) are hidden meanwhile, so they do not give it away.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct Unrevealed(pub bool);

/// `iolab gui --lesson NAME --lesson-step K`: open the app in a lesson, at a step.
#[derive(Resource, Clone, Debug, Default)]
pub struct StartLesson(pub Option<(std::path::PathBuf, usize)>);

/// The lesson under way: its step, the checkpoint and the student's answer, the
/// score.
#[derive(Resource, Default)]
pub struct Panel {
    pub(super) lesson: Option<LessonFile>,
    pub(super) step: usize,
    pub(super) checkpoint: Option<Checkpoint>,
    /// What the student typed into the answer field.
    pub(super) answer: String,
    /// Right or wrong, once answered; None before (and after Space showed it).
    pub(super) verdict: Option<bool>,
    /// Space showed the answer without one given.
    pub(super) shown: bool,
    pub(super) teacher: bool,
    /// (right, asked) so far.
    pub(super) score: (u32, u32),
    /// The run the step opened, and the events its stop shows: the playhead goes
    /// there once the playback has taken the new run.
    pending: Option<(u64, usize)>,
    pub(super) error: Option<String>,
    /// A lesson file to open, as typed.
    pub(super) path: String,
    /// The answer was just shown: the animation that explains it is to start.
    explain: bool,
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

    /// Opens a lesson file (or a shipped lesson's name) at its first step. A file
    /// that does not load is named with its line and column, and the lesson under
    /// way stays as it was.
    pub fn open_file(
        &mut self,
        path: &std::path::Path,
        ed: &mut Editor,
        loaded: &mut Loaded,
        lang: Lang,
    ) -> Result<(), String> {
        match lesson::load(path) {
            Ok(l) => {
                self.start(l, 0, ed, loaded, lang);
                Ok(())
            }
            Err(e) => {
                self.error = Some(e.0.clone());
                Err(e.0)
            }
        }
    }

    /// The lesson's title, if one is under way.
    pub fn title(&self) -> Option<&str> {
        self.lesson.as_ref().map(|l| l.title.as_str())
    }

    /// The step shown (from 0), and how many there are.
    pub fn step(&self) -> (usize, usize) {
        (self.step, self.lesson.as_ref().map_or(0, |l| l.steps.len()))
    }

    /// The checkpoint's answer may be shown: the student answered, or the
    /// teacher's switch is on. Until then the panel shows only the question.
    pub fn revealed(&self) -> bool {
        self.teacher || self.verdict.is_some() || self.shown
    }

    /// A lesson is under way: the arrows and PageDown/PageUp go through its steps.
    pub fn active(&self) -> bool {
        self.lesson.is_some()
    }

    /// The step's question, if it asks one.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }

    /// Right or wrong, once answered.
    pub fn verdict(&self) -> Option<bool> {
        self.verdict
    }

    /// Space: the answer shows without one given; it counts as asked, not right.
    pub fn reveal(&mut self) {
        if self.asking() {
            self.shown = true;
            self.score.1 += 1;
            self.explain = true;
        }
    }

    /// The student picks choice `k` (from 0) of the question, with a key or a
    /// click; None where there is no such choice or it was answered.
    pub fn choose(&mut self, k: usize) -> Option<bool> {
        let c = self.checkpoint.as_ref()?.choices.get(k)?.clone();
        self.check(&c)
    }

    /// The step asks a question that is not answered yet.
    pub fn asking(&self) -> bool {
        self.checkpoint.is_some() && !self.revealed()
    }

    /// The student's answer to the step's checkpoint: right or wrong (None where
    /// the step asks nothing or it was answered already); it counts in the score.
    pub fn check(&mut self, answer: &str) -> Option<bool> {
        let cp = self.checkpoint.as_ref()?;
        if self.revealed() {
            return None;
        }
        let ok = lesson::is_right(answer, &cp.answer);
        self.verdict = Some(ok);
        self.explain = true;
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
        self.shown = false;
        self.explain = false;
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

/// Starts the lesson asked for on the command line, takes the playhead to a step's
/// stop once its run is loaded, and answers the presenter's keys. The keys it
/// uses are taken from the playback (which runs after it), so → goes to the next
/// step and not to the next event; Shift or Alt with an arrow still steps the run.
#[allow(clippy::too_many_arguments)]
fn drive(
    mut keys: ResMut<ButtonInput<KeyCode>>,
    typing: Res<Typing>,
    mut panel: ResMut<Panel>,
    mut start: ResMut<StartLesson>,
    mut ed: ResMut<Editor>,
    mut loaded: ResMut<Loaded>,
    mut p: ResMut<Playhead>,
    tr: Option<Res<Tr>>,
    mut cmp: ResMut<Comparison>,
) {
    let lang = tr.map_or(Lang::En, |t| t.lang);
    if let Some((path, step)) = start.0.take() {
        match lesson::load(&path) {
            Ok(l) => panel.start(l, step.saturating_sub(1), &mut ed, &mut loaded, lang),
            Err(e) => panel.error = Some(e.0),
        }
    }
    if panel.active() && !typing.0 {
        let modified = keys.any_pressed([
            KeyCode::ShiftLeft,
            KeyCode::ShiftRight,
            KeyCode::AltLeft,
            KeyCode::AltRight,
        ]);
        let mut took = |k: KeyCode| keys.clear_just_pressed(k);
        if !modified {
            let next = took(KeyCode::ArrowRight) | took(KeyCode::PageDown);
            let back = took(KeyCode::ArrowLeft) | took(KeyCode::PageUp);
            if next != back {
                panel.go(next, &mut ed, &mut loaded, lang);
            }
        }
        if panel.asking() {
            if took(KeyCode::Space) {
                panel.reveal();
            }
            for (k, key) in DIGITS.iter().enumerate() {
                if took(*key) {
                    panel.choose(k);
                }
            }
        }
    }
    // An answer just shown starts the animation that explains it: the run plays
    // on from the stop (the next copy happens, the counts move), or the runs a
    // question compared race on one clock in the compare view.
    if std::mem::take(&mut panel.explain) {
        let ask = panel
            .lesson
            .as_ref()
            .and_then(|l| l.steps.get(panel.step))
            .and_then(|s| s.ask.clone());
        match ask {
            Some(lesson::Question::Fastest(labels) | lesson::Question::FreestCpu(labels)) => {
                cmp.load(&ed, &labels)
            }
            Some(_) if p.applied < loaded.replay.events.len() => p.playing = true,
            _ => {}
        }
    }
    // The step's stop, once the playback has the step's run.
    if let Some((generation, applied)) = panel.pending {
        if p.generation != loaded.generation {
            *p = Playhead::start_of(&loaded.replay, loaded.generation);
        }
        if p.generation == generation {
            p.playing = false;
            p.seek_event(&loaded.replay, applied.saturating_sub(1));
            panel.pending = None;
            // A new step shows its own scene, not the last one's comparison.
            cmp.open = false;
        }
    }
}

/// The keys that pick the first, second... choice of a question.
const DIGITS: [KeyCode; 9] = [
    KeyCode::Digit1,
    KeyCode::Digit2,
    KeyCode::Digit3,
    KeyCode::Digit4,
    KeyCode::Digit5,
    KeyCode::Digit6,
    KeyCode::Digit7,
    KeyCode::Digit8,
    KeyCode::Digit9,
];
