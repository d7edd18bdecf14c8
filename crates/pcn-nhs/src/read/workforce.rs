//! NHS Digital "Primary Care Network Workforce", individual level (NWRS): one
//! record per post of a person employed or engaged by a PCN at a census. The
//! original files are Windows-1252 (the en dash of "Clinical Director –
//! Medical" is the byte 0x96) with CRLF line ends; copies may be UTF-8. One
//! file is one census; records are kept as published, duplicates included,
//! since the publication's totals count them.

use std::path::Path;

use pcn_core::{CommissionerCode, IcbCode, NetworkCode, RegionCode, WorkforceRecord};
use rust_decimal::Decimal;
use time::{Date, Month};

use super::{ReadContext, WorkforceRecords};
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{display_name, expect_width, for_each_record, open_csv, read_header};

const KNOWN: &[&str] = &[
    "Data_source",
    "CENSUS_YEAR",
    "CENSUS_MONTH",
    "PCN_CODE",
    "PCN_NAME",
    "SUB_ICB_CODE",
    "SUB_ICB_NAME",
    "CCG_CODE",
    "CCG_NAME",
    "ICB_CODE",
    "ICB_NAME",
    "STP_CODE",
    "STP_NAME",
    "COMM_REGION_CODE",
    "COMM_REGION_NAME",
    "STAFF_GROUP",
    "STAFF_ROLE",
    "DETAILED_STAFF_ROLE",
    "FTE",
    "UNIQUE_IDENTIFIER",
];

/// Reads the records, and warns of FTEs below zero (published so, and kept).
pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<(WorkforceRecords, Vec<String>), ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    h.refuse_unknown(&file, 1, KNOWN, "an NWRS PCN workforce file")?;
    let source = h.require(&file, &["Data_source"])?;
    let year = h.require(&file, &["CENSUS_YEAR"])?;
    let month = h.require(&file, &["CENSUS_MONTH"])?;
    let pcn = h.require(&file, &["PCN_CODE"])?;
    let group = h.require(&file, &["STAFF_GROUP"])?;
    let role = h.require(&file, &["STAFF_ROLE"])?;
    let detailed = h.require(&file, &["DETAILED_STAFF_ROLE"])?;
    let fte = h.require(&file, &["FTE"])?;
    let uid = h.require(&file, &["UNIQUE_IDENTIFIER"])?;
    let commissioner = h.find(&["SUB_ICB_CODE", "CCG_CODE"]);
    let icb = h.find(&["ICB_CODE", "STP_CODE"]);
    let region = h.find(&["COMM_REGION_CODE"]);

    let mut census: Option<(Date, u64)> = None;
    let mut records = Vec::new();
    let mut negative = Vec::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let y: i32 = row.parse(year, "CENSUS_YEAR", |s| {
            s.parse::<i32>().ok().filter(|y| (2000..2100).contains(y)).ok_or_else(|| format!("{s:?} is not a year"))
        })?;
        let m = row.parse(month, "CENSUS_MONTH", |s| {
            s.parse::<u8>()
                .ok()
                .and_then(|m| Month::try_from(m).ok())
                .ok_or_else(|| format!("{s:?} is not a month 1-12"))
        })?;
        let date = last_day(y, m);
        match census {
            None => census = Some((date, row.line)),
            Some((d, line)) if d != date => {
                return Err(row.err(
                    "CENSUS_MONTH",
                    format!("census {date} differs from {d} on line {line}; one file is one census"),
                ));
            }
            _ => {}
        }
        let fte = row.parse(fte, "FTE", |s| s.parse::<Decimal>().map_err(|_| format!("{s:?} is not a number")))?;
        if fte.is_sign_negative() && !fte.is_zero() {
            negative.push((row.line, fte));
        }
        let code = |i: Option<usize>, f: &str| row.text(i, f, Text::Value);
        records.push(WorkforceRecord {
            census: date,
            data_source: row.required_text(source, "Data_source", Text::Label)?,
            network: row.parse(pcn, "PCN_CODE", NetworkCode::parse)?,
            commissioner: code(commissioner, "SUB_ICB_CODE")?
                .map(|s| CommissionerCode::parse(&s).map_err(|e| row.err("SUB_ICB_CODE", e.to_string())))
                .transpose()?,
            icb: code(icb, "ICB_CODE")?
                .map(|s| IcbCode::parse(&s).map_err(|e| row.err("ICB_CODE", e.to_string())))
                .transpose()?,
            region: code(region, "COMM_REGION_CODE")?
                .map(|s| RegionCode::parse(&s).map_err(|e| row.err("COMM_REGION_CODE", e.to_string())))
                .transpose()?,
            staff_group: row.required_text(group, "STAFF_GROUP", Text::Label)?,
            staff_role: row.required_text(role, "STAFF_ROLE", Text::Label)?,
            detailed_role: row.required_text(detailed, "DETAILED_STAFF_ROLE", Text::Label)?,
            fte,
            unique_identifier: row.required(uid, "UNIQUE_IDENTIFIER")?.to_string(),
        });
        Ok(())
    })?;
    let (census, _) = census.ok_or_else(|| ReadError::file(&file, "the file has a header but no rows"))?;
    let mut warnings = Vec::new();
    if let Some((line, fte)) = negative.first() {
        warnings.push(format!(
            "{file}: {} record(s) have an FTE below zero (first on line {line}: {fte}); kept as published",
            negative.len()
        ));
    }
    Ok((WorkforceRecords { census, records }, warnings))
}

/// NWRS censuses are at the end of their month.
fn last_day(year: i32, month: Month) -> Date {
    let first = Date::from_calendar_date(year, month, 1).expect("valid");
    let next = if month == Month::December {
        Date::from_calendar_date(year + 1, Month::January, 1)
    } else {
        Date::from_calendar_date(year, month.next(), 1)
    }
    .expect("valid");
    next.previous_day().unwrap_or(first)
}
