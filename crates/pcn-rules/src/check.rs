//! The checker: a configuration and its inputs in, findings out.
//!
//! Findings about a network depend only on that network's members, except the
//! "no donuts" rules (enclave, uncovered hole), which by their nature look at
//! the neighbours too. The rules themselves are in `rules`, one function each.

use std::collections::BTreeMap;

use pcn_core::{Area, CommissionerCode, FinancialYear, IcbCode};
use serde::Serialize;

use crate::catalogue::Rule;
pub use crate::context::CheckInputs;
use crate::context::{Ctx, NetworksOf};
pub use crate::finding::Finding;
use crate::finding::Severity;
use crate::model::{Configuration, Model};
use crate::rules;

#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluated {
    pub rule: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub year: String,
    pub networks: usize,
    pub practices: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
    pub not_evaluated: Vec<NotEvaluated>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

pub fn check(model: &Model, config: &Configuration, inputs: &CheckInputs) -> Report {
    let all: Vec<u32> = (0..model.networks.len() as u32).filter(|&n| model.networks[n as usize].open).collect();
    let mut findings = check_networks(model, config, inputs, &all);
    let ctx = context(model, config, inputs);
    findings.extend(rules::practice_findings(&ctx));
    findings.extend(rules::snapshot_findings(&ctx));
    sort(&mut findings);
    let summary =
        summarise(model, inputs, &ctx.year, &findings, all.len(), model.practices.iter().filter(|p| p.active).count());
    Report { summary, findings }
}

fn context<'a>(model: &'a Model, config: &'a Configuration, inputs: &'a CheckInputs) -> Ctx<'a> {
    Ctx::new(model, config, NetworksOf::of_configuration(config, model.practices.len()), inputs)
}

/// Findings of the given networks in `config`, which differs from the
/// configuration `base_networks_of` describes only in the networks of the
/// `moved` practices: what a what-if edit needs, without rebuilding every
/// practice's networks.
pub fn check_networks_after_moves(
    model: &Model,
    config: &Configuration,
    base_networks_of: &[Vec<u32>],
    moved: &[u32],
    inputs: &CheckInputs,
    networks: &[u32],
) -> Vec<Finding> {
    let ctx = Ctx::new(model, config, NetworksOf::after_moves(config, base_networks_of, moved), inputs);
    findings_of(&ctx, networks)
}

/// The networks that border network `n` in the configuration described by
/// `config` and `base_networks_of` with the `moved` practices' networks read
/// from `config`: the networks of the practices at its border sites (and
/// sharing its sites). A move can make one of them an enclave, or end one.
pub fn bordering_networks(
    model: &Model,
    config: &Configuration,
    base_networks_of: &[Vec<u32>],
    moved: &[u32],
    networks: &[u32],
) -> Vec<u32> {
    let of = crate::context::NetworksOf::after_moves(config, base_networks_of, moved);
    let mut out: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
    for &n in networks {
        let sites: Vec<u32> =
            config.members[n as usize].iter().filter_map(|&p| model.practices[p as usize].site).collect();
        let mut around = model.graph.border(&sites);
        around.extend(sites.iter().copied());
        for s in around {
            for &p in &model.site_practices[s as usize] {
                out.extend(of.of(p).iter().copied().filter(|&m| m != n));
            }
        }
    }
    out.into_iter().collect()
}

/// The practice-level findings (a practice in no network, a hole of
/// uncovered practices, a practice in two networks, a covering network that
/// is no neighbour) about the `about` practices in `config`, described as for
/// [`check_networks_after_moves`]: what a what-if that leaves a practice out
/// must show, without judging every practice in England.
pub fn practice_findings_after_moves(
    model: &Model,
    config: &Configuration,
    base_networks_of: &[Vec<u32>],
    moved: &[u32],
    inputs: &CheckInputs,
    about: &[u32],
) -> Vec<Finding> {
    let ctx = Ctx::new(model, config, NetworksOf::after_moves(config, base_networks_of, moved), inputs);
    let mut out = rules::practice_findings_about(&ctx, about);
    sort(&mut out);
    out
}

