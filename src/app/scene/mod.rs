//! The machine drawn in 2D: three bands (user, kernel, hardware), every buffer as
//! byte cells, the devices, the bus, and tokens for copies in flight.
//!
//! Entities are spawned once per run (`build`) and only updated afterwards; a new
//! run (new generation) despawns them and builds again.

mod buffers;
mod devices;
pub use devices::pin_look;
mod guide;
pub use guide::KeysSeen;
pub mod layout;
mod lists;
mod rings;
pub mod route;
mod tokens;

use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::automation;
use super::model::Loaded;
use super::palette::{self, Theme};
use super::playback::{PlaybackSet, View};
use crate::replay::{Region, SceneState};
use layout::*;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Built>()
        .add_systems(Startup, spawn_camera)
        .add_systems(Update, build.after(PlaybackSet).in_set(SceneSet::Build))
        .add_systems(Update, font_sizes.in_set(SceneSet::Draw))
        .add_systems(PostUpdate, dress_solids)
        .configure_sets(Update, SceneSet::Draw.after(SceneSet::Build))
        .add_plugins((
            buffers::plugin,
            devices::plugin,
            guide::plugin,
            lists::plugin,
            rings::plugin,
            route::plugin,
            tokens::plugin,
        ));
}

#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum SceneSet {
    Build,
    Draw,
}

/// Which run the scene entities were built for, and their layout.
#[derive(Resource, Default)]
pub struct Built {
    pub generation: u64,
    /// The language the labels were built in.
    pub lang: crate::i18n::Lang,
    /// Whether the colours were the projector theme's.
    pub projector: bool,
    /// Whether it was laid out for presentation mode.
    pub present: bool,
    pub layout: Option<Layout>,
}

/// Every entity of the scene (despawned when the run changes).
#[derive(Component)]
pub struct SceneItem;

/// The world camera (its viewport is fitted between the egui panels).
#[derive(Component)]
pub struct WorldCamera;

/// A buffer of the machine.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionId {
    Platter,
    Controller,
    Frame(u32),
    User,
    Socket,
    Nic,
}

impl RegionId {
    pub fn of(self, st: &SceneState) -> Option<&Region> {
        match self {
            RegionId::Platter => (st.platter.size > 0).then_some(&st.platter),
            RegionId::Controller => Some(&st.controller),
            RegionId::Frame(i) => st.frames.get(i as usize).map(|f| &f.bytes),
            RegionId::User => Some(&st.user),
            RegionId::Socket => Some(&st.socket),
            RegionId::Nic => Some(&st.nic),
        }
    }

    pub fn area(self, l: &Layout) -> Rect {
        match self {
            RegionId::Platter => l.platter,
            RegionId::Controller => l.controller,
            RegionId::Frame(i) => l.frames.get(i as usize).map(|f| f.1).unwrap_or(Rect::EMPTY),
            RegionId::User => l.user,
            RegionId::Socket => l.socket,
            RegionId::Nic => l.nic,
        }
    }
}

fn spawn_camera(mut commands: Commands) {
    commands.spawn((
        Camera2d,
        WorldCamera,
        // Axis-aligned sprites need no multisampling; software renderers are much
        // faster without it.
        Msaa::Off,
        Projection::Orthographic(OrthographicProjection {
            scaling_mode: bevy::camera::ScalingMode::AutoMin {
                min_width: WORLD.x,
                min_height: WORLD.y,
            },
            ..OrthographicProjection::default_2d()
        }),
    ));
}

/// A label drawn on a plate (the mode-crossing tag): the layout report gives the
/// plate's rectangle, of this size round the label's centre, since the plate is
/// what must not cover another label.
#[derive(Component, Clone, Copy)]
pub struct Plated(pub Vec2);

/// The box a label's lines wrap in and must stay inside (checked by the
/// rendering tests through `--layout-report`).
#[derive(Component, Clone, Copy)]
pub struct Within(pub Rect);

/// A filled rectangle.
pub fn rect(commands: &mut Commands, r: Rect, color: Color, z: f32) -> Entity {
    commands
        .spawn((
            SceneItem,
            Sprite::from_color(color, r.size()),
            Transform::from_translation(r.center().extend(z)),
        ))
        .id()
}

