//! The write path over many sizes: system calls per sync mode, copies per byte,
//! when the disk sees the bytes, throttling, and every byte on the platter.

use iolab::sim::event::{EventKind, WritebackReason};
use iolab::sim::program::SyncMode;
use iolab::sim::{Content, Counters, DiskTransfer, Event, Hardware, Machine, Method, Setup, Style};

/// A write run with room for every page and no writeback before the end, unless
/// a test asks for it.
fn setup(method: Method, sync: SyncMode, n: u64, b: u64) -> Setup {
    let mut hw = Hardware::classroom();
    hw.cache_pages = 4096;
    hw.dirty_background = 4096;
    hw.dirty_limit = 4096;
    hw.dirty_expire_cycles = 1_000_000;
    Setup {
        name: "test".into(),
        hw,
        method,
        sync,
        file_size: n,
        buffer_size: b,
        content: Content::Random,
        seed: 11,
        ..Setup::default()
    }
}

fn run(s: Setup) -> (Counters, Vec<Event>) {
    let m = crate::common::run_setup(s);
    (m.counters().clone(), m.log.events)
}

/// Bytes an O_SYNC run writes back: each write() writes its pages back at once,
/// from the start of its first page to where the file ends now, so a page that
/// two writes share goes to the disk twice.
fn o_sync_bytes(n: u64, b: u64, ps: u64) -> u64 {
    (0..n.div_ceil(b))
        .map(|i| {
            let (o, end) = (i * b, (i * b + b).min(n));
            end - o / ps * ps
        })
        .sum()
}

#[test]
fn calls_and_copies_follow_the_loop_for_every_sync_mode() {
    let ps = Hardware::classroom().page_size;
    let mut runs = 0;
    for method in Method::WRITE {
        for sync in SyncMode::ALL {
            if sync == SyncMode::ODirect && method != Method::WriteFile {
                continue;
            }
            for n in [1u64, 16, 40, 100, 257] {
                for b in [8u64, 16, 24, 64, 512] {
                    // O_DIRECT needs aligned lengths (checked elsewhere).
                    if sync == SyncMode::ODirect && (b % 8 != 0 || n % 8 != 0) {
                        continue;
                    }
                    for style in [Style::Textbook, Style::Realistic] {
                        for disk in [DiskTransfer::Dma, DiskTransfer::Pio] {
                            let mut s = setup(method, sync, n, b);
                            s.style = style;
                            s.hw.disk = disk;
                            let label = format!(
                                "{} {} n={n} b={b} {style:?} {disk:?}",
                                method.name(),
                                sync.name()
                            );
                            let k = n.div_ceil(b);
                            let r = (style == Style::Realistic) as u64;
                            let calls = match method {
                                Method::WriteFile => k,
                                Method::CopyFile => 2 * k + r,
                                _ => k + r,
                            } + (sync == SyncMode::Fsync) as u64;
                            // Bytes to the platter: once, or once per write for O_SYNC.
                            let out = if sync == SyncMode::OSync {
                                o_sync_bytes(n, b, ps)
                            } else {
                                n
                            };
                            // Into memory: the program's bytes are computed there;
                            // a copy reads the input from the disk first.
                            let disk_in = if method == Method::WriteFile { 0 } else { n };
                            let cpu_mem = match (method, sync) {
                                (Method::WriteFile, SyncMode::ODirect) => 0,
                                (Method::CopyFile, _) => 2 * n,
                                _ => n,
                            };
                            let (cpu, dma) = match disk {
                                DiskTransfer::Dma => (cpu_mem, disk_in + out),
                                DiskTransfer::Pio => (cpu_mem + disk_in + out, 0),
                            };
                            let (c, _) = run(s);
                            assert_eq!(c.syscalls, calls, "syscalls: {label}");
                            assert_eq!(c.mode_switches, 2 * calls, "mode switches: {label}");
                            assert_eq!(c.cpu_copy_bytes, cpu, "cpu bytes: {label}");
                            assert_eq!(c.dma_copy_bytes, dma, "dma bytes: {label}");
                            assert!(c.data_intact, "every byte on the platter: {label}");
                            assert_eq!(c.bytes_delivered, n, "delivered once: {label}");
                            runs += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(runs > 300, "{runs}");
}

#[test]
fn copies_per_byte_match_the_lesson() {
    // write_file 1 CPU + 1 DMA; cp 2 + 2; copy_file_range 1 + 2 (cold cache).
    for (method, cpu, dma) in [
        (Method::WriteFile, 1.0, 1.0),
        (Method::CopyFile, 2.0, 2.0),
        (Method::CopyFileRange, 1.0, 2.0),
    ] {
        let (c, _) = run(setup(method, SyncMode::None, 40, 40));
        assert_eq!(
            (c.cpu_copies, c.dma_copies),
            (cpu, dma),
            "{}",
            method.name()
        );
    }
}

#[test]
fn a_buffered_write_returns_before_the_disk_sees_a_byte() {
    let (c, events) = run(setup(Method::WriteFile, SyncMode::None, 100, 16));
    let last_return = events
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::SyscallReturn { .. }))
        .unwrap();
    let first_command = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::DiskCommand { write: true, .. }))
        .unwrap();
    assert!(last_return < first_command);
    // The flusher wrote it back, because the pages expired.
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::WritebackStart {
            reason: WritebackReason::Expired,
            ..
        }
    )));
    assert!(c.program_cycles < c.cycles);
    assert!(c.data_intact);
}

