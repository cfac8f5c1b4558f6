//! `iolab bench`: simulation speed per method on a large file, the pollution scene
//! with 1 GiB of video, and export times. Numbers for the README and closing notes,
//! never assertions.

use std::time::Instant;

use crate::scenario;
use crate::session::{
    Naming, Overrides, UserError, resolve, resolve_scenario, simulate, simulate_counting,
};
use crate::sim::Method;

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn bench(
    file_size: u64,
    buffer_size: u64,
    methods: Option<Vec<String>>,
) -> Result<(), UserError> {
    let names = methods.unwrap_or_else(|| {
        Method::FILE
            .iter()
            .chain([&Method::DirectAio, &Method::IoUring])
            .map(|m| m.name().to_string())
            .chain(["io_uring+sg".into(), "io_uring+sg+sqpoll".into()])
            .collect()
    });
    println!(
        "iolab bench: modern profile, {} MiB file, {} KiB buffer, cold cache",
        file_size >> 20,
        buffer_size >> 10
    );
    println!(
        "{:<18} {:>14} {:>10} {:>16} {:>10} {:>12}",
        "method", "sim cycles", "wall ms", "cycles/s", "events", "peak RSS MiB"
    );
    for name in &names {
        // A label as in `compare --methods` (io_uring+sg+sqpoll).
        let base = Overrides {
            file_size: Some(file_size),
            buffer_size: Some(buffer_size),
            profile: Some("modern".into()),
            ..Overrides::default()
        };
        let ov = crate::compare::parse_label(name, &base).map_err(UserError)?;
        let (_, setup) = resolve(&None, &ov)?;
        let t0 = Instant::now();
        let m = simulate_counting(setup)?;
        let wall = t0.elapsed().as_secs_f64();
        let c = m.counters();
        if !c.data_intact {
            return Err(UserError(format!("{name}: data not intact")));
        }
        println!(
            "{:<18} {:>14} {:>10.1} {:>16.3e} {:>10} {:>12.1}",
            name,
            c.cycles,
            wall * 1e3,
            c.cycles as f64 / wall,
            m.log.len(),
            peak_rss_kib().unwrap_or(0) as f64 / 1024.0
        );
    }
    // The page-cache pollution scene with 1 GiB of video streamed through.
    println!();
    println!(
        "pollution: 2 hot 16 KiB files + 1 GiB of video in 512 rounds of 2 MiB, 1 MiB page cache (lru)"
    );
    println!(
        "{:<12} {:>14} {:>10} {:>12} {:>12} {:>12}",
        "video by", "sim cycles", "wall ms", "hot hits", "events", "peak RSS MiB"
    );
    let text = scenario::BUILTIN_SCENES
        .iter()
        .find(|s| s.0 == "page_cache_pollution")
        .map(|s| s.1)
        .unwrap_or("");
    let base = scenario::parse(text, "scenes/page_cache_pollution.ron")?;
    for method in [Method::Sendfile, Method::DirectIo] {
        let (_, mut setup) =
            resolve_scenario(base.clone(), &None, &Overrides::default(), Naming::Flags)?;
        setup.method = method;
        for a in &mut setup.accesses {
            if a.bytes_per_round.is_some() {
                a.method = method;
            }
        }
        if let Some(v) = setup.files.iter_mut().find(|f| f.name == "video.mp4") {
            v.size = 1 << 30;
        }
        setup.rounds = 512;
        let t0 = Instant::now();
        let m = simulate_counting(setup)?;
        let wall = t0.elapsed().as_secs_f64();
        let c = m.counters();
        if !c.data_intact {
            return Err(UserError("pollution: data not intact".into()));
        }
        let ratio = c.hit_ratio(0).unwrap_or(0.0);
        println!(
            "{:<12} {:>14} {:>10.1} {:>11.0}% {:>12} {:>12.1}",
            method.name(),
            c.cycles,
            wall * 1e3,
            ratio * 100.0,
            m.log.len(),
            peak_rss_kib().unwrap_or(0) as f64 / 1024.0
        );
    }

    // Exporting a 1 MiB run in every format.
    println!();
    let ov = Overrides {
        file_size: Some(1 << 20),
        buffer_size: Some(64 << 10),
        profile: Some("modern".into()),
        ..Overrides::default()
    };
    let (_, setup) = resolve(&None, &ov)?;
    let m = simulate(setup)?;
    println!(
        "exports of a 1 MiB read_write run ({} events):",
        m.log.events.len()
    );
    for f in [
        crate::trace::Format::Jsonl,
        crate::trace::Format::Csv,
        crate::trace::Format::Chrome,
        crate::trace::Format::Vcd,
    ] {
        let t0 = Instant::now();
        let bytes = crate::trace::export(f, &m.log.events, &m.setup, false).map_err(UserError)?;
        println!(
            "  {:<8} {:>8.1} ms  {:>10} bytes",
            f.name(),
            t0.elapsed().as_secs_f64() * 1e3,
            bytes.len()
        );
    }
    Ok(())
}
