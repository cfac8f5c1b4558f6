//! The route of a run, as the seed notes draw it: one arrow per distinct path the
//! bytes take (from one place to another, by one agent), numbered in the order the
//! paths are first used, with the bytes moved along each so far. A function of the
//! log and the playhead, like the rest of the scene: the replay keeps the paths of
//! the copies done (a handful, whatever the length of the log), and the copies in
//! flight at the playhead add theirs.

use crate::replay::{Flight, SceneState};
use crate::sim::event::{Agent, Place};

/// A place as the route shows it: every page frame is "the page cache".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Spot {
    Platter,
    Controller,
    PageCache,
    User,
    /// The socket buffer (send or receive: the picture shows them in one place).
    Socket,
    Nic,
    Wire,
}

impl Spot {
    pub fn of(p: &Place) -> Spot {
        match p {
            Place::Platter { .. } => Spot::Platter,
            Place::Controller { .. } => Spot::Controller,
            Place::Frame { .. } => Spot::PageCache,
            Place::User { .. } => Spot::User,
            Place::Socket { .. } | Place::RecvBuffer { .. } => Spot::Socket,
            Place::NicBuffer { .. } => Spot::Nic,
            Place::Wire { .. } => Spot::Wire,
        }
    }
}

/// How the bytes go along a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mover {
    /// A CPU copy through its register.
    Cpu,
    /// A DMA copy (the disk's engine or the NIC's).
    Dma,
    /// Inside a device: platter ↔ controller, NIC ↔ wire. Not a copy.
    Device,
    /// Scatter-gather: page references, not bytes, go to the socket buffer.
    Descriptors,
}

impl Mover {
    pub fn of(a: Agent) -> Mover {
        match a {
            Agent::Cpu => Mover::Cpu,
            Agent::Dma => Mover::Dma,
            Agent::Device => Mover::Device,
        }
    }

    /// Whether bytes moved between two places in memory (what the counters count).
    pub fn is_copy(self) -> bool {
        matches!(self, Mover::Cpu | Mover::Dma)
    }
}

/// One path of the route as the replay keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub from: Spot,
    pub to: Spot,
    pub mover: Mover,
    /// Bytes moved along it by the copies done (descriptors: bytes described).
    pub bytes: u64,
    /// When it was first used: (first cycle of its first copy, that copy's event).
    pub first: (u64, usize),
}

/// Adds a finished copy (or descriptors) to the paths.
pub fn record(
    paths: &mut Vec<Path>,
    from: Spot,
    to: Spot,
    mover: Mover,
    bytes: u64,
    first: (u64, usize),
) {
    match paths
        .iter_mut()
        .find(|p| p.from == from && p.to == to && p.mover == mover)
    {
        Some(p) => {
            p.bytes += bytes;
            p.first = p.first.min(first);
        }
        None => paths.push(Path {
            from,
            to,
            mover,
            bytes,
            first,
        }),
    }
}

/// One arrow on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    /// 1 for the path used first.
    pub number: usize,
    pub from: Spot,
    pub to: Spot,
    pub mover: Mover,
    /// Bytes moved along it so far, the copies in flight included.
    pub bytes: u64,
    /// A copy on it is moving now.
    pub live: bool,
}

/// The route at the playhead: the paths of the copies done, and of those in flight.
pub fn at(st: &SceneState, flights: &[Flight]) -> Vec<Arrow> {
    let mut paths = st.route.clone();
    let mut live = Vec::new();
    for f in flights {
        let (from, to, mover) = (Spot::of(&f.from), Spot::of(&f.to), Mover::of(f.agent));
        record(
            &mut paths,
            from,
            to,
            mover,
            f.moved(),
            (f.first_cycle, f.event),
        );
        live.push((from, to, mover));
    }
    paths.sort_by_key(|p| p.first);
    paths
        .into_iter()
        .enumerate()
        .map(|(i, p)| Arrow {
            number: i + 1,
            live: live.contains(&(p.from, p.to, p.mover)),
            from: p.from,
            to: p.to,
            mover: p.mover,
            bytes: p.bytes,
        })
        .collect()
}

/// The seed's caption under its figures: mode switches, and the copy steps of the
/// route by who makes them ("4 mode switches · 2 CPU copies · 2 DMA copies").
pub fn caption_counts(st: &SceneState, arrows: &[Arrow]) -> (u64, usize, usize) {
    let count = |m: Mover| arrows.iter().filter(|a| a.mover == m).count();
    (
        st.counters.mode_switches,
        count(Mover::Cpu),
        count(Mover::Dma),
    )
}
