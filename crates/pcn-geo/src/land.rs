//! Land as commissioner boundary polygons (published in WGS84, kept here in
//! BNG metres), used to clip network areas and to find edges across water.

use std::str::FromStr;

use geo::{BoundingRect, Coord, MapCoords, MultiPolygon, Rect};

/// One commissioner's area.
#[derive(Debug, Clone)]
pub struct Area {
    /// The commissioner's code (ODS where known, else ONS).
    pub key: String,
    pub shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
    bands: Bands,
}

/// Metres of northing per band of [`Bands`].
const BAND_M: f64 = 1_000.0;

/// The edges of an area's rings, filed by the horizontal bands of northing
/// they cross, so that a point-in-area test (even-odd crossings of a ray
/// east) looks only at the few edges of its band. A boundary file's area has
/// thousands of vertices and the water rule tests a point every 250 m of
/// every long edge: testing against every vertex made the graph of today's
/// England take 1.6 s.
#[derive(Debug, Clone, Default)]
struct Bands {
    y0: f64,
    edges: Vec<Vec<(Coord<f64>, Coord<f64>)>>,
}

impl Bands {
    fn of(shape: &MultiPolygon<f64>, bbox: &Rect<f64>) -> Bands {
        let y0 = bbox.min().y;
        let n = (((bbox.max().y - y0) / BAND_M).floor() as usize) + 1;
        let mut edges = vec![Vec::new(); n];
        let band = |y: f64| (((y - y0) / BAND_M).floor().max(0.0) as usize).min(n - 1);
        for poly in &shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for l in ring.lines() {
                    let (lo, hi) = if l.start.y <= l.end.y { (l.start.y, l.end.y) } else { (l.end.y, l.start.y) };
                    for b in &mut edges[band(lo)..=band(hi)] {
                        b.push((l.start, l.end));
                    }
                }
            }
        }
        Bands { y0, edges }
    }

    /// Inside by the even-odd rule: exteriors and holes alike flip it.
    fn contains(&self, x: f64, y: f64) -> bool {
        let b = ((y - self.y0) / BAND_M).floor();
        if b < 0.0 || b as usize >= self.edges.len() {
            return false;
        }
        let mut inside = false;
        for (a, c) in &self.edges[b as usize] {
            if (a.y > y) != (c.y > y) {
                let cross = a.x + (y - a.y) / (c.y - a.y) * (c.x - a.x);
                if cross > x {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

#[derive(Debug, Clone, Default)]
pub struct Land {
    pub areas: Vec<Area>,
}

/// Metres between samples when measuring how much of an edge is off the land.
const SAMPLE_M: f64 = 250.0;

impl Land {
    /// Parses GeoJSON geometries (WGS84 Polygon or MultiPolygon) keyed by
    /// commissioner. A geometry that cannot be read or projected is an error
    /// naming its key.
    pub fn from_geojson<'a>(items: impl IntoIterator<Item = (String, &'a str)>) -> Result<Land, String> {
        let mut areas = Vec::new();
        for (key, json) in items {
            let g = geojson::Geometry::from_str(json).map_err(|e| format!("boundary {key}: not GeoJSON: {e}"))?;
            let g: geo::Geometry<f64> = g.try_into().map_err(|e| format!("boundary {key}: {e}"))?;
            let mp = match g {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                _ => return Err(format!("boundary {key}: not a polygon")),
            };
            let shape = mp
                .try_map_coords(|c| crate::project::to_bng_extended(c.x, c.y).map(|(x, y)| Coord { x, y }).ok_or(()))
                .map_err(|_| format!("boundary {key}: a vertex lies outside the British National Grid"))?;
            let bbox = shape.bounding_rect().ok_or_else(|| format!("boundary {key}: empty"))?;
            let bands = Bands::of(&shape, &bbox);
            areas.push(Area { key, shape, bbox, bands });
        }
        Ok(Land { areas })
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    pub fn area(&self, key: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.key == key)
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        self.areas.iter().any(|a| in_rect(&a.bbox, x, y) && a.bands.contains(x, y))
    }

    /// Approximate length (metres) of the segment that lies outside the land.
    pub fn length_outside(&self, x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
        let len = (x2 - x1).hypot(y2 - y1);
        let steps = (len / SAMPLE_M).ceil().max(1.0) as usize;
        let outside = (0..steps)
            .filter(|i| {
                let t = (*i as f64 + 0.5) / steps as f64;
                !self.contains(x1 + t * (x2 - x1), y1 + t * (y2 - y1))
            })
            .count();
        outside as f64 * len / steps as f64
    }
}

fn in_rect(r: &Rect<f64>, x: f64, y: f64) -> bool {
    x >= r.min().x && x <= r.max().x && y >= r.min().y && y <= r.max().y
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square of about 11 km by 7 km near Stockton, in WGS84.
    const SQUARE: &str =
        r#"{"type":"Polygon","coordinates":[[[-1.4,54.5],[-1.23,54.5],[-1.23,54.6],[-1.4,54.6],[-1.4,54.5]]]}"#;

    #[test]
    fn projects_and_tests_points() {
        let land = Land::from_geojson([("00K".to_string(), SQUARE)]).unwrap();
        let (x, y) = crate::project::to_bng(-1.318986, 54.561625).unwrap();
        assert!(land.contains(x, y));
        assert!(!land.contains(x + 20_000.0, y));
        assert!(land.area("00K").is_some());
        // A 20 km edge from inside heading east leaves the square after about 5 km.
        let out = land.length_outside(x, y, x + 20_000.0, y);
        assert!((13_000.0..16_500.0).contains(&out), "{out}");
        assert_eq!(land.length_outside(x, y, x + 100.0, y), 0.0);
    }

    #[test]
    fn the_band_index_agrees_with_geo_on_a_polygon_with_a_hole_and_two_parts() {
        use geo::Contains;
        // A 30 km square with a 10 km hole, and a separate island, as GeoJSON.
        let json = r#"{"type":"MultiPolygon","coordinates":[
            [[[-1.6,54.4],[-1.1,54.4],[-1.1,54.7],[-1.6,54.7],[-1.6,54.4]],
             [[-1.4,54.5],[-1.3,54.5],[-1.3,54.6],[-1.4,54.6],[-1.4,54.5]]],
            [[[-0.9,54.45],[-0.8,54.45],[-0.85,54.55],[-0.9,54.45]]]]}"#;
        let land = Land::from_geojson([("X".to_string(), json)]).unwrap();
        let a = &land.areas[0];
        let (min, max) = (a.bbox.min(), a.bbox.max());
        let mut disagree = 0;
        for i in 0..120 {
            for j in 0..80 {
                let x = min.x - 2_000.0 + (max.x - min.x + 4_000.0) * f64::from(i) / 119.0;
                let y = min.y - 2_000.0 + (max.y - min.y + 4_000.0) * f64::from(j) / 79.0;
                if land.contains(x, y) != a.shape.contains(&geo::Point::new(x, y)) {
                    disagree += 1;
                }
            }
        }
        assert_eq!(disagree, 0);
        // The hole is water; the island is land.
        let (hx, hy) = crate::project::to_bng(-1.35, 54.55).unwrap();
        assert!(!land.contains(hx, hy));
        let (ix, iy) = crate::project::to_bng(-0.85, 54.48).unwrap();
        assert!(land.contains(ix, iy));
    }

    #[test]
    fn refuses_what_is_not_a_polygon() {
        let e = Land::from_geojson([("X".to_string(), r#"{"type":"Point","coordinates":[-1.3,54.5]}"#)]).unwrap_err();
        assert!(e.contains("X"), "{e}");
    }
}
