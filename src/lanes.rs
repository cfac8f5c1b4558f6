//! Views of a log over time, for every front end that draws or exports one: the
//! spans during which a state held (CPU mode, activity, bus owner), the part whose
//! track a copy belongs to, and the compare view's lanes. One fold each, so the
//! timeline, the compare view, and the Chrome and VCD exports agree.

use crate::sim::event::{Agent, Engine, Event, EventKind, Mode, Place};

/// The hardware part a copy is drawn or exported on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Track {
    Cpu,
    DiskDma,
    /// The disk's medium filling its controller buffer, or storing it (a write).
    Disk,
    /// The NIC: its DMA (send or receive) and the wire.
    Nic,
}

/// The track of a copy from `from` by `agent` (and DMA `engine`).
pub fn track_of(agent: Agent, engine: Option<Engine>, from: &Place) -> Track {
    match (agent, engine, from) {
        (Agent::Cpu, _, _) => Track::Cpu,
        (Agent::Dma, Some(Engine::DiskDma), _) => Track::DiskDma,
        // The medium: platter → controller (a read), controller → platter (a write).
        (Agent::Device, _, Place::Platter { .. } | Place::Controller { .. }) => Track::Disk,
        _ => Track::Nic,
    }
}

/// Every copy of the log: its track, its agent, and the cycles [first, last+1) its
/// bytes moved in.
pub fn copies(events: &[Event]) -> impl Iterator<Item = (Track, Agent, (u64, u64))> + '_ {
    events.iter().filter_map(|e| match &e.kind {
        EventKind::Copy {
            from,
            agent,
            engine,
            first_cycle,
            last_cycle,
            ..
        } => Some((
            track_of(*agent, *engine, from),
            *agent,
            (*first_cycle, last_cycle + 1),
        )),
        _ => None,
    })
}

/// The spans [start, end) during which a state held: `pick` reads the new state
/// from an event that sets it; `initial` holds from cycle 0. The last state holds
/// until `end`. Empty spans are left out.
pub fn state_spans<T: Copy + PartialEq>(
    events: &[Event],
    end: u64,
    initial: Option<T>,
    pick: impl Fn(&EventKind) -> Option<T>,
) -> Vec<(u64, u64, T)> {
    let mut out = Vec::new();
    let mut open = initial.map(|t| (0, t));
    for e in events {
        let Some(next) = pick(&e.kind) else { continue };
        match open {
            Some((_, t)) if t == next => continue,
            Some((s, t)) if e.cycle > s => out.push((s, e.cycle, t)),
            _ => {}
        }
        open = Some((e.cycle, next));
    }
    if let Some((s, t)) = open
        && end > s
    {
        out.push((s, end, t));
    }
    out
}

/// Disjoint, sorted time spans with running totals, so that "how much of
/// [c0, c1) is covered" is two binary searches (a lane is drawn one pixel column
/// at a time, whatever the length of the run).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spans {
    spans: Vec<(u64, u64)>,
    /// before[i]: total length of spans[..i].
    before: Vec<u64>,
}

impl Spans {
    /// Merges overlapping or touching spans `[start, end)`.
    pub fn new(mut raw: Vec<(u64, u64)>) -> Spans {
        raw.retain(|(s, e)| e > s);
        raw.sort_unstable();
        let mut spans: Vec<(u64, u64)> = Vec::with_capacity(raw.len());
        for (s, e) in raw {
            match spans.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => spans.push((s, e)),
            }
        }
        let mut before = Vec::with_capacity(spans.len());
        let mut total = 0;
        for (s, e) in &spans {
            before.push(total);
            total += e - s;
        }
        Spans { spans, before }
    }

    pub fn spans(&self) -> &[(u64, u64)] {
        &self.spans
    }

    /// Covered length in [0, c).
    fn upto(&self, c: u64) -> u64 {
        let i = self.spans.partition_point(|(s, _)| *s < c);
        if i == 0 {
            return 0;
        }
        let (s, e) = self.spans[i - 1];
        self.before[i - 1] + e.min(c) - s
    }

    /// Covered length in [c0, c1).
    pub fn covered(&self, c0: u64, c1: u64) -> u64 {
        if c1 <= c0 {
            return 0;
        }
        self.upto(c1) - self.upto(c0)
    }
}

/// What one lane of the compare view draws: when the CPU was in kernel mode,
/// when bytes were being copied by the CPU and by DMA, and when interrupts were taken.
#[derive(Clone, Debug, Default)]
pub struct Lane {
    pub kernel: Spans,
    pub cpu_copy: Spans,
    pub dma_copy: Spans,
    /// Cycles at which the CPU took an interrupt, in order.
    pub interrupts: Vec<u64>,
    /// When the process exited (its mode is not drawn after that; the devices
    /// may go on, as writeback does).
    pub exited: Option<u64>,
    pub end: u64,
}

impl Lane {
    pub fn of(events: &[Event]) -> Lane {
        let end = events.last().map_or(0, |e| e.cycle);
        let kernel = state_spans(events, end, None, |k| match k {
            EventKind::ModeSwitch { to, .. } => Some(*to),
            _ => None,
        })
        .into_iter()
        .filter(|s| s.2 == Mode::Kernel)
        .map(|(a, b, _)| (a, b))
        .collect();
        let (mut cpu, mut dma) = (Vec::new(), Vec::new());
        for (track, agent, span) in copies(events) {
            match (track, agent) {
                (Track::Cpu, _) => cpu.push(span),
                (_, Agent::Dma) => dma.push(span),
                _ => {}
            }
        }
        let interrupts = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::IrqTake { .. }))
            .map(|e| e.cycle)
            .collect();
        let exited = events.iter().find_map(|e| match e.kind {
            EventKind::ProcessState {
                state: crate::sim::event::ProcessState::Exited,
            } => Some(e.cycle),
            _ => None,
        });
        Lane {
            kernel: Spans::new(kernel),
            cpu_copy: Spans::new(cpu),
            dma_copy: Spans::new(dma),
            interrupts,
            exited,
            end,
        }
    }

    /// Interrupts taken in [c0, c1).
    pub fn interrupts_in(&self, c0: u64, c1: u64) -> usize {
        let a = self.interrupts.partition_point(|c| *c < c0);
        let b = self.interrupts.partition_point(|c| *c < c1);
        b.saturating_sub(a)
    }
}
