//! Lessons: an ordered list of steps, each a scene stopped at a moment, a text to
//! read (English and Chinese), and optionally a checkpoint: a question asked before
//! the answer is shown. The answer is always computed from the run, never written
//! into the lesson.

use std::path::Path;

use serde::Deserialize;

use crate::breakpoint::{self, Target};
use crate::i18n::{Lang, Texts};
use crate::replay::Replay;
use crate::session::{Overrides, UserError};
use crate::sim::event::{Agent, EventKind};

/// A lesson file (RON).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    pub version: u32,
    pub title: String,
    pub title_zh: Option<String>,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A shipped scene's name or a scenario file.
    pub scene: String,
    /// A method label to run the scene with instead (`sendfile+sg`).
    #[serde(default)]
    pub method: Option<String>,
    /// Where the playhead stops: an event number or a moment (`irq_raise:1`);
    /// the end of the run without it.
    #[serde(default)]
    pub at: Option<String>,
    pub text: String,
    #[serde(default)]
    pub text_zh: Option<String>,
    #[serde(default)]
    pub ask: Option<Question>,
}

/// What a checkpoint asks.
#[derive(Clone, Debug, Deserialize)]
pub enum Question {
    /// A counter's value at the stop (`interrupts`, `mode_switches`, `cpu_copy_bytes`...).
    Count(String),
    /// Who makes the next copy after the stop: cpu or dma.
    NextCopy,
    /// Of these method labels, run on the same scene: which ends first.
    Fastest(Vec<String>),
    /// Of these method labels: which leaves the CPU most free (fewest busy cycles).
    FreestCpu(Vec<String>),
}

/// A checkpoint's question, ready to ask: its text, the answer computed from the
/// run, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub question: String,
    pub answer: String,
    pub why: String,
    /// The answers to pick from (empty where the answer is a number): the app
    /// shows them as buttons and on the keys 1, 2, 3...
    pub choices: Vec<String>,
}

/// Reads a lesson; errors name the file, the line and the column.
pub fn load(path: &Path) -> Result<LessonFile, UserError> {
    let text = std::fs::read_to_string(path)
        .or_else(|e| builtin(path).map(str::to_string).ok_or(e))
        .map_err(|e| UserError(format!("{}: {e}", path.display())))?;
    parse(&text, &path.display().to_string())
}

/// The lessons shipped in `scenes/lessons/`, by name.
pub const BUILTIN_LESSONS: &[(&str, &str)] = &[
    (
        "pio_to_zero_copy",
        include_str!("../scenes/lessons/pio_to_zero_copy.ron"),
    ),
    (
        "page_cache",
        include_str!("../scenes/lessons/page_cache.ron"),
    ),
    ("io_models", include_str!("../scenes/lessons/io_models.ron")),
];

fn builtin(path: &Path) -> Option<&'static str> {
    let name = path.file_stem()?.to_str()?;
    BUILTIN_LESSONS.iter().find(|l| l.0 == name).map(|l| l.1)
}

pub fn parse(text: &str, origin: &str) -> Result<LessonFile, UserError> {
    // Optional fields may be written plainly (`at: "irq_raise:1"`).
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let file: LessonFile = options.from_str(text).map_err(|e| {
        UserError(format!(
            "{origin}:{}:{}: {}",
            e.span.start.line, e.span.start.col, e.code
        ))
    })?;
    if file.version != 1 {
        return Err(UserError(format!(
            "{origin}: this iolab reads lesson version 1, the file says {}",
            file.version
        )));
    }
    if file.steps.is_empty() {
        return Err(UserError(format!(
            "{origin}: steps: a lesson needs at least one step"
        )));
    }
    Ok(file)
}

/// Runs a step's scene (with its method label, if any).
pub fn run(scene: &str, method: Option<&str>) -> Result<Replay, UserError> {
    let base = Overrides::default();
    let ov = match method {
        Some(label) => crate::compare::parse_label(label, &base).map_err(UserError)?,
        None => base,
    };
    let path = Some(std::path::PathBuf::from(scene));
    let (_, setup) = crate::session::resolve(&path, &ov)?;
    let mut m = crate::session::simulate(setup)?;
    let events = std::mem::take(&mut m.log.events);
    Ok(Replay::new(m.setup.clone(), events))
}

