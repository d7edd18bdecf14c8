//! The application layer: what the command line and the HTTP API both do,
//! written once, between the engines (pure functions over snapshots) and the
//! two front doors (which only translate arguments and requests into calls
//! here, and results into tables, JSON and HTTP answers).
//!
//! - [`view`]: a snapshot as the workbench shows it (the register laid over
//!   the latest one), with its rules model and configuration.
//! - [`proposals`]: proposing a change, its rules check, who must agree, and
//!   deciding (one transaction for a batch).
//! - [`access`]: who may do what, asked by every route and command that writes.
//! - [`accounts`]: passwords, tokens and the clock text sessions use.
//! - [`exports`]: the map's GeoJSON and the register as ePCN core partners.
//! - [`rates`]: the user's rate tables and ICB Local Variation Agreements,
//!   read, validated and gathered into the rates a year is computed from.
//! - [`icbs`]: the roll-up by ICB (sub-ICB locations, networks, practices,
//!   patients, findings).
//!
//! Nothing here speaks HTTP or parses command lines; results are typed.

pub mod access;
pub mod accounts;
pub mod exports;
pub mod icbs;
pub mod proposals;
pub mod rates;
pub mod view;

pub use view::{View, ViewKey};
