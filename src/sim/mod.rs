//! The simulated machine. No Bevy, no wall clock, no I/O: a pure, deterministic
//! function from a `Setup` to an event log.

pub mod counters;
pub mod cpu;
pub mod disk;
pub mod dma;
pub mod event;
pub mod hardware;
pub mod machine;
pub mod memory;
pub mod nic;
pub mod page_cache;
pub mod program;
pub mod transfer;

pub use counters::Counters;
pub use event::{Event, EventKind};
pub use hardware::{DiskTransfer, Hardware};
pub use machine::{Content, Machine, Setup, SimError};
pub use program::{Method, Style};
