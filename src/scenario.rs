//! Scenario files: RON, every field optional but `version`, unknown fields refused.
//!
//! ```ron
//! (
//!     version: 1,
//!     workload: (method: sendfile),
//!     hardware: (profile: "classroom", nic_sg: true),
//! )
//! ```
//!
//! Errors name the file, the line:column and the field, and say why.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::sim::hardware::MilliRate;
use crate::sim::{Content, DiskTransfer, Field, Hardware, Method, Setup, Style};

/// The scenario format this build reads.
pub const VERSION: u32 = 1;

/// A byte count: a plain number, or a string such as "64 KiB", "1MiB", "4k".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Size(pub u64);

/// Parses "123", "64 KiB", "64KiB", "64k", "1 MiB", "2G". Binary units throughout.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!(
            "`{s}` is not a size (examples: 4096, \"64 KiB\", \"1 MiB\")"
        ));
    }
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` overflows a 64-bit byte count"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{s}` (use B, KiB, MiB or GiB)"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` overflows a 64-bit byte count"))
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Size, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a byte count: a number or a string like \"64 KiB\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v)
                    .map(Size)
                    .map_err(|_| E::custom(format!("a size cannot be negative (got {v})")))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Size, E> {
                u64::try_from(v)
                    .map(Size)
                    .map_err(|_| E::custom(format!("{v} overflows a 64-bit byte count")))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Size, E> {
                u64::try_from(v)
                    .map(Size)
                    .map_err(|_| E::custom(format!("{v} is not a valid byte count")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
                parse_size(v).map(Size).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheState {
    /// The page cache starts empty: every page comes from the disk.
    Cold,
    /// The file is already in the page cache: no disk I/O at all.
    Warm,
}

/// `hardware:` a profile by name, then any of its fields overridden.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareSection {
    /// "classroom" (default) or "modern".
    pub profile: Option<String>,
    /// pio | dma (default dma).
    pub disk: Option<DiskTransfer>,
    /// NIC scatter-gather DMA (default false).
    pub nic_sg: Option<bool>,
    pub clock_hz: Option<u64>,
    pub word_bytes: Option<Size>,
    pub cpu_cycles_per_word: Option<u64>,
    pub pio_cycles_per_word: Option<u64>,
    pub dma_bytes_per_cycle: Option<f64>,
    pub disk_latency_cycles: Option<u64>,
    pub disk_bytes_per_cycle: Option<f64>,
    pub controller_buffer: Option<Size>,
    pub nic_bytes_per_cycle: Option<f64>,
    pub nic_buffer: Option<Size>,
    pub syscall_entry_cycles: Option<u64>,
    pub syscall_exit_cycles: Option<u64>,
    pub irq_cycles: Option<u64>,
    pub kernel_cycles: Option<u64>,
    pub process_cycles: Option<u64>,
    /// The scheduler switching between tasks (a process sleeping and waking).
    pub context_switch_cycles: Option<u64>,
    /// Delivering a signal or async completion and running its handler.
    pub signal_cycles: Option<u64>,
    pub page_size: Option<Size>,
    pub cache_pages: Option<u64>,
    /// lru | two_list (Linux's inactive/active lists)
    pub cache_policy: Option<crate::sim::page_cache::Policy>,
    /// Largest readahead window in pages; 0 turns readahead off.
    pub readahead_max: Option<u64>,
    pub socket_buffer: Option<Size>,
    pub pipe_capacity: Option<Size>,
    pub dio_alignment: Option<Size>,
    /// The write path: a dirty page this old is written back (Linux: 30 s).
    pub dirty_expire_cycles: Option<u64>,
    /// Dirty pages above which writeback starts at once (Linux: 10 % of memory).
    pub dirty_background: Option<u64>,
    /// Dirty pages above which a writer sleeps until writeback catches up (20 %).
    pub dirty_limit: Option<u64>,
    /// Requests the disk serves at once (classroom 1; modern 8, an NVMe drive).
    pub device_parallelism: Option<u64>,
    /// Disk completions per interrupt (0: one each).
    pub irq_coalesce_count: Option<u64>,
    /// Or: cycles the first completion may wait for others (0: no wait).
    pub irq_coalesce_cycles: Option<u64>,
    /// irq (default) | poll: disk completions by interrupt, or polled by the waiter.
    pub completion: Option<crate::sim::Completion>,
    /// controller (classroom) | nvme (modern): how the kernel talks to the disk.
    pub disk_interface: Option<crate::sim::DiskInterface>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSection {
    /// read | read_write (default) | mmap_write | sendfile | splice | direct_io
    pub method: Option<Method>,
    /// textbook (default) | realistic
    pub style: Option<Style>,
    /// For `recv`: blocking (default) | nonblocking | multiplexing | signal_driven | async
    pub io_model: Option<crate::sim::program::IoModel>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionsSection {
    /// Bytes in the file (default 40).
    pub file_size: Option<Size>,
    /// User buffer; bytes per call for sendfile and splice (default: the whole file).
    pub buffer_size: Option<Size>,
    /// cold (default) | warm
    pub cache: Option<CacheState>,
    /// text (default) | random
    pub content: Option<Content>,
    /// Seed for the file's content (default 1).
    pub seed: Option<u64>,
    /// sequential (default) | random: the chunks in a shuffled order (seeded by `seed`).
    pub access: Option<AccessArg>,
    /// For `recv`: cycles until the message starts arriving (default 150).
    pub arrival_delay: Option<u64>,
    /// For a nonblocking `recv`: cycles of other work between two tries (default 20).
    pub poll_interval: Option<u64>,
    /// For `direct_aio`: O_DIRECT reads kept in flight; for `io_uring`: chunks per
    /// batch (default 4).
    pub queue_depth: Option<u64>,
    /// For `io_uring`: a kernel thread polls the submission ring (default false).
    pub sqpoll: Option<bool>,
    /// For the write methods: none (default) | fsync | o_sync | o_direct
    pub sync: Option<crate::sim::program::SyncMode>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessArg {
    Sequential,
    Random,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub version: u32,
    pub name: Option<String>,
    /// A few sentences for the teacher or the student.
    pub notes: Option<String>,
    /// The name and notes for a Chinese class (the app shows them in 中文).
    pub name_zh: Option<String>,
    pub notes_zh: Option<String>,
    #[serde(default)]
    pub hardware: HardwareSection,
    #[serde(default)]
    pub workload: WorkloadSection,
    #[serde(default)]
    pub conditions: ConditionsSection,
    /// Several files instead of the one of `conditions` (optional).
    pub files: Option<Vec<FileEntry>>,
    /// What the program does with the files, in order, each round.
    pub accesses: Option<Vec<AccessEntry>>,
    /// How many times the accesses are repeated (default 1).
    pub rounds: Option<u64>,
}

/// `files: [(name: "index.html", size: "16 KiB"), ...]`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub name: String,
    pub size: Size,
    pub content: Option<Content>,
    pub seed: Option<u64>,
}

/// `accesses: [(file: "index.html", method: read), (file: "video.mp4", bytes_per_round: "2 MiB")]`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccessEntry {
    pub file: String,
    /// Default: the workload's method.
    pub method: Option<Method>,
    /// Default: the whole file every round. Else the next bytes, round after round.
    pub bytes_per_round: Option<Size>,
    /// Default: the conditions' buffer_size.
    pub buffer_size: Option<Size>,
}

/// A scenario error: where (file, line:column, field) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    pub position: Option<(usize, usize)>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((l, c)) = self.position {
            write!(f, ":{l}:{c}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// A scenario ready to run, with where it came from.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub source: String,
    pub notes: Option<String>,
    pub file: ScenarioFile,
}

/// The scenes shipped in `scenes/`, built into the binary so the app and the CLI
/// work from any directory: (name, text).
pub const BUILTIN_SCENES: &[(&str, &str)] = &[
    ("pio_read", include_str!("../scenes/pio_read.ron")),
    ("dma_read", include_str!("../scenes/dma_read.ron")),
    ("read_write", include_str!("../scenes/read_write.ron")),
    ("mmap_write", include_str!("../scenes/mmap_write.ron")),
    ("mmap_faults", include_str!("../scenes/mmap_faults.ron")),
    ("sendfile", include_str!("../scenes/sendfile.ron")),
    ("sendfile_sg", include_str!("../scenes/sendfile_sg.ron")),
    ("splice", include_str!("../scenes/splice.ron")),
    ("direct_io", include_str!("../scenes/direct_io.ron")),
    (
        "direct_aio_large_file",
        include_str!("../scenes/direct_aio_large_file.ron"),
    ),
    ("classroom_64", include_str!("../scenes/classroom_64.ron")),
    ("large_file", include_str!("../scenes/large_file.ron")),
    ("readahead", include_str!("../scenes/readahead.ron")),
    (
        "page_cache_pollution",
        include_str!("../scenes/page_cache_pollution.ron"),
    ),
    ("recv_blocking", include_str!("../scenes/recv_blocking.ron")),
    (
        "recv_nonblocking",
        include_str!("../scenes/recv_nonblocking.ron"),
    ),
    (
        "recv_multiplexing",
        include_str!("../scenes/recv_multiplexing.ron"),
    ),
    (
        "recv_signal_driven",
        include_str!("../scenes/recv_signal_driven.ron"),
    ),
    ("recv_async", include_str!("../scenes/recv_async.ron")),
    (
        "write_buffered",
        include_str!("../scenes/write_buffered.ron"),
    ),
    ("write_fsync", include_str!("../scenes/write_fsync.ron")),
    (
        "write_throttled",
        include_str!("../scenes/write_throttled.ron"),
    ),
    ("copy_file", include_str!("../scenes/copy_file.ron")),
    (
        "copy_file_range",
        include_str!("../scenes/copy_file_range.ron"),
    ),
    (
        "nvme_queue_depth",
        include_str!("../scenes/nvme_queue_depth.ron"),
    ),
    (
        "irq_coalescing",
        include_str!("../scenes/irq_coalescing.ron"),
    ),
    ("io_uring", include_str!("../scenes/io_uring.ron")),
    (
        "io_uring_sqpoll",
        include_str!("../scenes/io_uring_sqpoll.ron"),
    ),
];

/// The scenario used when none is given: the seed's read + write, in the classroom.
pub fn builtin_default() -> Scenario {
    Scenario {
        source: "<built-in default>".into(),
        notes: Some("read() then write(): the classic transfer the seed notes start from.".into()),
        file: ScenarioFile {
            version: VERSION,
            name: Some("read + write (built-in default)".into()),
            ..ScenarioFile::default()
        },
    }
}

/// Parses scenario text. `origin` names it in messages (usually the file path).
pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let scenario = parse_unchecked(text, origin)?;
    // Check the values now, so `iolab check` finds impossible sizes too.
    scenario.setup().map_err(|(field, message)| ScenarioError {
        file: origin.to_string(),
        position: find_field(text, &field),
        field: Some(field),
        message,
    })?;
    Ok(scenario)
}

/// Parses a scenario without checking that its values make a possible run:
/// overrides (flags, the app's editor) may still change them, and the service
/// layer checks the result (naming the file's line where the field is written).
pub fn parse_unchecked(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let text = &one_spelling(text);
    let opts =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let err =
        |position: Option<(usize, usize)>, field: Option<String>, message: String| ScenarioError {
            file: origin.to_string(),
            position,
            field,
            message,
        };
    let mut de = ron::Deserializer::from_str_with_options(text, &opts).map_err(|e| {
        err(
            Some((e.span.start.line, e.span.start.col)),
            None,
            e.code.to_string(),
        )
    })?;
    let file: ScenarioFile = match serde_path_to_error::deserialize(&mut de) {
        Ok(f) => f,
        Err(e) => {
            let path = e.path().to_string();
            // serde_path_to_error says "?" where it cannot tell the field.
            let field = (path != "." && path != "?" && !path.is_empty()).then_some(path);
            let spanned = de.span_error(e.into_inner());
            return Err(err(
                Some((spanned.span.start.line, spanned.span.start.col)),
                field,
                friendly(&spanned.code.to_string()),
            ));
        }
    };
    if let Err(e) = de.end() {
        let s = de.span_error(e);
        return Err(err(
            Some((s.span.start.line, s.span.start.col)),
            None,
            format!("{} after the scenario", s.code),
        ));
    }
    if file.version != VERSION {
        return Err(err(
            find_field(text, "version"),
            Some("version".into()),
            format!(
                "this iolab reads scenario version {VERSION}, the file says {}",
                file.version
            ),
        ));
    }
    // Without a `notes` field, the comment block at the top is the teacher's text:
    // its lines joined into paragraphs.
    let notes = file.notes.clone().or_else(|| {
        let mut paragraphs: Vec<String> = vec![String::new()];
        let mut in_list = false;
        for l in text
            .lines()
            .take_while(|l| l.trim_start().starts_with("//") || l.trim().is_empty())
        {
            let t = l.trim_start().trim_start_matches('/').trim();
            let last = paragraphs.last_mut().expect("never empty");
            if t.is_empty() {
                in_list = false;
                if !last.is_empty() {
                    paragraphs.push(String::new());
                }
            } else if list_item(t) {
                // A numbered ("1. ") or bulleted ("- ") line stays on its own
                // line; a wrapped line that starts with a number does not.
                last.push_str(if last.is_empty() { "" } else { "\n" });
                last.push_str(t);
                in_list = true;
            } else {
                // A list item's continuation is indented; a line flush after a
                // list is the next sentence, on its own line.
                let after_list =
                    in_list && !l.trim_start().trim_start_matches('/').starts_with("   ");
                if after_list {
                    last.push('\n');
                    in_list = false;
                } else if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(t);
            }
        }
        let joined = paragraphs.join("\n\n").trim().to_string();
        (!joined.is_empty()).then_some(joined)
    });
    Ok(Scenario {
        source: origin.to_string(),
        notes,
        file,
    })
}

/// Reads and parses a scenario file.
/// A scenario file, or (where no such file exists) a built-in scene by name,
/// `sendfile_sg` or `sendfile_sg.ron`: the scenes are in the binary.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let origin = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            if !path.exists()
                && let Some((name, text)) = builtin_scene(path)
            {
                return parse_unchecked(text, &format!("scenes/{name}.ron"));
            }
            let names: Vec<&str> = BUILTIN_SCENES.iter().map(|s| s.0).collect();
            return Err(ScenarioError {
                file: origin,
                position: None,
                field: None,
                message: format!(
                    "cannot read the file: {e} (built-in scenes: {})",
                    names.join(", ")
                ),
            });
        }
    };
    parse_unchecked(&text, &origin)
}

