//! Forms and repairs Primary Care Network configurations.
//!
//! Every network contiguous (on the practice adjacency graph of `pcn-geo`),
//! inside its commissioner's area, with every open practice covered; then, in
//! order: no network below 30,000 except where provably impossible (a
//! [`Certificate`] says why and proposes the fix), none above 50,000 where
//! avoidable, and compact (moment of inertia of registered patients).
//!
//! - [`scratch`]: a whole new configuration, area by area, in parallel.
//! - [`repair`]: the fewest membership changes that clear every fixable error
//!   (floor, contiguity, coverage, non-participants), leaving working
//!   networks alone.
//! - what-if: [`edits::apply`] changes the model (closures, mergers, list
//!   growth, opt-outs) before either.
//!
//! Deterministic for a seed; respects a time budget.

pub mod area;
pub mod certificate;
pub mod edits;
pub mod naming;
pub mod partition;
pub mod quality;
pub mod repair;
pub mod search;
pub mod window;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pcn_core::limits;
use pcn_core::text::thousands;
use pcn_rules::{Configuration, Model, NetworkFacts};
use serde_json::json;

pub use certificate::{Certificate, Obstacle};
pub use quality::{Quality, quality};

use crate::area::Area;
use crate::partition::{CEILING, FLOOR};
use crate::search::Budget;

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub time_limit: Option<Duration>,
    /// Keep networks inside commissioner areas (the DES expectation).
    pub by_commissioner: bool,
    /// Form or repair only this area (a commissioner's, or an ICB's sub-ICB
    /// locations); the rest stays as it is.
    pub only: pcn_core::Area,
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 1, time_limit: None, by_commissioner: true, only: pcn_core::Area::England, threads: 2 }
    }
}

/// A formed or repaired configuration.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The networks of the result (kept codes first, then new ones).
    pub networks: Vec<NetworkFacts>,
    pub config: Configuration,
    /// Non-participating practices and the network covering each.
    pub covering: Vec<(u32, u32)>,
    pub certificates: Vec<Certificate>,
    /// Open practices without a location, placed in a network of their commissioner.
    pub unlocated: Vec<u32>,
    pub seconds: f64,
}

/// Practices formation leaves out: closed by an edit, merged away, opted out.
pub fn weights(model: &Model) -> Vec<f64> {
    model.practices.iter().map(|p| p.registered as f64).collect()
}

