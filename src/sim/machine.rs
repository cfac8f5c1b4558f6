//! The machine: owns the clock and every part, and wires them together. It advances
//! them one cycle at a time or straight to the next cycle at which anything changes
//! (both give the same log).
//!
//! Each cycle has two halves. `settle` runs everything that happens *at* the cycle
//! (a transfer finishing, an interrupt being taken, the kernel deciding its next
//! step) until nothing more changes; `elapse` then lets time pass, and each part
//! makes progress: the disk reads, the bus owner moves bytes, the CPU works.
//!
//! The parts never hold pointers to each other: when one has something for another
//! (the disk's buffer is full, the NIC has fetched an entry), it says so in what its
//! `settle` returns, and the machine passes it on here.

use super::bus::{Bus, Requests};
use super::coalesce::Coalescer;
use super::counters::Counters;
use super::cpu::{Cpu, Op};
use super::disk::{Disk, DiskStep};
use super::dma::{DmaEngine, DmaStep};
use super::error::{SimError, bug};
use super::event::{BusOwner, EventKind, IrqLine, ProcessState};
use super::kernel::{Kernel, OUT};
use super::log::Log;
use super::memory::Memory;
use super::nic::{Nic, NicStep, Rx};
use super::program::{Method, Process};
use super::setup::Setup;
use super::sq_thread::SqThread;

/// Bytes that reached their destination (the wire, the process's buffer for a
/// read, the platter for a write), and whether every one of them equals the file's.
#[derive(Clone, Debug)]
pub struct Tally {
    pub delivered: u64,
    pub intact: bool,
    /// The write path: file ranges already on the platter (start → end), so a page
    /// written back twice delivers its bytes once.
    persisted: std::collections::BTreeMap<u64, u64>,
}

impl Tally {
    pub fn deliver(&mut self, len: u64, intact: bool) {
        self.delivered += len;
        self.intact &= intact;
    }

    /// File bytes [start, end) reached the platter: how many for the first time.
    pub fn persist(&mut self, start: u64, end: u64) -> u64 {
        let mut fresh = end - start;
        let (mut lo, mut hi) = (start, end);
        // Merge with every stored range that overlaps or touches [start, end).
        let touching: Vec<(u64, u64)> = self
            .persisted
            .range(..=end)
            .filter(|(_, e)| **e >= start)
            .map(|(s, e)| (*s, *e))
            .collect();
        for (s, e) in touching {
            fresh -= e.min(end).saturating_sub(s.max(start));
            lo = lo.min(s);
            hi = hi.max(e);
            self.persisted.remove(&s);
        }
        self.persisted.insert(lo, hi);
        fresh
    }
}

pub struct Machine {
    pub setup: Setup,
    pub log: Log,
    pub cpu: Cpu,
    pub bus: Bus,
    pub disk: Disk,
    pub dma: DmaEngine,
    pub nic: Nic,
    /// The receive side of the NIC (`recv` only).
    pub rx: Option<Rx>,
    pub mem: Memory,
    pub kernel: Kernel,
    pub process: Process,
    /// io_uring's SQPOLL thread, on a core of its own.
    pub sq: SqThread,
    pub tally: Tally,
    /// Bytes the program moves in all (the file, or every access of every round).
    pub expected: u64,
    /// `recv` runs are observed up to the same cycle whatever the I/O model, so
    /// that the CPU time each leaves for other work can be compared.
    pub horizon: u64,
    finished: bool,
    /// Interrupt coalescing of disk completions.
    coalesced: Coalescer,
}

