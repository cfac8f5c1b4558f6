//! The playhead over the event log: play, pause, step by event or by cycle, seek,
//! speed. The scene is drawn from `View`, which this plugin keeps in step with
//! the playhead.

use bevy::prelude::*;

use super::model::Loaded;
use crate::replay::{Flight, Replay, SceneState};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Playhead>()
        .init_resource::<Typing>()
        .init_resource::<Present>()
        .init_resource::<Figure>()
        .add_systems(
            Update,
            (keyboard, tick, sync_view).chain().in_set(PlaybackSet),
        );
}

/// A text field has the keyboard (set by the panels each frame): the playback keys
/// then type, they do not play (`sendfile+sg` must not also speed up and pause).
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Typing(pub bool);

pub use crate::narrate::is_step;

/// Presentation mode: the panels hide, the machine drawing fills the window and the
/// narration shows as one large caption (key P, or `iolab gui --present`).
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Present(pub bool);

/// Figure view (key F): the whole route at the end of the run, panels hidden, as
/// the seed draws it; it keeps where the playhead was and whether the panels
/// showed, so F again (or Esc) goes back there.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct Figure(pub Option<(Playhead, bool)>);

impl Figure {
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// Into the figure view, or back to where it was entered.
    pub fn toggle(&mut self, r: &Replay, p: &mut Playhead, present: &mut Present) {
        match self.0.take() {
            Some((before, shown)) => {
                // A run redone meanwhile has its own playhead: keep it.
                if before.generation == p.generation {
                    *p = before;
                }
                present.0 = shown;
            }
            None => {
                self.0 = Some((p.clone(), present.0));
                p.to_end(r);
                present.0 = true;
            }
        }
    }
}

/// Systems that move the playhead and update the view; the scene draws after them.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlaybackSet;

#[derive(Resource, Clone, Debug, PartialEq)]
pub struct Playhead {
    /// Events applied: the scene shows events[..applied].
    pub applied: usize,
    /// The cycle shown (fractional while playing, for smooth motion).
    pub cycle: f64,
    pub playing: bool,
    /// Cycles of simulated time per second of animation.
    pub speed: f64,
    /// The generation of the run this playhead belongs to.
    pub generation: u64,
}

impl Default for Playhead {
    fn default() -> Self {
        Playhead {
            applied: 0,
            cycle: 0.0,
            playing: false,
            speed: 10.0,
            generation: 0,
        }
    }
}

impl Playhead {
    /// A playhead at the start of a run, with a speed that plays it in about 40 s.
    pub fn start_of(r: &Replay, generation: u64) -> Playhead {
        let speed = (r.total_cycles() as f64 / 40.0).clamp(0.25, 1e9);
        Playhead {
            applied: 0,
            cycle: 0.0,
            playing: false,
            speed,
            generation,
        }
    }

    pub fn step_event(&mut self, r: &Replay, forward: bool) {
        if forward {
            if self.applied < r.events.len() {
                self.applied += 1;
                self.cycle = r.events[self.applied - 1].cycle as f64;
            }
        } else if self.applied > 0 {
            self.applied -= 1;
            self.cycle = if self.applied > 0 {
                r.events[self.applied - 1].cycle as f64
            } else {
                0.0
            };
        }
    }

    /// Steps to the next (or previous) event a teacher would narrate: copies,
    /// interrupts, mode switches, calls, cache events. The bus owner and the CPU's
    /// activity change with them; those are stepped over (Alt steps every event).
    pub fn step_narrated(&mut self, r: &Replay, forward: bool) {
        loop {
            let before = self.applied;
            self.step_event(r, forward);
            if self.applied == before || self.applied == 0 {
                return;
            }
            if is_step(&r.events[self.applied - 1].kind) {
                return;
            }
        }
    }

    pub fn step_cycle(&mut self, r: &Replay, forward: bool) {
        let c = if forward {
            self.cycle.floor() + 1.0
        } else {
            (self.cycle.ceil() - 1.0).max(0.0)
        };
        self.seek_cycle(r, c);
    }

    pub fn seek_cycle(&mut self, r: &Replay, cycle: f64) {
        let c = cycle.clamp(0.0, r.total_cycles() as f64);
        self.cycle = c;
        self.applied = r.events_through(c.floor() as u64);
    }

    /// Shows event `k` (0-based) just applied.
    pub fn seek_event(&mut self, r: &Replay, k: usize) {
        self.applied = (k + 1).min(r.events.len());
        self.cycle = if self.applied > 0 {
            r.events[self.applied - 1].cycle as f64
        } else {
            0.0
        };
    }

