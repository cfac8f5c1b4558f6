//! Replaying the event log: the state of every part at any point of the log.
//!
//! The app draws a `SceneState`; the state is a pure function of the log and a
//! playhead (how many events are applied, and the cycle), so stepping back,
//! scrubbing and replaying are only moves of the playhead. No Bevy here.

use crate::sim::event::*;
use crate::sim::{Counters, Event, Setup};

/// Regions larger than this are drawn as a fill level instead of byte cells.
pub const CELL_LIMIT: u64 = 256;

/// The bytes a buffer holds: cells for small buffers, a fill count for large ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub size: u64,
    pub cells: Vec<Option<u8>>,
    pub filled: u64,
}

impl Region {
    pub fn new(size: u64) -> Self {
        let cells = if size <= CELL_LIMIT {
            vec![None; size as usize]
        } else {
            Vec::new()
        };
        Region {
            size,
            cells,
            filled: 0,
        }
    }

    pub fn has_cells(&self) -> bool {
        !self.cells.is_empty() || self.size == 0
    }

    fn write(&mut self, at: u64, bytes: &[u8]) {
        if self.has_cells() {
            for (i, b) in bytes.iter().enumerate() {
                let idx = ((at + i as u64) % self.size.max(1)) as usize;
                if self.cells[idx].is_none() {
                    self.filled += 1;
                }
                self.cells[idx] = Some(*b);
            }
        } else {
            self.filled = (self.filled + bytes.len() as u64).min(self.size);
        }
    }

    fn clear(&mut self, at: u64, len: u64) {
        if self.has_cells() {
            for i in 0..len {
                let idx = ((at + i) % self.size.max(1)) as usize;
                if self.cells[idx].take().is_some() {
                    self.filled -= 1;
                }
            }
        } else {
            self.filled = self.filled.saturating_sub(len);
        }
    }
}

/// A page frame as drawn: which file page it holds and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameView {
    /// The file and page it holds.
    pub file: u32,
    pub page: Option<u64>,
    pub bytes: Region,
    /// The last page-cache event on this frame, for a highlight: (kind, event index).
    pub flash: Option<(CacheFlash, usize)>,
    /// Newer than the disk (written, not yet written back).
    pub dirty: bool,
    /// On its way to the disk.
    pub writeback: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheFlash {
    Hit,
    Miss,
    Insert,
    Evict,
}

/// A DMA descriptor in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescView {
    /// The descriptor's id in the log.
    pub id: u64,
    /// Which of its engine's descriptors it is: 1 for the first (what the picture shows).
    pub number: u64,
    pub src: Place,
    pub dst: Place,
    pub len: u64,
    pub moved: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SceneState {
    /// Events applied: events[..applied].
    pub applied: usize,
    pub mode: Mode,
    pub activity: Activity,
    pub process: ProcessState,
    pub bus: BusOwner,
    pub syscall: Option<&'static str>,
    /// A page fault being handled: the mapping's page, and whether it is major
    /// (from the disk); over once its frames are mapped.
    pub fault: Option<(u64, bool)>,
    pub pending_irqs: Vec<IrqLine>,
    pub handler: Option<IrqLine>,
    pub controller: Region,
    /// The file on the platter (one-file runs): a read marks the bytes the disk
    /// has read out; a write fills in the bytes stored.
    pub platter: Region,
    pub frames: Vec<FrameView>,
    pub user: Region,
    pub socket: Region,
    /// Scatter-gather descriptors in the socket buffer.
    pub socket_refs: Vec<PageRef>,
    pub pipe_refs: Vec<PageRef>,
    pub mapped: usize,
    pub nic: Region,
    pub wire: u64,
    /// The disk's request: (offset, length, a write).
    pub disk_request: Option<(u64, u64, bool)>,
    /// The last readahead window (first page, pages).
    pub readahead: Option<(u64, u64)>,
    /// Stevens' phase of the input operation (`recv`).
    pub io_phase: Option<IoPhase>,
    pub dma: Option<DescView>,
    pub nic_dma: Option<DescView>,
    /// Descriptors programmed so far: disk DMA, NIC DMA.
    pub descriptors: (u64, u64),
    pub counters: Counters,
    /// The page cache's lists, least recently used first (frames); kept for caches
    /// of at most `LIST_LIMIT` pages, empty for larger ones.
    pub inactive: Vec<u32>,
    pub active: Vec<u32>,
    /// The file of the page in each frame, for the lists (a frame's `FrameView`
    /// exists only for the first frames drawn); same limit.
    pub frame_files: Vec<u32>,
    /// The write path: bytes of the output file on the platter, and the cause
    /// of the writeback under way (who started it).
    pub on_disk: u64,
    pub writeback: Option<WritebackReason>,
    /// The writer sleeps because of dirty_limit.
    pub throttled: bool,
    /// The paths the finished copies took (see `route`).
    pub route: Vec<crate::route::Path>,
    /// io_uring's two rings.
    pub uring: UringView,
    /// NVMe: requests in the drive's service (fetched, not completed), and
    /// completion entries not yet reaped by an interrupt handler or a poll.
    pub nvme_in_service: u64,
    pub nvme_cq: u64,
}

