//! The route drawn as the seed draws it: an arrow from place to place for each
//! path the bytes take, numbered in the order first used, coloured by who moves
//! them (CPU orange, DMA blue, a device's own transfer grey, descriptors dashed),
//! with the bytes moved so far; an arrow glows while a copy on it is moving. Above
//! the machine, the seed's caption: mode switches and copies so far.
//!
//! A fixed pool of sprites per arrow slot is reused every frame.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::layout::*;
use super::{Built, SceneSet, rect, text};
use crate::app::lang::Tr;
use crate::app::palette::{self, Theme};
use crate::app::playback::View;
use crate::route::{self, Arrow, Mover, Spot};

/// Arrows drawn at most (a route has a handful).
const SLOTS: usize = 10;
/// Shaft pieces: up to three straight segments, or dashes.
const SEGMENTS: usize = 3;
const DASHES: usize = 14;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, (draw, draw_caption).in_set(SceneSet::Draw));
}

#[derive(Component, Clone, Copy, PartialEq, Eq)]
enum Part {
    Segment(usize),
    Dash(usize),
    Head(usize),
    Badge,
    Number,
    Label,
    /// A plate behind the label, in the background's colour, so the label
    /// reads where it has to lie on a light bar or over an arrow.
    Plate,
}

#[derive(Component)]
struct Slot(usize, Part);

#[derive(Component)]
struct Caption;

pub fn spawn(commands: &mut Commands, theme: &Theme) {
    for slot in 0..SLOTS {
        let add = |commands: &mut Commands, e: Entity, part: Part| {
            commands
                .entity(e)
                .insert((Slot(slot, part), Visibility::Hidden));
        };
        let bar = Rect::from_center_size(Vec2::ZERO, Vec2::ONE);
        for k in 0..SEGMENTS {
            let e = rect(commands, bar, palette::CPU, 6.0);
            add(commands, e, Part::Segment(k));
        }
        for k in 0..DASHES {
            let e = rect(commands, bar, palette::DMA, 6.0);
            add(commands, e, Part::Dash(k));
        }
        for k in 0..2 {
            let e = rect(commands, bar, palette::CPU, 6.1);
            add(commands, e, Part::Head(k));
        }
        let e = rect(commands, bar, plate_colour(theme), 7.2);
        add(commands, e, Part::Plate);
        let badge = Rect::from_center_size(Vec2::ZERO, Vec2::splat(24.0));
        let e = rect(commands, badge, palette::CPU, 7.0);
        add(commands, e, Part::Badge);
        let e = text(
            commands,
            "",
            Vec2::ZERO,
            17.0,
            palette::TEXT_DARK,
            Anchor::CENTER,
        );
        add(commands, e, Part::Number);
        let e = text(
            commands,
            "",
            Vec2::ZERO,
            15.0,
            theme.text(),
            Anchor::CENTER_LEFT,
        );
        // (Its plate, a `Part::Plate`, keeps it readable on a light bar.)
        add(commands, e, Part::Label);
    }
    let e = text(
        commands,
        "",
        Vec2::new(USER_BUF_BOX.min.x, USER_BAND.max.y - 6.0),
        18.0,
        theme.text(),
        Anchor::TOP_LEFT,
    );
    commands.entity(e).insert(Caption);
}

/// Where a place is on screen.
pub fn spot_rect(layout: &Layout, s: Spot) -> Rect {
    match s {
        Spot::Platter => platter_box(),
        Spot::Controller => layout.controller,
        Spot::PageCache => layout.cache_cells,
        Spot::User => layout.user_box,
        Spot::Socket => layout.socket_box,
        Spot::Nic => layout.nic,
        Spot::Wire => WIRE_BOX,
    }
}

/// Where the line from the centre of `r` towards `d` leaves it.
fn exit(r: Rect, d: Vec2) -> Vec2 {
    let h = r.half_size();
    let tx = if d.x.abs() > 1e-6 {
        h.x / d.x.abs()
    } else {
        f32::MAX
    };
    let ty = if d.y.abs() > 1e-6 {
        h.y / d.y.abs()
    } else {
        f32::MAX
    };
    r.center() + d * tx.min(ty)
}

