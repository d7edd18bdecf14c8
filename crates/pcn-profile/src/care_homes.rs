//! Care homes and the networks they fall to. Under the Enhanced Health in
//! Care Homes specification (from 2020/21) every CQC-registered care home is
//! aligned to one network, which is paid the Care Home Premium on its beds.
//! No public file says which network each home is aligned to, so the
//! alignment proposed here is the one a commissioner starts from: the
//! network of the nearest practice that belongs to one.
//!
//! The alignment-gap prompt sets that beside the money: a network paid far
//! less Care Home Premium than the beds nearest it suggest, against what the
//! typical network is paid per nearby bed, probably has homes no network has
//! taken on (or homes aligned elsewhere): the one thing a commissioner must
//! check. The typical rate is the median across networks, so no rate table,
//! part-year start or pro-rating has to be assumed.

use std::collections::{BTreeMap, HashMap};

use pcn_core::{FinancialYear, Money, Snapshot};
use pcn_rules::{Configuration, Model};
use serde::Serialize;

use crate::Prompt;

/// A home further than this from every open member practice falls to no
/// network: it is counted as unaligned rather than stretched to a distant one
/// (a partial import, or a home across a border the snapshot does not cover).
pub const MAX_DISTANCE_KM: f64 = 20.0;

/// The published payments column of the premium.
pub const PREMIUM_COLUMN: &str = "PCN Care Home Premium";

/// A care home and the network it falls to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedHome {
    pub location_id: String,
    pub name: String,
    pub postcode: Option<String>,
    pub beds: u32,
    pub nursing: bool,
    /// The nearest practice in a network, and how far it is (km, one decimal).
    pub nearest_practice: String,
    pub distance_km: f64,
    /// WGS84, for maps.
    pub lat: f64,
    pub lon: f64,
}

/// The care homes nearest a network's practices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkCareHomes {
    pub network: String,
    pub homes: usize,
    pub beds: u64,
    pub nursing_beds: u64,
    /// Beds per 1,000 registered patients: network, commissioner, England.
    pub beds_per_1000: [Option<f64>; 3],
    /// Care Home Premium paid to the network's rows of the payments file, by year.
    pub premium_paid: Vec<PremiumPaid>,
    /// Largest first.
    pub list: Vec<AlignedHome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PremiumPaid {
    pub year: String,
    pub paid: Money,
}

/// Every network's care homes (in network order), and the homes no network could take.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    pub networks: Vec<NetworkCareHomes>,
    /// Homes without a location (postcode not found, no latitude and longitude).
    pub unlocated: usize,
    /// Located homes with no open member practice within [`MAX_DISTANCE_KM`].
    pub unaligned: usize,
    pub homes: usize,
    pub beds: u64,
}

/// A site: easting, northing (metres) and its id.
type Site = (f64, f64, u32);

/// A uniform grid over practice sites for nearest-neighbour search.
struct Grid {
    cell: f64,
    cells: HashMap<(i64, i64), Vec<Site>>,
}

impl Grid {
    fn new(points: impl Iterator<Item = Site>, cell: f64) -> Self {
        let mut cells: HashMap<(i64, i64), Vec<Site>> = HashMap::new();
        for p in points {
            cells.entry(Self::key(p.0, p.1, cell)).or_default().push(p);
        }
        Self { cell, cells }
    }

    /// Open member practices in 5 km cells.
    fn of_sites(points: impl Iterator<Item = Site>) -> Self {
        Self::new(points, 5_000.0)
    }

    /// The site a located care home falls to: the nearest within [`MAX_DISTANCE_KM`].
    fn aligning(&self, at: pcn_core::Location) -> Option<(u32, f64)> {
        self.nearest(at.easting, at.northing).filter(|(_, d)| *d <= MAX_DISTANCE_KM * 1000.0)
    }

    fn key(x: f64, y: f64, cell: f64) -> (i64, i64) {
        ((x / cell).floor() as i64, (y / cell).floor() as i64)
    }

