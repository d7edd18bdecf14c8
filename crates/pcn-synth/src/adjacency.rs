//! Where practices sit relative to each other on the synthetic area's site
//! graph: a practice's neighbours and a group's centre. Growing the networks
//! and making them imperfect both need these, so they live here and neither
//! reaches into the other.

use pcn_geo::SiteGraph;

use crate::{Point, SynthPractice};

/// The unweighted centre of `members`' locations.
pub(crate) fn centroid(practices: &[SynthPractice], members: &[usize]) -> Point {
    let n = members.len().max(1) as f64;
    let (e, no) = members
        .iter()
        .fold((0.0, 0.0), |(e, n), &m| (e + practices[m].location.easting, n + practices[m].location.northing));
    Point::new(e / n, no / n)
}

/// Practices next to practice `p`: in the same building or at a joined site.
pub(crate) fn neighbours<'g>(graph: &'g SiteGraph, p: usize) -> impl Iterator<Item = usize> + 'g {
    let site = graph.site_of[p] as usize;
    std::iter::once(site)
        .chain(graph.neighbours[site].iter().map(|&s| s as usize))
        .flat_map(move |s| graph.sites[s].members.iter().copied())
        .filter(move |&q| q != p)
}
