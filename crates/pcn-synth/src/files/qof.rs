//! QOF PREVALENCE: one row per practice and disease group; the TOTAL rows all
//! carry the practice's registered list.

use std::io;
use std::path::Path;

use super::{Vintage, csv_writer, finish};
use crate::Area;

pub fn write(area: &Area, path: &Path, v: Vintage) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    // From 2022/23 the list column is PRACTICE_LIST_SIZE and registers are
    // written as decimals (`112.0`).
    let (list, decimal) = match v {
        Vintage::Ccg2021 => ("PATIENT_LIST_SIZE", ""),
        Vintage::Icb2026 => ("PRACTICE_LIST_SIZE", ".0"),
    };
    w.write_record(["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", list])?;
    for p in &area.practices {
        for r in &p.registers {
            let register = format!("{}{decimal}", r.register);
            w.write_record([p.code.as_str(), r.group, &register, r.list_type, &r.list_size.to_string()])?;
        }
    }
    finish(w)
}
