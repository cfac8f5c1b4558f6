//! The write path: write() copies into page-cache pages and marks them dirty; the
//! call returns before the disk sees a byte. Dirty pages reach the disk by
//! writeback, started by
//! - the flusher, when a file's oldest dirty page is older than `dirty_expire`
//!   (Linux's dirty_expire_centisecs) or when more pages than `dirty_background`
//!   are dirty;
//! - the writer itself when dirty pages (and pages being written back) exceed
//!   `dirty_limit`: it is throttled, asleep until writeback catches up;
//! - fsync() and O_SYNC writes, which wait for it.
//!
//! A dirty page stays pinned (it cannot be dropped) until its writeback is done,
//! and a writer waits for a page's writeback before it changes it again.

use std::collections::{BTreeMap, BTreeSet};

use super::{Ctx, Kernel, kernel_work};
use crate::sim::cpu::{Action, Op, WaitFor, copy_op};
use crate::sim::disk::{Dest, DiskRequest};
use crate::sim::error::{SimError, bug};
use crate::sim::event::{EventKind, InsertCause, PageRef, Place, WritebackReason};
use crate::sim::hardware::Hardware;
use crate::sim::log::Log;

/// The file the write methods write: the one after the input file.
pub const OUT: u32 = 1;

/// The kernel's dirty-page and writeback bookkeeping.
#[derive(Clone, Debug, Default)]
pub struct Writeback {
    /// Dirty frames, with the cycle each became dirty.
    dirty: BTreeMap<u32, u64>,
    /// The same, oldest first: (cycle it became dirty, frame), so the flusher
    /// finds the oldest page at once however many are dirty.
    by_age: BTreeSet<(u64, u32)>,
    /// Write requests in flight: (file, first page, frames).
    requests: BTreeMap<u64, (u32, u64, Vec<u32>)>,
    /// Pages in those requests.
    in_flight: u64,
    /// The cycle the writer was throttled at.
    throttled_at: Option<u64>,
}

impl Writeback {
    /// Dirty pages plus pages being written back (what dirty_limit bounds).
    pub fn pages(&self) -> u64 {
        self.dirty.len() as u64 + self.in_flight
    }

    pub fn clean(&self) -> bool {
        self.dirty.is_empty() && self.requests.is_empty()
    }
}

/// A write's operations, or (when frames are short) the operations that free
/// them and what to wait for.
type WriteOps = Result<Vec<Op>, (Vec<Op>, WaitFor)>;

/// Where a write's bytes come from.
#[derive(Clone, Copy)]
pub enum WriteFrom<'a> {
    /// The user buffer, from this offset (write()).
    User(u64),
    /// Page-cache pages of the input file (copy_file_range).
    Pages(&'a [PageRef]),
}

