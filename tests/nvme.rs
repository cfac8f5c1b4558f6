//! A queue-based disk (device_parallelism > 1, as an NVMe drive's channels): the
//! latencies of requests in flight overlap while the medium keeps its bandwidth;
//! completions may share one interrupt (coalescing).

use iolab::sim::event::{EventKind, IrqLine};
use iolab::sim::program::Style;
use iolab::sim::{Hardware, Machine, Method, Setup};

fn aio(depth: u64, parallelism: u64, coalesce: u64) -> Setup {
    let mut hw = Hardware::modern();
    // A fast wire: the disk, not the network, is the bottleneck.
    hw.nic_rate = iolab::sim::hardware::MilliRate(8000);
    hw.device_parallelism = parallelism;
    hw.irq_coalesce_count = coalesce;
    Setup {
        method: Method::DirectAio,
        style: Style::Textbook,
        file_size: 1 << 20,
        buffer_size: 64 << 10,
        queue_depth: depth,
        arrival_delay: hw.default_arrival_delay(),
        poll_interval: hw.default_poll_interval(),
        hw,
        ..Setup::default()
    }
}

fn run(s: Setup) -> (iolab::sim::Counters, Vec<iolab::sim::Event>) {
    let m = crate::common::run_setup(s);
    (m.counters().clone(), m.log.events)
}

fn storage_irqs(events: &[iolab::sim::Event]) -> usize {
    events
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
        .count()
}

#[test]
fn queue_depth_pays_off_when_the_device_serves_requests_in_parallel() {
    let one = run(aio(1, 8, 0)).0;
    let eight = run(aio(8, 8, 0)).0;
    let serial = run(aio(8, 1, 0)).0;
    assert!(one.data_intact && eight.data_intact && serial.data_intact);
    // The latency overlaps: about a third shorter.
    let gain = 1.0 - eight.cycles as f64 / one.cycles as f64;
    assert!(gain > 0.3, "depth 8 saves {:.0} %", gain * 100.0);
    // A disk that serves one request at a time cannot overlap its latency.
    assert!(serial.cycles > eight.cycles);
}

#[test]
fn coalescing_shares_one_interrupt_among_completions() {
    let requests = (1u64 << 20) / (64 << 10);
    for count in [1u64, 2, 4, 8] {
        let (c, events) = run(aio(8, 8, count));
        assert!(c.data_intact);
        let irqs = storage_irqs(&events) as u64;
        assert!(
            irqs <= requests.div_ceil(count) + 1,
            "count {count}: {irqs} interrupts"
        );
        if count > 1 {
            assert!(irqs < requests, "fewer storage interrupts than requests");
        }
    }
}

#[test]
fn fast_forward_and_stepping_agree_with_parallel_service_and_coalescing() {
    let mut s = aio(4, 4, 3);
    s.hw = Hardware::classroom();
    s.hw.device_parallelism = 4;
    s.hw.irq_coalesce_count = 3;
    s.file_size = 96;
    s.buffer_size = 16;
    s.arrival_delay = s.hw.default_arrival_delay();
    s.poll_interval = s.hw.default_poll_interval();
    let fast = crate::common::run_setup(s.clone());
    let mut slow = Machine::new(s).unwrap();
    slow.run_stepping().unwrap();
    assert_eq!(fast.log.events, slow.log.events);
    assert!(fast.counters().data_intact);
}

/// The two scenes' notes give the runs' numbers.
#[test]
fn the_nvme_scenes_say_what_the_runs_do() {
    use crate::common::summary;
    let n = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap();
    assert_eq!(n(&summary(&["nvme_queue_depth"]), "cycles"), 1_389_280);
    assert_eq!(
        n(
            &summary(&["nvme_queue_depth", "--queue-depth", "1"]),
            "cycles"
        ),
        2_181_140
    );
    let c = summary(&["irq_coalescing"]);
    assert_eq!((n(&c, "cycles"), n(&c, "interrupts")), (1_492_084, 20));
}

/// `completion: poll`: no completion interrupts; the waiting process spins in the
/// kernel instead of sleeping. The trade: less latency (no handler, no task
/// switches) for the CPU busy all the while.
#[test]
fn polled_completions_trade_cpu_time_for_latency() {
    let dio = |completion| {
        let mut hw = Hardware::modern();
        hw.nic_rate = iolab::sim::hardware::MilliRate(8000);
        hw.completion = completion;
        Setup {
            method: Method::DirectIo,
            file_size: 1 << 20,
            buffer_size: 64 << 10,
            arrival_delay: hw.default_arrival_delay(),
            poll_interval: hw.default_poll_interval(),
            hw,
            ..Setup::default()
        }
    };
    let (irq, irq_events) = run(dio(iolab::sim::Completion::Irq));
    let (poll, poll_events) = run(dio(iolab::sim::Completion::Poll));
    assert!(irq.data_intact && poll.data_intact);
    let requests = 16;
    assert_eq!(storage_irqs(&irq_events), requests);
    assert_eq!(storage_irqs(&poll_events), 0);
    assert_eq!(poll.polled_completions, requests as u64);
    assert_eq!(irq.polled_completions, 0);
    // Each read saves its interrupt handler and the switch back after the sleep
    // (the switch away overlaps the disk's latency, so it costs no time).
    let hw = Hardware::modern();
    let saved = requests as u64 * (hw.irq_cycles + hw.context_switch_cycles);
    assert_eq!(irq.task_switches, 2 * requests as u64);
    assert_eq!(poll.task_switches, 0);
    assert_eq!(irq.program_cycles - poll.program_cycles, saved);
    // ... and the CPU is busy nearly all the time instead of a fifth of it.
    assert!(poll.cpu_busy_cycles > 4 * irq.cpu_busy_cycles);
    assert!(poll.cpu_busy_cycles as f64 > 0.95 * poll.program_cycles as f64);
    // Fast-forward equals stepping with polling too.
    let mut step = Machine::new(dio(iolab::sim::Completion::Poll)).unwrap();
    step.run_stepping().unwrap();
    assert_eq!(step.log.events, poll_events);
}