impl Machine {
    pub fn new(setup: Setup) -> Result<Machine, SimError> {
        setup
            .validate()
            .map_err(|(f, m)| bug(format!("{}: {m}", f.name())))?;
        let hw = &setup.hw;
        let (plan, plan_files, expected) = setup.program();
        let recv = setup.method == Method::Recv;
        let rx = recv.then(|| Rx::new(setup.arrival_delay, setup.file_size));
        let mut files = setup.files_bytes();
        let mut sizes: Vec<u64> = files.iter().map(|f| f.len() as u64).collect();
        if setup.method.writes() {
            // The output file: space on the disk, empty (size 0) until written.
            files.push(vec![0; setup.file_size as usize]);
            sizes.push(0);
        }
        let mem = Memory::new(
            files,
            hw.controller_buffer,
            hw.page_size,
            setup.user_buffer_bytes(),
            hw.socket_buffer,
            hw.nic_buffer,
            if recv { setup.file_size } else { 0 },
        );
        let mut m = Machine {
            log: Log::new(),
            cpu: Cpu::new(),
            bus: Bus::default(),
            disk: Disk::default(),
            dma: DmaEngine::default(),
            nic: Nic::default(),
            rx,
            mem,
            kernel: Kernel::new(hw, sizes),
            process: Process::new(plan, plan_files),
            sq: SqThread::default(),
            tally: Tally {
                delivered: 0,
                intact: true,
                persisted: Default::default(),
            },
            expected,
            horizon: if recv { setup.recv_horizon() } else { 0 },
            finished: false,
            coalesced: Coalescer::default(),
            setup,
        };
        let hw = &m.setup.hw;
        m.log.emit(EventKind::RunStart {
            method: m.setup.method.name(),
            file_size: m.expected,
            buffer_size: m.setup.buffer_size,
            page_size: hw.page_size,
            disk: hw.disk.name(),
            nic_sg: hw.nic_sg,
            style: m.setup.style.name(),
            profile: hw.profile.clone(),
        });
        m.kernel.writes = m.setup.method.writes();
        m.cpu.polls_disk = m.setup.hw.completion == super::Completion::Poll;
        if m.setup.warm_cache {
            m.kernel.warm_up(&m.setup.hw, &mut m.log, &mut m.mem)?;
        }
        m.log.emit(EventKind::ProcessState {
            state: ProcessState::Running,
        });
        Ok(m)
    }

    /// Only count events, do not keep them (for runs too long to store).
    pub fn counting_only(mut self) -> Machine {
        self.log.keep = false;
        self.log.events.clear();
        self.log.events.shrink_to_fit();
        self
    }

