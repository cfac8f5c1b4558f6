//! The classroom app (feature `gui`): the machine drawn in 2D and animated from
//! the event log, with egui panels around it. One plugin per file.

pub mod automation;
pub mod compare;
pub mod dialog;
mod egui_shader;
pub mod keys;
pub mod lang;
pub mod lesson;
mod model;
pub mod palette;
pub mod panels;
pub mod playback;
pub mod scene;
pub mod settings;

use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_egui::EguiPlugin;

pub use automation::FpsHide;
pub use lesson::Panel as LessonPanel;
pub use model::{Editor, FileStatus, Loaded, initial};

/// What `iolab gui` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct GuiOptions {
    pub scenario: Option<std::path::PathBuf>,
    /// Open the compare view with these runs (`classic`, `pio-dma`, or labels).
    pub compare: Option<String>,
    pub lang: Option<crate::i18n::Lang>,
    /// Render one frame to this PNG and exit.
    pub screenshot: Option<std::path::PathBuf>,
    /// An event number, or a breakpoint selector (`irq_raise:3`).
    pub at_event: Option<String>,
    pub at_cycle: Option<u64>,
    /// Play for this many seconds, print the frame rate and exit.
    pub fps_seconds: Option<f64>,
    /// With `fps_seconds`: parts of the frame left out, to measure their cost.
    pub fps_hide: FpsHide,
    /// Start in presentation mode (the drawing fills the window).
    pub present: bool,
    /// The window's size in pixels (1600 × 900 unless told).
    pub window: Option<(u32, u32)>,
    /// `--record FILE.gif`: the stretch to record, as (from, to) events or cycles.
    pub record: Option<std::path::PathBuf>,
    pub from_event: Option<u64>,
    pub to_event: Option<u64>,
    pub from_cycle: Option<u64>,
    pub to_cycle: Option<u64>,
    /// GIF frames per second of animation.
    pub frame_rate: f64,
    /// Open in a lesson (a shipped lesson's name or a file), at this step (from 1).
    pub lesson: Option<(std::path::PathBuf, usize)>,
    /// With a screenshot: write every label's rectangle here (the layout test).
    pub layout_report: Option<std::path::PathBuf>,
    /// `--theme`: the projector theme (true) or the dark one, for this run only.
    pub projector: Option<bool>,
}

/// `--record`: the stretch to record, checked against the run before a window opens.
fn record_stretch(
    opts: &GuiOptions,
    r: &crate::replay::Replay,
) -> Result<Option<automation::Recording>, String> {
    let Some(path) = &opts.record else {
        return Ok(None);
    };
    if path
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("gif"))
    {
        return Err(format!(
            "--record {}: the file name must end in .gif",
            path.display()
        ));
    }
    let (events, end) = (r.events.len() as u64, r.total_cycles());
    let cycle_of = |flag: &str, e: u64| -> Result<f64, String> {
        r.events
            .get(e as usize)
            .map(|ev| ev.cycle as f64)
            .ok_or_else(|| {
                format!(
                    "{flag} {e}: the run has {events} events (0 to {})",
                    events.saturating_sub(1)
                )
            })
    };
    let from = match (opts.from_event, opts.from_cycle) {
        (Some(e), _) => cycle_of("--from-event", e)?,
        (None, Some(c)) => c as f64,
        (None, None) => 0.0,
    };
    let to = match (opts.to_event, opts.to_cycle) {
        (Some(e), _) => cycle_of("--to-event", e)?,
        (None, Some(c)) => c as f64,
        (None, None) => end as f64,
    };
    if to > end as f64 {
        return Err(format!("--to-cycle {to}: the run ends at cycle {end}"));
    }
    if to <= from {
        return Err(format!(
            "--record: the stretch must end after it starts (cycles {from} to {to})"
        ));
    }
    if !(opts.frame_rate > 0.0 && opts.frame_rate <= 50.0) {
        return Err(format!(
            "--frame-rate {}: between 1 and 50 frames per second",
            opts.frame_rate
        ));
    }
    let rec = automation::Recording::new(path.clone(), from, to, opts.frame_rate);
    let speed = playback::Playhead::start_of(r, 0).speed;
    let n = rec.frame_count(speed);
    if n > automation::MAX_GIF_FRAMES {
        return Err(format!(
            "--record: cycles {from} to {to} at the app's speed ({speed:.2} cycles/s) and {} frames/s make {n} frames, more than {}: record a shorter stretch (--from-event/--to-event) or fewer frames per second",
            opts.frame_rate,
            automation::MAX_GIF_FRAMES
        ));
    }
    Ok(Some(rec))
}

/// Plugins that need no window: the run, the playhead. Headless tests use these.
pub fn core_plugins(app: &mut App) {
    app.add_plugins((
        model::plugin,
        playback::plugin,
        compare::plugin,
        dialog::plugin,
        keys::plugin,
        lesson::plugin,
    ));
}

