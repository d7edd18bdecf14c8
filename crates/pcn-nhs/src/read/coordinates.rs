//! Postcode coordinates: the Code-Point Open derived CSV (POSTCODE, EASTING,
//! NORTHING, LAT, LON) or ONSPD (pcds, oseast1m, osnrth1m, lat, long, doterm,
//! osgrdind). ONSPD has millions of rows, so only wanted postcodes are kept.
//!
//! The Code-Point subsets name the release of each row in SOURCE
//! (`CPO_2020-10`, `CPO_2025-10 …`): when several files give a postcode, the
//! newest release's position wins (see `assemble`).

use std::collections::HashMap;
use std::path::Path;

use pcn_core::{Location, normalise_postcode};
use time::{Date, Month};

use super::{PostcodePoint, ReadContext};
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{Row, display_name, expect_width, for_each_record, open_csv, read_header};

/// ONSPD's grid-reference quality 9: no grid reference, placeholder coordinates.
const NO_GRID_REFERENCE: &str = "9";

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<HashMap<String, PostcodePoint>, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    let postcode = h.require(&file, &["pcds", "POSTCODE", "pcd"])?;
    let east = h.require(&file, &["oseast1m", "EASTING"])?;
    let north = h.require(&file, &["osnrth1m", "NORTHING"])?;
    let lat = h.require(&file, &["lat", "LATITUDE"])?;
    let lon = h.require(&file, &["long", "LON", "LONGITUDE"])?;
    let quality = h.find(&["osgrdind"]);
    let source = h.find(&["SOURCE"]);
    let mut out = HashMap::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let Some(pc) = row.text(postcode, "POSTCODE", Text::Postcode)?.as_deref().and_then(normalise_postcode) else {
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
        let released = match source {
            Some(i) => release_of(row.cell_as(i, "SOURCE", Text::FreeText)?),
            None => None,
        };
        out.insert(pc, PostcodePoint { location: loc, released });
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

/// `CPO_2020-10` (and anything after it) → 1 October 2020; other sources are undated.
fn release_of(source: &str) -> Option<Date> {
    let rest = source.trim().strip_prefix("CPO_")?;
    let (y, m) = (rest.get(0..4)?, rest.get(5..7)?);
    if rest.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_point_releases() {
        assert_eq!(release_of("CPO_2020-10"), Some(time::macros::date!(2020 - 10 - 01)));
        assert_eq!(
            release_of("CPO_2025-10 A-makarim/UCL-CSRI@c356a23:codepo_gb/Data/CSV/al.csv"),
            Some(time::macros::date!(2025 - 10 - 01))
        );
        assert_eq!(release_of("FIXTURE"), None);
        assert_eq!(release_of("CPO_2020"), None);
    }
}
