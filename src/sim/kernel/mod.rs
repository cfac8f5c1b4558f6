//! What the kernel does: the system calls' bodies, the page cache's fill and
//! readahead, the socket and the pipe, the interrupt handlers. The kernel runs on
//! the CPU: each body returns the operations the CPU then executes (work, copies,
//! commands to devices, waits), so the cost of every step is visible.

mod actions;
mod cache;
mod fault;
mod irq;
mod net;
mod syscalls;
mod uring;
mod write;

use std::collections::{BTreeMap, BTreeSet};

use super::cpu::{Op, WaitFor};
use super::event::{Activity, PageRef};
use super::hardware::Hardware;
use super::log::Log;
use super::memory::{Memory, Pipe};
use super::page_cache::PageCache;
use super::setup::Setup;

pub use cache::{initial_window, next_window};
pub use write::OUT;

/// -EAGAIN: a nonblocking call found nothing to do.
pub const EAGAIN: i64 = -11;
/// -EINVAL: an invalid argument (a misaligned O_DIRECT buffer).
pub const EINVAL: i64 = -22;

/// What a kernel routine may touch besides the kernel's own state.
pub struct Ctx<'a> {
    pub setup: &'a Setup,
    pub log: &'a mut Log,
    pub mem: &'a mut Memory,
}

/// The kernel's own state.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub cache: PageCache,
    pub pipe: Pipe,
    /// Each file's size, as its inode says.
    file_sizes: Vec<u64>,
    /// The process's mapping of the file (mmap): for each page, the frame its
    /// page-table entry points to, or None until a fault maps it.
    mapped: Vec<Option<u32>>,
    next_id: u64,
    /// Disk requests whose bytes are in memory.
    disk_done: BTreeSet<u64>,
    /// Readahead state of each file.
    ra: BTreeMap<u32, cache::Readahead>,
    /// Frames whose disk read is still under way, and each request's frames (all,
    /// and those read ahead, released when it completes).
    frame_io: BTreeMap<u32, u64>,
    req_frames: BTreeMap<u64, (Vec<u32>, Vec<u32>)>,
    /// The receive side (`recv`): the message is in the socket receive buffer; the
    /// process asked for SIGIO or submitted an async read; it has been notified;
    /// Stevens' phases already logged.
    rx_ready: bool,
    signal_armed: bool,
    aio_armed: bool,
    notified: bool,
    phases: u8,
    /// direct_aio: the request submitted for each file offset.
    aio_requests: BTreeMap<u64, u64>,
    /// The next offset of the socket's stream.
    stream_pos: u64,
    /// Dirty pages and writeback (the write path).
    wb: write::Writeback,
    /// The run writes the output file `OUT`.
    pub writes: bool,
    /// io_uring: completions posted so far; an entry failed.
    cqes_posted: u64,
    uring_failed: bool,
}

impl Kernel {
    pub fn new(hw: &Hardware, file_sizes: Vec<u64>) -> Kernel {
        Kernel {
            cache: PageCache::new(hw.cache_pages, hw.page_size, hw.cache_policy),
            pipe: Pipe::default(),
            file_sizes,
            mapped: Vec::new(),
            next_id: 1,
            disk_done: BTreeSet::new(),
            ra: BTreeMap::new(),
            frame_io: BTreeMap::new(),
            req_frames: BTreeMap::new(),
            rx_ready: false,
            signal_armed: false,
            aio_armed: false,
            notified: false,
            phases: 0,
            aio_requests: BTreeMap::new(),
            stream_pos: 0,
            wb: write::Writeback::default(),
            writes: false,
            cqes_posted: 0,
            uring_failed: false,
        }
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id - 1
    }

    fn file_size(&self, file: u32) -> u64 {
        self.file_sizes.get(file as usize).copied().unwrap_or(0)
    }

    /// Whether what the process waits for has happened.
    pub fn ready(&self, w: &WaitFor, mem: &Memory) -> bool {
        match w {
            WaitFor::Disk(id) => self.disk_done.contains(id),
            WaitFor::SocketSpace(n) => mem.socket.free() >= *n,
            WaitFor::Frames { missing, reserved } => self.cache.allocatable(*reserved) >= *missing,
            WaitFor::RxReady => self.rx_ready,
            WaitFor::Notified => self.notified,
            WaitFor::DirtyAtMost(n) => self.wb.pages() <= *n,
            WaitFor::Clean(file) => self.file_clean(*file),
            WaitFor::Cqes(n) => self.cqes_posted >= *n || self.uring_failed,
        }
    }

    /// No dirty page and no writeback in flight: nothing left to write.
    pub fn clean(&self) -> bool {
        self.wb.clean()
    }
}

/// File bytes [offset, offset+len) as pieces that each lie in one page frame;
/// `frame_of` gives the frame of a page (None: not there).
fn page_refs(
    file: u32,
    offset: u64,
    len: u64,
    page_size: u64,
    frame_of: impl Fn(u64) -> Option<u32>,
) -> Option<Vec<PageRef>> {
    let mut refs = Vec::new();
    let mut pos = offset;
    while pos < offset + len {
        let in_page = pos % page_size;
        let n = (page_size - in_page).min(offset + len - pos);
        refs.push(PageRef {
            file,
            frame: frame_of(pos / page_size)?,
            offset: in_page,
            len: n,
            file_offset: pos,
        });
        pos += n;
    }
    Some(refs)
}

/// Kernel bookkeeping: one step of look-ups or of programming a device.
fn kernel_work(hw: &Hardware) -> Op {
    Op::Work {
        activity: Activity::Syscall,
        cycles: hw.kernel_cycles,
    }
}

/// Where the bytes a send takes come from.
#[derive(Clone, Copy)]
enum SendFrom<'a> {
    /// From the user buffer at this offset (write()).
    User(u64),
    /// From page-cache pages inside the kernel (sendfile, splice): zero-copy with SG.
    Pages(&'a [PageRef]),
    /// From the process's mapping of page-cache pages (write() after mmap): always copied.
    MappedPages(&'a [PageRef]),
    /// From a registered user buffer at this offset (io_uring): zero-copy with SG.
    Registered(u64),
}
