//! Exercise sheets in the style of the OSTEP homework simulators: a seed makes the
//! problems, `--answers` adds the key (computed by the simulator), the header
//! echoes the command so any sheet can be made again, and each problem writes its
//! scenario file so a student can replay it and check an answer.

use std::fmt::Write as _;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::Serialize;

use crate::i18n::{self, Naming, Texts};
use crate::sim::event::{Agent, EventKind, Place};
use crate::sim::program::{IoModel, SyncMode};
use crate::sim::{Counters, DiskTransfer, Hardware, Machine, Method, Setup, Style};

/// What the answer key says about one problem (also written as answers.json):
/// the counts of a counting problem, or the answer of another kind.
#[derive(Serialize, Clone, Debug, PartialEq, Default)]
pub struct Answer {
    pub problem: usize,
    pub kind: &'static str,
    /// The scenario file that replays the run (none where it would give the
    /// answer away: which method, which I/O model).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scenario: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syscalls: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode_switches: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_copy_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dma_copy_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupts: Option<u64>,
    /// When the program exited (the write path: before or after the disk has it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program_cycles: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_misses: Option<u64>,
    /// A method, an I/O model, or page ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The small file's page-cache hit ratio in percent while a large file streams
    /// through the cache, and through O_DIRECT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_ratio_buffered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_ratio_direct: Option<u64>,
    /// How many times a chunked loop runs (k), and the calls with another buffer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loops: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syscalls_other_buffer: Option<u64>,
    /// Realistic mmap: the page faults write() takes on the mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub major_faults: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minor_faults: Option<u64>,
}

/// The kinds of problem a sheet can hold (`--kinds`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Calls, switches, copies, interrupts, the k-th copy and where its bytes go
    /// (`--count` of them).
    Counts,
    /// Which method leaves the CPU freest.
    Freest,
    /// Which method delivers the file first.
    Fastest,
    /// The readahead windows of a sequential read, and the misses.
    Readahead,
    /// Which method made a run, from its copies and mode switches.
    Identify,
    /// Which I/O model a receive used, from its system calls.
    IoModel,
    /// A small file's hit ratio while a large one streams, buffered and O_DIRECT.
    Pollution,
    /// A chunked loop: k from N and B, and the calls and mode switches it makes.
    Loops,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Counts,
        Kind::Freest,
        Kind::Fastest,
        Kind::Readahead,
        Kind::Identify,
        Kind::IoModel,
        Kind::Pollution,
        Kind::Loops,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Counts => "counts",
            Kind::Freest => "freest",
            Kind::Fastest => "fastest",
            Kind::Readahead => "readahead",
            Kind::Identify => "identify",
            Kind::IoModel => "io_model",
            Kind::Pollution => "pollution",
            Kind::Loops => "loops",
        }
    }

    pub fn parse(s: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown kind `{s}` (known: {})", names.join(", "))
            })
    }
}

/// What a sheet holds: its kinds, and the methods its counting problems draw from.
pub struct Choice {
    pub kinds: Vec<Kind>,
    pub methods: Vec<Method>,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            kinds: Kind::ALL.to_vec(),
            methods: METHODS.to_vec(),
        }
    }
}

/// A generated sheet: the Markdown, the scenario files, the answers.
pub struct Sheet {
    pub markdown: String,
    pub scenarios: Vec<(String, String)>,
    pub answers: Vec<Answer>,
}

/// The methods a problem may use: the file's way to the network, and the write path.
pub const METHODS: [Method; 10] = [
    Method::Read,
    Method::ReadWrite,
    Method::MmapWrite,
    Method::Sendfile,
    Method::Splice,
    Method::DirectIo,
    Method::WriteFile,
    Method::CopyFile,
    Method::CopyFileRange,
    Method::IoUring,
];

fn pick<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[(rng.next_u64() % xs.len() as u64) as usize]
}

fn range(rng: &mut ChaCha8Rng, lo: u64, hi: u64) -> u64 {
    lo + rng.next_u64() % (hi - lo + 1)
}

/// One copy of the run: a move between two places in memory.
struct MemCopy {
    from: Place,
    to: Place,
    len: u64,
    agent: Agent,
    file_offset: u64,
}

