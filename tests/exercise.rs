//! Worksheets: reproducible from the seed, in both languages, with an answer key
//! that agrees with `iolab run` on each problem's scenario file.

use std::path::Path;

use crate::common::iolab;

fn sheet(dir: &Path, seed: &str, lang: &str) {
    let out = iolab(&[
        "exercise",
        "--seed",
        seed,
        "--count",
        "5",
        "--lang",
        lang,
        "--answers",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_same_seed_gives_identical_files_and_another_seed_does_not() {
    let base = std::env::temp_dir().join(format!("iolab-ex-{}", std::process::id()));
    let (a, b, c) = (base.join("a"), base.join("b"), base.join("c"));
    sheet(&a, "42", "en");
    sheet(&b, "42", "en");
    sheet(&c, "43", "en");
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert_eq!(
        fa.len(),
        5 + 2,
        "worksheet.md, answers.json and 5 scenarios"
    );
    assert_eq!(fa, fb);
    assert_ne!(fa, fc);
    let md =
        String::from_utf8(fa.iter().find(|f| f.0 == "worksheet.md").unwrap().1.clone()).unwrap();
    assert!(
        md.contains("iolab exercise --seed 42 --count 5 --lang en --answers"),
        "the header echoes the command"
    );
    assert!(md.contains("## Answers"));
    // Questions of understanding: where the bytes of a copy go next, and every
    // count in the key comes with its reason.
    assert!(md.contains("what happens to them next"), "{md}");
    let key = &md[md.find("## Answers").unwrap()..];
    let reasons = key.matches("(because: ").count();
    assert!(!key.contains("[r_"), "every reason has its text");
    assert!(
        reasons >= 4 * 5,
        "four reasoned counts per problem: {reasons}"
    );
    // Copies only: a device's own transfer is never the answer to "copy number k".
    for line in key.lines().filter(|l| l.starts_with("5. ")) {
        assert!(!line.contains("device"), "{line}");
    }
}

#[test]
fn the_answer_key_agrees_with_iolab_run() {
    let dir = std::env::temp_dir().join(format!("iolab-ex-key-{}", std::process::id()));
    sheet(&dir, "7", "en");
    let key: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("answers.json")).unwrap()).unwrap();
    // Five counting problems, then one of each other kind.
    let kinds: Vec<&str> = key.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "counts",
            "counts",
            "counts",
            "counts",
            "counts",
            "freest",
            "fastest",
            "readahead",
            "identify",
            "io_model"
        ]
    );
    for a in key.iter().filter(|a| a["kind"] == "counts") {
        let file = dir.join(a["scenario"].as_str().unwrap());
        let out = iolab(&["run", file.to_str().unwrap(), "--summary", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for k in [
            "syscalls",
            "mode_switches",
            "cpu_copy_bytes",
            "dma_copy_bytes",
            "interrupts",
            "program_cycles",
        ] {
            assert_eq!(v[k], a[k], "{k} of {}", file.display());
        }
        assert_eq!(v["data_intact"], true);
    }
}

#[test]
fn chinese_sheets_use_the_chinese_texts() {
    let out = iolab(&["exercise", "--seed", "3", "--lang", "zh", "--answers"]);
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("练习题") && md.contains("系统调用") && md.contains("答案"),
        "{md}"
    );
    let en =
        String::from_utf8(iolab(&["exercise", "--seed", "3", "--lang", "en", "--answers"]).stdout)
            .unwrap();
    // Same problems, other words: the scenario names and numbers agree.
    for n in ["problem-01.ron", "problem-04.ron"] {
        assert!(md.contains(n) && en.contains(n));
    }
    // The answers' copy steps name places and agents in Chinese, to the last word.
    let steps: Vec<&str> = md.lines().filter(|l| l.contains(" -> ")).collect();
    assert!(!steps.is_empty(), "{md}");
    for line in steps {
        for word in ["buffer", "controller", "disk", "device", "frame", "wire"] {
            assert!(!line.contains(word), "`{word}` in {line}");
        }
    }
    let bad = iolab(&["exercise", "--seed", "3", "--lang", "fr"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn counts_of_one_are_singular() {
    let mut ones = 0;
    for seed in 1..=12 {
        let s = seed.to_string();
        let out = iolab(&["exercise", "--seed", &s, "--count", "6", "--answers"]);
        assert!(out.status.success());
        let md = String::from_utf8(out.stdout).unwrap();
        for bad in ["1 system calls", "1 mode switches", "1 interrupts"] {
            for (i, _) in md.match_indices(bad) {
                let before = md[..i].chars().last().unwrap_or(' ');
                assert!(before.is_ascii_digit(), "`{bad}` (seed {seed})");
            }
        }
        ones += md.matches("1 system call").count() + md.matches("1 interrupt").count();
    }
    assert!(ones > 0, "some answer is a count of one");
}

/// Sheets ask about the write path too: who starts the writeback, and whether the
/// program ends before the disk has the data, answered from the run.
#[test]
fn write_problems_ask_when_the_data_reaches_the_disk() {
    let dir = std::env::temp_dir().join(format!("iolab-ex-write-{}", std::process::id()));
    sheet(&dir, "4", "en");
    let md = std::fs::read_to_string(dir.join("worksheet.md")).unwrap();
    let key: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("answers.json")).unwrap()).unwrap();
    let answers = &md[md.find("## Answers").unwrap()..];
    let mut writes = 0;
    for a in key.iter().filter(|a| a["kind"] == "counts") {
        let file = dir.join(a["scenario"].as_str().unwrap());
        let scenario = std::fs::read_to_string(&file).unwrap();
        if !scenario.contains("sync:") {
            continue;
        }
        writes += 1;
        let n = a["problem"].as_u64().unwrap();
        let part = &answers[answers.find(&format!("### Problem {n}\n")).unwrap()..];
        let seventh = part.lines().find(|l| l.starts_with("7. ")).unwrap();
        let exit = a["program_cycles"].as_u64().unwrap();
        assert!(
            seventh.contains(&format!("exits at cycle {exit} ")),
            "{seventh}"
        );
        // The verdict follows from the run: buffered writes end before the disk has
        // the data, fsync, O_SYNC and O_DIRECT after.
        let buffered = scenario.contains("sync: none");
        assert_eq!(
            seventh.contains("before,"),
            buffered,
            "{seventh}\n{scenario}"
        );
    }
    assert!(writes >= 1, "seed 4 has write problems");
}

/// `exercise grade`: the key marks itself 100 %; a wrong answer is named with the
/// run's value; a Chinese sheet is marked in Chinese.
#[test]
fn grading_marks_the_key_full_and_names_each_wrong_answer() {
    for lang in ["en", "zh"] {
        let dir = std::env::temp_dir().join(format!("iolab-grade-{lang}-{}", std::process::id()));
        sheet(&dir, "5", lang);
        let key = dir.join("answers.json");
        let o = iolab(&[
            "exercise",
            "grade",
            dir.to_str().unwrap(),
            key.to_str().unwrap(),
        ]);
        assert!(o.status.success());
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.contains("100"), "{out}");
        let mut answers: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&key).unwrap()).unwrap();
        let right = answers[1]["interrupts"].as_u64().unwrap();
        answers[1]["interrupts"] = serde_json::json!(right + 1);
        let student = dir.join("student.json");
        std::fs::write(&student, serde_json::to_string(&answers).unwrap()).unwrap();
        let o = iolab(&[
            "exercise",
            "grade",
            dir.to_str().unwrap(),
            student.to_str().unwrap(),
        ]);
        let out = String::from_utf8(o.stdout).unwrap();
        let named = if lang == "en" {
            format!(
                "problem 2, interrupts: you said {}, the run says {right}",
                right + 1
            )
        } else {
            format!(
                "第 2 题，interrupts：你的答案是 {}，运行结果是 {right}",
                right + 1
            )
        };
        assert!(out.contains(&named), "{out}");
        assert!(!out.contains("100"), "{out}");
    }
}

