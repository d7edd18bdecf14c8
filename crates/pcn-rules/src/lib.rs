//! The Network Contract DES rules, checked against any configuration.
//!
//! [`Model::build`] prepares a snapshot once (practices by index, list sizes,
//! the site adjacency graph); [`check`] turns a [`Configuration`] plus inputs
//! (approvals, waivers, governance, the year) into [`Finding`]s, each with a
//! stable rule id, a severity, a message for people and facts for machines.

pub mod catalogue;
pub mod check;
pub mod model;

pub use catalogue::{Rule, RuleInfo, Severity};
pub use check::{
    CheckInputs, Finding, NotEvaluated, Report, Summary, check, check_networks, check_networks_after_moves,
    for_commissioner,
};
pub use model::{Configuration, Model, NetworkFacts, PracticeFacts};