/// Why this agent makes this copy: a device's DMA engine at a device's end, the
/// CPU between two memory buffers or at a PIO controller.
fn step_reason(c: &MemCopy) -> &'static str {
    let device = |p: &Place| match p {
        Place::Controller { .. } | Place::Platter { .. } => Some("disk"),
        Place::NicBuffer { .. } | Place::Wire { .. } => Some("nic"),
        _ => None,
    };
    match (c.agent, device(&c.from).or(device(&c.to))) {
        (Agent::Dma | Agent::Device, Some("nic")) => "r_step_dma_nic",
        (Agent::Dma | Agent::Device, _) => "r_step_dma_disk",
        (Agent::Cpu, Some(_)) => "r_step_cpu_pio",
        (Agent::Cpu, None) => "r_step_cpu_memory",
    }
}

/// The same kind of place (any frame, any offset).
fn same_place(a: &Place, b: &Place) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Where the bytes of a copy go next: the first later copy that takes any of
/// them from where this one put them, or "they stay".
fn next_of(c: &MemCopy, later: &[MemCopy], t: &Texts) -> String {
    let (a, b) = (c.file_offset, c.file_offset + c.len);
    let to = i18n::place(&c.to, Naming::Prose, t);
    match later
        .iter()
        .find(|d| same_place(&d.from, &c.to) && d.file_offset < b && a < d.file_offset + d.len)
    {
        Some(d) => t.get(
            "a_next",
            &[
                ("to", to),
                ("agent", i18n::agent(d.agent, t)),
                ("next", i18n::place(&d.to, Naming::Prose, t)),
            ],
        ),
        None => t.get("a_next_stay", &[("to", to)]),
    }
}

/// " (because …)": one line of reasoning after an answer.
fn because(t: &Texts, why: &str) -> String {
    if why.is_empty() {
        String::new()
    } else {
        t.get("r_because", &[("why", why.to_string())])
    }
}

/// The system calls the program made, by name: "read ×3, write ×2".
fn calls_of(m: &Machine) -> String {
    let mut names: Vec<(&str, u64)> = Vec::new();
    for e in &m.log.events {
        if let EventKind::SyscallEnter { name, .. } = e.kind {
            match names.iter_mut().find(|n| n.0 == name) {
                Some(n) => n.1 += 1,
                None => names.push((name, 1)),
            }
        }
    }
    let parts: Vec<String> = names.iter().map(|(n, k)| format!("{n}() ×{k}")).collect();
    parts.join(", ")
}

/// The interrupts taken, by line: "DMA ×2, NIC ×1".
fn irqs_of(m: &Machine, t: &Texts) -> String {
    let mut lines: Vec<(String, u64)> = Vec::new();
    for e in &m.log.events {
        if let EventKind::IrqTake { line } = e.kind {
            let name = t.word(&format!("{line:?}"));
            match lines.iter_mut().find(|l| l.0 == name) {
                Some(l) => l.1 += 1,
                None => lines.push((name, 1)),
            }
        }
    }
    if lines.is_empty() {
        return t.get("r_no_irq", &[]);
    }
    let parts: Vec<String> = lines.iter().map(|(n, k)| format!("{n} ×{k}")).collect();
    parts.join(", ")
}

/// The copy paths, in order of first use, with who makes them and the bytes moved.
fn paths_of(copies: &[MemCopy], t: &Texts) -> String {
    let mut paths: Vec<(String, u64)> = Vec::new();
    for c in copies {
        let path = format!(
            "{} {} -> {}",
            i18n::agent(c.agent, t),
            i18n::place(&c.from, Naming::Label, t),
            i18n::place(&c.to, Naming::Label, t)
        );
        // Frames differ by number; the path is the kind of place.
        let path = path
            .split_whitespace()
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join(" ");
        match paths.iter_mut().find(|p| p.0 == path) {
            Some(p) => p.1 += c.len,
            None => paths.push((path, c.len)),
        }
    }
    let parts: Vec<String> = paths.iter().map(|(p, n)| format!("{p} {n} B")).collect();
    parts.join("; ")
}

/// Who started the first writeback, and whether the program waited for the disk.
fn writeback_answer(m: &Machine, c: &Counters, t: &Texts) -> String {
    let first = m.log.events.iter().find_map(|e| match e.kind {
        EventKind::WritebackStart { reason, .. } => Some(reason),
        _ => None,
    });
    let last_on_disk = m
        .log
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Delivered { .. }))
        .map_or(0, |e| e.cycle);
    let who = match first {
        Some(r) => t
            .t(&format!("n.wb_{}", crate::narrate::reason_name(r)))
            .into_owned(),
        None => t.get("a_wb_direct", &[]),
    };
    let verdict = if c.program_cycles < last_on_disk {
        "a_wb_before"
    } else {
        "a_wb_after"
    };
    t.get(
        "a_writeback",
        &[
            ("who", who),
            ("exit", c.program_cycles.to_string()),
            ("disk", last_on_disk.to_string()),
            ("verdict", t.get(verdict, &[])),
        ],
    )
}

