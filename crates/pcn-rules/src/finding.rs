//! What a rule is and what it finds: the vocabulary every rule module, the
//! catalogue and the checker share.

use pcn_core::{CommissionerCode, NetworkCode, PracticeCode};
use serde::Serialize;
use serde_json::Value;

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

/// What a rule is, for `pcn rules` and the docs. Each rule module holds its
/// rules' entries beside the code that checks them.
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

/// The first year of the Network Contract DES, from which every rule so far applies.
pub(crate) const DES_START: &str = "2019/20";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub practices: Vec<PracticeCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commissioner: Option<CommissionerCode>,
    pub message: String,
    pub facts: Value,
}

impl Finding {
    /// A finding of `rule` about no network in particular; the caller names
    /// the network, practices and commissioner it concerns.
    pub(crate) fn new(rule: &RuleInfo, severity: Severity, message: String, facts: Value) -> Finding {
        Finding { rule: rule.id, severity, network: None, practices: Vec::new(), commissioner: None, message, facts }
    }
}
