//! Colours: the Okabe–Ito palette, safe for colour-blind viewers, on a dark
//! background that reads well on a projector.

use bevy::prelude::Color;

use crate::sim::event::{Activity, Agent, BusOwner, Mode};

pub const BACKGROUND: Color = Color::srgb(0.08, 0.09, 0.11);
pub const BAND_USER: Color = Color::srgb(0.10, 0.14, 0.12);
pub const BAND_KERNEL: Color = Color::srgb(0.14, 0.11, 0.10);
pub const BAND_HARDWARE: Color = Color::srgb(0.10, 0.11, 0.15);
pub const BOX: Color = Color::srgb(0.18, 0.19, 0.22);
pub const CELL_EMPTY: Color = Color::srgb(0.24, 0.25, 0.28);
pub const CELL_FULL: Color = Color::srgb(0.85, 0.85, 0.80);
pub const TEXT: Color = Color::srgb(0.93, 0.93, 0.93);
pub const TEXT_DIM: Color = Color::srgb(0.62, 0.63, 0.66);
pub const TEXT_DARK: Color = Color::srgb(0.05, 0.05, 0.05);

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

pub fn bus(b: BusOwner) -> Color {
    match b {
        BusOwner::Idle => CELL_EMPTY,
        BusOwner::Cpu => CPU,
        BusOwner::DiskDma | BusOwner::NicDma => DMA,
    }
}

pub fn activity(a: Activity) -> Color {
    match a {
        Activity::Process => USER,
        Activity::Syscall => KERNEL,
        Activity::Copy => CPU,
        Activity::Interrupt => IRQ,
        Activity::Idle => CELL_EMPTY,
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
