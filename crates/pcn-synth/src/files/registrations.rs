//! Patients Registered at a GP Practice, all persons, all ages
//! (`gp-reg-pat-prac-all`), January 2021 layout: one row per open practice.

use std::io;
use std::path::Path;

use super::{csv_writer, day_month_year, finish};
use crate::Area;

pub fn write(area: &Area, path: &Path) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    w.write_record([
        "PUBLICATION",
        "EXTRACT_DATE",
        "TYPE",
        "CCG_CODE",
        "ONS_CCG_CODE",
        "CODE",
        "POSTCODE",
        "SEX",
        "AGE",
        "NUMBER_OF_PATIENTS",
    ])?;
    let extract = day_month_year(area.extract_date);
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
