//! Scratch formation of one connected area: seed, grow, then improve.
//!
//! 1. Seeds: k practices by weighted k-means++ (deterministic for a seed),
//!    k ≈ P / 33,000 inside [⌈P/50k⌉, ⌊P/30k⌋].
//! 2. Growth: every practice joins the seed nearest along the adjacency graph
//!    (multi-source Dijkstra), so every region is contiguous from the start.
//! 3. Improvement, repeated until nothing improves: boundary moves that keep
//!    the donor connected; exact re-split of two neighbouring regions (every
//!    connected bipartition of their union, when small); a region still below
//!    the floor is dissolved into its neighbours (k falls); a region still
//!    over the ceiling is split in two (k rises).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::area::Area;
use crate::partition::{CEILING, Cost, FLOOR, Partition, Points};
use crate::window::Window;

/// Unions of two regions up to this many practices are re-split exactly.
const EXACT_SPLIT_MAX: usize = 12;

pub struct Budget {
    pub deadline: Option<Instant>,
}

impl Budget {
    pub fn spent(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Regions for an area of `population`: about one per 33,000, inside the
/// feasible range; when no whole number fits, staying above the floor comes first.
pub fn target_regions(population: f64) -> usize {
    target_regions_around(population, 33_000.0)
}

/// Areas larger than this are cut into tiles that are formed separately and
/// then improved together (a whole country formed as one area, boundaries ignored).
const TILE_MAX: usize = 80;

/// Forms a large connected area: tiles by recursive median cuts along the
/// longer axis, each formed like a commissioner area, then one improvement
/// over the whole so networks can straddle the seams.
pub fn form_tiled(area: &Area, seed: u64, budget: &Budget) -> Partition {
    if area.nodes.len() <= TILE_MAX * 5 {
        return form(area, seed, budget);
    }
    let pts = Points::of(area);
    let mut tiles: Vec<Vec<u32>> = Vec::new();
    let mut stack = vec![(0..area.nodes.len() as u32).collect::<Vec<u32>>()];
    while let Some(mut t) = stack.pop() {
        if t.len() <= TILE_MAX {
            tiles.push(t);
            continue;
        }
        let span = |f: &dyn Fn(u32) -> f64| {
            let (lo, hi) =
                t.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| (lo.min(f(i)), hi.max(f(i))));
            hi - lo
        };
        let by_x = span(&|i| pts.x[i as usize]) >= span(&|i| pts.y[i as usize]);
        let key = |i: u32| if by_x { pts.x[i as usize] } else { pts.y[i as usize] };
        t.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
        let right = t.split_off(t.len() / 2);
        stack.push(right);
        stack.push(t);
    }
    let mut labels = vec![0u32; area.nodes.len()];
    let mut next = 0u32;
    for (ti, tile) in tiles.iter().enumerate() {
        let sub = area.restrict(tile);
        for comp in sub.components() {
            let piece = sub.restrict(&comp);
            let part = if piece.population() < FLOOR {
                // Too small alone: one region, which the joint improvement dissolves into its neighbours.
                Partition::from_labels(&vec![0; piece.nodes.len()], &Points::of(&piece))
            } else {
                form(&piece, seed.wrapping_add(7919 * ti as u64), budget)
            };
            for (local, &r) in part.region_of.iter().enumerate() {
                labels[tile[comp[local] as usize] as usize] = next + r;
            }
            next += part.regions.len() as u32;
        }
    }
    let mut part = Partition::from_labels(&labels, &pts);
    improve_fully(area, &mut part, &pts, budget);
    merge_enclaves(area, &mut part, &pts);
    part
}

/// Forms regions over a connected area: a few starts (region counts around
/// P/33,000 and P/38,000, two seedings each), each grown and improved; the
/// lexicographically best wins (the first on ties, so the result is
/// deterministic). Local search can stall with one network just over the
/// ceiling; another start usually avoids it.
pub fn form(area: &Area, seed: u64, budget: &Budget) -> Partition {
    let pts = Points::of(area);
    if area.nodes.len() <= EXACT_AREA_MAX {
        return exact(area, &pts);
    }
    let pop = area.population();
    let n = area.nodes.len().max(1);
    let mut ks = vec![target_regions(pop).min(n).max(1)];
    let alt = target_regions_around(pop, 38_000.0).min(n).max(1);
    if !ks.contains(&alt) {
        ks.push(alt);
    }
    // Big single areas (boundaries ignored) get one start: time matters more there.
    let (ks, attempts) = if n > 400 { (ks[..1].to_vec(), 1) } else { (ks, 2u64) };
    let mut best: Option<(Cost, Partition)> = None;
    for (i, &k) in ks.iter().enumerate() {
        for attempt in 0..attempts {
            if best.is_some() && budget.spent() {
                break;
            }
            let seeds = kmeans_pp(&pts, k, seed.wrapping_add(1000 * i as u64 + attempt));
            let labels = grow(area, &seeds);
            let mut part = Partition::from_labels(&labels, &pts);
            improve_fully(area, &mut part, &pts, budget);
            merge_enclaves(area, &mut part, &pts);
            let cost = part.total();
            if best.as_ref().is_none_or(|(c, _)| cost.better_than(c)) {
                best = Some((cost, part));
            }
        }
    }
    best.expect("at least one start").1
}

fn target_regions_around(population: f64, size: f64) -> usize {
    let lo = (population / CEILING).ceil().max(1.0) as usize;
    let hi = (population / FLOOR).floor().max(1.0) as usize;
    if lo > hi {
        return hi;
    }
    ((population / size).round().max(1.0) as usize).clamp(lo, hi)
}

/// A region wholly surrounded by one other ("no donuts") joins it when the
/// union stays within the ceiling.
fn merge_enclaves(area: &Area, part: &mut Partition, pts: &Points) {
    loop {
        let mut merged = false;
        for r in 0..part.regions.len() as u32 {
            let members = &part.regions[r as usize].members;
            if members.is_empty() || members.iter().any(|&m| area.nodes[m as usize].open) {
                continue;
            }
            let around: std::collections::BTreeSet<u32> =
                members.iter().flat_map(|&m| part.neighbour_regions(area, m)).collect();
            if around.len() != 1 {
                continue;
            }
            let s = *around.iter().next().expect("one");
            if part.regions[r as usize].w + part.regions[s as usize].w <= CEILING {
                for m in part.regions[r as usize].members.clone() {
                    part.move_node(m, s, pts);
                }
                merged = true;
            }
        }
        if !merged {
            break;
        }
    }
    part.compact();
}

/// Improvement with the moves that change the number of regions.
pub fn improve_fully(area: &Area, part: &mut Partition, pts: &Points, budget: &Budget) {
    improve(area, part, pts, budget);
    // Each dissolve or split removes or adds one region; bounded so it always ends.
    for _ in 0..(2 * area.nodes.len()) {
        if budget.spent() {
            break;
        }
        let Some(touched) =
            dissolve_worst_below_floor(area, part, pts).or_else(|| split_worst_above_ceiling(area, part, pts))
        else {
            break;
        };
        // Small areas look everywhere again (cheap, and a change can open a move
        // far from it); large ones only around the change.
        let local = area.nodes.len() > TILE_MAX * 5;
        let mut dirty = vec![!local; part.regions.len()];
        for r in touched {
            dirty[r as usize] = true;
        }
        improve_dirty(area, part, pts, budget, dirty);
    }
    part.compact();
}

fn kmeans_pp(pts: &Points, k: usize, seed: u64) -> Vec<u32> {
    let n = pts.w.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seeds: Vec<u32> = Vec::with_capacity(k);
    let total: f64 = pts.w.iter().map(|w| w.max(1.0)).sum();
    let mut pick = rng.random::<f64>() * total;
    let mut first = 0;
    for (i, w) in pts.w.iter().enumerate() {
        pick -= w.max(1.0);
        if pick <= 0.0 {
            first = i;
            break;
        }
    }
    seeds.push(first as u32);
    let mut d2: Vec<f64> = (0..n).map(|i| dist2(pts, i, first)).collect();
    while seeds.len() < k {
        let score: Vec<f64> = (0..n).map(|i| d2[i] * pts.w[i].max(1.0)).collect();
        let total: f64 = score.iter().sum();
        if total <= 0.0 {
            break;
        }
        let mut pick = rng.random::<f64>() * total;
        let mut chosen = n - 1;
        for (i, s) in score.iter().enumerate() {
            pick -= s;
            if pick <= 0.0 && *s > 0.0 {
                chosen = i;
                break;
            }
        }
        seeds.push(chosen as u32);
        for (i, d) in d2.iter_mut().enumerate() {
            *d = d.min(dist2(pts, i, chosen));
        }
    }
    seeds
}

fn dist2(pts: &Points, a: usize, b: usize) -> f64 {
    (pts.x[a] - pts.x[b]).powi(2) + (pts.y[a] - pts.y[b]).powi(2)
}

#[derive(PartialEq)]
struct Entry(f64, u32, u32);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1)).then(o.2.cmp(&self.2))
    }
}

