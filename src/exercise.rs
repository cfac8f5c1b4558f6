//! Exercise sheets in the style of the OSTEP homework simulators: a seed makes the
//! problems, `--answers` adds the key (computed by the simulator), the header
//! echoes the command so any sheet can be made again, and each problem writes its
//! scenario file so a student can replay it and check an answer.

use std::fmt::Write as _;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::Serialize;

use crate::i18n::{self, Naming, Texts};
use crate::sim::event::EventKind;
use crate::sim::{Counters, DiskTransfer, Hardware, Machine, Method, Setup, Style};

/// What the answer key says about one problem (also written as answers.json).
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Answer {
    pub problem: usize,
    pub scenario: String,
    pub syscalls: u64,
    pub mode_switches: u64,
    pub cpu_copy_bytes: u64,
    pub dma_copy_bytes: u64,
    pub interrupts: u64,
}

/// A generated sheet: the Markdown, the scenario files, the answers.
pub struct Sheet {
    pub markdown: String,
    pub scenarios: Vec<(String, String)>,
    pub answers: Vec<Answer>,
}

const METHODS: [Method; 6] = Method::FILE;

fn pick<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[(rng.next_u64() % xs.len() as u64) as usize]
}

fn range(rng: &mut ChaCha8Rng, lo: u64, hi: u64) -> u64 {
    lo + rng.next_u64() % (hi - lo + 1)
}

fn scenario_text(s: &Setup) -> String {
    format!(
        "// iolab exercise scenario: replay it with `iolab gui FILE` or `iolab run FILE`.\n(\n    version: 1,\n    hardware: (profile: \"classroom\", disk: {}, nic_sg: {}, cache_pages: {}),\n    workload: (method: {}, style: {}),\n    conditions: (file_size: {}, buffer_size: {}, cache: {}, seed: {}),\n)\n",
        s.hw.disk.name(),
        s.hw.nic_sg,
        s.hw.cache_pages,
        s.method.name(),
        s.style.name(),
        s.file_size,
        s.buffer_size,
        if s.warm_cache { "warm" } else { "cold" },
        s.seed
    )
}

fn run(s: &Setup) -> Result<(Machine, Counters), String> {
    let m = crate::session::simulate(s.clone()).map_err(|e| e.0)?;
    let c = m.counters().clone();
    Ok((m, c))
}

