//! `geo.*`: contiguity on the site adjacency graph, and the two "no donuts"
//! rules, which by their nature look at the neighbours too.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::context::{Ctx, NetworkUnderCheck};
use crate::finding::{DES_START, Finding, RuleInfo, Severity};
use crate::model::Model;

const GEOGRAPHY_SOURCE: &str = "des-facts 1.1 Geography (V2)";

pub(crate) const NON_CONTIGUOUS: RuleInfo = RuleInfo {
    id: "geo.non-contiguous",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Member practices do not form one contiguous area",
    source: GEOGRAPHY_SOURCE,
};

/// The parts, largest first, each with its gap to the main part.
pub(crate) fn non_contiguous(net: &NetworkUnderCheck<'_>, scratch: &mut pcn_geo::Scratch, out: &mut Vec<Finding>) {
    let (ctx, members) = (net.ctx, net.members);
    let model = ctx.model;
    let parts = model.graph.components(&net.sites, scratch);
    if parts.len() <= 1 {
        return;
    }
    let unlocated: Vec<u32> = members.iter().copied().filter(|&p| model.practices[p as usize].site.is_none()).collect();
    let mut described: Vec<(i64, Vec<u32>, Vec<u32>)> = parts
        .iter()
        .map(|part| {
            let ps: Vec<u32> = ctx.at_sites(part).into_iter().filter(|p| members.contains(p)).collect();
            (ctx.registered(&ps), ps, part.clone())
        })
        .collect();
    described.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let main_sites = &described[0].2;
    let parts_json: Vec<Value> = described
        .iter()
        .enumerate()
        .map(|(i, (r, ps, part))| {
            let gap = if i == 0 { None } else { Some(min_gap_km(model, part, main_sites)) };
            json!({"practices": ctx.codes(ps), "registered": r, "gap_km": gap})
        })
        .collect();
    let worst_gap = parts_json.iter().filter_map(|p| p["gap_km"].as_f64()).fold(0.0, f64::max);
    out.push(net.finding(
        &NON_CONTIGUOUS,
        Severity::Error,
        format!(
            "{} is in {} separate parts; the furthest lies {worst_gap:.1} km from the main part",
            net.label,
            parts.len()
        ),
        json!({"parts": parts_json, "max_gap_km": worst_gap, "unlocated": ctx.codes(&unlocated)}),
        ctx.codes(members),
    ));
}

/// The shortest distance between two groups of sites, in km to one decimal.
fn min_gap_km(model: &Model, a: &[u32], b: &[u32]) -> f64 {
    let mut best = f64::INFINITY;
    for &s in a {
        for &t in b {
            best = best.min(model.graph.distance_m(s, t));
        }
    }
    (best / 100.0).round() / 10.0
}

pub(crate) const ENCLAVE: RuleInfo = RuleInfo {
    id: "geo.enclave",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Network wholly surrounded by one other network (no donuts)",
    source: GEOGRAPHY_SOURCE,
};

/// Every practice around the network belongs to (or is covered by) one other
/// network, and none of its sites is at the map's edge.
pub(crate) fn enclave(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let (ctx, members, sites) = (net.ctx, net.members, &net.sites);
    let model = ctx.model;
    if sites.is_empty() {
        return;
    }
    let border_sites = model.graph.border(sites);
    let own_site_others: Vec<u32> = ctx.at_sites(sites).into_iter().filter(|p| !members.contains(p)).collect();
    let neighbours: Vec<u32> = ctx.at_sites(&border_sites).into_iter().chain(own_site_others).collect();
    let mut around: BTreeSet<u32> = BTreeSet::new();
    let mut open_side = sites.iter().any(|&s| model.graph.at_map_edge[s as usize]);
    for &p in &neighbours {
        let nets = ctx.networks_of.of(p);
        if nets.is_empty() {
            match ctx.covered_by.get(&p) {
                Some(&c) => {
                    around.insert(c);
                }
                None => open_side = true,
            }
        }
        around.extend(nets.iter().copied().filter(|&m| m != net.n));
    }
    if !open_side && around.len() == 1 {
        let outer = *around.iter().next().expect("one");
        out.push(net.finding(
            &ENCLAVE,
            Severity::Error,
            format!("{} lies wholly inside {}", net.label, model.network_label(outer)),
            json!({"surrounded_by": model.networks[outer as usize].code}),
            ctx.codes(members),
        ));
    }
}

pub(crate) const UNCOVERED_HOLE: RuleInfo = RuleInfo {
    id: "geo.uncovered-hole",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Uncovered practices form a hole wholly inside one network (no donuts)",
    source: GEOGRAPHY_SOURCE,
};

/// Groups of touching `uncovered` practices, away from the map's edge,
/// surrounded by one network's practices.
/// With `touching`, only the groups that hold one of those practices' sites.
pub(crate) fn uncovered_hole(ctx: &Ctx<'_>, uncovered: &[u32], touching: Option<&[u32]>, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let mut scratch = pcn_geo::Scratch::default();
    let sites: Vec<u32> = uncovered.iter().filter_map(|&p| model.practices[p as usize].site).collect();
    let wanted: Option<Vec<u32>> =
        touching.map(|t| t.iter().filter_map(|&p| model.practices[p as usize].site).collect());
    for part in model.graph.components(&sites, &mut scratch) {
        if part.iter().any(|&s| model.graph.at_map_edge[s as usize]) {
            continue;
        }
        if wanted.as_ref().is_some_and(|w| !part.iter().any(|s| w.contains(s))) {
            continue;
        }
        let inside: Vec<u32> = ctx.at_sites(&part);
        let around: BTreeSet<u32> = ctx
            .at_sites(&model.graph.border(&part))
            .into_iter()
            .chain(inside.iter().copied())
            .flat_map(|q| ctx.networks_of.of(q).to_vec())
            .collect();
        let holes: Vec<u32> = inside.iter().copied().filter(|&p| !ctx.is_covered(p)).collect();
        let open = ctx.at_sites(&model.graph.border(&part)).iter().any(|&q| !ctx.is_covered(q));
        if around.len() == 1 && !open && !holes.is_empty() {
            let n = *around.iter().next().expect("one");
            let net = &model.networks[n as usize];
            out.push(Finding {
                network: Some(net.code.clone()),
                practices: ctx.codes(&holes),
                commissioner: net.commissioner.clone(),
                ..Finding::new(
                    &UNCOVERED_HOLE,
                    Severity::Error,
                    format!("{} uncovered practice(s) form a hole inside {}", holes.len(), model.network_label(n)),
                    json!({"registered": ctx.registered(&holes)}),
                )
            });
        }
    }
}
