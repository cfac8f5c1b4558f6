//! One or two sentences for each step, in the spirit of the seed notes: who moves
//! which bytes where, why, and whether the CPU is free meanwhile. The sentences
//! are templates in assets/lang/{en,zh}.ron (keys `n.*`).

use std::sync::OnceLock;

use crate::i18n::{Lang, Texts};
use crate::sim::event::*;
use crate::sim::{DiskTransfer, Event, Setup};

fn place(p: &Place, t: &Texts) -> String {
    crate::i18n::place(p, crate::i18n::Naming::Prose, t)
}

fn range(off: u64, len: u64, t: &Texts) -> String {
    if len == 1 {
        t.get("n.byte", &[("off", off.to_string())])
    } else {
        t.get(
            "n.bytes",
            &[
                ("off", off.to_string()),
                ("last", (off + len - 1).to_string()),
            ],
        )
    }
}

/// "page 3" or "pages 3–5".
fn pages_range(first: u64, n: u64, t: &Texts) -> String {
    if n == 1 {
        t.get("n.one_page", &[("page", first.to_string())])
    } else {
        t.get(
            "n.pages",
            &[
                ("page", first.to_string()),
                ("last", (first + n - 1).to_string()),
            ],
        )
    }
}

/// The key part of a writeback reason (`n.wb_<name>`).
pub fn reason_name(r: WritebackReason) -> &'static str {
    match r {
        WritebackReason::Expired => "expired",
        WritebackReason::Background => "background",
        WritebackReason::Throttle => "throttle",
        WritebackReason::Fsync => "fsync",
        WritebackReason::OSync => "o_sync",
        WritebackReason::Reclaim => "reclaim",
    }
}

fn line(l: &IrqLine, t: &Texts) -> String {
    t.word(&format!("{l:?}"))
}

/// Whether an event is a step of the story, not the bookkeeping that follows one
/// (who owns the bus, what the CPU is doing: the picture shows those).
pub fn is_step(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::BusOwner { .. } | EventKind::CpuActivity { .. }
    )
}

/// The caption at a playhead: the copy moving now, if one is (which bytes, from
/// where to where, by whom, how far), else the last step of the story (not the
/// bookkeeping after it). What a still on a slide should say.
pub fn caption(
    events: &[Event],
    applied: usize,
    flights: &[crate::replay::Flight],
    s: &Setup,
    t: &Texts,
) -> Option<String> {
    // The CPU's copy first when several move: it is the one the CPU pays for.
    let moving = flights
        .iter()
        .find(|f| f.agent == Agent::Cpu)
        .or_else(|| flights.first());
    if let Some(f) = moving {
        let key = match f.agent {
            Agent::Cpu => "n.now_cpu",
            Agent::Dma => "n.now_dma",
            Agent::Device => "n.now_device",
        };
        return Some(t.get(
            key,
            &[
                ("what", range(f.file_offset, f.len, t)),
                ("from", place(&f.from, t)),
                ("to", place(&f.to, t)),
                ("moved", f.moved().to_string()),
                ("len", f.len.to_string()),
            ],
        ));
    }
    events[..applied.min(events.len())]
        .iter()
        .rev()
        .take(64)
        .find(|e| is_step(&e.kind))
        .or_else(|| applied.checked_sub(1).and_then(|i| events.get(i)))
        .map(|e| narrate_in(e, s, t))
}

/// The narration of one event, in English (the CSV trace's summary column).
pub fn narrate(e: &Event, s: &Setup) -> String {
    static EN: OnceLock<Texts> = OnceLock::new();
    narrate_in(e, s, EN.get_or_init(|| Texts::of(Lang::En)))
}

