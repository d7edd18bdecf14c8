//! One formation problem: the practices of one commissioner area (or of all
//! England when boundaries are ignored), with their practice-level adjacency.
//! Practices at the same site are neighbours; practices at adjacent sites are
//! neighbours; nothing else is.

use std::collections::BTreeMap;

use pcn_core::CommissionerCode;
use pcn_rules::Model;

#[derive(Debug, Clone)]
pub struct Node {
    /// Index of the practice in the model.
    pub practice: u32,
    pub x: f64,
    pub y: f64,
    /// Registered patients.
    pub w: f64,
    /// Borders something other than this area's practices: the edge of the
    /// map (coast, hull) or another area. A region with such a node cannot be
    /// an enclave.
    pub open: bool,
}

#[derive(Debug, Clone)]
pub struct Area {
    /// The commissioner, `None` when formation ignores boundaries.
    pub commissioner: Option<CommissionerCode>,
    pub nodes: Vec<Node>,
    pub adj: Vec<Vec<u32>>,
}

impl Area {
    pub fn population(&self) -> f64 {
        self.nodes.iter().map(|n| n.w).sum()
    }

    /// Connected components (local node indices, ascending).
    pub fn components(&self) -> Vec<Vec<u32>> {
        let mut comp = vec![u32::MAX; self.nodes.len()];
        let mut out = Vec::new();
        for s in 0..self.nodes.len() {
            if comp[s] != u32::MAX {
                continue;
            }
            let id = out.len() as u32;
            let mut stack = vec![s as u32];
            comp[s] = id;
            let mut members = Vec::new();
            while let Some(v) = stack.pop() {
                members.push(v);
                for &t in &self.adj[v as usize] {
                    if comp[t as usize] == u32::MAX {
                        comp[t as usize] = id;
                        stack.push(t);
                    }
                }
            }
            members.sort_unstable();
            out.push(members);
        }
        out
    }

    /// The sub-problem on `nodes` (local indices of this area).
    pub fn restrict(&self, nodes: &[u32]) -> Area {
        let mut local = vec![u32::MAX; self.nodes.len()];
        for (i, &n) in nodes.iter().enumerate() {
            local[n as usize] = i as u32;
        }
        Area {
            commissioner: self.commissioner.clone(),
            nodes: nodes.iter().map(|&n| self.nodes[n as usize].clone()).collect(),
            adj: nodes
                .iter()
                .map(|&n| {
                    self.adj[n as usize]
                        .iter()
                        .filter_map(|&t| Some(local[t as usize]).filter(|&l| l != u32::MAX))
                        .collect()
                })
                .collect(),
        }
    }
}

/// Which practices formation places: open practices with a location.
/// Unlocated open practices are returned apart; they cannot be placed on the map.
pub fn eligible(model: &Model, excluded: &[bool]) -> (Vec<u32>, Vec<u32>) {
    let mut placed = Vec::new();
    let mut unlocated = Vec::new();
    for (i, p) in model.practices.iter().enumerate() {
        if !p.active || excluded[i] {
            continue;
        }
        if p.site.is_some() { placed.push(i as u32) } else { unlocated.push(i as u32) }
    }
    (placed, unlocated)
}

/// Splits the placed practices into areas by commissioner (or one area).
pub fn areas(model: &Model, placed: &[u32], weights: &[f64], by_commissioner: bool) -> Vec<Area> {
    let mut groups: BTreeMap<Option<CommissionerCode>, Vec<u32>> = BTreeMap::new();
    for &p in placed {
        let key = if by_commissioner { model.practices[p as usize].commissioner.clone() } else { None };
        groups.entry(key).or_default().push(p);
    }
    groups.into_iter().map(|(c, ps)| build(model, c, &ps, weights)).collect()
}

fn build(model: &Model, commissioner: Option<CommissionerCode>, practices: &[u32], weights: &[f64]) -> Area {
    let mut local_of_site: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let nodes: Vec<Node> = practices
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let pf = &model.practices[p as usize];
            let (x, y) = pf.location.expect("placed practices are located");
            local_of_site.entry(pf.site.expect("located")).or_default().push(i as u32);
            Node { practice: p, x, y, w: weights[p as usize], open: false }
        })
        .collect();
    let mut nodes = nodes;
    for node in &mut nodes {
        let s = model.practices[node.practice as usize].site.expect("located");
        let outside = |t: u32| {
            model.site_practices[t as usize]
                .iter()
                .any(|&q| !local_of_site.get(&t).is_some_and(|v| v.iter().any(|&j| practices[j as usize] == q)))
        };
        node.open = model.graph.at_map_edge[s as usize]
            || outside(s)
            || model.graph.neighbours[s as usize].iter().any(|&t| outside(t));
    }
    let adj = practices
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let s = model.practices[p as usize].site.expect("located");
            let mut v: Vec<u32> = local_of_site[&s].iter().copied().filter(|&j| j != i as u32).collect();
            for t in &model.graph.neighbours[s as usize] {
                if let Some(js) = local_of_site.get(t) {
                    v.extend(js);
                }
            }
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    Area { commissioner, nodes, adj }
}
