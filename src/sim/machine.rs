//! The machine: owns every part and advances them together, one cycle at a time or
//! straight to the next cycle at which anything changes (both give the same log).
//!
//! Each cycle has two halves. `settle` runs everything that happens *at* the cycle
//! (a transfer finishing, an interrupt being taken, the kernel deciding its next
//! step) until nothing more changes; `elapse` then lets time pass, and each part
//! makes progress: the disk reads, the bus owner moves bytes, the CPU works.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use super::counters::Counters;
use super::cpu::{Action, Cpu, Handler, Op, WaitFor};
use super::disk::{ActiveRequest, Dest, Disk, DiskPhase, DiskRequest};
use super::dma::{Descriptor, DmaEngine};
use super::event::*;
use super::hardware::{DiskTransfer, Hardware};
use super::memory::{Pipe, SocketBuffer};
use super::nic::{Nic, NicJob, NicPhase, Rx, RxPhase, Skb, SkbData};
use super::page_cache::PageCache;
use super::program::{Access, Call, IoModel, Method, Style, aio_plan, plan, recv_plan};
use super::transfer::{Pace, Transfer, shift};

/// What the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    /// Readable text, so bytes on screen can be recognised.
    Text,
    /// Pseudo-random bytes from the seed.
    Random,
}

/// Everything a run needs, already validated.
#[derive(Clone, Debug)]
pub struct Setup {
    pub name: String,
    pub hw: Hardware,
    pub method: Method,
    pub style: Style,
    pub file_size: u64,
    pub buffer_size: u64,
    pub warm_cache: bool,
    pub content: Content,
    pub seed: u64,
    pub access: Access,
    /// For `recv`: how the process waits, when the message arrives, how often a
    /// nonblocking process retries.
    pub io_model: IoModel,
    pub arrival_delay: u64,
    pub poll_interval: u64,
    /// For `direct_aio`: requests kept in flight.
    pub queue_depth: u64,
    /// Several files (empty: the one file of `file_size`, `content`, `seed`).
    pub files: Vec<FileSpec>,
    /// What the program does with them, repeated `rounds` times (empty: `method`
    /// over the whole of file 0).
    pub accesses: Vec<AccessSpec>,
    pub rounds: u64,
}

/// A file of a multi-file scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSpec {
    pub name: String,
    pub size: u64,
    pub content: Content,
    pub seed: u64,
}

/// One access of a round: a method over a file, all of it or the next
/// `bytes_per_round` of it (a file streaming through, round after round).
#[derive(Clone, Debug, PartialEq)]
pub struct AccessSpec {
    pub file: u32,
    pub method: Method,
    pub bytes_per_round: Option<u64>,
    pub buffer_size: u64,
}

impl Default for Setup {
    /// The built-in default: read + write of a 40-byte file, classroom profile.
    fn default() -> Self {
        Setup {
            name: "default".into(),
            hw: Hardware::classroom(),
            method: Method::ReadWrite,
            style: Style::Textbook,
            file_size: 40,
            buffer_size: 40,
            warm_cache: false,
            content: Content::Text,
            seed: 1,
            access: Access::Sequential,
            io_model: IoModel::Blocking,
            arrival_delay: 150,
            poll_interval: 20,
            queue_depth: 4,
            files: Vec::new(),
            accesses: Vec::new(),
            rounds: 1,
        }
    }
}

/// The most calls and pages a run may take, so that its log stays replayable.
pub const MAX_CALLS: u64 = 250_000;
pub const MAX_PAGES: u64 = 1 << 20;

/// The largest file iolab simulates: it keeps every byte in memory.
pub const MAX_FILE: u64 = 2 << 30;

impl Setup {
    /// The process's user buffer: one buffer, or `queue_depth` of them for AIO. A
    /// read never returns more than the file holds, so no more than the file is needed.
    pub fn user_buffer_bytes(&self) -> u64 {
        let one = self.buffer_size.min(self.file_size.max(1));
        if self.method == Method::DirectAio {
            one * self.queue_depth.min(self.file_size.div_ceil(one)).max(1)
        } else {
            one
        }
    }

    /// Bytes per call: the buffer, or for splice what fits the pipe.
    pub fn chunk(&self) -> u64 {
        match self.method {
            Method::Splice => self.buffer_size.min(self.hw.pipe_capacity),
            _ => self.buffer_size,
        }
    }

    /// The cycle up to which a `recv` run is observed: well after the message has
    /// arrived and any model has handled it.
    pub fn recv_horizon(&self) -> u64 {
        let hw = &self.hw;
        let transfer = (self.file_size * 1000).div_ceil(hw.nic_rate.0)
            + (self.file_size * 1000).div_ceil(hw.dma_rate.0);
        let overhead = hw.syscall_entry_cycles
            + hw.syscall_exit_cycles
            + hw.irq_cycles
            + hw.context_switch_cycles
            + hw.signal_cycles
            + hw.kernel_cycles
            + self.poll_interval
            + self.file_size.div_ceil(hw.word_bytes) * hw.cpu_cycles_per_word;
        self.arrival_delay + 2 * transfer + 8 * overhead
    }

    /// Why O_DIRECT calls of this setup would fail with EINVAL, if they would.
    pub fn dio_problem(&self) -> Option<(&'static str, String)> {
        let a = self.hw.dio_alignment;
        let direct = matches!(self.method, Method::DirectIo | Method::DirectAio);
        (direct && self.buffer_size % a != 0).then(|| {
            (
                "conditions.buffer_size",
                format!(
                    "O_DIRECT needs a buffer length that is a multiple of {a} (hardware.dio_alignment), got {}",
                    self.buffer_size
                ),
            )
        })
    }

