//! Interrupt coalescing (an NVMe drive's interrupt moderation): completions are
//! counted, and one interrupt is raised for `irq_coalesce_count` of them, or once
//! the first has waited `irq_coalesce_cycles`, or when no more will come.

use super::hardware::Hardware;

#[derive(Default)]
pub struct Coalescer {
    /// Completions whose interrupt has not been raised yet.
    pending: u64,
    /// When the first of them stops waiting (with `irq_coalesce_cycles`).
    deadline: Option<u64>,
}

impl Coalescer {
    /// Coalescing is on: completions may wait for others.
    pub fn on(hw: &Hardware) -> bool {
        hw.irq_coalesce_count > 1 || hw.irq_coalesce_cycles > 0
    }

    /// A completion at `now`: true when the interrupt for the completions held so
    /// far is due at once (the count is reached).
    pub fn completion(&mut self, hw: &Hardware, now: u64) -> bool {
        self.pending += 1;
        if self.deadline.is_none() && hw.irq_coalesce_cycles > 0 {
            self.deadline = Some(now + hw.irq_coalesce_cycles);
        }
        let full = hw.irq_coalesce_count > 1 && self.pending >= hw.irq_coalesce_count;
        if full {
            *self = Coalescer::default();
        }
        full
    }

    /// Completions held back whose interrupt is due: the first has waited long
    /// enough, or (with a count only) no more will come to make it up.
    pub fn due(&mut self, hw: &Hardware, now: u64, nothing_more: bool) -> bool {
        let due = self.pending > 0
            && (self.deadline.is_some_and(|t| t <= now)
                || (nothing_more && hw.irq_coalesce_cycles == 0));
        if due {
            *self = Coalescer::default();
        }
        due
    }

    pub fn idle(&self) -> bool {
        self.pending == 0
    }

    /// Cycles until the held completions' deadline.
    pub fn next_change(&self, now: u64) -> Option<u64> {
        self.deadline.map(|t| t.saturating_sub(now))
    }
}
