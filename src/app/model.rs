//! The run on screen and the scenario editor that produces it.
//!
//! Editing re-runs the simulator at once. A scenario that fails keeps the old run
//! playing and shows the error; the editor keeps what the user typed.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::window::FileDragAndDrop;

use crate::replay::Replay;
use crate::scenario::CacheState;
use crate::scenario::{self, BUILTIN_SCENES, Scenario};
use crate::session::{self, Overrides};
use crate::sim::Method;
use crate::sim::program::SyncMode;
use crate::sim::{DiskTransfer, Style};

pub(super) fn plugin(app: &mut App) {
    // Registered by the window plugin too; headless tests have no window.
    if !app.world().contains_resource::<Messages<FileDragAndDrop>>() {
        app.add_message::<FileDragAndDrop>();
    }
    app.add_systems(Update, open_dropped_file);
}

/// A scenario file dropped onto the window opens as if typed into the path box.
fn open_dropped_file(
    mut drops: MessageReader<FileDragAndDrop>,
    mut editor: ResMut<Editor>,
    mut loaded: ResMut<Loaded>,
) {
    for drop in drops.read() {
        if let FileDragAndDrop::DroppedFile { path_buf, .. } = drop {
            editor.open(&mut loaded, None, Some(path_buf.clone()));
        }
    }
}

/// The run being shown. `generation` changes whenever a new run replaces it.
#[derive(Resource)]
pub struct Loaded {
    pub replay: Replay,
    pub title: String,
    pub notes: Option<String>,
    pub generation: u64,
}

/// The scenario panel's state: the chosen scene, the path box and the overrides.
#[derive(Resource)]
pub struct Editor {
    /// Index into BUILTIN_SCENES, or None for a file opened by path / the default.
    pub scene: Option<usize>,
    pub base: Scenario,
    pub path_text: String,
    /// The "…" button was pressed: open the system's file dialog.
    pub browse: bool,
    /// The "…" beside Save as asks for a save dialog.
    pub browse_save: bool,
    /// The dialog closed with no file.
    pub no_file_chosen: bool,
    pub method: Method,
    pub file_size_text: String,
    pub buffer_size_text: String,
    pub disk_pio: bool,
    pub nic_sg: bool,
    pub warm: bool,
    /// The page cache keeps Linux's active and inactive lists (else LRU).
    pub two_list: bool,
    pub realistic: bool,
    pub profile: String,
    /// How the write methods' file reaches the disk.
    pub sync: SyncMode,
    /// direct_aio and io_uring: requests in flight, or chunks per batch.
    pub queue_depth_text: String,
    /// io_uring: the kernel's thread polls the submission ring.
    pub sqpoll: bool,
    /// Disk completions are polled, not interrupts.
    pub poll: bool,
    pub error: Option<String>,
    /// Trace export: where, in which format, and what happened last time.
    pub export_path: String,
    pub export_format: crate::trace::Format,
    pub export_status: Option<FileStatus>,
    /// Save as: where, and what happened last time.
    pub save_path: String,
    pub save_status: Option<FileStatus>,
}

/// What became of the last export or save, shown under its button in the
/// viewer's language.
#[derive(Clone, Debug, PartialEq)]
pub enum FileStatus {
    Wrote(std::path::PathBuf),
    /// The file could not be written, or the run cannot be kept: why.
    Failed(String),
    /// The save dialog was cancelled, or this desktop has none.
    NotChosen,
}

impl FileStatus {
    pub fn text(&self, tr: &crate::i18n::Texts) -> String {
        match self {
            FileStatus::Wrote(p) => {
                tr.get("app.file_written", &[("path", p.display().to_string())])
            }
            FileStatus::Failed(e) => tr.get("app.file_failed", &[("error", e.clone())]),
            FileStatus::NotChosen => tr.t("app.save_not_chosen").into(),
        }
    }
}

/// Runs a scenario with overrides: the replay, or the message to show.
pub fn simulate(
    base: &Scenario,
    ov: &Overrides,
) -> Result<(Replay, String, Option<String>), String> {
    // A file the scenario came from lets errors name its line.
    let path = (!base.source.starts_with('<')).then(|| std::path::PathBuf::from(&base.source));
    let (sc, setup) = session::resolve_scenario(base.clone(), &path, ov, session::Naming::Fields)
        .map_err(|e| e.0)?;
    let mut m = session::simulate(setup).map_err(|e| e.0)?;
    let title = m.setup.name.clone();
    let events = std::mem::take(&mut m.log.events);
    Ok((
        Replay::new(m.setup.clone(), events),
        title,
        sc.notes.clone(),
    ))
}

impl Editor {
    /// An editor showing `base` with no overrides yet.
    pub fn for_scenario(base: Scenario, scene: Option<usize>) -> Result<Editor, String> {
        let setup = base
            .setup()
            .map_err(|(f, m)| format!("{}: {f}: {m}", base.source))?;
        Ok(Editor {
            scene,
            browse: false,
            browse_save: false,
            no_file_chosen: false,
            path_text: if scene.is_none() && !base.source.starts_with('<') {
                base.source.clone()
            } else {
                String::new()
            },
            method: setup.method,
            file_size_text: setup.file_size.to_string(),
            buffer_size_text: setup.buffer_size.to_string(),
            disk_pio: setup.hw.disk == crate::sim::DiskTransfer::Pio,
            nic_sg: setup.hw.nic_sg,
            warm: setup.warm_cache,
            two_list: setup.hw.cache_policy == crate::sim::page_cache::Policy::TwoList,
            realistic: setup.style == crate::sim::Style::Realistic,
            profile: setup.hw.profile.clone(),
            sync: setup.sync,
            queue_depth_text: setup.queue_depth.to_string(),
            sqpoll: setup.sqpoll,
            poll: setup.hw.completion == crate::sim::Completion::Poll,
            error: None,
            export_path: "iolab-trace.json".into(),
            export_format: crate::trace::Format::Chrome,
            export_status: None,
            save_path: "my-scenario.ron".into(),
            save_status: None,
            base,
        })
    }

