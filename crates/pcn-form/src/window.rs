//! A few practices of an area (at most 32) as bitmasks: the exact moves
//! (whole small areas, pair re-splits, three-way cuts) enumerate subsets of a
//! window and need only "is this subset connected" and "what does it cost".

use crate::area::Area;
use crate::partition::{Cost, Points, cost_of};

pub struct Window<'a> {
    /// Area node indices, ascending; bit `i` of a mask is `nodes[i]`.
    pub nodes: Vec<u32>,
    adj: Vec<u32>,
    pts: &'a Points,
}

impl<'a> Window<'a> {
    pub fn new(area: &Area, pts: &'a Points, mut nodes: Vec<u32>) -> Self {
        assert!(nodes.len() <= 32, "a window holds at most 32 practices");
        nodes.sort_unstable();
        let adj = nodes
            .iter()
            .map(|&g| {
                area.adj[g as usize].iter().filter_map(|t| nodes.binary_search(t).ok()).fold(0u32, |m, l| m | (1 << l))
            })
            .collect();
        Window { nodes, adj, pts }
    }

    pub fn full(&self) -> u32 {
        if self.nodes.len() == 32 { u32::MAX } else { (1u32 << self.nodes.len()) - 1 }
    }

    /// The mask of the window's nodes for which `pick` holds.
    pub fn mask(&self, pick: impl Fn(u32) -> bool) -> u32 {
        self.nodes.iter().enumerate().filter(|(_, g)| pick(**g)).fold(0, |m, (i, _)| m | (1 << i))
    }

    /// Whether the nodes in `mask` form one connected piece (an empty mask does not).
    pub fn connected(&self, mask: u32) -> bool {
        if mask == 0 {
            return false;
        }
        let mut reach = mask & mask.wrapping_neg();
        loop {
            let mut next = reach;
            let mut bits = reach;
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                next |= self.adj[i] & mask;
            }
            if next == reach {
                return reach == mask;
            }
            reach = next;
        }
    }

    /// The cost of the nodes in `mask` as one region.
    pub fn cost(&self, mask: u32) -> Cost {
        let (mut w, mut sx, mut sy, mut sq, mut c) = (0.0, 0.0, 0.0, 0.0, 0);
        let mut bits = mask;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let g = self.nodes[i] as usize;
            let (x, y, wt) = (self.pts.x[g], self.pts.y[g], self.pts.w[g]);
            w += wt;
            sx += wt * x;
            sy += wt * y;
            sq += wt * (x * x + y * y);
            c += 1;
        }
        cost_of(w, sx, sy, sq, c)
    }
}