/// A Chinese sheet says its words in Chinese: the program's style too (only
/// method, call and setting names stay as the program spells them).
#[test]
fn a_chinese_sheet_names_the_style_in_chinese() {
    let o = iolab(&["exercise", "--seed", "3", "--count", "8", "--lang", "zh"]);
    let text = String::from_utf8(o.stdout).unwrap();
    for english in ["textbook", "realistic", "style"] {
        assert!(!text.contains(english), "{english} in the Chinese sheet");
    }
    assert!(text.contains("教科书") || text.contains("写实"));
}

/// io_uring problems ask about the rings, answered from the run: entries, the
/// completions per chunk, the doorbells; the scenario file replays the same run.
#[test]
fn io_uring_problems_ask_about_the_rings() {
    let dir = std::env::temp_dir().join(format!("iolab-ex-uring-{}", std::process::id()));
    sheet(&dir, "2", "en");
    let md = std::fs::read_to_string(dir.join("worksheet.md")).unwrap();
    let key: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("answers.json")).unwrap()).unwrap();
    let answers = &md[md.find("## Answers").unwrap()..];
    let mut rings = 0;
    for a in key.iter().filter(|a| a["kind"] == "counts") {
        let file = dir.join(a["scenario"].as_str().unwrap());
        let scenario = std::fs::read_to_string(&file).unwrap();
        if !scenario.contains("io_uring") {
            continue;
        }
        rings += 1;
        let s = file.to_str().unwrap();
        let run = crate::common::summary(&[s]);
        let c = run.get("counters").unwrap_or(&run);
        let n = a["problem"].as_u64().unwrap();
        let part = &answers[answers.find(&format!("### Problem {n}\n")).unwrap()..];
        let seventh = part.lines().find(|l| l.starts_with("7. ")).unwrap();
        let expect = format!(
            "{} entries (a read and a linked send per chunk), {} completions",
            c["sqes_submitted"], c["cqes_reaped"]
        );
        assert!(seventh.contains(&expect), "{seventh} / {expect}");
        assert!(
            seventh.ends_with(&format!("one per batch: {}", c["doorbells"])),
            "{seventh}"
        );
        assert_eq!(a["syscalls"], c["syscalls"]);
    }
    assert!(rings >= 1, "seed 2 has io_uring problems");
    let _ = std::fs::remove_dir_all(&dir);
}