/// What the buffer size means for this method.
fn buffer_words(t: &Texts, method: Method, size: u64) -> String {
    let key = match method {
        Method::Read
        | Method::ReadWrite
        | Method::DirectIo
        | Method::IoUring
        | Method::WriteFile
        | Method::CopyFile => "buffer_user",
        _ => "buffer_calls",
    };
    t.get(key, &[("n", size.to_string())])
}

fn scenario_text(s: &Setup) -> String {
    let sync = if s.method.writes() {
        format!(", sync: {}", s.sync.name())
    } else if s.method == Method::IoUring {
        format!(", queue_depth: {}, sqpoll: {}", s.queue_depth, s.sqpoll)
    } else {
        String::new()
    };
    format!(
        "// iolab exercise scenario: replay it with `iolab gui FILE` or `iolab run FILE`.\n(\n    version: 1,\n    hardware: (profile: \"classroom\", disk: {}, nic_sg: {}, cache_pages: {}),\n    workload: (method: {}, style: {}),\n    conditions: (file_size: {}, buffer_size: {}, cache: {}, seed: {}{sync}),\n)\n",
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

/// Makes a sheet of `count` counting problems and one problem of each other kind
/// chosen, from `seed`.
pub fn generate(
    seed: u64,
    count: usize,
    lang: &str,
    answers: bool,
    command: &str,
    choice: &Choice,
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
    let counts = if choice.kinds.contains(&Kind::Counts) {
        count
    } else {
        0
    };
    for n in 1..=counts {
        let method = pick(&mut rng, &choice.methods);
        let mut file_size = range(&mut rng, 16, 96);
        let mut buffer_size = pick(&mut rng, &[16u64, 24, 32, 48, 64, 128]);
        let sync = match method {
            Method::WriteFile => pick(&mut rng, &SyncMode::ALL),
            Method::CopyFile | Method::CopyFileRange => pick(
                &mut rng,
                &[SyncMode::None, SyncMode::Fsync, SyncMode::OSync],
            ),
            _ => SyncMode::None,
        };
        // O_DIRECT needs whole sectors (8 bytes on the classroom disk).
        if matches!(method, Method::DirectIo | Method::IoUring) || sync == SyncMode::ODirect {
            buffer_size = buffer_size.div_ceil(8) * 8;
        }
        if sync == SyncMode::ODirect {
            file_size = file_size.div_ceil(8) * 8;
        }
        let mut hw = Hardware::classroom();
        hw.disk = pick(&mut rng, &[DiskTransfer::Dma, DiskTransfer::Pio]);
        hw.nic_sg = rng.next_u64() % 2 == 0;
        hw.cache_pages = 16;
        let mut setup = Setup {
            name: format!("problem {n}"),
            hw,
            method,
            style: pick(&mut rng, &[Style::Textbook, Style::Realistic]),
            file_size,
            buffer_size,
            warm_cache: rng.next_u64() % 3 == 0,
            seed: range(&mut rng, 1, 999),
            sync,
            queue_depth: if method == Method::IoUring {
                pick(&mut rng, &[1u64, 2, 4])
            } else {
                Setup::default().queue_depth
            },
            sqpoll: method == Method::IoUring && rng.next_u64() % 2 == 0,
            ..Setup::default()
        };
        // A problem states no condition that plays no part: O_DIRECT never looks
        // at the page cache, and a file already cached never needs the disk.
        if matches!(method, Method::DirectIo | Method::IoUring) {
            setup.warm_cache = false;
        }
        let disk_idle = setup.warm_cache && !method.writes();
        let file = format!("problem-{n:02}.ron");
        let (m, c) = run(&setup)?;
        let _ = writeln!(md, "## {}\n", t.get("problem", &[("n", n.to_string())]));
        let yes_no = |b: bool, a: &str, b_: &str| t.get(if b { a } else { b_ }, &[]);
        // `read` keeps the bytes: no socket, no NIC.
        let sg = if method == Method::Read {
            t.get("sg_unused", &[])
        } else {
            yes_no(setup.hw.nic_sg, "sg_on", "sg_off")
        };
        let _ = writeln!(
            md,
            "{}\n",
            t.get(
                if method.writes() {
                    "setup_write"
                } else if disk_idle {
                    "setup_cached"
                } else {
                    "setup"
                },
                &[
                    ("file_size", file_size.to_string()),
                    ("method", method.name().to_string()),
                    // The style in the sheet's words (教科书 / 写实 in Chinese).
                    ("style", t.get(&format!("app.{}", setup.style.name()), &[])),
                    ("buffer", buffer_words(&t, method, buffer_size)),
                    ("disk", setup.hw.disk.name().to_uppercase()),
                    ("sg", sg),
                    ("cache", yes_no(setup.warm_cache, "warm", "cold")),
                    ("file", file.clone()),
                    ("sync", sync.name().to_string()),
                    ("limit", setup.hw.dirty_limit.to_string()),
                    ("expire", setup.hw.dirty_expire_cycles.to_string()),
                ]
            )
        );
        if method == Method::IoUring {
            let _ = writeln!(
                md,
                "{}\n",
                t.get(
                    if setup.sqpoll {
                        "setup_uring_sqpoll"
                    } else {
                        "setup_uring"
                    },
                    &[("depth", setup.queue_depth.to_string())]
                )
            );
        }
        // The copies of the run (moves between places in memory; a device's own
        // transfers, platter -> controller and NIC -> wire, are not copies).
        let copies: Vec<MemCopy> = m
            .log
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Copy {
                    from,
                    to,
                    len,
                    agent,
                    file_offset,
                    ..
                } if agent != Agent::Device => Some(MemCopy {
                    from,
                    to,
                    len,
                    agent,
                    file_offset,
                }),
                _ => None,
            })
            .collect();
        let k = range(&mut rng, 1, copies.len().max(1) as u64) as usize;
        let mut q = vec![
            t.get("q_syscalls", &[]),
            t.get("q_switches", &[]),
            t.get("q_copies", &[]),
            t.get("q_interrupts", &[]),
            t.get("q_step", &[("k", k.to_string())]),
            t.get("q_next", &[("k", k.to_string())]),
        ];
        if method.writes() {
            q.push(t.get("q_writeback", &[]));
        }
        if method == Method::IoUring {
            q.push(t.get("q_uring", &[]));
        }
        // Realistic mmap: the mapping is filled by page faults inside write().
        let faults = method == Method::MmapWrite && setup.style == Style::Realistic;
        if faults {
            q.push(t.get("q_faults", &[]));
        }
        for (i, text) in q.iter().enumerate() {
            let _ = writeln!(md, "{}. {text}", i + 1);
        }
        let _ = writeln!(md);
        scenarios.push((file.clone(), scenario_text(&setup)));
        let step = copies.get(k - 1).map(|c| {
            t.get(
                "a_step",
                &[
                    ("agent", i18n::agent(c.agent, &t)),
                    ("from", i18n::place(&c.from, Naming::Prose, &t)),
                    ("to", i18n::place(&c.to, Naming::Prose, &t)),
                    ("len", c.len.to_string()),
                ],
            ) + &because(&t, &t.get(step_reason(c), &[]))
        });
        let next = copies.get(k - 1).map(|c| next_of(c, &copies[k..], &t));
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
        let mut lines = vec![
            t.count("a_syscalls", c.syscalls) + &because(&t, &calls_of(&m)),
            t.count("a_switches", c.mode_switches)
                + &because(
                    &t,
                    &t.get("r_switches", &[("calls", c.syscalls.to_string())]),
                ),
            t.get(
                "a_copies",
                &[
                    ("cpu", c.cpu_copy_bytes.to_string()),
                    ("cpu_x", x(c.cpu_copies)),
                    ("dma", c.dma_copy_bytes.to_string()),
                    ("dma_x", x(c.dma_copies)),
                ],
            ) + &because(&t, &paths_of(&copies, &t)),
            t.count("a_interrupts", c.interrupts) + &because(&t, &irqs_of(&m, &t)),
            step.unwrap_or_default(),
            next.unwrap_or_default(),
        ];
        if method.writes() {
            lines.push(writeback_answer(&m, &c, &t));
        }
        if method == Method::IoUring {
            lines.push(t.get(
                "a_uring",
                &[
                    ("sqes", c.sqes_submitted.to_string()),
                    ("cqes", c.cqes_reaped.to_string()),
                    ("per", setup.uring_cqes_per_chunk().to_string()),
                    ("doorbells", c.doorbells.to_string()),
                ],
            ));
        }
        if faults {
            lines.push(
                t.get(
                    "a_faults",
                    &[
                        ("major", c.major_faults.to_string()),
                        ("minor", c.minor_faults.to_string()),
                    ],
                ) + &because(&t, &t.get("r_faults", &[])),
            );
        }
        for (i, l) in lines.iter().enumerate() {
            let _ = writeln!(key_md, "{}. {l}", i + 1);
        }
        let _ = writeln!(key_md);
        key.push(Answer {
            problem: n,
            kind: Kind::Counts.name(),
            major_faults: faults.then_some(c.major_faults),
            minor_faults: faults.then_some(c.minor_faults),
            scenario: file,
            syscalls: Some(c.syscalls),
            mode_switches: Some(c.mode_switches),
            cpu_copy_bytes: Some(c.cpu_copy_bytes),
            dma_copy_bytes: Some(c.dma_copy_bytes),
            interrupts: Some(c.interrupts),
            program_cycles: Some(c.program_cycles),
            ..Answer::default()
        });
    }
    let mut n = counts;
    let mut out = Out {
        md,
        key_md,
        key,
        t: &t,
    };
    if choice.kinds.contains(&Kind::Freest) {
        n += 1;
        freest(&mut rng, n, &mut out)?;
    }
    // The other kinds draw from their own seeds: choosing kinds never changes
    // the problems of another.
    for (i, kind) in [
        Kind::Fastest,
        Kind::Readahead,
        Kind::Identify,
        Kind::IoModel,
        Kind::Pollution,
        Kind::Loops,
    ]
    .into_iter()
    .enumerate()
    {
        if !choice.kinds.contains(&kind) {
            continue;
        }
        n += 1;
        let mut rng =
            ChaCha8Rng::seed_from_u64(seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1)));
        match kind {
            Kind::Fastest => fastest(&mut rng, n, &mut out)?,
            Kind::Readahead => readahead(&mut rng, n, &mut out)?,
            Kind::Identify => identify(&mut rng, n, &mut out)?,
            Kind::IoModel => io_model(&mut rng, n, &mut out)?,
            Kind::Loops => loops(&mut rng, n, &mut out)?,
            _ => pollution(&mut rng, n, &mut out)?,
        }
    }
    let Out {
        mut md,
        key_md,
        key,
        ..
    } = out;
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

