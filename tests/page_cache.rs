//! The page cache in depth: Linux's readahead windows, and both replacement
//! policies against small reference models written here.

use std::collections::VecDeque;

use iolab::sim::event::{EventKind, Trigger};
use iolab::sim::page_cache::{PageCache, Policy};
use iolab::sim::program::Access;
use iolab::sim::{Content, Hardware, Method, Setup, Style};
use proptest::prelude::*;

fn windows(buffer: u64, file: u64, access: Access) -> Vec<(u64, u64, Trigger)> {
    let hw = Hardware::modern();
    assert_eq!(hw.readahead_max, 32, "read_ahead_kb = 128");
    let s = Setup {
        name: "ra".into(),
        hw,
        method: Method::Read,
        style: Style::Textbook,
        file_size: file,
        buffer_size: buffer,
        warm_cache: false,
        content: Content::Random,
        seed: 5,
        access,
        ..Setup::default()
    };
    let m = crate::common::run_setup(s);
    assert!(m.counters().data_intact);
    m.log
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ReadaheadWindow {
                start,
                size,
                trigger,
                ..
            } => Some((start, size, trigger)),
            _ => None,
        })
        .collect()
}

#[test]
fn sequential_4k_reads_ramp_4_8_16_32_32() {
    let w = windows(4096, 2 << 20, Access::Sequential);
    let sizes: Vec<u64> = w.iter().map(|x| x.1).take(7).collect();
    assert_eq!(sizes, [4, 8, 16, 32, 32, 32, 32]);
    assert_eq!(w[0].2, Trigger::Sync);
    assert!(
        w[1..].iter().all(|x| x.2 == Trigger::Async),
        "later windows come before the reader needs them"
    );
    // Each window starts where the last one ended.
    for pair in w.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + pair[0].1);
    }
}

#[test]
fn sequential_64k_reads_start_at_the_maximum() {
    let w = windows(64 << 10, 2 << 20, Access::Sequential);
    let sizes: Vec<u64> = w.iter().map(|x| x.1).take(5).collect();
    assert_eq!(sizes, [32, 32, 32, 32, 32]);
}

#[test]
fn random_reads_trigger_no_ramp() {
    let w = windows(4096, 1 << 20, Access::Random(11));
    // A random read is read as is; at most a chance sequential pair starts a
    // first window, which never grows.
    assert!(w.iter().all(|x| x.1 <= 4 && x.2 == Trigger::Sync), "{w:?}");
    assert!(w.len() < 20, "{} windows for 256 random reads", w.len());
}

#[test]
fn readahead_saves_waiting() {
    let run = |ra: u64| {
        let mut hw = Hardware::modern();
        hw.readahead_max = ra;
        let s = Setup {
            name: "ra".into(),
            hw,
            method: Method::Read,
            style: Style::Textbook,
            file_size: 1 << 20,
            buffer_size: 4096,
            warm_cache: false,
            content: Content::Text,
            seed: 1,
            access: Access::Sequential,
            ..Setup::default()
        };
        let m = crate::common::run_setup(s);
        m.counters().clone()
    };
    let (off, on) = (run(0), run(32));
    assert_eq!(off.readahead_pages, 0);
    assert!(on.readahead_pages > 200);
    assert_eq!(off.cache_misses, 256, "every page misses without readahead");
    assert!(
        on.cache_misses < 5,
        "{} misses with readahead",
        on.cache_misses
    );
    assert!(
        on.cycles < off.cycles,
        "the disk works while the reader copies"
    );
}

/// The textbook LRU: most recently used at the back.
struct LruModel {
    cap: usize,
    list: Vec<u64>,
}

impl LruModel {
    /// Returns (hit, evicted page).
    fn access(&mut self, p: u64) -> (bool, Option<u64>) {
        if let Some(i) = self.list.iter().position(|&x| x == p) {
            self.list.remove(i);
            self.list.push(p);
            return (true, None);
        }
        let ev = (self.list.len() == self.cap).then(|| self.list.remove(0));
        self.list.push(p);
        (false, ev)
    }
}

/// Linux's two lists as documented: (page, referenced), least recent first, with
/// refault detection: an evicted page's shadow remembers the nonresident age
/// (evictions + activations) when it left.
struct TwoListModel {
    cap: usize,
    inactive: VecDeque<(u64, bool)>,
    active: VecDeque<u64>,
    age: u64,
    shadows: std::collections::BTreeMap<u64, u64>,
}

