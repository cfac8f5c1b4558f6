//! `iolab compare`: the same conditions through several methods, one row each.

use std::path::PathBuf;

use serde::Serialize;

use crate::i18n::{Lang, Texts};
use crate::metrics::{CACHE_COLUMNS, CHARTS, FAULT_COLUMNS, SUMMARY, WRITE_COLUMNS};
use crate::scenario::CacheState;
use crate::session::{Overrides, UserError, resolve, simulate};
use crate::sim::event::Event;

pub use crate::lanes::{Lane, Spans};
use crate::sim::program::{IoModel, SyncMode};
use crate::sim::{Counters, DiskTransfer, Method, Setup};

#[derive(Serialize, Clone, Debug)]
pub struct Row {
    /// The label asked for, e.g. `sendfile+sg`.
    pub label: String,
    pub method: &'static str,
    pub disk: &'static str,
    pub nic_sg: bool,
    #[serde(flatten)]
    pub counters: Counters,
    /// Multi-file runs: each file's hits, readahead hits, misses and reuse.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::metrics::FileSummary>,
}

/// What may follow a method in a label, each after a `+`.
pub const MODIFIERS: &str = "+sg, +nosg, +pio, +dma, +warm, +cold, +classroom, +modern, \
     +poll, +irq (disk completions), +nvme, +controller (the disk's interface), for io_uring +sqpoll, for recv an I/O model: +blocking, +nonblocking, +multiplexing, +signal_driven, +async, \
     and for the write methods a sync mode: +none, +fsync, +o_sync, +o_direct";

/// Parses `method[+sg|+nosg|+pio|+dma|+warm|+cold|+classroom|+modern|+io_model]...`:
/// a method and the hardware, cache or I/O model it runs with. The same labels
/// work for `run --method` and `compare --methods`.
pub fn parse_label(label: &str, base: &Overrides) -> Result<Overrides, String> {
    let mut parts = label.trim().split('+');
    let name = parts.next().unwrap_or("");
    let method = Method::parse(name).ok_or_else(|| {
        let names: Vec<_> = Method::ALL.iter().map(|m| m.name()).collect();
        format!("unknown method `{name}` (known: {})", names.join(", "))
    })?;
    let mut ov = base.clone();
    ov.method = Some(method);
    for p in parts {
        match p {
            "sg" => ov.nic_sg = Some(true),
            "nosg" => ov.nic_sg = Some(false),
            "pio" => ov.disk = Some(DiskTransfer::Pio),
            "dma" => ov.disk = Some(DiskTransfer::Dma),
            "warm" => ov.cache = Some(CacheState::Warm),
            "cold" => ov.cache = Some(CacheState::Cold),
            "classroom" | "modern" => ov.profile = Some(p.to_string()),
            "sqpoll" if method == Method::IoUring => ov.sqpoll = Some(true),
            "poll" => ov.completion = Some(crate::sim::Completion::Poll),
            "nvme" => ov.disk_interface = Some(crate::sim::DiskInterface::Nvme),
            "controller" => ov.disk_interface = Some(crate::sim::DiskInterface::Controller),
            "irq" => ov.completion = Some(crate::sim::Completion::Irq),
            other => match (IoModel::parse(other), SyncMode::parse(other)) {
                (Some(model), _) if method == Method::Recv => ov.io_model = Some(model),
                (_, Some(sync)) if method.writes() => ov.sync = Some(sync),
                _ => {
                    return Err(format!(
                        "unknown modifier `+{other}` in `{label}` (use {MODIFIERS})"
                    ));
                }
            },
        }
    }
    Ok(ov)
}

/// One run of a comparison: its row of counters and its whole event log.
pub struct Run {
    pub row: Row,
    pub setup: Setup,
    pub events: Vec<Event>,
}

/// Runs each label under the same base overrides; `setup_of` turns overrides into
/// a machine setup (from a scenario file for the CLI, from the editor in the app).
pub fn runs(
    labels: &[String],
    base: &Overrides,
    setup_of: impl Fn(&Overrides) -> Result<Setup, UserError>,
) -> Result<Vec<Run>, UserError> {
    let mut out = Vec::new();
    for label in labels {
        let ov = parse_label(label, base).map_err(|m| UserError(format!("--methods: {m}")))?;
        let setup = setup_of(&ov).map_err(|UserError(m)| UserError(format!("{label}: {m}")))?;
        let mut m = simulate(setup).map_err(|UserError(m)| UserError(format!("{label}: {m}")))?;
        let row = Row {
            label: label.trim().to_string(),
            method: m.setup.method.name(),
            disk: match m.setup.hw.disk {
                DiskTransfer::Pio => "pio",
                DiskTransfer::Dma => "dma",
            },
            nic_sg: m.setup.hw.nic_sg,
            counters: m.counters().clone(),
            files: crate::metrics::file_summaries(&m.setup, m.counters()),
        };
        let events = std::mem::take(&mut m.log.events);
        out.push(Run {
            row,
            setup: m.setup.clone(),
            events,
        });
    }
    Ok(out)
}

