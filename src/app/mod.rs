//! The classroom app (feature `gui`). For now: a window that runs the scenario and
//! lists its counters and event log; the animated scene builds on this.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};

use crate::cli::{Overrides, resolve, simulate};
use crate::sim::{Counters, Event, Setup};

/// What `iolab gui` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct GuiOptions {
    pub scenario: Option<PathBuf>,
    pub screenshot: Option<PathBuf>,
    pub at_event: Option<u64>,
    pub at_cycle: Option<u64>,
}

/// The run being shown.
#[derive(Resource)]
struct Run {
    setup: Setup,
    events: Vec<Event>,
    counters: Counters,
}

pub fn run(opts: GuiOptions) -> Result<(), String> {
    if opts.screenshot.is_some() {
        return Err("--screenshot is not available yet in this build".into());
    }
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err(
            "no display: run the app on a desktop, or under a virtual one: xvfb-run -a iolab gui"
                .into(),
        );
    }
    let (_, setup) = resolve(&opts.scenario, &Overrides::default()).map_err(|e| e.0)?;
    let m = simulate(setup).map_err(|e| e.0)?;
    let run = Run {
        counters: m.counters().clone(),
        events: m.log.events.clone(),
        setup: m.setup.clone(),
    };
    App::new()
        .add_plugins(DefaultPlugins.set(WindowPlugin {
            primary_window: Some(Window {
                title: "iolab".into(),
                resolution: (1600, 900).into(),
                ..default()
            }),
            ..default()
        }))
        .add_plugins(EguiPlugin::default())
        .insert_resource(run)
        .add_systems(Startup, |mut commands: Commands| {
            commands.spawn(Camera2d);
        })
        .add_systems(EguiPrimaryContextPass, panels)
        .run();
    Ok(())
}

fn panels(mut contexts: EguiContexts, run: Res<Run>) -> Result {
    let ctx = contexts.ctx_mut()?;
    egui::Window::new("iolab").show(ctx, |ui| {
        ui.heading(&run.setup.name);
        let c = &run.counters;
        ui.label(format!(
            "syscalls {}   mode switches {}",
            c.syscalls, c.mode_switches
        ));
        ui.label(format!(
            "CPU copies {}   DMA copies {}",
            c.cpu_copies, c.dma_copies
        ));
        ui.label(format!("interrupts {}   cycles {}", c.interrupts, c.cycles));
        ui.label(format!("{} events", run.events.len()));
    });
    Ok(())
}
