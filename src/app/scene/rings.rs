//! io_uring's two rings, drawn in the kernel band for io_uring runs: the
//! submission ring (entries the process wrote, not yet taken by the kernel), the
//! completion ring (completions the kernel posted, not yet read), the entries
//! under way, the doorbells rung, and whether the SQPOLL thread is polling.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use super::layout::KINFO_BOX;
use super::{SceneSet, text};
use crate::app::model::Loaded;
use crate::app::palette::{self, Theme};
use crate::app::playback::View;
use crate::sim::Method;
use crate::sim::event::UringOp;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, draw_rings.in_set(SceneSet::Draw));
}

/// The most slots drawn per ring (more entries show as a count).
const MAX_SLOTS: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ring {
    Submission,
    Completion,
}

#[derive(Component)]
pub struct RingSlot(Ring, usize);

#[derive(Component)]
pub struct RingSlotText(Ring, usize);

/// The lines of text around the rings.
#[derive(Component)]
pub enum RingText {
    Title,
    Count(Ring),
    Thread,
}

/// Slots in a ring for this run: a batch's entries (a read and a send per
/// chunk), and its completions.
fn slots(loaded: &Loaded, ring: Ring) -> usize {
    let s = &loaded.replay.setup;
    let per_chunk = match ring {
        Ring::Submission => 2,
        Ring::Completion => s.uring_cqes_per_chunk(),
    };
    let chunks = s.file_size.div_ceil(s.buffer_size.max(1));
    (per_chunk * s.queue_depth.min(chunks)).min(MAX_SLOTS as u64) as usize
}

/// A ring's row of slots. The left part of the box stays free: the arrow from
/// the user buffer to the NIC (zero-copy send) crosses it there.
pub(super) fn row(ring: Ring, present: bool) -> Rect {
    // Presentation mode's larger title pushes the rows down.
    let y = match (ring, present) {
        (Ring::Submission, false) => KINFO_BOX.max.y - 49.0,
        (Ring::Completion, false) => KINFO_BOX.max.y - 79.0,
        (Ring::Submission, true) => KINFO_BOX.max.y - 64.0,
        (Ring::Completion, true) => KINFO_BOX.max.y - 98.0,
    };
    Rect::new(KINFO_BOX.min.x + 170.0, y, KINFO_BOX.max.x - 60.0, y + 26.0)
}

pub fn spawn(commands: &mut Commands, loaded: &Loaded, theme: &Theme, present: bool) {
    if loaded.replay.setup.method != Method::IoUring {
        return;
    }
    let line = |commands: &mut Commands, which: RingText, at: Vec2, anchor: Anchor| {
        let e = text(commands, "", at, 14.0, theme.text(), anchor);
        commands.entity(e).insert(which);
    };
    text(
        commands,
        "io_uring",
        Vec2::new(KINFO_BOX.min.x + 8.0, KINFO_BOX.max.y - 6.0),
        14.0,
        theme.text(),
        Anchor::TOP_LEFT,
    );
    for ring in [Ring::Submission, Ring::Completion] {
        let r = row(ring, present);
        let name = match ring {
            Ring::Submission => "SQ →",
            Ring::Completion => "CQ ←",
        };
        text(
            commands,
            name,
            Vec2::new(KINFO_BOX.min.x + 8.0, r.center().y),
            15.0,
            theme.text(),
            Anchor::CENTER_LEFT,
        );
        let n = slots(loaded, ring).max(1);
        for (i, (e, t)) in super::slot_row(commands, r, r.min.x, n, (0.45, 9.0, 14.0), theme)
            .into_iter()
            .enumerate()
        {
            commands.entity(e).insert(RingSlot(ring, i));
            commands.entity(t).insert(RingSlotText(ring, i));
        }
        line(
            commands,
            RingText::Count(ring),
            Vec2::new(r.max.x + 6.0, r.center().y),
            Anchor::CENTER_LEFT,
        );
    }
    // The status lines keep clear of the arrows that cross the box: the
    // zero-copy send's (user buffer to NIC) on the left, the socket buffer's to the
    // NIC (a copying send) on the right.
    let x = if loaded.replay.setup.hw.nic_sg {
        KINFO_BOX.min.x + 170.0
    } else {
        // Clear of the O_DIRECT read's label at the box's lower left corner.
        KINFO_BOX.min.x + 45.0
    };
    for (which, y) in [(RingText::Title, 29.0), (RingText::Thread, 11.0)] {
        let e = text(
            commands,
            "",
            Vec2::new(x, KINFO_BOX.min.y + y),
            14.0,
            theme.text(),
            Anchor::CENTER_LEFT,
        );
        // No room for these two lines at presentation size: the caption and the
        // counters say it there.
        commands.entity(e).insert((
            which,
            super::FontSizes {
                normal: 14.0,
                present: 0.0,
            },
        ));
    }
}

