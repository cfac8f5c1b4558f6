//! The command line: `iolab run | compare | check | methods | exercise | bench | gui`,
//! one file per subcommand. Each parses its flags and calls the service layer
//! (`session`); nothing below the command line imports from here.

mod bench;
mod check;
mod compare;
mod exercise;
mod flags;
mod lesson;
mod narrate;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use flags::RunFlags;
use flags::{FpsPart, ThemeArg, size_arg};
use run::SummaryFormat;

use crate::session::UserError;
use crate::sim::Method;

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
        #[arg(help = flags::scenario_help())]
        scenario: Option<PathBuf>,
        #[command(flatten)]
        overrides: RunFlags,
        /// How to print the counters.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        summary: SummaryFormat,
        /// Write the event log to FILE (JSON Lines unless --format says otherwise).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// The trace's format: jsonl, csv, chrome (Perfetto / chrome://tracing) or vcd (GTKWave).
        #[arg(long, value_parser = flags::format_arg(), default_value = "jsonl", requires = "trace")]
        format: crate::trace::Format,
        /// With --format csv: start with a UTF-8 byte-order mark for Excel.
        #[arg(long, requires = "trace")]
        excel: bool,
    },
    /// Run the same conditions through several methods, one row each.
    Compare {
        #[arg(help = flags::scenario_help())]
        scenario: Option<PathBuf>,
        /// Comma-separated labels, `method+modifier...` as for `run --method`
        /// (e.g. read_write,mmap_write,sendfile,sendfile+sg or recv+blocking,recv+async).
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "read_write,mmap_write,sendfile,sendfile+sg,splice,direct_io"
        )]
        methods: Vec<String>,
        #[command(flatten)]
        overrides: RunFlags,
        #[arg(long, value_enum, default_value_t = compare::TableArg::Text)]
        format: compare::TableArg,
        /// Also write the bar charts (syscalls, mode switches, copies, interrupts,
        /// cycles) as an SVG slide to this file.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// The language of the SVG slide's titles.
        #[arg(long, value_parser = flags::lang_arg(), default_value = "en", requires = "svg")]
        lang: crate::i18n::Lang,
    },
    /// Validate scenario files; prints each problem with file:line:column.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the methods with one line each.
    Methods,
    /// Print the run's story, one line per step (cycle, then what happens): the
    /// sentences the app shows, for a screen reader or subtitles.
    Narrate {
        #[arg(help = flags::scenario_help())]
        scenario: Option<PathBuf>,
        #[command(flatten)]
        overrides: flags::RunFlags,
        #[arg(long, value_parser = flags::lang_arg(), default_value = "en")]
        lang: crate::i18n::Lang,
        /// From this event (default: the first).
        #[arg(long)]
        from_event: Option<usize>,
        /// To this event (default: the last).
        #[arg(long)]
        to_event: Option<usize>,
    },
    /// Work through a lesson: each step's scene, what to watch, and a question
    /// answered from the run (a shipped lesson by name, e.g. pio_to_zero_copy).
    Lesson {
        file: PathBuf,
        #[arg(long, value_parser = flags::lang_arg(), default_value = "en")]
        lang: crate::i18n::Lang,
        /// Show each answer at once instead of asking.
        #[arg(long)]
        teacher: bool,
    },
    /// Write a worksheet of reproducible problems (and scenario files to check them).
    Exercise {
        /// `grade DIR ANSWERS.json`: mark a student's answers against the sheet's key.
        #[command(subcommand)]
        grade: Option<ExerciseCommand>,
        /// The seed: the same seed gives the same sheet.
        #[arg(long)]
        seed: Option<u64>,
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
        /// The kinds of problem (default all): counts (`--count` of them), freest,
        /// fastest, readahead, identify, io_model, pollution.
        #[arg(long, value_delimiter = ',')]
        kinds: Option<Vec<String>>,
        /// The methods the counting problems draw from (default: all they use).
        #[arg(long, value_delimiter = ',')]
        methods: Option<Vec<String>>,
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

/// `iolab exercise grade`.
#[derive(Subcommand, Debug, Clone)]
pub enum ExerciseCommand {
    /// Mark a student's answers (JSON, the shape of answers.json, any of its
    /// fields) against the key the simulator computed for the sheet in DIR.
    Grade {
        dir: PathBuf,
        answers: PathBuf,
        /// The language of the marks (default: the sheet's).
        #[arg(long, value_parser = flags::lang_arg())]
        lang: Option<crate::i18n::Lang>,
    },
}

/// `iolab gui`: what to open and, for scripted use, what to capture.
#[derive(Args, Debug, Default, Clone)]
pub struct GuiArgs {
    #[arg(help = flags::scenario_help())]
    pub scenario: Option<PathBuf>,
    /// Open the compare view with these runs: `classic` (read_write, mmap_write,
    /// sendfile+nosg, sendfile+sg), `pio-dma` (read+pio, read+dma), `write-path`
    /// (write_file, +fsync, +o_sync, copy_file, copy_file_range), `io-uring`
    /// (read_write, sendfile+nosg, sendfile+sg, io_uring+sg+sqpoll), or 2 to 6
    /// comma-separated labels as in `iolab compare --methods`.
    #[arg(long, value_name = "RUNS")]
    pub compare: Option<String>,
    /// The app's language (remembered; default: the last one used, else English).
    #[arg(long, value_parser = flags::lang_arg())]
    pub lang: Option<crate::i18n::Lang>,
    /// The colours: projector (light, high contrast) or dark, for this run only
    /// (default: the app's remembered theme; an SVG figure is light unless told).
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// Render one frame to this PNG and exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: the event to show, by number, or a moment: KIND:N (the
    /// N-th, from 1) with KIND irq_raise, mode_switch, cache_miss, readahead_window,
    /// dma_copy, cpu_copy, delivered, uring_cqe or syscall_enter (also syscall_enter:NAME:N).
    #[arg(long, value_name = "K|KIND:N")]
    pub at_event: Option<String>,
    /// With --screenshot: the cycle to show.
    #[arg(long)]
    pub at_cycle: Option<u64>,
    /// Play the run for this many seconds, print the frame rate and exit.
    #[arg(long, hide = true)]
    pub fps_seconds: Option<f64>,
    /// With --fps-seconds: leave parts of the frame out (sprites: every rectangle, text, panels,
    /// comma-separated) to measure what each costs (tools/fps.sh --breakdown).
    #[arg(long, hide = true, value_delimiter = ',', value_name = "PART")]
    pub fps_hide: Vec<FpsPart>,
    /// With --screenshot: also write where every label of the drawing is (JSON
    /// Lines, world units), for the layout test.
    #[arg(long, hide = true)]
    pub layout_report: Option<PathBuf>,
    /// Presentation mode: no panels, the drawing fills the window, the narration as
    /// one large caption (key P switches it; --screenshot honours it).
    #[arg(long)]
    pub present: bool,
    /// The window's size, e.g. 1024x576 to see what a projector will show
    /// (default 1600x900).
    #[arg(long, value_name = "WxH", value_parser = flags::window_size)]
    pub window: Option<(u32, u32)>,
    /// Write the run's whole route as a still figure and exit: FILE.svg (vector, for
    /// slides; no window needed; with --compare, the runs side by side) or FILE.png
    /// (the app's picture at the end, in presentation mode).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    pub figure: Option<PathBuf>,
    /// Record a stretch of the run as the app plays it, as an animated GIF, and exit
    /// (whole run unless --from-/--to- say; presentation mode with --present).
    #[arg(long, value_name = "FILE.gif")]
    pub record: Option<PathBuf>,
    /// With --record: start at this event (or --from-cycle).
    #[arg(long, conflicts_with = "from_cycle")]
    pub from_event: Option<u64>,
    /// With --record: stop at this event (or --to-cycle).
    #[arg(long, conflicts_with = "to_cycle")]
    pub to_event: Option<u64>,
    #[arg(long)]
    pub from_cycle: Option<u64>,
    #[arg(long)]
    pub to_cycle: Option<u64>,
    /// With --record: frames per second of animation.
    #[arg(long, default_value_t = 10.0)]
    pub frame_rate: f64,
    /// Open in a lesson (a shipped lesson's name, e.g. pio_to_zero_copy, or a file).
    #[arg(long, value_name = "LESSON")]
    pub lesson: Option<PathBuf>,
    /// With --lesson: the step to open (from 1).
    #[arg(long, default_value_t = 1)]
    pub lesson_step: usize,
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
        } => run::run(run::RunArgs {
            scenario,
            flags: overrides,
            summary,
            trace,
            format,
            excel,
        }),
        Command::Compare {
            scenario,
            methods,
            overrides,
            format,
            svg,
            lang,
        } => compare::compare(scenario, methods, &overrides, format, svg, lang),
        Command::Check { files } => check::check(&files),
        Command::Narrate {
            scenario,
            overrides,
            lang,
            from_event,
            to_event,
        } => narrate::narrate(&scenario, &(&overrides).into(), lang, from_event, to_event),
        Command::Lesson {
            file,
            lang,
            teacher,
        } => lesson::lesson(&file, lang, teacher),
        Command::Exercise {
            grade: Some(ExerciseCommand::Grade { dir, answers, lang }),
            ..
        } => exercise::grade(&dir, &answers, lang),
        Command::Exercise {
            grade: None,
            seed,
            count,
            lang,
            answers,
            out,
            kinds,
            methods,
        } => {
            let seed = seed.ok_or_else(|| {
                UserError(
                    "exercise: --seed is required (the same seed gives the same sheet)".into(),
                )
            })?;
            exercise::exercise(seed, count, &lang, answers, out, kinds, methods)
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
        } => bench::bench(file_size, buffer_size, methods),
        Command::Gui(args) => gui(args),
    }
}