impl TwoListModel {
    fn balance(&mut self) {
        while self.active.len() > self.inactive.len() {
            let p = self.active.pop_front().unwrap();
            self.inactive.push_back((p, false));
        }
    }

    fn access(&mut self, p: u64) -> (bool, Option<u64>) {
        if let Some(i) = self.inactive.iter().position(|x| x.0 == p) {
            let (_, referenced) = self.inactive.remove(i).unwrap();
            if referenced {
                self.active.push_back(p);
                self.age += 1;
            } else {
                self.inactive.push_back((p, true));
            }
            return (true, None);
        }
        if let Some(i) = self.active.iter().position(|&x| x == p) {
            self.active.remove(i);
            self.active.push_back(p);
            return (true, None);
        }
        let mut ev = None;
        if self.inactive.len() + self.active.len() == self.cap {
            self.balance();
            ev = match self.inactive.pop_front() {
                Some((x, _)) => Some(x),
                None => self.active.pop_front(),
            };
            if let Some(x) = ev {
                self.shadows.insert(x, self.age);
                self.age += 1;
            }
        }
        match self.shadows.remove(&p) {
            Some(left) if self.age - left <= self.active.len() as u64 => {
                self.age += 1;
                self.active.push_back(p);
            }
            _ => self.inactive.push_back((p, true)),
        }
        (false, ev)
    }
}

fn cache_access(c: &mut PageCache, p: u64) -> (bool, Option<u64>) {
    match c.lookup(0, p) {
        Some(f) => {
            c.touch(f);
            (true, None)
        }
        None => {
            let a = c.allocate(0, p).expect("no pins: always a victim");
            // The access that missed is the page's first.
            c.mark_accessed(a.frame);
            c.unpin(a.frame);
            (false, a.evicted.map(|e| e.1))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn policies_agree_with_reference_models(
        cap in 1u64..12,
        pages in proptest::collection::vec(0u64..24, 1..300),
    ) {
        let mut lru = PageCache::new(cap, 16, Policy::Lru);
        let mut two = PageCache::new(cap, 16, Policy::TwoList);
        let mut lm = LruModel { cap: cap as usize, list: Vec::new() };
        let mut tm = TwoListModel { cap: cap as usize, inactive: VecDeque::new(), active: VecDeque::new(), age: 0, shadows: Default::default() };
        for &p in &pages {
            prop_assert_eq!(cache_access(&mut lru, p), lm.access(p));
            prop_assert_eq!(cache_access(&mut two, p), tm.access(p));
            prop_assert!(lru.resident() <= cap && two.resident() <= cap);
            // The lists read back in the model's order.
            let order: Vec<u64> = lru.lists().iter().map(|x| x.2).collect();
            prop_assert_eq!(order, lm.list.clone());
            let inactive: Vec<u64> = tm.inactive.iter().map(|x| x.0).collect();
            let expect: Vec<u64> = inactive.into_iter().chain(tm.active.iter().copied()).collect();
            let got: Vec<u64> = two.lists().iter().map(|x| x.2).collect();
            prop_assert_eq!(got, expect);
        }
    }
}

#[test]
fn two_list_protects_pages_used_twice_from_a_stream() {
    let mut c = PageCache::new(8, 16, Policy::TwoList);
    let mut l = PageCache::new(8, 16, Policy::Lru);
    // Hot pages 0..3 used twice, then a stream of 100 pages read once.
    for cache in [&mut c, &mut l] {
        for _ in 0..2 {
            for p in 0..3 {
                cache_access(cache, p);
            }
        }
        for p in 100..200 {
            cache_access(cache, p);
        }
    }
    let hot = |c: &PageCache| (0..3).filter(|&p| c.lookup(0, p).is_some()).count();
    assert_eq!(hot(&c), 3, "two_list keeps the hot pages");
    assert_eq!(hot(&l), 0, "LRU lets the stream push them out");
}

#[test]
fn the_replay_follows_the_list_order_of_the_cache() {
    use iolab::replay::Replay;
    use iolab::sim::page_cache::List;
    let mut demotions = 0;
    for policy in [Policy::Lru, Policy::TwoList] {
        for access in [Access::Sequential, Access::Random(3)] {
            let mut hw = Hardware::classroom();
            hw.cache_pages = 8;
            hw.cache_policy = policy;
            hw.readahead_max = 2;
            let s = Setup {
                method: Method::Read,
                // A file a little larger than the cache: random reads come back to
                // pages still cached, promote them, and push others out.
                file_size: 192,
                buffer_size: 24,
                access,
                warm_cache: true,
                ..Setup::default()
            };
            let s = Setup { hw, ..s };
            let mut m = crate::common::run_setup(s);
            let lists = m.kernel.cache.lists();
            let pick =
                |l: List| -> Vec<u32> { lists.iter().filter(|x| x.3 == l).map(|x| x.0).collect() };
            let r = Replay::new(m.setup.clone(), std::mem::take(&mut m.log.events));
            let end = r.state_at(r.events.len());
            assert_eq!(end.inactive, pick(List::Inactive), "{policy:?} {access:?}");
            assert_eq!(end.active, pick(List::Active), "{policy:?} {access:?}");
            demotions += r
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::CacheDemote { .. }))
                .count();
        }
    }
    assert!(demotions > 0, "two_list demotes pages in these runs");
}