    pub fn to_start(&mut self) {
        self.applied = 0;
        self.cycle = 0.0;
    }

    pub fn to_end(&mut self, r: &Replay) {
        self.applied = r.events.len();
        self.cycle = r.total_cycles() as f64;
        self.playing = false;
    }

    /// Plays for `seconds` of animation.
    pub fn play_for(&mut self, r: &Replay, seconds: f64) {
        if !self.playing {
            return;
        }
        let end = r.total_cycles() as f64;
        let c = (self.cycle + self.speed * seconds).min(end);
        self.cycle = c;
        self.applied = self.applied.max(r.events_through(c.floor() as u64));
        if c >= end {
            self.applied = r.events.len();
            self.playing = false;
        }
    }

    pub fn faster(&mut self) {
        self.speed = (self.speed * 2.0).min(1e10);
    }

    pub fn slower(&mut self) {
        self.speed = (self.speed / 2.0).max(0.05);
    }
}

/// What the scene shows: the state at the playhead and the copies in flight.
#[derive(Resource, Clone, Debug)]
pub struct View {
    pub state: SceneState,
    pub flights: Vec<Flight>,
    pub generation: u64,
}

/// Brings a view to the playhead, applying only the events in between when going
/// forward (a new run, or a step back, starts from the nearest keyframe).
pub fn refresh(v: &mut View, r: &Replay, p: &Playhead) {
    if v.generation != p.generation || v.state.applied > p.applied {
        v.state = r.state_at(p.applied);
        v.generation = p.generation;
    } else {
        r.advance(&mut v.state, p.applied);
    }
    v.flights = r.in_flight(p.cycle);
}

fn keyboard(
    keys: Res<ButtonInput<KeyCode>>,
    loaded: Res<Loaded>,
    mut p: ResMut<Playhead>,
    cmp: Option<Res<super::compare::Comparison>>,
    typing: Res<Typing>,
    mut present: ResMut<Present>,
    mut figure: ResMut<Figure>,
) {
    if typing.0 {
        return;
    }
    if keys.just_pressed(KeyCode::KeyP) {
        present.0 = !present.0;
    }
    // While the compare view is shown, the keys drive its clock (compare.rs).
    if cmp.is_some_and(|c| c.open) || typing.0 {
        return;
    }
    let r = &loaded.replay;
    if keys.just_pressed(KeyCode::KeyF) {
        figure.toggle(r, &mut p, &mut present);
    }
    let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
    if keys.just_pressed(KeyCode::Space) {
        if p.applied >= r.events.len() {
            p.to_start();
        }
        p.playing = !p.playing;
    }
    let forward = keys.any_just_pressed([KeyCode::ArrowRight, KeyCode::PageDown]);
    let back = keys.any_just_pressed([KeyCode::ArrowLeft, KeyCode::PageUp]);
    if forward || back {
        p.playing = false;
        let alt = keys.any_pressed([KeyCode::AltLeft, KeyCode::AltRight]);
        if shift {
            p.step_cycle(r, forward);
        } else if alt {
            p.step_event(r, forward);
        } else {
            p.step_narrated(r, forward);
        }
    }
    if keys.just_pressed(KeyCode::Home) {
        p.to_start();
    }
    if keys.just_pressed(KeyCode::End) {
        p.to_end(r);
    }
    if keys.any_just_pressed([KeyCode::Equal, KeyCode::NumpadAdd]) {
        p.faster();
    }
    if keys.any_just_pressed([KeyCode::Minus, KeyCode::NumpadSubtract]) {
        p.slower();
    }
}

fn tick(time: Res<Time>, loaded: Res<Loaded>, mut p: ResMut<Playhead>) {
    if p.generation != loaded.generation {
        *p = Playhead::start_of(&loaded.replay, loaded.generation);
    }
    let dt = time.delta_secs_f64();
    p.play_for(&loaded.replay, dt);
}

fn sync_view(
    mut commands: Commands,
    loaded: Res<Loaded>,
    p: Res<Playhead>,
    view: Option<ResMut<View>>,
) {
    let r = &loaded.replay;
    match view {
        Some(mut v) => refresh(&mut v, r, &p),
        None => {
            let mut v = View {
                state: r.state_at(p.applied),
                flights: Vec::new(),
                generation: p.generation,
            };
            refresh(&mut v, r, &p);
            commands.insert_resource(v);
        }
    }
}
