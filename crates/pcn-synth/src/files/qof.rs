//! QOF PREVALENCE: one row per practice and disease group; the TOTAL rows all
//! carry the practice's registered list.

use std::io;
use std::path::Path;

use super::{csv_writer, finish};
use crate::Area;

pub fn write(area: &Area, path: &Path) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    w.write_record(["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PATIENT_LIST_SIZE"])?;
    for p in &area.practices {
        for r in &p.registers {
            w.write_record([p.code.as_str(), r.group, &r.register.to_string(), r.list_type, &r.list_size.to_string()])?;
        }
    }
    finish(w)
}
