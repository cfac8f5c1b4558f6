//! VCD waveforms: CPU mode, each interrupt line, DMA / disk / NIC busy, the bus
//! owner, and the counters as vectors. One timestamp per cycle with a change, in
//! picoseconds of simulated time.

use ::vcd::{IdCode, TimescaleUnit, Value, Writer};

use crate::lanes::{Track, copies};
use crate::sim::event::{BusOwner, EventKind, IrqLine, Mode};
use crate::sim::{Counters, Event, Setup};

/// The signals, in the order they are declared.
pub const SIGNALS: [&str; 20] = [
    "cpu_kernel",
    "irq_disk",
    "irq_dma",
    "irq_nic",
    "disk_dma_busy",
    "disk_busy",
    "nic_busy",
    "bus_owner",
    "syscalls",
    "mode_switches",
    "cpu_copy_bytes",
    "dma_copy_bytes",
    "interrupts",
    "dirty_pages",
    "writer_throttled",
    "sq_thread",
    "sqes_submitted",
    "cqes_reaped",
    "page_faults",
    "polled_completions",
];

#[derive(Clone, Copy, PartialEq)]
struct State {
    kernel: bool,
    irq: [bool; 3],
    busy: [bool; 3],
    bus: u64,
    counters: [u64; 6],
    throttled: bool,
    /// io_uring: the SQPOLL thread runs; entries submitted, completions read;
    /// then page faults (minor and major) and disk completions found by polling.
    sq_thread: bool,
    ring: [u64; 4],
}

fn bits(v: u64, width: u32) -> Vec<Value> {
    (0..width)
        .rev()
        .map(|i| {
            if v >> i & 1 == 1 {
                Value::V1
            } else {
                Value::V0
            }
        })
        .collect()
}

pub fn export(events: &[Event], s: &Setup) -> Result<Vec<u8>, String> {
    let io = |e: std::io::Error| e.to_string();
    let mut w = Writer::new(Vec::new());
    w.timescale(1, TimescaleUnit::PS).map_err(io)?;
    w.add_module("iolab").map_err(io)?;
    let widths = [
        1, 1, 1, 1, 1, 1, 1, 2, 64, 64, 64, 64, 64, 64, 1, 1, 64, 64, 64, 64,
    ];
    let ids: Vec<IdCode> = SIGNALS
        .iter()
        .zip(widths)
        .map(|(n, w_)| w.add_wire(w_, n))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    w.upscope().map_err(io)?;
    w.enddefinitions().map_err(io)?;
    // Busy spans from the copies: each device is busy from a copy's first cycle to
    // its last, so changes are collected per cycle and written in order.
    let mut changes: std::collections::BTreeMap<u64, Vec<(usize, bool)>> = Default::default();
    for (track, _, (first, end)) in copies(events) {
        let dev = match track {
            Track::DiskDma => 0,
            Track::Disk => 1,
            Track::Nic => 2,
            Track::Cpu => continue,
        };
        changes.entry(first).or_default().push((dev, true));
        changes.entry(end).or_default().push((dev, false));
    }
    let ps = |c: u64| (c as u128 * 1_000_000_000_000 / s.hw.clock_hz.max(1) as u128) as u64;
    let mut st = State {
        kernel: false,
        irq: [false; 3],
        busy: [false; 3],
        bus: 0,
        counters: [0; 6],
        throttled: false,
        sq_thread: false,
        ring: [0; 4],
    };
    let mut last: Option<State> = None;
    let mut counters = Counters::default();
    let mut busy_count = [0i64; 3];
    let mut ev = events.iter().peekable();
    let cycles: std::collections::BTreeSet<u64> = events
        .iter()
        .map(|e| e.cycle)
        .chain(changes.keys().copied())
        .collect();
    for c in cycles {
        while let Some(e) = ev.next_if(|e| e.cycle <= c) {
            counters.observe(e);
            match &e.kind {
                EventKind::ModeSwitch { to, .. } => st.kernel = *to == Mode::Kernel,
                EventKind::IrqRaise { line, .. } => st.irq[line_index(*line)] = true,
                EventKind::IrqDone { line } => st.irq[line_index(*line)] = false,
                EventKind::Throttled { .. } => st.throttled = true,
                EventKind::Unthrottled { .. } => st.throttled = false,
                EventKind::SqThread { running } => st.sq_thread = *running,
                EventKind::BusOwner { owner } => {
                    st.bus = match owner {
                        BusOwner::Idle => 0,
                        BusOwner::Cpu => 1,
                        BusOwner::DiskDma => 2,
                        BusOwner::NicDma => 3,
                    }
                }
                _ => {}
            }
        }
        for (d, on) in changes.get(&c).cloned().unwrap_or_default() {
            busy_count[d] += if on { 1 } else { -1 };
        }
        for (busy, count) in st.busy.iter_mut().zip(busy_count) {
            *busy = count > 0;
        }
        st.counters = [
            counters.syscalls,
            counters.mode_switches,
            counters.cpu_copy_bytes,
            counters.dma_copy_bytes,
            counters.interrupts,
            counters.dirty_now,
        ];
        st.ring = [
            counters.sqes_submitted,
            counters.cqes_reaped,
            counters.minor_faults + counters.major_faults,
            counters.polled_completions,
        ];
        if last == Some(st) {
            continue;
        }
        w.timestamp(ps(c)).map_err(io)?;
        let b = |x: bool| if x { Value::V1 } else { Value::V0 };
        let scalars = [
            st.kernel, st.irq[0], st.irq[1], st.irq[2], st.busy[0], st.busy[1], st.busy[2],
        ];
        for (i, v) in scalars.iter().enumerate() {
            let changed = last.is_none_or(|l| {
                [
                    l.kernel, l.irq[0], l.irq[1], l.irq[2], l.busy[0], l.busy[1], l.busy[2],
                ][i] != *v
            });
            if changed {
                w.change_scalar(ids[i], b(*v)).map_err(io)?;
            }
        }
        if last.is_none_or(|l| l.bus != st.bus) {
            w.change_vector(ids[7], bits(st.bus, 2)).map_err(io)?;
        }
        for k in 0..6 {
            if last.is_none_or(|l| l.counters[k] != st.counters[k]) {
                w.change_vector(ids[8 + k], bits(st.counters[k], 64))
                    .map_err(io)?;
            }
        }
        if last.is_none_or(|l| l.throttled != st.throttled) {
            w.change_scalar(ids[14], b(st.throttled)).map_err(io)?;
        }
        if last.is_none_or(|l| l.sq_thread != st.sq_thread) {
            w.change_scalar(ids[15], b(st.sq_thread)).map_err(io)?;
        }
        for k in 0..4 {
            if last.is_none_or(|l| l.ring[k] != st.ring[k]) {
                w.change_vector(ids[16 + k], bits(st.ring[k], 64))
                    .map_err(io)?;
            }
        }
        last = Some(st);
    }
    Ok(w.writer().clone())
}

fn line_index(l: IrqLine) -> usize {
    match l {
        IrqLine::Disk => 0,
        IrqLine::Dma => 1,
        IrqLine::Nic => 2,
    }
}
