//! Properties of the machine itself: intact delivery for random sizes and hardware,
//! fast-forward equals stepping, determinism.

use iolab::sim::event::{EventKind, Mode, ModeCause};
use iolab::sim::program::Access;
use iolab::sim::{Content, DiskTransfer, Hardware, Machine, Method, Setup, Style};
use iolab::trace::jsonl;
use proptest::prelude::*;

fn classroom(method: Method, n: u64, b: u64) -> Setup {
    Setup {
        name: "t".into(),
        hw: Hardware::classroom(),
        method,
        style: Style::Textbook,
        file_size: n,
        buffer_size: b,
        warm_cache: false,
        content: Content::Text,
        seed: 3,
        access: Access::Sequential,
        ..Setup::default()
    }
}

fn log_of(s: Setup, fast: bool) -> String {
    let mut m = Machine::new(s).unwrap();
    if fast {
        m.run_to_end().unwrap();
    } else {
        m.run_stepping().unwrap();
    }
    jsonl(&m.log.events)
}

#[test]
fn fast_forward_log_equals_cycle_by_cycle_log() {
    let mut compared = 0;
    for method in Method::FILE {
        for disk in [DiskTransfer::Pio, DiskTransfer::Dma] {
            for sg in [false, true] {
                for (n, b) in [(40, 40), (57, 16), (130, 48)] {
                    let mut s = classroom(method, n, b);
                    s.hw.disk = disk;
                    s.hw.nic_sg = sg;
                    s.hw.cache_pages = 16;
                    s.hw.socket_buffer = 32;
                    s.style = Style::Realistic;
                    let fast = log_of(s.clone(), true);
                    let slow = log_of(s, false);
                    assert!(fast.lines().count() > 20);
                    assert_eq!(fast, slow, "{method:?} {disk:?} sg={sg} n={n} b={b}");
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 6 * 2 * 2 * 3);
}

#[test]
fn same_scenario_gives_byte_identical_logs() {
    for method in Method::FILE {
        let mut s = classroom(method, 200, 64);
        s.hw.cache_pages = 16;
        s.content = Content::Random;
        assert_eq!(log_of(s.clone(), true), log_of(s, true), "{method:?}");
    }
}

#[test]
fn log_is_ordered_and_complete() {
    let m = crate::common::run_setup(classroom(Method::ReadWrite, 40, 40));
    let ev = &m.log.events;
    assert!(
        ev.windows(2)
            .all(|w| w[0].cycle <= w[1].cycle && w[0].seq + 1 == w[1].seq)
    );
    assert!(matches!(
        ev.first().unwrap().kind,
        EventKind::RunStart { .. }
    ));
    assert!(matches!(
        ev.last().unwrap().kind,
        EventKind::RunEnd {
            data_intact: true,
            ..
        }
    ));
    // Every syscall enters and returns, with the mode switches between.
    let enters = ev
        .iter()
        .filter(|e| matches!(e.kind, EventKind::SyscallEnter { .. }))
        .count();
    let returns = ev
        .iter()
        .filter(|e| matches!(e.kind, EventKind::SyscallReturn { .. }))
        .count();
    assert_eq!((enters, returns), (2, 2));
    let to_kernel = |syscall: bool| {
        ev.iter()
            .filter(|e| match &e.kind {
                EventKind::ModeSwitch {
                    to: Mode::Kernel,
                    cause,
                } => matches!(cause, ModeCause::Syscall { .. }) == syscall,
                _ => false,
            })
            .count()
    };
    assert_eq!(to_kernel(true), 2);
    // The NIC's completion interrupt comes after write() returned: the CPU enters
    // kernel mode for it, but that is not a switch the process made.
    assert_eq!(to_kernel(false), 1);
    // Interrupts are raised, taken and finished.
    for kind in [
        "irq_raise",
        "irq_take",
        "irq_done",
        "dma_setup",
        "dma_complete",
        "cache_miss",
        "cache_insert",
    ] {
        assert!(
            jsonl(ev).contains(&format!("\"type\":\"{kind}\"")),
            "{kind} missing"
        );
    }
    // Copies carry their first and last cycle.
    for e in ev {
        if let EventKind::Copy {
            first_cycle,
            last_cycle,
            ..
        } = e.kind
        {
            assert!(first_cycle <= last_cycle && last_cycle < e.cycle.max(1));
        }
    }
}

#[test]
fn process_sleeps_while_the_disk_works() {
    let m = crate::common::run_setup(classroom(Method::Read, 40, 40));
    let s = jsonl(&m.log.events);
    assert!(s.contains("\"state\":\"sleeping\""));
    assert!(s.contains("\"activity\":\"idle\""));
}

fn hw_strategy() -> impl Strategy<Value = (Hardware, u64)> {
    (
        prop_oneof![Just(16u64), Just(64), Just(512), Just(4096)],
        1u64..=8,
        1u64..=4,
        prop_oneof![Just(8u64), Just(64), Just(4096), Just(65536)],
        prop_oneof![Just(16u64), Just(1500), Just(65536)],
        prop_oneof![Just(64u64), Just(4096), Just(1 << 20)],
        any::<bool>(),
        any::<bool>(),
        1u64..=4000,
    )
        .prop_map(|(page, word, cpw, cb, nicb, sock, pio, sg, rate)| {
            let mut hw = Hardware::modern();
            hw.page_size = page;
            hw.word_bytes = word;
            hw.cpu_cycles_per_word = cpw;
            hw.controller_buffer = cb;
            hw.nic_buffer = nicb;
            hw.socket_buffer = sock;
            hw.disk = if pio {
                DiskTransfer::Pio
            } else {
                DiskTransfer::Dma
            };
            hw.nic_sg = sg;
            hw.dma_rate.0 = rate;
            hw.dio_alignment = 512;
            (hw, page)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn every_method_delivers_the_source_bytes(
        m in 0usize..7,
        (mut hw, page) in hw_strategy(),
        size_frac in 0.0f64..1.0,
        buf_frac in 0.0f64..1.0,
        warm in any::<bool>(),
        realistic in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let method = Method::ALL[m];
        // Small pages mean many events: keep those files smaller.
        let max = if page >= 512 { 3u64 << 20 } else { 48 << 10 };
        let n = 1 + (size_frac * size_frac * max as f64) as u64;
        let mut b = 1 + (buf_frac * (2 * n) as f64) as u64;
        if matches!(method, Method::DirectIo | Method::DirectAio) {
            b = b.div_ceil(512) * 512;
        }
        let pages = n.div_ceil(page) + 2;
        hw.cache_pages = pages.max(b.div_ceil(page) + 2);
        let s = Setup {
            name: "prop".into(),
            hw,
            method,
            style: if realistic { Style::Realistic } else { Style::Textbook },
            file_size: n,
            buffer_size: b,
            warm_cache: warm,
            content: Content::Random,
            seed,
            access: Access::Sequential,
            ..Setup::default()
        };
        let mut machine = Machine::new(s).unwrap().counting_only();
        machine.run_to_end().unwrap();
        let c = machine.counters();
        prop_assert!(c.data_intact);
        prop_assert_eq!(c.bytes_delivered, n);
    }
}

#[test]
fn fast_forward_equals_stepping_for_every_io_model() {
    for model in iolab::sim::program::IoModel::ALL {
        let s = Setup {
            method: Method::Recv,
            io_model: model,
            file_size: 24,
            buffer_size: 32,
            ..Setup::default()
        };
        let fast = log_of(s.clone(), true);
        assert!(fast.contains("\"type\":\"io_phase\""), "{model:?}");
        assert_eq!(fast, log_of(s, false), "{model:?}");
    }
}
