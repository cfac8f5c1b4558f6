//! CSV: one row per event. The columns every event shares come first; the rest of
//! the event's fields are in `detail` as JSON, so the header never changes.
//! `--excel` starts the file with a UTF-8 byte-order mark so Excel reads it as UTF-8.

use crate::sim::{Event, Setup};

pub const HEADER: [&str; 6] = ["seq", "cycle", "time_ns", "type", "summary", "detail"];

pub fn export(events: &[Event], setup: &Setup, excel: bool) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    if excel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(|e| e.to_string())?;
    let mut out = w.into_inner().map_err(|e| e.to_string())?;
    out.extend_from_slice(&super::in_parallel(events, |part| rows(part, setup))?);
    Ok(out)
}

/// The rows of some events (no header).
fn rows(events: &[Event], setup: &Setup) -> Result<Vec<u8>, String> {
    let mut w = ::csv::Writer::from_writer(Vec::with_capacity(events.len() * 240));
    for e in events {
        // The detail is the event's JSON (with its type, like a JSON Lines row).
        let detail = serde_json::to_string(&e.kind).map_err(|e| e.to_string())?;
        let kind = kind_name(&detail).to_string();
        let summary = crate::narrate::narrate(e, setup);
        w.write_record([
            e.seq.to_string(),
            e.cycle.to_string(),
            format!("{:.3}", super::ns(e.cycle, setup)),
            kind,
            summary,
            detail,
        ])
        .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// The `type` of a serialized event: `{"type":"copy",...}` gives `copy`.
fn kind_name(json: &str) -> &str {
    json.strip_prefix("{\"type\":\"")
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
}
