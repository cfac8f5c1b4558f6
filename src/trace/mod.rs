//! Trace exports of the event log: JSON Lines, CSV, Chrome Trace Event JSON (for
//! Perfetto and chrome://tracing) and VCD (for GTKWave and Surfer).
//!
//! Every format is a function of the same log; files are written atomically by the
//! caller (`cli::write_atomic`).

pub mod chrome;
pub mod csv;
pub mod vcd;

use crate::sim::{Event, Setup};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
    Chrome,
    Vcd,
}

/// The log in a format, as bytes ready to write.
pub fn export(
    format: Format,
    events: &[Event],
    setup: &Setup,
    excel: bool,
) -> Result<Vec<u8>, String> {
    match format {
        Format::Jsonl => Ok(crate::cli::jsonl(events).into_bytes()),
        Format::Csv => csv::export(events, setup, excel),
        Format::Chrome => Ok(chrome::export(events, setup)),
        Format::Vcd => vcd::export(events, setup),
    }
}

/// Simulated time of a cycle in nanoseconds, from the profile's clock.
pub fn ns(cycle: u64, setup: &Setup) -> f64 {
    cycle as f64 * 1e9 / setup.hw.clock_hz.max(1) as f64
}
