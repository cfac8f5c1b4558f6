//! The plain configuration of a run: the hardware, the workload and the conditions,
//! already resolved from a scenario file and flags, and checked. Errors name a
//! typed `Field`; the scenario layer maps it to the file's field or the flag.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use super::hardware::Hardware;
use super::program::{
    Access, Call, IoModel, Method, Style, SyncMode, aio_plan, plan, recv_plan, uring_plan,
    write_plan,
};

/// A setting a run can be refused for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    FileSize,
    BufferSize,
    QueueDepth,
    WordBytes,
    CpuCyclesPerWord,
    PioCyclesPerWord,
    ControllerBuffer,
    NicBuffer,
    PageSize,
    CachePages,
    SocketBuffer,
    PipeCapacity,
    DioAlignment,
    Sync,
    DirtyBackground,
    DirtyLimit,
    Method,
    Access,
    DeviceParallelism,
    Sqpoll,
}

impl Field {
    /// The setting's own name (a scenario file puts it under `hardware` or
    /// `conditions`; scenario.rs says where).
    pub fn name(self) -> &'static str {
        match self {
            Field::FileSize => "file_size",
            Field::BufferSize => "buffer_size",
            Field::QueueDepth => "queue_depth",
            Field::WordBytes => "word_bytes",
            Field::CpuCyclesPerWord => "cpu_cycles_per_word",
            Field::PioCyclesPerWord => "pio_cycles_per_word",
            Field::ControllerBuffer => "controller_buffer",
            Field::NicBuffer => "nic_buffer",
            Field::PageSize => "page_size",
            Field::CachePages => "cache_pages",
            Field::SocketBuffer => "socket_buffer",
            Field::PipeCapacity => "pipe_capacity",
            Field::DioAlignment => "dio_alignment",
            Field::Sync => "sync",
            Field::DirtyBackground => "dirty_background",
            Field::DirtyLimit => "dirty_limit",
            Field::Method => "method",
            Field::Access => "access",
            Field::DeviceParallelism => "device_parallelism",
            Field::Sqpoll => "sqpoll",
        }
    }

    /// Whether the field belongs to the hardware (a profile sets it).
    pub fn is_hardware(self) -> bool {
        !matches!(
            self,
            Field::FileSize
                | Field::BufferSize
                | Field::QueueDepth
                | Field::Sync
                | Field::Method
                | Field::Access
                | Field::Sqpoll
        )
    }
}

/// What the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    /// Readable text, so bytes on screen can be recognised.
    Text,
    /// Pseudo-random bytes from the seed.
    Random,
}

/// Everything a run needs, already validated.
#[derive(Clone, Debug)]
pub struct Setup {
    pub name: String,
    pub hw: Hardware,
    pub method: Method,
    pub style: Style,
    pub file_size: u64,
    pub buffer_size: u64,
    pub warm_cache: bool,
    pub content: Content,
    pub seed: u64,
    pub access: Access,
    /// For `recv`: how the process waits, when the message arrives, how often a
    /// nonblocking process retries.
    pub io_model: IoModel,
    pub arrival_delay: u64,
    pub poll_interval: u64,
    /// For `direct_aio`: requests kept in flight; for `io_uring`: chunks per batch.
    pub queue_depth: u64,
    /// For `io_uring`: a kernel thread polls the submission ring (IORING_SETUP_SQPOLL).
    pub sqpoll: bool,
    /// For the write path: how the written file reaches the disk.
    pub sync: SyncMode,
    /// Several files (empty: the one file of `file_size`, `content`, `seed`).
    pub files: Vec<FileSpec>,
    /// What the program does with them, repeated `rounds` times (empty: `method`
    /// over the whole of file 0).
    pub accesses: Vec<AccessSpec>,
    pub rounds: u64,
}

/// A file of a multi-file scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSpec {
    pub name: String,
    pub size: u64,
    pub content: Content,
    pub seed: u64,
}

/// One access of a round: a method over a file, all of it or the next
/// `bytes_per_round` of it (a file streaming through, round after round).
#[derive(Clone, Debug, PartialEq)]
pub struct AccessSpec {
    pub file: u32,
    pub method: Method,
    pub bytes_per_round: Option<u64>,
    pub buffer_size: u64,
}

impl Default for Setup {
    /// The built-in default: read + write of a 40-byte file, classroom profile.
    /// Its `arrival_delay` and `poll_interval` are the classroom's: a setup for
    /// another profile takes them from `Hardware::default_arrival_delay` and
    /// `default_poll_interval` (the scenario layer does).
    fn default() -> Self {
        let hw = Hardware::classroom();
        Setup {
            name: "default".into(),
            method: Method::ReadWrite,
            style: Style::Textbook,
            file_size: 40,
            buffer_size: 40,
            warm_cache: false,
            content: Content::Text,
            seed: 1,
            access: Access::Sequential,
            io_model: IoModel::Blocking,
            arrival_delay: hw.default_arrival_delay(),
            poll_interval: hw.default_poll_interval(),
            queue_depth: 4,
            sqpoll: false,
            sync: SyncMode::None,
            files: Vec::new(),
            accesses: Vec::new(),
            rounds: 1,
            hw,
        }
    }
}

