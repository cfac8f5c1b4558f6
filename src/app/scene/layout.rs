//! Where everything sits, in world units (the camera shows at least 1280 × 800).
//!
//! Three bands, top to bottom: user space, kernel space, hardware. Buffers are
//! rows of byte cells; copies travel from their source down (or up) to the memory
//! bus, along it, and to their destination.

use bevy::math::{Rect, Vec2};

use crate::replay::SceneState;
use crate::sim::event::Place;

pub const WORLD: Vec2 = Vec2::new(1280.0, 800.0);
pub const USER_BAND: Rect = Rect {
    min: Vec2::new(-640.0, 250.0),
    max: Vec2::new(640.0, 400.0),
};
pub const KERNEL_BAND: Rect = Rect {
    min: Vec2::new(-640.0, -40.0),
    max: Vec2::new(640.0, 240.0),
};
pub const HW_BAND: Rect = Rect {
    min: Vec2::new(-640.0, -400.0),
    max: Vec2::new(640.0, -50.0),
};
pub const BUS_Y: f32 = -95.0;

pub const PROCESS_BOX: Rect = Rect {
    min: Vec2::new(-600.0, 265.0),
    max: Vec2::new(-400.0, 375.0),
};
pub const USER_BUF_BOX: Rect = Rect {
    min: Vec2::new(-360.0, 275.0),
    max: Vec2::new(620.0, 350.0),
};
pub const CACHE_BOX: Rect = Rect {
    min: Vec2::new(-600.0, -25.0),
    max: Vec2::new(60.0, 205.0),
};
pub const SOCKET_BOX: Rect = Rect {
    min: Vec2::new(110.0, 120.0),
    max: Vec2::new(620.0, 195.0),
};
pub const KINFO_BOX: Rect = Rect {
    min: Vec2::new(110.0, -25.0),
    max: Vec2::new(620.0, 95.0),
};
pub const CPU_BOX: Rect = Rect {
    min: Vec2::new(-620.0, -380.0),
    max: Vec2::new(-420.0, -125.0),
};
pub const DMA_BOX: Rect = Rect {
    min: Vec2::new(-400.0, -380.0),
    max: Vec2::new(-190.0, -125.0),
};
pub const DISK_BOX: Rect = Rect {
    min: Vec2::new(-170.0, -380.0),
    max: Vec2::new(150.0, -125.0),
};
pub const NIC_BOX: Rect = Rect {
    min: Vec2::new(170.0, -380.0),
    max: Vec2::new(470.0, -125.0),
};
pub const WIRE_BOX: Rect = Rect {
    min: Vec2::new(490.0, -380.0),
    max: Vec2::new(630.0, -125.0),
};

/// Where the drawing's fixed words are: each box's title and the status lines
/// under it (a descriptor's three lines in the DMA engine and the NIC), and the
/// route's caption. Arrow labels keep out of them.
pub fn label_zones(l: &Layout) -> Vec<Rect> {
    let present = l.present;
    // Presentation mode's labels are about half as large again.
    let k = if present { 1.5 } else { 1.0 };
    let top = |b: Rect, w: f32, h: f32| {
        Rect::new(
            b.min.x,
            b.max.y - h * k,
            (b.min.x + w * k).min(b.max.x),
            b.max.y,
        )
    };
    let mut zones = vec![
        top(l.user_box, 140.0, 24.0),
        top(l.cache, 240.0, 24.0),
        top(l.socket_box, 150.0, 24.0),
        // The notes' first line is long ("readahead window: pages 480-511").
        top(l.kinfo, 340.0, 24.0),
        top(CPU_BOX, 200.0, 110.0),
        top(DMA_BOX, 200.0, 80.0),
        // (Presentation mode: three status lines, an NVMe drive's wrapped.)
        top(DISK_BOX, 220.0, if present { 80.0 } else { 48.0 }),
        top(NIC_BOX, 230.0, 80.0),
        top(WIRE_BOX, 140.0, 80.0),
        top(platter_box(), 130.0, 16.0),
        // The caption above the user buffer.
        Rect::new(
            USER_BUF_BOX.min.x,
            USER_BAND.max.y - 30.0 * k,
            520.0 * k,
            USER_BAND.max.y,
        ),
    ];
    if let Some((active, inactive)) = l.lists {
        zones.extend([active, inactive]);
    }
    if present {
        // The bands' titles, the wire's lines (long counts wrap), and the bars of
        // a large file's buffers (light, under their own count).
        for band in [USER_BAND, KERNEL_BAND, HW_BAND] {
            zones.push(Rect::new(
                band.max.x - 200.0,
                band.max.y - 32.0,
                band.max.x,
                band.max.y,
            ));
        }
        zones.push(WIRE_BOX);
        // The files' legend, under the notes' first line.
        let y = l.kinfo.max.y - 52.0;
        zones.push(Rect::new(l.kinfo.min.x, y - 14.0, l.kinfo.max.x, y + 14.0));
        // A bar's count, centred on it.
        for a in &l.bars {
            let size = Vec2::new(a.width().min(240.0), a.height().min(28.0));
            zones.push(Rect::from_center_size(a.center(), size));
        }
    }
    zones
}