/// A rectangle of one colour (a band, a box, a byte's cell), drawn as a mesh with
/// a shared material per colour rather than as a sprite: an opaque one is filled
/// with no texture lookup and no blending, and the pixels something opaque in
/// front of it covers are skipped (the bands under the boxes, the boxes under
/// the cells). On Mesa's lavapipe that is about a fifth of a frame. Change the
/// colour by writing the component.
#[derive(Component)]
pub struct Solid(pub Color);

pub fn solid(commands: &mut Commands, r: Rect, color: Color, z: f32) -> Entity {
    commands
        .spawn((
            SceneItem,
            Solid(color),
            Transform {
                translation: r.center().extend(z),
                scale: r.size().extend(1.0),
                ..default()
            },
        ))
        .id()
}

/// Gives each new or recoloured solid a unit square and the material of its
/// colour (one material per colour, shared, so solids of a colour are drawn
/// together; a colour with transparency gets a blending one).
///
/// The opaque solids are drawn in the order of their mesh, and a pixel already
/// covered by something nearer is skipped: so each layer has its own square,
/// made front first (the cells, then the boxes, then the bands), and the band
/// under a box is never filled.
fn dress_solids(
    mut commands: Commands,
    new: Query<(Entity, &Solid, &Transform, Has<Mesh2d>), Changed<Solid>>,
    meshes: Option<ResMut<Assets<Mesh>>>,
    materials: Option<ResMut<Assets<ColorMaterial>>>,
    mut made: Local<Vec<Handle<Mesh>>>,
    mut by_colour: Local<Vec<([u8; 4], Handle<ColorMaterial>)>>,
) {
    let (Some(mut meshes), Some(mut materials)) = (meshes, materials) else {
        return;
    };
    if made.is_empty() {
        for _ in 0..3 {
            made.push(meshes.add(Rectangle::new(1.0, 1.0)));
        }
    }
    for (e, Solid(color), tf, dressed) in &new {
        let key = color.to_srgba().to_u8_array();
        let material = match by_colour.iter().find(|(k, _)| *k == key) {
            Some((_, m)) => m.clone(),
            None => {
                let m = materials.add(ColorMaterial::from_color(*color));
                by_colour.push((key, m.clone()));
                m
            }
        };
        // A recoloured solid keeps its mesh: only the material changes.
        if dressed {
            commands.entity(e).insert(MeshMaterial2d(material));
        } else {
            let layer = match tf.translation.z {
                z if z >= 2.0 => 0,
                z if z >= 1.0 => 1,
                _ => 2,
            };
            commands
                .entity(e)
                .insert((Mesh2d(made[layer].clone()), MeshMaterial2d(material)));
        }
    }
}

/// The smallest label in presentation mode, in world units: 14 px on a
/// 1024 × 576 projector, where the drawing is shown at about 0.64 px per unit.
pub const PRESENT_LABEL: f32 = 23.0;

/// The smallest byte value drawn in presentation mode: 12 px on that projector.
pub const PRESENT_BYTE: f32 = 19.5;

/// A label's font size normally and in presentation mode, where every label grows
/// to be read from the back of the room.
#[derive(Component, Clone, Copy, Debug)]
pub struct FontSizes {
    pub normal: f32,
    pub present: f32,
}

/// A text label; `anchor` says which point of the text sits at `at`. In
/// presentation mode it is drawn at least `PRESENT_LABEL` high.
pub fn text(
    commands: &mut Commands,
    s: &str,
    at: Vec2,
    size: f32,
    color: Color,
    anchor: Anchor,
) -> Entity {
    commands
        .spawn((
            SceneItem,
            Text2d::new(s),
            TextFont::from_font_size(size),
            FontSizes {
                normal: size,
                present: size.max(PRESENT_LABEL),
            },
            TextColor(color),
            anchor,
            Transform::from_translation(at.extend(5.0)),
        ))
        .id()
}