/// The sheet being written: its questions, its key, the key's data.
struct Out<'a> {
    md: String,
    key_md: String,
    key: Vec<Answer>,
    t: &'a Texts,
}

impl Out<'_> {
    /// Problem `n`'s heading and question, and its answer with the reasoning.
    fn problem(&mut self, n: usize, question: String, answer: String, a: Answer) {
        let t = self.t;
        let title = t.get("problem", &[("n", n.to_string())]);
        let _ = writeln!(self.md, "## {title}\n\n{question}\n");
        let _ = writeln!(self.key_md, "### {title}\n\n{answer}\n");
        self.key.push(Answer { problem: n, ..a });
    }
}

/// The classroom machine for the comparison problems.
fn classroom(disk: DiskTransfer, sg: bool) -> Hardware {
    let mut hw = Hardware::classroom();
    hw.disk = disk;
    hw.nic_sg = sg;
    hw.cache_pages = 16;
    hw
}

/// Which of three methods delivers the whole file first, with each run's time
/// and the counts that explain it.
fn fastest(rng: &mut ChaCha8Rng, n: usize, out: &mut Out) -> Result<(), String> {
    let t = out.t;
    let file_size = range(rng, 4, 12) * 8;
    let buffer_size = pick(rng, &[16u64, 32]);
    let sg = rng.next_u64().is_multiple_of(2);
    let disk = pick(rng, &[DiskTransfer::Dma, DiskTransfer::Pio]);
    let candidates = [Method::ReadWrite, Method::MmapWrite, Method::Sendfile];
    let mut runs = Vec::new();
    for method in candidates {
        let s = Setup {
            hw: classroom(disk, sg),
            method,
            file_size,
            buffer_size,
            ..Setup::default()
        };
        let (_, c) = run(&s)?;
        runs.push((method, c));
    }
    let best = runs
        .iter()
        .min_by_key(|(_, c)| c.cycles)
        .map(|(m, _)| *m)
        .unwrap_or(Method::Sendfile);
    let names: Vec<String> = candidates
        .iter()
        .map(|m| format!("`{}`", m.name()))
        .collect();
    let question = t.get(
        "q_fastest",
        &[
            ("file_size", file_size.to_string()),
            ("buffer_size", buffer_size.to_string()),
            ("disk", disk.name().to_uppercase()),
            (
                "sg_short",
                t.get(if sg { "nic_sg_on" } else { "nic_sg_off" }, &[]),
            ),
            ("methods", names.join(", ")),
            (
                "word",
                Hardware::classroom().cpu_cycles_per_word.to_string(),
            ),
        ],
    );
    let why: Vec<String> = runs
        .iter()
        .map(|(m, c)| {
            t.get(
                "r_fastest",
                &[
                    ("method", m.name().to_string()),
                    ("cycles", c.cycles.to_string()),
                    ("calls", c.syscalls.to_string()),
                    ("cpu", c.cpu_copy_bytes.to_string()),
                ],
            )
        })
        .collect();
    let answer = t.get(
        "a_fastest",
        &[("method", best.name().to_string()), ("why", why.join("; "))],
    );
    out.problem(
        n,
        question,
        answer,
        Answer {
            kind: Kind::Fastest.name(),
            answer: Some(best.name().to_string()),
            ..Answer::default()
        },
    );
    Ok(())
}

