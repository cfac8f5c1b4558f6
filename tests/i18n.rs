//! Two languages: every text key exists in both files, every key the code asks
//! for exists, and the narration speaks both languages for every event.

use std::collections::BTreeSet;

use iolab::i18n::{Lang, Texts};

fn keys(lang: &str) -> BTreeSet<String> {
    Texts::load(lang)
        .unwrap_or_else(|e| panic!("{e}"))
        .keys()
        .map(String::from)
        .collect()
}

#[test]
fn english_and_chinese_have_the_same_keys() {
    let en = keys("en");
    let zh = keys("zh");
    // `w.*` words may fall back to the simulator's own English word.
    let missing_zh: Vec<_> = en.difference(&zh).collect();
    let missing_en: Vec<_> = zh
        .difference(&en)
        .filter(|k| !k.starts_with("w."))
        .collect();
    assert!(missing_zh.is_empty(), "not in zh.ron: {missing_zh:?}");
    assert!(missing_en.is_empty(), "not in en.ron: {missing_en:?}");
}

/// Every `"app.…"` and `"n.…"` literal in the source names a text that exists.
#[test]
fn every_key_the_code_uses_exists() {
    let en = keys("en");
    let mut used = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for part in text.split('"').skip(1).step_by(2) {
                    let is_key = (part.starts_with("app.") || part.starts_with("n."))
                        && part[part.find('.').unwrap() + 1..]
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                        && part.len() > 4;
                    if is_key {
                        used.insert((part.to_string(), p.display().to_string()));
                    }
                }
            }
        }
    }
    assert!(used.len() > 50, "the scan found the keys ({})", used.len());
    let missing: Vec<_> = used.iter().filter(|(k, _)| !en.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "keys used but not in en.ron: {missing:?}"
    );
}

#[test]
fn narration_speaks_both_languages_for_every_event() {
    let zh = Texts::of(Lang::Zh);
    let en = Texts::of(Lang::En);
    let mut kinds = BTreeSet::new();
    for scene in [
        "sendfile_sg",
        "pio_read",
        "splice",
        "mmap_write",
        "recv_signal_driven",
        "readahead",
        "page_cache_pollution",
        "direct_aio_large_file",
        "write_throttled",
        "write_fsync",
        "copy_file_range",
    ] {
        let sc = iolab::scenario::load(std::path::Path::new(&format!(
            "{}/scenes/{scene}.ron",
            env!("CARGO_MANIFEST_DIR")
        )))
        .unwrap();
        let mut setup = sc.setup().unwrap();
        // The PIO disk's side of a write, too.
        if scene == "write_fsync" {
            setup.hw.disk = iolab::sim::DiskTransfer::Pio;
        }
        let m = crate::common::run_setup(setup);
        for e in m.log.events.iter().take(20_000) {
            let a = iolab::narrate::narrate_in(e, &m.setup, &en);
            let b = iolab::narrate::narrate_in(e, &m.setup, &zh);
            assert_eq!(a, iolab::narrate::narrate(e, &m.setup));
            for s in [&a, &b] {
                assert!(!s.contains('[') || !s.contains("n."), "missing text: {s}");
                assert!(!s.contains('{'), "unfilled placeholder: {s}");
            }
            assert_ne!(a, b, "not translated: {a}");
            assert!(
                b.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "no Chinese in: {b}"
            );
            kinds.insert(
                serde_json::to_value(&e.kind).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    assert!(
        kinds.len() >= 30,
        "covered {} event kinds: {kinds:?}",
        kinds.len()
    );
    for k in [
        "produce",
        "page_dirtied",
        "writeback_start",
        "writeback_done",
        "throttled",
        "unthrottled",
    ] {
        assert!(kinds.contains(k), "{k} not narrated");
    }
}

/// Every character of both languages' texts has a glyph in the shipped font, so
/// nothing shows as a box (re-run tools/subset-cjk-font.sh when this fails).
#[test]
fn the_shipped_font_draws_every_character_of_the_texts() {
    use skrifa::MetadataProvider;
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/fonts/NotoSansSC-iolab.otf"
    ))
    .unwrap();
    let font = skrifa::FontRef::new(&bytes).expect("an OpenType font");
    let map = font.charmap();
    let mut missing = BTreeSet::new();
    // The language files, and the scenes' Chinese titles and notes.
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files: Vec<String> = ["en", "zh"]
        .map(|l| format!("{root}/assets/lang/{l}.ron"))
        .to_vec();
    for dir in ["scenes", "scenes/lessons"] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                files.push(p.display().to_string());
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for c in text.chars().filter(|c| !c.is_control()) {
            if map.map(c).is_none() {
                missing.insert(c);
            }
        }
    }
    assert!(missing.is_empty(), "no glyph for {missing:?}");
    // And it is a CJK font: common hanzi outside our texts are there too.
    for c in "的一是在不了有和人这中大为上个国我以要他".chars() {
        assert!(map.map(c).is_some(), "{c}");
    }
    assert!(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/fonts/LICENSE-NotoSansCJK.txt"
        ))
        .exists()
    );
}

