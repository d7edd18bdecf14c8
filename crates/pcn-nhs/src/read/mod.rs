//! One reader per file kind. Each streams its file, validates every field it
//! keeps, and returns typed records; joining them is `assemble`'s job.

mod boundaries;
pub(crate) mod care_homes;
mod coordinates;
mod epcn;
mod epraccur;
pub(crate) mod lsoa;
pub(crate) mod network_payments;
pub(crate) mod payments;
mod practice_map;
mod qof;
mod registrations;
pub(crate) mod workbook;
mod workforce;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use pcn_core::{
    Boundary, CommissionerCode, DiseaseRegister, FinancialYear, Location, Lsoa, Network, NetworkCode, NetworkPayments,
    Practice, PracticeCode, PracticePayments, RegionCode, StpCode, WorkforceRecord,
};
use time::Date;

use crate::error::ReadError;
use crate::kind::FileKind;
use crate::table::Progress;

pub use care_homes::CareHomeRecord;
pub use payments::financial_year_in_name;

/// What a reader needs beyond the file.
#[derive(Default)]
pub struct ReadContext<'a> {
    /// Only these postcodes are kept from coordinate files (ONSPD has 2.7M rows).
    pub wanted_postcodes: Option<&'a HashSet<String>>,
    /// The year of a payments file, when its name does not carry one.
    pub payments_year: Option<FinancialYear>,
    pub progress: Option<Progress<'a>>,
}

/// A commissioner as one file describes it; files are merged later.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommissionerFacts {
    pub name: Option<String>,
    pub ons_code: Option<String>,
    pub parent: Option<StpCode>,
    pub parent_name: Option<String>,
    pub region: Option<RegionCode>,
    pub region_name: Option<String>,
}

/// Rows a reader left out on purpose (e.g. Welsh practices in epraccur),
/// counted so the import summary can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub count: usize,
    pub what: String,
}

/// What reading one file found that a person should know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileNotes {
    pub left_out: Vec<LeftOut>,
    pub warnings: Vec<String>,
}

/// A practice row of epraccur, with the geography columns beside it.
#[derive(Debug, Clone)]
pub struct EpraccurRecord {
    pub practice: Practice,
    pub region: Option<RegionCode>,
    /// Column 4: the ICB (earlier the STP or NHS England local office).
    pub high_level_geography: Option<StpCode>,
}

/// A row of gp-reg-pat-prac-map: where a practice sits on the extract date.
#[derive(Debug, Clone)]
pub struct PracticeMapRow {
    pub practice: PracticeCode,
    pub name: Option<String>,
    pub postcode: Option<String>,
    /// `None` for PCN code `U` (unallocated): in no network on that date.
    pub network: Option<NetworkCode>,
    pub network_name: Option<String>,
    pub commissioner: CommissionerCode,
    pub clinical_system: Option<String>,
}

impl PracticeMapRow {
    /// The row as a membership, if the practice is in a network: in force on
    /// the extract date, from a start the file does not give.
    pub fn membership(&self) -> Option<MembershipRecord> {
        Some(MembershipRecord {
            practice: self.practice.clone(),
            practice_name: self.name.clone(),
            practice_commissioner: Some(self.commissioner.clone()),
            network: self.network.clone()?,
            network_name: self.network_name.clone(),
            network_commissioner: None,
            start: None,
            end: None,
        })
    }
}

/// gp-reg-pat-prac-map: every practice with registered patients on one date,
/// its network and its commissioner hierarchy (sub-ICB → ICB → region).
#[derive(Debug, Clone)]
pub struct PracticeMapRecords {
    pub extract_date: Date,
    pub rows: Vec<PracticeMapRow>,
    pub commissioners: HashMap<CommissionerCode, CommissionerFacts>,
}

/// A postcode's position and, where the file says (Code-Point's SOURCE,
/// e.g. `CPO_2020-10`), the release it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PostcodePoint {
    pub location: Location,
    pub released: Option<Date>,
}