/// The fields whose values are names from a fixed list (RON identifiers).
const NAME_FIELDS: [&str; 11] = [
    "method",
    "content",
    "style",
    "io_model",
    "disk",
    "cache",
    "cache_policy",
    "completion",
    "disk_interface",
    "access",
    "sync",
];

/// Every named value may be written with or without quotes: `method: sendfile`
/// and `method: "sendfile"` read the same, and so do `profile: "modern"` and
/// `profile: modern` (RON has two kinds, identifiers and strings, and a person
/// writing a scenario should not have to know which field takes which). Quotes
/// are blanked out, not removed, so every column after them stays where it was
/// (a bare profile name gains its quotes and shifts the rest of its line by one).
pub fn one_spelling(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        match b[i] {
            // Strings and comments pass through untouched.
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(b.len());
                out.push_str(&text[i..end]);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                out.push_str(&text[i..end]);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
                out.push_str(&text[i..end]);
                i = end;
            }
            c if word(c) && (i == 0 || !word(b[i - 1])) => {
                let mut j = i;
                while j < b.len() && word(b[j]) {
                    j += 1;
                }
                let key = &text[i..j];
                out.push_str(key);
                i = j;
                // `key:` then spaces: look at the value.
                let mut k = i;
                while k < b.len() && b[k] == b' ' {
                    k += 1;
                }
                if b.get(k) != Some(&b':') {
                    continue;
                }
                let colon = k;
                k += 1;
                while k < b.len() && b[k] == b' ' {
                    k += 1;
                }
                let mut v = k;
                if NAME_FIELDS.contains(&key) && b.get(k) == Some(&b'"') {
                    v += 1;
                    while v < b.len() && word(b[v]) {
                        v += 1;
                    }
                    if b.get(v) == Some(&b'"') && v > k + 1 {
                        out.push_str(&text[i..k]);
                        out.push(' ');
                        out.push_str(&text[k + 1..v]);
                        out.push(' ');
                        i = v + 1;
                    }
                } else if key == "profile" && b.get(k).is_some_and(|&c| c.is_ascii_alphabetic()) {
                    while v < b.len() && word(b[v]) {
                        v += 1;
                    }
                    // Keep `None` and `Some(…)` as RON means them.
                    let name = &text[k..v];
                    if name != "None" && name != "Some" {
                        out.push_str(&text[i..=colon]);
                        if k > colon + 1 {
                            out.push_str(&text[colon + 1..k - 1]);
                        }
                        out.push('"');
                        out.push_str(name);
                        out.push('"');
                        i = v;
                    }
                }
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// The built-in scene a bare name (no folder) stands for.
fn builtin_scene(path: &Path) -> Option<(&'static str, &'static str)> {
    if path.parent().is_some_and(|p| !p.as_os_str().is_empty()) {
        return None;
    }
    let name = path.to_str()?;
    let name = name.strip_suffix(".ron").unwrap_or(name);
    BUILTIN_SCENES.iter().copied().find(|s| s.0 == name)
}

fn friendly(msg: &str) -> String {
    msg.replace(
        "Unexpected missing field named `version` in `ScenarioFile`",
        "missing field `version` (write `version: 1,`)",
    )
    .replace("in `ScenarioFile`", "at the top level")
    .replace("in `HardwareSection`", "in `hardware`")
    .replace("in `WorkloadSection`", "in `workload`")
    .replace("in `ConditionsSection`", "in `conditions`")
    .replace(
        "Expected comma",
        "expected a comma: every field ends with `,` (the line before may be missing one)",
    )
    .replace(
        "Expected string",
        "expected a string in quotes (write it as \"...\")",
    )
    .replace(
        "Expected identifier",
        "expected a name without quotes (write it as name, not \"name\")",
    )
}

/// Line and column of `section.field:` in the text, for errors found after parsing.
pub fn find_field(text: &str, path: &str) -> Option<(usize, usize)> {
    let mut parts = path.split('.');
    let (section, name) = match (parts.next(), parts.next()) {
        (Some(s), Some(n)) => (Some(s), n),
        (Some(n), None) => (None, n),
        _ => return None,
    };
    let code_lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or("")))
        .collect();
    let key_at = |key: &str, from: usize| -> Option<(usize, usize)> {
        for &(n, l) in code_lines.iter().filter(|(n, _)| *n >= from) {
            let mut search = 0;
            while let Some(i) = l[search..].find(key) {
                let at = search + i;
                let before_ok = at == 0
                    || !l.as_bytes()[at - 1].is_ascii_alphanumeric()
                        && l.as_bytes()[at - 1] != b'_';
                let rest = l[at + key.len()..].trim_start();
                if before_ok && rest.starts_with(':') {
                    return Some((n, at + 1));
                }
                search = at + key.len();
            }
        }
        None
    };
    let start = match section {
        Some(s) => key_at(s, 1).map(|(l, _)| l).unwrap_or(1),
        None => 1,
    };
    key_at(name, start)
}

