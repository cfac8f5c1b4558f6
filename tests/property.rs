//! Any valid scenario runs to an intact delivery, or is refused as a user error
//! that names a field: never an internal error. Random profiles, methods, I/O
//! models, hardware overrides and sizes, through the service layer every front
//! end uses.

use iolab::scenario::CacheState;
use iolab::session::{Overrides, resolve, simulate};
use iolab::sim::page_cache::Policy;
use iolab::sim::program::{IoModel, SyncMode};
use iolab::sim::{DiskTransfer, Method, Style};
use proptest::prelude::*;

fn overrides() -> impl Strategy<Value = Overrides> {
    let hardware = (
        prop::sample::select(vec!["classroom", "modern"]),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(1u64..80),
        prop::option::of(0u64..40),
        any::<bool>(),
    );
    let work = (
        prop::sample::select(Method::ALL.to_vec()),
        prop::sample::select(IoModel::ALL.to_vec()),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(1u64..12),
        prop::sample::select(SyncMode::ALL.to_vec()),
    );
    let sizes = (1u64..4096, 1u64..2048, 0u32..3);
    (hardware, work, sizes).prop_map(
        |(
            (profile, pio, sg, cache_pages, ra, two_list),
            (method, model, realistic, warm, qd, sync),
            (n, b, scale),
        )| {
            // On the modern profile, sizes in KiB as well as bytes.
            let k = if profile == "modern" {
                1u64 << (5 * scale)
            } else {
                1
            };
            Overrides {
                method: Some(method),
                file_size: Some(n * k),
                buffer_size: Some(b * k),
                disk: Some(if pio {
                    DiskTransfer::Pio
                } else {
                    DiskTransfer::Dma
                }),
                nic_sg: Some(sg),
                cache: Some(if warm {
                    CacheState::Warm
                } else {
                    CacheState::Cold
                }),
                style: Some(if realistic {
                    Style::Realistic
                } else {
                    Style::Textbook
                }),
                profile: Some(profile.to_string()),
                cache_pages,
                readahead_max: ra,
                policy: Some(if two_list {
                    Policy::TwoList
                } else {
                    Policy::Lru
                }),
                io_model: Some(model),
                queue_depth: qd,
                sqpoll: (method == Method::IoUring).then_some(warm),
                // Polled completions on some runs (any method).
                completion: (realistic && sg).then_some(iolab::sim::Completion::Poll),
                // The classroom's parts with an NVMe drive on some runs.
                disk_interface: (warm && !pio).then_some(iolab::sim::DiskInterface::Nvme),
                // Only the write methods take a sync mode.
                sync: method.writes().then_some(sync),
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn every_valid_scenario_delivers_intact_or_is_refused_naming_a_field(ov in overrides()) {
        match resolve(&None, &ov) {
            Err(e) => {
                let named = e.0.contains("--") || e.0.contains("conditions.") || e.0.contains("hardware.");
                prop_assert!(named, "a refusal must name a field or a flag: {}", e.0);
            }
            Ok((_, setup)) => {
                let misaligned = setup.dio_problem().is_some();
                let m = simulate(setup);
                prop_assert!(m.is_ok(), "{ov:?}: {}", m.err().map(|e| e.0).unwrap_or_default());
                let m = m.unwrap();
                let c = m.counters();
                if misaligned {
                    // O_DIRECT with a misaligned buffer: the kernel says EINVAL.
                    prop_assert!(iolab::session::failed_call(&m).is_some());
                } else {
                    prop_assert!(c.data_intact, "{ov:?}");
                    prop_assert_eq!(c.bytes_delivered, m.expected, "{:?}", ov);
                }
            }
        }
    }
}

/// The write path with random sizes, buffers, thresholds, sync modes and disks.
fn write_setups() -> impl Strategy<Value = iolab::sim::Setup> {
    (
        (
            prop::sample::select(Method::WRITE.to_vec()),
            prop::sample::select(SyncMode::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
        ),
        (1u64..600, 1u64..200, 4u64..64),
        (1u64..40, 0u64..40, 1u64..2000, 0u64..300),
    )
        .prop_map(
            |((method, sync, pio, realistic), (n, b, cache), (limit, bg, expire, latency))| {
                let mut hw = iolab::sim::Hardware::classroom();
                hw.disk = if pio {
                    DiskTransfer::Pio
                } else {
                    DiskTransfer::Dma
                };
                hw.cache_pages = cache;
                hw.dirty_limit = limit;
                hw.dirty_background = bg.min(limit);
                hw.dirty_expire_cycles = expire;
                hw.disk_latency_cycles = latency;
                // Queue-based service and coalesced completions too.
                hw.device_parallelism = 1 + latency % 4;
                hw.irq_coalesce_count = expire % 4;
                iolab::sim::Setup {
                    method,
                    sync,
                    style: if realistic {
                        Style::Realistic
                    } else {
                        Style::Textbook
                    },
                    file_size: n,
                    buffer_size: b,
                    hw,
                    ..iolab::sim::Setup::default()
                }
            },
        )
}

/// A write-path run: refused as a user error, stopped by a misaligned O_DIRECT
/// call, or every byte on the platter with the dirty pages inside the cache.
fn write_run_holds(s: iolab::sim::Setup) -> Result<(), TestCaseError> {
    if s.validate().is_err() {
        return Ok(());
    }
    let misaligned = s.dio_problem().is_some();
    let m = simulate(s.clone());
    prop_assert!(
        m.is_ok(),
        "{s:?}: {}",
        m.err().map(|e| e.0).unwrap_or_default()
    );
    let m = m.unwrap();
    let c = m.counters();
    if misaligned {
        prop_assert!(iolab::session::failed_call(&m).is_some());
    } else {
        prop_assert!(c.data_intact, "{s:?}");
        prop_assert_eq!(c.bytes_delivered, s.file_size);
        prop_assert!(c.dirty_pages_peak <= s.hw.cache_pages);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn the_write_path_never_loses_a_byte(s in write_setups()) {
        write_run_holds(s)?;
    }
}

/// Write-path runs on the modern profile: 4 KiB pages, an NVMe drive (its
/// channels, coalescing, polled or interrupt completions), random thresholds.
fn modern_write_setups() -> impl Strategy<Value = iolab::sim::Setup> {
    (
        (
            prop::sample::select(Method::WRITE.to_vec()),
            prop::sample::select(SyncMode::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
        ),
        (1u64..200_000, 1u64..70_000, 4u64..64),
        (1u64..40, 0u64..40, 1u64..2_000_000, 1u64..9),
    )
        .prop_map(
            |((method, sync, poll, realistic), (n, b, cache), (limit, bg, expire, channels))| {
                let mut hw = iolab::sim::Hardware::modern();
                hw.cache_pages = cache;
                hw.dirty_limit = limit;
                hw.dirty_background = bg.min(limit);
                hw.dirty_expire_cycles = expire;
                hw.device_parallelism = channels;
                hw.irq_coalesce_count = expire % 4;
                if poll {
                    hw.completion = iolab::sim::Completion::Poll;
                }
                iolab::sim::Setup {
                    method,
                    sync,
                    style: if realistic {
                        Style::Realistic
                    } else {
                        Style::Textbook
                    },
                    file_size: n,
                    buffer_size: b,
                    arrival_delay: hw.default_arrival_delay(),
                    poll_interval: hw.default_poll_interval(),
                    hw,
                    ..iolab::sim::Setup::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_write_path_never_loses_a_byte_on_the_modern_profile(s in modern_write_setups()) {
        write_run_holds(s)?;
    }
}