/// Reads as the position itself, so callers that want only that need not unwrap it.
impl std::ops::Deref for PostcodePoint {
    type Target = Location;
    fn deref(&self) -> &Location {
        &self.location
    }
}

/// One NWRS workforce file: one census.
#[derive(Debug, Clone)]
pub struct WorkforceRecords {
    pub census: Date,
    pub records: Vec<WorkforceRecord>,
}

#[derive(Debug, Clone)]
pub struct RegistrationRecord {
    pub practice: PracticeCode,
    pub postcode: Option<String>,
    pub commissioner: Option<CommissionerCode>,
    pub commissioner_ons: Option<String>,
    pub patients: u32,
}

/// A core partner row of ePCN or a row of the QOF mapping: practice → network.
#[derive(Debug, Clone)]
pub struct MembershipRecord {
    pub practice: PracticeCode,
    pub practice_name: Option<String>,
    pub practice_commissioner: Option<CommissionerCode>,
    pub network: NetworkCode,
    pub network_name: Option<String>,
    pub network_commissioner: Option<CommissionerCode>,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

#[derive(Debug, Clone, Default)]
pub struct EpcnRecords {
    pub networks: Vec<Network>,
    pub partners: Vec<MembershipRecord>,
    pub commissioners: HashMap<CommissionerCode, CommissionerFacts>,
    /// The latest open, close, start or end date recorded: the file's date
    /// when files of different dates are weighed.
    pub latest_date: Option<Date>,
}

#[derive(Debug, Clone, Default)]
pub struct QofPrevalenceRecords {
    /// Practice list size from the TOTAL rows.
    pub list_sizes: Vec<(PracticeCode, u32)>,
    pub registers: Vec<DiseaseRegister>,
    /// The QOF year, when the file name carries it (lists are at 1 January of its end).
    pub year: Option<FinancialYear>,
}

#[derive(Debug, Clone, Default)]
pub struct QofMappingRecords {
    pub memberships: Vec<MembershipRecord>,
    pub commissioners: HashMap<CommissionerCode, CommissionerFacts>,
}

/// The content of one file.
#[derive(Debug, Clone)]
pub enum Parsed {
    Epraccur {
        /// GP practices (prescribing setting 4), any status.
        practices: Vec<EpraccurRecord>,
        /// Other organisations, kept in case a membership refers to one.
        others: HashMap<PracticeCode, EpraccurRecord>,
    },
    Registrations {
        extract_date: Date,
        rows: Vec<RegistrationRecord>,
    },
    Epcn(EpcnRecords),
    PracticeMap(PracticeMapRecords),
    QofMapping(QofMappingRecords),
    QofPrevalence(QofPrevalenceRecords),
    Payments {
        year: FinancialYear,
        rows: Vec<PracticePayments>,
    },
    NetworkPayments {
        year: FinancialYear,
        rows: Vec<NetworkPayments>,
    },
    Workforce(WorkforceRecords),
    CareHomes(Vec<CareHomeRecord>),
    Coordinates(HashMap<String, PostcodePoint>),
    Lsoas(Vec<Lsoa>),
    Boundaries(Vec<Boundary>),
}

pub fn read(path: &Path, kind: FileKind, ctx: &ReadContext<'_>) -> Result<Parsed, ReadError> {
    read_noted(path, kind, ctx).map(|(p, _)| p)
}

/// Reads a file, with what its reader left out or warns of.
pub fn read_noted(path: &Path, kind: FileKind, ctx: &ReadContext<'_>) -> Result<(Parsed, FileNotes), ReadError> {
    let plain = |p: Result<Parsed, ReadError>| p.map(|p| (p, FileNotes::default()));
    match kind {
        FileKind::Epraccur => {
            epraccur::read(path, ctx).map(|(p, left_out)| (p, FileNotes { left_out, ..Default::default() }))
        }
        FileKind::PracticeMap => plain(practice_map::read(path, ctx).map(Parsed::PracticeMap)),
        FileKind::Workforce => workforce::read(path, ctx)
            .map(|(w, warnings)| (Parsed::Workforce(w), FileNotes { warnings, ..Default::default() })),
        FileKind::NetworkPayments => plain(network_payments::read(path, ctx)),
        other => plain(read_plain(path, other, ctx)),
    }
}

fn read_plain(path: &Path, kind: FileKind, ctx: &ReadContext<'_>) -> Result<Parsed, ReadError> {
    match kind {
        FileKind::Epraccur | FileKind::PracticeMap | FileKind::Workforce | FileKind::NetworkPayments => {
            unreachable!("read with notes")
        }
        FileKind::Registrations => registrations::read(path, ctx),
        FileKind::EpcnWorkbook => epcn::read_workbook(path, ctx).map(Parsed::Epcn),
        FileKind::EpcnDetails => epcn::read_details_csv(path, ctx).map(Parsed::Epcn),
        FileKind::EpcnPartners => epcn::read_partners_csv(path, ctx).map(Parsed::Epcn),
        FileKind::QofMapping => qof::read_mapping(path, ctx).map(Parsed::QofMapping),
        FileKind::QofPrevalence => qof::read_prevalence(path, ctx).map(Parsed::QofPrevalence),
        FileKind::Payments => payments::read(path, ctx),
        FileKind::CareHomes if is_zip(path) => care_homes::read_workbook(path, ctx).map(Parsed::CareHomes),
        FileKind::CareHomes => care_homes::read_csv(path, ctx).map(Parsed::CareHomes),
        FileKind::Coordinates => coordinates::read(path, ctx).map(Parsed::Coordinates),
        FileKind::LsoaRurality | FileKind::LsoaDeprivation | FileKind::LsoaCentroids | FileKind::LsoaCommissioners => {
            lsoa::read(path, kind, ctx).map(Parsed::Lsoas)
        }
        FileKind::Boundaries => boundaries::read(path, ctx).map(Parsed::Boundaries),
    }
}

/// Remembers the line of every key, to name both lines of a duplicate.
pub(crate) struct Seen<K>(HashMap<K, u64>);

impl<K: std::hash::Hash + Eq + std::fmt::Display> Seen<K> {
    pub fn new() -> Self {
        Self(HashMap::new())
    }

