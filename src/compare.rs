//! `iolab compare`: the same conditions through several methods, one row each.

use std::path::PathBuf;

use serde::Serialize;

use crate::cli::{OnOff, Overrides, TableFormat, UserError, resolve, simulate};
use crate::sim::{Counters, DiskTransfer, Method};

#[derive(Serialize, Clone, Debug)]
pub struct Row {
    /// The label asked for, e.g. `sendfile+sg`.
    pub label: String,
    pub method: &'static str,
    pub disk: &'static str,
    pub nic_sg: bool,
    #[serde(flatten)]
    pub counters: Counters,
}

/// Parses `method[+sg|+nosg|+pio|+dma]...`.
fn parse_label(label: &str, base: &Overrides) -> Result<Overrides, UserError> {
    let mut parts = label.trim().split('+');
    let name = parts.next().unwrap_or("");
    let method = Method::parse(name).ok_or_else(|| {
        let names: Vec<_> = Method::ALL.iter().map(|m| m.name()).collect();
        UserError(format!(
            "--methods: unknown method `{name}` (known: {})",
            names.join(", ")
        ))
    })?;
    let mut ov = base.clone();
    ov.method = Some(method);
    for p in parts {
        match p {
            "sg" => ov.nic_sg = Some(OnOff::On),
            "nosg" => ov.nic_sg = Some(OnOff::Off),
            "pio" => ov.disk = Some(crate::cli::DiskArg::Pio),
            "dma" => ov.disk = Some(crate::cli::DiskArg::Dma),
            other => {
                return Err(UserError(format!(
                    "--methods: unknown modifier `+{other}` in `{label}` (use +sg, +nosg, +pio, +dma)"
                )));
            }
        }
    }
    Ok(ov)
}

pub fn compare(
    scenario: &Option<PathBuf>,
    base: &Overrides,
    labels: &[String],
) -> Result<Vec<Row>, UserError> {
    let mut rows = Vec::new();
    for label in labels {
        let ov = parse_label(label, base)?;
        let (_, setup) =
            resolve(scenario, &ov).map_err(|UserError(m)| UserError(format!("{label}: {m}")))?;
        let m = simulate(setup)?;
        rows.push(Row {
            label: label.trim().to_string(),
            method: m.setup.method.name(),
            disk: match m.setup.hw.disk {
                DiskTransfer::Pio => "pio",
                DiskTransfer::Dma => "dma",
            },
            nic_sg: m.setup.hw.nic_sg,
            counters: m.counters().clone(),
        });
    }
    Ok(rows)
}

const HEAD: [&str; 10] = [
    "method",
    "syscalls",
    "mode_switches",
    "cpu_copies",
    "dma_copies",
    "interrupts",
    "cycles",
    "cpu_busy_cycles",
    "bytes_delivered",
    "data_intact",
];

fn cells(r: &Row) -> Vec<String> {
    let c = &r.counters;
    let num = |x: f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.3}")
        }
    };
    vec![
        r.label.clone(),
        c.syscalls.to_string(),
        c.mode_switches.to_string(),
        num(c.cpu_copies),
        num(c.dma_copies),
        c.interrupts.to_string(),
        c.cycles.to_string(),
        c.cpu_busy_cycles.to_string(),
        c.bytes_delivered.to_string(),
        c.data_intact.to_string(),
    ]
}

pub fn render(rows: &[Row], format: TableFormat) -> String {
    let body: Vec<Vec<String>> = rows.iter().map(cells).collect();
    match format {
        TableFormat::Json => serde_json::to_string_pretty(rows).unwrap_or_default() + "\n",
        TableFormat::Csv => {
            let mut o = HEAD.join(",") + "\n";
            for r in &body {
                o += &(r.join(",") + "\n");
            }
            o
        }
        TableFormat::Markdown => {
            let mut o = format!("| {} |\n", HEAD.join(" | "));
            o += &format!("|{}\n", HEAD.iter().map(|_| "---|").collect::<String>());
            for r in &body {
                o += &format!("| {} |\n", r.join(" | "));
            }
            o
        }
        TableFormat::Text => {
            let widths: Vec<usize> = (0..HEAD.len())
                .map(|i| {
                    body.iter()
                        .map(|r| r[i].len())
                        .chain([HEAD[i].len()])
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
            let mut o = line(HEAD.to_vec());
            for r in &body {
                o += &line(r.iter().map(|s| s.as_str()).collect());
            }
            o
        }
    }
}
