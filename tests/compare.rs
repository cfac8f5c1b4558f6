//! Comparing runs: the lanes the app draws, and the SVG bar charts of `iolab compare`.

use iolab::compare::{self, Lane, RUN_COLOURS, Spans};
use iolab::i18n::{Lang, Texts};
use iolab::metrics::CHARTS;
use iolab::scenario;
use iolab::session::Overrides;

#[test]
fn spans_merge_and_measure_coverage() {
    let s = Spans::new(vec![(10, 20), (15, 30), (40, 50), (30, 31), (60, 60)]);
    assert_eq!(s.spans(), &[(10, 31), (40, 50)]);
    assert_eq!(s.covered(0, 100), 31);
    assert_eq!(s.covered(0, 10), 0);
    assert_eq!(s.covered(12, 14), 2);
    assert_eq!(s.covered(25, 45), 6 + 5);
    assert_eq!(s.covered(50, 40), 0);
    // Brute force over every window of a small range.
    for c0 in 0..55 {
        for c1 in c0..55 {
            let brute = (c0..c1)
                .filter(|c| (10..31).contains(c) || (40..50).contains(c))
                .count() as u64;
            assert_eq!(s.covered(c0, c1), brute, "[{c0}, {c1})");
        }
    }
}

fn runs(labels: &[&str]) -> Vec<compare::Run> {
    let base = scenario::builtin_default();
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    compare::runs(&labels, &Overrides::default(), |ov| {
        let mut sc = base.clone();
        ov.apply(&mut sc);
        sc.setup()
            .map_err(|(f, m)| iolab::session::UserError(format!("{f}: {m}")))
    })
    .expect("the runs simulate")
}

#[test]
fn lanes_agree_with_the_counters() {
    for run in runs(&compare::CLASSIC)
        .iter()
        .chain(&runs(&compare::PIO_VS_DMA))
        .chain(&runs(&compare::WRITE_PATH))
    {
        let c = &run.row.counters;
        let lane = Lane::of(&run.events);
        assert_eq!(lane.end, c.cycles, "{}", run.row.label);
        // The process's part of the lane ends when it exits (writeback may go on).
        assert_eq!(lane.exited, Some(c.program_cycles), "{}", run.row.label);
        assert_eq!(
            lane.interrupts.len() as u64,
            c.interrupts,
            "{}",
            run.row.label
        );
        assert_eq!(
            lane.interrupts_in(0, lane.end + 1) as u64,
            c.interrupts,
            "{}",
            run.row.label
        );
        // Copies show in the lane exactly when the counters have some.
        assert_eq!(
            lane.cpu_copy.covered(0, lane.end + 1) > 0,
            c.cpu_copy_bytes > 0,
            "{}",
            run.row.label
        );
        assert_eq!(
            lane.dma_copy.covered(0, lane.end + 1) > 0,
            c.dma_copy_bytes > 0,
            "{}",
            run.row.label
        );
        // Every syscall is a stint in kernel mode.
        assert!(
            lane.kernel.spans().len() as u64 >= c.syscalls.min(1),
            "{}",
            run.row.label
        );
        assert!(lane.kernel.covered(0, lane.end + 1) <= lane.end);
    }
    // The seed's point: with SG the CPU copies nothing.
    let classic = runs(&compare::CLASSIC);
    let sg = Lane::of(&classic[3].events);
    assert_eq!(sg.cpu_copy.covered(0, sg.end + 1), 0);
    let rw = Lane::of(&classic[0].events);
    assert!(rw.cpu_copy.covered(0, rw.end + 1) > 0);
}

#[test]
fn short_numbers_read_well_on_a_bar() {
    assert_eq!(compare::short_number(0.0), "0");
    assert_eq!(compare::short_number(12.0), "12");
    assert_eq!(compare::short_number(2.5), "2.5");
    assert_eq!(compare::short_number(1.0 / 3.0), "0.33");
    assert_eq!(compare::short_number(45_600.0), "45.6k");
    assert_eq!(compare::short_number(1_234_567.0), "1.23M");
}