/// The page cache's box: in presentation mode it takes the kernel band's whole
/// height, so eight frames' labels fit one under the other at their larger size.
pub fn cache_box(present: bool) -> Rect {
    if present {
        Rect::new(
            CACHE_BOX.min.x,
            KERNEL_BAND.min.y + 4.0,
            CACHE_BOX.max.x,
            KERNEL_BAND.max.y - 4.0,
        )
    } else {
        CACHE_BOX
    }
}

/// The process's box: taller in presentation mode, for its larger lines.
pub fn process_box(present: bool) -> Rect {
    if present {
        Rect::new(
            PROCESS_BOX.min.x,
            USER_BAND.min.y + 5.0,
            -372.0,
            USER_BAND.max.y - 5.0,
        )
    } else {
        PROCESS_BOX
    }
}

/// Where an arrow's number had better not go, if it can: a large file's bars,
/// light, so a label on them is hard to read (the CPU copy into the pollution
/// scene's socket buffer had its label on the socket's bar), and io_uring's
/// ring slots, which its plate would hide.
pub fn soft_zones(l: &Layout) -> Vec<Rect> {
    l.bars.iter().chain(&l.ring_rows).copied().collect()
}

/// The platter inside the disk's box (under the controller buffer).
pub fn platter_box() -> Rect {
    Rect::new(
        DISK_BOX.min.x + 10.0,
        DISK_BOX.min.y + 10.0,
        DISK_BOX.max.x - 10.0,
        DISK_BOX.min.y + 88.0,
    )
}

/// The user buffer's box: taller in presentation mode, so its cells stay large
/// enough for their values.
pub fn user_box(present: bool) -> Rect {
    if present {
        Rect::new(
            USER_BUF_BOX.min.x,
            USER_BAND.min.y + 10.0,
            USER_BUF_BOX.max.x,
            USER_BUF_BOX.max.y,
        )
    } else {
        USER_BUF_BOX
    }
}

/// The socket buffer's box and the kernel's notes under it: in presentation mode
/// the socket buffer takes most of the height, for cells large enough for their
/// values (not with io_uring's rings, which need the notes' box as it is).
pub fn socket_box(present: bool) -> Rect {
    if present {
        Rect::new(
            SOCKET_BOX.min.x,
            74.0,
            SOCKET_BOX.max.x,
            KERNEL_BAND.max.y - 8.0,
        )
    } else {
        SOCKET_BOX
    }
}

pub fn kinfo_box(present: bool) -> Rect {
    if present {
        Rect::new(
            KINFO_BOX.min.x,
            KERNEL_BAND.min.y + 4.0,
            KINFO_BOX.max.x,
            64.0,
        )
    } else {
        KINFO_BOX
    }
}

/// Where the first status line under a box's title starts.
pub fn status_y(b: Rect, present: bool) -> f32 {
    b.max.y - if present { 34.0 } else { 26.0 }
}