/// Makes a sheet of `count` problems from `seed`.
pub fn generate(
    seed: u64,
    count: usize,
    lang: &str,
    answers: bool,
    command: &str,
) -> Result<Sheet, String> {
    let t = Texts::load(lang)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", t.get("title", &[]));
    let _ = writeln!(
        md,
        "{}\n",
        t.get("regenerate", &[("command", command.to_string())])
    );
    let _ = writeln!(md, "{}\n", t.get("intro", &[]));
    let mut scenarios = Vec::new();
    let mut key = Vec::new();
    let mut key_md = String::new();
    for n in 1..=count {
        let method = pick(&mut rng, &METHODS);
        let file_size = range(&mut rng, 16, 96);
        let mut buffer_size = pick(&mut rng, &[16u64, 24, 32, 48, 64, 128]);
        if method == Method::DirectIo {
            buffer_size = buffer_size.div_ceil(8) * 8;
        }
        let mut hw = Hardware::classroom();
        hw.disk = pick(&mut rng, &[DiskTransfer::Dma, DiskTransfer::Pio]);
        hw.nic_sg = rng.next_u64() % 2 == 0;
        hw.cache_pages = 16;
        let setup = Setup {
            name: format!("problem {n}"),
            hw,
            method,
            style: pick(&mut rng, &[Style::Textbook, Style::Realistic]),
            file_size,
            buffer_size,
            warm_cache: rng.next_u64() % 3 == 0,
            seed: range(&mut rng, 1, 999),
            ..Setup::default()
        };
        let file = format!("problem-{n:02}.ron");
        let (m, c) = run(&setup)?;
        let _ = writeln!(md, "## {}\n", t.get("problem", &[("n", n.to_string())]));
        let yes_no = |b: bool, a: &str, b_: &str| t.get(if b { a } else { b_ }, &[]);
        let _ = writeln!(
            md,
            "{}\n",
            t.get(
                "setup",
                &[
                    ("file_size", file_size.to_string()),
                    ("method", method.name().to_string()),
                    ("style", setup.style.name().to_string()),
                    ("buffer_size", buffer_size.to_string()),
                    ("disk", setup.hw.disk.name().to_uppercase()),
                    ("sg", yes_no(setup.hw.nic_sg, "sg_on", "sg_off")),
                    ("cache", yes_no(setup.warm_cache, "warm", "cold")),
                    ("file", file.clone()),
                ]
            )
        );
        // The data moves of the run, for "who moves the bytes at step k".
        let moves: Vec<_> = m
            .log
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Copy { .. }))
            .collect();
        let k = range(&mut rng, 1, moves.len().max(1) as u64) as usize;
        let q = [
            t.get("q_syscalls", &[]),
            t.get("q_switches", &[]),
            t.get("q_copies", &[]),
            t.get("q_interrupts", &[]),
            t.get("q_step", &[("k", k.to_string())]),
        ];
        for (i, text) in q.iter().enumerate() {
            let _ = writeln!(md, "{}. {text}", i + 1);
        }
        // A trace excerpt with blanks: the cycles of a few events are hidden.
        let start = range(&mut rng, 0, m.log.events.len().saturating_sub(6) as u64) as usize;
        let excerpt = &m.log.events[start..(start + 6).min(m.log.events.len())];
        let _ = writeln!(md, "6. {}\n", t.get("q_blanks", &[]));
        let _ = writeln!(md, "   | seq | cycle | event |\n   |---|---|---|");
        let mut blanks = Vec::new();
        for (j, e) in excerpt.iter().enumerate() {
            let kind = serde_json::to_value(&e.kind)
                .ok()
                .and_then(|v| v["type"].as_str().map(String::from))
                .unwrap_or_default();
            let cycle = if j % 2 == 1 {
                blanks.push(e.cycle.to_string());
                "____".to_string()
            } else {
                e.cycle.to_string()
            };
            let _ = writeln!(md, "   | {} | {cycle} | {kind} |", e.seq);
        }
        let _ = writeln!(md);
        scenarios.push((file.clone(), scenario_text(&setup)));
        let step = moves.get(k - 1).map(|e| match &e.kind {
            EventKind::Copy {
                from,
                to,
                len,
                agent,
                ..
            } => t.get(
                "a_step",
                &[
                    ("agent", i18n::agent(*agent, &t)),
                    ("from", i18n::place(from, Naming::Prose, &t)),
                    ("to", i18n::place(to, Naming::Prose, &t)),
                    ("len", len.to_string()),
                ],
            ),
            _ => String::new(),
        });
        let x = |v: f64| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.2}")
            }
        };
        let _ = writeln!(
            key_md,
            "### {}\n",
            t.get("problem", &[("n", n.to_string())])
        );
        let lines = [
            t.count("a_syscalls", c.syscalls),
            t.count("a_switches", c.mode_switches),
            t.get(
                "a_copies",
                &[
                    ("cpu", c.cpu_copy_bytes.to_string()),
                    ("cpu_x", x(c.cpu_copies)),
                    ("dma", c.dma_copy_bytes.to_string()),
                    ("dma_x", x(c.dma_copies)),
                ],
            ),
            t.count("a_interrupts", c.interrupts),
            step.unwrap_or_default(),
            t.get("a_blanks", &[("values", blanks.join(", "))]),
        ];
        for (i, l) in lines.iter().enumerate() {
            let _ = writeln!(key_md, "{}. {l}", i + 1);
        }
        let _ = writeln!(key_md);
        key.push(Answer {
            problem: n,
            scenario: file,
            syscalls: c.syscalls,
            mode_switches: c.mode_switches,
            cpu_copy_bytes: c.cpu_copy_bytes,
            dma_copy_bytes: c.dma_copy_bytes,
            interrupts: c.interrupts,
        });
    }
    // One comparison: which method leaves the CPU most free?
    let file_size = range(&mut rng, 32, 96);
    let buffer_size = 32;
    let sg = rng.next_u64() % 2 == 0;
    let disk = pick(&mut rng, &[DiskTransfer::Dma, DiskTransfer::Pio]);
    let candidates = [
        Method::ReadWrite,
        Method::MmapWrite,
        Method::Sendfile,
        Method::Splice,
    ];
    let mut best: Option<(Method, u64)> = None;
    for method in candidates {
        let mut hw = Hardware::classroom();
        hw.disk = disk;
        hw.nic_sg = sg;
        hw.cache_pages = 16;
        let s = Setup {
            hw,
            method,
            file_size,
            buffer_size,
            ..Setup::default()
        };
        let (_, c) = run(&s)?;
        if best.is_none_or(|b| c.cpu_busy_cycles < b.1) {
            best = Some((method, c.cpu_busy_cycles));
        }
    }
    let names: Vec<String> = candidates
        .iter()
        .map(|m| format!("`{}`", m.name()))
        .collect();
    let sg_short = t.get(if sg { "nic_sg_on" } else { "nic_sg_off" }, &[]);
    let _ = writeln!(
        md,
        "## {}\n",
        t.get("problem", &[("n", (count + 1).to_string())])
    );
    let _ = writeln!(
        md,
        "{}\n",
        t.get(
            "q_compare",
            &[
                ("file_size", file_size.to_string()),
                ("buffer_size", buffer_size.to_string()),
                ("disk", disk.name().to_uppercase()),
                ("sg_short", sg_short),
                ("methods", names.join(", ")),
            ]
        )
    );
    if let Some((m, busy)) = best {
        let _ = writeln!(
            key_md,
            "### {}\n",
            t.get("problem", &[("n", (count + 1).to_string())])
        );
        let _ = writeln!(
            key_md,
            "{}\n",
            t.get(
                "a_compare",
                &[("method", m.name().to_string()), ("busy", busy.to_string())]
            )
        );
    }
    if answers {
        let _ = writeln!(md, "---\n\n## {}\n", t.get("answers", &[]));
        md.push_str(&key_md);
    }
    Ok(Sheet {
        markdown: md,
        scenarios,
        answers: key,
    })
}
