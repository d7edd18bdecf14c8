//! The quality of a configuration, measured with the rule checker itself so a
//! formed configuration and today's are judged by the same code.

use std::collections::{BTreeMap, BTreeSet};

use pcn_core::{Approval, ApprovalKind, NetworkCode};
use pcn_rules::{CheckInputs, Configuration, Model, NetworkFacts};
use serde::Serialize;

use crate::certificate::{Certificate, Obstacle};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quality {
    pub networks: usize,
    pub below_floor: usize,
    /// Of those, networks a certificate shows cannot reach the floor.
    pub below_floor_certified: usize,
    pub above_ceiling: usize,
    pub non_contiguous: usize,
    pub cross_commissioner: usize,
    pub uncovered: usize,
    /// Population-weighted mean distance from a practice to its network's centre.
    pub mean_weighted_distance_km: f64,
    pub practices_moved: usize,
    pub seconds: f64,
    pub by_rule: BTreeMap<&'static str, usize>,
}

/// Measures `config` (over `networks`) and counts practices whose networks
/// differ from `baseline` (today's configuration over `model.networks`).
pub fn quality(
    model: &Model,
    networks: &[NetworkFacts],
    config: &Configuration,
    baseline: &Configuration,
    covering: &[(u32, u32)],
    certificates: &[Certificate],
    seconds: f64,
) -> Quality {
    let m2 = model.with_networks(networks.to_vec());
    let approvals: Vec<Approval> = covering
        .iter()
        .map(|&(p, n)| Approval {
            kind: ApprovalKind::NonParticipant,
            network: networks[n as usize].code.clone(),
            practice: Some(model.practices[p as usize].code.clone()),
            reference: "what-if opt-out".into(),
            from: None,
            to: None,
            note: None,
        })
        .collect();
    let report = pcn_rules::check(&m2, config, &CheckInputs { year: None, approvals, governance: None });
    let count = |rule: &str| report.summary.by_rule.get(rule).copied().unwrap_or(0);

    let certified: BTreeSet<&str> = certificates
        .iter()
        .filter(|c| matches!(c.obstacle, Obstacle::IsolatedBelowFloor | Obstacle::AreaBelowFloor))
        .flat_map(|c| c.practices.iter().map(String::as_str))
        .collect();
    let below: Vec<&NetworkCode> =
        report.findings.iter().filter(|f| f.rule == "size.below-floor").filter_map(|f| f.network.as_ref()).collect();
    let below_floor_certified = below
        .iter()
        .filter(|code| {
            let n = m2.network_index[**code];
            let ms = &config.members[n as usize];
            // Unlocated practices placed into a cut-off group do not make it less cut off.
            let located: Vec<&u32> = ms.iter().filter(|&&p| m2.practices[p as usize].site.is_some()).collect();
            !located.is_empty() && located.iter().all(|&&p| certified.contains(m2.practices[p as usize].code.as_str()))
        })
        .count();

    let (mut wd, mut wsum) = (0.0, 0.0);
    for ms in &config.members {
        let pts = model.weighted_points(ms);
        let w: f64 = pts.iter().map(|p| p.weight).sum();
        if let Some(d) = pcn_geo::mean_weighted_distance_m(&pts) {
            wd += d * w;
            wsum += w;
        }
    }

    Quality {
        networks: config.members.iter().filter(|m| !m.is_empty()).count(),
        below_floor: count("size.below-floor"),
        below_floor_certified,
        above_ceiling: count("size.above-ceiling"),
        non_contiguous: count("geo.non-contiguous"),
        cross_commissioner: count("boundary.cross-commissioner"),
        uncovered: count("coverage.uncovered"),
        mean_weighted_distance_km: if wsum > 0.0 { (wd / wsum / 10.0).round() / 100.0 } else { 0.0 },
        practices_moved: moved(model, &model.networks, baseline, networks, config),
        seconds,
        by_rule: report.summary.by_rule,
    }
}

/// Practices whose set of network codes differs between two configurations.
pub fn moved(
    model: &Model,
    before_nets: &[NetworkFacts],
    before: &Configuration,
    after_nets: &[NetworkFacts],
    after: &Configuration,
) -> usize {
    fn codes<'a>(practices: usize, nets: &'a [NetworkFacts], c: &Configuration) -> Vec<BTreeSet<&'a NetworkCode>> {
        let mut v: Vec<BTreeSet<&NetworkCode>> = vec![BTreeSet::new(); practices];
        for (n, ms) in c.members.iter().enumerate() {
            for &p in ms {
                v[p as usize].insert(&nets[n].code);
            }
        }
        v
    }
    let n = model.practices.len();
    let (a, b) = (codes(n, before_nets, before), codes(n, after_nets, after));
    a.iter().zip(&b).filter(|(x, y)| x != y).count()
}
