//! `iolab narrate`: the run's story as plain text, one line per step (cycle, then
//! the sentences the app shows): for a screen reader, for subtitles under a
//! recorded animation, for reading a run without the app.

use std::path::PathBuf;

use crate::i18n::{Lang, Texts};
use crate::session::{Overrides, UserError, resolve, simulate};

pub fn narrate(
    scenario: &Option<PathBuf>,
    ov: &Overrides,
    lang: Lang,
    from: Option<usize>,
    to: Option<usize>,
) -> Result<(), UserError> {
    let (_, setup) = resolve(scenario, ov)?;
    let m = simulate(setup)?;
    let t = Texts::of(lang);
    let events = &m.log.events;
    let last = events.len().saturating_sub(1);
    let (a, b) = (from.unwrap_or(0), to.unwrap_or(last));
    if a > last || b > last || a > b {
        return Err(UserError(format!(
            "--from-event {a} --to-event {b}: the run has {} events (0 to {last})",
            events.len()
        )));
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for e in &events[a..=b] {
        // The steps of the story; the bookkeeping after them is in the picture.
        if crate::narrate::is_step(&e.kind) {
            let line = crate::narrate::narrate_in(e, &m.setup, &t);
            // A reader that stops early (`| head`) is not an error.
            if writeln!(out, "{:>8}  {line}", e.cycle).is_err() {
                break;
            }
        }
    }
    Ok(())
}