/// The arrow's polyline: edge to edge between two places, shifted sideways by
/// `shift` (two arrows between the same places in opposite directions part);
/// a loop on the right of the box for a copy within one place.
pub fn polyline(layout: &Layout, a: Spot, b: Spot, shift: f32) -> Vec<Vec2> {
    let (ra, rb) = (spot_rect(layout, a), spot_rect(layout, b));
    if a == b {
        let (x, y) = (ra.max.x, ra.center().y);
        return vec![
            Vec2::new(x, y + 30.0),
            Vec2::new(x + 34.0, y + 30.0),
            Vec2::new(x + 34.0, y - 30.0),
            Vec2::new(x + 4.0, y - 30.0),
        ];
    }
    let d = (rb.center() - ra.center()).normalize_or_zero();
    let side = Vec2::new(-d.y, d.x) * shift;
    vec![exit(ra, d) + side, exit(rb, -d) + side]
}

fn colour(m: Mover, theme: &Theme) -> Color {
    match m {
        Mover::Cpu => palette::CPU,
        Mover::Dma | Mover::Descriptors => palette::DMA,
        Mover::Device => theme.text_dim(),
    }
}

/// The label beside an arrow: who moves the bytes and how many so far.
pub fn label(a: &Arrow, tr: &crate::i18n::Texts) -> String {
    let who = match a.mover {
        Mover::Cpu => tr.t("app.r_cpu"),
        Mover::Dma => tr.t("app.r_dma"),
        Mover::Device => tr.t("app.r_device"),
        Mover::Descriptors => tr.t("app.r_descriptors"),
    };
    format!("{who} {}", crate::metrics::bytes(a.bytes))
}

/// Places a bar sprite between two points.
fn bar(tf: &mut Transform, sprite: &mut Sprite, p: Vec2, q: Vec2, width: f32, z: f32) {
    let d = q - p;
    sprite.custom_size = Some(Vec2::new(d.length().max(0.01), width));
    tf.translation = ((p + q) / 2.0).extend(z);
    tf.rotation = Quat::from_rotation_z(d.y.atan2(d.x));
}

#[allow(clippy::type_complexity)]
fn draw(
    view: Option<Res<View>>,
    built: Res<Built>,
    theme: Res<Theme>,
    tr: Res<Tr>,
    mut sprites: Query<(&Slot, &mut Sprite, &mut Transform, &mut Visibility), Without<Text2d>>,
    mut texts: Query<
        (
            &Slot,
            &mut Text2d,
            &mut TextColor,
            &mut Transform,
            &mut Visibility,
        ),
        Without<Sprite>,
    >,
) {
    let (Some(view), Some(layout)) = (view, &built.layout) else {
        return;
    };
    if built.generation != view.generation {
        return;
    }
    let arrows = route::at(&view.state, &view.flights);
    // Each arrow's polyline, parted from a reverse arrow between the same places.
    let lines: Vec<Vec<Vec2>> = arrows
        .iter()
        .map(|a| {
            let reverse = arrows.iter().any(|b| b.from == a.to && b.to == a.from);
            polyline(layout, a.from, a.to, if reverse { 12.0 } else { 0.0 })
        })
        .collect();
    // Presentation mode's boxes are full: a device's own transfer (platter to
    // buffer, buffer to wire) shows its number only; the box shows its bytes.
    let labels: Vec<String> = arrows
        .iter()
        .map(|a| match a.mover {
            Mover::Device if layout.present => String::new(),
            _ => label(a, &tr.texts),
        })
        .collect();
    let badges = place_badges(&lines, &labels, layout);
    for (Slot(i, part), mut sprite, mut tf, mut vis) in &mut sprites {
        let Some(a) = arrows.get(*i) else {
            *vis = Visibility::Hidden;
            continue;
        };
        let pts = &lines[*i];
        let c = colour(a.mover, &theme);
        // A live arrow is wider: the eye finds where bytes are moving now.
        let width = if a.live { 7.0 } else { 3.5 };
        let dashed = a.mover == Mover::Descriptors;
        let shown = match *part {
            Part::Segment(k) if !dashed && k + 1 < pts.len() => {
                bar(&mut tf, &mut sprite, pts[k], pts[k + 1], width, 6.0);
                true
            }
            Part::Dash(k) if dashed => {
                // Dashes along the first segment (descriptor arrows are straight).
                let (p, q) = (pts[0], pts[pts.len() - 1]);
                let t0 = k as f32 / DASHES as f32;
                let t1 = t0 + 0.5 / DASHES as f32;
                bar(
                    &mut tf,
                    &mut sprite,
                    p.lerp(q, t0),
                    p.lerp(q, t1),
                    width,
                    6.0,
                );
                true
            }
            Part::Head(k) => {
                let n = pts.len();
                let (p, q) = (pts[n - 2], pts[n - 1]);
                let back = (p - q).normalize_or_zero() * 18.0;
                let turn = if k == 0 { 0.5f32 } else { -0.5 };
                let tail = q + Vec2::from_angle(turn).rotate(back);
                bar(&mut tf, &mut sprite, tail, q, width, 6.1);
                true
            }
            Part::Plate if !labels[*i].is_empty() => {
                let r = label_rect(badges[*i], &labels[*i], layout.present);
                tf.translation = r.center().extend(7.2);
                sprite.custom_size = Some(r.size());
                true
            }
            Part::Badge => {
                tf.translation = badges[*i].extend(7.0);
                let side = if layout.present { 32.0 } else { 24.0 };
                sprite.custom_size = Some(Vec2::splat(side));
                true
            }
            _ => false,
        };
        *vis = if shown {
            Visibility::Visible
        } else {
            Visibility::Hidden
        };
        // Shafts of arrows at rest are a little faded; numbers stay solid.
        let c = if *part == Part::Plate {
            plate_colour(&theme)
        } else if a.live || *part == Part::Badge {
            c
        } else {
            c.with_alpha(0.8)
        };
        if sprite.color != c {
            sprite.color = c;
        }
    }
    for (Slot(i, part), mut t, mut tc, mut tf, mut vis) in &mut texts {
        let Some(a) = arrows.get(*i) else {
            *vis = Visibility::Hidden;
            continue;
        };
        let (s, at, c) = match part {
            Part::Number => (
                a.number.to_string(),
                badges[*i],
                palette::text_on(colour(a.mover, &theme)),
            ),
            Part::Label => (
                labels[*i].clone(),
                label_at(badges[*i], layout.present),
                theme.text(),
            ),
            _ => continue,
        };
        tf.translation = at.extend(7.5);
        if t.0 != s {
            t.0 = s;
        }
        if tc.0 != c {
            tc.0 = c;
        }
        *vis = Visibility::Visible;
    }
}