pub fn compare(
    scenario: &Option<PathBuf>,
    base: &Overrides,
    labels: &[String],
) -> Result<Vec<Row>, UserError> {
    let runs = runs(labels, base, |ov| resolve(scenario, ov).map(|(_, s)| s))?;
    Ok(runs.into_iter().map(|r| r.row).collect())
}

/// The two comparisons a lecture starts from, as `--methods` labels.
/// sendfile without SG whatever the base scene says (from sendfile_sg it had SG too).
pub const CLASSIC: [&str; 4] = ["read_write", "mmap_write", "sendfile+nosg", "sendfile+sg"];
pub const PIO_VS_DMA: [&str; 2] = ["read+pio", "read+dma"];
/// The write path: the price of durability, and cp against copy_file_range.
pub const WRITE_PATH: [&str; 5] = [
    "write_file",
    "write_file+fsync",
    "write_file+o_sync",
    "copy_file",
    "copy_file_range",
];

/// The seed's story to its modern end: four copies, two, zero CPU copies, and
/// io_uring with zero-copy send and SQPOLL (no system call for the transfer).
pub const TO_IO_URING: [&str; 4] = [
    "read_write",
    "sendfile+nosg",
    "sendfile+sg",
    "io_uring+sg+sqpoll",
];

/// `classic`, `pio-dma`, `write-path`, `io-uring`, or comma-separated labels.
pub fn preset_or_labels(s: &str) -> Vec<String> {
    let preset: Option<&[&str]> = match s.trim() {
        "classic" => Some(&CLASSIC),
        "pio-dma" | "pio_vs_dma" => Some(&PIO_VS_DMA),
        "write-path" | "write_path" => Some(&WRITE_PATH),
        "io-uring" | "io_uring" => Some(&TO_IO_URING),
        _ => None,
    };
    match preset {
        Some(p) => p.iter().map(|l| l.to_string()).collect(),
        None => s
            .split(',')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
    }
}

/// How `render` prints the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

/// One colour per run, after Paul Tol's muted scheme (safe for colour-blind
/// viewers, readable on the dark and the projector theme), never the agents'
/// colours (the CPU's orange, DMA's blue): a chart of runs must not read as a chart
/// of copies. As sRGB bytes.
pub const RUN_COLOURS: [(u8, u8, u8); 6] = [
    (170, 68, 153),  // purple
    (68, 170, 153),  // teal
    (204, 102, 119), // rose
    (153, 153, 51),  // olive
    (221, 204, 119), // sand
    (136, 136, 136), // grey
];

/// The table's metrics: the summary's, and the write path's when a run writes.
fn columns(rows: &[Row]) -> Vec<&'static crate::metrics::Metric> {
    let writes = rows
        .iter()
        .any(|r| Method::parse(r.method).is_some_and(Method::writes));
    let extra: &[&crate::metrics::Metric] = if writes { &WRITE_COLUMNS } else { &[] };
    // Runs that found pages cached: hits, the hits readahead made (not reuse), misses.
    let cache: &[&crate::metrics::Metric] = if rows.iter().any(|r| r.counters.cache_hits > 0) {
        &CACHE_COLUMNS
    } else {
        &[]
    };
    // Runs that took page faults (realistic mmap): minor and major.
    let faults: &[&crate::metrics::Metric] = if rows
        .iter()
        .any(|r| r.counters.minor_faults + r.counters.major_faults > 0)
    {
        &FAULT_COLUMNS
    } else {
        &[]
    };
    SUMMARY
        .iter()
        .chain(extra)
        .chain(cache)
        .chain(faults)
        .copied()
        .collect()
}

