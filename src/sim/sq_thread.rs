//! io_uring's submission-queue polling thread (SQPOLL): a kernel thread on a core of
//! its own that spins on the submission ring, so the program submits with no system
//! call. It runs the same kernel steps io_uring_enter would (start the reads, send
//! each buffer as its read completes, post the completions), in kernel mode all
//! along, and it is busy the whole time it lives: that core is the price.

use std::collections::VecDeque;

use super::cpu::Op;
use super::error::SimError;
use super::memory::Memory;

#[derive(Clone, Debug, Default)]
pub struct SqThread {
    /// Started by io_uring_setup with SQPOLL; stops when the program exits.
    pub running: bool,
    /// The kernel steps it has picked up from the ring and not finished.
    pub ops: VecDeque<Op>,
}

impl SqThread {
    /// A CPU copy (a send without scatter-gather) needs the memory bus.
    pub fn wants_bus(&self) -> bool {
        matches!(self.ops.front(), Some(Op::Copy(_)))
    }

    pub fn idle(&self) -> bool {
        self.ops.is_empty()
    }

    /// Cycles until its current step ends.
    pub fn next_change(&self, on_bus: bool) -> Option<u64> {
        self.ops.front()?.cycles_left(on_bus)
    }

    /// `d` cycles pass: work counts down; a copy moves bytes if it has the bus.
    pub fn elapse(
        &mut self,
        d: u64,
        on_bus: bool,
        mem: &mut Memory,
        word: u64,
    ) -> Result<(), SimError> {
        if let Some(op) = self.ops.front_mut() {
            op.elapse(d, on_bus, mem, word)?;
        }
        Ok(())
    }
}
