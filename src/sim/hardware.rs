//! The hardware profile: sizes and speeds of every part, in cycles of the CPU clock.
//!
//! Rates that are fractions of a byte per cycle are kept as integer milli-bytes per
//! cycle, so the same profile gives the same timing on every machine.

use serde::{Deserialize, Serialize};

use super::page_cache::Policy;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiskTransfer {
    /// Programmed I/O: the CPU reads the controller buffer word by word.
    Pio,
    /// The DMA engine moves the controller buffer to memory.
    Dma,
}

impl DiskTransfer {
    pub fn name(self) -> &'static str {
        match self {
            DiskTransfer::Pio => "pio",
            DiskTransfer::Dma => "dma",
        }
    }
}

/// How the kernel talks to the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiskInterface {
    /// A register-style controller: the kernel writes each command into the
    /// controller's registers and programs a separate DMA engine (the seed's picture).
    Controller,
    /// An NVMe drive: the kernel puts commands in a submission queue in memory and
    /// writes the drive's doorbell once per batch; the drive fetches them by DMA,
    /// moves the data itself (a bus master, no separate engine), writes a completion
    /// entry into a completion queue in memory and raises an MSI-X interrupt. With
    /// `disk: pio` the drive behaves as a controller.
    Nvme,
}

impl DiskInterface {
    pub fn name(self) -> &'static str {
        match self {
            DiskInterface::Controller => "controller",
            DiskInterface::Nvme => "nvme",
        }
    }
}

/// How the kernel learns that a disk request is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// The device raises an interrupt; a waiting process sleeps until then.
    Irq,
    /// No completion interrupt: a waiting process spins in the kernel, checking the
    /// device's completion queue (Linux's polled I/O), trading CPU time for latency.
    Poll,
}

impl Completion {
    pub fn name(self) -> &'static str {
        match self {
            Completion::Irq => "irq",
            Completion::Poll => "poll",
        }
    }
}

/// A rate in milli-bytes per cycle (1000 = one byte per cycle).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MilliRate(pub u64);

