//! Practices (active, closed, dormant) and the non-GP organisations that share
//! epraccur with them: codes, names, addresses, postcodes, dates, lists.

use std::collections::HashSet;

use pcn_core::{PracticeCode, PracticeStatus};
use time::Date;
use time::macros::date;

use crate::commissioners::{Built, practice_letters};
use crate::geography::{Gazetteer, Layout, Placed};
use crate::names::{self, PlaceNames};
use crate::postcodes::PostcodeBook;
use crate::random::Rand;
use crate::{Point, SynthOrganisation, SynthPractice, lists, payments, qof};

/// Where everything was placed, by kind.
pub struct Sites<'a> {
    pub active: &'a [Placed],
    /// Closed practices first, then dormant ones.
    pub inactive: &'a [Placed],
    pub closed: usize,
    pub others: &'a [Placed],
}

pub struct Drafted {
    pub active: Vec<SynthPractice>,
    pub inactive: Vec<SynthPractice>,
    pub others: Vec<SynthOrganisation>,
    /// Kept for network addresses, so no postcode is handed out twice.
    pub postcodes: PostcodeBook,
}

/// Non-GP prescribing settings with what such an organisation is called.
const OTHER_SETTINGS: &[(u8, &str)] = &[
    (0, "Community Services"),
    (1, "Walk-in Centre"),
    (2, "Out of Hours Service"),
    (9, "Community Health Service"),
    (12, "Urgent Treatment Centre"),
];

/// Practice codes: a region letter and five digits, each commissioner
/// starting a fresh hundred while the letter has room (A81001, A81101, …).
struct CodeBook {
    next: [u32; 26],
    consumed: [u32; 26],
}

const FIRST_NUMBER: u32 = 81_001;
const NUMBERS_PER_LETTER: u32 = 89_999; // 10001..=99999, starting at 81001 and wrapping

impl CodeBook {
    fn new() -> Self {
        Self { next: [FIRST_NUMBER; 26], consumed: [0; 26] }
    }

    fn start_block(&mut self, letter: u8) {
        let l = usize::from(letter - b'A');
        let skip = (100 - (self.next[l] - 1) % 100) % 100;
        if self.consumed[l] + skip < NUMBERS_PER_LETTER / 2 {
            for _ in 0..skip {
                self.advance(l);
            }
        }
    }

    fn advance(&mut self, l: usize) {
        self.next[l] = if self.next[l] >= 99_999 { 10_001 } else { self.next[l] + 1 };
        self.consumed[l] += 1;
    }

    /// A fresh code, from `letter` or, when that is used up, any free letter.
    fn take(&mut self, letter: u8) -> PracticeCode {
        let fallback = b"ABCDEFGHJKLMNP";
        let l = std::iter::once(letter)
            .chain(fallback.iter().copied())
            .map(|b| usize::from(b - b'A'))
            .find(|&l| self.consumed[l] < NUMBERS_PER_LETTER)
            .expect("practice codes exhausted (MAX_PRACTICES guards this)");
        let code = format!("{}{:05}", (b'A' + l as u8) as char, self.next[l]);
        self.advance(l);
        PracticeCode::parse(&code).expect("practice code shape")
    }
}

fn random_date(rng: &mut Rand, from: Date, to: Date) -> Date {
    let span = (to.to_julian_day() - from.to_julian_day()).max(0) as u32;
    Date::from_julian_day(from.to_julian_day() + rng.between(0, span) as i32).expect("date in range")
}

/// Most practices carry ODS's default open date of 1 April 1974.
fn open_date(rng: &mut Rand) -> Date {
    if rng.chance(0.55) {
        date!(1974 - 04 - 01)
    } else {
        random_date(rng, date!(1975 - 01 - 01), date!(2018 - 12 - 31))
    }
}

/// Five address lines, blanks last: building, street, locality, town, county.
fn address(rng: &mut Rand, locality: Option<String>, town: &str, county: String) -> Vec<String> {
    let building = rng.chance(0.35).then(|| names::building(rng));
    let street = format!("{} {}", rng.between(1, 250), rng.pick(names::STREETS));
    let mut lines: Vec<String> =
        [building, Some(street), locality, Some(town.to_string()), Some(county)].into_iter().flatten().collect();
    lines.resize(5, String::new());
    lines
}

