//! The existing, imperfect network configuration.
//!
//! Within each commissioner, networks grow greedily along the project's
//! practice adjacency graph (`pcn_geo::SiteGraph`, the Delaunay graph the
//! rule checker judges contiguity by): from the outermost free practice, add
//! the free neighbouring practice nearest the network's centre until the
//! network reaches its target. Growing only through neighbours keeps every
//! network contiguous. Targets are drawn so that sizes look like the real 2020
//! configuration (mean ~48k; 439 of 1,250 PCNs over 50,000, a few under
//! 30,000). Then `imperfections` makes the configuration as untidy as the
//! real one, and each network gets its code, name and registered address.

use std::collections::HashSet;

use pcn_core::{NetworkCode, limits};
use pcn_geo::{PruneRule, SiteGraph};

use crate::adjacency::{centroid, neighbours};
use crate::geography::Gazetteer;
use crate::imperfections;
use crate::postcodes::PostcodeBook;
use crate::random::Rand;
use crate::{MOVE_DATE, PCN_START, PastMembership, Point, SynthCommissioner, SynthNetwork, SynthPractice, names};

/// Share of networks deliberately grown small (under 30,000).
const SMALL_SHARE: f64 = 0.065;
/// Share of networks grown past 50,000.
const LARGE_SHARE: f64 = 0.27;
/// Networks whose registered address is a hub of its own, not a member's.
const HUB_SHARE: f64 = 0.1;
/// The DES size floor; networks stuck below it join a neighbour.
const FLOOR: u64 = limits::FLOOR as u64;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Small,
    Normal,
    Large,
}

/// How big a network grows: stop at `target`; do not pass `cap` once `floor` is reached.
#[derive(Debug, Clone, Copy)]
struct Goal {
    kind: Kind,
    target: f64,
    floor: f64,
    cap: f64,
}

impl Goal {
    fn of(kind: Kind, rng: &mut Rand) -> Self {
        match kind {
            Kind::Small => Goal { kind, target: rng.uniform(15_000.0, 27_000.0), floor: 10_000.0, cap: 29_500.0 },
            Kind::Normal => Goal {
                kind,
                target: rng.uniform(limits::FLOOR as f64, 42_000.0),
                floor: limits::FLOOR as f64,
                cap: limits::CEILING as f64,
            },
            Kind::Large => Goal { kind, target: rng.uniform(52_000.0, 68_000.0), floor: 50_500.0, cap: 80_000.0 },
        }
    }

    fn draw(rng: &mut Rand) -> Self {
        let x = rng.unit();
        let kind = if x < SMALL_SHARE {
            Kind::Small
        } else if x < SMALL_SHARE + LARGE_SHARE {
            Kind::Large
        } else {
            Kind::Normal
        };
        Self::of(kind, rng)
    }
}

struct Draft {
    commissioner: usize,
    kind: Kind,
    members: Vec<usize>,
}

fn registered(practices: &[SynthPractice], members: &[usize]) -> u64 {
    members.iter().map(|&m| u64::from(practices[m].registered)).sum()
}

