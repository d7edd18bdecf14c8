//! Every rule pcn checks: a stable id, a severity, the years it applies to,
//! and where it comes from. Ids never change meaning; new rules get new ids.

use pcn_core::FinancialYear;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Rule {
    BelowFloor,
    AboveCeiling,
    SinglePractice,
    NonContiguous,
    Enclave,
    UncoveredHole,
    CrossCommissioner,
    PracticeCommissioner,
    Uncovered,
    MultipleNetworks,
    CoveringNotNeighbour,
    NoClinicalDirector,
    NoNominatedPayee,
    NoNetworkAgreement,
    CoreMemberContract,
    ListSizeBasis,
    WaiverCandidate,
}

/// What a rule is, for `pcn rules` and the docs.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    /// First financial year the rule applies to (all later years too).
    pub from_year: &'static str,
    pub summary: &'static str,
    /// des-facts.md section and confidence of the underlying rule.
    pub source: &'static str,
}

impl Rule {
    pub const ALL: [Rule; 17] = [
        Rule::BelowFloor,
        Rule::AboveCeiling,
        Rule::SinglePractice,
        Rule::NonContiguous,
        Rule::Enclave,
        Rule::UncoveredHole,
        Rule::CrossCommissioner,
        Rule::PracticeCommissioner,
        Rule::Uncovered,
        Rule::MultipleNetworks,
        Rule::CoveringNotNeighbour,
        Rule::NoClinicalDirector,
        Rule::NoNominatedPayee,
        Rule::NoNetworkAgreement,
        Rule::CoreMemberContract,
        Rule::ListSizeBasis,
        Rule::WaiverCandidate,
    ];

    pub fn id(self) -> &'static str {
        self.info().id
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    pub fn applies_in(self, year: FinancialYear) -> bool {
        let from = FinancialYear::parse(self.info().from_year).expect("catalogue years parse");
        year >= from
    }

    pub fn info(self) -> RuleInfo {
        use Severity::*;
        let (id, severity, summary, source) = match self {
            Rule::BelowFloor => (
                "size.below-floor",
                Error,
                "Registered population below 30,000 (info when a rural waiver is recorded)",
                "des-facts 1.1 Population size, Floor exception (V)",
            ),
            Rule::AboveCeiling => (
                "size.above-ceiling",
                Warning,
                "Registered population above 50,000 (the ceiling is soft; info when approved)",
                "des-facts 1.1 Ceiling (V)",
            ),
            Rule::SinglePractice => (
                "size.single-practice",
                Error,
                "Single-practice network: allowed only at 30,000 or more with commissioner approval",
                "des-facts 1.1 Single-practice PCN (V; approval R)",
            ),
            Rule::NonContiguous => (
                "geo.non-contiguous",
                Error,
                "Member practices do not form one contiguous area",
                "des-facts 1.1 Geography (V2)",
            ),
            Rule::Enclave => (
                "geo.enclave",
                Error,
                "Network wholly surrounded by one other network (no donuts)",
                "des-facts 1.1 Geography (V2)",
            ),
            Rule::UncoveredHole => (
                "geo.uncovered-hole",
                Error,
                "Uncovered practices form a hole wholly inside one network (no donuts)",
                "des-facts 1.1 Geography (V2)",
            ),
            Rule::CrossCommissioner => (
                "boundary.cross-commissioner",
                Error,
                "Members from more than one commissioner (info when the commissioners approved it)",
                "des-facts 1.1 CCG / ICS boundaries (V; exception rule R)",
            ),
            Rule::PracticeCommissioner => (
                "boundary.practice-commissioner",
                Warning,
                "A member practice's commissioner differs from the network's",
                "des-facts 1.1 CCG / ICS boundaries (V)",
            ),
            Rule::Uncovered => (
                "coverage.uncovered",
                Error,
                "Active practice in no network and covered by none: its patients are not covered",
                "des-facts 1.1 100% coverage (V2)",
            ),
            Rule::MultipleNetworks => (
                "coverage.multiple-networks",
                Error,
                "Practice is a core member of more than one network",
                "des-facts 1.1 (V)",
            ),
            Rule::CoveringNotNeighbour => (
                "coverage.covering-not-neighbour",
                Error,
                "A non-participating practice is assigned to a covering network that does not neighbour it",
                "des-facts 1.1 Non-participating practices (V)",
            ),
            Rule::NoClinicalDirector => (
                "governance.no-clinical-director",
                Error,
                "No named clinical director",
                "des-facts 1.1 Clinical Director (V)",
            ),
            Rule::NoNominatedPayee => {
                ("governance.no-nominated-payee", Error, "No nominated payee", "des-facts 1.1 Nominated payee (V)")
            }
            Rule::NoNetworkAgreement => (
                "governance.no-network-agreement",
                Error,
                "No signed network agreement",
                "des-facts 1.1 Network Agreement (V)",
            ),
            Rule::CoreMemberContract => (
                "governance.core-member-contract",
                Error,
                "A core member does not hold a GMS, PMS or APMS contract (where the data says)",
                "des-facts 1.1 Who can join as a core member (V)",
            ),
            Rule::ListSizeBasis => (
                "listsize.basis",
                Warning,
                "The snapshot's list sizes are not those of 1 January before the year, which the DES uses",
                "des-facts 0 Registered list (V); DESIGN.md dates",
            ),
            Rule::WaiverCandidate => (
                "waiver.candidate",
                Info,
                "Below the floor in a sparse rural area: a candidate for the commissioner's rural waiver",
                "des-facts 1.1 Floor exception (V)",
            ),
        };
        RuleInfo { id, severity, from_year: "2019/20", summary, source }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
        for r in Rule::ALL {
            assert_eq!(Rule::from_id(r.id()), Some(r));
            assert!(r.applies_in(FinancialYear::new(2019)));
            assert!(!r.applies_in(FinancialYear::new(2018)));
        }
    }
}
