//! `waiver.*`: a below-floor network in a sparse rural area, which the
//! commissioner may consider for the floor's rural waiver.

use pcn_core::ApprovalKind;
use pcn_core::limits::FLOOR;
use serde_json::{Value, json};

use crate::context::{Ctx, NetworkUnderCheck};
use crate::finding::{DES_START, Finding, RuleInfo, Severity};
use crate::model::is_sparse;

/// Waiver evidence thresholds: most of the list in sparse LSOAs, or few patients per km².
const SPARSE_SHARE: f64 = 0.5;
const SPARSE_DENSITY_PER_KM2: f64 = 60.0;

pub(crate) const CANDIDATE: RuleInfo = RuleInfo {
    id: "waiver.candidate",
    severity: Severity::Info,
    from_year: DES_START,
    summary: "Below the floor in a sparse rural area: a candidate for the commissioner's rural waiver",
    source: "des-facts 1.1 Floor exception (V)",
};

/// Only for a network below the floor without a waiver already recorded.
pub(crate) fn candidate(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    if net.registered >= FLOOR || net.approval(ApprovalKind::FloorWaiver, None).is_some() {
        return;
    }
    if let Some(evidence) = evidence(net.ctx, net.members, net.registered) {
        out.push(net.finding(
            &CANDIDATE,
            Severity::Info,
            format!(
                "{} is below the floor in a sparse rural area: the commissioner may consider a rural waiver",
                net.label
            ),
            evidence,
            Vec::new(),
        ));
    }
}

/// Why a below-floor network may deserve a rural waiver, or `None`.
fn evidence(ctx: &Ctx<'_>, members: &[u32], reg: i64) -> Option<Value> {
    let model = ctx.model;
    let located: Vec<u32> = members.iter().copied().filter(|&p| model.practices[p as usize].site.is_some()).collect();
    let with_ruc: Vec<(i64, bool)> = members
        .iter()
        .filter_map(|&p| {
            model.practices[p as usize].ruc.as_deref().map(|r| (model.practices[p as usize].registered, is_sparse(r)))
        })
        .collect();
    let ruc_total: i64 = with_ruc.iter().map(|(r, _)| r).sum();
    let sparse_share = (ruc_total > 0)
        .then(|| with_ruc.iter().filter(|(_, s)| *s).map(|(r, _)| *r).sum::<i64>() as f64 / ruc_total as f64);
    // Catchment: the practices' spread plus half the local spacing around them, as a disc.
    let density = (!located.is_empty()).then(|| {
        let pts: Vec<(f64, f64)> = located.iter().filter_map(|&p| model.practices[p as usize].location).collect();
        let cx = pts.iter().map(|p| p.0).sum::<f64>() / pts.len() as f64;
        let cy = pts.iter().map(|p| p.1).sum::<f64>() / pts.len() as f64;
        let spread = pts.iter().map(|p| (p.0 - cx).hypot(p.1 - cy)).fold(0.0, f64::max);
        let spacing = located
            .iter()
            .filter_map(|&p| model.practices[p as usize].site)
            .flat_map(|s| model.graph.neighbours[s as usize].iter().map(move |&t| model.graph.distance_m(s, t)))
            .fold(f64::INFINITY, f64::min);
        let radius_km = (spread + if spacing.is_finite() { spacing / 2.0 } else { 5_000.0 }) / 1000.0;
        reg as f64 / (std::f64::consts::PI * radius_km.max(1.0).powi(2))
    });
    let sparse = sparse_share.is_some_and(|s| s >= SPARSE_SHARE);
    let thin = density.is_some_and(|d| d < SPARSE_DENSITY_PER_KM2);
    (sparse || thin).then(|| {
        json!({
            "registered": reg,
            "sparse_share": sparse_share.map(|s| (s * 1000.0).round() / 1000.0),
            "patients_per_km2": density.map(|d| d.round()),
            "thresholds": {"sparse_share": SPARSE_SHARE, "patients_per_km2": SPARSE_DENSITY_PER_KM2},
            "rurality_source": if model.has_rurality { "ONS RUC 2011 of the nearest LSOA centroid" } else { "none (no LSOA data in the snapshot)" },
        })
    })
}
