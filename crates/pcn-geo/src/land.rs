//! Land as commissioner boundary polygons (published in WGS84, kept here in
//! BNG metres), used to clip network areas and to find edges across water.

use std::str::FromStr;

use geo::{BoundingRect, Contains, Coord, MapCoords, MultiPolygon, Point, Rect};

/// One commissioner's area.
#[derive(Debug, Clone)]
pub struct Area {
    /// The commissioner's code (ODS where known, else ONS).
    pub key: String,
    pub shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
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
            areas.push(Area { key, shape, bbox });
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
        let p = Point::new(x, y);
        self.areas.iter().any(|a| in_rect(&a.bbox, x, y) && a.shape.contains(&p))
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
    fn refuses_what_is_not_a_polygon() {
        let e = Land::from_geojson([("X".to_string(), r#"{"type":"Point","coordinates":[-1.3,54.5]}"#)]).unwrap_err();
        assert!(e.contains("X"), "{e}");
    }
}
