//! `iolab check`: validates scenario files, each problem with file:line:column.

use std::path::PathBuf;

use crate::scenario;
use crate::session::{Overrides, UserError, locate, resolve};

pub fn check(files: &[PathBuf]) -> Result<(), UserError> {
    let mut bad = 0;
    for f in files {
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