/// The scene builds some keys from enum names (`app.act_syscall`, `app.bus_diskdma`).
#[test]
fn keys_built_from_enum_names_exist() {
    use iolab::sim::event::{Activity, BusOwner};
    let en = keys("en");
    for a in [
        Activity::Process,
        Activity::Syscall,
        Activity::Copy,
        Activity::Interrupt,
        Activity::Idle,
    ] {
        let k = format!("app.act_{}", format!("{a:?}").to_lowercase());
        assert!(en.contains(&k), "{k}");
    }
    for b in [
        BusOwner::Idle,
        BusOwner::Cpu,
        BusOwner::DiskDma,
        BusOwner::NicDma,
    ] {
        let k = format!("app.bus_{b:?}").to_lowercase();
        assert!(en.contains(&k), "{k}");
    }
    use iolab::sim::event::WritebackReason as R;
    for r in [
        R::Expired,
        R::Background,
        R::Throttle,
        R::Fsync,
        R::OSync,
        R::Reclaim,
    ] {
        let k = format!("n.wb_{}", iolab::narrate::reason_name(r));
        assert!(en.contains(&k), "{k}");
    }
}

#[test]
fn english_says_mode_switch_and_marks_the_ones_not_counted() {
    let en = Texts::of(Lang::En);
    for k in en.keys() {
        let t = en.t(k).to_lowercase();
        assert!(!t.contains("context switch"), "{k}: {t}");
    }
    // read + write with interrupts taken in user mode: more mode_switch events than
    // the counter; the narration of each extra one says it is not counted.
    let sc = iolab::scenario::builtin_default();
    let m = crate::common::run_setup(sc.setup().unwrap());
    let (mut counted, mut marked) = (0, 0);
    for e in &m.log.events {
        if let iolab::sim::EventKind::ModeSwitch { .. } = e.kind {
            let text = iolab::narrate::narrate_in(e, &m.setup, &en);
            if text.contains("Not counted") || text.contains("not counted") {
                marked += 1;
            } else {
                counted += 1;
            }
        }
    }
    assert!(marked > 0, "the default run takes interrupts in user mode");
    assert_eq!(counted, m.counters().mode_switches);
}

#[test]
fn a_receive_speaks_of_receiving() {
    let en = Texts::of(Lang::En);
    let start = |method: &str| {
        let ov = iolab::session::Overrides {
            method: iolab::sim::Method::parse(method),
            ..Default::default()
        };
        let (_, setup) = iolab::session::resolve(&None, &ov).unwrap();
        let m = iolab::session::simulate(setup).unwrap();
        iolab::narrate::narrate_in(&m.log.events[0], &m.setup, &en)
    };
    let recv = start("recv");
    assert!(recv.contains("receive") && !recv.contains("send"), "{recv}");
    assert!(start("read_write").contains("send"));
    // Every line of a receive speaks of the message, never of a file, in both
    // languages; the run's header names the I/O model and no disk.
    let ov = iolab::session::Overrides {
        method: Some(iolab::sim::Method::Recv),
        ..Default::default()
    };
    let (_, setup) = iolab::session::resolve(&None, &ov).unwrap();
    let m = iolab::session::simulate(setup).unwrap();
    for (lang, file, message) in [
        (Lang::En, "of the file", "of the message"),
        (Lang::Zh, "文件的", "消息的"),
    ] {
        let t = Texts::of(lang);
        let lines: Vec<String> = m
            .log
            .events
            .iter()
            .map(|e| iolab::narrate::narrate_in(e, &m.setup, &t))
            .collect();
        assert!(
            lines.iter().all(|l| !l.contains(file)),
            "{lang:?}: {lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains(message)),
            "{lang:?}: {lines:#?}"
        );
    }
    let out = crate::common::iolab(&["run", "--method", "recv", "--io-model", "async"]);
    let head = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    assert!(
        head.contains("message") && head.contains("I/O model async"),
        "{head}"
    );
    assert!(!head.contains("disk") && !head.contains(" file"), "{head}");
    let v = crate::common::summary(&["--method", "recv", "--io-model", "signal_driven"]);
    assert_eq!(v["io_model"], "signal_driven");
}

