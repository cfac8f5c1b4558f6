//! iolab: a cycle-stepped simulator that teaches how data moves through a computer.
//!
//! `sim` is the machine (no Bevy); `scenario` reads RON scenario files; `session`
//! is the service layer every front end calls; `metrics`, `replay`, `narrate`,
//! `compare`, `trace` and `exercise` are views of a run's log; the front ends are
//! `cli` (the command line) and `app` (the animated classroom scene, feature `gui`).

pub mod breakpoint;
pub mod cli;
pub mod compare;
pub mod exercise;
pub mod figure;
pub mod i18n;
pub mod lanes;
pub mod lesson;
pub mod metrics;
pub mod narrate;
pub mod replay;
pub mod route;
pub mod scenario;
pub mod session;
pub mod sim;
pub mod trace;

#[cfg(feature = "gui")]
pub mod app;
