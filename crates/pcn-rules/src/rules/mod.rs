//! The rules, one function each, grouped by the family their id names
//! (`size.*` in `size`, `geo.*` in `geography`, ...). Each rule's catalogue
//! entry (id, severity, summary, source) sits beside the function that
//! checks it; this module only runs them in their order.

pub(crate) mod boundary;
pub(crate) mod coverage;
pub(crate) mod geography;
pub(crate) mod governance;
pub(crate) mod list_size;
pub(crate) mod size;
pub(crate) mod waiver;

use crate::context::Ctx;
use crate::finding::Finding;

/// Network `n`'s findings, which depend only on its members except the
/// enclave rule's look at its neighbours.
pub(crate) fn network_findings(ctx: &Ctx<'_>, n: u32, scratch: &mut pcn_geo::Scratch, out: &mut Vec<Finding>) {
    let net = ctx.network(n);
    size::below_floor(&net, out);
    waiver::candidate(&net, out);
    size::above_ceiling(&net, out);
    size::single_practice(&net, out);
    geography::non_contiguous(&net, scratch, out);
    geography::enclave(&net, out);
    boundary::cross_commissioner(&net, out);
    boundary::cross_icb(&net, out);
    boundary::practice_commissioner(&net, out);
    governance::no_clinical_director(&net, out);
    governance::no_nominated_payee(&net, out);
    governance::no_network_agreement(&net, out);
    governance::core_member_contract(&net, out);
}

/// Findings about practices outside any one network's membership.
pub(crate) fn practice_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let uncovered = ctx.uncovered();
    coverage::uncovered(ctx, &uncovered, &mut out);
    geography::uncovered_hole(ctx, &uncovered, None, &mut out);
    coverage::multiple_networks(ctx, 0..ctx.model.practices.len() as u32, &mut out);
    coverage::covering_not_neighbour(ctx, None, &mut out);
    out
}

/// The same rules about `about` only (what a what-if moved): each practice
/// uncovered, in two networks or covered by a stranger, and any hole of
/// uncovered practices that holds one of them. The rest are not formatted.
pub(crate) fn practice_findings_about(ctx: &Ctx<'_>, about: &[u32]) -> Vec<Finding> {
    let mut out = Vec::new();
    let practices = &ctx.model.practices;
    let mine: Vec<u32> =
        about.iter().copied().filter(|&p| practices[p as usize].active && !ctx.is_covered(p)).collect();
    coverage::uncovered(ctx, &mine, &mut out);
    if !mine.is_empty() {
        geography::uncovered_hole(ctx, &ctx.uncovered(), Some(about), &mut out);
    }
    coverage::multiple_networks(ctx, about.iter().copied(), &mut out);
    coverage::covering_not_neighbour(ctx, Some(about), &mut out);
    out
}

/// Findings about the snapshot as a whole.
pub(crate) fn snapshot_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    list_size::basis(ctx, &mut out);
    out
}
