//! The Network Contract DES national service specifications, 2019/20 to
//! 2025/26, kept as data with their sources.
//!
//! `data/specifications.toml` holds the seven national specifications, Extended
//! Hours Access, Enhanced Access and the 2024/25 consolidated specification:
//! planned and actual starts (several were deferred by COVID), ends and
//! merges, and short requirements with stable ids. Every fact carries its
//! source and confidence tag from des-facts.md; what that file leaves out is
//! recorded as unknown (see [`Catalogue::unclear`]), not guessed.
//!
//! [`specifications`] gives all of it, [`in_force`] what applies in a
//! financial year, and [`Checklist`] turns marks (requirement, date, evidence)
//! into done, due and overdue for a day. No IO, no clock: callers pass dates.

pub mod checklist;
pub mod spec;
pub mod when;

pub use checklist::{Checklist, Ignored, Item, Mark, Status};
pub use spec::{
    Catalogue, Dating, End, EndHow, Kind, Requirement, Specification, SpecsError, catalogue, in_force, parse,
    specifications, try_catalogue,
};
pub use when::{Confidence, Dated, When, WhenError};
