//! Several files: the seed's point about large files, measured. Buffered I/O of a
//! large file pushes hot small files out of the page cache; O_DIRECT does not.

fn run(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["scenes/page_cache_pollution.ron"];
    a.extend_from_slice(args);
    crate::common::summary(&a)
}

fn ratio(v: &serde_json::Value, name: &str) -> f64 {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()["hit_ratio"]
        .as_f64()
        .unwrap()
}

#[test]
fn lru_loses_the_hot_files_to_the_stream_two_list_and_direct_io_keep_them() {
    let lru = run(&[]);
    let two = run(&["--policy", "two_list"]);
    let direct = run(&["--method", "direct_io"]);
    for v in [&lru, &two, &direct] {
        assert_eq!(v["data_intact"], true);
        // 64 MiB of video plus 32 rounds of two clients × two 16 KiB files.
        assert_eq!(v["bytes_delivered"], (64u64 << 20) + 32 * 4 * (16 << 10));
        assert_eq!(v["files"].as_array().unwrap().len(), 3);
    }
    for hot in ["index.html", "style.css"] {
        let (l, t, d) = (ratio(&lru, hot), ratio(&two, hot), ratio(&direct, hot));
        // LRU: the video evicts them every round; only the second client hits.
        assert!((l - 0.5).abs() < 1e-9, "{hot}: lru hit ratio {l}");
        // two_list: the second access activates them; the video streams through
        // the inactive list. Only the first round misses: 4 pages of 256 look-ups.
        assert!(t > 0.98, "{hot}: two_list hit ratio {t}");
        assert!(d > 0.98, "{hot}: direct hit ratio {d}");
    }
    assert!(lru["cache_evictions"].as_u64().unwrap() > 10_000);
    assert_eq!(direct["cache_evictions"], 0);
}

#[test]
fn a_cache_larger_than_a_round_keeps_the_hot_files_even_when_buffered() {
    // 1024 pages of 4 KiB = 4 MiB > 2 MiB streamed per round.
    let v = run(&["--cache-pages", "1024"]);
    assert!(ratio(&v, "index.html") > 0.95);
}

#[test]
fn bad_multi_file_scenarios_name_the_field() {
    let cases = [
        ("(version: 1, files: [(name: \"a\", size: 10)])", "accesses"),
        (
            "(version: 1, files: [(name: \"a\", size: 10)], accesses: [(file: \"b\")])",
            "accesses[0].file: no file named `b`",
        ),
        (
            "(version: 1, files: [(name: \"a\", size: 10), (name: \"a\", size: 5)], accesses: [(file: \"a\")])",
            "files[1].name",
        ),
        (
            "(version: 1, files: [(name: \"a\", size: 10)], accesses: [(file: \"a\", method: mmap_write)])",
            "accesses[0].method",
        ),
        (
            "(version: 1, files: [(name: \"a\", size: 10)], accesses: [(file: \"a\")], rounds: 0)",
            "rounds",
        ),
    ];
    for (text, expect) in cases {
        let e = iolab::scenario::parse(text, "m.ron")
            .unwrap_err()
            .to_string();
        assert!(e.contains(expect), "`{expect}` not in {e}");
    }
}

#[test]
fn hits_on_pages_read_ahead_are_not_reuse() {
    let v = run(&[]);
    let file = |name: &str| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    // The video is read once: every hit is on a page readahead brought in.
    let video = file("video.mp4");
    assert!(video["hit_ratio"].as_f64().unwrap() > 0.99);
    assert_eq!(video["readahead_hits"], video["hits"]);
    assert_eq!(video["reuse_ratio"].as_f64().unwrap(), 0.0);
    // The hot files' hits are all reuse (4 pages each, nothing to read ahead).
    let hot = file("index.html");
    assert_eq!(hot["readahead_hits"], 0);
    assert_eq!(hot["reuse_ratio"], hot["hit_ratio"]);
    assert_eq!(v["readahead_hits"], video["readahead_hits"]);
}

/// `iolab compare` tells readahead's hits from reuse too: a column in the table,
/// a line per multi-file run, and each file in the JSON.
#[test]
fn compare_tells_readahead_hits_from_reuse() {
    let scene = "scenes/page_cache_pollution.ron";
    let text = crate::common::iolab(&["compare", scene, "--methods", "sendfile,direct_io"]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    let head = text.lines().next().unwrap();
    assert!(
        head.contains("readahead_hits") && head.contains("cache_hits"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("sendfile: hit ratio"))
        .unwrap();
    assert!(line.contains("video.mp4 100% (reuse 0%)"), "{line}");
    let json = crate::common::iolab(&[
        "compare",
        scene,
        "--methods",
        "sendfile,direct_io",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let files = v[0]["files"].as_array().unwrap();
    let video = files.iter().find(|f| f["name"] == "video.mp4").unwrap();
    assert_eq!(video["readahead_hits"], video["hits"]);
    assert_eq!(video["reuse_ratio"].as_f64(), Some(0.0));
}
