//! The programs: each workload as the list of system calls its C loop makes, in
//! both styles (`textbook` exactly as the seed notes count them, `realistic` with
//! what a real loop also does), for every method and I/O model.

use serde::{Deserialize, Serialize};

use super::program::{Call, IoModel, Method, Style, SyncMode};

/// How the program walks through the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Chunk after chunk, from the start.
    Sequential,
    /// Every chunk once, in an order shuffled from this seed (pread at random offsets).
    Random(u64),
}

/// The calls a program makes to move `file_size` bytes with `chunk` bytes per call.
/// The calls of the `recv` workload for each I/O model (a nonblocking read that
/// returns EAGAIN is repeated by the process until it succeeds).
pub fn recv_plan(model: IoModel, len: u64) -> Vec<Call> {
    match model {
        IoModel::Blocking => vec![Call::RecvRead {
            len,
            nonblocking: false,
        }],
        IoModel::Nonblocking => vec![Call::RecvRead {
            len,
            nonblocking: true,
        }],
        IoModel::Multiplexing => vec![
            Call::Poll,
            Call::RecvRead {
                len,
                nonblocking: false,
            },
        ],
        IoModel::SignalDriven => vec![
            Call::Sigaction,
            Call::AwaitSignal,
            Call::RecvRead {
                len,
                nonblocking: false,
            },
        ],
        IoModel::Async => vec![Call::AioRead { len }, Call::AwaitCompletion],
    }
}

/// direct_aio: keep `depth` O_DIRECT reads in flight; as each completes (in order),
/// write it to the socket and submit the next read into the buffer it freed.
pub fn aio_plan(style: Style, file_size: u64, chunk: u64, depth: u64) -> Vec<Call> {
    let k = file_size.div_ceil(chunk);
    let read = |i: u64| {
        (
            i * chunk,
            chunk.min(file_size - i * chunk),
            (i % depth) * chunk.min(file_size),
        )
    };
    let mut calls = Vec::new();
    if style == Style::Realistic {
        calls.push(Call::IoSetup);
    }
    calls.push(Call::IoSubmit {
        chunks: (0..k.min(depth)).map(read).collect(),
    });
    for i in 0..k {
        let (offset, len, slot) = read(i);
        calls.push(Call::IoGetevents { offset, max: depth });
        calls.push(Call::WriteUser { offset, len, slot });
        if i + depth < k {
            calls.push(Call::IoSubmit {
                chunks: vec![read(i + depth)],
            });
        }
    }
    if style == Style::Realistic {
        calls.push(Call::IoDestroy);
    }
    calls
}

/// io_uring: for each chunk an O_DIRECT read into a registered buffer, linked to a
/// send of that buffer; `depth` chunks per batch. Without SQPOLL one
/// io_uring_enter submits a batch and waits for its completions; with SQPOLL the
/// kernel's thread picks the entries up and the program polls the completion ring.
/// `cqes_per_chunk`: read and send, plus the zero-copy send's notification.
pub fn uring_plan(
    file_size: u64,
    chunk: u64,
    depth: u64,
    sqpoll: bool,
    cqes_per_chunk: u64,
) -> Vec<Call> {
    let k = file_size.div_ceil(chunk);
    let read = |i: u64| {
        (
            i * chunk,
            chunk.min(file_size - i * chunk),
            (i % depth) * chunk.min(file_size),
        )
    };
    let mut calls = vec![
        Call::UringSetup {
            entries: 2 * depth,
            sqpoll,
        },
        Call::UringRegister {
            buffers: depth.min(k),
        },
    ];
    let mut posted = 0;
    for first in (0..k).step_by(depth as usize) {
        let chunks: Vec<_> = (first..k.min(first + depth)).map(read).collect();
        let count = cqes_per_chunk * chunks.len() as u64;
        posted += count;
        calls.push(Call::UringQueue {
            chunks: chunks.clone(),
        });
        if sqpoll {
            calls.push(Call::UringPoll { cqes: posted });
        } else {
            calls.push(Call::UringEnter { chunks });
        }
        calls.push(Call::UringReap { count });
    }
    calls
}

