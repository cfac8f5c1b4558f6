//! `iolab exercise`: a worksheet of reproducible problems, with scenario files and
//! (on request) the answer key the simulator computes.

use std::path::PathBuf;

use crate::session::{UserError, write_atomic};

pub fn exercise(
    seed: u64,
    count: usize,
    lang: &str,
    answers: bool,
    out: Option<PathBuf>,
) -> Result<(), UserError> {
    if count == 0 || count > 50 {
        return Err(UserError("--count: between 1 and 50 problems".into()));
    }
    let mut command = format!("iolab exercise --seed {seed} --count {count} --lang {lang}");
    if answers {
        command.push_str(" --answers");
    }
    let sheet =
        crate::exercise::generate(seed, count, lang, answers, &command).map_err(UserError)?;
    let Some(dir) = out else {
        print!("{}", sheet.markdown);
        return Ok(());
    };
    let err = |e: std::io::Error| UserError(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(err)?;
    write_atomic(&dir.join("worksheet.md"), sheet.markdown.as_bytes()).map_err(err)?;
    for (name, text) in &sheet.scenarios {
        write_atomic(&dir.join(name), text.as_bytes()).map_err(err)?;
    }
    if answers {
        let json = serde_json::to_string_pretty(&sheet.answers).unwrap_or_default();
        write_atomic(&dir.join("answers.json"), json.as_bytes()).map_err(err)?;
    }
    println!(
        "wrote {} (worksheet.md and {} scenarios)",
        dir.display(),
        sheet.scenarios.len()
    );
    Ok(())
}
