//! The Network Contract DES list-size limits, written once: the rule checker,
//! the formation engine and the synthetic generator all read them here.
//!
//! Registered patients, so whole numbers; a consumer that works in `f64`
//! (weights in the formation engine) converts with `as f64`, which is exact.

/// The minimum registered population of a network ("a hard bottom"); also
/// the size from which a single practice may be a network of its own.
pub const FLOOR: i64 = 30_000;

/// The size above which a network needs the commissioner's agreement ("a
/// soft top").
pub const CEILING: i64 = 50_000;

/// Where the floor, its rural waiver and the single-practice rule come from.
pub const FLOOR_SOURCE: &str = "des-facts 1.1 Population size, Floor exception (V)";

/// Where the ceiling comes from.
pub const CEILING_SOURCE: &str = "des-facts 1.1 Ceiling (V)";

// Checked when compiled: the bounds are ordered, and exact as the f64
// weights the formation engine uses.
const _: () = assert!(FLOOR < CEILING && FLOOR as f64 as i64 == FLOOR && CEILING as f64 as i64 == CEILING);
