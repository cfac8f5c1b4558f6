//! io_uring's kernel side: what io_uring_enter (or the SQPOLL thread) does with a
//! batch of entries, and the completions it posts.

use super::{EINVAL, Kernel, SendFrom, kernel_work};
use crate::sim::cpu::{Action, Op, WaitFor};
use crate::sim::disk::Dest;
use crate::sim::event::UringOp;
use crate::sim::hardware::Hardware;

/// -ECANCELED: a linked entry whose predecessor failed is not run.
pub const ECANCELED: i64 = -125;

impl Kernel {
    /// A batch of chunks (file offset, length, user-buffer offset), each an
    /// O_DIRECT read linked to a send of the buffer it fills. The kernel takes the
    /// entries, commands every read at once (on NVMe, one doorbell), and as each read
    /// completes sends its buffer; with a scatter-gather NIC the send is zero-copy
    /// and the buffer is free only once the NIC has fetched it (the notification).
    /// `misaligned`: the reads fail with EINVAL and their sends are cancelled.
    pub(super) fn uring_batch(
        &mut self,
        hw: &Hardware,
        file: u32,
        chunks: &[(u64, u64, u64)],
        by: &'static str,
        misaligned: bool,
    ) -> Vec<Op> {
        let zero_copy = hw.nic_sg;
        let send = if zero_copy {
            UringOp::SendZc
        } else {
            UringOp::Send
        };
        let cqe = |op, offset, len, result| {
            Op::Act(Action::UringCqe {
                op,
                offset,
                len,
                result,
            })
        };
        let mut ops = vec![Op::Act(Action::UringSubmit {
            count: 2 * chunks.len() as u64,
            by,
        })];
        if misaligned {
            self.uring_failed = true;
            for &(offset, len, _) in chunks {
                ops.push(kernel_work(hw));
                ops.push(cqe(UringOp::Read, offset, len, EINVAL));
                ops.push(cqe(send, offset, len, ECANCELED));
            }
            return ops;
        }
        let mut reqs = Vec::new();
        for &(offset, len, slot) in chunks {
            ops.push(kernel_work(hw));
            reqs.push(self.disk_request(hw, file, offset, len, Dest::User(slot)));
        }
        let ids: Vec<u64> = reqs.iter().map(|r| r.id).collect();
        ops.extend(start_batch(hw, reqs));
        for (&(offset, len, slot), id) in chunks.iter().zip(ids) {
            ops.push(Op::Wait(WaitFor::Disk(id)));
            ops.push(cqe(UringOp::Read, offset, len, len as i64));
            ops.push(kernel_work(hw));
            ops.extend(self.send_ops(hw, file, offset, len, SendFrom::Registered(slot)));
            ops.push(cqe(send, offset, len, len as i64));
        }
        if zero_copy {
            // The NIC has fetched every byte once the socket buffer is empty.
            ops.push(Op::Wait(WaitFor::SocketSpace(hw.socket_buffer)));
            for &(offset, len, _) in chunks {
                ops.push(cqe(UringOp::Notif, offset, len, 0));
            }
        }
        ops
    }
}

/// Commands for the disk, submitted together: an NVMe drive hears of them by one
/// doorbell write; a register-style controller takes each in its registers.
pub(super) fn start_batch(hw: &Hardware, reqs: Vec<crate::sim::disk::DiskRequest>) -> Vec<Op> {
    let mut ops = Vec::new();
    let (nvme, commands) = (hw.nvme(), reqs.len() as u64);
    for mut r in reqs {
        r.batched = nvme;
        ops.push(Op::Act(Action::StartDisk(r)));
    }
    if nvme {
        ops.push(Op::Act(Action::Doorbell { commands }));
    }
    ops
}
