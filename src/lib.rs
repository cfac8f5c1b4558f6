//! iolab: a cycle-stepped simulator that teaches how data moves through a computer.
//!
//! `sim` is the machine (no Bevy); `scenario` reads RON scenario files; `cli` and
//! `compare` are the command line; `app` is the animated classroom scene (feature `gui`).

pub mod cli;
pub mod compare;
pub mod exercise;
pub mod i18n;
pub mod narrate;
pub mod replay;
pub mod scenario;
pub mod sim;
pub mod trace;

#[cfg(feature = "gui")]
pub mod app;
