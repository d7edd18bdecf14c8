//! Where things are: commissioner tiles, towns, and practices around towns.
//!
//! Commissioners are cells of a square lattice laid over England (the cells
//! nearest the Midlands when the area is small), each with a jittered centre;
//! every practice belongs to the nearest centre, so each commissioner's area is
//! a Voronoi cell: contiguous by construction. The lattice spacing aims at
//! tiles ~40 km across; when more tiles are needed than fit in England at that
//! size, the spacing shrinks and the area simply becomes denser than England.

use crate::Point;
use crate::outline;
use crate::random::Rand;
use crate::spatial::Grid;

/// Tile size for a commissioner of ~50 practices at English density.
const TILE_METRES: f64 = 40_000.0;
/// Share of practices scattered over the countryside rather than in towns.
const RURAL_SHARE: f64 = 0.2;
/// Share of town practices that share a building (and postcode) with another.
const COLOCATED_SHARE: f64 = 0.03;

/// One commissioner's lattice cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Lattice column and row (east and north).
    pub lattice: (i64, i64),
    /// The middle of the square cell.
    pub square: Point,
    /// The jittered centre that practices are assigned by.
    pub centre: Point,
}

#[derive(Debug, Clone)]
pub struct Town {
    pub centre: Point,
    /// Relative share of town practices.
    pub weight: f64,
    /// Spread of practices around the centre, metres.
    pub sigma: f64,
}

pub struct Layout {
    pub spacing: f64,
    pub cells: Vec<Cell>,
    pub towns: Vec<Town>,
}

/// Where one practice (or other site) was put.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub location: Point,
    /// The town it clusters around; `None` for rural practices.
    pub town: Option<usize>,
    /// Shares a building with this earlier placement.
    pub colocated_with: Option<usize>,
}

impl Layout {
    pub fn new(commissioners: usize, practices: usize, rng: &mut Rand) -> Self {
        let (spacing, cells) = lattice(commissioners.max(1), rng);
        let per_cell = practices as f64 / cells.len() as f64;
        // Towns shrink with the tiles so clusters stay inside them.
        let scale = (spacing / TILE_METRES).min(1.0);
        let mut towns = Vec::new();
        for cell in &cells {
            let count = ((per_cell / 10.0) * rng.uniform(0.6, 1.4)).round().max(1.0) as usize;
            let has_city = rng.chance(0.25);
            for t in 0..count {
                let centre = inside(rng, || cell.square, spacing / 2.0);
                let city = has_city && t == 0;
                let weight = rng.lognormal(1.0, 0.8) * if city { 6.0 } else { 1.0 } * conurbation_boost(centre);
                let sigma = if city { 4000.0 } else { rng.uniform(2000.0, 4000.0) } * scale;
                towns.push(Town { centre, weight, sigma });
            }
        }
        Self { spacing, cells, towns }
    }

    /// Places `n` sites: town clusters, rural spread, and a few shared buildings.
    pub fn place(&self, n: usize, colocate: bool, rng: &mut Rand) -> Vec<Placed> {
        let mut cumulative = Vec::with_capacity(self.towns.len());
        let mut total = 0.0;
        for t in &self.towns {
            total += t.weight;
            cumulative.push(total);
        }
        let mut last_in_town: Vec<Option<usize>> = vec![None; self.towns.len()];
        let mut out: Vec<Placed> = Vec::with_capacity(n);
        for i in 0..n {
            if rng.chance(RURAL_SHARE) {
                let cell = rng.pick(&self.cells).square;
                let location = inside(rng, || cell, self.spacing / 2.0);
                out.push(Placed { location, town: None, colocated_with: None });
                continue;
            }
            let x = rng.unit() * total;
            let t = cumulative.partition_point(|&c| c <= x).min(self.towns.len() - 1);
            let town = &self.towns[t];
            let shared = if colocate && rng.chance(COLOCATED_SHARE) { last_in_town[t] } else { None };
            let location = match shared {
                Some(j) => out[j].location,
                None => near(rng, town.centre, town.sigma),
            };
            last_in_town[t] = Some(i);
            out.push(Placed { location, town: Some(t), colocated_with: shared });
        }
        out
    }

    /// The commissioner (cell index) of each point: the nearest jittered centre.
    pub fn assign(&self, points: &[Point]) -> Vec<usize> {
        let centres: Vec<Point> = self.cells.iter().map(|c| c.centre).collect();
        let grid = Grid::new(&centres, self.spacing);
        points.iter().map(|p| grid.nearest(*p, |_| true).expect("at least one cell")).collect()
    }

    /// Keeps only the cells listed, in that order (commissioner order).
    pub fn select_cells(&mut self, order: &[usize]) {
        self.cells = order.iter().map(|&i| self.cells[i].clone()).collect();
    }
}

/// Named towns with a nearest-town lookup, for addresses and network names.
pub struct Gazetteer {
    pub names: Vec<String>,
    pub centres: Vec<Point>,
    pub sigmas: Vec<f64>,
    grid: Grid,
}