/// Greedy growth along the graph within each commissioner.
fn grow(practices: &[SynthPractice], commissioners: usize, graph: &SiteGraph, rng: &mut Rand) -> Vec<Draft> {
    let n = practices.len();
    let mut by_commissioner: Vec<Vec<usize>> = vec![Vec::new(); commissioners];
    for (i, p) in practices.iter().enumerate() {
        by_commissioner[p.commissioner].push(i);
    }
    // A small area still shows both kinds of misfit.
    let mut forced = if n >= 100 { vec![Kind::Large, Kind::Small] } else { Vec::new() };
    let mut drafts: Vec<Draft> = Vec::new();
    let mut draft_of = vec![usize::MAX; n];
    let mut queued = vec![usize::MAX; n];
    for (c, ids) in by_commissioner.iter().enumerate() {
        if ids.is_empty() {
            continue;
        }
        let middle = centroid(practices, ids);
        // Outermost first, so leftovers end up in the middle, not stranded at an edge.
        let mut seeds = ids.clone();
        seeds.sort_by(|&a, &b| {
            practices[b].location.distance2(middle).total_cmp(&practices[a].location.distance2(middle)).then(a.cmp(&b))
        });
        let first = drafts.len();
        for &seed in &seeds {
            if draft_of[seed] != usize::MAX {
                continue;
            }
            let id = drafts.len();
            let goal = match forced.pop() {
                Some(kind) => Goal::of(kind, rng),
                None => Goal::draw(rng),
            };
            let mut members = Vec::new();
            let mut frontier = vec![seed];
            queued[seed] = id;
            let (mut sum, mut centre) = (0.0, practices[seed].location);
            while let Some(at) = (0..frontier.len()).min_by(|&a, &b| {
                let (pa, pb) = (frontier[a], frontier[b]);
                practices[pa]
                    .location
                    .distance2(centre)
                    .total_cmp(&practices[pb].location.distance2(centre))
                    .then(pa.cmp(&pb))
            }) {
                let k = frontier[at];
                let list = f64::from(practices[k].registered);
                // A small network still pairs up: a lone practice under 30,000 is no network.
                let enough = members.len() >= 2 || (goal.kind != Kind::Small && !members.is_empty());
                if enough && sum + list > goal.cap && sum >= goal.floor {
                    break;
                }
                frontier.swap_remove(at);
                draft_of[k] = id;
                members.push(k);
                sum += list;
                let m = members.len() as f64;
                centre = Point::new(
                    centre.easting + (practices[k].location.easting - centre.easting) / m,
                    centre.northing + (practices[k].location.northing - centre.northing) / m,
                );
                if sum >= goal.target {
                    break;
                }
                for q in neighbours(graph, k) {
                    if draft_of[q] == usize::MAX && queued[q] != id && practices[q].commissioner == c {
                        queued[q] = id;
                        frontier.push(q);
                    }
                }
            }
            drafts.push(Draft { commissioner: c, kind: goal.kind, members });
        }
        merge_stuck(practices, graph, &mut drafts[first..], first, &mut draft_of);
    }
    drafts.retain(|d| !d.members.is_empty());
    drafts
}

/// Networks left under the floor by accident (hemmed in by their neighbours),
/// and lone practices under it, join the smallest neighbouring network of
/// their commissioner, smallest first.
fn merge_stuck(
    practices: &[SynthPractice],
    graph: &SiteGraph,
    drafts: &mut [Draft],
    offset: usize,
    draft_of: &mut [usize],
) {
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&d| (registered(practices, &drafts[d].members), d));
    for d in order {
        let size = registered(practices, &drafts[d].members);
        let lone = drafts[d].members.len() == 1;
        if drafts[d].members.is_empty() || (drafts[d].kind == Kind::Small && !lone) || size >= FLOOR {
            continue;
        }
        let mut adjacent: Vec<usize> = drafts[d]
            .members
            .iter()
            .flat_map(|&p| neighbours(graph, p))
            .filter_map(|q| draft_of[q].checked_sub(offset))
            .filter(|&o| o != d && o < drafts.len())
            .collect();
        adjacent.sort_unstable();
        adjacent.dedup();
        let Some(into) = adjacent.into_iter().min_by_key(|&o| (registered(practices, &drafts[o].members), o)) else {
            continue;
        };
        let moved = std::mem::take(&mut drafts[d].members);
        for &p in &moved {
            draft_of[p] = offset + into;
        }
        drafts[into].members.extend(moved);
    }
}

