//! LSOA 2011 lookups: rural-urban class, IMD 2019 deciles, population-weighted
//! centroids, LSOA → commissioner. Each gives part of an [`Lsoa`]; the parts
//! are merged by code when the snapshot is assembled.

use std::path::Path;

use pcn_core::{CommissionerCode, LonLat, Lsoa};

use super::{ReadContext, Seen};
use crate::error::ReadError;
use crate::kind::FileKind;
use crate::limits::Text;
use crate::table::{display_name, expect_width, for_each_record, open_csv, read_header};

pub fn read(path: &Path, kind: FileKind, ctx: &ReadContext<'_>) -> Result<Vec<Lsoa>, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    let code = h.require(&file, &["LSOA11CD", "lsoa", "LSOA_CODE"])?;
    let name = h.find(&["LSOA11NM"]);
    let ccg_col = h.names().iter().position(|n| is_lsoa_commissioner_code_column(n));
    let mut out = Vec::new();
    let mut seen = Seen::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let c = row.required(code, "LSOA11CD")?.to_string();
        if !(c.len() == 9 && (c.starts_with('E') || c.starts_with('W'))) {
            return Err(row.err("LSOA11CD", format!("{c:?} is not an LSOA code (E01… or W01…)")));
        }
        seen.insert(&file, row.line, "LSOA11CD", c.clone())?;
        let mut l = Lsoa::new(c);
        l.name = row.text(name, "LSOA11NM", Text::Name)?;
        match kind {
            FileKind::LsoaRurality => {
                l.ruc_code = row.text(h.require(&file, &["RUC11CD"])?, "RUC11CD", Text::Value)?;
                l.ruc_name = row.text(h.find(&["RUC11"]), "RUC11", Text::Label)?;
            }
            FileKind::LsoaDeprivation => {
                l.imd_decile = decile(&row, h.require(&file, &["IMD_OVERALL"])?, "IMD_OVERALL")?;
                if let Some(i) = h.find(&["IMD_INCOME"]) {
                    l.imd_income_decile = decile(&row, i, "IMD_INCOME")?;
                }
            }
            FileKind::LsoaCentroids => {
                let num = |i: usize, f: &str| {
                    row.parse(i, f, |s| s.parse::<f64>().map_err(|_| format!("{s:?} is not a number")))
                };
                let lon = num(h.require(&file, &["X"])?, "X")?;
                let lat = num(h.require(&file, &["Y"])?, "Y")?;
                if !(49.0..=61.5).contains(&lat) || !(-9.0..=2.5).contains(&lon) {
                    return Err(row.err("X", format!("({lon}, {lat}) is not a longitude/latitude in Great Britain")));
                }
                l.centroid = Some(LonLat { lon, lat });
            }
            FileKind::LsoaCommissioners => {
                let i = ccg_col.expect("detected by this column");
                l.commissioner = row.parse_opt(i, "CCG code", CommissionerCode::parse)?;
            }
            _ => unreachable!("not an LSOA kind"),
        }
        out.push(l);
        Ok(())
    })?;
    Ok(out)
}

/// A decile 1–10; Welsh rows say "Wales" and have none.
fn decile(row: &crate::table::Row<'_>, i: usize, field: &str) -> Result<Option<u8>, crate::error::ReadError> {
    match row.opt(i, field)? {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("wales") => Ok(None),
        Some(s) => match s.parse::<u8>() {
            Ok(d) if (1..=10).contains(&d) => Ok(Some(d)),
            _ => Err(row.err(field, format!("{s:?} is not a decile 1-10"))),
        },
    }
}

/// `CCG21CDH`, `SICBL22CDH`: the ODS code column of an ONS LSOA lookup.
pub(crate) fn is_lsoa_commissioner_code_column(normalised: &str) -> bool {
    (normalised.starts_with("CCG") || normalised.starts_with("SICBL")) && normalised.ends_with("CDH")
}
