//! The flags that override a scenario file, as clap parses them, and their
//! conversion into the service layer's plain `Overrides`.

use clap::builder::TypedValueParser as _;
use clap::{Args, ValueEnum};

use crate::scenario::{CacheState, parse_size};
use crate::session::Overrides;
use crate::sim::page_cache::Policy;
use crate::sim::program::{IoModel, SyncMode};
use crate::sim::{DiskTransfer, Method, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// A part of the app's frame that `--fps-hide` can leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FpsPart {
    Sprites,
    Text,
    Panels,
}

/// `gui --theme`: the scene's and the figures' colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ThemeArg {
    /// Light and high-contrast, for projectors and slides.
    Projector,
    /// The app's dark scene.
    Dark,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InterfaceArg {
    Controller,
    Nvme,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompletionArg {
    Irq,
    Poll,
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

/// Flags that override the scenario file.
#[derive(Args, Debug, Default, Clone)]
pub struct RunFlags {
    #[arg(long, value_name = "METHOD[+MODIFIER...]", value_parser = label_arg, help = methods_help())]
    pub method: Option<Overrides>,
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
    pub io_model: Option<IoModel>,
    /// For `--method direct_aio`: O_DIRECT reads kept in flight; for `io_uring`:
    /// chunks per batch.
    #[arg(long)]
    pub queue_depth: Option<u64>,
    /// For `--method io_uring`: a kernel thread polls the submission ring (SQPOLL).
    #[arg(long, value_enum)]
    pub sqpoll: Option<OnOff>,
    /// Disk completions by interrupt, or polled by the waiting process (it spins).
    #[arg(long, value_enum)]
    pub completion: Option<CompletionArg>,
    /// The disk's interface: a register-style controller, or an NVMe drive with
    /// queues in memory and a doorbell.
    #[arg(long, value_enum)]
    pub disk_interface: Option<InterfaceArg>,
    /// For the write methods: none | fsync | o_sync | o_direct.
    #[arg(long, value_parser = sync_arg)]
    pub sync: Option<SyncMode>,
}

impl From<&RunFlags> for Overrides {
    fn from(f: &RunFlags) -> Overrides {
        // A label's modifiers (`sendfile+sg`) first; a flag given as well wins.
        let label = f.method.clone().unwrap_or_default();
        Overrides {
            method: label.method,
            file_size: f.file_size,
            buffer_size: f.buffer_size,
            disk: f
                .disk
                .map(|d| match d {
                    DiskArg::Pio => DiskTransfer::Pio,
                    DiskArg::Dma => DiskTransfer::Dma,
                })
                .or(label.disk),
            nic_sg: f.nic_sg.map(|s| s == OnOff::On).or(label.nic_sg),
            cache: f
                .cache
                .map(|c| match c {
                    CacheArg::Cold => CacheState::Cold,
                    CacheArg::Warm => CacheState::Warm,
                })
                .or(label.cache),
            style: f.style.map(|s| match s {
                StyleArg::Textbook => Style::Textbook,
                StyleArg::Realistic => Style::Realistic,
            }),
            profile: f.profile.clone().or(label.profile),
            cache_pages: f.cache_pages,
            readahead_max: f.readahead_max,
            policy: f.policy.map(|p| match p {
                PolicyArg::Lru => Policy::Lru,
                PolicyArg::TwoList => Policy::TwoList,
            }),
            io_model: f.io_model.or(label.io_model),
            queue_depth: f.queue_depth,
            sqpoll: f.sqpoll.map(|s| s == OnOff::On).or(label.sqpoll),
            completion: f
                .completion
                .map(|c| match c {
                    CompletionArg::Irq => crate::sim::Completion::Irq,
                    CompletionArg::Poll => crate::sim::Completion::Poll,
                })
                .or(label.completion),
            disk_interface: f
                .disk_interface
                .map(|i| match i {
                    InterfaceArg::Controller => crate::sim::DiskInterface::Controller,
                    InterfaceArg::Nvme => crate::sim::DiskInterface::Nvme,
                })
                .or(label.disk_interface),
            sync: f.sync.or(label.sync),
        }
    }
}

fn sync_arg(s: &str) -> Result<SyncMode, String> {
    SyncMode::parse(s).ok_or_else(|| {
        let names: Vec<_> = SyncMode::ALL.iter().map(|m| m.name()).collect();
        format!("unknown sync mode `{s}` (known: {})", names.join(", "))
    })
}

fn io_model_arg(s: &str) -> Result<IoModel, String> {
    IoModel::parse(s).ok_or_else(|| {
        format!("unknown I/O model `{s}` (known: blocking, nonblocking, multiplexing, signal_driven, async)")
    })
}

pub fn size_arg(s: &str) -> Result<u64, String> {
    parse_size(s)
}

/// `--format` of a trace: the names the exporters have (clap lists them in --help).
pub fn format_arg() -> impl clap::builder::TypedValueParser<Value = crate::trace::Format> {
    use crate::trace::Format;
    clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::name)).map(|s| {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .unwrap_or(Format::Jsonl)
    })
}

/// `--lang`: the languages of the texts.
pub fn lang_arg() -> impl clap::builder::TypedValueParser<Value = crate::i18n::Lang> {
    use crate::i18n::Lang;
    clap::builder::PossibleValuesParser::new(Lang::ALL.map(Lang::code)).map(|s| {
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .unwrap_or_default()
    })
}

/// `--method`: a method, with the same `+` modifiers as `compare --methods`.
fn label_arg(s: &str) -> Result<Overrides, String> {
    crate::compare::parse_label(s, &Overrides::default())
}

/// The methods, from the one list, for `--help`.
pub fn methods_help() -> String {
    let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
    format!(
        "The method: {}; modifiers as in `compare --methods` may follow ({})",
        names.join(" | "),
        crate::compare::MODIFIERS
    )
}

/// A scenario argument, for `--help`: a file or a built-in scene's name.
pub fn scenario_help() -> String {
    let names: Vec<&str> = crate::scenario::BUILTIN_SCENES
        .iter()
        .map(|s| s.0)
        .collect();
    format!(
        "A scenario file (.ron), or a built-in scene's name: {}. Without it, the built-in default",
        names.join(", ")
    )
}

/// `--window WxH`: a window size in pixels, from 320 × 240 to 7680 × 4320.
pub fn window_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}`: a size such as 1024x576 (width x height in pixels)");
    let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(320..=7680).contains(&w) || !(240..=4320).contains(&h) {
        return Err(format!(
            "`{s}`: from 320x240 to 7680x4320 pixels, so the window can be drawn"
        ));
    }
    Ok((w, h))
}