/// io_uring's rings at the playhead: entries the process wrote and the kernel has
/// not taken, entries under way, completions the process has not read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UringView {
    /// Submission ring: (what, file offset).
    pub sq: Vec<(UringOp, u64)>,
    /// Taken by the kernel, no completion yet.
    pub in_flight: Vec<(UringOp, u64)>,
    /// Completion ring: (what, file offset, result).
    pub cq: Vec<(UringOp, u64, i64)>,
    pub doorbells: u64,
    /// SQPOLL: the kernel's polling thread is running.
    pub sq_thread: bool,
}

/// The largest cache whose list order the replay follows.
pub const LIST_LIMIT: u64 = 1024;

/// A copy in progress at the playhead: drawn as a token moving along the bus.
#[derive(Clone, Debug, PartialEq)]
pub struct Flight {
    pub event: usize,
    pub file: u32,
    pub from: Place,
    pub to: Place,
    pub agent: Agent,
    pub engine: Option<Engine>,
    pub len: u64,
    pub file_offset: u64,
    /// The cycle its first byte moved.
    pub first_cycle: u64,
    /// 0.0 at the first cycle, 1.0 when done.
    pub progress: f64,
}

impl Flight {
    /// Bytes of this copy already moved at its progress (what the picture shows).
    pub fn moved(&self) -> u64 {
        (self.progress * self.len as f64).floor() as u64
    }
}

/// Bytes moved so far by the copies in flight that `which` selects.
pub fn moving(flights: &[Flight], which: impl Fn(&Flight) -> bool) -> u64 {
    flights.iter().filter(|f| which(f)).map(Flight::moved).sum()
}

/// A finished run, ready to be replayed.
#[derive(Clone, Debug)]
pub struct Replay {
    pub setup: Setup,
    /// Every file's bytes (the app shows them in the cells).
    pub files: Vec<Vec<u8>>,
    pub events: Vec<Event>,
    /// Copy events by first cycle: (first, last, index).
    copies: Vec<(u64, u64, usize)>,
    longest_copy: u64,
    /// Snapshots every `KEYFRAME` events, so seeking far back is quick.
    keyframes: Vec<SceneState>,
}

const KEYFRAME: usize = 8192;

