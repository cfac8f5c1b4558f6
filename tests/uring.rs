//! io_uring: reads linked to sends through two rings, batched by queue depth; the
//! system calls, ring entries and copies follow formulas of the batch size, SG and
//! SQPOLL; a misaligned buffer fails in the completion, not in the call.

use iolab::sim::event::{EventKind, IrqLine, UringOp};
use iolab::sim::hardware::MilliRate;
use iolab::sim::program::Style;
use iolab::sim::{Counters, Event, Hardware, Machine, Method, Setup};

use crate::common::iolab;

fn uring(hw: Hardware, size: u64, chunk: u64, depth: u64, sqpoll: bool) -> Setup {
    Setup {
        method: Method::IoUring,
        style: Style::Textbook,
        file_size: size,
        buffer_size: chunk,
        queue_depth: depth,
        sqpoll,
        arrival_delay: hw.default_arrival_delay(),
        poll_interval: hw.default_poll_interval(),
        hw,
        ..Setup::default()
    }
}

/// The classroom's slow parts with an NVMe drive (the io_uring scenes' hardware).
fn classroom(sg: bool) -> Hardware {
    let mut hw = Hardware::classroom();
    hw.nic_sg = sg;
    hw.disk_interface = iolab::sim::DiskInterface::Nvme;
    hw
}

fn run(s: Setup) -> (Counters, Vec<Event>) {
    let m = crate::common::run_setup(s);
    (m.counters().clone(), m.log.events)
}

#[test]
fn system_calls_and_ring_entries_follow_the_batch_size_and_sqpoll() {
    for (size, chunk) in [(64u64, 16u64), (40, 8), (100, 16), (16, 16)] {
        let k = size.div_ceil(chunk);
        for depth in [1u64, 2, 3, 8] {
            for sg in [false, true] {
                for sqpoll in [false, true] {
                    let what =
                        format!("{size} B in {chunk} B, depth {depth}, sg {sg}, sqpoll {sqpoll}");
                    let (c, _) = run(uring(classroom(sg), size, chunk, depth, sqpoll));
                    assert!(c.data_intact, "{what}");
                    assert_eq!(c.bytes_delivered, size, "{what}");
                    let batches = k.div_ceil(depth);
                    // setup + register, and one io_uring_enter per batch unless
                    // the kernel's thread polls the ring (no wake-ups modelled: it
                    // spins for the program's whole life).
                    let syscalls = 2 + if sqpoll { 0 } else { batches };
                    assert_eq!(c.syscalls, syscalls, "{what}");
                    assert_eq!(c.mode_switches, 2 * syscalls, "{what}");
                    assert_eq!(c.sqes_submitted, 2 * k, "{what}");
                    // read + send, and the zero-copy send's notification.
                    assert_eq!(c.cqes_reaped, k * if sg { 3 } else { 2 }, "{what}");
                    assert_eq!(c.doorbells, batches, "{what}");
                    // The disk DMAs into the registered buffer, the NIC takes it
                    // out: 2 DMA copies; without SG the CPU copies once.
                    assert_eq!(c.dma_copy_bytes, 2 * size, "{what}");
                    assert_eq!(c.cpu_copy_bytes, if sg { 0 } else { size }, "{what}");
                    assert_eq!(c.sqpoll_cycles > 0, sqpoll, "{what}");
                }
            }
        }
    }
}

#[test]
fn the_sq_thread_runs_the_program_s_whole_life_and_the_process_makes_no_enter() {
    let (c, events) = run(uring(classroom(true), 64, 16, 2, true));
    let start = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::SqThread { running: true }))
        .map(|e| e.cycle)
        .unwrap();
    assert_eq!(c.sqpoll_cycles, c.program_cycles - start);
    assert!(!events.iter().any(|e| matches!(
        e.kind,
        EventKind::SyscallEnter {
            name: "io_uring_enter",
            ..
        }
    )));
    // A register-style controller has no doorbell: each command goes into its
    // registers; the transfer is the same.
    let mut hw = classroom(true);
    hw.disk_interface = iolab::sim::DiskInterface::Controller;
    let (plain, _) = run(uring(hw, 64, 16, 2, true));
    assert_eq!(plain.doorbells, 0);
    assert_eq!(
        (plain.syscalls, plain.dma_copy_bytes, plain.cqes_reaped),
        (c.syscalls, c.dma_copy_bytes, c.cqes_reaped)
    );
    // Every entry was taken by the thread, not by a call.
    assert!(events.iter().all(|e| match &e.kind {
        EventKind::UringSubmit { by, .. } => *by == "sq thread",
        _ => true,
    }));
}

