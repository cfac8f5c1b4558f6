//! The memory bus: one master moves bytes at a time. The disk's DMA engine goes
//! first, then the NIC's DMA, then the CPU (a CPU copy stalls while a device owns
//! the bus; its cycles of waiting make no progress).

use super::event::{BusOwner, EventKind};
use super::log::Log;

#[derive(Clone, Debug)]
pub struct Bus {
    pub owner: BusOwner,
}

/// Who asks for the bus at this cycle.
pub struct Requests {
    pub disk_dma: bool,
    pub nic_dma: bool,
    pub cpu: bool,
}

impl Default for Bus {
    fn default() -> Self {
        Bus {
            owner: BusOwner::Idle,
        }
    }
}

impl Bus {
    /// Grants the bus to the first in priority who asks; logs a change of owner.
    pub fn arbitrate(&mut self, r: Requests, log: &mut Log) {
        let owner = if r.disk_dma {
            BusOwner::DiskDma
        } else if r.nic_dma {
            BusOwner::NicDma
        } else if r.cpu {
            BusOwner::Cpu
        } else {
            BusOwner::Idle
        };
        if owner != self.owner {
            self.owner = owner;
            log.emit(EventKind::BusOwner { owner });
        }
    }
}
