//! Every place a byte can be, as the memory bus addresses it: the files on the
//! platter, the disk controller's buffer, the page frames of RAM, the user buffer,
//! the socket buffers, the NIC's buffer. A transfer reads from one place and writes
//! to another; `carry` moves the bytes a transfer owes after the cycles it has had.
//!
//! Which frame holds which file page is the page cache's business (kernel
//! bookkeeping); the frames' bytes are here, in memory.

use std::collections::BTreeMap;

use super::error::{SimError, bug};
use super::event::{Agent, PageRef, Place};
use super::transfer::{Transfer, shift};

#[derive(Clone, Debug)]
pub struct Memory {
    /// The files on the disk's platter (the write path writes the output file).
    pub platter: Vec<Vec<u8>>,
    /// The disk controller's internal buffer.
    pub controller: Vec<u8>,
    /// Page frames of RAM, in the order the page cache first used them.
    pub frames: Vec<Vec<u8>>,
    pub user: Vec<u8>,
    pub socket: SocketBuffer,
    /// The NIC's transmit/receive buffer.
    pub nic_buffer: Vec<u8>,
    /// The socket receive buffer (`recv`).
    pub recv: Vec<u8>,
    page_size: usize,
}

impl Memory {
    pub fn new(
        platter: Vec<Vec<u8>>,
        controller: u64,
        page_size: u64,
        user: u64,
        socket: u64,
        nic_buffer: u64,
        recv: u64,
    ) -> Memory {
        Memory {
            platter,
            controller: vec![0; controller as usize],
            frames: Vec::new(),
            user: vec![0; user as usize],
            socket: SocketBuffer::new(socket),
            nic_buffer: vec![0; nic_buffer as usize],
            recv: vec![0; recv as usize],
            page_size: page_size as usize,
        }
    }

    /// A frame handed to a new page starts zeroed.
    pub fn clear_frame(&mut self, frame: u32) {
        let f = frame as usize;
        if f >= self.frames.len() {
            self.frames.resize_with(f + 1, || vec![0; self.page_size]);
        } else {
            self.frames[f].iter_mut().for_each(|b| *b = 0);
        }
    }

    /// Moves the bytes `t` owes after its elapsed cycles. For a CPU copy, returns
    /// the last word that passed through the register.
    pub fn carry(&mut self, t: &mut Transfer, word: u64) -> Result<Option<u64>, SimError> {
        let due = t.due();
        if due <= t.moved {
            return Ok(None);
        }
        let n = due - t.moved;
        let bytes = self.read(shift(t.from, t.moved), n)?;
        let ok = self.write(
            shift(t.to, t.moved),
            &bytes,
            t.file,
            t.file_offset + t.moved,
        )?;
        t.intact &= ok;
        let mut register = None;
        if t.agent == Agent::Cpu {
            let w = (t.moved + n - 1) / word * word;
            let from = (w.max(t.moved) - t.moved) as usize;
            let mut reg = [0u8; 8];
            for (i, b) in bytes[from..].iter().take(8).enumerate() {
                reg[i] = *b;
            }
            register = Some(u64::from_le_bytes(reg));
        }
        t.moved = due;
        Ok(register)
    }

    pub fn read(&self, p: Place, n: u64) -> Result<Vec<u8>, SimError> {
        let n = n as usize;
        let slice = |v: &[u8], off: u64, what: &str| -> Result<Vec<u8>, SimError> {
            let off = off as usize;
            v.get(off..off + n).map(|s| s.to_vec()).ok_or_else(|| {
                bug(format!(
                    "read past the end of {what} ({off}+{n} > {})",
                    v.len()
                ))
            })
        };
        match p {
            Place::Platter { file, offset } => match self.platter.get(file as usize) {
                Some(f) => slice(f, offset, "the file"),
                None => Err(bug("no such file")),
            },
            Place::Controller { offset } => {
                slice(&self.controller, offset, "the controller buffer")
            }
            Place::Frame { frame, offset } => {
                let f = self
                    .frames
                    .get(frame as usize)
                    .ok_or_else(|| bug("no such frame"))?;
                slice(f, offset, "a page frame")
            }
            Place::User { offset } => slice(&self.user, offset, "the user buffer"),
            Place::Socket { offset } => {
                let (start, seg) = self
                    .socket
                    .segment(offset)
                    .ok_or_else(|| bug("socket bytes missing"))?;
                slice(seg, offset - start, "a socket buffer entry")
            }
            Place::NicBuffer { offset } => slice(&self.nic_buffer, offset, "the NIC buffer"),
            // A message arriving from the network carries the file's bytes.
            Place::Wire { offset } => slice(&self.platter[0], offset, "the message"),
            Place::RecvBuffer { offset } => slice(&self.recv, offset, "the socket receive buffer"),
        }
    }

