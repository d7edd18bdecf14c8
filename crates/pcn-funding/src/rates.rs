//! Rate tables: one TOML file per financial year in `rates/`, embedded at
//! build time. Every figure carries its source and a confidence tag from
//! des-facts.md and des-facts-2022-2027.md (V, V2, D, R, C). A stream a year
//! does not pay by rate says why in `no_rate` (removed from the DES, or its
//! rate not found: NF), so nothing unknown is ever guessed. The engine has no
//! rate literals: what it pays, it reads here.

use pcn_core::FinancialYear;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

/// ISO dates (`"2020-04-01"`) in the rate files.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.format(FORMAT).map_err(serde::ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s, FORMAT).map_err(|e| serde::de::Error::custom(format!("{s:?} is not a date (YYYY-MM-DD): {e}")))
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            Ok(Some(super::deserialize(d)?))
        }
    }
}

/// A payment stream of the Network Contract DES.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// Network Participation Payment, to each participating practice.
    Participation,
    /// Core PCN funding (the £1.50 per patient; from 2024/25 the registered
    /// and adjusted elements that absorbed CD and L&M).
    CoreFunding,
    ClinicalDirector,
    LeadershipManagement,
    ExtendedHours,
    EnhancedAccess,
    /// PCN support payment (2020/21, from recycled IIF).
    Support,
    CareHomePremium,
    /// Investment and Impact Fund: value of one point.
    Iif,
    /// Capacity and Access Support Payment (2023/24 on; 2022/23 winter CAP).
    CapacityAccessSupport,
    /// Capacity and Access Improvement Payment (maximum, paid on assessment).
    CapacityAccessImprovement,
    /// The network's Additional Roles Reimbursement Sum.
    ArrsSum,
    /// The ring-fenced GP ARRS sum (October 2024 to March 2025).
    ArrsGpSum,
}

impl Stream {
    /// The stream's name as the rate tables and every output spell it (`core_funding`).
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// What the amount is multiplied by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Registered (raw) list.
    Registered,
    /// Contractor weighted population (global sum / Carr-Hill).
    Weighted,
    /// PCN Adjusted Population (approximated by the weighted list where no adjusted figure exists).
    Adjusted,
    /// Beds in aligned care homes.
    Beds,
    /// IIF achievement points.
    Points,
    /// A fixed sum per network.
    PerNetwork,
}

/// How the amount spreads over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// An annual rate: one twelfth for each month of the period.
    Year,
    /// A monthly rate: the amount for each month of the period.
    Month,
    /// The whole amount for the period, in equal parts over its months.
    Period,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaidTo {
    Practice,
    Network,
}

/// Confidence, as des-facts.md tags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// Seen verbatim in a source.
    V,
    /// Seen in two or more sources.
    V2,
    /// Derived arithmetically from verified figures.
    D,
    /// Remembered or commonly quoted; unverified.
    R,
    /// Sources conflict.
    C,
    /// Searched for and not found. Only a `no_rate` entry carries it: a figure
    /// not found is never encoded.
    NF,
}

impl Confidence {
    pub fn verified(self) -> bool {
        matches!(self, Confidence::V | Confidence::V2 | Confidence::D)
    }
}

/// One rate: a stream's amount per unit of a basis over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub stream: Stream,
    pub basis: Basis,
    /// Pounds per unit, exact.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub per: Per,
    /// First and last day the rate covers (inclusive), inside the year.
    #[serde(with = "iso_date")]
    pub from: Date,
    #[serde(with = "iso_date")]
    pub to: Date,
    pub paid_to: PaidTo,
    /// Where the figure comes from (des-facts.md section and the source it cites).
    pub source: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
}

/// ARRS reimbursement for one role in a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrsRole {
    /// Stable key, e.g. `clinical_pharmacist`.
    pub role: String,
    pub name: String,
    /// Agenda for Change band, where published.
    #[serde(default)]
    pub band: Option<String>,
    /// Maximum reimbursable per WTE per year (salary + employer NI + pension), pounds;
    /// `None` when unpublished for the year (the role is eligible but its cap unknown).
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub max_per_wte_year: Option<Decimal>,
    /// Share of actual costs reimbursed, e.g. 0.7 or 1.0.
    #[serde(with = "rust_decimal::serde::str")]
    pub reimbursement: Decimal,
    /// The role can be claimed from this date (inside or before the year).
    #[serde(with = "iso_date")]
    pub eligible_from: Date,
    /// A different maximum from this date (in-year pay awards), if any. With
    /// no `uplifted_max_per_wte_year` the uplift is known but its figure was
    /// not found: claims from this date use the original maximum and say so.
    #[serde(default, with = "iso_date::option")]
    pub uplift_from: Option<Date>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub uplifted_max_per_wte_year: Option<Decimal>,
    /// WTE cap per network: (networks under 100,000 patients, 100,000 and over).
    #[serde(default)]
    pub cap_wte: Option<[Decimal; 2]>,
    /// Who may be claimed, where a staff record cannot show it (e.g. GPs within
    /// two years of their CCT): every claim of the role carries it, unchecked.
    #[serde(default)]
    pub condition: Option<String>,
    pub source: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
}

/// Deadlines of the register's annual cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// Networks notify the commissioner of changes (membership, director, payee) or confirm none.
    Notification,
    /// Practices opt out of (or sign up to) the year's DES.
    OptOut,
}

/// A key date of the year's cycle (notifications, opt-out deadlines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyDate {
    pub event: String,
    #[serde(with = "iso_date")]
    pub date: Date,
    /// The register's annual cycle uses this date as a deadline.
    #[serde(default)]
    pub deadline: Option<Deadline>,
    pub source: String,
    pub confidence: Confidence,
}

/// Why a stream has no rate in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoRateWhy {
    /// Not in the DES this year: nothing is owed under it.
    Removed,
    /// Paid, but at a rate no source gives (NF): its lines cannot be computed.
    NotFound,
}

/// A stream of the year without a rate, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoRate {
    pub stream: Stream,
    pub why: NoRateWhy,
    /// What is known: what replaced the stream, or what was searched for.
    pub reason: String,
    pub source: String,
    /// NF for `not_found`; the tag of the removal's sources for `removed`.
    pub confidence: Confidence,
}

/// Everything for one financial year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRates {
    pub year: FinancialYear,
    /// First day DES entitlements run in the year (1 July 2019 in 2019/20).
    #[serde(with = "iso_date")]
    pub des_start: Date,
    /// The list-size date the year uses (1 January before it).
    #[serde(with = "iso_date")]
    pub list_size_date: Date,
    #[serde(default)]
    pub rates: Vec<Rate>,
    #[serde(default)]
    pub arrs_roles: Vec<ArrsRole>,
    #[serde(default)]
    pub key_dates: Vec<KeyDate>,
    /// Streams of the year without a rate: removed from the DES, or rate not found.
    #[serde(default)]
    pub no_rate: Vec<NoRate>,
    /// Notes on gaps: figures not found, conflicts, and what was chosen.
    #[serde(default)]
    pub gaps: Vec<String>,
}

mod overlay;
mod tables;

pub use overlay::{
    LVA_FIRST_DAY, LVA_RULE, Overlay, OverlayRate, OverlayRole, OverlayUsed, RateBook, RatesFile, apply, check_overlay,
    parse_file, parse_overlay,
};
pub use tables::{
    ROLE_KEYS, RatesError, all, builtin_files, builtin_name, file_name, locate, parse_table, try_all, validate, year,
    years,
};