/// Multi-source Dijkstra: each node to the seed nearest along the graph.
fn grow(area: &Area, seeds: &[u32]) -> Vec<u32> {
    let pts = Points::of(area);
    let n = area.nodes.len();
    let mut label = vec![u32::MAX; n];
    let mut dist = vec![f64::INFINITY; n];
    let mut heap = BinaryHeap::new();
    for (r, &s) in seeds.iter().enumerate() {
        dist[s as usize] = 0.0;
        heap.push(Entry(0.0, s, r as u32));
    }
    while let Some(Entry(d, v, r)) = heap.pop() {
        if label[v as usize] != u32::MAX {
            continue;
        }
        label[v as usize] = r;
        for &t in &area.adj[v as usize] {
            let nd = d + dist2(&pts, v as usize, t as usize).sqrt();
            if label[t as usize] == u32::MAX && nd < dist[t as usize] {
                dist[t as usize] = nd;
                heap.push(Entry(nd, t, r));
            }
        }
    }
    // A disconnected input would leave nodes unlabelled; callers pass connected areas.
    label.iter().map(|&l| if l == u32::MAX { 0 } else { l }).collect()
}

/// Boundary moves and exact pair re-splits until neither improves.
pub fn improve(area: &Area, part: &mut Partition, pts: &Points, budget: &Budget) {
    let dirty = vec![true; part.regions.len()];
    improve_dirty(area, part, pts, budget, dirty);
}

