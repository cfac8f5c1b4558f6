//! The user process: each workload as the list of system calls its C loop makes.
//!
//! `textbook` issues exactly the calls the seed notes count; `realistic` adds what a
//! real loop also does (the final read() that returns 0, munmap, the pipe for splice).

use serde::{Deserialize, Serialize};

use super::cpu::{Action, Op};
use super::event::{Activity, ProcessState};
use super::hardware::Hardware;

/// The running process: its program, how far it has got, and its state.
#[derive(Clone, Debug)]
pub struct Process {
    pub plan: Vec<Call>,
    /// The file each call works on.
    pub files: Vec<u32>,
    pub state: ProcessState,
    next_call: usize,
    /// The last call returned EAGAIN: try it again.
    pub retry: bool,
    /// Calls the program no longer makes (io_getevents whose events an earlier
    /// call already returned).
    pub skip: std::collections::BTreeSet<usize>,
}

impl Process {
    pub fn new(plan: Vec<Call>, files: Vec<u32>) -> Process {
        Process {
            plan,
            files,
            state: ProcessState::Running,
            next_call: 0,
            retry: false,
            skip: Default::default(),
        }
    }

    /// What the CPU runs to start the next call: the process's own work, the trap
    /// and the kernel entry. None once the program has made its last call.
    pub fn next_ops(&mut self, hw: &Hardware, poll_interval: u64) -> Option<Vec<Op>> {
        while !self.retry && self.skip.contains(&self.next_call) {
            self.next_call += 1;
        }
        if !self.retry && self.next_call >= self.plan.len() {
            return None;
        }
        // A nonblocking read that got EAGAIN: the process does other work for a poll
        // interval and tries the same call again.
        let (i, user) = if self.retry {
            self.retry = false;
            (self.next_call - 1, poll_interval)
        } else {
            self.next_call += 1;
            (self.next_call - 1, hw.process_cycles)
        };
        if !self.plan[i].is_syscall() {
            return Some(vec![Op::Act(Action::Body(i))]);
        }
        Some(vec![
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
        ])
    }

    /// A call failed: the program stops, as a C program that checks its calls would.
    pub fn stop(&mut self) {
        self.next_call = self.plan.len();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Read,
    ReadWrite,
    MmapWrite,
    Sendfile,
    Splice,
    DirectIo,
    /// O_DIRECT reads kept in flight with Linux AIO (io_submit / io_getevents), each
    /// written to a socket as it completes.
    DirectAio,
    /// Receive a message from the network with one of the five I/O models.
    Recv,
    /// The program fills its user buffer and write()s it to a new file.
    WriteFile,
    /// read() from one file, write() to another (what `cp` does).
    CopyFile,
    /// copy_file_range(): the kernel copies page cache to page cache, no user buffer.
    CopyFileRange,
    /// io_uring: O_DIRECT reads linked to socket sends, in batches through two rings
    /// shared with the kernel (optionally with a kernel polling thread, SQPOLL).
    IoUring,
}

/// How a written file reaches the disk (`conditions.sync`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    /// write() returns once the page cache holds the bytes; the flusher writes
    /// them back later.
    None,
    /// One fsync() at the end starts writeback of what is dirty and waits for it.
    Fsync,
    /// O_SYNC: every write() waits until its pages are on the platter.
    OSync,
    /// O_DIRECT: no page cache; the disk DMAs from the aligned user buffer.
    ODirect,
}

impl SyncMode {
    pub const ALL: [SyncMode; 4] = [
        SyncMode::None,
        SyncMode::Fsync,
        SyncMode::OSync,
        SyncMode::ODirect,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SyncMode::None => "none",
            SyncMode::Fsync => "fsync",
            SyncMode::OSync => "o_sync",
            SyncMode::ODirect => "o_direct",
        }
    }

    pub fn parse(s: &str) -> Option<SyncMode> {
        SyncMode::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// How a process waits for data on a socket (Stevens' five I/O models).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IoModel {
    /// read() sleeps until the data is there, then copies it.
    Blocking,
    /// read() returns EAGAIN (-1) until the data is there; the process polls.
    Nonblocking,
    /// poll() sleeps until the socket is readable, then read().
    Multiplexing,
    /// SIGIO says the data is there, then read().
    SignalDriven,
    /// One submission; the kernel copies into the user buffer, then notifies.
    Async,
}

