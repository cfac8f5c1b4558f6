//! Opening a scenario, and saving one, through the system's file dialog (the
//! desktop portal on Linux, the native dialog on Windows and macOS). The dialog
//! runs as a task, so the animation keeps drawing; where no dialog is available
//! it simply returns nothing, and typing the path stays the way in.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};

use super::model::{Editor, FileStatus, Loaded};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FileDialog>()
        .add_systems(Update, (start, finish).chain());
}

/// The dialog open now, if any: it ends with the chosen file, or none.
#[derive(Resource, Default)]
pub struct FileDialog {
    pub task: Option<Task<Option<PathBuf>>>,
    /// The file chosen is to be written (Save as), not opened.
    pub saving: bool,
}

/// The scenario panel's "…" buttons ask for a dialog: one to open a scenario,
/// one beside Save as.
fn start(
    mut editor: ResMut<Editor>,
    mut dialog: ResMut<FileDialog>,
    tr: Option<Res<super::lang::Tr>>,
) {
    // Read first: taking the flag every frame would mark the editor changed.
    if !(editor.browse || editor.browse_save) || dialog.task.is_some() {
        return;
    }
    let saving = editor.browse_save;
    editor.browse = false;
    editor.browse_save = false;
    dialog.saving = saving;
    let dir = std::env::current_dir().ok();
    // The name typed beside Save as, offered in the dialog.
    let name = std::path::Path::new(editor.save_path.trim())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    // In the viewer's language, like the rest of the app.
    let texts = tr.map_or_else(
        || crate::i18n::Texts::of(crate::i18n::Lang::En),
        |tr| tr.texts.clone(),
    );
    let title = texts
        .t(if saving {
            "app.dialog_save_title"
        } else {
            "app.dialog_title"
        })
        .into_owned();
    let filter = texts.t("app.dialog_filter").into_owned();
    dialog.task = Some(AsyncComputeTaskPool::get().spawn(async move {
        let mut d = rfd::AsyncFileDialog::new()
            .set_title(title)
            .add_filter(filter, &["ron"]);
        if let Some(dir) = dir {
            d = d.set_directory(dir);
        }
        let chosen = if saving {
            if let Some(name) = name {
                d = d.set_file_name(name);
            }
            d.save_file().await
        } else {
            d.pick_file().await
        };
        chosen.map(|f| f.path().to_path_buf())
    }));
}

/// The dialog has closed: open what was chosen (an error keeps the current run),
/// or save to it.
fn finish(mut dialog: ResMut<FileDialog>, mut editor: ResMut<Editor>, mut loaded: ResMut<Loaded>) {
    let Some(task) = dialog.task.as_mut() else {
        return;
    };
    let Some(chosen) = check_ready(task) else {
        return;
    };
    dialog.task = None;
    match (chosen, dialog.saving) {
        (Some(path), false) => editor.open(&mut loaded, None, Some(path)),
        // Cancelled, or no dialog on this desktop: say how else to open a file.
        (None, false) => editor.no_file_chosen = true,
        (Some(path), true) => {
            editor.save_path = path.display().to_string();
            if let Err(e) = editor.save_as(&path) {
                editor.save_status = Some(FileStatus::Failed(e));
            }
        }
        (None, true) => editor.save_status = Some(FileStatus::NotChosen),
    }
}
