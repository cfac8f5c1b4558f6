//! Headless tests of the app's playback (no window, `MinimalPlugins`).

use std::path::PathBuf;

use bevy::input::keyboard::{Key, KeyboardInput, NativeKey};
use bevy::input::{ButtonState, InputPlugin};
use bevy::prelude::*;
use iolab::app::playback::{Playhead, View};
use iolab::app::{Loaded, core_plugins, initial};
use iolab::session::{Overrides, resolve, simulate};

fn scene(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenes")
        .join(format!("{name}.ron"))
}

fn app_for(name: &str) -> App {
    let (loaded, editor) = initial(&Some(scene(name))).expect("scene loads");
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, InputPlugin))
        .insert_resource(loaded)
        .insert_resource(editor);
    core_plugins(&mut app);
    app.update();
    app
}

/// Presses and releases keys the way a window would report them.
fn press(app: &mut App, keys: &[KeyCode]) {
    for state in [ButtonState::Pressed, ButtonState::Released] {
        for k in keys {
            app.world_mut().write_message(KeyboardInput {
                key_code: *k,
                logical_key: Key::Unidentified(NativeKey::Unidentified),
                state,
                text: None,
                repeat: false,
                window: Entity::PLACEHOLDER,
            });
        }
        app.update();
    }
}

fn view(app: &App) -> View {
    app.world().resource::<View>().clone()
}

#[test]
fn stepping_forward_then_back_returns_the_same_scene() {
    for name in ["read_write", "pio_read", "sendfile_sg"] {
        let mut app = app_for(name);
        for start in [0usize, 7] {
            for _ in 0..start {
                press(&mut app, &[KeyCode::AltLeft, KeyCode::ArrowRight]);
            }
            let before = view(&app);
            assert_eq!(before.state.applied, start, "{name}");
            let n = 25;
            for _ in 0..n {
                press(&mut app, &[KeyCode::AltLeft, KeyCode::ArrowRight]);
            }
            let ahead = view(&app);
            assert_eq!(ahead.state.applied, start + n);
            assert_ne!(
                ahead.state, before.state,
                "{name}: 25 events change something"
            );
            for _ in 0..n {
                press(&mut app, &[KeyCode::AltLeft, KeyCode::PageUp]);
            }
            assert_eq!(view(&app).state, before.state, "{name} from {start}");
            app.world_mut().resource_mut::<Playhead>().to_start();
            app.update();
        }
    }
}

#[test]
fn seeking_a_cycle_shows_what_stepping_cycles_shows() {
    let mut app = app_for("read_write");
    let target = 150u64;
    for _ in 0..target {
        press(&mut app, &[KeyCode::ShiftLeft, KeyCode::ArrowRight]);
    }
    let stepped = view(&app);
    assert_eq!(app.world().resource::<Playhead>().cycle, target as f64);
    let mut other = app_for("read_write");
    {
        let loaded = other.world().resource::<Loaded>().replay.clone();
        let mut p = other.world_mut().resource_mut::<Playhead>();
        p.seek_cycle(&loaded, target as f64);
    }
    other.update();
    let sought = view(&other);
    assert_eq!(sought.state, stepped.state);
    assert_eq!(sought.flights, stepped.flights);
    assert!(sought.state.user.filled > 0 || sought.state.frames.iter().any(|f| f.bytes.filled > 0));
}

#[test]
fn counters_at_the_end_equal_the_core() {
    for name in [
        "read_write",
        "mmap_write",
        "splice",
        "direct_io",
        "pio_read",
    ] {
        let mut app = app_for(name);
        press(&mut app, &[KeyCode::End]);
        let shown = view(&app).state.counters;
        let (_, setup) = resolve(&Some(scene(name)), &Overrides::default())
            .ok()
            .unwrap();
        let m = simulate(setup).ok().unwrap();
        assert_eq!(&shown, m.counters(), "{name}");
        assert!(shown.data_intact);
    }
}

#[test]
fn playing_advances_and_stops_at_the_end() {
    let mut app = app_for("dma_read");
    press(&mut app, &[KeyCode::Space]);
    assert!(app.world().resource::<Playhead>().playing);
    // Speed up so the whole run fits in a few updates of real time.
    app.world_mut().resource_mut::<Playhead>().speed = 1e9;
    std::thread::sleep(std::time::Duration::from_millis(5));
    app.update();
    app.update();
    let p = app.world().resource::<Playhead>().clone();
    let total = app.world().resource::<Loaded>().replay.events.len();
    assert_eq!(p.applied, total);
    assert!(!p.playing);
}

#[test]
fn a_bad_edit_shows_an_error_and_keeps_the_run_and_the_text() {
    use iolab::app::Editor;
    let mut app = app_for("read_write");
    let generation = app.world().resource::<Loaded>().generation;
    let world = app.world_mut();
    world.resource_scope(|world, mut editor: Mut<Editor>| {
        let mut loaded = world.resource_mut::<Loaded>();
        editor.buffer_size_text = "0".into();
        editor.apply(&mut loaded);
        assert!(
            editor
                .error
                .as_deref()
                .unwrap_or("")
                .contains("buffer_size: must be at least 1"),
            "{:?}",
            editor.error
        );
        assert_eq!(editor.buffer_size_text, "0", "what the user typed stays");
        assert_eq!(loaded.generation, generation, "the old run keeps playing");
        editor.buffer_size_text = "lots".into();
        editor.apply(&mut loaded);
        assert!(
            editor
                .error
                .as_deref()
                .unwrap_or("")
                .contains("buffer size"),
            "{:?}",
            editor.error
        );
        editor.open(
            &mut loaded,
            None,
            Some(PathBuf::from("tests/broken/syntax_error.ron")),
        );
        assert!(
            editor
                .error
                .as_deref()
                .unwrap_or("")
                .contains("syntax_error.ron:4:"),
            "{:?}",
            editor.error
        );
        assert_eq!(loaded.generation, generation);
        editor.buffer_size_text = "16".into();
        editor.apply(&mut loaded);
        assert!(editor.error.is_none());
        assert_eq!(
            loaded.generation,
            generation + 1,
            "a good edit re-runs at once"
        );
        assert_eq!(loaded.replay.setup.buffer_size, 16);
    });
}

