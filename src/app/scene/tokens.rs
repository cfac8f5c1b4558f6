//! Copies in flight as tokens travelling along the bus, coloured by who moves them.
//! A fixed pool of tokens is reused: a large file never spawns one entity per byte.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::{Built, SceneSet, rect, text};
use crate::app::model::Loaded;
use crate::app::palette;
use crate::app::playback::View;

const POOL: usize = 8;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, draw.in_set(SceneSet::Draw));
}

#[derive(Component)]
pub struct Token(usize);

#[derive(Component)]
pub struct TokenText(usize);

pub fn spawn(commands: &mut Commands) {
    for i in 0..POOL {
        let e = rect(
            commands,
            Rect::from_center_size(Vec2::ZERO, Vec2::new(44.0, 24.0)),
            palette::CPU,
            8.0,
        );
        commands.entity(e).insert((Token(i), Visibility::Hidden));
        let t = text(
            commands,
            "",
            Vec2::ZERO,
            13.0,
            palette::TEXT_DARK,
            Anchor::CENTER,
        );
        commands.entity(t).insert((
            TokenText(i),
            crate::app::automation::Overlay,
            Visibility::Hidden,
        ));
    }
}

fn draw(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    built: Res<Built>,
    mut tokens: Query<(&Token, &mut Sprite, &mut Transform, &mut Visibility), Without<TokenText>>,
    mut texts: Query<
        (
            &TokenText,
            &mut Text2d,
            &mut TextColor,
            &mut Transform,
            &mut Visibility,
        ),
        Without<Token>,
    >,
) {
    let (Some(view), Some(layout)) = (view, &built.layout) else {
        return;
    };
    if built.generation != view.generation {
        return;
    }
    let st = &view.state;
    let r = &loaded.replay;
    let mut spots = Vec::new();
    for f in view.flights.iter().take(POOL) {
        let pos = layout.path(st, f.from, f.to, f.progress as f32);
        let small = r.setup.file_size <= crate::replay::CELL_LIMIT;
        let label = if small {
            let i =
                f.file_offset + ((f.progress * f.len as f64) as u64).min(f.len.saturating_sub(1));
            r.bytes(f.file, i, 1)
                .first()
                .map(|b| format!("{b:02X}"))
                .unwrap_or_default()
        } else {
            format!("{} B", f.len)
        };
        spots.push((pos, palette::agent(f.agent), label));
    }
    for (Token(i), mut sprite, mut tf, mut vis) in &mut tokens {
        match spots.get(*i) {
            Some((pos, color, _)) => {
                tf.translation = pos.extend(8.0);
                sprite.color = *color;
                // Room for presentation mode's larger byte value.
                let size = if layout.present {
                    Vec2::new(60.0, 32.0)
                } else {
                    Vec2::new(44.0, 24.0)
                };
                if sprite.custom_size != Some(size) {
                    sprite.custom_size = Some(size);
                }
                *vis = Visibility::Visible;
            }
            None => *vis = Visibility::Hidden,
        }
    }
    for (TokenText(i), mut t, mut colour, mut tf, mut vis) in &mut texts {
        match spots.get(*i) {
            Some((pos, bg, label)) => {
                tf.translation = pos.extend(9.0);
                if t.0 != *label {
                    t.0 = label.clone();
                }
                // The byte reads in dark on the CPU's orange, in white on DMA's blue.
                let c = palette::text_on(*bg);
                if colour.0 != c {
                    colour.0 = c;
                }
                *vis = Visibility::Visible;
            }
            None => *vis = Visibility::Hidden,
        }
    }
}
