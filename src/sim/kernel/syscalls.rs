//! The system calls' bodies: for call `i` of the program, the operations the CPU
//! runs in the kernel before it returns to the process.

use super::net::recv_copy_ops;
use super::write::{OUT, WriteFrom};
use super::{Ctx, EAGAIN, EINVAL, Kernel, SendFrom, kernel_work};
use crate::sim::cpu::{Action, Op, WaitFor, copy_op};
use crate::sim::disk::Dest;
use crate::sim::error::{SimError, bug};
use crate::sim::event::{Activity, IoPhase, Place, WritebackReason};
use crate::sim::hardware::Hardware;
use crate::sim::program::{Call, Process, Style, SyncMode};

impl Kernel {
    /// The kernel's implementation of call `i`: the operations it runs.
    pub fn body(
        &mut self,
        cx: &mut Ctx,
        process: &mut Process,
        i: usize,
    ) -> Result<Vec<Op>, SimError> {
        let setup = cx.setup;
        let hw = &setup.hw;
        let file = process.files.get(i).copied().unwrap_or(0);
        let call = process.plan[i].clone();
        let size = self.file_size(file);
        let avail = |off: u64, len: u64| len.min(size.saturating_sub(off));
        // Not enough free frames yet: wait, then run the body again.
        let retry = |w: WaitFor| Ok(vec![Op::Wait(w), Op::Act(Action::Body(i))]);
        let mut ops = Vec::new();
        let result: i64;
        match call {
            Call::Read {
                offset,
                len,
                direct,
                keep,
            } => {
                let n = avail(offset, len);
                if n > 0 {
                    if direct {
                        // O_DIRECT: the disk moves the bytes straight into the user buffer.
                        if setup.dio_problem().is_some() {
                            return Ok(fail(hw, process, i, EINVAL));
                        }
                        let req = self.disk_request(hw, file, offset, n, Dest::User(0));
                        let id = req.id;
                        ops.push(kernel_work(hw));
                        ops.push(Op::Act(Action::StartDisk(req)));
                        ops.push(Op::Wait(WaitFor::Disk(id)));
                    } else {
                        let fill = match self.cache_fill(cx, file, offset, n)? {
                            Ok(f) => f,
                            Err(w) => return retry(w),
                        };
                        ops.extend(fill.ops);
                        let mut at = 0;
                        for r in &fill.refs {
                            let from = Place::Frame {
                                frame: r.frame,
                                offset: r.offset,
                            };
                            let to = Place::User { offset: at };
                            ops.push(copy_op(hw, file, from, to, r.len, r.file_offset));
                            at += r.len;
                        }
                        ops.push(Op::Act(Action::Unpin(fill.pinned)));
                    }
                    if keep {
                        ops.push(Op::Act(Action::DeliverUser {
                            file,
                            offset,
                            len: n,
                        }));
                    }
                }
                result = n as i64;
            }
            Call::WriteUser { offset, len, slot } => {
                ops.push(kernel_work(hw));
                ops.extend(self.send_ops(hw, file, offset, len, SendFrom::User(slot)));
                result = len as i64;
            }
            Call::WriteMapped { offset, len } => {
                ops.push(kernel_work(hw));
                // The copy reads the mapping page by page: each page not yet in the
                // page table faults first (inside write(), in kernel mode).
                let ps = hw.page_size;
                for page in offset / ps..=(offset + len - 1) / ps {
                    if self.mapped.get(page as usize).copied().flatten().is_none() {
                        ops.push(Op::Act(Action::Touch { file, page }));
                    }
                }
                ops.push(Op::Act(Action::SendMapped { file, offset, len }));
                result = len as i64;
            }
            Call::Mmap { len } => {
                let pages = len.div_ceil(hw.page_size);
                if setup.style == Style::Realistic {
                    // Linux: mmap() only sets up the mapping; pages come by faults.
                    ops.push(kernel_work(hw));
                    ops.push(Op::Act(Action::Map {
                        pages,
                        frames: Vec::new(),
                    }));
                } else {
                    // The textbook picture (MAP_POPULATE): the call reads the file in.
                    let fill = match self.cache_fill(cx, file, 0, len)? {
                        Ok(f) => f,
                        Err(w) => return retry(w),
                    };
                    ops.extend(fill.ops);
                    let frames: Vec<u32> = (0..pages)
                        .map(|p| {
                            self.cache
                                .lookup(file, p)
                                .ok_or_else(|| bug("mapped page not cached"))
                        })
                        .collect::<Result<_, _>>()?;
                    ops.push(Op::Act(Action::Map { pages, frames }));
                    ops.push(Op::Act(Action::Unpin(fill.pinned)));
                }
                result = 0x7f00_0000_0000;
            }
            Call::Munmap { .. } => {
                ops.push(kernel_work(hw));
                ops.push(Op::Act(Action::Unmap));
                result = 0;
            }
            Call::Sendfile { offset, len } => {
                let n = avail(offset, len);
                if n > 0 {
                    match self.sendfile_step(cx, file, offset, offset + n)? {
                        Ok(step) => ops.extend(step),
                        Err(w) => return retry(w),
                    }
                }
                result = n as i64;
            }
            Call::Pipe => {
                ops.push(kernel_work(hw));
                result = 0;
            }
            Call::SpliceIn { offset, len } => {
                let n = avail(offset, len);
                if n > 0 {
                    let fill = match self.cache_fill(cx, file, offset, n)? {
                        Ok(f) => f,
                        Err(w) => return retry(w),
                    };
                    ops.extend(fill.ops);
                    ops.push(Op::Act(Action::PipePush(fill.refs)));
                    ops.push(Op::Act(Action::Unpin(fill.pinned)));
                }
                result = n as i64;
            }
            Call::SpliceOut { offset, len } => {
                let refs = self.pipe.refs.clone();
                ops.push(kernel_work(hw));
                ops.extend(self.send_ops(hw, file, offset, len, SendFrom::Pages(&refs)));
                ops.push(Op::Act(Action::PipeTake));
                result = len as i64;
            }
            Call::RecvRead { len, nonblocking } => {
                ops.push(kernel_work(hw));
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                if !self.rx_ready && nonblocking {
                    result = EAGAIN;
                } else {
                    // Blocks (sleeps) until the message is in the receive buffer.
                    ops.push(Op::Wait(WaitFor::RxReady));
                    ops.push(Op::Act(Action::Phase(IoPhase::CopyingToUser)));
                    ops.extend(recv_copy_ops(hw, setup.file_size));
                    result = len.min(setup.file_size) as i64;
                }
            }
            Call::Poll => {
                ops.push(kernel_work(hw));
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                ops.push(Op::Wait(WaitFor::RxReady));
                result = 1;
            }
            Call::Sigaction => {
                ops.push(kernel_work(hw));
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                // Arming checks whether the data is already here (then the signal
                // is due at once); the NIC's handler covers data that comes later.
                ops.push(Op::Act(Action::ArmSignal));
                result = 0;
            }
            Call::AioRead { .. } => {
                ops.push(kernel_work(hw));
                ops.push(Op::Act(Action::Phase(IoPhase::WaitingForData)));
                // As for the signal: data already here completes the read at once.
                ops.push(Op::Act(Action::ArmAio));
                result = 0;
            }
            Call::IoSetup | Call::IoDestroy => {
                ops.push(kernel_work(hw));
                result = 0;
            }
            Call::IoSubmit { ref chunks } => {
                if setup.dio_problem().is_some() {
                    return Ok(fail(hw, process, i, EINVAL));
                }
                ops.push(kernel_work(hw));
                let mut reqs = Vec::new();
                for &(offset, len, slot) in chunks {
                    let req = self.disk_request(hw, file, offset, len, Dest::User(slot));
                    self.aio_requests.insert(offset, req.id);
                    ops.push(kernel_work(hw));
                    reqs.push(req);
                }
                ops.extend(super::uring::start_batch(hw, reqs));
                result = chunks.len() as i64;
            }
            Call::IoGetevents { offset, max } => {
                let id = *self
                    .aio_requests
                    .get(&offset)
                    .ok_or_else(|| bug("io_getevents for a request never submitted"))?;
                ops.push(kernel_work(hw));
                ops.push(Op::Wait(WaitFor::Disk(id)));
                // Once it wakes: the events ready then, and the return.
                ops.push(Op::Act(Action::ReapAio { call: i, max }));
                return Ok(ops);
            }
            Call::Produce { offset, len } => {
                // The program's own work: computing the bytes into its buffer.
                let words = len.div_ceil(hw.word_bytes);
                return Ok(vec![
                    Op::Work {
                        activity: Activity::Process,
                        cycles: words * hw.cpu_cycles_per_word,
                    },
                    Op::Act(Action::Produce {
                        offset: 0,
                        len,
                        file: 0,
                        file_offset: offset,
                    }),
                ]);
            }
            Call::WriteFile {
                offset,
                len,
                direct,
            } => {
                if direct {
                    // O_DIRECT: buffer and length in whole sectors.
                    let a = hw.dio_alignment;
                    if !setup.buffer_size.is_multiple_of(a) || !len.is_multiple_of(a) {
                        return Ok(fail(hw, process, i, EINVAL));
                    }
                    ops.extend(self.direct_write(hw, offset, len));
                } else {
                    match self.write_pages(cx, OUT, offset, len, WriteFrom::User(0))? {
                        Ok(w) => ops.extend(w),
                        Err((kick, w)) => return Ok(waiting(kick, w, i)),
                    }
                    ops.extend(after_write(setup.sync));
                }
                result = len as i64;
            }
            Call::Fsync => {
                ops.push(kernel_work(hw));
                ops.push(Op::Act(Action::Writeback {
                    file: OUT,
                    reason: WritebackReason::Fsync,
                }));
                ops.push(Op::Wait(WaitFor::Clean(OUT)));
                result = 0;
            }
            Call::CopyFileRange { offset, len } => {
                let n = avail(offset, len);
                if n > 0 {
                    // The input's pages (read from the disk if need be), then the
                    // kernel copies them into the output's pages: no user buffer.
                    let fill = match self.cache_fill(cx, file, offset, n)? {
                        Ok(f) => f,
                        Err(w) => return retry(w),
                    };
                    match self.write_pages(cx, OUT, offset, n, WriteFrom::Pages(&fill.refs))? {
                        Ok(w) => {
                            ops.extend(fill.ops);
                            ops.extend(w);
                            ops.push(Op::Act(Action::Unpin(fill.pinned)));
                        }
                        Err((kick, w)) => {
                            // Keep what was read; let go of it while waiting.
                            let mut wait = fill.ops;
                            wait.push(Op::Act(Action::Unpin(fill.pinned)));
                            wait.extend(waiting(kick, w, i));
                            return Ok(wait);
                        }
                    }
                    ops.extend(after_write(setup.sync));
                }
                result = n as i64;
            }
            Call::UringSetup { sqpoll, .. } => {
                ops.push(kernel_work(hw));
                if sqpoll {
                    ops.push(Op::Act(Action::SqThreadStart));
                }
                // The ring's file descriptor.
                result = 3;
            }
            Call::UringRegister { buffers } => {
                // Pinning each buffer's pages once, so no read or send pins them again.
                for _ in 0..buffers {
                    ops.push(kernel_work(hw));
                }
                result = 0;
            }
            Call::UringQueue { chunks } => {
                // The program's own work: one ring entry per read and per send.
                let entries = 2 * chunks.len() as u64;
                return Ok(vec![
                    Op::Work {
                        activity: Activity::Process,
                        cycles: entries * hw.kernel_cycles,
                    },
                    Op::Act(Action::UringSqes { file, chunks }),
                ]);
            }
            Call::UringEnter { ref chunks } => {
                let misaligned = setup.dio_problem().is_some();
                ops.push(kernel_work(hw));
                ops.extend(self.uring_batch(hw, file, chunks, "io_uring_enter", misaligned));
                result = 2 * chunks.len() as i64;
            }
            Call::UringPoll { cqes } => return Ok(vec![Op::Wait(WaitFor::Cqes(cqes))]),
            Call::UringReap { count } => {
                return Ok(vec![
                    Op::Work {
                        activity: Activity::Process,
                        cycles: count * hw.kernel_cycles,
                    },
                    Op::Act(Action::UringReap { count }),
                ]);
            }
            Call::AwaitSignal | Call::AwaitCompletion => {
                // Not a system call: the process keeps working until the kernel
                // notifies it (a notification that came first stays pending),
                // then runs its handler in user mode.
                return Ok(vec![
                    Op::Wait(WaitFor::Notified),
                    Op::Work {
                        activity: Activity::Process,
                        cycles: hw.signal_cycles,
                    },
                ]);
            }
        }
        ops.push(Op::Work {
            activity: Activity::Syscall,
            cycles: hw.syscall_exit_cycles,
        });
        ops.push(Op::Act(Action::Return { call: i, result }));
        Ok(ops)
    }
}

