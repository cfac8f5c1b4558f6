//! The DMA engine that serves the disk controller.
//!
//! The kernel programs one descriptor per disk request (source: the controller
//! buffer; destination: page frames or the user buffer; length). Each time the
//! controller's buffer is full, the engine moves it to memory over the bus; after the
//! last byte it raises its completion interrupt. The CPU is free all the while.

use std::collections::VecDeque;

use super::transfer::Transfer;

#[derive(Clone, Debug)]
pub struct Descriptor {
    pub id: u64,
    pub request: u64,
    pub len: u64,
    pub moved: u64,
}

#[derive(Clone, Debug, Default)]
pub struct DmaEngine {
    pub descriptor: Option<Descriptor>,
    /// The pieces of the chunk being moved now, in order.
    pub pieces: VecDeque<Transfer>,
    pub chunk_loaded: bool,
    /// Disk requests whose descriptor is complete, for the interrupt handler.
    pub completed: Vec<u64>,
}

impl DmaEngine {
    pub fn idle(&self) -> bool {
        self.descriptor.is_none() && self.pieces.is_empty() && !self.chunk_loaded
    }
}
