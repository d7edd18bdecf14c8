//! gp-reg-pat-prac-map, published monthly beside the list sizes: every
//! practice with registered patients on the extract date, its PCN (`U` for
//! none) and its commissioner hierarchy. Before July 2022 the hierarchy is
//! CCG → STP → region (`CCG_CODE`, `STP_CODE`); after, sub-ICB location → ICB
//! → region (`SUB_ICB_LOCATION_CODE`, `ICB_CODE`), with `SUPPLIER_NAME`.

use std::path::Path;

use pcn_core::{CommissionerCode, IcbCode, NetworkCode, PracticeCode, RegionCode, normalise_postcode};
use time::Date;

use super::{CommissionerFacts, PracticeMapRecords, PracticeMapRow, ReadContext, Seen};
use crate::dates::parse_date;
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{display_name, expect_width, for_each_record, open_csv, read_header};

const PRACTICE: &[&str] = &["PRACTICE_CODE"];
const PRACTICE_NAME: &[&str] = &["PRACTICE_NAME"];
const POSTCODE: &[&str] = &["PRACTICE_POSTCODE"];
const PCN: &[&str] = &["PCN_CODE"];
const PCN_NAME: &[&str] = &["PCN_NAME"];
const COMMISSIONER: &[&str] = &["SUB_ICB_LOCATION_CODE", "CCG_CODE"];
const COMMISSIONER_ONS: &[&str] = &["ONS_SUB_ICB_LOCATION_CODE", "ONS_CCG_CODE"];
const COMMISSIONER_NAME: &[&str] = &["SUB_ICB_LOCATION_NAME", "CCG_NAME"];
const ICB: &[&str] = &["ICB_CODE", "STP_CODE"];
const ICB_ONS: &[&str] = &["ONS_ICB_CODE", "ONS_STP_CODE"];
const ICB_NAME: &[&str] = &["ICB_NAME", "STP_NAME"];
const REGION: &[&str] = &["COMM_REGION_CODE"];
const REGION_ONS: &[&str] = &["ONS_COMM_REGION_CODE"];
const REGION_NAME: &[&str] = &["COMM_REGION_NAME"];
const SUPPLIER: &[&str] = &["SUPPLIER_NAME"];
const OTHER: &[&str] = &["PUBLICATION", "EXTRACT_DATE"];

/// The code gp-reg-pat-prac-map writes for a practice in no PCN.
const UNALLOCATED: &str = "U";

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<PracticeMapRecords, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    let known: Vec<&str> = [
        PRACTICE,
        PRACTICE_NAME,
        POSTCODE,
        PCN,
        PCN_NAME,
        COMMISSIONER,
        COMMISSIONER_ONS,
        COMMISSIONER_NAME,
        ICB,
        ICB_ONS,
        ICB_NAME,
        REGION,
        REGION_ONS,
        REGION_NAME,
        SUPPLIER,
        OTHER,
    ]
    .concat();
    h.refuse_unknown(&file, 1, &known, "a gp-reg-pat-prac-map file")?;
    let extract = h.require(&file, &["EXTRACT_DATE"])?;
    let practice = h.require(&file, PRACTICE)?;
    let pcn = h.require(&file, PCN)?;
    let commissioner = h.require(&file, COMMISSIONER)?;
    let col = |names: &[&str]| h.find(names);
    let (practice_name, postcode, pcn_name, supplier) =
        (col(PRACTICE_NAME), col(POSTCODE), col(PCN_NAME), col(SUPPLIER));
    let (commissioner_ons, commissioner_name) = (col(COMMISSIONER_ONS), col(COMMISSIONER_NAME));
    let (icb, icb_name, region, region_name) = (col(ICB), col(ICB_NAME), col(REGION), col(REGION_NAME));

    let mut extract_date: Option<(Date, u64)> = None;
    let mut rows = Vec::new();
    let mut commissioners = std::collections::HashMap::new();
    let mut seen = Seen::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let name = |i: Option<usize>, f: &str| row.text(i, f, Text::Name);
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
        let code = row.parse(practice, "PRACTICE_CODE", PracticeCode::parse)?;
        seen.insert(&file, row.line, "PRACTICE_CODE", code.clone())?;
        let network = match row.opt(pcn, "PCN_CODE")? {
            None => None,
            Some(s) if s.eq_ignore_ascii_case(UNALLOCATED) => None,
            Some(s) => Some(NetworkCode::parse(s).map_err(|e| row.err("PCN_CODE", e.to_string()))?),
        };
        let com = row.parse(commissioner, "SUB_ICB_LOCATION_CODE", CommissionerCode::parse)?;
        let facts: &mut CommissionerFacts = commissioners.entry(com.clone()).or_default();
        if facts.name.is_none() {
            facts.name = name(commissioner_name, "SUB_ICB_LOCATION_NAME")?;
            facts.ons_code = row.text(commissioner_ons, "ONS_SUB_ICB_LOCATION_CODE", Text::Value)?;
            if let Some(i) = icb {
                facts.parent = row.parse_opt(i, "ICB_CODE", IcbCode::parse)?;
            }
            facts.parent_name = name(icb_name, "ICB_NAME")?;
            if let Some(i) = region {
                facts.region = row.parse_opt(i, "COMM_REGION_CODE", RegionCode::parse)?;
            }
            facts.region_name = name(region_name, "COMM_REGION_NAME")?;
        }
        rows.push(PracticeMapRow {
            practice: code,
            name: name(practice_name, "PRACTICE_NAME")?,
            postcode: row.text(postcode, "PRACTICE_POSTCODE", Text::Postcode)?.as_deref().and_then(normalise_postcode),
            // "Unallocated" names no network.
            network_name: if network.is_some() { name(pcn_name, "PCN_NAME")? } else { None },
            network,
            commissioner: com,
            clinical_system: row.text(supplier, "SUPPLIER_NAME", Text::Label)?,
        });
        Ok(())
    })?;
    let (extract_date, _) = extract_date.ok_or_else(|| ReadError::file(&file, "the file has a header but no rows"))?;
    Ok(PracticeMapRecords { extract_date, rows, commissioners })
}
