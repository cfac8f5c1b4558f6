//! The DMA engine that serves the disk controller.
//!
//! The kernel programs one descriptor per disk request (source: the controller
//! buffer; destination: page frames or the user buffer; length). Each time the
//! controller's buffer is full, the engine moves it to memory over the bus; after the
//! last byte it raises its completion interrupt. The CPU is free all the while.

use std::collections::VecDeque;

use super::disk::DiskRequest;
use super::error::{SimError, bug};
use super::event::{Agent, Engine, EventKind};
use super::hardware::Hardware;
use super::log::Log;
use super::memory::Memory;
use super::transfer::{Pace, Transfer};

#[derive(Clone, Debug)]
pub struct Descriptor {
    pub id: u64,
    pub request: u64,
    pub len: u64,
    pub moved: u64,
    /// Memory → controller (a disk write): the disk, not the engine, interrupts
    /// when the bytes are on the medium.
    pub write: bool,
}

/// What the engine did when it settled.
pub enum DmaStep {
    Idle,
    Changed,
    /// The controller buffer is empty again (a read) or loaded (a write, `write`);
    /// `irq`: a read's descriptor is complete and the engine raises its interrupt.
    Drained {
        irq: bool,
        write: bool,
    },
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

    /// The engine needs the memory bus while it has bytes to move.
    pub fn wants_bus(&self) -> bool {
        !self.pieces.is_empty()
    }

    /// The controller signalled a full buffer (a read) or an empty one (a write):
    /// move bytes [start, start+len) of the request between it and memory, one
    /// piece per page.
    pub fn load_chunk(&mut self, req: &DiskRequest, start: u64, len: u64, hw: &Hardware) {
        if self.descriptor.is_none() {
            self.descriptor = Some(Descriptor {
                id: req.descriptor.unwrap_or(0),
                request: req.id,
                len: req.len,
                moved: 0,
                write: req.write,
            });
        }
        let pace = Pace::Rate(hw.dma_rate);
        for t in req.transfers(start, len, hw.page_size, Agent::Dma, pace) {
            self.pieces.push_back(t.with_engine(Engine::DiskDma));
        }
        self.chunk_loaded = true;
    }

    pub fn settle(&mut self, log: &mut Log) -> Result<DmaStep, SimError> {
        if let Some(front) = self.pieces.front_mut() {
            if front.first_cycle.is_none() {
                front.first_cycle = Some(log.now);
            }
            if !front.done() {
                return Ok(DmaStep::Idle);
            }
            let t = self
                .pieces
                .pop_front()
                .ok_or_else(|| bug("dma piece vanished"))?;
            log.copy_done(&t);
            if let Some(d) = &mut self.descriptor {
                d.moved += t.len;
            }
            return Ok(DmaStep::Changed);
        }
        if !self.chunk_loaded {
            return Ok(DmaStep::Idle);
        }
        self.chunk_loaded = false;
        let mut irq = false;
        let write = self.descriptor.as_ref().is_some_and(|d| d.write);
        if let Some(d) = self.descriptor.clone()
            && d.moved >= d.len
        {
            self.descriptor = None;
            log.emit(EventKind::DmaComplete {
                engine: Engine::DiskDma,
                descriptor: d.id,
                len: d.len,
                write: d.write,
            });
            if !d.write {
                self.completed.push(d.request);
                irq = true;
            }
        }
        Ok(DmaStep::Drained { irq, write })
    }

    /// Cycles until the piece on the bus is moved (only while the engine owns it).
    pub fn next_change(&self) -> Option<u64> {
        self.pieces.front().map(|t| t.remaining_cycles())
    }

    /// `d` cycles pass with the engine owning the bus.
    pub fn elapse(&mut self, d: u64, mem: &mut Memory) -> Result<(), SimError> {
        if let Some(t) = self.pieces.front_mut() {
            t.elapsed += d;
            mem.carry(t, 1)?;
        }
        Ok(())
    }
}
