//! The kernel's zero-time steps, run by the CPU in order with the rest of a call's
//! operations: entering and leaving the kernel, commanding the devices, and its
//! bookkeeping of the socket, the pipe, the mapping and the receive side.

use crate::sim::cpu::{Action, Op};
use crate::sim::error::SimError;
use crate::sim::event::{Engine, EventKind, IoPhase, Mode, ModeCause, Place, UringOp};
use crate::sim::machine::Machine;
use crate::sim::nic::{Skb, SkbData};
use crate::sim::program::Call;

use super::net::recv_copy_ops;
use super::{Ctx, EAGAIN};

impl Machine {
    /// The kernel's command to the disk controller (and, in DMA mode, the
    /// descriptor it programs into the DMA engine).
    pub(crate) fn start_disk(&mut self, req: crate::sim::disk::DiskRequest) {
        let log = &mut self.log;
        log.emit(EventKind::DiskCommand {
            request: req.id,
            file: req.file,
            offset: req.offset,
            len: req.len,
            transfer: req.transfer.name(),
            write: req.write,
        });
        if let Some(d) = req.descriptor {
            let mem = req.pieces(0, 1, self.setup.hw.page_size)[0].0;
            let controller = Place::Controller { offset: 0 };
            let (src, dst) = if req.write {
                (mem, controller)
            } else {
                (controller, mem)
            };
            log.emit(EventKind::DmaSetup {
                engine: Engine::DiskDma,
                descriptor: d,
                src,
                dst,
                len: req.len,
            });
        }
        // NVMe: the command is in the submission queue in memory; the drive hears
        // of it by a doorbell write, one for a whole batch.
        if self.setup.hw.nvme() {
            if req.batched {
                self.disk.enqueue(req);
                return;
            }
            log.emit(EventKind::Doorbell { commands: 1 });
        }
        self.disk.submit(req);
    }

