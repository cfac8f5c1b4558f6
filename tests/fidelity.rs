//! One level below the seed: behaviours a systems teacher would check, each
//! against what Linux does (see shared/linux-measured in the design notes).

use crate::common::{iolab, summary};

#[test]
fn recv_on_the_modern_profile_works_for_all_five_models_with_the_wait_visible() {
    for model in [
        "blocking",
        "nonblocking",
        "multiplexing",
        "signal_driven",
        "async",
    ] {
        let v = summary(&[
            "--method",
            "recv",
            "--io-model",
            model,
            "--profile",
            "modern",
        ]);
        assert_eq!(v["data_intact"], true, "{model}");
        assert_eq!(v["bytes_delivered"], 40, "{model}");
        // The message arrives after the process has started waiting for it.
        assert!(v["wait_cycles"].as_u64().unwrap() > 10_000, "{model}: {v}");
        let blocks = matches!(model, "blocking" | "multiplexing");
        assert_eq!(v["task_switches"], if blocks { 2 } else { 0 }, "{model}");
        if model == "nonblocking" {
            assert!(v["eagain_returns"].as_u64().unwrap() > 0);
        }
    }
}

#[test]
fn a_message_completes_whenever_it_arrives() {
    // Before the first call, while sigaction()/aio_read() run in the kernel (the
    // window between the body and the arming, modern: cycles ~300-700), and after.
    let text = |profile: &str, model: &str, delay: u64| {
        format!(
            "(version: 1, hardware: (profile: \"{profile}\"), workload: (method: recv, io_model: {model}), conditions: (arrival_delay: {delay}))"
        )
    };
    let cases = [
        (
            "modern",
            &[1u64, 300, 400, 490, 550, 600, 700, 900, 30_000][..],
        ),
        ("classroom", &[1, 2, 5, 8, 10, 12, 15, 20, 150][..]),
    ];
    for (profile, delays) in cases {
        for model in [
            "signal_driven",
            "async",
            "blocking",
            "nonblocking",
            "multiplexing",
        ] {
            for &delay in delays {
                let path = crate::common::temp(&format!("arrive-{profile}-{model}-{delay}.ron"));
                std::fs::write(&path, text(profile, model, delay)).unwrap();
                let v = summary(&[path.to_str().unwrap()]);
                std::fs::remove_file(&path).ok();
                assert_eq!(v["data_intact"], true, "{profile} {model} {delay}");
                assert_eq!(v["bytes_delivered"], 40, "{profile} {model} {delay}");
            }
        }
    }
}

#[test]
fn sendfile_overlaps_disk_and_nic_in_pipe_sized_steps() {
    let run = |method: &str| {
        summary(&[
            "--profile",
            "modern",
            "--method",
            method,
            "--file-size",
            "1MiB",
            "--buffer-size",
            "1MiB",
        ])
    };
    let (sendfile, splice) = (run("sendfile"), run("splice"));
    assert_eq!(
        sendfile["syscalls"], 1,
        "one call: the steps are inside the kernel"
    );
    let (a, b) = (
        sendfile["cycles"].as_u64().unwrap(),
        splice["cycles"].as_u64().unwrap(),
    );
    assert!(a <= b, "sendfile {a} cycles, splice {b}");
    // The NIC sends each 64 KiB step while the disk reads the next ones: at least
    // half of the disk's time hides behind the wire's (reading all, then sending
    // all, took 4.4 M cycles before; a 1 MiB read alone takes 1.6 M).
    let read = summary(&[
        "--profile",
        "modern",
        "--method",
        "read",
        "--file-size",
        "1MiB",
    ]);
    let read = read["cycles"].as_u64().unwrap();
    let wire = (1u64 << 20) * 1000 / 417;
    assert!(
        a < read + wire - read / 2,
        "sendfile {a}, read {read}, wire {wire}"
    );
}

#[test]
fn a_read_that_waits_for_the_disk_sleeps_and_wakes_a_task_switch_each_way() {
    for disk in ["dma", "pio"] {
        let v = summary(&["--method", "read", "--disk", disk]);
        assert_eq!(v["task_switches"], 2, "{disk}: one sleep, two switches");
    }
    let direct = summary(&["--method", "direct_io", "--buffer-size", "40"]);
    assert_eq!(direct["task_switches"], 2, "O_DIRECT read sleeps too");
    // A warm cache: the read never waits, so never sleeps.
    let warm = summary(&["--method", "read", "--cache", "warm"]);
    assert_eq!(warm["task_switches"], 0);
    // The seed's counts are untouched: a switch between tasks is not a mode switch.
    let cold = summary(&["--method", "read"]);
    assert_eq!(cold["mode_switches"], 2);
}

#[test]
fn a_refusal_caused_by_the_classroom_profile_names_the_modern_profile() {
    let out = iolab(&["run", "--method", "read", "--file-size", "1MiB"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--profile modern"), "{err}");
    assert!(err.contains("cache_pages"), "{err}");
    // The way that keeps what was asked for comes first; shrinking the sizes after.
    assert!(err.find("--profile modern") < err.find("smaller"), "{err}");
    // On the command line the fields to change come with their flags.
    assert!(err.contains("buffer_size (--buffer-size)"), "{err}");
    assert!(err.contains("cache_pages (--cache-pages)"), "{err}");
    assert!(
        err.contains("(as set by --method and --file-size)"),
        "{err}"
    );
    // The modern profile refuses it for its own reason: no such hint.
    let out = iolab(&[
        "run",
        "--method",
        "read",
        "--file-size",
        "1MiB",
        "--buffer-size",
        "1",
        "--profile",
        "modern",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("--profile modern"), "{err}");
}
