//! The network register's vocabulary: effective-dated records, the changes
//! that make them, and proposals of changes awaiting a decision.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{Approval, CommissionerCode, NetworkCode, PracticeCode};

/// What a register record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A core member practice.
    Member,
    /// A practice that has not signed the DES, whose patients this network covers.
    NonParticipant,
    ClinicalDirector,
    NominatedPayee,
    /// The signed network agreement.
    Agreement,
    /// A non-core partner (community provider, pharmacy, voluntary sector):
    /// recorded, never counted as a member.
    Partner,
    /// A commissioner's approval or waiver.
    Approval,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::NonParticipant => "non_participant",
            Self::ClinicalDirector => "clinical_director",
            Self::NominatedPayee => "nominated_payee",
            Self::Agreement => "agreement",
            Self::Partner => "partner",
            Self::Approval => "approval",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Member,
            Self::NonParticipant,
            Self::ClinicalDirector,
            Self::NominatedPayee,
            Self::Agreement,
            Self::Partner,
            Self::Approval,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One fact, true from `valid_from` to `valid_to` (inclusive; `None` = still).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: i64,
    pub network: NetworkCode,
    pub kind: RecordKind,
    /// Practice code, person, organisation or approval reference.
    pub subject: String,
    pub detail: serde_json::Value,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

impl Record {
    pub fn holds_on(&self, d: Date) -> bool {
        self.valid_from <= d && self.valid_to.is_none_or(|t| d <= t)
    }
}

/// One change to the register, effective from a date given alongside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    OpenNetwork {
        network: NetworkCode,
        name: Option<String>,
        commissioner: Option<CommissionerCode>,
    },
    /// The network ends the day before the effective date; so do all its records.
    CloseNetwork {
        network: NetworkCode,
    },
    /// The practice becomes a core member; a membership elsewhere ends the day before (a move).
    Join {
        network: NetworkCode,
        practice: PracticeCode,
    },
    Leave {
        network: NetworkCode,
        practice: PracticeCode,
    },
    NonParticipant {
        network: NetworkCode,
        practice: PracticeCode,
    },
    EndNonParticipant {
        network: NetworkCode,
        practice: PracticeCode,
    },
    /// Replaces the current clinical director(s): a practising clinician from a member practice
    /// (the practice may be unknown for records imported from elsewhere).
    ClinicalDirector {
        network: NetworkCode,
        name: String,
        practice: Option<PracticeCode>,
    },
    /// Replaces the nominated payee: a member practice or provider (no bank details are kept).
    NominatedPayee {
        network: NetworkCode,
        payee: String,
    },
    Agreement {
        network: NetworkCode,
        signed: Date,
        schedules_complete: bool,
    },
    AddPartner {
        network: NetworkCode,
        organisation: String,
        kind: String,
    },
    RemovePartner {
        network: NetworkCode,
        organisation: String,
    },
    Approval {
        approval: Approval,
    },
}

impl Change {
    pub fn network(&self) -> &NetworkCode {
        match self {
            Change::OpenNetwork { network, .. }
            | Change::CloseNetwork { network }
            | Change::Join { network, .. }
            | Change::Leave { network, .. }
            | Change::NonParticipant { network, .. }
            | Change::EndNonParticipant { network, .. }
            | Change::ClinicalDirector { network, .. }
            | Change::NominatedPayee { network, .. }
            | Change::Agreement { network, .. }
            | Change::AddPartner { network, .. }
            | Change::RemovePartner { network, .. } => network,
            Change::Approval { approval } => &approval.network,
        }
    }

    /// The action's name in the change log.
    pub fn action(&self) -> &'static str {
        match self {
            Change::OpenNetwork { .. } => "open",
            Change::CloseNetwork { .. } => "close",
            Change::Join { .. } => "join",
            Change::Leave { .. } => "leave",
            Change::NonParticipant { .. } => "non_participant",
            Change::EndNonParticipant { .. } => "end_non_participant",
            Change::ClinicalDirector { .. } => "clinical_director",
            Change::NominatedPayee { .. } => "nominated_payee",
            Change::Agreement { .. } => "agreement",
            Change::AddPartner { .. } => "add_partner",
            Change::RemovePartner { .. } => "remove_partner",
            Change::Approval { .. } => "approval",
        }
    }

    /// The practice, person, organisation or reference the change is about.
    pub fn subject(&self) -> Option<String> {
        match self {
            Change::Join { practice, .. }
            | Change::Leave { practice, .. }
            | Change::NonParticipant { practice, .. }
            | Change::EndNonParticipant { practice, .. } => Some(practice.to_string()),
            Change::ClinicalDirector { name, .. } => Some(name.clone()),
            Change::NominatedPayee { payee, .. } => Some(payee.clone()),
            Change::AddPartner { organisation, .. } | Change::RemovePartner { organisation, .. } => {
                Some(organisation.clone())
            }
            Change::Approval { approval } => Some(approval.reference.clone()),
            Change::OpenNetwork { .. } | Change::CloseNetwork { .. } | Change::Agreement { .. } => None,
        }
    }
}

