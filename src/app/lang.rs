//! The app's language: its texts (assets/lang/*.ron) and the fonts that draw
//! them. Switching language re-reads the texts; the choice is remembered.

use bevy::prelude::*;

use super::settings::Settings;
use crate::i18n::{Lang, Texts};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(PreUpdate, follow_settings);
}

/// The texts of the language in use.
#[derive(Resource, Clone, Debug)]
pub struct Tr {
    pub lang: Lang,
    pub texts: Texts,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            texts: Texts::of(lang),
        }
    }
}

impl Default for Tr {
    fn default() -> Self {
        Tr::new(Lang::En)
    }
}

fn follow_settings(settings: Res<Settings>, tr: Option<ResMut<Tr>>, mut commands: Commands) {
    match tr {
        Some(mut tr) if tr.lang != settings.lang => *tr = Tr::new(settings.lang),
        Some(_) => {}
        None => commands.insert_resource(Tr::new(settings.lang)),
    }
}