impl IoModel {
    pub const ALL: [IoModel; 5] = [
        IoModel::Blocking,
        IoModel::Nonblocking,
        IoModel::Multiplexing,
        IoModel::SignalDriven,
        IoModel::Async,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IoModel::Blocking => "blocking",
            IoModel::Nonblocking => "nonblocking",
            IoModel::Multiplexing => "multiplexing",
            IoModel::SignalDriven => "signal_driven",
            IoModel::Async => "async",
        }
    }

    pub fn parse(s: &str) -> Option<IoModel> {
        IoModel::ALL.into_iter().find(|m| m.name() == s)
    }
}

impl Method {
    pub const ALL: [Method; 12] = [
        Method::Read,
        Method::ReadWrite,
        Method::MmapWrite,
        Method::Sendfile,
        Method::Splice,
        Method::DirectIo,
        Method::DirectAio,
        Method::Recv,
        Method::WriteFile,
        Method::CopyFile,
        Method::CopyFileRange,
        Method::IoUring,
    ];

    /// The methods that write a file (the write path).
    pub const WRITE: [Method; 3] = [Method::WriteFile, Method::CopyFile, Method::CopyFileRange];

    /// The methods that move a file through the loops of DESIGN.md §2.
    pub const FILE: [Method; 6] = [
        Method::Read,
        Method::ReadWrite,
        Method::MmapWrite,
        Method::Sendfile,
        Method::Splice,
        Method::DirectIo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Read => "read",
            Method::ReadWrite => "read_write",
            Method::MmapWrite => "mmap_write",
            Method::Sendfile => "sendfile",
            Method::Splice => "splice",
            Method::DirectIo => "direct_io",
            Method::DirectAio => "direct_aio",
            Method::Recv => "recv",
            Method::WriteFile => "write_file",
            Method::CopyFile => "copy_file",
            Method::CopyFileRange => "copy_file_range",
            Method::IoUring => "io_uring",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }

    pub fn summary(self) -> &'static str {
        match self {
            Method::Read => "read() a file into a user buffer (the seed's PIO and DMA pictures)",
            Method::ReadWrite => "read() into a user buffer, then write() it to a socket: 4 copies",
            Method::MmapWrite => {
                "mmap() the file, then write() the mapping to a socket: the CPU copies once"
            }
            Method::Sendfile => {
                "sendfile() file to socket inside the kernel; zero CPU copies with NIC scatter-gather"
            }
            Method::Splice => {
                "splice() file -> pipe -> socket: the pipe holds page references, not bytes"
            }
            Method::DirectIo => {
                "O_DIRECT read() straight into an aligned user buffer (no page cache), then write()"
            }
            Method::DirectAio => {
                "O_DIRECT reads kept in flight with io_submit/io_getevents (--queue-depth), then write()"
            }
            Method::Recv => "receive a message from the network with an I/O model (--io-model)",
            Method::WriteFile => {
                "fill a user buffer and write() it to a new file; the flusher writes back (--sync)"
            }
            Method::CopyFile => "read() one file and write() it to another, as cp does: 4 copies",
            Method::CopyFileRange => {
                "copy_file_range(): the kernel copies page cache to page cache, no user buffer"
            }
            Method::IoUring => {
                "io_uring: O_DIRECT reads linked to sends, batched through two rings (--queue-depth, --sqpoll)"
            }
        }
    }

    /// Does the data go to a socket (and the wire)?
    pub fn sends(self) -> bool {
        !matches!(self, Method::Read | Method::Recv) && !self.writes()
    }

    /// Does it keep several requests in flight (`queue_depth`)?
    pub fn queued(self) -> bool {
        matches!(self, Method::DirectAio | Method::IoUring)
    }

    /// Does the run write a file (the write path)?
    pub fn writes(self) -> bool {
        Method::WRITE.contains(&self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    Textbook,
    Realistic,
}

impl Style {
    pub fn name(self) -> &'static str {
        match self {
            Style::Textbook => "textbook",
            Style::Realistic => "realistic",
        }
    }
}

