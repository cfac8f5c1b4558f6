//! mmap by page faults (realistic style): mmap() only sets up the mapping, and
//! write()'s copy from it faults each page in. Checked against what Linux did
//! (shared/linux-measured/mmap-warm-faults.md): a warm 1 MiB mapping takes 16
//! minor faults (fault-around maps 16 pages per fault).

use iolab::sim::event::EventKind;
use iolab::sim::{Content, DiskTransfer, Hardware, Machine, Method, Setup, Style};

fn run(hw: Hardware, n: u64, b: u64, style: Style, warm: bool) -> Machine {
    let s = Setup {
        hw,
        method: Method::MmapWrite,
        style,
        file_size: n,
        buffer_size: b,
        warm_cache: warm,
        content: Content::Random,
        ..Setup::default()
    };
    let m = crate::common::run_setup(s);
    assert!(m.counters().data_intact, "{n} {b} {style:?} warm {warm}");
    m
}

#[test]
fn a_warm_mapping_takes_one_minor_fault_per_16_pages() {
    for n in [4096, 65536, 1 << 20, (3 << 20) + 100] {
        for b in [4096, 65536, n] {
            let m = run(Hardware::modern(), n, b, Style::Realistic, true);
            let c = m.counters();
            let pages = n.div_ceil(4096);
            assert_eq!(c.minor_faults, pages.div_ceil(16), "{n} in {b}");
            assert_eq!(c.major_faults, 0);
            // Faults taken inside write() are taken in kernel mode: no switches.
            assert_eq!(c.mode_switches, 2 * c.syscalls, "{n} in {b}");
            // mmap + k writes + munmap, as strace counts.
            assert_eq!(c.syscalls, 2 + n.div_ceil(b));
            assert_eq!(c.dma_copy_bytes, n, "warm: only the NIC's DMA");
        }
    }
}

#[test]
fn a_cold_mapping_reads_the_disk_inside_write_after_mmap_returned() {
    for (hw, n, b) in [
        (Hardware::modern(), 1u64 << 20, 65536u64),
        (Hardware::modern(), 200_000, 4096),
        (Hardware::classroom(), 100, 32),
        (Hardware::classroom(), 40, 40),
    ] {
        for disk in [DiskTransfer::Dma, DiskTransfer::Pio] {
            let mut hw = hw.clone();
            hw.disk = disk;
            hw.cache_pages = hw.cache_pages.max(256);
            let m = run(hw, n, b, Style::Realistic, false);
            let c = m.counters();
            assert!(c.major_faults >= 1, "{n}");
            let events = &m.log.events;
            let mmap_returned = events
                .iter()
                .position(|e| matches!(e.kind, EventKind::SyscallReturn { name: "mmap", .. }))
                .unwrap();
            let first_disk = events
                .iter()
                .position(|e| matches!(e.kind, EventKind::DiskCommand { .. }))
                .unwrap();
            assert!(
                first_disk > mmap_returned,
                "the disk works for write(), not mmap()"
            );
            // Every page came in by a fault, major or minor: the faults' mappings
            // add up to the whole file, each page once.
            let pages = n.div_ceil(m.setup.hw.page_size);
            let mapped: u64 = events
                .iter()
                .map(|e| match &e.kind {
                    EventKind::Mapped { frames } => frames.len() as u64,
                    _ => 0,
                })
                .sum();
            assert_eq!(mapped, pages, "{n}");
            assert!(c.major_faults + c.minor_faults <= pages);
            assert_eq!(c.mode_switches, 2 * c.syscalls);
            // The seed's copies: one CPU copy, two DMA (disk in, NIC out) per byte.
            assert_eq!(
                c.cpu_copy_bytes,
                if disk == DiskTransfer::Pio { 2 * n } else { n }
            );
        }
    }
}

#[test]
fn the_textbook_mapping_populates_at_mmap_and_never_faults() {
    let m = run(Hardware::classroom(), 40, 40, Style::Textbook, false);
    let c = m.counters();
    assert_eq!((c.minor_faults, c.major_faults), (0, 0));
    // The seed's row: 4 mode switches, 1 CPU copy, 2 DMA copies.
    assert_eq!((c.mode_switches, c.cpu_copies, c.dma_copies), (4, 1.0, 2.0));
}

/// The shipped mmap_faults scene does what its notes say.
#[test]
fn the_mmap_faults_scene_says_what_it_does() {
    let v = crate::common::summary(&["scenes/mmap_faults.ron"]);
    let text = include_str!("../scenes/mmap_faults.ron");
    for (key, want) in [
        ("syscalls", 3),
        ("mode_switches", 6),
        ("major_faults", 1),
        ("minor_faults", 1),
        ("interrupts", 2),
    ] {
        assert_eq!(v[key], want, "{key}");
    }
    assert_eq!(
        (v["cpu_copies"].as_f64(), v["dma_copies"].as_f64()),
        (Some(1.0), Some(2.0))
    );
    assert!(text.contains("3 system calls (mmap, write, munmap), 6 mode"));
    assert!(text.contains("1 major + 1 minor fault, 1 CPU copy + 2 DMA copies, 2 interrupts"));
}

/// `iolab compare` shows the faults when a run takes them.
#[test]
fn compare_shows_the_faults_of_realistic_mmap() {
    let out = crate::common::iolab(&[
        "compare",
        "scenes/mmap_faults.ron",
        "--methods",
        "mmap_write,read_write",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let col = |k: &str| {
        head.iter()
            .position(|h| *h == k)
            .unwrap_or_else(|| panic!("{k}: {text}"))
    };
    assert_eq!(
        (row[col("minor_faults")], row[col("major_faults")]),
        ("1", "1"),
        "{text}"
    );
}