/// Every label at its size for the mode: presentation mode's larger one, or the
/// normal one (when the mode changes, and for labels just built). A label with no
/// presentation size (a byte value whose cell is too small to show it 12 px high
/// on a projector) is hidden in presentation mode; its cell's colour remains.
fn font_sizes(
    present: Res<super::playback::Present>,
    mut labels: Query<(Ref<FontSizes>, &mut TextFont, &mut Visibility)>,
) {
    for (sizes, mut font, mut vis) in &mut labels {
        if present.is_changed() || sizes.is_added() || sizes.is_changed() {
            let size = if present.0 {
                sizes.present
            } else {
                sizes.normal
            };
            if size > 0.0 && font.font_size != bevy::text::FontSize::Px(size) {
                font.font_size = bevy::text::FontSize::Px(size);
            }
            if sizes.present <= 0.0 {
                *vis = if present.0 {
                    Visibility::Hidden
                } else {
                    Visibility::Inherited
                };
            }
        }
    }
}

/// A row of `n` slots across `row` from `x0`, each a rectangle with room for a
/// short name ("R0", "f12") at `k` of its width (from `min` to `max`), grown in
/// presentation mode where the slot is wide enough and hidden where not: the
/// rectangles and their texts, in order, for the caller's components.
pub fn slot_row(
    commands: &mut Commands,
    row: Rect,
    x0: f32,
    n: usize,
    (k, min, max): (f32, f32, f32),
    theme: &Theme,
) -> Vec<(Entity, Entity)> {
    let w = (row.max.x - x0) / n.max(1) as f32;
    (0..n)
        .map(|i| {
            let c = Vec2::new(x0 + (i as f32 + 0.5) * w, row.center().y);
            let cell = Rect::from_center_size(c, Vec2::new(w - 2.5, row.height()));
            let e = rect(commands, cell, theme.cell_empty(), 2.0);
            let font = (w * k).clamp(min, max);
            let t = text(commands, "", c, font, palette::TEXT_DARK, Anchor::CENTER);
            // Two or three characters: 1.7 of the font size wide.
            let fit = (w - 3.0) / 1.7;
            let present = if fit >= PRESENT_BYTE {
                fit.min(24.0)
            } else {
                0.0
            };
            commands.entity(t).insert((
                automation::Overlay,
                FontSizes {
                    normal: font,
                    present,
                },
            ));
            (e, t)
        })
        .collect()
}

