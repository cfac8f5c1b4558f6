//! Stevens' five I/O models on a socket receive: the counts the seed notes and
//! the acceptance criteria give, from the CLI's JSON summary.

use std::process::Command;

fn run(model: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--method", "recv", "--io-model", model];
    args.extend_from_slice(extra);
    crate::common::summary(&args)
}

#[test]
fn each_model_makes_the_calls_it_should() {
    assert_eq!(run("blocking", &[])["syscalls"], 1);
    assert_eq!(run("multiplexing", &[])["syscalls"], 2);
    assert_eq!(run("signal_driven", &[])["syscalls"], 2);
    assert_eq!(run("async", &[])["syscalls"], 1);
    for m in [
        "blocking",
        "nonblocking",
        "multiplexing",
        "signal_driven",
        "async",
    ] {
        let v = run(m, &[]);
        assert_eq!(v["data_intact"], true, "{m}");
        assert_eq!(v["bytes_delivered"], v["file_size"], "{m}");
        assert_eq!(
            v["mode_switches"],
            2 * v["syscalls"].as_u64().unwrap(),
            "{m}"
        );
        assert!(
            v["wait_cycles"].as_u64().unwrap() > 100,
            "{m}: phase 1 lasts until the data arrives"
        );
    }
}

#[test]
fn nonblocking_polls_more_the_later_the_data_comes() {
    let mut last = 0;
    for delay in ["50", "150", "400"] {
        let v = run("nonblocking", &[]);
        let _ = v;
        let p = std::env::temp_dir().join(format!("iolab-nb-{delay}-{}.ron", std::process::id()));
        std::fs::write(
            &p,
            format!("(version: 1, conditions: (arrival_delay: {delay}))"),
        )
        .unwrap();
        let v = run(
            "nonblocking",
            &[&p.display().to_string()][..]
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        );
        let eagain = v["eagain_returns"].as_u64().unwrap();
        assert_eq!(
            v["syscalls"].as_u64().unwrap(),
            eagain + 1,
            "one more call than EAGAIN returns"
        );
        assert!(
            eagain > last,
            "delay {delay}: {eagain} EAGAIN, not more than {last}"
        );
        last = eagain;
    }
}

#[test]
fn polling_burns_cpu_and_async_leaves_the_most_other_work() {
    let busy = |m: &str| run(m, &[])["cpu_busy_cycles"].as_u64().unwrap();
    assert!(busy("nonblocking") > 2 * busy("blocking"));
    let other: Vec<(String, u64)> = [
        "blocking",
        "nonblocking",
        "multiplexing",
        "signal_driven",
        "async",
    ]
    .iter()
    .map(|m| {
        (
            m.to_string(),
            run(m, &[])["other_work_cycles"].as_u64().unwrap(),
        )
    })
    .collect();
    let best = other.iter().max_by_key(|x| x.1).unwrap();
    assert_eq!(best.0, "async", "{other:?}");
    assert!(
        other
            .iter()
            .filter(|x| x.0 != "async")
            .all(|x| x.1 < best.1),
        "{other:?}"
    );
    // All models are observed over the same window.
    let cycles: Vec<u64> = ["blocking", "async"]
        .iter()
        .map(|m| run(m, &[])["cycles"].as_u64().unwrap())
        .collect();
    assert_eq!(cycles[0], cycles[1]);
}

#[test]
fn stevens_phases_are_in_the_log() {
    let p = std::env::temp_dir().join(format!("iolab-phases-{}.jsonl", std::process::id()));
    for m in ["blocking", "async"] {
        let out = Command::new(env!("CARGO_BIN_EXE_iolab"))
            .args([
                "run",
                "--method",
                "recv",
                "--io-model",
                m,
                "--trace",
                &p.display().to_string(),
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let log = std::fs::read_to_string(&p).unwrap();
        let phases: Vec<String> = log
            .lines()
            .filter(|l| l.contains("\"type\":\"io_phase\""))
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["phase"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            phases,
            ["waiting_for_data", "copying_to_user", "done"],
            "{m}"
        );
        if m == "async" {
            assert!(log.contains("\"what\":\"aio completion\""));
            assert!(
                !log.contains("task_switch"),
                "the async process never sleeps"
            );
        } else {
            assert_eq!(log.matches("\"type\":\"task_switch\"").count(), 2);
        }
    }
}

#[test]
fn while_it_waits_for_a_notification_the_process_works_and_that_is_other_work() {
    use iolab::sim::event::{Activity, EventKind};
    for model in ["signal_driven", "async", "blocking"] {
        let ov = iolab::session::Overrides {
            method: Some(iolab::sim::Method::Recv),
            io_model: iolab::sim::program::IoModel::parse(model),
            ..Default::default()
        };
        let (_, setup) = iolab::session::resolve(&None, &ov).unwrap();
        let m = iolab::session::simulate(setup).unwrap();
        let own = m.log.events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::CpuActivity {
                    activity: Activity::OwnWork
                }
            )
        });
        // Only a process that is not blocked works while it waits.
        assert_eq!(own, model != "blocking", "{model}");
        let c = m.counters();
        assert_eq!(c.cpu_busy_cycles + c.other_work_cycles, c.cycles, "{model}");
    }
}
