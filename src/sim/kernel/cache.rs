//! The page cache's kernel side: looking file pages up, allocating frames for the
//! missing ones, asking the disk to fill them, and Linux's readahead.

use std::collections::BTreeSet;

use super::{Ctx, Kernel, kernel_work};
use crate::sim::cpu::{Action, Op, WaitFor};
use crate::sim::disk::{Dest, DiskRequest};
use crate::sim::error::{SimError, bug};
use crate::sim::event::{EventKind, InsertCause, PageRef, Trigger};
use crate::sim::hardware::{DiskTransfer, Hardware};
use crate::sim::log::Log;
use crate::sim::memory::Memory;
use crate::sim::page_cache::Policy;

/// The result of a page-cache fill: what to do, and which frames hold the range.
pub struct Fill {
    pub ops: Vec<Op>,
    pub refs: Vec<PageRef>,
    pub pinned: Vec<u32>,
}

/// Linux's per-file readahead state: the last window, its marker page, the last
/// page read.
#[derive(Clone, Debug, Default)]
pub struct Readahead {
    window: (u64, u64),
    marker: Option<u64>,
    prev: Option<u64>,
}

impl Kernel {
    /// The warm cache holds each file's last pages, as if it had just been read.
    pub fn warm_up(
        &mut self,
        hw: &Hardware,
        log: &mut Log,
        mem: &mut Memory,
    ) -> Result<(), SimError> {
        let ps = hw.page_size;
        for f in 0..mem.platter.len() {
            let size = self.file_size(f as u32);
            let pages = size.div_ceil(ps);
            let first = pages.saturating_sub(hw.cache_pages);
            for p in first..pages {
                let frame = self.insert_page(log, mem, f as u32, p, InsertCause::Warm)?;
                // As if just read: one access.
                self.cache.mark_accessed(frame);
                let (start, end) = ((p * ps) as usize, ((p + 1) * ps).min(size) as usize);
                let Memory {
                    platter, frames, ..
                } = mem;
                frames[frame as usize][..end - start].copy_from_slice(&platter[f][start..end]);
                self.cache.unpin(frame);
            }
        }
        Ok(())
    }

    /// Looks up file bytes [offset, offset+len) in the page cache, allocating frames
    /// for the missing pages (and for a readahead window) and asking the disk to fill
    /// them. `Err(wait)`: not enough frames can be freed now; the caller waits.
    pub(super) fn cache_fill(
        &mut self,
        cx: &mut Ctx,
        file: u32,
        offset: u64,
        len: u64,
    ) -> Result<Result<Fill, WaitFor>, SimError> {
        let setup = cx.setup;
        let hw = &setup.hw;
        let ps = hw.page_size;
        let (first, last) = (offset / ps, (offset + len - 1) / ps);
        if let Some(w) = self.frames_short(file, first, last) {
            return Ok(Err(w));
        }
        // Linux counts a read that starts in the page where the previous read of the
        // file ended as the same access to that page, not a second one (two_list).
        let same_page = self.cache.policy == Policy::TwoList
            && self.ra.get(&file).and_then(|r| r.prev) == Some(first);
        let window = self.readahead(hw, cx.log, file, first, last);
        let mut ops = vec![kernel_work(hw)];
        let mut pinned = Vec::new();
        let mut frames_of = Vec::new();
        let mut waits = BTreeSet::new();
        // Newly allocated pages, in order: (page, frame, beyond the request).
        let mut fresh: Vec<(u64, u32, bool)> = Vec::new();
        for p in first..=last {
            if let Some(frame) = self.cache.lookup(file, p) {
                // Found, but its read may still be under way (readahead): wait for it.
                let touch = !(same_page && p == first);
                waits.extend(self.hit(cx.log, file, p, frame, touch));
                pinned.push(frame);
                frames_of.push(frame);
            } else {
                cx.log.emit(EventKind::CacheMiss { file, page: p });
                let frame = self.insert_page(cx.log, cx.mem, file, p, InsertCause::Miss)?;
                self.cache.mark_accessed(frame);
                fresh.push((p, frame, false));
                pinned.push(frame);
                frames_of.push(frame);
            }
        }
        if let Some((start, size)) = window {
            for p in start.max(last + 1)..start + size {
                // Readahead never waits for frames: it stops where the cache is full.
                if self.cache.lookup(file, p).is_some() {
                    continue;
                }
                if self.cache.allocatable(0) == 0 {
                    break;
                }
                let frame = self.insert_page(cx.log, cx.mem, file, p, InsertCause::Readahead)?;
                fresh.push((p, frame, true));
            }
        }
        let (reads, read_waits) = self.start_reads(hw, file, &fresh);
        ops.extend(reads);
        waits.extend(read_waits);
        ops.extend(waits.into_iter().map(|id| Op::Wait(WaitFor::Disk(id))));
        let refs = super::page_refs(file, offset, len, ps, |p| {
            frames_of.get((p - first) as usize).copied()
        })
        .ok_or_else(|| bug("a filled page has no frame"))?;
        Ok(Ok(Fill { ops, refs, pinned }))
    }

