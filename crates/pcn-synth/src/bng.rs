//! British National Grid metres to latitude/longitude, APPROXIMATELY.
//!
//! This is the Ordnance Survey's transverse-Mercator inverse on the Airy 1830
//! ellipsoid, which gives OSGB36 latitude and longitude. The Helmert shift to
//! WGS84 is left out, so points are off by up to about 120 metres from the
//! true WGS84 position: plenty for synthetic map pins, not for surveying.

const A: f64 = 6_377_563.396;
const B: f64 = 6_356_256.909;
const F0: f64 = 0.999_601_271_7;
const LAT0: f64 = 49.0 * std::f64::consts::PI / 180.0;
const LON0: f64 = -2.0 * std::f64::consts::PI / 180.0;
const N0: f64 = -100_000.0;
const E0: f64 = 400_000.0;

/// (latitude, longitude) in degrees for a grid reference in metres.
pub fn to_lat_lon(easting: f64, northing: f64) -> (f64, f64) {
    let e2 = 1.0 - (B * B) / (A * A);
    let n = (A - B) / (A + B);
    let (n2, n3) = (n * n, n * n * n);

    // Meridional arc from the true origin to latitude `lat`.
    let arc = |lat: f64| {
        let (d, s) = (lat - LAT0, lat + LAT0);
        B * F0
            * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * d - (3.0 * n + 3.0 * n2 + 21.0 / 8.0 * n3) * d.sin() * s.cos()
                + (15.0 / 8.0 * n2 + 15.0 / 8.0 * n3) * (2.0 * d).sin() * (2.0 * s).cos()
                - 35.0 / 24.0 * n3 * (3.0 * d).sin() * (3.0 * s).cos())
    };

    let mut lat = LAT0;
    let mut m = 0.0;
    for _ in 0..20 {
        lat += (northing - N0 - m) / (A * F0);
        m = arc(lat);
        if (northing - N0 - m).abs() < 1e-5 {
            break;
        }
    }

    let (sin, cos, tan) = (lat.sin(), lat.cos(), lat.tan());
    let nu = A * F0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = A * F0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let (t2, t4, t6) = (tan * tan, tan.powi(4), tan.powi(6));
    let sec = 1.0 / cos;

    let vii = tan / (2.0 * rho * nu);
    let viii = tan / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t2 + eta2 - 9.0 * t2 * eta2);
    let ix = tan / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t2 + 45.0 * t4);
    let x = sec / nu;
    let xi = sec / (6.0 * nu.powi(3)) * (nu / rho + 2.0 * t2);
    let xii = sec / (120.0 * nu.powi(5)) * (5.0 + 28.0 * t2 + 24.0 * t4);
    let xiia = sec / (5040.0 * nu.powi(7)) * (61.0 + 662.0 * t2 + 1320.0 * t4 + 720.0 * t6);

    let de = easting - E0;
    let phi = lat - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
    let lambda = LON0 + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
    (phi.to_degrees(), lambda.to_degrees())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordnance_survey_worked_example() {
        // OS "A guide to coordinate systems in Great Britain", annex C:
        // 651409.903 E, 313177.270 N is 52°39'27.2531" N, 1°43'4.5177" E (OSGB36).
        let (lat, lon) = to_lat_lon(651_409.903, 313_177.270);
        assert!((lat - 52.657_570_3).abs() < 1e-6, "{lat}");
        assert!((lon - 1.717_921_6).abs() < 1e-6, "{lon}");
    }

    #[test]
    fn true_origin() {
        let (lat, lon) = to_lat_lon(400_000.0, -100_000.0);
        assert!((lat - 49.0).abs() < 1e-9 && (lon + 2.0).abs() < 1e-9);
    }
}