/// A point `t` of the way along a polyline.
fn along(pts: &[Vec2], t: f32) -> Vec2 {
    let legs: Vec<f32> = pts.windows(2).map(|w| w[0].distance(w[1])).collect();
    let mut d = t * legs.iter().sum::<f32>();
    for (w, len) in pts.windows(2).zip(&legs) {
        if d <= *len {
            return w[0].lerp(w[1], d / len.max(1e-3));
        }
        d -= len;
    }
    pts[pts.len() - 1]
}

/// A label's plate: the background, a little translucent so the arrow under
/// it still shows faintly.
fn plate_colour(theme: &Theme) -> Color {
    theme.background().with_alpha(0.85)
}

/// Where an arrow's label starts, beside its number at `at`.
fn label_at(at: Vec2, present: bool) -> Vec2 {
    at + Vec2::new(if present { 20.0 } else { 16.0 }, 0.0)
}

/// The plate behind an arrow's label: the label's part of `badge_rect`, with a
/// little room round the letters.
fn label_rect(at: Vec2, label: &str, present: bool) -> Rect {
    let all = badge_rect(at, label, present);
    let start = label_at(at, present).x - 3.0;
    Rect::new(start, all.min.y + 1.0, all.max.x - 6.0, all.max.y - 1.0)
}

/// The rectangle an arrow's number and label take with the number at `at`
/// (the label's width estimated from its characters; CJK ones are wider).
pub fn badge_rect(at: Vec2, label: &str, present: bool) -> Rect {
    // Presentation mode's labels are PRESENT_LABEL high instead of 15.
    let k = if present {
        super::PRESENT_LABEL / 15.0
    } else {
        1.0
    };
    let width: f32 = label
        .chars()
        .map(|c| if c.is_ascii() { 8.3 } else { 15.0 })
        .sum::<f32>()
        * k;
    let h = 12.0 * k;
    Rect::new(at.x - h, at.y - h, at.x + 6.0 + h + width, at.y + h)
}

