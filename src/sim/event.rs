//! The event vocabulary: everything that happens in the machine, in order.
//!
//! The GUI, the exports, the counters and the exercise sheets read only this log,
//! so every event says what moved or changed, where, by whom and when.

use serde::Serialize;

/// Who moves bytes. A CPU copy passes through the CPU's register word by word; a DMA
/// copy is done by a DMA engine (the disk's or the NIC's); a device transfer happens
/// inside a device (platter → controller buffer, NIC buffer → wire) and is not a copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Agent {
    Cpu,
    Dma,
    Device,
}

/// Which DMA engine moved the bytes (only for `Agent::Dma`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// The system DMA engine that serves the disk controller.
    DiskDma,
    /// The NIC's own bus-master DMA (scatter-gather when enabled).
    NicDma,
}

/// A place that holds bytes. Offsets are byte offsets inside that place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub enum Place {
    /// The disk's platter (or flash): the file at rest.
    Platter { file: u32, offset: u64 },
    /// The disk controller's internal buffer.
    Controller { offset: u64 },
    /// A page-cache page frame in kernel memory.
    Frame { frame: u32, offset: u64 },
    /// The process's user buffer.
    User { offset: u64 },
    /// The socket send buffer; the offset counts bytes of the stream sent so far.
    Socket { offset: u64 },
    /// The NIC's transmit buffer.
    NicBuffer { offset: u64 },
    /// The network wire; the offset counts bytes of the stream.
    Wire { offset: u64 },
    /// The socket receive buffer in the kernel.
    RecvBuffer { offset: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    User,
    Kernel,
}

/// Why the CPU changed privilege mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum ModeCause {
    /// The process trapped into (or returned from) a system call: counted.
    Syscall { name: &'static str },
    /// A page fault taken in user mode: counted.
    Fault,
    /// A hardware interrupt arrived while the process ran in user mode: not a switch
    /// the process asked for, so it is not in `mode_switches`.
    Interrupt { line: IrqLine },
}

/// What the CPU is doing during a span of cycles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Running the process's own code in user mode.
    Process,
    /// Kernel work of a system call: entry, checks, setting up devices, exit.
    Syscall,
    /// Copying bytes word by word through its register.
    Copy,
    /// Running an interrupt handler.
    Interrupt,
    /// The process's own work while it waits for a signal or an async completion:
    /// busy, but with work that is not I/O (counted as other work, not as busy).
    OwnWork,
    /// Nothing to run: free for other work.
    Idle,
}

impl Activity {
    /// Time free for work other than the I/O being studied.
    pub fn is_other_work(self) -> bool {
        matches!(self, Activity::OwnWork | Activity::Idle)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IrqLine {
    /// The disk controller (PIO mode: its buffer is full).
    Disk,
    /// The disk's DMA engine (a descriptor is complete).
    Dma,
    /// The NIC (a transmit is complete; the socket buffer space can be freed).
    Nic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessState {
    Running,
    /// Blocked in the kernel: the scheduler runs something else.
    Sleeping,
    /// Not blocked: doing other work until a signal or notification comes.
    Waiting,
    Exited,
}

/// Stevens' two phases of an input operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IoPhase {
    /// Phase 1: waiting for the data to be ready (in the kernel).
    WaitingForData,
    /// Phase 2: copying the data from the kernel to the process.
    CopyingToUser,
    /// The data is in the user buffer.
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BusOwner {
    Idle,
    Cpu,
    DiskDma,
    NicDma,
}

/// Why a page entered the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InsertCause {
    /// A read missed: the frame is allocated and the disk fills it.
    Miss,
    /// The scenario starts with a warm cache: the page was already there.
    Warm,
    /// Read ahead of the reader, inside a readahead window.
    Readahead,
    /// A write to a page of the new file: nothing to read, the write fills it.
    Write,
}

/// Who started a writeback, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WritebackReason {
    /// The flusher: the file's oldest dirty page is older than dirty_expire.
    Expired,
    /// The flusher: more dirty pages than dirty_background.
    Background,
    /// The writer is above dirty_limit: writeback must catch up.
    Throttle,
    /// fsync(): everything dirty, now, and the call waits for it.
    Fsync,
    /// An O_SYNC write(): its pages, and it waits for them.
    OSync,
    /// A writer needs frames that only dirty pages hold: write them so they can go.
    Reclaim,
}

impl WritebackReason {
    /// Whether the kernel's flusher thread (not the process's call) started it.
    pub fn by_flusher(self) -> bool {
        matches!(
            self,
            WritebackReason::Expired | WritebackReason::Background | WritebackReason::Reclaim
        )
    }
}

/// What started a readahead window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A sequential read missed: the reader waits for this window.
    Sync,
    /// The reader reached the marker page: the next window is read before it is needed.
    Async,
}

