//! The event log of every shipped scene and of the built-in default, byte for byte.
//! A refactor must keep these logs; a change of behaviour updates them on purpose:
//! `IOLAB_BLESS=1 cargo test golden` rewrites `tests/golden/logs.txt` (then say why
//! in the commit). Logs are kept as length + FNV-1a hash: the largest is 16 MB.

use crate::common::{iolab, root, temp};

/// FNV-1a, 64 bits: enough to tell two logs apart, and written in four lines.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn log_of(scene: Option<&str>) -> Vec<u8> {
    let name = scene.unwrap_or("default");
    let path = temp(&format!("golden-{name}.jsonl"));
    let mut args = vec!["run"];
    let file = scene.map(|s| format!("scenes/{s}.ron"));
    if let Some(f) = &file {
        args.push(f);
    }
    args.extend_from_slice(&["--trace", path.to_str().unwrap()]);
    let out = iolab(&args);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).ok();
    bytes
}

#[test]
fn every_shipped_scene_logs_the_recorded_bytes() {
    let mut scenes: Vec<String> = std::fs::read_dir(root().join("scenes"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "ron").then(|| p.file_stem().unwrap().to_string_lossy().into())
        })
        .collect();
    scenes.sort();
    let mut lines = vec![];
    for s in std::iter::once(None).chain(scenes.iter().map(|s| Some(s.as_str()))) {
        let log = log_of(s);
        assert!(log.len() > 1000, "{s:?}: a log this short is not a run");
        lines.push(format!(
            "{} {} {:016x}",
            s.unwrap_or("default"),
            log.len(),
            fnv1a(&log)
        ));
    }
    let got = lines.join("\n") + "\n";
    let file = root().join("tests/golden/logs.txt");
    if std::env::var_os("IOLAB_BLESS").is_some() {
        std::fs::write(&file, &got).unwrap();
        return;
    }
    let want =
        std::fs::read_to_string(&file).expect("tests/golden/logs.txt (IOLAB_BLESS=1 writes it)");
    for (w, g) in want.lines().zip(got.lines()) {
        assert_eq!(w, g, "the event log changed (name bytes hash)");
    }
    assert_eq!(
        want.lines().count(),
        got.lines().count(),
        "scenes added or removed: bless"
    );
}
