//! `iolab gui SCENARIO --figure FILE.svg`: the route as the seed's figure, parsed back.

use crate::common::{iolab, temp};

fn figure(args: &[&str]) -> String {
    let out = temp("figure.svg");
    let mut a = vec!["gui"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--figure", out.to_str().unwrap()]);
    let o = iolab(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(&out).unwrap()
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
