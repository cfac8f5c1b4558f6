//! The page cache: which page frame of RAM holds which file page (the frames'
//! bytes are in `memory.rs`).
//!
//! Two replacement policies:
//! - `lru`: one list, least recently used first (the textbook picture);
//! - `two_list`: Linux's inactive and active lists. A new page enters the inactive
//!   list unreferenced (a readahead page too); its first access marks it
//!   referenced, a second access while inactive promotes it to the active list;
//!   reclaim takes the tail of the inactive list, after demoting the active list's
//!   tail while the active list outgrows the inactive one. A page read once (a large
//!   file streaming through) therefore never pushes out pages that are used again
//!   and again. Refault detection (Linux's workingset): an evicted page leaves a
//!   shadow entry with the eviction age; if it is read again within the active
//!   list's size of evictions and activations, it was evicted too early and goes
//!   straight to the active list.
//!
//! A frame in use by an operation (being filled, mapped, referenced by a pipe or a
//! scatter-gather descriptor) is pinned and never chosen for eviction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    Lru,
    TwoList,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::Lru => "lru",
            Policy::TwoList => "two_list",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum List {
    Inactive,
    Active,
}

#[derive(Clone, Debug)]
pub struct Frame {
    /// (file, page index) held by this frame.
    pub page: Option<(u32, u64)>,
    pub pins: u32,
    pub list: List,
    /// Accessed once since it entered its list (two_list: the next access promotes).
    pub referenced: bool,
    stamp: u64,
}

#[derive(Clone, Debug)]
pub struct PageCache {
    pub capacity: u64,
    pub page_size: u64,
    pub policy: Policy,
    pub frames: Vec<Frame>,
    index: BTreeMap<(u32, u64), u32>,
    /// Each list, least recently used first: stamp → frame. `lru` uses only `inactive`.
    inactive: BTreeMap<u64, u32>,
    active: BTreeMap<u64, u32>,
    clock: u64,
    unpinned_resident: u64,
    /// two_list: the nonresident age (evictions + activations so far), and the age
    /// at which each evicted page left (its shadow entry).
    age: u64,
    shadows: BTreeMap<(u32, u64), u64>,
}

/// What `allocate` did, for the event log.
pub struct Allocation {
    pub frame: u32,
    pub evicted: Option<(u32, u64)>,
    /// two_list: frames demoted to the inactive list to make room, in order.
    pub demoted: Vec<u32>,
    /// two_list: the page was evicted before; its refault distance, and whether
    /// that was short enough to activate it at once.
    pub refault: Option<(u64, bool)>,
}

impl PageCache {
    pub fn new(capacity: u64, page_size: u64, policy: Policy) -> Self {
        PageCache {
            capacity,
            page_size,
            policy,
            frames: Vec::new(),
            index: BTreeMap::new(),
            inactive: BTreeMap::new(),
            active: BTreeMap::new(),
            clock: 0,
            unpinned_resident: 0,
            age: 0,
            shadows: BTreeMap::new(),
        }
    }

    pub fn lookup(&self, file: u32, page: u64) -> Option<u32> {
        self.index.get(&(file, page)).copied()
    }

    fn unlink(&mut self, frame: u32) {
        let f = &self.frames[frame as usize];
        match f.list {
            List::Inactive => self.inactive.remove(&f.stamp),
            List::Active => self.active.remove(&f.stamp),
        };
    }

    fn link(&mut self, frame: u32, list: List) {
        self.clock += 1;
        let f = &mut self.frames[frame as usize];
        f.stamp = self.clock;
        f.list = list;
        match list {
            List::Inactive => self.inactive.insert(self.clock, frame),
            List::Active => self.active.insert(self.clock, frame),
        };
    }

    /// An access to a cached page (a hit).
    pub fn touch(&mut self, frame: u32) {
        self.unlink(frame);
        let (list, referenced) = {
            let f = &self.frames[frame as usize];
            (f.list, f.referenced)
        };
        let (to, now_referenced) = match (self.policy, list, referenced) {
            (Policy::Lru, _, _) => (List::Inactive, true),
            // The second access promotes an inactive page.
            (Policy::TwoList, List::Inactive, true) => (List::Active, false),
            (Policy::TwoList, List::Inactive, false) => (List::Inactive, true),
            (Policy::TwoList, List::Active, _) => (List::Active, true),
        };
        if to == List::Active && list == List::Inactive {
            self.age += 1;
        }
        self.frames[frame as usize].referenced = now_referenced;
        self.link(frame, to);
    }

