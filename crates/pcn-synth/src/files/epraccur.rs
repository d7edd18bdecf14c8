//! ODS epraccur: no header, 27 quoted columns, CRLF. GP practices carry
//! prescribing setting 4; other organisations (setting 0, 1, 2, …) share the
//! file and an import must skip them.

use std::io;
use std::path::Path;

use pcn_core::PracticeStatus;
use time::macros::date;

use super::{Vintage, csv_writer, finish, upper, ymd};
use crate::{Area, SynthPractice};

/// CCGs began on 1 April 2013: the earliest "join provider/purchaser" date.
const CCG_START: time::Date = date!(2013 - 04 - 01);

fn status_code(s: PracticeStatus) -> &'static str {
    match s {
        PracticeStatus::Active => "A",
        PracticeStatus::Closed => "C",
        PracticeStatus::Dormant => "D",
        PracticeStatus::Proposed => "P",
        PracticeStatus::Unknown => "",
    }
}

struct Row<'a> {
    code: &'a str,
    name: &'a str,
    address: &'a [String],
    postcode: &'a str,
    open: time::Date,
    close: Option<time::Date>,
    status: &'static str,
    commissioner: usize,
    phone: &'a str,
    setting: u8,
}

pub fn write(area: &Area, path: &Path, v: Vintage) -> io::Result<()> {
    fn practice(p: &SynthPractice) -> Row<'_> {
        Row {
            code: p.code.as_str(),
            name: &p.name,
            address: &p.address,
            postcode: &p.postcode,
            open: p.open_date,
            close: p.close_date,
            status: status_code(p.status),
            commissioner: p.commissioner,
            phone: &p.phone,
            setting: 4,
        }
    }
    let mut rows: Vec<Row<'_>> = area.practices.iter().chain(&area.inactive).map(practice).collect();
    rows.extend(area.others.iter().map(|o| Row {
        code: o.code.as_str(),
        name: &o.name,
        address: &o.address,
        postcode: &o.postcode,
        open: o.open_date,
        close: None,
        status: "A",
        commissioner: o.commissioner,
        phone: "",
        setting: o.setting,
    }));
    rows.sort_by(|a, b| a.code.cmp(b.code));

    let mut w = csv_writer(path, true)?;
    for r in &rows {
        let com = &area.commissioners[r.commissioner];
        // Column 4: the STP, or in the ICB era the ICB.
        let icb = v.icb_code(area, com.stp);
        let region = area.region_of(r.commissioner);
        let line = |i: usize| r.address.get(i).map(|s| upper(s)).unwrap_or_default();
        let close = r.close.map(ymd).unwrap_or_default();
        let record: [String; 27] = [
            r.code.to_string(),
            upper(r.name),
            region.code.to_string(),
            icb,
            line(0),
            line(1),
            line(2),
            line(3),
            line(4),
            r.postcode.to_string(),
            ymd(r.open),
            close.clone(),
            r.status.to_string(),
            "B".into(),
            com.code.to_string(),
            ymd(r.open.max(CCG_START)),
            close,
            r.phone.to_string(),
            String::new(),
            String::new(),
            String::new(),
            "0".into(),
            String::new(),
            com.code.to_string(),
            String::new(),
            r.setting.to_string(),
            String::new(),
        ];
        w.write_record(&record)?;
    }
    finish(w)
}
