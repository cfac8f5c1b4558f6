//! A broken invariant inside the simulator. It is reported, never a panic.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError(pub String);

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "simulator error: {}", self.0)
    }
}

impl std::error::Error for SimError {}

pub fn bug(msg: impl Into<String>) -> SimError {
    SimError(msg.into())
}
