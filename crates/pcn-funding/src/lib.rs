//! Network Contract DES entitlements and the Additional Roles Reimbursement
//! Scheme, computed from rate tables kept as data per financial year.

pub mod arrs;
pub mod engine;
pub mod inputs;
pub mod rates;
pub mod reconcile;