/// As [`improve`], but each pass looks only at regions that changed in the
/// last one (and their borders): after a local change the work stays local,
/// which keeps a single England-sized area from going quadratic.
fn improve_dirty(area: &Area, part: &mut Partition, pts: &Points, budget: &Budget, mut dirty: Vec<bool>) {
    let mut seen = Vec::new();
    let mut stamp = 0u32;
    loop {
        dirty.resize(part.regions.len(), true);
        let mut next = vec![false; part.regions.len()];
        let mut improved = false;
        for n in 0..area.nodes.len() as u32 {
            let from = part.region_of[n as usize];
            let touches_dirty = dirty[from as usize]
                || area.adj[n as usize].iter().any(|&t| dirty[part.region_of[t as usize] as usize]);
            if !touches_dirty || part.regions[from as usize].members.len() <= 1 {
                continue;
            }
            let mut best: Option<(u32, Cost, Cost)> = None;
            for to in part.neighbour_regions(area, n) {
                let (before, after) = part.price_move(n, to, pts);
                if after.better_than(&before) && best.is_none_or(|(_, b, a)| (after + b).better_than(&(a + before))) {
                    best = Some((to, before, after));
                }
            }
            if let Some((to, _, _)) = best
                && part.connected_without(area, from, n, &mut seen, &mut stamp)
            {
                part.move_node(n, to, pts);
                next[from as usize] = true;
                next[to as usize] = true;
                improved = true;
            }
        }
        for (a, b) in adjacent_pairs(area, part) {
            if (dirty[a as usize] || dirty[b as usize] || next[a as usize] || next[b as usize])
                && resplit(area, part, pts, a, b)
            {
                next[a as usize] = true;
                next[b as usize] = true;
                improved = true;
            }
        }
        if !improved && let Some(touched) = chain_out_of_bounds(area, part, pts, &mut seen, &mut stamp) {
            for r in touched {
                next[r as usize] = true;
            }
            improved = true;
        }
        if !improved || budget.spent() {
            break;
        }
        // Only very large areas narrow the next pass; small ones look everywhere
        // again, which can order the moves differently and end in a better optimum.
        dirty = if area.nodes.len() > TILE_MAX * 5 { next } else { vec![true; part.regions.len()] };
    }
}