/// The most calls and pages a run may take, so that its log stays replayable.
pub const MAX_CALLS: u64 = 250_000;
pub const MAX_PAGES: u64 = 1 << 20;

/// The largest file iolab simulates: it keeps every byte in memory.
pub const MAX_FILE: u64 = 2 << 30;

impl Setup {
    /// The process's user buffer: one buffer, or `queue_depth` of them for AIO. A
    /// read never returns more than the file holds, so no more than the file is needed.
    pub fn user_buffer_bytes(&self) -> u64 {
        let one = self.buffer_size.min(self.file_size.max(1));
        if matches!(self.method, Method::DirectAio | Method::IoUring) {
            one * self.queue_depth.min(self.file_size.div_ceil(one)).max(1)
        } else {
            one
        }
    }

    /// io_uring: completions per chunk: the read's and the send's, and with a
    /// scatter-gather NIC the zero-copy send's notification that the buffer is free.
    pub fn uring_cqes_per_chunk(&self) -> u64 {
        if self.hw.nic_sg { 3 } else { 2 }
    }

    /// Bytes per call: the buffer, or for splice what fits the pipe.
    pub fn chunk(&self) -> u64 {
        match self.method {
            Method::Splice => self.buffer_size.min(self.hw.pipe_capacity),
            _ => self.buffer_size,
        }
    }

    /// The cycle up to which a `recv` run is observed: well after the message has
    /// arrived and any model has handled it.
    pub fn recv_horizon(&self) -> u64 {
        let hw = &self.hw;
        let transfer = (self.file_size * 1000).div_ceil(hw.nic_rate.0)
            + (self.file_size * 1000).div_ceil(hw.dma_rate.0);
        let overhead = hw.syscall_entry_cycles
            + hw.syscall_exit_cycles
            + hw.irq_cycles
            + hw.context_switch_cycles
            + hw.signal_cycles
            + hw.kernel_cycles
            + self.poll_interval
            + self.file_size.div_ceil(hw.word_bytes) * hw.cpu_cycles_per_word;
        self.arrival_delay + 2 * transfer + 8 * overhead
    }

    /// Why O_DIRECT calls of this setup would fail with EINVAL, if they would.
    pub fn dio_problem(&self) -> Option<(Field, String)> {
        let a = self.hw.dio_alignment;
        let direct = matches!(
            self.method,
            Method::DirectIo | Method::DirectAio | Method::IoUring
        ) || (self.method == Method::WriteFile && self.sync == SyncMode::ODirect);
        if direct && !self.buffer_size.is_multiple_of(a) {
            return Some((
                Field::BufferSize,
                format!(
                    "O_DIRECT needs a buffer length that is a multiple of {a} (dio_alignment), got {}",
                    self.buffer_size
                ),
            ));
        }
        // The last O_DIRECT write is as long as what is left of the file.
        let writes = self.method == Method::WriteFile && self.sync == SyncMode::ODirect;
        (writes && !self.file_size.is_multiple_of(a)).then(|| {
            (
                Field::FileSize,
                format!(
                    "O_DIRECT writes need lengths that are multiples of {a} (dio_alignment): the last write of a {}-byte file is not",
                    self.file_size
                ),
            )
        })
    }

