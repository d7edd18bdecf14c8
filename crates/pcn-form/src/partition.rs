//! A partition of an area's practices into regions, with each region's
//! population and moment sums kept up to date so a move costs O(1) to price.
//!
//! The objective is lexicographic, as the DES orders it: first the patients
//! short of the 30,000 floor, then the patients over the 50,000 ceiling, then
//! compactness as the moment of inertia Σ w·d² about each region's centre.

use std::cmp::Ordering;

use pcn_core::limits;

use crate::area::Area;

/// The DES limits as weights (patients as `f64`, exact at these sizes).
pub const FLOOR: f64 = limits::FLOOR as f64;
pub const CEILING: f64 = limits::CEILING as f64;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cost {
    pub shortfall: f64,
    pub excess: f64,
    /// Single-practice networks at or above the floor: allowed only with the
    /// commissioner's approval, so avoided where another shape does as well.
    pub singles: f64,
    /// Moment of inertia in patient·km².
    pub spread: f64,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            shortfall: self.shortfall + o.shortfall,
            excess: self.excess + o.excess,
            singles: self.singles + o.singles,
            spread: self.spread + o.spread,
        }
    }
}

impl std::ops::Sub for Cost {
    type Output = Cost;
    fn sub(self, o: Cost) -> Cost {
        Cost {
            shortfall: self.shortfall - o.shortfall,
            excess: self.excess - o.excess,
            singles: self.singles - o.singles,
            spread: self.spread - o.spread,
        }
    }
}

impl Cost {
    /// Lexicographic order; differences below half a patient (or a tiny spread) are ties.
    pub fn cmp_lex(&self, o: &Cost) -> Ordering {
        let c = |a: f64, b: f64, eps: f64| if (a - b).abs() <= eps { Ordering::Equal } else { a.total_cmp(&b) };
        c(self.shortfall, o.shortfall, 0.5).then(c(self.excess, o.excess, 0.5)).then(c(
            self.spread,
            o.spread,
            1e-6 * (1.0 + self.spread.abs().max(o.spread.abs())),
        ))
    }

    pub fn better_than(&self, o: &Cost) -> bool {
        self.cmp_lex(o) == Ordering::Less
    }
}

#[derive(Debug, Clone, Default)]
pub struct Region {
    pub members: Vec<u32>,
    pub w: f64,
    sx: f64,
    sy: f64,
    sq: f64,
}

impl Region {
    fn add(&mut self, n: u32, x: f64, y: f64, w: f64) {
        self.members.push(n);
        self.w += w;
        self.sx += w * x;
        self.sy += w * y;
        self.sq += w * (x * x + y * y);
    }

    fn remove(&mut self, n: u32, x: f64, y: f64, w: f64) {
        let i = self.members.iter().position(|&m| m == n).expect("member");
        self.members.swap_remove(i);
        self.w -= w;
        self.sx -= w * x;
        self.sy -= w * y;
        self.sq -= w * (x * x + y * y);
        if self.members.is_empty() {
            *self = Region::default();
        }
    }

    pub fn cost(&self) -> Cost {
        cost_of(self.w, self.sx, self.sy, self.sq, self.members.len())
    }

    /// The cost with node (x, y, w) added (`sign` 1) or removed (`sign` -1).
    fn cost_with(&self, x: f64, y: f64, w: f64, sign: f64) -> Cost {
        let n = (self.members.len() as isize + sign as isize).max(0) as usize;
        cost_of(
            self.w + sign * w,
            self.sx + sign * w * x,
            self.sy + sign * w * y,
            self.sq + sign * w * (x * x + y * y),
            n,
        )
    }
}

pub fn cost_of(w: f64, sx: f64, sy: f64, sq: f64, members: usize) -> Cost {
    if members == 0 {
        return Cost::default();
    }
    let spread = if w > 0.0 { (sq - (sx * sx + sy * sy) / w).max(0.0) } else { 0.0 };
    let singles = if members == 1 && w >= FLOOR { 1.0 } else { 0.0 };
    Cost { shortfall: (FLOOR - w).max(0.0), excess: (w - CEILING).max(0.0), singles, spread }
}

/// Coordinates in km about the area's centre (keeps the sums well conditioned).
#[derive(Debug, Clone)]
pub struct Points {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub w: Vec<f64>,
}

