//! The viewer's settings, remembered between runs: the UI scale and the projector
//! theme (high contrast, large text). Stored as RON in the user's config folder.

use std::path::PathBuf;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

pub(super) fn plugin(app: &mut App) {
    if !app.world().contains_resource::<Settings>() {
        app.insert_resource(Settings::load());
    }
    let projector = app.world().resource::<Settings>().projector;
    app.insert_resource(super::palette::Theme { projector });
    app.add_systems(PreUpdate, follow_theme);
}

/// The scene's colours and the window's background follow the projector switch.
fn follow_theme(
    settings: Res<Settings>,
    mut theme: ResMut<super::palette::Theme>,
    mut clear: ResMut<ClearColor>,
) {
    if theme.projector != settings.projector {
        theme.projector = settings.projector;
    }
    if clear.0 != theme.background() {
        clear.0 = theme.background();
    }
}

/// The UI scales the app offers (the slider's range; a stored value is kept in it).
pub const UI_SCALES: std::ops::RangeInclusive<f32> = 0.75..=2.5;

#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// egui zoom: 1.0 is normal, 1.5 reads from the back of a classroom.
    pub ui_scale: f32,
    /// Light panels with strong contrast, for projectors that wash out dark themes.
    pub projector: bool,
    /// The language of the labels and the narration.
    pub lang: crate::i18n::Lang,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ui_scale: 1.0,
            projector: false,
            lang: crate::i18n::Lang::En,
        }
    }
}

impl Settings {
    /// `settings.ron` in the platform's config folder: `$XDG_CONFIG_HOME/iolab` (else
    /// `~/.config/iolab`) on Linux, `~/Library/Application Support/iolab` on macOS,
    /// `%APPDATA%\iolab\config` on Windows.
    pub fn path() -> Option<PathBuf> {
        let dirs = directories::ProjectDirs::from("", "", "iolab")?;
        Some(dirs.config_dir().join("settings.ron"))
    }

    /// The saved settings; defaults when there are none or they cannot be read.
    pub fn load() -> Settings {
        Settings::path()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| ron::from_str::<Settings>(&t).ok())
            .map(|s| s.clamped())
            .unwrap_or_default()
    }

    pub fn clamped(mut self) -> Settings {
        self.ui_scale = if self.ui_scale.is_finite() {
            self.ui_scale.clamp(*UI_SCALES.start(), *UI_SCALES.end())
        } else {
            1.0
        };
        self
    }

    /// Saves atomically; a failure only means the settings are not remembered.
    pub fn save(&self) -> Result<(), String> {
        let p = Settings::path().ok_or("no config folder to keep settings in")?;
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(|e| e.to_string())?;
        crate::session::write_atomic(&p, text.as_bytes()).map_err(|e| e.to_string())
    }
}
