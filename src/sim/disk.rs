//! The disk and its controller.
//!
//! A request first waits the disk's latency (seek, or flash look-up), then the disk
//! fills the controller's internal buffer chunk by chunk. When the buffer is full the
//! controller either interrupts the CPU (PIO: the CPU must empty it word by word) or
//! signals the DMA engine, which empties it without the CPU.

use std::collections::VecDeque;

use super::event::Place;
use super::hardware::DiskTransfer;
use super::transfer::Transfer;

/// Where the bytes of a disk request end up.
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
    pub file: u32,
    pub offset: u64,
    pub len: u64,
    pub dest: Dest,
    pub transfer: DiskTransfer,
    /// The DMA descriptor programmed for it (DMA mode only).
    pub descriptor: Option<u64>,
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

#[derive(Clone, Debug)]
pub enum DiskPhase {
    /// Waiting for the medium (seek, rotation, flash read latency).
    Seek { left: u64 },
    /// Medium → controller buffer.
    Fill(Transfer),
    /// The buffer holds bytes [start, start+len) of the request until drained.
    Full { start: u64, len: u64, drained: bool },
}

#[derive(Clone, Debug)]
pub struct ActiveRequest {
    pub req: DiskRequest,
    /// Bytes of the request already brought into the controller buffer.
    pub filled: u64,
    pub phase: DiskPhase,
}

#[derive(Clone, Debug)]
pub struct Disk {
    pub controller: Vec<u8>,
    pub queue: VecDeque<DiskRequest>,
    pub active: Option<ActiveRequest>,
}

impl Disk {
    pub fn new(controller_buffer: u64) -> Self {
        Disk {
            controller: vec![0; controller_buffer as usize],
            queue: VecDeque::new(),
            active: None,
        }
    }

    pub fn idle(&self) -> bool {
        self.active.is_none() && self.queue.is_empty()
    }
}
