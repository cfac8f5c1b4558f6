//! Buffers as byte cells (hex values) or, for large buffers, a fill bar. Bytes
//! landing during a copy take the colour of whoever moves them.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::layout::Layout;
use super::{Built, RegionId, SceneItem, SceneSet, rect, text};
use crate::app::model::Loaded;
use crate::app::palette::{self, Theme};
use crate::app::playback::View;
use crate::replay::{CELL_LIMIT, CacheFlash, SceneState};
use crate::sim::event::Place;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (draw_cells, draw_bars, draw_frame_titles).in_set(SceneSet::Draw),
    );
}

#[derive(Component)]
pub struct Cell {
    region: RegionId,
    index: usize,
}

#[derive(Component)]
pub struct CellText {
    region: RegionId,
    index: usize,
}

#[derive(Component)]
pub struct Bar {
    region: RegionId,
    area: Rect,
}

#[derive(Component)]
pub struct BarText(RegionId);

#[derive(Component)]
pub struct FrameTitle(u32);

fn regions(st: &SceneState) -> Vec<RegionId> {
    let mut v = vec![
        RegionId::Platter,
        RegionId::User,
        RegionId::Socket,
        RegionId::Controller,
        RegionId::Nic,
    ];
    v.extend((0..st.frames.len() as u32).map(RegionId::Frame));
    v
}

pub fn spawn(commands: &mut Commands, st: &SceneState, layout: &Layout, theme: &Theme) {
    for id in regions(st) {
        let Some(region) = id.of(st) else { continue };
        let area = id.area(layout);
        if region.size <= CELL_LIMIT {
            let cells = Layout::cells(area, region.size);
            let font = (cells.size * 0.5).clamp(7.0, 16.0);
            for i in 0..region.size as usize {
                let c = cells.center(i);
                let side = (cells.size - 2.0).max(1.0);
                let e = super::solid(
                    commands,
                    Rect::from_center_size(c, Vec2::splat(side)),
                    theme.cell_empty(),
                    2.0,
                );
                commands.entity(e).insert(Cell {
                    region: id,
                    index: i,
                });
                if cells.size >= 12.0 {
                    let t = text(commands, "", c, font, palette::TEXT_DARK, Anchor::CENTER);
                    // Presentation mode: the value fills its cell, two digits wide
                    // (1.2 of its height), if that is at least PRESENT_BYTE high.
                    let fill = side / 1.2;
                    let present = if fill >= super::PRESENT_BYTE {
                        fill.min(26.0)
                    } else {
                        0.0
                    };
                    commands.entity(t).insert((
                        super::FontSizes {
                            normal: font,
                            present,
                        },
                        crate::app::automation::Overlay,
                        CellText {
                            region: id,
                            index: i,
                        },
                    ));
                }
            }
        } else {
            rect(commands, area, theme.cell_empty(), 2.0);
            let e = rect(
                commands,
                Rect::from_corners(area.min, Vec2::new(area.min.x, area.max.y)),
                theme.cell_full(),
                3.0,
            );
            commands.entity(e).insert(Bar { region: id, area });
            let t = text(
                commands,
                "",
                area.center(),
                14.0,
                theme.text(),
                Anchor::CENTER,
            );
            commands.entity(t).insert((BarText(id), SceneItem));
        }
    }
    for (i, (label, _)) in layout.frames.iter().enumerate() {
        let t = text(
            commands,
            "",
            Vec2::new(label.min.x + 4.0, label.center().y),
            13.0,
            theme.text_dim(),
            Anchor::CENTER_LEFT,
        );
        commands.entity(t).insert(FrameTitle(i as u32));
    }
}

/// Bytes of a region that a copy in flight has already delivered: (index, colour).
fn landing(view: &View, id: RegionId) -> Vec<(u64, Color)> {
    let mut out = Vec::new();
    for f in &view.flights {
        let (region, at) = match f.to {
            Place::Platter { offset, .. } => (RegionId::Platter, offset),
            Place::Controller { offset } => (RegionId::Controller, offset),
            Place::Frame { frame, offset } => (RegionId::Frame(frame), offset),
            Place::User { offset } => (RegionId::User, offset),
            Place::Socket { offset } | Place::RecvBuffer { offset } => (RegionId::Socket, offset),
            Place::NicBuffer { offset } => (RegionId::Nic, offset),
            _ => continue,
        };
        if region == id {
            let n = (f.progress * f.len as f64).floor() as u64;
            out.extend((0..n).map(|i| (at + i, palette::agent(f.agent))));
        }
    }
    out
}

