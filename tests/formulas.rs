//! The counting contract (DESIGN.md §2) over many sizes, both styles, cold and warm
//! cache, PIO and DMA disks, scatter-gather on and off.

use iolab::sim::program::Access;
use iolab::sim::{Content, Counters, DiskTransfer, Hardware, Method, Setup, Style};

fn setup(method: Method, n: u64, b: u64) -> Setup {
    let mut hw = Hardware::classroom();
    hw.cache_pages = 4096;
    Setup {
        name: "test".into(),
        hw,
        method,
        style: Style::Textbook,
        file_size: n,
        buffer_size: b,
        warm_cache: false,
        content: Content::Random,
        seed: 7,
        access: Access::Sequential,
        ..Setup::default()
    }
}

fn run(s: Setup) -> Counters {
    let m = crate::common::run_setup(s);
    m.counters().clone()
}

/// The syscalls a program makes, from its loop.
fn expected_syscalls(s: &Setup) -> u64 {
    let k = s.file_size.div_ceil(s.chunk());
    let r = s.style == Style::Realistic;
    match s.method {
        Method::Read => k + r as u64,
        Method::ReadWrite | Method::DirectIo => 2 * k + r as u64,
        Method::MmapWrite => 1 + k + r as u64,
        Method::Sendfile => k,
        Method::Splice => 2 * k + 2 * r as u64,
        Method::Recv | Method::DirectAio => unreachable!("not a loop of DESIGN.md §2"),
        m if m.writes() => unreachable!("the write path: tests/write_path.rs"),
        _ => unreachable!(),
    }
}

/// CPU and DMA bytes copied, from the data path of each method.
fn expected_copy_bytes(s: &Setup) -> (u64, u64) {
    let n = s.file_size;
    let pio = s.hw.disk == DiskTransfer::Pio;
    let disk_io = s.method == Method::DirectIo || !s.warm_cache;
    // Disk → memory: the CPU in PIO mode, the DMA engine otherwise.
    let (mut cpu, mut dma) = match (disk_io, pio) {
        (false, _) => (0, 0),
        (true, true) => (n, 0),
        (true, false) => (0, n),
    };
    cpu += match s.method {
        Method::Read => n,
        Method::ReadWrite => 2 * n,
        Method::MmapWrite | Method::DirectIo => n,
        Method::Sendfile | Method::Splice => {
            if s.hw.nic_sg {
                0
            } else {
                n
            }
        }
        Method::Recv | Method::DirectAio => unreachable!("not a loop of DESIGN.md §2"),
        _ => unreachable!("the write path: tests/write_path.rs"),
    };
    if s.method.sends() {
        dma += n;
    }
    (cpu, dma)
}

fn check(s: Setup) {
    let label = format!(
        "{} n={} b={} {:?} disk={:?} sg={} warm={}",
        s.method.name(),
        s.file_size,
        s.buffer_size,
        s.style,
        s.hw.disk,
        s.hw.nic_sg,
        s.warm_cache
    );
    let sys = expected_syscalls(&s);
    let (cpu, dma) = expected_copy_bytes(&s);
    let c = run(s);
    assert_eq!(c.syscalls, sys, "syscalls: {label}");
    assert_eq!(c.mode_switches, 2 * sys, "mode switches: {label}");
    assert_eq!(c.cpu_copy_bytes, cpu, "cpu copy bytes: {label}");
    assert_eq!(c.dma_copy_bytes, dma, "dma copy bytes: {label}");
    assert!(c.data_intact, "data intact: {label}");
}

#[test]
fn counts_follow_the_program_loop_over_many_sizes() {
    let sizes = [1u64, 7, 16, 40, 100, 257];
    let buffers = [8u64, 16, 24, 64, 512];
    let mut runs = 0;
    for method in Method::FILE {
        for &n in &sizes {
            for &b in &buffers {
                for style in [Style::Textbook, Style::Realistic] {
                    for disk in [DiskTransfer::Dma, DiskTransfer::Pio] {
                        for sg in [false, true] {
                            for warm in [false, true] {
                                let mut s = setup(method, n, b);
                                s.style = style;
                                s.hw.disk = disk;
                                s.hw.nic_sg = sg;
                                s.warm_cache = warm;
                                check(s);
                                runs += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(runs, 6 * 6 * 5 * 16);
}

#[test]
fn splice_calls_are_limited_by_the_pipe() {
    let mut s = setup(Method::Splice, 200, 1000);
    s.hw.pipe_capacity = 64;
    assert_eq!(s.chunk(), 64);
    let c = run(s);
    // ⌈200/64⌉ = 4 chunks, two splice() calls each.
    assert_eq!(c.syscalls, 8);
}

#[test]
fn interrupts_pio_one_per_controller_fill_dma_one_per_request() {
    for (n, cb) in [(40u64, 16u64), (100, 16), (16, 16), (1, 4), (64, 8)] {
        let mut s = setup(Method::Read, n, n);
        s.hw.controller_buffer = cb;
        s.hw.disk = DiskTransfer::Pio;
        assert_eq!(
            run(s.clone()).interrupts,
            n.div_ceil(cb),
            "PIO n={n} cb={cb}"
        );
        s.hw.disk = DiskTransfer::Dma;
        assert_eq!(run(s).interrupts, 1, "DMA n={n} cb={cb}");
    }
}

#[test]
fn warm_cache_removes_the_disk() {
    let mut s = setup(Method::ReadWrite, 40, 40);
    s.warm_cache = true;
    let c = run(s);
    assert_eq!(c.dma_copy_bytes, 40, "only the NIC's DMA remains");
    assert_eq!(c.cpu_copy_bytes, 80);
}

#[test]
fn dma_leaves_the_cpu_freer_than_pio() {
    let mut s = setup(Method::Read, 64, 64);
    s.hw.disk = DiskTransfer::Pio;
    let pio = run(s.clone());
    s.hw.disk = DiskTransfer::Dma;
    let dma = run(s);
    assert!(
        dma.cpu_busy_cycles < pio.cpu_busy_cycles,
        "dma {} pio {}",
        dma.cpu_busy_cycles,
        pio.cpu_busy_cycles
    );
    assert!(pio.cpu_busy_cycles <= pio.cycles);
}

#[test]
fn small_caches_evict_but_deliver_intact() {
    for method in [
        Method::Read,
        Method::ReadWrite,
        Method::Sendfile,
        Method::Splice,
    ] {
        for sg in [false, true] {
            let mut s = setup(method, 300, 32);
            s.hw.cache_pages = 4;
            s.hw.nic_sg = sg;
            s.hw.socket_buffer = 16;
            let (cpu, dma) = expected_copy_bytes(&s);
            let c = run(s);
            assert!(c.data_intact, "{method:?} sg={sg}");
            assert_eq!(
                (c.cpu_copy_bytes, c.dma_copy_bytes),
                (cpu, dma),
                "{method:?} sg={sg}"
            );
        }
    }
}
