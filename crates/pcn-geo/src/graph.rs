//! The adjacency graph of practice sites: a Delaunay triangulation with the
//! edges that cannot be real neighbourhood links pruned.
//!
//! Pruning rule (every pruned edge is kept with its reason, for review):
//! 1. `TooLong`: longer than `max_edge_m` (30 km). Nowhere in England are two
//!    practices that far apart with nothing between them except across water.
//! 2. `LongForArea`: longer than `relative_floor_m` (5 km) *and* more than
//!    `relative` (3×) the typical spacing at both ends (the median length of
//!    each end's Delaunay edges). Such an edge spans a void, usually the sea
//!    or an estuary (Humber, Severn, Solent, Morecambe Bay) or the rim of the
//!    convex hull.
//! 3. `CrossesWater`: when land polygons are known, more than `water_m`
//!    (2 km) of the edge lies outside them. The tolerance absorbs the
//!    generalisation of the boundaries at the coast.
//!
//! A site with a pruned edge or on the convex hull is at the edge of the map:
//! a network there can border the sea rather than another network, which
//! matters for the "no donuts" rule.
//!
//! Explicit links ([`SiteGraph::link_islands`]): a group of sites cut off
//! from everything else (the Isles of Scilly) and too small to be a network
//! on its own is joined to the nearest site outside it, as a ferry or road
//! would join it. Links are kept apart from Delaunay edges so a report can
//! say which adjacencies are declared rather than geometric.

use serde::Serialize;
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

use crate::land::Land;

/// Co-located practices: one point, several practices (indices the caller chose).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    pub x: f64,
    pub y: f64,
    pub members: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PruneRule {
    pub max_edge_m: f64,
    pub relative: f64,
    pub relative_floor_m: f64,
    pub water_m: f64,
}