/// One system call of the process, with the file range it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// read(file, user_buf, len) at `offset`; `direct` for O_DIRECT.
    Read {
        offset: u64,
        len: u64,
        direct: bool,
        /// The program keeps the bytes (`read`); otherwise it writes them on.
        keep: bool,
    },
    /// write(socket, user_buf, len): the bytes of the file at `offset` are in the user buffer.
    WriteUser {
        offset: u64,
        len: u64,
        /// Where in the user buffer the bytes are (AIO uses several buffers).
        slot: u64,
    },
    /// write(socket, mapping + offset, len) from the mmap()ed file.
    WriteMapped {
        offset: u64,
        len: u64,
    },
    Mmap {
        len: u64,
    },
    Munmap {
        len: u64,
    },
    Sendfile {
        offset: u64,
        len: u64,
    },
    Pipe,
    /// splice(file → pipe).
    SpliceIn {
        offset: u64,
        len: u64,
    },
    /// splice(pipe → socket).
    SpliceOut {
        offset: u64,
        len: u64,
    },
    /// read(socket, user_buf, len); `nonblocking` for O_NONBLOCK.
    RecvRead {
        len: u64,
        nonblocking: bool,
    },
    /// poll(socket, POLLIN): sleeps until the socket is readable.
    Poll,
    /// sigaction(SIGIO) + F_SETOWN/O_ASYNC: ask for a signal when data arrives.
    Sigaction,
    /// The process works until SIGIO arrives and runs its handler (not a syscall).
    AwaitSignal,
    /// aio_read / io_submit: the kernel will copy the data and notify.
    AioRead {
        len: u64,
    },
    /// Linux AIO for direct_aio: create and destroy the context (realistic style).
    IoSetup,
    IoDestroy,
    /// io_submit: O_DIRECT reads (file offset, length, user-buffer offset) put in flight.
    IoSubmit {
        chunks: Vec<(u64, u64, u64)>,
    },
    /// io_getevents(min 1, max `max`): wait for the read of the chunk at this
    /// offset, and reap with it every later read already complete (their own
    /// io_getevents calls are then skipped: the program has their events).
    IoGetevents {
        offset: u64,
        max: u64,
    },
    /// The process works until the completion notification (not a syscall).
    AwaitCompletion,
    /// The program computes the next bytes of the file into its user buffer (not
    /// a syscall: its own work).
    Produce {
        offset: u64,
        len: u64,
    },
    /// write(out, user_buf, len): file bytes [offset, offset+len) to the output file.
    WriteFile {
        offset: u64,
        len: u64,
        /// O_DIRECT: no page cache.
        direct: bool,
    },
    /// fsync(out): write back what is dirty and wait for it.
    Fsync,
    /// copy_file_range(in, &offset, out, &offset, len).
    CopyFileRange {
        offset: u64,
        len: u64,
    },
    /// io_uring_setup: the two rings, shared with the kernel (and, with SQPOLL, the
    /// kernel thread that polls the submission ring).
    UringSetup {
        entries: u64,
        sqpoll: bool,
    },
    /// io_uring_register(IORING_REGISTER_BUFFERS): the user buffers are pinned once.
    UringRegister {
        buffers: u64,
    },
    /// The program writes a read and a linked send for each chunk (file offset,
    /// length, user-buffer offset) into the submission ring (user mode, no syscall).
    UringQueue {
        chunks: Vec<(u64, u64, u64)>,
    },
    /// io_uring_enter(to_submit, min_complete, GETEVENTS): the kernel takes the
    /// entries, starts them and waits until all their completions are posted.
    UringEnter {
        chunks: Vec<(u64, u64, u64)>,
    },
    /// SQPOLL: the program spins on the completion ring until `cqes` completions
    /// have been posted since the start (user mode, no syscall).
    UringPoll {
        cqes: u64,
    },
    /// The program reads `count` completion entries and advances the ring's head.
    UringReap {
        count: u64,
    },
}

