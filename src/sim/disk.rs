//! The disk and its controller.
//!
//! A request first waits the disk's latency (seek, or flash look-up), then moves
//! its bytes through the controller's internal buffer chunk by chunk.
//! - A read: the medium fills the buffer; when it is full the controller either
//!   interrupts the CPU (PIO: the CPU must empty it word by word) or signals the DMA
//!   engine, which empties it without the CPU.
//! - A write: the empty buffer asks for the next chunk (an interrupt for the CPU in
//!   PIO mode, a signal to the DMA engine otherwise); once it holds it, the medium
//!   stores it. After the last chunk is on the medium the controller interrupts:
//!   the write is complete.

use std::collections::VecDeque;

use super::error::{SimError, bug};
use super::event::{Agent, EventKind, Place};
use super::hardware::{DiskTransfer, Hardware};
use super::log::Log;
use super::memory::Memory;
use super::transfer::{Pace, Transfer};

/// The memory side of a disk request: where a read's bytes end up, where a
/// write's come from.
#[derive(Clone, Debug)]
pub enum Dest {
    /// Consecutive file pages, one frame each; the request starts at the first page.
    Frames(Vec<u32>),
    /// The user buffer, from this offset (O_DIRECT).
    User(u64),
}

#[derive(Clone, Debug)]
pub struct DiskRequest {
    pub id: u64,
    /// The file on the disk, and the range of it.
    pub file: u32,
    pub offset: u64,
    pub len: u64,
    pub dest: Dest,
    /// Memory → disk.
    pub write: bool,
    /// The file whose bytes these are (a copy's output holds its input's bytes).
    pub content: u32,
    pub transfer: DiskTransfer,
    /// The DMA descriptor programmed for it (DMA mode only).
    pub descriptor: Option<u64>,
    /// NVMe: one doorbell write already covers it (a batch of commands).
    pub batched: bool,
}

impl DiskRequest {
    /// Splits bytes [rel, rel+n) of the request into pieces that each land in one
    /// place: (destination, length, file offset).
    pub fn pieces(&self, rel: u64, n: u64, page_size: u64) -> Vec<(Place, u64, u64)> {
        let mut out = Vec::new();
        match &self.dest {
            Dest::User(base) => {
                out.push((Place::User { offset: base + rel }, n, self.offset + rel))
            }
            Dest::Frames(frames) => {
                let mut pos = rel;
                while pos < rel + n {
                    let idx = pos / page_size;
                    let in_page = pos % page_size;
                    let len = (page_size - in_page).min(rel + n - pos);
                    out.push((
                        Place::Frame {
                            frame: frames[idx as usize],
                            offset: in_page,
                        },
                        len,
                        self.offset + pos,
                    ));
                    pos += len;
                }
            }
        }
        out
    }
}

impl DiskRequest {
    /// The transfers between the controller buffer and memory for bytes
    /// [start, start+len) of the request, one per page, by `agent` (the DMA engine,
    /// or the CPU for PIO) at its pace: out of the buffer for a read, into it for
    /// a write.
    pub fn transfers(
        &self,
        start: u64,
        len: u64,
        page_size: u64,
        agent: Agent,
        pace: Pace,
    ) -> Vec<Transfer> {
        let mut at = 0;
        let mut out = Vec::new();
        for (place, n, foff) in self.pieces(start, len, page_size) {
            let controller = Place::Controller { offset: at };
            let (from, to) = if self.write {
                (place, controller)
            } else {
                (controller, place)
            };
            out.push(Transfer::new(from, to, n, foff, agent, pace).of_file(self.content));
            at += n;
        }
        out
    }
}

#[derive(Clone, Debug)]
pub enum DiskPhase {
    /// Waiting for the medium (seek, rotation, flash read latency).
    Seek { left: u64 },
    /// Medium → controller buffer.
    Fill(Transfer),
    /// The buffer holds bytes [start, start+len) of the request until drained.
    Full { start: u64, len: u64, drained: bool },
    /// A write: the buffer waits for bytes [start, start+len) from memory.
    Empty { start: u64, len: u64, loaded: bool },
    /// A write: controller buffer → medium.
    Store(Transfer),
}

#[derive(Clone, Debug)]
pub struct ActiveRequest {
    pub req: DiskRequest,
    /// Bytes of the request already brought into the controller buffer.
    pub filled: u64,
    pub phase: DiskPhase,
}