/// A whole new configuration.
pub fn scratch(
    model: &Model,
    current: &Configuration,
    excluded: &[bool],
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Outcome {
    let started = Instant::now();
    let budget = Budget { deadline: opts.time_limit.map(|t| started + t) };
    let (placed, unlocated) = area::eligible(model, excluded);
    let in_scope = |p: u32| opts.only.admits(model.practices[p as usize].commissioner.as_ref());
    let placed: Vec<u32> = placed.into_iter().filter(|&p| in_scope(p)).collect();
    let unlocated: Vec<u32> = unlocated.into_iter().filter(|&p| in_scope(p)).collect();
    let w = weights(model);
    let areas = area::areas(model, &placed, &w, opts.by_commissioner);

    // Largest areas first so two workers finish together.
    let mut order: Vec<usize> = (0..areas.len()).collect();
    order.sort_by(|&a, &b| areas[b].nodes.len().cmp(&areas[a].nodes.len()).then(a.cmp(&b)));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<AreaResult>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..opts.threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&a) = order.get(i) else { break };
                    let (groups, certs) = form_area(model, &areas[a], opts.seed.wrapping_add(a as u64), &budget);
                    results.lock().expect("no panics while held").push((a, groups, certs));
                    progress(done.fetch_add(1, Ordering::SeqCst) + 1, areas.len());
                }
            });
        }
    });
    let mut results = results.into_inner().expect("threads joined");
    results.sort_by_key(|(a, _, _)| *a);
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut certificates = Vec::new();
    for (_, g, c) in results {
        groups.extend(g);
        certificates.extend(c);
    }
    place_unlocated(model, &unlocated, &mut groups);
    // Practices outside the formed area keep their networks.
    let kept: Vec<(u32, Vec<u32>)> = if !opts.only.is_england() {
        current
            .members
            .iter()
            .enumerate()
            .map(|(n, ms)| (n as u32, ms.iter().copied().filter(|&p| !in_scope(p)).collect()))
            .collect()
    } else {
        Vec::new()
    };
    let (networks, config) = naming::name(model, current, groups, kept);
    Outcome {
        networks,
        config,
        covering: Vec::new(),
        certificates,
        unlocated,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// An area's index, its groups of practices and its certificates.
type AreaResult = (usize, Vec<Vec<u32>>, Vec<Certificate>);

/// Forms one commissioner area: each connected component on its own.
fn form_area(model: &Model, a: &Area, seed: u64, budget: &Budget) -> (Vec<Vec<u32>>, Vec<Certificate>) {
    let mut groups = Vec::new();
    let mut certs = Vec::new();
    let commissioner = a.commissioner.as_ref().map(|c| c.to_string());
    let area_pop = a.population();
    for (ci, comp) in a.components().into_iter().enumerate() {
        let sub = a.restrict(&comp);
        let pop = sub.population();
        let codes: Vec<String> =
            sub.nodes.iter().map(|n| model.practices[n.practice as usize].code.to_string()).collect();
        if pop < FLOOR {
            let (obstacle, reason) = if (area_pop - pop).abs() < 0.5 {
                (
                    Obstacle::AreaBelowFloor,
                    format!("the whole area has {pop:.0} registered patients, under {}", thousands(limits::FLOOR)),
                )
            } else {
                (
                    Obstacle::IsolatedBelowFloor,
                    format!(
                        "{} practice(s) with {pop:.0} patients are cut off from the rest of the area (no adjacency across water or gaps)",
                        codes.len()
                    ),
                )
            };
            certs.push(Certificate {
                obstacle,
                commissioner: commissioner.clone(),
                practices: codes.clone(),
                registered: pop,
                reason,
                proposals: proposals(model, &sub, pop),
            });
            groups.push(sub.nodes.iter().map(|n| n.practice).collect());
            continue;
        }
        for n in &sub.nodes {
            if n.w > CEILING {
                certs.push(Certificate {
                    obstacle: Obstacle::PracticeAboveCeiling,
                    commissioner: commissioner.clone(),
                    practices: vec![model.practices[n.practice as usize].code.to_string()],
                    registered: n.w,
                    reason: format!(
                        "one practice has {:.0} registered patients, over {} on its own",
                        n.w,
                        thousands(limits::CEILING)
                    ),
                    proposals: vec![json!({"decision": "approve-above-ceiling", "why": "a practice cannot be split between networks"})],
                });
            }
        }
        if (pop / CEILING).ceil() > (pop / FLOOR).floor() {
            certs.push(Certificate {
                obstacle: Obstacle::NoWholeNumberOfNetworks,
                commissioner: commissioner.clone(),
                practices: codes.clone(),
                registered: pop,
                reason: format!(
                    "{pop:.0} patients cannot be split into networks of {floor}-{ceiling} ({} networks would be needed above {ceiling} but {} fit above {floor})",
                    (pop / CEILING).ceil(),
                    (pop / FLOOR).floor(),
                    floor = thousands(limits::FLOOR),
                    ceiling = thousands(limits::CEILING),
                ),
                proposals: vec![json!({"decision": "approve-above-ceiling", "why": format!("one network over {} is the only way to stay above the floor", thousands(limits::CEILING))})],
            });
        }
        let part = search::form_tiled(&sub, seed.wrapping_mul(31).wrapping_add(ci as u64), budget);
        for r in &part.regions {
            groups.push(r.members.iter().map(|&m| sub.nodes[m as usize].practice).collect());
        }
    }
    (groups, certs)
}

/// What would let a cut-off group meet the rules: a rural waiver when the
/// area is sparse, or joining the nearest network across the boundary.
fn proposals(model: &Model, sub: &Area, pop: f64) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let sparse: f64 = sub
        .nodes
        .iter()
        .filter(|n| model.practices[n.practice as usize].ruc.as_deref().is_some_and(pcn_rules::model::is_sparse))
        .map(|n| n.w)
        .sum();
    let sparse_share = if pop > 0.0 { sparse / pop } else { 0.0 };
    out.push(json!({
        "decision": "rural-waiver",
        "evidence": {"sparse_share": (sparse_share * 1000.0).round() / 1000.0, "registered": pop.round(), "rurality_known": model.has_rurality},
        "strength": if sparse_share >= 0.5 { "strong" } else { "weak: not a sparse rural area by ONS RUC" },
    }));
    // The nearest practice of another commissioner joined to this group on the graph.
    let mine: Vec<u32> = sub.nodes.iter().map(|n| n.practice).collect();
    let mut best: Option<(f64, u32)> = None;
    for n in &sub.nodes {
        let Some(s) = model.practices[n.practice as usize].site else { continue };
        for &t in &model.graph.neighbours[s as usize] {
            for &q in &model.site_practices[t as usize] {
                if mine.contains(&q) || model.practices[q as usize].commissioner == sub.commissioner {
                    continue;
                }
                let d = model.graph.distance_m(s, t);
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, q));
                }
            }
        }
    }
    if let Some((d, q)) = best {
        let qf = &model.practices[q as usize];
        out.push(json!({
            "decision": "cross-boundary-merge",
            "with_practice": qf.code,
            "of_commissioner": qf.commissioner,
            "distance_km": (d / 100.0).round() / 10.0,
        }));
    } else {
        out.push(json!({"decision": "explicit-link", "why": "no neighbouring practice on the graph: record a ferry or road link to the nearest network"}));
    }
    out
}

