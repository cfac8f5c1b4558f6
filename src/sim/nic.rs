//! The network card: a transmit buffer, its own bus-master DMA and the wire.
//!
//! For each queued socket buffer entry the NIC's DMA fetches up to one transmit
//! buffer of bytes, then sends them on the wire. Without scatter-gather it fetches
//! from the socket buffer (where the CPU copied the bytes); with scatter-gather the
//! socket buffer holds only descriptors and the NIC gathers straight from page-cache
//! frames. After fetching the last byte of an entry it interrupts the CPU so the
//! kernel can free the socket buffer space.

use std::collections::VecDeque;

use super::error::{SimError, bug};
use super::event::{Agent, Engine, EventKind, PageRef, Place};
use super::hardware::Hardware;
use super::log::Log;
use super::memory::Memory;
use super::transfer::{Pace, Transfer};

#[derive(Clone, Debug)]
pub enum SkbData {
    /// Bytes the CPU copied into the socket buffer.
    Bytes,
    /// Scatter-gather descriptors: page-cache frame ranges.
    Pages(Vec<PageRef>),
    /// A scatter-gather descriptor of the user buffer from this offset (io_uring's
    /// zero-copy send from a registered buffer).
    User { offset: u64 },
}

/// One entry of the socket send buffer (Linux calls it an sk_buff).
#[derive(Clone, Debug)]
pub struct Skb {
    pub id: u64,
    /// Offset of its first byte in the socket's stream.
    pub offset: u64,
    pub len: u64,
    /// The file bytes it carries: file id and offset of the first byte.
    pub file: u32,
    pub file_offset: u64,
    pub data: SkbData,
}

#[derive(Clone, Debug)]
pub enum NicPhase {
    /// Fetching `chunk` bytes into the transmit buffer.
    Dma {
        pieces: VecDeque<Transfer>,
        chunk: u64,
    },
    /// Sending the transmit buffer on the wire.
    Wire(Transfer),
}

#[derive(Clone, Debug)]
pub struct NicJob {
    pub skb: Skb,
    /// Bytes of the entry already fetched.
    pub fetched: u64,
    pub phase: NicPhase,
}

