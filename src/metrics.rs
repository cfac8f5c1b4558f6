//! The numbers iolab reports, in one table: each metric's key (as in JSON, CSV and
//! the command line), its title in the language files, how to read it from the
//! counters at a playhead, and how to print it. The text summary, `iolab compare`
//! (table and charts) and the app's panels all list metrics from here.

use serde::Serialize;

use crate::sim::{Counters, Setup};

/// A metric's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reading {
    Count(u64),
    /// Copies per byte of the file (the seed's "4 copies").
    PerByte(f64),
    Yes(bool),
}

pub struct Metric {
    pub key: &'static str,
    /// Its title in `assets/lang` (English and Chinese).
    pub text: &'static str,
    /// The value with the playhead at `cycle` (a finished run: its last cycle).
    read: fn(&Counters, u64) -> Reading,
    /// For copies: the bytes behind the per-byte count.
    bytes: Option<fn(&Counters) -> u64>,
}

impl Metric {
    pub fn read(&self, c: &Counters, cycle: u64) -> Reading {
        (self.read)(c, cycle)
    }

    /// The bytes copied, for the copy metrics.
    pub fn bytes(&self, c: &Counters) -> Option<u64> {
        self.bytes.map(|f| f(c))
    }

    /// The value of a finished run.
    pub fn total(&self, c: &Counters) -> Reading {
        self.read(c, c.cycles)
    }

    /// As a number (for charts).
    pub fn value(&self, c: &Counters) -> f64 {
        match self.total(c) {
            Reading::Count(n) => n as f64,
            Reading::PerByte(x) => x,
            Reading::Yes(b) => b as u8 as f64,
        }
    }

    /// As printed in tables: whole numbers plainly, fractions to three places.
    pub fn format(&self, c: &Counters) -> String {
        match self.total(c) {
            Reading::Count(n) => n.to_string(),
            Reading::PerByte(x) => per_byte(x),
            Reading::Yes(b) => b.to_string(),
        }
    }
}

/// A metric that is one whole counter of `Counters`.
macro_rules! count {
    ($name:ident, $key:literal, $text:literal, $field:ident) => {
        pub const $name: Metric = Metric {
            key: $key,
            text: $text,
            read: |c, _| Reading::Count(c.$field),
            bytes: None,
        };
    };
}

count!(SYSCALLS, "syscalls", "app.m_syscalls", syscalls);
count!(
    MODE_SWITCHES,
    "mode_switches",
    "app.m_mode_switches",
    mode_switches
);
pub const CPU_COPIES: Metric = Metric {
    key: "cpu_copies",
    text: "app.m_cpu_copies",
    read: |c, _| Reading::PerByte(c.cpu_copies),
    bytes: Some(|c| c.cpu_copy_bytes),
};
pub const DMA_COPIES: Metric = Metric {
    key: "dma_copies",
    text: "app.m_dma_copies",
    read: |c, _| Reading::PerByte(c.dma_copies),
    bytes: Some(|c| c.dma_copy_bytes),
};
count!(INTERRUPTS, "interrupts", "app.m_interrupts", interrupts);
count!(CYCLES, "cycles", "app.m_cycles", cycles);
pub const CPU_BUSY: Metric = Metric {
    key: "cpu_busy_cycles",
    text: "app.m_cpu_busy",
    read: |c, cycle| Reading::Count(c.busy_at(cycle)),
    bytes: None,
};
count!(
    BYTES_DELIVERED,
    "bytes_delivered",
    "app.bytes_delivered",
    bytes_delivered
);
pub const DATA_INTACT: Metric = Metric {
    key: "data_intact",
    text: "app.data_intact",
    read: |c, _| Reading::Yes(c.data_intact),
    bytes: None,
};

count!(CACHE_HITS, "cache_hits", "app.cache_hits", cache_hits);
count!(
    CACHE_MISSES,
    "cache_misses",
    "app.cache_misses",
    cache_misses
);
count!(
    CACHE_EVICTIONS,
    "cache_evictions",
    "app.cache_evictions",
    cache_evictions
);
count!(
    READAHEAD_PAGES,
    "readahead_pages",
    "app.readahead_pages",
    readahead_pages
);
count!(
    READAHEAD_HITS,
    "readahead_hits",
    "app.readahead_hits",
    readahead_hits
);
count!(
    MINOR_FAULTS,
    "minor_faults",
    "app.minor_faults",
    minor_faults
);
count!(
    MAJOR_FAULTS,
    "major_faults",
    "app.major_faults",
    major_faults
);
count!(
    EAGAIN_RETURNS,
    "eagain_returns",
    "app.eagain_returns",
    eagain_returns
);
count!(WAIT_CYCLES, "wait_cycles", "app.wait_cycles", wait_cycles);
count!(
    TASK_SWITCHES,
    "task_switches",
    "app.task_switches",
    task_switches
);
count!(
    OTHER_WORK,
    "other_work_cycles",
    "app.other_work_cycles",
    other_work_cycles
);

