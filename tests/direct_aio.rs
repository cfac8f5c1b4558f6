//! O_DIRECT at run time: EINVAL for a misaligned buffer, and direct_aio keeping
//! several requests in flight.

use crate::common::iolab;

fn trace(args: &[&str], name: &str) -> (std::process::Output, Vec<serde_json::Value>) {
    let p = std::env::temp_dir().join(format!("iolab-{name}-{}.jsonl", std::process::id()));
    let mut a = vec!["run", "--trace", p.to_str().unwrap()];
    a.extend_from_slice(args);
    let out = iolab(&a);
    let text = std::fs::read_to_string(&p).unwrap_or_default();
    (
        out,
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

#[test]
fn misaligned_o_direct_fails_with_einval_in_the_log() {
    for method in ["direct_io", "direct_aio"] {
        let (out, log) = trace(&["--method", method, "--buffer-size", "12"], method);
        assert_eq!(out.status.code(), Some(2), "{method}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--buffer-size: O_DIRECT needs a buffer length that is a multiple of 8"),
            "{err}"
        );
        assert!(err.contains("EINVAL"), "{err}");
        let failed: Vec<_> = log
            .iter()
            .filter(|e| e["type"] == "syscall_return" && e["result"] == -22)
            .collect();
        assert_eq!(failed.len(), 1, "{method}: one EINVAL in the log");
        assert!(
            !log.iter().any(|e| e["type"] == "disk_command"),
            "the disk never starts"
        );
    }
}

#[test]
fn direct_aio_keeps_requests_in_flight() {
    for (depth, k) in [(1u64, 8u64), (4, 8), (4, 3), (8, 8)] {
        let size = format!("{}", k * 4096);
        let d = depth.to_string();
        let (out, log) = trace(
            &[
                "--method",
                "direct_aio",
                "--profile",
                "modern",
                "--file-size",
                &size,
                "--buffer-size",
                "4096",
                "--queue-depth",
                &d,
                "--summary",
                "json",
            ],
            "aio",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["data_intact"], true);
        // io_submit of the first reads, then per chunk a write, and a new
        // io_submit for each chunk beyond the first `depth`; io_getevents returns
        // every event ready (up to `depth`), so its calls return k events in all.
        let reaped: Vec<u64> = log
            .iter()
            .filter(|e| e["type"] == "syscall_return" && e["name"] == "io_getevents")
            .map(|e| e["result"].as_u64().unwrap())
            .collect();
        assert_eq!(reaped.iter().sum::<u64>(), k, "depth {depth}");
        assert!(
            reaped.iter().all(|&n| (1..=depth).contains(&n)),
            "{reaped:?}"
        );
        let expect = 1 + k + k.saturating_sub(depth) + reaped.len() as u64;
        assert_eq!(v["syscalls"], expect, "depth {depth}, {k} chunks");
        assert_eq!(v["cache_misses"], 0, "O_DIRECT bypasses the page cache");
        // Before the first read completes, min(depth, k) reads were sent to the disk.
        let first_done = log
            .iter()
            .position(|e| e["type"] == "dma_complete")
            .unwrap();
        let issued = log[..first_done]
            .iter()
            .filter(|e| e["type"] == "disk_command")
            .count() as u64;
        assert_eq!(issued, depth.min(k), "depth {depth}");
        assert!(v["other_work_cycles"].as_u64().unwrap() > v["cpu_busy_cycles"].as_u64().unwrap());
    }
}

#[test]
fn direct_aio_realistic_adds_setup_and_destroy() {
    let out = iolab(&[
        "run",
        "scenes/direct_aio_large_file.ron",
        "--summary",
        "json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 8 MiB in 512 KiB chunks: k = 16, depth 4: io_setup, io_destroy, the first
    // io_submit, 16 writes, 12 more io_submits, and the io_getevents calls: 9,
    // since once the disk is ahead of the network each returns several events.
    assert_eq!(v["syscalls"], 2 + 1 + 16 + 12 + 9);
    assert_eq!(v["data_intact"], true);
}

/// io_getevents(min 1, max depth) returns every completion that is ready: on a
/// disk faster than the wire, the calls reap several at a time.
#[test]
fn io_getevents_reaps_several_completions_when_they_are_ready() {
    let p = std::env::temp_dir().join(format!("iolab-reap-{}.jsonl", std::process::id()));
    let out = iolab(&[
        "run",
        "scenes/direct_aio_large_file.ron",
        "--trace",
        p.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&p).unwrap();
    let reaped: Vec<i64> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "syscall_return" && e["name"] == "io_getevents")
        .map(|e| e["result"].as_i64().unwrap())
        .collect();
    assert_eq!(reaped.iter().sum::<i64>(), 16);
    assert!(reaped.iter().any(|&n| n > 1), "{reaped:?}");
    assert!(
        reaped.iter().all(|&n| n <= 4),
        "at most queue_depth: {reaped:?}"
    );
    std::fs::remove_file(&p).ok();
}