pub fn build(
    practices: &mut [SynthPractice],
    commissioners: &[SynthCommissioner],
    towns: &Gazetteer,
    postcodes: &mut PostcodeBook,
    spacing: f64,
    rng: &mut Rand,
) -> Vec<SynthNetwork> {
    let points: Vec<(f64, f64)> = practices.iter().map(|p| (p.location.easting, p.location.northing)).collect();
    let graph = SiteGraph::build(&points, None, PruneRule::default());
    let drafts = grow(practices, commissioners.len(), &graph, rng);
    let members: Vec<Vec<usize>> = drafts.iter().map(|d| d.members.clone()).collect();
    let commissioner_of: Vec<usize> = drafts.iter().map(|d| d.commissioner).collect();
    let moved = imperfections::apply(practices, &graph, members, commissioner_of, commissioners.len(), spacing, rng);
    let network_of = moved.network_of;
    let previous = moved.previous;
    let mut members = moved.members;
    // Networks are numbered in commissioner order; none is empty (moves never empty one).
    let mut used_names = HashSet::new();
    let mut networks = Vec::with_capacity(drafts.len());
    for (k, d) in drafts.iter().enumerate() {
        let mut m = std::mem::take(&mut members[k]);
        m.sort_unstable();
        debug_assert!(!m.is_empty());
        networks.push(finish(k, d.commissioner, m, practices, commissioners, towns, postcodes, &mut used_names, rng));
    }
    for (p, practice) in practices.iter_mut().enumerate() {
        practice.network = network_of[p];
        if network_of[p].is_none() {
            continue;
        }
        match previous[p] {
            Some(before) => {
                practice.previous = Some(PastMembership {
                    network: before,
                    start: PCN_START,
                    end: MOVE_DATE.previous_day().expect("date"),
                });
                practice.network_start = Some(MOVE_DATE);
            }
            None => practice.network_start = Some(PCN_START),
        }
    }
    networks
}

/// Code, name and registered address of a finished network.
#[allow(clippy::too_many_arguments)]
fn finish(
    index: usize,
    commissioner: usize,
    members: Vec<usize>,
    practices: &[SynthPractice],
    commissioners: &[SynthCommissioner],
    towns: &Gazetteer,
    postcodes: &mut PostcodeBook,
    used_names: &mut HashSet<String>,
    rng: &mut Rand,
) -> SynthNetwork {
    let centre = centroid(practices, &members);
    let town = towns.nearest(centre);
    let town_name = &towns.names[town];
    let offset = (centre.easting - towns.centres[town].easting, centre.northing - towns.centres[town].northing);
    let rural = members.iter().filter(|&&m| practices[m].rural).count() * 5 >= members.len() * 3;
    let part = if rural {
        "Rural"
    } else if offset.0.hypot(offset.1) < 1.5 * towns.sigmas[town] {
        "Central"
    } else {
        names::direction(offset.0, offset.1)
    };
    // Cities hold many networks: after the plain names, local landmarks.
    let mut candidates = vec![
        format!("{town_name} {part} PCN"),
        format!("{town_name} and District PCN"),
        format!("Greater {town_name} PCN"),
    ];
    candidates.extend((0..12).map(|_| format!("{town_name} {} PCN", names::feature(rng))));
    let name = candidates
        .into_iter()
        .find(|c| !used_names.contains(c))
        .unwrap_or_else(|| format!("{town_name} {part} {} PCN", index + 1));
    used_names.insert(name.clone());

    // Registered at the biggest member's address, or at a hub building of its own.
    let lead = *members
        .iter()
        .max_by(|&&a, &&b| practices[a].registered.cmp(&practices[b].registered).then(b.cmp(&a)))
        .expect("members");
    let com = &commissioners[commissioner];
    let hub = Point::new(centre.easting.round(), centre.northing.round());
    let (address, postcode, location) = if rng.chance(HUB_SHARE) && crate::outline::contains(hub) {
        let street = format!("{} {}", rng.between(1, 250), rng.pick(names::STREETS));
        let lines = vec![names::building(rng), street, town_name.clone(), names::county(&com.place), String::new()];
        (lines, postcodes.at(hub, commissioner, &com.postcode_area, rng), hub)
    } else {
        let p = &practices[lead];
        (p.address.clone(), p.postcode.clone(), p.location)
    };
    SynthNetwork {
        code: NetworkCode::parse(&format!("U{}", 10_001 + index)).expect("network code shape"),
        name,
        commissioner,
        open_date: PCN_START,
        address,
        postcode,
        location,
        members,
    }
}