/// A page the reader missed (allocated, then marked by that access) or read ahead
/// (allocated only).
fn bring_in(c: &mut PageCache, p: u64, read_ahead: bool) -> u32 {
    let a = c.allocate(0, p).expect("a frame");
    if !read_ahead {
        c.mark_accessed(a.frame);
    }
    c.unpin(a.frame);
    a.frame
}

#[test]
fn two_list_activates_on_the_second_access_only() {
    use iolab::sim::page_cache::List;
    let mut c = PageCache::new(8, 16, Policy::TwoList);
    // A missed page: the miss was its first access; the next one activates it.
    let missed = bring_in(&mut c, 0, false);
    assert_eq!(c.list_of(missed), List::Inactive);
    c.touch(missed);
    assert_eq!(c.list_of(missed), List::Active);
    // A page read ahead was never accessed: its first read only marks it.
    let ahead = bring_in(&mut c, 1, true);
    c.touch(ahead);
    assert_eq!(
        c.list_of(ahead),
        List::Inactive,
        "first access of a readahead page"
    );
    c.touch(ahead);
    assert_eq!(c.list_of(ahead), List::Active, "second access");
}

#[test]
fn a_file_read_once_stays_inactive_and_a_second_pass_activates_it() {
    use iolab::sim::page_cache::List;
    let active_after = |passes: u64| {
        let mut hw = Hardware::modern();
        hw.cache_policy = Policy::TwoList;
        let file = iolab::sim::FileSpec {
            name: "f".into(),
            size: 256 << 10,
            content: Content::Random,
            seed: 1,
        };
        let s = Setup {
            hw,
            method: Method::Read,
            file_size: 256 << 10,
            buffer_size: 16 << 10,
            files: vec![file],
            accesses: vec![iolab::sim::AccessSpec {
                file: 0,
                method: Method::Read,
                bytes_per_round: None,
                buffer_size: 16 << 10,
            }],
            rounds: passes,
            ..Setup::default()
        };
        let m = crate::common::run_setup(s);
        assert!(m.counters().data_intact);
        let lists = m.kernel.cache.lists();
        lists.iter().filter(|x| x.3 == List::Active).count()
    };
    // 64 pages, most of them read ahead: one pass promotes none of them.
    assert_eq!(active_after(1), 0);
    assert_eq!(active_after(2), 64);
}

#[test]
fn a_refault_within_the_active_list_size_activates_at_once() {
    use iolab::sim::page_cache::List;
    let mut c = PageCache::new(4, 16, Policy::TwoList);
    // Pages 0 and 1 are hot: two accesses each put them on the active list.
    for p in [0, 1] {
        let f = bring_in(&mut c, p, false);
        c.touch(f);
        assert_eq!(c.list_of(f), List::Active);
    }
    // Page 2, then 3 and 4 push it out (the inactive list holds two frames).
    bring_in(&mut c, 2, false);
    bring_in(&mut c, 3, false);
    bring_in(&mut c, 4, false);
    assert!(c.lookup(0, 2).is_none(), "page 2 was evicted");
    // Read again: its refault distance counts the eviction of page 3 to make room
    // for it, 2 <= 2 active pages.
    let a = c.allocate(0, 2).unwrap();
    assert_eq!(a.refault, Some((2, true)));
    assert_eq!(c.list_of(a.frame), List::Active);
    c.unpin(a.frame);
    // A page that left long ago starts on the inactive list again.
    for p in 10..20 {
        bring_in(&mut c, p, false);
    }
    let a = c.allocate(0, 3).unwrap();
    let (distance, activated) = a.refault.expect("page 3 left a shadow");
    assert!(distance > 2 && !activated, "distance {distance}");
    assert_eq!(c.list_of(a.frame), List::Inactive);
}
