//! QOF files: MAPPING_NHS_GEOGRAPHIES (practice → PCN → CCG → STP → region;
//! from 2021/22 sub-ICB location → ICB, `SUB_ICB_LOC_ODS_CODE` in 2021/22 and
//! `SUB_ICB_ODS_CODE` after, PCN `U` for unallocated) and PREVALENCE (disease
//! registers, written `112.0` from 2022/23; TOTAL rows carry the list size).

use std::collections::HashMap;
use std::path::Path;

use pcn_core::{CommissionerCode, DiseaseRegister, NetworkCode, PracticeCode, RegionCode, StpCode};

use super::{MembershipRecord, QofMappingRecords, QofPrevalenceRecords, ReadContext, Seen};
use crate::error::ReadError;
use crate::limits::Text;
use crate::read::financial_year_in_name;
use crate::table::{display_name, expect_width, for_each_record, open_csv, read_header};

const COMMISSIONER: &[&str] =
    &["CCG_ODS_CODE", "SUB_ICB_LOC_ODS_CODE", "SUB_ICB_ODS_CODE", "SUB_ICB_LOCATION_ODS_CODE"];
const COMMISSIONER_ONS: &[&str] =
    &["CCG_ONS_CODE", "SUB_ICB_LOC_ONS_CODE", "SUB_ICB_ONS_CODE", "SUB_ICB_LOCATION_ONS_CODE"];
const COMMISSIONER_NAME: &[&str] = &["CCG_NAME", "SUB_ICB_LOC_NAME", "SUB_ICB_NAME", "SUB_ICB_LOCATION_NAME"];

/// Every column of every vintage (2019/20 to 2022/23 seen).
const MAPPING_COLUMNS: &[&str] = &[
    "NAT_ONS_CODE",
    "NAT_CODE",
    "COUNTRY",
    "NAT_COUNTRY",
    "REGION_ODS_CODE",
    "REGION_ONS_CODE",
    "REGION_NAME",
    "STP_ODS_CODE",
    "STP_ONS_CODE",
    "STP_NAME",
    "ICB_ODS_CODE",
    "ICB_ONS_CODE",
    "ICB_NAME",
    "CCG_ODS_CODE",
    "CCG_ONS_CODE",
    "CCG_NAME",
    "SUB_ICB_LOC_ODS_CODE",
    "SUB_ICB_LOC_ONS_CODE",
    "SUB_ICB_LOC_NAME",
    "SUB_ICB_ODS_CODE",
    "SUB_ICB_ONS_CODE",
    "SUB_ICB_NAME",
    "SUB_ICB_LOCATION_ODS_CODE",
    "SUB_ICB_LOCATION_ONS_CODE",
    "SUB_ICB_LOCATION_NAME",
    "PCN_ODS_CODE",
    "PCN_CODE",
    "PCN_NAME",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
];