#[test]
fn the_export_button_writes_the_trace() {
    use iolab::app::{Editor, FileStatus};
    let mut app = app_for("dma_read");
    let p = std::env::temp_dir().join(format!("iolab-app-export-{}.vcd", std::process::id()));
    let world = app.world_mut();
    world.resource_scope(|world, mut editor: Mut<Editor>| {
        let loaded = world.resource::<Loaded>();
        editor.export_format = iolab::trace::Format::Vcd;
        editor.export_path = p.display().to_string();
        editor.export(loaded);
        assert_eq!(
            editor.export_status,
            Some(FileStatus::Wrote(p.clone())),
            "{:?}",
            editor.export_status
        );
        editor.export_path = "/no/such/dir/x.vcd".into();
        editor.export(loaded);
        let status = editor.export_status.clone().unwrap();
        assert!(
            matches!(&status, FileStatus::Failed(e) if e.starts_with("/no/such/dir/x.vcd: ")),
            "{status:?}"
        );
        // Shown in the viewer's language.
        let zh = iolab::i18n::Texts::of(iolab::i18n::Lang::Zh);
        assert!(
            status.text(&zh).starts_with("未写入"),
            "{}",
            status.text(&zh)
        );
        let en = iolab::i18n::Texts::of(iolab::i18n::Lang::En);
        assert_eq!(
            FileStatus::Wrote(p.clone()).text(&en),
            format!("wrote {}", p.display())
        );
    });
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains("$var wire 1 ! cpu_kernel $end"));
}

#[test]
fn settings_are_remembered_between_runs() {
    use iolab::app::settings::Settings;
    let dir = std::env::temp_dir().join(format!("iolab-settings-{}", std::process::id()));
    // SAFETY: this test is the only one that reads or writes XDG_CONFIG_HOME.
    unsafe { std::env::set_var("XDG_CONFIG_HOME", &dir) };
    assert_eq!(Settings::load(), Settings::default(), "nothing saved yet");
    let s = Settings {
        ui_scale: 1.5,
        projector: true,
        lang: iolab::i18n::Lang::Zh,
    };
    s.save().unwrap();
    assert_eq!(Settings::load(), s);
    std::fs::write(
        dir.join("iolab/settings.ron"),
        "(ui_scale: 99.0, projector: true)",
    )
    .unwrap();
    assert_eq!(
        Settings::load().ui_scale,
        *iolab::app::settings::UI_SCALES.end(),
        "out-of-range values are clamped to what the slider offers"
    );
    // A scale the slider offers is kept as it was stored (2.5 stays 2.5).
    std::fs::write(dir.join("iolab/settings.ron"), "(ui_scale: 2.5)").unwrap();
    assert_eq!(Settings::load().ui_scale, 2.5);
    std::fs::write(dir.join("iolab/settings.ron"), "garbage").unwrap();
    assert_eq!(
        Settings::load(),
        Settings::default(),
        "a broken file falls back to defaults"
    );
}

#[test]
fn the_compare_view_runs_the_editors_conditions_on_one_clock() {
    use iolab::app::compare::{Comparison, labels_of};
    let (_, editor) = initial(&Some(scene("classroom_64"))).unwrap();
    let mut cmp = Comparison::default();
    cmp.load(&editor, &labels_of("classic"));
    assert!(cmp.error.is_none(), "{:?}", cmp.error);
    assert!(cmp.open);
    assert_eq!(cmp.runs.len(), 4);
    // The same numbers as `iolab compare` on the same conditions.
    for run in &cmp.runs {
        let ov = iolab::compare::parse_label(&run.label, &Overrides::default()).unwrap();
        let (_, setup) = resolve(&Some(scene("classroom_64")), &ov).unwrap();
        let m = simulate(setup).unwrap();
        assert_eq!(&run.total, m.counters(), "{}", run.label);
    }
    // One clock: at the end every run shows its totals, at the start nothing.
    cmp.seek(cmp.end() as f64);
    for run in &cmp.runs {
        assert_eq!(run.now.syscalls, run.total.syscalls, "{}", run.label);
        assert_eq!(run.now.interrupts, run.total.interrupts, "{}", run.label);
    }
    cmp.seek(0.0);
    assert!(cmp.runs.iter().all(|r| r.now.syscalls == 0));
    // Halfway, the shorter runs are further along than the longer ones.
    cmp.seek(cmp.end() as f64 / 2.0);
    assert!(cmp.runs.iter().any(|r| r.now.syscalls > 0));
    // Bad lists keep the old runs and say why.
    for bad in ["read_write", "warp_drive, read", "a,b,c,d,e,f,g"] {
        cmp.load(&editor, &labels_of(bad));
        assert!(cmp.error.is_some(), "{bad}");
        assert_eq!(cmp.runs.len(), 4, "{bad}: the old runs stay");
    }
    cmp.load(&editor, &labels_of("pio-dma"));
    assert_eq!(cmp.runs.len(), 2);
    assert!(cmp.error.is_none());
    assert!(
        cmp.runs[0].total.cpu_copies > cmp.runs[1].total.cpu_copies,
        "PIO copies with the CPU"
    );
}

