//! Colours: the Okabe–Ito palette, safe for colour-blind viewers, on a dark
//! background that reads well on a projector.

use bevy::prelude::Color;

use crate::sim::event::{Activity, Agent, BusOwner, Mode};

/// The neutral colours of the scene: dark by default, light and high-contrast for
/// projectors that wash out dark scenes. The agents' colours are the same in both.
struct Neutrals {
    background: Color,
    band_user: Color,
    band_kernel: Color,
    band_hardware: Color,
    boxes: Color,
    cell_empty: Color,
    cell_full: Color,
    text: Color,
    text_dim: Color,
    /// The write path's page titles: a dirty page, a page on its way to the disk.
    dirty: Color,
    writeback: Color,
}

const DARK: Neutrals = Neutrals {
    background: Color::srgb(0.08, 0.09, 0.11),
    band_user: Color::srgb(0.10, 0.14, 0.12),
    band_kernel: Color::srgb(0.14, 0.11, 0.10),
    band_hardware: Color::srgb(0.10, 0.11, 0.15),
    boxes: Color::srgb(0.18, 0.19, 0.22),
    cell_empty: Color::srgb(0.24, 0.25, 0.28),
    cell_full: Color::srgb(0.85, 0.85, 0.80),
    text: Color::srgb(0.93, 0.93, 0.93),
    text_dim: Color::srgb(0.62, 0.63, 0.66),
    // Vermillion and sky blue, lightened to read on the dark boxes.
    dirty: Color::srgb(1.0, 0.55, 0.25),
    writeback: Color::srgb(0.45, 0.78, 1.0),
};

const LIGHT: Neutrals = Neutrals {
    background: Color::srgb(0.98, 0.98, 0.97),
    band_user: Color::srgb(0.88, 0.95, 0.91),
    band_kernel: Color::srgb(0.98, 0.91, 0.86),
    band_hardware: Color::srgb(0.89, 0.91, 0.98),
    boxes: Color::srgb(1.0, 1.0, 1.0),
    cell_empty: Color::srgb(0.80, 0.81, 0.84),
    // A dark amber: a full byte cell stands out from the white box it sits on
    // (5 : 1), and its value reads in white.
    cell_full: Color::srgb(0.60, 0.38, 0.0),
    text: Color::srgb(0.0, 0.0, 0.0),
    text_dim: Color::srgb(0.25, 0.25, 0.30),
    // The same hues, darkened to read on white.
    dirty: Color::srgb(0.65, 0.22, 0.0),
    writeback: Color::srgb(0.0, 0.30, 0.55),
};

/// The theme the scene is drawn in: a Bevy resource that follows the projector
/// switch of the settings.
#[derive(bevy::prelude::Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Theme {
    pub projector: bool,
}

impl Theme {
    fn neutrals(&self) -> &'static Neutrals {
        if self.projector { &LIGHT } else { &DARK }
    }
    pub fn background(&self) -> Color {
        self.neutrals().background
    }
    pub fn band_user(&self) -> Color {
        self.neutrals().band_user
    }
    pub fn band_kernel(&self) -> Color {
        self.neutrals().band_kernel
    }
    pub fn band_hardware(&self) -> Color {
        self.neutrals().band_hardware
    }
    pub fn boxes(&self) -> Color {
        self.neutrals().boxes
    }
    pub fn cell_empty(&self) -> Color {
        self.neutrals().cell_empty
    }
    pub fn cell_full(&self) -> Color {
        self.neutrals().cell_full
    }
    pub fn text(&self) -> Color {
        self.neutrals().text
    }
    pub fn text_dim(&self) -> Color {
        self.neutrals().text_dim
    }
    pub fn dirty(&self) -> Color {
        self.neutrals().dirty
    }
    pub fn writeback(&self) -> Color {
        self.neutrals().writeback
    }

    pub fn bus(&self, b: BusOwner) -> Color {
        match b {
            BusOwner::Idle => self.cell_empty(),
            BusOwner::Cpu => CPU,
            BusOwner::DiskDma | BusOwner::NicDma => DMA,
        }
    }

    pub fn activity(&self, a: Activity) -> Color {
        match a {
            Activity::Process => USER,
            Activity::Syscall => KERNEL,
            Activity::Copy => CPU,
            Activity::Interrupt => IRQ,
            Activity::OwnWork => USER,
            Activity::Idle => self.cell_empty(),
        }
    }
}

/// Text on a full (light) cell: dark in both themes.
pub const TEXT_DARK: Color = Color::srgb(0.05, 0.05, 0.05);
pub const TEXT_LIGHT: Color = Color::srgb(1.0, 1.0, 1.0);

/// WCAG relative luminance of a colour.
pub fn luminance(c: Color) -> f32 {
    let s = c.to_srgba();
    let lin = |v: f32| {
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(s.red) + 0.7152 * lin(s.green) + 0.0722 * lin(s.blue)
}

/// WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: Color, b: Color) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Dark or light text, whichever reads better on `bg`.
pub fn text_on(bg: Color) -> Color {
    if contrast(TEXT_DARK, bg) >= contrast(TEXT_LIGHT, bg) {
        TEXT_DARK
    } else {
        TEXT_LIGHT
    }
}

pub const CPU: Color = Color::srgb(0.902, 0.624, 0.0); // orange
pub const DMA: Color = Color::srgb(0.0, 0.447, 0.698); // blue
pub const DEVICE: Color = Color::srgb(0.0, 0.620, 0.451); // bluish green
pub const USER: Color = Color::srgb(0.337, 0.706, 0.914); // sky blue
pub const KERNEL: Color = Color::srgb(0.835, 0.369, 0.0); // vermillion
pub const HIT: Color = Color::srgb(0.0, 0.620, 0.451);
pub const MISS: Color = Color::srgb(0.941, 0.894, 0.259); // yellow
pub const EVICT: Color = Color::srgb(0.800, 0.475, 0.655); // reddish purple
pub const IRQ: Color = Color::srgb(0.941, 0.894, 0.259);

pub fn agent(a: Agent) -> Color {
    match a {
        Agent::Cpu => CPU,
        Agent::Dma => DMA,
        Agent::Device => DEVICE,
    }
}

pub fn mode(m: Mode) -> Color {
    match m {
        Mode::User => USER,
        Mode::Kernel => KERNEL,
    }
}

/// The same colour for egui.
pub fn egui(c: Color) -> bevy_egui::egui::Color32 {
    let s = c.to_srgba();
    bevy_egui::egui::Color32::from_rgb(
        (s.red * 255.0) as u8,
        (s.green * 255.0) as u8,
        (s.blue * 255.0) as u8,
    )
}