/// `--figure FILE.svg`: the route of the run (or of each run to compare) drawn as
/// the seed's figures, side by side, without opening a window.
fn figure_svg(a: &GuiArgs, path: &std::path::Path) -> Result<(), UserError> {
    let lang = a.lang.unwrap_or_default();
    let texts = crate::i18n::Texts::of(lang);
    let base = crate::session::Overrides::default();
    let labels: Vec<String> = match &a.compare {
        None => vec![String::new()],
        Some(list) => crate::compare::preset_or_labels(list),
    };
    let mut replays = Vec::new();
    for label in &labels {
        let ov = if label.is_empty() {
            base.clone()
        } else {
            crate::compare::parse_label(label, &base)
                .map_err(|m| UserError(format!("--compare: {m}")))?
        };
        let (_, setup) = crate::session::resolve(&a.scenario, &ov)?;
        let mut m = crate::session::simulate(setup)?;
        let title = if label.is_empty() {
            m.setup.name.clone()
        } else {
            label.clone()
        };
        let events = std::mem::take(&mut m.log.events);
        replays.push((title, crate::replay::Replay::new(m.setup.clone(), events)));
    }
    let panels: Vec<(String, &crate::replay::Replay)> =
        replays.iter().map(|(t, r)| (t.clone(), r)).collect();
    let theme = match a.theme {
        Some(ThemeArg::Dark) => crate::figure::Theme::Dark,
        _ => crate::figure::Theme::Light,
    };
    let svg = crate::figure::svg(&panels, &texts, theme);
    crate::session::write_atomic(path, svg.as_bytes())
        .map_err(|e| UserError(format!("--figure {}: {e}", path.display())))?;
    println!("{}", path.display());
    Ok(())
}