/// Whether a line of notes is a list item: "1. ", "2) " or "- ".
fn list_item(t: &str) -> bool {
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let rest = &t[digits..];
    (digits > 0 && (rest.starts_with(". ") || rest.starts_with(") "))) || t.starts_with("- ")
}

/// The methods an access of a multi-file scenario may use.
const ACCESS_METHODS: [Method; 5] = [
    Method::Read,
    Method::ReadWrite,
    Method::Sendfile,
    Method::Splice,
    Method::DirectIo,
];

impl Scenario {
    /// The scenario as a RON file that `parse` reads back to the same run: the
    /// fields that are set, with the notes and `header` as comments on top.
    pub fn to_ron(&self, header: &str) -> Result<String, String> {
        let config = ron::ser::PrettyConfig::new()
            .extensions(ron::extensions::Extensions::IMPLICIT_SOME)
            .indentor("    ".to_string());
        let text = ron::ser::to_string_pretty(&self.file, config).map_err(|e| e.to_string())?;
        let mut out = String::new();
        for line in header.lines() {
            out += &format!("// {line}\n");
        }
        // The notes travel as the `notes` field; fields not set are left out.
        for line in text.lines() {
            let field_unset = line.trim_end().ends_with(": None,")
                && line
                    .trim_start()
                    .split(':')
                    .next()
                    .is_some_and(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if !field_unset {
                out += line;
                out.push('\n');
            }
        }
        Ok(out)
    }
}

/// Where a setting lives in a scenario file.
pub fn ron_path(f: Field) -> &'static str {
    match f {
        Field::FileSize => "conditions.file_size",
        Field::BufferSize => "conditions.buffer_size",
        Field::QueueDepth => "conditions.queue_depth",
        Field::WordBytes => "hardware.word_bytes",
        Field::CpuCyclesPerWord => "hardware.cpu_cycles_per_word",
        Field::PioCyclesPerWord => "hardware.pio_cycles_per_word",
        Field::ControllerBuffer => "hardware.controller_buffer",
        Field::NicBuffer => "hardware.nic_buffer",
        Field::PageSize => "hardware.page_size",
        Field::CachePages => "hardware.cache_pages",
        Field::SocketBuffer => "hardware.socket_buffer",
        Field::PipeCapacity => "hardware.pipe_capacity",
        Field::DioAlignment => "hardware.dio_alignment",
        Field::Sync => "conditions.sync",
        Field::DirtyBackground => "hardware.dirty_background",
        Field::DirtyLimit => "hardware.dirty_limit",
        Field::DeviceParallelism => "hardware.device_parallelism",
        Field::Method => "workload.method",
        Field::Access => "conditions.access",
        Field::Sqpoll => "conditions.sqpoll",
    }
}

