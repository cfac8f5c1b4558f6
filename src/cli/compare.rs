//! `iolab compare`: the same conditions through several methods, as a table and
//! as bar charts.

use std::path::PathBuf;

use super::flags::RunFlags;
use crate::compare::{self, RUN_COLOURS, TableFormat};
use crate::session::{Overrides, UserError, write_atomic};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum TableArg {
    Text,
    Markdown,
    Csv,
    Json,
}

pub fn compare(
    scenario: Option<PathBuf>,
    methods: Vec<String>,
    flags: &RunFlags,
    format: TableArg,
    svg: Option<PathBuf>,
    lang: crate::i18n::Lang,
) -> Result<(), UserError> {
    if methods.len() > RUN_COLOURS.len() && svg.is_some() {
        return Err(UserError(format!(
            "--svg: at most {} methods fit on one chart (got {})",
            RUN_COLOURS.len(),
            methods.len()
        )));
    }
    let rows = compare::compare(&scenario, &Overrides::from(flags), &methods)?;
    let format = match format {
        TableArg::Text => TableFormat::Text,
        TableArg::Markdown => TableFormat::Markdown,
        TableArg::Csv => TableFormat::Csv,
        TableArg::Json => TableFormat::Json,
    };
    print!("{}", compare::render(&rows, format));
    if let Some(path) = svg {
        let title = match &scenario {
            Some(p) => format!("iolab compare: {}", p.display()),
            None => "iolab compare".to_string(),
        };
        let text = compare::svg(&rows, &title, lang).map_err(UserError)?;
        write_atomic(&path, text.as_bytes())
            .map_err(|e| UserError(format!("--svg {}: {e}", path.display())))?;
    }
    Ok(())
}