    /// Checks that the run is possible. The error names the field and says why.
    pub fn validate(&self) -> Result<(), (Field, String)> {
        let hw = &self.hw;
        let positive: [(Field, u64); 13] = [
            (Field::FileSize, self.file_size),
            (Field::BufferSize, self.buffer_size),
            (Field::WordBytes, hw.word_bytes),
            (Field::CpuCyclesPerWord, hw.cpu_cycles_per_word),
            (Field::PioCyclesPerWord, hw.pio_cycles_per_word),
            (Field::ControllerBuffer, hw.controller_buffer),
            (Field::NicBuffer, hw.nic_buffer),
            (Field::PageSize, hw.page_size),
            (Field::CachePages, hw.cache_pages),
            (Field::SocketBuffer, hw.socket_buffer),
            (Field::PipeCapacity, hw.pipe_capacity),
            (Field::DioAlignment, hw.dio_alignment),
            (Field::DeviceParallelism, hw.device_parallelism),
        ];
        for (field, v) in positive {
            if v == 0 {
                return Err((field, "must be at least 1".into()));
            }
        }
        let limits: [(Field, u64, u64); 8] = [
            (Field::FileSize, self.file_size, MAX_FILE),
            (Field::BufferSize, self.buffer_size, MAX_FILE),
            (Field::WordBytes, hw.word_bytes, 8),
            (Field::PageSize, hw.page_size, 1 << 20),
            (Field::ControllerBuffer, hw.controller_buffer, 64 << 20),
            (Field::NicBuffer, hw.nic_buffer, 64 << 20),
            (Field::SocketBuffer, hw.socket_buffer, 1 << 30),
            (Field::DeviceParallelism, hw.device_parallelism, 1024),
        ];
        for (field, v, max) in limits {
            if v > max {
                return Err((field, format!("{v} is too large (at most {max})")));
            }
        }
        if hw.cache_pages > (1 << 40) / hw.page_size {
            return Err((
                Field::CachePages,
                "the page cache would exceed 1 TiB".into(),
            ));
        }
        let ps = hw.page_size;
        // Keep the log to a size a laptop can hold and replay (a few million events).
        let calls = self
            .file_size
            .div_ceil(self.chunk().max(1))
            .saturating_mul(self.rounds.max(1));
        if self.accesses.is_empty() && calls > MAX_CALLS {
            return Err((
                Field::BufferSize,
                format!(
                    "{} bytes in calls of {} bytes is {calls} calls, more than iolab logs ({MAX_CALLS}): use a larger buffer_size",
                    self.file_size,
                    self.chunk()
                ),
            ));
        }
        if self.file_size / ps > MAX_PAGES {
            return Err((
                Field::PageSize,
                format!(
                    "{} bytes in pages of {ps} bytes is more than {MAX_PAGES} pages: use larger pages or a smaller file",
                    self.file_size
                ),
            ));
        }
        if self.sync != SyncMode::None && !self.method.writes() {
            return Err((
                Field::Sync,
                format!(
                    "sync applies to the methods that write a file (write_file, copy_file, copy_file_range), not to {}",
                    self.method.name()
                ),
            ));
        }
        if self.sqpoll && self.method != Method::IoUring {
            return Err((
                Field::Sqpoll,
                format!(
                    "sqpoll is a setting of io_uring's rings, not of {}",
                    self.method.name()
                ),
            ));
        }
        if self.accesses.iter().any(|a| a.method.writes()) {
            return Err((
                Field::Method,
                "the write methods write one new file: they cannot be one access of several".into(),
            ));
        }
        match self.method {
            Method::WriteFile | Method::CopyFile | Method::CopyFileRange => {
                if self.sync == SyncMode::ODirect && self.method != Method::WriteFile {
                    return Err((
                        Field::Sync,
                        "o_direct is for write_file (a copy through O_DIRECT would need O_DIRECT reads too)".into(),
                    ));
                }
                if self.access != Access::Sequential {
                    return Err((
                        Field::Access,
                        "the write methods write the file from start to end: access must be sequential".into(),
                    ));
                }
                if hw.dirty_limit == 0 {
                    return Err((Field::DirtyLimit, "must be at least 1".into()));
                }
                if hw.dirty_background > hw.dirty_limit {
                    return Err((
                        Field::DirtyBackground,
                        format!(
                            "background writeback must start at or below dirty_limit ({}), got {}",
                            hw.dirty_limit, hw.dirty_background
                        ),
                    ));
                }
                // A call holds the pages it writes (and, copying, those it reads).
                let one = self.chunk().min(self.file_size).div_ceil(ps) + 1;
                let per_call = if self.method == Method::WriteFile {
                    one
                } else {
                    2 * one
                };
                if per_call > hw.cache_pages {
                    return Err((
                        Field::CachePages,
                        format!(
                            "one call of {} bytes can hold {per_call} pages but the page cache holds {}: use a smaller buffer_size or more cache_pages",
                            self.chunk().min(self.file_size),
                            hw.cache_pages
                        ),
                    ));
                }
            }
            // O_DIRECT alignment is checked by the kernel at run time (EINVAL); see
            // `dio_problem` for the static check.
            Method::DirectIo | Method::DirectAio | Method::IoUring => {
                if self.queue_depth == 0 || self.queue_depth > 1024 {
                    return Err((Field::QueueDepth, "must be between 1 and 1024".into()));
                }
                if self.buffer_size.saturating_mul(self.queue_depth) > MAX_FILE {
                    return Err((
                        Field::BufferSize,
                        "buffer_size × queue_depth is too large (at most 2 GiB)".into(),
                    ));
                }
            }
            Method::Recv => {
                if self.buffer_size < self.file_size {
                    return Err((
                        Field::BufferSize,
                        format!(
                            "recv reads the whole message in one call: buffer_size ({}) must be at least file_size ({})",
                            self.buffer_size, self.file_size
                        ),
                    ));
                }
                if self.file_size > 64 << 20 {
                    return Err((
                        Field::FileSize,
                        "a received message is at most 64 MiB".into(),
                    ));
                }
            }
            Method::MmapWrite => {
                let pages = self.file_size.div_ceil(ps);
                if pages > hw.cache_pages {
                    return Err((
                        Field::CachePages,
                        format!(
                            "mmap_write maps the whole file: it needs {pages} pages but the page cache holds {}",
                            hw.cache_pages
                        ),
                    ));
                }
            }
            _ => {
                // sendfile works through an internal pipe: a pipe's worth at a time.
                let step = match self.method {
                    Method::Sendfile => self.chunk().min(hw.pipe_capacity.max(ps)),
                    _ => self.chunk(),
                };
                let per_call = step.min(self.file_size).div_ceil(ps) + 1;
                let what = if self.method == Method::Sendfile {
                    "one step of sendfile (a pipe's worth)"
                } else {
                    "one call"
                };
                if per_call > hw.cache_pages {
                    return Err((
                        Field::CachePages,
                        format!(
                            "{what} of {} bytes can touch {per_call} pages but the page cache holds {}: use a smaller buffer_size or more cache_pages",
                            step.min(self.file_size),
                            hw.cache_pages
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every file's bytes.
    pub fn files_bytes(&self) -> Vec<Vec<u8>> {
        if self.files.is_empty() {
            return vec![self.file_bytes()];
        }
        self.files
            .iter()
            .map(|f| {
                Setup {
                    file_size: f.size,
                    content: f.content,
                    seed: f.seed,
                    ..self.clone_light()
                }
                .file_bytes()
            })
            .collect()
    }

    /// A copy without the (possibly long) lists, to make one file's bytes.
    fn clone_light(&self) -> Setup {
        Setup {
            files: Vec::new(),
            accesses: Vec::new(),
            name: String::new(),
            ..self.clone()
        }
    }

    /// The program's calls, the file of each, and the bytes it moves in all.
    pub fn program(&self) -> (Vec<Call>, Vec<u32>, u64) {
        if self.accesses.is_empty() {
            let calls = match self.method {
                Method::Recv => recv_plan(self.io_model, self.buffer_size),
                Method::DirectAio => aio_plan(
                    self.style,
                    self.file_size,
                    self.buffer_size,
                    self.queue_depth,
                ),
                Method::IoUring => uring_plan(
                    self.file_size,
                    self.buffer_size,
                    self.queue_depth,
                    self.sqpoll,
                    self.uring_cqes_per_chunk(),
                ),
                Method::WriteFile | Method::CopyFile | Method::CopyFileRange => write_plan(
                    self.method,
                    self.style,
                    self.sync,
                    self.file_size,
                    self.buffer_size,
                ),
                m => plan(
                    m,
                    self.style,
                    self.file_size,
                    0,
                    self.file_size,
                    self.chunk(),
                    self.access,
                ),
            };
            let n = calls.len();
            return (calls, vec![0; n], self.file_size);
        }
        let (mut calls, mut files, mut total) = (Vec::new(), Vec::new(), 0);
        let mut cursor = vec![0u64; self.files.len()];
        for _ in 0..self.rounds {
            for a in &self.accesses {
                let size = self.files[a.file as usize].size;
                let (start, len) = match a.bytes_per_round {
                    None => (0, size),
                    Some(b) => {
                        let at = cursor[a.file as usize];
                        let len = b.min(size - at);
                        cursor[a.file as usize] += len;
                        (at, len)
                    }
                };
                if len == 0 {
                    continue;
                }
                let chunk = match a.method {
                    Method::Splice => a.buffer_size.min(self.hw.pipe_capacity),
                    _ => a.buffer_size,
                };
                let c = plan(
                    a.method,
                    self.style,
                    size,
                    start,
                    len,
                    chunk,
                    Access::Sequential,
                );
                files.extend(std::iter::repeat_n(a.file, c.len()));
                calls.extend(c);
                total += len;
            }
        }
        (calls, files, total)
    }

    /// The file's bytes, the same for the same seed on every machine.
    pub fn file_bytes(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.file_size as usize];
        match self.content {
            Content::Random => ChaCha8Rng::seed_from_u64(self.seed).fill_bytes(&mut v),
            Content::Text => {
                const TEXT: &[u8] =
                    b"Data moves: disk -> page cache -> user -> socket -> NIC. DMA frees the CPU! ";
                let start = (self.seed % TEXT.len() as u64) as usize;
                for (i, b) in v.iter_mut().enumerate() {
                    *b = TEXT[(start + i) % TEXT.len()];
                }
            }
        }
        v
    }
}