#[test]
fn every_method_runs_intact_with_polled_completions() {
    use iolab::session::{Overrides, resolve, simulate};
    for m in Method::ALL {
        for pio in [false, true] {
            let ov = Overrides {
                method: Some(m),
                completion: Some(iolab::sim::Completion::Poll),
                disk: Some(if pio {
                    iolab::sim::DiskTransfer::Pio
                } else {
                    iolab::sim::DiskTransfer::Dma
                }),
                file_size: Some(64),
                buffer_size: Some(if m == Method::Recv { 64 } else { 16 }),
                ..Overrides::default()
            };
            let (_, setup) = resolve(&None, &ov).unwrap();
            let m2 = simulate(setup).unwrap();
            let c = m2.counters();
            assert!(c.data_intact, "{} pio {pio}", m.name());
            assert_eq!(c.bytes_delivered, m2.expected, "{}", m.name());
        }
    }
}

/// The NVMe interface: commands go into a submission queue in memory, one
/// doorbell write per batch, the drive fetches each command and writes a
/// completion entry before its MSI-X interrupt; a register-style controller has
/// none of these. The bytes move the same way.
#[test]
fn an_nvme_drive_takes_batches_by_doorbell_and_posts_completions() {
    let count = |events: &[iolab::sim::Event], f: &dyn Fn(&EventKind) -> bool| {
        events.iter().filter(|e| f(&e.kind)).count()
    };
    let (c, events) = run(aio(8, 8, 0));
    let requests = 16;
    // One io_submit of 8, then one per later chunk: 1 + 8 doorbells.
    let doorbells: Vec<u64> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Doorbell { commands } => Some(commands),
            _ => None,
        })
        .collect();
    assert_eq!(doorbells.len() as u64, c.doorbells);
    assert_eq!(doorbells[0], 8);
    assert_eq!(doorbells.iter().sum::<u64>(), requests);
    assert_eq!(
        count(&events, &|k| matches!(k, EventKind::CommandFetch { .. })),
        requests as usize
    );
    assert_eq!(
        count(&events, &|k| matches!(
            k,
            EventKind::DeviceCompletion { .. }
        )),
        requests as usize
    );
    // The drive fetches a command only after the doorbell that announced it.
    let first_bell = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Doorbell { .. }))
        .unwrap();
    let first_fetch = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::CommandFetch { .. }))
        .unwrap();
    assert!(first_bell < first_fetch);
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::IrqRaise {
            reason: "completion entry (MSI-X)",
            ..
        }
    )));
    // The same run on a register-style controller: no queue traffic, same bytes.
    let mut s = aio(8, 8, 0);
    s.hw.disk_interface = iolab::sim::DiskInterface::Controller;
    let (plain, plain_events) = run(s);
    assert_eq!(plain.doorbells, 0);
    assert_eq!(
        count(&plain_events, &|k| matches!(
            k,
            EventKind::CommandFetch { .. } | EventKind::DeviceCompletion { .. }
        )),
        0
    );
    assert_eq!(plain.dma_copy_bytes, c.dma_copy_bytes);
    assert!(plain.data_intact && c.data_intact);
}

/// Completions since the last storage interrupt, at each storage interrupt, and
/// the cycles the first of them waited: (completions, waited).
fn per_interrupt(events: &[iolab::sim::Event]) -> Vec<(u64, u64)> {
    let (mut out, mut pending, mut first) = (Vec::new(), 0u64, None);
    for e in events {
        match e.kind {
            EventKind::DeviceCompletion { .. } => {
                pending += 1;
                first.get_or_insert(e.cycle);
            }
            EventKind::IrqRaise {
                line: IrqLine::Dma, ..
            } => {
                out.push((pending, e.cycle - first.unwrap_or(e.cycle)));
                (pending, first) = (0, None);
            }
            _ => {}
        }
    }
    out
}

/// One interrupt reaps at most `irq_coalesce_count` completions; with
/// `irq_coalesce_cycles`, no completion waits longer than that for its interrupt,
/// and a long enough wait shares interrupts; every completion gets one.
#[test]
fn coalescing_bounds_each_interrupt_by_count_and_by_time() {
    let requests = (1u64 << 20) / (64 << 10);
    for count in [2u64, 3, 4] {
        let (c, events) = run(aio(8, 8, count));
        assert!(c.data_intact);
        let per = per_interrupt(&events);
        assert!(
            per.iter().all(|&(n, _)| n >= 1 && n <= count),
            "count {count}: {per:?}"
        );
        assert_eq!(per.iter().map(|p| p.0).sum::<u64>(), requests);
    }
    let baseline = storage_irqs(&run(aio(8, 8, 0)).1) as u64;
    for wait in [20_000u64, 150_000, 300_000] {
        let mut s = aio(8, 8, 0);
        s.hw.irq_coalesce_cycles = wait;
        let (c, events) = run(s);
        assert!(c.data_intact);
        let per = per_interrupt(&events);
        assert!(
            per.iter().all(|&(_, waited)| waited <= wait),
            "wait {wait}: {per:?}"
        );
        assert_eq!(per.iter().map(|p| p.0).sum::<u64>(), requests);
        if wait >= 150_000 {
            assert!(
                (per.len() as u64) < baseline,
                "wait {wait}: {} interrupts",
                per.len()
            );
        }
    }
}