/// The readahead windows of a sequential read, one page per call, and the misses.
fn readahead(rng: &mut ChaCha8Rng, n: usize, out: &mut Out) -> Result<(), String> {
    let t = out.t;
    let pages = range(rng, 10, 24);
    let max = pick(rng, &[4u64, 6, 8]);
    let mut hw = Hardware::classroom();
    hw.readahead_max = max;
    hw.cache_pages = 32;
    let ps = hw.page_size;
    let s = Setup {
        hw,
        method: Method::Read,
        file_size: pages * ps,
        buffer_size: ps,
        ..Setup::default()
    };
    let (m, c) = run(&s)?;
    let windows: Vec<String> = m
        .log
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ReadaheadWindow { start, size, .. } => {
                Some(format!("{start}-{}", start + size - 1))
            }
            _ => None,
        })
        .collect();
    let windows = windows.join(", ");
    let question = t.get(
        "q_readahead",
        &[
            ("size", (pages * ps).to_string()),
            ("pages", pages.to_string()),
            ("ps", ps.to_string()),
            ("max", max.to_string()),
        ],
    );
    let answer = t.get(
        "a_readahead",
        &[
            ("windows", windows.clone()),
            ("misses", c.cache_misses.to_string()),
        ],
    );
    out.problem(
        n,
        question,
        answer,
        Answer {
            kind: Kind::Readahead.name(),
            answer: Some(windows),
            cache_misses: Some(c.cache_misses),
            ..Answer::default()
        },
    );
    Ok(())
}

