//! The app's language: its texts (assets/lang/*.ron) and the fonts that draw
//! them. Switching language re-reads the texts; the choice is remembered.

use bevy::asset::AssetId;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::settings::Settings;
use crate::i18n::{Lang, Texts};

/// Noto Sans CJK SC, cut down to common hanzi (tools/subset-cjk-font.sh); licence in
/// assets/fonts. Built into the binary so Chinese renders on a machine with no CJK fonts.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-iolab.otf");

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, scene_font)
        .add_systems(PreUpdate, follow_settings)
        .add_systems(EguiPrimaryContextPass, egui_font);
}

/// The scene's text uses Bevy's default font handle: put the CJK font there (it
/// has Latin glyphs too), so every label can be in either language.
fn scene_font(mut fonts: ResMut<Assets<Font>>) {
    if let Err(e) = fonts.insert(AssetId::default(), Font::from_bytes(CJK_FONT.to_vec())) {
        warn!("could not install the CJK font for the scene: {e}");
    }
}

/// egui keeps its own fonts; the CJK font goes last, for the glyphs they lack.
fn egui_font(mut contexts: EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "noto_sans_sc".into(),
        std::sync::Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("noto_sans_sc".into());
    }
    ctx.set_fonts(fonts);
    *done = true;
    Ok(())
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

fn follow_settings(settings: Res<Settings>, mut tr: ResMut<Tr>) {
    if tr.lang != settings.lang {
        *tr = Tr::new(settings.lang);
    }
}
