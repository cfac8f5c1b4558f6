//! `iolab gui SCENARIO --figure FILE.svg`: the route as the seed's figure, parsed back.

use crate::common::{iolab, temp};

fn figure(args: &[&str]) -> String {
    // A file of its own per call: the tests run at once, in one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = temp(&format!("figure-{k}.svg"));
    let mut a = vec!["gui"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--figure", out.to_str().unwrap()]);
    let o = iolab(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    svg
}

/// (number, mover, dashed) of each arrow, panel by panel.
fn arrows(svg: &str) -> Vec<Vec<(u32, String, bool)>> {
    let doc = roxmltree::Document::parse(svg).expect("the figure is valid SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    root.children()
        .filter(|g| g.has_tag_name("g"))
        .map(|g| {
            g.descendants()
                .filter(|n| n.attribute("class") == Some("arrow"))
                .map(|n| {
                    (
                        n.attribute("data-number").unwrap().parse().unwrap(),
                        n.attribute("data-mover").unwrap().to_string(),
                        n.attribute("stroke-dasharray").is_some(),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_figure_of_read_write_is_the_seed_s() {
    let svg = figure(&["read_write"]);
    let panels = arrows(&svg);
    assert_eq!(panels.len(), 1);
    let a = &panels[0];
    let numbers: Vec<u32> = a.iter().map(|x| x.0).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6], "numbered in order");
    let count = |m: &str| a.iter().filter(|x| x.1 == m).count();
    assert_eq!((count("Cpu"), count("Dma"), count("Device")), (2, 2, 2));
    assert!(
        svg.contains("4 mode switches · 2 CPU copies · 2 DMA copies"),
        "{svg}"
    );
}

#[test]
fn a_comparison_puts_the_figures_side_by_side() {
    let svg = figure(&["read_write", "--compare", "classic", "--lang", "zh"]);
    let panels = arrows(&svg);
    assert_eq!(
        panels.len(),
        4,
        "read_write, mmap_write, sendfile, sendfile+sg"
    );
    let cpu = |p: &Vec<(u32, String, bool)>| p.iter().filter(|x| x.1 == "Cpu").count();
    assert_eq!(panels.iter().map(cpu).collect::<Vec<_>>(), [2, 1, 1, 0]);
    // SG-DMA: the socket buffer gets descriptors, drawn dashed.
    assert!(panels[3].iter().any(|x| x.1 == "Descriptors" && x.2));
    assert!(panels[..3].iter().flatten().all(|x| !x.2));
    // In Chinese: the seed's words.
    assert!(svg.contains("上下文切换"));
    // From a scene whose NIC gathers, the classic sendfile still has no SG.
    let svg = figure(&["sendfile_sg", "--compare", "classic"]);
    let panels = arrows(&svg);
    assert_eq!(panels.iter().map(cpu).collect::<Vec<_>>(), [2, 1, 1, 0]);
}

#[test]
fn a_figure_needs_a_known_format() {
    let out = temp("figure.txt");
    let o = iolab(&["gui", "read_write", "--figure", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".svg or .png"));
}

#[test]
fn a_figure_takes_the_theme_asked_for() {
    let background = |svg: &str| {
        let doc = roxmltree::Document::parse(svg).expect("valid SVG");
        let bg = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("background"))
            .expect("a background");
        bg.attribute("fill").unwrap().to_string()
    };
    let light = figure(&["read_write"]);
    let dark = figure(&["read_write", "--theme", "dark"]);
    let projector = figure(&["read_write", "--theme", "projector"]);
    assert_eq!(
        background(&light),
        "#FFFFFF",
        "slides are light unless told"
    );
    assert_eq!(background(&projector), "#FFFFFF");
    assert_eq!(background(&dark), "#14171C", "the app's dark scene");
    // The same figure: arrows, numbers and agents' colours do not change.
    assert_eq!(arrows(&dark), arrows(&light));
    assert!(dark.contains(r##"stroke="#E69F00""##) && dark.contains(r##"stroke="#0072B2""##));
    // Dark text on the dark scene would not read: none is left.
    assert!(
        !dark.contains(r##"fill="#111""##),
        "no dark text on the dark theme"
    );
}

/// A route label's rectangle, estimated from its text: 14 px DejaVu-like glyphs
/// are about 0.6 em wide; the baseline sits 11 px under the top.
fn label_rect(n: roxmltree::Node) -> (f64, f64, f64, f64) {
    let x: f64 = n.attribute("x").unwrap().parse().unwrap();
    let y: f64 = n.attribute("y").unwrap().parse().unwrap();
    let w = n.text().unwrap_or("").chars().count() as f64 * 14.0 * 0.6;
    let left = match n.attribute("text-anchor") {
        Some("middle") => x - w / 2.0,
        _ => x,
    };
    (left, y - 11.0, w, 14.0)
}

#[test]
fn no_arrow_label_lies_on_a_box() {
    let svg = figure(&["read_write", "--compare", "classic"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let panels: Vec<_> = doc
        .root_element()
        .children()
        .filter(|g| g.has_tag_name("g"))
        .collect();
    assert_eq!(panels.len(), 4);
    let overlap = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    };
    let mut labels = 0;
    for g in panels {
        let boxes: Vec<(f64, f64, f64, f64)> = g
            .descendants()
            .filter(|n| n.attribute("class") == Some("place"))
            .map(|n| {
                let f = |k| n.attribute(k).unwrap().parse::<f64>().unwrap();
                (f("x"), f("y"), f("width"), f("height"))
            })
            .collect();
        assert_eq!(boxes.len(), 7, "every place is drawn");
        for l in g
            .descendants()
            .filter(|n| n.attribute("class") == Some("route-label"))
        {
            labels += 1;
            let r = label_rect(l);
            for b in &boxes {
                assert!(
                    !overlap(r, *b),
                    "the label {:?} at {r:?} lies on the box {b:?}",
                    l.text()
                );
            }
        }
    }
    assert_eq!(labels, 6 + 5 + 5 + 5, "one label per arrow");
}
