//! A run's route as a still figure for slides, drawn the way the seed notes draw
//! theirs: the places in three bands (user space, kernel, hardware), an arrow per
//! path numbered in the order first used, coloured by who moves the bytes, and
//! the caption with the counts. SVG (vector, for slides); several runs side by
//! side make a comparison (read + write next to sendfile + SG-DMA).

use std::fmt::Write as _;

use crate::i18n::Texts;
use crate::replay::Replay;
use crate::route::{self, Arrow, Mover, Spot};

/// One panel's size in SVG units.
const W: f64 = 800.0;
const H: f64 = 600.0;

/// A box: x, y, width, height (panel units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxAt {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl BoxAt {
    fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Where the line from the centre towards (dx, dy) leaves the box.
    fn exit(&self, dx: f64, dy: f64) -> (f64, f64) {
        let (cx, cy) = self.center();
        let tx = if dx.abs() > 1e-9 {
            self.w / 2.0 / dx.abs()
        } else {
            f64::MAX
        };
        let ty = if dy.abs() > 1e-9 {
            self.h / 2.0 / dy.abs()
        } else {
            f64::MAX
        };
        let t = tx.min(ty);
        (cx + dx * t, cy + dy * t)
    }
}

/// Where each place sits in a panel.
pub fn place(s: Spot) -> BoxAt {
    let b = |x, y, w, h| BoxAt { x, y, w, h };
    match s {
        Spot::User => b(270.0, 85.0, 260.0, 60.0),
        Spot::PageCache => b(60.0, 225.0, 260.0, 70.0),
        Spot::Socket => b(480.0, 225.0, 260.0, 70.0),
        Spot::Controller => b(60.0, 370.0, 160.0, 55.0),
        Spot::Platter => b(60.0, 480.0, 160.0, 55.0),
        Spot::Nic => b(480.0, 370.0, 110.0, 55.0),
        Spot::Wire => b(660.0, 370.0, 80.0, 55.0),
    }
}

/// The text key of a place's name.
fn name_key(s: Spot) -> &'static str {
    match s {
        Spot::User => "app.s_user_buffer",
        Spot::PageCache => "app.s_page_cache",
        Spot::Socket => "app.s_socket_buffer",
        Spot::Controller => "app.f_controller",
        Spot::Platter => "app.s_platter",
        Spot::Nic => "app.s_nic",
        Spot::Wire => "app.s_wire",
    }
}

const SPOTS: [Spot; 7] = [
    Spot::User,
    Spot::PageCache,
    Spot::Socket,
    Spot::Controller,
    Spot::Platter,
    Spot::Nic,
    Spot::Wire,
];

/// The figure's colours: light for slides and projectors (the app's projector
/// theme), or the app's dark scene. The agents keep their colours in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// The neutrals of one theme: background, the three bands, a place's fill and
/// edge, text, dimmed text and a device's own transfer.
struct Neutrals {
    background: &'static str,
    bands: [&'static str; 3],
    place: &'static str,
    edge: &'static str,
    text: &'static str,
    dim: &'static str,
    device: &'static str,
}

impl Theme {
    fn neutrals(self) -> &'static Neutrals {
        match self {
            Theme::Light => &Neutrals {
                background: "#FFFFFF",
                bands: ["#EAF4EE", "#FBEDE3", "#E6EAF8"],
                place: "#FFFFFF",
                edge: "#333",
                text: "#111",
                dim: "#444",
                device: "#777777",
            },
            // The app's dark scene (src/app/palette.rs).
            Theme::Dark => &Neutrals {
                background: "#14171C",
                bands: ["#1A2421", "#241C1A", "#1A1C26"],
                place: "#2E3038",
                edge: "#9A9CA6",
                text: "#EDEDED",
                dim: "#9EA1A8",
                device: "#A8A8A8",
            },
        }
    }
}