/// Which method made a run, from the copies it made and its mode switches.
fn identify(rng: &mut ChaCha8Rng, n: usize, out: &mut Out) -> Result<(), String> {
    let t = out.t;
    let labels = ["read_write", "mmap_write", "sendfile", "sendfile+sg"];
    let label = pick(rng, &labels);
    let file_size = range(rng, 4, 8) * 8;
    let s = Setup {
        hw: classroom(DiskTransfer::Dma, label.ends_with("+sg")),
        method: Method::parse(label.trim_end_matches("+sg")).unwrap_or(Method::Sendfile),
        file_size,
        buffer_size: file_size,
        ..Setup::default()
    };
    let (m, c) = run(&s)?;
    let mut lines = Vec::new();
    for e in &m.log.events {
        match &e.kind {
            EventKind::Copy {
                from,
                to,
                len,
                agent,
                ..
            } if *agent != Agent::Device => lines.push(format!(
                "{} {} -> {}, {len} B",
                i18n::agent(*agent, t),
                i18n::place(from, Naming::Label, t),
                i18n::place(to, Naming::Label, t)
            )),
            EventKind::SocketDescriptors { pieces } => {
                lines.push(t.get("x_descriptors", &[("n", pieces.len().to_string())]))
            }
            _ => {}
        }
    }
    let excerpt: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("    {}. {l}\n", i + 1))
        .collect();
    let question = t.get(
        "q_identify",
        &[
            ("file_size", file_size.to_string()),
            ("switches", c.mode_switches.to_string()),
            ("excerpt", excerpt),
            ("methods", labels.map(|l| format!("`{l}`")).join(", ")),
        ],
    );
    let answer = t.get(
        "a_identify",
        &[
            ("method", label.to_string()),
            (
                "why",
                t.get(&format!("r_identify_{}", label.replace('+', "_")), &[]),
            ),
        ],
    );
    out.problem(
        n,
        question,
        answer,
        Answer {
            kind: Kind::Identify.name(),
            answer: Some(label.to_string()),
            ..Answer::default()
        },
    );
    Ok(())
}