/// A buffer's cells: `count` squares of side `size`, `per_row` to a row, the first
/// row's top-left at `origin`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cells {
    pub origin: Vec2,
    pub size: f32,
    pub per_row: usize,
    pub count: usize,
}

impl Cells {
    /// The largest cells (up to `max`) that fit `count` of them into `area`.
    pub fn fit(area: Rect, count: usize, max: f32) -> Cells {
        let count_f = count.max(1) as f32;
        let mut best = (1.0f32, count.max(1));
        for rows in 1..=count.max(1) {
            let per_row = count_f / rows as f32;
            let per_row = per_row.ceil();
            let s = (area.width() / per_row)
                .min(area.height() / rows as f32)
                .min(max);
            if s > best.0 {
                best = (s, per_row as usize);
            }
        }
        Cells {
            origin: Vec2::new(area.min.x, area.max.y),
            size: best.0,
            per_row: best.1,
            count,
        }
    }

    pub fn center(&self, i: usize) -> Vec2 {
        let (r, c) = (i / self.per_row.max(1), i % self.per_row.max(1));
        self.origin + Vec2::new((c as f32 + 0.5) * self.size, -(r as f32 + 0.5) * self.size)
    }
}

/// The areas of every buffer for one run.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Presentation mode: larger labels, and the boxes' contents moved to make room.
    pub present: bool,
    pub cache: Rect,
    pub process: Rect,
    pub user_box: Rect,
    pub socket_box: Rect,
    /// The kernel's notes (readahead window, io_uring's rings).
    pub kinfo: Rect,
    /// The buffers drawn as bars (too many bytes for cells).
    pub bars: Vec<Rect>,
    /// two_list: the rows of the active and the inactive list, in the notes' box.
    pub lists: Option<(Rect, Rect)>,
    /// io_uring: the rows of the submission and completion rings' slots.
    pub ring_rows: Vec<Rect>,
    pub user: Rect,
    pub frames: Vec<(Rect, Rect)>,
    /// The part of the page cache's box its frames' cells are drawn in: arrows
    /// to and from the page cache start and end there, at the bytes.
    pub cache_cells: Rect,
    pub socket: Rect,
    pub controller: Rect,
    /// The file's bytes on the platter (under its name).
    pub platter: Rect,
    pub nic: Rect,
}

