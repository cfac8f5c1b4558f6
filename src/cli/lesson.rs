//! `iolab lesson FILE`: a lesson in the terminal. Each step names its scene and
//! where it stops, says what to watch, and asks its question before it shows the
//! answer the simulator computed; a score at the end. `--teacher` shows the answers
//! at once. (`iolab gui SCENE --at-event ...` shows any step's picture.)

use std::io::BufRead;
use std::path::Path;

use crate::i18n::{Lang, Texts};
use crate::lesson::{self, is_right};
use crate::session::UserError;

pub fn lesson(file: &Path, lang: Lang, teacher: bool) -> Result<(), UserError> {
    let l = lesson::load(file)?;
    let t = Texts::of(lang);
    let zh = lang == Lang::Zh;
    let title = match (zh, &l.title_zh) {
        (true, Some(z)) => z.clone(),
        _ => l.title.clone(),
    };
    println!("{title}\n");
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let (mut asked, mut right) = (0, 0);
    let n = l.steps.len();
    for (i, step) in l.steps.iter().enumerate() {
        let scene = match (&step.method, &step.at) {
            (Some(m), Some(at)) => format!("{} ({m}, --at-event {at})", step.scene),
            (Some(m), None) => format!("{} ({m})", step.scene),
            (None, Some(at)) => format!("{} (--at-event {at})", step.scene),
            (None, None) => step.scene.clone(),
        };
        println!(
            "{}",
            t.get(
                "l_step",
                &[
                    ("i", (i + 1).to_string()),
                    ("n", n.to_string()),
                    ("scene", scene)
                ]
            )
        );
        let text = match (zh, &step.text_zh) {
            (true, Some(z)) => z,
            _ => &step.text,
        };
        println!("{text}");
        // The question is computed (and checked) before it is asked.
        let cp = lesson::checkpoint(step, lang).map_err(|UserError(m)| {
            UserError(format!("{}: step {}: {m}", file.display(), i + 1))
        })?;
        if let Some(cp) = cp {
            asked += 1;
            println!("? {}", cp.question);
            if teacher {
                println!("{}", t.get("l_answer", &[("answer", cp.answer.clone())]));
            } else {
                print!("{}", t.t("l_prompt"));
                use std::io::Write;
                let _ = std::io::stdout().flush();
                let given = lines.next().and_then(|l| l.ok()).unwrap_or_default();
                if is_right(&given, &cp.answer) {
                    right += 1;
                    println!("{}", t.get("l_right", &[("answer", cp.answer.clone())]));
                } else {
                    println!("{}", t.get("l_wrong", &[("answer", cp.answer.clone())]));
                }
            }
            println!("  {}", cp.why);
        }
        println!();
    }
    if !teacher {
        println!(
            "{}",
            t.get(
                "l_score",
                &[("right", right.to_string()), ("asked", asked.to_string())]
            )
        );
    }
    Ok(())
}
