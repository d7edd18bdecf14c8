//! `boundary.*`: a network's members and its commissioner's boundary.
//!
//! "Inside the commissioner area" is judged at sub-ICB location (CCG) level;
//! the findings name who approves an exception: from 1 July 2022 the ICB
//! acting for the network's sub-ICB location, before it the CCG. A network
//! whose members span two ICBs is called out on its own (`boundary.cross-icb`).

use std::collections::{BTreeMap, BTreeSet};

use pcn_core::{ApprovalKind, CommissionerCode, IcbCode};
use serde_json::{Value, json};

use crate::context::NetworkUnderCheck;
use crate::finding::{DES_START, Finding, RuleInfo, Severity};

pub(crate) const CROSS_COMMISSIONER: RuleInfo = RuleInfo {
    id: "boundary.cross-commissioner",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Members from more than one commissioner (CCG or sub-ICB location; info when approved)",
    source: "des-facts 1.1 CCG / ICS boundaries (V; exception rule R)",
};

/// Who approves an exception for the network, in words, and the approving
/// ICB's code when the ICB approves and the snapshot knows it.
fn approver<'m>(
    net: &NetworkUnderCheck<'m>,
    commissioners: &BTreeSet<&CommissionerCode>,
) -> (String, Option<&'m IcbCode>) {
    let h = &net.ctx.model.hierarchy;
    let era = h.era();
    let own = net.facts.commissioner.as_ref();
    if !era.parent_approves() {
        return match own {
            Some(c) => (format!("approval is for CCG {c}"), None),
            None => ("approval is for the CCGs".to_string(), None),
        };
    }
    let icbs: BTreeSet<Option<&IcbCode>> = commissioners.iter().map(|c| h.icb_of(c)).collect();
    let icb = match own {
        Some(c) => h.icb_of(c),
        None if icbs.len() == 1 => icbs.first().copied().flatten(),
        None => None,
    };
    match (icb, own) {
        (Some(i), _) => (format!("approval is for {}", h.icb_label(i)), Some(i)),
        (None, Some(c)) => (format!("approval is for the ICB of {c}, which this snapshot does not know"), None),
        (None, None) => ("approval is for the ICB, which this snapshot does not know".to_string(), None),
    }
}

fn codes<T: AsRef<str>>(v: impl IntoIterator<Item = T>) -> Vec<String> {
    v.into_iter().map(|c| c.as_ref().to_string()).collect()
}

fn member_commissioners<'m>(net: &NetworkUnderCheck<'m>) -> BTreeSet<&'m CommissionerCode> {
    let model = net.ctx.model;
    net.members.iter().filter_map(|&p| model.practices[p as usize].commissioner.as_ref()).collect()
}

pub(crate) fn cross_commissioner(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let commissioners = member_commissioners(net);
    if commissioners.len() <= 1 {
        return;
    }
    let h = &net.ctx.model.hierarchy;
    let tiers = h.era().commissioner_tier_plural();
    let label = &net.label;
    let approved = net.approval(ApprovalKind::CrossCommissioner, None);
    let list: Vec<&str> = commissioners.iter().map(|c| c.as_str()).collect();
    let (by, approving) = approver(net, &commissioners);
    let (sev, msg) = match approved {
        Some(a) => {
            (Severity::Info, format!("{label} spans {tiers} {}, approved ({}); {by}", list.join(", "), a.reference))
        }
        None => {
            (Severity::Error, format!("{label} spans {tiers} {} without a recorded approval; {by}", list.join(", ")))
        }
    };
    let icbs: BTreeSet<&IcbCode> = commissioners.iter().filter_map(|c| h.icb_of(c)).collect();
    out.push(net.finding(
        &CROSS_COMMISSIONER,
        sev,
        msg,
        json!({
            "commissioners": list,
            "approval": approved.map(|a| &a.reference),
            "approving_icb": approving,
            "icbs": codes(icbs),
        }),
        Vec::new(),
    ));
}

pub(crate) const CROSS_ICB: RuleInfo = RuleInfo {
    id: "boundary.cross-icb",
    severity: Severity::Warning,
    from_year: DES_START,
    summary: "Members from more than one ICB (STP before July 2022): each must agree (info when approved)",
    source: "des-facts 1.1 CCG / ICS boundaries (V; exception rule R)",
};