/// Which I/O model a receive used, from the system calls it made.
fn io_model(rng: &mut ChaCha8Rng, n: usize, out: &mut Out) -> Result<(), String> {
    let t = out.t;
    let model = pick(rng, &IoModel::ALL);
    let hw = Hardware::classroom();
    let s = Setup {
        method: Method::Recv,
        io_model: model,
        file_size: 32,
        buffer_size: 32,
        arrival_delay: range(rng, 100, 200),
        poll_interval: hw.default_poll_interval(),
        hw,
        ..Setup::default()
    };
    let (m, _) = run(&s)?;
    let mut calls: Vec<(String, u64)> = Vec::new();
    for e in &m.log.events {
        let step = match &e.kind {
            EventKind::SyscallReturn { name, result, .. } => format!("{name}() = {result}"),
            EventKind::Notify { what } => format!("({})", t.word(what)),
            _ => continue,
        };
        match calls.last_mut() {
            Some(last) if last.0 == step => last.1 += 1,
            _ => calls.push((step, 1)),
        }
    }
    let seq: Vec<String> = calls
        .iter()
        .map(|(s, k)| {
            if *k > 1 {
                format!("{s} ×{k}")
            } else {
                s.clone()
            }
        })
        .collect();
    let question = t.get(
        "q_io_model",
        &[
            ("calls", seq.join(", ")),
            (
                "models",
                IoModel::ALL.map(|m| format!("`{}`", m.name())).join(", "),
            ),
        ],
    );
    let answer = t.get(
        "a_io_model",
        &[
            ("model", model.name().to_string()),
            ("why", t.get(&format!("r_model_{}", model.name()), &[])),
        ],
    );
    out.problem(
        n,
        question,
        answer,
        Answer {
            kind: Kind::IoModel.name(),
            answer: Some(model.name().to_string()),
            ..Answer::default()
        },
    );
    Ok(())
}

/// A small file read by two clients each round while a large one streams through
/// the page cache: the small file's hit ratio when the large one is sent with
/// sendfile (through the cache) and with direct_io (O_DIRECT, around it).
fn pollution(rng: &mut ChaCha8Rng, n: usize, out: &mut Out) -> Result<(), String> {
    use crate::sim::{AccessSpec, FileSpec};
    let t = out.t;
    let mut hw = Hardware::classroom();
    let ps = hw.page_size;
    hw.cache_pages = pick(rng, &[6u64, 8]);
    let small = 2 * ps;
    let per_round = pick(rng, &[8u64, 12]) * ps;
    let rounds = range(rng, 3, 5);
    let ratio = |method: Method| -> Result<u64, String> {
        let file = |name: &str, size: u64, seed: u64| FileSpec {
            name: name.into(),
            size,
            content: crate::sim::Content::Text,
            seed,
        };
        let read_small = AccessSpec {
            file: 0,
            method: Method::Read,
            bytes_per_round: None,
            buffer_size: small,
        };
        let s = Setup {
            hw: hw.clone(),
            method,
            files: vec![
                file("index.html", small, 1),
                file("video.mp4", per_round * rounds, 7),
            ],
            accesses: vec![
                read_small.clone(),
                read_small,
                AccessSpec {
                    file: 1,
                    method,
                    bytes_per_round: Some(per_round),
                    buffer_size: ps,
                },
            ],
            rounds,
            ..Setup::default()
        };
        let (_, c) = run(&s)?;
        Ok((c.hit_ratio(0).unwrap_or(0.0) * 100.0).round() as u64)
    };
    let buffered = ratio(Method::Sendfile)?;
    let direct = ratio(Method::DirectIo)?;
    let question = t.get(
        "q_pollution",
        &[
            ("small", small.to_string()),
            ("video", (per_round * rounds).to_string()),
            ("per_round", per_round.to_string()),
            ("pages", (per_round / ps).to_string()),
            ("rounds", rounds.to_string()),
            ("cache", hw.cache_pages.to_string()),
            ("ra", hw.readahead_max.to_string()),
        ],
    );
    let answer = t.get(
        "a_pollution",
        &[
            ("buffered", buffered.to_string()),
            ("direct", direct.to_string()),
        ],
    );
    out.problem(
        n,
        question,
        answer,
        Answer {
            kind: Kind::Pollution.name(),
            hit_ratio_buffered: Some(buffered),
            hit_ratio_direct: Some(direct),
            ..Answer::default()
        },
    );
    Ok(())
}

