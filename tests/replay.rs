//! The replay the app draws from: a pure function of the log and the playhead.

use iolab::narrate::narrate;
use iolab::replay::Replay;
use iolab::sim::event::EventKind;
use iolab::sim::program::Access;
use iolab::sim::{Content, Hardware, Method, Setup, Style};

fn replay(method: Method, n: u64, b: u64, sg: bool) -> (Replay, iolab::sim::Counters) {
    let mut hw = Hardware::classroom();
    hw.nic_sg = sg;
    hw.cache_pages = 64;
    let s = Setup {
        name: "r".into(),
        hw,
        method,
        style: Style::Realistic,
        file_size: n,
        buffer_size: b,
        warm_cache: false,
        content: Content::Text,
        seed: 1,
        access: Access::Sequential,
        ..Setup::default()
    };
    let mut m = crate::common::run_setup(s);
    let c = m.counters().clone();
    (
        Replay::new(m.setup.clone(), std::mem::take(&mut m.log.events)),
        c,
    )
}

#[test]
fn seeking_equals_applying_in_order() {
    for method in Method::FILE {
        let (r, _) = replay(method, 90, 32, true);
        let mut st = r.empty_state();
        for k in 0..=r.events.len() {
            r.advance(&mut st, k);
            assert_eq!(r.state_at(k), st, "{method:?} at {k}");
        }
    }
}

#[test]
fn keyframes_agree_on_long_logs() {
    let (r, c) = replay(Method::ReadWrite, 20000, 48, false);
    assert!(r.events.len() > 3 * 8192, "{} events", r.events.len());
    let mut st = r.empty_state();
    for k in [0, 1, 8191, 8192, 8193, 20000, r.events.len()] {
        r.advance(&mut st, k);
        assert_eq!(r.state_at(k), st, "at {k}");
    }
    assert_eq!(&st.counters, &c, "the end shows the core's counters");
}

#[test]
fn the_end_state_holds_the_delivered_bytes() {
    let (r, c) = replay(Method::Read, 40, 40, false);
    let end = r.state_at(r.events.len());
    let user: Vec<u8> = end
        .user
        .cells
        .iter()
        .map(|c| c.expect("every byte arrived"))
        .collect();
    assert_eq!(user, r.files[0]);
    assert_eq!(end.counters, c);
    let (r, _) = replay(Method::Sendfile, 40, 40, false);
    assert_eq!(r.state_at(r.events.len()).wire, 40);
}

#[test]
fn flights_are_few_and_progress_within_bounds() {
    let (r, _) = replay(Method::ReadWrite, 200, 64, false);
    let mut seen = 0;
    for c in 0..=r.total_cycles() {
        let f = r.in_flight(c as f64 + 0.5);
        assert!(f.len() <= 5, "{} flights at {c}", f.len());
        for x in &f {
            assert!((0.0..=1.0).contains(&x.progress));
        }
        seen += f.len();
    }
    assert!(seen > 100);
}

#[test]
fn every_event_has_a_narration() {
    for method in Method::FILE {
        let (r, _) = replay(method, 50, 16, method == Method::Sendfile);
        for e in &r.events {
            let t = narrate(e, &r.setup);
            assert!(t.len() > 10 && t.ends_with(['.', '!']), "{t}");
        }
    }
}

#[test]
fn recv_replays_into_the_user_buffer() {
    for model in iolab::sim::program::IoModel::ALL {
        let s = Setup {
            method: Method::Recv,
            io_model: model,
            file_size: 24,
            buffer_size: 24,
            ..Setup::default()
        };
        let mut m = crate::common::run_setup(s);
        let r = Replay::new(m.setup.clone(), std::mem::take(&mut m.log.events));
        let end = r.state_at(r.events.len());
        let user: Vec<u8> = end.user.cells.iter().map(|c| c.expect("arrived")).collect();
        assert_eq!(user, r.files[0], "{model:?}");
        let mut st = r.empty_state();
        for k in 0..=r.events.len() {
            r.advance(&mut st, k);
            assert_eq!(r.state_at(k), st);
        }
    }
}

#[test]
fn descriptors_are_numbered_from_one_per_engine() {
    use iolab::sim::event::{Engine, EventKind};
    let (r, _) = replay(Method::ReadWrite, 40, 16, false);
    let mut seen = (0, 0);
    for (i, e) in r.events.iter().enumerate() {
        if let EventKind::DmaSetup { engine, .. } = e.kind {
            let st = r.state_at(i + 1);
            let (d, n) = match engine {
                Engine::DiskDma => {
                    seen.0 += 1;
                    (st.dma.unwrap(), seen.0)
                }
                Engine::NicDma => {
                    seen.1 += 1;
                    (st.nic_dma.unwrap(), seen.1)
                }
            };
            assert_eq!(d.number, n, "the picture counts descriptors from 1");
        }
    }
    assert!(seen.0 >= 1 && seen.1 >= 1);
}