fn colour(m: Mover, theme: Theme) -> &'static str {
    match m {
        Mover::Cpu => "#E69F00",
        Mover::Dma | Mover::Descriptors => "#0072B2",
        Mover::Device => theme.neutrals().device,
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The route of a finished run (every path, as at its end).
pub fn final_route(r: &Replay) -> (crate::replay::SceneState, Vec<Arrow>) {
    let st = r.state_at(r.events.len());
    let arrows = route::at(&st, &[]);
    (st, arrows)
}

/// The arrow's points: edge to edge, parted from a reverse arrow; a loop for a
/// copy within one place.
pub fn arrow_points(a: &Arrow, all: &[Arrow]) -> Vec<(f64, f64)> {
    let (fa, fb) = (place(a.from), place(a.to));
    if a.from == a.to {
        let (x, cy) = (fa.x + fa.w, fa.center().1);
        return vec![
            (x, cy - 18.0),
            (x + 40.0, cy - 18.0),
            (x + 40.0, cy + 18.0),
            (x + 4.0, cy + 18.0),
        ];
    }
    let (ca, cb) = (fa.center(), fb.center());
    let (dx, dy) = (cb.0 - ca.0, cb.1 - ca.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let reverse = all.iter().any(|b| b.from == a.to && b.to == a.from);
    let shift = if reverse { 9.0 } else { 0.0 };
    let (sx, sy) = (-uy * shift, ux * shift);
    let p = fa.exit(ux, uy);
    let q = fb.exit(-ux, -uy);
    // Stop short of the box so the arrowhead shows.
    vec![
        (p.0 + sx, p.1 + sy),
        (q.0 + sx - ux * 4.0, q.1 + sy - uy * 4.0),
    ]
}

/// One panel: the figure of one run, at (ox, 0).
fn panel(out: &mut String, r: &Replay, title: &str, ox: f64, t: &Texts, theme: Theme) {
    let n = theme.neutrals();
    let (st, arrows) = final_route(r);
    let used = |s: Spot| arrows.iter().any(|a| a.from == s || a.to == s);
    let _ = writeln!(out, r#"<g transform="translate({ox},0)">"#);
    // Bands.
    for (y, h, key, fill) in [
        (40.0, 130.0, "app.s_user_space", n.bands[0]),
        (190.0, 140.0, "app.s_kernel_space", n.bands[1]),
        (345.0, 210.0, "app.s_hardware", n.bands[2]),
    ] {
        let _ = writeln!(
            out,
            r##"<rect x="20" y="{y}" width="{}" height="{h}" fill="{fill}"/><text x="{}" y="{}" font-size="14" text-anchor="end" fill="{}">{}</text>"##,
            W - 40.0,
            W - 28.0,
            y + 18.0,
            n.dim,
            esc(&t.t(key))
        );
    }
    let _ = writeln!(
        out,
        r##"<text x="{}" y="28" font-size="22" font-weight="bold" text-anchor="middle" fill="{}">{}</text>"##,
        W / 2.0,
        n.text,
        esc(title)
    );
    // The places; those the run never uses are faded.
    for s in SPOTS {
        let b = place(s);
        let opacity = if used(s) { 1.0 } else { 0.3 };
        let _ = writeln!(
            out,
            r##"<g opacity="{opacity}"><rect class="place" x="{}" y="{}" width="{}" height="{}" rx="6" fill="{}" stroke="{}" stroke-width="1.5"/><text x="{}" y="{}" font-size="16" text-anchor="middle" fill="{}">{}</text></g>"##,
            b.x,
            b.y,
            b.w,
            b.h,
            n.place,
            n.edge,
            b.x + b.w / 2.0,
            b.y + b.h / 2.0 + 6.0,
            n.text,
            esc(&t.t(name_key(s)))
        );
    }
    // The arrows, numbered.
    for a in &arrows {
        let pts = arrow_points(a, &arrows);
        let c = colour(a.mover, theme);
        let dash = if a.mover == Mover::Descriptors {
            r#" stroke-dasharray="8 6""#
        } else {
            ""
        };
        let d: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = writeln!(
            out,
            r#"<polyline class="arrow" data-number="{}" data-mover="{:?}" points="{}" fill="none" stroke="{c}" stroke-width="4"{dash} marker-end="url(#head-{:?})"/>"#,
            a.number,
            a.mover,
            d.join(" "),
            a.mover
        );
        // The number in a disc a third of the way along, the label beside it.
        let (bx, by) = if pts.len() > 2 {
            ((pts[1].0 + pts[2].0) / 2.0, (pts[1].1 + pts[2].1) / 2.0)
        } else {
            (
                pts[0].0 + (pts[1].0 - pts[0].0) * 0.45,
                pts[0].1 + (pts[1].1 - pts[0].1) * 0.45,
            )
        };
        let who = match a.mover {
            Mover::Cpu => t.t("app.r_cpu"),
            Mover::Dma => t.t("app.r_dma"),
            Mover::Device => t.t("app.r_device"),
            Mover::Descriptors => t.t("app.r_descriptors"),
        };
        // The label beside the number, off the line: above a level arrow, to the
        // right of a steep one.
        let (ux, uy) = {
            let (p, q) = (pts[0], pts[pts.len() - 1]);
            let l = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt().max(1e-9);
            ((q.0 - p.0) / l, (q.1 - p.1) / l)
        };
        let (mut nx, mut ny) = (-uy, ux);
        if ny > 0.0 || (ny == 0.0 && nx < 0.0) {
            (nx, ny) = (-nx, -ny);
        }
        // A level arrow between two boxes (NIC → wire, page cache → socket) has
        // its label centred over the number and lifted above both boxes, so a
        // short gap does not push the words onto a box's edge.
        let level = pts.len() == 2 && uy.abs() < 0.2;
        let words = format!("{} {}", who, crate::metrics::bytes(a.bytes));
        let (lx, ly, anchor) = if level {
            // About 0.6 em a glyph at 14 px.
            let half = words.chars().count() as f64 * 14.0 * 0.3;
            let (fa, fb) = (place(a.from), place(a.to));
            let hits = |b: BoxAt| bx - half < b.x + b.w && b.x < bx + half;
            let y = if hits(fa) || hits(fb) {
                fa.y.min(fb.y) - 6.0
            } else {
                by - 20.0
            };
            (bx, y, "middle")
        } else if ny.abs() > nx.abs() {
            (bx - 8.0, by + ny * 20.0, "start")
        } else {
            (bx + 16.0, by + 5.0, "start")
        };
        let _ = writeln!(
            out,
            r##"<circle cx="{bx:.1}" cy="{by:.1}" r="12" fill="{c}"/><text class="number" x="{bx:.1}" y="{:.1}" font-size="15" font-weight="bold" text-anchor="middle" fill="#FFFFFF">{}</text><text class="route-label" x="{lx:.1}" y="{ly:.1}" font-size="14" text-anchor="{anchor}" fill="{}">{}</text>"##,
            by + 5.0,
            a.number,
            n.text,
            esc(&words)
        );
    }
    // The seed's caption.
    let (switches, cpu, dma) = route::caption_counts(&st, &arrows);
    let caption = t.get(
        "app.figure_caption",
        &[
            ("switches", switches.to_string()),
            ("cpu", cpu.to_string()),
            ("dma", dma.to_string()),
        ],
    );
    let _ = writeln!(
        out,
        r##"<text class="caption" x="{}" y="{}" font-size="18" text-anchor="middle" fill="{}">{}</text>"##,
        W / 2.0,
        H - 14.0,
        n.text,
        esc(&caption)
    );
    let _ = writeln!(out, "</g>");
}

/// The figure of one or more runs, side by side: (title, replay) each.
pub fn svg(runs: &[(String, &Replay)], t: &Texts, theme: Theme) -> String {
    let n = runs.len().max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{H}" viewBox="0 0 {} {H}" font-family="'Noto Sans', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif">"#,
        W * n,
        W * n
    );
    out.push_str("<defs>");
    for m in [Mover::Cpu, Mover::Dma, Mover::Device, Mover::Descriptors] {
        let _ = write!(
            out,
            r#"<marker id="head-{m:?}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"#,
            colour(m, theme)
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        r##"<rect class="background" width="{}" height="{H}" fill="{}"/>"##,
        W * n,
        theme.neutrals().background
    );
    for (i, (title, r)) in runs.iter().enumerate() {
        panel(&mut out, r, title, W * i as f64, t, theme);
    }
    out.push_str("</svg>\n");
    out
}
