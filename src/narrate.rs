//! One or two sentences for each step, in the spirit of the seed notes: who moves
//! which bytes where, why, and whether the CPU is free meanwhile.

use crate::sim::event::*;
use crate::sim::{DiskTransfer, Event, Setup};

fn place(p: &Place) -> String {
    match p {
        Place::Platter { .. } => "the disk".into(),
        Place::Controller { .. } => "the disk controller's buffer".into(),
        Place::Frame { frame, .. } => format!("page-cache frame {frame}"),
        Place::User { .. } => "the user buffer".into(),
        Place::Socket { .. } => "the socket buffer".into(),
        Place::NicBuffer { .. } => "the NIC's buffer".into(),
        Place::Wire { .. } => "the wire".into(),
        Place::RecvBuffer { .. } => "the socket receive buffer".into(),
    }
}

fn range(off: u64, len: u64) -> String {
    if len == 1 {
        format!("byte {off}")
    } else {
        format!("bytes {off}–{}", off + len - 1)
    }
}

/// The narration of one event.
pub fn narrate(e: &Event, s: &Setup) -> String {
    match &e.kind {
        EventKind::RunStart { method, file_size, .. } => {
            format!("The process is about to send a {file_size}-byte file with `{method}`. Watch who moves each byte.")
        }
        EventKind::ProcessState { state } => match state {
            ProcessState::Running => "The process runs.".into(),
            ProcessState::Sleeping => {
                "The process sleeps (blocked) until its data is ready; the CPU is free for other work.".into()
            }
            ProcessState::Exited => "The process has made all its calls and exits.".into(),
            ProcessState::Waiting => {
                "The process is not blocked: it does other work until the kernel notifies it.".into()
            }
        },
        EventKind::CpuActivity { activity } => match activity {
            Activity::Process => "The CPU runs the process's own code in user mode.".into(),
            Activity::Syscall => "The CPU runs kernel code for the system call.".into(),
            Activity::Copy => "The CPU copies bytes word by word through its register; it can do nothing else meanwhile.".into(),
            Activity::Interrupt => "The CPU stops what it was doing and runs the interrupt handler.".into(),
            Activity::Idle => "The CPU is idle: free for other work.".into(),
        },
        EventKind::ModeSwitch { to, cause } => match (to, cause) {
            (Mode::Kernel, ModeCause::Syscall { name }) => format!(
                "Context switch user -> kernel for {name}(): user code may not touch the disk or the NIC, so it asks the kernel."
            ),
            (Mode::User, ModeCause::Syscall { name }) => format!("Context switch kernel -> user: {name}() returns to the process."),
            (Mode::Kernel, ModeCause::Fault) => "A page fault: the CPU enters the kernel to map the page.".into(),
            (Mode::User, ModeCause::Fault) => "The fault is handled; back to user mode.".into(),
            (Mode::Kernel, ModeCause::Interrupt { line }) => {
                format!("The {line:?} interrupt arrives while user code runs: the CPU enters kernel mode to handle it (not a switch the process asked for).")
            }
            (Mode::User, ModeCause::Interrupt { .. }) => "The handler is done; the CPU returns to user mode.".into(),
        },
        EventKind::SyscallEnter { name, args, .. } => {
            let mut t = format!("The process calls {name}({args}).");
            if args.contains("O_NONBLOCK") {
                t.push_str(" (O_NONBLOCK has no effect on regular files in Linux, which is why the I/O models are shown on a socket.)");
            }
            t
        }
        EventKind::SyscallReturn { name, result, .. } => format!("{name}() returns {result}."),
        EventKind::Copy { from, to, len, file_offset, agent, engine, first_cycle, last_cycle, .. } => {
            let what = range(*file_offset, *len);
            let cycles = last_cycle - first_cycle + 1;
            match agent {
                Agent::Cpu => format!(
                    "CPU copy: {what} of the file from {} to {}, one word at a time through the CPU's register ({cycles} cycles the CPU cannot use for anything else).",
                    place(from),
                    place(to)
                ),
                Agent::Dma => {
                    let who = match engine {
                        Some(Engine::NicDma) if s.hw.nic_sg && matches!(from, Place::Frame { .. }) => {
                            "The NIC's scatter-gather DMA gathers"
                        }
                        Some(Engine::NicDma) => "The NIC's DMA fetches",
                        _ => "The DMA engine moves",
                    };
                    format!("DMA copy: {who} {what} from {} to {} over the bus. The CPU is free.", place(from), place(to))
                }
                Agent::Device => match (from, to) {
                    (_, Place::Wire { .. }) => format!("The NIC sends {what} on the wire."),
                    (Place::Wire { .. }, _) => format!("{what} arrive from the network into the NIC's buffer."),
                    _ => format!("The disk reads {what} into its controller's buffer (inside the device: not a copy in memory)."),
                },
            }
        }
        EventKind::IrqRaise { line, reason } => format!("{line:?} raises an interrupt: {reason}."),
        EventKind::IrqTake { line } => format!("The CPU takes the {line:?} interrupt."),
        EventKind::IrqDone { line } => format!("The {line:?} interrupt handler is done."),
        EventKind::CacheHit { page, frame, list, .. } => {
            let promoted = if *list == crate::sim::page_cache::List::Active && s.hw.cache_policy == crate::sim::page_cache::Policy::TwoList {
                " It is on the active list: used more than once."
            } else {
                ""
            };
            format!("Page-cache hit: page {page} is already in frame {frame}; no disk I/O needed.{promoted}")
        }
        EventKind::CacheDemote { page, frame, .. } => format!(
            "The active list outgrew the inactive one: page {page} (frame {frame}) is demoted to the inactive list, where reclaim looks first."
        ),
        EventKind::CacheMiss { page, .. } => format!("Page-cache miss: page {page} is not in memory; the disk must read it."),
        EventKind::CacheInsert { page, frame, cause, .. } => match cause {
            InsertCause::Miss => format!("Frame {frame} is given to page {page}."),
            InsertCause::Warm => format!("Page {page} is already cached in frame {frame} (warm cache)."),
            InsertCause::Readahead => format!("Frame {frame} is given to page {page}, read ahead of the reader."),
        },
        EventKind::CacheEvict { page, frame, .. } => {
            format!("The cache is full: page {page}, the least recently used, is evicted from frame {frame}.")
        }
        EventKind::ReadaheadWindow { start, size, trigger, marker, .. } => {
            let why = match trigger {
                Trigger::Sync => "the read is sequential, so the kernel reads ahead",
                Trigger::Async => "the reader reached the marker page, so the next window is read before it is needed",
            };
            let next = marker.map(|m| format!(" Reading page {m} will trigger the next window.")).unwrap_or_default();
            format!("Readahead: pages {start}-{} ({size} pages): {why}.{next}", start + size - 1)
        }
        EventKind::DiskCommand { offset, len, transfer, .. } => {
            if *transfer == DiskTransfer::Pio.name() {
                format!("The CPU sends the disk controller a command to read {} and returns.", range(*offset, *len))
            } else {
                format!("The kernel asks the disk for {} and programs the DMA engine.", range(*offset, *len))
            }
        }
        EventKind::DiskBufferFull { len, signals, .. } => {
            if *signals == "dma" {
                format!("The controller's buffer holds {len} bytes: it signals the DMA engine, not the CPU.")
            } else {
                format!("The controller's buffer holds {len} bytes: it interrupts the CPU, which must copy them itself.")
            }
        }
        EventKind::DmaSetup { engine, len, .. } => match engine {
            Engine::DiskDma => format!("DMA descriptor: controller buffer -> memory, {len} bytes. The CPU can now do other work."),
            Engine::NicDma => format!("The NIC gets a descriptor for {len} bytes to send."),
        },
        EventKind::DmaComplete { engine, len, .. } => match engine {
            Engine::DiskDma => format!("The DMA engine has moved all {len} bytes; it will interrupt the CPU."),
            Engine::NicDma => format!("The NIC has fetched all {len} bytes; it interrupts so the socket buffer can be freed."),
        },
        EventKind::SocketDescriptors { pieces } => format!(
            "Scatter-gather: only {} descriptor(s) (page + offset + length) go to the socket buffer; no bytes are copied.",
            pieces.len()
        ),
        EventKind::SocketQueue { len, .. } => format!("{len} bytes are queued in the socket buffer for the NIC."),
        EventKind::SocketFree { len, .. } => format!("{len} bytes of socket buffer space are free again."),
        EventKind::PipeRefs { pieces } => {
            format!("splice(): {} page reference(s) enter the pipe; the bytes themselves stay in the page cache.", pieces.len())
        }
        EventKind::PipeTaken { .. } => "The page references leave the pipe for the socket.".into(),
        EventKind::Mapped { frames } => format!(
            "mmap(): {} page-cache frame(s) are mapped into the process; user space and kernel share them, no copy.",
            frames.len()
        ),
        EventKind::Unmapped { .. } => "munmap(): the mapping is removed.".into(),
        EventKind::BusOwner { owner } => match owner {
            BusOwner::Idle => "The memory bus is idle.".into(),
            BusOwner::Cpu => "The CPU owns the memory bus.".into(),
            BusOwner::DiskDma => "The disk's DMA engine owns the memory bus.".into(),
            BusOwner::NicDma => "The NIC's DMA owns the memory bus.".into(),
        },
        EventKind::Delivered { offset, len, intact, .. } => {
            format!("{} arrived{}.", range(*offset, *len), if *intact { " intact" } else { " CORRUPTED" })
        }
        EventKind::IoPhase { phase } => match phase {
            IoPhase::WaitingForData => "Phase 1 (Stevens): waiting for the data to arrive.".into(),
            IoPhase::CopyingToUser => "Phase 2 (Stevens): the data is ready; it is copied from the kernel to the process.".into(),
            IoPhase::Done => "The data is in the process's buffer.".into(),
        },
        EventKind::TaskSwitch { to } => {
            format!("Task switch: the scheduler gives the CPU to the {to} (this costs cycles too).")
        }
        EventKind::Notify { what } => format!("The kernel notifies the process: {what}."),
        EventKind::RunEnd { data_intact, bytes_delivered } => format!(
            "Done: {bytes_delivered} bytes delivered, {}.",
            if *data_intact { "identical to the file" } else { "NOT identical to the file" }
        ),
    }
}