impl Layout {
    /// The layout of a run; `rings`: io_uring's rings are drawn in the notes' box;
    /// `two_list`: the page cache's two lists are.
    pub fn new(st: &SceneState, present: bool, rings: bool, two_list: bool) -> Layout {
        let cache = cache_box(present);
        let user_box = user_box(present);
        let (socket_box, kinfo) = match (rings, two_list && present) {
            (true, _) => (SOCKET_BOX, KINFO_BOX),
            // The lists' two rows at presentation size take the socket's room.
            (false, true) => (
                Rect::new(
                    SOCKET_BOX.min.x,
                    150.0,
                    SOCKET_BOX.max.x,
                    KERNEL_BAND.max.y - 8.0,
                ),
                Rect::new(
                    KINFO_BOX.min.x,
                    KERNEL_BAND.min.y + 4.0,
                    KINFO_BOX.max.x,
                    142.0,
                ),
            ),
            (false, false) => (socket_box(present), kinfo_box(present)),
        };
        let lists = (two_list && !rings).then(|| {
            let h = if present { 28.0 } else { 20.0 };
            let row = |k: f32| {
                let y0 = kinfo.min.y + 4.0 + k * (h + 4.0);
                Rect::new(kinfo.min.x + 8.0, y0, kinfo.max.x - 8.0, y0 + h)
            };
            (row(1.0), row(0.0))
        });
        // A box's title line, and a status line, at the mode's label size.
        let n = st.frames.len().max(1);
        let cols = if n <= 8 { 1 } else { 2 };
        let (title, line, label_w) = match (present, cols) {
            (false, _) => (24.0, 18.0, 104.0),
            (true, 1) => (32.0, 28.0, 124.0),
            // Two columns: a long file's page numbers ("f15 2:16383").
            (true, _) => (32.0, 28.0, 150.0),
        };
        let rows = n.div_ceil(cols);
        let col_w = cache.width() / cols as f32;
        let row_h = (cache.height() - title) / rows as f32;
        let frames = (0..st.frames.len())
            .map(|i| {
                let (c, r) = (i / rows, i % rows);
                let x0 = cache.min.x + c as f32 * col_w;
                let y1 = cache.max.y - title - r as f32 * row_h;
                let label = Rect::new(x0, y1 - row_h, x0 + label_w, y1);
                let cells = Rect::new(
                    x0 + label_w + 2.0,
                    y1 - row_h + 2.0,
                    x0 + col_w - 10.0,
                    y1 - 2.0,
                );
                (label, cells)
            })
            .collect();
        let platter = platter_box();
        let mut l = Layout {
            present,
            cache,
            process: process_box(present),
            user_box,
            socket_box,
            kinfo,
            user: inner(user_box, 0.0, title - 2.0),
            frames,
            socket: inner(socket_box, 0.0, title - 2.0),
            // Under the status line, over the platter.
            // (Presentation mode leaves room for three status lines: an NVMe
            // drive's, wrapped.)
            controller: Rect::new(
                DISK_BOX.min.x + 10.0,
                platter.max.y + 7.0,
                DISK_BOX.max.x - 10.0,
                status_y(DISK_BOX, present)
                    - if present {
                        3.0 * line + 4.0
                    } else {
                        line + 16.0
                    },
            ),
            platter: Rect::new(
                platter.min.x + 6.0,
                platter.min.y + 4.0,
                platter.max.x - 6.0,
                platter.max.y - line + 2.0,
            ),
            // Below the descriptor's three lines, so they never sit on the cells.
            nic: Rect::new(
                NIC_BOX.min.x + 10.0,
                if present {
                    NIC_BOX.min.y + 36.0
                } else {
                    NIC_BOX.min.y + 95.0
                },
                NIC_BOX.max.x - 10.0,
                status_y(NIC_BOX, present) - 3.0 * line - 4.0,
            ),
            bars: Vec::new(),
            lists,
            ring_rows: if rings {
                [
                    super::rings::Ring::Submission,
                    super::rings::Ring::Completion,
                ]
                .map(|r| super::rings::row(r, present))
                .to_vec()
            } else {
                Vec::new()
            },
            cache_cells: cache,
        };
        let frames = l
            .frames
            .iter()
            .zip(&st.frames)
            .map(|(f, v)| (f.1, v.bytes.size));
        for (area, size) in [
            (l.platter, st.platter.size),
            (l.controller, st.controller.size),
            (l.user, st.user.size),
            (l.socket, st.socket.size),
            (l.nic, st.nic.size),
        ]
        .into_iter()
        .chain(frames)
        {
            if size > crate::replay::CELL_LIMIT {
                l.bars.push(area);
            }
        }
        // Where the frames' cells end on the right (a frame drawn as a bar
        // fills its row).
        let right = l
            .frames
            .iter()
            .zip(&st.frames)
            .map(|(f, v)| {
                let size = v.bytes.size;
                if size > crate::replay::CELL_LIMIT {
                    f.1.max.x
                } else {
                    let c = Layout::cells(f.1, size);
                    c.origin.x + c.per_row.min(size.max(1) as usize) as f32 * c.size
                }
            })
            .fold(f32::MIN, f32::max);
        if right > l.cache.min.x {
            l.cache_cells = Rect::new(
                l.cache.min.x,
                l.cache.min.y,
                (right + 8.0).min(l.cache.max.x),
                l.cache.max.y,
            );
        }
        l
    }

    /// The cells of a region of `size` bytes drawn in `area`.
    pub fn cells(area: Rect, size: u64) -> Cells {
        Cells::fit(area, size as usize, 34.0)
    }

