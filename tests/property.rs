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
