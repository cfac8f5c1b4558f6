//! The page cache: page frames in kernel memory that hold file pages, in LRU order.
//!
//! A frame in use by an operation (being filled, mapped, referenced by a pipe or by a
//! scatter-gather descriptor) is pinned and never chosen for eviction.

use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Frame {
    pub data: Vec<u8>,
    /// (file, page index) held by this frame.
    pub page: Option<(u32, u64)>,
    pub pins: u32,
    stamp: u64,
}

#[derive(Clone, Debug)]
pub struct PageCache {
    pub capacity: u64,
    pub page_size: u64,
    pub frames: Vec<Frame>,
    index: BTreeMap<(u32, u64), u32>,
    /// Least recently used first: stamp → frame.
    lru: BTreeMap<u64, u32>,
    clock: u64,
    unpinned_resident: u64,
}

/// What `allocate` did, for the event log.
pub struct Allocation {
    pub frame: u32,
    pub evicted: Option<(u32, u64)>,
}

impl PageCache {
    pub fn new(capacity: u64, page_size: u64) -> Self {
        PageCache {
            capacity,
            page_size,
            frames: Vec::new(),
            index: BTreeMap::new(),
            lru: BTreeMap::new(),
            clock: 0,
            unpinned_resident: 0,
        }
    }

    pub fn lookup(&self, file: u32, page: u64) -> Option<u32> {
        self.index.get(&(file, page)).copied()
    }

    /// Marks a frame most recently used.
    pub fn touch(&mut self, frame: u32) {
        let f = &mut self.frames[frame as usize];
        self.lru.remove(&f.stamp);
        self.clock += 1;
        f.stamp = self.clock;
        self.lru.insert(self.clock, frame);
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

    /// Gives a frame to (file, page): a never-used frame if any, else the least
    /// recently used unpinned one. The new frame is pinned and most recently used.
    pub fn allocate(&mut self, file: u32, page: u64) -> Option<Allocation> {
        let (frame, evicted) = if (self.frames.len() as u64) < self.capacity {
            self.frames.push(Frame {
                data: vec![0; self.page_size as usize],
                page: None,
                pins: 0,
                stamp: 0,
            });
            self.unpinned_resident += 1;
            ((self.frames.len() - 1) as u32, None)
        } else {
            let (&stamp, &victim) = self
                .lru
                .iter()
                .find(|&(_, &fr)| self.frames[fr as usize].pins == 0)?;
            self.lru.remove(&stamp);
            let old = self.frames[victim as usize].page.take();
            if let Some(key) = old {
                self.index.remove(&key);
            }
            (victim, old)
        };
        let f = &mut self.frames[frame as usize];
        f.page = Some((file, page));
        f.data.iter_mut().for_each(|b| *b = 0);
        self.index.insert((file, page), frame);
        self.clock += 1;
        f.stamp = self.clock;
        self.lru.insert(self.clock, frame);
        self.pin(frame);
        Some(Allocation { frame, evicted })
    }

    /// The resident pages, least recently used first: (frame, file, page).
    pub fn lru_order(&self) -> Vec<(u32, u32, u64)> {
        self.lru
            .values()
            .filter_map(|&fr| self.frames[fr as usize].page.map(|(f, p)| (fr, f, p)))
            .collect()
    }

    pub fn resident(&self) -> u64 {
        self.index.len() as u64
    }
}
