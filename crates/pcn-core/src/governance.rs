//! Commissioners' decisions and networks' governance, as inputs to the rules:
//! approvals and waivers turn an error into an informational finding that
//! cites them; a non-participating practice names the network covering it.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{NetworkCode, PracticeCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalKind {
    /// Rural waiver of the 30,000 floor (sparse, large, remote area).
    FloorWaiver,
    /// A single practice of 30,000 or more approved as a network.
    SinglePractice,
    /// Membership across commissioner boundaries agreed by the commissioners.
    CrossCommissioner,
    /// A network above 50,000 agreed by the commissioner.
    AboveCeiling,
    /// A practice that does not participate, covered by the named network.
    NonParticipant,
}

impl ApprovalKind {
    pub const ALL: [ApprovalKind; 5] = [
        ApprovalKind::FloorWaiver,
        ApprovalKind::SinglePractice,
        ApprovalKind::CrossCommissioner,
        ApprovalKind::AboveCeiling,
        ApprovalKind::NonParticipant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalKind::FloorWaiver => "floor-waiver",
            ApprovalKind::SinglePractice => "single-practice",
            ApprovalKind::CrossCommissioner => "cross-commissioner",
            ApprovalKind::AboveCeiling => "above-ceiling",
            ApprovalKind::NonParticipant => "non-participant",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// One recorded approval, waiver or covering arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub kind: ApprovalKind,
    pub network: NetworkCode,
    /// The practice concerned, for non-participants and practice-level approvals.
    pub practice: Option<PracticeCode>,
    /// The commissioner's reference (decision, minute, letter).
    pub reference: String,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub note: Option<String>,
}

impl Approval {
    pub fn in_force_on(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| t >= date)
    }
}

/// A network's governance as recorded (the register keeps its history later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Governance {
    pub network: NetworkCode,
    pub clinical_director: Option<String>,
    pub nominated_payee: Option<String>,
    pub agreement_signed: Option<Date>,
}
