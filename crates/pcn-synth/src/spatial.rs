//! A bucket grid over points for nearest-neighbour queries, so that placing
//! tens of thousands of practices never compares every pair.

use crate::Point;

pub struct Grid {
    min_e: f64,
    min_n: f64,
    cell: f64,
    cols: i64,
    rows: i64,
    buckets: Vec<Vec<u32>>,
    points: Vec<Point>,
}

impl Grid {
    /// Indexes `points` (ids are their positions) in square cells of `cell` metres.
    pub fn new(points: &[Point], cell: f64) -> Self {
        let cell = cell.max(1.0);
        let (mut min_e, mut min_n, mut max_e, mut max_n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in points {
            min_e = min_e.min(p.easting);
            min_n = min_n.min(p.northing);
            max_e = max_e.max(p.easting);
            max_n = max_n.max(p.northing);
        }
        if points.is_empty() {
            (min_e, min_n, max_e, max_n) = (0.0, 0.0, 0.0, 0.0);
        }
        let cols = ((max_e - min_e) / cell).floor() as i64 + 1;
        let rows = ((max_n - min_n) / cell).floor() as i64 + 1;
        let mut g = Self {
            min_e,
            min_n,
            cell,
            cols,
            rows,
            buckets: vec![Vec::new(); (cols * rows) as usize],
            points: points.to_vec(),
        };
        for (i, p) in points.iter().enumerate() {
            let b = g.bucket(g.cell_of(*p));
            g.buckets[b].push(i as u32);
        }
        g
    }

    /// A cell size giving about `per_cell` points per cell over the points' extent.
    pub fn cell_for(points: &[Point], per_cell: f64) -> f64 {
        let (mut min_e, mut min_n, mut max_e, mut max_n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in points {
            min_e = min_e.min(p.easting);
            min_n = min_n.min(p.northing);
            max_e = max_e.max(p.easting);
            max_n = max_n.max(p.northing);
        }
        if points.len() < 2 {
            return 1000.0;
        }
        let area = ((max_e - min_e).max(1000.0)) * ((max_n - min_n).max(1000.0));
        (area * per_cell / points.len() as f64).sqrt().max(100.0)
    }

    fn cell_of(&self, p: Point) -> (i64, i64) {
        (((p.easting - self.min_e) / self.cell).floor() as i64, ((p.northing - self.min_n) / self.cell).floor() as i64)
    }

    fn bucket(&self, (c, r): (i64, i64)) -> usize {
        (r.clamp(0, self.rows - 1) * self.cols + c.clamp(0, self.cols - 1)) as usize
    }

    /// The nearest indexed point to `p` that `accept` allows (ties to the lower id).
    pub fn nearest(&self, p: Point, accept: impl Fn(usize) -> bool) -> Option<usize> {
        let (qc, qr) = self.cell_of(p);
        // Rings beyond this one lie wholly outside the grid.
        let last_ring = [qc, self.cols - 1 - qc, qr, self.rows - 1 - qr].iter().map(|d| d.abs()).max().unwrap_or(0) + 1;
        let mut best: Option<(f64, usize)> = None;
        for ring in 0..=last_ring {
            for r in (qr - ring).max(0)..=(qr + ring).min(self.rows - 1) {
                let edge_row = r == qr - ring || r == qr + ring;
                let step = if edge_row { 1 } else { (2 * ring).max(1) };
                let mut c = qc - ring;
                while c <= qc + ring {
                    if (0..self.cols).contains(&c) {
                        for &id in &self.buckets[(r * self.cols + c) as usize] {
                            let id = id as usize;
                            let d = p.distance2(self.points[id]);
                            if best.is_none_or(|(bd, bi)| d < bd || (d == bd && id < bi)) && accept(id) {
                                best = Some((d, id));
                            }
                        }
                    }
                    c += step;
                }
            }
            // Anything in the next ring is at least `ring` cells away.
            if let Some((d, _)) = best {
                let reach = ring as f64 * self.cell;
                if d < reach * reach {
                    break;
                }
            }
        }
        best.map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rand;

    #[test]
    fn nearest_matches_brute_force() {
        let mut r = Rand::for_phase(3, "grid");
        let pts: Vec<Point> =
            (0..2000).map(|_| Point::new(r.uniform(100_000.0, 300_000.0), r.uniform(50_000.0, 90_000.0))).collect();
        let g = Grid::new(&pts, 3000.0);
        for _ in 0..500 {
            let q = Point::new(r.uniform(0.0, 400_000.0), r.uniform(0.0, 150_000.0));
            let want = (0..pts.len())
                .filter(|i| i % 5 != 0)
                .min_by(|&a, &b| q.distance2(pts[a]).total_cmp(&q.distance2(pts[b])).then(a.cmp(&b)));
            assert_eq!(g.nearest(q, |i| i % 5 != 0), want);
        }
    }

    #[test]
    fn empty_and_single() {
        let g = Grid::new(&[], 1000.0);
        assert_eq!(g.nearest(Point::new(1.0, 2.0), |_| true), None);
        let g = Grid::new(&[Point::new(5.0, 5.0)], 1000.0);
        assert_eq!(g.nearest(Point::new(1e6, -1e6), |_| true), Some(0));
    }
}