impl Kernel {
    /// write() of file bytes [offset, offset+len) to `file` through the page
    /// cache: the pages it needs (allocated for new ones: nothing to read, the
    /// write fills them), the CPU copies, and the pages marked dirty.
    /// `Err(wait)`: not enough frames now (the caller waits, and the writeback
    /// that frees them has been asked for in `ops`).
    pub(super) fn write_pages(
        &mut self,
        cx: &mut Ctx,
        file: u32,
        offset: u64,
        len: u64,
        from: WriteFrom,
    ) -> Result<WriteOps, SimError> {
        let hw = &cx.setup.hw;
        let ps = hw.page_size;
        let (first, last) = (offset / ps, (offset + len - 1) / ps);
        if let Some(w) = self.frames_short(file, first, last) {
            // Dirty pages hold the frames: write them back so they can go.
            let kick = vec![Op::Act(Action::Writeback {
                file,
                reason: WritebackReason::Reclaim,
            })];
            return Ok(Err((kick, w)));
        }
        let mut ops = vec![kernel_work(hw)];
        let mut waits = BTreeSet::new();
        let mut pages = Vec::new();
        // Pages not cached that hold bytes on the disk this write does not cover
        // (a page written back and dropped, now written again): read first.
        let size = self.file_size(file);
        let mut reads = Vec::new();
        for p in first..=last {
            let frame = match self.cache.lookup(file, p) {
                Some(frame) => {
                    // Being written back: wait before changing it (stable pages).
                    waits.extend(self.hit(cx.log, file, p, frame, true));
                    frame
                }
                None => {
                    let valid_end = ((p + 1) * ps).min(size);
                    let partial = p * ps < size && !(offset <= p * ps && offset + len >= valid_end);
                    let cause = if partial {
                        cx.log.emit(EventKind::CacheMiss { file, page: p });
                        InsertCause::Miss
                    } else {
                        InsertCause::Write
                    };
                    let frame = self.insert_page(cx.log, cx.mem, file, p, cause)?;
                    self.cache.mark_accessed(frame);
                    if partial {
                        reads.push((p, frame, false));
                    }
                    frame
                }
            };
            pages.push((p, frame));
        }
        let (read_ops, read_waits) = self.start_reads(hw, file, &reads);
        ops.extend(read_ops);
        waits.extend(read_waits);
        ops.extend(waits.into_iter().map(|id| Op::Wait(WaitFor::Disk(id))));
        let refs = super::page_refs(file, offset, len, ps, |p| {
            pages.get((p - first) as usize).map(|x| x.1)
        })
        .ok_or_else(|| bug("a written page has no frame"))?;
        let mut at = 0;
        for (i, r) in refs.iter().enumerate() {
            let to = Place::Frame {
                frame: r.frame,
                offset: r.offset,
            };
            let src = match from {
                WriteFrom::User(slot) => Place::User { offset: slot + at },
                WriteFrom::Pages(src) => {
                    let s = src.get(i).ok_or_else(|| bug("copy source shorter"))?;
                    Place::Frame {
                        frame: s.frame,
                        offset: s.offset,
                    }
                }
            };
            ops.push(copy_op(hw, 0, src, to, r.len, r.file_offset));
            at += r.len;
        }
        ops.push(Op::Act(Action::Dirty {
            file,
            pages,
            end: offset + len,
        }));
        Ok(Ok(ops))
    }

    /// The pages a write filled are dirty (each pinned until written back) and
    /// the write lets go of them; the file has grown to `end`. Returns the
    /// writeback the flusher starts if more than dirty_background pages are dirty.
    pub fn dirty(
        &mut self,
        hw: &Hardware,
        log: &mut Log,
        file: u32,
        pages: &[(u64, u32)],
        end: u64,
    ) -> Vec<DiskRequest> {
        for &(page, frame) in pages {
            if self.wb.dirty.contains_key(&frame) {
                continue;
            }
            self.wb.dirty.insert(frame, log.now);
            self.wb.by_age.insert((log.now, frame));
            self.cache.pin(frame);
            log.emit(EventKind::PageDirtied { file, page, frame });
        }
        for &(_, frame) in pages {
            self.cache.unpin(frame);
        }
        if let Some(size) = self.file_sizes.get_mut(file as usize) {
            *size = (*size).max(end);
        }
        if self.wb.dirty.len() as u64 > hw.dirty_background {
            return self.writeback(hw, log, file, WritebackReason::Background);
        }
        Vec::new()
    }

    /// After a write: a writer above dirty_limit is throttled. The operations
    /// that make it sleep until writeback has caught up (none if it is below).
    pub fn balance(
        &mut self,
        hw: &Hardware,
        log: &mut Log,
        file: u32,
    ) -> (Vec<DiskRequest>, Vec<Op>) {
        let pages = self.wb.pages();
        if pages <= hw.dirty_limit {
            return (Vec::new(), Vec::new());
        }
        log.emit(EventKind::Throttled {
            dirty: pages,
            limit: hw.dirty_limit,
        });
        self.wb.throttled_at = Some(log.now);
        let reqs = self.writeback(hw, log, file, WritebackReason::Throttle);
        let ops = vec![
            Op::Wait(WaitFor::DirtyAtMost(hw.dirty_limit)),
            Op::Act(Action::Unthrottle),
        ];
        (reqs, ops)
    }

    pub fn unthrottle(&mut self, log: &mut Log) {
        if let Some(at) = self.wb.throttled_at.take() {
            log.emit(EventKind::Unthrottled {
                cycles: log.now - at,
            });
        }
    }