pub fn read_mapping(path: &Path, ctx: &ReadContext<'_>) -> Result<QofMappingRecords, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    h.refuse_unknown(&file, 1, MAPPING_COLUMNS, "a QOF MAPPING_NHS_GEOGRAPHIES file")?;
    let practice = h.require(&file, &["PRACTICE_CODE"])?;
    let practice_name = h.find(&["PRACTICE_NAME"]);
    let pcn = h.require(&file, &["PCN_ODS_CODE", "PCN_CODE"])?;
    let pcn_name = h.find(&["PCN_NAME"]);
    let ccg = h.require(&file, COMMISSIONER)?;
    let ccg_ons = h.find(COMMISSIONER_ONS);
    let ccg_name = h.find(COMMISSIONER_NAME);
    let stp = h.find(&["STP_ODS_CODE", "ICB_ODS_CODE"]);
    let stp_name = h.find(&["STP_NAME", "ICB_NAME"]);
    let region = h.find(&["REGION_ODS_CODE"]);
    let region_name = h.find(&["REGION_NAME"]);

    let mut out = QofMappingRecords::default();
    let mut seen = Seen::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let name = |i: Option<usize>, f: &str| row.text(i, f, Text::Name);
        let code = row.parse(practice, "PRACTICE_CODE", PracticeCode::parse)?;
        seen.insert(&file, row.line, "PRACTICE_CODE", code.clone())?;
        let commissioner = row.parse(ccg, "CCG_ODS_CODE", CommissionerCode::parse)?;
        let facts = out.commissioners.entry(commissioner.clone()).or_default();
        if facts.name.is_none() {
            facts.name = name(ccg_name, "CCG_NAME")?;
            facts.ons_code = row.text(ccg_ons, "CCG_ONS_CODE", Text::Value)?;
            if let Some(i) = stp {
                facts.parent = row.parse_opt(i, "STP_ODS_CODE", StpCode::parse)?;
            }
            facts.parent_name = name(stp_name, "STP_NAME")?;
            if let Some(i) = region {
                facts.region = row.parse_opt(i, "REGION_ODS_CODE", RegionCode::parse)?;
            }
            facts.region_name = name(region_name, "REGION_NAME")?;
        }
        // A practice with no PCN is written as a blank or a bare "U".
        let network = match row.opt(pcn, "PCN_ODS_CODE")? {
            None | Some("U") => return Ok(()),
            Some(s) => NetworkCode::parse(s).map_err(|e| row.err("PCN_ODS_CODE", e.to_string()))?,
        };
        out.memberships.push(MembershipRecord {
            practice: code,
            practice_name: name(practice_name, "PRACTICE_NAME")?,
            practice_commissioner: Some(commissioner),
            network,
            network_name: name(pcn_name, "PCN_NAME")?,
            network_commissioner: None,
            start: None,
            end: None,
        });
        Ok(())
    })?;
    if seen.is_empty() {
        return Err(ReadError::file(&file, "the file has a header but no rows"));
    }
    Ok(out)
}

pub fn read_prevalence(path: &Path, ctx: &ReadContext<'_>) -> Result<QofPrevalenceRecords, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    let practice = h.require(&file, &["PRACTICE_CODE"])?;
    let group = h.require(&file, &["GROUP_CODE"])?;
    let register = h.require(&file, &["REGISTER"])?;
    let list_type = h.require(&file, &["PATIENT_LIST_TYPE"])?;
    let list_size = h.require(&file, &["PATIENT_LIST_SIZE", "PRACTICE_LIST_SIZE"])?;

    let mut out = QofPrevalenceRecords { year: financial_year_in_name(path), ..Default::default() };
    let mut totals: HashMap<PracticeCode, (u32, u64)> = HashMap::new();
    let mut seen = Seen::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let code = row.parse(practice, "PRACTICE_CODE", PracticeCode::parse)?;
        let group = row.required(group, "GROUP_CODE")?.to_ascii_uppercase();
        seen.insert(&file, row.line, "GROUP_CODE", format!("{code} {group}"))?;
        let kind = row.required(list_type, "PATIENT_LIST_TYPE")?.to_ascii_uppercase();
        let size = row.count(list_size, "PATIENT_LIST_SIZE")?;
        let reg = row.count(register, "REGISTER")?;
        if kind == "TOTAL" {
            match totals.get(&code) {
                Some(&(other, line)) if other != size => {
                    return Err(row.err(
                        "PATIENT_LIST_SIZE",
                        format!("{code}'s TOTAL list size is {size} here but {other} on line {line}"),
                    ));
                }
                Some(_) => {}
                None => {
                    totals.insert(code.clone(), (size, row.line));
                    out.list_sizes.push((code.clone(), size));
                }
            }
        }
        out.registers.push(DiseaseRegister { practice: code, group, register: reg, list_type: kind, list_size: size });
        Ok(())
    })?;
    if out.registers.is_empty() {
        return Err(ReadError::file(&file, "the file has a header but no rows"));
    }
    Ok(out)
}
