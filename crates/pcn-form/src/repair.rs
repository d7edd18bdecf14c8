//! Repair: the fewest membership changes that clear every fixable error.
//!
//! Works on all practices at once, so networks that cross a commissioner
//! boundary today are kept as they are; a practice only ever moves to a
//! network of its own commissioner.
//!
//! 1. A practice in several networks keeps the one it is best connected to.
//! 2. A network in several parts keeps its largest; each other part, and each
//!    uncovered practice, joins the neighbouring network where it fits best
//!    (or, with 30,000 patients or more, becomes a network of its own).
//! 3. A network below the floor, worst first, takes whichever fix moves the
//!    fewest practices: taking boundary practices from neighbours that stay
//!    at or above the floor and contiguous, joining a neighbour, or being
//!    joined by one. Fixes that would push a network over the ceiling come
//!    last.
//!
//! Networks with no error are changed only as donors or hosts in these steps.

use std::time::Instant;

use pcn_core::CommissionerCode;
use pcn_rules::{Configuration, Model};

use crate::area::{self, Area};
use crate::certificate::{Certificate, Obstacle};
use crate::partition::{Cost, FLOOR, Partition, Points};
use crate::{Options, Outcome, naming, place_unlocated, weights};

struct State<'a> {
    area: &'a Area,
    pts: Points,
    part: Partition,
    /// Commissioner of each region (of its network today, or of its practices).
    commissioner: Vec<Option<CommissionerCode>>,
    /// Regions repair may change (all, or one commissioner's).
    in_scope: Vec<bool>,
}

impl State<'_> {
    fn node_commissioner<'m>(&self, model: &'m Model, n: u32) -> Option<&'m CommissionerCode> {
        model.practices[self.area.nodes[n as usize].practice as usize].commissioner.as_ref()
    }

    /// Regions next to region `r` that a member of `r` may join.
    fn neighbours_of_region(&self, r: u32) -> Vec<u32> {
        let mut v: Vec<u32> = self.part.regions[r as usize]
            .members
            .iter()
            .flat_map(|&m| self.part.neighbour_regions(self.area, m))
            .filter(|&s| s != r && self.commissioner[s as usize] == self.commissioner[r as usize])
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn merge(&mut self, from: u32, into: u32) -> usize {
        let ms = self.part.regions[from as usize].members.clone();
        for &m in &ms {
            self.part.move_node(m, into, &self.pts);
        }
        ms.len()
    }
}

