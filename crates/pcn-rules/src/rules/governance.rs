//! `governance.*`: what the DES asks a network to have on record (evaluated
//! only when governance records were given), and its members' contracts.

use pcn_core::Governance;
use serde_json::json;

use crate::context::NetworkUnderCheck;
use crate::finding::{DES_START, Finding, RuleInfo, Severity};

/// Contracts that allow a practice to be a core member.
const CORE_CONTRACTS: [&str; 3] = ["GMS", "PMS", "APMS"];

pub(crate) const NO_CLINICAL_DIRECTOR: RuleInfo = RuleInfo {
    id: "governance.no-clinical-director",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "No named clinical director",
    source: "des-facts 1.1 Clinical Director (V)",
};

pub(crate) fn no_clinical_director(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    not_on_record(net, &NO_CLINICAL_DIRECTOR, "no clinical director", out, |g| {
        g.clinical_director.as_deref().is_none_or(str::is_empty)
    });
}

pub(crate) const NO_NOMINATED_PAYEE: RuleInfo = RuleInfo {
    id: "governance.no-nominated-payee",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "No nominated payee",
    source: "des-facts 1.1 Nominated payee (V)",
};

pub(crate) fn no_nominated_payee(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    not_on_record(net, &NO_NOMINATED_PAYEE, "no nominated payee", out, |g| {
        g.nominated_payee.as_deref().is_none_or(str::is_empty)
    });
}

pub(crate) const NO_NETWORK_AGREEMENT: RuleInfo = RuleInfo {
    id: "governance.no-network-agreement",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "No signed network agreement",
    source: "des-facts 1.1 Network Agreement (V)",
};

/// An agreement signed after the year ends does not count for it.
pub(crate) fn no_network_agreement(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    let year_end = net.ctx.year.end();
    not_on_record(net, &NO_NETWORK_AGREEMENT, "no signed network agreement", out, |g| {
        g.agreement_signed.is_none_or(|d| d > year_end)
    });
}

/// A network with no governance record at all lacks everything on it.
fn not_on_record(
    net: &NetworkUnderCheck<'_>,
    rule: &RuleInfo,
    what: &str,
    out: &mut Vec<Finding>,
    absent: impl Fn(&Governance) -> bool,
) {
    let Some(gov) = &net.ctx.governance else { return };
    let g = gov.get(&net.facts.code);
    if g.is_none_or(|g| absent(g)) {
        out.push(net.finding(
            rule,
            Severity::Error,
            format!("{} has {what} on record", net.label),
            json!({"recorded": g.is_some()}),
            Vec::new(),
        ));
    }
}

pub(crate) const CORE_MEMBER_CONTRACT: RuleInfo = RuleInfo {
    id: "governance.core-member-contract",
    severity: Severity::Error,
    from_year: DES_START,
    summary: "A core member does not hold a GMS, PMS or APMS contract (where the data says)",
    source: "des-facts 1.1 Who can join as a core member (V)",
};

/// One finding per member with a known contract that is not a core one.
pub(crate) fn core_member_contract(net: &NetworkUnderCheck<'_>, out: &mut Vec<Finding>) {
    for &p in net.members {
        let pf = &net.ctx.model.practices[p as usize];
        if let Some(ct) = pf.contract_type.as_deref()
            && !ct.eq_ignore_ascii_case("unknown")
            && !CORE_CONTRACTS.iter().any(|c| c.eq_ignore_ascii_case(ct))
        {
            out.push(net.finding(
                &CORE_MEMBER_CONTRACT,
                Severity::Error,
                format!(
                    "{} is a core member of {} but holds a {ct} contract, not GMS, PMS or APMS",
                    pf.code, net.label
                ),
                json!({"contract_type": ct}),
                vec![pf.code.clone()],
            ));
        }
    }
}
