//! The page cache's two lists, drawn for the `two_list` policy in the kernel's
//! notes box: a row for the active list and a row for the inactive list, each a
//! chip per frame in list order (the next to be demoted or reclaimed on the
//! left), coloured by the frame's file. A page promoted on its second access
//! jumps from one row to the other; reclaim takes the inactive row's left end.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::layout::Layout;
use super::{Built, SceneSet, text};
use crate::app::model::Loaded;
use crate::app::palette::{self, Theme};
use crate::app::playback::View;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, draw_lists.in_set(SceneSet::Draw));
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum List {
    Active,
    Inactive,
}

/// Place `i` of a list's row.
#[derive(Component)]
struct Chip(List, usize);

#[derive(Component)]
struct ChipText(List, usize);

/// A row's name and how many pages its list holds.
#[derive(Component)]
struct ListName(List);

pub fn spawn(
    commands: &mut Commands,
    layout: &Layout,
    frames: usize,
    tr: &crate::i18n::Texts,
    theme: &Theme,
) {
    let Some(rows) = layout.lists else { return };
    for (list, row, name) in [
        (List::Active, rows.0, "app.s_list_active"),
        (List::Inactive, rows.1, "app.s_list_inactive"),
    ] {
        let e = text(
            commands,
            &tr.t(name),
            Vec2::new(row.min.x, row.center().y),
            13.0,
            theme.text(),
            Anchor::CENTER_LEFT,
        );
        commands.entity(e).insert(ListName(list));
        // The chips start after the name; every frame may be on one list.
        let x0 = row.min.x + if layout.present { 190.0 } else { 100.0 };
        for (i, (e, t)) in super::slot_row(commands, row, x0, frames, (0.42, 8.0, 13.0), theme)
            .into_iter()
            .enumerate()
        {
            commands.entity(e).insert(Chip(list, i));
            commands.entity(t).insert(ChipText(list, i));
        }
    }
}

#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn draw_lists(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    built: Res<Built>,
    theme: Res<Theme>,
    mut chips: Query<(&Chip, &mut Sprite)>,
    mut texts: Query<(&ChipText, &mut Text2d, &mut TextColor), Without<ListName>>,
    mut names: Query<(&ListName, &mut Text2d), Without<ChipText>>,
    tr: Res<crate::app::lang::Tr>,
) {
    let (Some(view), Some(layout)) = (view, &built.layout) else {
        return;
    };
    if layout.lists.is_none() || built.generation != view.generation {
        return;
    }
    let st = &view.state;
    let multi = loaded.replay.files.len() > 1;
    let of = |list: List| match list {
        List::Active => &st.active,
        List::Inactive => &st.inactive,
    };
    // A chip's frame and colour: its file's where several share the cache.
    let at = |list: List, i: usize| {
        of(list).get(i).map(|&f| {
            let file = st.frame_files.get(f as usize).copied().unwrap_or(0);
            let c = if multi {
                super::buffers::file_colour(file)
            } else {
                theme.cell_full()
            };
            (f, c)
        })
    };
    for (Chip(list, i), mut sprite) in &mut chips {
        let c = at(*list, *i).map_or(theme.cell_empty(), |x| x.1);
        if sprite.color != c {
            sprite.color = c;
        }
    }
    // The rows show a list's first pages (the next to go); the name says how many.
    for (ListName(list), mut t) in &mut names {
        let key = match list {
            List::Active => "app.s_list_active",
            List::Inactive => "app.s_list_inactive",
        };
        let s = format!("{} {}", tr.texts.t(key), of(*list).len());
        if t.0 != s {
            t.0 = s;
        }
    }
    for (ChipText(list, i), mut t, mut colour) in &mut texts {
        let (s, c) = at(*list, *i).map_or((String::new(), palette::TEXT_DARK), |(f, bg)| {
            (format!("f{f}"), palette::text_on(bg))
        });
        if t.0 != s {
            t.0 = s;
        }
        if colour.0 != c {
            colour.0 = c;
        }
    }
}
