//! ODS ePCN, as CSV exports of its two sheets: `PCN Details` (one row per
//! network) and `PCN Core Partner Details` (one row per membership, ended
//! ones included with their end date).

use std::io;
use std::path::Path;

use time::Date;

use pcn_nhs::write::{CorePartner, write_core_partners};

use super::{Vintage, csv_writer, finish, upper, ymd};
use crate::Area;

pub fn write_details(area: &Area, path: &Path, v: Vintage) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    match v {
        Vintage::Ccg2021 => w.write_record([
            "PCN_CODE",
            "PCN_NAME",
            "CCG_CODE",
            "CCG_NAME",
            "OPEN_DATE",
            "CLOSE_DATE",
            "ADDRESS_1",
            "ADDRESS_2",
            "ADDRESS_3",
            "ADDRESS_4",
            "ADDRESS_5",
            "POSTCODE",
        ])?,
        // The `PCNDetails` sheet since 2022, as its CSV export.
        Vintage::Icb2026 => w.write_record([
            "PCN Code",
            "PCN Name",
            "Current Sub ICB Loc Code",
            "Sub ICB Location",
            "Open Date",
            "Close Date",
            "Address Line 1",
            "Address Line 2",
            "Address Line 3",
            "Address Line 4",
            "Address Line 5",
            "Postcode",
        ])?,
    }
    for n in &area.networks {
        let com = &area.commissioners[n.commissioner];
        let line = |i: usize| n.address.get(i).map(|s| upper(s)).unwrap_or_default();
        w.write_record([
            n.code.to_string(),
            upper(&n.name),
            com.code.to_string(),
            upper(&v.commissioner_name(area, n.commissioner)),
            ymd(n.open_date),
            String::new(),
            line(0),
            line(1),
            line(2),
            line(3),
            line(4),
            n.postcode.clone(),
        ])?;
    }
    finish(w)
}

pub fn write_partners(area: &Area, path: &Path, v: Vintage) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    // (network, practice, start, end), grouped by network as the sheet is.
    let mut rows: Vec<(usize, usize, Date, Option<Date>)> = Vec::new();
    for (i, p) in area.practices.iter().enumerate() {
        if let (Some(n), Some(start)) = (p.network, p.network_start) {
            rows.push((n, i, start, None));
        }
        if let Some(past) = p.previous {
            rows.push((past.network, i, past.start, Some(past.end)));
        }
    }
    rows.sort();
    let partners = rows.into_iter().map(|(n, i, start, end)| {
        let p = &area.practices[i];
        let net = &area.networks[n];
        let pcom = &area.commissioners[p.commissioner];
        let ncom = &area.commissioners[net.commissioner];
        CorePartner {
            practice: p.code.to_string(),
            practice_name: upper(&p.name),
            practice_commissioner: pcom.code.to_string(),
            practice_commissioner_name: upper(&v.commissioner_name(area, p.commissioner)),
            network: net.code.to_string(),
            network_name: upper(&net.name),
            network_commissioner: ncom.code.to_string(),
            network_commissioner_name: upper(&v.commissioner_name(area, net.commissioner)),
            start: Some(start),
            end,
        }
    });
    write_core_partners(&mut w, partners).map_err(io::Error::other)?;
    finish(w)
}
