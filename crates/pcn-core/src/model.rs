//! The things a snapshot holds: practices, commissioners, networks, who is in
//! which network and from when, list sizes with their date and source, and the
//! side data later engines need (disease registers, payments, LSOAs, boundaries).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::{CommissionerCode, FinancialYear, IcbCode, Money, NetworkCode, PracticeCode, RegionCode, StpCode};

/// ODS status of an organisation (epraccur column 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PracticeStatus {
    Active,
    Closed,
    Dormant,
    Proposed,
    /// Known only from a file that does not say (e.g. a membership list).
    Unknown,
}

impl PracticeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Closed => "closed",
            Self::Dormant => "dormant",
            Self::Proposed => "proposed",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "a" | "active" => Self::Active,
            "c" | "closed" => Self::Closed,
            "d" | "dormant" => Self::Dormant,
            "p" | "proposed" => Self::Proposed,
            "unknown" => Self::Unknown,
            _ => return None,
        })
    }
}

/// Where a practice is, in British National Grid metres (for every computation)
/// and WGS84 degrees (for maps only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub easting: f64,
    pub northing: f64,
    pub lat: f64,
    pub lon: f64,
}

/// A WGS84 point, as ONS publishes centroids.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Practice {
    pub code: PracticeCode,
    pub name: Option<String>,
    /// Normalised `OUT IN` form (see [`normalise_postcode`]).
    pub postcode: Option<String>,
    pub status: PracticeStatus,
    /// ODS prescribing setting (4 = GP practice), where the source says.
    pub prescribing_setting: Option<u8>,
    pub open_date: Option<Date>,
    pub close_date: Option<Date>,
    pub commissioner: Option<CommissionerCode>,
    /// GMS, PMS or APMS where known (payments file).
    pub contract_type: Option<String>,
    pub location: Option<Location>,
    /// epraccur column 4: the ICB since July 2022 (since June 2025 the ICB of
    /// the practice's postcode, not necessarily its commissioner's); older
    /// releases hold the STP or NHS England's local office (Q70–Q79) there.
    pub icb: Option<IcbCode>,
    /// The clinical system supplier (TPP, EMIS, ...), from gp-reg-pat-prac-map.
    pub clinical_system: Option<String>,
}

impl Practice {
    pub fn new(code: PracticeCode) -> Self {
        Self {
            code,
            name: None,
            postcode: None,
            status: PracticeStatus::Unknown,
            prescribing_setting: None,
            open_date: None,
            close_date: None,
            commissioner: None,
            contract_type: None,
            location: None,
            icb: None,
            clinical_system: None,
        }
    }

    /// An open GP practice: active, and a GP practice where the source says.
    pub fn is_active_gp(&self) -> bool {
        self.status == PracticeStatus::Active && self.prescribing_setting.is_none_or(|s| s == 4)
    }
}

/// A care home as the CQC directory (HSCA active locations) lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CareHome {
    /// CQC location ID, e.g. `1-1000210669`.
    pub location_id: String,
    pub name: String,
    /// Normalised `OUT IN` form.
    pub postcode: Option<String>,
    pub beds: u32,
    /// Registered for care home service with nursing.
    pub nursing: bool,
    pub local_authority: Option<String>,
    /// From the postcode when a coordinate file has it, else the directory's latitude and longitude.
    pub location: Option<Location>,
}

/// A CCG or sub-ICB location, with its parent STP/ICB and region where known
/// (practice → network → sub-ICB location → ICB → region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commissioner {
    pub code: CommissionerCode,
    pub name: Option<String>,
    /// ONS code (`E38…`), which boundary files use.
    pub ons_code: Option<String>,
    pub parent: Option<StpCode>,
    pub parent_name: Option<String>,
    pub region: Option<RegionCode>,
    pub region_name: Option<String>,
}