pub fn render(rows: &[Row], format: TableFormat) -> String {
    let cols = columns(rows);
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            std::iter::once(r.label.clone())
                .chain(cols.iter().map(|m| m.format(&r.counters)))
                .collect()
        })
        .collect();
    let head: Vec<&str> = std::iter::once("method")
        .chain(cols.iter().map(|m| m.key))
        .collect();
    match format {
        TableFormat::Json => serde_json::to_string_pretty(rows).unwrap_or_default() + "\n",
        TableFormat::Csv => {
            let mut o = head.join(",") + "\n";
            for r in &body {
                o += &(r.join(",") + "\n");
            }
            o
        }
        TableFormat::Markdown => {
            let mut o = format!("| {} |\n", head.join(" | "));
            o += &format!("|{}\n", head.iter().map(|_| "---|").collect::<String>());
            for r in &body {
                o += &format!("| {} |\n", r.join(" | "));
            }
            o
        }
        TableFormat::Text => {
            let widths: Vec<usize> = (0..head.len())
                .map(|i| {
                    body.iter()
                        .map(|r| r[i].len())
                        .chain([head[i].len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |r: Vec<&str>| {
                r.iter()
                    .enumerate()
                    .map(|(i, s)| {
                        if i == 0 {
                            format!("{s:<w$}", w = widths[i])
                        } else {
                            format!("{s:>w$}", w = widths[i])
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
                    + "\n"
            };
            let mut o = line(head.clone());
            for r in &body {
                o += &line(r.iter().map(|s| s.as_str()).collect());
            }
            // Multi-file runs: each file's hit ratio, and how much of it is reuse.
            let pct = |r: Option<f64>| r.map_or("-".into(), |r| format!("{:.0}%", r * 100.0));
            for r in rows.iter().filter(|r| !r.files.is_empty()) {
                let files: Vec<String> = r
                    .files
                    .iter()
                    .map(|f| {
                        format!(
                            "{} {} (reuse {})",
                            f.name,
                            pct(f.hit_ratio),
                            pct(f.reuse_ratio)
                        )
                    })
                    .collect();
                o += &format!("{}: hit ratio {}\n", r.label, files.join(", "));
            }
            o
        }
    }
}

/// The bar charts as an SVG slide: one small chart per metric, one bar per run,
/// each bar labelled with its value. Text is left to the viewer's sans-serif font.
pub fn svg(rows: &[Row], title: &str, lang: Lang) -> Result<String, String> {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (1600, 900)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled(title, ("sans-serif", 36))
            .map_err(|e| e.to_string())?;
        let cells = root.split_evenly((2, 4));
        let n = rows.len().max(1) as u32;
        // The slide speaks the class's language (titles from the language files).
        let tr = Texts::of(lang);
        for (cell, metric) in cells.iter().zip(CHARTS) {
            let name = tr.t(metric.text);
            let values: Vec<f64> = rows.iter().map(|r| metric.value(&r.counters)).collect();
            let max = values.iter().cloned().fold(0.0, f64::max);
            let top = if max > 0.0 { max * 1.3 } else { 1.0 };
            let mut chart = ChartBuilder::on(cell)
                .caption(name.as_ref(), ("sans-serif", 28))
                .margin(12)
                .x_label_area_size(28)
                .y_label_area_size(150)
                .build_cartesian_2d(0.0..top, (0..n - 1).into_segmented())
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(WHITE)
                .x_labels(3)
                .x_label_formatter(&|v| short_number(*v))
                .y_labels(n as usize)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) if *i < n => rows
                        .get((n - 1 - *i) as usize)
                        .map(|r| r.label.clone())
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .label_style(("sans-serif", 20))
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    let (r, g, b) = RUN_COLOURS[i % RUN_COLOURS.len()];
                    let mut bar = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(n - 1 - i as u32)),
                            (*v, SegmentValue::Exact(n - i as u32)),
                        ],
                        RGBColor(r, g, b).filled(),
                    );
                    bar.set_margin(6, 6, 0, 0);
                    bar
                }))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    Text::new(
                        format!(" {}", short_number(*v)),
                        (*v, SegmentValue::CenterOf(n - 1 - i as u32)),
                        TextStyle::from(("sans-serif", 20).into_font())
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    )
                }))
                .map_err(|e| e.to_string())?;
        }
        // The eighth cell says how to read the charts.
        if let Some(key) = cells.get(CHARTS.len()) {
            let style = TextStyle::from(("sans-serif", 22).into_font());
            for (k, line) in tr.t("app.svg_key").lines().enumerate() {
                key.draw_text(line, &style, (30, 120 + 34 * k as i32))
                    .map_err(|e| e.to_string())?;
            }
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// 1234567 → "1.23M", 2.5 → "2.5", 12 → "12": short enough for a bar label.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    let (x, unit) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = if x.fract() == 0.0 || x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    s + unit
}