impl Replay {
    pub fn new(setup: Setup, events: Vec<Event>) -> Replay {
        let files = setup.files_bytes();
        let mut copies: Vec<(u64, u64, usize)> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.kind {
                EventKind::Copy {
                    first_cycle,
                    last_cycle,
                    ..
                } => Some((first_cycle, last_cycle, i)),
                _ => None,
            })
            .collect();
        copies.sort();
        let longest_copy = copies.iter().map(|c| c.1 - c.0 + 1).max().unwrap_or(0);
        let mut r = Replay {
            setup,
            files,
            events,
            copies,
            longest_copy,
            keyframes: Vec::new(),
        };
        // Keyframes cost memory proportional to the scene, not the file: regions
        // above CELL_LIMIT keep only a count.
        let mut st = r.empty_state();
        let mut kf = vec![st.clone()];
        for i in 0..r.events.len() {
            r.apply(&mut st, i);
            if (i + 1) % KEYFRAME == 0 {
                kf.push(st.clone());
            }
        }
        r.keyframes = kf;
        r
    }

    pub fn total_cycles(&self) -> u64 {
        self.events.last().map(|e| e.cycle).unwrap_or(0)
    }

    /// Frames drawn: at most this many (the rest are summarised).
    pub const MAX_FRAMES: u64 = 16;

    pub fn empty_state(&self) -> SceneState {
        let hw = &self.setup.hw;
        let frames = hw.cache_pages.min(Self::MAX_FRAMES);
        SceneState {
            applied: 0,
            mode: Mode::User,
            activity: Activity::Idle,
            process: ProcessState::Running,
            bus: BusOwner::Idle,
            syscall: None,
            fault: None,
            pending_irqs: Vec::new(),
            handler: None,
            controller: Region::new(hw.controller_buffer),
            platter: Region::new(if self.setup.files.is_empty() {
                self.setup.file_size
            } else {
                0
            }),
            frames: (0..frames)
                .map(|_| FrameView {
                    file: 0,
                    page: None,
                    bytes: Region::new(hw.page_size),
                    flash: None,
                    dirty: false,
                    writeback: false,
                })
                .collect(),
            user: Region::new(self.setup.user_buffer_bytes()),
            socket: Region::new(if self.setup.method == crate::sim::Method::Recv {
                self.setup.file_size
            } else {
                hw.socket_buffer
            }),
            socket_refs: Vec::new(),
            pipe_refs: Vec::new(),
            mapped: 0,
            nic: Region::new(hw.nic_buffer),
            wire: 0,
            disk_request: None,
            readahead: None,
            io_phase: None,
            dma: None,
            nic_dma: None,
            descriptors: (0, 0),
            counters: Counters::default(),
            inactive: Vec::new(),
            active: Vec::new(),
            frame_files: if hw.cache_pages <= LIST_LIMIT {
                vec![0; hw.cache_pages as usize]
            } else {
                Vec::new()
            },
            on_disk: 0,
            writeback: None,
            throttled: false,
            route: Vec::new(),
            uring: UringView::default(),
            nvme_in_service: 0,
            nvme_cq: 0,
        }
    }

    /// The state after the first `applied` events.
    pub fn state_at(&self, applied: usize) -> SceneState {
        let applied = applied.min(self.events.len());
        let k = (applied / KEYFRAME).min(self.keyframes.len().saturating_sub(1));
        let mut st = self
            .keyframes
            .get(k)
            .cloned()
            .unwrap_or_else(|| self.empty_state());
        self.advance(&mut st, applied);
        st
    }

    /// Applies events until `applied` of them are in (never goes back).
    pub fn advance(&self, st: &mut SceneState, applied: usize) {
        let applied = applied.min(self.events.len());
        while st.applied < applied {
            self.apply(st, st.applied);
        }
    }

    /// How many events happen at or before `cycle`.
    pub fn events_through(&self, cycle: u64) -> usize {
        self.events.partition_point(|e| e.cycle <= cycle)
    }

    fn file_bytes(&self, file: u32, off: u64, len: u64) -> &[u8] {
        let Some(f) = self.files.get(file as usize) else {
            return &[];
        };
        let a = (off as usize).min(f.len());
        let b = ((off + len) as usize).min(f.len());
        &f[a..b]
    }

    /// Bytes `off`.. of a file (fewer at its end).
    pub fn bytes(&self, file: u32, off: u64, len: u64) -> &[u8] {
        self.file_bytes(file, off, len)
    }

    fn region_mut<'s>(&self, st: &'s mut SceneState, p: Place) -> Option<(&'s mut Region, u64)> {
        match p {
            Place::Controller { offset } => Some((&mut st.controller, offset)),
            Place::Frame { frame, offset } => st
                .frames
                .get_mut(frame as usize)
                .map(|f| (&mut f.bytes, offset)),
            Place::User { offset } => Some((&mut st.user, offset)),
            Place::Socket { offset } => Some((&mut st.socket, offset)),
            Place::NicBuffer { offset } => Some((&mut st.nic, offset)),
            // The app shows the receive buffer where the send buffer is.
            Place::RecvBuffer { offset } => Some((&mut st.socket, offset)),
            Place::Platter { .. } | Place::Wire { .. } => None,
        }
    }

    fn apply(&self, st: &mut SceneState, i: usize) {
        let e = &self.events[i];
        st.counters.observe(e);
        st.applied = i + 1;
        match &e.kind {
            EventKind::ProcessState { state } => st.process = *state,
            EventKind::CpuActivity { activity } => st.activity = *activity,
            EventKind::ModeSwitch { to, .. } => st.mode = *to,
            EventKind::SyscallEnter { name, .. } => st.syscall = Some(name),
            EventKind::SyscallReturn { .. } => st.syscall = None,
            EventKind::BusOwner { owner } => st.bus = *owner,
            EventKind::IrqRaise { line, .. } => {
                if !st.pending_irqs.contains(line) {
                    st.pending_irqs.push(*line);
                }
            }
            EventKind::IrqTake { line } => {
                st.pending_irqs.retain(|l| l != line);
                st.handler = Some(*line);
            }
            EventKind::IrqDone { line } => {
                st.handler = None;
                // The storage handler reaps every completion entry present.
                if *line == IrqLine::Dma {
                    st.nvme_cq = 0;
                }
            }
            EventKind::Copy {
                from,
                to,
                len,
                file,
                file_offset,
                engine,
                agent,
                first_cycle,
                ..
            } => {
                use crate::route::{Mover, Spot};
                crate::route::record(
                    &mut st.route,
                    Spot::of(from),
                    Spot::of(to),
                    Mover::of(*agent),
                    *len,
                    (*first_cycle, i),
                );
                let bytes = self.file_bytes(*file, *file_offset, *len).to_vec();
                if let Some((r, at)) = self.region_mut(st, *to) {
                    r.write(at, &bytes);
                }
                // The platter: bytes read out, or bytes stored.
                if let (Place::Platter { offset, .. }, _) | (_, Place::Platter { offset, .. }) =
                    (from, to)
                    && st.platter.size > 0
                {
                    st.platter.write(*offset, &bytes);
                }
                match from {
                    // Device buffers empty as their bytes leave; memory keeps a copy.
                    Place::Controller { offset } => st.controller.clear(*offset, *len),
                    Place::NicBuffer { offset } => st.nic.clear(*offset, *len),
                    _ => {}
                }
                if let Place::Wire { .. } = to {
                    st.wire += len;
                }
                if let Place::Wire { .. } = from {
                    st.wire += len;
                }
                let desc = match engine {
                    Some(Engine::DiskDma) => st.dma.as_mut(),
                    Some(Engine::NicDma) => st.nic_dma.as_mut(),
                    None => None,
                };
                if let Some(d) = desc {
                    d.moved += len;
                }
            }
            EventKind::CacheHit { frame, list, .. } => {
                self.relist(st, *frame, Some(*list));
                self.flash(st, *frame, CacheFlash::Hit, i)
            }
            EventKind::CacheRefault {
                frame, activated, ..
            } => {
                if *activated {
                    self.relist(st, *frame, Some(crate::sim::page_cache::List::Active))
                }
            }
            EventKind::CacheDemote { frame, .. } => {
                self.relist(st, *frame, Some(crate::sim::page_cache::List::Inactive))
            }
            EventKind::CacheMiss { .. } => {}
            EventKind::CacheInsert {
                file,
                page,
                frame,
                cause,
            } => {
                if let Some(f) = st.frames.get_mut(*frame as usize) {
                    f.page = Some(*page);
                    f.file = *file;
                    f.bytes = Region::new(self.setup.hw.page_size);
                    if *cause == InsertCause::Warm {
                        let ps = self.setup.hw.page_size;
                        let bytes = self.file_bytes(*file, page * ps, ps).to_vec();
                        f.bytes.write(0, &bytes);
                    }
                }
                if let Some(f) = st.frame_files.get_mut(*frame as usize) {
                    *f = *file;
                }
                self.relist(st, *frame, Some(crate::sim::page_cache::List::Inactive));
                self.flash(st, *frame, CacheFlash::Insert, i);
            }
            EventKind::CacheEvict { frame, .. } => {
                if let Some(f) = st.frames.get_mut(*frame as usize) {
                    f.page = None;
                    f.bytes = Region::new(self.setup.hw.page_size);
                    f.dirty = false;
                    f.writeback = false;
                }
                self.relist(st, *frame, None);
                self.flash(st, *frame, CacheFlash::Evict, i);
            }
            EventKind::DiskCommand {
                offset, len, write, ..
            } => st.disk_request = Some((*offset, *len, *write)),
            EventKind::DmaSetup {
                engine,
                descriptor,
                src,
                dst,
                len,
            } => {
                let number = match engine {
                    Engine::DiskDma => {
                        st.descriptors.0 += 1;
                        st.descriptors.0
                    }
                    Engine::NicDma => {
                        st.descriptors.1 += 1;
                        st.descriptors.1
                    }
                };
                let d = Some(DescView {
                    id: *descriptor,
                    number,
                    src: *src,
                    dst: *dst,
                    len: *len,
                    moved: 0,
                });
                match engine {
                    Engine::DiskDma => st.dma = d,
                    Engine::NicDma => st.nic_dma = d,
                }
            }
            EventKind::DmaComplete { engine, write, .. } => match engine {
                Engine::DiskDma => {
                    st.dma = None;
                    // A write is done when the platter has it, not the controller.
                    if !write {
                        st.disk_request = None;
                    }
                }
                Engine::NicDma => st.nic_dma = None,
            },
            EventKind::SocketDescriptors { pieces } => {
                use crate::route::{Mover, Spot};
                let bytes = pieces.iter().map(|p| p.len).sum();
                crate::route::record(
                    &mut st.route,
                    Spot::PageCache,
                    Spot::Socket,
                    Mover::Descriptors,
                    bytes,
                    (e.cycle, i),
                );
                st.socket_refs.extend(pieces.iter().copied())
            }
            EventKind::SocketFree { offset, len } => {
                st.socket.clear(*offset, *len);
                let end = offset + len;
                st.socket_refs
                    .retain(|r| r.file_offset < *offset || r.file_offset >= end);
            }
            EventKind::ReadaheadWindow { start, size, .. } => st.readahead = Some((*start, *size)),
            EventKind::PipeRefs { pieces } => st.pipe_refs = pieces.clone(),
            EventKind::PipeTaken { .. } => st.pipe_refs.clear(),
            // The fault's result shows as the page appearing in the mapping.
            EventKind::PageFault { page, major, .. } => st.fault = Some((*page, *major)),
            EventKind::Mapped { frames } => {
                st.mapped += frames.len();
                st.fault = None;
            }
            EventKind::Unmapped { .. } => st.mapped = 0,
            EventKind::DiskBufferFull { .. } => {
                // A PIO request ends when its last chunk is drained.
            }
            EventKind::RunStart { .. } | EventKind::RunEnd { .. } => {}
            EventKind::IoPhase { phase } => st.io_phase = Some(*phase),
            EventKind::TaskSwitch { .. } | EventKind::Notify { .. } => {}
            EventKind::SocketQueue { .. } => {}
            EventKind::Delivered { len, .. } => {
                if self.setup.method.writes() {
                    st.on_disk += len;
                }
            }
            EventKind::Produce {
                offset,
                len,
                file,
                file_offset,
            } => {
                let bytes = self.file_bytes(*file, *file_offset, *len).to_vec();
                st.user.write(*offset, &bytes);
            }
            EventKind::PageDirtied { frame, .. } => {
                if let Some(f) = st.frames.get_mut(*frame as usize) {
                    f.dirty = true;
                }
            }
            EventKind::WritebackStart { frames, reason, .. } => {
                for fr in frames {
                    if let Some(f) = st.frames.get_mut(*fr as usize) {
                        f.dirty = false;
                        f.writeback = true;
                    }
                }
                st.writeback = Some(*reason);
            }
            EventKind::WritebackDone { frames, .. } => {
                for fr in frames {
                    if let Some(f) = st.frames.get_mut(*fr as usize) {
                        f.writeback = false;
                    }
                }
                if !st.frames.iter().any(|f| f.writeback) {
                    st.writeback = None;
                    st.disk_request = None;
                }
            }
            EventKind::UringSqe { op, offset, .. } => st.uring.sq.push((*op, *offset)),
            EventKind::UringSubmit { count, .. } => {
                let n = (*count as usize).min(st.uring.sq.len());
                let taken: Vec<_> = st.uring.sq.drain(..n).collect();
                st.uring.in_flight.extend(taken);
            }
            EventKind::Doorbell { .. } => st.uring.doorbells += 1,
            EventKind::CommandFetch { .. } => st.nvme_in_service += 1,
            EventKind::TaskWork { .. } => st.handler = None,
            EventKind::DeviceCompletion { .. } => {
                st.nvme_in_service = st.nvme_in_service.saturating_sub(1);
                st.nvme_cq += 1;
            }
            // A poll reaps the completion queue.
            EventKind::CompletionPolled { .. } => st.nvme_cq = 0,
            EventKind::UringCqe {
                op, offset, result, ..
            } => {
                // A notification is the zero-copy send's second completion.
                if *op != UringOp::Notif
                    && let Some(i) = st.uring.in_flight.iter().position(|e| *e == (*op, *offset))
                {
                    st.uring.in_flight.remove(i);
                }
                st.uring.cq.push((*op, *offset, *result));
            }
            EventKind::UringReap { count } => {
                let n = (*count as usize).min(st.uring.cq.len());
                st.uring.cq.drain(..n);
            }
            EventKind::SqThread { running } => st.uring.sq_thread = *running,
            EventKind::SocketUserDescriptor { len, .. } => {
                use crate::route::{Mover, Spot};
                crate::route::record(
                    &mut st.route,
                    Spot::User,
                    Spot::Socket,
                    Mover::Descriptors,
                    *len,
                    (e.cycle, i),
                );
            }
            EventKind::Throttled { .. } => st.throttled = true,
            EventKind::Unthrottled { .. } => st.throttled = false,
        }
    }

    /// Moves a frame to the recent end of a list (None: off both lists).
    fn relist(&self, st: &mut SceneState, frame: u32, to: Option<crate::sim::page_cache::List>) {
        if self.setup.hw.cache_pages > LIST_LIMIT {
            return;
        }
        st.inactive.retain(|&f| f != frame);
        st.active.retain(|&f| f != frame);
        match to {
            Some(crate::sim::page_cache::List::Inactive) => st.inactive.push(frame),
            Some(crate::sim::page_cache::List::Active) => st.active.push(frame),
            None => {}
        }
    }

    fn flash(&self, st: &mut SceneState, frame: u32, kind: CacheFlash, i: usize) {
        if let Some(f) = st.frames.get_mut(frame as usize) {
            f.flash = Some((kind, i));
        }
    }

    /// Copies under way at `cycle` (their completion event is still ahead).
    pub fn in_flight(&self, cycle: f64) -> Vec<Flight> {
        let c = cycle.max(0.0);
        let end = self
            .copies
            .partition_point(|&(first, _, _)| (first as f64) <= c);
        let mut out = Vec::new();
        for &(first, last, idx) in self.copies[..end].iter().rev() {
            if (first + self.longest_copy) as f64 + 1.0 < c {
                break;
            }
            let done_at = (last + 1) as f64;
            if c < done_at
                && let EventKind::Copy {
                    from,
                    to,
                    len,
                    file,
                    file_offset,
                    agent,
                    engine,
                    ..
                } = self.events[idx].kind
            {
                let progress = ((c - first as f64) / (done_at - first as f64)).clamp(0.0, 1.0);
                out.push(Flight {
                    event: idx,
                    file,
                    from,
                    to,
                    agent,
                    engine,
                    len,
                    file_offset,
                    first_cycle: first,
                    progress,
                });
            }
        }
        out.sort_by_key(|f| f.event);
        out
    }
}
