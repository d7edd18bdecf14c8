//! Postcode coordinates: the Code-Point Open derived CSV (POSTCODE, EASTING,
//! NORTHING, LAT, LON) or ONSPD (pcds, oseast1m, osnrth1m, lat, long, doterm,
//! osgrdind). ONSPD has millions of rows, so only wanted postcodes are kept.

use std::collections::HashMap;
use std::path::Path;

use pcn_core::{Location, normalise_postcode};

use super::ReadContext;
use crate::error::ReadError;
use crate::table::{Row, display_name, expect_width, for_each_record, open_csv, read_header};

/// ONSPD's grid-reference quality 9: no grid reference, placeholder coordinates.
const NO_GRID_REFERENCE: &str = "9";

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<HashMap<String, Location>, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    let postcode = h.require(&file, &["pcds", "POSTCODE", "pcd"])?;
    let east = h.require(&file, &["oseast1m", "EASTING"])?;
    let north = h.require(&file, &["osnrth1m", "NORTHING"])?;
    let lat = h.require(&file, &["lat", "LATITUDE"])?;
    let lon = h.require(&file, &["long", "LON", "LONGITUDE"])?;
    let quality = h.find(&["osgrdind"]);
    let mut out = HashMap::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let Some(pc) = row.opt(postcode, "POSTCODE")?.and_then(normalise_postcode) else {
            return Ok(());
        };
        if ctx.wanted_postcodes.is_some_and(|w| !w.contains(&pc)) {
            return Ok(());
        }
        if let Some(q) = quality
            && row.cell(q, "osgrdind")? == NO_GRID_REFERENCE
        {
            return Ok(());
        }
        let num = |i: usize, f: &str| -> Result<f64, ReadError> {
            row.parse(i, f, |s| s.parse::<f64>().map_err(|_| format!("{s:?} is not a number")))
        };
        let loc = Location {
            easting: num(east, "EASTING")?,
            northing: num(north, "NORTHING")?,
            lat: num(lat, "LAT")?,
            lon: num(lon, "LON")?,
        };
        check_in_britain(&row, &loc)?;
        out.insert(pc, loc);
        Ok(())
    })?;
    Ok(out)
}

/// The British National Grid covers 0–700 km east, 0–1,300 km north.
fn check_in_britain(row: &Row<'_>, l: &Location) -> Result<(), ReadError> {
    if !(0.0..=700_000.0).contains(&l.easting) || !(0.0..=1_300_000.0).contains(&l.northing) {
        return Err(row.err("EASTING", format!("({}, {}) is outside the British National Grid", l.easting, l.northing)));
    }
    if !(49.0..=61.5).contains(&l.lat) || !(-9.0..=2.5).contains(&l.lon) {
        return Err(row.err("LAT", format!("({}, {}) is not in Great Britain", l.lat, l.lon)));
    }
    Ok(())
}
