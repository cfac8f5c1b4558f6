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
        reasons >= 5 * 5,
        "four reasoned counts and a reasoned copy per problem: {reasons}"
    );
    // Copies only: a device's own transfer is never the answer to "copy number k",
    // and the answer says why that part makes the copy.
    for line in key.lines().filter(|l| l.starts_with("5. ")) {
        let (answer, why) = line.split_once(" (because: ").unwrap_or((line, ""));
        assert!(!answer.contains("device"), "{line}");
        assert!(why.contains("DMA engine") || why.contains("CPU"), "{line}");
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
            "io_model",
            "pollution",
            "loops"
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
    let (mut ones, mut ans) = (0, 0);
    for seed in 1..=15 {
        let s = seed.to_string();
        let out = iolab(&["exercise", "--seed", &s, "--count", "6", "--answers"]);
        assert!(out.status.success());
        let md = String::from_utf8(out.stdout).unwrap();
        for bad in [
            "1 system calls",
            "1 mode switches",
            "1 interrupts",
            "1 calls",
            "1 bytes",
            "1 pages",
            "1 copies",
        ] {
            for (i, _) in md.match_indices(bad) {
                let before = md[..i].chars().last().unwrap_or(' ');
                assert!(before.is_ascii_digit(), "`{bad}` (seed {seed})");
            }
        }
        // "a 80-byte file" is "an 80-byte file" (and "a 8-", "a 11-", "a 18-").
        for (i, _) in md
            .match_indices("a 8")
            .chain(md.match_indices("a 11-"))
            .chain(md.match_indices("a 18-"))
        {
            let before = md[..i].chars().last().unwrap_or(' ');
            assert!(
                before.is_alphanumeric(),
                "`{}` (seed {seed})",
                &md[i..i + 12]
            );
        }
        ones += md.matches("1 system call").count()
            + md.matches("1 interrupt").count()
            + md.matches("1 call:").count();
        ans += md.matches("an 8").count();
    }
    assert!(
        ones > 0 && ans > 0,
        "some answer is a count of one, some size starts with 8"
    );
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

/// A sheet of the other kinds, made with `--kinds`.
fn kinds_sheet(dir: &Path, seed: &str, kinds: &str) -> (String, Vec<serde_json::Value>) {
    sheet_with(dir, &["--seed", seed, "--kinds", kinds])
}

/// `iolab exercise ARGS --answers --out DIR`: the sheet and its answer key.
fn sheet_with(dir: &Path, args: &[&str]) -> (String, Vec<serde_json::Value>) {
    let mut a = vec!["exercise"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--answers", "--out", dir.to_str().unwrap()]);
    let out = iolab(&a);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(dir.join("worksheet.md")).unwrap();
    let key = serde_json::from_slice(&std::fs::read(dir.join("answers.json")).unwrap()).unwrap();
    (md, key)
}

/// The number after `before` in `text` (e.g. "readahead_max = 6").
fn number_after(text: &str, before: &str) -> u64 {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("`{before}` in {text}"))
        + before.len();
    text[at..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Problem n's question in the sheet.
fn question(md: &str, n: u64) -> String {
    let head = format!("## Problem {n}\n");
    let at = md.find(&head).unwrap() + head.len();
    let rest = &md[at..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

/// The new kinds are answered by the runs: the readahead windows and misses of
/// the stated read, the fastest of the stated three, a method whose copies and
/// switches no other candidate shares, an I/O model whose calls the sheet shows.
#[test]
fn the_other_kinds_are_answered_by_the_runs() {
    use crate::common::summary;
    for seed in ["1", "2", "3", "4"] {
        let dir = std::env::temp_dir().join(format!("iolab-kinds-{seed}-{}", std::process::id()));
        let (md, key) = kinds_sheet(&dir, seed, "fastest,readahead,identify,io_model");
        let kinds: Vec<&str> = key.iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["fastest", "readahead", "identify", "io_model"]);
        for a in &key {
            let n = a["problem"].as_u64().unwrap();
            let q = question(&md, n);
            let answer = a["answer"].as_str().unwrap();
            match a["kind"].as_str().unwrap() {
                "readahead" => {
                    let (pages, max) = (number_after(&q, "("), number_after(&q, "readahead_max ="));
                    let trace = dir.join("ra.jsonl");
                    let size = (pages * 16).to_string();
                    let m = max.to_string();
                    let args = [
                        "--method",
                        "read",
                        "--file-size",
                        &size,
                        "--buffer-size",
                        "16",
                        "--readahead-max",
                        &m,
                        "--cache-pages",
                        "32",
                        "--trace",
                        trace.to_str().unwrap(),
                    ];
                    let run = summary(&args);
                    let windows: Vec<String> = std::fs::read_to_string(&trace)
                        .unwrap()
                        .lines()
                        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                        .filter(|e| e["type"] == "readahead_window")
                        .map(|e| {
                            let (s, k) =
                                (e["start"].as_u64().unwrap(), e["size"].as_u64().unwrap());
                            format!("{s}-{}", s + k - 1)
                        })
                        .collect();
                    assert_eq!(answer, windows.join(", "), "seed {seed}");
                    assert_eq!(a["cache_misses"], run["cache_misses"]);
                }
                "fastest" => {
                    let size = number_after(&q.replacen("An ", "A ", 1), "A ").to_string();
                    let buffer = number_after(&q, "a buffer of ").to_string();
                    let disk = if q.contains("uses PIO") { "pio" } else { "dma" };
                    let sg = if q.contains("without scatter-gather") {
                        "off"
                    } else {
                        "on"
                    };
                    let cycles = |m: &str| {
                        summary(&[
                            "--method",
                            m,
                            "--file-size",
                            &size,
                            "--buffer-size",
                            &buffer,
                            "--disk",
                            disk,
                            "--nic-sg",
                            sg,
                            "--cache-pages",
                            "16",
                        ])["cycles"]
                            .as_u64()
                            .unwrap()
                    };
                    let best = ["read_write", "mmap_write", "sendfile"]
                        .into_iter()
                        .min_by_key(|m| cycles(m))
                        .unwrap();
                    assert_eq!(answer, best, "seed {seed}: {q}");
                    assert!(md.contains(&format!("`{best}` (because: ")));
                }
                "identify" => {
                    let size = number_after(&q.replacen("An ", "A ", 1), "A ").to_string();
                    let switches = number_after(&q, "made ");
                    let sign = |label: &str| {
                        let v = summary(&[
                            "--method",
                            label,
                            "--file-size",
                            &size,
                            "--buffer-size",
                            &size,
                            "--cache-pages",
                            "16",
                        ]);
                        (
                            v["mode_switches"].as_u64().unwrap(),
                            v["cpu_copy_bytes"].as_u64().unwrap(),
                        )
                    };
                    let mine = sign(answer);
                    assert_eq!(mine.0, switches);
                    for other in ["read_write", "mmap_write", "sendfile", "sendfile+sg"] {
                        if other != answer {
                            assert_ne!(sign(other), mine, "{other} looks like {answer}");
                        }
                    }
                }
                _ => {
                    let first = q.split("were, in order: ").nth(1).unwrap();
                    let expect = match answer {
                        "blocking" => "read() = 32",
                        "nonblocking" => "read() = -11",
                        "multiplexing" => "poll() = 1",
                        "signal_driven" => "sigaction() = 0",
                        _ => "aio_read() = 0",
                    };
                    assert!(first.starts_with(expect), "{answer}: {first}");
                }
            }
        }
        // The key marks itself full, and a wrong word is named.
        let k = dir.join("answers.json");
        let o = iolab(&[
            "exercise",
            "grade",
            dir.to_str().unwrap(),
            k.to_str().unwrap(),
        ]);
        assert!(String::from_utf8_lossy(&o.stdout).contains("100"));
        let mut wrong = key.clone();
        wrong[0]["answer"] = serde_json::json!("splice");
        let w = dir.join("wrong.json");
        std::fs::write(&w, serde_json::to_string(&wrong).unwrap()).unwrap();
        let o = iolab(&[
            "exercise",
            "grade",
            dir.to_str().unwrap(),
            w.to_str().unwrap(),
        ]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("answer: you said \"splice\""), "{out}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// `--kinds` chooses the problems and `--methods` the counting problems' methods;
/// an unknown kind or method is refused with the known ones.
#[test]
fn kinds_and_methods_choose_the_problems() {
    let dir = std::env::temp_dir().join(format!("iolab-kinds-m-{}", std::process::id()));
    let out = iolab(&[
        "exercise",
        "--seed",
        "9",
        "--count",
        "3",
        "--kinds",
        "counts",
        "--methods",
        "sendfile,splice",
        "--answers",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("answers.json")).unwrap()).unwrap();
    assert_eq!(key.len(), 3);
    for a in &key {
        let s = std::fs::read_to_string(dir.join(a["scenario"].as_str().unwrap())).unwrap();
        assert!(
            s.contains("method: sendfile") || s.contains("method: splice"),
            "{s}"
        );
    }
    let md = std::fs::read_to_string(dir.join("worksheet.md")).unwrap();
    assert!(
        md.contains("--kinds counts --methods sendfile,splice"),
        "the command to make it again"
    );
    for (flag, bad) in [("--kinds", "guessing"), ("--methods", "recv")] {
        let o = iolab(&["exercise", "--seed", "1", flag, bad]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(flag) && err.contains(bad), "{err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// No problem states a condition that plays no part: an O_DIRECT problem never
/// starts with a warm cache, a cached file's problem names no disk, a `read`
/// problem no scatter-gather.
#[test]
fn problems_state_only_conditions_that_play_a_part() {
    let mut cached = 0;
    for seed in 1..=12 {
        let dir = std::env::temp_dir().join(format!("iolab-ex-part-{seed}-{}", std::process::id()));
        let out = iolab(&[
            "exercise",
            "--seed",
            &seed.to_string(),
            "--count",
            "8",
            "--kinds",
            "counts",
            "--answers",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        let md = std::fs::read_to_string(dir.join("worksheet.md")).unwrap();
        for n in 1..=8u64 {
            let q = question(&md, n);
            let scenario =
                std::fs::read_to_string(dir.join(format!("problem-{n:02}.ron"))).unwrap();
            if scenario.contains("method: direct_io") || scenario.contains("method: io_uring") {
                assert!(scenario.contains("cache: cold"), "{scenario}");
            }
            if q.contains("already in the page cache") {
                cached += 1;
                assert!(!q.contains("controller uses"), "{q}");
            }
            if scenario.contains("method: read,") {
                assert!(!q.contains("scatter-gather"), "{q}");
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }
    assert!(cached > 0, "some problem has a cached file");
}

/// The pollution problem's key is the runs' and agrees with its explanation:
/// buffered, the small file is pushed out every round (half its look-ups hit);
/// with O_DIRECT only the first round's two pages miss.
#[test]
fn the_pollution_problem_matches_its_explanation() {
    for seed in ["1", "2", "3", "4", "5", "6"] {
        let dir = std::env::temp_dir().join(format!("iolab-poll-{seed}-{}", std::process::id()));
        let (md, key) = kinds_sheet(&dir, seed, "pollution");
        assert_eq!(key.len(), 1);
        let a = &key[0];
        let rounds = number_after(&question(&md, 1), "per round, for ");
        let lookups = 2 * 2 * rounds;
        let direct = (100.0 * (lookups - 2) as f64 / lookups as f64).round() as u64;
        assert_eq!(a["hit_ratio_buffered"], 50, "seed {seed}");
        assert_eq!(a["hit_ratio_direct"], direct, "seed {seed}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// A Chinese worksheet, every kind of problem and its key, has no English words
/// but the names a program uses: methods, system calls, I/O models, sync modes,
/// settings, abbreviations (CPU, DMA), file names and the command that made it.
#[test]
fn a_chinese_sheet_has_no_english_words_but_names() {
    let names = [
        // abbreviations and the kernel's own names
        "CPU",
        "DMA",
        "PIO",
        "SG",
        "LRU",
        "O_DIRECT",
        "O_SYNC",
        "SIGIO",
        "SQPOLL",
        "EAGAIN",
        "socket",
        "flusher",
        "readahead_max",
        "dirty_expire",
        "dirty_background",
        "dirty_limit",
        "task_work",
        // files
        "index",
        "html",
        "video",
        "mp4",
        "problem",
        "ron",
        // system calls
        "read",
        "write",
        "mmap",
        "munmap",
        "sendfile",
        "splice",
        "pipe",
        "poll",
        "sigaction",
        "aio_read",
        "io_setup",
        "io_destroy",
        "io_submit",
        "io_getevents",
        "fsync",
        "copy_file_range",
        "io_uring_setup",
        "io_uring_register",
        "io_uring_enter",
    ];
    let mut allowed: std::collections::BTreeSet<String> =
        names.iter().map(|s| s.to_string()).collect();
    for m in iolab::sim::Method::ALL {
        allowed.insert(m.name().into());
    }
    for m in iolab::sim::program::IoModel::ALL {
        allowed.insert(m.name().into());
    }
    for m in iolab::sim::program::SyncMode::ALL {
        allowed.insert(m.name().into());
    }
    let mut english = std::collections::BTreeSet::new();
    for seed in 1..=8 {
        let out = iolab(&[
            "exercise",
            "--seed",
            &seed.to_string(),
            "--count",
            "6",
            "--lang",
            "zh",
            "--answers",
        ]);
        assert!(out.status.success());
        let md = String::from_utf8(out.stdout).unwrap();
        // The line that says how to make the sheet again is a command.
        for line in md.lines().filter(|l| !l.contains("iolab ")) {
            let mut word = String::new();
            for c in line.chars().chain([' ']) {
                if c.is_ascii_alphanumeric() || c == '_' {
                    word.push(c);
                    continue;
                }
                let w = std::mem::take(&mut word);
                let letters = w.chars().filter(|c| c.is_ascii_alphabetic()).count();
                if letters >= 3
                    && !allowed.contains(&w)
                    && !w.chars().all(|c| c.is_ascii_hexdigit())
                {
                    english.insert(w);
                }
            }
        }
    }
    assert!(
        english.is_empty(),
        "English words in the Chinese sheets: {english:?}"
    );
}

/// A loop problem states its program, so k and the calls follow on paper: for the
/// stated method, style, N and B the key's k is ⌈N/B⌉, its calls are what
/// `iolab run` counts, and they follow the program the sheet states (2k + 1 for
/// a read()+write() loop that reads until end of file, and so on); the grader
/// takes the key and marks a wrong k.
#[test]
fn loop_problems_follow_from_n_and_b() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..=12 {
        let dir = std::env::temp_dir().join(format!("iolab-loops-{seed}-{}", std::process::id()));
        let (md, key) = kinds_sheet(&dir, &seed.to_string(), "loops");
        assert_eq!(key.len(), 1);
        let a = &key[0];
        assert_eq!(a["kind"], "loops");
        let q = question(&md, 1);
        let method = q.split('`').nth(1).unwrap().to_string();
        let style = if q.contains("textbook style") {
            "textbook"
        } else {
            assert!(q.contains("realistic style"), "{q}");
            "realistic"
        };
        let (n, b, b2) = (
            number_after(&q, "N ="),
            number_after(&q, "B ="),
            number_after(&q, "With B ="),
        );
        let k = n.div_ceil(b);
        assert_eq!(a["loops"], k, "{q}");
        for (buffer, field) in [(b, "syscalls"), (b2, "syscalls_other_buffer")] {
            let out = iolab(&[
                "run",
                "--method",
                &method,
                "--style",
                style,
                "--file-size",
                &n.to_string(),
                "--buffer-size",
                &buffer.to_string(),
                // The sheet's machine: the classroom one with 16 page frames.
                "--cache-pages",
                "16",
                "--summary",
                "json",
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(a[field], c["syscalls"], "{q}");
            // The program the sheet states, counted by hand.
            let k = n.div_ceil(buffer);
            let real = style == "realistic";
            let by_hand = match method.as_str() {
                "read" => k + real as u64,
                "read_write" | "direct_io" => 2 * k + real as u64,
                "mmap_write" => 1 + k + real as u64,
                "sendfile" => k,
                "splice" => 2 * k + 2 * real as u64,
                other => panic!("a loop of {other}"),
            };
            assert_eq!(c["syscalls"], by_hand, "{method} {style} N={n} B={buffer}");
            if field == "syscalls" {
                assert_eq!(a["mode_switches"], c["mode_switches"]);
            }
        }
        seen.insert(method);
        // The key itself scores 100 %; a wrong k is named.
        let mut wrong = a.clone();
        wrong["loops"] = serde_json::json!(k + 1);
        let answers = dir.join("mine.json");
        std::fs::write(&answers, serde_json::json!([wrong]).to_string()).unwrap();
        let out = iolab(&[
            "exercise",
            "grade",
            dir.to_str().unwrap(),
            answers.to_str().unwrap(),
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("loops"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        seen.len() >= 4,
        "the loops drawn cover several methods: {seen:?}"
    );
}

/// A counting problem on realistic mmap asks for its page faults, answered from
/// the run (and with the reason), in both languages.
#[test]
fn realistic_mmap_problems_ask_for_the_page_faults() {
    let mut found = 0;
    for (seed, lang) in [("1", "en"), ("2", "zh"), ("3", "en")] {
        let dir =
            std::env::temp_dir().join(format!("iolab-ex-faults-{seed}-{}", std::process::id()));
        let (md, key) = sheet_with(
            &dir,
            &[
                "--seed",
                seed,
                "--count",
                "6",
                "--kinds",
                "counts",
                "--methods",
                "mmap_write",
                "--lang",
                lang,
            ],
        );
        for a in key.iter().filter(|a| a["major_faults"].is_u64()) {
            found += 1;
            let file = dir.join(a["scenario"].as_str().unwrap());
            let run = crate::common::summary(&[file.to_str().unwrap()]);
            assert_eq!(a["major_faults"], run["major_faults"]);
            assert_eq!(a["minor_faults"], run["minor_faults"]);
            assert!(
                run["major_faults"].as_u64().unwrap() + run["minor_faults"].as_u64().unwrap() > 0
            );
        }
        let (q, why) = if lang == "zh" {
            ("缺页", "缺页周边映射")
        } else {
            ("page faults", "fault-around")
        };
        if key.iter().any(|a| a["major_faults"].is_u64()) {
            assert!(md.contains(q) && md.contains(why), "{md}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
    assert!(found > 0, "some problem is on realistic mmap");
}
