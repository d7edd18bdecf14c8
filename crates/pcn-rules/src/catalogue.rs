//! Every rule pcn checks: a stable id, a severity, the years it applies to,
//! and where it comes from. Ids never change meaning; new rules get new ids.
//!
//! Each entry is written beside the function that checks the rule (in
//! `rules::size`, `rules::geography`, ...); this is the list of them, in the
//! order `pcn rules` shows them.

use pcn_core::FinancialYear;
use serde::Serialize;

pub use crate::finding::{RuleInfo, Severity};
use crate::rules::{boundary, coverage, geography, governance, list_size, size, waiver};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Rule {
    BelowFloor,
    AboveCeiling,
    SinglePractice,
    NonContiguous,
    Enclave,
    UncoveredHole,
    CrossCommissioner,
    CrossIcb,
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

impl Rule {
    pub const ALL: [Rule; 18] = [
        Rule::BelowFloor,
        Rule::AboveCeiling,
        Rule::SinglePractice,
        Rule::NonContiguous,
        Rule::Enclave,
        Rule::UncoveredHole,
        Rule::CrossCommissioner,
        Rule::CrossIcb,
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
        match self {
            Rule::BelowFloor => size::BELOW_FLOOR,
            Rule::AboveCeiling => size::ABOVE_CEILING,
            Rule::SinglePractice => size::SINGLE_PRACTICE,
            Rule::NonContiguous => geography::NON_CONTIGUOUS,
            Rule::Enclave => geography::ENCLAVE,
            Rule::UncoveredHole => geography::UNCOVERED_HOLE,
            Rule::CrossCommissioner => boundary::CROSS_COMMISSIONER,
            Rule::CrossIcb => boundary::CROSS_ICB,
            Rule::PracticeCommissioner => boundary::PRACTICE_COMMISSIONER,
            Rule::Uncovered => coverage::UNCOVERED,
            Rule::MultipleNetworks => coverage::MULTIPLE_NETWORKS,
            Rule::CoveringNotNeighbour => coverage::COVERING_NOT_NEIGHBOUR,
            Rule::NoClinicalDirector => governance::NO_CLINICAL_DIRECTOR,
            Rule::NoNominatedPayee => governance::NO_NOMINATED_PAYEE,
            Rule::NoNetworkAgreement => governance::NO_NETWORK_AGREEMENT,
            Rule::CoreMemberContract => governance::CORE_MEMBER_CONTRACT,
            Rule::ListSizeBasis => list_size::BASIS,
            Rule::WaiverCandidate => waiver::CANDIDATE,
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use pcn_core::limits;
    use pcn_core::text::thousands;

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

    /// The summaries are fixed text: they must quote the limits the checker applies.
    #[test]
    fn summaries_quote_the_limits() {
        let (floor, ceiling) = (thousands(limits::FLOOR), thousands(limits::CEILING));
        assert!(Rule::BelowFloor.info().summary.contains(&format!("below {floor}")));
        assert!(Rule::SinglePractice.info().summary.contains(&format!("{floor} or more")));
        assert!(Rule::AboveCeiling.info().summary.contains(&format!("above {ceiling}")));
        assert_eq!(Rule::BelowFloor.info().source, limits::FLOOR_SOURCE);
        assert_eq!(Rule::AboveCeiling.info().source, limits::CEILING_SOURCE);
    }
}