fn draw_cells(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    built: Res<Built>,
    theme: Res<Theme>,
    mut cells: Query<(&Cell, &mut super::Solid)>,
    mut texts: Query<(&CellText, &mut Text2d, &mut TextColor)>,
) {
    let Some(view) = view else { return };
    if built.generation != view.generation {
        return;
    }
    let st = &view.state;
    // A file being read is on the platter from the start: every byte shown, the
    // ones the disk has read out marked in the device's colour. A receive reads
    // no file: its message comes from the wire, and the platter stays empty.
    let method = loaded.replay.setup.method;
    let reading = !method.writes() && method != crate::sim::Method::Recv;
    let multi = loaded.replay.files.len() > 1;
    let mut landed: Vec<(RegionId, Vec<(u64, Color)>)> = Vec::new();
    // A cell's colour: the agent's while bytes land in it, else full or empty.
    let mut colour_of = |id: RegionId, index: usize| -> Option<Color> {
        let region = id.of(st)?;
        if id == RegionId::Platter && reading {
            return Some(match region.cells.get(index).copied().flatten() {
                Some(_) => palette::DEVICE,
                None => theme.cell_full(),
            });
        }
        if !landed.iter().any(|(r, _)| *r == id) {
            landed.push((id, landing(&view, id)));
        }
        let size = region.size.max(1);
        let flying = landed.iter().find(|(r, _)| *r == id).and_then(|(_, l)| {
            l.iter()
                .rev()
                .find(|(i, _)| (*i % size) as usize == index)
                .map(|x| x.1)
        });
        Some(match (flying, region.cells.get(index).copied().flatten()) {
            (Some(c), _) => c,
            (None, Some(_)) => frame_colour(st, id, multi).unwrap_or(theme.cell_full()),
            (None, None) => theme.cell_empty(),
        })
    };
    for (cell, mut solid) in &mut cells {
        if let Some(color) = colour_of(cell.region, cell.index)
            && solid.0 != color
        {
            solid.0 = color;
        }
    }
    for (t, mut text, mut text_colour) in &mut texts {
        let Some(region) = t.region.of(st) else {
            continue;
        };
        let s = match region.cells.get(t.index).copied().flatten() {
            Some(b) => format!("{b:02X}"),
            None if t.region == RegionId::Platter && reading => loaded
                .replay
                .bytes(0, t.index as u64, 1)
                .first()
                .map(|b| format!("{b:02X}"))
                .unwrap_or_default(),
            None => String::new(),
        };
        if text.0 != s {
            text.0 = s;
        }
        // The byte's value in whichever of dark or light reads better on its cell.
        if let Some(bg) = colour_of(t.region, t.index) {
            let c = palette::text_on(bg);
            if text_colour.0 != c {
                text_colour.0 = c;
            }
        }
    }
}

/// Several files share the page cache: each file's pages in its own colour, so
/// a large file flooding out the small ones shows at a glance.
pub fn file_colour(file: u32) -> Color {
    let (r, g, b) = crate::compare::RUN_COLOURS[file as usize % crate::compare::RUN_COLOURS.len()];
    Color::srgb_u8(r, g, b)
}

/// The colour of a page frame's bytes: its file's when several files share the cache.
fn frame_colour(st: &SceneState, id: RegionId, multi: bool) -> Option<Color> {
    match id {
        RegionId::Frame(i) if multi => st
            .frames
            .get(i as usize)
            .filter(|f| f.page.is_some())
            .map(|f| file_colour(f.file)),
        _ => None,
    }
}