impl Commissioner {
    pub fn new(code: CommissionerCode) -> Self {
        Self { code, name: None, ons_code: None, parent: None, parent_name: None, region: None, region_name: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub code: NetworkCode,
    pub name: Option<String>,
    pub commissioner: Option<CommissionerCode>,
    pub open_date: Option<Date>,
    pub close_date: Option<Date>,
    /// The network's registered address postcode (ePCN), normalised.
    pub postcode: Option<String>,
}

impl Network {
    /// Open on `date`: opened on or before it (or no open date known) and not
    /// closed before it. ODS close dates are the last day, as membership ends are.
    pub fn is_open_on(&self, date: Date) -> bool {
        self.open_date.is_none_or(|o| o <= date) && self.close_date.is_none_or(|c| c >= date)
    }
}

/// A practice's core membership of a network, effective from `start` to `end`
/// inclusive; `end = None` means current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub practice: PracticeCode,
    pub network: NetworkCode,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

impl Membership {
    pub fn is_current_on(&self, date: Date) -> bool {
        self.start.is_none_or(|s| s <= date) && self.end.is_none_or(|e| e >= date)
    }
}

/// Which publication a list size comes from. Their meanings differ: a monthly
/// registration count, the QOF list at 1 January of the QOF year, or the
/// payments file's year average / last known figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListSource {
    /// Patients Registered at a GP Practice (`gp-reg-pat-prac-all`).
    Registrations,
    /// QOF prevalence file, TOTAL rows.
    Qof,
    /// NHS Payments to General Practice (registered and weighted).
    Payments,
}

impl ListSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registrations => "registrations",
            Self::Qof => "qof",
            Self::Payments => "payments",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "registrations" => Self::Registrations,
            "qof" => Self::Qof,
            "payments" => Self::Payments,
            _ => return None,
        })
    }
}

/// A practice's list size from one source, as of one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListSize {
    pub practice: PracticeCode,
    /// Registered (raw head-count) patients.
    pub registered: Option<Decimal>,
    /// Weighted (Carr-Hill / global sum) patients.
    pub weighted: Option<Decimal>,
    pub as_of: Date,
    pub source: ListSource,
}

/// One QOF disease register row for a practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiseaseRegister {
    pub practice: PracticeCode,
    /// QOF group, e.g. `HYP`, `DM`, `COPD`.
    pub group: String,
    pub register: u32,
    /// Which population the register is counted against (`TOTAL`, `17OV`, …).
    pub list_type: String,
    pub list_size: u32,
}

/// One practice's row of NHS Payments to General Practice for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticePayments {
    pub year: FinancialYear,
    pub practice: PracticeCode,
    /// The PCN as coded in the file (`None` for "Unknown or no PCN").
    pub network: Option<NetworkCode>,
    pub commissioner: Option<CommissionerCode>,
    pub contract_type: Option<String>,
    pub practice_type: Option<String>,
    pub rurality: Option<String>,
    pub dispensing: Option<String>,
    pub close_date: Option<Date>,
    pub registered_patients: Option<Decimal>,
    pub weighted_patients: Option<Decimal>,
    /// Every payment column, by its header as published, in pence.
    pub items: BTreeMap<String, Money>,
}

/// One network's row of the PCN-level NHS Payments to General Practice file
/// (from 2024/25 the network streams are published per PCN, not on the payee
/// practice's row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkPayments {
    pub year: FinancialYear,
    pub network: NetworkCode,
    pub commissioner: Option<CommissionerCode>,
    /// Every payment column, by its header as published, in pence.
    pub items: BTreeMap<String, Money>,
}

/// One record of the NHS Digital PCN workforce collection (NWRS, individual
/// level): a person's post in a network at a census. A person with several
/// posts has several records; FTE is as published (contracted services may
/// exceed 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkforceRecord {
    /// The census: the last day of its month (e.g. 31 March 2021).
    pub census: Date,
    /// `NWRS Staff` or `NWRS contracted services`.
    pub data_source: String,
    pub network: NetworkCode,
    /// The sub-ICB location and ICB the publication maps the network to.
    pub commissioner: Option<CommissionerCode>,
    pub icb: Option<IcbCode>,
    pub region: Option<RegionCode>,
    /// E.g. `Other Direct Patient Care staff`.
    pub staff_group: String,
    /// E.g. `Pharmacists`.
    pub staff_role: String,
    /// E.g. `Clinical Director – Medical`.
    pub detailed_role: String,
    pub fte: Decimal,
    /// NWRS's identifier of the person.
    pub unique_identifier: String,
}

/// A 2011 Lower-layer Super Output Area and what we know of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lsoa {
    pub code: String,
    pub name: Option<String>,
    /// ONS 2011 rural-urban class, e.g. `E2`.
    pub ruc_code: Option<String>,
    pub ruc_name: Option<String>,
    /// IMD 2019 decile, 1 = most deprived.
    pub imd_decile: Option<u8>,
    pub imd_income_decile: Option<u8>,
    /// Population-weighted centroid, WGS84 as published.
    pub centroid: Option<LonLat>,
    pub commissioner: Option<CommissionerCode>,
}

