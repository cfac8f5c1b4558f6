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
pub fn label_zones() -> Vec<Rect> {
    let top = |b: Rect, w: f32, h: f32| Rect::new(b.min.x, b.max.y - h, b.min.x + w, b.max.y);
    vec![
        top(USER_BUF_BOX, 140.0, 24.0),
        top(CACHE_BOX, 240.0, 24.0),
        top(SOCKET_BOX, 150.0, 24.0),
        top(KINFO_BOX, 80.0, 24.0),
        top(CPU_BOX, 200.0, 110.0),
        top(DMA_BOX, 200.0, 80.0),
        top(DISK_BOX, 220.0, 48.0),
        top(NIC_BOX, 230.0, 80.0),
        top(WIRE_BOX, 140.0, 80.0),
        // The caption above the user buffer.
        Rect::new(
            USER_BUF_BOX.min.x,
            USER_BAND.max.y - 30.0,
            520.0,
            USER_BAND.max.y,
        ),
    ]
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
    pub user: Rect,
    pub frames: Vec<(Rect, Rect)>,
    pub socket: Rect,
    pub controller: Rect,
    /// The file's bytes on the platter (under its name).
    pub platter: Rect,
    pub nic: Rect,
}

impl Layout {
    pub fn new(st: &SceneState) -> Layout {
        let n = st.frames.len().max(1);
        let cols = if n <= 8 { 1 } else { 2 };
        let rows = n.div_ceil(cols);
        let col_w = CACHE_BOX.width() / cols as f32;
        let row_h = (CACHE_BOX.height() - 24.0) / rows as f32;
        let frames = (0..st.frames.len())
            .map(|i| {
                let (c, r) = (i / rows, i % rows);
                let x0 = CACHE_BOX.min.x + c as f32 * col_w;
                let y1 = CACHE_BOX.max.y - 24.0 - r as f32 * row_h;
                let label = Rect::new(x0, y1 - row_h, x0 + 104.0, y1);
                let cells = Rect::new(x0 + 106.0, y1 - row_h + 2.0, x0 + col_w - 10.0, y1 - 2.0);
                (label, cells)
            })
            .collect();
        Layout {
            user: inner(USER_BUF_BOX, 0.0, 22.0),
            frames,
            socket: inner(SOCKET_BOX, 0.0, 22.0),
            controller: Rect::new(
                DISK_BOX.min.x + 10.0,
                DISK_BOX.min.y + 95.0,
                DISK_BOX.max.x - 10.0,
                DISK_BOX.max.y - 60.0,
            ),
            platter: {
                let p = platter_box();
                Rect::new(p.min.x + 6.0, p.min.y + 4.0, p.max.x - 6.0, p.max.y - 16.0)
            },
            // Below the descriptor's three lines, so they never sit on the cells.
            nic: Rect::new(
                NIC_BOX.min.x + 10.0,
                NIC_BOX.min.y + 95.0,
                NIC_BOX.max.x - 10.0,
                NIC_BOX.max.y - 84.0,
            ),
        }
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
                None => Vec2::new(CACHE_BOX.center().x, CACHE_BOX.min.y),
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
        let (gap_y, gap_x) = (245.0, (CACHE_BOX.max.x + SOCKET_BOX.min.x) / 2.0);
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
