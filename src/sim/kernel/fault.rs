//! Page faults on a file mapping (mmap, realistic style). The first touch of a page
//! that is not in the page table traps into the fault handler:
//! - minor: the page is cached. The handler maps it and, as Linux's fault-around
//!   does, its cached neighbours in the same 16-page block (64 KiB of 4 KiB pages),
//!   so a warm mapping takes one fault per 16 pages.
//! - major: the page is not cached. The handler reads it with mmap read-around (a
//!   readahead window centred on the fault), sleeps until the disk has it, and
//!   maps that one page; its neighbours come by minor faults later.

use super::{Ctx, Kernel, kernel_work};
use crate::sim::cpu::{Action, Op, WaitFor};
use crate::sim::error::{SimError, bug};
use crate::sim::event::{EventKind, InsertCause, Trigger};
use crate::sim::hardware::Hardware;

/// Pages a minor fault maps at once: Linux's fault_around_bytes (64 KiB) in pages
/// of 4 KiB. Kept at 16 pages on every profile (256 bytes of the classroom's
/// 16-byte pages), so the count of faults reads the same as on Linux.
pub const FAULT_AROUND_PAGES: u64 = 16;

impl Kernel {
    /// The CPU touches page `page` of the mapping: nothing if it is mapped, else
    /// the fault handler's operations. `Err`-free waits: when no frame can be had
    /// for a major fault, the touch waits for memory and happens again.
    pub(super) fn touch(
        &mut self,
        cx: &mut Ctx,
        file: u32,
        page: u64,
    ) -> Result<Vec<Op>, SimError> {
        if self.mapped.get(page as usize).copied().flatten().is_some() {
            return Ok(Vec::new());
        }
        let hw = &cx.setup.hw;
        let again = vec![Op::Act(Action::Touch { file, page })];
        let cached = self.cache.lookup(file, page);
        if cached.is_none() && self.cache.allocatable(0) == 0 {
            let mut ops = vec![Op::Wait(WaitFor::Frames {
                missing: 1,
                reserved: 0,
            })];
            ops.extend(again);
            return Ok(ops);
        }
        // The CPU was in the kernel, copying for write(): no mode switch.
        cx.log.emit(EventKind::PageFault {
            file,
            page,
            major: cached.is_none(),
            in_kernel: true,
        });
        let mut ops = vec![kernel_work(hw)];
        match cached {
            Some(frame) => {
                // Minor: a page-cache hit (not an access that moves it on the
                // lists: Linux's fault-around maps without marking pages accessed).
                let list = self.cache.list_of(frame);
                cx.log.emit(EventKind::CacheHit {
                    file,
                    page,
                    frame,
                    list,
                });
                // Wait if the page is still being read, then map the block.
                if let Some(&req) = self.frame_io.get(&frame) {
                    ops.push(Op::Wait(WaitFor::Disk(req)));
                }
                ops.push(Op::Act(Action::MapPages(
                    self.fault_around(file, page, frame),
                )));
            }
            None => {
                let (fill, frame) = self.read_around(cx, file, page)?;
                ops.extend(fill);
                ops.push(Op::Act(Action::MapPages(vec![(page, frame)])));
                // The allocation's pin; the mapping holds its own.
                ops.push(Op::Act(Action::Unpin(vec![frame])));
            }
        }
        Ok(ops)
    }

    /// The faulting page and its cached, readable neighbours in its 16-page block
    /// that are not mapped yet: (page, frame).
    fn fault_around(&self, file: u32, page: u64, frame: u32) -> Vec<(u64, u32)> {
        let block = page / FAULT_AROUND_PAGES * FAULT_AROUND_PAGES;
        let end = (block + FAULT_AROUND_PAGES).min(self.mapped.len() as u64);
        let mut out = Vec::new();
        for p in block..end {
            if p == page {
                out.push((p, frame));
                continue;
            }
            let mapped = self.mapped[p as usize].is_some();
            match self.cache.lookup(file, p) {
                Some(f) if !mapped && !self.frame_io.contains_key(&f) => out.push((p, f)),
                _ => {}
            }
        }
        out
    }

    /// Major fault: read the faulting page and a readahead window around it.
    /// Returns the operations (disk commands, the wait) and the page's frame.
    fn read_around(
        &mut self,
        cx: &mut Ctx,
        file: u32,
        page: u64,
    ) -> Result<(Vec<Op>, u32), SimError> {
        let setup = cx.setup;
        let hw: &Hardware = &setup.hw;
        let pages = self.file_size(file).div_ceil(hw.page_size);
        let ra = hw.readahead_max;
        let start = page.saturating_sub(ra / 2);
        let end = (start + ra.max(1)).min(pages).max(page + 1);
        if ra > 0 {
            cx.log.emit(EventKind::ReadaheadWindow {
                file,
                start,
                size: end - start,
                trigger: Trigger::Sync,
                marker: None,
            });
        }
        cx.log.emit(EventKind::CacheMiss { file, page });
        let frame = self.insert_page(cx.log, cx.mem, file, page, InsertCause::Miss)?;
        self.cache.mark_accessed(frame);
        let mut fresh = Vec::new();
        for p in start..end {
            if p == page {
                fresh.push((p, frame, false));
            } else if self.cache.lookup(file, p).is_none() && self.cache.allocatable(0) > 0 {
                let f = self.insert_page(cx.log, cx.mem, file, p, InsertCause::Readahead)?;
                fresh.push((p, f, true));
            }
        }
        let (mut ops, waits) = self.start_reads(hw, file, &fresh);
        if waits.is_empty() {
            return Err(bug("a major fault read nothing"));
        }
        ops.extend(waits.into_iter().map(|id| Op::Wait(WaitFor::Disk(id))));
        Ok((ops, frame))
    }

    /// write() from the mapping, every page of it mapped: the copies to the socket.
    pub(super) fn send_mapped(
        &mut self,
        hw: &Hardware,
        file: u32,
        offset: u64,
        len: u64,
    ) -> Result<Vec<Op>, SimError> {
        let refs = super::page_refs(file, offset, len, hw.page_size, |p| {
            self.mapped.get(p as usize).copied().flatten()
        })
        .ok_or_else(|| bug("write from an unmapped page"))?;
        // Even with scatter-gather, write() copies: the kernel cannot know the
        // process will not change the mapped bytes after write() returns.
        Ok(self.send_ops(hw, file, offset, len, super::SendFrom::MappedPages(&refs)))
    }
}