impl Lsoa {
    pub fn new(code: String) -> Self {
        Self {
            code,
            name: None,
            ruc_code: None,
            ruc_name: None,
            imd_decile: None,
            imd_income_decile: None,
            centroid: None,
            commissioner: None,
        }
    }
}

/// A commissioner boundary as GeoJSON geometry (WGS84, as published).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    pub ons_code: Option<String>,
    /// ODS code where a file in the snapshot links the ONS code to one.
    pub commissioner: Option<CommissionerCode>,
    pub name: Option<String>,
    pub geometry_json: String,
}

/// Everything known at one date: the unit that is imported, stored and analysed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub as_of: Option<Date>,
    pub practices: Vec<Practice>,
    pub commissioners: Vec<Commissioner>,
    pub networks: Vec<Network>,
    pub memberships: Vec<Membership>,
    pub list_sizes: Vec<ListSize>,
    pub registers: Vec<DiseaseRegister>,
    pub payments: Vec<PracticePayments>,
    pub lsoas: Vec<Lsoa>,
    pub boundaries: Vec<Boundary>,
    /// CQC-registered care homes (the CQC directory), for care-home alignment.
    pub care_homes: Vec<CareHome>,
    /// PCN-level payments (2024/25 on), beside the practice rows in `payments`.
    pub network_payments: Vec<NetworkPayments>,
    /// NWRS PCN workforce records, of one or more censuses.
    pub workforce: Vec<WorkforceRecord>,
}

impl Snapshot {
    /// The registered list of each practice from the best source present:
    /// registrations, then QOF, then payments. Within a source (QOF or
    /// payments of several years) the latest dated on or before the snapshot's
    /// date, else the earliest after it.
    pub fn registered_lists(&self) -> BTreeMap<&PracticeCode, (Decimal, &ListSize)> {
        let rank = |ls: &ListSize| (ls.source, dated_rank(ls.as_of, self.as_of));
        let mut best: BTreeMap<&PracticeCode, (Decimal, &ListSize)> = BTreeMap::new();
        for ls in &self.list_sizes {
            let Some(n) = ls.registered else { continue };
            match best.get(&ls.practice) {
                Some((_, cur)) if rank(cur) <= rank(ls) => {}
                _ => {
                    best.insert(&ls.practice, (n, ls));
                }
            }
        }
        best
    }

    /// Networks open on the snapshot's date (all of them if it has none): the
    /// closed ones stay in `networks` as history.
    pub fn open_networks(&self) -> impl Iterator<Item = &Network> {
        self.networks.iter().filter(|n| self.as_of.is_none_or(|d| n.is_open_on(d)))
    }
}

/// Orders dated things for a snapshot on `as_of`: the latest on or before it
/// first, then those after it, earliest first. Files describing the same thing
/// at different dates are chosen by this order.
pub fn dated_rank(date: Date, as_of: Option<Date>) -> (bool, i64) {
    let day = i64::from(date.to_julian_day());
    match as_of {
        Some(a) if date > a => (true, day),
        _ => (false, -day),
    }
}

/// A network's size from its current members' lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NetworkSize {
    pub practices: usize,
    pub registered: Decimal,
    /// Sum of weighted lists, `None` when no member has one.
    pub weighted: Option<Decimal>,
}

impl Snapshot {
    /// Each practice's weighted list: the most recent figure that has one.
    pub fn weighted_lists(&self) -> BTreeMap<&PracticeCode, Decimal> {
        let mut best: BTreeMap<&PracticeCode, (Date, Decimal)> = BTreeMap::new();
        for ls in &self.list_sizes {
            if let Some(w) = ls.weighted
                && best.get(&ls.practice).is_none_or(|(d, _)| *d < ls.as_of)
            {
                best.insert(&ls.practice, (ls.as_of, w));
            }
        }
        best.into_iter().map(|(k, (_, w))| (k, w)).collect()
    }

    /// Memberships in force on the snapshot's date (all of them if it has none).
    pub fn current_memberships(&self) -> impl Iterator<Item = &Membership> {
        self.memberships.iter().filter(|m| self.as_of.is_none_or(|d| m.is_current_on(d)))
    }

    /// Every network's current size, including networks with no members.
    pub fn network_sizes(&self) -> BTreeMap<&NetworkCode, NetworkSize> {
        let registered = self.registered_lists();
        let weighted = self.weighted_lists();
        let mut out: BTreeMap<&NetworkCode, NetworkSize> =
            self.networks.iter().map(|n| (&n.code, NetworkSize::default())).collect();
        for m in self.current_memberships() {
            let size = out.entry(&m.network).or_default();
            size.practices += 1;
            if let Some((n, _)) = registered.get(&m.practice) {
                size.registered += *n;
            }
            if let Some(w) = weighted.get(&m.practice) {
                *size.weighted.get_or_insert(Decimal::ZERO) += *w;
            }
        }
        out
    }
}