/// What a proposal asks for; expanded into changes against the register as
/// it stands when the proposal is decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "proposal", rename_all = "snake_case")]
pub enum ProposalKind {
    Join {
        network: NetworkCode,
        practice: PracticeCode,
    },
    Leave {
        network: NetworkCode,
        practice: PracticeCode,
    },
    /// Every member of `from` joins `into`; `from` closes.
    Merge {
        from: NetworkCode,
        into: NetworkCode,
    },
    /// A new network takes the listed members of `from`.
    Split {
        from: NetworkCode,
        new: NetworkCode,
        name: Option<String>,
        practices: Vec<PracticeCode>,
    },
    ClinicalDirector {
        network: NetworkCode,
        name: String,
        practice: PracticeCode,
    },
    NominatedPayee {
        network: NetworkCode,
        payee: String,
    },
}

impl ProposalKind {
    /// The network whose version the proposal is made against.
    pub fn network(&self) -> &NetworkCode {
        match self {
            ProposalKind::Join { network, .. }
            | ProposalKind::Leave { network, .. }
            | ProposalKind::ClinicalDirector { network, .. }
            | ProposalKind::NominatedPayee { network, .. } => network,
            ProposalKind::Merge { into, .. } => into,
            ProposalKind::Split { from, .. } => from,
        }
    }

    pub fn action(&self) -> &'static str {
        match self {
            ProposalKind::Join { .. } => "join",
            ProposalKind::Leave { .. } => "leave",
            ProposalKind::Merge { .. } => "merge",
            ProposalKind::Split { .. } => "split",
            ProposalKind::ClinicalDirector { .. } => "clinical_director",
            ProposalKind::NominatedPayee { .. } => "nominated_payee",
        }
    }

    /// The networks the proposal takes practices out of, given the network
    /// each practice is in now: their commissioners must agree to it too.
    pub fn losing(&self, network_of: impl Fn(&PracticeCode) -> Option<NetworkCode>) -> Vec<NetworkCode> {
        let mut out = match self {
            ProposalKind::Join { network, practice } => {
                network_of(practice).filter(|from| from != network).into_iter().collect()
            }
            ProposalKind::Leave { network, .. } => vec![network.clone()],
            ProposalKind::Merge { from, .. } => vec![from.clone()],
            ProposalKind::Split { from, .. } => vec![from.clone()],
            ProposalKind::ClinicalDirector { .. } | ProposalKind::NominatedPayee { .. } => Vec::new(),
        };
        out.dedup();
        out
    }

    /// The changes the proposal makes, given the members of each network now.
    pub fn changes(&self, members_of: impl Fn(&NetworkCode) -> Vec<PracticeCode>) -> Vec<Change> {
        match self {
            ProposalKind::Join { network, practice } => {
                vec![Change::Join { network: network.clone(), practice: practice.clone() }]
            }
            ProposalKind::Leave { network, practice } => {
                vec![Change::Leave { network: network.clone(), practice: practice.clone() }]
            }
            ProposalKind::Merge { from, into } => {
                let mut v: Vec<Change> =
                    members_of(from).into_iter().map(|p| Change::Join { network: into.clone(), practice: p }).collect();
                v.push(Change::CloseNetwork { network: from.clone() });
                v
            }
            ProposalKind::Split { from: _, new, name, practices } => {
                let mut v = vec![Change::OpenNetwork { network: new.clone(), name: name.clone(), commissioner: None }];
                v.extend(practices.iter().map(|p| Change::Join { network: new.clone(), practice: p.clone() }));
                v
            }
            ProposalKind::ClinicalDirector { network, name, practice } => vec![Change::ClinicalDirector {
                network: network.clone(),
                name: name.clone(),
                practice: Some(practice.clone()),
            }],
            ProposalKind::NominatedPayee { network, payee } => {
                vec![Change::NominatedPayee { network: network.clone(), payee: payee.clone() }]
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Open,
    Approved,
    Rejected,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Approved, Self::Rejected].into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: i64,
    pub kind: ProposalKind,
    pub effective: Date,
    pub status: ProposalStatus,
    pub base_version: i64,
    pub proposed_by: String,
    pub proposed_at: String,
    pub reason: String,
    /// The year's notification deadline for changes effective on that date, when one applies.
    pub deadline: Option<Date>,
    /// The rules check when proposed (JSON findings).
    pub findings: serde_json::Value,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
}