    /// The nearest point and its distance; rings of cells widen until no
    /// unseen cell can hold anything nearer. Ties go to the lower id.
    fn nearest(&self, x: f64, y: f64) -> Option<(u32, f64)> {
        if self.cells.is_empty() {
            return None;
        }
        let (cx, cy) = Self::key(x, y, self.cell);
        let mut best: Option<(u32, f64)> = None;
        for r in 0i64.. {
            // Everything in ring r is at least (r - 1) cells away.
            if let Some((_, d)) = best
                && d < (r - 1) as f64 * self.cell
            {
                break;
            }
            if r > 2_000 {
                break;
            }
            for dx in -r..=r {
                for dy in -r..=r {
                    if dx.abs() != r && dy.abs() != r {
                        continue;
                    }
                    for &(px, py, id) in self.cells.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                        let d = ((px - x).powi(2) + (py - y).powi(2)).sqrt();
                        if best.is_none_or(|(bid, bd)| d < bd || (d == bd && id < bid)) {
                            best = Some((id, d));
                        }
                    }
                }
            }
        }
        best
    }
}

fn per_1000(beds: u64, registered: i64) -> Option<f64> {
    (registered > 0).then(|| (beds as f64 * 1000.0 / registered as f64 * 100.0).round() / 100.0)
}

/// Aligns every located care home to the network of its nearest member practice.
pub fn align(model: &Model, snap: &Snapshot, config: &Configuration) -> Alignment {
    let networks_of = config.networks_of(model.practices.len());
    let grid = Grid::of_sites(model.practices.iter().enumerate().filter_map(|(i, p)| {
        let (x, y) = p.location?;
        (p.active && !networks_of[i].is_empty()).then_some((x, y, i as u32))
    }));
    let mut by_network: Vec<Vec<AlignedHome>> = vec![Vec::new(); model.networks.len()];
    let (mut unlocated, mut unaligned) = (0, 0);
    for h in &snap.care_homes {
        let Some(loc) = h.location else {
            unlocated += 1;
            continue;
        };
        let Some((p, d)) = grid.aligning(loc) else {
            unaligned += 1;
            continue;
        };
        let n = networks_of[p as usize][0];
        by_network[n as usize].push(AlignedHome {
            location_id: h.location_id.clone(),
            name: h.name.clone(),
            postcode: h.postcode.clone(),
            beds: h.beds,
            nursing: h.nursing,
            nearest_practice: model.practices[p as usize].code.to_string(),
            distance_km: (d / 100.0).round() / 10.0,
            lat: loc.lat,
            lon: loc.lon,
        });
    }
    // Registered lists and beds by commissioner and for England, over networks.
    let registered: Vec<i64> =
        config.members.iter().map(|m| m.iter().map(|&p| model.practices[p as usize].registered).sum()).collect();
    let beds: Vec<u64> = by_network.iter().map(|l| l.iter().map(|h| u64::from(h.beds)).sum()).collect();
    let mut by_commissioner: HashMap<&str, (u64, i64)> = HashMap::new();
    for (n, net) in model.networks.iter().enumerate() {
        if let Some(c) = &net.commissioner {
            let e = by_commissioner.entry(c.as_str()).or_default();
            e.0 += beds[n];
            e.1 += registered[n];
        }
    }
    let england = (beds.iter().sum::<u64>(), registered.iter().sum::<i64>());
    let paid = premium_by_network(snap);
    let networks = by_network
        .into_iter()
        .enumerate()
        .map(|(n, mut list)| {
            list.sort_by(|a, b| b.beds.cmp(&a.beds).then_with(|| a.location_id.cmp(&b.location_id)));
            let code = model.networks[n].code.to_string();
            let comm = model.networks[n].commissioner.as_ref().and_then(|c| by_commissioner.get(c.as_str()));
            NetworkCareHomes {
                homes: list.len(),
                beds: beds[n],
                nursing_beds: list.iter().filter(|h| h.nursing).map(|h| u64::from(h.beds)).sum(),
                beds_per_1000: [
                    per_1000(beds[n], registered[n]),
                    comm.and_then(|c| per_1000(c.0, c.1)),
                    per_1000(england.0, england.1),
                ],
                premium_paid: paid
                    .get(code.as_str())
                    .map(|by_year| by_year.iter().map(|(y, m)| PremiumPaid { year: y.to_string(), paid: *m }).collect())
                    .unwrap_or_default(),
                network: code,
                list,
            }
        })
        .collect();
    Alignment {
        networks,
        unlocated,
        unaligned,
        homes: snap.care_homes.len(),
        beds: snap.care_homes.iter().map(|h| u64::from(h.beds)).sum(),
    }
}

