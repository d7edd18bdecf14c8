//! WGS84 ↔ British National Grid through the Ordnance Survey's OSTN15
//! transformation (survey grade), as implemented by `lonlat_bng`.

/// Longitude/latitude (WGS84 degrees) to easting/northing (metres).
/// `None` outside the OSTN15 cover (well offshore).
pub fn to_bng(lon: f64, lat: f64) -> Option<(f64, f64)> {
    lonlat_bng::convert_osgb36(lon, lat).ok()
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
}