use crate::common::iolab;

#[test]
fn svg_charts_show_every_run_and_metric() {
    let dir = std::env::temp_dir().join(format!("iolab-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("charts.svg");
    let methods = "read_write,mmap_write,sendfile,sendfile+sg";
    let out = iolab(&[
        "compare",
        "--methods",
        methods,
        "--format",
        "json",
        "--svg",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed SVG");
    let texts = svg_texts(&text);
    let en = Texts::of(Lang::En);
    for m in CHARTS {
        let name = en.t(m.text);
        assert!(
            texts.iter().any(|t| *t == name),
            "title {name} in {texts:?}"
        );
    }
    for label in methods.split(',') {
        // One axis label per chart.
        let n = texts.iter().filter(|t| *t == label).count();
        assert_eq!(n, CHARTS.len(), "{label} labels");
    }
    // One bar per run and metric, in the run's colour.
    for (i, _) in rows.iter().enumerate() {
        let (r, g, b) = RUN_COLOURS[i];
        let fill = format!("#{r:02X}{g:02X}{b:02X}");
        let bars = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill.as_str()))
            .count();
        assert_eq!(bars, CHARTS.len(), "bars of run {i} ({fill})");
    }
    // The value printed by each syscall bar is that run's count.
    for row in &rows {
        let s = row["syscalls"].as_u64().unwrap().to_string();
        assert!(texts.contains(&s), "syscall count {s}");
    }
    let sg = rows.iter().find(|r| r["label"] == "sendfile+sg").unwrap();
    assert_eq!(sg["cpu_copies"].as_f64(), Some(0.0));

    // Too many runs for one chart's colours is an error, not a muddle.
    let out = iolab(&[
        "compare",
        "--methods",
        "read,read_write,mmap_write,sendfile,splice,direct_io,direct_aio",
        "--svg",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--svg"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn labels_can_change_cache_and_profile_too() {
    let r = runs(&["sendfile+cold", "sendfile+warm", "sendfile+modern"]);
    assert!(r[0].row.counters.cache_misses > 0);
    assert_eq!(
        r[1].row.counters.cache_misses, 0,
        "a warm cache has the file"
    );
    assert_eq!(r[2].setup.hw.profile, "modern");
    assert_eq!(r[0].setup.hw.profile, "classroom");
    let out = iolab(&["compare", "--methods", "read+turbo,read"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("+turbo") && err.contains("+modern"), "{err}");
}

#[test]
fn every_copy_has_a_track_and_a_receive_is_drawn_on_the_nic() {
    use iolab::lanes::{Track, copies};
    let ov = Overrides {
        method: Some(iolab::sim::Method::Recv),
        ..Overrides::default()
    };
    let (_, setup) = iolab::session::resolve(&None, &ov).unwrap();
    let m = iolab::session::simulate(setup).unwrap();
    let tracks: Vec<Track> = copies(&m.log.events).map(|c| c.0).collect();
    // Wire -> NIC buffer (the NIC), NIC buffer -> receive buffer (its DMA), then
    // the CPU's copy to the user: no disk anywhere.
    assert!(
        tracks.iter().filter(|t| **t == Track::Nic).count() >= 2,
        "{tracks:?}"
    );
    assert!(tracks.contains(&Track::Cpu));
    assert!(
        !tracks
            .iter()
            .any(|t| matches!(t, Track::Disk | Track::DiskDma))
    );
}

#[test]
fn state_spans_tile_the_run_from_the_first_state_to_the_end() {
    use iolab::lanes::state_spans;
    use iolab::sim::event::{EventKind, Mode};
    let (_, setup) = iolab::session::resolve(&None, &Overrides::default()).unwrap();
    let m = iolab::session::simulate(setup).unwrap();
    let events = &m.log.events;
    let end = events.last().unwrap().cycle;
    let spans = state_spans(events, end, Some(Mode::User), |k| match k {
        EventKind::ModeSwitch { to, .. } => Some(*to),
        _ => None,
    });
    assert_eq!(spans.first().map(|s| s.0), Some(0));
    assert_eq!(spans.last().map(|s| s.1), Some(end));
    for w in spans.windows(2) {
        assert_eq!(w[0].1, w[1].0, "no gap, no overlap");
        assert_ne!(w[0].2, w[1].2, "a span ends when the state changes");
    }
    // read + write: two system calls, each a span in the kernel (interrupts from
    // user mode add more).
    let kernel = spans.iter().filter(|s| s.2 == Mode::Kernel).count();
    assert!(kernel >= 2, "{spans:?}");
}

#[test]
fn runs_are_never_drawn_in_the_agents_colours() {
    // The CPU's orange and DMA's blue (palette.rs), as sRGB bytes.
    let agents = [(230u8, 159u8, 0u8), (0, 114, 178)];
    let far = |a: (u8, u8, u8), b: (u8, u8, u8)| {
        a.0.abs_diff(b.0) as u32 + a.1.abs_diff(b.1) as u32 + a.2.abs_diff(b.2) as u32 > 90
    };
    for (i, &c) in RUN_COLOURS.iter().enumerate() {
        for &a in &agents {
            assert!(
                far(c, a),
                "run colour {i} {c:?} is close to an agent's {a:?}"
            );
        }
        for &d in &RUN_COLOURS[..i] {
            assert!(far(c, d), "two runs share a colour");
        }
    }
}

#[test]
fn the_svg_slide_speaks_chinese_with_lang_zh() {
    let file = std::env::temp_dir().join(format!("iolab-zh-{}.svg", std::process::id()));
    let out = iolab(&[
        "compare",
        "--methods",
        "read+pio,read+dma",
        "--svg",
        file.to_str().unwrap(),
        "--lang",
        "zh",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts = svg_texts(&std::fs::read_to_string(&file).unwrap());
    let zh = Texts::of(Lang::Zh);
    for m in CHARTS {
        let name = zh.t(m.text);
        assert!(
            texts.iter().any(|t| *t == name),
            "title {name} in {texts:?}"
        );
    }
    let first = zh.t("app.svg_key");
    assert!(
        texts
            .iter()
            .any(|t| first.starts_with(t.as_str()) && !t.is_empty())
    );
    std::fs::remove_file(&file).ok();
}

/// The text elements of an SVG, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The write path compares like the rest: sync modes as modifiers, and the
/// program's own time beside the run's (the flusher may write back after it).
#[test]
fn write_methods_compare_with_their_sync_modes() {
    let out = crate::common::iolab(&[
        "compare",
        "--methods",
        "write_file,write_file+fsync,write_file+o_sync,write_file+o_direct,copy_file,copy_file_range",
        "--file-size",
        "64",
        "--buffer-size",
        "16",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |k: &str| {
        head.iter()
            .position(|h| h == k)
            .unwrap_or_else(|| panic!("{k}: {head:?}"))
    };
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let get = |row: usize, k: &str| rows[row][col(k)].parse::<f64>().unwrap();
    assert_eq!(rows.len(), 6);
    // Buffered: the program is done long before the run; O_SYNC waits the most.
    assert!(get(0, "program_cycles") < get(0, "cycles"));
    assert!(get(2, "program_cycles") > get(1, "program_cycles"));
    assert!(get(1, "program_cycles") > get(0, "program_cycles"));
    assert_eq!(get(3, "cpu_copies"), 0.0, "O_DIRECT: no CPU copy");
    assert_eq!((get(4, "cpu_copies"), get(4, "dma_copies")), (2.0, 2.0));
    assert_eq!((get(5, "cpu_copies"), get(5, "dma_copies")), (1.0, 2.0));
    // A sync mode is only a modifier for the methods that write.
    let out = crate::common::iolab(&["compare", "--methods", "read_write+fsync"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("+fsync"));
}
