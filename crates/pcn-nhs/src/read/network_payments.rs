//! NHS Payments to General Practice, PCN level (`nhspaymentsgp-24-25-pcn-csv.csv`):
//! from 2024/25 the network streams (leadership, support, extended hours,
//! workforce, IIF, care home premium, enhanced access, capacity and access)
//! are published per PCN beside the practice file. Its header was not seen
//! when this reader was written: columns are read by name like the practice
//! file's, one row per network, and anything that reads as descriptive but is
//! not known is refused by name.

use std::path::Path;

use pcn_core::{CommissionerCode, NetworkCode, NetworkPayments};

use super::payments::{COMMISSIONER, classify, money_items, year_of};
use super::{Parsed, ReadContext, Seen};
use crate::error::ReadError;
use crate::table::{Header, display_name, expect_width, for_each_record, open_csv, raw_header, read_header};

/// Words of the network streams' columns: how a PCN-level payments file is told
/// from the ePCN details sheet, which also has a `PCN Code` and no practice.
const STREAM_WORDS: &[&str] = &[
    "LEADERSHIP",
    "SUPPORT",
    "EXTENDED HOURS",
    "WORKFORCE",
    "ADDITIONAL ROLES",
    "INVESTMENT AND IMPACT",
    "CARE HOME PREMIUM",
    "ENHANCED ACCESS",
    "CAPACITY AND ACCESS",
    "PARTICIPATION",
];

pub(crate) fn has_payment_column(h: &Header) -> bool {
    h.names().iter().any(|n| STREAM_WORDS.iter().any(|w| n.contains(w)))
}

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<Parsed, ReadError> {
    let file = display_name(path);
    let year = year_of(&file, path, ctx)?;
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    let raw = raw_header(&file, &mut rdr)?;
    let network = h.require(&file, &["PCN Code"])?;
    let ccg = h.find(COMMISSIONER);
    let cols = classify(&file, &h, &raw)?;
    if let Some(i) = cols.registered.or(cols.weighted) {
        return Err(ReadError::at(
            &file,
            1,
            Some(&h.names()[i]),
            "a PCN-level payments file with practice list sizes is a layout pcn does not know",
        ));
    }
    let mut rows = Vec::new();
    let mut seen = Seen::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let code = row.parse(network, "PCN Code", NetworkCode::parse)?;
        seen.insert(&file, row.line, "PCN Code", code.clone())?;
        rows.push(NetworkPayments {
            year,
            network: code,
            commissioner: match ccg {
                Some(i) => row.parse_opt(i, "Sub ICB Code", CommissionerCode::parse)?,
                None => None,
            },
            items: money_items(&row, &cols.money)?,
        });
        Ok(())
    })?;
    if rows.is_empty() {
        return Err(ReadError::file(&file, "the file has a header but no rows"));
    }
    Ok(Parsed::NetworkPayments { year, rows })
}
