//! Synthetic postcodes in the real UK shape: an outward code of one or two
//! letters and a district number (`NB12`), a space, and an inward code of a
//! digit and two letters (`3XY`). One per building, never repeated.

use std::collections::{HashMap, HashSet};

use crate::Point;
use crate::random::Rand;

/// Letters the Royal Mail uses in inward codes (no C, I, K, M, O, V).
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

pub struct Postcodes {
    used: HashSet<String>,
}

impl Postcodes {
    pub fn new() -> Self {
        Self { used: HashSet::new() }
    }

    /// A postcode area for a place: its initial and a later consonant, or
    /// sometimes just the initial (like B, L, M).
    pub fn area_for(place: &str, rng: &mut Rand) -> String {
        let upper: Vec<u8> = place.bytes().filter(u8::is_ascii_alphabetic).map(|b| b.to_ascii_uppercase()).collect();
        let first = match upper.first() {
            Some(b'Q' | b'V' | b'X') | None => b'W',
            Some(&b) => b,
        };
        if rng.chance(0.15) {
            return (first as char).to_string();
        }
        let second = upper[1..]
            .iter()
            .copied()
            .find(|b| !b"AEIOUJZ".contains(b) && *b != first)
            .unwrap_or(*rng.pick(b"BDLMNRST"));
        format!("{}{}", first as char, second as char)
    }

    /// A fresh postcode in `area` district `district` (1..=99), moving to the
    /// next district if that one were ever full.
    pub fn allocate(&mut self, area: &str, district: u32, rng: &mut Rand) -> String {
        let mut d = district.clamp(1, 99);
        loop {
            for _ in 0..64 {
                let pc = format!(
                    "{area}{d} {}{}{}",
                    rng.between(0, 9),
                    *rng.pick(INWARD_LETTERS) as char,
                    *rng.pick(INWARD_LETTERS) as char
                );
                if self.used.insert(pc.clone()) {
                    return pc;
                }
            }
            d = d % 99 + 1;
        }
    }
}

/// Postcodes by building: one per distinct location, districts numbered in
/// each commissioner's area by a grid of sub-tiles.
pub struct PostcodeBook {
    postcodes: Postcodes,
    by_location: HashMap<(i64, i64), String>,
    districts: HashMap<(usize, i64, i64), u32>,
    next_district: Vec<u32>,
    district_size: f64,
}

impl PostcodeBook {
    /// `district_size` in metres: a few districts per commissioner tile.
    pub fn new(commissioners: usize, district_size: f64) -> Self {
        Self {
            postcodes: Postcodes::new(),
            by_location: HashMap::new(),
            districts: HashMap::new(),
            next_district: vec![0; commissioners],
            district_size: district_size.max(500.0),
        }
    }

    /// The postcode of the building at `p`, made if it has none yet.
    pub fn at(&mut self, p: Point, commissioner: usize, area: &str, rng: &mut Rand) -> String {
        let key = (p.easting as i64, p.northing as i64);
        if let Some(pc) = self.by_location.get(&key) {
            return pc.clone();
        }
        let tile = (
            commissioner,
            (p.easting / self.district_size).floor() as i64,
            (p.northing / self.district_size).floor() as i64,
        );
        let district = *self.districts.entry(tile).or_insert_with(|| {
            let n = &mut self.next_district[commissioner];
            *n = *n % 99 + 1;
            *n
        });
        let pc = self.postcodes.allocate(area, district, rng);
        self.by_location.insert(key, pc.clone());
        pc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcn_core::normalise_postcode;

    #[test]
    fn postcodes_have_the_uk_shape_and_do_not_repeat() {
        let mut rng = Rand::for_phase(1, "pc");
        let mut p = Postcodes::new();
        let mut seen = HashSet::new();
        for i in 0..20_000 {
            let area = Postcodes::area_for(if i % 2 == 0 { "Northbridge" } else { "Queensford" }, &mut rng);
            assert!(area.len() <= 2 && area.bytes().all(|b| b.is_ascii_uppercase()), "{area}");
            let pc = p.allocate(&area, 1 + (i % 7) as u32, &mut rng);
            assert_eq!(normalise_postcode(&pc).as_deref(), Some(pc.as_str()));
            assert!(seen.insert(pc));
        }
    }
}
