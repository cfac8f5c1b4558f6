//! Two languages, English and Chinese. Every text a user reads (the app's labels,
//! the narration, the worksheets) lives in `assets/lang/{en,zh}.ron`, not in code.

use std::collections::BTreeMap;

use crate::sim::event::{Agent, Place};

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language's own name, for the switch in the app.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }
}

/// The texts of one language (assets/lang/*.ron, built into the binary).
#[derive(Clone, Debug)]
pub struct Texts(BTreeMap<String, String>);

impl Texts {
    pub fn load(lang: &str) -> Result<Texts, String> {
        let text = match lang {
            "en" => include_str!("../assets/lang/en.ron"),
            "zh" => include_str!("../assets/lang/zh.ron"),
            other => return Err(format!("--lang: no texts for `{other}` (use en or zh)")),
        };
        ron::from_str(text)
            .map(Texts)
            .map_err(|e| format!("assets/lang/{lang}.ron: {e}"))
    }

    /// The texts of a language known to exist (the files are checked by a test).
    pub fn of(lang: Lang) -> Texts {
        Texts::load(lang.code()).unwrap_or_else(|_| Texts(BTreeMap::new()))
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn get(&self, key: &str, args: &[(&str, String)]) -> String {
        let template = self.t(key);
        // One pass over the template (traces narrate millions of events).
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest: &str = &template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after
                .find('}')
                .and_then(|close| Some((close, args.iter().find(|(k, _)| *k == &after[..close])?)));
            match value {
                Some((close, (_, v))) => {
                    // English grammar at the seams: "an 80-byte file", "1 call".
                    if an_before(v)
                        && (out.ends_with(" a ") || out == "A " || out.ends_with(". A "))
                    {
                        out.insert(out.len() - 1, 'n');
                    }
                    out.push_str(v);
                    rest = &after[close + 1..];
                    // "{n} frame(s)": "1 frame", "3 frames".
                    if !v.is_empty()
                        && v.bytes().all(|b| b.is_ascii_digit())
                        && let Some(i) = rest.find("(s)")
                        && rest[..i].starts_with(' ')
                        && i <= 24
                        && rest[..i]
                            .chars()
                            .all(|c| c.is_alphabetic() || c == ' ' || c == '-')
                    {
                        out.push_str(&rest[..i]);
                        if v != "1" {
                            out.push('s');
                        }
                        rest = &rest[i + 3..];
                    }
                    if v == "1"
                        && let Some((plural, one)) = PLURALS.iter().find(|(p, _)| {
                            rest.strip_prefix(' ')
                                .and_then(|r| r.strip_prefix(p))
                                .is_some_and(|r| !r.starts_with(|c: char| c.is_alphabetic()))
                        })
                    {
                        out.push(' ');
                        out.push_str(one);
                        rest = &rest[1 + plural.len()..];
                    }
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A count in words: the text `<key>_one` when `n` is 1 ("1 system call"), else
    /// `<key>` ("3 system calls"), with `{n}` filled in.
    pub fn count(&self, key: &str, n: u64) -> String {
        let one = format!("{key}_one");
        let key = if n == 1 && self.0.contains_key(&one) {
            one.as_str()
        } else {
            key
        };
        self.get(key, &[("n", n.to_string())])
    }

    /// The text for `key`, or `[key]` so a missing text shows rather than hides.
    pub fn t(&self, key: &str) -> std::borrow::Cow<'_, str> {
        match self.0.get(key) {
            Some(s) => std::borrow::Cow::Borrowed(s.as_str()),
            None => std::borrow::Cow::Owned(format!("[{key}]")),
        }
    }

    /// A short word from the simulator (`Disk`, `SIGIO`, `controller buffer full`)
    /// translated through the key `w.<word>`, or the word itself when it has none.
    pub fn word(&self, w: &str) -> String {
        self.0
            .get(&format!("w.{w}"))
            .cloned()
            .unwrap_or_else(|| w.to_string())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(|k| k.as_str())
    }
}

/// English plurals that follow a count, and their singular after "1".
const PLURALS: [(&str, &str); 22] = [
    ("system calls", "system call"),
    ("CPU copies", "CPU copy"),
    ("DMA copies", "DMA copy"),
    ("mode switches", "mode switch"),
    ("calls", "call"),
    ("bytes", "byte"),
    ("interrupts", "interrupt"),
    ("pages", "page"),
    ("copies", "copy"),
    ("cycles", "cycle"),
    ("times", "time"),
    ("rounds", "round"),
    ("faults", "fault"),
    ("misses", "miss"),
    ("hits", "hit"),
    ("words", "word"),
    ("entries", "entry"),
    ("completions", "completion"),
    ("requests", "request"),
    ("events", "event"),
    ("files", "file"),
    ("switches", "switch"),
];

/// A number said with a vowel first ("eight", "eleven", "eighteen", "eighty",
/// "eight hundred", "eleven thousand"...) takes "an".
fn an_before(v: &str) -> bool {
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.starts_with('0') {
        return false;
    }
    digits.starts_with('8')
        || (digits.len() % 3 == 2 && (digits.starts_with("11") || digits.starts_with("18")))
}

/// How a place is called: in a sentence ("the disk controller's buffer") or as a
/// short label on the picture ("controller").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    Prose,
    Label,
}

/// The one place that names the places bytes can be, in either language.
pub fn place(p: &Place, naming: Naming, t: &Texts) -> String {
    let name = match p {
        Place::Platter { .. } => "disk",
        Place::Controller { .. } => "controller",
        Place::Frame { .. } => "frame",
        Place::User { .. } => "user",
        Place::Socket { .. } => "socket",
        Place::NicBuffer { .. } => "nic",
        Place::Wire { .. } => "wire",
        Place::RecvBuffer { .. } => "recv",
    };
    let key = match naming {
        Naming::Prose => format!("n.place_{name}"),
        Naming::Label => format!("app.p_{name}"),
    };
    match p {
        Place::Frame { frame, .. } => t.get(&key, &[("frame", frame.to_string())]),
        _ => t.t(&key).into_owned(),
    }
}

/// Who moves bytes: the CPU, a DMA engine, or a device on its own.
pub fn agent(a: Agent, t: &Texts) -> String {
    t.t(match a {
        Agent::Cpu => "n.agent_cpu",
        Agent::Dma => "n.agent_dma",
        Agent::Device => "n.agent_device",
    })
    .into_owned()
}

/// The terms both halves of a class must learn alike, English and Chinese side by
/// side (keys `g.<term>`, `g.<term>_zh`, `g.<term>_def`): one word for a mode switch
/// (上下文切换, as the seed notes say) and another for a task switch (任务切换).
pub const GLOSSARY: [&str; 12] = [
    "mode_switch",
    "task_switch",
    "cpu_copy",
    "dma_copy",
    "interrupt",
    "page_cache",
    "dirty_page",
    "writeback",
    "readahead",
    "zero_copy",
    "sg_dma",
    "descriptor",
];

/// The glossary in the language of `t`: (English term, Chinese term, definition).
pub fn glossary(t: &Texts) -> Vec<(String, String, String)> {
    GLOSSARY
        .iter()
        .map(|k| {
            (
                t.t(&format!("g.{k}")).into_owned(),
                t.t(&format!("g.{k}_zh")).into_owned(),
                t.t(&format!("g.{k}_def")).into_owned(),
            )
        })
        .collect()
}