impl Default for PruneRule {
    fn default() -> Self {
        Self { max_edge_m: 30_000.0, relative: 3.0, relative_floor_m: 5_000.0, water_m: 2_000.0 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PruneReason {
    TooLong,
    LongForArea,
    CrossesWater,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub length_m: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrunedEdge {
    pub edge: Edge,
    pub reason: PruneReason,
}

#[derive(Debug, Clone, Default)]
pub struct SiteGraph {
    pub sites: Vec<Site>,
    /// Site of each input point.
    pub site_of: Vec<u32>,
    /// Kept neighbours of each site, sorted.
    pub neighbours: Vec<Vec<u32>>,
    pub edges: Vec<Edge>,
    pub pruned: Vec<PrunedEdge>,
    /// On the convex hull or beside a pruned edge.
    pub at_map_edge: Vec<bool>,
    /// Explicit links added for islands (also in `neighbours`).
    pub links: Vec<Edge>,
}

struct Vertex {
    pos: Point2<f64>,
    site: u32,
}

impl HasPosition for Vertex {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.pos
    }
}

/// Collapses points that share a position (to the metre) into sites, in order
/// of first appearance.
pub fn collapse(points: &[(f64, f64)]) -> (Vec<Site>, Vec<u32>) {
    let mut index: std::collections::HashMap<(i64, i64), u32> = std::collections::HashMap::with_capacity(points.len());
    let mut sites: Vec<Site> = Vec::new();
    let mut site_of = Vec::with_capacity(points.len());
    for (i, &(x, y)) in points.iter().enumerate() {
        let key = (x.round() as i64, y.round() as i64);
        let s = *index.entry(key).or_insert_with(|| {
            sites.push(Site { x, y, members: Vec::new() });
            (sites.len() - 1) as u32
        });
        sites[s as usize].members.push(i);
        site_of.push(s);
    }
    (sites, site_of)
}

impl SiteGraph {
    /// Builds the graph over `points` (BNG metres). `land`, when given, adds
    /// the water rule.
    pub fn build(points: &[(f64, f64)], land: Option<&Land>, rule: PruneRule) -> Self {
        let (sites, site_of) = collapse(points);
        let n = sites.len();
        let mut all: Vec<Edge> = Vec::new();
        let mut hull = vec![false; n];
        if n == 2 {
            all.push(edge(&sites, 0, 1));
        } else if n > 2 {
            let vertices: Vec<Vertex> =
                sites.iter().enumerate().map(|(i, s)| Vertex { pos: Point2::new(s.x, s.y), site: i as u32 }).collect();
            // Sites are distinct to the metre, so nothing merges and every site is a vertex.
            let t: DelaunayTriangulation<Vertex> =
                DelaunayTriangulation::bulk_load_stable(vertices).expect("finite coordinates");
            for e in t.undirected_edges() {
                let [v0, v1] = e.vertices();
                all.push(edge(&sites, v0.data().site, v1.data().site));
            }
            if t.num_inner_faces() > 0 {
                for e in t.convex_hull() {
                    hull[e.from().data().site as usize] = true;
                }
            } else {
                // All sites on one line: every site borders the outside.
                hull.iter_mut().for_each(|h| *h = true);
            }
        }

        // Typical spacing at each site: the median of its Delaunay edge lengths.
        let mut lengths: Vec<Vec<f64>> = vec![Vec::new(); n];
        for e in &all {
            lengths[e.a as usize].push(e.length_m);
            lengths[e.b as usize].push(e.length_m);
        }
        let spacing: Vec<f64> = lengths
            .iter_mut()
            .map(|l| {
                l.sort_by(f64::total_cmp);
                if l.is_empty() { 0.0 } else { l[l.len() / 2] }
            })
            .collect();

        let mut g = SiteGraph { neighbours: vec![Vec::new(); n], at_map_edge: hull, ..Default::default() };
        for e in all {
            let (a, b) = (e.a as usize, e.b as usize);
            let reason = if e.length_m > rule.max_edge_m {
                Some(PruneReason::TooLong)
            } else if e.length_m > rule.relative_floor_m && e.length_m > rule.relative * spacing[a].max(spacing[b]) {
                Some(PruneReason::LongForArea)
            } else if land
                .is_some_and(|l| l.length_outside(sites[a].x, sites[a].y, sites[b].x, sites[b].y) > rule.water_m)
            {
                Some(PruneReason::CrossesWater)
            } else {
                None
            };
            match reason {
                Some(reason) => {
                    g.at_map_edge[a] = true;
                    g.at_map_edge[b] = true;
                    g.pruned.push(PrunedEdge { edge: e, reason });
                }
                None => {
                    g.neighbours[a].push(e.b);
                    g.neighbours[b].push(e.a);
                    g.edges.push(e);
                }
            }
        }
        for nb in &mut g.neighbours {
            nb.sort_unstable();
        }
        g.sites = sites;
        g.site_of = site_of;
        g
    }

    /// Connected groups of the given sites, using only edges among them.
    /// Groups are ordered by their smallest site, sites within a group ascending.
    pub fn components(&self, sites: &[u32], scratch: &mut Scratch) -> Vec<Vec<u32>> {
        let g = scratch.next_generation(self.sites.len());
        for &s in sites {
            scratch.member[s as usize] = g;
        }
        let mut sorted: Vec<u32> = sites.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut groups = Vec::new();
        for &start in &sorted {
            if scratch.seen[start as usize] == g {
                continue;
            }
            scratch.seen[start as usize] = g;
            let mut group = vec![start];
            let mut i = 0;
            while i < group.len() {
                for &t in &self.neighbours[group[i] as usize] {
                    let t_us = t as usize;
                    if scratch.member[t_us] == g && scratch.seen[t_us] != g {
                        scratch.seen[t_us] = g;
                        group.push(t);
                    }
                }
                i += 1;
            }
            group.sort_unstable();
            groups.push(group);
        }
        groups
    }

    /// Joins every connected group of sites whose `weight` totals less than
    /// `floor` to the nearest site outside the group, until none is left
    /// (each link merges two groups, so this ends).
    pub fn link_islands(&mut self, weight: &[f64], floor: f64) {
        loop {
            let comps = self.site_components();
            if comps.len() < 2 {
                return;
            }
            let mut comp_of = vec![0usize; self.sites.len()];
            for (c, sites) in comps.iter().enumerate() {
                for &s in sites {
                    comp_of[s as usize] = c;
                }
            }
            let Some(small) = comps.iter().position(|c| c.iter().map(|&s| weight[s as usize]).sum::<f64>() < floor)
            else {
                return;
            };
            let mut best: Option<(f64, u32, u32)> = None;
            for &a in &comps[small] {
                for b in 0..self.sites.len() as u32 {
                    if comp_of[b as usize] != small {
                        let d = self.distance_m(a, b);
                        if best.is_none_or(|(bd, ..)| d < bd) {
                            best = Some((d, a, b));
                        }
                    }
                }
            }
            let (d, a, b) = best.expect("another group exists");
            self.neighbours[a as usize].push(b);
            self.neighbours[b as usize].push(a);
            self.neighbours[a as usize].sort_unstable();
            self.neighbours[b as usize].sort_unstable();
            self.links.push(Edge { a: a.min(b), b: a.max(b), length_m: d });
        }
    }

    /// Connected groups of all sites, each ascending, ordered by smallest site.
    pub fn site_components(&self) -> Vec<Vec<u32>> {
        let all: Vec<u32> = (0..self.sites.len() as u32).collect();
        self.components(&all, &mut Scratch::default())
    }

    /// Site-level neighbours of a set of sites that are not in the set.
    pub fn border(&self, sites: &[u32]) -> Vec<u32> {
        let mut out: Vec<u32> = sites
            .iter()
            .flat_map(|&s| self.neighbours[s as usize].iter().copied())
            .filter(|t| !sites.contains(t))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn distance_m(&self, a: u32, b: u32) -> f64 {
        let (p, q) = (&self.sites[a as usize], &self.sites[b as usize]);
        (p.x - q.x).hypot(p.y - q.y)
    }
}

/// Reusable marks so repeated component searches allocate nothing per site.
#[derive(Debug, Default)]
pub struct Scratch {
    member: Vec<u32>,
    seen: Vec<u32>,
    generation: u32,
}

impl Scratch {
    fn next_generation(&mut self, n: usize) -> u32 {
        if self.member.len() < n {
            self.member.resize(n, 0);
            self.seen.resize(n, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.member.iter_mut().for_each(|m| *m = 0);
            self.seen.iter_mut().for_each(|m| *m = 0);
            self.generation = 1;
        }
        self.generation
    }
}

fn edge(sites: &[Site], a: u32, b: u32) -> Edge {
    let (p, q) = (&sites[a as usize], &sites[b as usize]);
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    Edge { a, b, length_m: (p.x - q.x).hypot(p.y - q.y) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn islands_below_the_floor_are_linked_to_the_nearest_site() {
        // A mainland grid and one far island site: the 45 km sea edge is pruned.
        let mut pts: Vec<(f64, f64)> =
            (0..5).flat_map(|i| (0..5).map(move |j| (i as f64 * 2_000.0, j as f64 * 2_000.0))).collect();
        pts.push((-45_000.0, 4_000.0));
        let mut g = SiteGraph::build(&pts, None, PruneRule::default());
        assert_eq!(g.site_components().len(), 2, "the island is cut off");
        let weight: Vec<f64> = (0..g.sites.len()).map(|_| 5_000.0).collect();
        g.link_islands(&weight, 30_000.0);
        assert_eq!(g.site_components().len(), 1);
        assert_eq!(g.links.len(), 1);
        let island = g.site_of[25];
        assert!(
            g.neighbours[island as usize]
                .iter()
                .all(|&t| g.sites[t as usize].x == 0.0 && g.sites[t as usize].y == 4_000.0)
        );
        // A cut-off group big enough to stand alone is left alone.
        let mut g = SiteGraph::build(&pts, None, PruneRule::default());
        let mut weight = vec![5_000.0; g.sites.len()];
        weight[g.site_of[25] as usize] = 40_000.0;
        g.link_islands(&weight, 30_000.0);
        assert!(g.links.is_empty());
    }
}
