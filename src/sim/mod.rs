//! The simulated machine. No Bevy, no wall clock, no I/O: a pure, deterministic
//! function from a `Setup` to an event log.
//!
//! One file per part, each owning its state and its behaviour: `cpu`, `bus`,
//! `disk`, `dma`, `nic`, `memory` (every place a byte can be), `page_cache`, `coalesce` (interrupt
//! moderation); the
//! `kernel` drives them; `program` is the user process and `plan` its calls for each workload; `machine` owns the clock
//! and wires the parts; `setup` is the configuration of a run.

pub mod bus;
pub mod coalesce;
pub mod counters;
pub mod cpu;
pub mod disk;
pub mod dma;
pub mod error;
pub mod event;
pub mod hardware;
pub mod kernel;
pub mod log;
pub mod machine;
pub mod memory;
pub mod nic;
pub mod page_cache;
pub mod plan;
pub mod program;
pub mod setup;
pub mod sq_thread;
pub mod transfer;

pub use counters::Counters;
pub use error::SimError;
pub use event::{Event, EventKind};
pub use hardware::{Completion, DiskInterface, DiskTransfer, Hardware};
pub use kernel::{EAGAIN, EINVAL, OUT};
pub use machine::Machine;
pub use program::{Method, Style};
pub use setup::{AccessSpec, Content, Field, FileSpec, MAX_CALLS, MAX_FILE, MAX_PAGES, Setup};
