//! Voronoi cells of sites, dissolved per network into network areas, and the
//! Polsby-Popper compactness of an area.
//!
//! A cell is the intersection of half-planes "closer to this site than to that
//! Delaunay neighbour" (pruned edges included: they are still Voronoi
//! neighbours), started from a square of half-side `reach_m` around the site so
//! that cells on the coast or the rim stay bounded.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};

use crate::graph::SiteGraph;
use crate::land::Land;

/// How far a cell may reach from its site when nothing else bounds it.
pub const DEFAULT_REACH_M: f64 = 12_000.0;

pub fn voronoi_cells(g: &SiteGraph, reach_m: f64) -> Vec<Polygon<f64>> {
    let mut all_neighbours: Vec<Vec<u32>> = g.neighbours.clone();
    for p in &g.pruned {
        all_neighbours[p.edge.a as usize].push(p.edge.b);
        all_neighbours[p.edge.b as usize].push(p.edge.a);
    }
    g.sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut ring = vec![
                (s.x - reach_m, s.y - reach_m),
                (s.x + reach_m, s.y - reach_m),
                (s.x + reach_m, s.y + reach_m),
                (s.x - reach_m, s.y + reach_m),
            ];
            for &t in &all_neighbours[i] {
                let o = &g.sites[t as usize];
                ring = clip_half_plane(&ring, (s.x, s.y), (o.x, o.y));
                if ring.is_empty() {
                    break;
                }
            }
            polygon(ring)
        })
        .collect()
}

/// Keeps the part of convex polygon `ring` closer to `s` than to `t`
/// (Sutherland-Hodgman against the perpendicular bisector).
fn clip_half_plane(ring: &[(f64, f64)], s: (f64, f64), t: (f64, f64)) -> Vec<(f64, f64)> {
    let m = ((s.0 + t.0) / 2.0, (s.1 + t.1) / 2.0);
    let d = (t.0 - s.0, t.1 - s.1);
    let side = |p: (f64, f64)| (p.0 - m.0) * d.0 + (p.1 - m.1) * d.1; // <= 0: keep
    let mut out = Vec::with_capacity(ring.len() + 1);
    for i in 0..ring.len() {
        let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp <= 0.0) != (sq <= 0.0) {
            let k = sp / (sp - sq);
            out.push((p.0 + k * (q.0 - p.0), p.1 + k * (q.1 - p.1)));
        }
    }
    out
}

fn polygon(ring: Vec<(f64, f64)>) -> Polygon<f64> {
    let mut coords: Vec<Coord<f64>> = ring.into_iter().map(|(x, y)| Coord { x, y }).collect();
    if let Some(first) = coords.first().copied() {
        coords.push(first);
    }
    Polygon::new(LineString(coords), vec![])
}

/// Dissolves the cells of each network's sites into one area. `owner[site]`
/// names the network a site's cell belongs to (`None`: no network). With
/// `clip`, each area is cut to its commissioner's boundary when `land` has it
/// (`clip(key)` gives the boundary key for a network), else to the land as a whole.
pub fn network_areas<K: Ord + Clone>(
    cells: &[Polygon<f64>],
    owner: &[Option<K>],
    land: Option<&Land>,
    clip: impl Fn(&K) -> Option<String>,
) -> BTreeMap<K, MultiPolygon<f64>> {
    let mut groups: BTreeMap<K, Vec<Polygon<f64>>> = BTreeMap::new();
    for (cell, own) in cells.iter().zip(owner) {
        if let Some(k) = own {
            groups.entry(k.clone()).or_default().push(cell.clone());
        }
    }
    groups
        .into_iter()
        .map(|(k, polys)| {
            let mut area = geo::unary_union(polys.iter());
            if let Some(land) = land.filter(|l| !l.is_empty()) {
                let bound = clip(&k).and_then(|key| land.area(&key)).map(|a| a.shape.clone());
                area = match bound {
                    Some(b) => area.intersection(&b),
                    None => {
                        let whole = geo::unary_union(land.areas.iter().flat_map(|a| a.shape.0.iter()));
                        area.intersection(&whole)
                    }
                };
            }
            (k, area)
        })
        .collect()
}

/// 4πA/P²: 1 for a circle, towards 0 for straggling shapes.
pub fn polsby_popper(area: &MultiPolygon<f64>) -> f64 {
    let a = area.unsigned_area();
    let p: f64 =
        area.0.iter().flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors())).map(ring_length).sum();
    if p > 0.0 { 4.0 * std::f64::consts::PI * a / (p * p) } else { 0.0 }
}

fn ring_length(r: &LineString<f64>) -> f64 {
    r.0.windows(2).map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{PruneRule, SiteGraph};

    #[test]
    fn cells_of_a_grid_tile_the_plane() {
        let pts: Vec<(f64, f64)> =
            (0..4).flat_map(|i| (0..4).map(move |j| (i as f64 * 1000.0, j as f64 * 1000.0))).collect();
        let g = SiteGraph::build(&pts, None, PruneRule::default());
        let cells = voronoi_cells(&g, 500.0);
        // Each cell is the 1 km square around its site (reach 500 m bounds the rim too).
        for c in &cells {
            assert!((c.unsigned_area() - 1_000_000.0).abs() < 1.0, "{}", c.unsigned_area());
        }
        let owner: Vec<Option<u8>> = g.sites.iter().map(|s| Some(if s.x < 1500.0 { 0 } else { 1 })).collect();
        let areas = network_areas(&cells, &owner, None, |_| None);
        assert_eq!(areas.len(), 2);
        // Two 2 km × 4 km rectangles: PP = 4π·8/12² ≈ 0.698.
        for a in areas.values() {
            assert!((a.unsigned_area() - 8_000_000.0).abs() < 10.0);
            assert!((polsby_popper(a) - 0.698).abs() < 0.01, "{}", polsby_popper(a));
        }
    }

    #[test]
    fn a_square_is_more_compact_than_a_strip() {
        let sq = MultiPolygon(vec![polygon(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])]);
        let strip = MultiPolygon(vec![polygon(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 0.1), (0.0, 0.1)])]);
        assert!((polsby_popper(&sq) - std::f64::consts::PI / 4.0).abs() < 1e-9);
        assert!(polsby_popper(&strip) < 0.05);
    }
}
