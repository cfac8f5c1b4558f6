//! The one service layer every front end calls (the command line, compare, the
//! worksheets, the benchmarks, the app): a scenario plus overrides becomes a
//! `Setup`, a `Setup` becomes a finished run, and what goes wrong becomes a
//! `UserError` that names the file, the line and the field, or the flag.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::scenario::{self, CacheState, Scenario, ScenarioError, Size};
use crate::sim::page_cache::Policy;
use crate::sim::program::IoModel;
use crate::sim::{DiskTransfer, EINVAL, EventKind, Hardware, Machine, Method, Setup, Style};

/// Settings that override a scenario file (from flags, or the app's editor).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    pub method: Option<Method>,
    pub file_size: Option<u64>,
    pub buffer_size: Option<u64>,
    pub disk: Option<DiskTransfer>,
    pub nic_sg: Option<bool>,
    pub cache: Option<CacheState>,
    pub style: Option<Style>,
    pub profile: Option<String>,
    pub cache_pages: Option<u64>,
    pub readahead_max: Option<u64>,
    pub policy: Option<Policy>,
    pub io_model: Option<IoModel>,
    pub queue_depth: Option<u64>,
    pub sqpoll: Option<bool>,
    pub completion: Option<crate::sim::Completion>,
    pub disk_interface: Option<crate::sim::DiskInterface>,
    pub sync: Option<crate::sim::program::SyncMode>,
}

impl Overrides {
    /// Applies the overrides to a scenario; returns which fields they set, each with
    /// the flag that sets it, for messages.
    pub fn apply(&self, sc: &mut Scenario) -> Vec<(&'static str, &'static str)> {
        let mut set = Vec::new();
        let f = &mut sc.file;
        let (hw, work, cond) = (&mut f.hardware, &mut f.workload, &mut f.conditions);
        macro_rules! put {
            ($src:expr, $dst:expr, $field:literal, $flag:literal) => {
                if let Some(v) = $src.clone() {
                    $dst = Some(v.into());
                    set.push(($field, $flag));
                }
            };
        }
        put!(self.method, work.method, "workload.method", "--method");
        put!(
            self.file_size.map(Size),
            cond.file_size,
            "conditions.file_size",
            "--file-size"
        );
        put!(
            self.buffer_size.map(Size),
            cond.buffer_size,
            "conditions.buffer_size",
            "--buffer-size"
        );
        put!(self.disk, hw.disk, "hardware.disk", "--disk");
        put!(self.nic_sg, hw.nic_sg, "hardware.nic_sg", "--nic-sg");
        put!(self.cache, cond.cache, "conditions.cache", "--cache");
        put!(self.style, work.style, "workload.style", "--style");
        put!(self.profile, hw.profile, "hardware.profile", "--profile");
        put!(
            self.queue_depth,
            cond.queue_depth,
            "conditions.queue_depth",
            "--queue-depth"
        );
        put!(self.sync, cond.sync, "conditions.sync", "--sync");
        put!(self.sqpoll, cond.sqpoll, "conditions.sqpoll", "--sqpoll");
        put!(
            self.completion,
            hw.completion,
            "hardware.completion",
            "--completion"
        );
        put!(
            self.disk_interface,
            hw.disk_interface,
            "hardware.disk_interface",
            "--disk-interface"
        );
        put!(
            self.io_model,
            work.io_model,
            "workload.io_model",
            "--io-model"
        );
        put!(
            self.cache_pages,
            hw.cache_pages,
            "hardware.cache_pages",
            "--cache-pages"
        );
        put!(
            self.readahead_max,
            hw.readahead_max,
            "hardware.readahead_max",
            "--readahead-max"
        );
        put!(
            self.policy,
            hw.cache_policy,
            "hardware.cache_policy",
            "--policy"
        );
        set
    }
}

/// An error for the user: printed on stderr (exit code 2), or shown in the app.
#[derive(Debug, Clone, PartialEq)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ScenarioError> for UserError {
    fn from(e: ScenarioError) -> Self {
        UserError(e.to_string())
    }
}

/// A scenario file, or the built-in default.
pub fn load_or_default(path: &Option<PathBuf>) -> Result<Scenario, UserError> {
    match path {
        Some(p) => Ok(scenario::load(p)?),
        None => Ok(scenario::builtin_default()),
    }
}

/// How an error names a setting the overrides set: by the command line's flag
/// (`--buffer-size`), or by the scenario's field (`conditions.buffer_size`), for
/// the app's editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    Flags,
    Fields,
}

/// The setup for a scenario with overrides applied; errors name the file or the flag.
pub fn resolve(path: &Option<PathBuf>, ov: &Overrides) -> Result<(Scenario, Setup), UserError> {
    let sc = load_or_default(path)?;
    resolve_scenario(sc, path, ov, Naming::Flags)
}

