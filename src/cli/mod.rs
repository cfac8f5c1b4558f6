//! The command line: `iolab run | compare | check | methods | exercise | bench | gui`,
//! one file per subcommand. Each parses its flags and calls the service layer
//! (`session`); nothing below the command line imports from here.

mod bench;
mod check;
mod compare;
mod exercise;
mod flags;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use flags::RunFlags;
use flags::size_arg;
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
    #[arg(help = flags::scenario_help())]
    pub scenario: Option<PathBuf>,
    /// Open the compare view with these runs: `classic` (read_write, mmap_write,
    /// sendfile, sendfile+sg), `pio-dma` (read+pio, read+dma), `write-path`
    /// (write_file, +fsync, +o_sync, copy_file, copy_file_range), or 2 to 6
    /// comma-separated labels as in `iolab compare --methods`.
    #[arg(long, value_name = "RUNS")]
    pub compare: Option<String>,
    /// The app's language (remembered; default: the last one used, else English).
    #[arg(long, value_parser = flags::lang_arg())]
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
    /// Presentation mode: no panels, the drawing fills the window, the narration as
    /// one large caption (key P switches it; --screenshot honours it).
    #[arg(long)]
    pub present: bool,
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
        Command::Exercise {
            seed,
            count,
            lang,
            answers,
            out,
        } => exercise::exercise(seed, count, &lang, answers, out),
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

#[cfg(feature = "gui")]
fn gui(a: GuiArgs) -> Result<(), UserError> {
    crate::app::run(crate::app::GuiOptions {
        scenario: a.scenario,
        compare: a.compare,
        lang: a.lang,
        screenshot: a.screenshot,
        at_event: a.at_event,
        at_cycle: a.at_cycle,
        fps_seconds: a.fps_seconds,
        present: a.present,
    })
    .map_err(UserError)
}

#[cfg(not(feature = "gui"))]
fn gui(_: GuiArgs) -> Result<(), UserError> {
    Err(UserError("this iolab was built without the `gui` feature: build it with default features to open the app".into()))
}
