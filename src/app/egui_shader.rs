//! The panels' shader: bevy_egui's own, with cheap sRGB curves (see
//! assets/shaders/egui_fast.wgsl). Measured with `tools/fps.sh --breakdown`: the
//! panels' pixels cost a software renderer a fifth of each frame, most of it in
//! pow(). Added after `EguiPlugin`, whose shader asset it replaces.

use bevy::prelude::*;
use bevy::shader::Shader;

pub(super) fn plugin(app: &mut App) {
    let shader = Shader::from_wgsl(
        include_str!("../../assets/shaders/egui_fast.wgsl"),
        "iolab/egui_fast.wgsl",
    );
    let mut shaders = app.world_mut().resource_mut::<Assets<Shader>>();
    // bevy_egui is pinned (=0.42.0): its shader handle and bindings stay as written.
    if shaders
        .insert(bevy_egui::render::EGUI_SHADER_HANDLE.id(), shader)
        .is_err()
    {
        warn!("the panels keep bevy_egui's own shader");
    }
}
