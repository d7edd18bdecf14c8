//! The Network Contract DES rules, checked against any configuration.
//!
//! [`Model::build`] prepares a snapshot once (practices by index, list sizes,
//! the site adjacency graph); [`check`] turns a [`Configuration`] plus inputs
//! (approvals, waivers, governance, the year) into [`Finding`]s, each with a
//! stable rule id, a severity, a message for people and facts for machines.
//!
//! Modules depend one way: `finding` (the vocabulary) and `model` at the
//! bottom, then `context` (a configuration under check), the `rules` (one
//! function per rule, its catalogue entry beside it), the `catalogue` that
//! lists them, and `check`, which runs them.

pub mod catalogue;
pub mod check;
mod context;
mod finding;
pub mod model;
mod rules;

pub use catalogue::{Rule, RuleInfo, Severity};
pub use check::{
    CheckInputs, Finding, NotEvaluated, Report, Summary, bordering_networks, check, check_networks,
    check_networks_after_moves, for_area, for_commissioner, for_icb, practice_findings_after_moves,
};
pub use model::{Configuration, Model, NetworkFacts, PracticeFacts};