    /// The editor's fields as command-line style overrides.
    pub fn overrides(&self) -> Result<Overrides, String> {
        let size =
            |t: &str, what: &str| scenario::parse_size(t).map_err(|e| format!("{what}: {e}"));
        Ok(Overrides {
            method: Some(self.method),
            file_size: Some(size(&self.file_size_text, "file size")?),
            buffer_size: Some(size(&self.buffer_size_text, "buffer size")?),
            disk: Some(if self.disk_pio {
                DiskTransfer::Pio
            } else {
                DiskTransfer::Dma
            }),
            nic_sg: Some(self.nic_sg),
            cache: Some(if self.warm {
                CacheState::Warm
            } else {
                CacheState::Cold
            }),
            style: Some(if self.realistic {
                Style::Realistic
            } else {
                Style::Textbook
            }),
            profile: Some(self.profile.clone()),
            // Only the write methods have a sync mode (a read must not inherit one).
            sync: Some(if self.method.writes() {
                self.sync
            } else {
                SyncMode::None
            }),
            queue_depth: if self.method.queued() {
                let d = self.queue_depth_text.trim();
                Some(
                    d.parse()
                        .map_err(|_| format!("queue depth: `{d}` is not a whole number"))?,
                )
            } else {
                None
            },
            // Only io_uring has the polling thread.
            sqpoll: Some(self.method == Method::IoUring && self.sqpoll),
            completion: Some(if self.poll {
                crate::sim::Completion::Poll
            } else {
                crate::sim::Completion::Irq
            }),
            policy: Some(if self.two_list {
                crate::sim::page_cache::Policy::TwoList
            } else {
                crate::sim::page_cache::Policy::Lru
            }),
            ..Overrides::default()
        })
    }

    /// Saves the scenario with the editor's conditions to `path` (atomically), as a
    /// commented RON file that `iolab check` accepts and that gives the same run.
    pub fn save_as(&mut self, path: &std::path::Path) -> Result<(), String> {
        let ov = self.overrides()?;
        let mut sc = self.base.clone();
        ov.apply(&mut sc);
        // The run must be possible before it is kept.
        let (_, setup) = session::resolve_scenario(
            sc.clone(),
            &None,
            &Overrides::default(),
            session::Naming::Fields,
        )
        .map_err(|e| e.0)?;
        // The editor may have changed what the base scene's name says.
        sc.file.name = Some(format!(
            "{} (saved from {})",
            setup.method.name(),
            setup.name
        ));
        let header = format!(
            "Saved from the iolab app ({} from {}).\nRun it: iolab run FILE, or open it: iolab gui FILE.",
            setup.method.name(),
            self.base.source
        );
        let text = sc.to_ron(&header)?;
        session::write_atomic(path, text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        self.save_status = Some(FileStatus::Wrote(path.to_path_buf()));
        Ok(())
    }

    /// Writes the run's event log to `export_path` (atomically).
    pub fn export(&mut self, loaded: &Loaded) {
        let r = &loaded.replay;
        let path = std::path::PathBuf::from(self.export_path.trim());
        let result = crate::trace::export(self.export_format, &r.events, &r.setup, false)
            .and_then(|b| crate::session::write_atomic(&path, &b).map_err(|e| e.to_string()));
        self.export_status = Some(match result {
            Ok(()) => FileStatus::Wrote(path),
            Err(e) => FileStatus::Failed(format!("{}: {e}", path.display())),
        });
    }

    /// Re-runs with the current fields; on success replaces the run, else keeps it.
    pub fn apply(&mut self, loaded: &mut Loaded) {
        let result = self.overrides().and_then(|ov| simulate(&self.base, &ov));
        match result {
            Ok((replay, title, notes)) => {
                loaded.replay = replay;
                loaded.title = title;
                loaded.notes = notes;
                loaded.generation += 1;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Switches to another scenario (a built-in scene or a file), keeping the old
    /// one on error.
    pub fn open(&mut self, loaded: &mut Loaded, scene: Option<usize>, path: Option<PathBuf>) {
        let base = match (scene, &path) {
            (Some(i), _) => BUILTIN_SCENES
                .get(i)
                .ok_or_else(|| "no such scene".to_string())
                .and_then(|(name, text)| {
                    scenario::parse(text, &format!("scenes/{name}.ron")).map_err(|e| e.to_string())
                }),
            (None, Some(p)) => scenario::load(p).map_err(|e| e.to_string()),
            (None, None) => Ok(scenario::builtin_default()),
        };
        match base.and_then(|b| Editor::for_scenario(b, scene)) {
            Ok(mut ed) => {
                ed.path_text = path
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| self.path_text.clone());
                ed.apply(loaded);
                if ed.error.is_none() {
                    *self = ed;
                } else {
                    self.error = ed.error;
                }
            }
            Err(e) => self.error = Some(e),
        }
    }
}

/// Loads the scenario the app starts with.
pub fn initial(path: &Option<PathBuf>) -> Result<(Loaded, Editor), String> {
    let base = match path {
        Some(p) => scenario::load(p).map_err(|e| e.to_string())?,
        None => scenario::builtin_default(),
    };
    let scene = None;
    let editor = Editor::for_scenario(base.clone(), scene)?;
    let (replay, title, notes) = simulate(&base, &Overrides::default())?;
    Ok((
        Loaded {
            replay,
            title,
            notes,
            generation: 1,
        },
        editor,
    ))
}