impl Call {
    pub fn name(&self) -> &'static str {
        match self {
            Call::Read { .. } => "read",
            Call::WriteUser { .. } | Call::WriteMapped { .. } => "write",
            Call::Mmap { .. } => "mmap",
            Call::Munmap { .. } => "munmap",
            Call::Sendfile { .. } => "sendfile",
            Call::Pipe => "pipe",
            Call::SpliceIn { .. } | Call::SpliceOut { .. } => "splice",
            Call::RecvRead { .. } => "read",
            Call::Poll => "poll",
            Call::Sigaction => "sigaction",
            Call::AwaitSignal => "(SIGIO)",
            Call::AioRead { .. } => "aio_read",
            Call::IoSetup => "io_setup",
            Call::IoDestroy => "io_destroy",
            Call::IoSubmit { .. } => "io_submit",
            Call::IoGetevents { .. } => "io_getevents",
            Call::AwaitCompletion => "(completion)",
            Call::Produce { .. } => "(compute)",
            Call::WriteFile { .. } => "write",
            Call::Fsync => "fsync",
            Call::CopyFileRange { .. } => "copy_file_range",
            Call::UringSetup { .. } => "io_uring_setup",
            Call::UringRegister { .. } => "io_uring_register",
            Call::UringQueue { .. } => "(write SQEs)",
            Call::UringEnter { .. } => "io_uring_enter",
            Call::UringPoll { .. } => "(poll CQ)",
            Call::UringReap { .. } => "(read CQEs)",
        }
    }

    /// False for the steps of a program that are not system calls.
    pub fn is_syscall(&self) -> bool {
        !matches!(
            self,
            Call::AwaitSignal
                | Call::AwaitCompletion
                | Call::Produce { .. }
                | Call::UringQueue { .. }
                | Call::UringPoll { .. }
                | Call::UringReap { .. }
        )
    }

    /// The arguments as a C programmer would write them.
    pub fn args(&self) -> String {
        match self {
            Call::Read {
                offset,
                len,
                direct,
                ..
            } => {
                let fd = if *direct { "file(O_DIRECT)" } else { "file" };
                format!("{fd}, user_buf, {len}  [file offset {offset}]")
            }
            Call::WriteUser { len, .. } => format!("socket, user_buf, {len}"),
            Call::WriteMapped { offset, len } => format!("socket, map + {offset}, {len}"),
            Call::Mmap { len } => format!("NULL, {len}, PROT_READ, MAP_SHARED, file, 0"),
            Call::Munmap { len } => format!("map, {len}"),
            Call::Sendfile { offset, len } => format!("socket, file, &offset={offset}, {len}"),
            Call::Pipe => "pipefd".to_string(),
            Call::SpliceIn { offset, len } => {
                format!("file, &offset={offset}, pipe_w, NULL, {len}")
            }
            Call::SpliceOut { len, .. } => format!("pipe_r, NULL, socket, NULL, {len}"),
            Call::RecvRead { len, nonblocking } => {
                format!(
                    "socket{}, user_buf, {len}",
                    if *nonblocking { "(O_NONBLOCK)" } else { "" }
                )
            }
            Call::Poll => "{socket, POLLIN}, 1, -1".to_string(),
            Call::Sigaction => "SIGIO, handler  [+ fcntl(socket, F_SETOWN/O_ASYNC)]".to_string(),
            Call::AwaitSignal | Call::AwaitCompletion => String::new(),
            Call::AioRead { len } => format!("{{socket, user_buf, {len}}}"),
            Call::IoSetup => "128, &ctx".to_string(),
            Call::IoDestroy => "ctx".to_string(),
            Call::IoSubmit { chunks } => {
                let iocbs: Vec<String> = chunks
                    .iter()
                    .map(|(o, l, _)| format!("pread(O_DIRECT) {l} B @ {o}"))
                    .collect();
                format!("ctx, {}, [{}]", chunks.len(), iocbs.join(", "))
            }
            Call::IoGetevents { offset, max } => {
                format!("ctx, 1, {max}, events  [waits for the read @ {offset}]")
            }
            Call::Produce { offset, len } => format!("{len} bytes for file offset {offset}"),
            Call::WriteFile {
                offset,
                len,
                direct,
            } => {
                let fd = if *direct { "out(O_DIRECT)" } else { "out" };
                format!("{fd}, user_buf, {len}  [file offset {offset}]")
            }
            Call::Fsync => "out".to_string(),
            Call::CopyFileRange { offset, len } => {
                format!("in, &offset={offset}, out, &offset={offset}, {len}")
            }
            Call::UringSetup { entries, sqpoll } => {
                let flags = if *sqpoll { "IORING_SETUP_SQPOLL" } else { "0" };
                format!("{entries}, &params{{flags: {flags}}}")
            }
            Call::UringRegister { buffers } => {
                format!("ring, IORING_REGISTER_BUFFERS, iovecs, {buffers}")
            }
            Call::UringQueue { chunks } => {
                let sqes: Vec<String> = chunks
                    .iter()
                    .map(|(o, l, _)| format!("read {l} B @ {o} -> send"))
                    .collect();
                format!("{} SQEs: [{}]", 2 * chunks.len(), sqes.join(", "))
            }
            Call::UringEnter { chunks } => {
                let n = 2 * chunks.len();
                format!("ring, to_submit={n}, min_complete={n}, IORING_ENTER_GETEVENTS")
            }
            Call::UringPoll { cqes } => format!("until {cqes} completions"),
            Call::UringReap { count } => format!("{count} CQEs"),
        }
    }
}

pub use super::plan::{Access, aio_plan, plan, recv_plan, uring_plan, write_plan};