#[cfg(feature = "gui")]
fn gui(a: GuiArgs) -> Result<(), UserError> {
    if let Some(path) = &a.figure {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("svg") => return figure_svg(&a, path),
            Some("png") if a.compare.is_none() => {
                // The app's own picture: the whole route at the end, no panels.
                return crate::app::run(crate::app::GuiOptions {
                    scenario: a.scenario,
                    compare: None,
                    lang: a.lang,
                    screenshot: Some(path.clone()),
                    at_event: None,
                    at_cycle: None,
                    fps_seconds: None,
                    present: true,
                    window: a.window,
                    layout_report: a.layout_report,
                    projector: a.theme.map(|t| t == ThemeArg::Projector),
                    ..Default::default()
                })
                .map_err(UserError);
            }
            Some("png") => {
                return Err(UserError(
                    "--figure FILE.png shows one run; for runs side by side use FILE.svg".into(),
                ));
            }
            _ => {
                return Err(UserError(format!(
                    "--figure {}: the file name must end in .svg or .png",
                    path.display()
                )));
            }
        }
    }
    crate::app::run(crate::app::GuiOptions {
        scenario: a.scenario,
        compare: a.compare,
        lang: a.lang,
        screenshot: a.screenshot,
        at_event: a.at_event,
        at_cycle: a.at_cycle,
        fps_seconds: a.fps_seconds,
        fps_hide: crate::app::FpsHide {
            sprites: a.fps_hide.contains(&FpsPart::Sprites),
            text: a.fps_hide.contains(&FpsPart::Text),
            panels: a.fps_hide.contains(&FpsPart::Panels),
        },
        present: a.present,
        window: a.window,
        record: a.record,
        from_event: a.from_event,
        to_event: a.to_event,
        from_cycle: a.from_cycle,
        to_cycle: a.to_cycle,
        frame_rate: a.frame_rate,
        lesson: a.lesson.map(|l| (l, a.lesson_step)),
        layout_report: a.layout_report,
        projector: a.theme.map(|t| t == ThemeArg::Projector),
    })
    .map_err(UserError)
}

#[cfg(not(feature = "gui"))]
fn gui(a: GuiArgs) -> Result<(), UserError> {
    // A vector figure needs no window, so it works without the app too.
    if let Some(path) = &a.figure {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("svg") => return figure_svg(&a, path),
            Some("png") => {}
            _ => {
                return Err(UserError(format!(
                    "--figure {}: the file name must end in .svg or .png",
                    path.display()
                )));
            }
        }
    }
    Err(UserError("this iolab was built without the `gui` feature: build it with default features to open the app".into()))
}