fn draw_bars(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    theme: Res<Theme>,
    built: Res<Built>,
    mut bars: Query<(&Bar, &mut Sprite, &mut Transform)>,
    mut texts: Query<(&BarText, &mut Text2d, &mut TextColor)>,
) {
    let Some(view) = view else { return };
    let st = &view.state;
    let multi = loaded.replay.files.len() > 1;
    for (bar, mut sprite, mut tf) in &mut bars {
        let Some(region) = bar.region.of(st) else {
            continue;
        };
        let c = frame_colour(st, bar.region, multi).unwrap_or(theme.cell_full());
        if sprite.color != c {
            sprite.color = c;
        }
        let frac = region.filled as f32 / region.size.max(1) as f32;
        let w = (bar.area.width() * frac).max(0.0);
        sprite.custom_size = Some(Vec2::new(w.max(0.01), bar.area.height()));
        tf.translation.x = bar.area.min.x + w / 2.0;
    }
    for (t, mut text, mut colour) in &mut texts {
        let Some(region) = t.0.of(st) else { continue };
        // Centred on the bar: dark on its light filled part, light on the empty.
        let c = if region.filled * 2 >= region.size.max(1) {
            palette::text_on(theme.cell_full())
        } else {
            theme.text()
        };
        if colour.0 != c {
            colour.0 = c;
        }
        let mut s = format!(
            "{} / {}",
            crate::metrics::bytes(region.filled),
            crate::metrics::bytes(region.size)
        );
        // At presentation size a narrow bar (a page frame beside another column)
        // says only how much it holds.
        if let Some(l) = built.layout.as_ref().filter(|l| l.present) {
            let room = t.0.area(l).width() / (super::PRESENT_LABEL * 0.55);
            if s.chars().count() as f32 > room {
                s = crate::metrics::bytes(region.filled);
            }
        }
        if text.0 != s {
            text.0 = s;
        }
    }
}

fn draw_frame_titles(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    theme: Res<Theme>,
    built: Res<Built>,
    mut titles: Query<(&FrameTitle, &mut Text2d, &mut TextColor)>,
) {
    let Some(view) = view else { return };
    // Presentation mode with two columns of frames: no room for the list rank
    // and the write state in words (the title's colour still shows the state).
    let compact = built
        .layout
        .as_ref()
        .is_some_and(|l| l.present && view.state.frames.len() > 8);
    let multi = loaded.replay.files.len() > 1;
    let writes = loaded.replay.setup.method.writes();
    let st = &view.state;
    for (FrameTitle(i), mut text, mut color) in &mut titles {
        let Some(f) = st.frames.get(*i as usize) else {
            continue;
        };
        // Where the frame stands in its list: I1 is the next page reclaim takes.
        let rank = |l: &Vec<u32>| l.iter().position(|x| x == i).map(|r| r + 1);
        let list = match (rank(&st.inactive), rank(&st.active)) {
            _ if compact => String::new(),
            (Some(r), _) => format!(" I{r}"),
            (None, Some(r)) => format!(" A{r}"),
            _ => String::new(),
        };
        // The write path: which file the page belongs to, and whether it is
        // newer than the disk (dirty) or on its way there.
        let state = if compact {
            ""
        } else if f.writeback {
            " >disk"
        } else if f.dirty {
            " DIRTY"
        } else {
            ""
        };
        let s = match f.page {
            Some(p) if writes => {
                let file = if f.file == crate::sim::OUT {
                    "out"
                } else {
                    "in"
                };
                format!("f{i} {file}:{p}{state}")
            }
            Some(p) if multi => format!("f{i} {}:{p}{list}", f.file),
            Some(p) => format!("f{i} p{p}{list}"),
            None => format!("f{i} -"),
        };
        if text.0 != s {
            text.0 = s;
        }
        // A cache event lights the frame's title for a few steps.
        let c = match f.flash {
            _ if f.writeback => theme.writeback(),
            _ if f.dirty => theme.dirty(),
            Some((kind, at)) if at + 4 >= st.applied => match kind {
                CacheFlash::Hit => palette::HIT,
                CacheFlash::Miss | CacheFlash::Insert => palette::MISS,
                CacheFlash::Evict => palette::EVICT,
            },
            _ => theme.text_dim(),
        };
        if color.0 != c {
            color.0 = c;
        }
    }
}