pub fn run(opts: GuiOptions) -> Result<(), String> {
    // Check the scenario first: a broken file is a command-line error.
    let (loaded, editor) = model::initial(&opts.scenario)?;
    // A playhead past the end is a mistake to report, not to round away.
    let (events, cycles) = (
        loaded.replay.events.len() as u64,
        loaded.replay.total_cycles(),
    );
    let _ = events;
    // `--at-event`: an event by number, or a moment such as the third interrupt.
    let (mut at_event, mut at_cycle) = (None, opts.at_cycle);
    if let Some(sel) = &opts.at_event
        && opts.compare.is_none()
    {
        match crate::breakpoint::resolve(sel, &loaded.replay.events)? {
            crate::breakpoint::Target::Event(k) => at_event = Some(k as u64),
            crate::breakpoint::Target::Cycle(c) => at_cycle = Some(c),
        }
    }
    if let Some(c) = opts.at_cycle
        && opts.compare.is_none()
        && c > cycles
    {
        return Err(format!("--at-cycle {c}: the run ends at cycle {cycles}"));
    }
    let recording = record_stretch(&opts, &loaded.replay)?;
    // A lesson that does not load is a command-line error.
    if let Some(l) = &opts.lesson {
        crate::lesson::load(&l.0).map_err(|e| e.0)?;
    }
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err(
            "no display to open a window on: run iolab on a desktop, or under a virtual display: \
             xvfb-run -a -s \"-screen 0 1600x900x24\" iolab gui ..."
                .into(),
        );
    }
    if let Some(p) = &opts.screenshot
        && p.extension().is_none_or(|e| !e.eq_ignore_ascii_case("png"))
    {
        return Err(format!(
            "--screenshot {}: the file name must end in .png",
            p.display()
        ));
    }
    let shooting = opts.screenshot.is_some() || recording.is_some();
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: format!("iolab - {}", loaded.title),
                    resolution: {
                        let (w, h) = opts.window.unwrap_or((1600, 900));
                        WindowResolution::new(w, h)
                    },
                    ..default()
                }),
                ..default()
            })
            .set(bevy::log::LogPlugin {
                level: bevy::log::Level::WARN,
                ..default()
            }),
    )
    .add_plugins((EguiPlugin::default(), egui_shader::plugin))
    .insert_resource(loaded)
    .insert_resource(editor)
    .insert_resource(automation::Automation::new(
        opts.screenshot,
        at_event,
        at_cycle,
        opts.fps_seconds,
        recording,
    ));
    app.world_mut()
        .resource_mut::<automation::Automation>()
        .layout_report = opts.layout_report;
    core_plugins(&mut app);
    app.insert_resource(playback::Present(opts.present));
    if let Some(l) = &opts.lesson {
        app.insert_resource(lesson::StartLesson(Some(l.clone())));
        app.world_mut()
            .resource_mut::<automation::Automation>()
            .keep_playhead = true;
    }
    // A picture for a slide has no use for the key guide.
    if shooting {
        app.insert_resource(scene::KeysSeen(true));
    }
    let mut settings = settings::Settings::load();
    if let Some(lang) = opts.lang {
        settings.lang = lang;
    }
    if let Some(projector) = opts.projector {
        settings.projector = projector;
    }
    if let Some(text) = &opts.compare {
        let labels = compare::labels_of(text);
        let mut cmp = compare::Comparison::default();
        cmp.load(app.world().resource::<model::Editor>(), &labels);
        if let Some(e) = cmp.error {
            return Err(format!("--compare {text}: {e}"));
        }
        // The compare view's clock follows --at-cycle, or --at-event taken in
        // the first run's log (the runs share a clock, not event numbers).
        let end = cmp.end();
        let mut at_cycle = opts.at_cycle;
        if let Some(sel) = &opts.at_event {
            let events = cmp.first_events();
            at_cycle = Some(match crate::breakpoint::resolve(sel, events)? {
                crate::breakpoint::Target::Event(k) => events[k].cycle,
                crate::breakpoint::Target::Cycle(c) => c,
            });
        }
        if let Some(c) = at_cycle
            && c > end
        {
            return Err(format!(
                "--at-cycle {c}: the longest run ends at cycle {end}"
            ));
        }
        cmp.seek(at_cycle.unwrap_or(end) as f64);
        app.insert_resource(cmp);
    }
    let theme = palette::Theme {
        projector: settings.projector,
    };
    app.insert_resource(ClearColor(theme.background()))
        .insert_resource(theme);
    app.insert_resource(lang::Tr::new(settings.lang))
        .insert_resource(settings);
    app.add_plugins((
        lang::plugin,
        settings::plugin,
        scene::plugin,
        automation::plugin,
    ));
    // The frame-rate breakdown measures a frame without the panels too.
    if !opts.fps_hide.panels {
        app.add_plugins(panels::plugin);
    }
    app.insert_resource(opts.fps_hide);
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => Err(format!("the app stopped with error code {code}")),
    }
}