    /// Where a byte at a place is drawn (the cell, or the middle of a bar).
    pub fn place(&self, st: &SceneState, p: Place) -> Vec2 {
        let cell = |area: Rect, size: u64, off: u64| {
            if size <= crate::replay::CELL_LIMIT {
                Layout::cells(area, size).center((off % size.max(1)) as usize)
            } else {
                let f = (off % size.max(1)) as f32 / size as f32;
                Vec2::new(area.min.x + f * area.width(), area.center().y)
            }
        };
        match p {
            Place::Platter { .. } => Vec2::new(DISK_BOX.center().x, DISK_BOX.min.y + 40.0),
            Place::Controller { offset } => cell(self.controller, st.controller.size, offset),
            Place::Frame { frame, offset } => match self.frames.get(frame as usize) {
                Some((_, area)) => cell(*area, st.frames[frame as usize].bytes.size, offset),
                None => Vec2::new(self.cache.center().x, self.cache.min.y),
            },
            Place::User { offset } => cell(self.user, st.user.size, offset),
            Place::Socket { offset } | Place::RecvBuffer { offset } => {
                cell(self.socket, st.socket.size, offset)
            }
            Place::NicBuffer { offset } => cell(self.nic, st.nic.size, offset),
            Place::Wire { .. } => Vec2::new(WIRE_BOX.center().x, WIRE_BOX.center().y),
        }
    }

    /// The corners of a copy's path: from the source down (or up) to the memory
    /// bus, along it, and to the destination. Transfers inside a device go
    /// straight. A copy between the hardware and user space that skips the kernel
    /// (O_DIRECT's DMA into the user buffer) keeps to the gap between the page
    /// cache and the socket buffer, so it never seems to pass through a frame.
    pub fn corners(&self, st: &SceneState, from: Place, to: Place) -> Vec<Vec2> {
        let (a, b) = (self.place(st, from), self.place(st, to));
        let inside_device = matches!(
            (from, to),
            (Place::Platter { .. }, Place::Controller { .. })
                | (Place::Controller { .. }, Place::Platter { .. })
                | (Place::NicBuffer { .. }, Place::Wire { .. })
                | (Place::Wire { .. }, Place::NicBuffer { .. })
        );
        if inside_device {
            return vec![a, b];
        }
        let user = |p: &Place| matches!(p, Place::User { .. });
        let hardware = |p: &Place| {
            matches!(
                p,
                Place::Controller { .. } | Place::NicBuffer { .. } | Place::Platter { .. }
            )
        };
        // Between the user band and the kernel band, and the column between the
        // page cache and the socket buffer.
        let (gap_y, gap_x) = (245.0, (self.cache.max.x + SOCKET_BOX.min.x) / 2.0);
        if hardware(&from) && user(&to) {
            return vec![
                a,
                Vec2::new(a.x, BUS_Y),
                Vec2::new(gap_x, BUS_Y),
                Vec2::new(gap_x, gap_y),
                Vec2::new(b.x, gap_y),
                b,
            ];
        }
        if user(&from) && hardware(&to) {
            return vec![
                a,
                Vec2::new(a.x, gap_y),
                Vec2::new(gap_x, gap_y),
                Vec2::new(gap_x, BUS_Y),
                Vec2::new(b.x, BUS_Y),
                b,
            ];
        }
        vec![a, Vec2::new(a.x, BUS_Y), Vec2::new(b.x, BUS_Y), b]
    }

    /// A point `t` ∈ [0, 1] along the path of a copy (see `corners`).
    pub fn path(&self, st: &SceneState, from: Place, to: Place, t: f32) -> Vec2 {
        let pts = self.corners(st, from, to);
        let legs: Vec<f32> = pts.windows(2).map(|w| w[0].distance(w[1])).collect();
        let total: f32 = legs.iter().sum::<f32>().max(1e-3);
        let mut d = t.clamp(0.0, 1.0) * total;
        for (i, w) in pts.windows(2).enumerate() {
            if d <= legs[i] || i == legs.len() - 1 {
                let f = if legs[i] > 0.0 {
                    (d / legs[i]).min(1.0)
                } else {
                    1.0
                };
                return w[0].lerp(w[1], f);
            }
            d -= legs[i];
        }
        pts[pts.len() - 1]
    }
}

fn inner(r: Rect, pad: f32, top: f32) -> Rect {
    Rect::new(r.min.x + pad, r.min.y + pad, r.max.x - pad, r.max.y - top)
}
