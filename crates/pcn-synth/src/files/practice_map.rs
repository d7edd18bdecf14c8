//! `gp-reg-pat-prac-map`, April 2026 layout: each open practice with its
//! PCN (`U` when in none), sub-ICB location, ICB and region, and its
//! clinical system supplier.

use std::io;
use std::path::Path;

use super::{Vintage, csv_writer, day_month_year_lower, finish, upper};
use crate::Area;

const SUPPLIERS: [&str; 2] = ["EMIS", "TPP"];

pub fn write(area: &Area, path: &Path, v: Vintage) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    w.write_record([
        "PUBLICATION",
        "EXTRACT_DATE",
        "PRACTICE_CODE",
        "PRACTICE_NAME",
        "PRACTICE_POSTCODE",
        "PCN_CODE",
        "PCN_NAME",
        "ONS_SUB_ICB_LOCATION_CODE",
        "SUB_ICB_LOCATION_CODE",
        "SUB_ICB_LOCATION_NAME",
        "ONS_ICB_CODE",
        "ICB_CODE",
        "ICB_NAME",
        "ONS_COMM_REGION_CODE",
        "COMM_REGION_CODE",
        "COMM_REGION_NAME",
        "SUPPLIER_NAME",
    ])?;
    let extract = day_month_year_lower(v.extract_date(area));
    for (i, p) in area.practices.iter().enumerate().filter(|(_, p)| p.is_active()) {
        let com = &area.commissioners[p.commissioner];
        let region = area.region_of(p.commissioner);
        let (pcn, pcn_name) = match p.network {
            Some(n) => (area.networks[n].code.to_string(), upper(&area.networks[n].name)),
            None => ("U".to_string(), "Unallocated".to_string()),
        };
        w.write_record([
            "GP_PRAC_PAT_LIST".to_string(),
            extract.clone(),
            p.code.to_string(),
            upper(&p.name),
            p.postcode.clone(),
            pcn,
            pcn_name,
            com.ons_code.clone(),
            com.code.to_string(),
            v.commissioner_name(area, p.commissioner),
            format!("E54{:06}", com.stp + 1),
            v.icb_code(area, com.stp),
            v.icb_name(area, com.stp),
            format!("E40{:06}", area.stps[com.stp].region + 1),
            region.code.to_string(),
            region.name.clone(),
            SUPPLIERS[i % SUPPLIERS.len()].to_string(),
        ])?;
    }
    finish(w)
}