/// Beds per network for the Care Home Premium, estimated when no alignment
/// file is given: each located home's beds go to the network of its nearest
/// open practice among the snapshot's current members, within
/// [`MAX_DISTANCE_KM`] (as [`align`] does for a configuration). Every network
/// of the snapshot has a figure, 0 when no home falls to it, so the premium
/// is computed (and reconciled) for all of them.
pub fn beds_by_network(snap: &Snapshot) -> HashMap<String, rust_decimal::Decimal> {
    if snap.care_homes.is_empty() {
        return HashMap::new();
    }
    let mut out: HashMap<String, rust_decimal::Decimal> =
        snap.networks.iter().map(|n| (n.code.to_string(), rust_decimal::Decimal::ZERO)).collect();
    let located: HashMap<&pcn_core::PracticeCode, pcn_core::Location> =
        snap.practices.iter().filter(|p| p.is_active_gp()).filter_map(|p| Some((&p.code, p.location?))).collect();
    // Sites in practice order, so ties go to the same practice as in `align`;
    // a practice in two networks (an error the checker reports) counts for the first.
    let mut sites: BTreeMap<&pcn_core::PracticeCode, &pcn_core::NetworkCode> = BTreeMap::new();
    for m in snap.current_memberships().filter(|m| located.contains_key(&m.practice)) {
        sites.entry(&m.practice).or_insert(&m.network);
    }
    let sites: Vec<(&pcn_core::PracticeCode, &pcn_core::NetworkCode)> = sites.into_iter().collect();
    let grid =
        Grid::of_sites(sites.iter().enumerate().map(|(i, (p, _))| (located[p].easting, located[p].northing, i as u32)));
    for h in &snap.care_homes {
        if let Some((i, _)) = h.location.and_then(|loc| grid.aligning(loc)) {
            *out.entry(sites[i as usize].1.to_string()).or_default() += rust_decimal::Decimal::from(h.beds);
        }
    }
    out
}

/// The estimated beds and how to say where they came from, or None when the
/// snapshot has no CQC directory to estimate from.
pub fn estimated_beds(snap: &Snapshot) -> Option<(HashMap<String, rust_decimal::Decimal>, String)> {
    (!snap.care_homes.is_empty()).then(|| {
        let source = format!(
            "estimated from the {} care homes of the CQC directory, each to its nearest member practice's network (agreed alignments may differ)",
            snap.care_homes.len()
        );
        (beds_by_network(snap), source)
    })
}

/// Care Home Premium by network and year, from the payments rows (paid to the
/// nominated payee, so summed over the rows that carry the network's code).
fn premium_by_network(snap: &Snapshot) -> HashMap<&str, BTreeMap<FinancialYear, Money>> {
    let mut out: HashMap<&str, BTreeMap<FinancialYear, Money>> = HashMap::new();
    for row in &snap.payments {
        let Some(n) = &row.network else { continue };
        let Some((_, m)) = row.items.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(PREMIUM_COLUMN)) else {
            continue;
        };
        let e = out.entry(n.as_str()).or_default().entry(row.year).or_insert(Money::ZERO);
        *e += *m;
    }
    out
}

/// "1 care home", "8 care homes".
pub fn homes_text(n: usize) -> String {
    format!("{n} care home{}", if n == 1 { "" } else { "s" })
}

