//! Commissioners (CCGs), their STPs and NHS England regions.
//!
//! STPs are blocks of 3×2 neighbouring lattice cells, so each is contiguous
//! and holds about five commissioners (fewer at the coast). A region is
//! chosen from where the STP lies, roughly as NHS England draws them.

use std::collections::BTreeMap;

use pcn_core::{CommissionerCode, RegionCode, StpCode};

use crate::geography::Cell;
use crate::names::PlaceNames;
use crate::postcodes::Postcodes;
use crate::random::Rand;
use crate::{Point, SynthCommissioner, SynthRegion, SynthStp};

/// NHS England's seven regions since 2020 (Y57, the old South, is gone).
const REGIONS: &[(&str, &str)] = &[
    ("Y56", "London"),
    ("Y58", "South West"),
    ("Y59", "South East"),
    ("Y60", "Midlands"),
    ("Y61", "East of England"),
    ("Y62", "North West"),
    ("Y63", "North East and Yorkshire"),
];

pub fn regions() -> Vec<SynthRegion> {
    REGIONS
        .iter()
        .map(|(code, name)| SynthRegion {
            code: RegionCode::parse(code).expect("valid region"),
            name: (*name).to_string(),
        })
        .collect()
}

/// Index into [`REGIONS`] of a point, by rough boundaries in grid kilometres.
fn region_at(p: Point) -> usize {
    let (e, n) = (p.easting / 1000.0, p.northing / 1000.0);
    let london = ((e - 530.0).powi(2) + (n - 180.0).powi(2)).sqrt() < 28.0;
    if london {
        0
    } else if n > 395.0 {
        if e > 385.0 { 6 } else { 5 }
    } else if n > 330.0 && e < 360.0 {
        5
    } else if e >= 520.0 && n > 175.0 {
        4
    } else if n > 230.0 {
        3
    } else if e < 420.0 {
        1
    } else {
        2
    }
}

/// Practice code initials by region, after the old ODS lettering.
pub fn practice_letters(region: usize) -> &'static [u8] {
    match REGIONS[region].0 {
        "Y56" => b"EF",
        "Y58" => b"JL",
        "Y59" => b"GHK",
        "Y60" => b"CM",
        "Y61" => b"D",
        "Y62" => b"NP",
        _ => b"AB",
    }
}

/// `00A`, `01B`, … as in the brief's examples: 2,600 distinct three-character
/// codes (23 is coprime to 26), then five-character ones like merged locations.
fn commissioner_code(i: usize) -> CommissionerCode {
    let letter = |k: usize| (b'A' + (k % 26) as u8) as char;
    let raw = if i < 2600 {
        format!("{:02}{}", i % 100, letter(i / 100 + i))
    } else {
        let j = i - 2600;
        format!("{}{:03}{}", letter(j / 26_000 + 3), (j / 26) % 1000, letter(j))
    };
    CommissionerCode::parse(&raw).expect("commissioner code shape")
}

/// `QA1`, `QA2`, …: Q and two letters or digits.
fn stp_code(i: usize) -> StpCode {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let raw = format!("Q{}{}", ALNUM[(10 + i / 36) % 36] as char, ALNUM[(i + 1) % 36] as char);
    StpCode::parse(&raw).expect("STP code shape")
}

/// The cells in commissioner order: STP by STP, north to south.
pub fn order_cells(cells: &[Cell]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cells.len()).collect();
    let key = |c: &Cell| {
        let (col, row) = c.lattice;
        (-row.div_euclid(2), col.div_euclid(3), -row, col)
    };
    order.sort_by_key(|&i| key(&cells[i]));
    order
}

pub struct Built {
    pub stps: Vec<SynthStp>,
    pub commissioners: Vec<SynthCommissioner>,
}

/// Commissioners for `cells` (already in commissioner order).
pub fn build(cells: &[Cell], places: &mut PlaceNames, rng: &mut Rand) -> Built {
    let mut blocks: BTreeMap<(i64, i64), usize> = BTreeMap::new();
    let mut stp_members: Vec<Vec<usize>> = Vec::new();
    let mut commissioners = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let block = (cell.lattice.0.div_euclid(3), cell.lattice.1.div_euclid(2));
        let stp = *blocks.entry(block).or_insert_with(|| {
            stp_members.push(Vec::new());
            stp_members.len() - 1
        });
        stp_members[stp].push(i);
        let place = places.next(rng);
        commissioners.push(SynthCommissioner {
            code: commissioner_code(i),
            ons_code: format!("E38{:06}", i + 1),
            name: format!("NHS Synthetic {place} CCG"),
            postcode_area: Postcodes::area_for(&place, rng),
            phone_prefix: format!("01{:03}", rng.between(200, 999)),
            district_code: format!("E0{}{:06}", rng.pick(&[6, 7, 7, 8]), 100 + i),
            place,
            stp,
            centre: cell.centre,
        });
    }
    let stps = stp_members
        .iter()
        .enumerate()
        .map(|(k, members)| {
            let (mut e, mut n) = (0.0, 0.0);
            for &m in members {
                e += cells[m].square.easting;
                n += cells[m].square.northing;
            }
            let centre = Point::new(e / members.len() as f64, n / members.len() as f64);
            let first = &commissioners[members[0]].place;
            let name = match members.get(1) {
                Some(&second) => format!("{first} and {} Health and Care Partnership", commissioners[second].place),
                None => format!("{first} Health and Care Partnership"),
            };
            SynthStp { code: stp_code(k), name, region: region_at(centre) }
        })
        .collect();
    Built { stps, commissioners }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_valid_and_distinct() {
        let codes: HashSet<String> = (0..10_000).map(|i| commissioner_code(i).to_string()).collect();
        assert_eq!(codes.len(), 10_000);
        assert_eq!(commissioner_code(0).as_str(), "00A");
        assert_eq!(commissioner_code(1).as_str(), "01B");
        let stps: HashSet<String> = (0..1296).map(|i| stp_code(i).to_string()).collect();
        assert_eq!(stps.len(), 1296);
    }

    #[test]
    fn regions_by_place() {
        let at = |e: f64, n: f64| REGIONS[region_at(Point::new(e * 1000.0, n * 1000.0))].1;
        assert_eq!(at(530.0, 180.0), "London");
        assert_eq!(at(425.0, 565.0), "North East and Yorkshire");
        assert_eq!(at(383.0, 398.0), "North West");
        assert_eq!(at(407.0, 287.0), "Midlands");
        assert_eq!(at(620.0, 300.0), "East of England");
        assert_eq!(at(300.0, 90.0), "South West");
        assert_eq!(at(600.0, 150.0), "South East");
    }
}