/// Open practices without a location join the smallest network of their
/// commissioner (or form one), so no patient is left uncovered.
fn place_unlocated(model: &Model, unlocated: &[u32], groups: &mut Vec<Vec<u32>>) {
    for &p in unlocated {
        let c = &model.practices[p as usize].commissioner;
        let size = |g: &Vec<u32>| g.iter().map(|&q| model.practices[q as usize].registered).sum::<i64>();
        let target = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.first().is_some_and(|&q| &model.practices[q as usize].commissioner == c))
            .min_by_key(|(i, g)| (size(g), *i))
            .map(|(i, _)| i);
        match target {
            Some(i) => groups[i].push(p),
            None => groups.push(vec![p]),
        }
    }
}

pub use repair::repair;

/// Gives each opted-out practice a covering network: the one it was in if
/// that still neighbours it, else the neighbouring network with most patients
/// next to it. `None` when it has no neighbouring network (no location).
pub fn cover(
    model: &Model,
    current: &Configuration,
    config: &Configuration,
    networks: &[NetworkFacts],
    opted_out: &[u32],
) -> Vec<(u32, u32)> {
    let networks_of = config.networks_of(model.practices.len());
    let before = current.networks_of(model.practices.len());
    let mut out = Vec::new();
    for &p in opted_out {
        let Some(s) = model.practices[p as usize].site else { continue };
        let mut near: std::collections::BTreeMap<u32, i64> = std::collections::BTreeMap::new();
        for t in model.graph.neighbours[s as usize].iter().copied().chain([s]) {
            for &q in &model.site_practices[t as usize] {
                for &n in &networks_of[q as usize] {
                    *near.entry(n).or_default() += model.practices[q as usize].registered;
                }
            }
        }
        let was: Option<u32> = before[p as usize].first().and_then(|&old| {
            let code = &model.networks[old as usize].code;
            networks.iter().position(|n| &n.code == code).map(|i| i as u32)
        });
        let chosen = match was {
            Some(n) if near.contains_key(&n) => Some(n),
            _ => near.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(n, _)| n),
        };
        if let Some(n) = chosen {
            out.push((p, n));
        }
    }
    out
}
