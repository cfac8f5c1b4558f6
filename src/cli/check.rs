//! `iolab check`: validates scenario and lesson files, each problem with
//! file:line:column (a lesson: its steps' scenes run and its questions answered).

use std::path::PathBuf;

use crate::scenario;
use crate::session::{Overrides, UserError, locate, resolve};

pub fn check(files: &[PathBuf]) -> Result<(), UserError> {
    let mut bad = 0;
    for f in files {
        if is_lesson(f) {
            match check_lesson(f) {
                Ok(n) => println!("ok  {}  (lesson, {n} steps)", f.display()),
                Err(e) => {
                    eprintln!("error: {e}");
                    bad += 1;
                }
            }
            continue;
        }
        let path = Some(f.clone());
        match resolve(&path, &Overrides::default()) {
            Ok((_, setup)) => {
                if let Some((field, msg)) = setup.dio_problem() {
                    let at = locate(&path, &Overrides::default(), scenario::ron_path(field));
                    eprintln!("error: {at}: {msg}");
                    bad += 1;
                    continue;
                }
                println!("ok  {}  ({})", f.display(), super::run::describe(&setup));
            }
            Err(e) => {
                eprintln!("error: {e}");
                bad += 1;
            }
        }
    }
    if bad > 0 {
        Err(UserError(format!(
            "{bad} of {} scenario files have problems",
            files.len()
        )))
    } else {
        Ok(())
    }
}

/// A lesson file: under a `lessons` folder, or a shipped lesson's name.
fn is_lesson(f: &std::path::Path) -> bool {
    f.parent().is_some_and(|p| p.ends_with("lessons"))
        || f.file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| crate::lesson::BUILTIN_LESSONS.iter().any(|l| l.0 == s))
}

/// Every step's scene runs, its stop exists, its question has an answer.
fn check_lesson(f: &std::path::Path) -> Result<usize, UserError> {
    let l = crate::lesson::load(f)?;
    for (i, step) in l.steps.iter().enumerate() {
        let at = |UserError(m)| UserError(format!("{}: step {}: {m}", f.display(), i + 1));
        let r = crate::lesson::run(&step.scene, step.method.as_deref()).map_err(at)?;
        crate::lesson::stop(&r, &step.at).map_err(at)?;
        for lang in crate::i18n::Lang::ALL {
            crate::lesson::checkpoint(step, lang).map_err(at)?;
        }
    }
    Ok(l.steps.len())
}