    /// Starts writeback of every dirty page of `file`: one write request per run
    /// of consecutive pages, up to the file's size.
    pub fn writeback(
        &mut self,
        hw: &Hardware,
        log: &mut Log,
        file: u32,
        reason: WritebackReason,
    ) -> Vec<DiskRequest> {
        let ps = hw.page_size;
        let mut pages: Vec<(u64, u32)> = self
            .wb
            .dirty
            .keys()
            // A page a writer is copying into (pinned by its call as well) is
            // locked: writeback takes it once the write is done with it.
            .filter(|&&f| self.cache.frames[f as usize].pins == 1)
            .filter_map(|&f| match self.cache.frames[f as usize].page {
                Some((fl, p)) if fl == file => Some((p, f)),
                _ => None,
            })
            .collect();
        pages.sort_unstable();
        let size = self.file_size(file);
        let mut reqs = Vec::new();
        let mut i = 0;
        while i < pages.len() {
            let mut j = i + 1;
            while j < pages.len() && pages[j].0 == pages[j - 1].0 + 1 {
                j += 1;
            }
            let run = &pages[i..j];
            let start = run[0].0 * ps;
            let frames: Vec<u32> = run.iter().map(|r| r.1).collect();
            let len = (frames.len() as u64 * ps).min(size - start);
            let req = self.disk_write(hw, file, start, len, Dest::Frames(frames.clone()));
            for &f in &frames {
                if let Some(at) = self.wb.dirty.remove(&f) {
                    self.wb.by_age.remove(&(at, f));
                }
                self.frame_io.insert(f, req.id);
            }
            self.wb.in_flight += frames.len() as u64;
            log.emit(EventKind::WritebackStart {
                request: req.id,
                file,
                page: run[0].0,
                pages: frames.len() as u64,
                frames: frames.clone(),
                reason,
            });
            self.wb.requests.insert(req.id, (file, run[0].0, frames));
            reqs.push(req);
            i = j;
        }
        reqs
    }

    /// The flusher at cycle `now`: writeback of a file whose oldest dirty page
    /// has expired (Linux writes the whole inode back).
    pub fn flush_expired(&mut self, hw: &Hardware, log: &mut Log) -> Vec<DiskRequest> {
        match self.next_expiry(hw) {
            Some(t) if t <= log.now => self.writeback(hw, log, OUT, WritebackReason::Expired),
            _ => Vec::new(),
        }
    }

    /// When the flusher will find the oldest dirty page expired.
    pub fn next_expiry(&self, hw: &Hardware) -> Option<u64> {
        let (oldest, _) = self.wb.by_age.first()?;
        Some(oldest.saturating_add(hw.dirty_expire_cycles))
    }

    /// The disk says a write request is on the platter: its pages are clean (and
    /// may be dropped); whoever waits for it may run.
    pub fn written(&mut self, log: &mut Log, id: u64) {
        self.disk_done.insert(id);
        let Some((file, page, frames)) = self.wb.requests.remove(&id) else {
            return; // O_DIRECT: no pages
        };
        for &f in &frames {
            if self.frame_io.get(&f) == Some(&id) {
                self.frame_io.remove(&f);
            }
            self.cache.unpin(f);
        }
        self.wb.in_flight -= frames.len() as u64;
        log.emit(EventKind::WritebackDone {
            request: id,
            file,
            page,
            pages: frames.len() as u64,
            frames,
        });
    }

    /// A write request for the disk: file bytes [offset, offset+len) from memory.
    pub(super) fn disk_write(
        &mut self,
        hw: &Hardware,
        file: u32,
        offset: u64,
        len: u64,
        src: Dest,
    ) -> DiskRequest {
        let mut req = self.disk_request(hw, file, offset, len, src);
        req.write = true;
        // The output file holds the input's (or the program's) bytes.
        req.content = 0;
        req
    }

    /// O_DIRECT write(): the disk takes the bytes straight from the user buffer.
    pub(super) fn direct_write(&mut self, hw: &Hardware, offset: u64, len: u64) -> Vec<Op> {
        let req = self.disk_write(hw, OUT, offset, len, Dest::User(0));
        if let Some(size) = self.file_sizes.get_mut(OUT as usize) {
            *size = (*size).max(offset + len);
        }
        let id = req.id;
        vec![
            kernel_work(hw),
            Op::Act(Action::StartDisk(req)),
            Op::Wait(WaitFor::Disk(id)),
        ]
    }

    /// Whether `file` has nothing dirty and nothing being written back.
    pub fn file_clean(&self, file: u32) -> bool {
        let of_file = |f: &u32| self.cache.frames[*f as usize].page.map(|p| p.0) == Some(file);
        !self.wb.dirty.keys().any(of_file)
            && !self.wb.requests.values().any(|(fl, _, _)| *fl == file)
    }
}
