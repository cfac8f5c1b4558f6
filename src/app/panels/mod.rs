//! The egui panels around the scene: scenario (left), counters, narration and
//! event list (right), playback controls and timeline (bottom), drawn by the
//! world camera over the scene, which its projection fits into the space they
//! leave.

mod compare;
pub mod info;
pub mod lesson;
mod scenario;
mod timeline;

use bevy::camera::ScalingMode;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::egui::{self, LayerId, UiBuilder};
use bevy_egui::{EguiContexts, EguiGlobalSettings, EguiPrimaryContextPass, PrimaryEguiContext};

use super::model::{Editor, Loaded};
use super::playback::{Playhead, View};
use super::scene::WorldCamera;
use super::scene::layout::WORLD;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(PostStartup, attach_egui)
        .add_systems(EguiPrimaryContextPass, root);
}

/// The panels are drawn by the scene's own camera, over the scene: one camera,
/// one pass (a second camera for the panels cost a third of the frame rate under
/// a software renderer). The scene is fitted into the space the panels leave by
/// its projection (`fit_world`), not by a viewport.
fn attach_egui(
    mut commands: Commands,
    mut settings: ResMut<EguiGlobalSettings>,
    camera: Single<Entity, With<WorldCamera>>,
) {
    settings.auto_create_primary_context = false;
    commands.entity(*camera).insert(PrimaryEguiContext);
}

/// Shows the world (`WORLD` units around the origin, as large as fits) in the
/// free rectangle at `pos` of `size` physical pixels of a `window`-sized window.
fn fit_world(projection: &mut Projection, window: UVec2, pos: UVec2, size: UVec2) {
    let Projection::Orthographic(o) = projection else {
        return;
    };
    let (w, h) = (window.x.max(1) as f32, window.y.max(1) as f32);
    let s = (size.x as f32 / WORLD.x)
        .min(size.y as f32 / WORLD.y)
        .max(1e-3);
    let (width, height) = (w / s, h / s);
    // The free rectangle's centre, from the window's bottom left (as the
    // projection counts).
    let origin = Vec2::new(
        (pos.x as f32 + size.x as f32 / 2.0) / w,
        1.0 - (pos.y as f32 + size.y as f32 / 2.0) / h,
    );
    let same = matches!(o.scaling_mode, ScalingMode::Fixed { width: a, height: b }
        if a == width && b == height);
    if !same || o.viewport_origin != origin {
        o.scaling_mode = ScalingMode::Fixed { width, height };
        o.viewport_origin = origin;
    }
}

