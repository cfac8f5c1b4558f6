//! Scenario parsing: sizes, defaults, positions, and no panic on any input.

use iolab::scenario::{find_field, parse, parse_size};
use iolab::sim::{DiskTransfer, Method, Style};
use proptest::prelude::*;

#[test]
fn sizes_accept_plain_bytes_and_binary_units() {
    assert_eq!(parse_size("4096"), Ok(4096));
    assert_eq!(parse_size("64KiB"), Ok(64 << 10));
    assert_eq!(parse_size("64 KiB"), Ok(64 << 10));
    assert_eq!(parse_size("1MiB"), Ok(1 << 20));
    assert_eq!(parse_size("2g"), Ok(2 << 30));
    assert!(
        parse_size("12 parsecs")
            .unwrap_err()
            .contains("unknown size unit")
    );
    assert!(
        parse_size("99999999999999999999")
            .unwrap_err()
            .contains("overflows")
    );
    assert!(parse_size("KiB").is_err());
}

#[test]
fn a_three_line_scenario_works_and_defaults_are_documented() {
    let sc = parse("(\n  version: 1,\n)", "mini.ron").unwrap();
    let s = sc.setup().unwrap();
    assert_eq!(s.method, Method::ReadWrite);
    assert_eq!(s.style, Style::Textbook);
    assert_eq!(s.file_size, 40);
    assert_eq!(s.buffer_size, 40, "the buffer defaults to the whole file");
    assert_eq!(s.hw.profile, "classroom");
    assert_eq!(s.hw.disk, DiskTransfer::Dma);
    assert!(!s.hw.nic_sg && !s.warm_cache);
}

#[test]
fn overrides_replace_profile_fields() {
    let sc = parse(
        r#"(version: 1, hardware: (profile: "modern", disk: pio, page_size: "8 KiB", nic_bytes_per_cycle: 0.25),
            conditions: (file_size: "1 MiB", buffer_size: "64KiB", cache: warm, content: random, seed: 9))"#,
        "x.ron",
    )
    .unwrap();
    let s = sc.setup().unwrap();
    assert_eq!(s.hw.page_size, 8192);
    assert_eq!(s.hw.disk, DiskTransfer::Pio);
    assert_eq!(s.hw.nic_rate.0, 250);
    assert_eq!(s.hw.syscall_entry_cycles, 300, "the rest stays modern");
    assert_eq!(
        (s.file_size, s.buffer_size, s.warm_cache, s.seed),
        (1 << 20, 64 << 10, true, 9)
    );
}

#[test]
fn errors_name_file_line_and_field() {
    let e = parse(
        "(\n version: 1,\n conditions: (\n  buffer_size: 0,\n ),\n)",
        "zero.ron",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "zero.ron:4:3: conditions.buffer_size: must be at least 1"
    );
    let e = parse(
        "(version: 1, hardware: (dma_bytes_per_cycle: -1.0))",
        "neg.ron",
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("hardware.dma_bytes_per_cycle"),
        "{e}"
    );
    let e = parse("(version: 2)", "v.ron").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("v.ron:1:2: version: this iolab reads scenario version 1"),
        "{e}"
    );
    let e = parse("(version: 1) trailing", "t.ron").unwrap_err();
    assert!(e.to_string().starts_with("t.ron:1:"), "{e}");
}

#[test]
fn find_field_skips_comments_and_other_sections() {
    let text = "// buffer_size: in a comment\n(\n version: 1,\n workload: (method: read),\n conditions: (\n   buffer_size: 0,\n ),\n)";
    assert_eq!(find_field(text, "conditions.buffer_size"), Some((6, 4)));
    assert_eq!(find_field(text, "workload.method"), Some((4, 13)));
    assert_eq!(find_field(text, "hardware.page_size"), None);
}

const VALID: &str = r#"(
    version: 1,
    name: "x",
    hardware: (profile: "classroom", disk: pio, nic_sg: true, page_size: 16, cache_pages: 8),
    workload: (method: sendfile, style: realistic),
    conditions: (file_size: "40", buffer_size: 16, cache: warm, content: text, seed: 3),
)"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    /// Mutated scenario text is either accepted (and then valid) or refused with a
    /// message naming the file; it never panics.
    #[test]
    fn mutated_scenarios_never_panic(pos in 0usize..VALID.len(), cut in 0usize..6, insert in "[ -~]{0,4}") {
        let mut text = VALID.to_string();
        let end = (pos + cut).min(text.len());
        text.replace_range(pos..end, &insert);
        match parse(&text, "m.ron") {
            Ok(sc) => prop_assert!(sc.setup().is_ok()),
            Err(e) => prop_assert!(e.to_string().starts_with("m.ron"), "{}", e),
        }
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,80}") {
        let _ = parse(&text, "r.ron");
    }
}

