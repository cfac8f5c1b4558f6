//! The command line: `iolab run | compare | check | methods | bench | gui`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::scenario::{self, CacheState, Scenario, ScenarioError, Size, parse_size};
use crate::sim::{Counters, DiskTransfer, Hardware, Machine, Method, Setup, Style};

#[derive(Parser, Debug)]
#[command(
    name = "iolab",
    version,
    about = "A cycle-stepped simulator of how bytes move through a computer: PIO, DMA, read+write, mmap, sendfile, SG-DMA, splice, O_DIRECT."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario to the end and print its counters.
    Run {
        /// A scenario file (.ron); without it, the built-in default.
        scenario: Option<PathBuf>,
        #[command(flatten)]
        overrides: Overrides,
        /// How to print the counters.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        summary: SummaryFormat,
        /// Write the event log to FILE (JSON Lines unless --format says otherwise).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// The trace's format: jsonl, csv, chrome (Perfetto / chrome://tracing) or vcd (GTKWave).
        #[arg(long, value_enum, default_value_t = crate::trace::Format::Jsonl, requires = "trace")]
        format: crate::trace::Format,
        /// With --format csv: start with a UTF-8 byte-order mark for Excel.
        #[arg(long, requires = "trace")]
        excel: bool,
    },
    /// Run the same conditions through several methods, one row each.
    Compare {
        scenario: Option<PathBuf>,
        /// Comma-separated methods; `+sg`, `+nosg`, `+pio`, `+dma` change the hardware
        /// for one row (e.g. read_write,mmap_write,sendfile,sendfile+sg).
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "read_write,mmap_write,sendfile,sendfile+sg,splice,direct_io"
        )]
        methods: Vec<String>,
        #[command(flatten)]
        overrides: Overrides,
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
        /// Also write the bar charts (syscalls, mode switches, copies, interrupts,
        /// cycles) as an SVG slide to this file.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
    },
    /// Validate scenario files; prints each problem with file:line:column.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the methods with one line each.
    Methods,
    /// Write a worksheet of reproducible problems (and scenario files to check them).
    Exercise {
        /// The seed: the same seed gives the same sheet.
        #[arg(long)]
        seed: u64,
        /// How many problems (plus one comparison).
        #[arg(long, default_value_t = 4)]
        count: usize,
        /// en or zh.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Add the answer key (computed by the simulator) and answers.json.
        #[arg(long)]
        answers: bool,
        /// Write worksheet.md and the problems' scenarios here (default: print the sheet).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Measure simulation speed per method on a large file (modern profile).
    Bench {
        #[arg(long, default_value = "64MiB", value_parser = size_arg)]
        file_size: u64,
        #[arg(long, default_value = "1MiB", value_parser = size_arg)]
        buffer_size: u64,
        #[arg(long, value_delimiter = ',')]
        methods: Option<Vec<String>>,
    },
    /// Open the animated classroom app.
    Gui(GuiArgs),
}