impl Gazetteer {
    pub fn new(towns: &[Town], names: Vec<String>) -> Self {
        let centres: Vec<Point> = towns.iter().map(|t| t.centre).collect();
        let grid = Grid::new(&centres, Grid::cell_for(&centres, 2.0));
        Self { names, sigmas: towns.iter().map(|t| t.sigma).collect(), centres, grid }
    }

    pub fn nearest(&self, p: Point) -> usize {
        self.grid.nearest(p, |_| true).expect("at least one town")
    }
}

/// Real conurbations (grid km, strength, radius km): towns near them are
/// bigger, so a synthetic England is densest where the real one is.
const CONURBATIONS: &[(f64, f64, f64, f64)] = &[
    (530.0, 180.0, 4.0, 20.0), // London
    (407.0, 287.0, 2.0, 15.0), // Birmingham
    (384.0, 398.0, 2.0, 15.0), // Manchester
    (430.0, 433.0, 1.5, 12.0), // Leeds
    (340.0, 390.0, 1.5, 10.0), // Liverpool
    (425.0, 565.0, 1.5, 10.0), // Newcastle
    (435.0, 387.0, 1.0, 10.0), // Sheffield
    (359.0, 173.0, 1.0, 10.0), // Bristol
    (457.0, 340.0, 1.0, 8.0),  // Nottingham
    (459.0, 304.0, 1.0, 8.0),  // Leicester
];

fn conurbation_boost(p: Point) -> f64 {
    1.0 + CONURBATIONS
        .iter()
        .map(|&(e, n, strength, radius)| {
            let d2 = (p.easting / 1000.0 - e).powi(2) + (p.northing / 1000.0 - n).powi(2);
            strength * (-d2 / (2.0 * radius * radius)).exp()
        })
        .sum::<f64>()
}

/// The cells of the lattice nearest the Midlands, enough for every commissioner.
fn lattice(count: usize, rng: &mut Rand) -> (f64, Vec<Cell>) {
    let (min_e, min_n, max_e, max_n) = outline::bounds();
    let mut spacing = TILE_METRES;
    let candidates = loop {
        let cols = ((max_e - min_e) / spacing).ceil() as i64;
        let rows = ((max_n - min_n) / spacing).ceil() as i64;
        let mut found = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                let square = Point::new(min_e + (c as f64 + 0.5) * spacing, min_n + (r as f64 + 0.5) * spacing);
                if outline::contains(square) {
                    found.push(((c, r), square));
                }
            }
        }
        if found.len() >= count {
            break found;
        }
        spacing *= (found.len() as f64 / count as f64).sqrt() * 0.98;
    };
    let mut candidates = candidates;
    candidates.sort_by(|a, b| {
        a.1.distance2(outline::MIDLANDS)
            .total_cmp(&b.1.distance2(outline::MIDLANDS))
            .then((a.0.1, a.0.0).cmp(&(b.0.1, b.0.0)))
    });
    candidates.truncate(count);
    let cells = candidates
        .into_iter()
        .map(|(lattice, square)| {
            let j = 0.25 * spacing;
            let centre = Point::new(square.easting + rng.uniform(-j, j), square.northing + rng.uniform(-j, j));
            Cell { lattice, square, centre }
        })
        .collect();
    (spacing, cells)
}

/// A uniform point in the square of half-width `half` around `centre()`, on land.
fn inside(rng: &mut Rand, centre: impl Fn() -> Point, half: f64) -> Point {
    let c = centre();
    for _ in 0..30 {
        let p = Point::new(c.easting + rng.uniform(-half, half), c.northing + rng.uniform(-half, half)).rounded();
        if outline::contains(p) {
            return p;
        }
    }
    c.rounded()
}

/// A gaussian point around `centre`, pulled towards it until it is on land.
fn near(rng: &mut Rand, centre: Point, sigma: f64) -> Point {
    let (mut de, mut dn) = (rng.gaussian(0.0, sigma), rng.gaussian(0.0, sigma));
    for _ in 0..12 {
        let p = Point::new(centre.easting + de, centre.northing + dn).rounded();
        if outline::contains(p) {
            return p;
        }
        de /= 2.0;
        dn /= 2.0;
    }
    centre.rounded()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn england_scale_fills_england_at_about_forty_km() {
        let mut rng = Rand::for_phase(1, "geo");
        let l = Layout::new(132, 6600, &mut rng);
        assert_eq!(l.cells.len(), 132);
        assert!((30_000.0..=45_000.0).contains(&l.spacing), "{}", l.spacing);
        let big = Layout::new(1200, 60_000, &mut rng);
        assert_eq!(big.cells.len(), 1200);
        assert!(big.spacing < 15_000.0);
    }

    #[test]
    fn placements_are_on_land_and_some_share_buildings() {
        let mut rng = Rand::for_phase(2, "geo");
        let l = Layout::new(40, 2000, &mut rng);
        let placed = l.place(2000, true, &mut rng);
        assert!(placed.iter().all(|p| outline::contains(p.location)));
        let shared = placed.iter().filter(|p| p.colocated_with.is_some()).count();
        assert!((20..=100).contains(&shared), "{shared}");
        let owners = l.assign(&placed.iter().map(|p| p.location).collect::<Vec<_>>());
        assert!(owners.iter().all(|&c| c < 40));
    }
}