/// What a slot shows: the op's letter and the chunk's number (R0 read, S0 send,
/// Z0 zero-copy send, N0 its notification).
fn slot_label(op: UringOp, offset: u64, chunk: u64) -> String {
    let letter = match op {
        UringOp::Read => 'R',
        UringOp::Send => 'S',
        UringOp::SendZc => 'Z',
        UringOp::Notif => 'N',
    };
    format!("{letter}{}", offset / chunk.max(1))
}

#[allow(clippy::type_complexity)]
fn draw_rings(
    loaded: Res<Loaded>,
    view: Option<Res<View>>,
    theme: Res<Theme>,
    tr: Res<crate::app::lang::Tr>,
    mut slots_q: Query<(&RingSlot, &mut Sprite)>,
    mut texts_q: Query<(&RingSlotText, &mut Text2d, &mut TextColor), Without<RingText>>,
    mut lines_q: Query<(&RingText, &mut Text2d), Without<RingSlotText>>,
) {
    let Some(view) = view else { return };
    if loaded.replay.setup.method != Method::IoUring {
        return;
    }
    let u = &view.state.uring;
    let chunk = loaded.replay.setup.buffer_size;
    // (label, colour) of each ring's entries, oldest first.
    let sq: Vec<(String, Color)> =
        u.sq.iter()
            .map(|&(op, off)| (slot_label(op, off, chunk), palette::USER))
            .collect();
    let cq: Vec<(String, Color)> =
        u.cq.iter()
            .map(|&(op, off, result)| {
                let colour = if result < 0 {
                    palette::EVICT
                } else {
                    palette::KERNEL
                };
                (slot_label(op, off, chunk), colour)
            })
            .collect();
    let entries = |ring: Ring| match ring {
        Ring::Submission => &sq,
        Ring::Completion => &cq,
    };
    for (slot, mut sprite) in &mut slots_q {
        let colour = entries(slot.0)
            .get(slot.1)
            .map_or(theme.cell_empty(), |e| e.1);
        if sprite.color != colour {
            sprite.color = colour;
        }
    }
    for (slot, mut t, mut colour) in &mut texts_q {
        let (s, c) = entries(slot.0)
            .get(slot.1)
            .map_or((String::new(), palette::TEXT_DARK), |e| {
                (e.0.clone(), palette::text_on(e.1))
            });
        if t.0 != s {
            t.0 = s;
        }
        if colour.0 != c {
            colour.0 = c;
        }
    }
    let t = &tr.texts;
    for (which, mut text) in &mut lines_q {
        let s = match which {
            RingText::Title => t.get(
                "app.s_rings",
                &[
                    ("flight", u.in_flight.len().to_string()),
                    ("doorbells", u.doorbells.to_string()),
                ],
            ),
            RingText::Count(ring) => entries(*ring).len().to_string(),
            // Without SQPOLL the calls' names say who submits.
            RingText::Thread if !loaded.replay.setup.sqpoll => String::new(),
            RingText::Thread => t
                .t(if u.sq_thread {
                    "app.s_sq_thread_on"
                } else {
                    "app.s_sq_thread_off"
                })
                .into(),
        };
        if text.0 != s {
            text.0 = s;
        }
    }
}
