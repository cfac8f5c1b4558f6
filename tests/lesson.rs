//! Lessons: steps that stop a scene at a moment and ask a question whose answer
//! the simulator computes; run in the terminal with `iolab lesson`.

use std::io::Write;
use std::process::{Command, Stdio};

use iolab::i18n::Lang;
use iolab::lesson::{self, Question};

fn lesson_with(input: &str, args: &[&str]) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iolab"))
        .arg("lesson")
        .args(args)
        .current_dir(crate::common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let mut text = String::from_utf8_lossy(&o.stdout).to_string();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

/// The shipped lesson's answers come from the runs: the seed's counts.
#[test]
fn the_first_lesson_asks_what_the_runs_answer() {
    let l = lesson::load(std::path::Path::new("pio_to_zero_copy")).unwrap();
    let answers: Vec<String> = l
        .steps
        .iter()
        .filter_map(|s| lesson::checkpoint(s, Lang::En).unwrap())
        .map(|c| c.answer)
        .collect();
    // ... and io_uring's: setup, register and one enter; with SQPOLL two calls.
    assert_eq!(answers, ["3", "1", "cpu", "4", "sendfile+sg", "3", "4"]);
    assert!(
        l.steps.iter().all(|s| s.text_zh.is_some()),
        "both languages"
    );
    assert!(matches!(l.steps[2].ask, Some(Question::NextCopy)));
}

#[test]
fn a_student_is_scored_and_a_teacher_sees_the_answers() {
    let (ok, out) = lesson_with("3\n2\ncpu\n4\nsendfile+sg\n3\n2\n", &["pio_to_zero_copy"]);
    assert!(ok, "{out}");
    assert!(out.contains("Score: 5 of 7."), "{out}");
    assert!(out.contains("Not quite: the run says 4."), "{out}");
    assert!(out.contains("Not quite: the run says 1."), "{out}");
    let (ok, out) = lesson_with("", &["pio_to_zero_copy", "--teacher", "--lang", "zh"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("答案：3。") && out.contains("从 PIO 到零拷贝"),
        "{out}"
    );
    assert!(!out.contains("得分"), "a teacher is not scored");
}

#[test]
fn a_bad_lesson_names_the_file_line_and_column() {
    let p = crate::common::temp("bad-lesson.ron");
    std::fs::write(&p, "(\n    version: 1,\n    title: \"x\",\n    steps: [ ( scene: \"read_write\", txet: \"oops\" ) ],\n)\n").unwrap();
    let (ok, out) = lesson_with("", &[p.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("bad-lesson.ron:4:"), "{out}");
    // A question the run cannot answer is refused with its step.
    std::fs::write(&p, "(version: 1, title: \"x\", steps: [(scene: \"read_write\", text: \"t\", ask: Count(\"nope\"))])").unwrap();
    let (ok, out) = lesson_with("", &[p.to_str().unwrap()]);
    assert!(
        !ok && out.contains("step 1") && out.contains("nope"),
        "{out}"
    );
}

/// The app opens a lesson at a step (`gui --lesson NAME --lesson-step K`); a lesson
/// that does not load is refused before any window opens.
#[cfg(feature = "gui")]
#[test]
fn the_app_refuses_a_lesson_it_cannot_load() {
    let o = crate::common::iolab(&[
        "gui",
        "--lesson",
        "no_such_lesson",
        "--screenshot",
        "/tmp/x.png",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no_such_lesson"));
}

/// Every shipped lesson passes `iolab check`: its scenes run, its stops exist, its
/// questions have answers.
#[test]
fn every_shipped_lesson_passes_check() {
    for (name, _) in iolab::lesson::BUILTIN_LESSONS {
        let path = format!("scenes/lessons/{name}.ron");
        let o = crate::common::iolab(&["check", &path]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("lesson"));
    }
}

/// `iolab narrate`: one line per step, the app's sentences, in either language.
#[test]
fn narrate_prints_the_steps_the_app_shows() {
    for (lang, l) in [("en", iolab::i18n::Lang::En), ("zh", iolab::i18n::Lang::Zh)] {
        let o = crate::common::iolab(&["narrate", "read_write", "--lang", lang]);
        assert!(o.status.success());
        let text = String::from_utf8(o.stdout).unwrap();
        let sc = iolab::scenario::load(&crate::common::scene("read_write")).unwrap();
        let m = crate::common::run_setup(sc.setup().unwrap());
        let t = iolab::i18n::Texts::of(l);
        let want: Vec<String> = m
            .log
            .events
            .iter()
            .filter(|e| iolab::narrate::is_step(&e.kind))
            .map(|e| {
                format!(
                    "{:>8}  {}",
                    e.cycle,
                    iolab::narrate::narrate_in(e, &m.setup, &t)
                )
            })
            .collect();
        assert_eq!(text.lines().collect::<Vec<_>>(), want);
    }
    let o = crate::common::iolab(&["narrate", "read_write", "--from-event", "9999"]);
    assert_eq!(o.status.code(), Some(2));
}
