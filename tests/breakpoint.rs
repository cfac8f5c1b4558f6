//! Breakpoints: the moments a class stops at, by kind, and the selectors the
//! command line takes for its pictures.

use iolab::breakpoint::{Kind, Target, moments, next, resolve};
use iolab::sim::Event;
use iolab::sim::event::{Agent, EventKind};

fn events(scene: &str) -> Vec<Event> {
    let sc = iolab::scenario::load(&crate::common::scene(scene)).unwrap();
    let m = crate::common::run_setup(sc.setup().unwrap());
    m.log.events
}

#[test]
fn selectors_find_the_nth_moment_of_a_kind() {
    let ev = events("read_write");
    let irqs: Vec<usize> = ev
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.kind, EventKind::IrqRaise { .. }))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(resolve("irq_raise:2", &ev), Ok(Target::Event(irqs[1])));
    let write = ev
        .iter()
        .position(|e| matches!(e.kind, EventKind::SyscallEnter { name: "write", .. }))
        .unwrap();
    assert_eq!(
        resolve("syscall_enter:write:1", &ev),
        Ok(Target::Event(write))
    );
    // A copy is shown as it starts.
    let first_dma = ev
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Copy {
                agent: Agent::Dma,
                first_cycle,
                ..
            } => Some(first_cycle),
            _ => None,
        })
        .min()
        .unwrap();
    assert_eq!(resolve("dma_copy:1", &ev), Ok(Target::Cycle(first_dma)));
    assert_eq!(resolve("12", &ev), Ok(Target::Event(12)));
    for bad in [
        "irq_raise:99",
        "irq_raise:0",
        "bogus:1",
        "irq_raise",
        "99999",
    ] {
        let e = resolve(bad, &ev).unwrap_err();
        assert!(e.starts_with(&format!("--at-event {bad}")), "{e}");
    }
}

#[test]
fn running_to_the_next_and_previous_moment_visits_each_in_order() {
    let ev = events("pio_read");
    let m = moments(&ev, &[Kind::Interrupt, Kind::CpuCopy]);
    assert!(m.len() >= 5);
    // Forward from the start visits every moment's cycle once, in order.
    let (mut at, mut seen) = (-1.0, Vec::new());
    while let Some(c) = next(&m, at, true) {
        seen.push(c);
        at = c as f64;
    }
    let mut want: Vec<u64> = m.iter().map(|x| x.0).collect();
    want.dedup();
    assert_eq!(seen, want);
    // And backwards from the end, the same in reverse.
    let (mut at, mut back) = (f64::MAX, Vec::new());
    while let Some(c) = next(&m, at, false) {
        back.push(c);
        at = c as f64;
    }
    back.reverse();
    assert_eq!(back, want);
}

#[cfg(feature = "gui")]
#[test]
fn a_bad_selector_is_refused_before_any_window_opens() {
    let o = crate::common::iolab(&[
        "gui",
        "read_write",
        "--screenshot",
        "/tmp/x.png",
        "--at-event",
        "irq_raise:50",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("such moments"));
}

/// io_uring's completions are moments too: `uring_cqe:N` is the N-th posted.
#[test]
fn io_uring_completions_are_moments() {
    let ev = events("io_uring");
    let cqes: Vec<usize> = ev
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.kind, EventKind::UringCqe { .. }))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(cqes.len(), 12);
    assert_eq!(resolve("uring_cqe:5", &ev), Ok(Target::Event(cqes[4])));
    assert_eq!(moments(&ev, &[Kind::Completion]).len(), 12);
    assert!(resolve("uring_cqe:13", &ev).is_err());
}