/// The modern profile with a wire fast enough that the disk is the bottleneck.
fn modern_fast_wire() -> Hardware {
    let mut hw = Hardware::modern();
    hw.nic_rate = MilliRate(8000);
    hw.nic_sg = true;
    hw
}

#[test]
fn depth_8_beats_depth_1_on_a_queue_based_disk() {
    let one = run(uring(modern_fast_wire(), 1 << 20, 64 << 10, 1, false)).0;
    let eight = run(uring(modern_fast_wire(), 1 << 20, 64 << 10, 8, false)).0;
    assert!(one.data_intact && eight.data_intact);
    let gain = 1.0 - eight.cycles as f64 / one.cycles as f64;
    assert!(gain > 0.3, "depth 8 saves only {:.0} %", gain * 100.0);
    // Fewer calls too: 2 + 16 batches against 2 + 2.
    assert_eq!((one.syscalls, eight.syscalls), (18, 4));
}

#[test]
fn completions_per_interrupt_are_bounded_by_coalescing() {
    let requests = (1u64 << 20) / (64 << 10);
    for count in [1u64, 2, 4, 8] {
        let mut hw = modern_fast_wire();
        hw.irq_coalesce_count = count;
        let (c, events) = run(uring(hw, 1 << 20, 64 << 10, 8, false));
        assert!(c.data_intact);
        let irqs = events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::IrqRaise {
                        line: IrqLine::Dma,
                        ..
                    }
                )
            })
            .count() as u64;
        // Each batch's last completions may raise one early: one more per batch.
        assert!(
            irqs <= requests.div_ceil(count) + requests.div_ceil(8),
            "count {count}: {irqs} interrupts"
        );
        if count > 1 {
            assert!(irqs < requests, "count {count}: {irqs} interrupts");
        }
    }
}

#[test]
fn fast_forward_equals_stepping_and_runs_are_deterministic() {
    for (sg, sqpoll) in [(false, false), (true, false), (false, true), (true, true)] {
        let s = uring(classroom(sg), 64, 16, 3, sqpoll);
        let fast = crate::common::run_setup(s.clone());
        let mut step = Machine::new(s.clone()).unwrap();
        step.run_stepping().unwrap();
        assert_eq!(fast.log.events, step.log.events, "sg {sg}, sqpoll {sqpoll}");
        let again = run(s).1;
        assert_eq!(fast.log.events, again);
    }
}

#[test]
fn a_misaligned_buffer_fails_in_the_completion_and_the_program_stops() {
    let mut hw = Hardware::modern();
    hw.nic_sg = true;
    for sqpoll in [false, true] {
        // 1000 bytes is not a multiple of the 512-byte sector.
        let (c, events) = run(uring(hw.clone(), 4000, 1000, 2, sqpoll));
        let errors: Vec<_> = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::UringCqe { op, result, .. } if result < 0 => Some((op, result)),
                _ => None,
            })
            .collect();
        assert_eq!(
            errors,
            vec![
                (UringOp::Read, iolab::sim::EINVAL),
                (UringOp::SendZc, -125),
                (UringOp::Read, iolab::sim::EINVAL),
                (UringOp::SendZc, -125),
            ],
            "sqpoll {sqpoll}"
        );
        // The first batch fails; the program reads its completions and stops.
        assert_eq!(c.bytes_delivered, 0);
        assert_eq!(c.sqes_submitted, 4);
    }
    let out = iolab(&[
        "run",
        "--method",
        "io_uring",
        "--profile",
        "modern",
        "--file-size",
        "4000",
        "--buffer-size",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--buffer-size") && err.contains("EINVAL"),
        "{err}"
    );
}

