//! WGS84 ↔ British National Grid through the Ordnance Survey's OSTN15
//! transformation (survey grade), as implemented by `lonlat_bng`.

/// Longitude/latitude (WGS84 degrees) to easting/northing (metres).
/// `None` outside the OSTN15 cover (well offshore).
pub fn to_bng(lon: f64, lat: f64) -> Option<(f64, f64)> {
    lonlat_bng::convert_osgb36(lon, lat).ok()
}

/// Degrees beyond `lonlat_bng`'s input box that [`to_bng_extended`] reaches.
const MARGIN_DEG: f64 = 0.2;

/// [`to_bng`], reaching a little beyond the box of longitudes and latitudes
/// that `lonlat_bng` accepts (its southern edge, 49.922°N, cuts through the
/// Isles of Scilly, whose rocks reach 49.86°N inside the grid). A point
/// outside the box but within 0.2° of it is projected from the nearest point
/// of the box by the local derivative of the same OSTN15 transform, measured
/// by the library itself: over the 7 km that the Scilly rocks lie beyond,
/// the curvature this ignores is a few metres, well inside what boundary
/// files are drawn to. For boundaries only; practice positions stay strict.
pub fn to_bng_extended(lon: f64, lat: f64) -> Option<(f64, f64)> {
    // lonlat_bng 0.9's input box (src/conversions.rs; not exported).
    const MIN_LONGITUDE: f64 = -8.579;
    const MAX_LONGITUDE: f64 = 1.78;
    const MIN_LATITUDE: f64 = 49.922;
    const MAX_LATITUDE: f64 = 60.84;
    if let Some(p) = to_bng(lon, lat) {
        return Some(p);
    }
    let (clon, clat) = (lon.clamp(MIN_LONGITUDE, MAX_LONGITUDE), lat.clamp(MIN_LATITUDE, MAX_LATITUDE));
    if (lon - clon).abs() > MARGIN_DEG || (lat - clat).abs() > MARGIN_DEG {
        return None;
    }
    // Steps into the box, so all three points project.
    const H: f64 = 0.001;
    let sl = if clon + H > MAX_LONGITUDE { -H } else { H };
    let sa = if clat + H > MAX_LATITUDE { -H } else { H };
    let o = to_bng(clon, clat)?;
    let e = to_bng(clon + sl, clat)?;
    let n = to_bng(clon, clat + sa)?;
    let (dlon, dlat) = ((lon - clon) / sl, (lat - clat) / sa);
    Some((o.0 + dlon * (e.0 - o.0) + dlat * (n.0 - o.0), o.1 + dlon * (e.1 - o.1) + dlat * (n.1 - o.1)))
}

/// Easting/northing (metres) to longitude/latitude (WGS84 degrees).
pub fn to_lonlat(easting: f64, northing: f64) -> Option<(f64, f64)> {
    lonlat_bng::convert_osgb36_to_ll(easting, northing).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_within_a_metre() {
        // Stockton-on-Tees, from OS Code-Point (TS18 1HU: 444136, 518701; 54.561625, -1.318986).
        let (e, n) = to_bng(-1.318986, 54.561625).unwrap();
        assert!((e - 444_136.0).abs() < 2.5 && (n - 518_701.0).abs() < 2.5, "{e} {n}");
        let (lon, lat) = to_lonlat(e, n).unwrap();
        assert!((lon + 1.318986).abs() < 1e-6 && (lat - 54.561625).abs() < 1e-6);
    }

    #[test]
    fn the_isles_of_scilly_south_of_the_library_s_box_project_and_round_trip() {
        // The southern rocks of the Scilly boundary (ONS sub-ICB 11N): lonlat_bng refuses them.
        let (lon, lat) = (-6.3, 49.87);
        assert!(to_bng(lon, lat).is_none());
        let (e, n) = to_bng_extended(lon, lat).unwrap();
        // Inside the grid, and the inverse transform (which accepts grid
        // coordinates) brings it back to within a few metres.
        assert!(e > 0.0 && n > 0.0, "{e} {n}");
        let (blon, blat) = to_lonlat(e, n).unwrap();
        let metres = ((blon - lon) * 71_700.0).hypot((blat - lat) * 111_200.0);
        assert!(metres < 5.0, "{metres} m off");
        // Inside the box it is the library's answer; far outside, none.
        assert_eq!(to_bng_extended(-1.318986, 54.561625), to_bng(-1.318986, 54.561625));
        assert_eq!(to_bng_extended(-6.3, 49.0), None);
    }
}
