//! Every export format, parsed back and checked against the log.

use iolab::sim::event::{EventKind, Mode};
use iolab::sim::{Counters, Event, Method, Setup};
use iolab::trace::{Format, export};

fn run(method: Method, pio: bool, sg: bool) -> (Setup, Vec<Event>) {
    let mut s = Setup {
        method,
        file_size: 100,
        buffer_size: 32,
        ..Setup::default()
    };
    s.hw.cache_pages = 16;
    s.hw.disk = if pio {
        iolab::sim::DiskTransfer::Pio
    } else {
        iolab::sim::DiskTransfer::Dma
    };
    s.hw.nic_sg = sg;
    let m = crate::common::run_setup(s);
    (m.setup.clone(), m.log.events.clone())
}

fn cases() -> Vec<(Setup, Vec<Event>)> {
    vec![
        run(Method::ReadWrite, false, false),
        run(Method::Read, true, false),
        run(Method::Sendfile, false, true),
        run(Method::Splice, true, false),
        run(Method::DirectIo, false, false),
        run(Method::WriteFile, false, false),
        run(Method::CopyFile, true, false),
        run(Method::CopyFileRange, false, false),
    ]
}

/// The write path in each export: writeback spans in the Chrome trace, the dirty
/// page count and the throttled writer in the VCD, a row per event in the CSV.
#[test]
fn the_write_path_shows_in_every_export() {
    let mut s = Setup {
        method: Method::WriteFile,
        file_size: 192,
        buffer_size: 16,
        ..Setup::default()
    };
    s.hw.dirty_background = 4;
    s.hw.dirty_limit = 6;
    let m = crate::common::run_setup(s);
    let (s, ev) = (m.setup.clone(), m.log.events.clone());
    let c = Counters::of(&ev);
    assert!(c.throttle_cycles > 0 && c.writeback_pages > 0);
    let done = ev
        .iter()
        .filter(|e| matches!(e.kind, EventKind::WritebackDone { .. }))
        .count();
    let chrome: serde_json::Value =
        serde_json::from_slice(&export(Format::Chrome, &ev, &s, false).unwrap()).unwrap();
    let spans = chrome["traceEvents"].as_array().unwrap();
    let writebacks = spans
        .iter()
        .filter(|e| e["cat"] == "writeback" && e["ph"] == "e")
        .count();
    assert_eq!(writebacks, done);
    let starts = spans.iter().filter(|e| e["ph"] == "b").count();
    assert_eq!(starts, done, "each writeback starts and ends");
    assert!(spans.iter().any(|e| e["name"] == "throttled (dirty_limit)"));
    let peak = spans
        .iter()
        .filter(|e| e["name"] == "dirty pages")
        .map(|e| e["args"]["dirty"].as_u64().unwrap())
        .max();
    assert_eq!(peak, Some(c.dirty_pages_peak));

    let bytes = export(Format::Vcd, &ev, &s, false).unwrap();
    let mut p = vcd::Parser::new(bytes.as_slice());
    let header = p.parse_header().unwrap();
    let dirty = header.find_var(&["iolab", "dirty_pages"]).unwrap().code;
    let throttled = header
        .find_var(&["iolab", "writer_throttled"])
        .unwrap()
        .code;
    let (mut max, mut last, mut rises) = (0u64, u64::MAX, 0);
    for cmd in p {
        match cmd.unwrap() {
            vcd::Command::ChangeVector(i, v) if i == dirty => {
                last = v
                    .iter()
                    .fold(0u64, |acc, b| acc << 1 | (b == vcd::Value::V1) as u64);
                max = max.max(last);
            }
            vcd::Command::ChangeScalar(i, vcd::Value::V1) if i == throttled => rises += 1,
            _ => {}
        }
    }
    assert_eq!(
        (max, last),
        (c.dirty_pages_peak, 0),
        "all written back at the end"
    );
    let throttles = ev
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Throttled { .. }))
        .count();
    assert_eq!(rises, throttles);

    let csv = String::from_utf8(export(Format::Csv, &ev, &s, false).unwrap()).unwrap();
    assert!(csv.contains("page_dirtied") && csv.contains("writeback_start"));
}