/// Normalises a UK postcode to the ONSPD `pcds` form: upper case, one space
/// before the three-character inward code. `None` if it cannot be a postcode.
pub fn normalise_postcode(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if !(5..=7).contains(&compact.len()) || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = inward.as_bytes()[0].is_ascii_digit() && inward.as_bytes()[1..].iter().all(u8::is_ascii_alphabetic);
    if !inward_ok || !outward.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    Some(format!("{outward} {inward}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn postcodes_normalise() {
        assert_eq!(normalise_postcode("ts181hu").as_deref(), Some("TS18 1HU"));
        assert_eq!(normalise_postcode(" TS18  1HU ").as_deref(), Some("TS18 1HU"));
        assert_eq!(normalise_postcode("W1A0AX").as_deref(), Some("W1A 0AX"));
        assert_eq!(normalise_postcode("M11AE").as_deref(), Some("M1 1AE"));
        for bad in ["", "12345", "TS18 1H", "TS18-1HU", "TOOLONG12"] {
            assert_eq!(normalise_postcode(bad), None, "{bad}");
        }
    }

    #[test]
    fn membership_dates_are_inclusive() {
        let m = Membership {
            practice: PracticeCode::parse("A81001").unwrap(),
            network: NetworkCode::parse("U12345").unwrap(),
            start: Some(date!(2019 - 07 - 01)),
            end: Some(date!(2020 - 03 - 31)),
        };
        assert!(!m.is_current_on(date!(2019 - 06 - 30)));
        assert!(m.is_current_on(date!(2019 - 07 - 01)));
        assert!(m.is_current_on(date!(2020 - 03 - 31)));
        assert!(!m.is_current_on(date!(2020 - 04 - 01)));
    }

    #[test]
    fn registered_list_of_a_source_is_the_latest_on_or_before_the_snapshot() {
        let p = PracticeCode::parse("A81001").unwrap();
        let ls = |n: i64, as_of| ListSize {
            practice: p.clone(),
            registered: Some(Decimal::from(n)),
            weighted: None,
            as_of,
            source: ListSource::Qof,
        };
        let lists = vec![ls(1, date!(2021 - 01 - 01)), ls(2, date!(2023 - 01 - 01)), ls(3, date!(2022 - 01 - 01))];
        let on = |d| {
            let snap = Snapshot { as_of: Some(d), list_sizes: lists.clone(), ..Default::default() };
            snap.registered_lists()[&p].0
        };
        assert_eq!(on(date!(2022 - 06 - 01)), Decimal::from(3));
        assert_eq!(on(date!(2024 - 06 - 01)), Decimal::from(2));
        assert_eq!(on(date!(2020 - 06 - 01)), Decimal::from(1), "none before: the earliest after");
    }

    #[test]
    fn networks_are_open_from_their_open_date_to_their_close_date() {
        let n = Network {
            code: NetworkCode::parse("U12345").unwrap(),
            name: None,
            commissioner: None,
            open_date: Some(date!(2019 - 10 - 01)),
            close_date: Some(date!(2021 - 03 - 31)),
            postcode: None,
        };
        assert!(!n.is_open_on(date!(2019 - 09 - 30)));
        assert!(n.is_open_on(date!(2021 - 03 - 31)));
        assert!(!n.is_open_on(date!(2021 - 04 - 01)));
    }

    #[test]
    fn registered_list_prefers_registrations_then_qof() {
        let p = PracticeCode::parse("A81001").unwrap();
        let ls = |n: i64, source| ListSize {
            practice: p.clone(),
            registered: Some(Decimal::from(n)),
            weighted: None,
            as_of: date!(2021 - 01 - 01),
            source,
        };
        let snap = Snapshot {
            list_sizes: vec![ls(3, ListSource::Payments), ls(2, ListSource::Qof), ls(1, ListSource::Registrations)],
            ..Default::default()
        };
        assert_eq!(snap.registered_lists()[&p].0, Decimal::from(1));
        let snap =
            Snapshot { list_sizes: vec![ls(3, ListSource::Payments), ls(2, ListSource::Qof)], ..Default::default() };
        assert_eq!(snap.registered_lists()[&p].0, Decimal::from(2));
    }
}