/// `iolab gui`: what to open and, for scripted use, what to capture.
#[derive(Args, Debug, Default, Clone)]
pub struct GuiArgs {
    pub scenario: Option<PathBuf>,
    /// Open the compare view with these runs: `classic` (read_write, mmap_write,
    /// sendfile, sendfile+sg), `pio-dma` (read+pio, read+dma), or 2 to 6
    /// comma-separated labels as in `iolab compare --methods`.
    #[arg(long, value_name = "RUNS")]
    pub compare: Option<String>,
    /// The app's language (remembered; default: the last one used, else English).
    #[arg(long, value_enum)]
    pub lang: Option<crate::i18n::Lang>,
    /// Render one frame to this PNG and exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: the event to show.
    #[arg(long)]
    pub at_event: Option<u64>,
    /// With --screenshot: the cycle to show.
    #[arg(long)]
    pub at_cycle: Option<u64>,
    /// Play the run for this many seconds, print the frame rate and exit.
    #[arg(long, hide = true)]
    pub fps_seconds: Option<f64>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TableFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// Flags that override the scenario file.
#[derive(Args, Debug, Default, Clone)]
pub struct Overrides {
    /// read | read_write | mmap_write | sendfile | splice | direct_io
    #[arg(long, value_parser = method_arg)]
    pub method: Option<Method>,
    /// File size: bytes, or with a unit (64KiB, 1MiB).
    #[arg(long, value_parser = size_arg)]
    pub file_size: Option<u64>,
    /// User buffer / bytes per call: bytes, or with a unit.
    #[arg(long, value_parser = size_arg)]
    pub buffer_size: Option<u64>,
    /// Disk controller transfer mode.
    #[arg(long, value_enum)]
    pub disk: Option<DiskArg>,
    /// NIC scatter-gather DMA.
    #[arg(long, value_enum)]
    pub nic_sg: Option<OnOff>,
    /// Page cache at the start.
    #[arg(long, value_enum)]
    pub cache: Option<CacheArg>,
    /// Which system calls the program makes.
    #[arg(long, value_enum)]
    pub style: Option<StyleArg>,
    /// Hardware profile: classroom | modern.
    #[arg(long)]
    pub profile: Option<String>,
    /// Page-cache capacity in pages.
    #[arg(long)]
    pub cache_pages: Option<u64>,
    /// Largest readahead window in pages (0: no readahead).
    #[arg(long)]
    pub readahead_max: Option<u64>,
    /// Page-cache replacement policy.
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    /// For `--method recv`: blocking | nonblocking | multiplexing | signal_driven | async.
    #[arg(long, value_parser = io_model_arg)]
    pub io_model: Option<crate::sim::program::IoModel>,
    /// For `--method direct_aio`: O_DIRECT reads kept in flight.
    #[arg(long)]
    pub queue_depth: Option<u64>,
}

fn io_model_arg(s: &str) -> Result<crate::sim::program::IoModel, String> {
    crate::sim::program::IoModel::parse(s).ok_or_else(|| {
        format!("unknown I/O model `{s}` (known: blocking, nonblocking, multiplexing, signal_driven, async)")
    })
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PolicyArg {
    Lru,
    #[value(name = "two_list")]
    TwoList,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DiskArg {
    Pio,
    Dma,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CacheArg {
    Cold,
    Warm,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StyleArg {
    Textbook,
    Realistic,
}

fn size_arg(s: &str) -> Result<u64, String> {
    parse_size(s)
}

fn method_arg(s: &str) -> Result<Method, String> {
    Method::parse(s).ok_or_else(|| {
        let names: Vec<_> = Method::ALL.iter().map(|m| m.name()).collect();
        format!("unknown method `{s}` (known: {})", names.join(", "))
    })
}

impl Overrides {
    /// Applies the flags to a scenario; returns which fields they set, for messages.
    pub fn apply(&self, sc: &mut Scenario) -> Vec<(&'static str, &'static str)> {
        let mut set = Vec::new();
        let f = &mut sc.file;
        if let Some(m) = self.method {
            f.workload.method = Some(m);
            set.push(("workload.method", "--method"));
        }
        if let Some(n) = self.file_size {
            f.conditions.file_size = Some(Size(n));
            set.push(("conditions.file_size", "--file-size"));
        }
        if let Some(n) = self.buffer_size {
            f.conditions.buffer_size = Some(Size(n));
            set.push(("conditions.buffer_size", "--buffer-size"));
        }
        if let Some(d) = self.disk {
            f.hardware.disk = Some(match d {
                DiskArg::Pio => DiskTransfer::Pio,
                DiskArg::Dma => DiskTransfer::Dma,
            });
            set.push(("hardware.disk", "--disk"));
        }
        if let Some(sg) = self.nic_sg {
            f.hardware.nic_sg = Some(sg == OnOff::On);
            set.push(("hardware.nic_sg", "--nic-sg"));
        }
        if let Some(c) = self.cache {
            f.conditions.cache = Some(match c {
                CacheArg::Cold => CacheState::Cold,
                CacheArg::Warm => CacheState::Warm,
            });
            set.push(("conditions.cache", "--cache"));
        }
        if let Some(s) = self.style {
            f.workload.style = Some(match s {
                StyleArg::Textbook => Style::Textbook,
                StyleArg::Realistic => Style::Realistic,
            });
            set.push(("workload.style", "--style"));
        }
        if let Some(p) = &self.profile {
            f.hardware.profile = Some(p.clone());
            set.push(("hardware.profile", "--profile"));
        }
        if let Some(q) = self.queue_depth {
            f.conditions.queue_depth = Some(q);
            set.push(("conditions.queue_depth", "--queue-depth"));
        }
        if let Some(m) = self.io_model {
            f.workload.io_model = Some(m);
            set.push(("workload.io_model", "--io-model"));
        }
        if let Some(n) = self.cache_pages {
            f.hardware.cache_pages = Some(n);
            set.push(("hardware.cache_pages", "--cache-pages"));
        }
        if let Some(n) = self.readahead_max {
            f.hardware.readahead_max = Some(n);
            set.push(("hardware.readahead_max", "--readahead-max"));
        }
        if let Some(p) = self.policy {
            f.hardware.cache_policy = Some(match p {
                PolicyArg::Lru => crate::sim::page_cache::Policy::Lru,
                PolicyArg::TwoList => crate::sim::page_cache::Policy::TwoList,
            });
            set.push(("hardware.cache_policy", "--policy"));
        }
        set
    }
}

/// An error for the user: printed on stderr, exit code 2.
#[derive(Debug)]
pub struct UserError(pub String);

impl From<ScenarioError> for UserError {
    fn from(e: ScenarioError) -> Self {
        UserError(e.to_string())
    }
}

fn load_or_default(path: &Option<PathBuf>) -> Result<Scenario, UserError> {
    match path {
        Some(p) => Ok(scenario::load(p)?),
        None => Ok(scenario::builtin_default()),
    }
}

/// A run refused on the classroom profile that the modern profile would run: say
/// so, since the classroom machine is tiny on purpose (16-byte pages, 8 of them).
fn classroom_hint(sc: &Scenario, field: &str) -> String {
    let hw = &sc.file.hardware;
    if hw.profile.as_deref().is_some_and(|p| p != "classroom") {
        return String::new();
    }
    let mut modern = sc.clone();
    modern.file.hardware.profile = Some("modern".into());
    if modern.setup().is_err() {
        return String::new();
    }
    format!(
        "; the classroom profile is tiny on purpose (pages of {} bytes, {} of them): --profile modern (hardware.profile: \"modern\") runs this, or raise {field}",
        Hardware::classroom().page_size,
        Hardware::classroom().cache_pages
    )
}

/// The setup for a scenario with flags applied; errors name the file or the flag.
pub fn resolve(path: &Option<PathBuf>, ov: &Overrides) -> Result<(Scenario, Setup), UserError> {
    let mut sc = load_or_default(path)?;
    let set = ov.apply(&mut sc);
    match sc.setup() {
        Ok(s) => Ok((sc, s)),
        Err((field, msg)) => {
            let msg = msg + &classroom_hint(&sc, &field);
            if let Some((_, flag)) = set.iter().find(|(f, _)| *f == field) {
                return Err(UserError(format!("{flag}: {msg}")));
            }
            let implied = set.iter().map(|(_, flag)| *flag).collect::<Vec<_>>();
            let hint = if implied.is_empty() {
                String::new()
            } else {
                format!(" (with {})", implied.join(" "))
            };
            let text = path
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default();
            let err = ScenarioError {
                file: sc.source.clone(),
                position: scenario::find_field(&text, &field),
                field: Some(field),
                message: msg + &hint,
            };
            Err(err.into())
        }
    }
}

/// The first system call that returned an error: (name, result).
pub fn failed_call(m: &Machine) -> Option<(&'static str, i64)> {
    m.log.events.iter().find_map(|e| match e.kind {
        crate::sim::EventKind::SyscallReturn { name, result, .. }
            if result == crate::sim::EINVAL =>
        {
            Some((name, result))
        }
        _ => None,
    })
}

/// "file:line:col: field" for a field, or the flag that set it.
fn locate(path: &Option<PathBuf>, ov: &Overrides, field: &str) -> String {
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

/// Runs a setup to the end with the fast-forward loop.
pub fn simulate(setup: Setup) -> Result<Machine, UserError> {
    let mut m = Machine::new(setup).map_err(|e| UserError(e.to_string()))?;
    m.run_to_end().map_err(|e| UserError(e.to_string()))?;
    Ok(m)
}

#[derive(Serialize)]
struct Summary<'a> {
    method: &'static str,
    file_size: u64,
    buffer_size: u64,
    #[serde(flatten)]
    counters: &'a Counters,
    /// Multi-file scenarios: each file's page-cache hits, misses and hit ratio.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<FileSummary>,
}

#[derive(Serialize)]
struct FileSummary {
    name: String,
    hits: u64,
    misses: u64,
    hit_ratio: Option<f64>,
}

fn file_summaries(m: &Machine) -> Vec<FileSummary> {
    let c = m.counters();
    m.setup
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (hits, misses) = c.per_file.get(&(i as u32)).copied().unwrap_or((0, 0));
            FileSummary {
                name: f.name.clone(),
                hits,
                misses,
                hit_ratio: c.hit_ratio(i as u32),
            }
        })
        .collect()
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

/// The event log as JSON Lines: one event per line, fields as in `sim::event`.
pub fn jsonl(events: &[crate::sim::Event]) -> String {
    let mut out = Vec::with_capacity(events.len() * 160);
    for e in events {
        // Serializing our own plain types cannot fail.
        let _ = serde_json::to_writer(&mut out, e);
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap_or_default()
}

fn describe(s: &Setup) -> String {
    if !s.files.is_empty() {
        let names: Vec<&str> = s.files.iter().map(|f| f.name.as_str()).collect();
        return format!(
            "{} files ({}), {} rounds, {} profile, disk {}, NIC SG {}, {} cache, {} policy",
            s.files.len(),
            names.join(", "),
            s.rounds,
            s.hw.profile,
            s.hw.disk.name(),
            if s.hw.nic_sg { "on" } else { "off" },
            if s.warm_cache { "warm" } else { "cold" },
            s.hw.cache_policy.name()
        );
    }
    format!(
        "{}: {} B file, {} B buffer, {} profile, disk {}, NIC SG {}, {} cache, {}",
        s.method.name(),
        s.file_size,
        s.buffer_size,
        s.hw.profile,
        s.hw.disk.name(),
        if s.hw.nic_sg { "on" } else { "off" },
        if s.warm_cache { "warm" } else { "cold" },
        s.style.name()
    )
}

fn text_summary(s: &Setup, c: &Counters) -> String {
    let secs = c.cycles as f64 / s.hw.clock_hz as f64;
    let busy = if c.cycles > 0 {
        100.0 * c.cpu_busy_cycles as f64 / c.cycles as f64
    } else {
        0.0
    };
    let mut o = format!("{}\n", describe(s));
    o += &format!("  syscalls         {}\n", c.syscalls);
    o += &format!("  mode_switches    {}\n", c.mode_switches);
    o += &format!(
        "  cpu_copies       {}   ({} bytes)\n",
        fmt_copies(c.cpu_copies),
        c.cpu_copy_bytes
    );
    o += &format!(
        "  dma_copies       {}   ({} bytes)\n",
        fmt_copies(c.dma_copies),
        c.dma_copy_bytes
    );
    o += &format!("  interrupts       {}\n", c.interrupts);
    o += &format!(
        "  cycles           {}   ({} simulated)\n",
        c.cycles,
        fmt_seconds(secs)
    );
    o += &format!(
        "  cpu_busy_cycles  {}   ({busy:.0}% of the run)\n",
        c.cpu_busy_cycles
    );
    o += &format!("  bytes_delivered  {}\n", c.bytes_delivered);
    o += &format!(
        "  data_intact      {}\n",
        if c.data_intact { "yes" } else { "NO" }
    );
    o
}

fn fmt_copies(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

fn fmt_seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.3} µs", s * 1e6)
    }
}

pub fn main_with(cli: Cli) -> ExitCode {
    let result = match cli.command {
        None => default_command(),
        Some(c) => dispatch(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(UserError(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

#[cfg(feature = "gui")]
fn default_command() -> Result<(), UserError> {
    gui(GuiArgs::default())
}

#[cfg(not(feature = "gui"))]
fn default_command() -> Result<(), UserError> {
    use clap::CommandFactory;
    let _ = Cli::command().print_help();
    Ok(())
}

fn dispatch(c: Command) -> Result<(), UserError> {
    match c {
        Command::Run {
            scenario,
            overrides,
            summary,
            trace,
            format,
            excel,
        } => {
            let (_, setup) = resolve(&scenario, &overrides)?;
            let m = simulate(setup)?;
            if let Some(path) = trace {
                let bytes =
                    crate::trace::export(format, &m.log.events, &m.setup, excel).map_err(|e| {
                        UserError(format!("{}: cannot export the trace: {e}", path.display()))
                    })?;
                write_atomic(&path, &bytes).map_err(|e| {
                    UserError(format!("{}: cannot write the trace: {e}", path.display()))
                })?;
            }
            // A call the kernel refused (a misaligned O_DIRECT read) ends the program.
            if let Some((name, result)) = failed_call(&m) {
                let why = m
                    .setup
                    .dio_problem()
                    .map(|(f, msg)| (scenario::ron_path(f).to_string(), msg));
                let (field, msg) =
                    why.unwrap_or_else(|| ("workload".into(), "a system call failed".into()));
                return Err(UserError(format!(
                    "{}: {msg}: {name}() returned {result} (EINVAL) and the program stopped",
                    locate(&scenario, &overrides, &field)
                )));
            }
            let c = m.counters();
            match summary {
                SummaryFormat::Text => {
                    print!("{}", text_summary(&m.setup, c));
                    for f in file_summaries(&m) {
                        let ratio = f
                            .hit_ratio
                            .map(|r| format!("{:.0}%", r * 100.0))
                            .unwrap_or("-".into());
                        println!(
                            "  file {:<16} {} hits, {} misses, hit ratio {ratio}",
                            f.name, f.hits, f.misses
                        );
                    }
                }
                SummaryFormat::Json => {
                    let s = Summary {
                        method: m.setup.method.name(),
                        file_size: m.expected,
                        buffer_size: m.setup.buffer_size,
                        counters: c,
                        files: file_summaries(&m),
                    };
                    println!("{}", serde_json::to_string(&s).unwrap_or_default());
                }
            }
            Ok(())
        }
        Command::Compare {
            scenario,
            methods,
            overrides,
            format,
            svg,
        } => {
            if methods.len() > crate::compare::RUN_COLOURS.len() && svg.is_some() {
                return Err(UserError(format!(
                    "--svg: at most {} methods fit on one chart (got {})",
                    crate::compare::RUN_COLOURS.len(),
                    methods.len()
                )));
            }
            let rows = crate::compare::compare(&scenario, &overrides, &methods)?;
            print!("{}", crate::compare::render(&rows, format));
            if let Some(path) = svg {
                let title = match &scenario {
                    Some(p) => format!("iolab compare: {}", p.display()),
                    None => "iolab compare".to_string(),
                };
                let text = crate::compare::svg(&rows, &title).map_err(UserError)?;
                write_atomic(&path, text.as_bytes())
                    .map_err(|e| UserError(format!("--svg {}: {e}", path.display())))?;
            }
            Ok(())
        }
        Command::Check { files } => {
            let mut bad = 0;
            for f in &files {
                match scenario::load(f) {
                    Ok(sc) => {
                        let setup = sc
                            .setup()
                            .map_err(|(f, m)| UserError(format!("{f}: {m}")))?;
                        if let Some((field, msg)) = setup.dio_problem() {
                            eprintln!(
                                "error: {}: {msg}",
                                locate(
                                    &Some(f.clone()),
                                    &Overrides::default(),
                                    scenario::ron_path(field)
                                )
                            );
                            bad += 1;
                            continue;
                        }
                        println!("ok  {}  ({})", f.display(), describe(&setup));
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        bad += 1;
                    }
                }
            }
            if bad > 0 {
                Err(UserError(format!(
                    "{bad} of {} scenario files have problems",
                    files.len()
                )))
            } else {
                Ok(())
            }
        }
        Command::Exercise {
            seed,
            count,
            lang,
            answers,
            out,
        } => {
            if count == 0 || count > 50 {
                return Err(UserError("--count: between 1 and 50 problems".into()));
            }
            let mut command = format!("iolab exercise --seed {seed} --count {count} --lang {lang}");
            if answers {
                command.push_str(" --answers");
            }
            let sheet = crate::exercise::generate(seed, count, &lang, answers, &command)
                .map_err(UserError)?;
            match out {
                None => print!("{}", sheet.markdown),
                Some(dir) => {
                    let err = |e: std::io::Error| UserError(format!("{}: {e}", dir.display()));
                    std::fs::create_dir_all(&dir).map_err(err)?;
                    write_atomic(&dir.join("worksheet.md"), sheet.markdown.as_bytes())
                        .map_err(err)?;
                    for (name, text) in &sheet.scenarios {
                        write_atomic(&dir.join(name), text.as_bytes()).map_err(err)?;
                    }
                    if answers {
                        let json = serde_json::to_string_pretty(&sheet.answers).unwrap_or_default();
                        write_atomic(&dir.join("answers.json"), json.as_bytes()).map_err(err)?;
                    }
                    println!(
                        "wrote {} (worksheet.md and {} scenarios)",
                        dir.display(),
                        sheet.scenarios.len()
                    );
                }
            }
            Ok(())
        }
        Command::Methods => {
            for m in Method::ALL {
                println!("{:<11} {}", m.name(), m.summary());
            }
            Ok(())
        }
        Command::Bench {
            file_size,
            buffer_size,
            methods,
        } => bench(file_size, buffer_size, methods),
        Command::Gui(args) => gui(args),
    }
}

#[cfg(feature = "gui")]
fn gui(args: GuiArgs) -> Result<(), UserError> {
    crate::app::run(args).map_err(UserError)
}

#[cfg(not(feature = "gui"))]
fn gui(_: GuiArgs) -> Result<(), UserError> {
    Err(UserError("this iolab was built without the `gui` feature: build it with default features to open the app".into()))
}

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench(file_size: u64, buffer_size: u64, methods: Option<Vec<String>>) -> Result<(), UserError> {
    let names = methods.unwrap_or_else(|| {
        Method::FILE
            .iter()
            .chain([&Method::DirectAio])
            .map(|m| m.name().to_string())
            .collect()
    });
    println!(
        "iolab bench: modern profile, {} MiB file, {} KiB buffer, cold cache",
        file_size >> 20,
        buffer_size >> 10
    );
    println!(
        "{:<12} {:>14} {:>10} {:>16} {:>10} {:>12}",
        "method", "sim cycles", "wall ms", "cycles/s", "events", "peak RSS MiB"
    );
    for name in &names {
        let method = method_arg(name).map_err(UserError)?;
        let ov = Overrides {
            method: Some(method),
            file_size: Some(file_size),
            buffer_size: Some(buffer_size),
            profile: Some("modern".into()),
            ..Overrides::default()
        };
        let (_, setup) = resolve(&None, &ov)?;
        let t0 = Instant::now();
        let mut m = Machine::new(setup)
            .map_err(|e| UserError(e.to_string()))?
            .counting_only();
        m.run_to_end().map_err(|e| UserError(e.to_string()))?;
        let wall = t0.elapsed().as_secs_f64();
        let c = m.counters();
        if !c.data_intact {
            return Err(UserError(format!("{name}: data not intact")));
        }
        println!(
            "{:<12} {:>14} {:>10.1} {:>16.3e} {:>10} {:>12.1}",
            name,
            c.cycles,
            wall * 1e3,
            c.cycles as f64 / wall,
            m.log.len(),
            peak_rss_kib().unwrap_or(0) as f64 / 1024.0
        );
    }
    // The page-cache pollution scene with 1 GiB of video streamed through.
    println!();
    println!(
        "pollution: 2 hot 16 KiB files + 1 GiB of video in 512 rounds of 2 MiB, 1 MiB page cache (lru)"
    );
    println!(
        "{:<12} {:>14} {:>10} {:>12} {:>12} {:>12}",
        "video by", "sim cycles", "wall ms", "hot hits", "events", "peak RSS MiB"
    );
    let text = scenario::BUILTIN_SCENES
        .iter()
        .find(|s| s.0 == "page_cache_pollution")
        .map(|s| s.1)
        .unwrap_or("");
    let base = scenario::parse(text, "scenes/page_cache_pollution.ron")?;
    for method in [Method::Sendfile, Method::DirectIo] {
        let mut setup = base
            .setup()
            .map_err(|(f, m)| UserError(format!("{f}: {m}")))?;
        setup.method = method;
        for a in &mut setup.accesses {
            if a.bytes_per_round.is_some() {
                a.method = method;
            }
        }
        if let Some(v) = setup.files.iter_mut().find(|f| f.name == "video.mp4") {
            v.size = 1 << 30;
        }
        setup.rounds = 512;
        let t0 = Instant::now();
        let mut m = Machine::new(setup)
            .map_err(|e| UserError(e.to_string()))?
            .counting_only();
        m.run_to_end().map_err(|e| UserError(e.to_string()))?;
        let wall = t0.elapsed().as_secs_f64();
        let c = m.counters();
        if !c.data_intact {
            return Err(UserError("pollution: data not intact".into()));
        }
        let ratio = c.hit_ratio(0).unwrap_or(0.0);
        println!(
            "{:<12} {:>14} {:>10.1} {:>11.0}% {:>12} {:>12.1}",
            method.name(),
            c.cycles,
            wall * 1e3,
            ratio * 100.0,
            m.log.len(),
            peak_rss_kib().unwrap_or(0) as f64 / 1024.0
        );
    }

    // Exporting a 1 MiB run in every format.
    println!();
    let ov = Overrides {
        file_size: Some(1 << 20),
        buffer_size: Some(64 << 10),
        profile: Some("modern".into()),
        ..Overrides::default()
    };
    let (_, setup) = resolve(&None, &ov)?;
    let m = simulate(setup)?;
    println!(
        "exports of a 1 MiB read_write run ({} events):",
        m.log.events.len()
    );
    for f in [
        crate::trace::Format::Jsonl,
        crate::trace::Format::Csv,
        crate::trace::Format::Chrome,
        crate::trace::Format::Vcd,
    ] {
        let t0 = Instant::now();
        let bytes = crate::trace::export(f, &m.log.events, &m.setup, false).map_err(UserError)?;
        println!(
            "  {:<8} {:>8.1} ms  {:>10} bytes",
            format!("{f:?}").to_lowercase(),
            t0.elapsed().as_secs_f64() * 1e3,
            bytes.len()
        );
    }
    Ok(())
}
