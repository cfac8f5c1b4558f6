//! Keys for what the panels do, so the app works from the keyboard alone: the
//! help overlay (F1 or ?), the projector theme (T), the language (L), the compare
//! view (C) and Esc to close what is open (the figure view of F too). The playback's keys are in playback.rs,
//! the compare clock's in compare.rs, a lesson's in lesson.rs.

use bevy::prelude::*;

use super::compare::Comparison;
use super::model::Editor;
use super::model::Loaded;
use super::playback::{Figure, Playhead, Present, Typing};
use super::settings::Settings;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Help>().add_systems(Update, shortcuts);
}

/// The help overlay listing every key is open.
#[derive(Resource, Default)]
pub struct Help(pub bool);

/// Every key of the app and what it does (a key in the language files), in the
/// order the help overlay lists them.
pub const KEYS: [(&str, &str); 17] = [
    ("Space", "app.k_play"),
    ("→ / PageDown", "app.k_next"),
    ("← / PageUp", "app.k_back"),
    ("Shift + → / ←", "app.k_cycle"),
    ("Alt + → / ←", "app.k_event"),
    ("1 … 9", "app.k_choice"),
    ("Home / End", "app.k_ends"),
    ("+ / -", "app.k_speed"),
    ("P", "app.k_present"),
    ("F", "app.k_figure"),
    ("C", "app.k_compare"),
    ("T", "app.k_theme"),
    ("L", "app.k_lang"),
    ("F1 / ?", "app.k_help"),
    ("Esc", "app.k_escape"),
    ("Tab / Shift + Tab", "app.k_tab"),
    ("Enter", "app.k_enter"),
];

/// What key F needs: the figure view, the playhead it leaves and comes back to,
/// and the run.
type FigureView<'w> = (
    Option<ResMut<'w, Figure>>,
    Option<ResMut<'w, Playhead>>,
    Option<Res<'w, Loaded>>,
);

#[allow(clippy::too_many_arguments)]
fn shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    typing: Res<Typing>,
    mut help: ResMut<Help>,
    mut cmp: ResMut<Comparison>,
    editor: Res<Editor>,
    mut present: Option<ResMut<Present>>,
    settings: Option<ResMut<Settings>>,
    mut view: FigureView,
) {
    if typing.0 {
        return;
    }
    let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
    if keys.just_pressed(KeyCode::F1) || (shift && keys.just_pressed(KeyCode::Slash)) {
        help.0 = !help.0;
    }
    if keys.just_pressed(KeyCode::Escape) {
        // The innermost first: the help, the compare view, presentation mode.
        if help.0 {
            help.0 = false;
        } else if cmp.open {
            cmp.open = false;
        } else if let (Some(f), Some(p), Some(l), Some(shown)) = (
            view.0.as_mut().filter(|f| f.is_on()),
            view.1.as_mut(),
            view.2.as_ref(),
            present.as_mut(),
        ) {
            // Out of the figure view, back to where it was entered.
            f.toggle(&l.replay, p, shown);
        } else if let Some(p) = present.as_mut().filter(|p| p.0) {
            p.0 = false;
        }
    }
    if keys.just_pressed(KeyCode::KeyC) {
        if cmp.open {
            cmp.open = false;
        } else if cmp.runs.is_empty() {
            // The lecture's first comparison, under the editor's conditions.
            let labels: Vec<String> = crate::compare::CLASSIC
                .iter()
                .map(|s| s.to_string())
                .collect();
            cmp.load(&editor, &labels);
        } else {
            cmp.open = true;
        }
    }
    let (theme, lang) = (
        keys.just_pressed(KeyCode::KeyT),
        keys.just_pressed(KeyCode::KeyL),
    );
    if let Some(mut s) = settings.filter(|_| theme || lang) {
        if theme {
            s.projector = !s.projector;
        }
        if lang {
            let all = crate::i18n::Lang::ALL;
            let i = all.iter().position(|l| *l == s.lang).unwrap_or(0);
            s.lang = all[(i + 1) % all.len()];
        }
        // Remembered for next time; a failure to save only loses that.
        let _ = s.save();
    }
}