#[test]
fn fsync_waits_and_o_sync_waits_for_every_write() {
    for n in [40u64, 100, 257] {
        let none = run(setup(Method::WriteFile, SyncMode::None, n, 16)).0;
        let fsync = run(setup(Method::WriteFile, SyncMode::Fsync, n, 16)).0;
        let o_sync = run(setup(Method::WriteFile, SyncMode::OSync, n, 16)).0;
        // Durability costs the writer time; every write waiting costs the most.
        assert!(o_sync.program_cycles > fsync.program_cycles, "n={n}");
        assert!(fsync.program_cycles > none.program_cycles, "n={n}");
        // With fsync and O_SYNC the program ends when the data is on the disk.
        assert_eq!(fsync.program_cycles, fsync.cycles);
        assert!(o_sync.writeback_pages >= n.div_ceil(16));
    }
}

#[test]
fn a_fast_writer_is_throttled_at_dirty_limit() {
    for (limit, background) in [(2u64, 1u64), (4, 2), (6, 4)] {
        let mut s = setup(Method::WriteFile, SyncMode::None, 320, 16);
        s.hw.cache_pages = 16;
        s.hw.dirty_limit = limit;
        s.hw.dirty_background = background;
        // The disk is slow next to the writer.
        s.hw.disk_latency_cycles = 200;
        let (c, events) = run(s);
        assert!(c.throttle_cycles > 0, "limit {limit}");
        // A writer is throttled only after a write takes it over the limit.
        assert!(c.dirty_pages_peak <= limit + 2, "limit {limit}: {c:?}");
        assert!(c.data_intact);
        let throttled = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Throttled { .. }))
            .count();
        let woken = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Unthrottled { .. }))
            .count();
        assert_eq!(throttled, woken);
    }
}

#[test]
fn background_writeback_starts_before_the_pages_expire() {
    let mut s = setup(Method::WriteFile, SyncMode::None, 160, 16);
    s.hw.dirty_background = 3;
    let (_, events) = run(s);
    let reasons: Vec<WritebackReason> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::WritebackStart { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.first(), Some(&WritebackReason::Background));
}

#[test]
fn o_direct_writes_skip_the_page_cache_and_need_alignment() {
    let (c, events) = run(setup(Method::WriteFile, SyncMode::ODirect, 64, 16));
    assert_eq!(c.cpu_copy_bytes, 0);
    assert!(!events.iter().any(|e| matches!(
        e.kind,
        EventKind::PageDirtied { .. } | EventKind::CacheInsert { .. }
    )));
    assert!(c.data_intact);
    // A misaligned buffer: write() fails with EINVAL and nothing reaches the disk.
    let (c, events) = run(setup(Method::WriteFile, SyncMode::ODirect, 64, 12));
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::SyscallReturn { result: -22, .. }))
    );
    assert!(!c.data_intact);
    // A file whose last write is short: that write fails, and `run` and `check`
    // say so beforehand, naming the file size.
    let s = setup(Method::WriteFile, SyncMode::ODirect, 60, 16);
    let (field, msg) = s.dio_problem().unwrap();
    assert_eq!(field.name(), "file_size", "{msg}");
    let (c, events) = run(s);
    let results: Vec<i64> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::SyscallReturn { result, .. } => Some(result),
            _ => None,
        })
        .collect();
    assert_eq!(results, [16, 16, 16, -22]);
    assert_eq!(c.bytes_delivered, 48);
}

#[test]
fn sync_is_refused_for_methods_that_do_not_write() {
    let mut s = setup(Method::ReadWrite, SyncMode::Fsync, 40, 40);
    s.method = Method::ReadWrite;
    let (field, msg) = s.validate().unwrap_err();
    assert_eq!(field.name(), "sync");
    assert!(msg.contains("read_write"), "{msg}");
}

#[test]
fn the_same_write_gives_the_same_log() {
    for sync in SyncMode::ALL {
        let s = setup(Method::WriteFile, sync, 96, 24);
        let a = serde_json::to_string(&run(s.clone()).1).unwrap();
        let b = serde_json::to_string(&run(s).1).unwrap();
        assert_eq!(a, b, "{}", sync.name());
    }
}

