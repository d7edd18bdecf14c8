//! `coverage.*`: every open practice's patients covered, by exactly one
//! network: its own, or a neighbouring one covering it as a non-participant.

use std::collections::{BTreeMap, BTreeSet};

use pcn_core::NetworkCode;
use pcn_core::text::thousands;
use serde_json::json;

use crate::context::Ctx;
use crate::finding::{DES_START, Finding, RuleInfo, Severity};

pub(crate) const UNCOVERED: RuleInfo = RuleInfo {
    id: "coverage.uncovered",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Active practice in no network and covered by none: its patients are not covered",
    source: "des-facts 1.1 100% coverage (V2)",
};

/// One finding per `uncovered` practice, naming the networks around it.
pub(crate) fn uncovered(ctx: &Ctx<'_>, uncovered: &[u32], out: &mut Vec<Finding>) {
    let model = ctx.model;
    for &p in uncovered {
        let pf = &model.practices[p as usize];
        let near: BTreeSet<&NetworkCode> = pf
            .site
            .map(|s| model.graph.border(&[s]).into_iter().chain([s]).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .flat_map(|s| ctx.at_sites(&[s]))
            .flat_map(|q| ctx.networks_of.of(q).iter().map(|&n| &model.networks[n as usize].code))
            .collect();
        out.push(Finding {
            practices: vec![pf.code.clone()],
            commissioner: pf.commissioner.clone(),
            ..Finding::new(
                &UNCOVERED,
                Severity::Error,
                format!("{} ({} patients) is in no network and covered by none", pf.code, thousands(pf.registered)),
                json!({"registered": pf.registered, "neighbouring_networks": near}),
            )
        });
    }
}

pub(crate) const MULTIPLE_NETWORKS: RuleInfo = RuleInfo {
    id: "coverage.multiple-networks",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Practice is a core member of more than one network",
    source: "des-facts 1.1 (V)",
};

/// For each of `practices` in more than one network.
pub(crate) fn multiple_networks(ctx: &Ctx<'_>, practices: impl Iterator<Item = u32>, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for p in practices {
        let nets = ctx.networks_of.of(p);
        if nets.len() > 1 {
            let pf = &model.practices[p as usize];
            let codes: Vec<&NetworkCode> = nets.iter().map(|&n| &model.networks[n as usize].code).collect();
            out.push(Finding {
                practices: vec![pf.code.clone()],
                commissioner: pf.commissioner.clone(),
                ..Finding::new(
                    &MULTIPLE_NETWORKS,
                    Severity::Error,
                    format!(
                        "{} is a core member of {} networks at once: {}",
                        pf.code,
                        nets.len(),
                        codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    json!({"networks": codes}),
                )
            });
        }
    }
}

pub(crate) const COVERING_NOT_NEIGHBOUR: RuleInfo = RuleInfo {
    id: "coverage.covering-not-neighbour",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "A non-participating practice is assigned to a covering network that does not neighbour it",
    source: "des-facts 1.1 Non-participating practices (V)",
};

/// A covering network must neighbour the practice it covers (a practice
/// without a location cannot be judged, so is not flagged).
pub(crate) fn covering_not_neighbour(ctx: &Ctx<'_>, only: Option<&[u32]>, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for (&p, &n) in
        ctx.covered_by.iter().filter(|(p, _)| only.is_none_or(|o| o.contains(p))).collect::<BTreeMap<_, _>>()
    {
        let pf = &model.practices[p as usize];
        let net_sites: Vec<u32> =
            ctx.config.members[n as usize].iter().filter_map(|&q| model.practices[q as usize].site).collect();
        let neighbours = match pf.site {
            Some(s) => {
                net_sites.contains(&s) || model.graph.neighbours[s as usize].iter().any(|t| net_sites.contains(t))
            }
            None => true,
        };
        if !neighbours {
            let net = &model.networks[n as usize];
            out.push(Finding {
                network: Some(net.code.clone()),
                practices: vec![pf.code.clone()],
                commissioner: pf.commissioner.clone(),
                ..Finding::new(
                    &COVERING_NOT_NEIGHBOUR,
                    Severity::Error,
                    format!(
                        "non-participating {} is covered by {}, which does not neighbour it",
                        pf.code,
                        model.network_label(n)
                    ),
                    json!({"covering_network": net.code}),
                )
            });
        }
    }
}
