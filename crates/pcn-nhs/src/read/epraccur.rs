//! ODS epraccur: 27 positional columns, no header; only prescribing setting 4
//! rows are GP practices. The DSE export of the same report may carry a header.
//!
//! England only: since 2022 about 400 active Welsh practices carry setting 4
//! too (national grouping W00, geography Q99, commissioners the health boards
//! 7A1–7A7). They are left out and counted, never silently. Columns 15 and 24
//! hold sub-ICB location codes of 3 or 5 characters, column 4 the ICB.

use std::collections::HashMap;
use std::path::Path;

use pcn_core::{CommissionerCode, IcbCode, Practice, PracticeCode, PracticeStatus, RegionCode, normalise_postcode};

use super::{EpraccurRecord, LeftOut, Parsed, ReadContext, Seen};
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{Row, display_name, for_each_record, normalise_header, open_csv};

const WIDTH: usize = 27;

/// The columns as the ODS specification names them, for messages.
const COLUMNS: [&str; WIDTH] = [
    "Organisation Code",
    "Name",
    "National Grouping",
    "High Level Health Geography",
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "Address Line 4",
    "Address Line 5",
    "Postcode",
    "Open Date",
    "Close Date",
    "Status Code",
    "Organisation Sub-Type Code",
    "Commissioner",
    "Join Provider/Purchaser Date",
    "Left Provider/Purchaser Date",
    "Contact Telephone Number",
    "Null (column 19)",
    "Null (column 20)",
    "Null (column 21)",
    "Amended Record Indicator",
    "Null (column 23)",
    "Provider/Purchaser",
    "Null (column 25)",
    "Prescribing Setting",
    "Null (column 27)",
];
const GP_PRACTICE_SETTING: u8 = 4;

/// NHS Wales: the national grouping of Welsh organisations.
const WALES: &str = "W00";
/// Welsh local health boards (7A1–7A7) as commissioners.
const WELSH_COMMISSIONER_PREFIX: &str = "7A";

/// Organisations outside England that epraccur lists.
#[derive(Default)]
struct Outside {
    gp_practices: usize,
    active_gp_practices: usize,
    others: usize,
}

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<(Parsed, Vec<LeftOut>), ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, false, ctx.progress)?;
    rdr.name_columns(&COLUMNS);
    let mut practices = Vec::new();
    let mut others = HashMap::new();
    let mut seen = Seen::new();
    let mut first = true;
    let mut outside = Outside::default();
    for_each_record(&file, &mut rdr, |row| {
        if std::mem::take(&mut first) && normalise_header(&row.record[0]) == "ORGANISATION CODE" {
            return Ok(());
        }
        let n = row.record.len();
        if n != WIDTH {
            let what = if n < WIDTH { "truncated row" } else { "wrong column count" };
            return Err(ReadError::at(
                &file,
                row.line,
                None,
                format!("{what}: {n} fields, epraccur rows have {WIDTH}"),
            ));
        }
        let setting: Option<u8> = row.parse_opt(25, "Prescribing Setting", |s| {
            s.parse::<u8>().map_err(|_| format!("{s:?} is not a prescribing setting number"))
        })?;
        let welsh = row.cell(2, "National Grouping")?.eq_ignore_ascii_case(WALES)
            || row.cell(14, "Commissioner")?.to_ascii_uppercase().starts_with(WELSH_COMMISSIONER_PREFIX);
        if welsh {
            if setting == Some(GP_PRACTICE_SETTING) {
                outside.gp_practices += 1;
                outside.active_gp_practices += usize::from(row.cell(12, "Status Code")?.eq_ignore_ascii_case("A"));
            } else {
                outside.others += 1;
            }
            return Ok(());
        }
        if setting == Some(GP_PRACTICE_SETTING) {
            let rec = record(&row, setting)?;
            seen.insert(&file, row.line, "Organisation Code", rec.practice.code.clone())?;
            practices.push(rec);
        } else if PracticeCode::parse(&row.record[0]).is_ok() {
            // Not a GP practice; kept quietly in case a network lists it.
            let rec = record(&row, setting)?;
            others.insert(rec.practice.code.clone(), rec);
        }
        Ok(())
    })?;
    if practices.is_empty() && others.is_empty() && outside.gp_practices + outside.others == 0 {
        return Err(ReadError::file(&file, "the file is empty"));
    }
    let mut left_out = Vec::new();
    if outside.gp_practices > 0 {
        left_out.push(LeftOut {
            count: outside.gp_practices,
            what: format!(
                "GP practices in Wales ({} of them active): national grouping W00, commissioners 7A1-7A7; pcn covers England",
                outside.active_gp_practices
            ),
        });
    }
    if outside.others > 0 {
        left_out
            .push(LeftOut { count: outside.others, what: "other organisations in Wales (not GP practices)".into() });
    }
    Ok((Parsed::Epraccur { practices, others }, left_out))
}

fn record(row: &Row<'_>, setting: Option<u8>) -> Result<EpraccurRecord, ReadError> {
    let code = row.parse(0, "Organisation Code", PracticeCode::parse)?;
    let status =
        row.parse(12, "Status Code", |s| PracticeStatus::parse(s).ok_or_else(|| format!("{s:?} is not A, C, D or P")))?;
    let mut practice = Practice::new(code);
    practice.name = row.text(1, "Name", Text::Name)?;
    practice.postcode = row.text(9, "Postcode", Text::Postcode)?.as_deref().and_then(normalise_postcode);
    practice.open_date = row.date_opt(10, "Open Date")?;
    practice.close_date = row.date_opt(11, "Close Date")?;
    practice.status = status;
    practice.commissioner = row.parse_opt(14, "Commissioner", CommissionerCode::parse)?;
    practice.prescribing_setting = setting;
    let geography = row.opt(3, "High Level Health Geography")?.and_then(|s| IcbCode::parse(s).ok());
    practice.icb = geography.clone();
    Ok(EpraccurRecord {
        practice,
        region: row.opt(2, "National Grouping")?.and_then(|s| RegionCode::parse(s).ok()),
        high_level_geography: geography,
    })
}