/// Findings of the given networks only: what an edit needs to recompute.
pub fn check_networks(model: &Model, config: &Configuration, inputs: &CheckInputs, networks: &[u32]) -> Vec<Finding> {
    findings_of(&context(model, config, inputs), networks)
}

fn findings_of(ctx: &Ctx<'_>, networks: &[u32]) -> Vec<Finding> {
    let mut scratch = pcn_geo::Scratch::default();
    let mut out = Vec::new();
    // Closed networks are history: nothing to judge.
    for &n in networks.iter().filter(|&&n| ctx.model.networks[n as usize].open) {
        rules::network_findings(ctx, n, &mut scratch, &mut out);
    }
    out
}

fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.commissioner.as_ref(), a.severity, a.rule, a.network.as_ref(), &a.practices).cmp(&(
            b.commissioner.as_ref(),
            b.severity,
            b.rule,
            b.network.as_ref(),
            &b.practices,
        ))
    });
}

fn summarise(
    model: &Model,
    inputs: &CheckInputs,
    year: &FinancialYear,
    findings: &[Finding],
    networks: usize,
    practices: usize,
) -> Summary {
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    for f in findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut not_evaluated = Vec::new();
    if inputs.governance.is_none() {
        for r in [Rule::NoClinicalDirector, Rule::NoNominatedPayee, Rule::NoNetworkAgreement] {
            not_evaluated
                .push(NotEvaluated { rule: r.id(), reason: "no governance records (give --governance FILE)".into() });
        }
    }
    if model.practices.iter().all(|p| p.contract_type.is_none()) {
        not_evaluated.push(NotEvaluated {
            rule: Rule::CoreMemberContract.id(),
            reason: "no contract types in the snapshot (import a payments file)".into(),
        });
    }
    if model.graph.sites.is_empty() {
        for r in [Rule::NonContiguous, Rule::Enclave, Rule::UncoveredHole, Rule::CoveringNotNeighbour] {
            not_evaluated.push(NotEvaluated {
                rule: r.id(),
                reason: "no practice coordinates in the snapshot (import a postcode coordinates file)".into(),
            });
        }
    }
    if !model.has_rurality {
        not_evaluated.push(NotEvaluated {
            rule: Rule::WaiverCandidate.id(),
            reason: "no LSOA rurality in the snapshot: waiver candidates judged by density alone".into(),
        });
    }
    Summary {
        year: year.to_string(),
        networks,
        practices,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        by_rule,
        not_evaluated,
    }
}

/// Restricts a report to one commissioner: its networks' and practices' findings.
pub fn for_commissioner(model: &Model, report: &Report, commissioner: &CommissionerCode) -> Report {
    for_area(model, report, &Area::Commissioner(commissioner.clone()))
}

/// Restricts a report to one ICB: the findings of its sub-ICB locations'
/// networks and practices (an ICB the snapshot does not know has none).
pub fn for_icb(model: &Model, report: &Report, icb: &IcbCode) -> Report {
    let sub_icbs = model.hierarchy.sub_icbs_of(icb).iter().cloned().collect();
    for_area(model, report, &Area::Icb { code: icb.clone(), sub_icbs })
}

/// Restricts a report to an area (England keeps it whole). Findings about no
/// network and no commissioner (the snapshot's own) are kept everywhere.
pub fn for_area(model: &Model, report: &Report, area: &Area) -> Report {
    if area.is_england() {
        return report.clone();
    }
    let findings: Vec<Finding> = report
        .findings
        .iter()
        .filter(|f| area.admits(f.commissioner.as_ref()) || f.commissioner.is_none() && f.network.is_none())
        .cloned()
        .collect();
    let networks = model.networks.iter().filter(|n| area.admits(n.commissioner.as_ref())).count();
    let practices = model.practices.iter().filter(|p| p.active && area.admits(p.commissioner.as_ref())).count();
    let mut summary = report.summary.clone();
    summary.networks = networks;
    summary.practices = practices;
    summary.by_rule.clear();
    for f in &findings {
        *summary.by_rule.entry(f.rule).or_default() += 1;
    }
    summary.errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    summary.warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    summary.infos = findings.iter().filter(|f| f.severity == Severity::Info).count();
    Report { summary, findings }
}
