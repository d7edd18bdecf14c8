//! Patients Registered at a GP Practice, all persons, all ages
//! (`gp-reg-pat-prac-all`): one row per open practice. January 2021 layout
//! (`CCG_CODE`, `01JAN2021`), or from July 2022 the sub-ICB columns, with the
//! ISO extract date of 2026.

use std::io;
use std::path::Path;

use super::{Vintage, csv_writer, day_month_year, finish};
use crate::Area;

pub fn write(area: &Area, path: &Path, v: Vintage) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    w.write_record([
        "PUBLICATION",
        "EXTRACT_DATE",
        "TYPE",
        if v == Vintage::Ccg2021 { "CCG_CODE" } else { "SUB_ICB_LOCATION_CODE" },
        if v == Vintage::Ccg2021 { "ONS_CCG_CODE" } else { "ONS_SUB_ICB_LOCATION_CODE" },
        "CODE",
        "POSTCODE",
        "SEX",
        "AGE",
        "NUMBER_OF_PATIENTS",
    ])?;
    let extract = match v {
        Vintage::Ccg2021 => day_month_year(v.extract_date(area)),
        Vintage::Icb2026 => v.extract_date(area).to_string(),
    };
    // As published: by commissioner, then practice.
    let mut order: Vec<usize> = (0..area.practices.len()).collect();
    order.sort_by_key(|&i| (area.practices[i].commissioner, i));
    for i in order {
        let p = &area.practices[i];
        let com = &area.commissioners[p.commissioner];
        w.write_record([
            "GP_PRAC_PAT_LIST",
            &extract,
            "GP",
            com.code.as_str(),
            &com.ons_code,
            p.code.as_str(),
            &p.postcode,
            "ALL",
            "ALL",
            &p.registered.to_string(),
        ])?;
    }
    finish(w)
}
