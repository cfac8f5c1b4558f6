//! The CPU: user/kernel mode, a register through which every CPU copy passes, and
//! the work it is running.
//!
//! The process and the kernel code it runs are a queue of operations; an interrupt
//! handler is a second queue that preempts the first at any cycle boundary (the
//! preempted operation keeps its progress and resumes afterwards).

use std::collections::{BTreeSet, VecDeque};

use super::disk::DiskRequest;
use super::event::{Activity, IrqLine, Mode, PageRef};
use super::transfer::Transfer;

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
    /// Hand a filled socket buffer entry to the NIC.
    QueueSocket {
        /// Stream offset (where in the socket stream), and the file bytes it carries.
        offset: u64,
        len: u64,
        file: u32,
        file_offset: u64,
        pages: Option<Vec<PageRef>>,
    },
    /// NIC interrupt handler: free the entries the NIC has fetched.
    FreeSocket,
    /// DMA interrupt handler: the completed requests' data is in memory.
    DmaDone,
    Unpin(Vec<u32>),
    PipePush(Vec<PageRef>),
    PipeTake,
    Map(Vec<u32>),
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
    Wait(WaitFor),
}

#[derive(Clone, Debug)]
pub struct Handler {
    pub line: IrqLine,
    pub ops: VecDeque<Op>,
    /// The CPU was in user mode when the interrupt came.
    pub from_user: bool,
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
        }
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