#[test]
fn keys_drive_the_compare_clock_while_it_is_shown() {
    use iolab::app::compare::{Comparison, labels_of};
    let mut app = app_for("classroom_64");
    let editor_labels = labels_of("pio-dma");
    {
        let world = app.world_mut();
        let editor = world.remove_resource::<iolab::app::Editor>().unwrap();
        let mut cmp = world.resource_mut::<Comparison>();
        cmp.load(&editor, &editor_labels);
        world.insert_resource(editor);
    }
    let before = app.world().resource::<Playhead>().clone();
    press(&mut app, &[KeyCode::ArrowRight]);
    press(&mut app, &[KeyCode::ArrowRight]);
    let c = app.world().resource::<Comparison>().cycle;
    assert!(c > 0.0, "Right moves the shared clock ({c})");
    assert_eq!(
        app.world().resource::<Playhead>().applied,
        before.applied,
        "the scene's playhead stays"
    );
    press(&mut app, &[KeyCode::End]);
    let cmp = app.world().resource::<Comparison>();
    assert_eq!(cmp.cycle, cmp.end() as f64);
    assert_eq!(cmp.runs[0].now, cmp.runs[0].total);
    press(&mut app, &[KeyCode::Home]);
    assert_eq!(app.world().resource::<Comparison>().cycle, 0.0);
    // Closed, the keys go back to the scene.
    app.world_mut().resource_mut::<Comparison>().open = false;
    press(&mut app, &[KeyCode::ArrowRight]);
    assert_eq!(
        app.world().resource::<Playhead>().applied,
        before.applied + 1
    );
}

