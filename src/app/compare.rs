//! The compare view's runs: 2 to 6 runs of the editor's conditions, one per
//! label (`sendfile+sg`, `read+pio`, ...), played on one shared clock.

use bevy::prelude::*;

use super::model::Editor;
use crate::compare::{self, Lane};
use crate::session::UserError;
use crate::sim::{Counters, Event};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Comparison>()
        .add_systems(Update, (keyboard, tick).chain());
}

/// The most runs one view shows: one colour each, lanes that still fit.
pub const MAX_RUNS: usize = compare::RUN_COLOURS.len();

pub struct LaneRun {
    pub label: String,
    /// The run writes a file (the write path's columns apply).
    pub writes: bool,
    /// The whole run's counters (the table and the bar charts).
    pub total: Counters,
    pub lane: Lane,
    events: Vec<Event>,
    /// The counters at the shared playhead, and how many events they include.
    pub now: Counters,
    applied: usize,
}

#[derive(Resource, Default)]
pub struct Comparison {
    /// Showing the compare view instead of the scene.
    pub open: bool,
    /// The labels as typed in the panel.
    pub labels_text: String,
    pub runs: Vec<LaneRun>,
    /// The shared clock, in cycles.
    pub cycle: f64,
    pub playing: bool,
    /// Cycles per second of animation.
    pub speed: f64,
    pub error: Option<String>,
}

/// Splits `a, b,c` into labels; `classic`, `pio-dma` and `write-path` name the lecture sets.
pub fn labels_of(text: &str) -> Vec<String> {
    compare::preset_or_labels(text)
}

impl Comparison {
    /// The clock's end: the longest run.
    /// The first run's log: `--at-event` picks its moment there.
    pub fn first_events(&self) -> &[Event] {
        self.runs.first().map_or(&[], |r| &r.events[..])
    }

    pub fn end(&self) -> u64 {
        self.runs.iter().map(|r| r.lane.end).max().unwrap_or(0)
    }

    /// Runs `labels` under the editor's conditions. On error the old runs stay.
    pub fn load(&mut self, editor: &Editor, labels: &[String]) {
        self.labels_text = labels.join(", ");
        match Comparison::simulate(editor, labels) {
            Ok(runs) => {
                self.runs = runs;
                self.error = None;
                self.open = true;
                self.cycle = 0.0;
                self.playing = false;
                self.speed = (self.end() as f64 / 30.0).max(0.25);
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn simulate(editor: &Editor, labels: &[String]) -> Result<Vec<LaneRun>, String> {
        if labels.len() < 2 || labels.len() > MAX_RUNS {
            return Err(format!(
                "compare 2 to {MAX_RUNS} runs (got {}): e.g. read_write, sendfile+sg",
                labels.len()
            ));
        }
        let base = editor.overrides()?;
        let runs = compare::runs(labels, &base, |ov| {
            let mut sc = editor.base.clone();
            ov.apply(&mut sc);
            sc.setup()
                .map_err(|(f, m)| UserError(format!("{}: {f}: {m}", sc.source)))
        })
        .map_err(|UserError(m)| m)?;
        Ok(runs
            .into_iter()
            .map(|r| LaneRun {
                label: r.row.label,
                writes: r.setup.method.writes(),
                total: r.row.counters,
                lane: Lane::of(&r.events),
                events: r.events,
                now: Counters::default(),
                applied: 0,
            })
            .collect())
    }

    /// Play or pause; playing from the end starts again.
    pub fn toggle_play(&mut self) {
        if self.cycle >= self.end() as f64 {
            self.seek(0.0);
        }
        self.playing = !self.playing;
    }

    pub fn to_end(&mut self) {
        self.playing = false;
        self.seek(self.end() as f64);
    }

    pub fn faster(&mut self) {
        self.speed = (self.speed * 2.0).min(1e10);
    }

    pub fn slower(&mut self) {
        self.speed = (self.speed / 2.0).max(0.05);
    }

    /// Moves the shared clock and brings each run's counters to it.
    pub fn seek(&mut self, cycle: f64) {
        self.cycle = cycle.clamp(0.0, self.end() as f64);
        let c = self.cycle.floor() as u64;
        for run in &mut self.runs {
            if run.applied > 0 && run.events[run.applied - 1].cycle > c {
                run.now = Counters::default();
                run.applied = 0;
            }
            while run.applied < run.events.len() && run.events[run.applied].cycle <= c {
                run.now.observe(&run.events[run.applied]);
                run.applied += 1;
            }
        }
    }
}

/// While the view is shown, the playback keys drive the shared clock.
fn keyboard(
    keys: Res<ButtonInput<KeyCode>>,
    mut cmp: ResMut<Comparison>,
    typing: Res<super::playback::Typing>,
) {
    if !cmp.open || typing.0 {
        return;
    }
    let end = cmp.end() as f64;
    if keys.just_pressed(KeyCode::Space) {
        cmp.toggle_play();
    }
    if keys.just_pressed(KeyCode::Home) {
        cmp.seek(0.0);
    }
    if keys.just_pressed(KeyCode::End) {
        cmp.to_end();
    }
    // Left/right move the clock by a fiftieth of the longest run.
    let step = (end / 50.0).max(1.0);
    if keys.any_just_pressed([KeyCode::ArrowRight, KeyCode::PageDown]) {
        cmp.playing = false;
        let c = cmp.cycle + step;
        cmp.seek(c);
    }
    if keys.any_just_pressed([KeyCode::ArrowLeft, KeyCode::PageUp]) {
        cmp.playing = false;
        let c = cmp.cycle - step;
        cmp.seek(c);
    }
    if keys.any_just_pressed([KeyCode::Equal, KeyCode::NumpadAdd]) {
        cmp.faster();
    }
    if keys.any_just_pressed([KeyCode::Minus, KeyCode::NumpadSubtract]) {
        cmp.slower();
    }
}

fn tick(time: Res<Time>, mut cmp: ResMut<Comparison>) {
    if !cmp.open || !cmp.playing {
        return;
    }
    let end = cmp.end() as f64;
    let c = cmp.cycle + cmp.speed * time.delta_secs_f64();
    cmp.seek(c);
    if c >= end {
        cmp.playing = false;
    }
}
