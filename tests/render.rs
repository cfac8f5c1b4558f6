//! Renders the app under Xvfb with Mesa's software Vulkan and checks the PNG is a
//! real frame. On a machine without them this test fails and says what to install.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn shoot(scene: &str, extra: &[&str], out: &Path) {
    assert!(
        have("xvfb-run"),
        "the rendering test needs Xvfb and Mesa: apt-get install -y xvfb xauth mesa-vulkan-drivers libvulkan1 (or run .ci/run)"
    );
    let _ = std::fs::remove_file(out);
    let mut args = vec![
        "-a".to_string(),
        "-s".into(),
        "-screen 0 1600x900x24".into(),
        env!("CARGO_BIN_EXE_iolab").into(),
        "gui".into(),
        scene.into(),
        "--screenshot".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = Command::new("xvfb-run")
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("xvfb-run starts");
    assert!(
        o.status.success(),
        "screenshot failed (is mesa-vulkan-drivers installed?):\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn decode(p: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(p).expect("png written"),
    ));
    let mut reader = decoder.read_info().expect("a png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let rgb: Vec<u8> = buf
        .chunks(channels)
        .flat_map(|px| px[..3].to_vec())
        .collect();
    (info.width, info.height, rgb)
}

#[test]
fn screenshots_are_real_frames_and_moments_differ() {
    let dir = std::env::temp_dir().join(format!("iolab-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a: PathBuf = dir.join("early.png");
    let b: PathBuf = dir.join("late.png");
    shoot("scenes/read_write.ron", &["--at-event", "12"], &a);
    shoot("scenes/read_write.ron", &["--at-cycle", "300"], &b);
    let (wa, ha, pa) = decode(&a);
    let (wb, hb, pb) = decode(&b);
    assert_eq!((wa, ha), (1600, 900), "the window's size");
    assert_eq!((wb, hb), (1600, 900));
    let colours: HashSet<&[u8]> = pa.chunks(3).collect();
    assert!(
        colours.len() > 50,
        "only {} colours: not a real frame",
        colours.len()
    );
    let differing = pa
        .chunks(3)
        .zip(pb.chunks(3))
        .filter(|(x, y)| x != y)
        .count();
    assert!(
        differing > 2000,
        "two moments should look different ({differing} pixels differ)"
    );
}

/// The compare view draws one colour per run (lanes, table, bars), and the app
/// in Chinese looks different from the app in English at the same moment.
#[test]
fn the_compare_view_and_the_chinese_app_render() {
    let dir = std::env::temp_dir().join(format!("iolab-render2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cmp = dir.join("compare.png");
    shoot("scenes/classroom_64.ron", &["--compare", "classic"], &cmp);
    let (_, _, px) = decode(&cmp);
    for (i, (r, g, b)) in iolab::compare::RUN_COLOURS.iter().take(4).enumerate() {
        let n = px
            .chunks(3)
            .filter(|p| p[0].abs_diff(*r) < 6 && p[1].abs_diff(*g) < 6 && p[2].abs_diff(*b) < 6)
            .count();
        assert!(n > 2000, "run {i}'s colour covers only {n} pixels");
    }
    // The compare view's clock follows --at-cycle: early on, the lanes are short.
    let early = dir.join("compare-early.png");
    shoot(
        "scenes/classroom_64.ron",
        &["--compare", "classic", "--at-cycle", "60"],
        &early,
    );
    let (_, _, e) = decode(&early);
    let differing = e
        .chunks(3)
        .zip(px.chunks(3))
        .filter(|(x, y)| x != y)
        .count();
    assert!(
        differing > 2000,
        "--at-cycle moves the compare clock ({differing} pixels)"
    );
    // And --at-event, taken in the first run's log: event 0 is cycle 0.
    let (by_event, by_cycle) = (dir.join("compare-ev0.png"), dir.join("compare-c0.png"));
    for (args, path) in [
        (["--at-event", "0"], &by_event),
        (["--at-cycle", "0"], &by_cycle),
    ] {
        shoot(
            "scenes/classroom_64.ron",
            &["--compare", "classic", args[0], args[1]],
            path,
        );
    }
    let (_, _, ev0) = decode(&by_event);
    assert_eq!(
        ev0,
        decode(&by_cycle).2,
        "--at-event 0 is the clock at cycle 0"
    );
    assert_ne!(ev0, px, "--at-event moves the compare clock");
    // Presentation mode: no panels, so the left edge is the drawing's background
    // instead of the scenario panel, and the picture differs from the normal one.
    let normal = dir.join("normal.png");
    let present = dir.join("present.png");
    shoot("scenes/read_write.ron", &["--at-event", "56"], &normal);
    shoot(
        "scenes/read_write.ron",
        &["--at-event", "56", "--present"],
        &present,
    );
    let (w, _, n) = decode(&normal);
    let (_, _, p) = decode(&present);
    let differing = n.chunks(3).zip(p.chunks(3)).filter(|(x, y)| x != y).count();
    assert!(
        differing > (w as usize) * 200,
        "presentation changes the frame ({differing} px)"
    );
    let en = dir.join("en.png");
    let zh = dir.join("zh.png");
    shoot(
        "scenes/sendfile_sg.ron",
        &["--at-event", "40", "--lang", "en"],
        &en,
    );
    shoot(
        "scenes/sendfile_sg.ron",
        &["--at-event", "40", "--lang", "zh"],
        &zh,
    );
    let (_, _, a) = decode(&en);
    let (_, _, b) = decode(&zh);
    let differing = a.chunks(3).zip(b.chunks(3)).filter(|(x, y)| x != y).count();
    assert!(
        differing > 5000,
        "the language changes the labels ({differing} pixels)"
    );
}

/// Pixels of the drawing (between the side panels, above the timeline) within 6
/// of a colour.
fn count_in_scene(px: &[u8], w: u32, c: bevy::prelude::Color) -> usize {
    let s = c.to_srgba();
    let rgb = [s.red, s.green, s.blue].map(|v| (v * 255.0).round() as u8);
    px.chunks(3)
        .enumerate()
        .filter(|(i, p)| {
            let (x, y) = ((*i as u32) % w, (*i as u32) / w);
            (270..1250).contains(&x) && y < 720 && p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) < 6)
        })
        .count()
}

/// The route forms as the run plays: no arrow at the start; at the end read+write
/// has CPU arrows (orange) and DMA arrows (blue), and sendfile with SG-DMA has DMA
/// arrows only, as the seed draws them.
#[test]
fn the_route_is_drawn_in_the_agents_colours() {
    use iolab::app::palette::{CPU, DMA};
    let dir = std::env::temp_dir().join(format!("iolab-route-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let colours = |p: &Path| {
        let (w, _, px) = decode(p);
        (count_in_scene(&px, w, CPU), count_in_scene(&px, w, DMA))
    };
    let (rw, sgf) = ("scenes/read_write.ron", "scenes/sendfile_sg.ron");
    let p = dir.join("rw0.png");
    shoot(rw, &["--at-event", "0"], &p);
    let start = colours(&p);
    // The figures (`--figure FILE.png`): the whole route at the end, with the
    // layout report to read the arrows' numbers back.
    let figure = |scene: &str, name: &str| {
        let (png, report) = (
            dir.join(format!("{name}.png")),
            dir.join(format!("{name}.jsonl")),
        );
        let _ = std::fs::remove_file(&png);
        let o = Command::new("xvfb-run")
            .args(["-a", "-s", "-screen 0 1600x900x24"])
            .arg(env!("CARGO_BIN_EXE_iolab"))
            .args(["gui", scene, "--figure"])
            .arg(&png)
            .arg("--layout-report")
            .arg(&report)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("xvfb-run starts");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let texts: HashSet<String> = std::fs::read_to_string(&report)
            .expect("the layout report is written")
            .lines()
            .filter_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["text"].as_str().map(str::to_string)
            })
            .collect();
        (colours(&png), texts)
    };
    let (end, rw_texts) = figure(rw, "rw_figure");
    let (sg, sg_texts) = figure(sgf, "sg_figure");
    assert!(
        start.0 < 50,
        "no CPU arrow before anything moved: {start:?}"
    );
    // Two solid CPU badges and shafts, two DMA ones.
    assert!(end.0 > 400, "read+write's CPU arrows: {end:?}");
    assert!(end.1 > 400, "read+write's DMA arrows: {end:?}");
    assert!(sg.0 < 50, "sendfile+SG: no CPU copy, so no orange: {sg:?}");
    assert!(sg.1 > 400, "sendfile+SG's DMA arrows: {sg:?}");
    // The numbered arrows: read+write's six (two CPU, two DMA, the platter's and
    // the wire's), sendfile+SG's five (the descriptors' among them).
    for n in 1..=6 {
        assert!(
            rw_texts.contains(&n.to_string()),
            "read+write's arrow {n}: {rw_texts:?}"
        );
    }
    for n in 1..=5 {
        assert!(
            sg_texts.contains(&n.to_string()),
            "sendfile+SG's arrow {n}: {sg_texts:?}"
        );
    }
    assert!(
        !sg_texts.contains("6"),
        "sendfile+SG has five arrows: {sg_texts:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `--record` writes an animated GIF of the stretch asked for: as many frames as
/// the stretch takes at the app's speed and the frame rate, and the picture moves.
#[test]
fn a_recorded_stretch_is_a_gif_with_the_frames_it_should_have() {
    assert!(
        have("xvfb-run"),
        "the recording test needs Xvfb (see .ci/run)"
    );
    let out = std::env::temp_dir().join(format!("iolab-rec-{}.gif", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let (from, to, rate) = (20usize, 32usize, 2.0);
    let o = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x900x24"])
        .arg(env!("CARGO_BIN_EXE_iolab"))
        .args(["gui", "scenes/read_write.ron", "--record"])
        .arg(&out)
        .args([
            "--from-event",
            &from.to_string(),
            "--to-event",
            &to.to_string(),
        ])
        .args(["--frame-rate", &rate.to_string()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("xvfb-run starts");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The frames the stretch makes at the app's own speed.
    let sc = iolab::scenario::load(std::path::Path::new("scenes/read_write.ron")).unwrap();
    let mut m = crate::common::run_setup(sc.setup().unwrap());
    let r = iolab::replay::Replay::new(m.setup.clone(), std::mem::take(&mut m.log.events));
    let speed = iolab::app::playback::Playhead::start_of(&r, 0).speed;
    let cycles = (r.events[to].cycle - r.events[from].cycle) as f64;
    let want = (cycles / speed * rate).floor() as usize + 1;
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut dec = opts.read_info(std::fs::File::open(&out).unwrap()).unwrap();
    let mut frames = Vec::new();
    while let Some(f) = dec.read_next_frame().unwrap() {
        frames.push(f.buffer.to_vec());
    }
    assert_eq!(
        frames.len(),
        want,
        "frames for {cycles} cycles at {speed:.2} cycles/s"
    );
    assert_ne!(
        frames.first(),
        frames.last(),
        "the first and last frames differ"
    );
}

/// A lesson's checkpoint renders in both languages, and the picture is the step's
/// moment (not the end of the run).
#[test]
fn a_lesson_checkpoint_renders_in_both_languages() {
    let dir = std::env::temp_dir().join(format!("iolab-lesson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (en, zh, end) = (dir.join("en.png"), dir.join("zh.png"), dir.join("end.png"));
    let step = ["--lesson", "pio_to_zero_copy", "--lesson-step", "3"];
    shoot("scenes/read_write.ron", &step, &en);
    shoot(
        "scenes/read_write.ron",
        &[&step[..], &["--lang", "zh"]].concat(),
        &zh,
    );
    shoot("scenes/read_write.ron", &[], &end);
    let (_, _, a) = decode(&en);
    let (_, _, b) = decode(&zh);
    let (_, _, c) = decode(&end);
    let differ = |x: &[u8], y: &[u8]| x.chunks(3).zip(y.chunks(3)).filter(|(p, q)| p != q).count();
    assert!(differ(&a, &b) > 2000, "the language changes the picture");
    assert!(differ(&a, &c) > 2000, "the step stops before the end");
}

/// The labels of a layout report that overlap (texts that sit in their own cell,
/// and bytes in flight, are left out), as "A over B", and those that run out of
/// their box.
fn overlaps(report: &Path) -> Vec<String> {
    let labels: Vec<serde_json::Value> = std::fs::read_to_string(report)
        .expect("the layout report is written")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|l: &serde_json::Value| l["overlay"] == false)
        .collect();
    assert!(
        labels.len() > 20,
        "{}: {} labels",
        report.display(),
        labels.len()
    );
    let rect = |l: &serde_json::Value| {
        let v = |k: &str, j: usize| l[k][j].as_f64().unwrap();
        (v("min", 0), v("min", 1), v("max", 0), v("max", 1))
    };
    let mut out = Vec::new();
    // A label with a box (a device's status, the process, the kernel's notes)
    // stays inside it: a long line wraps rather than running past its edge.
    for l in &labels {
        if let Some(b) = l["within"].as_array() {
            let b: Vec<f64> = b.iter().map(|x| x.as_f64().unwrap()).collect();
            let r = rect(l);
            if r.0 < b[0] - 1.0 || r.1 < b[1] - 1.0 || r.2 > b[2] + 1.0 || r.3 > b[3] + 1.0 {
                out.push(format!("{} outside its box {b:?}: {r:?}", l["text"]));
            }
        }
    }
    for (a, la) in labels.iter().enumerate() {
        for lb in &labels[a + 1..] {
            let (p, q) = (rect(la), rect(lb));
            let w = p.2.min(q.2) - p.0.max(q.0);
            let h = p.3.min(q.3) - p.1.max(q.1);
            if w > 1.0 && h > 1.0 {
                out.push(format!("{} over {}", la["text"], lb["text"]));
            }
        }
    }
    out
}

/// No label of the drawing is drawn over another: box titles, status lines, the
/// route's numbers and labels, the rings, in both languages and in presentation
/// mode.
#[test]
fn no_two_labels_of_the_drawing_overlap() {
    let dir = std::env::temp_dir().join(format!("iolab-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let projector = ["--present", "--window", "1024x576"];
    let shots: [(&str, Vec<&str>); 8] = [
        ("read_write", vec!["--at-cycle", "100"]),
        ("io_uring", vec!["--at-event", "uring_cqe:5"]),
        ("sendfile_sg", vec!["--lang", "zh"]),
        ("page_cache_pollution", vec![]),
        ("mmap_write", vec!["--present", "--lang", "zh"]),
        (
            "read_write",
            [&projector[..], &["--at-cycle", "170"]].concat(),
        ),
        (
            "read_write",
            [&projector[..], &["--at-cycle", "170", "--lang", "zh"]].concat(),
        ),
        // read() returns: the crossing tag starts just across the user/kernel
        // line, over the page cache's box (its plate once lay on the title).
        (
            "read_write",
            [&projector[..], &["--at-event", "mode_switch:2"]].concat(),
        ),
    ];
    for (i, (scene, extra)) in shots.iter().enumerate() {
        let png = dir.join(format!("{i}.png"));
        let report = dir.join(format!("{i}.jsonl"));
        let mut args = extra.to_vec();
        let r = report.display().to_string();
        args.extend(["--layout-report", &r]);
        shoot(scene, &args, &png);
        let mut found = overlaps(&report);
        // On the projector: labels of 14 px and byte values of 12 px at least.
        if extra.contains(&"--window") {
            found.extend(too_small(&report, 14.0, 12.0));
        }
        assert!(found.is_empty(), "{scene} {extra:?}: {found:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The labels of a layout report too small to read on the screen it was taken
/// on: a label under `label_px`, a byte value (a text in its cell) under
/// `byte_px`, as "TEXT: N px".
fn too_small(report: &Path, label_px: f64, byte_px: f64) -> Vec<String> {
    let mut out = Vec::new();
    for l in std::fs::read_to_string(report).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        if v.get("control").is_some() {
            continue;
        }
        let px = v["px"]
            .as_f64()
            .expect("the report says how tall each label is");
        let least = if v["overlay"] == true {
            byte_px
        } else {
            label_px
        };
        if px < least {
            out.push(format!("{}: {px:.1} px", v["text"]));
        }
    }
    out
}

/// Every shipped scene at its start, its middle and its end: no label over
/// another (the layout checked as data). The middle is taken in presentation
/// mode on a 1024 × 576 projector, where every label of the drawing is at least
/// 14 px tall and every byte value at least 12 px.
#[test]
fn no_label_overlaps_in_any_shipped_scene() {
    let dir = std::env::temp_dir().join(format!("iolab-layout-all-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut scenes: Vec<String> = std::fs::read_dir(root.join("scenes"))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_stem()?.to_string_lossy().to_string();
            (p.extension()? == "ron").then_some(stem)
        })
        .collect();
    scenes.sort();
    assert!(scenes.len() >= 27);
    let mut jobs = Vec::new();
    let mut ends = Vec::new();
    for s in &scenes {
        let o = Command::new(env!("CARGO_BIN_EXE_iolab"))
            .args(["run", s, "--summary", "json"])
            .current_dir(&root)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let end = v["cycles"].as_u64().unwrap();
        for at in [0, end / 2, end] {
            jobs.push((s.clone(), at));
        }
        ends.push((s.clone(), end));
    }
    // Two at a time: the software renderer keeps a core busy per window.
    let jobs = std::sync::Mutex::new(jobs);
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| {
                loop {
                    let Some((scene, at)) = jobs.lock().unwrap().pop() else {
                        break;
                    };
                    let png = dir.join(format!("{scene}-{at}.png"));
                    let report = dir.join(format!("{scene}-{at}.jsonl"));
                    let (c, r) = (at.to_string(), report.display().to_string());
                    let mut args = vec!["--at-cycle", &c, "--layout-report", &r];
                    let present = at > 0 && !ends.contains(&(scene.clone(), at));
                    if present {
                        args.extend(["--present", "--window", "1024x576"]);
                    }
                    shoot(&scene, &args, &png);
                    let mut bad = overlaps(&report);
                    if present {
                        bad.extend(too_small(&report, 14.0, 12.0));
                    }
                    for o in bad {
                        found
                            .lock()
                            .unwrap()
                            .push(format!("{scene} at cycle {at} (present: {present}): {o}"));
                    }
                }
            });
        }
    });
    let found = found.into_inner().unwrap();
    assert!(found.is_empty(), "{found:#?}");
    std::fs::remove_dir_all(&dir).ok();
}

/// At every UI scale a viewer may choose (0.75 to 2.5) and on a 1280 × 720
/// window, the controls that undo it (the scale, the projector theme, the
/// language) and Play lie inside the window, in view: the panels keep to a share
/// of it and scroll.
#[test]
fn the_controls_stay_in_the_window_at_every_ui_scale() {
    let dir = std::env::temp_dir().join(format!("iolab-scales-{}", std::process::id()));
    for (i, scale) in [0.75, 1.0, 1.5, 2.0, 2.5].into_iter().enumerate() {
        let config = dir.join(format!("config-{i}"));
        std::fs::create_dir_all(config.join("iolab")).unwrap();
        std::fs::write(
            config.join("iolab/settings.ron"),
            format!("(ui_scale: {scale}, projector: false, lang: en)"),
        )
        .unwrap();
        let (png, report) = (dir.join(format!("{i}.png")), dir.join(format!("{i}.jsonl")));
        let o = Command::new("xvfb-run")
            .args([
                "-a",
                "-s",
                "-screen 0 1600x900x24",
                env!("CARGO_BIN_EXE_iolab"),
            ])
            .args(["gui", "read_write", "--window", "1280x720", "--screenshot"])
            .arg(&png)
            .arg("--layout-report")
            .arg(&report)
            .env("XDG_CONFIG_HOME", &config)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("xvfb-run starts");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut controls: Vec<(String, Vec<f64>)> = Vec::new();
        for l in std::fs::read_to_string(&report).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let Some(name) = v["control"].as_str() else {
                continue;
            };
            let r: Vec<f64> = (0..4).map(|k| v["rect"][k].as_f64().unwrap()).collect();
            let (w, h) = (
                v["window"][0].as_f64().unwrap(),
                v["window"][1].as_f64().unwrap(),
            );
            assert_eq!((w, h), (1280.0, 720.0));
            assert!(
                r[0] >= 0.0 && r[1] >= 0.0 && r[2] <= w && r[3] <= h && r[2] > r[0] && r[3] > r[1],
                "UI scale {scale}: {name} at {r:?} is not inside the {w} x {h} window"
            );
            controls.push((name.to_string(), r));
        }
        let names: Vec<&str> = controls.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            names,
            ["ui_scale", "projector", "language", "left_panel", "play"],
            "scale {scale}"
        );
        // The settings lie inside the left panel too, not under the scene.
        let panel = &controls[3].1;
        for (name, r) in &controls[..3] {
            assert!(
                r[2] <= panel[2] + 1.0,
                "UI scale {scale}: {name} at {r:?} runs past the panel {panel:?}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Where the bytes start: a read's file is on the platter from cycle 0, every
/// byte's value shown; a receive reads no file (its message comes from the
/// wire), so nothing in the picture holds a byte before the message arrives.
#[test]
fn the_platter_holds_a_read_s_file_and_never_a_received_message() {
    let dir = std::env::temp_dir().join(format!("iolab-platter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let values = |scene: &str| -> Vec<String> {
        let png = dir.join(format!("{scene}.png"));
        let report = dir.join(format!("{scene}.jsonl"));
        let r = report.display().to_string();
        shoot(scene, &["--at-cycle", "0", "--layout-report", &r], &png);
        std::fs::read_to_string(&report)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["overlay"] == true)
            .map(|v| v["text"].as_str().unwrap_or("").to_string())
            .filter(|t| !t.is_empty())
            .collect()
    };
    // read_write's 40-byte file, "at"…: its first byte 0x61 is on the platter.
    let file = values("read_write");
    assert_eq!(file.len(), 40, "{file:?}");
    assert_eq!(file[0], "61");
    let message = values("recv_blocking");
    assert!(message.is_empty(), "before it arrives: {message:?}");
    std::fs::remove_dir_all(&dir).ok();
}
