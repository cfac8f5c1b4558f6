//! The interrupt handlers: what the kernel runs when a device raises its line.

use super::Kernel;
use super::net::recv_copy_ops;
use crate::sim::cpu::{Action, Op};
use crate::sim::disk::Disk;
use crate::sim::error::SimError;
use crate::sim::event::{Activity, Agent, IoPhase, IrqLine};
use crate::sim::hardware::DiskTransfer;
use crate::sim::nic::{Rx, RxPhase};
use crate::sim::setup::Setup;
use crate::sim::transfer::Pace;

impl Kernel {
    /// The handler for `line`: its fixed cost, then what the device needs.
    pub fn handler_ops(
        &mut self,
        setup: &Setup,
        disk: &Disk,
        rx: Option<&mut Rx>,
        line: IrqLine,
    ) -> Result<Vec<Op>, SimError> {
        let hw = &setup.hw;
        let mut ops = vec![Op::Work {
            activity: Activity::Interrupt,
            cycles: hw.irq_cycles,
        }];
        match line {
            IrqLine::Disk => {
                let pace = Pace::Words {
                    word: hw.word_bytes,
                    cycles: hw.pio_cycles_per_word,
                };
                let pio = |r: &crate::sim::disk::DiskRequest| r.transfer == DiskTransfer::Pio;
                // Writes on the medium: their pages are clean. (Taken when the
                // step runs, so a completion during the handler is seen too; its
                // own interrupt then finds nothing left, as a real handler may.)
                ops.push(Op::Act(Action::DiskWritten));
                if let Some((req, start, len)) = disk.full_buffer().filter(|b| pio(b.0)) {
                    // PIO read: the CPU empties the controller buffer word by word.
                    let copies = req.transfers(start, len, hw.page_size, Agent::Cpu, pace);
                    ops.extend(copies.into_iter().map(Op::Copy));
                    ops.push(Op::Act(Action::ControllerDrained));
                    if start + len >= req.len {
                        ops.push(Op::Act(Action::CompleteDisk(req.id)));
                    }
                } else if let Some((req, start, len)) = disk.empty_buffer().filter(|b| pio(b.0)) {
                    // PIO write: the CPU fills the controller buffer word by word.
                    let copies = req.transfers(start, len, hw.page_size, Agent::Cpu, pace);
                    ops.extend(copies.into_iter().map(Op::Copy));
                    ops.push(Op::Act(Action::ControllerLoaded));
                }
            }
            IrqLine::Dma => ops.push(Op::Act(Action::DmaDone)),
            IrqLine::Nic => {
                ops.push(Op::Act(Action::FreeSocket));
                if let Some(rx) = rx
                    && matches!(rx.phase, RxPhase::Done)
                    && !rx.handled
                {
                    rx.handled = true;
                    ops.push(Op::Act(Action::RxReady));
                    if self.aio_armed {
                        // Async I/O: the handler only queues the work; on the way
                        // back to the process the kernel copies the data into its
                        // buffer in the process's context (task_work), not inside
                        // the interrupt handler, then notifies it.
                        ops.push(Op::Act(Action::IrqDone(line)));
                        ops.push(Op::Act(Action::TaskWork("copy the message")));
                        ops.push(Op::Work {
                            activity: Activity::Syscall,
                            cycles: hw.kernel_cycles,
                        });
                        ops.push(Op::Act(Action::Phase(IoPhase::CopyingToUser)));
                        ops.extend(recv_copy_ops(hw, setup.file_size));
                        ops.push(Op::Act(Action::Notify("aio completion")));
                        return Ok(ops);
                    } else if self.signal_armed {
                        ops.push(Op::Act(Action::Notify("SIGIO")));
                    }
                }
            }
        }
        ops.push(Op::Act(Action::IrqDone(line)));
        Ok(ops)
    }
}