impl Points {
    pub fn of(area: &Area) -> Points {
        let n = area.nodes.len().max(1) as f64;
        let cx = area.nodes.iter().map(|p| p.x).sum::<f64>() / n;
        let cy = area.nodes.iter().map(|p| p.y).sum::<f64>() / n;
        Points {
            x: area.nodes.iter().map(|p| (p.x - cx) / 1000.0).collect(),
            y: area.nodes.iter().map(|p| (p.y - cy) / 1000.0).collect(),
            w: area.nodes.iter().map(|p| p.w).collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Partition {
    pub region_of: Vec<u32>,
    pub regions: Vec<Region>,
}

impl Partition {
    /// From a region label per node (labels need not be dense).
    pub fn from_labels(labels: &[u32], pts: &Points) -> Partition {
        let k = labels.iter().copied().max().map_or(0, |m| m as usize + 1);
        let mut regions = vec![Region::default(); k];
        for (i, &l) in labels.iter().enumerate() {
            regions[l as usize].add(i as u32, pts.x[i], pts.y[i], pts.w[i]);
        }
        let mut p = Partition { region_of: labels.to_vec(), regions };
        p.compact();
        p
    }

    /// From labels, keeping region numbers as given (`k` regions at least).
    pub fn from_labels_sparse(labels: &[u32], pts: &Points, k: usize) -> Partition {
        let k = k.max(labels.iter().copied().max().map_or(0, |m| m as usize + 1));
        let mut regions = vec![Region::default(); k];
        for (i, &l) in labels.iter().enumerate() {
            regions[l as usize].add(i as u32, pts.x[i], pts.y[i], pts.w[i]);
        }
        Partition { region_of: labels.to_vec(), regions }
    }

    /// Drops empty regions, renumbering the rest in order.
    pub fn compact(&mut self) {
        let mut map = vec![u32::MAX; self.regions.len()];
        let mut kept = Vec::new();
        for (i, r) in self.regions.drain(..).enumerate() {
            if !r.members.is_empty() {
                map[i] = kept.len() as u32;
                kept.push(r);
            }
        }
        self.regions = kept;
        for r in &mut self.region_of {
            *r = map[*r as usize];
        }
    }

    pub fn total(&self) -> Cost {
        self.regions.iter().fold(Cost::default(), |c, r| c + r.cost())
    }

    pub fn move_node(&mut self, n: u32, to: u32, pts: &Points) {
        let from = self.region_of[n as usize];
        if from == to {
            return;
        }
        let i = n as usize;
        self.regions[from as usize].remove(n, pts.x[i], pts.y[i], pts.w[i]);
        self.regions[to as usize].add(n, pts.x[i], pts.y[i], pts.w[i]);
        self.region_of[i] = to;
    }

    /// New empty region; returns its index.
    pub fn new_region(&mut self) -> u32 {
        self.regions.push(Region::default());
        (self.regions.len() - 1) as u32
    }

    /// Cost change of moving node `n` to region `to`: (before, after) of the two regions.
    pub fn price_move(&self, n: u32, to: u32, pts: &Points) -> (Cost, Cost) {
        let from = self.region_of[n as usize];
        let i = n as usize;
        let (rf, rt) = (&self.regions[from as usize], &self.regions[to as usize]);
        let before = rf.cost() + rt.cost();
        let after = rf.cost_with(pts.x[i], pts.y[i], pts.w[i], -1.0) + rt.cost_with(pts.x[i], pts.y[i], pts.w[i], 1.0);
        (before, after)
    }

    /// Whether region `r` stays connected without node `skip`.
    pub fn connected_without(&self, area: &Area, r: u32, skip: u32, seen: &mut Vec<u32>, stamp: &mut u32) -> bool {
        let members = &self.regions[r as usize].members;
        let Some(&start) = members.iter().find(|&&m| m != skip) else { return true };
        *stamp = stamp.wrapping_add(1).max(1);
        if seen.len() < self.region_of.len() {
            seen.resize(self.region_of.len(), 0);
        }
        seen[start as usize] = *stamp;
        let mut stack = vec![start];
        let mut count = 1;
        while let Some(v) = stack.pop() {
            for &t in &area.adj[v as usize] {
                if t != skip && self.region_of[t as usize] == r && seen[t as usize] != *stamp {
                    seen[t as usize] = *stamp;
                    count += 1;
                    stack.push(t);
                }
            }
        }
        count == members.len() - usize::from(members.contains(&skip))
    }

    /// Regions adjacent to node `n` other than its own, ascending.
    pub fn neighbour_regions(&self, area: &Area, n: u32) -> Vec<u32> {
        let own = self.region_of[n as usize];
        let mut v: Vec<u32> =
            area.adj[n as usize].iter().map(|&t| self.region_of[t as usize]).filter(|&r| r != own).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether every region induces a connected subgraph.
    pub fn all_connected(&self, area: &Area) -> bool {
        let mut seen = Vec::new();
        let mut stamp = 0;
        (0..self.regions.len() as u32).all(|r| self.connected_without(area, r, u32::MAX, &mut seen, &mut stamp))
    }
}
