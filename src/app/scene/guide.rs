//! A newcomer's first look: one line under the machine saying which keys play,
//! step and change the speed, shown until the first key press.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::layout::HW_BAND;
use super::{SceneSet, text};
use crate::app::lang::Tr;
use crate::app::palette::Theme;

pub(super) fn plugin(app: &mut App) {
    if !app.world().contains_resource::<KeysSeen>() {
        app.init_resource::<KeysSeen>();
    }
    app.add_systems(Update, (notice_keys, show).chain().in_set(SceneSet::Draw));
}

/// A key has been pressed since the app started: the guide has done its job.
#[derive(Resource, Default)]
pub struct KeysSeen(pub bool);

#[derive(Component)]
struct Guide;

pub fn spawn(commands: &mut Commands, tr: &Tr, theme: &Theme) {
    let e = text(
        commands,
        &tr.texts.t("app.key_guide"),
        // At the top of the hardware band, clear of the bus's label and the
        // interrupt wires under the boxes.
        Vec2::new(HW_BAND.center().x, HW_BAND.max.y - 14.0),
        15.0,
        theme.text(),
        Anchor::CENTER,
    );
    commands.entity(e).insert(Guide);
}

fn notice_keys(keys: Res<ButtonInput<KeyCode>>, mut seen: ResMut<KeysSeen>) {
    if !seen.0 && keys.get_just_pressed().next().is_some() {
        seen.0 = true;
    }
}

fn show(seen: Res<KeysSeen>, mut guide: Query<&mut Visibility, With<Guide>>) {
    for mut v in &mut guide {
        let want = if seen.0 {
            Visibility::Hidden
        } else {
            Visibility::Visible
        };
        if *v != want {
            *v = want;
        }
    }
}