/// The boxes of the places (and engines) a finished run never used.
pub fn unused_boxes(end: &SceneState, layout: &Layout) -> Vec<Rect> {
    use crate::route::{Mover, Spot};
    let used = |s: Spot| end.route.iter().any(|p| p.from == s || p.to == s);
    let disk_dma = end
        .route
        .iter()
        .any(|p| p.mover == Mover::Dma && (p.from == Spot::Controller || p.to == Spot::Controller));
    let mut out = Vec::new();
    if !used(Spot::Platter) && !used(Spot::Controller) {
        out.push(DISK_BOX);
    }
    if !disk_dma {
        out.push(DMA_BOX);
    }
    if !used(Spot::PageCache) {
        out.push(layout.cache);
    }
    if !used(Spot::User) {
        out.push(layout.user_box);
    }
    if !used(Spot::Socket) {
        out.push(layout.socket_box);
    }
    if !used(Spot::Nic) && !used(Spot::Wire) {
        out.extend([NIC_BOX, WIRE_BOX]);
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn build(
    mut commands: Commands,
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    mut built: ResMut<Built>,
    old: Query<Entity, With<SceneItem>>,
    tr: Res<super::lang::Tr>,
    theme: Res<Theme>,
    present: Res<super::playback::Present>,
) {
    let Some(view) = view else { return };
    if built.generation == loaded.generation
        && built.layout.is_some()
        && built.lang == tr.lang
        && built.projector == theme.projector
        && built.present == present.0
        || view.generation != loaded.generation
    {
        return;
    }
    for e in &old {
        commands.entity(e).despawn();
    }
    let st = &view.state;
    let rings = loaded.replay.setup.method == crate::sim::Method::IoUring;
    let two_list = loaded.replay.setup.hw.cache_policy == crate::sim::page_cache::Policy::TwoList;
    let layout = Layout::new(st, present.0, rings, two_list);
    // Bands.
    for (band, color, title) in [
        (USER_BAND, theme.band_user(), "app.s_user_space"),
        (KERNEL_BAND, theme.band_kernel(), "app.s_kernel_space"),
        (HW_BAND, theme.band_hardware(), "app.s_hardware"),
    ] {
        solid(&mut commands, band, color, 0.0);
        text(
            &mut commands,
            &tr.texts.t(title),
            Vec2::new(band.max.x - 8.0, band.max.y - 4.0),
            15.0,
            theme.text_dim(),
            Anchor::TOP_RIGHT,
        );
    }
    // An NVMe drive moves its own data: the DMA box is the drive's.
    let nvme = loaded.replay.setup.hw.nvme();
    for (b, title) in [
        (layout.process, ""),
        (layout.user_box, "app.s_user_buffer"),
        (layout.cache, "app.s_page_cache"),
        (layout.socket_box, "app.s_socket_buffer"),
        (layout.kinfo, ""),
        (CPU_BOX, "app.s_cpu"),
        (
            DMA_BOX,
            if nvme {
                "app.s_dma_nvme"
            } else {
                "app.s_dma_engine"
            },
        ),
        (
            DISK_BOX,
            if nvme {
                "app.s_disk_nvme"
            } else {
                "app.s_disk"
            },
        ),
        (NIC_BOX, "app.s_nic"),
        (WIRE_BOX, "app.s_wire"),
    ] {
        solid(&mut commands, b, theme.boxes(), 1.0);
        if !title.is_empty() {
            text(
                &mut commands,
                &tr.texts.t(title),
                Vec2::new(b.min.x + 6.0, b.max.y - 3.0),
                15.0,
                theme.text(),
                Anchor::TOP_LEFT,
            );
        }
    }
    // A layout for the method: the places this run never uses are dimmed (a
    // `read` has no socket or NIC, a `recv` no disk, sendfile no user buffer).
    let end = loaded.replay.state_at(loaded.replay.events.len());
    for b in unused_boxes(&end, &layout) {
        rect(&mut commands, b, theme.background().with_alpha(0.7), 5.5);
    }
    // Several files share the page cache: a legend of their colours.
    // After the title (its width estimated from its characters; CJK ones are
    // about square), at the mode's label size.
    let size = if present.0 { PRESENT_LABEL } else { 14.0 };
    let width = |s: &str| -> f32 {
        s.chars()
            .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
            .sum::<f32>()
            * size
    };
    // Presentation mode has no room after the page cache's larger title: the
    // legend goes in the kernel's notes box, under its first line.
    let (mut x, y) = if present.0 {
        (layout.kinfo.min.x + 8.0, layout.kinfo.max.y - 52.0)
    } else {
        (layout.cache.min.x + 250.0, layout.cache.max.y - 11.0)
    };
    for (i, f) in loaded.replay.setup.files.iter().enumerate() {
        rect(
            &mut commands,
            Rect::from_center_size(Vec2::new(x + 6.0, y), Vec2::splat(12.0)),
            buffers::file_colour(i as u32),
            2.0,
        );
        text(
            &mut commands,
            &f.name,
            Vec2::new(x + 16.0, y),
            14.0,
            theme.text(),
            Anchor::CENTER_LEFT,
        );
        x += if present.0 {
            30.0 + width(&f.name)
        } else {
            30.0 + 8.0 * f.name.chars().count() as f32
        };
    }
    buffers::spawn(&mut commands, st, &layout, &theme);
    devices::spawn(&mut commands, st, &layout, &loaded, &tr.texts, &theme);
    rings::spawn(&mut commands, &loaded, &theme, present.0);
    lists::spawn(&mut commands, &layout, st.frames.len(), &tr.texts, &theme);
    route::spawn(&mut commands, &theme);
    guide::spawn(&mut commands, &tr, &theme);
    tokens::spawn(&mut commands);
    built.generation = loaded.generation;
    built.lang = tr.lang;
    built.projector = theme.projector;
    built.present = present.0;
    built.layout = Some(layout);
}