#[test]
fn every_hardware_field_can_be_overridden() {
    let text = r#"(version: 1, hardware: (
        profile: "classroom", disk: pio, nic_sg: true, clock_hz: 7, word_bytes: 4,
        cpu_cycles_per_word: 9, pio_cycles_per_word: 11, dma_bytes_per_cycle: 3.5,
        disk_latency_cycles: 99, disk_bytes_per_cycle: 0.25, controller_buffer: 32,
        nic_bytes_per_cycle: 2.0, nic_buffer: 48, syscall_entry_cycles: 13,
        syscall_exit_cycles: 14, irq_cycles: 15, kernel_cycles: 16, process_cycles: 17,
        context_switch_cycles: 18, signal_cycles: 19, page_size: 32, cache_pages: 20,
        cache_policy: two_list, readahead_max: 21, socket_buffer: 128, pipe_capacity: 96,
        dio_alignment: 16))"#;
    let s = parse(text, "all.ron").unwrap().setup().unwrap();
    let hw = s.hw;
    let got = [
        hw.clock_hz,
        hw.word_bytes,
        hw.cpu_cycles_per_word,
        hw.pio_cycles_per_word,
        hw.dma_rate.0,
        hw.disk_latency_cycles,
        hw.disk_rate.0,
        hw.controller_buffer,
        hw.nic_rate.0,
        hw.nic_buffer,
        hw.syscall_entry_cycles,
        hw.syscall_exit_cycles,
        hw.irq_cycles,
        hw.kernel_cycles,
        hw.process_cycles,
        hw.context_switch_cycles,
        hw.signal_cycles,
        hw.page_size,
        hw.cache_pages,
        hw.readahead_max,
        hw.socket_buffer,
        hw.pipe_capacity,
        hw.dio_alignment,
    ];
    assert_eq!(
        got,
        [
            7, 4, 9, 11, 3500, 99, 250, 32, 2000, 48, 13, 14, 15, 16, 17, 18, 19, 32, 20, 21, 128,
            96, 16
        ]
    );
    assert_eq!(hw.disk, DiskTransfer::Pio);
    assert!(hw.nic_sg);
    assert_eq!(hw.cache_policy, iolab::sim::page_cache::Policy::TwoList);
}

/// Notes from the comment block: wrapped lines join, even one that starts with a
/// number; list items ("1. ", "- ") keep their own lines, with their indented
/// continuations; the sentence after a list starts a line of its own.
#[test]
fn notes_keep_lists_and_join_wrapped_lines() {
    let text = "// Coalescing: one interrupt for\n// 4 completions.\n//\n// Copies:\n//   1. disk -> page cache\n//   2. page cache -> user\n// Ask the class.\n// - lru: the video pushes\n//   the hot files out.\n// 12 writes in all.\n(version: 1)\n";
    let sc = iolab::scenario::parse(text, "notes.ron").unwrap();
    assert_eq!(
        sc.notes.as_deref(),
        Some(
            "Coalescing: one interrupt for 4 completions.\n\nCopies:\n1. disk -> page cache\n2. page cache -> user\nAsk the class.\n- lru: the video pushes the hot files out.\n12 writes in all."
        )
    );
}

/// A named value reads the same with or without quotes, for every such field
/// (the profile too), and an error further down keeps its line and column.
#[test]
fn names_read_the_same_with_or_without_quotes() {
    let bare = "(\n  version: 1,\n  hardware: (profile: modern, disk: pio, cache_policy: two_list, completion: poll, disk_interface: controller),\n  workload: (method: sendfile, style: realistic),\n  conditions: (file_size: \"64KiB\", cache: warm, sync: none, content: random),\n)";
    let quoted = "(\n  version: 1,\n  hardware: (profile: \"modern\", disk: \"pio\", cache_policy: \"two_list\", completion: \"poll\", disk_interface: \"controller\"),\n  workload: (method: \"sendfile\", style: \"realistic\"),\n  conditions: (file_size: \"64KiB\", cache: \"warm\", sync: \"none\", content: \"random\"),\n)";
    let a = parse(bare, "same.ron").unwrap().setup().unwrap();
    let b = parse(quoted, "same.ron").unwrap().setup().unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(a.hw.profile, "modern");
    assert_eq!(a.method, Method::Sendfile);
    assert_eq!(a.hw.disk, DiskTransfer::Pio);
    // A string's own text, a comment and `profile: None` are left alone.
    let kept = "(\n  version: 1, // method: \"read\"\n  name: \"method: \\\"x\\\"\",\n  hardware: (profile: None),\n  workload: (method: \"splice\"),\n)";
    let sc = parse(kept, "kept.ron").unwrap();
    assert_eq!(sc.file.name.as_deref(), Some("method: \"x\""));
    assert_eq!(sc.setup().unwrap().method, Method::Splice);
    // The quotes are blanked, so the missing comma on line 4 is found at its column.
    let broken = "(\n  version: 1,\n  workload: (method: \"sendfile\", style: \"textbook\")\n  conditions: (file_size: 40),\n)";
    let e = parse(broken, "broken.ron").unwrap_err().to_string();
    assert!(e.starts_with("broken.ron:4:3"), "{e}");
}