count!(
    DIRTY_PEAK,
    "dirty_pages_peak",
    "app.dirty_pages_peak",
    dirty_pages_peak
);
count!(
    WRITEBACK_PAGES,
    "writeback_pages",
    "app.writeback_pages",
    writeback_pages
);
count!(
    THROTTLE_CYCLES,
    "throttle_cycles",
    "app.throttle_cycles",
    throttle_cycles
);
count!(
    SQES_SUBMITTED,
    "sqes_submitted",
    "app.sqes_submitted",
    sqes_submitted
);
count!(CQES_REAPED, "cqes_reaped", "app.cqes_reaped", cqes_reaped);
count!(DOORBELLS, "doorbells", "app.doorbells", doorbells);
count!(
    POLLED,
    "polled_completions",
    "app.polled_completions",
    polled_completions
);
pub const SQPOLL_CYCLES: Metric = Metric {
    key: "sqpoll_cycles",
    text: "app.sqpoll_cycles",
    read: |c, cycle| Reading::Count(c.sqpoll_at(cycle)),
    bytes: None,
};

/// When the program exited; shown only when the run went on without it (the
/// flusher still writing back), where it differs from `cycles`.
pub const PROGRAM_CYCLES: Metric = Metric {
    key: "program_cycles",
    text: "app.program_cycles",
    read: |c, _| {
        Reading::Count(if c.program_cycles < c.cycles {
            c.program_cycles
        } else {
            0
        })
    },
    bytes: None,
};

/// When the program exited, always (the compare table's column).
pub const PROGRAM_EXIT: Metric = Metric {
    key: "program_cycles",
    text: "app.program_cycles",
    read: |c, _| Reading::Count(c.program_cycles),
    bytes: None,
};

/// The compare table's extra columns when a run writes a file: how long the
/// program took (the run may go on writing back), and the dirty pages.
pub const WRITE_COLUMNS: [&Metric; 4] = [
    &PROGRAM_EXIT,
    &DIRTY_PEAK,
    &WRITEBACK_PAGES,
    &THROTTLE_CYCLES,
];

/// The compare table's page-cache columns: readahead's hits apart from the rest.
pub const CACHE_COLUMNS: [&Metric; 3] = [&CACHE_HITS, &READAHEAD_HITS, &CACHE_MISSES];

/// The compare table's fault columns, for runs that take page faults.
pub const FAULT_COLUMNS: [&Metric; 2] = [&MINOR_FAULTS, &MAJOR_FAULTS];

/// The page-cache, fault, I/O-model, scheduler and write-path counters: shown
/// (summary and app) when not zero.
pub const MORE: [&Metric; 20] = [
    &CACHE_HITS,
    &CACHE_MISSES,
    &CACHE_EVICTIONS,
    &READAHEAD_PAGES,
    &READAHEAD_HITS,
    &MINOR_FAULTS,
    &MAJOR_FAULTS,
    &EAGAIN_RETURNS,
    &WAIT_CYCLES,
    &TASK_SWITCHES,
    &OTHER_WORK,
    &DIRTY_PEAK,
    &WRITEBACK_PAGES,
    &THROTTLE_CYCLES,
    &PROGRAM_CYCLES,
    &SQES_SUBMITTED,
    &CQES_REAPED,
    &DOORBELLS,
    &SQPOLL_CYCLES,
    &POLLED,
];

/// The run summary, the compare table and the app's counters panel, in order.
pub const SUMMARY: [&Metric; 9] = [
    &SYSCALLS,
    &MODE_SWITCHES,
    &CPU_COPIES,
    &DMA_COPIES,
    &INTERRUPTS,
    &CYCLES,
    &CPU_BUSY,
    &BYTES_DELIVERED,
    &DATA_INTACT,
];

/// The bar charts (`compare --svg` and the app), in order.
pub const CHARTS: [&Metric; 7] = [
    &SYSCALLS,
    &MODE_SWITCHES,
    &CPU_COPIES,
    &DMA_COPIES,
    &INTERRUPTS,
    &CPU_BUSY,
    &CYCLES,
];

/// Copies per byte: whole numbers plainly, fractions to three places.
pub fn per_byte(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// A number of bytes in the unit that reads best: "40 B", "64.0 KiB", "1.0 MiB".
pub fn bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// Simulated time in the unit that reads best.
pub fn seconds(cycles: u64, clock_hz: u64) -> String {
    let s = cycles as f64 / clock_hz.max(1) as f64;
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.3} µs", s * 1e6)
    }
}

/// The share of the run the CPU was busy, in percent.
pub fn busy_percent(c: &Counters) -> f64 {
    if c.cycles > 0 {
        100.0 * c.cpu_busy_cycles as f64 / c.cycles as f64
    } else {
        0.0
    }
}

/// One file's page-cache look-ups in a multi-file run: its hits, of which those
/// on pages readahead had just brought in (not reuse), its misses and ratios.
#[derive(Serialize, Clone, Debug)]
pub struct FileSummary {
    pub name: String,
    pub hits: u64,
    /// Hits on pages readahead had just brought in (not reuse).
    pub readahead_hits: u64,
    pub misses: u64,
    pub hit_ratio: Option<f64>,
    /// Hits on pages read before, per look-up.
    pub reuse_ratio: Option<f64>,
}

/// Each file of a multi-file run (none for a one-file run).
pub fn file_summaries(setup: &Setup, c: &Counters) -> Vec<FileSummary> {
    setup
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (hits, misses) = c.per_file.get(&(i as u32)).copied().unwrap_or((0, 0));
            FileSummary {
                name: f.name.clone(),
                hits,
                readahead_hits: c.per_file_ahead.get(&(i as u32)).copied().unwrap_or(0),
                misses,
                hit_ratio: c.hit_ratio(i as u32),
                reuse_ratio: c.reuse_ratio(i as u32),
            }
        })
        .collect()
}