pub fn repair(
    model: &Model,
    current: &Configuration,
    excluded: &[bool],
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Outcome {
    let started = Instant::now();
    let (placed, unlocated) = area::eligible(model, excluded);
    let w = weights(model);
    let Some(all) = area::areas(model, &placed, &w, false).pop() else {
        let (networks, config) = naming::name(model, current, Vec::new(), Vec::new());
        return Outcome { networks, config, covering: Vec::new(), certificates: Vec::new(), unlocated, seconds: 0.0 };
    };
    let pts = Points::of(&all);
    let networks_of = current.networks_of(model.practices.len());

    // Regions 0..N are today's networks; uncovered practices start alone.
    let n_nets = model.networks.len();
    let mut labels = vec![0u32; all.nodes.len()];
    let mut commissioner: Vec<Option<CommissionerCode>> =
        model.networks.iter().map(|n| n.commissioner.clone()).collect();
    for (i, node) in all.nodes.iter().enumerate() {
        let nets = &networks_of[node.practice as usize];
        labels[i] = match nets.len() {
            0 => {
                commissioner.push(model.practices[node.practice as usize].commissioner.clone());
                (commissioner.len() - 1) as u32
            }
            1 => nets[0],
            // Step 1: the network with most of its neighbours.
            _ => *nets
                .iter()
                .max_by_key(|&&n| {
                    (
                        all.adj[i]
                            .iter()
                            .filter(|&&t| networks_of[all.nodes[t as usize].practice as usize].contains(&n))
                            .count(),
                        std::cmp::Reverse(n),
                    )
                })
                .expect("several"),
        };
    }
    // Keep region numbers equal to network indices even for empty networks.
    let max_label = labels.iter().copied().max().unwrap_or(0) as usize;
    let mut part = Partition::from_labels_sparse(&labels, &pts, max_label.max(n_nets.saturating_sub(1)) + 1);
    let in_scope: Vec<bool> = commissioner.iter().map(|c| opts.only.admits(c.as_ref())).collect();
    let mut st = State {
        area: &all,
        pts,
        part: Partition { region_of: Vec::new(), regions: Vec::new() },
        commissioner,
        in_scope,
    };
    std::mem::swap(&mut st.part, &mut part);
    // Regions n_nets..first_split are uncovered practices, each alone.
    let first_split = st.part.regions.len();
    let scope_at_start = st.in_scope.clone();

    // Step 2: split every region into its connected parts. The part with the
    // most practices keeps the network (fewest moves); another part is first
    // re-joined through a single bridging practice when one can be spared,
    // else it becomes an orphan.
    let mut orphans: Vec<u32> = (n_nets as u32..st.part.regions.len() as u32).collect();
    let mut seen = Vec::new();
    let mut stamp = 0u32;
    for r in 0..n_nets as u32 {
        if !st.in_scope[r as usize] || st.part.regions[r as usize].members.len() < 2 {
            continue;
        }
        let mut parts = region_parts(&st, r);
        if parts.len() < 2 {
            continue;
        }
        parts.sort_by(|a, b| {
            b.len().cmp(&a.len()).then(part_weight(&st, b).total_cmp(&part_weight(&st, a))).then(a.cmp(b))
        });
        let main = parts[0].clone();
        for p in parts.iter().skip(1) {
            if p.len() >= 2 && bridge(&mut st, model, r, &main, p, &mut seen, &mut stamp) {
                continue;
            }
            let new = st.part.new_region();
            st.commissioner.push(st.commissioner[r as usize].clone());
            st.in_scope.push(true);
            for &m in p {
                st.part.move_node(m, new, &st.pts);
            }
            orphans.push(new);
        }
    }
    for &o in &orphans {
        if !st.in_scope[o as usize] || st.part.regions[o as usize].members.is_empty() {
            continue;
        }
        // An orphan's commissioner is its practices' (they move only within it).
        let first = st.part.regions[o as usize].members[0];
        st.commissioner[o as usize] = st.node_commissioner(model, first).cloned();
        let alone = st.part.regions[o as usize].cost();
        let mut best: Option<(u32, Cost)> = None;
        for s in st.neighbours_of_region(o) {
            if orphans.contains(&s) && s > o {
                continue;
            }
            let joined = union_cost(&st, o, s);
            let before = st.part.regions[s as usize].cost();
            let delta = joined - before;
            if best.is_none_or(|(_, c)| delta.better_than(&c)) {
                best = Some((s, delta));
            }
        }
        match best {
            Some((s, delta)) if st.part.regions[o as usize].w < FLOOR || delta.better_than(&alone) => {
                st.merge(o, s);
            }
            _ => {} // a network of its own
        }
    }

    // Step 3: networks below the floor, worst first.
    let total = st.part.regions.len();
    let mut certificates = Vec::new();
    for round in 0..total {
        let below: Vec<u32> = (0..st.part.regions.len() as u32)
            .filter(|&r| {
                st.in_scope[r as usize]
                    && !st.part.regions[r as usize].members.is_empty()
                    && st.part.regions[r as usize].w < FLOOR
            })
            .collect();
        let Some(&r) = below
            .iter()
            .min_by(|&&a, &&b| st.part.regions[a as usize].w.total_cmp(&st.part.regions[b as usize].w).then(a.cmp(&b)))
        else {
            break;
        };
        progress(round + 1, total);
        if !fix_below_floor(&mut st, r) {
            certificates.push(certify(model, &st, r));
            // Mark it out of scope so the loop moves on.
            st.in_scope[r as usize] = false;
        }
    }

    // Uncovered practices outside the area repaired stay uncovered: the rest
    // stays as it is (and each would otherwise be a network of one).
    let mut left_alone = vec![false; all.nodes.len()];
    for (region, _) in st.part.regions[n_nets..first_split].iter().zip(&scope_at_start[n_nets..]).filter(|(_, s)| !**s)
    {
        for &m in &region.members {
            left_alone[m as usize] = true;
        }
    }
    st.part.compact();
    let mut groups: Vec<Vec<u32>> = st
        .part
        .regions
        .iter()
        .map(|r| {
            r.members.iter().filter(|&&m| !left_alone[m as usize]).map(|&m| all.nodes[m as usize].practice).collect()
        })
        .filter(|g: &Vec<u32>| !g.is_empty())
        .collect();
    // Unlocated practices keep their network, or join their commissioner's smallest.
    let mut unplaced = Vec::new();
    for &p in &unlocated {
        match networks_of[p as usize].first() {
            Some(&n) => {
                match groups.iter_mut().find(|g| g.iter().any(|&q| networks_of[q as usize].first() == Some(&n))) {
                    Some(g) => g.push(p),
                    None => groups.push(vec![p]),
                }
            }
            // Outside the area repaired, an uncovered practice stays so.
            None if opts.only.admits(model.practices[p as usize].commissioner.as_ref()) => unplaced.push(p),
            None => {}
        }
    }
    place_unlocated(model, &unplaced, &mut groups);
    let (networks, config) = naming::name(model, current, groups, Vec::new());
    Outcome {
        networks,
        config,
        covering: Vec::new(),
        certificates,
        unlocated,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Moves one practice of another network into region `r` if it touches both
/// the part and the main body and its network can spare it (stays connected,
/// at or above the floor). Returns whether the part is joined again.
fn bridge(
    st: &mut State<'_>,
    model: &Model,
    r: u32,
    main: &[u32],
    part: &[u32],
    seen: &mut Vec<u32>,
    stamp: &mut u32,
) -> bool {
    let touches = |x: u32, set: &[u32], st: &State<'_>| {
        st.area.adj[x as usize].iter().any(|t| set.contains(t) && st.part.region_of[*t as usize] == r)
    };
    let mut candidates: Vec<u32> = part
        .iter()
        .flat_map(|&m| st.area.adj[m as usize].iter().copied())
        .filter(|&x| st.part.region_of[x as usize] != r)
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    for x in candidates {
        let d = st.part.region_of[x as usize];
        if !st.in_scope[d as usize]
            || st.node_commissioner(model, x) != st.commissioner[r as usize].as_ref()
            || !touches(x, main, st)
            || st.part.regions[d as usize].w - st.pts.w[x as usize] < FLOOR
            || !st.part.connected_without(st.area, d, x, seen, stamp)
        {
            continue;
        }
        st.part.move_node(x, r, &st.pts);
        return true;
    }
    false
}

fn part_weight(st: &State<'_>, nodes: &[u32]) -> f64 {
    nodes.iter().map(|&n| st.pts.w[n as usize]).sum()
}

fn region_parts(st: &State<'_>, r: u32) -> Vec<Vec<u32>> {
    let members = &st.part.regions[r as usize].members;
    let mut seen: Vec<u32> = Vec::new();
    let mut parts = Vec::new();
    let mut sorted = members.clone();
    sorted.sort_unstable();
    for &m in &sorted {
        if seen.contains(&m) {
            continue;
        }
        let mut comp = vec![m];
        seen.push(m);
        let mut i = 0;
        while i < comp.len() {
            for &t in &st.area.adj[comp[i] as usize] {
                if st.part.region_of[t as usize] == r && !seen.contains(&t) {
                    seen.push(t);
                    comp.push(t);
                }
            }
            i += 1;
        }
        parts.push(comp);
    }
    parts
}

fn union_cost(st: &State<'_>, a: u32, b: u32) -> Cost {
    let mut p = st.part.clone();
    for &m in &st.part.regions[a as usize].members {
        p.move_node(m, b, &st.pts);
    }
    p.regions[b as usize].cost()
}

/// Candidate fixes, simulated; the one that clears the shortfall without new
/// excess and with the fewest moves is applied. Returns false when none works.
fn fix_below_floor(st: &mut State<'_>, r: u32) -> bool {
    let mut options: Vec<(bool, f64, usize, f64, Partition)> = Vec::new();
    let neighbours = st.neighbours_of_region(r);
    let excess_now: f64 = st.part.regions.iter().map(|x| x.cost().excess).sum();
    let score = |p: &Partition| {
        let total = p.total();
        (
            p.regions[r as usize].w >= FLOOR || p.regions[r as usize].members.is_empty(),
            total.excess - excess_now,
            total.spread,
        )
    };
    // Take boundary practices from neighbours that can spare them.
    {
        let mut p = st.part.clone();
        let mut moves = 0;
        let mut seen = Vec::new();
        let mut stamp = 0;
        while p.regions[r as usize].w < FLOOR {
            let mut best: Option<(f64, u32)> = None;
            for &m in &p.regions[r as usize].members.clone() {
                for &t in &st.area.adj[m as usize] {
                    let d = p.region_of[t as usize];
                    if d == r || !neighbours.contains(&d) || !st.in_scope[d as usize] {
                        continue;
                    }
                    let wt = st.pts.w[t as usize];
                    if p.regions[d as usize].w - wt < FLOOR
                        || !p.connected_without(st.area, d, t, &mut seen, &mut stamp)
                    {
                        continue;
                    }
                    if best.is_none_or(|(bw, bt)| wt > bw || (wt == bw && t < bt)) {
                        best = Some((wt, t));
                    }
                }
            }
            let Some((_, t)) = best else { break };
            p.move_node(t, r, &st.pts);
            moves += 1;
        }
        let (ok, ex, sp) = score(&p);
        options.push((ok, ex, moves, sp, p));
    }
    // Join a neighbour, or be joined by one: the smaller side moves.
    for &s in &neighbours {
        if !st.in_scope[s as usize] {
            continue;
        }
        let (from, into) = if st.part.regions[s as usize].members.len() < st.part.regions[r as usize].members.len() {
            (s, r)
        } else {
            (r, s)
        };
        let mut p = st.part.clone();
        let ms = p.regions[from as usize].members.clone();
        for &m in &ms {
            p.move_node(m, into, &st.pts);
        }
        let total = p.total();
        let ok = p.regions[into as usize].w >= FLOOR;
        options.push((ok, total.excess - excess_now, ms.len(), total.spread, p));
    }
    let best = options.into_iter().filter(|o| o.0).min_by(|a, b| {
        let new_excess = |x: f64| if x > 0.5 { 1 } else { 0 };
        new_excess(a.1).cmp(&new_excess(b.1)).then(a.2.cmp(&b.2)).then(a.1.total_cmp(&b.1)).then(a.3.total_cmp(&b.3))
    });
    match best {
        Some((_, _, _, _, p)) => {
            st.part = p;
            true
        }
        None => false,
    }
}

fn certify(model: &Model, st: &State<'_>, r: u32) -> Certificate {
    let reg = &st.part.regions[r as usize];
    let practices: Vec<String> = reg
        .members
        .iter()
        .map(|&m| model.practices[st.area.nodes[m as usize].practice as usize].code.to_string())
        .collect();
    Certificate {
        obstacle: Obstacle::IsolatedBelowFloor,
        commissioner: st.commissioner[r as usize].as_ref().map(|c| c.to_string()),
        practices,
        registered: reg.w,
        reason: format!(
            "{:.0} patients with no neighbouring network of the same commissioner to join or take from",
            reg.w
        ),
        proposals: vec![
            serde_json::json!({"decision": "rural-waiver"}),
            serde_json::json!({"decision": "cross-boundary-merge"}),
        ],
    }
}
