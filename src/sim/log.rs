//! The event log: the one channel through which every part reports what it did.
//! Each event is stamped with the machine's clock and folded into the counters as
//! it is written.

use super::counters::Counters;
use super::event::{Event, EventKind};
use super::transfer::Transfer;

#[derive(Clone, Debug, Default)]
pub struct Log {
    pub events: Vec<Event>,
    /// When false, events are only counted (benchmarks of huge runs).
    pub keep: bool,
    pub counters: Counters,
    /// The cycle new events are stamped with: the machine's clock.
    pub now: u64,
    seq: u64,
}

impl Log {
    pub fn new() -> Log {
        Log {
            keep: true,
            ..Log::default()
        }
    }

    pub fn emit(&mut self, kind: EventKind) {
        let e = Event {
            seq: self.seq,
            cycle: self.now,
            kind,
        };
        self.seq += 1;
        self.counters.observe(&e);
        if self.keep {
            self.events.push(e);
        }
    }

    /// A transfer has moved its last byte: one `copy` event for all of it.
    pub fn copy_done(&mut self, t: &Transfer) {
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

    pub fn len(&self) -> u64 {
        self.seq
    }

    pub fn is_empty(&self) -> bool {
        self.seq == 0
    }
}
