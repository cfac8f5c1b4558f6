//! A transfer: `len` bytes moving from one place to another at a fixed pace.
//!
//! Progress is a pure function of the cycles the mover has had, so stepping one cycle
//! at a time and jumping ahead many cycles move exactly the same bytes.

use super::event::{Agent, Engine, Place};
use super::hardware::MilliRate;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// The CPU: `word` bytes every `cycles` cycles, through its register.
    Words { word: u64, cycles: u64 },
    /// A DMA engine or a device: a rate in milli-bytes per cycle.
    Rate(MilliRate),
}

#[derive(Clone, Copy, Debug)]
pub struct Transfer {
    pub from: Place,
    pub to: Place,
    pub len: u64,
    /// Which file, and where in it, the bytes come from.
    pub file: u32,
    pub file_offset: u64,
    pub agent: Agent,
    pub engine: Option<Engine>,
    pub pace: Pace,
    /// Cycles of progress so far (cycles stalled waiting for the bus do not count).
    pub elapsed: u64,
    /// Bytes already moved.
    pub moved: u64,
    pub first_cycle: Option<u64>,
    /// False once a byte written to the wire or the process differed from the file.
    pub intact: bool,
}

impl Transfer {
    pub fn new(
        from: Place,
        to: Place,
        len: u64,
        file_offset: u64,
        agent: Agent,
        pace: Pace,
    ) -> Self {
        Transfer {
            from,
            to,
            len,
            file: 0,
            file_offset,
            agent,
            engine: None,
            pace,
            elapsed: 0,
            moved: 0,
            first_cycle: None,
            intact: true,
        }
    }

    pub fn of_file(mut self, file: u32) -> Self {
        self.file = file;
        self
    }

    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.engine = Some(engine);
        self
    }

    /// Cycles the whole transfer takes.
    pub fn total_cycles(&self) -> u64 {
        match self.pace {
            Pace::Words { word, cycles } => self.len.div_ceil(word.max(1)).saturating_mul(cycles),
            Pace::Rate(MilliRate(m)) => {
                let t = (self.len as u128 * 1000).div_ceil(m.max(1) as u128);
                t.min(u64::MAX as u128) as u64
            }
        }
    }

    /// Bytes that should have moved after `elapsed` cycles of progress.
    pub fn due(&self) -> u64 {
        let d = match self.pace {
            Pace::Words { word, cycles } => (self.elapsed / cycles.max(1)).saturating_mul(word),
            Pace::Rate(MilliRate(m)) => {
                let b = self.elapsed as u128 * m as u128 / 1000;
                b.min(u64::MAX as u128) as u64
            }
        };
        d.min(self.len)
    }

    pub fn remaining_cycles(&self) -> u64 {
        self.total_cycles().saturating_sub(self.elapsed)
    }

    pub fn done(&self) -> bool {
        self.elapsed >= self.total_cycles()
    }
}

/// Offsets a place by `n` bytes.
pub fn shift(p: Place, n: u64) -> Place {
    match p {
        Place::Platter { file, offset } => Place::Platter {
            file,
            offset: offset + n,
        },
        Place::Controller { offset } => Place::Controller { offset: offset + n },
        Place::Frame { frame, offset } => Place::Frame {
            frame,
            offset: offset + n,
        },
        Place::User { offset } => Place::User { offset: offset + n },
        Place::Socket { offset } => Place::Socket { offset: offset + n },
        Place::NicBuffer { offset } => Place::NicBuffer { offset: offset + n },
        Place::Wire { offset } => Place::Wire { offset: offset + n },
        Place::RecvBuffer { offset } => Place::RecvBuffer { offset: offset + n },
    }
}