#[test]
fn a_playhead_past_the_end_is_refused_with_the_run_s_length() {
    let refuse = |flag: &str, says: &str| {
        let out =
            crate::common::iolab(&["gui", "pio_read", flag, "99999", "--screenshot", "x.png"]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{err}");
    };
    refuse("--at-event", "--at-event 99999: the run has");
    refuse("--at-cycle", "ends at cycle");
}

/// `--window WxH` takes a size a window can have, and names what is wrong.
#[test]
fn a_window_size_must_be_a_size() {
    for (bad, says) in [
        ("1024", "a size such as 1024x576"),
        ("wide x 5", "a size such as 1024x576"),
        ("100x100", "from 320x240"),
        ("99999x576", "from 320x240"),
    ] {
        let out = crate::common::iolab(&["gui", "pio_read", "--window", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{bad}: {err}");
    }
}

#[test]
fn a_saved_scenario_reopens_to_the_same_run_and_a_dropped_file_opens() {
    use bevy::window::FileDragAndDrop;
    use iolab::app::Editor;
    let mut app = app_for("read_write");
    let path = std::env::temp_dir().join(format!("iolab-saved-{}.ron", std::process::id()));
    let world = app.world_mut();
    let before = world.resource_scope(|world, mut editor: Mut<Editor>| {
        let mut loaded = world.resource_mut::<Loaded>();
        // A variant: sendfile with SG, a bigger file on a PIO disk.
        editor.method = iolab::sim::Method::Sendfile;
        editor.nic_sg = true;
        editor.disk_pio = true;
        editor.file_size_text = "100".into();
        editor.buffer_size_text = "48".into();
        editor.apply(&mut loaded);
        assert!(editor.error.is_none(), "{:?}", editor.error);
        editor.save_as(&path).expect("saved");
        assert_eq!(
            editor.save_status,
            Some(iolab::app::FileStatus::Wrote(path.clone()))
        );
        loaded.replay.events.clone()
    });
    // `iolab check` accepts the file, and it runs to the same log, byte for byte.
    let out = crate::common::iolab(&["check", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("// Saved from the iolab app"), "{text}");
    let (_, setup) = resolve(&Some(path.clone()), &Overrides::default()).unwrap();
    let again = simulate(setup).unwrap();
    assert_eq!(
        iolab::trace::jsonl(&again.log.events),
        iolab::trace::jsonl(&before)
    );
    // Dropping a file onto the window opens it.
    let mut app = app_for("pio_read");
    let generation = app.world().resource::<Loaded>().generation;
    app.world_mut().write_message(FileDragAndDrop::DroppedFile {
        window: Entity::PLACEHOLDER,
        path_buf: path.clone(),
    });
    app.update();
    let loaded = app.world().resource::<Loaded>();
    assert!(
        loaded.generation > generation,
        "the dropped file replaced the run"
    );
    assert_eq!(loaded.replay.setup.method, iolab::sim::Method::Sendfile);
    assert!(loaded.replay.setup.hw.nic_sg);
    std::fs::remove_file(&path).ok();
}

#[test]
fn the_playback_keys_do_nothing_while_a_text_field_has_the_keyboard() {
    use iolab::app::playback::Typing;
    let mut app = app_for("read_write");
    app.world_mut().insert_resource(Typing(true));
    let before = app.world().resource::<Playhead>().clone();
    // Typing `sendfile+sg ` sends + and Space too.
    press(
        &mut app,
        &[
            KeyCode::Equal,
            KeyCode::Space,
            KeyCode::ArrowRight,
            KeyCode::End,
        ],
    );
    let p = app.world().resource::<Playhead>().clone();
    assert_eq!(
        (p.playing, p.applied, p.speed),
        (before.playing, before.applied, before.speed)
    );
    // With the field left, the same keys play again.
    app.world_mut().insert_resource(Typing(false));
    press(&mut app, &[KeyCode::ArrowRight]);
    assert!(app.world().resource::<Playhead>().applied > before.applied);
}

#[test]
fn key_p_switches_presentation_mode_but_not_while_typing() {
    use iolab::app::playback::{Present, Typing};
    let mut app = app_for("read_write");
    assert!(!app.world().resource::<Present>().0);
    press(&mut app, &[KeyCode::KeyP]);
    assert!(app.world().resource::<Present>().0, "P presents");
    app.world_mut().insert_resource(Typing(true));
    press(&mut app, &[KeyCode::KeyP]);
    assert!(app.world().resource::<Present>().0, "a typed P is a letter");
    app.world_mut().insert_resource(Typing(false));
    press(&mut app, &[KeyCode::KeyP]);
    assert!(
        !app.world().resource::<Present>().0,
        "P again shows the panels"
    );
}

#[test]
fn page_down_lands_only_on_narrated_steps_and_page_up_comes_back() {
    use iolab::app::playback::is_step;
    let mut app = app_for("read_write");
    let events = app.world().resource::<Loaded>().replay.events.clone();
    let mut landed = vec![0usize];
    loop {
        press(&mut app, &[KeyCode::PageDown]);
        let applied = app.world().resource::<Playhead>().applied;
        if applied == *landed.last().unwrap() {
            break;
        }
        assert!(
            is_step(&events[applied - 1].kind),
            "landed on {:?}",
            events[applied - 1].kind
        );
        landed.push(applied);
    }
    assert_eq!(
        *landed.last().unwrap(),
        events.len(),
        "the last step is the end"
    );
    let steps = events.iter().filter(|e| is_step(&e.kind)).count();
    assert_eq!(landed.len() - 1, steps, "every narrated event is a step");
    assert!(steps < events.len(), "bookkeeping events are stepped over");
    for &expect in landed.iter().rev().skip(1) {
        press(&mut app, &[KeyCode::PageUp]);
        assert_eq!(app.world().resource::<Playhead>().applied, expect);
    }
}

#[test]
fn the_projector_theme_has_the_contrast_it_promises() {
    use iolab::app::palette::{self, Theme, contrast, text_on};
    for theme in [Theme { projector: true }, Theme { projector: false }] {
        let t = theme.projector;
        // Text on its background: 7 : 1 at least.
        assert!(
            contrast(theme.text(), theme.background()) >= 7.0,
            "text, projector {t}"
        );
        assert!(
            contrast(theme.text(), theme.boxes()) >= 7.0,
            "text in boxes, projector {t}"
        );
        // A full byte cell against the box it sits on, and its value on it: 4.5 : 1.
        let cell = contrast(theme.cell_full(), theme.boxes());
        assert!(cell >= 4.5, "cells {cell:.1}, projector {t}");
        let value = contrast(text_on(theme.cell_full()), theme.cell_full());
        assert!(value >= 4.5, "byte values {value:.1}, projector {t}");
        // The write path's page titles (DIRTY, >disk) on the page cache's band.
        for (what, c) in [("dirty", theme.dirty()), ("writeback", theme.writeback())] {
            for bg in [theme.boxes(), theme.band_kernel()] {
                let r = contrast(c, bg);
                assert!(r >= 4.5, "{what} titles {r:.1}, projector {t}");
            }
        }
    }
    // A byte value reads on every agent's colour as it lands.
    for agent in [palette::CPU, palette::DMA, palette::DEVICE] {
        assert!(contrast(text_on(agent), agent) >= 4.5);
    }
}

/// An O_DIRECT copy goes between the hardware and user space: its token's path
/// keeps out of the page cache (the one thing O_DIRECT avoids) and of the socket.
#[test]
fn an_o_direct_token_never_crosses_the_page_cache() {
    use iolab::app::scene::layout::Layout;
    use iolab::sim::event::Place;
    let app = app_for("direct_io");
    let st = view(&app).state;
    // Both layouts: the normal one and presentation mode's, whose page cache is taller.
    for present in [false, true] {
        let layout = Layout::new(&st, present, false, false);
        for offset in [0u64, 7, 20, 39] {
            for (from, to) in [
                (Place::Controller { offset: 0 }, Place::User { offset }),
                (Place::User { offset }, Place::Controller { offset: 0 }),
            ] {
                for k in 0..=200 {
                    let p = layout.path(&st, from, to, k as f32 / 200.0);
                    for b in [layout.cache, layout.socket_box] {
                        assert!(
                            !b.contains(p),
                            "{from:?} -> {to:?} passes {p:?} inside {b:?} (present: {present})"
                        );
                    }
                }
            }
        }
    }
}

/// The editor sets io_uring's queue depth and SQPOLL (a wrong depth is named and
/// keeps the run); switching to another method drops SQPOLL. The rings in the
/// scene state empty by the end: every entry taken, every completion read.
#[test]
fn the_editor_sets_io_uring_s_depth_and_sqpoll_and_the_rings_end_empty() {
    use iolab::app::Editor;
    use iolab::sim::Method;
    let mut app = app_for("io_uring");
    let world = app.world_mut();
    world.resource_scope(|world, mut editor: Mut<Editor>| {
        let mut loaded = world.resource_mut::<Loaded>();
        let before = loaded.generation;
        editor.queue_depth_text = "two".into();
        editor.apply(&mut loaded);
        let err = editor.error.clone().unwrap_or_default();
        assert!(err.contains("queue depth") && err.contains("two"), "{err}");
        assert_eq!(loaded.generation, before, "the run is kept");
        editor.queue_depth_text = "2".into();
        editor.sqpoll = true;
        editor.apply(&mut loaded);
        assert!(editor.error.is_none(), "{:?}", editor.error);
        let s = &loaded.replay.setup;
        assert_eq!((s.queue_depth, s.sqpoll), (2, true));
        let end = loaded.replay.state_at(loaded.replay.events.len());
        assert_eq!(end.counters.syscalls, 2);
        assert!(end.uring.sq.is_empty() && end.uring.cq.is_empty());
        assert!(end.uring.in_flight.is_empty() && !end.uring.sq_thread);
        assert_eq!(end.uring.doorbells, 2);
        // Midway the completion ring holds entries the program has not read yet.
        let most = (0..loaded.replay.events.len())
            .map(|i| loaded.replay.state_at(i).uring.cq.len())
            .max()
            .unwrap();
        assert!(most >= 3, "{most}");
        editor.method = Method::Sendfile;
        editor.apply(&mut loaded);
        assert!(editor.error.is_none(), "{:?}", editor.error);
        assert!(!loaded.replay.setup.sqpoll);
    });
}

/// The file dialog's answer opens the file; a cancelled dialog (no answer) keeps
/// the run. (The dialog itself needs a desktop; its task is stood in for here.)
#[test]
fn a_file_chosen_in_the_dialog_opens_and_a_cancel_keeps_the_run() {
    use bevy::tasks::AsyncComputeTaskPool;
    use iolab::app::dialog::FileDialog;
    let mut app = app_for("pio_read");
    let generation = app.world().resource::<Loaded>().generation;
    app.world_mut().resource_mut::<FileDialog>().task =
        Some(AsyncComputeTaskPool::get().spawn(async { None }));
    for _ in 0..50 {
        app.update();
        if app.world().resource::<FileDialog>().task.is_none() {
            break;
        }
    }
    assert!(app.world().resource::<FileDialog>().task.is_none());
    assert_eq!(app.world().resource::<Loaded>().generation, generation);
    assert!(app.world().resource::<iolab::app::Editor>().no_file_chosen);
    let chosen = scene("io_uring");
    app.world_mut().resource_mut::<FileDialog>().task =
        Some(AsyncComputeTaskPool::get().spawn(async move { Some(chosen) }));
    for _ in 0..50 {
        app.update();
        if app.world().resource::<FileDialog>().task.is_none() {
            break;
        }
    }
    let loaded = app.world().resource::<Loaded>();
    assert!(loaded.generation > generation);
    assert_eq!(loaded.replay.setup.method, iolab::sim::Method::IoUring);
    let editor = app.world().resource::<iolab::app::Editor>();
    assert!(
        editor.path_text.ends_with("io_uring.ron"),
        "{}",
        editor.path_text
    );
    // Save as through the dialog: a cancel saves nothing and says so; a chosen
    // file is written with the run, and its path goes into the field.
    let run = |app: &mut App, answer: Option<std::path::PathBuf>| {
        let mut d = app.world_mut().resource_mut::<FileDialog>();
        d.saving = true;
        d.task = Some(AsyncComputeTaskPool::get().spawn(async move { answer }));
        for _ in 0..50 {
            app.update();
            if app.world().resource::<FileDialog>().task.is_none() {
                break;
            }
        }
        let e = app.world().resource::<iolab::app::Editor>();
        (e.save_status.clone(), e.save_path.clone())
    };
    let (status, _) = run(&mut app, None);
    assert_eq!(status, Some(iolab::app::FileStatus::NotChosen));
    let path = std::env::temp_dir().join(format!("iolab-save-dialog-{}.ron", std::process::id()));
    let (status, typed) = run(&mut app, Some(path.clone()));
    assert_eq!(status, Some(iolab::app::FileStatus::Wrote(path.clone())));
    assert_eq!(typed, path.display().to_string());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("io_uring"), "{text}");
    std::fs::remove_file(&path).ok();
}

/// The app from the keyboard: F1 (or ?) lists the keys, C opens the compare view
/// with the lecture's first comparison, Esc closes the innermost thing open
/// (the list, the compare view, presentation mode); none acts while typing.
#[test]
fn the_keys_open_help_compare_and_escape_closes_them_in_turn() {
    use iolab::app::keys::Help;
    use iolab::app::playback::{Present, Typing};
    let mut app = app_for("read_write");
    press(&mut app, &[KeyCode::F1]);
    assert!(app.world().resource::<Help>().0);
    press(&mut app, &[KeyCode::Escape]);
    assert!(!app.world().resource::<Help>().0);
    press(&mut app, &[KeyCode::ShiftLeft, KeyCode::Slash]);
    assert!(app.world().resource::<Help>().0, "? opens it too");
    press(&mut app, &[KeyCode::KeyC]);
    let cmp = app.world().resource::<iolab::app::compare::Comparison>();
    assert!(cmp.open && cmp.runs.len() == 4, "{:?}", cmp.error);
    press(&mut app, &[KeyCode::Escape]);
    assert!(!app.world().resource::<Help>().0);
    assert!(
        app.world()
            .resource::<iolab::app::compare::Comparison>()
            .open
    );
    press(&mut app, &[KeyCode::Escape]);
    assert!(
        !app.world()
            .resource::<iolab::app::compare::Comparison>()
            .open
    );
    press(&mut app, &[KeyCode::KeyP]);
    assert!(app.world().resource::<Present>().0);
    press(&mut app, &[KeyCode::Escape]);
    assert!(!app.world().resource::<Present>().0);
    // Typing in a field: F1 is a key like any other.
    app.world_mut().resource_mut::<Typing>().0 = true;
    press(&mut app, &[KeyCode::F1]);
    assert!(!app.world().resource::<Help>().0);
}

/// A lesson in the app, without a window: each step opens its scene stopped at its
/// moment; the answer stays hidden until the student answers; right and wrong are
/// recognised and scored; steps go forward and back; the teacher sees every answer.
#[test]
fn a_lesson_steps_checks_answers_and_scores() {
    use iolab::app::{Editor, LessonPanel};
    use iolab::i18n::Lang;
    let mut app = app_for("read_write");
    let lesson = iolab::lesson::load(std::path::Path::new("pio_to_zero_copy")).unwrap();
    let world = app.world_mut();
    world.resource_scope(|world, mut editor: Mut<Editor>| {
        let mut loaded = world.resource_mut::<Loaded>();
        let mut panel = LessonPanel::default();
        panel.start(lesson.clone(), 0, &mut editor, &mut loaded, Lang::En);
        assert_eq!(panel.step(), (0, lesson.steps.len()));
        assert_eq!(
            loaded.replay.setup.name,
            "PIO read: the CPU moves every byte"
        );
        assert!(!panel.revealed(), "the answer waits for the student");
        assert!(panel.asking(), "meanwhile the counts are hidden");
        // Step 1 asks for the interrupts of the PIO read: 3.
        assert_eq!(panel.check("3"), Some(true));
        assert!(panel.revealed() && !panel.asking());
        assert_eq!(panel.check("4"), None, "one answer per checkpoint");
        panel.go(true, &mut editor, &mut loaded, Lang::En);
        assert_eq!(panel.step().0, 1);
        assert!(!panel.revealed());
        assert_eq!(
            panel.check("2"),
            Some(false),
            "the DMA read takes 1 interrupt"
        );
        assert_eq!(panel.score(), (1, 2));
        // Step 3 stops at the first write(): the playhead's stop is inside the run.
        panel.go(true, &mut editor, &mut loaded, Lang::En);
        let stop = panel.pending_stop().unwrap();
        assert!(stop > 0 && stop < loaded.replay.events.len());
        panel.go(false, &mut editor, &mut loaded, Lang::En);
        assert_eq!(panel.step().0, 1);
        panel.set_teacher(true);
        assert!(panel.revealed());
    });
}

/// The presenter's keys in a lesson: → and PageDown go to the next step (not the
/// next event), ← and PageUp back; Space shows an open question's answer (asked,
/// not right); a digit picks a choice; Shift + → still steps the run itself.
#[test]
fn a_lesson_answers_the_presenters_keys() {
    use iolab::app::LessonPanel;
    use iolab::app::lesson::StartLesson;
    let mut app = app_for("read_write");
    app.insert_resource(StartLesson(Some((PathBuf::from("pio_to_zero_copy"), 1))));
    app.update();
    app.update();
    let step = |app: &App| app.world().resource::<LessonPanel>().step().0;
    let stop = |app: &App| app.world().resource::<Playhead>().applied;
    assert_eq!(step(&app), 0);
    assert!(app.world().resource::<LessonPanel>().asking());
    // Space shows the answer: asked once, nothing right, the run not played.
    press(&mut app, &[KeyCode::Space]);
    let panel = app.world().resource::<LessonPanel>();
    assert!(panel.revealed() && panel.score() == (0, 1));
    assert!(!app.world().resource::<Playhead>().playing);
    // PageDown: step 2 (the DMA read), at its stop, the run's end.
    press(&mut app, &[KeyCode::PageDown]);
    assert_eq!(step(&app), 1);
    assert_eq!(
        stop(&app),
        app.world().resource::<Loaded>().replay.events.len()
    );
    // → then a digit: step 3 asks who makes the next copy; 1 is "cpu".
    press(&mut app, &[KeyCode::ArrowRight]);
    assert_eq!(step(&app), 2);
    let at = stop(&app);
    let panel = app.world().resource::<LessonPanel>();
    let cp = panel.checkpoint().expect("step 3 asks").clone();
    assert_eq!(cp.choices, ["cpu", "dma"]);
    let pick = cp.choices.iter().position(|c| *c == cp.answer).unwrap();
    let digit = [KeyCode::Digit1, KeyCode::Digit2][pick];
    press(&mut app, &[digit]);
    let panel = app.world().resource::<LessonPanel>();
    assert_eq!(panel.verdict(), Some(true));
    assert_eq!(panel.score(), (1, 2));
    // The answer shown, the run plays on: the next copy happens on screen.
    assert!(app.world().resource::<Playhead>().playing);
    app.world_mut().resource_mut::<Playhead>().playing = false;
    // Shift + → moves the playhead a cycle, the lesson stays on its step.
    let cycle = app.world().resource::<Playhead>().cycle;
    press(&mut app, &[KeyCode::ShiftLeft, KeyCode::ArrowRight]);
    assert_eq!(step(&app), 2);
    assert!(stop(&app) >= at);
    assert!(app.world().resource::<Playhead>().cycle > cycle);
    // ← and PageUp: back two steps.
    press(&mut app, &[KeyCode::ArrowLeft]);
    press(&mut app, &[KeyCode::PageUp]);
    assert_eq!(step(&app), 0);
    // Step 6 asks which run leaves the CPU freest: Space shows the answer and
    // the three runs race in the compare view; the next step closes it.
    for _ in 0..5 {
        press(&mut app, &[KeyCode::PageDown]);
    }
    assert_eq!(step(&app), 5);
    press(&mut app, &[KeyCode::Space]);
    let cmp = app.world().resource::<iolab::app::compare::Comparison>();
    assert!(
        cmp.open && cmp.runs.len() == 3,
        "the compare view shows the runs"
    );
    press(&mut app, &[KeyCode::PageDown]);
    app.update();
    assert!(
        !app.world()
            .resource::<iolab::app::compare::Comparison>()
            .open
    );
}

/// The editor's reclaim policy: with two_list on the pollution scene, the lists the
/// scene draws as two rows hold the hot files on the active row and the video,
/// read once, on the inactive row only.
#[test]
fn two_list_puts_the_hot_files_on_the_active_row() {
    use iolab::app::Editor;
    use iolab::app::scene::layout::Layout;
    use iolab::sim::page_cache::Policy;
    let mut app = app_for("page_cache_pollution");
    let world = app.world_mut();
    world.resource_scope(|world, mut editor: Mut<Editor>| {
        let mut loaded = world.resource_mut::<Loaded>();
        assert!(!editor.two_list, "the scene starts with lru");
        editor.two_list = true;
        editor.apply(&mut loaded);
        assert_eq!(editor.error, None);
        let r = &loaded.replay;
        assert_eq!(r.setup.hw.cache_policy, Policy::TwoList);
        let mid = r.state_at(r.events.len() / 2);
        let files = |list: &[u32]| -> std::collections::BTreeSet<u32> {
            list.iter().map(|&f| mid.frame_files[f as usize]).collect()
        };
        let video = 2;
        assert!(!mid.active.is_empty() && !files(&mid.active).contains(&video));
        assert!(files(&mid.inactive).contains(&video));
        // Both rows lie in the notes' box, one above the other, in both modes.
        for present in [false, true] {
            let l = Layout::new(&mid, present, false, true);
            let (active, inactive) = l.lists.expect("two rows");
            assert!(l.kinfo.contains(active.min) && l.kinfo.contains(inactive.max));
            assert!(active.min.y > inactive.max.y);
        }
    });
}

/// A lesson file opened in the app: a broken one is named with its line and
/// column and the lesson under way stays; a good one starts at its first step.
#[test]
fn a_broken_lesson_file_is_named_and_the_lesson_kept() {
    use iolab::app::{Editor, LessonPanel};
    use iolab::i18n::Lang;
    let mut app = app_for("read_write");
    let dir = std::env::temp_dir().join(format!("iolab-lesson-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.ron");
    std::fs::write(
        &bad,
        "(\n    version: 1,\n    title: \"x\",\n    steps: [ (scene: ) ],\n)\n",
    )
    .unwrap();
    let world = app.world_mut();
    world.resource_scope(|world, mut editor: Mut<Editor>| {
        let mut loaded = world.resource_mut::<Loaded>();
        let mut panel = LessonPanel::default();
        let path = std::path::Path::new("page_cache");
        panel
            .open_file(path, &mut editor, &mut loaded, Lang::En)
            .unwrap();
        let title = panel.title().unwrap().to_string();
        let err = panel
            .open_file(&bad, &mut editor, &mut loaded, Lang::En)
            .unwrap_err();
        assert!(err.contains("bad.ron:4:"), "{err}");
        assert_eq!(panel.title(), Some(title.as_str()), "the lesson stays");
        assert_eq!(panel.step().0, 0);
    });
    std::fs::remove_dir_all(&dir).ok();
}

/// Mid-run the counters panel says how many bytes each agent has copied so far
/// out of the run's total, moving with the bytes drawn (copies in flight too, so a
/// PIO copy under way is not "0 B"); at the end it gives copies per byte.
#[test]
fn the_counters_panel_shows_bytes_so_far_that_move_with_the_picture() {
    let tr = iolab::i18n::Texts::of(iolab::i18n::Lang::En);
    for name in ["read_write", "pio_read"] {
        let app = app_for(name);
        let r = app.world().resource::<Loaded>().replay.clone();
        let total = iolab::sim::Counters::of(&r.events);
        let end = r.total_cycles();
        let (mut last, mut moved_in_flight) = ([0u64; 2], false);
        for cycle in 0..end {
            let mut p = Playhead::start_of(&r, 0);
            let mut v = View {
                state: r.state_at(0),
                flights: Vec::new(),
                generation: u64::MAX,
            };
            p.seek_cycle(&r, cycle as f64);
            iolab::app::playback::refresh(&mut v, &r, &p);
            let texts = iolab::app::panels::info::values(
                &v.state.counters,
                cycle,
                Some(&total),
                &v.flights,
                &tr,
            );
            for (i, key) in ["app.m_cpu_copies", "app.m_dma_copies"].iter().enumerate() {
                let text = &texts.iter().find(|(k, _)| k == key).unwrap().1;
                let all = [total.cpu_copy_bytes, total.dma_copy_bytes][i];
                if all == 0 {
                    // PIO: no DMA copy in the whole run says so, not "0 B of 0 B".
                    assert_eq!(text.as_str(), tr.t("app.copied_none"), "{name} c{cycle}");
                    continue;
                }
                let nums: Vec<u64> = text
                    .split(|c: char| !c.is_ascii_digit())
                    .filter_map(|w| w.parse().ok())
                    .collect();
                assert!(
                    text.ends_with("B so far") && nums.len() == 2,
                    "{name} c{cycle}: {text}"
                );
                let (now, of) = (nums[0], nums[1]);
                assert!(
                    now >= last[i] && now <= of,
                    "{name} c{cycle}: {text} after {}",
                    last[i]
                );
                let done = if i == 0 {
                    v.state.counters.cpu_copy_bytes
                } else {
                    v.state.counters.dma_copy_bytes
                };
                moved_in_flight |= now > done;
                last[i] = now;
            }
        }
        assert!(
            moved_in_flight,
            "{name}: a copy in flight shows its bytes before it ends"
        );
        for (shown, all) in last
            .iter()
            .zip([total.cpu_copy_bytes, total.dma_copy_bytes])
        {
            assert_eq!(*shown > 0, all > 0, "{name}: {last:?} of {all}");
        }
        if name == "pio_read" {
            assert_eq!(total.dma_copy_bytes, 0, "PIO makes no DMA copy");
        }
        // At the end: copies per byte.
        let p = {
            let mut p = Playhead::start_of(&r, 0);
            p.to_end(&r);
            p
        };
        let mut v = View {
            state: r.state_at(0),
            flights: Vec::new(),
            generation: u64::MAX,
        };
        iolab::app::playback::refresh(&mut v, &r, &p);
        let texts = iolab::app::panels::info::values(&v.state.counters, end, None, &v.flights, &tr);
        let cpu = &texts
            .iter()
            .find(|(k, _)| *k == "app.m_cpu_copies")
            .unwrap()
            .1;
        assert!(
            cpu.contains(&format!("({} B)", total.cpu_copy_bytes)),
            "{name}: {cpu}"
        );
    }
}

#[test]
fn key_f_shows_the_whole_route_and_goes_back_where_it_was() {
    use iolab::app::playback::{Figure, Present};
    let mut app = app_for("read_write");
    press(&mut app, &[KeyCode::ArrowRight]);
    press(&mut app, &[KeyCode::ArrowRight]);
    let before = app.world().resource::<Playhead>().clone();
    let events = app.world().resource::<Loaded>().replay.events.len();
    assert!(before.applied > 0 && before.applied < events);
    for leave in [KeyCode::KeyF, KeyCode::Escape] {
        press(&mut app, &[KeyCode::KeyF]);
        let p = app.world().resource::<Playhead>().clone();
        assert_eq!(p.applied, events, "F shows the run at its end");
        assert!(app.world().resource::<Present>().0, "without the panels");
        assert!(app.world().resource::<Figure>().is_on());
        assert_eq!(view(&app).state.applied, events);
        press(&mut app, &[leave]);
        let p = app.world().resource::<Playhead>().clone();
        assert_eq!(p.applied, before.applied, "{leave:?} goes back");
        assert_eq!(p.cycle, before.cycle);
        assert!(!app.world().resource::<Present>().0, "the panels again");
        assert!(!app.world().resource::<Figure>().is_on());
    }
}

/// An interrupt pin's name reads on the pin at every moment of every shipped
/// scene, lit (yellow pending, orange handled) or quiet, in both themes.
#[test]
fn an_interrupt_pin_s_name_reads_on_it_lit_or_not() {
    use iolab::app::palette::{Theme, contrast};
    use iolab::app::scene::pin_look;
    use iolab::sim::event::IrqLine;
    let mut lit = 0;
    for entry in
        std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenes")).unwrap()
    {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ron") {
            continue;
        }
        let (loaded, _) = initial(&Some(path.clone())).expect("scene loads");
        let r = &loaded.replay;
        // Every event of the small scenes; about 400 moments of a long one.
        for k in (0..=r.events.len()).step_by((r.events.len() / 400).max(1)) {
            let st = r.state_at(k);
            for line in [IrqLine::Disk, IrqLine::Dma, IrqLine::Nic] {
                for theme in [Theme { projector: false }, Theme { projector: true }] {
                    let (pin, name) = pin_look(&st, line, &theme);
                    let c = contrast(name, pin);
                    assert!(
                        c >= 4.5,
                        "{}: event {k}, {line:?}, projector {}: {c:.1}",
                        path.display(),
                        theme.projector
                    );
                    if pin != theme.cell_empty() {
                        lit += 1;
                    }
                }
            }
        }
    }
    assert!(lit > 50, "pins are lit in the shipped scenes ({lit})");
}

/// The right panel at 1600 × 900: every text it draws lies inside the part of
/// the panel that shows, on a 64 MiB run whose counts are long ("2.6 MiB of
/// 129.0 MiB so far" ran off the window's edge, the narration with it) as on a
/// classroom one.
#[test]
fn the_right_panel_s_texts_stay_inside_it() {
    use bevy_egui::egui;
    let tr = iolab::i18n::Texts::of(iolab::i18n::Lang::En);
    for (name, at) in [("page_cache_pollution", 3000usize), ("read_write", 44)] {
        let app = app_for(name);
        let r = app.world().resource::<Loaded>().replay.clone();
        let loaded = app.world().resource::<Loaded>();
        let mut p = Playhead::start_of(&r, 0);
        p.seek_event(&r, at);
        let mut v = View {
            state: r.state_at(0),
            flights: Vec::new(),
            generation: u64::MAX,
        };
        iolab::app::playback::refresh(&mut v, &r, &p);
        let ctx = egui::Context::default();
        let mut mem = iolab::app::panels::info::Memory::default();
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1600.0, 900.0));
        let mut shapes = Vec::new();
        let mut panel = 0.0;
        // A few frames: egui sizes panels and scroll areas from the last frame.
        for _ in 0..3 {
            let input = egui::RawInput {
                screen_rect: Some(screen),
                ..Default::default()
            };
            let out = ctx.run_ui(input, |ui| {
                let room = ui.ctx().content_rect().size();
                panel = iolab::app::panels::right_panel(ui, room, |ui| {
                    iolab::app::panels::info::show(
                        ui, loaded, &v, &mut p, &mut mem, 0.0, &tr, false,
                    )
                });
            });
            shapes = out.shapes.clone();
            out.drop_without_applying_deltas();
        }
        assert!(
            panel > 200.0 && panel <= 1600.0 * 0.3 + 1.0,
            "{name}: {panel}"
        );
        let mut texts = 0;
        for s in &shapes {
            let egui::Shape::Text(t) = &s.shape else {
                continue;
            };
            let text = t.galley.text().to_string();
            if text.trim().is_empty() {
                continue;
            }
            texts += 1;
            let right = s.shape.visual_bounding_rect().max.x;
            assert!(
                right <= screen.max.x && right <= s.clip_rect.max.x + 1.0,
                "{name}: '{text}' ends at x = {right:.0}, past its clip {:.0}",
                s.clip_rect.max.x
            );
        }
        assert!(texts > 20, "{name}: the panel drew its texts ({texts})");
    }
}
