//! The socket and the receive side: sending file bytes through the socket buffer
//! (copied, or described by page references with scatter-gather), and receiving a
//! message for the I/O models.

use super::{Kernel, SendFrom};
use crate::sim::cpu::{Action, Op, WaitFor, copy_op};
use crate::sim::event::{IoPhase, Place};
use crate::sim::hardware::Hardware;
use crate::sim::nic::{SkbData, slice_refs};

impl Kernel {
    /// Sends file bytes [offset, offset+len) through the socket, in entries that fit
    /// the socket buffer. `src` says where the bytes are.
    pub(super) fn send_ops(
        &mut self,
        hw: &Hardware,
        file: u32,
        offset: u64,
        len: u64,
        src: SendFrom<'_>,
    ) -> Vec<Op> {
        let cap = hw.socket_buffer;
        let sg = hw.nic_sg;
        // The socket's stream offsets go on from the last byte sent, whatever file
        // the bytes come from.
        let stream = self.stream_pos;
        self.stream_pos += len;
        let mut ops = Vec::new();
        let mut pos = offset;
        while pos < offset + len {
            let n = cap.min(offset + len - pos);
            let at = stream + (pos - offset);
            let zero_copy = sg && matches!(src, SendFrom::Pages(_) | SendFrom::Registered(_));
            ops.push(Op::Wait(WaitFor::SocketSpace(n)));
            ops.push(Op::Act(Action::ReserveSocket {
                offset: at,
                len: n,
                bytes: !zero_copy,
            }));
            let data = match src {
                SendFrom::Registered(slot) if zero_copy => SkbData::User {
                    offset: slot + pos - offset,
                },
                SendFrom::User(slot) | SendFrom::Registered(slot) => {
                    let from = Place::User {
                        offset: slot + pos - offset,
                    };
                    ops.push(copy_op(
                        hw,
                        file,
                        from,
                        Place::Socket { offset: at },
                        n,
                        pos,
                    ));
                    SkbData::Bytes
                }
                SendFrom::Pages(refs) | SendFrom::MappedPages(refs) => {
                    let piece_refs = slice_refs(refs, pos - offset, n);
                    if zero_copy {
                        SkbData::Pages(piece_refs)
                    } else {
                        for r in piece_refs {
                            let from = Place::Frame {
                                frame: r.frame,
                                offset: r.offset,
                            };
                            let to = Place::Socket {
                                offset: stream + (r.file_offset - offset),
                            };
                            ops.push(copy_op(hw, file, from, to, r.len, r.file_offset));
                        }
                        SkbData::Bytes
                    }
                }
            };
            ops.push(Op::Act(Action::QueueSocket {
                offset: at,
                len: n,
                file,
                file_offset: pos,
                data,
            }));
            pos += n;
        }
        ops
    }
}

/// Copies the received message (`n` bytes) from the socket receive buffer to the user.
pub(super) fn recv_copy_ops(hw: &Hardware, n: u64) -> Vec<Op> {
    vec![
        copy_op(
            hw,
            0,
            Place::RecvBuffer { offset: 0 },
            Place::User { offset: 0 },
            n,
            0,
        ),
        Op::Act(Action::DeliverUser {
            file: 0,
            offset: 0,
            len: n,
        }),
        Op::Act(Action::Phase(IoPhase::Done)),
    ]
}