/// The write path: `file_size` bytes written to a new file in calls of `chunk`
/// bytes, each reaching the disk as `sync` says.
pub fn write_plan(
    method: Method,
    style: Style,
    sync: SyncMode,
    file_size: u64,
    chunk: u64,
) -> Vec<Call> {
    let direct = sync == SyncMode::ODirect;
    let realistic = style == Style::Realistic;
    let mut calls = Vec::new();
    for i in 0..file_size.div_ceil(chunk) {
        let offset = i * chunk;
        let len = chunk.min(file_size - offset);
        match method {
            Method::WriteFile => {
                calls.push(Call::Produce { offset, len });
                calls.push(Call::WriteFile {
                    offset,
                    len,
                    direct,
                });
            }
            Method::CopyFile => {
                calls.push(Call::Read {
                    offset,
                    len: chunk,
                    direct: false,
                    keep: false,
                });
                calls.push(Call::WriteFile {
                    offset,
                    len,
                    direct: false,
                });
            }
            _ => calls.push(Call::CopyFileRange { offset, len: chunk }),
        }
    }
    // A real copy loop stops when a call returns 0 at the end of the input.
    if realistic {
        match method {
            Method::CopyFile => calls.push(Call::Read {
                offset: file_size,
                len: chunk,
                direct: false,
                keep: false,
            }),
            Method::CopyFileRange => calls.push(Call::CopyFileRange {
                offset: file_size,
                len: chunk,
            }),
            _ => {}
        }
    }
    if sync == SyncMode::Fsync {
        calls.push(Call::Fsync);
    }
    calls
}

/// `start`..`start + len` of a file of `file_size` bytes (the whole file, or one
/// round's part of it).
pub fn plan(
    method: Method,
    style: Style,
    file_size: u64,
    start: u64,
    len: u64,
    chunk: u64,
    access: Access,
) -> Vec<Call> {
    let end = start + len;
    // The final read() that returns 0 only comes when the loop reaches the end.
    let realistic = style == Style::Realistic && end == file_size;
    let mut order: Vec<u64> = (0..len.div_ceil(chunk)).collect();
    if let Access::Random(seed) = access {
        // Fisher-Yates with a seeded ChaCha: the same order on every machine.
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
    }
    let chunks = || {
        order.iter().map(move |&i| {
            let off = start + i * chunk;
            (off, chunk.min(end - off))
        })
    };
    // Up to the end of the file a program asks for a full buffer and the kernel
    // returns what is left; short of it, it asks for just its part.
    let ask = |n: u64| if end == file_size { chunk } else { n };
    let mut calls = Vec::new();
    match method {
        Method::Read | Method::DirectIo | Method::ReadWrite => {
            let direct = method == Method::DirectIo;
            for (offset, len) in chunks() {
                // The program asks for a full buffer; the kernel returns what is left.
                calls.push(Call::Read {
                    offset,
                    len: ask(len),
                    direct,
                    keep: method == Method::Read,
                });
                if method != Method::Read {
                    calls.push(Call::WriteUser {
                        offset,
                        len,
                        slot: 0,
                    });
                }
            }
            if realistic {
                calls.push(Call::Read {
                    offset: file_size,
                    len: chunk,
                    direct,
                    keep: method == Method::Read,
                });
            }
        }
        Method::MmapWrite => {
            calls.push(Call::Mmap { len: file_size });
            for (offset, len) in chunks() {
                calls.push(Call::WriteMapped { offset, len });
            }
            if realistic {
                calls.push(Call::Munmap { len: file_size });
            }
        }
        Method::Sendfile => {
            for (offset, len) in chunks() {
                calls.push(Call::Sendfile { offset, len });
            }
        }
        Method::Splice => {
            if realistic {
                calls.push(Call::Pipe);
            }
            for (offset, len) in chunks() {
                calls.push(Call::SpliceIn { offset, len });
                calls.push(Call::SpliceOut { offset, len });
            }
            if realistic {
                calls.push(Call::SpliceIn {
                    offset: file_size,
                    len: chunk,
                });
            }
        }
        // Their calls depend on more than the loop: see `recv_plan`, `aio_plan`
        // and `write_plan`.
        Method::Recv | Method::DirectAio | Method::IoUring => {}
        Method::WriteFile | Method::CopyFile | Method::CopyFileRange => {}
    }
    calls
}