impl Kernel {
    /// One step of sendfile: Linux runs it through an internal pipe, so it moves at
    /// most a pipe's worth of pages (16 of 4 KiB) from the page cache to the socket
    /// before it reads the next: readahead, the disk and the NIC overlap. The next
    /// step is an action at the end of this one. `Err`: wait for frames first.
    pub fn sendfile_step(
        &mut self,
        cx: &mut Ctx,
        file: u32,
        offset: u64,
        end: u64,
    ) -> Result<Result<Vec<Op>, WaitFor>, SimError> {
        let hw = &cx.setup.hw;
        let ps = hw.page_size;
        let pages = (hw.pipe_capacity / ps).max(1);
        let step_end = end.min((offset / ps + pages) * ps);
        let fill = match self.cache_fill(cx, file, offset, step_end - offset)? {
            Ok(f) => f,
            Err(w) => return Ok(Err(w)),
        };
        let hw = &cx.setup.hw;
        let mut ops = fill.ops;
        let src = SendFrom::Pages(&fill.refs);
        ops.extend(self.send_ops(hw, file, offset, step_end - offset, src));
        ops.push(Op::Act(Action::Unpin(fill.pinned)));
        if step_end < end {
            ops.push(Op::Act(Action::SendfileStep {
                file,
                offset: step_end,
                end,
            }));
        }
        Ok(Ok(ops))
    }
}