/// Which of four methods leaves the CPU most free.
fn freest(rng: &mut ChaCha8Rng, n: usize, out: &mut Out) -> Result<(), String> {
    let t = out.t;
    let (md, key_md) = (&mut out.md, &mut out.key_md);
    let count = n - 1;
    // One comparison: which method leaves the CPU most free?
    let file_size = range(rng, 32, 96);
    let buffer_size = 32;
    let sg = rng.next_u64().is_multiple_of(2);
    let disk = pick(rng, &[DiskTransfer::Dma, DiskTransfer::Pio]);
    let candidates = [
        Method::ReadWrite,
        Method::MmapWrite,
        Method::Sendfile,
        Method::Splice,
    ];
    let mut best: Option<(Method, u64)> = None;
    let mut why = Vec::new();
    for method in candidates {
        let s = Setup {
            hw: classroom(disk, sg),
            method,
            file_size,
            buffer_size,
            ..Setup::default()
        };
        let (_, c) = run(&s)?;
        if best.is_none_or(|b| c.cpu_busy_cycles < b.1) {
            best = Some((method, c.cpu_busy_cycles));
        }
        // The reason, from the counts: what keeps the CPU busy is its copies,
        // its system calls and its interrupts.
        why.push(t.get(
            "r_freest",
            &[
                ("method", method.name().to_string()),
                ("busy", c.cpu_busy_cycles.to_string()),
                ("cpu", c.cpu_copy_bytes.to_string()),
                ("calls", c.syscalls.to_string()),
                ("irqs", c.interrupts.to_string()),
            ],
        ));
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
            ) + &because(t, &why.join("; "))
        );
    }
    out.key.push(Answer {
        problem: n,
        kind: Kind::Freest.name(),
        answer: best.map(|b| b.0.name().to_string()),
        ..Answer::default()
    });
    Ok(())
}

/// A chunked loop: a file of N bytes, B bytes per call. How many times the loop
/// runs (k = ⌈N/B⌉), the calls and mode switches the program makes, and the calls
/// with another buffer. The program is stated in the sheet, so it can be solved
/// on paper; the answers are the runs'.
fn loops(rng: &mut ChaCha8Rng, n: usize, out: &mut Out) -> Result<(), String> {
    let t = out.t;
    let method = pick(
        rng,
        &[
            Method::Read,
            Method::ReadWrite,
            Method::MmapWrite,
            Method::Sendfile,
            Method::Splice,
            Method::DirectIo,
        ],
    );
    let style = pick(rng, &[Style::Textbook, Style::Realistic]);
    let file_size = range(rng, 40, 200);
    // Whole sectors for O_DIRECT, and no more than the classroom pipe holds.
    let buffers = [16u64, 24, 32, 48, 64];
    let buffer_size = pick(rng, &buffers);
    let other = loop {
        let b = pick(rng, &buffers);
        if b != buffer_size {
            break b;
        }
    };
    let setup = |b: u64| Setup {
        hw: classroom(DiskTransfer::Dma, false),
        method,
        style,
        file_size,
        buffer_size: b,
        ..Setup::default()
    };
    let (m, c) = run(&setup(buffer_size))?;
    let (_, c2) = run(&setup(other))?;
    let k = file_size.div_ceil(buffer_size);
    let k2 = file_size.div_ceil(other);
    let program = t.get(&format!("prog_{}_{}", method.name(), style.name()), &[]);
    let question = t.get(
        "q_loops",
        &[
            ("method", method.name().to_string()),
            ("style", t.get(&format!("app.{}", style.name()), &[])),
            ("n", file_size.to_string()),
            ("b", buffer_size.to_string()),
            ("program", program),
            ("b2", other.to_string()),
        ],
    );
    // Mode switches: two per call, and two per page fault taken in user mode.
    let switches = if c.mode_switches == 2 * c.syscalls {
        t.get("r_loop_switches", &[("calls", c.syscalls.to_string())])
    } else {
        t.get(
            "r_loop_switches_faults",
            &[
                ("calls", c.syscalls.to_string()),
                (
                    "faults",
                    ((c.mode_switches - 2 * c.syscalls) / 2).to_string(),
                ),
            ],
        )
    };
    let answer = t.get(
        "a_loops",
        &[
            ("n", file_size.to_string()),
            ("b", buffer_size.to_string()),
            ("k", k.to_string()),
            ("calls", c.syscalls.to_string()),
            ("by_name", calls_of(&m)),
            ("switches", c.mode_switches.to_string()),
            ("switches_why", switches),
            ("b2", other.to_string()),
            ("k2", k2.to_string()),
            ("calls2", c2.syscalls.to_string()),
        ],
    );
    out.problem(
        n,
        question,
        answer,
        Answer {
            kind: Kind::Loops.name(),
            loops: Some(k),
            syscalls: Some(c.syscalls),
            mode_switches: Some(c.mode_switches),
            syscalls_other_buffer: Some(c2.syscalls),
            ..Answer::default()
        },
    );
    Ok(())
}