/// The events a step's stop shows (all of them without `at`).
pub fn stop(r: &Replay, at: &Option<String>) -> Result<usize, UserError> {
    match at {
        None => Ok(r.events.len()),
        Some(sel) => Ok(
            match breakpoint::resolve(sel, &r.events).map_err(UserError)? {
                Target::Event(k) => k + 1,
                Target::Cycle(c) => r.events_through(c),
            },
        ),
    }
}

/// The checkpoint of a step, with its answer computed from the run.
pub fn checkpoint(step: &Step, lang: Lang) -> Result<Option<Checkpoint>, UserError> {
    let t = Texts::of(lang);
    let Some(q) = &step.ask else { return Ok(None) };
    let r = run(&step.scene, step.method.as_deref())?;
    let applied = stop(&r, &step.at)?;
    let st = r.state_at(applied);
    Ok(Some(match q {
        Question::Count(name) => {
            let c = serde_json::to_value(&st.counters).unwrap_or_default();
            let v = c
                .get(name)
                .ok_or_else(|| UserError(format!("ask: Count(\"{name}\"): no such counter")))?;
            Checkpoint {
                question: t.get("l_q_count", &[("name", name.clone())]),
                answer: v.to_string(),
                why: t.get(
                    "l_why_count",
                    &[
                        ("syscalls", st.counters.syscalls.to_string()),
                        ("switches", st.counters.mode_switches.to_string()),
                        ("irqs", st.counters.interrupts.to_string()),
                        ("cpu", st.counters.cpu_copy_bytes.to_string()),
                        ("dma", st.counters.dma_copy_bytes.to_string()),
                    ],
                ),
                choices: Vec::new(),
            }
        }
        Question::NextCopy => {
            let next = r.events[applied..].iter().find_map(|e| match &e.kind {
                EventKind::Copy {
                    agent, from, to, ..
                } if *agent != Agent::Device => Some((*agent, *from, *to)),
                _ => None,
            });
            let (agent, from, to) = next
                .ok_or_else(|| UserError("ask: NextCopy: no copy comes after the stop".into()))?;
            Checkpoint {
                question: t.get("l_q_next_copy", &[]),
                answer: match agent {
                    Agent::Cpu => "cpu".into(),
                    _ => "dma".into(),
                },
                why: t.get(
                    "l_why_next_copy",
                    &[
                        ("agent", crate::i18n::agent(agent, &t)),
                        (
                            "from",
                            crate::i18n::place(&from, crate::i18n::Naming::Prose, &t),
                        ),
                        (
                            "to",
                            crate::i18n::place(&to, crate::i18n::Naming::Prose, &t),
                        ),
                    ],
                ),
                choices: vec!["cpu".into(), "dma".into()],
            }
        }
        Question::Fastest(labels) | Question::FreestCpu(labels) => {
            let fastest = matches!(q, Question::Fastest(_));
            let mut best: Option<(String, u64)> = None;
            let mut lines = Vec::new();
            for l in labels {
                let rr = run(&step.scene, Some(l))?;
                let c = rr.state_at(rr.events.len()).counters;
                let v = if fastest { c.cycles } else { c.cpu_busy_cycles };
                lines.push(format!("{l}: {v}"));
                if best.as_ref().is_none_or(|b| v < b.1) {
                    best = Some((l.clone(), v));
                }
            }
            let (key, why) = if fastest {
                ("l_q_fastest", "l_why_cycles")
            } else {
                ("l_q_freest", "l_why_busy")
            };
            Checkpoint {
                question: t.get(key, &[("runs", labels.join(", "))]),
                answer: best.map(|b| b.0).unwrap_or_default(),
                why: t.get(why, &[("values", lines.join(", "))]),
                choices: labels.clone(),
            }
        }
    }))
}

/// Whether a student's answer is the run's: numbers as numbers, names ignoring case
/// and spaces.
pub fn is_right(given: &str, answer: &str) -> bool {
    let norm = |s: &str| s.trim().to_lowercase().replace(' ', "");
    match (given.trim().parse::<f64>(), answer.parse::<f64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() < 1e-9,
        _ => norm(given) == norm(answer),
    }
}
