//! Kernel and user memory that is not the page cache: the user buffer, the socket
//! send buffer and the pipe.

use std::collections::BTreeMap;

use super::event::PageRef;

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