/// What the disk did when it settled.
pub enum DiskStep {
    Idle,
    Changed,
    /// The controller buffer holds bytes [start, start+len) of `req`: the DMA
    /// engine (DMA mode) or the CPU (PIO, by an interrupt) must empty it.
    BufferFull {
        req: DiskRequest,
        start: u64,
        len: u64,
    },
    /// A write's buffer is empty and wants bytes [start, start+len) of `req`.
    BufferEmpty {
        req: DiskRequest,
        start: u64,
        len: u64,
    },
    /// A chunk of a write reached the medium; `done`: the whole request has (the
    /// controller interrupts).
    Stored {
        req: DiskRequest,
        start: u64,
        len: u64,
        done: bool,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Disk {
    pub queue: VecDeque<DiskRequest>,
    pub active: Option<ActiveRequest>,
    /// A queue-based device (device_parallelism > 1, as an NVMe drive's flash
    /// channels): requests whose latency runs meanwhile, each with the cycles left;
    /// the medium still moves one request's bytes at a time (the same bandwidth).
    pub looking: Vec<(DiskRequest, u64)>,
    /// Writes on the medium whose completion interrupt is not handled yet.
    pub written: Vec<u64>,
    /// NVMe: commands written into the drive's submission queue in memory whose
    /// doorbell has not been rung yet (the rest of their batch is being written).
    pub submission_queue: Vec<DiskRequest>,
}

impl Disk {
    pub fn idle(&self) -> bool {
        self.active.is_none() && self.queue.is_empty() && self.looking.is_empty()
    }

    /// The kernel's command: queue a request.
    pub fn submit(&mut self, req: DiskRequest) {
        self.queue.push_back(req);
    }

    /// NVMe: a command written into the submission queue, announced later.
    pub fn enqueue(&mut self, req: DiskRequest) {
        self.submission_queue.push(req);
    }

    /// NVMe: the doorbell write: the drive takes every command queued so far.
    pub fn doorbell(&mut self) {
        for r in std::mem::take(&mut self.submission_queue) {
            self.submit(r);
        }
    }

    /// What happens at this cycle: the next request starts seeking, a sought or
    /// drained buffer starts filling (or the request ends), a full buffer signals.
    pub fn settle(&mut self, hw: &Hardware, log: &mut Log) -> DiskStep {
        // An NVMe drive fetches each command from its submission queue in memory.
        let fetch = |log: &mut Log, req: &DiskRequest| {
            if hw.nvme() {
                log.emit(EventKind::CommandFetch { request: req.id });
            }
        };
        if hw.device_parallelism > 1 {
            // Up to device_parallelism requests in service: their latencies overlap.
            let busy = self.looking.len() + self.active.is_some() as usize;
            if busy < hw.device_parallelism as usize
                && let Some(req) = self.queue.pop_front()
            {
                fetch(log, &req);
                self.looking.push((req, hw.disk_latency_cycles));
                return DiskStep::Changed;
            }
            // The medium is free: the first request whose latency is over takes it.
            if self.active.is_none()
                && let Some(i) = self.looking.iter().position(|l| l.1 == 0)
            {
                let (req, _) = self.looking.remove(i);
                self.active = Some(ActiveRequest {
                    req,
                    filled: 0,
                    phase: DiskPhase::Seek { left: 0 },
                });
                return DiskStep::Changed;
            }
        }
        let Some(active) = &mut self.active else {
            if let Some(req) = self.queue.pop_front() {
                fetch(log, &req);
                self.active = Some(ActiveRequest {
                    req,
                    filled: 0,
                    phase: DiskPhase::Seek {
                        left: hw.disk_latency_cycles,
                    },
                });
                return DiskStep::Changed;
            }
            return DiskStep::Idle;
        };
        if active.req.write {
            return Disk::settle_write(&mut self.active, &mut self.written, hw, log);
        }
        match &active.phase {
            DiskPhase::Seek { left: 0 } | DiskPhase::Full { drained: true, .. } => {
                if active.filled < active.req.len {
                    let (req, filled) = (&active.req, active.filled);
                    let chunk = hw.controller_buffer.min(req.len - filled);
                    let from = Place::Platter {
                        file: req.file,
                        offset: req.offset + filled,
                    };
                    let mut t = Transfer::new(
                        from,
                        Place::Controller { offset: 0 },
                        chunk,
                        req.offset + filled,
                        Agent::Device,
                        Pace::Rate(hw.disk_rate),
                    )
                    .of_file(req.file);
                    t.first_cycle = Some(log.now);
                    active.phase = DiskPhase::Fill(t);
                } else {
                    self.active = None;
                }
                DiskStep::Changed
            }
            DiskPhase::Fill(t) if t.done() => {
                let t = *t;
                let start = active.filled;
                active.filled += t.len;
                active.phase = DiskPhase::Full {
                    start,
                    len: t.len,
                    drained: false,
                };
                let req = active.req.clone();
                log.copy_done(&t);
                let dma = req.transfer == DiskTransfer::Dma;
                log.emit(EventKind::DiskBufferFull {
                    request: req.id,
                    len: t.len,
                    signals: if dma { "dma" } else { "cpu" },
                });
                DiskStep::BufferFull {
                    req,
                    start,
                    len: t.len,
                }
            }
            _ => DiskStep::Idle,
        }
    }

    /// A write at this cycle: after the seek (or a stored chunk) the buffer asks
    /// for the next chunk; once loaded, the medium stores it.
    fn settle_write(
        slot: &mut Option<ActiveRequest>,
        written: &mut Vec<u64>,
        hw: &Hardware,
        log: &mut Log,
    ) -> DiskStep {
        let Some(active) = slot else {
            return DiskStep::Idle;
        };
        let ask = |active: &mut ActiveRequest| {
            let start = active.filled;
            let len = hw.controller_buffer.min(active.req.len - start);
            active.phase = DiskPhase::Empty {
                start,
                len,
                loaded: false,
            };
            DiskStep::BufferEmpty {
                req: active.req.clone(),
                start,
                len,
            }
        };
        match &active.phase {
            DiskPhase::Seek { left: 0 } => ask(active),
            DiskPhase::Empty {
                start,
                len,
                loaded: true,
            } => {
                let req = &active.req;
                let mut t = Transfer::new(
                    Place::Controller { offset: 0 },
                    Place::Platter {
                        file: req.file,
                        offset: req.offset + start,
                    },
                    *len,
                    req.offset + start,
                    Agent::Device,
                    Pace::Rate(hw.disk_rate),
                )
                .of_file(req.content);
                t.first_cycle = Some(log.now);
                active.phase = DiskPhase::Store(t);
                DiskStep::Changed
            }
            DiskPhase::Store(t) if t.done() => {
                let t = *t;
                log.copy_done(&t);
                let start = active.filled;
                active.filled += t.len;
                let req = active.req.clone();
                if active.filled < req.len {
                    // The head is in place: the next settle asks for the next chunk.
                    active.phase = DiskPhase::Seek { left: 0 };
                    return DiskStep::Stored {
                        req,
                        start,
                        len: t.len,
                        done: false,
                    };
                }
                *slot = None;
                written.push(req.id);
                DiskStep::Stored {
                    req,
                    start,
                    len: t.len,
                    done: true,
                }
            }
            _ => DiskStep::Idle,
        }
    }

    /// A write's chunk is in the controller buffer: the medium may store it.
    pub fn loaded(&mut self, who: &str) -> Result<(), SimError> {
        match &mut self.active {
            Some(ActiveRequest {
                phase: DiskPhase::Empty { loaded, .. },
                ..
            }) => {
                *loaded = true;
                Ok(())
            }
            _ => Err(bug(format!(
                "{who} loaded a controller that was not waiting for data"
            ))),
        }
    }

    /// The empty buffer of a write, not yet loaded: (request, start, len), for the
    /// PIO handler.
    pub fn empty_buffer(&self) -> Option<(&DiskRequest, u64, u64)> {
        match &self.active {
            Some(ActiveRequest {
                req,
                phase:
                    DiskPhase::Empty {
                        start,
                        len,
                        loaded: false,
                    },
                ..
            }) => Some((req, *start, *len)),
            _ => None,
        }
    }

    /// The controller buffer has been emptied (by `who`): the next chunk may fill.
    pub fn drained(&mut self, who: &str) -> Result<(), SimError> {
        match &mut self.active {
            Some(ActiveRequest {
                phase: DiskPhase::Full { drained, .. },
                ..
            }) => {
                *drained = true;
                Ok(())
            }
            _ => Err(bug(format!("{who} drained a controller that was not full"))),
        }
    }

    /// The full, not yet emptied buffer: (request, start, len), for the PIO handler.
    pub fn full_buffer(&self) -> Option<(&DiskRequest, u64, u64)> {
        match &self.active {
            Some(ActiveRequest {
                req,
                phase:
                    DiskPhase::Full {
                        start,
                        len,
                        drained: false,
                    },
                ..
            }) => Some((req, *start, *len)),
            _ => None,
        }
    }

    /// Cycles until the medium finishes what it is doing, if it is working.
    pub fn next_change(&self) -> Option<u64> {
        let looking = self.looking.iter().map(|l| l.1).filter(|&l| l > 0).min();
        let active = match &self.active.as_ref().map(|a| &a.phase) {
            Some(DiskPhase::Seek { left }) => Some(*left),
            Some(DiskPhase::Fill(t) | DiskPhase::Store(t)) => Some(t.remaining_cycles()),
            _ => None,
        };
        [looking, active].into_iter().flatten().min()
    }

    /// `d` cycles pass: the head seeks, or the medium fills the controller buffer.
    pub fn elapse(&mut self, d: u64, mem: &mut Memory) -> Result<(), SimError> {
        for l in &mut self.looking {
            l.1 = l.1.saturating_sub(d);
        }
        if let Some(a) = &mut self.active {
            match &mut a.phase {
                DiskPhase::Seek { left } => *left = left.saturating_sub(d),
                DiskPhase::Fill(t) | DiskPhase::Store(t) => {
                    t.elapsed += d;
                    mem.carry(t, 1)?;
                }
                DiskPhase::Full { .. } | DiskPhase::Empty { .. } => {}
            }
        }
        Ok(())
    }
}