/// Where each arrow's number sits: about a third of the way along it, moved along
/// the arrow where that would cover a box's title and status lines or an
/// earlier arrow's number, so no label is drawn over another.
pub fn place_badges(lines: &[Vec<Vec2>], labels: &[String], layout: &Layout) -> Vec<Vec2> {
    const TRIES: [f32; 11] = [0.4, 0.5, 0.3, 0.6, 0.25, 0.7, 0.2, 0.75, 0.8, 0.15, 0.85];
    let present = layout.present;
    let zones = label_zones(layout);
    let soft = soft_zones(layout);
    let buffers: Vec<Rect> = [
        layout.user,
        layout.socket,
        layout.controller,
        layout.nic,
        layout.platter,
    ]
    .into_iter()
    .chain(layout.frames.iter().map(|f| f.1))
    .collect();
    let mut taken: Vec<Rect> = Vec::new();
    let mut out = Vec::new();
    for (pts, label) in lines.iter().zip(labels) {
        // How much of the badge at `p` would cover a label (a zone or an earlier
        // badge), and how much of a bar.
        let area = |p: Vec2, zs: &mut dyn Iterator<Item = &Rect>| -> f32 {
            let r = badge_rect(p, label, present);
            zs.map(|z| {
                let i = r.intersect(*z);
                if i.is_empty() {
                    0.0
                } else {
                    i.width() * i.height()
                }
            })
            .sum()
        };
        let covered = |p: Vec2| {
            (
                area(p, &mut zones.iter().chain(&taken)),
                area(p, &mut soft.iter()),
            )
        };
        // Along the arrow first; a short arrow (a device's own transfer, one each
        // way) stacks its number beside the other's.
        let k = if present { 1.4 } else { 1.0 };
        // Presentation mode's boxes are full: failing all that, beside the arrow.
        let aside: &[f32] = if present {
            &[0.0, -60.0, 60.0, 170.0, -170.0]
        } else {
            &[0.0]
        };
        // An arrow shorter than its number and label (SG-DMA's descriptors, from
        // the page cache to the socket buffer next to it) would be hidden under
        // them: its number goes beside it where that covers nothing at all.
        let length: f32 = pts.windows(2).map(|w| w[0].distance(w[1])).sum();
        let short = length < badge_rect(Vec2::ZERO, label, present).width() + 20.0;
        let beside = [-26.0, 26.0]
            .into_iter()
            .flat_map(|dy| {
                TRIES
                    .iter()
                    .map(move |&t| along(pts, t) + Vec2::new(0.0, dy * k))
            })
            .find(|&p| {
                // Nor over a buffer's bytes.
                short && covered(p) == (0.0, 0.0) && area(p, &mut buffers.iter()) == 0.0
            });
        let tries: Vec<Vec2> = aside
            .iter()
            .flat_map(|&dx| {
                [0.0, -26.0, 26.0, -52.0, 52.0]
                    .into_iter()
                    .map(move |dy| Vec2::new(dx, dy * k))
            })
            .flat_map(|d| TRIES.iter().map(move |&t| along(pts, t) + d))
            .collect();
        // The first free place; where none is, the one that covers the least of
        // a label, then of a bar.
        let at = beside
            .or_else(|| tries.iter().copied().find(|&p| covered(p) == (0.0, 0.0)))
            .or_else(|| {
                // Each place's cover worked out once.
                tries
                    .iter()
                    .map(|&p| (covered(p), p))
                    .min_by(|(a, _), (b, _)| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
                    .map(|(_, p)| p)
            })
            .unwrap_or_else(|| along(pts, TRIES[0]));
        taken.push(badge_rect(at, label, present));
        out.push(at);
    }
    out
}

/// The seed's caption: "4 mode switches · 2 CPU copies · 2 DMA copies" so far.
fn draw_caption(
    loaded: Res<crate::app::model::Loaded>,
    view: Option<Res<View>>,
    tr: Res<Tr>,
    unrevealed: Option<Res<crate::app::lesson::Unrevealed>>,
    mut caption: Query<&mut Text2d, With<Caption>>,
) {
    let Some(view) = view else { return };
    // A lesson's question is open: no counts until it is answered.
    if unrevealed.is_some_and(|u| u.0) {
        let s = tr.texts.t("app.caption_hidden").to_string();
        for mut t in &mut caption {
            if t.0 != s {
                t.0 = s.clone();
            }
        }
        return;
    }
    let arrows = route::at(&view.state, &view.flights);
    let (switches, cpu, dma) = route::caption_counts(&view.state, &arrows);
    // "so far" while the run plays; the figure's caption once it has ended.
    let done = view.state.applied == loaded.replay.events.len();
    let key = if done {
        "app.figure_caption"
    } else {
        "app.route_caption"
    };
    let s = tr.texts.get(
        key,
        &[
            ("switches", switches.to_string()),
            ("cpu", cpu.to_string()),
            ("dma", dma.to_string()),
        ],
    );
    for mut t in &mut caption {
        if t.0 != s {
            t.0 = s.clone();
        }
    }
}