    pub fn now(&self) -> u64 {
        self.log.now
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    pub fn counters(&self) -> &Counters {
        &self.log.counters
    }

    /// Runs to the end, skipping cycles in which nothing changes.
    pub fn run_to_end(&mut self) -> Result<(), SimError> {
        while !self.finished {
            self.advance(true)?;
        }
        Ok(())
    }

    /// Runs to the end one cycle at a time (slow; the reference for fast-forward).
    pub fn run_stepping(&mut self) -> Result<(), SimError> {
        while !self.finished {
            self.advance(false)?;
        }
        Ok(())
    }

    /// Settles the current cycle, then lets one cycle (or, with `fast`, every cycle up
    /// to the next change) pass. Returns false once the run has ended.
    pub fn advance(&mut self, fast: bool) -> Result<bool, SimError> {
        if self.finished {
            return Ok(false);
        }
        self.settle()?;
        if self.quiescent() {
            let t = &self.tally;
            let mut data_intact = t.intact && t.delivered == self.expected;
            if self.setup.method.writes() {
                // Every byte of the output file on the platter equals the input's.
                let p = &self.mem.platter;
                data_intact &= p.get(OUT as usize) == p.first();
            }
            let bytes_delivered = t.delivered;
            self.log.emit(EventKind::RunEnd {
                data_intact,
                bytes_delivered,
            });
            self.finished = true;
            return Ok(false);
        }
        let next = self.next_change().ok_or_else(|| {
            bug(format!(
                "deadlock at cycle {}: nothing can make progress",
                self.now()
            ))
        })?;
        let d = if fast { next } else { 1 };
        self.elapse(d)?;
        self.log.now += d;
        Ok(true)
    }

    fn quiescent(&self) -> bool {
        self.process.state == ProcessState::Exited
            && self.cpu.handler.is_none()
            && self.cpu.pending_irqs.is_empty()
            && self.disk.idle()
            && self.dma.idle()
            && self.nic.idle()
            && self.sq.idle()
            && self.disk.submission_queue.is_empty()
            && self.rx.as_ref().is_none_or(|r| r.handled)
            && self.kernel.clean()
            && self.coalesced.idle()
            && self.now() >= self.horizon
    }

    fn settle(&mut self) -> Result<(), SimError> {
        let mut rounds = 0u64;
        loop {
            let mut changed = self.settle_devices()?;
            changed |= self.settle_cpu()?;
            changed |= self.settle_sq()?;
            if !changed {
                break;
            }
            rounds += 1;
            if rounds > 10_000_000 {
                return Err(bug(format!("livelock at cycle {}", self.now())));
            }
        }
        self.cpu.observe(&mut self.log);
        let rx_dma = self.rx.as_ref().is_some_and(|r| r.wants_bus());
        let requests = Requests {
            disk_dma: self.dma.wants_bus(),
            nic_dma: self.nic.wants_bus() || rx_dma,
            cpu: self.cpu.wants_bus() || self.sq.wants_bus(),
        };
        self.bus.arbitrate(requests, &mut self.log);
        Ok(())
    }

    /// Lets each device act at this cycle, and passes on what it signals.
    fn settle_devices(&mut self) -> Result<bool, SimError> {
        let hw = &self.setup.hw;
        let log = &mut self.log;
        let mut changed = match self.disk.settle(hw, log) {
            DiskStep::Idle => false,
            DiskStep::Changed => true,
            DiskStep::BufferFull { req, start, len } => {
                if req.transfer == super::DiskTransfer::Dma {
                    self.dma.load_chunk(&req, start, len, hw);
                } else {
                    self.cpu.raise(IrqLine::Disk, "controller buffer full", log);
                }
                true
            }
            DiskStep::BufferEmpty { req, start, len } => {
                if req.transfer == super::DiskTransfer::Dma {
                    self.dma.load_chunk(&req, start, len, hw);
                } else {
                    self.cpu
                        .raise(IrqLine::Disk, "controller buffer empty", log);
                }
                true
            }
            DiskStep::Stored {
                req,
                start,
                len,
                done,
            } => {
                // Bytes on the platter: delivered, the first time they get there.
                let (at, end) = (req.offset + start, req.offset + start + len);
                let fresh = self.tally.persist(at, end);
                let p = &self.mem.platter;
                let range = at as usize..end as usize;
                let intact =
                    p[req.file as usize].get(range.clone()) == p[req.content as usize].get(range);
                if fresh > 0 {
                    self.tally.deliver(fresh, intact);
                    log.emit(EventKind::Delivered {
                        file: req.content,
                        offset: at,
                        len: fresh,
                        intact,
                    });
                }
                if done {
                    if hw.nvme() {
                        log.emit(EventKind::DeviceCompletion { request: req.id });
                    }
                    if hw.completion == super::Completion::Poll {
                        // The waiter's poll finds the finished writes.
                        let written = std::mem::take(&mut self.disk.written);
                        log.emit(EventKind::CompletionPolled {
                            requests: written.len() as u64,
                        });
                        for id in written {
                            self.kernel.written(log, id);
                        }
                    } else {
                        self.cpu.raise(IrqLine::Disk, "write complete", log);
                    }
                }
                true
            }
        };
        // The flusher: a file whose oldest dirty page has expired is written back.
        for req in self.kernel.flush_expired(hw, log) {
            self.start_disk(req);
            changed = true;
        }
        let (hw, log) = (&self.setup.hw, &mut self.log);
        changed |= match self.dma.settle(log)? {
            DmaStep::Idle => false,
            DmaStep::Changed => true,
            DmaStep::Drained { irq, write } => {
                if write {
                    self.disk.loaded("DMA")?;
                } else {
                    self.disk.drained("DMA")?;
                }
                if irq && hw.nvme() {
                    // The drive writes the completion entry into its queue in memory.
                    if let Some(&request) = self.dma.completed.last() {
                        log.emit(EventKind::DeviceCompletion { request });
                    }
                }
                if irq && hw.completion == super::Completion::Poll {
                    // No interrupt: the kernel's poll finds the completion.
                    let done = std::mem::take(&mut self.dma.completed);
                    log.emit(EventKind::CompletionPolled {
                        requests: done.len() as u64,
                    });
                    for id in done {
                        self.kernel.disk_finished(id);
                    }
                } else if irq && !Coalescer::on(hw) {
                    let why = if hw.nvme() {
                        "completion entry (MSI-X)"
                    } else {
                        "descriptor complete"
                    };
                    self.cpu.raise(IrqLine::Dma, why, log);
                } else if irq && self.coalesced.completion(hw, log.now) {
                    self.cpu.raise(IrqLine::Dma, "completions coalesced", log);
                }
                true
            }
        };
        // Completions held back by coalescing, or the last ones of the run (no
        // more will come to make up the count), raise their interrupt now.
        let nothing_more = self.disk.idle() && self.dma.idle();
        if self.coalesced.due(hw, log.now, nothing_more) {
            self.cpu.raise(IrqLine::Dma, "completions coalesced", log);
            changed = true;
        }
        changed |= match self.nic.settle(hw, log)? {
            NicStep::Idle => false,
            NicStep::Changed => true,
            NicStep::Fetched => {
                self.cpu.raise(IrqLine::Nic, "transmit fetched", log);
                true
            }
            NicStep::Sent { len, intact } => {
                self.tally.deliver(len, intact);
                true
            }
        };
        if let Some(rx) = &mut self.rx {
            match rx.settle(hw, log) {
                None => {}
                Some(done) => {
                    if done {
                        self.cpu.raise(IrqLine::Nic, "packet received", log);
                    }
                    changed = true;
                }
            }
        }
        Ok(changed)
    }

    /// The CPU at this cycle: take an interrupt, finish a handler, start the next
    /// call, or run the zero-time steps and the waits at the front of its queue.
    fn settle_cpu(&mut self) -> Result<bool, SimError> {
        if let Some(line) = self.cpu.next_irq() {
            let ops = self
                .kernel
                .handler_ops(&self.setup, &self.disk, self.rx.as_mut(), line)?;
            self.cpu.take_interrupt(line, ops, &mut self.log);
            return Ok(true);
        }
        let now = self.now();
        let polls_disk = self.cpu.polls_disk;
        match self.cpu.front_mut() {
            None => {
                if self.cpu.end_handler(&mut self.log) {
                    return Ok(true);
                }
                let s = &self.setup;
                if let Some(ops) = self.process.next_ops(&s.hw, s.poll_interval) {
                    self.cpu.process_ops.extend(ops);
                    return Ok(true);
                }
                if self.process.state != ProcessState::Exited {
                    self.set_process(ProcessState::Exited);
                    // Exiting closes the ring, and its polling thread stops.
                    if self.sq.running {
                        self.sq.running = false;
                        self.log.emit(EventKind::SqThread { running: false });
                    }
                    return Ok(true);
                }
                Ok(false)
            }
            Some(Op::Work { cycles: 0, .. }) => {
                self.cpu.pop_front();
                Ok(true)
            }
            Some(Op::Work { .. }) => Ok(false),
            Some(op @ Op::Copy(_)) => match op.copy_ended(now) {
                Some(t) => {
                    self.cpu.pop_front();
                    self.log.copy_done(&t);
                    Ok(true)
                }
                None => Ok(false),
            },
            Some(Op::Act(_)) => {
                if let Some(Op::Act(a)) = self.cpu.pop_front() {
                    self.act(a)?;
                }
                Ok(true)
            }
            Some(Op::Wait(w)) => {
                if self.kernel.ready(w, &self.mem) {
                    self.cpu.pop_front();
                    self.wake();
                    return Ok(true);
                }
                // Polled completions: the process spins in the kernel instead.
                let polls = polls_disk && matches!(w, super::cpu::WaitFor::Disk(_));
                if polls {
                    return Ok(false);
                }
                if w.sleeps() {
                    let w = w.clone();
                    self.cpu.pop_front();
                    self.cpu.sleep_on(w, &self.setup.hw);
                    return Ok(true);
                }
                // Not blocked (only a notification does not sleep): the process
                // goes on with its own work until notified.
                if self.process.state != ProcessState::Waiting {
                    self.set_process(ProcessState::Waiting);
                    return Ok(true);
                }
                Ok(false)
            }
            Some(Op::Blocked(w)) => {
                if self.kernel.ready(w, &self.mem) {
                    self.cpu.pop_front();
                    self.wake();
                    return Ok(true);
                }
                if self.process.state != ProcessState::Sleeping {
                    self.set_process(ProcessState::Sleeping);
                    return Ok(true);
                }
                Ok(false)
            }
        }
    }

    /// The SQPOLL thread at this cycle: run its zero-time steps, finish a copy,
    /// move past what it polled for.
    fn settle_sq(&mut self) -> Result<bool, SimError> {
        let now = self.now();
        match self.sq.ops.front_mut() {
            None => Ok(false),
            Some(Op::Work { cycles: 0, .. }) => {
                self.sq.ops.pop_front();
                Ok(true)
            }
            Some(Op::Work { .. }) => Ok(false),
            Some(op @ Op::Copy(_)) => match op.copy_ended(now) {
                Some(t) => {
                    self.sq.ops.pop_front();
                    self.log.copy_done(&t);
                    Ok(true)
                }
                None => Ok(false),
            },
            Some(Op::Wait(w) | Op::Blocked(w)) => {
                // It polls: no sleep, no task switch.
                if self.kernel.ready(w, &self.mem) {
                    self.sq.ops.pop_front();
                    return Ok(true);
                }
                Ok(false)
            }
            Some(Op::Act(_)) => {
                if let Some(Op::Act(a)) = self.sq.ops.pop_front() {
                    self.act(a)?;
                }
                Ok(true)
            }
        }
    }

    /// What the process waited for has happened: it runs again.
    fn wake(&mut self) {
        if matches!(
            self.process.state,
            ProcessState::Sleeping | ProcessState::Waiting
        ) {
            self.set_process(ProcessState::Running);
        }
    }

    fn set_process(&mut self, state: ProcessState) {
        self.process.state = state;
        self.log.emit(EventKind::ProcessState { state });
    }

    /// Cycles until the next change, if anything is making progress.
    fn next_change(&self) -> Option<u64> {
        let now = self.now();
        let owner = self.bus.owner;
        let candidates = [
            self.disk.next_change(),
            (owner == BusOwner::DiskDma)
                .then(|| self.dma.next_change())
                .flatten(),
            self.nic.next_change(owner == BusOwner::NicDma),
            self.rx
                .as_ref()
                .and_then(|r| r.next_change(now, owner == BusOwner::NicDma)),
            (now < self.horizon).then(|| self.horizon - now),
            // Coalesced completions wait until their deadline.
            self.coalesced.next_change(now),
            // The flusher wakes when the oldest dirty page expires.
            self.kernel
                .next_expiry(&self.setup.hw)
                .map(|t| t.saturating_sub(now)),
            self.cpu.next_change(owner == BusOwner::Cpu),
            // The SQ thread copies when the process's core does not.
            self.sq
                .next_change(owner == BusOwner::Cpu && !self.cpu.wants_bus()),
        ];
        candidates.into_iter().flatten().filter(|&c| c > 0).min()
    }

    /// `d` cycles pass: each part makes progress; only the bus owner moves bytes.
    fn elapse(&mut self, d: u64) -> Result<(), SimError> {
        let owner = self.bus.owner;
        let mem = &mut self.mem;
        self.disk.elapse(d, mem)?;
        match owner {
            BusOwner::DiskDma => self.dma.elapse(d, mem)?,
            BusOwner::NicDma => self.nic.elapse_dma(d, mem)?,
            BusOwner::Cpu | BusOwner::Idle => {}
        }
        if let Some(rx) = &mut self.rx {
            // The receive DMA shares the NIC's bus master with transmission.
            let on_bus = owner == BusOwner::NicDma && self.nic.active.is_none();
            rx.elapse(d, on_bus, mem)?;
        }
        self.nic.elapse_wire(d, mem)?;
        let word = self.setup.hw.word_bytes;
        let sq_on_bus = owner == BusOwner::Cpu && !self.cpu.wants_bus();
        self.sq.elapse(d, sq_on_bus, mem, word)?;
        self.cpu.elapse(d, owner == BusOwner::Cpu, mem, word)
    }
}