    /// Writes bytes; for the wire, checks them against the file instead.
    pub fn write(
        &mut self,
        p: Place,
        bytes: &[u8],
        file: u32,
        file_offset: u64,
    ) -> Result<bool, SimError> {
        let n = bytes.len();
        let put = |v: &mut Vec<u8>, off: u64, what: &str| -> Result<bool, SimError> {
            let off = off as usize;
            let len = v.len();
            let dst = v
                .get_mut(off..off + n)
                .ok_or_else(|| bug(format!("write past the end of {what} ({off}+{n} > {len})")))?;
            dst.copy_from_slice(bytes);
            Ok(true)
        };
        match p {
            // A disk write: the bytes must be the content file's at that offset.
            Place::Platter { file: on, offset } => {
                let start = file_offset as usize;
                let want = self
                    .platter
                    .get(file as usize)
                    .and_then(|f| f.get(start..start + n))
                    .map(|w| w == bytes);
                let f = self
                    .platter
                    .get_mut(on as usize)
                    .ok_or_else(|| bug("no such file"))?;
                put(f, offset, "the file")?;
                Ok(want == Some(true))
            }
            Place::Controller { offset } => {
                put(&mut self.controller, offset, "the controller buffer")
            }
            Place::Frame { frame, offset } => {
                let f = self
                    .frames
                    .get_mut(frame as usize)
                    .ok_or_else(|| bug("no such frame"))?;
                put(f, offset, "a page frame")
            }
            Place::User { offset } => put(&mut self.user, offset, "the user buffer"),
            Place::Socket { offset } => {
                let (start, seg) = self
                    .socket
                    .segment_mut(offset)
                    .ok_or_else(|| bug("socket entry not reserved"))?;
                let at = (offset - start) as usize;
                if seg.len() < at + n {
                    seg.resize(at + n, 0);
                }
                seg[at..at + n].copy_from_slice(bytes);
                Ok(true)
            }
            Place::NicBuffer { offset } => put(&mut self.nic_buffer, offset, "the NIC buffer"),
            Place::RecvBuffer { offset } => {
                put(&mut self.recv, offset, "the socket receive buffer")
            }
            Place::Wire { .. } => {
                let start = file_offset as usize;
                Ok(self
                    .platter
                    .get(file as usize)
                    .and_then(|f| f.get(start..start + n))
                    == Some(bytes))
            }
        }
    }

    /// Whether the user buffer's first `len` bytes are file bytes [offset, offset+len).
    pub fn user_holds(&self, file: u32, offset: u64, len: u64) -> bool {
        let (o, l) = (offset as usize, len as usize);
        let source = self
            .platter
            .get(file as usize)
            .and_then(|f| f.get(o..o + l));
        self.user.get(..l) == source
    }
}

/// The socket send buffer. Its space is counted in bytes of data queued, whether the
/// bytes are here or (scatter-gather) only described by page references.
#[derive(Clone, Debug)]
pub struct SocketBuffer {
    pub capacity: u64,
    pub used: u64,
    /// Byte segments by stream offset (only for data the CPU copied in).
    pub segments: BTreeMap<u64, Vec<u8>>,
}

impl SocketBuffer {
    pub fn new(capacity: u64) -> Self {
        SocketBuffer {
            capacity,
            used: 0,
            segments: BTreeMap::new(),
        }
    }

    pub fn free(&self) -> u64 {
        self.capacity - self.used
    }

    /// The segment holding stream offset `off`, with its start.
    pub fn segment_mut(&mut self, off: u64) -> Option<(u64, &mut Vec<u8>)> {
        self.segments
            .range_mut(..=off)
            .next_back()
            .map(|(&s, v)| (s, v))
    }

    pub fn segment(&self, off: u64) -> Option<(u64, &Vec<u8>)> {
        self.segments
            .range(..=off)
            .next_back()
            .map(|(&s, v)| (s, v))
    }
}

/// A pipe as splice() uses it: a ring of page references, not of bytes.
#[derive(Clone, Debug, Default)]
pub struct Pipe {
    pub refs: Vec<PageRef>,
}
