//! Breakpoints on I/O events: "the third interrupt", "the first sendfile()", "the
//! next page-cache miss". The app runs forwards or backwards to the next event of
//! the kinds chosen; the command line takes the same selectors for its pictures
//! (`--at-event irq_raise:3`, `--at-event syscall_enter:sendfile:1`).

use crate::sim::event::{Agent, Event, EventKind};

/// A kind of moment a class wants to stop at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A device raised an interrupt.
    Interrupt,
    /// The CPU switched between user and kernel mode (any cause).
    ModeSwitch,
    /// A page-cache look-up missed.
    CacheMiss,
    /// The kernel started a readahead window.
    Readahead,
    /// A DMA copy started (the moment its first byte moves).
    DmaCopy,
    /// A CPU copy started.
    CpuCopy,
    /// Bytes reached their destination.
    Delivered,
    /// A system call was entered.
    Syscall,
    /// io_uring: the kernel posted a completion.
    Completion,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Interrupt,
        Kind::ModeSwitch,
        Kind::CacheMiss,
        Kind::Readahead,
        Kind::DmaCopy,
        Kind::CpuCopy,
        Kind::Delivered,
        Kind::Syscall,
        Kind::Completion,
    ];

    /// The name on the command line (the event's own type where there is one).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Interrupt => "irq_raise",
            Kind::ModeSwitch => "mode_switch",
            Kind::CacheMiss => "cache_miss",
            Kind::Readahead => "readahead_window",
            Kind::DmaCopy => "dma_copy",
            Kind::CpuCopy => "cpu_copy",
            Kind::Delivered => "delivered",
            Kind::Syscall => "syscall_enter",
            Kind::Completion => "uring_cqe",
        }
    }

    /// The key of its name in the language files.
    pub fn text(self) -> &'static str {
        match self {
            Kind::Interrupt => "app.bp_irq",
            Kind::ModeSwitch => "app.bp_mode",
            Kind::CacheMiss => "app.bp_miss",
            Kind::Readahead => "app.bp_readahead",
            Kind::DmaCopy => "app.bp_dma",
            Kind::CpuCopy => "app.bp_cpu",
            Kind::Delivered => "app.bp_delivered",
            Kind::Syscall => "app.bp_syscall",
            Kind::Completion => "app.bp_cqe",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Whether an event is a moment of this kind; `arg` narrows a system call to
    /// one name.
    pub fn matches(self, e: &EventKind, arg: Option<&str>) -> bool {
        match (self, e) {
            (Kind::Interrupt, EventKind::IrqRaise { .. }) => true,
            (Kind::ModeSwitch, EventKind::ModeSwitch { .. }) => true,
            (Kind::CacheMiss, EventKind::CacheMiss { .. }) => true,
            (Kind::Readahead, EventKind::ReadaheadWindow { .. }) => true,
            (Kind::DmaCopy, EventKind::Copy { agent, .. }) => *agent == Agent::Dma,
            (Kind::CpuCopy, EventKind::Copy { agent, .. }) => *agent == Agent::Cpu,
            (Kind::Delivered, EventKind::Delivered { .. }) => true,
            (Kind::Syscall, EventKind::SyscallEnter { name, .. }) => arg.is_none_or(|a| a == *name),
            (Kind::Completion, EventKind::UringCqe { .. }) => true,
            _ => false,
        }
    }
}

/// Where a moment is: the cycle to show. A copy is logged when it ends; its
/// moment is when it starts.
pub fn cycle_of(e: &Event) -> u64 {
    match e.kind {
        EventKind::Copy { first_cycle, .. } => first_cycle,
        _ => e.cycle,
    }
}

/// The moments of `kinds`, in the order they happen: (cycle, event index).
pub fn moments(events: &[Event], kinds: &[Kind]) -> Vec<(u64, usize)> {
    let mut out: Vec<(u64, usize)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| kinds.iter().any(|k| k.matches(&e.kind, None)))
        .map(|(i, e)| (cycle_of(e), i))
        .collect();
    out.sort();
    out
}

/// The first moment after (or, backwards, before) `cycle`.
pub fn next(moments: &[(u64, usize)], cycle: f64, forward: bool) -> Option<u64> {
    if forward {
        moments
            .iter()
            .map(|m| m.0)
            .find(|&c| c as f64 > cycle + 1e-9)
    } else {
        moments
            .iter()
            .rev()
            .map(|m| m.0)
            .find(|&c| (c as f64) < cycle - 1e-9)
    }
}

/// What `--at-event` points at: an event by number, or a moment by selector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Event(usize),
    Cycle(u64),
}

/// Reads `--at-event`: `K` (event number K), `KIND:N` (the N-th moment of a kind,
/// from 1) or `syscall_enter:NAME:N` (the N-th call of that name).
pub fn resolve(sel: &str, events: &[Event]) -> Result<Target, String> {
    let sel = sel.trim();
    if let Ok(k) = sel.parse::<usize>() {
        if k >= events.len() {
            return Err(format!(
                "--at-event {k}: the run has {} events (0 to {})",
                events.len(),
                events.len().saturating_sub(1)
            ));
        }
        return Ok(Target::Event(k));
    }
    let parts: Vec<&str> = sel.split(':').collect();
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let usage = || {
        format!(
            "--at-event {sel}: use an event number, KIND:N or syscall_enter:NAME:N (kinds: {})",
            names.join(", ")
        )
    };
    let kind = Kind::parse(parts[0]).ok_or_else(usage)?;
    let (arg, n) = match (kind, parts.as_slice()) {
        (Kind::Syscall, [_, name, n]) => (Some(*name), *n),
        (_, [_, n]) => (None, *n),
        _ => return Err(usage()),
    };
    let n: usize = n.parse().ok().filter(|&n| n >= 1).ok_or_else(usage)?;
    let mut found: Vec<(u64, usize)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| kind.matches(&e.kind, arg))
        .map(|(i, e)| (cycle_of(e), i))
        .collect();
    found.sort();
    let copy = matches!(kind, Kind::DmaCopy | Kind::CpuCopy);
    match found.get(n - 1) {
        // A copy is shown as it starts; any other moment is its own event.
        Some(&(c, _)) if copy => Ok(Target::Cycle(c)),
        Some(&(_, i)) => Ok(Target::Event(i)),
        None => Err(format!(
            "--at-event {sel}: the run has {} such moments",
            found.len()
        )),
    }
}
