//! The route the scene draws: one numbered arrow per distinct path, a function of
//! the log and the playhead, that ends as the seed's figure.

use iolab::replay::Replay;
use iolab::route::{self, Mover, Spot};
use iolab::sim::event::EventKind;

fn replay(scene: &str) -> Replay {
    let sc = iolab::scenario::load(&crate::common::scene(scene)).unwrap();
    let mut m = crate::common::run_setup(sc.setup().unwrap());
    Replay::new(m.setup.clone(), std::mem::take(&mut m.log.events))
}

/// The route straight from the log: the paths of the copies begun by `cycle`
/// (and the descriptors queued by then), in order of first use.
/// A path: from, to, who moves the bytes.
type PathKey = (Spot, Spot, Mover);

fn brute(r: &Replay, cycle: u64) -> Vec<PathKey> {
    let applied = r.events_through(cycle);
    let mut begun: Vec<((u64, usize), PathKey)> = Vec::new();
    for (i, e) in r.events.iter().enumerate() {
        let (first, path) = match &e.kind {
            EventKind::Copy {
                from,
                to,
                agent,
                first_cycle,
                ..
            } if *first_cycle <= cycle => (
                (*first_cycle, i),
                (Spot::of(from), Spot::of(to), Mover::of(*agent)),
            ),
            EventKind::SocketDescriptors { .. } if i < applied => (
                (e.cycle, i),
                (Spot::PageCache, Spot::Socket, Mover::Descriptors),
            ),
            _ => continue,
        };
        match begun.iter_mut().find(|b| b.1 == path) {
            Some(b) => b.0 = b.0.min(first),
            None => begun.push((first, path)),
        }
    }
    begun.sort();
    begun.into_iter().map(|b| b.1).collect()
}

#[test]
fn the_arrows_at_every_playhead_are_the_paths_begun_in_order() {
    for scene in [
        "read_write",
        "pio_read",
        "sendfile_sg",
        "splice",
        "direct_io",
        "copy_file_range",
    ] {
        let r = replay(scene);
        let end = r.total_cycles();
        for cycle in 0..=end {
            let st = r.state_at(r.events_through(cycle));
            let flights = r.in_flight(cycle as f64 + 0.5);
            let arrows = route::at(&st, &flights);
            let got: Vec<_> = arrows.iter().map(|a| (a.from, a.to, a.mover)).collect();
            assert_eq!(got, brute(&r, cycle), "{scene} at cycle {cycle}");
            for (i, a) in arrows.iter().enumerate() {
                assert_eq!(a.number, i + 1);
            }
            // An arrow glows exactly while a copy on it moves.
            for a in &arrows {
                let moving = flights.iter().any(|f| {
                    (Spot::of(&f.from), Spot::of(&f.to), Mover::of(f.agent))
                        == (a.from, a.to, a.mover)
                });
                assert_eq!(a.live, moving, "{scene} at {cycle}");
            }
        }
    }
}

/// At the end of each scene the route is the seed's figure.
#[test]
fn each_scene_ends_with_the_seed_s_figure() {
    use Mover::*;
    use Spot::*;
    let cases: &[(&str, &[PathKey])] = &[
        (
            "read_write",
            &[
                (Platter, Controller, Device),
                (Controller, PageCache, Dma),
                (PageCache, User, Cpu),
                (User, Socket, Cpu),
                (Socket, Nic, Dma),
                (Nic, Wire, Device),
            ],
        ),
        (
            "pio_read",
            &[
                (Platter, Controller, Device),
                (Controller, PageCache, Cpu),
                (PageCache, User, Cpu),
            ],
        ),
        (
            "sendfile_sg",
            &[
                (Platter, Controller, Device),
                (Controller, PageCache, Dma),
                (PageCache, Socket, Descriptors),
                (PageCache, Nic, Dma),
                (Nic, Wire, Device),
            ],
        ),
        (
            "mmap_write",
            &[
                (Platter, Controller, Device),
                (Controller, PageCache, Dma),
                (PageCache, Socket, Cpu),
                (Socket, Nic, Dma),
                (Nic, Wire, Device),
            ],
        ),
    ];
    for (scene, want) in cases {
        let r = replay(scene);
        let end = r.total_cycles();
        let st = r.state_at(r.events.len());
        let arrows = route::at(&st, &r.in_flight(end as f64 + 1.0));
        let got: Vec<_> = arrows.iter().map(|a| (a.from, a.to, a.mover)).collect();
        assert_eq!(&got, want, "{scene}");
        // The caption's counts: the seed's table.
        let (switches, cpu, dma) = route::caption_counts(&st, &arrows);
        let c = &st.counters;
        assert_eq!(switches, c.mode_switches);
        assert_eq!(
            cpu as f64, c.cpu_copies,
            "{scene}: one CPU arrow per CPU copy"
        );
        assert_eq!(
            dma as f64, c.dma_copies,
            "{scene}: one DMA arrow per DMA copy"
        );
        // Each arrow carries the whole file, once.
        for a in arrows.iter().filter(|a| a.mover.is_copy()) {
            assert_eq!(a.bytes, r.setup.file_size, "{scene}: {a:?}");
        }
    }
}