/// A Chinese class gets every shipped scene's title and notes in Chinese.
#[test]
fn every_shipped_scene_speaks_chinese_too() {
    for (name, text) in iolab::scenario::BUILTIN_SCENES {
        let sc = iolab::scenario::parse(text, name).unwrap();
        for (what, v) in [
            ("name_zh", &sc.file.name_zh),
            ("notes_zh", &sc.file.notes_zh),
        ] {
            let v = v.as_ref().unwrap_or_else(|| panic!("{name}: no {what}"));
            assert!(
                v.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{name}: {what} is not Chinese"
            );
        }
    }
}

/// The glossary gives each term in both languages, and keeps the seed's word for a
/// mode switch apart from the word for a task switch.
#[test]
fn the_glossary_names_each_term_in_both_languages() {
    for lang in [Lang::En, Lang::Zh] {
        let g = iolab::i18n::glossary(&Texts::of(lang));
        assert_eq!(g.len(), iolab::i18n::GLOSSARY.len());
        for (en, zh, def) in &g {
            for s in [en, zh, def] {
                assert!(!s.starts_with('['), "missing text: {s}");
            }
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
        assert!(g[0].1.contains("上下文切换") && g[1].1.contains("任务切换"));
        assert_ne!(g[0].1, g[1].1);
    }
}

/// The app's event list names every event in the app's language (the identifier
/// stays in its tooltip): every kind any shipped scene logs has a name in both
/// languages, and the Chinese one is Chinese.
#[test]
fn every_event_kind_has_a_name_in_both_languages() {
    let zh = Texts::of(Lang::Zh);
    let en = Texts::of(Lang::En);
    let mut kinds = BTreeSet::new();
    for (name, _) in iolab::scenario::BUILTIN_SCENES {
        let sc = iolab::scenario::load(std::path::Path::new(name)).unwrap();
        let m = crate::common::run_setup(sc.setup().unwrap());
        for e in &m.log.events {
            let v = serde_json::to_value(&e.kind).unwrap();
            kinds.insert(v["type"].as_str().unwrap().to_string());
        }
    }
    // Polled completions appear in no shipped scene: a run of their own.
    let ov = iolab::session::Overrides {
        method: iolab::sim::Method::parse("direct_io"),
        ..Default::default()
    };
    let mut sc = iolab::scenario::builtin_default();
    ov.apply(&mut sc);
    let mut s = sc.setup().unwrap();
    s.hw.completion = iolab::sim::Completion::Poll;
    let m = crate::common::run_setup(s);
    for e in &m.log.events {
        let v = serde_json::to_value(&e.kind).unwrap();
        kinds.insert(v["type"].as_str().unwrap().to_string());
        for t in [&en, &zh] {
            let line = iolab::narrate::narrate_in(e, &m.setup, t);
            assert!(
                !line.contains("[n.") && !line.contains("[w.") && !line.contains('{'),
                "{line}"
            );
        }
    }
    assert!(kinds.contains("completion_polled"), "{kinds:?}");
    assert!(kinds.len() >= 45, "{} kinds: {kinds:?}", kinds.len());
    for k in &kinds {
        let key = format!("ev.{k}");
        let (a, b) = (en.t(&key), zh.t(&key));
        assert!(!a.starts_with('[') && !b.starts_with('['), "{key} missing");
        assert!(
            b.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{key}: {b} is not Chinese"
        );
    }
}

/// English texts agree with their numbers: "1 frame", "3 frames", "1 call".
#[test]
fn english_counts_agree_with_their_numbers() {
    let en = Texts::of(Lang::En);
    let one = en.get("n.mapped", &[("n", "1".into())]);
    let three = en.get("n.mapped", &[("n", "3".into())]);
    assert!(
        one.contains("1 page-cache frame:") && !one.contains("(s)"),
        "{one}"
    );
    assert!(three.contains("3 page-cache frames:"), "{three}");
    let calls = en.get("r_switches", &[("calls", "1".into())]);
    assert!(calls.contains("1 call:"), "{calls}");
    // Chinese has no plurals to change.
    let zh = Texts::of(Lang::Zh).get("n.mapped", &[("n", "1".into())]);
    assert!(!zh.contains("(s)") && zh.contains('1'), "{zh}");
}
