//! The command line, end to end: the seed's table, every shipped scene, broken
//! scenario files, flags, traces.

use std::path::{Path, PathBuf};

use crate::common::iolab;

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["run", "--summary", "json"];
    a.extend_from_slice(args);
    let out = iolab(&a);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.trim().lines().count(),
        1,
        "exactly one JSON object: {text}"
    );
    serde_json::from_str(text.trim()).unwrap()
}

#[test]
fn the_seed_table_holds() {
    // method flags, NIC SG, mode switches, CPU copies, DMA copies (DESIGN.md §2).
    let rows: [(&[&str], u64, f64, f64); 6] = [
        (&["--method", "read_write", "--nic-sg", "off"], 4, 2.0, 2.0),
        (&["--method", "mmap_write", "--nic-sg", "off"], 4, 1.0, 2.0),
        (&["--method", "sendfile", "--nic-sg", "off"], 2, 1.0, 2.0),
        (&["--method", "sendfile", "--nic-sg", "on"], 2, 0.0, 2.0),
        (&["--method", "read", "--disk", "dma"], 2, 1.0, 1.0),
        (&["--method", "read", "--disk", "pio"], 2, 2.0, 0.0),
    ];
    for (flags, switches, cpu, dma) in rows {
        for size in ["40", "1000", "64KiB"] {
            let mut args = flags.to_vec();
            args.extend([
                "--file-size",
                size,
                "--cache",
                "cold",
                "--style",
                "textbook",
            ]);
            if size == "64KiB" {
                args.extend(["--profile", "modern"]);
            } else {
                args.extend(["--profile", "classroom"]);
            }
            let mut args_owned: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            if size == "1000" {
                // 1000 bytes of 16-byte pages need a bigger classroom cache: use a scenario.
                let p = write_temp("seed_big.ron", "(version: 1, hardware: (cache_pages: 128))");
                args_owned.insert(0, p.display().to_string());
            }
            let refs: Vec<&str> = args_owned.iter().map(|s| s.as_str()).collect();
            let v = json(&refs);
            assert_eq!(v["mode_switches"], switches, "{flags:?} {size}");
            assert_eq!(v["cpu_copies"].as_f64().unwrap(), cpu, "{flags:?} {size}");
            assert_eq!(v["dma_copies"].as_f64().unwrap(), dma, "{flags:?} {size}");
            assert_eq!(v["data_intact"], true);
            for key in [
                "syscalls",
                "cpu_copy_bytes",
                "dma_copy_bytes",
                "interrupts",
                "cycles",
                "cpu_busy_cycles",
                "bytes_delivered",
                "method",
                "file_size",
                "buffer_size",
            ] {
                assert!(v.get(key).is_some(), "missing {key}");
            }
        }
    }
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iolab-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn multi_call_counts_follow_the_loop_from_the_cli() {
    // 100 bytes, 16-byte buffer: k = 7 calls each.
    let v = json(&[
        "--method",
        "read_write",
        "--file-size",
        "100",
        "--buffer-size",
        "16",
        "--style",
        "realistic",
    ]);
    assert_eq!(v["syscalls"], 2 * 7 + 1);
    let v = json(&[
        "--method",
        "read_write",
        "--file-size",
        "100",
        "--buffer-size",
        "16",
        "--style",
        "textbook",
    ]);
    assert_eq!(v["syscalls"], 2 * 7);
    let v = json(&[
        "--method",
        "sendfile",
        "--file-size",
        "100",
        "--buffer-size",
        "16",
    ]);
    assert_eq!(v["syscalls"], 7);
    let v = json(&[
        "--method",
        "sendfile",
        "--file-size",
        "100",
        "--buffer-size",
        "1KiB",
    ]);
    assert_eq!(v["syscalls"], 1, "a whole-file sendfile is one call");
    assert_eq!(v["buffer_size"], 1024);
}

#[test]
fn every_shipped_scene_checks_and_delivers() {
    let scenes: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
    assert!(scenes.len() >= 8);
    for required in [
        "pio_read",
        "dma_read",
        "read_write",
        "mmap_write",
        "sendfile",
        "sendfile_sg",
        "splice",
        "direct_io",
    ] {
        assert!(
            scenes.iter().any(|p| p.file_stem().unwrap() == required),
            "scenes/{required}.ron missing"
        );
    }
    for p in &scenes {
        let s = p.display().to_string();
        let out = iolab(&["check", &s]);
        assert!(
            out.status.success(),
            "{s}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&[&s]);
        assert_eq!(v["data_intact"], true, "{s}");
        assert_eq!(v["bytes_delivered"], v["file_size"], "{s}");
    }
}

/// Each broken file: exit code 2, the file, line:column and the reason.
#[test]
fn broken_scenarios_are_refused_with_a_clear_message() {
    let cases: [(&str, &str, &str); 11] = [
        ("syntax_error.ron", ":4:", "expected a comma"),
        ("classroom_too_small.ron", ":4:", "--profile modern"),
        ("unknown_field.ron", ":4:", "file_sise"),
        ("wrong_type.ron", ":3:", "hardware.nic_sg"),
        (
            "zero_buffer.ron",
            ":6:",
            "conditions.buffer_size: must be at least 1",
        ),
        ("overflow_size.ron", ":4:", "overflows"),
        ("too_large.ron", ":4:", "conditions.file_size"),
        ("unknown_method.ron", ":3:", "teleport"),
        (
            "misaligned_direct_io.ron",
            ":7:",
            "O_DIRECT needs a buffer length that is a multiple of 8",
        ),
        ("missing_version.ron", ":", "version"),
        (
            "unknown_profile.ron",
            ":4:",
            "unknown profile `supercomputer`",
        ),
    ];
    for (file, pos, reason) in cases {
        let path = format!("tests/broken/{file}");
        for cmd in ["check", "run"] {
            let out = iolab(&[cmd, &path]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd} {file}: {err}");
            assert!(
                err.contains(&format!("{path}{pos}")),
                "{cmd} {file}: no position {pos} in: {err}"
            );
            assert!(
                err.contains(reason),
                "{cmd} {file}: `{reason}` not in: {err}"
            );
            assert!(!err.contains("panicked"), "{err}");
            assert!(!err.contains("?:"), "an unknown field shows as `?`: {err}");
        }
    }
}

#[test]
fn impossible_flags_are_refused_with_exit_code_2() {
    let cases: [(&[&str], &str); 6] = [
        (&["--buffer-size", "0"], "--buffer-size: must be at least 1"),
        (&["--file-size", "0"], "--file-size: must be at least 1"),
        (&["--file-size", "99999999999GiB"], "overflows"),
        (&["--method", "teleport"], "unknown method `teleport`"),
        (
            &["--method", "direct_io", "--buffer-size", "12"],
            "O_DIRECT",
        ),
        (&["--profile", "nope"], "--profile: unknown profile"),
    ];
    for (flags, reason) in cases {
        let mut args = vec!["run"];
        args.extend_from_slice(flags);
        let out = iolab(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(reason), "{flags:?}: `{reason}` not in {err}");
    }
    let out = iolab(&["run", "no/such/file.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no/such/file.ron: cannot read the file")
    );
}

#[test]
fn traces_are_json_lines_and_deterministic() {
    let a = write_temp("a.jsonl", "");
    let b = write_temp("b.jsonl", "");
    for p in [&a, &b] {
        let out = iolab(&[
            "run",
            "scenes/splice.ron",
            "--trace",
            &p.display().to_string(),
        ]);
        assert!(out.status.success());
    }
    let (ta, tb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(ta.len() > 1000);
    assert_eq!(ta, tb);
    let text = String::from_utf8(ta).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["type"].is_string() && v["cycle"].is_u64() && v["seq"].is_u64());
    }
}

#[test]
fn compare_prints_one_row_per_method_in_every_format() {
    let out = iolab(&[
        "compare",
        "--methods",
        "read_write,mmap_write,sendfile,sendfile+sg",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("method,syscalls,mode_switches,cpu_copies,dma_copies"));
    assert!(lines[4].starts_with("sendfile+sg,1,2,0,2,"), "{}", lines[4]);
    let out = iolab(&["compare", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 6);
    for fmt in ["text", "markdown"] {
        let out = iolab(&["compare", "--methods", "read,read+pio", "--format", fmt]);
        let t = String::from_utf8(out.stdout).unwrap();
        assert!(t.contains("read+pio"), "{fmt}: {t}");
    }
    let out = iolab(&["compare", "--methods", "read+warp"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn methods_lists_each_method() {
    let out = iolab(&["methods"]);
    let t = String::from_utf8(out.stdout).unwrap();
    for m in [
        "read ",
        "read_write",
        "mmap_write",
        "sendfile",
        "splice",
        "direct_io",
        "write_file",
        "copy_file_range",
    ] {
        assert!(t.contains(m), "{m}");
    }
    assert_eq!(t.lines().count(), iolab::sim::Method::ALL.len());
}

#[test]
fn text_summary_names_every_counter() {
    let out = iolab(&["run"]);
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    for k in [
        "syscalls",
        "mode_switches",
        "cpu_copies",
        "dma_copies",
        "interrupts",
        "cycles",
        "cpu_busy_cycles",
        "bytes_delivered",
        "data_intact      yes",
    ] {
        assert!(t.contains(k), "{k} in {t}");
    }
}

#[test]
fn text_summary_adds_every_other_counter_that_is_not_zero() {
    let text = |args: &[&str]| {
        let mut a = vec!["run"];
        a.extend_from_slice(args);
        let out = iolab(&a);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let json = |args: &[&str]| crate::common::summary(args);
    for args in [
        &["--method", "recv", "--io-model", "nonblocking"][..],
        &[
            "--method",
            "read",
            "--profile",
            "modern",
            "--file-size",
            "1MiB",
        ][..],
        &["--method", "mmap_write", "--style", "realistic"][..],
        &[
            "--method",
            "write_file",
            "--file-size",
            "160",
            "--buffer-size",
            "16",
        ][..],
    ] {
        let (t, v) = (text(args), json(args));
        for m in iolab::metrics::MORE {
            let shown = t
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{} ", m.key)));
            let value = v[m.key].as_u64().unwrap();
            // The exit cycle is news only when the run outlived the program.
            let nonzero = if m.key == "program_cycles" {
                value < v["cycles"].as_u64().unwrap()
            } else {
                value != 0
            };
            assert_eq!(shown, nonzero, "{} in {t}", m.key);
        }
    }
    // A multi-file run names its method in the header.
    let t = text(&["scenes/page_cache_pollution.ron"]);
    assert!(t.starts_with("sendfile: 3 files"), "{t}");
}

#[test]
fn a_built_in_scene_runs_by_name_and_the_help_lists_them() {
    let by_name = iolab(&["run", "sendfile_sg", "--summary", "json"]);
    let by_path = iolab(&["run", "scenes/sendfile_sg.ron", "--summary", "json"]);
    assert!(
        by_name.status.success(),
        "{}",
        String::from_utf8_lossy(&by_name.stderr)
    );
    assert_eq!(by_name.stdout, by_path.stdout);
    let missing = iolab(&["run", "no_such_scene"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("built-in scenes:") && err.contains("pio_read"),
        "{err}"
    );
    let help = String::from_utf8(iolab(&["run", "--help"]).stdout).unwrap();
    for scene in iolab::scenario::BUILTIN_SCENES {
        assert!(help.contains(scene.0), "{} in run --help", scene.0);
    }
    // The methods in the help come from the one list.
    for m in iolab::sim::Method::ALL {
        assert!(help.contains(m.name()), "{} in run --help", m.name());
    }
}

#[test]
fn the_same_labels_work_for_run_and_compare() {
    let label = json(&["--method", "sendfile+sg"]);
    let flags = json(&["--method", "sendfile", "--nic-sg", "on"]);
    assert_eq!(label, flags);
    assert_eq!(label["cpu_copies"].as_f64(), Some(0.0));
    // A flag given as well wins over the label's modifier.
    let both = json(&["--method", "sendfile+sg", "--nic-sg", "off"]);
    assert_eq!(both["cpu_copies"].as_f64(), Some(1.0));
    // I/O models as labels, in compare.
    let out = iolab(&[
        "compare",
        "--methods",
        "recv+async,recv+nonblocking",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["eagain_returns"], 0);
    assert!(rows[1]["eagain_returns"].as_u64().unwrap() > 0);
    let bad = iolab(&["run", "--method", "read+async"]);
    assert_eq!(bad.status.code(), Some(2), "an I/O model only for recv");
}

/// A label's modifiers work in `run --method` as in `compare --methods`: the
/// write path's sync mode and polled completions included.
#[test]
fn run_takes_the_label_s_sync_mode_and_completion() {
    let c = |args: &[&str]| crate::common::summary(args);
    let label = c(&["--method", "write_file+fsync"]);
    let flag = c(&["--method", "write_file", "--sync", "fsync"]);
    assert_eq!(label["syscalls"], flag["syscalls"]);
    assert_eq!(label["cycles"], flag["cycles"]);
    let polled = c(&["--method", "read+poll"]);
    assert_eq!(polled["interrupts"], 0);
    assert!(polled["polled_completions"].as_u64().unwrap() > 0);
    let flag = c(&["--method", "read", "--completion", "poll"]);
    assert_eq!(polled["cycles"], flag["cycles"]);
}

/// A large file on the classroom profile runs, and says what that cost and that
/// --profile modern runs it as a real machine would; small ones and modern runs
/// say nothing.
#[test]
fn a_large_file_on_the_classroom_profile_points_to_the_modern_one() {
    let big = iolab(&["run", "--method", "sendfile", "--file-size", "8KiB"]);
    assert!(big.status.success());
    let err = String::from_utf8_lossy(&big.stderr);
    assert!(err.contains("--profile modern"), "{err}");
    assert!(err.contains("interrupts"), "{err}");
    for args in [
        &["run", "--method", "sendfile"][..],
        &[
            "run",
            "--method",
            "sendfile",
            "--file-size",
            "8KiB",
            "--profile",
            "modern",
        ][..],
    ] {
        let o = iolab(args);
        assert!(o.status.success());
        assert!(
            o.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// A misaligned O_DIRECT read is refused as it happened: read() for direct_io,
/// the ring's read entry for io_uring (which makes no read() call).
#[test]
fn a_refused_o_direct_read_is_named_as_it_was_made() {
    for (method, said) in [
        ("direct_io", "read() returned -22"),
        ("io_uring", "the ring's read entry completed with -22"),
    ] {
        let o = iolab(&["run", "--method", method, "--profile", "modern"]);
        assert_eq!(o.status.code(), Some(2), "{method}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(said) && err.contains("buffer_size"),
            "{method}: {err}"
        );
        if method == "io_uring" {
            assert!(!err.contains("read()"), "{err}");
        }
    }
}