#[test]
fn csv_has_one_row_per_event_and_a_stable_header() {
    for (s, ev) in cases() {
        let bytes = export(Format::Csv, &ev, &s, false).unwrap();
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, iolab::trace::csv::HEADER);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), ev.len());
        for (row, e) in rows.iter().zip(&ev) {
            assert_eq!(row[0].parse::<u64>().unwrap(), e.seq);
            assert_eq!(row[1].parse::<u64>().unwrap(), e.cycle);
            let kind = serde_json::to_value(&e.kind).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(&row[3], kind.as_str());
            let detail: serde_json::Value = serde_json::from_str(&row[5]).unwrap();
            assert_eq!(detail["type"], kind.as_str());
        }
        let excel = export(Format::Csv, &ev, &s, true).unwrap();
        assert!(excel.starts_with("\u{feff}".as_bytes()));
        assert_eq!(&excel[3..], bytes.as_slice());
    }
}

#[test]
fn jsonl_lines_are_the_events() {
    let (s, ev) = run(Method::ReadWrite, false, false);
    let text = String::from_utf8(export(Format::Jsonl, &ev, &s, false).unwrap()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), ev.len());
    for (v, e) in lines.iter().zip(&ev) {
        assert_eq!(v["seq"], e.seq);
        assert_eq!(v["cycle"], e.cycle);
    }
}

/// Intervals of one track must nest: each is inside the one before it, or after it.
fn check_nesting(mut spans: Vec<(f64, f64, String)>) {
    spans.sort_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap()
            .then(b.1.partial_cmp(&a.1).unwrap())
    });
    let mut stack: Vec<(f64, f64, String)> = Vec::new();
    for s in spans {
        while let Some(top) = stack.last() {
            if s.0 >= top.1 - 1e-9 {
                stack.pop();
            } else {
                break;
            }
        }
        if let Some(top) = stack.last() {
            assert!(
                s.1 <= top.1 + 1e-9,
                "{:?} overlaps {:?} without nesting",
                s,
                top
            );
        }
        stack.push(s);
    }
}

#[test]
fn chrome_tracks_nest_and_count_like_the_log() {
    for (s, ev) in cases() {
        let doc: serde_json::Value =
            serde_json::from_slice(&export(Format::Chrome, &ev, &s, false).unwrap()).unwrap();
        let te = doc["traceEvents"].as_array().unwrap();
        let copies = ev
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Copy { .. }))
            .count();
        let x_copies = te
            .iter()
            .filter(|e| e["ph"] == "X" && e["cat"] == "copy")
            .count();
        assert_eq!(x_copies, copies);
        let c = Counters::of(&ev);
        assert_eq!(
            te.iter().filter(|e| e["ph"] == "B").count() as u64,
            c.syscalls
        );
        assert_eq!(
            te.iter().filter(|e| e["ph"] == "E").count() as u64,
            c.syscalls
        );
        assert_eq!(
            te.iter()
                .filter(|e| e["ph"] == "X" && e["cat"] == "interrupt")
                .count() as u64,
            c.interrupts
        );
        let switches = ev
            .iter()
            .filter(|e| matches!(e.kind, EventKind::ModeSwitch { .. }))
            .count();
        assert_eq!(
            te.iter()
                .filter(|e| e["ph"] == "i" && e["cat"] == "mode")
                .count(),
            switches
        );
        // Those an interrupt caused are marked as not counted; the rest make the counter.
        let counted = te
            .iter()
            .filter(|e| e["ph"] == "i" && e["cat"] == "mode" && e["args"]["counted"] == true)
            .count() as u64;
        assert_eq!(counted, c.mode_switches);
        assert!(te.iter().any(|e| e["ph"] == "C"));
        // Rebuild each track's intervals (B/E pairs and X events) and check nesting.
        for (tid, _) in iolab::trace::chrome::TRACKS {
            let mut spans = Vec::new();
            let mut open = Vec::new();
            for e in te.iter().filter(|e| e["tid"] == tid) {
                let ts = e["ts"].as_f64().unwrap_or(0.0);
                match e["ph"].as_str().unwrap() {
                    "B" => open.push((ts, e["name"].as_str().unwrap().to_string())),
                    "E" => {
                        let (start, name) = open.pop().expect("E after B");
                        spans.push((start, ts, name));
                    }
                    "X" => spans.push((
                        ts,
                        ts + e["dur"].as_f64().unwrap(),
                        e["name"].as_str().unwrap().to_string(),
                    )),
                    _ => {}
                }
            }
            assert!(open.is_empty());
            check_nesting(spans);
        }
    }
}

