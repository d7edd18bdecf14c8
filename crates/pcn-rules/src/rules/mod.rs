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
    geography::uncovered_hole(ctx, &uncovered, &mut out);
    coverage::multiple_networks(ctx, &mut out);
    coverage::covering_not_neighbour(ctx, &mut out);
    out
}

/// Findings about the snapshot as a whole.
pub(crate) fn snapshot_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    list_size::basis(ctx, &mut out);
    out
}
