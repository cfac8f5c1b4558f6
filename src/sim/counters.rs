//! Counters derived from the event log, exactly as DESIGN.md §2 defines them.
//!
//! They are a fold over the events, so the CLI, the GUI (at any playhead) and the
//! exports all count the same way.

use serde::Serialize;

use super::event::{Activity, Agent, Event, EventKind, InsertCause, IoPhase, ModeCause};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counters {
    /// System calls issued by the process.
    pub syscalls: u64,
    /// User↔kernel transitions of the process: 2 per syscall, 2 per user-mode fault.
    pub mode_switches: u64,
    /// Bytes moved between memory locations by the CPU.
    pub cpu_copy_bytes: u64,
    /// Bytes moved between memory locations by a DMA engine.
    pub dma_copy_bytes: u64,
    /// CPU copies per byte of the file (the seed's "copies").
    pub cpu_copies: f64,
    pub dma_copies: f64,
    /// Hardware interrupts taken by the CPU.
    pub interrupts: u64,
    /// Cycles from start to the last event.
    pub cycles: u64,
    /// Cycles in which the CPU was not idle.
    pub cpu_busy_cycles: u64,
    pub bytes_delivered: u64,
    pub data_intact: bool,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub cache_evictions: u64,
    /// Pages the kernel read ahead of the reader's request.
    pub readahead_pages: u64,
    /// Cache hits on pages that readahead brought in and nobody had read yet: the
    /// disk was early, but nothing was reused. The other hits are reuse.
    pub readahead_hits: u64,
    /// Nonblocking calls that found no data (returned -1, errno EAGAIN).
    pub eagain_returns: u64,
    /// Stevens' phase 1: cycles from the first input call until the data was ready.
    pub wait_cycles: u64,
    /// Cycles the CPU was free for other work (a background task, or the process's
    /// own work while it waits for a notification).
    pub other_work_cycles: u64,
    /// Times the scheduler switched the CPU between tasks (a process sleeping and waking).
    pub task_switches: u64,
    /// Page faults that found the page cached (minor) or had to read it (major).
    pub minor_faults: u64,
    pub major_faults: u64,
    /// The write path: the most pages dirty or being written back at once.
    pub dirty_pages_peak: u64,
    /// Pages written back to the disk (a page written back twice counts twice).
    pub writeback_pages: u64,
    /// Cycles the writer slept because dirty pages exceeded dirty_limit.
    pub throttle_cycles: u64,
    /// io_uring: entries the kernel took from the submission ring, completions the
    /// program read from the completion ring, and doorbell writes to the disk.
    pub sqes_submitted: u64,
    pub cqes_reaped: u64,
    pub doorbells: u64,
    /// SQPOLL: cycles the kernel's polling thread ran (spinning on its own core):
    /// kernel CPU time beside the process's core, not in `cpu_busy_cycles`.
    pub sqpoll_cycles: u64,
    /// Disk completions found by polling instead of an interrupt (`completion: poll`).
    pub polled_completions: u64,
    /// The cycle the program exited (its last call returned): how long it took,
    /// whatever the kernel still does afterwards (writeback).
    pub program_cycles: u64,
    /// Pages dirty or being written back now (at the playhead).
    #[serde(skip)]
    pub dirty_now: u64,
    /// Page-cache hits and misses of each file, by file id.
    #[serde(skip)]
    pub per_file: std::collections::BTreeMap<u32, (u64, u64)>,
    /// Of each file's hits, those on pages read ahead.
    #[serde(skip)]
    pub per_file_ahead: std::collections::BTreeMap<u32, u64>,
    /// Pages read ahead and not read yet: (file, page).
    #[serde(skip)]
    unread_ahead: std::collections::BTreeSet<(u32, u64)>,
    #[serde(skip)]
    wait_since: Option<u64>,
    #[serde(skip)]
    file_size: u64,
    #[serde(skip)]
    activity: Option<(Activity, u64)>,
    #[serde(skip)]
    sq_since: Option<u64>,
}