#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn root(
    mut contexts: EguiContexts,
    mut loaded: ResMut<Loaded>,
    mut editor: ResMut<Editor>,
    mut playhead: ResMut<Playhead>,
    view: Option<Res<View>>,
    mut camera: Single<&mut Projection, With<WorldCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut memory: Local<info::Memory>,
    mut spans: Local<timeline::Spans>,
    time: Res<Time>,
    mut settings: ResMut<super::settings::Settings>,
    mut cmp: ResMut<super::compare::Comparison>,
    tr: Res<super::lang::Tr>,
    scene_theme: Res<super::palette::Theme>,
    (mut typing, present, mut lesson_panel, mut help, mut unrevealed, mut control_rects): (
        ResMut<super::playback::Typing>,
        Res<super::playback::Present>,
        ResMut<super::lesson::Panel>,
        ResMut<super::keys::Help>,
        ResMut<super::lesson::Unrevealed>,
        ResMut<super::automation::ControlRects>,
    ),
    automation: Option<Res<super::automation::Automation>>,
) -> Result {
    let lang = tr.lang;
    let zh = lang == crate::i18n::Lang::Zh;
    let tr = &tr.texts;
    let ctx = contexts.ctx_mut()?.clone();
    // A picture taken for a slide shows no tooltip, wherever the pointer rests.
    // Only a layout report reads where the controls are.
    let reporting = automation
        .as_ref()
        .is_some_and(|a| a.layout_report.is_some());
    if automation.is_some_and(|a| a.screenshot.is_some()) {
        ctx.all_styles_mut(|s| s.interaction.tooltip_delay = f32::INFINITY);
    }
    // A text field with the keyboard takes the keys from the playback.
    let wants = ctx.egui_wants_keyboard_input();
    if typing.0 != wants {
        typing.0 = wants;
    }
    // The viewer's scale and theme, applied before anything is laid out.
    if ctx.zoom_factor() != settings.ui_scale {
        ctx.set_zoom_factor(settings.ui_scale);
    }
    let theme = if settings.projector {
        egui::Theme::Light
    } else {
        egui::Theme::Dark
    };
    if ctx.theme() != theme {
        ctx.set_theme(theme);
    }
    // The keys, over everything, until closed (F1, ?, Esc or its button).
    if help.0 {
        let mut open = true;
        egui::Window::new(tr.t("app.keys_title"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(&ctx, |ui| {
                egui::Grid::new("keys")
                    .num_columns(2)
                    .spacing([18.0, 6.0])
                    .show(ui, |ui| {
                        for (key, what) in super::keys::KEYS {
                            ui.label(egui::RichText::new(key).strong().monospace());
                            ui.label(tr.t(what));
                            ui.end_row();
                        }
                    });
            });
        if !open {
            help.0 = false;
        }
    }
    let mut ui = egui::Ui::new(
        ctx.clone(),
        "root".into(),
        UiBuilder::new()
            .layer_id(LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    // Until the student answers the lesson's question, the counts stay hidden.
    let asking = lesson_panel.asking();
    if unrevealed.0 != asking {
        unrevealed.0 = asking;
    }
    if present.0 && !cmp.open {
        // Presentation: one caption line under a drawing that fills the window.
        let caption = egui::Panel::bottom("caption")
            .frame(bare_frame(ui.style()))
            .resizable(false)
            .show(&mut ui, |ui| {
                if let Some(view) = &view {
                    let r = &loaded.replay;
                    let st = &view.state;
                    let text =
                        crate::narrate::caption(&r.events, st.applied, &view.flights, &r.setup, tr)
                            .unwrap_or_else(|| tr.t("app.press_space").into());
                    // Kept short, so the drawing keeps the window's height.
                    ui.add_space(2.0);
                    if lesson_panel.active() {
                        lesson::caption(ui, &lesson_panel, tr, zh);
                    }
                    // The strongest text colour: this line is read from the back row.
                    ui.label(
                        egui::RichText::new(text)
                            .size(24.0)
                            .color(ui.visuals().strong_text_color()),
                    );
                    ui.label(
                        egui::RichText::new(tr.get(
                            "app.present_hint",
                            &[
                                ("step", st.applied.to_string()),
                                ("events", r.events.len().to_string()),
                            ],
                        ))
                        .size(12.0)
                        .weak(),
                    );
                }
            })
            .response
            .rect
            .height();
        let scale = ctx.pixels_per_point();
        let full = UVec2::new(window.physical_width(), window.physical_height());
        let used = (caption * scale) as u32;
        if full.y > used + 16 {
            let size = UVec2::new(full.x, full.y - used);
            fit_world(&mut camera, full, UVec2::ZERO, size);
        }
        return Ok(());
    }
    // No panel may take the scene's room at a large UI scale: each keeps to a
    // share of the window, and its contents scroll.
    let room = ctx.content_rect().size();
    // Where the controls that must stay in view are (for the layout report).
    let mut controls: Vec<(&'static str, egui::Rect)> = Vec::new();
    // The compare view leaves the scene's camera where it was, so the drawing
    // would show through a bare panel: there the panel keeps its fill.
    let left_frame = if cmp.open {
        egui::Frame::side_top_panel(ui.style())
    } else {
        bare_frame(ui.style())
    };
    let left = egui::Panel::left("scenario")
        .frame(left_frame)
        .resizable(true)
        .default_size(250.0)
        .max_size(room.x * 0.3)
        .show(&mut ui, |ui| {
            // Scrolls, so every control stays reachable at any UI scale.
            egui::ScrollArea::vertical().id_salt("left").show(ui, |ui| {
                // The viewer's settings first: at any UI scale the scale, the
                // projector theme and the language stay in view, to be undone.
                let before = settings.clone();
                let scale = ui.vertical(|ui| {
                    ui.label(tr.t("app.ui_scale"));
                    // Narrow enough for the panel at any scale, its value beside it.
                    ui.horizontal(|ui| {
                        ui.spacing_mut().slider_width =
                            (ui.available_width() - 70.0).clamp(40.0, 160.0);
                        ui.add(
                            egui::Slider::new(&mut settings.ui_scale, super::settings::UI_SCALES)
                                .step_by(0.05),
                        );
                    });
                });
                let projector = ui.checkbox(&mut settings.projector, tr.t("app.projector"));
                let language = ui.horizontal_wrapped(|ui| {
                    ui.label(tr.t("app.language"));
                    for lang in crate::i18n::Lang::ALL {
                        ui.selectable_value(&mut settings.lang, lang, lang.name());
                    }
                });
                controls.extend([
                    ("ui_scale", scale.response.rect),
                    ("projector", projector.rect),
                    ("language", language.response.rect),
                ]);
                if *settings != before {
                    // Remembered for next time; a failure to save only loses that.
                    let _ = settings.save();
                }
                ui.separator();
                lesson::show(ui, &mut lesson_panel, &mut editor, &mut loaded, tr, lang);
                ui.separator();
                scenario::show(ui, &mut editor, &mut loaded, tr, zh);
                ui.separator();
                compare::controls(ui, &mut cmp, &editor, tr);
            });
        })
        .response
        .rect;
    controls.push(("left_panel", left));
    let left = left.width();
    // The compare view takes the whole middle, over the scene.
    if cmp.open {
        egui::CentralPanel::default().show(&mut ui, |ui| compare::show(ui, &mut cmp, tr));
        return Ok(());
    }
    let right = right_panel(&mut ui, room, |ui| {
        if let Some(view) = &view {
            info::show(
                ui,
                &loaded,
                view,
                &mut playhead,
                &mut memory,
                time.elapsed_secs_f64(),
                tr,
                unrevealed.0,
            );
        }
    });
    let bottom = egui::Panel::bottom("timeline")
        .frame(bare_frame(ui.style()))
        .resizable(true)
        .default_size(180.0)
        .max_size(room.y * 0.35)
        .show(&mut ui, |ui| {
            egui::ScrollArea::both()
                .id_salt("bottom")
                .show(ui, |ui| {
                    timeline::show(ui, &loaded, &mut playhead, &mut spans, tr, &scene_theme)
                })
                .inner
        });
    controls.push(("play", bottom.inner));
    let bottom = bottom.response.rect.height();
    let ppp = ctx.pixels_per_point();
    if reporting {
        control_rects.0 = controls
            .into_iter()
            .map(|(name, r)| {
                (
                    name,
                    [r.min.x * ppp, r.min.y * ppp, r.max.x * ppp, r.max.y * ppp],
                )
            })
            .collect();
    }
    // Panel sizes are in egui points: window scale times the UI zoom.
    let scale = ctx.pixels_per_point();
    let pos = UVec2::new((left * scale) as u32, 0);
    let full = UVec2::new(window.physical_width(), window.physical_height());
    let used = pos + UVec2::new((right * scale) as u32, (bottom * scale) as u32);
    if full.x > used.x + 16 && full.y > used.y + 16 {
        fit_world(&mut camera, full, pos, full - used);
    }
    Ok(())
}

/// The right-hand panel (counters, narration, events): at most three tenths of
/// the window's width; wider content (the event list at a large UI scale)
/// scrolls sideways. Returns the panel's width.
pub fn right_panel(ui: &mut egui::Ui, room: egui::Vec2, body: impl FnOnce(&mut egui::Ui)) -> f32 {
    egui::Panel::right("info")
        .frame(bare_frame(ui.style()))
        .resizable(true)
        .default_size(340.0)
        .max_size(room.x * 0.3)
        .show(ui, |ui| {
            egui::ScrollArea::horizontal()
                .id_salt("right")
                .show(ui, body);
        })
        .response
        .rect
        .width()
}

/// A panel's frame without its fill: the window is cleared to the theme's
/// background already, and on a software renderer filling the panels (a third
/// of the window) again each frame costs about a tenth of the frame.
fn bare_frame(style: &egui::Style) -> egui::Frame {
    egui::Frame::side_top_panel(style).fill(egui::Color32::TRANSPARENT)
}
