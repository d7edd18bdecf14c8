//! Patients Registered at a GP Practice (`gp-reg-pat-prac-all`): read by
//! header name, since columns were added and renamed across releases (CCG_CODE
//! became SUB_ICB_LOCATION_CODE in July 2022). EXTRACT_DATE has been written
//! `01-Sep-20`, `01JAN2021`, `01Oct2025` and `2026-04-01`.

use std::path::Path;

use pcn_core::{CommissionerCode, PracticeCode, normalise_postcode};
use time::Date;

use super::{Parsed, ReadContext, RegistrationRecord, Seen};
use crate::dates::parse_date;
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{display_name, expect_width, for_each_record, open_csv, read_header};

/// Every column of every release seen (2019 to 2026).
const COLUMNS: &[&str] = &[
    "PUBLICATION",
    "EXTRACT_DATE",
    "TYPE",
    "ORG_TYPE",
    "CCG_CODE",
    "ONS_CCG_CODE",
    "SUB_ICB_LOCATION_CODE",
    "ONS_SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOC_CODE",
    "ONS_SUB_ICB_LOC_CODE",
    "CODE",
    "PRACTICE_CODE",
    "POSTCODE",
    "PRACTICE_POSTCODE",
    "SEX",
    "AGE",
    "NUMBER_OF_PATIENTS",
];

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<Parsed, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    h.refuse_unknown(&file, 1, COLUMNS, "a gp-reg-pat-prac-all file")?;
    let width = h.len();
    let extract = h.require(&file, &["EXTRACT_DATE"])?;
    let code = h.require(&file, &["CODE", "PRACTICE_CODE"])?;
    let patients = h.require(&file, &["NUMBER_OF_PATIENTS"])?;
    let postcode = h.find(&["POSTCODE", "PRACTICE_POSTCODE"]);
    let ccg = h.find(&["SUB_ICB_LOCATION_CODE", "SUB_ICB_LOC_CODE", "CCG_CODE"]);
    let ons = h.find(&["ONS_SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_LOC_CODE", "ONS_CCG_CODE"]);
    let sex = h.find(&["SEX"]);
    let age = h.find(&["AGE"]);
    let org_type = h.find(&["TYPE", "ORG_TYPE"]);

    let mut extract_date: Option<(Date, u64)> = None;
    let mut rows = Vec::new();
    let mut seen = Seen::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, width)?;
        // Only the all-persons, all-ages practice totals.
        for (idx, want) in [(sex, "ALL"), (age, "ALL"), (org_type, "GP")] {
            if let Some(i) = idx
                && !row.cell(i, want)?.eq_ignore_ascii_case(want)
            {
                return Ok(());
            }
        }
        let date =
            row.parse(extract, "EXTRACT_DATE", |s| parse_date(s).ok_or_else(|| format!("{s:?} is not a date")))?;
        match extract_date {
            None => extract_date = Some((date, row.line)),
            Some((d, line)) if d != date => {
                return Err(
                    row.err("EXTRACT_DATE", format!("{date} differs from {d} on line {line}; one file is one extract"))
                );
            }
            _ => {}
        }
        let practice = row.parse(code, "CODE", PracticeCode::parse)?;
        seen.insert(&file, row.line, "CODE", practice.clone())?;
        rows.push(RegistrationRecord {
            practice,
            postcode: row.text(postcode, "POSTCODE", Text::Postcode)?.as_deref().and_then(normalise_postcode),
            commissioner: match ccg {
                Some(i) => row.parse_opt(i, "CCG_CODE", CommissionerCode::parse)?,
                None => None,
            },
            commissioner_ons: row.text(ons, "ONS_CCG_CODE", Text::Value)?,
            patients: row.count(patients, "NUMBER_OF_PATIENTS")?,
        });
        Ok(())
    })?;
    let (extract_date, _) =
        extract_date.ok_or_else(|| ReadError::file(&file, "no practice rows (SEX=ALL, AGE=ALL) in the file"))?;
    Ok(Parsed::Registrations { extract_date, rows })
}
