//! The CPU: user/kernel mode, a register through which every CPU copy passes, and
//! the work it is running.
//!
//! The process and the kernel code it runs are a queue of operations; an interrupt
//! handler is a second queue that preempts the first at any cycle boundary (the
//! preempted operation keeps its progress and resumes afterwards).

use std::collections::{BTreeSet, VecDeque};

use super::disk::DiskRequest;
use super::error::SimError;
use super::event::{Activity, Agent, EventKind, IrqLine, Mode, ModeCause, PageRef, Place};
use super::hardware::Hardware;
use super::log::Log;
use super::memory::Memory;
use super::transfer::{Pace, Transfer};

/// A CPU copy of `len` file bytes from one place to another, word by word.
pub fn copy_op(hw: &Hardware, file: u32, from: Place, to: Place, len: u64, file_offset: u64) -> Op {
    let pace = Pace::Words {
        word: hw.word_bytes,
        cycles: hw.cpu_cycles_per_word,
    };
    Op::Copy(Transfer::new(from, to, len, file_offset, Agent::Cpu, pace).of_file(file))
}

/// A zero-time step of kernel or process logic.
#[derive(Clone, Debug)]
pub enum Action {
    /// The process traps into the kernel for call number `.0`.
    Trap(usize),
    /// The kernel runs the body of call `.0` (decides hits, misses, copies).
    Body(usize),
    /// The kernel returns to user mode with `result`.
    Return {
        call: usize,
        result: i64,
    },
    /// Send a command to the disk controller (and program the DMA engine).
    StartDisk(DiskRequest),
    /// PIO: the CPU has emptied the controller buffer; it may fill the next chunk.
    ControllerDrained,
    /// The bytes of a disk request are in memory: wake whoever waits for them.
    CompleteDisk(u64),
    /// Account for `len` bytes of socket buffer space before filling it.
    ReserveSocket {
        offset: u64,
        len: u64,
        bytes: bool,
    },
    /// sendfile's next pipe-sized step, over file bytes [offset, end).
    SendfileStep {
        file: u32,
        offset: u64,
        end: u64,
    },
    /// Hand a filled socket buffer entry to the NIC.
    QueueSocket {
        /// Stream offset (where in the socket stream), and the file bytes it carries.
        offset: u64,
        len: u64,
        file: u32,
        file_offset: u64,
        data: super::nic::SkbData,
    },
    /// NIC interrupt handler: free the entries the NIC has fetched.
    FreeSocket,
    /// DMA interrupt handler: the completed requests' data is in memory.
    DmaDone,
    Unpin(Vec<u32>),
    PipePush(Vec<PageRef>),
    PipeTake,
    /// mmap: a mapping of `pages` pages, with the frames of its first pages
    /// already in the page table (all of them for the textbook style, none for the
    /// realistic one, which maps pages as faults come).
    Map {
        pages: u64,
        frames: Vec<u32>,
    },
    /// The fault handler puts these (page, frame) entries in the page table.
    MapPages(Vec<(u64, u32)>),
    /// The CPU touches a page of the mapping: a page fault if it is not mapped.
    Touch {
        file: u32,
        page: u64,
    },
    /// write() from the mapping, once every page of it is mapped: the copies.
    SendMapped {
        file: u32,
        offset: u64,
        len: u64,
    },
    Unmap,
    /// `read`: the process now holds file bytes [offset, offset+len) in its buffer.
    DeliverUser {
        file: u32,
        offset: u64,
        len: u64,
    },
    /// NIC interrupt handler: the received message is in the socket receive buffer.
    RxReady,
    /// The process asked for SIGIO, or submitted an asynchronous read.
    ArmSignal,
    ArmAio,
    /// The kernel delivers a signal or a completion to the process.
    Notify(&'static str),
    /// Stevens' phases of the input operation (each logged once).
    Phase(crate::sim::event::IoPhase),
    TaskSwitch(&'static str),
    IrqDone(IrqLine),
    /// PIO write: the CPU has filled the controller buffer; the medium may store it.
    ControllerLoaded,
    /// The disk's completion interrupt: its finished writes.
    DiskWritten,
    /// The program's bytes for file bytes [file_offset, +len) are in its buffer at `offset`.
    Produce {
        offset: u64,
        len: u64,
        file: u32,
        file_offset: u64,
    },
    /// A write filled these (page, frame)s of `file` up to file offset `end`.
    Dirty {
        file: u32,
        pages: Vec<(u64, u32)>,
        end: u64,
    },
    /// After a write: throttle the writer if it is above dirty_limit.
    Balance {
        file: u32,
    },
    /// Start writeback of the file's dirty pages.
    Writeback {
        file: u32,
        reason: crate::sim::event::WritebackReason,
    },
    /// The throttled writer runs again.
    Unthrottle,
    /// io_uring: the program wrote a read and a linked send for each chunk into the
    /// submission ring; with SQPOLL the kernel's thread picks them up.
    UringSqes {
        file: u32,
        chunks: Vec<(u64, u64, u64)>,
    },
    /// The interrupt handler is done; the kernel runs `.0` for the interrupted
    /// process in its context (task_work).
    TaskWork(&'static str),
    /// io_getevents has its first event: it takes every later one already there
    /// (up to `max`) and returns how many.
    ReapAio {
        call: usize,
        max: u64,
    },
    /// io_uring_setup with SQPOLL: the kernel's polling thread starts.
    SqThreadStart,
    /// The kernel takes `count` entries from the submission ring.
    UringSubmit {
        count: u64,
        by: &'static str,
    },
    /// One doorbell store for a batch of disk commands.
    Doorbell {
        commands: u64,
    },
    /// The kernel posts a completion entry.
    UringCqe {
        op: crate::sim::event::UringOp,
        offset: u64,
        len: u64,
        result: i64,
    },
    /// The program reads completion entries; a failed one stops it.
    UringReap {
        count: u64,
    },
}

/// Why the process sleeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitFor {
    Disk(u64),
    SocketSpace(u64),
    /// Page frames to allocate: `missing` new pages while `reserved` unpinned
    /// resident pages will be pinned by the same call.
    Frames {
        missing: u64,
        reserved: u64,
    },
    /// The received message is in the socket receive buffer.
    RxReady,
    /// A signal or async completion was delivered (the process is not blocked).
    Notified,
    /// Dirty pages plus pages under writeback are at most this many.
    DirtyAtMost(u64),
    /// The file has no dirty page and none under writeback (fsync, O_SYNC).
    Clean(u32),
    /// io_uring with SQPOLL: this many completions posted since the start (or a
    /// failed one). The program spins on the ring: it does not sleep.
    Cqes(u64),
}

impl WaitFor {
    /// Whether the process sleeps for it (gives the CPU to another task) rather
    /// than going on with its own work.
    pub fn sleeps(&self) -> bool {
        !matches!(self, WaitFor::Notified | WaitFor::Cqes(_))
    }
}

#[derive(Clone, Debug)]
pub enum Op {
    /// CPU work that does not touch the memory bus.
    Work {
        activity: Activity,
        cycles: u64,
    },
    /// A word-by-word copy through the register (needs the bus).
    Copy(Transfer),
    Act(Action),
    /// Wait until the condition holds; if it does not yet and the wait sleeps, the
    /// scheduler switches to another task and back (a voluntary task switch).
    Wait(WaitFor),
    /// Asleep until the condition holds (after the switch away).
    Blocked(WaitFor),
}

impl Op {
    /// Cycles until this operation ends (a copy only progresses on the bus).
    pub fn cycles_left(&self, on_bus: bool) -> Option<u64> {
        match self {
            Op::Work { cycles, .. } => Some(*cycles),
            Op::Copy(t) if on_bus => Some(t.remaining_cycles()),
            _ => None,
        }
    }

    /// `d` cycles pass: work counts down; a copy moves words if it has the bus
    /// (the last word moved, for the register).
    pub fn elapse(
        &mut self,
        d: u64,
        on_bus: bool,
        mem: &mut Memory,
        word: u64,
    ) -> Result<Option<u64>, SimError> {
        match self {
            Op::Work { cycles, .. } => *cycles = cycles.saturating_sub(d),
            Op::Copy(t) if on_bus => {
                t.elapsed += d;
                return mem.carry(t, word);
            }
            _ => {}
        }
        Ok(None)
    }

    /// A copy at cycle `now`: it has started; once its last byte has moved, the
    /// finished transfer (to log and take off the queue).
    pub fn copy_ended(&mut self, now: u64) -> Option<Transfer> {
        let Op::Copy(t) = self else { return None };
        if t.first_cycle.is_none() {
            t.first_cycle = Some(now);
        }
        t.done().then_some(*t)
    }
}

#[derive(Clone, Debug)]
pub struct Handler {
    pub line: IrqLine,
    pub ops: VecDeque<Op>,
    /// The CPU was in user mode when the interrupt came.
    pub from_user: bool,
    /// The handler is done; the kernel runs work queued for the interrupted
    /// process in its context (task_work) before returning to it.
    pub task_work: bool,
}

#[derive(Clone, Debug)]
pub struct Cpu {
    pub mode: Mode,
    pub activity: Activity,
    /// The last word that passed through the register.
    pub register: u64,
    pub process_ops: VecDeque<Op>,
    pub handler: Option<Handler>,
    pub pending_irqs: BTreeSet<IrqLine>,
    /// The first activity has been logged.
    announced: bool,
    /// `completion: poll`: a wait for the disk spins in the kernel.
    pub polls_disk: bool,
}

impl Cpu {
    pub fn new() -> Self {
        Cpu {
            mode: Mode::User,
            activity: Activity::Idle,
            register: 0,
            process_ops: VecDeque::new(),
            handler: None,
            pending_irqs: BTreeSet::new(),
            announced: false,
            polls_disk: false,
        }
    }

    /// A device raises its interrupt line.
    pub fn raise(&mut self, line: IrqLine, reason: &'static str, log: &mut Log) {
        self.pending_irqs.insert(line);
        log.emit(EventKind::IrqRaise { line, reason });
    }

    /// The interrupt to take now, if one is pending and no handler runs.
    pub fn next_irq(&mut self) -> Option<IrqLine> {
        if self.handler.is_some() {
            return None;
        }
        let line = *self.pending_irqs.iter().next()?;
        self.pending_irqs.remove(&line);
        Some(line)
    }

    /// Takes an interrupt: from user mode this is a switch into the kernel.
    pub fn take_interrupt(&mut self, line: IrqLine, ops: Vec<Op>, log: &mut Log) {
        log.emit(EventKind::IrqTake { line });
        let from_user = self.mode == Mode::User;
        if from_user {
            self.mode = Mode::Kernel;
            log.emit(EventKind::ModeSwitch {
                to: Mode::Kernel,
                cause: ModeCause::Interrupt { line },
            });
        }
        self.handler = Some(Handler {
            line,
            ops: ops.into(),
            from_user,
            task_work: false,
        });
    }

    /// The handler has run its last operation: return to what was interrupted.
    pub fn end_handler(&mut self, log: &mut Log) -> bool {
        let Some(h) = self.handler.take() else {
            return false;
        };
        if h.from_user {
            self.mode = Mode::User;
            log.emit(EventKind::ModeSwitch {
                to: Mode::User,
                cause: ModeCause::Interrupt { line: h.line },
            });
        }
        true
    }

    /// A CPU copy needs the memory bus.
    pub fn wants_bus(&self) -> bool {
        matches!(self.front(), Some(Op::Copy(_)))
    }

    /// Logs what the CPU is doing when it changes.
    pub fn observe(&mut self, log: &mut Log) {
        let activity = match (&self.handler, self.front()) {
            (_, Some(Op::Copy(_))) => Activity::Copy,
            (Some(h), _) if h.task_work => Activity::Syscall,
            (Some(_), _) => Activity::Interrupt,
            (None, Some(Op::Work { activity, .. })) => *activity,
            (None, Some(Op::Act(_))) => Activity::Syscall,
            // Not blocked: the process works until it is notified.
            (None, Some(Op::Wait(WaitFor::Notified))) => Activity::OwnWork,
            // Spinning on the completion ring: busy, in user mode.
            (None, Some(Op::Wait(WaitFor::Cqes(_)))) => Activity::Process,
            // Polling the disk's completion queue: busy, in the kernel.
            (None, Some(Op::Wait(WaitFor::Disk(_)))) if self.polls_disk => Activity::Syscall,
            (None, Some(Op::Wait(_) | Op::Blocked(_)) | None) => Activity::Idle,
        };
        if activity != self.activity || !self.announced {
            self.announced = true;
            self.activity = activity;
            log.emit(EventKind::CpuActivity { activity });
        }
    }

    /// Runs `ops` next, before the rest of the process's queue (a kernel routine
    /// that decides its steps as it goes).
    pub fn push_front_all(&mut self, ops: Vec<Op>) {
        for op in ops.into_iter().rev() {
            self.process_ops.push_front(op);
        }
    }

    /// The process sleeps: switch to another task, block, and switch back once
    /// `w` holds, each switch costing the scheduler's time.
    pub fn sleep_on(&mut self, w: WaitFor, hw: &Hardware) {
        let switch = Op::Work {
            activity: Activity::Syscall,
            cycles: hw.context_switch_cycles,
        };
        let ops = [
            Op::Act(Action::TaskSwitch("other task")),
            switch.clone(),
            Op::Blocked(w),
            Op::Act(Action::TaskSwitch("process")),
            switch,
        ];
        self.push_front_all(ops.to_vec());
    }

    /// Cycles until the current operation ends (a copy only progresses on the bus).
    pub fn next_change(&self, on_bus: bool) -> Option<u64> {
        self.front()?.cycles_left(on_bus)
    }

    /// `d` cycles pass: work counts down; a copy moves words if it has the bus.
    pub fn elapse(
        &mut self,
        d: u64,
        on_bus: bool,
        mem: &mut Memory,
        word: u64,
    ) -> Result<(), SimError> {
        let moved = match self.front_mut() {
            Some(op) => op.elapse(d, on_bus, mem, word)?,
            None => None,
        };
        if let Some(r) = moved {
            self.register = r;
        }
        Ok(())
    }

    /// The operation the CPU runs now: the handler's if one is active.
    pub fn front(&self) -> Option<&Op> {
        match &self.handler {
            Some(h) => h.ops.front(),
            None => self.process_ops.front(),
        }
    }

    pub fn front_mut(&mut self) -> Option<&mut Op> {
        match &mut self.handler {
            Some(h) => h.ops.front_mut(),
            None => self.process_ops.front_mut(),
        }
    }

    pub fn pop_front(&mut self) -> Option<Op> {
        match &mut self.handler {
            Some(h) => h.ops.pop_front(),
            None => self.process_ops.pop_front(),
        }
    }
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu::new()
    }
}