/// Two-step ejection chains for networks out of bounds: a practice leaves an
/// over-full (or joins an under-full) network via a neighbour, which passes
/// another practice on to a third network. Single moves cannot do this when
/// the neighbour is itself at a bound. Applies the best improving chain.
fn chain_out_of_bounds(
    area: &Area,
    part: &mut Partition,
    pts: &Points,
    seen: &mut Vec<u32>,
    stamp: &mut u32,
) -> Option<Vec<u32>> {
    let bad: Vec<u32> = (0..part.regions.len() as u32)
        .filter(|&r| {
            let c = part.regions[r as usize].cost();
            !part.regions[r as usize].members.is_empty() && (c.excess > 0.5 || c.shortfall > 0.5)
        })
        .collect();
    let mut best: Option<(Cost, u32, u32, u32, u32)> = None;
    let before = part.total();
    for a in bad {
        let members = part.regions[a as usize].members.clone();
        let over = part.regions[a as usize].cost().excess > 0.5;
        // First step: out of `a` when over, into `a` when under.
        let firsts: Vec<(u32, u32)> = if over {
            members
                .iter()
                .flat_map(|&n| part.neighbour_regions(area, n).into_iter().map(move |b| (n, b)))
                .filter(|&(n, _)| {
                    part.regions[a as usize].members.len() > 1 && part.connected_without(area, a, n, seen, stamp)
                })
                .collect()
        } else {
            let mut v: Vec<(u32, u32)> = members
                .iter()
                .flat_map(|&m| area.adj[m as usize].iter().copied())
                .filter(|&t| part.region_of[t as usize] != a)
                .map(|t| (t, a))
                .collect();
            v.sort_unstable();
            v.dedup();
            v.into_iter()
                .filter(|&(t, _)| {
                    let d = part.region_of[t as usize];
                    part.regions[d as usize].members.len() > 1 && part.connected_without(area, d, t, seen, stamp)
                })
                .collect()
        };
        for (n, to) in firsts {
            let from = part.region_of[n as usize];
            let (b1, a1) = part.price_move(n, to, pts);
            let after_first = before - b1 + a1;
            part.move_node(n, to, pts);
            // Second step: the region that now bears the imbalance passes one on.
            let pivot = if over { to } else { from };
            let seconds: Vec<u32> = part.regions[pivot as usize].members.clone();
            for m in seconds {
                if m == n {
                    continue;
                }
                for c in part.neighbour_regions(area, m) {
                    if c == a {
                        continue;
                    }
                    let (b2, a2) = part.price_move(m, c, pts);
                    let total = after_first - b2 + a2;
                    if total.better_than(&before)
                        && best.as_ref().is_none_or(|(bc, ..)| total.better_than(bc))
                        && part.regions[pivot as usize].members.len() > 1
                        && part.connected_without(area, pivot, m, seen, stamp)
                    {
                        best = Some((total, n, to, m, c));
                    }
                }
            }
            part.move_node(n, from, pts);
        }
    }
    let (_, n, to, m, c) = best?;
    let touched = vec![part.region_of[n as usize], to, part.region_of[m as usize], c];
    part.move_node(n, to, pts);
    part.move_node(m, c, pts);
    Some(touched)
}

