//! `iolab exercise`: a worksheet of reproducible problems, with scenario files and
//! (on request) the answer key the simulator computes.

use std::path::PathBuf;

use crate::session::{UserError, write_atomic};

#[allow(clippy::too_many_arguments)]
pub fn exercise(
    seed: u64,
    count: usize,
    lang: &str,
    answers: bool,
    out: Option<PathBuf>,
    kinds: Option<Vec<String>>,
    methods: Option<Vec<String>>,
) -> Result<(), UserError> {
    if count == 0 || count > 50 {
        return Err(UserError("--count: between 1 and 50 problems".into()));
    }
    use crate::exercise::{Choice, Kind, METHODS};
    let mut choice = Choice::default();
    let mut command = format!("iolab exercise --seed {seed} --count {count} --lang {lang}");
    if let Some(k) = &kinds {
        choice.kinds = k
            .iter()
            .map(|s| Kind::parse(s))
            .collect::<Result<_, _>>()
            .map_err(|e| UserError(format!("--kinds: {e}")))?;
        command.push_str(&format!(" --kinds {}", k.join(",")));
    }
    if let Some(m) = &methods {
        choice.methods = m
            .iter()
            .map(|s| {
                crate::sim::Method::parse(s.trim())
                    .filter(|m| METHODS.contains(m))
                    .ok_or_else(|| {
                        let names: Vec<_> = METHODS.iter().map(|m| m.name()).collect();
                        format!(
                            "--methods: `{s}` is not a method problems use (they use: {})",
                            names.join(", ")
                        )
                    })
            })
            .collect::<Result<_, _>>()
            .map_err(UserError)?;
        command.push_str(&format!(" --methods {}", m.join(",")));
    }
    if answers {
        command.push_str(" --answers");
    }
    let sheet = crate::exercise::generate(seed, count, lang, answers, &command, &choice)
        .map_err(UserError)?;
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

/// `iolab exercise grade DIR ANSWERS.json`: each answer the student gave against
/// the key in DIR/answers.json; a score, and every mark lost with the run's value.
pub fn grade(
    dir: &std::path::Path,
    student: &std::path::Path,
    lang: Option<crate::i18n::Lang>,
) -> Result<(), UserError> {
    let read = |p: &std::path::Path| -> Result<serde_json::Value, UserError> {
        let text =
            std::fs::read_to_string(p).map_err(|e| UserError(format!("{}: {e}", p.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| UserError(format!("{}:{}:{}: {e}", p.display(), e.line(), e.column())))
    };
    let key = read(&dir.join("answers.json"))?;
    let given = read(student)?;
    let (Some(key), Some(given)) = (key.as_array(), given.as_array()) else {
        return Err(UserError(format!(
            "{}: a list of answers, one object per problem, is expected",
            student.display()
        )));
    };
    // The sheet's language unless told: a Chinese sheet has Chinese in it.
    let lang = lang.unwrap_or_else(|| {
        let sheet = std::fs::read_to_string(dir.join("worksheet.md")).unwrap_or_default();
        if sheet
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            crate::i18n::Lang::Zh
        } else {
            crate::i18n::Lang::En
        }
    });
    let t = crate::i18n::Texts::of(lang);
    let (mut right, mut asked) = (0, 0);
    for g in given {
        let n = g["problem"].as_u64().unwrap_or(0);
        let Some(k) = key.iter().find(|k| k["problem"].as_u64() == Some(n)) else {
            println!("{}", t.get("g_no_problem", &[("n", n.to_string())]));
            continue;
        };
        let Some(fields) = g.as_object() else {
            continue;
        };
        for (field, v) in fields {
            if field == "problem" || field == "scenario" {
                continue;
            }
            asked += 1;
            let want = &k[field];
            let ok = match (v.as_f64(), want.as_f64(), v.as_str(), want.as_str()) {
                (Some(a), Some(b), ..) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                // A method, a model, page ranges: the same words, spaces aside.
                (.., Some(a), Some(b)) => {
                    let norm = |s: &str| s.split_whitespace().collect::<String>().to_lowercase();
                    norm(a) == norm(b)
                }
                _ => false,
            };
            if ok {
                right += 1;
            } else {
                println!(
                    "{}",
                    t.get(
                        "g_wrong",
                        &[
                            ("n", n.to_string()),
                            ("field", field.clone()),
                            ("given", v.to_string()),
                            ("want", want.to_string()),
                        ]
                    )
                );
            }
        }
    }
    let pct = if asked > 0 { 100 * right / asked } else { 0 };
    println!(
        "{}",
        t.get(
            "g_score",
            &[
                ("right", right.to_string()),
                ("asked", asked.to_string()),
                ("pct", pct.to_string()),
            ]
        )
    );
    Ok(())
}
