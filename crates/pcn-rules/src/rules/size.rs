//! `size.*`: a network's registered population against the DES floor and
//! ceiling, and the single-practice network.

use pcn_core::ApprovalKind;
use pcn_core::limits::{self, CEILING, FLOOR};
use pcn_core::text::thousands;
use serde_json::json;

use crate::context::NetworkUnderCheck;
use crate::finding::{DES_START, Finding, RuleInfo, Severity};

pub(crate) const BELOW_FLOOR: RuleInfo = RuleInfo {
    id: "size.below-floor",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Registered population below 30,000 (info when a rural waiver is recorded)",
    source: limits::FLOOR_SOURCE,
};

pub(crate) fn below_floor(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let (label, reg) = (&net.label, net.registered);
    if reg >= FLOOR {
        return;
    }
    let waiver = net.approval(ApprovalKind::FloorWaiver, None);
    let (sev, msg) = match waiver {
        Some(a) => (
            Severity::Info,
            format!(
                "{label} has {} registered patients, below the {} floor, under rural waiver {}",
                thousands(reg),
                thousands(FLOOR),
                a.reference
            ),
        ),
        None => (
            Severity::Error,
            format!(
                "{label} has {} registered patients, {} below the {} floor",
                thousands(reg),
                thousands(FLOOR - reg),
                thousands(FLOOR)
            ),
        ),
    };
    out.push(net.finding(
        &BELOW_FLOOR,
        sev,
        msg,
        json!({"registered": reg, "floor": FLOOR, "shortfall": FLOOR - reg, "practices": net.members.len(), "waiver": waiver.map(|a| &a.reference)}),
        Vec::new(),
    ));
}

pub(crate) const ABOVE_CEILING: RuleInfo = RuleInfo {
    id: "size.above-ceiling",
    severity: Severity::Warning,
    from_year: DES_START,
    summary: "Registered population above 50,000 (the ceiling is soft; info when approved)",
    source: limits::CEILING_SOURCE,
};

pub(crate) fn above_ceiling(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let (label, reg) = (&net.label, net.registered);
    if reg <= CEILING {
        return;
    }
    let approved = net.approval(ApprovalKind::AboveCeiling, None);
    let (sev, msg) = match approved {
        Some(a) => (
            Severity::Info,
            format!(
                "{label} has {} registered patients, above {}, approved ({})",
                thousands(reg),
                thousands(CEILING),
                a.reference
            ),
        ),
        None => (
            Severity::Warning,
            format!(
                "{label} has {} registered patients, {} above the {} guide",
                thousands(reg),
                thousands(reg - CEILING),
                thousands(CEILING)
            ),
        ),
    };
    out.push(net.finding(
        &ABOVE_CEILING,
        sev,
        msg,
        json!({"registered": reg, "ceiling": CEILING, "excess": reg - CEILING, "approval": approved.map(|a| &a.reference)}),
        Vec::new(),
    ));
}

pub(crate) const SINGLE_PRACTICE: RuleInfo = RuleInfo {
    id: "size.single-practice",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Single-practice network: allowed only at 30,000 or more with commissioner approval",
    source: "des-facts 1.1 Single-practice PCN (V; approval R)",
};

pub(crate) fn single_practice(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let (label, reg) = (&net.label, net.registered);
    if net.members.len() != 1 {
        return;
    }
    let approved = net.approval(ApprovalKind::SinglePractice, None);
    let (sev, msg) = if reg < FLOOR {
        (
            Severity::Error,
            format!(
                "{label} is a single practice of {} patients; a single-practice network needs {} or more",
                thousands(reg),
                thousands(FLOOR)
            ),
        )
    } else if let Some(a) = approved {
        (
            Severity::Info,
            format!("{label} is a single-practice network of {} patients, approved ({})", thousands(reg), a.reference),
        )
    } else {
        (
            Severity::Error,
            format!(
                "{label} is a single-practice network of {} patients without a recorded commissioner approval",
                thousands(reg)
            ),
        )
    };
    out.push(net.finding(
        &SINGLE_PRACTICE,
        sev,
        msg,
        json!({"registered": reg, "approval": approved.map(|a| &a.reference)}),
        net.ctx.codes(net.members),
    ));
}
