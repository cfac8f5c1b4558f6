//! Driving the app from the command line: `--screenshot FILE --at-event K` (or
//! `--at-cycle C`) renders that moment and exits; `--record FILE.gif` plays a
//! stretch of the run as the app would and writes it as an animated GIF;
//! `--fps-seconds S` plays the run for S seconds and prints the frame rate.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

use super::model::Loaded;
use super::playback::{PlaybackSet, Playhead};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Automation>()
        .init_resource::<ControlRects>()
        .init_resource::<Captured>()
        .init_resource::<FpsHide>()
        .add_systems(Update, (drive, record, report_layout).after(PlaybackSet))
        .add_systems(
            PostUpdate,
            hide_for_fps.before(bevy::camera::visibility::VisibilitySystems::VisibilityPropagate),
        );
}

/// `--fps-hide`: parts of the frame left out while the frame rate is measured,
/// so that tools/fps.sh can tell what each part costs. The panels are left out
/// by not adding their plugin (then the drawing takes the whole window).
#[derive(Resource, Default, Debug, Clone, Copy)]
pub struct FpsHide {
    pub sprites: bool,
    pub text: bool,
    pub panels: bool,
}

#[allow(clippy::type_complexity)]
fn hide_for_fps(
    hide: Res<FpsHide>,
    mut sprites: Query<&mut Visibility, (Or<(With<Sprite>, With<Mesh2d>)>, Without<Text2d>)>,
    mut texts: Query<&mut Visibility, (With<Text2d>, Without<Sprite>, Without<Mesh2d>)>,
) {
    if hide.sprites {
        sprites.iter_mut().for_each(|mut v| *v = Visibility::Hidden);
    }
    if hide.text {
        texts.iter_mut().for_each(|mut v| *v = Visibility::Hidden);
    }
}