pub fn build(
    sites: &Sites<'_>,
    layout: &Layout,
    built: &Built,
    towns: &Gazetteer,
    places: &mut PlaceNames,
    rng: &mut Rand,
    people: &mut Rand,
) -> Drafted {
    let commissioners = &built.commissioners;
    let (n_active, n_inactive) = (sites.active.len(), sites.inactive.len());
    let all: Vec<&Placed> = sites.active.iter().chain(sites.inactive).chain(sites.others).collect();
    let owners = layout.assign(&all.iter().map(|s| s.location).collect::<Vec<Point>>());

    // Codes: commissioner by commissioner, north to south within each.
    let mut by_commissioner: Vec<Vec<usize>> = vec![Vec::new(); commissioners.len()];
    for (i, &c) in owners.iter().enumerate() {
        by_commissioner[c].push(i);
    }
    let mut book = CodeBook::new();
    let mut region_rank = [0usize; 8];
    let mut codes: Vec<Option<PracticeCode>> = vec![None; all.len()];
    let mut other_number = 1001;
    for (c, ids) in by_commissioner.iter_mut().enumerate() {
        let loc = |i: usize| all[i].location;
        ids.sort_by(|&a, &b| {
            loc(b).northing.total_cmp(&loc(a).northing).then(loc(a).easting.total_cmp(&loc(b).easting)).then(a.cmp(&b))
        });
        let region = built.stps[commissioners[c].stp].region;
        let letters = practice_letters(region);
        let letter = letters[region_rank[region] % letters.len()];
        region_rank[region] += 1;
        book.start_block(letter);
        for &i in ids.iter() {
            codes[i] = Some(if i >= n_active + n_inactive {
                other_number += 1;
                PracticeCode::parse(&format!("Y{:05}", other_number - 1)).expect("Y code shape")
            } else {
                book.take(letter)
            });
        }
    }

    let district_size = layout.spacing / 3.0;
    let mut postcodes = PostcodeBook::new(commissioners.len(), district_size);
    let mut used_names: HashSet<(usize, String)> = HashSet::new();
    let mut practices: Vec<SynthPractice> = Vec::with_capacity(n_active + n_inactive);
    for (i, site) in all.iter().enumerate().take(n_active + n_inactive) {
        let c = owners[i];
        let com = &commissioners[c];
        let rural = site.town.is_none();
        let town = site.town.unwrap_or_else(|| towns.nearest(site.location));
        let town_name = &towns.names[town];
        // Names repeat across England ("The Surgery"), but not within a town.
        let mut name = names::practice(rng, town_name);
        for _ in 0..20 {
            if !used_names.contains(&(town, name.clone())) {
                break;
            }
            name = names::practice(rng, town_name);
        }
        used_names.insert((town, name.clone()));
        // A shared building has one address.
        let address = match site.colocated_with {
            Some(j) => practices[j].address.clone(),
            None => {
                let locality = if rural { Some(places.next(rng)) } else { None };
                address(rng, locality, town_name, names::county(&com.place))
            }
        };
        let postcode = postcodes.at(site.location, c, &com.postcode_area, rng);
        let (status, close_date) = match i.checked_sub(n_active) {
            None => (PracticeStatus::Active, None),
            Some(k) if k < sites.closed => {
                (PracticeStatus::Closed, Some(random_date(rng, date!(2019 - 04 - 01), date!(2020 - 12 - 31))))
            }
            Some(_) => (PracticeStatus::Dormant, None),
        };
        let mut p = SynthPractice {
            code: codes[i].clone().expect("every site has a code"),
            name,
            address,
            postcode,
            location: site.location,
            commissioner: c,
            status,
            open_date: open_date(rng),
            close_date,
            phone: format!("{} {:06}", com.phone_prefix, rng.between(100_000, 999_999)),
            rural,
            dispensing: (rural && rng.chance(0.35)) || rng.chance(0.01),
            contract: payments::contract(rng),
            registered: 0,
            weighted_hundredths: 0,
            network: None,
            network_start: None,
            previous: None,
            registers: Vec::new(),
            payments: None,
        };
        if p.is_active() {
            let pop = lists::population(rural, people);
            p.registered = pop.registered;
            p.weighted_hundredths = pop.weighted_hundredths;
            p.registers = qof::registers(&pop, people);
        }
        practices.push(p);
    }

    let mut others = Vec::with_capacity(sites.others.len());
    for (i, site) in all.iter().enumerate().skip(n_active + n_inactive) {
        let c = owners[i];
        let com = &commissioners[c];
        let town_name = &towns.names[site.town.unwrap_or_else(|| towns.nearest(site.location))];
        let (setting, kind) = *rng.pick(OTHER_SETTINGS);
        others.push(SynthOrganisation {
            code: codes[i].clone().expect("every site has a code"),
            name: format!("{town_name} {kind}"),
            address: address(rng, None, town_name, names::county(&com.place)),
            postcode: postcodes.at(site.location, c, &com.postcode_area, rng),
            location: site.location,
            commissioner: c,
            setting,
            open_date: random_date(rng, date!(2000 - 01 - 01), date!(2018 - 12 - 31)),
        });
    }
    others.sort_by(|a, b| a.code.cmp(&b.code));

    let mut inactive = practices.split_off(n_active);
    practices.sort_by(|a, b| a.code.cmp(&b.code));
    inactive.sort_by(|a, b| a.code.cmp(&b.code));
    Drafted { active: practices, inactive, others, postcodes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_start_fresh_hundreds_and_never_repeat() {
        let mut b = CodeBook::new();
        b.start_block(b'A');
        assert_eq!(b.take(b'A').as_str(), "A81001");
        assert_eq!(b.take(b'A').as_str(), "A81002");
        b.start_block(b'A');
        assert_eq!(b.take(b'A').as_str(), "A81101");
        let mut seen = HashSet::new();
        for _ in 0..200_000 {
            assert!(seen.insert(b.take(b'D')));
        }
    }
}