/// One piece of a scatter-gather list: a page-cache frame range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PageRef {
    pub file: u32,
    pub frame: u32,
    pub offset: u64,
    pub len: u64,
    pub file_offset: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// First event: what is being simulated.
    RunStart {
        method: &'static str,
        file_size: u64,
        buffer_size: u64,
        page_size: u64,
        disk: &'static str,
        nic_sg: bool,
        style: &'static str,
        profile: String,
    },
    ProcessState {
        state: ProcessState,
    },
    CpuActivity {
        activity: Activity,
    },
    ModeSwitch {
        to: Mode,
        #[serde(flatten)]
        cause: ModeCause,
    },
    SyscallEnter {
        name: &'static str,
        call: u64,
        args: String,
    },
    SyscallReturn {
        name: &'static str,
        call: u64,
        result: i64,
    },
    /// Bytes moved from one place to another. Emitted when the move completes.
    Copy {
        from: Place,
        to: Place,
        len: u64,
        /// The file and the offset of the first byte in it (every byte iolab moves is a file byte).
        file: u32,
        file_offset: u64,
        agent: Agent,
        #[serde(skip_serializing_if = "Option::is_none")]
        engine: Option<Engine>,
        first_cycle: u64,
        last_cycle: u64,
    },
    IrqRaise {
        line: IrqLine,
        reason: &'static str,
    },
    IrqTake {
        line: IrqLine,
    },
    IrqDone {
        line: IrqLine,
    },
    /// The page was found; `list` is where the access put it (two_list: a second
    /// access promotes to the active list). The list it moved to is at its recent end.
    CacheHit {
        file: u32,
        page: u64,
        frame: u32,
        list: crate::sim::page_cache::List,
    },
    /// two_list: a page moves from the active list to the inactive list's recent end.
    CacheDemote {
        file: u32,
        page: u64,
        frame: u32,
    },
    /// The CPU touched a page of a mapping that is not in the page table: the
    /// fault handler maps it. `major`: the page was not cached and the disk reads
    /// it (with the pages around it); minor: it was cached, and the handler maps its
    /// cached neighbours too (fault-around). `in_kernel`: taken while the CPU was
    /// already in kernel mode (the copy inside write()), so no mode switch.
    PageFault {
        file: u32,
        page: u64,
        major: bool,
        in_kernel: bool,
    },
    /// two_list: a page evicted earlier is read again. `distance`: evictions and
    /// activations since it left; within the active list's size it was evicted
    /// too early, and it goes straight to the active list (`activated`).
    CacheRefault {
        file: u32,
        page: u64,
        frame: u32,
        distance: u64,
        activated: bool,
    },
    CacheMiss {
        file: u32,
        page: u64,
    },
    CacheInsert {
        file: u32,
        page: u64,
        frame: u32,
        cause: InsertCause,
    },
    CacheEvict {
        file: u32,
        page: u64,
        frame: u32,
    },
    /// The kernel reads pages [start, start+size) ahead; `marker` is the page whose
    /// access will trigger the next window.
    ReadaheadWindow {
        file: u32,
        start: u64,
        size: u64,
        trigger: Trigger,
        #[serde(skip_serializing_if = "Option::is_none")]
        marker: Option<u64>,
    },
    /// The kernel sends a command to the disk controller.
    DiskCommand {
        request: u64,
        file: u32,
        offset: u64,
        len: u64,
        transfer: &'static str,
        /// Memory → disk (written only when true).
        #[serde(skip_serializing_if = "is_false")]
        write: bool,
    },
    /// The disk controller's buffer is full; in DMA mode it signals the DMA engine.
    DiskBufferFull {
        request: u64,
        len: u64,
        signals: &'static str,
    },
    DmaSetup {
        engine: Engine,
        descriptor: u64,
        src: Place,
        dst: Place,
        len: u64,
    },
    DmaComplete {
        engine: Engine,
        descriptor: u64,
        len: u64,
        /// Memory → disk controller: the disk, not the engine, will interrupt
        /// once the bytes are on the platter (written only when true).
        #[serde(skip_serializing_if = "is_false")]
        write: bool,
    },
    /// Scatter-gather: the socket buffer receives descriptors, not bytes.
    SocketDescriptors {
        pieces: Vec<PageRef>,
    },
    /// Bytes of the stream entered the socket send buffer (copied by the CPU before this).
    SocketQueue {
        offset: u64,
        len: u64,
    },
    /// The NIC finished with bytes of the socket buffer: the space is free again.
    SocketFree {
        offset: u64,
        len: u64,
    },
    /// splice(): page references (not bytes) enter the pipe.
    PipeRefs {
        pieces: Vec<PageRef>,
    },
    /// splice(): the page references leave the pipe for the socket.
    PipeTaken {
        pieces: u64,
    },
    /// mmap(): the file's page-cache frames are mapped into the process.
    Mapped {
        frames: Vec<u32>,
    },
    Unmapped {
        frames: u64,
    },
    BusOwner {
        owner: BusOwner,
    },
    /// Bytes reached their destination (the wire, or the process for `read`).
    Delivered {
        file: u32,
        offset: u64,
        len: u64,
        intact: bool,
    },
    RunEnd {
        data_intact: bool,
        bytes_delivered: u64,
    },
    /// A phase of the I/O model's input operation begins.
    IoPhase {
        phase: IoPhase,
    },
    /// The scheduler switches the CPU away from the sleeping process or back to it.
    TaskSwitch {
        to: &'static str,
    },
    /// The kernel delivers a signal or an async completion to the process.
    Notify {
        what: &'static str,
    },
    /// The program computed file bytes into its user buffer (its own work, not a
    /// copy between places).
    Produce {
        offset: u64,
        len: u64,
        file: u32,
        file_offset: u64,
    },
    /// A write made a clean page dirty: it must reach the disk before its frame
    /// can be reused.
    PageDirtied {
        file: u32,
        page: u64,
        frame: u32,
    },
    /// Dirty pages [page, page+pages) go to the disk as one write request.
    WritebackStart {
        request: u64,
        file: u32,
        page: u64,
        pages: u64,
        frames: Vec<u32>,
        reason: WritebackReason,
    },
    /// The request's pages are on the platter: clean again.
    WritebackDone {
        request: u64,
        file: u32,
        page: u64,
        pages: u64,
        frames: Vec<u32>,
    },
    /// The writer is above dirty_limit (dirty pages plus pages being written
    /// back): it sleeps until writeback brings them down.
    Throttled {
        dirty: u64,
        limit: u64,
    },
    /// The throttled writer runs again after `cycles`.
    Unthrottled {
        cycles: u64,
    },
    /// io_uring: the program wrote an entry into the submission ring (user mode).
    UringSqe {
        op: UringOp,
        offset: u64,
        len: u64,
    },
    /// The kernel took `count` entries from the submission ring: inside
    /// io_uring_enter, or its polling thread (SQPOLL) with no system call.
    UringSubmit {
        count: u64,
        by: &'static str,
    },
    /// The kernel told the disk that `commands` new commands wait in its queue:
    /// one store to the device's doorbell register for the whole batch.
    Doorbell {
        commands: u64,
    },
    /// The kernel posted a completion entry in the completion ring.
    UringCqe {
        op: UringOp,
        offset: u64,
        len: u64,
        result: i64,
    },
    /// The program read `count` completion entries (user mode, no system call).
    UringReap {
        count: u64,
    },
    /// The interrupt handler is done; before returning to the interrupted process
    /// the kernel does work for it in its context (task_work).
    TaskWork {
        what: &'static str,
    },
    /// NVMe: the drive fetches a command from its submission queue in memory.
    CommandFetch {
        request: u64,
    },
    /// NVMe: the drive writes the request's completion entry into its completion
    /// queue in memory; an MSI-X interrupt follows (unless completions are polled).
    DeviceCompletion {
        request: u64,
    },
    /// Polled completion: the kernel finds `requests` finished disk requests in the
    /// device's completion queue, with no interrupt.
    CompletionPolled {
        requests: u64,
    },
    /// SQPOLL: the kernel's submission-queue thread starts or stops polling on a
    /// core of its own.
    SqThread {
        running: bool,
    },
    /// Zero-copy send: the socket buffer receives a descriptor of the registered
    /// user buffer (`user_offset`), not bytes; the NIC gathers from it.
    SocketUserDescriptor {
        offset: u64,
        len: u64,
        user_offset: u64,
        file: u32,
        file_offset: u64,
    },
}

/// What an io_uring entry asks for, or what its completion reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UringOp {
    /// An O_DIRECT read into a registered buffer.
    Read,
    /// A send of that buffer to the socket, linked to the read (the CPU copies).
    Send,
    /// A zero-copy send: the NIC gathers from the buffer.
    SendZc,
    /// The zero-copy send's second completion: the NIC is done with the buffer.
    Notif,
}

impl UringOp {
    pub fn name(self) -> &'static str {
        match self {
            UringOp::Read => "read",
            UringOp::Send => "send",
            UringOp::SendZc => "send_zc",
            UringOp::Notif => "notif",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !b
}

/// One entry of the log. `seq` orders events that share a cycle.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub seq: u64,
    pub cycle: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}