    pub fn insert(&mut self, file: &str, line: u64, field: &str, key: K) -> Result<(), ReadError> {
        if let Some(first) = self.0.get(&key) {
            return Err(ReadError::at(
                file,
                line,
                Some(field),
                format!("duplicate: {key} already appears on line {first}"),
            ));
        }
        self.0.insert(key, line);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A spreadsheet row as a CSV record, so workbooks and their CSV exports share one row reader.
pub(crate) fn sheet_record(cells: &[calamine::Data]) -> csv::StringRecord {
    csv::StringRecord::from(cells.iter().map(cell_text).collect::<Vec<_>>())
}

fn cell_text(d: &calamine::Data) -> String {
    match d {
        calamine::Data::Empty => String::new(),
        calamine::Data::String(s) => s.clone(),
        calamine::Data::Int(i) => i.to_string(),
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        calamine::Data::Float(f) => f.to_string(),
        calamine::Data::Bool(b) => b.to_string(),
        calamine::Data::DateTime(dt) => excel_serial_to_ymd(dt.as_f64()),
        calamine::Data::DateTimeIso(s) | calamine::Data::DurationIso(s) => s.clone(),
        calamine::Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel serial day (1900 system, with its phantom 29 Feb 1900) to YYYYMMDD.
fn excel_serial_to_ymd(serial: f64) -> String {
    let base = time::macros::date!(1899 - 12 - 30);
    base.checked_add(time::Duration::days(serial.floor() as i64))
        .map(|d| format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day()))
        .unwrap_or_default()
}

/// Whether the file is a zip container (a workbook).
fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    use std::io::Read;
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == b"PK\x03\x04"
}