    /// Pages [first, last] of `file` need frames: the wait, if the cache cannot
    /// give them now (`missing` new pages while `reserved` cached, unpinned pages
    /// will be pinned by the same call).
    pub(super) fn frames_short(&self, file: u32, first: u64, last: u64) -> Option<WaitFor> {
        let (mut missing, mut reserved) = (0, 0);
        for p in first..=last {
            match self.cache.lookup(file, p) {
                Some(fr) if self.cache.frames[fr as usize].pins == 0 => reserved += 1,
                Some(_) => {}
                None => missing += 1,
            }
        }
        (self.cache.allocatable(reserved) < missing)
            .then_some(WaitFor::Frames { missing, reserved })
    }

    /// A look-up found `page` in `frame`: it counts as an access (unless `touch`
    /// is false), is pinned for the call and logged; the disk request still
    /// moving its bytes (a read ahead, a writeback), if any, to wait for.
    pub(super) fn hit(
        &mut self,
        log: &mut Log,
        file: u32,
        page: u64,
        frame: u32,
        touch: bool,
    ) -> Option<u64> {
        if touch {
            self.cache.touch(frame);
        }
        self.cache.pin(frame);
        let list = self.cache.list_of(frame);
        log.emit(EventKind::CacheHit {
            file,
            page,
            frame,
            list,
        });
        self.frame_io.get(&frame).copied()
    }

    /// Asks the disk to fill newly allocated pages, one request per run of
    /// consecutive pages: the operations, and the requests to wait for (those that
    /// hold a page someone asked for, not only pages read ahead).
    /// `fresh`: (page, frame, read ahead).
    pub(super) fn start_reads(
        &mut self,
        hw: &Hardware,
        file: u32,
        fresh: &[(u64, u32, bool)],
    ) -> (Vec<Op>, BTreeSet<u64>) {
        let ps = hw.page_size;
        let (mut ops, mut waits) = (Vec::new(), BTreeSet::new());
        let mut i = 0;
        while i < fresh.len() {
            let mut j = i + 1;
            while j < fresh.len() && fresh[j].0 == fresh[j - 1].0 + 1 {
                j += 1;
            }
            let run = &fresh[i..j];
            let start = run[0].0 * ps;
            let frames: Vec<u32> = run.iter().map(|r| r.1).collect();
            let ahead: Vec<u32> = run.iter().filter(|r| r.2).map(|r| r.1).collect();
            let len = (frames.len() as u64 * ps).min(self.file_size(file) - start);
            let req = self.disk_request(hw, file, start, len, Dest::Frames(frames.clone()));
            for &f in &frames {
                self.frame_io.insert(f, req.id);
            }
            if run.iter().any(|r| !r.2) {
                waits.insert(req.id);
            }
            self.req_frames.insert(req.id, (frames, ahead));
            ops.push(kernel_work(hw));
            ops.push(Op::Act(Action::StartDisk(req)));
            i = j;
        }
        (ops, waits)
    }

    /// Allocates a pinned frame for a page and logs it (and what it evicted).
    pub(super) fn insert_page(
        &mut self,
        log: &mut Log,
        mem: &mut Memory,
        file_id: u32,
        page: u64,
        cause: InsertCause,
    ) -> Result<u32, SimError> {
        let a = self
            .cache
            .allocate(file_id, page)
            .ok_or_else(|| bug("page cache: no frame to allocate"))?;
        mem.clear_frame(a.frame);
        for d in &a.demoted {
            if let Some((file, page)) = self.cache.frames[*d as usize].page {
                log.emit(EventKind::CacheDemote {
                    file,
                    page,
                    frame: *d,
                });
            }
        }
        if let Some((file, old)) = a.evicted {
            self.frame_io.remove(&a.frame);
            log.emit(EventKind::CacheEvict {
                file,
                page: old,
                frame: a.frame,
            });
        }
        log.emit(EventKind::CacheInsert {
            file: file_id,
            page,
            frame: a.frame,
            cause,
        });
        if let Some((distance, activated)) = a.refault {
            log.emit(EventKind::CacheRefault {
                file: file_id,
                page,
                frame: a.frame,
                distance,
                activated,
            });
        }
        Ok(a.frame)
    }