fn adjacent_pairs(area: &Area, part: &Partition) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (v, nb) in area.adj.iter().enumerate() {
        let a = part.region_of[v];
        for &t in nb {
            let b = part.region_of[t as usize];
            if a < b {
                pairs.push((a, b));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Tries every connected bipartition of two neighbouring regions' union and
/// keeps the best. Returns whether it changed anything.
pub fn resplit(area: &Area, part: &mut Partition, pts: &Points, a: u32, b: u32) -> bool {
    let nodes: Vec<u32> =
        part.regions[a as usize].members.iter().chain(&part.regions[b as usize].members).copied().collect();
    if !(2..=EXACT_SPLIT_MAX).contains(&nodes.len()) {
        return false;
    }
    let win = Window::new(area, pts, nodes);
    let full = win.full();
    let current_mask = win.mask(|g| part.region_of[g as usize] == a);
    let mut best_mask = current_mask;
    let mut best = win.cost(current_mask) + win.cost(full & !current_mask);
    // Subsets containing node 0 name each bipartition once.
    let mut mask = 1u32;
    while mask < full {
        if mask & 1 == 1 {
            let rest = full & !mask;
            let c = win.cost(mask) + win.cost(rest);
            if c.better_than(&best) && win.connected(mask) && win.connected(rest) {
                best = c;
                best_mask = mask;
            }
        }
        mask += 1;
    }
    if best_mask == current_mask || best_mask == full & !current_mask {
        return false;
    }
    // Keep the side holding most of region a's old members as a.
    let side_a = if (best_mask & current_mask).count_ones() >= ((full & !best_mask) & current_mask).count_ones() {
        best_mask
    } else {
        full & !best_mask
    };
    for (i, &g) in win.nodes.iter().enumerate() {
        part.move_node(g, if side_a & (1 << i) != 0 { a } else { b }, pts);
    }
    true
}

/// Dissolves the region furthest below the floor into its neighbours;
/// returns the regions that changed.
fn dissolve_worst_below_floor(area: &Area, part: &mut Partition, pts: &Points) -> Option<Vec<u32>> {
    let worst = (0..part.regions.len() as u32)
        .filter(|&r| {
            let reg = &part.regions[r as usize];
            !reg.members.is_empty()
                && reg.w < FLOOR
                && reg.members.iter().any(|&m| !part.neighbour_regions(area, m).is_empty())
        })
        .max_by(|&a, &b| {
            (FLOOR - part.regions[a as usize].w).total_cmp(&(FLOOR - part.regions[b as usize].w)).then(b.cmp(&a))
        });
    let r = worst?;
    let mut touched = vec![r];
    // Peel from the outside in: each step moves the member whose best neighbouring region costs least.
    while !part.regions[r as usize].members.is_empty() {
        let mut best: Option<(u32, u32, Cost)> = None;
        for &m in &part.regions[r as usize].members {
            for to in part.neighbour_regions(area, m) {
                let (before, after) = part.price_move(m, to, pts);
                let delta = after - before;
                if best.is_none_or(|(_, _, c)| delta.better_than(&c)) {
                    best = Some((m, to, delta));
                }
            }
        }
        match best {
            Some((m, to, _)) => {
                part.move_node(m, to, pts);
                touched.push(to);
            }
            None => break, // the rest is cut off from every other region
        }
    }
    touched.sort_unstable();
    touched.dedup();
    Some(touched)
}

/// Splits the region furthest over the ceiling in two, when both halves can
/// reach the floor; returns the two regions.
fn split_worst_above_ceiling(area: &Area, part: &mut Partition, pts: &Points) -> Option<Vec<u32>> {
    let mut order: Vec<u32> = (0..part.regions.len() as u32)
        .filter(|&r| part.regions[r as usize].w >= 2.0 * FLOOR && part.regions[r as usize].members.len() >= 2)
        .collect();
    order.sort_by(|&a, &b| part.regions[b as usize].w.total_cmp(&part.regions[a as usize].w).then(a.cmp(&b)));
    for r in order {
        if let Some(half) = bisect(area, part, pts, r) {
            let new = part.new_region();
            for g in half {
                part.move_node(g, new, pts);
            }
            return Some(vec![r, new]);
        }
    }
    // A network over the ceiling but too small to halve: with a neighbour, the
    // two may make three networks within bounds.
    let over: Vec<u32> =
        (0..part.regions.len() as u32).filter(|&r| part.regions[r as usize].cost().excess > 0.5).collect();
    for r in over {
        let mut neighbours: Vec<u32> =
            part.regions[r as usize].members.iter().flat_map(|&m| part.neighbour_regions(area, m)).collect();
        neighbours.sort_unstable();
        neighbours.dedup();
        for s in neighbours {
            if let Some(touched) = split_pair_in_three(area, part, pts, r, s) {
                return Some(touched);
            }
        }
    }
    None
}

/// Areas up to this many practices are solved exactly (every partition into
/// connected groups: 115,975 at ten practices, a few milliseconds).
const EXACT_AREA_MAX: usize = 10;

/// The lexicographically best partition of a small area into connected groups.
fn exact(area: &Area, pts: &Points) -> Partition {
    let n = area.nodes.len();
    let win = Window::new(area, pts, (0..n as u32).collect());
    let mut best: Option<(Cost, Vec<u32>)> = None;
    let mut labels = vec![0u32; n];
    // Restricted growth strings: each partition once.
    fn walk(i: usize, k: u32, labels: &mut Vec<u32>, visit: &mut dyn FnMut(&[u32], u32)) {
        if i == labels.len() {
            visit(labels, k);
            return;
        }
        for l in 0..=k {
            labels[i] = l;
            walk(i + 1, if l == k { k + 1 } else { k }, labels, visit);
        }
    }
    let mut visit = |labels: &[u32], k: u32| {
        let mut masks = vec![0u32; k as usize];
        for (i, &l) in labels.iter().enumerate() {
            masks[l as usize] |= 1 << i;
        }
        let total = masks.iter().fold(Cost::default(), |c, &m| c + win.cost(m));
        if best.as_ref().is_none_or(|(b, _)| total.better_than(b)) && masks.iter().all(|&m| win.connected(m)) {
            best = Some((total, labels.to_vec()));
        }
    };
    walk(0, 0, &mut labels, &mut visit);
    let (_, labels) = best.expect("one partition at least: every node alone");
    Partition::from_labels(&labels, pts)
}

/// Unions of two regions up to this many practices may be cut in three exactly.
const EXACT_THREE_MAX: usize = 10;

/// Every way of cutting two neighbouring regions' union into three connected
/// parts; applies the best if it beats the two regions as they are.
fn split_pair_in_three(area: &Area, part: &mut Partition, pts: &Points, a: u32, b: u32) -> Option<Vec<u32>> {
    let nodes: Vec<u32> =
        part.regions[a as usize].members.iter().chain(&part.regions[b as usize].members).copied().collect();
    let total_w: f64 = nodes.iter().map(|&g| pts.w[g as usize]).sum();
    if !(3..=EXACT_THREE_MAX).contains(&nodes.len()) || total_w < 3.0 * FLOOR {
        return None;
    }
    let win = Window::new(area, pts, nodes);
    let n = win.nodes.len();
    let current = part.regions[a as usize].cost() + part.regions[b as usize].cost();
    let mut best: Option<(Cost, [u32; 3])> = None;
    let mut labels = vec![0u8; n];
    // Labels in canonical order (the first node is 0, 2 appears only after 1) name each cut once.
    for code in 0..3usize.pow(n as u32) {
        let mut c = code;
        for l in labels.iter_mut() {
            *l = (c % 3) as u8;
            c /= 3;
        }
        let mut max_seen = 0u8;
        let canonical = labels.iter().all(|&l| {
            let ok = l <= max_seen + 1;
            max_seen = max_seen.max(l);
            ok
        });
        if !canonical || labels[0] != 0 || max_seen != 2 {
            continue;
        }
        let mut masks = [0u32; 3];
        for (i, &l) in labels.iter().enumerate() {
            masks[l as usize] |= 1 << i;
        }
        let total = win.cost(masks[0]) + win.cost(masks[1]) + win.cost(masks[2]);
        if total.better_than(&current)
            && best.as_ref().is_none_or(|(b, _)| total.better_than(b))
            && masks.iter().all(|&m| win.connected(m))
        {
            best = Some((total, masks));
        }
    }
    let (_, masks) = best?;
    let c = part.new_region();
    for (i, &g) in win.nodes.iter().enumerate() {
        let to = if masks[0] & (1 << i) != 0 {
            a
        } else if masks[1] & (1 << i) != 0 {
            b
        } else {
            c
        };
        part.move_node(g, to, pts);
    }
    Some(vec![a, b, c])
}

/// A connected subset of region `r` holding at least the floor whose
/// complement is connected and at least the floor too: grown by BFS from the
/// member furthest from the centre, keeping the best balanced cut seen.
fn bisect(area: &Area, part: &Partition, pts: &Points, r: u32) -> Option<Vec<u32>> {
    let members = part.regions[r as usize].members.clone();
    let total = part.regions[r as usize].w;
    let (cx, cy) = {
        let w: f64 = members.iter().map(|&m| pts.w[m as usize]).sum();
        (
            members.iter().map(|&m| pts.w[m as usize] * pts.x[m as usize]).sum::<f64>() / w,
            members.iter().map(|&m| pts.w[m as usize] * pts.y[m as usize]).sum::<f64>() / w,
        )
    };
    let mut starts = members.clone();
    starts.sort_by(|&a, &b| {
        let da = (pts.x[a as usize] - cx).hypot(pts.y[a as usize] - cy);
        let db = (pts.x[b as usize] - cx).hypot(pts.y[b as usize] - cy);
        db.total_cmp(&da).then(a.cmp(&b))
    });
    let in_region = |v: u32| part.region_of[v as usize] == r;
    for &start in starts.iter().take(4) {
        let mut taken = vec![start];
        let mut w = pts.w[start as usize];
        let mut frontier: Vec<u32> = area.adj[start as usize].iter().copied().filter(|&t| in_region(t)).collect();
        while w < total / 2.0 && !frontier.is_empty() {
            // Nearest frontier node to the start keeps the half compact.
            frontier.sort_by(|&a, &b| {
                dist2(pts, a as usize, start as usize)
                    .total_cmp(&dist2(pts, b as usize, start as usize))
                    .then(a.cmp(&b))
            });
            frontier.dedup();
            let v = frontier.remove(0);
            if taken.contains(&v) {
                continue;
            }
            taken.push(v);
            w += pts.w[v as usize];
            frontier.extend(area.adj[v as usize].iter().copied().filter(|&t| in_region(t) && !taken.contains(&t)));
        }
        let rest: Vec<u32> = members.iter().copied().filter(|m| !taken.contains(m)).collect();
        let rest_w = total - w;
        if w >= FLOOR && rest_w >= FLOOR && connected_set(area, &rest) {
            return Some(taken);
        }
    }
    None
}

fn connected_set(area: &Area, set: &[u32]) -> bool {
    let Some(&start) = set.first() else { return false };
    let mut seen = vec![start];
    let mut i = 0;
    while i < seen.len() {
        for &t in &area.adj[seen[i] as usize] {
            if set.contains(&t) && !seen.contains(&t) {
                seen.push(t);
            }
        }
        i += 1;
    }
    seen.len() == set.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_stays_in_the_feasible_range() {
        assert_eq!(target_regions(20_000.0), 1);
        assert_eq!(target_regions(66_000.0), 2);
        assert_eq!(target_regions(55_000.0), 1, "one region over the ceiling beats two below the floor");
        assert_eq!(target_regions(400_000.0), 12);
    }

    #[test]
    fn random_seeding_is_deterministic() {
        let pts = Points { x: (0..50).map(|i| i as f64).collect(), y: vec![0.0; 50], w: vec![1.0; 50] };
        assert_eq!(kmeans_pp(&pts, 5, 7), kmeans_pp(&pts, 5, 7));
        assert_ne!(kmeans_pp(&pts, 5, 7), kmeans_pp(&pts, 5, 8));
    }
}