#[test]
fn sqpoll_belongs_to_io_uring_only() {
    let out = iolab(&["run", "--method", "sendfile", "--sqpoll", "on"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--sqpoll") && err.contains("io_uring"),
        "{err}"
    );
    let out = iolab(&["run", "--method", "sendfile+sqpoll"]);
    assert_eq!(out.status.code(), Some(2));
    let ok = iolab(&["run", "--method", "io_uring+sg+sqpoll", "--summary", "json"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    let c = v.get("counters").unwrap_or(&v);
    assert_eq!(c["syscalls"], 2);
    assert_eq!(c["cpu_copies"], 0.0);
}

fn scene_run(name: &str) -> Machine {
    let sc = iolab::scenario::load(&crate::common::scene(name)).unwrap();
    crate::common::run_setup(sc.setup().unwrap())
}

/// The Chrome trace has a track for the rings (entries, completions, the SQPOLL
/// thread's life); the VCD has the thread's signal and the ring counters.
#[test]
fn the_exports_show_the_rings_and_the_sq_thread() {
    let m = scene_run("io_uring_sqpoll");
    let chrome =
        iolab::trace::export(iolab::trace::Format::Chrome, &m.log.events, &m.setup, false).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&chrome).unwrap();
    let events = v["traceEvents"].as_array().unwrap();
    let on_ring_track = |prefix: &str| {
        events
            .iter()
            .filter(|e| e["tid"] == 7 && e["name"].as_str().unwrap_or("").starts_with(prefix))
            .count()
    };
    assert_eq!(on_ring_track("CQE "), 12);
    assert_eq!(on_ring_track("SQE "), 8);
    assert_eq!(on_ring_track("SQ polling thread"), 1);
    assert!(
        events
            .iter()
            .any(|e| e["name"] == "thread_name" && e["args"]["name"] == "io_uring rings")
    );
    let vcd =
        iolab::trace::export(iolab::trace::Format::Vcd, &m.log.events, &m.setup, false).unwrap();
    let vcd = String::from_utf8(vcd).unwrap();
    for signal in ["sq_thread", "sqes_submitted", "cqes_reaped"] {
        assert!(vcd.contains(&format!(" {signal} $end")), "{signal}");
    }
    // cqes_reaped (id `2`) ends at 12: binary ...1100.
    let last = vcd.lines().rfind(|l| l.ends_with(" 2")).unwrap();
    assert!(last.ends_with("1100 2"), "{last}");
    // CSV rows carry the narration.
    let csv =
        iolab::trace::export(iolab::trace::Format::Csv, &m.log.events, &m.setup, false).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("polling thread (SQPOLL) sees 8 new entries"),
        "{csv}"
    );
}

/// `iolab narrate` speaks of the rings in both languages, with no key left untranslated.
#[test]
fn narration_tells_the_rings_in_both_languages() {
    for (lang, words) in [
        (
            "en",
            [
                "submission ring",
                "completion ring",
                "doorbell",
                "zero-copy notification",
            ],
        ),
        ("zh", ["提交队列", "完成队列", "门铃", "零拷贝通知"]),
    ] {
        let out = iolab(&["narrate", "io_uring", "--lang", lang]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for w in words {
            assert!(text.contains(w), "{lang}: {w}");
        }
        assert!(
            !text.contains("n.uring") && !text.contains("n.doorbell"),
            "{lang}"
        );
    }
    let out = iolab(&["narrate", "io_uring_sqpoll", "--lang", "zh"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("轮询线程") && !text.contains("n.sq_thread"),
        "{text}"
    );
}

/// The compare view's "To io_uring" runs: four copies down to none, and the
/// system calls down to setup and register.
#[test]
fn the_to_io_uring_comparison_ends_with_two_calls_and_no_cpu_copy() {
    use iolab::session::{Overrides, resolve};
    let labels = iolab::compare::preset_or_labels("io-uring");
    assert_eq!(labels.last().unwrap(), "io_uring+sg+sqpoll");
    let base = Overrides {
        file_size: Some(64),
        buffer_size: Some(16),
        ..Overrides::default()
    };
    let runs =
        iolab::compare::runs(&labels, &base, |ov| resolve(&None, ov).map(|(_, s)| s)).unwrap();
    let cpu: Vec<u64> = runs.iter().map(|r| r.row.counters.cpu_copy_bytes).collect();
    assert_eq!(cpu, [128, 64, 0, 0]);
    let last = &runs[3].row.counters;
    assert_eq!((last.syscalls, last.mode_switches), (2, 4));
    assert!(last.sqpoll_cycles > 0 && last.data_intact);
}