/// Networks paid far less premium than the beds nearest them suggest: paid
/// under `share` of what the median network is paid per nearby bed, with at
/// least `min_beds` beds near it. One prompt per network, for the latest year
/// the payments carry the premium.
pub fn alignment_prompts(a: &Alignment, share: f64, min_beds: u64) -> Vec<Prompt> {
    let Some(year) = a.networks.iter().flat_map(|n| n.premium_paid.iter().map(|p| p.year.clone())).max() else {
        return Vec::new();
    };
    let paid_pence =
        |n: &NetworkCareHomes| n.premium_paid.iter().find(|p| p.year == year).map_or(0, |p| p.paid.pence().max(0));
    let paid_in = |n: &NetworkCareHomes| paid_pence(n) as f64 / 100.0;
    let mut per_bed: Vec<f64> =
        a.networks.iter().filter(|n| n.beds > 0 && paid_in(n) > 0.0).map(|n| paid_in(n) / n.beds as f64).collect();
    if per_bed.len() < 5 {
        return Vec::new();
    }
    per_bed.sort_by(f64::total_cmp);
    let mid = per_bed.len() / 2;
    let median = if per_bed.len().is_multiple_of(2) { (per_bed[mid - 1] + per_bed[mid]) / 2.0 } else { per_bed[mid] };
    let mut out: Vec<Prompt> = a
        .networks
        .iter()
        .filter(|n| n.beds >= min_beds)
        .filter_map(|n| {
            let paid = paid_in(n);
            let covered = paid / median;
            (covered < share * n.beds as f64).then(|| Prompt {
                network: n.network.clone(),
                id: "ehch.alignment-gap",
                message: format!(
                    "{} with {} beds {} nearest this network's practices, but the Care Home Premium paid to it for {year} ({}) covers about {covered:.0} beds at the median network's £{median:.2} per nearby bed: check with the commissioner that every home is aligned to a network (Enhanced Health in Care Homes; the directory is the snapshot's, which may be later than {year})",
                    homes_text(n.homes),
                    n.beds,
                    if n.homes == 1 { "is" } else { "are" },
                    Money::from_pence(paid_pence(n)),
                ),
                observed: covered.round(),
                expected: n.beds as f64,
                z: ((covered / n.beds as f64) * 100.0).round() / 100.0,
            })
        })
        .collect();
    out.sort_by(|a, b| a.z.total_cmp(&b.z).then_with(|| a.network.cmp(&b.network)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_finds_the_same_nearest_point_as_a_full_scan() {
        // A deterministic scatter over 200 km, some clustered, some far apart.
        let mut s: u64 = 7;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) as f64 / (1u64 << 31) as f64
        };
        let points: Vec<(f64, f64, u32)> = (0..300)
            .map(|i| (next() * 200_000.0, next() * 200_000.0 * if i % 3 == 0 { 0.1 } else { 1.0 }, i))
            .collect();
        let grid = Grid::new(points.iter().copied(), 5_000.0);
        for _ in 0..500 {
            let (x, y) = (next() * 260_000.0 - 30_000.0, next() * 260_000.0 - 30_000.0);
            let want = points
                .iter()
                .map(|&(px, py, id)| (id, ((px - x).powi(2) + (py - y).powi(2)).sqrt()))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .unwrap();
            assert_eq!(grid.nearest(x, y), Some(want), "at ({x}, {y})");
        }
        assert_eq!(Grid::new(std::iter::empty(), 5_000.0).nearest(0.0, 0.0), None);
    }

    fn net(code: &str, beds: u64, paid_pounds: i64) -> NetworkCareHomes {
        NetworkCareHomes {
            network: code.into(),
            homes: (beds / 40) as usize,
            beds,
            nursing_beds: 0,
            beds_per_1000: [None; 3],
            premium_paid: vec![PremiumPaid { year: "2020/21".into(), paid: Money::from_pence(paid_pounds * 100) }],
            list: vec![],
        }
    }

    #[test]
    fn only_networks_paid_far_below_their_nearby_beds_are_prompted() {
        // Six networks paid £60 a bed, one paid for a quarter of its beds, one
        // small one paid nothing (under the bed threshold), one with no beds.
        let mut nets: Vec<NetworkCareHomes> =
            (0..6).map(|i| net(&format!("U0000{i}"), 100 + 20 * i, 60 * (100 + 20 * i) as i64)).collect();
        nets.push(net("U00010", 400, 60 * 100));
        nets.push(net("U00011", 10, 0));
        nets.push(net("U00012", 0, 0));
        let a = Alignment { networks: nets, unlocated: 0, unaligned: 0, homes: 0, beds: 0 };
        let got = alignment_prompts(&a, 0.5, 20);
        assert_eq!(got.iter().map(|p| p.network.as_str()).collect::<Vec<_>>(), vec!["U00010"]);
        assert_eq!(got[0].observed, 100.0);
        assert_eq!(got[0].expected, 400.0);
        assert!(got[0].message.contains("£6,000.00") && got[0].message.contains("£60.00"), "{}", got[0].message);
        // Without enough paid networks to judge the typical rate, nothing is said.
        let few = Alignment { networks: a.networks[..3].to_vec(), ..a.clone() };
        assert!(alignment_prompts(&few, 0.5, 20).is_empty());
    }
}