/// `resolve` for a scenario already loaded (`path`: where it came from, if a file).
pub fn resolve_scenario(
    mut sc: Scenario,
    path: &Option<PathBuf>,
    ov: &Overrides,
    naming: Naming,
) -> Result<(Scenario, Setup), UserError> {
    let set = ov.apply(&mut sc);
    match sc.setup() {
        Ok(s) => Ok((sc, s)),
        Err((field, msg)) => {
            let mut msg = with_classroom_hint(msg, &sc, &field);
            // On the command line, a field to change is said with its flag too.
            if naming == Naming::Flags {
                for (name, flag) in [
                    ("buffer_size", "--buffer-size"),
                    ("file_size", "--file-size"),
                    ("cache_pages", "--cache-pages"),
                ] {
                    msg = msg
                        .replace(&format!(" {name} "), &format!(" {name} ({flag}) "))
                        .replace(&format!(" {name};"), &format!(" {name} ({flag});"));
                    if msg.ends_with(&format!(" {name}")) {
                        msg.push_str(&format!(" ({flag})"));
                    }
                }
            }
            if let Some((_, flag)) = set.iter().find(|(f, _)| *f == field) {
                let name = if naming == Naming::Flags {
                    flag
                } else {
                    &field.as_str()
                };
                return Err(UserError(format!("{name}: {msg}")));
            }
            let implied = set.iter().map(|(_, flag)| *flag).collect::<Vec<_>>();
            let hint = if implied.is_empty() {
                String::new()
            } else {
                format!(" (as set by {})", implied.join(" and "))
            };
            let text = path
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default();
            // A page-cache refusal comes from the sizes: point at them when the
            // hardware field itself is not written in the file.
            let size_caused = matches!(
                field.as_str(),
                "hardware.cache_pages" | "hardware.page_size"
            );
            let position = scenario::find_field(&text, &field).or_else(|| {
                size_caused
                    .then(|| {
                        scenario::find_field(&text, "conditions.buffer_size")
                            .or_else(|| scenario::find_field(&text, "conditions.file_size"))
                    })
                    .flatten()
            });
            let err = ScenarioError {
                file: sc.source.clone(),
                position,
                field: Some(field),
                message: msg + &hint,
            };
            Err(err.into())
        }
    }
}

/// A run refused on the classroom profile that the modern profile would run: say
/// so first, since the classroom machine is tiny on purpose (16-byte pages, 8 of
/// them) and shrinking the sizes to fit it would change what was asked for (a
/// 1 MiB file in 64-byte calls runs for an hour of simulated time).
fn with_classroom_hint(msg: String, sc: &Scenario, field: &str) -> String {
    let hw = &sc.file.hardware;
    if hw.profile.as_deref().is_some_and(|p| p != "classroom") {
        return msg;
    }
    let mut modern = sc.clone();
    modern.file.hardware.profile = Some("modern".into());
    if modern.setup().is_err() {
        return msg;
    }
    let small = Hardware::classroom();
    let hint = format!(
        "the classroom profile is tiny on purpose (pages of {} bytes, {} of them, to watch every byte): --profile modern (hardware.profile: \"modern\") runs these sizes as asked",
        small.page_size, small.cache_pages
    );
    // The core's own advice ("use a smaller …") comes after, as the other way.
    match msg.rsplit_once(": use ") {
        Some((why, advice)) => {
            format!("{why}; {hint}; or, to stay on the classroom profile, use {advice}")
        }
        None => format!("{msg}; {hint}; or raise {field}"),
    }
}

/// "file:line:col: field" for a field, or the flag that set it.
pub fn locate(path: &Option<PathBuf>, ov: &Overrides, field: &str) -> String {
    let mut sc = scenario::builtin_default();
    if let Some((_, flag)) = ov.apply(&mut sc).into_iter().find(|(f, _)| *f == field) {
        return flag.to_string();
    }
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            match scenario::find_field(&text, field) {
                Some((l, c)) => format!("{}:{l}:{c}: {field}", p.display()),
                None => format!("{}: {field}", p.display()),
            }
        }
        None => field.to_string(),
    }
}

/// Runs a setup to the end (skipping idle cycles), keeping its event log.
pub fn simulate(setup: Setup) -> Result<Machine, UserError> {
    run_machine(Machine::new(setup))
}

/// Runs a setup to the end counting events without keeping them (huge runs).
pub fn simulate_counting(setup: Setup) -> Result<Machine, UserError> {
    run_machine(Machine::new(setup).map(Machine::counting_only))
}

fn run_machine(m: Result<Machine, crate::sim::SimError>) -> Result<Machine, UserError> {
    let mut m = m.map_err(|e| UserError(e.to_string()))?;
    m.run_to_end().map_err(|e| UserError(e.to_string()))?;
    Ok(m)
}

/// The first system call (or io_uring entry, whose error comes in its completion)
/// that failed with EINVAL: (name, result).
/// The first call the kernel refused with EINVAL, said as it happened: "read()
/// returned -22", or for io_uring (no read() call) "the ring's read entry
/// completed with -22".
pub fn failed_call(m: &Machine) -> Option<(String, i64)> {
    m.log.events.iter().find_map(|e| match e.kind {
        EventKind::SyscallReturn { name, result, .. } if result == EINVAL => {
            Some((format!("{name}() returned {result}"), result))
        }
        EventKind::UringCqe { op, result, .. } if result == EINVAL => Some((
            format!("the ring's {} entry completed with {result}", op.name()),
            result,
        )),
        _ => None,
    })
}

/// Writes a file through a temporary file and a rename, so a reader never sees half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
