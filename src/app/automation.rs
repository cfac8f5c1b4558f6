//! Driving the app from the command line: `--screenshot FILE --at-event K` (or
//! `--at-cycle C`) renders that moment and exits; `--fps-seconds S` plays the run
//! for S seconds and prints the frame rate.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

use super::model::Loaded;
use super::playback::{PlaybackSet, Playhead};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Automation>()
        .add_systems(Update, drive.after(PlaybackSet));
}

#[derive(Resource, Default, Debug, Clone)]
pub struct Automation {
    pub screenshot: Option<PathBuf>,
    pub at_event: Option<u64>,
    pub at_cycle: Option<u64>,
    pub fps_seconds: Option<f64>,
    frames: u64,
    requested: bool,
    captured: bool,
    fps_start: Option<(f64, u64)>,
}

impl Automation {
    pub fn new(
        screenshot: Option<PathBuf>,
        at_event: Option<u64>,
        at_cycle: Option<u64>,
        fps_seconds: Option<f64>,
    ) -> Self {
        Automation {
            screenshot,
            at_event,
            at_cycle,
            fps_seconds,
            ..default()
        }
    }
}

#[derive(Component)]
struct Shot;

fn drive(
    mut commands: Commands,
    mut auto: ResMut<Automation>,
    loaded: Res<Loaded>,
    mut p: ResMut<Playhead>,
    time: Res<Time>,
    mut exit: MessageWriter<AppExit>,
) {
    auto.frames += 1;
    let r = &loaded.replay;
    if let Some(path) = auto.screenshot.clone() {
        // Let the playhead settle and egui lay out its panels before capturing.
        if auto.frames == 3 {
            p.playing = false;
            match (auto.at_event, auto.at_cycle) {
                (Some(k), _) => p.seek_event(r, k as usize),
                (None, Some(c)) => p.seek_cycle(r, c as f64),
                (None, None) => p.to_end(r),
            }
        }
        // Late enough that counters have stopped "popping" after the seek.
        if auto.frames == 30 && !auto.requested {
            auto.requested = true;
            commands
                .spawn((Screenshot::primary_window(), Shot))
                .observe(save_to_disk(path.clone()))
                .observe(|_: On<ScreenshotCaptured>, mut auto: ResMut<Automation>| {
                    auto.captured = true
                });
        }
        if auto.captured
            && std::fs::metadata(&path)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
        {
            println!("{}", path.display());
            exit.write(AppExit::Success);
        } else if auto.frames > 600 {
            eprintln!("error: no screenshot after 600 frames");
            exit.write(AppExit::error());
        }
    }
    if let Some(secs) = auto.fps_seconds {
        let now = time.elapsed_secs_f64();
        if auto.frames == 5 {
            p.to_start();
            p.speed = r.total_cycles().max(1) as f64 / secs;
            p.playing = true;
            auto.fps_start = Some((now, auto.frames));
        }
        if let Some((t0, f0)) = auto.fps_start
            && now - t0 >= secs
        {
            let fps = (auto.frames - f0) as f64 / (now - t0);
            println!(
                "fps {fps:.1} over {:.1} s ({} events, {} cycles)",
                now - t0,
                r.events.len(),
                r.total_cycles()
            );
            exit.write(AppExit::Success);
        }
    }
}