/// What the NIC did when it settled.
pub enum NicStep {
    Idle,
    Changed,
    /// The last byte of an entry is fetched: the NIC interrupts the CPU.
    Fetched,
    /// Bytes went out on the wire (`intact`: they equal the file's).
    Sent {
        len: u64,
        intact: bool,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Nic {
    pub queue: VecDeque<Skb>,
    pub active: Option<NicJob>,
    /// Entries fully fetched, waiting for the interrupt handler to free them.
    pub completed: Vec<Skb>,
}

impl Nic {
    pub fn idle(&self) -> bool {
        self.active.is_none() && self.queue.is_empty() && self.completed.is_empty()
    }

    /// The transmit DMA needs the bus while it has pieces to fetch.
    pub fn wants_bus(&self) -> bool {
        matches!(&self.active, Some(NicJob { phase: NicPhase::Dma { pieces, .. }, .. }) if !pieces.is_empty())
    }

    /// The pieces that fetch bytes [from, from+chunk) of an entry into the buffer.
    fn chunk(skb: &Skb, from: u64, chunk: u64, hw: &Hardware) -> VecDeque<Transfer> {
        let rate = Pace::Rate(hw.dma_rate);
        let mut out = VecDeque::new();
        match &skb.data {
            SkbData::Bytes => out.push_back(
                Transfer::new(
                    Place::Socket {
                        offset: skb.offset + from,
                    },
                    Place::NicBuffer { offset: 0 },
                    chunk,
                    skb.file_offset + from,
                    Agent::Dma,
                    rate,
                )
                .with_engine(Engine::NicDma)
                .of_file(skb.file),
            ),
            SkbData::User { offset } => out.push_back(
                Transfer::new(
                    Place::User {
                        offset: offset + from,
                    },
                    Place::NicBuffer { offset: 0 },
                    chunk,
                    skb.file_offset + from,
                    Agent::Dma,
                    rate,
                )
                .with_engine(Engine::NicDma)
                .of_file(skb.file),
            ),
            SkbData::Pages(refs) => {
                let mut at = 0;
                for r in slice_refs(refs, from, chunk) {
                    out.push_back(
                        Transfer::new(
                            Place::Frame {
                                frame: r.frame,
                                offset: r.offset,
                            },
                            Place::NicBuffer { offset: at },
                            r.len,
                            r.file_offset,
                            Agent::Dma,
                            rate,
                        )
                        .with_engine(Engine::NicDma)
                        .of_file(r.file),
                    );
                    at += r.len;
                }
            }
        }
        out
    }

    pub fn settle(&mut self, hw: &Hardware, log: &mut Log) -> Result<NicStep, SimError> {
        let Some(job) = &mut self.active else {
            if let Some(skb) = self.queue.pop_front() {
                let chunk = hw.nic_buffer.min(skb.len);
                let pieces = Nic::chunk(&skb, 0, chunk, hw);
                let src = pieces
                    .front()
                    .map(|t| t.from)
                    .unwrap_or(Place::Socket { offset: skb.offset });
                log.emit(EventKind::DmaSetup {
                    engine: Engine::NicDma,
                    descriptor: skb.id,
                    src,
                    dst: Place::NicBuffer { offset: 0 },
                    len: skb.len,
                });
                self.active = Some(NicJob {
                    skb,
                    fetched: 0,
                    phase: NicPhase::Dma { pieces, chunk },
                });
                return Ok(NicStep::Changed);
            }
            return Ok(NicStep::Idle);
        };
        match &mut job.phase {
            NicPhase::Dma { pieces, chunk } => {
                if let Some(front) = pieces.front_mut() {
                    if front.first_cycle.is_none() {
                        front.first_cycle = Some(log.now);
                    }
                    if front.done() {
                        let t = pieces
                            .pop_front()
                            .ok_or_else(|| bug("nic piece vanished"))?;
                        log.copy_done(&t);
                        return Ok(NicStep::Changed);
                    }
                    return Ok(NicStep::Idle);
                }
                let chunk = *chunk;
                job.fetched += chunk;
                let wire_at = job.skb.offset + job.fetched - chunk;
                let file_at = job.skb.file_offset + job.fetched - chunk;
                let mut t = Transfer::new(
                    Place::NicBuffer { offset: 0 },
                    Place::Wire { offset: wire_at },
                    chunk,
                    file_at,
                    Agent::Device,
                    Pace::Rate(hw.nic_rate),
                )
                .of_file(job.skb.file);
                t.first_cycle = Some(log.now);
                job.phase = NicPhase::Wire(t);
                if job.fetched >= job.skb.len {
                    let skb = job.skb.clone();
                    log.emit(EventKind::DmaComplete {
                        engine: Engine::NicDma,
                        descriptor: skb.id,
                        len: skb.len,
                        write: false,
                    });
                    self.completed.push(skb);
                    return Ok(NicStep::Fetched);
                }
                Ok(NicStep::Changed)
            }
            NicPhase::Wire(t) if t.done() => {
                let t = *t;
                if job.fetched < job.skb.len {
                    let chunk = hw.nic_buffer.min(job.skb.len - job.fetched);
                    let pieces = Nic::chunk(&job.skb, job.fetched, chunk, hw);
                    job.phase = NicPhase::Dma { pieces, chunk };
                } else {
                    self.active = None;
                }
                log.copy_done(&t);
                log.emit(EventKind::Delivered {
                    file: t.file,
                    offset: t.file_offset,
                    len: t.len,
                    intact: t.intact,
                });
                Ok(NicStep::Sent {
                    len: t.len,
                    intact: t.intact,
                })
            }
            NicPhase::Wire(_) => Ok(NicStep::Idle),
        }
    }

    /// Cycles until the wire (or, when `on_bus`, the fetch) finishes its piece.
    pub fn next_change(&self, on_bus: bool) -> Option<u64> {
        match &self.active.as_ref()?.phase {
            NicPhase::Dma { pieces, .. } if on_bus => pieces.front().map(|t| t.remaining_cycles()),
            NicPhase::Dma { .. } => None,
            NicPhase::Wire(t) => Some(t.remaining_cycles()),
        }
    }

    /// `d` cycles pass: the fetch moves bytes if the NIC owns the bus.
    pub fn elapse_dma(&mut self, d: u64, mem: &mut Memory) -> Result<(), SimError> {
        if let Some(NicJob {
            phase: NicPhase::Dma { pieces, .. },
            ..
        }) = &mut self.active
            && let Some(t) = pieces.front_mut()
        {
            t.elapsed += d;
            mem.carry(t, 1)?;
        }
        Ok(())
    }

    /// `d` cycles pass on the wire.
    pub fn elapse_wire(&mut self, d: u64, mem: &mut Memory) -> Result<(), SimError> {
        if let Some(NicJob {
            phase: NicPhase::Wire(t),
            ..
        }) = &mut self.active
        {
            t.elapsed += d;
            mem.carry(t, 1)?;
        }
        Ok(())
    }
}

/// The part [from, from+len) of a list of page pieces.
pub fn slice_refs(refs: &[PageRef], from: u64, len: u64) -> Vec<PageRef> {
    let mut out = Vec::new();
    let (mut pos, end) = (0u64, from + len);
    for r in refs {
        let (a, b) = (pos.max(from), (pos + r.len).min(end));
        if a < b {
            out.push(PageRef {
                file: r.file,
                frame: r.frame,
                offset: r.offset + (a - pos),
                len: b - a,
                file_offset: r.file_offset + (a - pos),
            });
        }
        pos += r.len;
        if pos >= end {
            break;
        }
    }
    out
}

/// The receive side, for the `recv` workload: a message arrives on the wire after
/// a delay, the NIC's DMA puts it into the kernel's socket receive buffer chunk by
/// chunk, then the NIC interrupts.
#[derive(Clone, Debug)]
pub struct Rx {
    pub start_at: u64,
    pub len: u64,
    pub received: u64,
    pub phase: RxPhase,
    /// The interrupt handler has seen the whole message.
    pub handled: bool,
}

#[derive(Clone, Debug)]
pub enum RxPhase {
    /// Nothing on the wire yet.
    Waiting,
    /// Wire → NIC buffer.
    Wire(Transfer),
    /// NIC buffer → socket receive buffer.
    Dma(Transfer),
    Done,
}

impl Rx {
    pub fn new(start_at: u64, len: u64) -> Rx {
        Rx {
            start_at,
            len,
            received: 0,
            phase: RxPhase::Waiting,
            handled: false,
        }
    }

    /// The next chunk of the message, from the wire into the NIC buffer.
    fn wire_chunk(&self, hw: &Hardware, now: u64) -> RxPhase {
        let n = hw.nic_buffer.min(self.len - self.received);
        let mut t = Transfer::new(
            Place::Wire {
                offset: self.received,
            },
            Place::NicBuffer { offset: 0 },
            n,
            self.received,
            Agent::Device,
            Pace::Rate(hw.nic_rate),
        );
        t.first_cycle = Some(now);
        RxPhase::Wire(t)
    }

    /// Returns `Some(true)` when the last byte is in the receive buffer (the NIC
    /// interrupts), `Some(false)` for any other change.
    pub fn settle(&mut self, hw: &Hardware, log: &mut Log) -> Option<bool> {
        let now = log.now;
        match &mut self.phase {
            RxPhase::Waiting if now >= self.start_at => {
                self.phase = self.wire_chunk(hw, now);
                Some(false)
            }
            RxPhase::Wire(t) if t.done() => {
                let t = *t;
                let dma = Transfer::new(
                    Place::NicBuffer { offset: 0 },
                    Place::RecvBuffer {
                        offset: t.file_offset,
                    },
                    t.len,
                    t.file_offset,
                    Agent::Dma,
                    Pace::Rate(hw.dma_rate),
                )
                .with_engine(Engine::NicDma);
                self.phase = RxPhase::Dma(dma);
                log.copy_done(&t);
                Some(false)
            }
            RxPhase::Dma(t) => {
                if t.first_cycle.is_none() {
                    t.first_cycle = Some(now);
                }
                if !t.done() {
                    return None;
                }
                let t = *t;
                self.received += t.len;
                let done = self.received >= self.len;
                self.phase = if done {
                    RxPhase::Done
                } else {
                    self.wire_chunk(hw, now)
                };
                log.copy_done(&t);
                Some(done)
            }
            _ => None,
        }
    }

    /// The receive DMA needs the bus.
    pub fn wants_bus(&self) -> bool {
        matches!(self.phase, RxPhase::Dma(_))
    }

    pub fn next_change(&self, now: u64, on_bus: bool) -> Option<u64> {
        match &self.phase {
            RxPhase::Waiting => Some(self.start_at.saturating_sub(now)),
            RxPhase::Wire(t) => Some(t.remaining_cycles()),
            RxPhase::Dma(t) if on_bus => Some(t.remaining_cycles()),
            _ => None,
        }
    }

    /// `d` cycles pass: the wire moves bytes, and the DMA when it may use the bus.
    pub fn elapse(&mut self, d: u64, dma_on_bus: bool, mem: &mut Memory) -> Result<(), SimError> {
        match &mut self.phase {
            RxPhase::Wire(t) => {
                t.elapsed += d;
                mem.carry(t, 1)?;
            }
            RxPhase::Dma(t) if dma_on_bus => {
                t.elapsed += d;
                mem.carry(t, 1)?;
            }
            _ => {}
        }
        Ok(())
    }
}