impl Scenario {
    /// Adds the `files`, `accesses` and `rounds` of a multi-file scenario.
    fn with_files(&self, mut setup: Setup) -> Result<Setup, (String, String)> {
        let f = &self.file;
        let (files, accesses) = match (&f.files, &f.accesses) {
            (None, None) => return Ok(setup),
            (Some(files), Some(accesses)) => (files, accesses),
            (Some(_), None) => {
                return Err((
                    "accesses".into(),
                    "a scenario with `files` needs `accesses`".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(("files".into(), "`accesses` needs a list of `files`".into()));
            }
        };
        if files.is_empty() || accesses.is_empty() {
            return Err((
                "files".into(),
                "`files` and `accesses` must not be empty".into(),
            ));
        }
        if setup.rounds == 0 || setup.rounds > 1_000_000 {
            return Err(("rounds".into(), "must be between 1 and 1000000".into()));
        }
        let mut total = 0u64;
        for (i, file) in files.iter().enumerate() {
            if files[..i].iter().any(|g| g.name == file.name) {
                return Err((
                    format!("files[{i}].name"),
                    format!("`{}` is declared twice", file.name),
                ));
            }
            if file.size.0 == 0 {
                return Err((format!("files[{i}].size"), "must be at least 1".into()));
            }
            total = total.saturating_add(file.size.0);
            setup.files.push(crate::sim::FileSpec {
                name: file.name.clone(),
                size: file.size.0,
                content: file.content.unwrap_or(setup.content),
                seed: file.seed.unwrap_or(setup.seed + i as u64),
            });
        }
        if total > crate::sim::MAX_FILE {
            return Err((
                "files".into(),
                format!("{total} bytes in all is too large (at most 2 GiB)"),
            ));
        }
        for (i, a) in accesses.iter().enumerate() {
            let file = files.iter().position(|g| g.name == a.file).ok_or_else(|| {
                let names: Vec<&str> = files.iter().map(|g| g.name.as_str()).collect();
                (
                    format!("accesses[{i}].file"),
                    format!("no file named `{}` (files: {})", a.file, names.join(", ")),
                )
            })?;
            let method = a.method.unwrap_or(setup.method);
            if !ACCESS_METHODS.contains(&method) {
                let names: Vec<&str> = ACCESS_METHODS.iter().map(|m| m.name()).collect();
                return Err((
                    format!("accesses[{i}].method"),
                    format!(
                        "`{}` cannot be one access among others (use: {})",
                        method.name(),
                        names.join(", ")
                    ),
                ));
            }
            let buffer_size = a.buffer_size.map_or(setup.buffer_size, |b| b.0);
            if buffer_size == 0 || a.bytes_per_round.is_some_and(|b| b.0 == 0) {
                return Err((format!("accesses[{i}]"), "sizes must be at least 1".into()));
            }
            let probe = Setup {
                method,
                buffer_size,
                file_size: files[file].size.0,
                ..setup.clone()
            };
            if let Some((_, msg)) = probe.dio_problem() {
                return Err((format!("accesses[{i}].buffer_size"), msg));
            }
            probe
                .validate()
                .map_err(|(field, msg)| (format!("accesses[{i}] ({})", ron_path(field)), msg))?;
            setup.accesses.push(crate::sim::AccessSpec {
                file: file as u32,
                method,
                bytes_per_round: a.bytes_per_round.map(|b| b.0),
                buffer_size,
            });
        }
        let (calls, _, _) = setup.program();
        if calls.len() as u64 > 4 * crate::sim::MAX_CALLS {
            return Err((
                "rounds".into(),
                format!(
                    "{} calls in all is more than iolab logs: use fewer rounds or larger buffers",
                    calls.len()
                ),
            ));
        }
        // The file_size of a multi-file run: the largest file (for the app's cells).
        setup.file_size = setup.files.iter().map(|f| f.size).max().unwrap_or(1);
        Ok(setup)
    }

    /// The run this scenario describes, or the field that makes it impossible.
    pub fn setup(&self) -> Result<Setup, (String, String)> {
        let f = &self.file;
        let h = &f.hardware;
        let profile = h.profile.clone().unwrap_or_else(|| "classroom".into());
        let mut hw = Hardware::by_name(&profile).ok_or_else(|| {
            (
                "hardware.profile".to_string(),
                format!(
                    "unknown profile `{profile}` (known: {})",
                    Hardware::PROFILES.join(", ")
                ),
            )
        })?;
        let rate =
            |v: Option<f64>, field: &str, slot: &mut MilliRate| -> Result<(), (String, String)> {
                if let Some(b) = v {
                    *slot = MilliRate::from_bytes_per_cycle(b).ok_or_else(|| {
                        (
                            format!("hardware.{field}"),
                            format!("must be between 0.001 and 10^12 bytes per cycle, got {b}"),
                        )
                    })?;
                }
                Ok(())
            };
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = h.$field { hw.$field = v; } )* };
        }
        macro_rules! set_size {
            ($($field:ident),*) => { $( if let Some(v) = h.$field { hw.$field = v.0; } )* };
        }
        set!(
            disk,
            nic_sg,
            clock_hz,
            cpu_cycles_per_word,
            pio_cycles_per_word,
            disk_latency_cycles
        );
        set!(
            syscall_entry_cycles,
            syscall_exit_cycles,
            irq_cycles,
            kernel_cycles,
            process_cycles,
            cache_pages
        );
        set!(
            cache_policy,
            readahead_max,
            context_switch_cycles,
            signal_cycles
        );
        set!(
            dirty_expire_cycles,
            dirty_background,
            dirty_limit,
            device_parallelism,
            irq_coalesce_count,
            irq_coalesce_cycles,
            completion,
            disk_interface
        );
        set_size!(
            word_bytes,
            controller_buffer,
            nic_buffer,
            page_size,
            socket_buffer,
            pipe_capacity,
            dio_alignment
        );
        rate(
            h.dma_bytes_per_cycle,
            "dma_bytes_per_cycle",
            &mut hw.dma_rate,
        )?;
        rate(
            h.disk_bytes_per_cycle,
            "disk_bytes_per_cycle",
            &mut hw.disk_rate,
        )?;
        rate(
            h.nic_bytes_per_cycle,
            "nic_bytes_per_cycle",
            &mut hw.nic_rate,
        )?;
        if hw.clock_hz == 0 {
            return Err(("hardware.clock_hz".into(), "must be at least 1".into()));
        }
        let c = &f.conditions;
        // What a scenario leaves out is the built-in default's (defaults live in one
        // place, `Setup::default`), except what depends on the profile.
        let d = Setup::default();
        let file_size = c.file_size.map_or(d.file_size, |s| s.0);
        let seed = c.seed.unwrap_or(d.seed);
        let setup = Setup {
            name: f.name.clone().unwrap_or_else(|| self.source.clone()),
            method: f.workload.method.unwrap_or(d.method),
            style: f.workload.style.unwrap_or(d.style),
            file_size,
            buffer_size: c.buffer_size.map_or(file_size, |s| s.0),
            warm_cache: c.cache == Some(CacheState::Warm),
            content: c.content.unwrap_or(d.content),
            seed,
            access: match c.access {
                Some(AccessArg::Random) => crate::sim::program::Access::Random(seed),
                _ => crate::sim::program::Access::Sequential,
            },
            io_model: f.workload.io_model.unwrap_or(d.io_model),
            arrival_delay: c.arrival_delay.unwrap_or(hw.default_arrival_delay()),
            poll_interval: c.poll_interval.unwrap_or(hw.default_poll_interval()),
            queue_depth: c.queue_depth.unwrap_or(d.queue_depth),
            sqpoll: c.sqpoll.unwrap_or(d.sqpoll),
            sync: c.sync.unwrap_or(d.sync),
            files: Vec::new(),
            accesses: Vec::new(),
            rounds: f.rounds.unwrap_or(d.rounds),
            hw,
        };
        let setup = self.with_files(setup)?;
        setup
            .validate()
            .map_err(|(field, msg)| (ron_path(field).to_string(), msg))?;
        Ok(setup)
    }
}
