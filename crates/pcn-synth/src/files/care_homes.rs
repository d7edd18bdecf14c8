//! The CQC directory of active locations (HSCA Active Locations), as a CSV
//! saved from its sheet: every care home, and the practices too (CQC
//! registers them; `Care home?` = N), with beds, postcode and position.

use std::io;
use std::path::Path;

use super::{csv_writer, finish};
use crate::Area;

const HEADER: [&str; 16] = [
    "Location ID",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Location Name",
    "Care homes beds",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Local Authority",
    "Location ONSPD CCG Code",
    "Location Street Address",
    "Location Postal Code",
    "Location Latitude",
    "Location Longitude",
    "Service type - Care home service with nursing",
    "Service type - Care home service without nursing",
];

pub fn write(area: &Area, path: &Path) -> io::Result<()> {
    let mut w = csv_writer(path, false)?;
    w.write_record(HEADER)?;
    for h in &area.care_homes {
        let com = &area.commissioners[h.commissioner];
        let (lat, lon) = h.location.lat_lon();
        let yes = |b: bool| if b { "Y" } else { "" };
        w.write_record([
            h.location_id.as_str(),
            "01/04/2015",
            "N",
            "Y",
            &h.name,
            &h.beds.to_string(),
            "Social Care Org",
            "Adult social care",
            &com.place,
            &com.ons_code,
            &format!("{} Road", h.name.split(' ').next().unwrap_or("Care")),
            &h.postcode,
            &format!("{lat:.6}"),
            &format!("{lon:.6}"),
            yes(h.nursing),
            yes(!h.nursing),
        ])?;
    }
    for (i, p) in area.practices.iter().enumerate() {
        let com = &area.commissioners[p.commissioner];
        let (lat, lon) = p.location.lat_lon();
        w.write_record([
            format!("1-{}", 5_000_000_000u64 + i as u64).as_str(),
            "01/04/2013",
            "N",
            "N",
            &p.name,
            "",
            "Primary Medical Services",
            "Primary medical services",
            &com.place,
            &com.ons_code,
            p.address.first().map_or("", String::as_str),
            &p.postcode,
            &format!("{lat:.6}"),
            &format!("{lon:.6}"),
            "",
            "",
        ])?;
    }
    finish(w)
}
