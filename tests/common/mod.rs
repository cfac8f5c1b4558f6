//! Helpers the test modules share: running the `iolab` binary, finding scenes.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root (scenes, assets and the README live there).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped scene by name, e.g. `scene("pio_read")`.
pub fn scene(name: &str) -> PathBuf {
    root().join("scenes").join(format!("{name}.ron"))
}

/// Runs the `iolab` binary that cargo built for these tests, from the repository root.
pub fn iolab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iolab"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the iolab binary runs")
}

/// `iolab run ARGS --summary json`, which must succeed, as JSON.
pub fn summary(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["run"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--summary", "json"]);
    let out = iolab(&a);
    assert!(
        out.status.success(),
        "iolab {a:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the summary is JSON")
}

/// A fresh path in the temporary folder for this test process.
pub fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("iolab-test-{}-{name}", std::process::id()))
}

/// Runs a setup to its end, in this process (the simulator, not the binary).
pub fn run_setup(s: iolab::sim::Setup) -> iolab::sim::Machine {
    let mut m = iolab::sim::Machine::new(s).expect("a valid setup");
    m.run_to_end().expect("the run ends");
    m
}

/// A shipped scene (by name, e.g. `"read_write"`) run to its end, in this process.
pub fn run_scene(name: &str) -> iolab::sim::Machine {
    let sc = iolab::scenario::load(std::path::Path::new(name)).expect("a shipped scene");
    run_setup(sc.setup().expect("a valid scene"))
}
