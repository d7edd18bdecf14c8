//! Postcode coordinates in the Code-Point Open derived layout: one row per
//! distinct postcode of every practice, organisation, network and care home.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use super::{csv_writer, finish};
use crate::{Area, Point};

/// Code-Point positional quality 10: within the building of the matched address.
const WITHIN_BUILDING: &str = "10";
const ENGLAND: &str = "E92000001";

pub fn write(area: &Area, path: &Path) -> io::Result<()> {
    // Postcode → (where, commissioner); a BTreeMap keeps the rows sorted.
    let mut postcodes: BTreeMap<&str, (Point, usize)> = BTreeMap::new();
    for p in area.practices.iter().chain(&area.inactive) {
        postcodes.entry(&p.postcode).or_insert((p.location, p.commissioner));
    }
    for o in &area.others {
        postcodes.entry(&o.postcode).or_insert((o.location, o.commissioner));
    }
    for n in &area.networks {
        postcodes.entry(&n.postcode).or_insert((n.location, n.commissioner));
    }
    for h in &area.care_homes {
        postcodes.entry(&h.postcode).or_insert((h.location, h.commissioner));
    }

    let mut w = csv_writer(path, false)?;
    w.write_record([
        "POSTCODE",
        "POSITIONAL_QUALITY",
        "EASTING",
        "NORTHING",
        "LAT",
        "LON",
        "COUNTRY_CODE",
        "ADMIN_DISTRICT_CODE",
        "ADMIN_WARD_CODE",
        "SOURCE",
    ])?;
    for (postcode, (at, commissioner)) in postcodes {
        let (lat, lon) = at.lat_lon();
        let com = &area.commissioners[commissioner];
        // One synthetic ward per 5 km square.
        let ward = (at.easting as i64 / 5000) * 200 + at.northing as i64 / 5000;
        w.write_record([
            postcode,
            WITHIN_BUILDING,
            &format!("{}", at.easting as i64),
            &format!("{}", at.northing as i64),
            &format!("{lat:.6}"),
            &format!("{lon:.6}"),
            ENGLAND,
            &com.district_code,
            &format!("E05{:06}", ward % 1_000_000),
            "SYNTHETIC",
        ])?;
    }
    finish(w)
}