/// Beside `boundary.cross-commissioner` (which judges the sub-ICB locations),
/// a network whose members' sub-ICB locations belong to different ICBs: the
/// exception then needs more than one ICB's agreement. A warning (the error
/// is the cross-commissioner finding's), info once an approval is recorded.
/// A member whose ICB the snapshot does not know is not counted as another.
pub(crate) fn cross_icb(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let commissioners = member_commissioners(net);
    let h = &net.ctx.model.hierarchy;
    let mut by_icb: BTreeMap<&IcbCode, Vec<&str>> = BTreeMap::new();
    for c in &commissioners {
        if let Some(i) = h.icb_of(c) {
            by_icb.entry(i).or_default().push(c.as_str());
        }
    }
    if by_icb.len() <= 1 {
        return;
    }
    let era = h.era();
    let label = &net.label;
    let (by, approving) = approver(net, &commissioners);
    let parts: Vec<String> = by_icb.iter().map(|(i, cs)| format!("{} of {}", cs.join(", "), h.icb_label(i))).collect();
    let icbs: Vec<&str> = by_icb.keys().map(|i| i.as_str()).collect();
    let approved = net.approval(ApprovalKind::CrossCommissioner, None);
    let whose = if era.parent_approves() { era.parent_tier_plural() } else { era.commissioner_tier_plural() };
    let (sev, msg) = match approved {
        Some(a) => (
            Severity::Info,
            format!(
                "{label} spans {} {} ({}), approved ({}): the approval needs each of those {whose}; {by}",
                era.parent_tier_plural(),
                icbs.join(", "),
                parts.join("; "),
                a.reference
            ),
        ),
        None => (
            Severity::Warning,
            format!(
                "{label} spans {} {} ({}): each of those {whose} must agree; {by}",
                era.parent_tier_plural(),
                icbs.join(", "),
                parts.join("; ")
            ),
        ),
    };
    let members: Value =
        by_icb.iter().map(|(i, cs)| (i.to_string(), json!(cs))).collect::<serde_json::Map<_, _>>().into();
    out.push(net.finding(
        &CROSS_ICB,
        sev,
        msg,
        json!({
            "icbs": icbs,
            "commissioners_by_icb": members,
            "approval": approved.map(|a| &a.reference),
            "approving_icb": approving,
        }),
        Vec::new(),
    ));
}

pub(crate) const PRACTICE_COMMISSIONER: RuleInfo = RuleInfo {
    id: "boundary.practice-commissioner",
    severity: Severity::Warning,
    from_year: DES_START,
    summary: "A member practice's commissioner (CCG or sub-ICB location) differs from the network's",
    source: "des-facts 1.1 CCG / ICS boundaries (V)",
};

/// One finding per member whose commissioner is not the network's.
pub(crate) fn practice_commissioner(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let Some(nc) = &net.facts.commissioner else { return };
    let model = net.ctx.model;
    let h = &model.hierarchy;
    let era = h.era();
    let tier = era.commissioner_tier();
    for &p in net.members {
        let pf = &model.practices[p as usize];
        if let Some(pc) = pf.commissioner.as_ref().filter(|pc| *pc != nc) {
            let approved = net.approval(ApprovalKind::CrossCommissioner, Some(p));
            let sev = if approved.is_some() { Severity::Info } else { Severity::Warning };
            let (pi, ni) = (h.icb_of(pc), h.icb_of(nc));
            let other = match (pi, ni) {
                (Some(a), Some(b)) if a != b => format!(" ({pc} is in {}, {nc} in {})", h.icb_label(a), h.icb_label(b)),
                _ => String::new(),
            };
            let (by, approving) = approver(net, &[pc, nc].into_iter().collect());
            out.push(net.finding(
                &PRACTICE_COMMISSIONER,
                sev,
                format!("{} belongs to {tier} {pc} but its network {} to {nc}{other}; {by}", pf.code, net.label),
                json!({
                    "practice_commissioner": pc,
                    "network_commissioner": nc,
                    "practice_icb": pi,
                    "network_icb": ni,
                    "approving_icb": approving,
                    "approval": approved.map(|a| &a.reference),
                }),
                vec![pf.code.clone()],
            ));
        }
    }
}