    /// Linux's on-demand readahead for a read of pages [first, last]: the window to
    /// read, if any. A sequential miss starts a window sized from the request; a hit
    /// on the marker page starts the next, larger one before the reader needs it;
    /// a random read gets no window.
    fn readahead(
        &mut self,
        hw: &Hardware,
        log: &mut Log,
        file: u32,
        first: u64,
        last: u64,
    ) -> Option<(u64, u64)> {
        let mut ra = self.ra.remove(&file).unwrap_or_default();
        let window = self.readahead_for(hw, log, &mut ra, file, first, last);
        self.ra.insert(file, ra);
        window
    }

    fn readahead_for(
        &mut self,
        hw: &Hardware,
        log: &mut Log,
        ra: &mut Readahead,
        file: u32,
        first: u64,
        last: u64,
    ) -> Option<(u64, u64)> {
        let max = hw.readahead_max;
        let file_pages = self.file_size(file).div_ceil(hw.page_size);
        let prev = ra.prev.replace(last);
        if max == 0 {
            return None;
        }
        let sequential = match prev {
            None => first == 0,
            Some(pp) => first == pp || first == pp + 1,
        };
        // The marker only counts for a reader that is still sequential.
        let marker_hit = ra.marker.filter(|m| {
            sequential && (first..=last).contains(m) && self.cache.lookup(file, *m).is_some()
        });
        let (start, size, trigger, marker) = if marker_hit.is_some() {
            let start = ra.window.0 + ra.window.1;
            let size = next_window(ra.window.1, max);
            (start, size, Trigger::Async, Some(start))
        } else {
            let missing = (first..=last).find(|&p| self.cache.lookup(file, p).is_none())?;
            if !sequential {
                return None;
            }
            let req = last - missing + 1;
            let size = initial_window(req, max).max(req);
            (
                missing,
                size,
                Trigger::Sync,
                (size > req).then_some(missing + req),
            )
        };
        ra.window = (start, size);
        ra.marker = marker.filter(|&m| m < file_pages);
        if start >= file_pages {
            return None;
        }
        let size = size.min(file_pages - start);
        log.emit(EventKind::ReadaheadWindow {
            file,
            start,
            size,
            trigger,
            marker: ra.marker,
        });
        Some((start, size))
    }

    /// A request for the disk (and, in DMA mode, the descriptor to program).
    pub(super) fn disk_request(
        &mut self,
        hw: &Hardware,
        file: u32,
        offset: u64,
        len: u64,
        dest: Dest,
    ) -> DiskRequest {
        let id = self.new_id();
        let transfer = hw.disk;
        let descriptor = (transfer == DiskTransfer::Dma).then(|| self.new_id());
        DiskRequest {
            id,
            file,
            offset,
            len,
            dest,
            write: false,
            // The output file holds the input's bytes (the write path).
            content: if self.writes && file == super::OUT {
                0
            } else {
                file
            },
            transfer,
            descriptor,
            batched: false,
        }
    }

    /// A disk request's bytes are in memory: its frames are valid, readahead pages
    /// are released, and whoever waits for it may run.
    pub(crate) fn disk_finished(&mut self, id: u64) {
        self.disk_done.insert(id);
        if let Some((frames, ahead)) = self.req_frames.remove(&id) {
            for f in frames {
                if self.frame_io.get(&f) == Some(&id) {
                    self.frame_io.remove(&f);
                }
            }
            for f in ahead {
                self.cache.unpin(f);
            }
        }
    }
}

/// Linux's first readahead window for a request of `req` pages (get_init_ra_size).
pub fn initial_window(req: u64, max: u64) -> u64 {
    let r = req.max(1).next_power_of_two();
    if r <= max / 32 {
        4 * r
    } else if r <= max / 4 {
        2 * r
    } else {
        max
    }
}

/// Linux's next readahead window (get_next_ra_size): 4x while small, 2x up to the
/// maximum, then the maximum.
pub fn next_window(cur: u64, max: u64) -> u64 {
    if cur < max / 16 {
        4 * cur
    } else if cur <= max / 2 {
        2 * cur
    } else {
        max
    }
}