/// The panels' controls that must stay in view at any UI scale (the scale, the
/// projector theme, the language, Play), as (name, [x0, y0, x1, y1]) in window
/// pixels, set by the panels each frame.
#[derive(Resource, Default)]
pub struct ControlRects(pub Vec<(&'static str, [f32; 4])>);

/// A text that sits on something by design (a byte value in its cell, a ring
/// entry in its slot, a byte travelling along its path): the layout check leaves
/// it out.
#[derive(Component)]
pub struct Overlay;

/// `--layout-report`: at the frame of the screenshot, every visible label of the
/// drawing as a JSON line: its text, its rectangle in world units, whether it
/// sits in a cell, its font size and how tall that is on screen (px), and the box
/// it must stay inside, if it has one.
#[allow(clippy::type_complexity)]
fn report_layout(
    auto: Res<Automation>,
    texts: Query<(
        &Text2d,
        &bevy::camera::primitives::Aabb,
        &GlobalTransform,
        &InheritedVisibility,
        Has<Overlay>,
        &TextFont,
        Option<&super::scene::Within>,
        Option<&super::scene::Plated>,
    )>,
    camera: Query<(&Camera, &GlobalTransform), With<super::scene::WorldCamera>>,
    controls: Res<ControlRects>,
    window: Query<&Window, With<bevy::window::PrimaryWindow>>,
) {
    let Some(path) = &auto.layout_report else {
        return;
    };
    if auto.frames != 29 {
        return;
    }
    // Screen pixels per world unit, to say how tall each label is on screen.
    let scale = camera.single().ok().and_then(|(c, gt)| {
        let a = c.world_to_viewport(gt, Vec3::ZERO).ok()?;
        let b = c.world_to_viewport(gt, Vec3::new(0.0, 100.0, 0.0)).ok()?;
        Some(a.distance(b) / 100.0)
    });
    let mut out = String::new();
    for (t, aabb, at, vis, overlay, font, within, plated) in &texts {
        let bevy::text::FontSize::Px(font) = font.font_size else {
            continue;
        };
        if !vis.get() || t.0.trim().is_empty() {
            continue;
        }
        let (c, h) = match plated {
            Some(p) => (at.translation().truncate(), p.0 / 2.0),
            None => (
                at.translation().truncate() + aabb.center.truncate(),
                aabb.half_extents.truncate(),
            ),
        };
        let line = serde_json::json!({
            "text": t.0,
            "min": [c.x - h.x, c.y - h.y],
            "max": [c.x + h.x, c.y + h.y],
            "overlay": overlay,
            "font": font,
            "px": scale.map(|s| s * font),
            "within": within.map(|w| [w.0.min.x, w.0.min.y, w.0.max.x, w.0.max.y]),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    // The controls, and the window they must lie in.
    if let Ok(w) = window.single() {
        let size = [w.physical_width(), w.physical_height()];
        for (name, r) in &controls.0 {
            let line = serde_json::json!({ "control": name, "rect": r, "window": size });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    if let Err(e) = std::fs::write(path, out) {
        eprintln!("error: --layout-report {}: {e}", path.display());
    }
}

/// Halves an RGBA image in each direction (a GIF of a full window is large).
fn half(w: u32, h: u32, px: &[u8]) -> (u32, u32, Vec<u8>) {
    let (hw, hh) = (w / 2, h / 2);
    let mut out = Vec::with_capacity((hw * hh * 4) as usize);
    for y in 0..hh {
        for x in 0..hw {
            for c in 0..4 {
                let at = |dx: u32, dy: u32| {
                    px[(((2 * y + dy) * w + 2 * x + dx) * 4 + c) as usize] as u32
                };
                out.push(((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4) as u8);
            }
        }
    }
    (hw, hh, out)
}

/// Writes the frames as a looping GIF, `frame_rate` frames per second.
fn write_gif(
    path: &std::path::Path,
    frames: &mut [(u32, u32, Vec<u8>)],
    frame_rate: f64,
) -> Result<(), String> {
    let (w, h) = (frames[0].0, frames[0].1);
    let mut bytes = Vec::new();
    {
        let mut enc =
            gif::Encoder::new(&mut bytes, w as u16, h as u16, &[]).map_err(|e| e.to_string())?;
        enc.set_repeat(gif::Repeat::Infinite)
            .map_err(|e| e.to_string())?;
        let delay = (100.0 / frame_rate).round().max(2.0) as u16;
        for (fw, fh, px) in frames.iter_mut() {
            let mut f = gif::Frame::from_rgba_speed(*fw as u16, *fh as u16, px, 10);
            f.delay = delay;
            enc.write_frame(&f).map_err(|e| e.to_string())?;
        }
    }
    crate::session::write_atomic(path, &bytes).map_err(|e| e.to_string())
}

/// `--record`: seek to each frame's cycle, let the scene draw it, capture it; at
/// the end, write the GIF and exit.
fn record(
    mut commands: Commands,
    mut auto: ResMut<Automation>,
    mut captured: ResMut<Captured>,
    loaded: Res<Loaded>,
    mut p: ResMut<Playhead>,
    mut exit: MessageWriter<AppExit>,
) {
    let frames = auto.frames;
    let speed = p.speed;
    let Some(rec) = auto.record.as_mut() else {
        return;
    };
    if frames < 3 {
        return;
    }
    p.playing = false;
    if let Some((w, h, px)) = captured.0.take() {
        rec.captured.push(half(w, h, &px));
        rec.asked = None;
    }
    let total = rec.frame_count(speed);
    let k = rec.captured.len() as u64;
    if k >= total {
        let path = rec.path.clone();
        match write_gif(&path, &mut rec.captured, rec.frame_rate) {
            Ok(()) => {
                println!("{} ({total} frames)", path.display());
                exit.write(AppExit::Success);
            }
            Err(e) => {
                eprintln!("error: --record {}: {e}", path.display());
                exit.write(AppExit::error());
            }
        }
        auto.record = None;
        return;
    }
    match rec.asked {
        None => {
            // Move the playhead; the shot is taken a few frames later, once the
            // scene has caught up.
            let cycle = (rec.from + k as f64 * speed / rec.frame_rate).min(rec.to);
            p.seek_cycle(&loaded.replay, cycle);
            rec.asked = Some(frames);
        }
        Some(at) if frames == at + 3 => {
            commands
                .spawn((Screenshot::primary_window(), Shot))
                .observe(
                    |shot: On<ScreenshotCaptured>, mut captured: ResMut<Captured>| {
                        if let Ok(img) = shot.image.clone().try_into_dynamic() {
                            let rgba = img.to_rgba8();
                            captured.0 = Some((rgba.width(), rgba.height(), rgba.into_raw()));
                        }
                    },
                );
        }
        Some(at) if frames > at + 300 => {
            eprintln!("error: --record: a frame was never captured");
            exit.write(AppExit::error());
            auto.record = None;
        }
        _ => {}
    }
}

#[derive(Resource, Default, Debug, Clone)]
pub struct Automation {
    pub screenshot: Option<PathBuf>,
    pub at_event: Option<u64>,
    pub at_cycle: Option<u64>,
    pub fps_seconds: Option<f64>,
    pub record: Option<Recording>,
    /// A lesson step chose the moment: the screenshot keeps its playhead.
    pub keep_playhead: bool,
    /// Write the labels' rectangles here with the screenshot.
    pub layout_report: Option<PathBuf>,
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
        record: Option<Recording>,
    ) -> Self {
        Automation {
            screenshot,
            at_event,
            at_cycle,
            fps_seconds,
            record,
            ..default()
        }
    }
}

/// `--record`: the stretch [from, to] of cycles, played at the app's speed and
/// captured `frame_rate` times per second of animation.
#[derive(Debug, Clone)]
pub struct Recording {
    pub path: PathBuf,
    pub from: f64,
    pub to: f64,
    pub frame_rate: f64,
    /// Frames captured so far, halved in size (RGBA).
    captured: Vec<(u32, u32, Vec<u8>)>,
    /// The frame being captured: asked for at this app frame.
    asked: Option<u64>,
}

/// The most frames one GIF may hold (a longer stretch asks for a narrower range).
pub const MAX_GIF_FRAMES: u64 = 600;

impl Recording {
    pub fn new(path: PathBuf, from: f64, to: f64, frame_rate: f64) -> Recording {
        Recording {
            path,
            from,
            to,
            frame_rate,
            captured: Vec::new(),
            asked: None,
        }
    }

    /// How many frames the stretch makes at `speed` cycles per second.
    pub fn frame_count(&self, speed: f64) -> u64 {
        let seconds = (self.to - self.from).max(0.0) / speed.max(1e-9);
        (seconds * self.frame_rate).floor() as u64 + 1
    }
}

/// A captured frame, on its way from the render world's observer to `drive`.
#[derive(Resource, Default)]
struct Captured(Option<(u32, u32, Vec<u8>)>);

#[derive(Component)]
struct Shot;

#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut auto: ResMut<Automation>,
    loaded: Res<Loaded>,
    mut p: ResMut<Playhead>,
    time: Res<Time>,
    mut exit: MessageWriter<AppExit>,
    sprites: Query<(), With<Sprite>>,
    solids: Query<(), With<Mesh2d>>,
    texts: Query<(), With<Text2d>>,
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
                (None, None) if auto.keep_playhead => {}
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
            // What the frame holds, for the breakdown (entities, not pixels).
            println!(
                "fps {fps:.1} over {:.1} s ({} events, {} cycles; {} sprites, {} solids, {} labels)",
                now - t0,
                r.events.len(),
                r.total_cycles(),
                sprites.iter().count(),
                solids.iter().count(),
                texts.iter().count()
            );
            exit.write(AppExit::Success);
        }
    }
}
