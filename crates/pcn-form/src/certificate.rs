//! Certificates of impossibility: where the rules cannot all be met, say why
//! with the numbers, and propose the decision that would fix it.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Obstacle {
    /// A connected group of practices inside one commissioner area, cut off from
    /// the rest of it (an island, an isolated cluster), with under 30,000 patients.
    IsolatedBelowFloor,
    /// The whole commissioner area has under 30,000 patients.
    AreaBelowFloor,
    /// A single practice of over 50,000 patients: its network cannot be smaller.
    PracticeAboveCeiling,
    /// A connected group whose population fits no whole number of 30,000–50,000 networks.
    NoWholeNumberOfNetworks,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Certificate {
    pub obstacle: Obstacle,
    pub commissioner: Option<String>,
    pub practices: Vec<String>,
    pub registered: f64,
    pub reason: String,
    /// What would fix it: a rural waiver, a cross-boundary merge, an explicit link.
    pub proposals: Vec<Value>,
}