    /// Checks that the run is possible. The error names the field and says why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let hw = &self.hw;
        let positive: [(&'static str, u64); 12] = [
            ("conditions.file_size", self.file_size),
            ("conditions.buffer_size", self.buffer_size),
            ("hardware.word_bytes", hw.word_bytes),
            ("hardware.cpu_cycles_per_word", hw.cpu_cycles_per_word),
            ("hardware.pio_cycles_per_word", hw.pio_cycles_per_word),
            ("hardware.controller_buffer", hw.controller_buffer),
            ("hardware.nic_buffer", hw.nic_buffer),
            ("hardware.page_size", hw.page_size),
            ("hardware.cache_pages", hw.cache_pages),
            ("hardware.socket_buffer", hw.socket_buffer),
            ("hardware.pipe_capacity", hw.pipe_capacity),
            ("hardware.dio_alignment", hw.dio_alignment),
        ];
        for (field, v) in positive {
            if v == 0 {
                return Err((field, "must be at least 1".into()));
            }
        }
        let limits: [(&'static str, u64, u64); 7] = [
            ("conditions.file_size", self.file_size, MAX_FILE),
            ("conditions.buffer_size", self.buffer_size, MAX_FILE),
            ("hardware.word_bytes", hw.word_bytes, 8),
            ("hardware.page_size", hw.page_size, 1 << 20),
            ("hardware.controller_buffer", hw.controller_buffer, 64 << 20),
            ("hardware.nic_buffer", hw.nic_buffer, 64 << 20),
            ("hardware.socket_buffer", hw.socket_buffer, 1 << 30),
        ];
        for (field, v, max) in limits {
            if v > max {
                return Err((field, format!("{v} is too large (at most {max})")));
            }
        }
        if hw.cache_pages > (1 << 40) / hw.page_size {
            return Err((
                "hardware.cache_pages",
                "the page cache would exceed 1 TiB".into(),
            ));
        }
        let ps = hw.page_size;
        // Keep the log to a size a laptop can hold and replay (a few million events).
        let calls = self
            .file_size
            .div_ceil(self.chunk().max(1))
            .saturating_mul(self.rounds.max(1));
        if self.accesses.is_empty() && calls > MAX_CALLS {
            return Err((
                "conditions.buffer_size",
                format!(
                    "{} bytes in calls of {} bytes is {calls} calls, more than iolab logs ({MAX_CALLS}): use a larger buffer_size",
                    self.file_size,
                    self.chunk()
                ),
            ));
        }
        if self.file_size / ps > MAX_PAGES {
            return Err((
                "hardware.page_size",
                format!(
                    "{} bytes in pages of {ps} bytes is more than {MAX_PAGES} pages: use larger pages or a smaller file",
                    self.file_size
                ),
            ));
        }
        match self.method {
            // O_DIRECT alignment is checked by the kernel at run time (EINVAL); see
            // `dio_problem` for the static check.
            Method::DirectIo | Method::DirectAio => {
                if self.queue_depth == 0 || self.queue_depth > 1024 {
                    return Err((
                        "conditions.queue_depth",
                        "must be between 1 and 1024".into(),
                    ));
                }
                if self.buffer_size.saturating_mul(self.queue_depth) > MAX_FILE {
                    return Err((
                        "conditions.buffer_size",
                        "buffer_size × queue_depth is too large (at most 2 GiB)".into(),
                    ));
                }
            }
            Method::Recv => {
                if self.buffer_size < self.file_size {
                    return Err((
                        "conditions.buffer_size",
                        format!(
                            "recv reads the whole message in one call: buffer_size ({}) must be at least file_size ({})",
                            self.buffer_size, self.file_size
                        ),
                    ));
                }
                if self.file_size > 64 << 20 {
                    return Err((
                        "conditions.file_size",
                        "a received message is at most 64 MiB".into(),
                    ));
                }
            }
            Method::MmapWrite => {
                let pages = self.file_size.div_ceil(ps);
                if pages > hw.cache_pages {
                    return Err((
                        "hardware.cache_pages",
                        format!(
                            "mmap_write maps the whole file: it needs {pages} pages but the page cache holds {}",
                            hw.cache_pages
                        ),
                    ));
                }
            }
            _ => {
                let per_call = self.chunk().min(self.file_size).div_ceil(ps) + 1;
                if per_call > hw.cache_pages {
                    return Err((
                        "hardware.cache_pages",
                        format!(
                            "one call of {} bytes can touch {per_call} pages but the page cache holds {}: use a smaller buffer_size or more cache_pages",
                            self.chunk(),
                            hw.cache_pages
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every file's bytes.
    pub fn files_bytes(&self) -> Vec<Vec<u8>> {
        if self.files.is_empty() {
            return vec![self.file_bytes()];
        }
        self.files
            .iter()
            .map(|f| {
                Setup {
                    file_size: f.size,
                    content: f.content,
                    seed: f.seed,
                    ..self.clone_light()
                }
                .file_bytes()
            })
            .collect()
    }

    /// A copy without the (possibly long) lists, to make one file's bytes.
    fn clone_light(&self) -> Setup {
        Setup {
            files: Vec::new(),
            accesses: Vec::new(),
            name: String::new(),
            ..self.clone()
        }
    }

    /// The program's calls, the file of each, and the bytes it moves in all.
    pub fn program(&self) -> (Vec<Call>, Vec<u32>, u64) {
        if self.accesses.is_empty() {
            let calls = match self.method {
                Method::Recv => recv_plan(self.io_model, self.buffer_size),
                Method::DirectAio => aio_plan(
                    self.style,
                    self.file_size,
                    self.buffer_size,
                    self.queue_depth,
                ),
                m => plan(
                    m,
                    self.style,
                    self.file_size,
                    0,
                    self.file_size,
                    self.chunk(),
                    self.access,
                ),
            };
            let n = calls.len();
            return (calls, vec![0; n], self.file_size);
        }
        let (mut calls, mut files, mut total) = (Vec::new(), Vec::new(), 0);
        let mut cursor = vec![0u64; self.files.len()];
        for _ in 0..self.rounds {
            for a in &self.accesses {
                let size = self.files[a.file as usize].size;
                let (start, len) = match a.bytes_per_round {
                    None => (0, size),
                    Some(b) => {
                        let at = cursor[a.file as usize];
                        let len = b.min(size - at);
                        cursor[a.file as usize] += len;
                        (at, len)
                    }
                };
                if len == 0 {
                    continue;
                }
                let chunk = match a.method {
                    Method::Splice => a.buffer_size.min(self.hw.pipe_capacity),
                    _ => a.buffer_size,
                };
                let c = plan(
                    a.method,
                    self.style,
                    size,
                    start,
                    len,
                    chunk,
                    Access::Sequential,
                );
                files.extend(std::iter::repeat_n(a.file, c.len()));
                calls.extend(c);
                total += len;
            }
        }
        (calls, files, total)
    }

    /// The file's bytes, the same for the same seed on every machine.
    pub fn file_bytes(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.file_size as usize];
        match self.content {
            Content::Random => ChaCha8Rng::seed_from_u64(self.seed).fill_bytes(&mut v),
            Content::Text => {
                const TEXT: &[u8] =
                    b"Data moves: disk -> page cache -> user -> socket -> NIC. DMA frees the CPU! ";
                let start = (self.seed % TEXT.len() as u64) as usize;
                for (i, b) in v.iter_mut().enumerate() {
                    *b = TEXT[(start + i) % TEXT.len()];
                }
            }
        }
        v
    }
}

/// A broken invariant inside the simulator. It is reported, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError(pub String);

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "simulator error: {}", self.0)
    }
}

impl std::error::Error for SimError {}

fn bug(msg: impl Into<String>) -> SimError {
    SimError(msg.into())
}

/// The event log and the counters folded over it.
#[derive(Clone, Debug, Default)]
pub struct Log {
    pub events: Vec<Event>,
    /// When false, events are only counted (benchmarks of huge runs).
    pub keep: bool,
    pub counters: Counters,
    seq: u64,
}

impl Log {
    fn push(&mut self, cycle: u64, kind: EventKind) {
        let e = Event {
            seq: self.seq,
            cycle,
            kind,
        };
        self.seq += 1;
        self.counters.observe(&e);
        if self.keep {
            self.events.push(e);
        }
    }

    pub fn len(&self) -> u64 {
        self.seq
    }

    pub fn is_empty(&self) -> bool {
        self.seq == 0
    }
}

/// The result of a page-cache fill: what to do, and which frames hold the range.
struct Fill {
    ops: Vec<Op>,
    refs: Vec<PageRef>,
    pinned: Vec<u32>,
}

pub struct Machine {
    pub setup: Setup,
    pub now: u64,
    /// The files on the platter.
    pub files: Vec<Vec<u8>>,
    pub cpu: Cpu,
    pub disk: Disk,
    pub dma: DmaEngine,
    pub nic: Nic,
    pub cache: PageCache,
    pub user_buf: Vec<u8>,
    pub socket: SocketBuffer,
    pub pipe: Pipe,
    pub bus: BusOwner,
    pub process: ProcessState,
    pub plan: Vec<Call>,
    pub log: Log,
    next_call: usize,
    mapped: Vec<u32>,
    next_id: u64,
    disk_done: BTreeSet<u64>,
    delivered: u64,
    intact: bool,
    finished: bool,
    activity_announced: bool,
    /// Readahead state: the last window (start, size), the marker page, the last
    /// page read.
    ra: BTreeMap<u32, Readahead>,
    /// Frames whose disk read is still under way, and each request's frames (all,
    /// and those read ahead, released when it completes).
    frame_io: BTreeMap<u32, u64>,
    req_frames: BTreeMap<u64, (Vec<u32>, Vec<u32>)>,
    /// The receive side (`recv` only), the socket receive buffer, and the I/O
    /// model's state.
    pub rx: Option<Rx>,
    pub recv_buf: Vec<u8>,
    rx_ready: bool,
    signal_armed: bool,
    aio_armed: bool,
    notified: bool,
    phases: u8,
    retry: bool,
    /// `recv` runs are observed up to the same cycle whatever the I/O model, so
    /// that the CPU time each leaves for other work can be compared.
    pub horizon: u64,
    /// direct_aio: the request submitted for each file offset.
    aio_requests: BTreeMap<u64, u64>,
    /// The file of each planned call, the file of the call running now, and the
    /// next offset of the socket's stream.
    pub plan_files: Vec<u32>,
    cur_file: u32,
    stream_pos: u64,
    /// Bytes the program moves in all (the file, or every access of every round).
    pub expected: u64,
}

impl Machine {
    pub fn new(setup: Setup) -> Result<Machine, SimError> {
        setup
            .validate()
            .map_err(|(f, m)| bug(format!("{f}: {m}")))?;
        let hw = setup.hw.clone();
        let (plan, plan_files, expected) = setup.program();

        let rx = (setup.method == Method::Recv).then(|| Rx {
            start_at: setup.arrival_delay,
            len: setup.file_size,
            received: 0,
            phase: RxPhase::Waiting,
            handled: false,
        });
        let mut m = Machine {
            files: setup.files_bytes(),
            now: 0,
            cpu: Cpu::new(),
            disk: Disk::new(hw.controller_buffer),
            dma: DmaEngine::default(),
            nic: Nic::new(hw.nic_buffer),
            cache: PageCache::new(hw.cache_pages, hw.page_size, hw.cache_policy),
            user_buf: vec![0; setup.user_buffer_bytes() as usize],
            socket: SocketBuffer::new(hw.socket_buffer),
            pipe: Pipe::default(),
            bus: BusOwner::Idle,
            process: ProcessState::Running,
            plan,
            log: Log {
                keep: true,
                ..Log::default()
            },
            next_call: 0,
            mapped: Vec::new(),
            next_id: 1,
            disk_done: BTreeSet::new(),
            delivered: 0,
            intact: true,
            finished: false,
            activity_announced: false,
            ra: BTreeMap::new(),
            frame_io: BTreeMap::new(),
            req_frames: BTreeMap::new(),
            recv_buf: vec![0; rx.as_ref().map_or(0, |r| r.len as usize)],
            rx,
            rx_ready: false,
            signal_armed: false,
            aio_armed: false,
            notified: false,
            phases: 0,
            retry: false,
            aio_requests: BTreeMap::new(),
            plan_files,
            cur_file: 0,
            stream_pos: 0,
            expected,
            horizon: if setup.method == Method::Recv {
                setup.recv_horizon()
            } else {
                0
            },
            setup,
        };
        // A read never returns more than the file holds, so a buffer larger than the
        // file needs no more memory than the file.
        m.emit(EventKind::RunStart {
            method: m.setup.method.name(),
            file_size: m.expected,
            buffer_size: m.setup.buffer_size,
            page_size: hw.page_size,
            disk: hw.disk.name(),
            nic_sg: hw.nic_sg,
            style: m.setup.style.name(),
            profile: hw.profile.clone(),
        });
        if m.setup.warm_cache {
            m.warm_up()?;
        }
        m.emit(EventKind::ProcessState {
            state: ProcessState::Running,
        });
        Ok(m)
    }

    /// Only count events, do not keep them (for runs too long to store).
    pub fn counting_only(mut self) -> Machine {
        self.log.keep = false;
        self.log.events.clear();
        self.log.events.shrink_to_fit();
        self
    }

    fn emit(&mut self, kind: EventKind) {
        self.log.push(self.now, kind);
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    pub fn counters(&self) -> &Counters {
        &self.log.counters
    }

    /// The warm cache holds each file's last pages, as if it had just been read.
    fn warm_up(&mut self) -> Result<(), SimError> {
        let ps = self.setup.hw.page_size;
        for f in 0..self.files.len() {
            let size = self.files[f].len() as u64;
            let pages = size.div_ceil(ps);
            let first = pages.saturating_sub(self.setup.hw.cache_pages);
            for p in first..pages {
                let frame = self.insert_page(f as u32, p, InsertCause::Warm)?;
                let (start, end) = ((p * ps) as usize, ((p + 1) * ps).min(size) as usize);
                let (bytes, cache) = (&self.files[f], &mut self.cache);
                cache.frames[frame as usize].data[..end - start]
                    .copy_from_slice(&bytes[start..end]);
                self.cache.unpin(frame);
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- running

    /// Runs to the end, skipping cycles in which nothing changes.
    pub fn run_to_end(&mut self) -> Result<(), SimError> {
        while !self.finished {
            self.advance(true)?;
        }
        Ok(())
    }

    /// Runs to the end one cycle at a time (slow; the reference for fast-forward).
    pub fn run_stepping(&mut self) -> Result<(), SimError> {
        while !self.finished {
            self.advance(false)?;
        }
        Ok(())
    }

    /// Settles the current cycle, then lets one cycle (or, with `fast`, every cycle up
    /// to the next change) pass. Returns false once the run has ended.
    pub fn advance(&mut self, fast: bool) -> Result<bool, SimError> {
        if self.finished {
            return Ok(false);
        }
        self.settle()?;
        if self.quiescent() {
            let (data_intact, bytes_delivered) = (
                self.intact && self.delivered == self.expected,
                self.delivered,
            );
            self.emit(EventKind::RunEnd {
                data_intact,
                bytes_delivered,
            });
            self.finished = true;
            return Ok(false);
        }
        let next = self.next_change().ok_or_else(|| {
            bug(format!(
                "deadlock at cycle {}: nothing can make progress",
                self.now
            ))
        })?;
        let d = if fast { next } else { 1 };
        self.elapse(d)?;
        self.now += d;
        Ok(true)
    }

    fn quiescent(&self) -> bool {
        self.process == ProcessState::Exited
            && self.cpu.handler.is_none()
            && self.cpu.pending_irqs.is_empty()
            && self.disk.idle()
            && self.dma.idle()
            && self.nic.idle()
            && self.rx.as_ref().is_none_or(|r| r.handled)
            && self.now >= self.horizon
    }

    fn settle(&mut self) -> Result<(), SimError> {
        let mut rounds = 0u64;
        loop {
            let mut changed = self.settle_disk()?;
            changed |= self.settle_dma()?;
            changed |= self.settle_nic()?;
            changed |= self.settle_rx()?;
            changed |= self.settle_cpu()?;
            if !changed {
                break;
            }
            rounds += 1;
            if rounds > 10_000_000 {
                return Err(bug(format!("livelock at cycle {}", self.now)));
            }
        }
        self.update_observers();
        Ok(())
    }

    /// Emits changes of CPU activity and bus owner.
    fn update_observers(&mut self) {
        let activity = match (&self.cpu.handler, self.cpu.front()) {
            (_, Some(Op::Copy(_))) => Activity::Copy,
            (Some(_), _) => Activity::Interrupt,
            (None, Some(Op::Work { activity, .. })) => *activity,
            (None, Some(Op::Act(_))) => Activity::Syscall,
            (None, Some(Op::Wait(_)) | None) => Activity::Idle,
        };
        if activity != self.cpu.activity || !self.activity_announced {
            self.activity_announced = true;
            self.cpu.activity = activity;
            self.emit(EventKind::CpuActivity { activity });
        }
        let owner = if !self.dma.pieces.is_empty() {
            BusOwner::DiskDma
        } else if matches!(&self.nic.active, Some(NicJob { phase: NicPhase::Dma { pieces, .. }, .. }) if !pieces.is_empty())
        {
            BusOwner::NicDma
        } else if matches!(
            &self.rx,
            Some(Rx {
                phase: RxPhase::Dma(_),
                ..
            })
        ) {
            BusOwner::NicDma
        } else if matches!(self.cpu.front(), Some(Op::Copy(_))) {
            BusOwner::Cpu
        } else {
            BusOwner::Idle
        };
        if owner != self.bus {
            self.bus = owner;
            self.emit(EventKind::BusOwner { owner });
        }
    }

    /// Cycles until the next change, if anything is making progress.
    fn next_change(&self) -> Option<u64> {
        let mut best: Option<u64> = None;
        let mut consider = |c: u64| {
            if c > 0 {
                best = Some(best.map_or(c, |b| b.min(c)));
            }
        };
        if let Some(a) = &self.disk.active {
            match &a.phase {
                DiskPhase::Seek { left } => consider(*left),
                DiskPhase::Fill(t) => consider(t.remaining_cycles()),
                DiskPhase::Full { .. } => {}
            }
        }
        if self.bus == BusOwner::DiskDma
            && let Some(t) = self.dma.pieces.front()
        {
            consider(t.remaining_cycles());
        }
        if let Some(job) = &self.nic.active {
            match &job.phase {
                NicPhase::Dma { pieces, .. } => {
                    if self.bus == BusOwner::NicDma
                        && let Some(t) = pieces.front()
                    {
                        consider(t.remaining_cycles());
                    }
                }
                NicPhase::Wire(t) => consider(t.remaining_cycles()),
            }
        }
        if let Some(rx) = &self.rx {
            match &rx.phase {
                RxPhase::Waiting => consider(rx.start_at.saturating_sub(self.now)),
                RxPhase::Wire(t) => consider(t.remaining_cycles()),
                RxPhase::Dma(t) if self.bus == BusOwner::NicDma => consider(t.remaining_cycles()),
                _ => {}
            }
        }
        if self.now < self.horizon {
            consider(self.horizon - self.now);
        }
        match self.cpu.front() {
            Some(Op::Work { cycles, .. }) => consider(*cycles),
            Some(Op::Copy(t)) if self.bus == BusOwner::Cpu => consider(t.remaining_cycles()),
            _ => {}
        }
        best
    }

    fn elapse(&mut self, d: u64) -> Result<(), SimError> {
        // The disk's medium.
        let mut fill = None;
        if let Some(a) = &mut self.disk.active {
            match &mut a.phase {
                DiskPhase::Seek { left } => *left = left.saturating_sub(d),
                DiskPhase::Fill(t) => fill = Some(*t),
                DiskPhase::Full { .. } => {}
            }
        }
        if let Some(mut t) = fill {
            t.elapsed += d;
            self.apply(&mut t)?;
            if let Some(ActiveRequest {
                phase: DiskPhase::Fill(slot),
                ..
            }) = &mut self.disk.active
            {
                *slot = t;
            }
        }
        // The bus owner moves bytes; everyone else who wants the bus waits.
        match self.bus {
            BusOwner::DiskDma => {
                if let Some(mut t) = self.dma.pieces.front().copied() {
                    t.elapsed += d;
                    self.apply(&mut t)?;
                    self.dma.pieces[0] = t;
                }
            }
            BusOwner::NicDma => {
                let front = match &self.nic.active {
                    Some(NicJob {
                        phase: NicPhase::Dma { pieces, .. },
                        ..
                    }) => pieces.front().copied(),
                    _ => None,
                };
                if let Some(mut t) = front {
                    t.elapsed += d;
                    self.apply(&mut t)?;
                    if let Some(NicJob {
                        phase: NicPhase::Dma { pieces, .. },
                        ..
                    }) = &mut self.nic.active
                    {
                        pieces[0] = t;
                    }
                }
            }
            BusOwner::Cpu | BusOwner::Idle => {}
        }
        // The receive side: the wire, and the NIC's DMA when it owns the bus.
        let rx = match &self.rx {
            Some(Rx {
                phase: RxPhase::Wire(t),
                ..
            }) => Some(*t),
            Some(Rx {
                phase: RxPhase::Dma(t),
                ..
            }) if self.bus == BusOwner::NicDma && self.nic.active.is_none() => Some(*t),
            _ => None,
        };
        if let Some(mut t) = rx {
            t.elapsed += d;
            self.apply(&mut t)?;
            if let Some(Rx {
                phase: RxPhase::Wire(slot) | RxPhase::Dma(slot),
                ..
            }) = &mut self.rx
            {
                *slot = t;
            }
        }
        // The wire.
        let wire = match &self.nic.active {
            Some(NicJob {
                phase: NicPhase::Wire(t),
                ..
            }) => Some(*t),
            _ => None,
        };
        if let Some(mut t) = wire {
            t.elapsed += d;
            self.apply(&mut t)?;
            if let Some(NicJob {
                phase: NicPhase::Wire(slot),
                ..
            }) = &mut self.nic.active
            {
                *slot = t;
            }
        }
        // The CPU.
        let bus = self.bus;
        let copy = match self.cpu.front_mut() {
            Some(Op::Work { cycles, .. }) => {
                *cycles = cycles.saturating_sub(d);
                None
            }
            Some(Op::Copy(t)) if bus == BusOwner::Cpu => Some(*t),
            _ => None,
        };
        if let Some(mut t) = copy {
            t.elapsed += d;
            self.apply(&mut t)?;
            if let Some(Op::Copy(slot)) = self.cpu.front_mut() {
                *slot = t;
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- bytes

    /// Moves the bytes a transfer owes after its elapsed cycles.
    fn apply(&mut self, t: &mut Transfer) -> Result<(), SimError> {
        let due = t.due();
        if due <= t.moved {
            return Ok(());
        }
        let n = due - t.moved;
        let bytes = self.read_place(shift(t.from, t.moved), n)?;
        let ok = self.write_place(
            shift(t.to, t.moved),
            &bytes,
            t.file,
            t.file_offset + t.moved,
        )?;
        t.intact &= ok;
        if t.agent == Agent::Cpu {
            // The register holds the last word that passed through it.
            let w = (t.moved + n - 1) / self.setup.hw.word_bytes * self.setup.hw.word_bytes;
            let from = (w.max(t.moved) - t.moved) as usize;
            let mut reg = [0u8; 8];
            for (i, b) in bytes[from..].iter().take(8).enumerate() {
                reg[i] = *b;
            }
            self.cpu.register = u64::from_le_bytes(reg);
        }
        t.moved = due;
        Ok(())
    }

    fn read_place(&self, p: Place, n: u64) -> Result<Vec<u8>, SimError> {
        let n = n as usize;
        let slice = |v: &[u8], off: u64, what: &str| -> Result<Vec<u8>, SimError> {
            let off = off as usize;
            v.get(off..off + n).map(|s| s.to_vec()).ok_or_else(|| {
                bug(format!(
                    "read past the end of {what} ({off}+{n} > {})",
                    v.len()
                ))
            })
        };
        match p {
            Place::Platter { file, offset } => match self.files.get(file as usize) {
                Some(f) => slice(f, offset, "the file"),
                None => Err(bug("no such file")),
            },
            Place::Controller { offset } => {
                slice(&self.disk.controller, offset, "the controller buffer")
            }
            Place::Frame { frame, offset } => {
                let f = self
                    .cache
                    .frames
                    .get(frame as usize)
                    .ok_or_else(|| bug("no such frame"))?;
                slice(&f.data, offset, "a page frame")
            }
            Place::User { offset } => slice(&self.user_buf, offset, "the user buffer"),
            Place::Socket { offset } => {
                let (start, seg) = self
                    .socket
                    .segment(offset)
                    .ok_or_else(|| bug("socket bytes missing"))?;
                slice(seg, offset - start, "a socket buffer entry")
            }
            Place::NicBuffer { offset } => slice(&self.nic.buffer, offset, "the NIC buffer"),
            // A message arriving from the network carries the file's bytes.
            Place::Wire { offset } => slice(&self.files[0], offset, "the message"),
            Place::RecvBuffer { offset } => {
                slice(&self.recv_buf, offset, "the socket receive buffer")
            }
        }
    }

    /// Writes bytes; for the wire, checks them against the file instead.
    fn write_place(
        &mut self,
        p: Place,
        bytes: &[u8],
        file: u32,
        file_offset: u64,
    ) -> Result<bool, SimError> {
        let n = bytes.len();
        let put = |v: &mut Vec<u8>, off: u64, what: &str| -> Result<bool, SimError> {
            let off = off as usize;
            let len = v.len();
            let dst = v
                .get_mut(off..off + n)
                .ok_or_else(|| bug(format!("write past the end of {what} ({off}+{n} > {len})")))?;
            dst.copy_from_slice(bytes);
            Ok(true)
        };
        match p {
            Place::Platter { .. } => Err(bug("the file is read-only")),
            Place::Controller { offset } => {
                put(&mut self.disk.controller, offset, "the controller buffer")
            }
            Place::Frame { frame, offset } => {
                let f = self
                    .cache
                    .frames
                    .get_mut(frame as usize)
                    .ok_or_else(|| bug("no such frame"))?;
                put(&mut f.data, offset, "a page frame")
            }
            Place::User { offset } => put(&mut self.user_buf, offset, "the user buffer"),
            Place::Socket { offset } => {
                let (start, seg) = self
                    .socket
                    .segment_mut(offset)
                    .ok_or_else(|| bug("socket entry not reserved"))?;
                let at = (offset - start) as usize;
                if seg.len() < at + n {
                    seg.resize(at + n, 0);
                }
                seg[at..at + n].copy_from_slice(bytes);
                Ok(true)
            }
            Place::NicBuffer { offset } => put(&mut self.nic.buffer, offset, "the NIC buffer"),
            Place::RecvBuffer { offset } => {
                put(&mut self.recv_buf, offset, "the socket receive buffer")
            }
            Place::Wire { .. } => {
                let start = file_offset as usize;
                Ok(self
                    .files
                    .get(file as usize)
                    .and_then(|f| f.get(start..start + n))
                    == Some(bytes))
            }
        }
    }

    fn cpu_copy(&self, from: Place, to: Place, len: u64, file_offset: u64) -> Op {
        let hw = &self.setup.hw;
        let pace = Pace::Words {
            word: hw.word_bytes,
            cycles: hw.cpu_cycles_per_word,
        };
        Op::Copy(Transfer::new(from, to, len, file_offset, Agent::Cpu, pace).of_file(self.cur_file))
    }

    fn copy_done_event(&mut self, t: &Transfer) {
        let first = t.first_cycle.unwrap_or(self.now);
        self.emit(EventKind::Copy {
            from: t.from,
            to: t.to,
            len: t.len,
            file: t.file,
            file_offset: t.file_offset,
            agent: t.agent,
            engine: t.engine,
            first_cycle: first,
            last_cycle: self.now.saturating_sub(1).max(first),
        });
    }

    fn raise(&mut self, line: IrqLine, reason: &'static str) {
        self.cpu.pending_irqs.insert(line);
        self.emit(EventKind::IrqRaise { line, reason });
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id - 1
    }

    // ---------------------------------------------------------------- devices

    fn settle_disk(&mut self) -> Result<bool, SimError> {
        let Some(active) = &mut self.disk.active else {
            if let Some(req) = self.disk.queue.pop_front() {
                let left = self.setup.hw.disk_latency_cycles;
                self.disk.active = Some(ActiveRequest {
                    req,
                    filled: 0,
                    phase: DiskPhase::Seek { left },
                });
                return Ok(true);
            }
            return Ok(false);
        };
        match &active.phase {
            DiskPhase::Seek { left: 0 } | DiskPhase::Full { drained: true, .. } => {
                if active.filled < active.req.len {
                    let chunk = self
                        .setup
                        .hw
                        .controller_buffer
                        .min(active.req.len - active.filled);
                    let from = Place::Platter {
                        file: active.req.file,
                        offset: active.req.offset + active.filled,
                    };
                    let mut t = Transfer::new(
                        from,
                        Place::Controller { offset: 0 },
                        chunk,
                        active.req.offset + active.filled,
                        Agent::Device,
                        Pace::Rate(self.setup.hw.disk_rate),
                    )
                    .of_file(active.req.file);
                    t.first_cycle = Some(self.now);
                    active.phase = DiskPhase::Fill(t);
                } else {
                    self.disk.active = None;
                }
                Ok(true)
            }
            DiskPhase::Fill(t) if t.done() => {
                let t = *t;
                let start = active.filled;
                active.filled += t.len;
                active.phase = DiskPhase::Full {
                    start,
                    len: t.len,
                    drained: false,
                };
                let req = active.req.clone();
                self.copy_done_event(&t);
                let dma = req.transfer == DiskTransfer::Dma;
                self.emit(EventKind::DiskBufferFull {
                    request: req.id,
                    len: t.len,
                    signals: if dma { "dma" } else { "cpu" },
                });
                if dma {
                    self.load_dma_chunk(&req, start, t.len);
                } else {
                    self.raise(IrqLine::Disk, "controller buffer full");
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn load_dma_chunk(&mut self, req: &DiskRequest, start: u64, len: u64) {
        let ps = self.setup.hw.page_size;
        let rate = self.setup.hw.dma_rate;
        if self.dma.descriptor.is_none() {
            self.dma.descriptor = Some(Descriptor {
                id: req.descriptor.unwrap_or(0),
                request: req.id,
                len: req.len,
                moved: 0,
            });
        }
        let mut at = 0;
        for (place, n, foff) in req.pieces(start, len, ps) {
            let t = Transfer::new(
                Place::Controller { offset: at },
                place,
                n,
                foff,
                Agent::Dma,
                Pace::Rate(rate),
            )
            .with_engine(Engine::DiskDma)
            .of_file(req.file);
            self.dma.pieces.push_back(t);
            at += n;
        }
        self.dma.chunk_loaded = true;
    }

    fn settle_dma(&mut self) -> Result<bool, SimError> {
        if let Some(front) = self.dma.pieces.front_mut() {
            if front.first_cycle.is_none() {
                front.first_cycle = Some(self.now);
            }
            if front.done() {
                let t = self
                    .dma
                    .pieces
                    .pop_front()
                    .ok_or_else(|| bug("dma piece vanished"))?;
                self.copy_done_event(&t);
                if let Some(d) = &mut self.dma.descriptor {
                    d.moved += t.len;
                }
                return Ok(true);
            }
            return Ok(false);
        }
        if self.dma.chunk_loaded {
            self.dma.chunk_loaded = false;
            match &mut self.disk.active {
                Some(ActiveRequest {
                    phase: DiskPhase::Full { drained, .. },
                    ..
                }) => *drained = true,
                _ => return Err(bug("DMA drained a controller that was not full")),
            }
            if let Some(d) = self.dma.descriptor.clone()
                && d.moved >= d.len
            {
                self.dma.descriptor = None;
                self.emit(EventKind::DmaComplete {
                    engine: Engine::DiskDma,
                    descriptor: d.id,
                    len: d.len,
                });
                self.dma.completed.push(d.request);
                self.raise(IrqLine::Dma, "descriptor complete");
            }
            return Ok(true);
        }
        Ok(false)
    }

    fn nic_chunk(&self, skb: &Skb, from: u64, chunk: u64) -> std::collections::VecDeque<Transfer> {
        let rate = Pace::Rate(self.setup.hw.dma_rate);
        let mut out = std::collections::VecDeque::new();
        match &skb.data {
            SkbData::Bytes => out.push_back(
                Transfer::new(
                    Place::Socket {
                        offset: skb.offset + from,
                    },
                    Place::NicBuffer { offset: 0 },
                    chunk,
                    skb.file_offset + from,
                    Agent::Dma,
                    rate,
                )
                .with_engine(Engine::NicDma)
                .of_file(skb.file),
            ),
            SkbData::Pages(refs) => {
                let mut at = 0;
                for r in slice_refs(refs, from, chunk) {
                    out.push_back(
                        Transfer::new(
                            Place::Frame {
                                frame: r.frame,
                                offset: r.offset,
                            },
                            Place::NicBuffer { offset: at },
                            r.len,
                            r.file_offset,
                            Agent::Dma,
                            rate,
                        )
                        .with_engine(Engine::NicDma)
                        .of_file(r.file),
                    );
                    at += r.len;
                }
            }
        }
        out
    }

    fn settle_nic(&mut self) -> Result<bool, SimError> {
        let nic_buffer = self.setup.hw.nic_buffer;
        let Some(job) = &mut self.nic.active else {
            if let Some(skb) = self.nic.queue.pop_front() {
                let chunk = nic_buffer.min(skb.len);
                let pieces = self.nic_chunk(&skb, 0, chunk);
                let src = pieces
                    .front()
                    .map(|t| t.from)
                    .unwrap_or(Place::Socket { offset: skb.offset });
                self.emit(EventKind::DmaSetup {
                    engine: Engine::NicDma,
                    descriptor: skb.id,
                    src,
                    dst: Place::NicBuffer { offset: 0 },
                    len: skb.len,
                });
                self.nic.active = Some(NicJob {
                    skb,
                    fetched: 0,
                    phase: NicPhase::Dma { pieces, chunk },
                });
                return Ok(true);
            }
            return Ok(false);
        };
        match &mut job.phase {
            NicPhase::Dma { pieces, chunk } => {
                if let Some(front) = pieces.front_mut() {
                    if front.first_cycle.is_none() {
                        front.first_cycle = Some(self.now);
                    }
                    if front.done() {
                        let t = pieces
                            .pop_front()
                            .ok_or_else(|| bug("nic piece vanished"))?;
                        self.copy_done_event(&t);
                        return Ok(true);
                    }
                    return Ok(false);
                }
                let chunk = *chunk;
                job.fetched += chunk;
                let wire_at = job.skb.offset + job.fetched - chunk;
                let file_at = job.skb.file_offset + job.fetched - chunk;
                let mut t = Transfer::new(
                    Place::NicBuffer { offset: 0 },
                    Place::Wire { offset: wire_at },
                    chunk,
                    file_at,
                    Agent::Device,
                    Pace::Rate(self.setup.hw.nic_rate),
                )
                .of_file(job.skb.file);
                t.first_cycle = Some(self.now);
                job.phase = NicPhase::Wire(t);
                if job.fetched >= job.skb.len {
                    let skb = job.skb.clone();
                    self.emit(EventKind::DmaComplete {
                        engine: Engine::NicDma,
                        descriptor: skb.id,
                        len: skb.len,
                    });
                    self.nic.completed.push(skb);
                    self.raise(IrqLine::Nic, "transmit fetched");
                }
                Ok(true)
            }
            NicPhase::Wire(t) if t.done() => {
                let t = *t;
                let more = job.fetched < job.skb.len;
                if more {
                    let chunk = nic_buffer.min(job.skb.len - job.fetched);
                    let (skb, fetched) = (job.skb.clone(), job.fetched);
                    let pieces = self.nic_chunk(&skb, fetched, chunk);
                    if let Some(job) = &mut self.nic.active {
                        job.phase = NicPhase::Dma { pieces, chunk };
                    }
                } else {
                    self.nic.active = None;
                }
                self.copy_done_event(&t);
                self.delivered += t.len;
                self.intact &= t.intact;
                self.emit(EventKind::Delivered {
                    file: t.file,
                    offset: t.file_offset,
                    len: t.len,
                    intact: t.intact,
                });
                Ok(true)
            }
            NicPhase::Wire(_) => Ok(false),
        }
    }

    fn settle_rx(&mut self) -> Result<bool, SimError> {
        let hw = &self.setup.hw;
        let (nic_buffer, nic_rate, dma_rate) = (hw.nic_buffer, hw.nic_rate, hw.dma_rate);
        let now = self.now;
        let Some(rx) = &mut self.rx else {
            return Ok(false);
        };
        let wire_chunk = |rx: &Rx| {
            let n = nic_buffer.min(rx.len - rx.received);
            let mut t = Transfer::new(
                Place::Wire {
                    offset: rx.received,
                },
                Place::NicBuffer { offset: 0 },
                n,
                rx.received,
                Agent::Device,
                Pace::Rate(nic_rate),
            );
            t.first_cycle = Some(now);
            RxPhase::Wire(t)
        };
        match &mut rx.phase {
            RxPhase::Waiting if now >= rx.start_at => {
                rx.phase = wire_chunk(rx);
                Ok(true)
            }
            RxPhase::Wire(t) if t.done() => {
                let t = *t;
                let dma = Transfer::new(
                    Place::NicBuffer { offset: 0 },
                    Place::RecvBuffer {
                        offset: t.file_offset,
                    },
                    t.len,
                    t.file_offset,
                    Agent::Dma,
                    Pace::Rate(dma_rate),
                )
                .with_engine(Engine::NicDma);
                rx.phase = RxPhase::Dma(dma);
                self.copy_done_event(&t);
                Ok(true)
            }
            RxPhase::Dma(t) => {
                if t.first_cycle.is_none() {
                    t.first_cycle = Some(now);
                }
                if !t.done() {
                    return Ok(false);
                }
                let t = *t;
                rx.received += t.len;
                let done = rx.received >= rx.len;
                rx.phase = if done { RxPhase::Done } else { wire_chunk(rx) };
                self.copy_done_event(&t);
                if done {
                    self.raise(IrqLine::Nic, "packet received");
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    // ---------------------------------------------------------------- CPU

    fn settle_cpu(&mut self) -> Result<bool, SimError> {
        if self.cpu.handler.is_none()
            && let Some(&line) = self.cpu.pending_irqs.iter().next()
        {
            self.cpu.pending_irqs.remove(&line);
            let ops = self.handler_ops(line)?;
            self.emit(EventKind::IrqTake { line });
            let from_user = self.cpu.mode == Mode::User;
            if from_user {
                self.cpu.mode = Mode::Kernel;
                self.emit(EventKind::ModeSwitch {
                    to: Mode::Kernel,
                    cause: ModeCause::Interrupt { line },
                });
            }
            self.cpu.handler = Some(Handler {
                line,
                ops: ops.into(),
                from_user,
            });
            return Ok(true);
        }
        let now = self.now;
        match self.cpu.front_mut() {
            None => {
                if let Some(h) = self.cpu.handler.take() {
                    if h.from_user {
                        self.cpu.mode = Mode::User;
                        self.emit(EventKind::ModeSwitch {
                            to: Mode::User,
                            cause: ModeCause::Interrupt { line: h.line },
                        });
                    }
                    return Ok(true);
                }
                if self.retry || self.next_call < self.plan.len() {
                    let hw = &self.setup.hw;
                    // A nonblocking read that got EAGAIN: the process does other work
                    // for a poll interval and tries the same call again.
                    let (i, user) = if self.retry {
                        self.retry = false;
                        (self.next_call - 1, self.setup.poll_interval)
                    } else {
                        self.next_call += 1;
                        (self.next_call - 1, hw.process_cycles)
                    };
                    if !self.plan[i].is_syscall() {
                        self.cpu.process_ops.push_back(Op::Act(Action::Body(i)));
                        return Ok(true);
                    }
                    let ops = [
                        Op::Work {
                            activity: Activity::Process,
                            cycles: user,
                        },
                        Op::Act(Action::Trap(i)),
                        Op::Work {
                            activity: Activity::Syscall,
                            cycles: hw.syscall_entry_cycles,
                        },
                        Op::Act(Action::Body(i)),
                    ];
                    self.cpu.process_ops.extend(ops);
                    return Ok(true);
                }
                if self.process != ProcessState::Exited {
                    self.process = ProcessState::Exited;
                    self.emit(EventKind::ProcessState {
                        state: ProcessState::Exited,
                    });
                    return Ok(true);
                }
                Ok(false)
            }
            Some(Op::Work { cycles: 0, .. }) => {
                self.cpu.pop_front();
                Ok(true)
            }
            Some(Op::Work { .. }) => Ok(false),
            Some(Op::Copy(t)) => {
                if t.first_cycle.is_none() {
                    t.first_cycle = Some(now);
                }
                if t.done() {
                    let t = *t;
                    self.cpu.pop_front();
                    self.copy_done_event(&t);
                    return Ok(true);
                }
                Ok(false)
            }
            Some(Op::Act(_)) => {
                if let Some(Op::Act(a)) = self.cpu.pop_front() {
                    self.act(a)?;
                }
                Ok(true)
            }
            Some(Op::Wait(w)) => {
                let ready = match w {
                    WaitFor::Disk(id) => self.disk_done.contains(id),
                    WaitFor::SocketSpace(n) => self.socket.free() >= *n,
                    WaitFor::Frames { missing, reserved } => {
                        self.cache.allocatable(*reserved) >= *missing
                    }
                    WaitFor::RxReady => self.rx_ready,
                    WaitFor::Notified => self.notified,
                };
                // Blocked in the kernel, or only waiting for a notification.
                let waiting_state = if matches!(w, WaitFor::Notified) {
                    ProcessState::Waiting
                } else {
                    ProcessState::Sleeping
                };
                if ready {
                    self.cpu.pop_front();
                    if matches!(self.process, ProcessState::Sleeping | ProcessState::Waiting) {
                        self.process = ProcessState::Running;
                        self.emit(EventKind::ProcessState {
                            state: ProcessState::Running,
                        });
                    }
                    return Ok(true);
                }
                if self.process != waiting_state {
                    self.process = waiting_state;
                    self.emit(EventKind::ProcessState {
                        state: waiting_state,
                    });
                    return Ok(true);
                }
                Ok(false)
            }
        }
    }

    fn handler_ops(&mut self, line: IrqLine) -> Result<Vec<Op>, SimError> {
        let hw = &self.setup.hw;
        let mut ops = vec![Op::Work {
            activity: Activity::Interrupt,
            cycles: hw.irq_cycles,
        }];
        match line {
            IrqLine::Disk => {
                let Some(ActiveRequest {
                    req,
                    phase:
                        DiskPhase::Full {
                            start,
                            len,
                            drained: false,
                        },
                    ..
                }) = &self.disk.active
                else {
                    return Err(bug("disk interrupt without a full controller buffer"));
                };
                let pace = Pace::Words {
                    word: hw.word_bytes,
                    cycles: hw.pio_cycles_per_word,
                };
                let mut at = 0;
                for (place, n, foff) in req.pieces(*start, *len, hw.page_size) {
                    let t = Transfer::new(
                        Place::Controller { offset: at },
                        place,
                        n,
                        foff,
                        Agent::Cpu,
                        pace,
                    )
                    .of_file(req.file);
                    ops.push(Op::Copy(t));
                    at += n;
                }
                ops.push(Op::Act(Action::ControllerDrained));
                if start + len >= req.len {
                    ops.push(Op::Act(Action::CompleteDisk(req.id)));
                }
            }
            IrqLine::Dma => ops.push(Op::Act(Action::DmaDone)),
            IrqLine::Nic => {
                ops.push(Op::Act(Action::FreeSocket));
                if let Some(rx) = &mut self.rx
                    && matches!(rx.phase, RxPhase::Done)
                    && !rx.handled
                {
                    rx.handled = true;
                    ops.push(Op::Act(Action::RxReady));
                    if self.aio_armed {
                        // Async I/O: the kernel itself copies the data into the
                        // process's buffer, then notifies it.
                        ops.push(Op::Act(Action::Phase(IoPhase::CopyingToUser)));
                        ops.extend(self.recv_copy_ops());
                        ops.push(Op::Act(Action::Notify("aio completion")));
                    } else if self.signal_armed {
                        ops.push(Op::Act(Action::Notify("SIGIO")));
                    }
                }
            }
        }
        ops.push(Op::Act(Action::IrqDone(line)));
        Ok(ops)
    }

    fn act(&mut self, a: Action) -> Result<(), SimError> {
        match a {
            Action::Trap(i) => {
                let call = &self.plan[i];
                let (name, args) = (call.name(), call.args());
                self.emit(EventKind::SyscallEnter {
                    name,
                    call: i as u64,
                    args,
                });
                self.cpu.mode = Mode::Kernel;
                self.emit(EventKind::ModeSwitch {
                    to: Mode::Kernel,
                    cause: ModeCause::Syscall { name },
                });
            }
            Action::Body(i) => {
                let ops = self.body(i)?;
                for op in ops.into_iter().rev() {
                    self.cpu.process_ops.push_front(op);
                }
            }
            Action::Return { call, result } => {
                // A nonblocking read that found no data is tried again.
                self.retry = result == EAGAIN;
                let name = self.plan[call].name();
                self.cpu.mode = Mode::User;
                self.emit(EventKind::ModeSwitch {
                    to: Mode::User,
                    cause: ModeCause::Syscall { name },
                });
                self.emit(EventKind::SyscallReturn {
                    name,
                    call: call as u64,
                    result,
                });
            }
            Action::StartDisk(req) => {
                self.emit(EventKind::DiskCommand {
                    request: req.id,
                    file: req.file,
                    offset: req.offset,
                    len: req.len,
                    transfer: req.transfer.name(),
                });
                if let Some(d) = req.descriptor {
                    let dst = req.pieces(0, 1, self.setup.hw.page_size)[0].0;
                    self.emit(EventKind::DmaSetup {
                        engine: Engine::DiskDma,
                        descriptor: d,
                        src: Place::Controller { offset: 0 },
                        dst,
                        len: req.len,
                    });
                }
                self.disk.queue.push_back(req);
            }
            Action::ControllerDrained => match &mut self.disk.active {
                Some(ActiveRequest {
                    phase: DiskPhase::Full { drained, .. },
                    ..
                }) => *drained = true,
                _ => return Err(bug("PIO drained a controller that was not full")),
            },
            Action::CompleteDisk(id) => self.disk_finished(id),
            Action::DmaDone => {
                for id in std::mem::take(&mut self.dma.completed) {
                    self.disk_finished(id);
                }
            }
            Action::ReserveSocket { offset, len, bytes } => {
                self.socket.used += len;
                if bytes {
                    self.socket
                        .segments
                        .insert(offset, Vec::with_capacity(len as usize));
                }
            }
            Action::QueueSocket {
                offset,
                len,
                file,
                file_offset,
                pages,
            } => {
                let data = match pages {
                    Some(refs) => {
                        for r in &refs {
                            self.cache.pin(r.frame);
                        }
                        self.emit(EventKind::SocketDescriptors {
                            pieces: refs.clone(),
                        });
                        SkbData::Pages(refs)
                    }
                    None => {
                        self.emit(EventKind::SocketQueue { offset, len });
                        SkbData::Bytes
                    }
                };
                let id = self.new_id();
                self.nic.queue.push_back(Skb {
                    id,
                    offset,
                    len,
                    file,
                    file_offset,
                    data,
                });
            }
            Action::FreeSocket => {
                for skb in std::mem::take(&mut self.nic.completed) {
                    self.socket.used -= skb.len;
                    match skb.data {
                        SkbData::Bytes => {
                            self.socket.segments.remove(&skb.offset);
                        }
                        SkbData::Pages(refs) => {
                            for r in refs {
                                self.cache.unpin(r.frame);
                            }
                        }
                    }
                    self.emit(EventKind::SocketFree {
                        offset: skb.offset,
                        len: skb.len,
                    });
                }
            }
            Action::Unpin(frames) => {
                for f in frames {
                    self.cache.unpin(f);
                }
            }
            Action::PipePush(refs) => {
                for r in &refs {
                    self.cache.pin(r.frame);
                }
                self.emit(EventKind::PipeRefs {
                    pieces: refs.clone(),
                });
                self.pipe.refs.extend(refs);
            }
            Action::PipeTake => {
                let refs = std::mem::take(&mut self.pipe.refs);
                for r in &refs {
                    self.cache.unpin(r.frame);
                }
                self.emit(EventKind::PipeTaken {
                    pieces: refs.len() as u64,
                });
            }
            Action::Map(frames) => {
                for &f in &frames {
                    self.cache.pin(f);
                }
                self.emit(EventKind::Mapped {
                    frames: frames.clone(),
                });
                self.mapped = frames;
            }
            Action::Unmap => {
                let frames = std::mem::take(&mut self.mapped);
                for &f in &frames {
                    self.cache.unpin(f);
                }
                self.emit(EventKind::Unmapped {
                    frames: frames.len() as u64,
                });
            }
            Action::DeliverUser { file, offset, len } => {
                let (o, l) = (offset as usize, len as usize);
                let source = self.files.get(file as usize).and_then(|f| f.get(o..o + l));
                let intact = self.user_buf.get(..l) == source;
                self.delivered += len;
                self.intact &= intact;
                self.emit(EventKind::Delivered {
                    file,
                    offset,
                    len,
                    intact,
                });
            }
            Action::IrqDone(line) => self.emit(EventKind::IrqDone { line }),
            Action::RxReady => self.rx_ready = true,
            Action::ArmSignal => self.signal_armed = true,
            Action::ArmAio => self.aio_armed = true,
            Action::Notify(what) => {
                self.notified = true;
                self.emit(EventKind::Notify { what });
            }
            Action::Phase(phase) => {
                let bit = 1u8 << (phase as u8);
                if self.phases & bit == 0 {
                    self.phases |= bit;
                    self.emit(EventKind::IoPhase { phase });
                }
            }
            Action::TaskSwitch(to) => self.emit(EventKind::TaskSwitch { to }),
        }
        Ok(())
    }

    // ---------------------------------------------------------------- kernel

    /// A disk request's bytes are in memory: its frames are valid, readahead pages
    /// are released, and whoever waits for it may run.
    fn disk_finished(&mut self, id: u64) {
        self.disk_done.insert(id);
        if let Some((frames, ahead)) = self.req_frames.remove(&id) {
            for f in frames {
                if self.frame_io.get(&f) == Some(&id) {
                    self.frame_io.remove(&f);
                }
            }
            for f in ahead {
                self.cache.unpin(f);
            }
        }
    }

    /// The process blocks: the scheduler switches to another task, and back when
    /// the data has arrived.
    fn sleep_until_rx(&self) -> Vec<Op> {
        let cs = self.setup.hw.context_switch_cycles;
        vec![
            Op::Act(Action::TaskSwitch("other task")),
            Op::Work {
                activity: Activity::Syscall,
                cycles: cs,
            },
            Op::Wait(WaitFor::RxReady),
            Op::Act(Action::TaskSwitch("process")),
            Op::Work {
                activity: Activity::Syscall,
                cycles: cs,
            },
        ]
    }

    /// Copies the received message from the socket receive buffer to the user.
    fn recv_copy_ops(&self) -> Vec<Op> {
        let n = self.setup.file_size;
        vec![
            self.cpu_copy(
                Place::RecvBuffer { offset: 0 },
                Place::User { offset: 0 },
                n,
                0,
            ),
            Op::Act(Action::DeliverUser {
                file: 0,
                offset: 0,
                len: n,
            }),
            Op::Act(Action::Phase(IoPhase::Done)),
        ]
    }

    /// A call that fails: it returns `errno` (negative) and the program stops, as a
    /// C program that checks its calls would.
    fn fail(&mut self, call: usize, errno: i64) -> Vec<Op> {
        self.next_call = self.plan.len();
        vec![
            self.kernel_work(),
            Op::Work {
                activity: Activity::Syscall,
                cycles: self.setup.hw.syscall_exit_cycles,
            },
            Op::Act(Action::Return {
                call,
                result: errno,
            }),
        ]
    }

    fn kernel_work(&self) -> Op {
        Op::Work {
            activity: Activity::Syscall,
            cycles: self.setup.hw.kernel_cycles,
        }
    }

    /// Looks up file bytes [offset, offset+len) in the page cache, allocating frames
    /// for the missing pages (and for a readahead window) and asking the disk to fill
    /// them. `Err(wait)`: not enough frames can be freed now; the caller waits.
    fn cache_fill(&mut self, offset: u64, len: u64) -> Result<Result<Fill, WaitFor>, SimError> {
        let ps = self.setup.hw.page_size;
        let (first, last) = (offset / ps, (offset + len - 1) / ps);
        let (mut missing, mut reserved) = (0, 0);
        for p in first..=last {
            match self.cache.lookup(self.cur_file, p) {
                Some(fr) if self.cache.frames[fr as usize].pins == 0 => reserved += 1,
                Some(_) => {}
                None => missing += 1,
            }
        }
        if self.cache.allocatable(reserved) < missing {
            return Ok(Err(WaitFor::Frames { missing, reserved }));
        }
        let window = self.readahead(first, last);
        let mut ops = vec![self.kernel_work()];
        let mut pinned = Vec::new();
        let mut frames_of = Vec::new();
        let mut waits = BTreeSet::new();
        // Newly allocated pages, in order: (page, frame, beyond the request).
        let mut fresh: Vec<(u64, u32, bool)> = Vec::new();
        for p in first..=last {
            if let Some(frame) = self.cache.lookup(self.cur_file, p) {
                self.cache.touch(frame);
                self.cache.pin(frame);
                let list = self.cache.list_of(frame);
                self.emit(EventKind::CacheHit {
                    file: self.cur_file,
                    page: p,
                    frame,
                    list,
                });
                // Found, but its read is still under way (readahead): wait for it.
                if let Some(&req) = self.frame_io.get(&frame) {
                    waits.insert(req);
                }
                pinned.push(frame);
                frames_of.push(frame);
            } else {
                self.emit(EventKind::CacheMiss {
                    file: self.cur_file,
                    page: p,
                });
                let frame = self.insert_page(self.cur_file, p, InsertCause::Miss)?;
                fresh.push((p, frame, false));
                pinned.push(frame);
                frames_of.push(frame);
            }
        }
        if let Some((start, size)) = window {
            for p in start.max(last + 1)..start + size {
                // Readahead never waits for frames: it stops where the cache is full.
                if self.cache.lookup(self.cur_file, p).is_some() {
                    continue;
                }
                if self.cache.allocatable(0) == 0 {
                    break;
                }
                let frame = self.insert_page(self.cur_file, p, InsertCause::Readahead)?;
                fresh.push((p, frame, true));
            }
        }
        // One disk request per run of consecutive new pages.
        let mut i = 0;
        while i < fresh.len() {
            let mut j = i + 1;
            while j < fresh.len() && fresh[j].0 == fresh[j - 1].0 + 1 {
                j += 1;
            }
            let run = &fresh[i..j];
            let start = run[0].0 * ps;
            let frames: Vec<u32> = run.iter().map(|r| r.1).collect();
            let ahead: Vec<u32> = run.iter().filter(|r| r.2).map(|r| r.1).collect();
            let len = (frames.len() as u64 * ps).min(self.cur_file_size() - start);
            let req = self.disk_request(start, len, Dest::Frames(frames.clone()));
            for &f in &frames {
                self.frame_io.insert(f, req.id);
            }
            if run.iter().any(|r| !r.2) {
                waits.insert(req.id);
            }
            self.req_frames.insert(req.id, (frames, ahead));
            ops.push(self.kernel_work());
            ops.push(Op::Act(Action::StartDisk(req)));
            i = j;
        }
        ops.extend(waits.into_iter().map(|id| Op::Wait(WaitFor::Disk(id))));
        let mut refs = Vec::new();
        let mut pos = offset;
        while pos < offset + len {
            let in_page = pos % ps;
            let n = (ps - in_page).min(offset + len - pos);
            let frame = frames_of[(pos / ps - first) as usize];
            refs.push(PageRef {
                file: self.cur_file,
                frame,
                offset: in_page,
                len: n,
                file_offset: pos,
            });
            pos += n;
        }
        Ok(Ok(Fill { ops, refs, pinned }))
    }

    /// Allocates a pinned frame for a page and logs it (and what it evicted).
    fn insert_page(
        &mut self,
        file_id: u32,
        page: u64,
        cause: InsertCause,
    ) -> Result<u32, SimError> {
        let a = self
            .cache
            .allocate(file_id, page)
            .ok_or_else(|| bug("page cache: no frame to allocate"))?;
        for d in &a.demoted {
            if let Some((file, page)) = self.cache.frames[*d as usize].page {
                self.emit(EventKind::CacheDemote {
                    file,
                    page,
                    frame: *d,
                });
            }
        }
        if let Some((file, old)) = a.evicted {
            self.frame_io.remove(&a.frame);
            self.emit(EventKind::CacheEvict {
                file,
                page: old,
                frame: a.frame,
            });
        }
        self.emit(EventKind::CacheInsert {
            file: file_id,
            page,
            frame: a.frame,
            cause,
        });
        Ok(a.frame)
    }

    /// Linux's on-demand readahead for a read of pages [first, last]: the window to
    /// read, if any. A sequential miss starts a window sized from the request; a hit
    /// on the marker page starts the next, larger one before the reader needs it;
    /// a random read gets no window.
    fn readahead(&mut self, first: u64, last: u64) -> Option<(u64, u64)> {
        let file = self.cur_file;
        let mut ra = self.ra.remove(&file).unwrap_or_default();
        let window = self.readahead_for(&mut ra, first, last);
        self.ra.insert(file, ra);
        window
    }

    fn readahead_for(&mut self, ra: &mut Readahead, first: u64, last: u64) -> Option<(u64, u64)> {
        let max = self.setup.hw.readahead_max;
        let file_pages = self.cur_file_size().div_ceil(self.setup.hw.page_size);
        let prev = ra.prev.replace(last);
        if max == 0 {
            return None;
        }
        let sequential = match prev {
            None => first == 0,
            Some(pp) => first == pp || first == pp + 1,
        };
        // The marker only counts for a reader that is still sequential.
        let marker_hit = ra.marker.filter(|m| {
            sequential
                && (first..=last).contains(m)
                && self.cache.lookup(self.cur_file, *m).is_some()
        });
        let (start, size, trigger, marker) = if marker_hit.is_some() {
            let start = ra.window.0 + ra.window.1;
            let size = next_window(ra.window.1, max);
            (start, size, Trigger::Async, Some(start))
        } else {
            let missing =
                (first..=last).find(|&p| self.cache.lookup(self.cur_file, p).is_none())?;
            if !sequential {
                return None;
            }
            let req = last - missing + 1;
            let size = initial_window(req, max).max(req);
            (
                missing,
                size,
                Trigger::Sync,
                (size > req).then_some(missing + req),
            )
        };
        ra.window = (start, size);
        ra.marker = marker.filter(|&m| m < file_pages);
        if start >= file_pages {
            return None;
        }
        let size = size.min(file_pages - start);
        self.emit(EventKind::ReadaheadWindow {
            file: self.cur_file,
            start,
            size,
            trigger,
            marker: ra.marker,
        });
        Some((start, size))
    }

    /// The size of the file the running call works on.
    fn cur_file_size(&self) -> u64 {
        self.files
            .get(self.cur_file as usize)
            .map_or(0, |f| f.len() as u64)
    }

    fn disk_request(&mut self, offset: u64, len: u64, dest: Dest) -> DiskRequest {
        let id = self.new_id();
        let transfer = self.setup.hw.disk;
        let descriptor = (transfer == DiskTransfer::Dma).then(|| self.new_id());
        DiskRequest {
            id,
            file: self.cur_file,
            offset,
            len,
            dest,
            transfer,
            descriptor,
        }
    }

    /// Sends file bytes [offset, offset+len) through the socket, in entries that fit
    /// the socket buffer. `src` says where the bytes are.
    fn send_ops(&mut self, offset: u64, len: u64, src: SendFrom<'_>) -> Vec<Op> {
        let cap = self.setup.hw.socket_buffer;
        let sg = self.setup.hw.nic_sg;
        let file = self.cur_file;
        // The socket's stream offsets go on from the last byte sent, whatever file
        // the bytes come from.
        let stream = self.stream_pos;
        self.stream_pos += len;
        let mut ops = Vec::new();
        let mut pos = offset;
        while pos < offset + len {
            let n = cap.min(offset + len - pos);
            let at = stream + (pos - offset);
            let zero_copy = sg && matches!(src, SendFrom::Pages(_));
            ops.push(Op::Wait(WaitFor::SocketSpace(n)));
            ops.push(Op::Act(Action::ReserveSocket {
                offset: at,
                len: n,
                bytes: !zero_copy,
            }));
            let pages = match src {
                SendFrom::User(slot) => {
                    let from = Place::User {
                        offset: slot + pos - offset,
                    };
                    ops.push(self.cpu_copy(from, Place::Socket { offset: at }, n, pos));
                    None
                }
                SendFrom::Pages(refs) | SendFrom::MappedPages(refs) => {
                    let piece_refs = slice_refs(refs, pos - offset, n);
                    if zero_copy {
                        Some(piece_refs)
                    } else {
                        for r in piece_refs {
                            let from = Place::Frame {
                                frame: r.frame,
                                offset: r.offset,
                            };
                            let to = Place::Socket {
                                offset: stream + (r.file_offset - offset),
                            };
                            ops.push(self.cpu_copy(from, to, r.len, r.file_offset));
                        }
                        None
                    }
                }
            };
            ops.push(Op::Act(Action::QueueSocket {
                offset: at,
                len: n,
                file,
                file_offset: pos,
                pages,
            }));
            pos += n;
        }
        ops
    }

    /// The kernel's implementation of call `i`: the operations it runs.
    fn body(&mut self, i: usize) -> Result<Vec<Op>, SimError> {
        self.cur_file = self.plan_files.get(i).copied().unwrap_or(0);
        let call = self.plan[i].clone();
        let size = self.cur_file_size();
        let avail = |off: u64, len: u64| len.min(size.saturating_sub(off));
        let mut ops = Vec::new();
        let result: i64;
        match call {
            Call::Read {
                offset,
                len,
                direct,
                keep,
            } => {
                let n = avail(offset, len);
                if n > 0 {
                    if direct {
                        // O_DIRECT: the disk moves the bytes straight into the user buffer.
                        if self.setup.dio_problem().is_some() {
                            return Ok(self.fail(i, EINVAL));
                        }
                        let req = self.disk_request(offset, n, Dest::User(0));
                        let id = req.id;
                        ops.push(self.kernel_work());
                        ops.push(Op::Act(Action::StartDisk(req)));
                        ops.push(Op::Wait(WaitFor::Disk(id)));
                    } else {
                        let fill = match self.cache_fill(offset, n)? {
                            Ok(f) => f,
                            Err(w) => return Ok(vec![Op::Wait(w), Op::Act(Action::Body(i))]),
                        };
                        ops.extend(fill.ops);
                        let mut at = 0;
                        for r in &fill.refs {
                            let from = Place::Frame {
                                frame: r.frame,
                                offset: r.offset,
                            };
                            ops.push(self.cpu_copy(
                                from,
                                Place::User { offset: at },
                                r.len,
                                r.file_offset,
                            ));
                            at += r.len;
                        }
                        ops.push(Op::Act(Action::Unpin(fill.pinned)));
                    }
                    if keep {
                        ops.push(Op::Act(Action::DeliverUser {
                            file: self.cur_file,
                            offset,
                            len: n,
                        }));
                    }
                }
                result = n as i64;
            }
            Call::WriteUser { offset, len, slot } => {
                ops.push(self.kernel_work());
                ops.extend(self.send_ops(offset, len, SendFrom::User(slot)));
                result = len as i64;
            }
            Call::WriteMapped { offset, len } => {
                let ps = self.setup.hw.page_size;
                let mut refs = Vec::new();
                let mut pos = offset;
                while pos < offset + len {
                    let in_page = pos % ps;
                    let n = (ps - in_page).min(offset + len - pos);
                    let frame = *self
                        .mapped
                        .get((pos / ps) as usize)
                        .ok_or_else(|| bug("write from an unmapped page"))?;
                    refs.push(PageRef {
                        file: self.cur_file,
                        frame,
                        offset: in_page,
                        len: n,
                        file_offset: pos,
                    });
                    pos += n;
                }
                ops.push(self.kernel_work());
                // Even with scatter-gather, write() copies: the kernel cannot know the
                // process will not change the mapped bytes after write() returns.
                ops.extend(self.send_ops(offset, len, SendFrom::MappedPages(&refs)));
                result = len as i64;
            }
            Call::Mmap { len } => {
                let fill = match self.cache_fill(0, len)? {
                    Ok(f) => f,
                    Err(w) => return Ok(vec![Op::Wait(w), Op::Act(Action::Body(i))]),
                };
                ops.extend(fill.ops);
                let ps = self.setup.hw.page_size;
                let frames: Vec<u32> = (0..len.div_ceil(ps))
                    .map(|p| {
                        self.cache
                            .lookup(0, p)
                            .ok_or_else(|| bug("mapped page not cached"))
                    })
                    .collect::<Result<_, _>>()?;
                ops.push(Op::Act(Action::Map(frames)));
                ops.push(Op::Act(Action::Unpin(fill.pinned)));
                result = 0x7f00_0000_0000;
            }
            Call::Munmap { .. } => {
                ops.push(self.kernel_work());
                ops.push(Op::Act(Action::Unmap));
                result = 0;
            }
            Call::Sendfile { offset, len } => {
                let n = avail(offset, len);
                if n > 0 {
                    let fill = match self.cache_fill(offset, n)? {
                        Ok(f) => f,
                        Err(w) => return Ok(vec![Op::Wait(w), Op::Act(Action::Body(i))]),
                    };
                    ops.extend(fill.ops);
                    ops.extend(self.send_ops(offset, n, SendFrom::Pages(&fill.refs)));
                    ops.push(Op::Act(Action::Unpin(fill.pinned)));
                }
                result = n as i64;
            }
            Call::Pipe => {
                ops.push(self.kernel_work());
                result = 0;
            }
            Call::SpliceIn { offset, len } => {
                let n = avail(offset, len);
                if n > 0 {
                    let fill = match self.cache_fill(offset, n)? {
                        Ok(f) => f,
                        Err(w) => return Ok(vec![Op::Wait(w), Op::Act(Action::Body(i))]),
                    };
                    ops.extend(fill.ops);
                    ops.push(Op::Act(Action::PipePush(fill.refs)));
                    ops.push(Op::Act(Action::Unpin(fill.pinned)));
                }
                result = n as i64;
            }
            Call::SpliceOut { offset, len } => {
                let refs = self.pipe.refs.clone();
                ops.push(self.kernel_work());
                ops.extend(self.send_ops(offset, len, SendFrom::Pages(&refs)));
                ops.push(Op::Act(Action::PipeTake));
                result = len as i64;
            }
            Call::RecvRead { len, nonblocking } => {
                ops.push(self.kernel_work());
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                if !self.rx_ready && nonblocking {
                    result = EAGAIN;
                } else {
                    if !self.rx_ready {
                        ops.extend(self.sleep_until_rx());
                    }
                    ops.push(Op::Act(Action::Phase(IoPhase::CopyingToUser)));
                    ops.extend(self.recv_copy_ops());
                    result = len.min(self.setup.file_size) as i64;
                }
            }
            Call::Poll => {
                ops.push(self.kernel_work());
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                if !self.rx_ready {
                    ops.extend(self.sleep_until_rx());
                }
                result = 1;
            }
            Call::Sigaction => {
                ops.push(self.kernel_work());
                ops.push(Op::Act(Action::ArmSignal));
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                result = 0;
            }
            Call::AioRead { .. } => {
                ops.push(self.kernel_work());
                ops.push(Op::Act(Action::ArmAio));
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                result = 0;
            }
            Call::IoSetup | Call::IoDestroy => {
                ops.push(self.kernel_work());
                result = 0;
            }
            Call::IoSubmit { ref chunks } => {
                if self.setup.dio_problem().is_some() {
                    return Ok(self.fail(i, EINVAL));
                }
                ops.push(self.kernel_work());
                for &(offset, len, slot) in chunks {
                    let req = self.disk_request(offset, len, Dest::User(slot));
                    self.aio_requests.insert(offset, req.id);
                    ops.push(self.kernel_work());
                    ops.push(Op::Act(Action::StartDisk(req)));
                }
                result = chunks.len() as i64;
            }
            Call::IoGetevents { offset } => {
                let id = *self
                    .aio_requests
                    .get(&offset)
                    .ok_or_else(|| bug("io_getevents for a request never submitted"))?;
                ops.push(self.kernel_work());
                ops.push(Op::Wait(WaitFor::Disk(id)));
                result = 1;
            }
            Call::AwaitSignal | Call::AwaitCompletion => {
                // Not a system call: the process keeps working until the kernel
                // notifies it, then runs its handler in user mode.
                self.notified = false;
                return Ok(vec![
                    Op::Wait(WaitFor::Notified),
                    Op::Work {
                        activity: Activity::Process,
                        cycles: self.setup.hw.signal_cycles,
                    },
                ]);
            }
        }
        ops.push(Op::Work {
            activity: Activity::Syscall,
            cycles: self.setup.hw.syscall_exit_cycles,
        });
        ops.push(Op::Act(Action::Return { call: i, result }));
        Ok(ops)
    }
}

#[derive(Clone, Copy)]
enum SendFrom<'a> {
    /// From the user buffer at this offset (write()).
    User(u64),
    /// From page-cache pages inside the kernel (sendfile, splice): zero-copy with SG.
    Pages(&'a [PageRef]),
    /// From the process's mapping of page-cache pages (write() after mmap): always copied.
    MappedPages(&'a [PageRef]),
}

/// Linux's per-file readahead state: the last window, its marker page, the last
/// page read.
#[derive(Clone, Debug, Default)]
struct Readahead {
    window: (u64, u64),
    marker: Option<u64>,
    prev: Option<u64>,
}

/// -EAGAIN: a nonblocking call found nothing to do.
pub const EAGAIN: i64 = -11;
/// -EINVAL: an invalid argument (a misaligned O_DIRECT buffer).
pub const EINVAL: i64 = -22;

/// Linux's first readahead window for a request of `req` pages (get_init_ra_size).
pub fn initial_window(req: u64, max: u64) -> u64 {
    let r = req.max(1).next_power_of_two();
    if r <= max / 32 {
        4 * r
    } else if r <= max / 4 {
        2 * r
    } else {
        max
    }
}

/// Linux's next readahead window (get_next_ra_size): 4x while small, 2x up to the
/// maximum, then the maximum.
pub fn next_window(cur: u64, max: u64) -> u64 {
    if cur < max / 16 {
        4 * cur
    } else if cur <= max / 2 {
        2 * cur
    } else {
        max
    }
}

/// The part [from, from+len) of a list of page pieces.
pub fn slice_refs(refs: &[PageRef], from: u64, len: u64) -> Vec<PageRef> {
    let mut out = Vec::new();
    let (mut pos, end) = (0u64, from + len);
    for r in refs {
        let (a, b) = (pos.max(from), (pos + r.len).min(end));
        if a < b {
            out.push(PageRef {
                file: r.file,
                frame: r.frame,
                offset: r.offset + (a - pos),
                len: b - a,
                file_offset: r.file_offset + (a - pos),
            });
        }
        pos += r.len;
        if pos >= end {
            break;
        }
    }
    out
}
