//! iolab's integration tests, as one test crate: the library (and Bevy) are linked
//! once instead of once per file. Each module is one subject; `common` holds the
//! helpers they share.

mod common;

#[cfg(feature = "gui")]
mod app;
mod breakpoint;
mod cli;
mod compare;
mod direct_aio;
mod exercise;
mod faults;
mod fidelity;
mod figure;
mod formulas;
mod golden;
mod i18n;
mod io_models;
mod lesson;
mod machine;
mod nvme;
mod page_cache;
mod pollution;
mod property;
#[cfg(feature = "gui")]
mod render;
mod replay;
mod route;
mod scenario;
mod trace;
mod uring;
mod write_path;