#[test]
fn vcd_signals_change_with_the_log() {
    for (s, ev) in cases() {
        let bytes = export(Format::Vcd, &ev, &s, false).unwrap();
        let mut p = vcd::Parser::new(bytes.as_slice());
        let header = p.parse_header().unwrap();
        let id = |name: &str| match header.find_var(&["iolab", name]) {
            Some(v) => v.code,
            None => panic!("no signal {name}"),
        };
        let (kernel, syscalls, cpu_bytes) =
            (id("cpu_kernel"), id("syscalls"), id("cpu_copy_bytes"));
        let mut rises = 0;
        let mut last_sys = 0u64;
        let mut last_cpu = 0u64;
        let mut last_t = 0;
        for cmd in p {
            match cmd.unwrap() {
                vcd::Command::Timestamp(t) => {
                    assert!(t >= last_t, "timestamps go forward");
                    last_t = t;
                }
                vcd::Command::ChangeScalar(i, v) if i == kernel && v == vcd::Value::V1 => {
                    rises += 1
                }
                vcd::Command::ChangeVector(i, v) => {
                    let n = v
                        .iter()
                        .fold(0u64, |acc, b| acc << 1 | (b == vcd::Value::V1) as u64);
                    if i == syscalls {
                        last_sys = n;
                    }
                    if i == cpu_bytes {
                        last_cpu = n;
                    }
                }
                _ => {}
            }
        }
        let to_kernel = ev
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::ModeSwitch {
                        to: Mode::Kernel,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(rises, to_kernel);
        let c = Counters::of(&ev);
        assert_eq!((last_sys, last_cpu), (c.syscalls, c.cpu_copy_bytes));
        assert_eq!(
            export(Format::Vcd, &ev, &s, false).unwrap(),
            bytes,
            "deterministic"
        );
    }
}

#[test]
fn run_writes_each_format_and_refuses_an_unwritable_path() {
    let dir = std::env::temp_dir().join(format!("iolab-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["jsonl", "csv", "chrome", "vcd"] {
        let p = dir.join(format!("t.{f}"));
        let out = crate::common::iolab(&["run", "--trace", p.to_str().unwrap(), "--format", f]);
        assert!(out.status.success(), "{f}");
        assert!(std::fs::metadata(&p).unwrap().len() > 100);
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp")
        })
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");
    let out = crate::common::iolab(&["run", "--trace", "/no/such/dir/t.csv", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/no/such/dir/t.csv: cannot write the trace")
    );
}

/// Large logs are exported on every core; the bytes are the same as one pass.
#[test]
fn exports_made_in_parallel_equal_one_pass() {
    let mut s = Setup {
        method: Method::ReadWrite,
        file_size: 8192,
        buffer_size: 16,
        ..Setup::default()
    };
    s.hw.cache_pages = 16;
    let m = crate::common::run_setup(s);
    let events = &m.log.events;
    assert!(
        events.len() > 20_000,
        "big enough to split ({})",
        events.len()
    );
    let one = iolab::trace::jsonl(events).into_bytes();
    let par = export(Format::Jsonl, events, &m.setup, false).unwrap();
    assert_eq!(par, one);
    // CSV: the header, then exactly one row per event, in order.
    let csv = export(Format::Csv, events, &m.setup, false).unwrap();
    let mut r = csv::Reader::from_reader(&csv[..]);
    let seqs: Vec<u64> = r
        .records()
        .map(|rec| rec.unwrap()[0].parse().unwrap())
        .collect();
    let want: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, want);
    // And the parts are really joined in order, whatever the split.
    let joined = iolab::trace::in_parallel(events, |part| {
        Ok(part
            .iter()
            .map(|e| e.seq.to_string() + ",")
            .collect::<String>()
            .into_bytes())
    })
    .unwrap();
    let expect: String = events.iter().map(|e| e.seq.to_string() + ",").collect();
    assert_eq!(String::from_utf8(joined).unwrap(), expect);
}

/// The last value of a VCD vector signal.
fn vcd_last(bytes: &[u8], name: &str) -> u64 {
    let mut p = vcd::Parser::new(bytes);
    let header = p.parse_header().unwrap();
    let code = header.find_var(&["iolab", name]).unwrap().code;
    let mut last = 0;
    for cmd in p {
        if let vcd::Command::ChangeVector(i, v) = cmd.unwrap()
            && i == code
        {
            last = v
                .iter()
                .fold(0u64, |acc, b| acc << 1 | (b == vcd::Value::V1) as u64);
        }
    }
    last
}

/// Page faults and the NVMe drive's queue traffic in every export: instants on
/// the Chrome trace's tracks, counters in the VCD, rows in the CSV.
#[test]
fn faults_and_the_drives_queues_show_in_every_export() {
    let names = |ev: &[Event], s: &Setup| -> Vec<String> {
        let chrome: serde_json::Value =
            serde_json::from_slice(&export(Format::Chrome, ev, s, false).unwrap()).unwrap();
        chrome["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["name"].as_str().map(str::to_string))
            .collect()
    };
    // mmap by faults: a major fault, then a minor one.
    let sc = iolab::scenario::parse(include_str!("../scenes/mmap_faults.ron"), "mmap_faults.ron")
        .unwrap();
    let m = crate::common::run_setup(sc.setup().unwrap());
    let (s, ev) = (m.setup.clone(), m.log.events.clone());
    let c = Counters::of(&ev);
    assert_eq!((c.major_faults, c.minor_faults), (1, 1));
    let n = names(&ev, &s);
    assert!(n.iter().any(|x| x == "page fault (major) page 0"), "{n:?}");
    assert!(n.iter().any(|x| x == "page fault (minor) page 1"), "{n:?}");
    assert_eq!(
        vcd_last(&export(Format::Vcd, &ev, &s, false).unwrap(), "page_faults"),
        2
    );
    let csv = String::from_utf8(export(Format::Csv, &ev, &s, false).unwrap()).unwrap();
    assert_eq!(csv.matches(",page_fault,").count(), 2, "{csv}");

    // An NVMe drive with polled completions: fetches, completion entries, polls.
    let mut s = Setup {
        method: Method::DirectIo,
        file_size: 64 << 10,
        buffer_size: 16 << 10,
        ..Setup::default()
    };
    s.hw = iolab::sim::Hardware::modern();
    s.hw.completion = iolab::sim::Completion::Poll;
    s.arrival_delay = s.hw.default_arrival_delay();
    s.poll_interval = s.hw.default_poll_interval();
    let m = crate::common::run_setup(s);
    let (s, ev) = (m.setup.clone(), m.log.events.clone());
    let c = Counters::of(&ev);
    assert!(c.data_intact && c.polled_completions == 4, "{c:?}");
    let n = names(&ev, &s);
    let count = |prefix: &str| n.iter().filter(|x| x.starts_with(prefix)).count();
    assert_eq!(count("command fetch"), 4);
    assert_eq!(count("completion entry"), 4);
    assert_eq!(count("polled "), 4);
    assert!(count("doorbell") >= 1);
    let vcd = export(Format::Vcd, &ev, &s, false).unwrap();
    assert_eq!(vcd_last(&vcd, "polled_completions"), 4);
    let csv = String::from_utf8(export(Format::Csv, &ev, &s, false).unwrap()).unwrap();
    for kind in [
        "command_fetch",
        "device_completion",
        "completion_polled",
        "doorbell",
    ] {
        assert!(csv.contains(kind), "{kind}");
    }
}