impl Counters {
    pub fn observe(&mut self, e: &Event) {
        match &e.kind {
            EventKind::RunStart { file_size, .. } => self.file_size = *file_size,
            EventKind::SyscallEnter { .. } => self.syscalls += 1,
            // An interrupt's switch is not the process's: not counted.
            EventKind::ModeSwitch { cause, .. }
                if !matches!(cause, ModeCause::Interrupt { .. }) =>
            {
                self.mode_switches += 1
            }
            EventKind::Copy { agent, len, .. } => match agent {
                Agent::Cpu => self.cpu_copy_bytes += len,
                Agent::Dma => self.dma_copy_bytes += len,
                Agent::Device => {}
            },
            EventKind::IrqTake { .. } => self.interrupts += 1,
            EventKind::SyscallReturn { result, .. } if *result == crate::sim::EAGAIN => {
                self.eagain_returns += 1
            }
            EventKind::TaskSwitch { .. } => self.task_switches += 1,
            EventKind::PageDirtied { .. } => {
                self.dirty_now += 1;
                self.dirty_pages_peak = self.dirty_pages_peak.max(self.dirty_now);
            }
            EventKind::WritebackStart { pages, .. } => self.writeback_pages += pages,
            EventKind::WritebackDone { pages, .. } => {
                self.dirty_now = self.dirty_now.saturating_sub(*pages)
            }
            EventKind::Unthrottled { cycles } => self.throttle_cycles += cycles,
            EventKind::UringSubmit { count, .. } => self.sqes_submitted += count,
            EventKind::UringReap { count } => self.cqes_reaped += count,
            EventKind::Doorbell { .. } => self.doorbells += 1,
            EventKind::CompletionPolled { requests } => self.polled_completions += requests,
            EventKind::SqThread { running: true } => self.sq_since = Some(e.cycle),
            EventKind::SqThread { running: false } => {
                if let Some(s) = self.sq_since.take() {
                    self.sqpoll_cycles += e.cycle - s;
                }
            }
            EventKind::ProcessState {
                state: crate::sim::event::ProcessState::Exited,
            } => self.program_cycles = e.cycle,
            EventKind::PageFault { major: true, .. } => self.major_faults += 1,
            EventKind::PageFault { major: false, .. } => self.minor_faults += 1,
            EventKind::IoPhase { phase } => match phase {
                IoPhase::WaitingForData => self.wait_since = Some(e.cycle),
                IoPhase::CopyingToUser => {
                    if let Some(s) = self.wait_since.take() {
                        self.wait_cycles += e.cycle - s;
                    }
                }
                IoPhase::Done => {}
            },
            EventKind::CacheHit { file, page, .. } => {
                self.cache_hits += 1;
                self.per_file.entry(*file).or_default().0 += 1;
                if self.unread_ahead.remove(&(*file, *page)) {
                    self.readahead_hits += 1;
                    *self.per_file_ahead.entry(*file).or_default() += 1;
                }
            }
            EventKind::CacheMiss { file, .. } => {
                self.cache_misses += 1;
                self.per_file.entry(*file).or_default().1 += 1;
            }
            EventKind::CacheEvict { file, page, .. } => {
                self.cache_evictions += 1;
                self.unread_ahead.remove(&(*file, *page));
            }
            EventKind::CacheInsert {
                file,
                page,
                cause: InsertCause::Readahead,
                ..
            } => {
                self.readahead_pages += 1;
                self.unread_ahead.insert((*file, *page));
            }
            EventKind::CpuActivity { activity } => {
                self.close_span(e.cycle);
                self.activity = Some((*activity, e.cycle));
            }
            EventKind::Delivered { len, .. } => self.bytes_delivered += len,
            EventKind::RunEnd { data_intact, .. } => {
                self.close_span(e.cycle);
                self.activity = None;
                self.data_intact = *data_intact;
            }
            _ => {}
        }
        self.cycles = self.cycles.max(e.cycle);
        if self.file_size > 0 {
            self.cpu_copies = self.cpu_copy_bytes as f64 / self.file_size as f64;
            self.dma_copies = self.dma_copy_bytes as f64 / self.file_size as f64;
        }
    }

    fn close_span(&mut self, now: u64) {
        match self.activity {
            Some((a, since)) if a.is_other_work() => self.other_work_cycles += now - since,
            Some((_, since)) => self.cpu_busy_cycles += now - since,
            None => {}
        }
    }

    /// The counters of a whole log (or of its first events, for a playhead).
    pub fn of(events: &[Event]) -> Counters {
        let mut c = Counters::default();
        for e in events {
            c.observe(e);
        }
        c
    }

    /// The hit ratio of a file's page-cache look-ups so far (None before any).
    pub fn hit_ratio(&self, file: u32) -> Option<f64> {
        let (h, m) = self.per_file.get(&file).copied().unwrap_or((0, 0));
        (h + m > 0).then(|| h as f64 / (h + m) as f64)
    }

    /// The share of a file's look-ups that found a page read before (reuse), not
    /// one readahead had just brought in (None before any look-up).
    pub fn reuse_ratio(&self, file: u32) -> Option<f64> {
        let (h, m) = self.per_file.get(&file).copied().unwrap_or((0, 0));
        let ahead = self.per_file_ahead.get(&file).copied().unwrap_or(0);
        (h + m > 0).then(|| (h - ahead) as f64 / (h + m) as f64)
    }

    /// The SQ thread's cycles up to `cycle`, counting the span still open.
    pub fn sqpoll_at(&self, cycle: u64) -> u64 {
        self.sqpoll_cycles + self.sq_since.map_or(0, |s| cycle.saturating_sub(s))
    }

    /// CPU busy cycles up to `cycle`, counting the span still open.
    pub fn busy_at(&self, cycle: u64) -> u64 {
        match self.activity {
            Some((a, since)) if !a.is_other_work() && cycle > since => {
                self.cpu_busy_cycles + (cycle - since)
            }
            _ => self.cpu_busy_cycles,
        }
    }
}
