//! `iolab run`: one scenario to the end, its counters, and its trace.

use std::path::PathBuf;

use serde::Serialize;

use super::flags::RunFlags;
use crate::metrics::{self, Reading};
use crate::scenario;
use crate::session::{self, Overrides, UserError, failed_call, locate, resolve, write_atomic};
use crate::sim::{Counters, Setup};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

pub struct RunArgs {
    pub scenario: Option<PathBuf>,
    pub flags: RunFlags,
    pub summary: SummaryFormat,
    pub trace: Option<PathBuf>,
    pub format: crate::trace::Format,
    pub excel: bool,
}

pub fn run(a: RunArgs) -> Result<(), UserError> {
    let overrides = Overrides::from(&a.flags);
    let (_, setup) = resolve(&a.scenario, &overrides)?;
    let m = session::simulate(setup)?;
    if let Some(path) = a.trace {
        let bytes = crate::trace::export(a.format, &m.log.events, &m.setup, a.excel)
            .map_err(|e| UserError(format!("{}: cannot export the trace: {e}", path.display())))?;
        write_atomic(&path, &bytes)
            .map_err(|e| UserError(format!("{}: cannot write the trace: {e}", path.display())))?;
    }
    // A call the kernel refused (a misaligned O_DIRECT read) ends the program.
    if let Some((what, _)) = failed_call(&m) {
        let why = m
            .setup
            .dio_problem()
            .map(|(f, msg)| (scenario::ron_path(f).to_string(), msg));
        let (field, msg) =
            why.unwrap_or_else(|| ("workload".into(), "a system call failed".into()));
        return Err(UserError(format!(
            "{}: {msg}: {what} (EINVAL) and the program stopped",
            locate(&a.scenario, &overrides, &field)
        )));
    }
    let c = m.counters();
    if let Some(note) = classroom_note(&m.setup, c) {
        eprintln!("{note}");
    }
    match a.summary {
        SummaryFormat::Text => {
            print!("{}", text_summary(&m.setup, c));
            let pct = |r: Option<f64>| r.map_or("-".into(), |r| format!("{:.0}%", r * 100.0));
            for f in metrics::file_summaries(&m.setup, c) {
                println!(
                    "  file {:<16} {} hits ({} on pages read ahead), {} misses, hit ratio {}, reuse {}",
                    f.name,
                    f.hits,
                    f.readahead_hits,
                    f.misses,
                    pct(f.hit_ratio),
                    pct(f.reuse_ratio)
                );
            }
        }
        SummaryFormat::Json => {
            let s = Summary {
                method: m.setup.method.name(),
                io_model: (m.setup.method == crate::sim::Method::Recv)
                    .then(|| m.setup.io_model.name()),
                file_size: m.expected,
                buffer_size: m.setup.buffer_size,
                counters: c,
                files: metrics::file_summaries(&m.setup, m.counters()),
            };
            println!("{}", serde_json::to_string(&s).unwrap_or_default());
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Summary<'a> {
    method: &'static str,
    /// recv: the I/O model it waited with.
    #[serde(skip_serializing_if = "Option::is_none")]
    io_model: Option<&'static str>,
    file_size: u64,
    buffer_size: u64,
    #[serde(flatten)]
    counters: &'a Counters,
    /// Multi-file scenarios: each file's page-cache hits, misses and hit ratio.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<metrics::FileSummary>,
}

/// A large file on the classroom profile runs as asked, but byte by byte on a
/// machine built to show 40 bytes: say what that cost and what runs it as a
/// real machine would (on stderr, so a JSON summary stays clean).
fn classroom_note(s: &Setup, c: &Counters) -> Option<String> {
    let total: u64 = if s.files.is_empty() {
        s.file_size
    } else {
        s.files.iter().map(|f| f.size).sum()
    };
    if s.hw.profile != "classroom" || total <= 4096 {
        return None;
    }
    Some(format!(
        "note: the classroom profile is tiny on purpose (pages of {} bytes, {} of them): this {total}-byte run took {} interrupts and {} of simulated time; --profile modern runs the same sizes with {} KiB pages",
        s.hw.page_size,
        s.hw.cache_pages,
        c.interrupts,
        metrics::seconds(c.cycles, s.hw.clock_hz),
        crate::sim::Hardware::modern().page_size / 1024
    ))
}

/// One line that says what was run.
pub fn describe(s: &Setup) -> String {
    let sg = if s.hw.nic_sg { "on" } else { "off" };
    let cache = if s.warm_cache { "warm" } else { "cold" };
    if !s.files.is_empty() {
        let names: Vec<&str> = s.files.iter().map(|f| f.name.as_str()).collect();
        return format!(
            "{}: {} files ({}), {} rounds, {} profile, disk {}, NIC SG {sg}, {cache} cache, {} policy",
            s.method.name(),
            s.files.len(),
            names.join(", "),
            s.rounds,
            s.hw.profile,
            s.hw.disk.name(),
            s.hw.cache_policy.name()
        );
    }
    if s.method == crate::sim::Method::Recv {
        // No file and no disk: a message arrives from the network.
        return format!(
            "recv: {} B message, {} B buffer, {} profile, I/O model {}, arrives after {} cycles",
            s.file_size,
            s.buffer_size,
            s.hw.profile,
            s.io_model.name(),
            s.arrival_delay
        );
    }
    if s.method.writes() {
        // No socket: what matters is how the file reaches the disk.
        return format!(
            "{}: {} B file, {} B buffer, {} profile, disk {}, sync {}, dirty_limit {} pages, {cache} cache, {}",
            s.method.name(),
            s.file_size,
            s.buffer_size,
            s.hw.profile,
            s.hw.disk.name(),
            s.sync.name(),
            s.hw.dirty_limit,
            s.style.name()
        );
    }
    format!(
        "{}: {} B file, {} B buffer, {} profile, disk {}, NIC SG {sg}, {cache} cache, {}",
        s.method.name(),
        s.file_size,
        s.buffer_size,
        s.hw.profile,
        s.hw.disk.name(),
        s.style.name()
    )
}

/// The counters of the summary, one per line, from the metrics table.
fn text_summary(s: &Setup, c: &Counters) -> String {
    let mut o = format!("{}\n", describe(s));
    for m in metrics::SUMMARY {
        let detail = match m.key {
            _ if m.bytes(c).is_some() => format!("   ({} bytes)", m.bytes(c).unwrap_or(0)),
            "cycles" => format!(
                "   ({} simulated)",
                metrics::seconds(c.cycles, s.hw.clock_hz)
            ),
            "cpu_busy_cycles" => format!("   ({:.0}% of the run)", metrics::busy_percent(c)),
            _ => String::new(),
        };
        let value = match m.total(c) {
            Reading::Yes(b) => (if b { "yes" } else { "NO" }).to_string(),
            _ => m.format(c),
        };
        o += &format!("  {:<16} {value}{detail}\n", m.key);
    }
    for m in metrics::MORE {
        if m.value(c) != 0.0 {
            o += &format!("  {:<16} {}\n", m.key, m.format(c));
        }
    }
    o
}