/// The narration of one event in the language of `t`.
pub fn narrate_in(e: &Event, s: &Setup, t: &Texts) -> String {
    let n = |v: &dyn ToString| v.to_string();
    match &e.kind {
        EventKind::RunStart {
            method, file_size, ..
        } => t.get(
            match crate::sim::Method::parse(method) {
                Some(crate::sim::Method::Recv) => "n.run_start_recv",
                Some(m) if m.writes() => "n.run_start_write",
                _ => "n.run_start",
            },
            &[("size", n(file_size)), ("method", n(method))],
        ),
        EventKind::ProcessState { state } => t
            .t(match state {
                ProcessState::Running => "n.proc_running",
                ProcessState::Sleeping => "n.proc_sleeping",
                ProcessState::Exited => "n.proc_exited",
                ProcessState::Waiting => "n.proc_waiting",
            })
            .into(),
        EventKind::CpuActivity { activity } => t
            .t(match activity {
                Activity::Process => "n.cpu_process",
                Activity::Syscall => "n.cpu_syscall",
                Activity::Copy => "n.cpu_copy",
                Activity::Interrupt => "n.cpu_interrupt",
                Activity::OwnWork => "n.cpu_own_work",
                Activity::Idle => "n.cpu_idle",
            })
            .into(),
        EventKind::ModeSwitch { to, cause } => match (to, cause) {
            (Mode::Kernel, ModeCause::Syscall { name }) => {
                t.get("n.to_kernel_syscall", &[("name", n(name))])
            }
            (Mode::User, ModeCause::Syscall { name }) => {
                t.get("n.to_user_syscall", &[("name", n(name))])
            }
            (Mode::Kernel, ModeCause::Fault) => t.t("n.to_kernel_fault").into(),
            (Mode::User, ModeCause::Fault) => t.t("n.to_user_fault").into(),
            (Mode::Kernel, ModeCause::Interrupt { line: l }) => {
                t.get("n.to_kernel_irq", &[("line", line(l, t))])
            }
            (Mode::User, ModeCause::Interrupt { .. }) => t.t("n.to_user_irq").into(),
        },
        EventKind::SyscallEnter { name, args, .. } => {
            let mut text = t.get("n.call", &[("name", n(name)), ("args", n(args))]);
            if args.contains("O_NONBLOCK") {
                text.push_str(&t.t("n.nonblock_file"));
            }
            text
        }
        EventKind::SyscallReturn { name, result, .. } => {
            t.get("n.return", &[("name", n(name)), ("result", n(result))])
        }
        EventKind::Copy {
            from,
            to,
            len,
            file_offset,
            agent,
            engine,
            first_cycle,
            last_cycle,
            ..
        } => {
            let what = range(*file_offset, *len, t);
            let cycles = last_cycle - first_cycle + 1;
            let args = |extra: Vec<(&'static str, String)>| {
                let mut a = vec![
                    ("what", what.clone()),
                    ("from", place(from, t)),
                    ("to", place(to, t)),
                    ("cycles", cycles.to_string()),
                ];
                a.extend(extra);
                a
            };
            match agent {
                Agent::Cpu => {
                    // A receive copies a message that came from the network.
                    let of = match s.method {
                        crate::sim::Method::Recv => t.t("n.of_message"),
                        _ => t.t("n.of_file"),
                    };
                    t.get("n.copy_cpu", &args(vec![("of", of.to_string())]))
                }
                Agent::Dma => {
                    let who = match engine {
                        Some(Engine::NicDma)
                            if s.hw.nic_sg && matches!(from, Place::Frame { .. }) =>
                        {
                            "n.who_sg"
                        }
                        Some(Engine::NicDma) => "n.who_nic",
                        _ => "n.who_dma",
                    };
                    t.get("n.copy_dma", &args(vec![("who", t.t(who).into())]))
                }
                Agent::Device => match (from, to) {
                    (_, Place::Wire { .. }) => t.get("n.nic_sends", &args(vec![])),
                    (Place::Wire { .. }, _) => t.get("n.nic_receives", &args(vec![])),
                    (_, Place::Platter { .. }) => t.get("n.disk_writes", &args(vec![])),
                    _ => t.get("n.disk_reads", &args(vec![])),
                },
            }
        }
        EventKind::IrqRaise { line: l, reason } => t.get(
            "n.irq_raise",
            &[("line", line(l, t)), ("reason", t.word(reason))],
        ),
        EventKind::IrqTake { line: l } => t.get("n.irq_take", &[("line", line(l, t))]),
        EventKind::IrqDone { line: l } => t.get("n.irq_done", &[("line", line(l, t))]),
        EventKind::CacheHit {
            page, frame, list, ..
        } => {
            let mut text = t.get("n.cache_hit", &[("page", n(page)), ("frame", n(frame))]);
            if *list == crate::sim::page_cache::List::Active
                && s.hw.cache_policy == crate::sim::page_cache::Policy::TwoList
            {
                text.push_str(&t.t("n.cache_hit_active"));
            }
            text
        }
        EventKind::CacheRefault {
            page,
            frame,
            distance,
            activated,
            ..
        } => {
            let verdict = if *activated {
                "n.refault_active"
            } else {
                "n.refault_inactive"
            };
            t.get(
                "n.cache_refault",
                &[
                    ("page", n(page)),
                    ("distance", n(distance)),
                    ("verdict", t.get(verdict, &[("frame", n(frame))])),
                ],
            )
        }
        EventKind::CacheDemote { page, frame, .. } => {
            t.get("n.cache_demote", &[("page", n(page)), ("frame", n(frame))])
        }
        EventKind::CacheMiss { page, .. } => t.get("n.cache_miss", &[("page", n(page))]),
        EventKind::CacheInsert {
            page, frame, cause, ..
        } => t.get(
            match cause {
                InsertCause::Miss => "n.insert_miss",
                InsertCause::Warm => "n.insert_warm",
                InsertCause::Readahead => "n.insert_readahead",
                InsertCause::Write => "n.insert_write",
            },
            &[("page", n(page)), ("frame", n(frame))],
        ),
        EventKind::CacheEvict { page, frame, .. } => {
            t.get("n.cache_evict", &[("page", n(page)), ("frame", n(frame))])
        }
        EventKind::ReadaheadWindow {
            start,
            size,
            trigger,
            marker,
            ..
        } => {
            let why = match trigger {
                Trigger::Sync => t.t("n.readahead_sync"),
                Trigger::Async => t.t("n.readahead_async"),
            };
            let next = marker
                .map(|m| t.get("n.readahead_next", &[("page", m.to_string())]))
                .unwrap_or_default();
            t.get(
                "n.readahead",
                &[
                    ("start", n(start)),
                    ("last", (start + size - 1).to_string()),
                    ("size", n(size)),
                    ("why", why.into()),
                    ("next", next),
                ],
            )
        }
        EventKind::DiskCommand {
            offset,
            len,
            transfer,
            write,
            ..
        } => {
            let key = match (*transfer == DiskTransfer::Pio.name(), write) {
                (true, false) => "n.disk_command_pio",
                _ if s.hw.nvme() && !*write => "n.disk_command_nvme",
                _ if s.hw.nvme() => "n.disk_write_nvme",
                (false, false) => "n.disk_command_dma",
                (true, true) => "n.disk_write_pio",
                (false, true) => "n.disk_write_dma",
            };
            t.get(key, &[("what", range(*offset, *len, t))])
        }
        EventKind::DiskBufferFull { len, signals, .. } => {
            let key = if *signals == "dma" {
                "n.buffer_full_dma"
            } else {
                "n.buffer_full_cpu"
            };
            t.get(key, &[("len", n(len))])
        }
        EventKind::DmaSetup { engine, len, .. } => t.get(
            match engine {
                Engine::DiskDma if s.hw.nvme() => "n.dma_setup_nvme",
                Engine::DiskDma => "n.dma_setup_disk",
                Engine::NicDma => "n.dma_setup_nic",
            },
            &[("len", n(len))],
        ),
        EventKind::DmaComplete {
            engine, len, write, ..
        } => t.get(
            match (engine, write) {
                (Engine::DiskDma, false) => "n.dma_done_disk",
                (Engine::DiskDma, true) => "n.dma_done_disk_write",
                (Engine::NicDma, _) => "n.dma_done_nic",
            },
            &[("len", n(len))],
        ),
        EventKind::SocketDescriptors { pieces } => {
            t.get("n.sg_descriptors", &[("n", pieces.len().to_string())])
        }
        EventKind::SocketQueue { len, .. } => t.get("n.socket_queue", &[("len", n(len))]),
        EventKind::SocketFree { len, .. } => t.get("n.socket_free", &[("len", n(len))]),
        EventKind::PipeRefs { pieces } => t.get("n.pipe_refs", &[("n", pieces.len().to_string())]),
        EventKind::PipeTaken { .. } => t.t("n.pipe_taken").into(),
        EventKind::PageFault { page, major, .. } => t.get(
            if *major {
                "n.page_fault_major"
            } else {
                "n.page_fault_minor"
            },
            &[("page", n(page))],
        ),
        EventKind::Mapped { frames } => t.get("n.mapped", &[("n", frames.len().to_string())]),
        EventKind::Unmapped { .. } => t.t("n.unmapped").into(),
        EventKind::BusOwner { owner } => t
            .t(match owner {
                BusOwner::Idle => "n.bus_idle",
                BusOwner::Cpu => "n.bus_cpu",
                BusOwner::DiskDma => "n.bus_disk_dma",
                BusOwner::NicDma => "n.bus_nic_dma",
            })
            .into(),
        EventKind::Delivered {
            offset,
            len,
            intact,
            ..
        } => t.get(
            match (*intact, s.method.writes()) {
                (true, false) => "n.delivered",
                (false, false) => "n.delivered_corrupt",
                (true, true) => "n.delivered_disk",
                (false, true) => "n.delivered_disk_corrupt",
            },
            &[("what", range(*offset, *len, t))],
        ),
        EventKind::IoPhase { phase } => t
            .t(match phase {
                IoPhase::WaitingForData => "n.phase_wait",
                IoPhase::CopyingToUser => "n.phase_copy",
                IoPhase::Done => "n.phase_done",
            })
            .into(),
        EventKind::TaskSwitch { to } => t.get("n.task_switch", &[("to", t.word(to))]),
        EventKind::Notify { what } => t.get("n.notify", &[("what", t.word(what))]),
        EventKind::Produce {
            len, file_offset, ..
        } => t.get("n.produce", &[("what", range(*file_offset, *len, t))]),
        EventKind::PageDirtied { page, frame, .. } => {
            t.get("n.page_dirtied", &[("page", n(page)), ("frame", n(frame))])
        }
        EventKind::WritebackStart {
            page,
            pages,
            reason,
            ..
        } => t.get(
            "n.writeback",
            &[
                ("who", t.t(&format!("n.wb_{}", reason_name(*reason))).into()),
                ("pages", pages_range(*page, *pages, t)),
            ],
        ),
        EventKind::WritebackDone { page, pages, .. } => t.get(
            "n.writeback_done",
            &[("pages", pages_range(*page, *pages, t))],
        ),
        EventKind::Throttled { dirty, limit } => {
            t.get("n.throttled", &[("dirty", n(dirty)), ("limit", n(limit))])
        }
        EventKind::Unthrottled { cycles } => t.get("n.unthrottled", &[("cycles", n(cycles))]),
        EventKind::UringSqe { op, offset, len } => t.get(
            &format!("n.uring_sqe_{}", op.name()),
            &[("what", range(*offset, *len, t))],
        ),
        EventKind::UringSubmit { count, by } => t.get(
            if *by == "sq thread" {
                "n.uring_submit_sqpoll"
            } else {
                "n.uring_submit"
            },
            &[("n", n(count))],
        ),
        EventKind::TaskWork { what } => t.get("n.task_work", &[("what", t.word(what))]),
        EventKind::CommandFetch { request } => t.get("n.command_fetch", &[("id", n(request))]),
        EventKind::DeviceCompletion { request } => t.get(
            if s.hw.completion == crate::sim::Completion::Poll {
                "n.device_completion_polled"
            } else {
                "n.device_completion"
            },
            &[("id", n(request))],
        ),
        EventKind::CompletionPolled { requests } => {
            t.get("n.completion_polled", &[("n", n(requests))])
        }
        EventKind::Doorbell { commands } => t.get("n.doorbell", &[("n", n(commands))]),
        EventKind::UringCqe {
            op,
            offset,
            len,
            result,
        } => t.get(
            if *result < 0 {
                "n.uring_cqe_error"
            } else {
                match op {
                    UringOp::Read => "n.uring_cqe_read",
                    UringOp::Send | UringOp::SendZc => "n.uring_cqe_send",
                    UringOp::Notif => "n.uring_cqe_notif",
                }
            },
            &[
                ("what", range(*offset, *len, t)),
                ("op", op.name().to_string()),
                ("result", n(result)),
            ],
        ),
        EventKind::UringReap { count } => t.get("n.uring_reap", &[("n", n(count))]),
        EventKind::SqThread { running } => t
            .t(if *running {
                "n.sq_thread_start"
            } else {
                "n.sq_thread_stop"
            })
            .into(),
        EventKind::SocketUserDescriptor { len, .. } => {
            t.get("n.user_descriptor", &[("len", n(len))])
        }
        EventKind::RunEnd {
            data_intact,
            bytes_delivered,
        } => t.get(
            if *data_intact {
                "n.run_end"
            } else {
                "n.run_end_corrupt"
            },
            &[("n", n(bytes_delivered))],
        ),
    }
}