    pub(crate) fn act(&mut self, a: Action) -> Result<(), SimError> {
        let k = &mut self.kernel;
        let log = &mut self.log;
        match a {
            Action::Trap(i) => {
                let call = &self.process.plan[i];
                let (name, args) = (call.name(), call.args());
                log.emit(EventKind::SyscallEnter {
                    name,
                    call: i as u64,
                    args,
                });
                self.cpu.mode = Mode::Kernel;
                log.emit(EventKind::ModeSwitch {
                    to: Mode::Kernel,
                    cause: ModeCause::Syscall { name },
                });
            }
            Action::Body(i) => {
                let mut cx = Ctx {
                    setup: &self.setup,
                    log,
                    mem: &mut self.mem,
                };
                let ops = k.body(&mut cx, &mut self.process, i)?;
                self.cpu.push_front_all(ops);
            }
            Action::SendfileStep { file, offset, end } => {
                let mut cx = Ctx {
                    setup: &self.setup,
                    log,
                    mem: &mut self.mem,
                };
                let ops = match k.sendfile_step(&mut cx, file, offset, end)? {
                    Ok(ops) => ops,
                    Err(w) => vec![
                        Op::Wait(w),
                        Op::Act(Action::SendfileStep { file, offset, end }),
                    ],
                };
                self.cpu.push_front_all(ops);
            }
            Action::Return { call, result } => {
                // A nonblocking read that found no data is tried again.
                self.process.retry = result == EAGAIN;
                let name = self.process.plan[call].name();
                self.cpu.mode = Mode::User;
                log.emit(EventKind::ModeSwitch {
                    to: Mode::User,
                    cause: ModeCause::Syscall { name },
                });
                log.emit(EventKind::SyscallReturn {
                    name,
                    call: call as u64,
                    result,
                });
            }
            Action::StartDisk(req) => self.start_disk(req),
            Action::ControllerDrained => self.disk.drained("PIO")?,
            Action::ControllerLoaded => self.disk.loaded("PIO")?,
            Action::DiskWritten => {
                for id in std::mem::take(&mut self.disk.written) {
                    k.written(log, id);
                }
            }
            Action::Produce {
                offset,
                len,
                file,
                file_offset,
            } => {
                let bytes = self.mem.read(
                    Place::Platter {
                        file,
                        offset: file_offset,
                    },
                    len,
                )?;
                self.mem
                    .write(Place::User { offset }, &bytes, file, file_offset)?;
                log.emit(EventKind::Produce {
                    offset,
                    len,
                    file,
                    file_offset,
                });
            }
            Action::Dirty { file, pages, end } => {
                let reqs = k.dirty(&self.setup.hw, log, file, &pages, end);
                reqs.into_iter().for_each(|r| self.start_disk(r));
            }
            Action::Balance { file } => {
                let (reqs, ops) = k.balance(&self.setup.hw, log, file);
                reqs.into_iter().for_each(|r| self.start_disk(r));
                self.cpu.push_front_all(ops);
            }
            Action::Writeback { file, reason } => {
                let reqs = k.writeback(&self.setup.hw, log, file, reason);
                reqs.into_iter().for_each(|r| self.start_disk(r));
            }
            Action::Unthrottle => k.unthrottle(log),
            Action::CompleteDisk(id) => k.disk_finished(id),
            Action::DmaDone => {
                for id in std::mem::take(&mut self.dma.completed) {
                    k.disk_finished(id);
                }
            }
            Action::ReserveSocket { offset, len, bytes } => {
                let socket = &mut self.mem.socket;
                socket.used += len;
                if bytes {
                    socket
                        .segments
                        .insert(offset, Vec::with_capacity(len as usize));
                }
            }
            Action::QueueSocket {
                offset,
                len,
                file,
                file_offset,
                data,
            } => {
                match &data {
                    SkbData::Pages(refs) => {
                        for r in refs {
                            k.cache.pin(r.frame);
                        }
                        log.emit(EventKind::SocketDescriptors {
                            pieces: refs.clone(),
                        });
                    }
                    SkbData::User {
                        offset: user_offset,
                    } => log.emit(EventKind::SocketUserDescriptor {
                        offset,
                        len,
                        user_offset: *user_offset,
                        file,
                        file_offset,
                    }),
                    SkbData::Bytes => log.emit(EventKind::SocketQueue { offset, len }),
                }
                let id = k.new_id();
                self.nic.queue.push_back(Skb {
                    id,
                    offset,
                    len,
                    file,
                    file_offset,
                    data,
                });
            }
            Action::FreeSocket => {
                for skb in std::mem::take(&mut self.nic.completed) {
                    let socket = &mut self.mem.socket;
                    socket.used -= skb.len;
                    match skb.data {
                        SkbData::Bytes => {
                            socket.segments.remove(&skb.offset);
                        }
                        SkbData::Pages(refs) => {
                            for r in refs {
                                k.cache.unpin(r.frame);
                            }
                        }
                        // The buffer is the program's: the notification frees it.
                        SkbData::User { .. } => {}
                    }
                    log.emit(EventKind::SocketFree {
                        offset: skb.offset,
                        len: skb.len,
                    });
                }
            }
            Action::Unpin(frames) => {
                for f in frames {
                    k.cache.unpin(f);
                }
            }
            Action::PipePush(refs) => {
                for r in &refs {
                    k.cache.pin(r.frame);
                }
                log.emit(EventKind::PipeRefs {
                    pieces: refs.clone(),
                });
                k.pipe.refs.extend(refs);
            }
            Action::PipeTake => {
                let refs = std::mem::take(&mut k.pipe.refs);
                for r in &refs {
                    k.cache.unpin(r.frame);
                }
                log.emit(EventKind::PipeTaken {
                    pieces: refs.len() as u64,
                });
            }
            Action::Map { pages, frames } => {
                if k.mapped.len() < pages as usize {
                    k.mapped.resize(pages as usize, None);
                }
                for (page, &f) in frames.iter().enumerate() {
                    k.cache.pin(f);
                    k.mapped[page] = Some(f);
                }
                // A lazy mapping (no frames yet) shows its pages when faults map them.
                if !frames.is_empty() {
                    log.emit(EventKind::Mapped { frames });
                }
            }
            Action::MapPages(pages) => {
                for &(page, f) in &pages {
                    k.cache.pin(f);
                    k.mapped[page as usize] = Some(f);
                }
                log.emit(EventKind::Mapped {
                    frames: pages.iter().map(|p| p.1).collect(),
                });
            }
            Action::Unmap => {
                let frames: Vec<u32> = std::mem::take(&mut k.mapped)
                    .into_iter()
                    .flatten()
                    .collect();
                for &f in &frames {
                    k.cache.unpin(f);
                }
                log.emit(EventKind::Unmapped {
                    frames: frames.len() as u64,
                });
            }
            Action::Touch { file, page } => {
                let mut cx = Ctx {
                    setup: &self.setup,
                    log,
                    mem: &mut self.mem,
                };
                let ops = k.touch(&mut cx, file, page)?;
                self.cpu.push_front_all(ops);
            }
            Action::SendMapped { file, offset, len } => {
                let ops = k.send_mapped(&self.setup.hw, file, offset, len)?;
                self.cpu.push_front_all(ops);
            }
            Action::DeliverUser { file, offset, len } => {
                let intact = self.mem.user_holds(file, offset, len);
                self.tally.deliver(len, intact);
                log.emit(EventKind::Delivered {
                    file,
                    offset,
                    len,
                    intact,
                });
            }
            Action::IrqDone(line) => log.emit(EventKind::IrqDone { line }),
            Action::RxReady => k.rx_ready = true,
            // Armed after the data came (its interrupt found nobody armed): the
            // kernel notifies at once, so no arrival time can lose the message.
            Action::ArmSignal => {
                k.signal_armed = true;
                if k.rx_ready {
                    self.cpu
                        .push_front_all(vec![Op::Act(Action::Notify("SIGIO"))]);
                }
            }
            Action::ArmAio => {
                k.aio_armed = true;
                if k.rx_ready {
                    let mut ops = vec![Op::Act(Action::Phase(IoPhase::CopyingToUser))];
                    ops.extend(recv_copy_ops(&self.setup.hw, self.setup.file_size));
                    ops.push(Op::Act(Action::Notify("aio completion")));
                    self.cpu.push_front_all(ops);
                }
            }
            Action::Notify(what) => {
                k.notified = true;
                log.emit(EventKind::Notify { what });
            }
            Action::Phase(phase) => {
                let bit = 1u8 << (phase as u8);
                if k.phases & bit == 0 {
                    k.phases |= bit;
                    log.emit(EventKind::IoPhase { phase });
                }
            }
            Action::TaskSwitch(to) => log.emit(EventKind::TaskSwitch { to }),
            Action::UringSqes { file, chunks } => {
                let send = if self.setup.hw.nic_sg {
                    UringOp::SendZc
                } else {
                    UringOp::Send
                };
                for &(offset, len, _) in &chunks {
                    for op in [UringOp::Read, send] {
                        log.emit(EventKind::UringSqe { op, offset, len });
                    }
                }
                if self.setup.sqpoll {
                    // The polling thread sees the new tail on its next turn.
                    let hw = &self.setup.hw;
                    let misaligned = self.setup.dio_problem().is_some();
                    self.sq.ops.push_back(super::kernel_work(hw));
                    let ops = k.uring_batch(hw, file, &chunks, "sq thread", misaligned);
                    self.sq.ops.extend(ops);
                }
            }
            Action::TaskWork(what) => {
                if let Some(h) = self.cpu.handler.as_mut() {
                    h.task_work = true;
                }
                log.emit(EventKind::TaskWork { what });
            }
            Action::ReapAio { call, max } => {
                // The next calls' reads, in the program's order, while they are
                // submitted and complete.
                let mut n = 1;
                let plan = &self.process.plan;
                for (j, c) in plan.iter().enumerate().skip(call + 1) {
                    if n >= max {
                        break;
                    }
                    let Call::IoGetevents { offset, .. } = c else {
                        continue;
                    };
                    let done = k
                        .aio_requests
                        .get(offset)
                        .is_some_and(|id| k.disk_done.contains(id));
                    if !done {
                        break;
                    }
                    self.process.skip.insert(j);
                    n += 1;
                }
                let hw = &self.setup.hw;
                self.cpu.push_front_all(vec![
                    Op::Work {
                        activity: crate::sim::event::Activity::Syscall,
                        cycles: hw.syscall_exit_cycles,
                    },
                    Op::Act(Action::Return {
                        call,
                        result: n as i64,
                    }),
                ]);
            }
            Action::SqThreadStart => {
                self.sq.running = true;
                log.emit(EventKind::SqThread { running: true });
            }
            Action::UringSubmit { count, by } => log.emit(EventKind::UringSubmit { count, by }),
            Action::Doorbell { commands } => {
                log.emit(EventKind::Doorbell { commands });
                self.disk.doorbell();
            }
            Action::UringCqe {
                op,
                offset,
                len,
                result,
            } => {
                k.cqes_posted += 1;
                log.emit(EventKind::UringCqe {
                    op,
                    offset,
                    len,
                    result,
                });
            }
            Action::UringReap { count } => {
                log.emit(EventKind::UringReap { count });
                // A failed entry: the program stops, as one that checks cqe->res would.
                if k.uring_failed {
                    self.process.stop();
                }
            }
        }
        Ok(())
    }
}
