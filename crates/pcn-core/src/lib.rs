//! Domain model of England's Primary Care Networks.
//!
//! Everything here is plain data with validation at construction: no IO, no
//! database, no clock. Files become these types once, at the edge (`pcn-nhs`),
//! and every engine works on them.

pub mod codes;
pub mod day;
pub mod governance;
pub mod hierarchy;
pub mod limits;
pub mod model;
pub mod money;
pub mod register;
pub mod role;
pub mod text;
pub mod year;

pub use codes::{CodeError, CommissionerCode, IcbCode, NetworkCode, PracticeCode, RegionCode, StpCode};
pub use governance::{Approval, ApprovalKind, Governance};
pub use hierarchy::{Area, Era, Hierarchy};
pub use model::*;
pub use money::Money;
pub use role::Role;
pub use year::{FinancialYear, YearError};
