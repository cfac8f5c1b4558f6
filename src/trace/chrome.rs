//! Chrome Trace Event JSON: one track (thread) per hardware part. Copies, system
//! calls and interrupt handlers are duration events that nest within their track;
//! mode switches and interrupt requests are instant events; counters are counter
//! events. Timestamps are simulated microseconds from the profile's clock.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::i18n::{self, Lang, Naming, Texts};

use crate::lanes::{Track, track_of};
use crate::sim::event::{EventKind, ModeCause, Place};
use crate::sim::{Counters, Event, Setup};

/// Tracks: (thread id, name).
pub const TRACKS: [(u32, &str); 7] = [
    (1, "CPU"),
    (2, "disk DMA"),
    (3, "disk"),
    (4, "NIC"),
    (5, "bus"),
    (6, "writeback"),
    (7, "io_uring rings"),
];

fn us(cycle: u64, s: &Setup) -> f64 {
    super::ns(cycle, s) / 1000.0
}

pub fn export(events: &[Event], s: &Setup) -> Vec<u8> {
    // Events are written one by one, so memory stays near the size of the output.
    let mut out = Out {
        buf: Vec::with_capacity(events.len() * 96),
        first: true,
    };
    out.buf.extend_from_slice(b"{\"traceEvents\":[");
    let meta: Vec<Value> = TRACKS
        .iter()
        .map(|(tid, name)| json!({"ph": "M", "pid": 1, "tid": tid, "name": "thread_name", "args": {"name": name}}))
        .collect();
    for m in meta {
        out.push(m);
    }
    out.push(json!({"ph": "M", "pid": 1, "name": "process_name", "args": {"name": format!("iolab: {}", s.name)}}));
    let mut counters = Counters::default();
    let mut open_irq: Option<(u64, String)> = None;
    let mut bus: Option<(u64, String)> = None;
    // The write path: the writer's sleep (writeback requests are async spans:
    // queued at the disk, they overlap).
    let mut throttled: Option<u64> = None;
    // io_uring's SQPOLL thread, alive from io_uring_setup to the program's exit.
    let mut sq_thread: Option<u64> = None;
    for e in events {
        let before = counters.clone();
        counters.observe(e);
        let ts = us(e.cycle, s);
        match &e.kind {
            EventKind::SyscallEnter { name, args, .. } => {
                out.push(json!({"ph": "B", "pid": 1, "tid": 1, "ts": ts, "name": format!("{name}()"), "cat": "syscall", "args": {"args": args}}))
            }
            EventKind::SyscallReturn { name, result, .. } => {
                out.push(json!({"ph": "E", "pid": 1, "tid": 1, "ts": ts, "name": format!("{name}()"), "args": {"result": result}}))
            }
            EventKind::IrqTake { line } => open_irq = Some((e.cycle, format!("{line:?} interrupt"))),
            EventKind::IrqDone { .. } => {
                if let Some((start, name)) = open_irq.take() {
                    let dur = us(e.cycle, s) - us(start, s);
                    out.push(json!({"ph": "X", "pid": 1, "tid": 1, "ts": us(start, s), "dur": dur, "name": name, "cat": "interrupt"}));
                }
            }
            EventKind::Copy { from, to, len, agent, engine, first_cycle, last_cycle, .. } => {
                let tid = match track_of(*agent, *engine, from) {
                    Track::Cpu => 1,
                    Track::DiskDma => 2,
                    Track::Disk => 3,
                    Track::Nic => 4,
                };
                let start = us(*first_cycle, s);
                let dur = us(last_cycle + 1, s) - start;
                let name = format!("{} -> {} ({len} B)", short(from), short(to));
                out.push(json!({"ph": "X", "pid": 1, "tid": tid, "ts": start, "dur": dur, "name": name, "cat": "copy"}));
            }
            EventKind::ModeSwitch { to, cause } => {
                let c = serde_json::to_value(cause).unwrap_or(Value::Null);
                // An interrupt's switch is not the process's: not counted.
                let counted = !matches!(cause, ModeCause::Interrupt { .. });
                let note = if counted { "" } else { " (irq, not counted)" };
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 1, "ts": ts, "name": format!("-> {to:?}{note}"), "cat": "mode", "args": {"cause": c, "counted": counted}}));
            }
            EventKind::IrqRaise { line, reason } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 1, "ts": ts, "name": format!("IRQ {line:?}"), "cat": "irq", "args": {"reason": reason}}));
            }
            EventKind::WritebackStart { request, page, pages, reason, .. } => {
                let name = format!("writeback pages {page}..{} ({reason:?})", page + pages - 1);
                out.push(json!({"ph": "b", "pid": 1, "tid": 6, "id": request, "ts": ts, "name": name, "cat": "writeback"}));
            }
            EventKind::WritebackDone { request, page, pages, .. } => {
                let name = format!("writeback pages {page}..{}", page + pages - 1);
                out.push(json!({"ph": "e", "pid": 1, "tid": 6, "id": request, "ts": ts, "name": name, "cat": "writeback"}));
            }
            EventKind::Throttled { .. } => throttled = Some(e.cycle),
            EventKind::Unthrottled { .. } => {
                if let Some(start) = throttled.take() {
                    out.push(json!({"ph": "X", "pid": 1, "tid": 1, "ts": us(start, s), "dur": ts - us(start, s), "name": "throttled (dirty_limit)", "cat": "writeback"}));
                }
            }
            EventKind::SqThread { running: true } => sq_thread = Some(e.cycle),
            EventKind::SqThread { running: false } => {
                if let Some(start) = sq_thread.take() {
                    out.push(json!({"ph": "X", "pid": 1, "tid": 7, "ts": us(start, s), "dur": ts - us(start, s), "name": "SQ polling thread (its own core, kernel)", "cat": "io_uring"}));
                }
            }
            EventKind::UringSqe { op, offset, len } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 7, "ts": ts, "name": format!("SQE {} {len} B @ {offset}", op.name()), "cat": "io_uring"}));
            }
            EventKind::UringSubmit { count, by } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 7, "ts": ts, "name": format!("{count} SQEs taken ({by})"), "cat": "io_uring"}));
            }
            EventKind::PageFault { page, major, .. } => {
                let kind = if *major { "major" } else { "minor" };
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 1, "ts": ts, "name": format!("page fault ({kind}) page {page}"), "cat": "fault"}));
            }
            EventKind::CommandFetch { request } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 3, "ts": ts, "name": format!("command fetch (request {request})"), "cat": "nvme"}));
            }
            EventKind::DeviceCompletion { request } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 3, "ts": ts, "name": format!("completion entry (request {request})"), "cat": "nvme"}));
            }
            EventKind::CompletionPolled { requests } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 1, "ts": ts, "name": format!("polled {requests} completions"), "cat": "nvme"}));
            }
            EventKind::Doorbell { commands } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 3, "ts": ts, "name": format!("doorbell ({commands} commands)"), "cat": "io_uring"}));
            }
            EventKind::UringCqe { op, offset, result, .. } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 7, "ts": ts, "name": format!("CQE {} @ {offset}: {result}", op.name()), "cat": "io_uring"}));
            }
            EventKind::UringReap { count } => {
                out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": 1, "ts": ts, "name": format!("read {count} CQEs"), "cat": "io_uring"}));
            }
            EventKind::BusOwner { owner } => {
                if let Some((start, name)) = bus.take() {
                    out.push(json!({"ph": "X", "pid": 1, "tid": 5, "ts": us(start, s), "dur": ts - us(start, s), "name": name, "cat": "bus"}));
                }
                let name = format!("{owner:?}");
                if name != "Idle" {
                    bus = Some((e.cycle, name));
                }
            }
            _ => {}
        }
        if counters.sqes_submitted != before.sqes_submitted
            || counters.cqes_reaped != before.cqes_reaped
        {
            out.push(
                json!({"ph": "C", "pid": 1, "ts": ts, "name": "io_uring", "args": {
                    "sqes_submitted": counters.sqes_submitted,
                    "cqes_reaped": counters.cqes_reaped,
                }}),
            );
        }
        if counters.dirty_now != before.dirty_now {
            out.push(json!({"ph": "C", "pid": 1, "ts": ts, "name": "dirty pages", "args": {"dirty": counters.dirty_now}}));
        }
        if counters.syscalls != before.syscalls
            || counters.cpu_copy_bytes != before.cpu_copy_bytes
            || counters.dma_copy_bytes != before.dma_copy_bytes
            || counters.interrupts != before.interrupts
        {
            out.push(
                json!({"ph": "C", "pid": 1, "ts": ts, "name": "counters", "args": {
                    "syscalls": counters.syscalls,
                    "mode_switches": counters.mode_switches,
                    "interrupts": counters.interrupts,
                }}),
            );
            out.push(
                json!({"ph": "C", "pid": 1, "ts": ts, "name": "bytes copied", "args": {
                    "cpu": counters.cpu_copy_bytes,
                    "dma": counters.dma_copy_bytes,
                }}),
            );
        }
    }
    out.buf
        .extend_from_slice(b"],\"displayTimeUnit\":\"ns\",\"otherData\":");
    let other = json!({"generator": "iolab", "clock_hz": s.hw.clock_hz});
    let _ = serde_json::to_writer(&mut out.buf, &other);
    out.buf.push(b'}');
    out.buf
}

/// The trace being written: a JSON array, one event at a time.
struct Out {
    buf: Vec<u8>,
    first: bool,
}

impl Out {
    fn push(&mut self, v: Value) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        // Serializing a Value cannot fail.
        let _ = serde_json::to_writer(&mut self.buf, &v);
    }
}

/// A place's short name on the trace (traces are in English).
fn short(p: &Place) -> String {
    static EN: OnceLock<Texts> = OnceLock::new();
    i18n::place(p, Naming::Label, EN.get_or_init(|| Texts::of(Lang::En)))
}
