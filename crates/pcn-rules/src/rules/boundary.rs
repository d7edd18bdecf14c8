//! `boundary.*`: a network's members and its commissioner's boundary.

use std::collections::BTreeSet;

use pcn_core::{ApprovalKind, CommissionerCode};
use serde_json::json;

use crate::context::NetworkUnderCheck;
use crate::finding::{DES_START, Finding, RuleInfo, Severity};

pub(crate) const CROSS_COMMISSIONER: RuleInfo = RuleInfo {
    id: "boundary.cross-commissioner",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "Members from more than one commissioner (info when the commissioners approved it)",
    source: "des-facts 1.1 CCG / ICS boundaries (V; exception rule R)",
};

pub(crate) fn cross_commissioner(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let model = net.ctx.model;
    let commissioners: BTreeSet<&CommissionerCode> =
        net.members.iter().filter_map(|&p| model.practices[p as usize].commissioner.as_ref()).collect();
    if commissioners.len() <= 1 {
        return;
    }
    let label = &net.label;
    let approved = net.approval(ApprovalKind::CrossCommissioner, None);
    let list: Vec<&str> = commissioners.iter().map(|c| c.as_str()).collect();
    let (sev, msg) = match approved {
        Some(a) => {
            (Severity::Info, format!("{label} spans commissioners {}, approved ({})", list.join(", "), a.reference))
        }
        None => {
            (Severity::Error, format!("{label} spans commissioners {} without a recorded approval", list.join(", ")))
        }
    };
    out.push(net.finding(
        &CROSS_COMMISSIONER,
        sev,
        msg,
        json!({"commissioners": list, "approval": approved.map(|a| &a.reference)}),
        Vec::new(),
    ));
}

pub(crate) const PRACTICE_COMMISSIONER: RuleInfo = RuleInfo {
    id: "boundary.practice-commissioner",
    severity: Severity::Warning,
    from_year: DES_START,
    summary: "A member practice's commissioner differs from the network's",
    source: "des-facts 1.1 CCG / ICS boundaries (V)",
};

/// One finding per member whose commissioner is not the network's.
pub(crate) fn practice_commissioner(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let Some(nc) = &net.facts.commissioner else { return };
    let model = net.ctx.model;
    for &p in net.members {
        let pf = &model.practices[p as usize];
        if let Some(pc) = pf.commissioner.as_ref().filter(|pc| *pc != nc) {
            let approved = net.approval(ApprovalKind::CrossCommissioner, Some(p));
            let sev = if approved.is_some() { Severity::Info } else { Severity::Warning };
            out.push(net.finding(
                &PRACTICE_COMMISSIONER,
                sev,
                format!("{} belongs to commissioner {pc} but its network {} to {nc}", pf.code, net.label),
                json!({"practice_commissioner": pc, "network_commissioner": nc, "approval": approved.map(|a| &a.reference)}),
                vec![pf.code.clone()],
            ));
        }
    }
}