#[test]
fn bytes_copied_so_far_grow_smoothly_with_the_copies_in_flight() {
    use iolab::sim::event::Agent;
    let (r, total) = replay(Method::ReadWrite, 40, 40, false);
    let mut last = (0, 0);
    for c in 0..=r.total_cycles() {
        let st = r.state_at(r.events_through(c));
        let flights = r.in_flight(c as f64 + 0.5);
        let cpu =
            st.counters.cpu_copy_bytes + iolab::replay::moving(&flights, |f| f.agent == Agent::Cpu);
        let dma =
            st.counters.dma_copy_bytes + iolab::replay::moving(&flights, |f| f.agent == Agent::Dma);
        assert!(cpu >= last.0 && dma >= last.1, "cycle {c}: never backwards");
        // A copy that has started shows some bytes before it ends.
        last = (cpu, dma);
    }
    assert_eq!(last, (total.cpu_copy_bytes, total.dma_copy_bytes));
}

/// The write path as the scene draws it: pages turn dirty, go to the disk and come
/// back clean; the platter fills; a throttled writer is marked while it sleeps.
#[test]
fn dirty_pages_writeback_and_the_platter_follow_the_log() {
    use iolab::sim::event::EventKind;
    let mut s = Setup {
        method: Method::WriteFile,
        file_size: 192,
        buffer_size: 16,
        ..Setup::default()
    };
    s.hw.dirty_background = 4;
    s.hw.dirty_limit = 6;
    let mut m = crate::common::run_setup(s);
    let events = std::mem::take(&mut m.log.events);
    let r = Replay::new(m.setup.clone(), events.clone());
    let (mut saw_dirty, mut saw_wb, mut saw_throttle) = (false, false, false);
    let mut on_disk = 0;
    for (i, e) in events.iter().enumerate() {
        let st = r.state_at(i + 1);
        match &e.kind {
            EventKind::PageDirtied { frame, .. } => {
                assert!(st.frames[*frame as usize].dirty);
                saw_dirty = true;
            }
            EventKind::WritebackStart { frames, .. } => {
                for f in frames {
                    let v = &st.frames[*f as usize];
                    assert!(v.writeback && !v.dirty);
                }
                assert!(st.writeback.is_some());
                saw_wb = true;
            }
            EventKind::WritebackDone { frames, .. } => {
                for f in frames {
                    assert!(!st.frames[*f as usize].writeback);
                }
            }
            EventKind::Throttled { .. } => {
                assert!(st.throttled);
                saw_throttle = true;
            }
            EventKind::Unthrottled { .. } => assert!(!st.throttled),
            EventKind::Delivered { len, .. } => on_disk += len,
            _ => {}
        }
        assert_eq!(st.on_disk, on_disk, "platter at event {i}");
        assert!(st.on_disk <= 192);
    }
    assert!(saw_dirty && saw_wb && saw_throttle);
    let end = r.state_at(events.len());
    assert_eq!(end.on_disk, 192);
    assert!(end.frames.iter().all(|f| !f.dirty && !f.writeback));
}

/// The caption of a still: the copy moving now, or the last step of the story.
#[test]
fn the_caption_names_the_bytes_moving_now() {
    use iolab::i18n::{Lang, Texts};
    use iolab::sim::event::{Agent, EventKind};
    let (r, _) = replay(Method::ReadWrite, 40, 40, false);
    let t = Texts::of(Lang::En);
    // Halfway through the CPU's copy of the page cache into the user buffer.
    let (first, last) = r
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Copy {
                agent: Agent::Cpu,
                first_cycle,
                last_cycle,
                ..
            } => Some((*first_cycle, *last_cycle)),
            _ => None,
        })
        .unwrap();
    let mid = (first + last) as f64 / 2.0;
    let applied = r.events_through(mid as u64);
    let flights = r.in_flight(mid);
    let text = iolab::narrate::caption(&r.events, applied, &flights, &r.setup, &t).unwrap();
    assert!(text.starts_with("Now the CPU copies bytes 0–15"), "{text}");
    assert!(
        text.contains("7 of 16 bytes") || text.contains("8 of 16 bytes"),
        "{text}"
    );
    assert!(text.contains("user buffer"), "{text}");
    // Nothing moving: the last event that is a step, never the bus's bookkeeping.
    for applied in 1..=r.events.len() {
        let cycle = r.events[applied - 1].cycle as f64;
        if !r.in_flight(cycle).is_empty() {
            continue;
        }
        let text = iolab::narrate::caption(&r.events, applied, &[], &r.setup, &t).unwrap();
        let step = r.events[..applied]
            .iter()
            .rev()
            .find(|e| iolab::narrate::is_step(&e.kind))
            .unwrap();
        assert_eq!(text, iolab::narrate::narrate(step, &r.setup));
    }
}

/// A fault under way is part of the scene's state: its page and whether it is
/// major, from the fault until its frames are mapped.
#[test]
fn a_page_fault_shows_until_its_page_is_mapped() {
    let m = crate::common::run_scene("mmap_faults");
    let r = iolab::replay::Replay::new(m.setup.clone(), m.log.events.clone());
    let mut seen = Vec::new();
    for (i, e) in r.events.iter().enumerate() {
        let after = r.state_at(i + 1);
        match e.kind {
            EventKind::PageFault { page, major, .. } => {
                assert_eq!(after.fault, Some((page, major)));
                seen.push((page, major));
            }
            EventKind::Mapped { .. } => assert_eq!(after.fault, None),
            _ => {}
        }
    }
    assert_eq!(seen, vec![(0, true), (1, false)]);
    assert_eq!(r.state_at(r.events.len()).fault, None);
}