    /// The access that brought a new page in (a read miss): two_list marks it
    /// referenced, so the next access promotes it. Readahead pages are not marked.
    pub fn mark_accessed(&mut self, frame: u32) {
        self.frames[frame as usize].referenced = true;
    }

    /// two_list, under memory pressure: demote from the active tail (to the
    /// inactive list's recent end, unreferenced) while it outgrows the inactive list.
    fn balance(&mut self) -> Vec<u32> {
        let mut demoted = Vec::new();
        if self.policy != Policy::TwoList {
            return demoted;
        }
        while self.active.len() > self.inactive.len() {
            let Some((&stamp, &frame)) = self.active.iter().next() else {
                break;
            };
            self.active.remove(&stamp);
            self.frames[frame as usize].referenced = false;
            self.link(frame, List::Inactive);
            demoted.push(frame);
        }
        demoted
    }

    /// The list a resident frame is on.
    pub fn list_of(&self, frame: u32) -> List {
        self.frames[frame as usize].list
    }

    pub fn pin(&mut self, frame: u32) {
        let f = &mut self.frames[frame as usize];
        if f.pins == 0 {
            self.unpinned_resident -= 1;
        }
        f.pins += 1;
    }

    pub fn unpin(&mut self, frame: u32) {
        let f = &mut self.frames[frame as usize];
        if f.pins > 0 {
            f.pins -= 1;
            if f.pins == 0 {
                self.unpinned_resident += 1;
            }
        }
    }

    /// How many new pages can be allocated now without evicting a pinned frame,
    /// not counting `reserved` unpinned frames the caller is about to pin.
    pub fn allocatable(&self, reserved: u64) -> u64 {
        let free = self.capacity.saturating_sub(self.frames.len() as u64);
        free + self.unpinned_resident.saturating_sub(reserved)
    }

    fn victim(&self) -> Option<u32> {
        let unpinned = |(_, &fr): (&u64, &u32)| (self.frames[fr as usize].pins == 0).then_some(fr);
        self.inactive
            .iter()
            .find_map(unpinned)
            .or_else(|| self.active.iter().find_map(unpinned))
    }

    /// Gives a frame to (file, page): a never-used frame if any, else the reclaim
    /// victim (the least recently used unpinned page of the inactive list). The new
    /// frame is pinned, unreferenced, on the inactive list (two_list: on the active
    /// list when it refaults within the active list's size).
    pub fn allocate(&mut self, file: u32, page: u64) -> Option<Allocation> {
        let mut demoted = Vec::new();
        let (frame, evicted) = if (self.frames.len() as u64) < self.capacity {
            self.frames.push(Frame {
                page: None,
                pins: 0,
                list: List::Inactive,
                referenced: false,
                stamp: 0,
            });
            self.unpinned_resident += 1;
            ((self.frames.len() - 1) as u32, None)
        } else {
            demoted = self.balance();
            let victim = self.victim()?;
            self.unlink(victim);
            let old = self.frames[victim as usize].page.take();
            if let Some(key) = old {
                self.index.remove(&key);
                if self.policy == Policy::TwoList {
                    self.shadows.insert(key, self.age);
                    self.age += 1;
                }
            }
            (victim, old)
        };
        let refault = self.shadows.remove(&(file, page)).map(|evicted_at| {
            let distance = self.age - evicted_at;
            (distance, distance <= self.active.len() as u64)
        });
        let list = match refault {
            Some((_, true)) => {
                self.age += 1;
                List::Active
            }
            _ => List::Inactive,
        };
        let f = &mut self.frames[frame as usize];
        f.page = Some((file, page));
        f.referenced = false;
        self.index.insert((file, page), frame);
        self.link(frame, list);
        self.pin(frame);
        Some(Allocation {
            frame,
            evicted,
            demoted,
            refault,
        })
    }

    /// The resident pages of each list, least recently used first:
    /// (frame, file, page, list).
    pub fn lists(&self) -> Vec<(u32, u32, u64, List)> {
        self.inactive
            .values()
            .chain(self.active.values())
            .filter_map(|&fr| {
                let f = &self.frames[fr as usize];
                f.page.map(|(file, p)| (fr, file, p, f.list))
            })
            .collect()
    }

    pub fn resident(&self) -> u64 {
        self.index.len() as u64
    }
}