/// What a buffered write does once its pages are dirty: an O_SYNC write waits for
/// them to reach the disk; any other may be throttled.
fn after_write(sync: SyncMode) -> Vec<Op> {
    if sync == SyncMode::OSync {
        return vec![
            Op::Act(Action::Writeback {
                file: OUT,
                reason: WritebackReason::OSync,
            }),
            Op::Wait(WaitFor::Clean(OUT)),
        ];
    }
    vec![Op::Act(Action::Balance { file: OUT })]
}

/// A write that must wait for frames: ask for the writeback that frees them,
/// wait, then run the call's body again.
fn waiting(mut kick: Vec<Op>, w: WaitFor, call: usize) -> Vec<Op> {
    kick.push(Op::Wait(w));
    kick.push(Op::Act(Action::Body(call)));
    kick
}

/// A call that fails: it returns `errno` (negative) and the program stops, as a
/// C program that checks its calls would.
fn fail(hw: &Hardware, process: &mut Process, call: usize, errno: i64) -> Vec<Op> {
    process.stop();
    vec![
        kernel_work(hw),
        Op::Work {
            activity: Activity::Syscall,
            cycles: hw.syscall_exit_cycles,
        },
        Op::Act(Action::Return {
            call,
            result: errno,
        }),
    ]
}
