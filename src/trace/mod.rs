//! Trace exports of the event log: JSON Lines, CSV, Chrome Trace Event JSON (for
//! Perfetto and chrome://tracing) and VCD (for GTKWave and Surfer).
//!
//! Every format is a function of the same log; files are written atomically by the
//! caller (`session::write_atomic`).

pub mod chrome;
pub mod csv;
pub mod vcd;

use crate::sim::{Event, Setup};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Chrome,
    Vcd,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Jsonl, Format::Csv, Format::Chrome, Format::Vcd];

    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Chrome => "chrome",
            Format::Vcd => "vcd",
        }
    }
}

/// The log in a format, as bytes ready to write.
pub fn export(
    format: Format,
    events: &[Event],
    setup: &Setup,
    excel: bool,
) -> Result<Vec<u8>, String> {
    match format {
        Format::Jsonl => in_parallel(events, |part| Ok(jsonl(part).into_bytes())),
        Format::Csv => csv::export(events, setup, excel),
        Format::Chrome => Ok(chrome::export(events, setup)),
        Format::Vcd => vcd::export(events, setup),
    }
}

/// Runs `part` on consecutive slices of the log on every core and joins the bytes
/// in order, so the output is the same as one pass (for formats whose rows do not
/// depend on earlier events).
pub fn in_parallel(
    events: &[Event],
    part: impl Fn(&[Event]) -> Result<Vec<u8>, String> + Sync,
) -> Result<Vec<u8>, String> {
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if cores == 1 || events.len() < 10_000 {
        return part(events);
    }
    let size = events.len().div_ceil(cores);
    let parts: Vec<Result<Vec<u8>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = events
            .chunks(size)
            .map(|chunk| s.spawn(|| part(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("an export thread failed".into()))
            })
            .collect()
    });
    let parts = parts.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.extend_from_slice(&p);
    }
    Ok(out)
}

/// Simulated time of a cycle in nanoseconds, from the profile's clock.
pub fn ns(cycle: u64, setup: &Setup) -> f64 {
    cycle as f64 * 1e9 / setup.hw.clock_hz.max(1) as f64
}

/// The event log as JSON Lines: one event per line, fields as in `sim::event`.
pub fn jsonl(events: &[Event]) -> String {
    let mut out = Vec::with_capacity(events.len() * 160);
    for e in events {
        // Serializing our own plain types cannot fail.
        let _ = serde_json::to_writer(&mut out, e);
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap_or_default()
}