#[test]
fn fast_forward_and_stepping_agree_on_the_write_path() {
    for method in Method::WRITE {
        let mut s = setup(method, SyncMode::None, 100, 24);
        s.hw.dirty_expire_cycles = 300;
        s.hw.dirty_background = 3;
        s.hw.disk = DiskTransfer::Pio;
        let fast = crate::common::run_setup(s.clone());
        let mut slow = Machine::new(s).unwrap();
        slow.run_stepping().unwrap();
        assert_eq!(fast.log.events, slow.log.events, "{}", method.name());
    }
}

/// The numbers the write scenes' notes give a teacher are the runs' numbers.
#[test]
fn the_write_scenes_say_what_the_runs_do() {
    use crate::common::summary;
    let n = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap();
    let buffered = summary(&["write_buffered"]);
    assert_eq!(n(&buffered, "program_cycles"), 164.0);
    assert_eq!(n(&buffered, "cycles"), 446.0);
    assert_eq!(n(&buffered, "syscalls"), 4.0);
    let fsync = summary(&["write_fsync"]);
    assert_eq!(n(&fsync, "program_cycles"), 387.0);
    assert_eq!(n(&fsync, "syscalls"), 5.0);
    let o_sync = summary(&["write_fsync", "--sync", "o_sync"]);
    assert_eq!(n(&o_sync, "program_cycles"), 444.0);
    assert_eq!(n(&o_sync, "interrupts"), 4.0);
    let o_direct = summary(&["write_fsync", "--sync", "o_direct"]);
    assert_eq!(n(&o_direct, "program_cycles"), 380.0);
    assert_eq!(n(&o_direct, "cpu_copies"), 0.0);
    let throttled = summary(&["write_throttled"]);
    assert_eq!(n(&throttled, "dirty_pages_peak"), 7.0);
    assert_eq!(n(&throttled, "throttle_cycles"), 170.0);
    assert_eq!(n(&throttled, "writeback_pages"), 12.0);
    for (scene, cpu, dma, calls) in [
        ("copy_file", 2.0, 2.0, 2.0),
        ("copy_file_range", 1.0, 2.0, 1.0),
    ] {
        let v = summary(&[scene]);
        assert_eq!(
            (n(&v, "cpu_copies"), n(&v, "dma_copies"), n(&v, "syscalls")),
            (cpu, dma, calls),
            "{scene}"
        );
        assert_eq!(v["data_intact"], true);
    }
}

/// On the modern profile (4 KiB pages, an NVMe drive serving 8 requests at once,
/// its real thresholds): the same calls, copies per byte, and every byte on the
/// platter, for every write method and sync mode, over sizes that cross pages.
#[test]
fn the_write_path_holds_on_the_modern_profile() {
    let ps = Hardware::modern().page_size;
    let mut runs = 0;
    for method in Method::WRITE {
        for sync in SyncMode::ALL {
            if sync == SyncMode::ODirect && method != Method::WriteFile {
                continue;
            }
            for (n, b) in [(4096u64, 4096u64), (100_000, 16_384), (1 << 20, 65_536)] {
                if sync == SyncMode::ODirect && (b % 512 != 0 || n % 512 != 0) {
                    continue;
                }
                let mut hw = Hardware::modern();
                hw.cache_pages = 4096;
                let s = Setup {
                    name: "modern".into(),
                    method,
                    sync,
                    file_size: n,
                    buffer_size: b,
                    content: Content::Random,
                    arrival_delay: hw.default_arrival_delay(),
                    poll_interval: hw.default_poll_interval(),
                    hw,
                    ..Setup::default()
                };
                let label = format!("{} {} n={n} b={b}", method.name(), sync.name());
                let (c, _) = run(s);
                assert!(c.data_intact, "{label}");
                let k = n.div_ceil(b);
                let calls = match method {
                    Method::WriteFile => k,
                    Method::CopyFile => 2 * k,
                    _ => k,
                } + (sync == SyncMode::Fsync) as u64;
                assert_eq!(c.syscalls, calls, "{label}");
                let out = if sync == SyncMode::OSync {
                    o_sync_bytes(n, b, ps)
                } else {
                    n
                };
                let cpu = match (method, sync) {
                    (Method::WriteFile, SyncMode::ODirect) => 0,
                    (Method::CopyFile, _) => 2 * n,
                    _ => n,
                };
                let disk_in = if method == Method::WriteFile { 0 } else { n };
                assert_eq!(c.cpu_copy_bytes, cpu, "{label}");
                assert_eq!(c.dma_copy_bytes, out + disk_in, "{label}");
                runs += 1;
            }
        }
    }
    assert!(runs >= 20, "{runs} runs");
}
