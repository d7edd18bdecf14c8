//! Tells what a file is from the file itself: its first bytes and header row,
//! never its name, so a renamed download still imports.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::ReadError;
pub use crate::kind::FileKind;
use crate::read::lsoa::is_lsoa_commissioner_code_column;
use crate::table::{Header, csv_reader, decode_field, display_name};

const KNOWN: &str = "epraccur, gp-reg-pat-prac-all, gp-reg-pat-prac-map, ePCN (.xlsx or its two CSV sheets), \
QOF mapping, QOF prevalence, NHS payments to general practice (practice or PCN level), PCN workforce (NWRS \
individual level), postcode coordinates (Code-Point CSV or ONSPD), \
LSOA rurality / IMD / centroids / commissioner lookups, commissioner boundary GeoJSON, CQC care directory \
(HSCA active locations, CSV or workbook)";

pub fn detect(path: &Path) -> Result<FileKind, ReadError> {
    let name = display_name(path);
    let mut head = Vec::with_capacity(1 << 16);
    File::open(path)
        .and_then(|f| f.take(1 << 16).read_to_end(&mut head))
        .map_err(|e| ReadError::file(&name, format!("cannot read: {e}")))?;
    let body = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&head);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::file(&name, "the file is empty"));
    }
    if body.starts_with(b"PK\x03\x04") {
        // ODS publishes ePCN as .xlsx; CQC its directory as .xlsx or .ods.
        return Ok(match crate::read::care_homes::workbook_sheet(path)? {
            Some(_) => FileKind::CareHomes,
            None => FileKind::EpcnWorkbook,
        });
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(FileKind::Boundaries);
    }
    let mut rdr = csv_reader(body, false);
    // Byte records, decoded as the readers decode them (UTF-8, else Windows-1252).
    let decoded = |r: csv::ByteRecord| csv::StringRecord::from_iter(r.iter().map(|f| decode_field(f).into_owned()));
    let first = match rdr.byte_records().next() {
        Some(Ok(r)) => decoded(r),
        _ => return Err(ReadError::at(&name, 1, None, "not a CSV file of a known kind")),
    };
    let header = Header::new(first.iter());
    let has = |n: &str| header.has(n);
    let kind = if has("NUMBER_OF_PATIENTS") && has("EXTRACT_DATE") {
        Some(FileKind::Registrations)
    } else if has("PRACTICE_CODE") && has("PCN_CODE") && has("EXTRACT_DATE") {
        Some(FileKind::PracticeMap)
    } else if has("PCN_CODE") && has("STAFF_GROUP") && has("FTE") {
        Some(FileKind::Workforce)
    } else if has("GROUP_CODE") && has("REGISTER") && has("PATIENT_LIST_TYPE") {
        Some(FileKind::QofPrevalence)
    } else if has("PRACTICE_CODE") && has("PCN_ODS_CODE") {
        Some(FileKind::QofMapping)
    } else if has("PARTNER_ORG_CODE") || has("Partner Organisation Code") {
        Some(FileKind::EpcnPartners)
    } else if (has("PCN Code") || has("PCN_CODE")) && (has("Open Date") || has("Close Date")) {
        Some(FileKind::EpcnDetails)
    } else if has("Practice Code")
        && header.names().iter().any(|n| {
            n.starts_with("NUMBER OF WEIGHTED PATIENTS") || n.starts_with("AVERAGE NUMBER OF WEIGHTED PATIENTS")
        })
    {
        Some(FileKind::Payments)
    } else if has("PCN Code") && !has("Practice Code") && crate::read::network_payments::has_payment_column(&header) {
        Some(FileKind::NetworkPayments)
    } else if (has("POSTCODE") && has("EASTING") && has("NORTHING")) || (has("pcds") && has("oseast1m")) {
        Some(FileKind::Coordinates)
    } else if crate::read::care_homes::is_header(&header) {
        Some(FileKind::CareHomes)
    } else if has("RUC11CD") {
        Some(FileKind::LsoaRurality)
    } else if has("LSOA_CODE") && has("IMD_OVERALL") {
        Some(FileKind::LsoaDeprivation)
    } else if has("lsoa11cd") && has("X") && has("Y") {
        Some(FileKind::LsoaCentroids)
    } else if has("LSOA11CD") && header.names().iter().any(|n| is_lsoa_commissioner_code_column(n)) {
        Some(FileKind::LsoaCommissioners)
    } else if header.len() == 27 && (looks_like_ods_code(&first[0]) || header.names()[0] == "ORGANISATION CODE") {
        Some(FileKind::Epraccur)
    } else {
        None
    };
    // The CQC directory saved from its sheet may keep the title rows above its header.
    let kind = kind.or_else(|| {
        let below = crate::read::care_homes::HEADER_WITHIN - 1;
        rdr.byte_records()
            .take(below)
            .filter_map(Result::ok)
            .map(decoded)
            .any(|r| crate::read::care_homes::is_header(&Header::new(r.iter())))
            .then_some(FileKind::CareHomes)
    });
    kind.ok_or_else(|| {
        // A field of a hostile file may be megabytes long: show each one's start only.
        let shown: Vec<String> = first.iter().take(6).map(|f| f.chars().take(40).collect()).collect();
        ReadError::at(
            &name,
            1,
            None,
            format!(
                "file of an unknown kind: its first line ({} fields) starts {:?}; pcn reads {KNOWN}",
                first.len(),
                shown
            ),
        )
    })
}

fn looks_like_ods_code(s: &str) -> bool {
    let s = s.trim();
    (3..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}
