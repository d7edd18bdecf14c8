//! Care homes near the practices, as the CQC directory lists them, and the
//! Care Home Premium each network is paid for the homes nearest its
//! practices (2020/21: £60 a bed, paid from August 2020).
//!
//! A few networks are paid for only 30% of their beds, as if some homes near
//! them were aligned to no network, so the demo has alignment gaps to find (30%:
//! not a whole number of months of the year's premium, which reconciliation
//! would explain as a part year).

use crate::postcodes::PostcodeBook;
use crate::random::Rand;
use crate::spatial::Grid;
use crate::{Point, SynthCommissioner, SynthNetwork, SynthPractice, names};

/// England has about one care home per 4,000 registered patients.
const PATIENTS_PER_HOME: u64 = 4_000;
/// The 2020/21 premium per bed, in pence (£7.50 a month for eight months).
pub const PREMIUM_PENCE_PER_BED: i64 = 6_000;
/// Every network whose index leaves this remainder is paid 30% of its premium.
const UNDERPAID_EVERY: usize = 13;
const UNDERPAID_AT: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct SynthCareHome {
    /// CQC location ID, `1-` and ten digits.
    pub location_id: String,
    pub name: String,
    pub postcode: String,
    pub location: Point,
    /// Index into [`crate::Area::commissioners`] (of the nearest practice).
    pub commissioner: usize,
    pub beds: u32,
    pub nursing: bool,
    /// The network of the nearest practice in a network, if any.
    pub network: Option<usize>,
}

pub fn build(
    practices: &[SynthPractice],
    commissioners: &[SynthCommissioner],
    postcodes: &mut PostcodeBook,
    rng: &mut Rand,
) -> Vec<SynthCareHome> {
    let active: Vec<&SynthPractice> = practices.iter().filter(|p| p.is_active()).collect();
    if active.is_empty() {
        return Vec::new();
    }
    let total: u64 = active.iter().map(|p| u64::from(p.registered)).sum();
    let wanted = (total / PATIENTS_PER_HOME).max(1) as usize;
    let points: Vec<Point> = practices.iter().map(|p| p.location).collect();
    let grid = Grid::new(&points, Grid::cell_for(&points, 4.0));
    (0..wanted)
        .map(|i| {
            let anchor = active[rng.below(active.len())];
            let (angle, radius) = (rng.uniform(0.0, std::f64::consts::TAU), rng.uniform(200.0, 2_500.0));
            let location = Point::new(
                (anchor.location.easting + radius * angle.cos()).round(),
                (anchor.location.northing + radius * angle.sin()).round(),
            );
            let nearest = grid.nearest(location, |j| practices[j].is_active() && practices[j].network.is_some());
            let commissioner = anchor.commissioner;
            let nursing = rng.chance(0.35);
            let kind = *rng.pick(&["House", "Lodge", "Court", "Manor", "Grange", "View"]);
            let name =
                format!("{} {kind}{}", names::feature(rng), if nursing { " Nursing Home" } else { " Care Home" });
            let com = &commissioners[commissioner];
            SynthCareHome {
                location_id: format!("1-{}", 1_000_000_000 + i as u64 * 7_919),
                name,
                postcode: postcodes.at(location, commissioner, &com.postcode_area, rng),
                location,
                commissioner,
                beds: rng.between(8, 80),
                nursing,
                network: nearest.and_then(|j| practices[j].network),
            }
        })
        .collect()
}

/// The premium each network is paid, in pence, for the beds nearest it.
pub fn premium_by_network(homes: &[SynthCareHome], networks: usize) -> Vec<i64> {
    let mut beds = vec![0i64; networks];
    for h in homes {
        if let Some(n) = h.network {
            beds[n] += i64::from(h.beds);
        }
    }
    beds.iter()
        .enumerate()
        .map(|(n, b)| {
            let full = b * PREMIUM_PENCE_PER_BED;
            if n % UNDERPAID_EVERY == UNDERPAID_AT { full * 3 / 10 } else { full }
        })
        .collect()
}

/// The payee of a network's premium: its first member, as a nominated payee.
pub fn payee(network: &SynthNetwork) -> Option<usize> {
    network.members.first().copied()
}