impl MilliRate {
    pub fn from_bytes_per_cycle(b: f64) -> Option<MilliRate> {
        let m = (b * 1000.0).round();
        if m.is_finite() && (1.0..=1e15).contains(&m) {
            Some(MilliRate(m as u64))
        } else {
            None
        }
    }
    pub fn bytes_per_cycle(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hardware {
    pub profile: String,
    /// Simulated clock, used to turn cycles into seconds in summaries and traces.
    pub clock_hz: u64,
    /// Bytes the CPU moves per register load/store.
    pub word_bytes: u64,
    /// Cycles for the CPU to copy one word memory → register → memory.
    pub cpu_cycles_per_word: u64,
    /// Cycles for the CPU to read one word from the disk controller (PIO).
    pub pio_cycles_per_word: u64,
    pub dma_rate: MilliRate,
    pub disk_latency_cycles: u64,
    pub disk_rate: MilliRate,
    pub disk: DiskTransfer,
    pub controller_buffer: u64,
    pub nic_rate: MilliRate,
    pub nic_buffer: u64,
    pub nic_sg: bool,
    pub syscall_entry_cycles: u64,
    pub syscall_exit_cycles: u64,
    pub irq_cycles: u64,
    /// Kernel bookkeeping per step (look-ups, programming a device).
    pub kernel_cycles: u64,
    /// The process's own work between two system calls.
    pub process_cycles: u64,
    /// The scheduler switching the CPU from one task to another.
    pub context_switch_cycles: u64,
    /// Delivering a signal or an async completion to the process and running its handler.
    pub signal_cycles: u64,
    pub page_size: u64,
    pub cache_pages: u64,
    pub cache_policy: Policy,
    /// Largest readahead window in pages (Linux: read_ahead_kb / 4); 0 turns it off.
    pub readahead_max: u64,
    pub socket_buffer: u64,
    pub pipe_capacity: u64,
    /// O_DIRECT alignment of buffer length and file offset (the disk's sector size).
    pub dio_alignment: u64,
    /// The write path: a dirty page older than this is written back by the flusher
    /// (Linux's dirty_expire_centisecs).
    pub dirty_expire_cycles: u64,
    /// Dirty pages above which the flusher starts writing back at once
    /// (dirty_background_ratio of the cache).
    pub dirty_background: u64,
    /// Dirty pages (and pages being written back) above which a writer is throttled:
    /// it sleeps until writeback brings them down (dirty_ratio).
    pub dirty_limit: u64,
    /// Requests the disk serves at once (1: one at a time, as the classroom's
    /// controller; an NVMe drive's flash channels overlap their latencies while
    /// the medium's bandwidth stays the same).
    pub device_parallelism: u64,
    /// Interrupt coalescing of disk completions (0: off): one interrupt per this
    /// many completions, or once the first has waited this many cycles.
    pub irq_coalesce_count: u64,
    pub irq_coalesce_cycles: u64,
    /// Disk completions by interrupt or by polling (the buffer-ready interrupts of
    /// PIO stay: the CPU must copy).
    pub completion: Completion,
    /// A register-style controller, or an NVMe drive with queues in memory.
    pub disk_interface: DiskInterface,
}

impl Hardware {
    /// The disk is an NVMe drive moving its data by its own DMA.
    pub fn nvme(&self) -> bool {
        self.disk_interface == DiskInterface::Nvme && self.disk == DiskTransfer::Dma
    }
}

impl Hardware {
    /// Slow and tiny: every byte can be watched.
    pub fn classroom() -> Hardware {
        Hardware {
            profile: "classroom".into(),
            clock_hz: 1_000,
            word_bytes: 1,
            cpu_cycles_per_word: 1,
            pio_cycles_per_word: 2,
            dma_rate: MilliRate(1000),
            disk_latency_cycles: 12,
            disk_rate: MilliRate(500),
            disk: DiskTransfer::Dma,
            controller_buffer: 16,
            nic_rate: MilliRate(500),
            nic_buffer: 16,
            nic_sg: false,
            syscall_entry_cycles: 3,
            syscall_exit_cycles: 3,
            irq_cycles: 4,
            kernel_cycles: 1,
            process_cycles: 2,
            context_switch_cycles: 6,
            signal_cycles: 4,
            page_size: 16,
            cache_pages: 8,
            cache_policy: Policy::Lru,
            readahead_max: 4,
            socket_buffer: 64,
            pipe_capacity: 64,
            dio_alignment: 8,
            dirty_expire_cycles: 200,
            dirty_background: 4,
            dirty_limit: 6,
            device_parallelism: 1,
            irq_coalesce_count: 0,
            irq_coalesce_cycles: 0,
            completion: Completion::Irq,
            disk_interface: DiskInterface::Controller,
        }
    }

    /// Orders of magnitude of a current machine: 3 GHz, ~12 GB/s memcpy, NVMe, 10 GbE.
    pub fn modern() -> Hardware {
        Hardware {
            profile: "modern".into(),
            clock_hz: 3_000_000_000,
            word_bytes: 8,
            cpu_cycles_per_word: 2,
            pio_cycles_per_word: 24,
            dma_rate: MilliRate(4000),
            disk_latency_cycles: 30_000,
            disk_rate: MilliRate(1000),
            disk: DiskTransfer::Dma,
            controller_buffer: 128 * 1024,
            nic_rate: MilliRate(417),
            nic_buffer: 64 * 1024,
            nic_sg: false,
            syscall_entry_cycles: 300,
            syscall_exit_cycles: 300,
            irq_cycles: 1_500,
            kernel_cycles: 200,
            process_cycles: 100,
            context_switch_cycles: 3_000,
            signal_cycles: 1_500,
            page_size: 4096,
            cache_pages: 65_536,
            cache_policy: Policy::TwoList,
            readahead_max: 32,
            socket_buffer: 1024 * 1024,
            pipe_capacity: 64 * 1024,
            dio_alignment: 512,
            // 30 s, 10 % and 20 % of the cache: Linux's defaults.
            dirty_expire_cycles: 90_000_000_000,
            dirty_background: 6_553,
            dirty_limit: 13_107,
            // A current NVMe drive serves dozens of requests at once; 8 is enough
            // to hide its latency behind its bandwidth here.
            device_parallelism: 8,
            irq_coalesce_count: 0,
            irq_coalesce_cycles: 0,
            completion: Completion::Irq,
            disk_interface: DiskInterface::Nvme,
        }
    }

    pub fn by_name(name: &str) -> Option<Hardware> {
        match name {
            "classroom" => Some(Hardware::classroom()),
            "modern" => Some(Hardware::modern()),
            _ => None,
        }
    }

    pub const PROFILES: [&'static str; 2] = ["classroom", "modern"];

    /// `recv`: when the message arrives, by default. Late enough that the process
    /// is already waiting for it on this profile (a 3 GHz machine enters recv()
    /// within a microsecond; the classroom machine within a few dozen cycles).
    pub fn default_arrival_delay(&self) -> u64 {
        match self.profile.as_str() {
            "modern" => 30_000,
            _ => 150,
        }
    }

    /// `recv` with a nonblocking socket: the process's work between two tries, by
    /// default (a few system calls' worth).
    pub fn default_poll_interval(&self) -> u64 {
        match self.profile.as_str() {
            "modern" => 3_000,
            _ => 20,
        }
    }
}
