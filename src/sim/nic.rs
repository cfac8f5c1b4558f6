//! The network card: a transmit buffer, its own bus-master DMA and the wire.
//!
//! For each queued socket buffer entry the NIC's DMA fetches up to one transmit
//! buffer of bytes, then sends them on the wire. Without scatter-gather it fetches
//! from the socket buffer (where the CPU copied the bytes); with scatter-gather the
//! socket buffer holds only descriptors and the NIC gathers straight from page-cache
//! frames. After fetching the last byte of an entry it interrupts the CPU so the
//! kernel can free the socket buffer space.

use std::collections::VecDeque;

use super::event::PageRef;
use super::transfer::Transfer;

#[derive(Clone, Debug)]
pub enum SkbData {
    /// Bytes the CPU copied into the socket buffer.
    Bytes,
    /// Scatter-gather descriptors: page-cache frame ranges.
    Pages(Vec<PageRef>),
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

#[derive(Clone, Debug)]
pub struct Nic {
    pub buffer: Vec<u8>,
    pub queue: VecDeque<Skb>,
    pub active: Option<NicJob>,
    /// Entries fully fetched, waiting for the interrupt handler to free them.
    pub completed: Vec<Skb>,
}

impl Nic {
    pub fn new(buffer: u64) -> Self {
        Nic {
            buffer: vec![0; buffer as usize],
            queue: VecDeque::new(),
            active: None,
            completed: Vec::new(),
        }
    }

    pub fn idle(&self) -> bool {
        self.active.is_none() && self.queue.is_empty() && self.completed.is_empty()
    }
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
