//! Deterministic synthetic England-like areas, written in the real NHS file
//! formats so that they import through exactly the same path as real data.
//!
//! [`generate`] builds an [`Area`]: commissioners tiled over England, practices
//! clustered around towns with lognormal list sizes, and an existing network
//! configuration grown greedily through neighbouring practices (on the same
//! adjacency graph, `pcn_geo::SiteGraph`, that the rule checker judges
//! contiguity by) and then made imperfect the way the real one is (small and
//! oversized networks, unassigned practices, memberships across commissioners,
//! a couple of non-contiguous networks).
//! [`write_files`] writes it as epraccur, registrations, ePCN, QOF prevalence,
//! postcode coordinates, CQC care homes and payments files, in the layouts of
//! a [`Vintage`]: today's England (April 2026: sub-ICB locations, ICBs with
//! five-character codes, the practice map, payments 2024/25) by default, or
//! January 2021 (CCGs and STPs, payments 2020/21). The same [`Config`] and
//! vintage always give byte-identical files.

mod adjacency;
mod bng;
mod care_homes;
mod commissioners;
mod files;
mod geography;
mod imperfections;
mod lists;
mod names;
mod networks;
mod outline;
mod payments;
mod postcodes;
mod practices;
mod qof;
mod random;
mod spatial;

use pcn_core::{CommissionerCode, NetworkCode, PracticeCode, PracticeStatus, RegionCode, StpCode};
use time::Date;
use time::macros::date;

pub use care_homes::SynthCareHome;
pub use files::{Vintage, write_files};

use crate::geography::{Gazetteer, Layout};
use crate::random::Rand;

/// The largest area [`generate`] makes: codes run out not far beyond (five
/// digits of network code, letters of practice code). England has 6,658.
pub const MAX_PRACTICES: usize = 300_000;

/// The registrations extract date, and so the snapshot date of an import.
pub const EXTRACT_DATE: Date = date!(2021 - 01 - 01);
/// PCNs began on 1 July 2019.
pub const PCN_START: Date = date!(2019 - 07 - 01);
/// Practices that changed network did so at the start of 2020/21.
pub const MOVE_DATE: Date = date!(2020 - 04 - 01);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Active GP practices (closed and dormant ones come on top).
    pub practices: usize,
    pub seed: u64,
}

/// A British National Grid position in whole metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub easting: f64,
    pub northing: f64,
}

impl Point {
    pub const fn new(easting: f64, northing: f64) -> Self {
        Self { easting, northing }
    }

    pub fn distance2(self, o: Point) -> f64 {
        (self.easting - o.easting).powi(2) + (self.northing - o.northing).powi(2)
    }

    pub fn distance(self, o: Point) -> f64 {
        self.distance2(o).sqrt()
    }

    fn rounded(self) -> Self {
        Self::new(self.easting.round(), self.northing.round())
    }

    /// Approximate latitude and longitude in degrees (see `bng`).
    pub fn lat_lon(self) -> (f64, f64) {
        bng::to_lat_lon(self.easting, self.northing)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SynthRegion {
    pub code: RegionCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SynthStp {
    pub code: StpCode,
    pub name: String,
    /// Index into [`Area::regions`].
    pub region: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SynthCommissioner {
    pub code: CommissionerCode,
    /// ONS code, `E38…`.
    pub ons_code: String,
    /// "NHS Synthetic Northbridge CCG".
    pub name: String,
    /// The place it is named after, also its largest town.
    pub place: String,
    /// Index into [`Area::stps`].
    pub stp: usize,
    /// The centre its area was drawn around.
    pub centre: Point,
    /// Postcode area letters of its practices, e.g. `NB`.
    pub postcode_area: String,
    /// Telephone area code, e.g. `01632`.
    pub phone_prefix: String,
    /// Local authority district code for the coordinates file.
    pub district_code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    Gms,
    Pms,
    Apms,
}

impl Contract {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gms => "GMS",
            Self::Pms => "PMS",
            Self::Apms => "APMS",
        }
    }
}

/// One QOF disease register row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    pub group: &'static str,
    /// `TOTAL` (the registered list) or an age band such as `18OV`.
    pub list_type: &'static str,
    pub register: u32,
    pub list_size: u32,
}

/// A practice's 2020/21 payments, in pence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payments {
    pub global_sum: i64,
    pub qof: i64,
    /// Only for practices in a network.
    pub pcn_participation: Option<i64>,
    /// Only for a network's payee, and only when homes lie near the network.
    pub pcn_care_home_premium: Option<i64>,
    pub total: i64,
}

/// A membership that ended before the extract date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastMembership {
    /// Index into [`Area::networks`].
    pub network: usize,
    pub start: Date,
    pub end: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SynthPractice {
    pub code: PracticeCode,
    pub name: String,
    /// Up to five address lines (blank lines kept as empty strings).
    pub address: Vec<String>,
    /// Shared with any practice in the same building.
    pub postcode: String,
    pub location: Point,
    /// Index into [`Area::commissioners`].
    pub commissioner: usize,
    pub status: PracticeStatus,
    pub open_date: Date,
    pub close_date: Option<Date>,
    pub phone: String,
    pub rural: bool,
    pub dispensing: bool,
    pub contract: Contract,
    /// Registered patients at the extract date (0 unless active).
    pub registered: u32,
    /// Weighted patients in hundredths (0 unless active).
    pub weighted_hundredths: u64,
    /// Current network: index into [`Area::networks`].
    pub network: Option<usize>,
    /// When the current membership began.
    pub network_start: Option<Date>,
    pub previous: Option<PastMembership>,
    pub registers: Vec<Register>,
    pub payments: Option<Payments>,
}

impl SynthPractice {
    pub fn is_active(&self) -> bool {
        self.status == PracticeStatus::Active
    }

    /// Weighted list as printed: two decimals.
    pub fn weighted_text(&self) -> String {
        format!("{}.{:02}", self.weighted_hundredths / 100, self.weighted_hundredths % 100)
    }
}

/// A non-GP organisation in epraccur (walk-in centre, out-of-hours service…)
/// that an import must leave out.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOrganisation {
    pub code: PracticeCode,
    pub name: String,
    pub address: Vec<String>,
    pub postcode: String,
    pub location: Point,
    pub commissioner: usize,
    /// ODS prescribing setting, never 4 (GP practice).
    pub setting: u8,
    pub open_date: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SynthNetwork {
    pub code: NetworkCode,
    /// "Northbridge Central PCN".
    pub name: String,
    /// Index into [`Area::commissioners`].
    pub commissioner: usize,
    pub open_date: Date,
    pub address: Vec<String>,
    pub postcode: String,
    pub location: Point,
    /// Current members: indices into [`Area::practices`], ascending.
    pub members: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub seed: u64,
    pub extract_date: Date,
    pub regions: Vec<SynthRegion>,
    pub stps: Vec<SynthStp>,
    pub commissioners: Vec<SynthCommissioner>,
    /// The active GP practices, exactly [`Config::practices`], by code.
    pub practices: Vec<SynthPractice>,
    /// Closed and dormant practices (epraccur only), by code.
    pub inactive: Vec<SynthPractice>,
    /// Non-GP organisations in epraccur.
    pub others: Vec<SynthOrganisation>,
    pub networks: Vec<SynthNetwork>,
    /// Care homes in the CQC directory.
    pub care_homes: Vec<SynthCareHome>,
}

impl Area {
    /// Registered patients over all active practices.
    pub fn registered_total(&self) -> u64 {
        self.practices.iter().map(|p| u64::from(p.registered)).sum()
    }

    /// Current (practice, network) memberships as indices.
    pub fn memberships(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.practices.iter().enumerate().filter_map(|(i, p)| Some((i, p.network?)))
    }

    /// A network's registered list: the sum of its current members'.
    pub fn network_registered(&self, network: usize) -> u64 {
        self.networks[network].members.iter().map(|&m| u64::from(self.practices[m].registered)).sum()
    }

    pub fn region_of(&self, commissioner: usize) -> &SynthRegion {
        &self.regions[self.stps[self.commissioners[commissioner].stp].region]
    }
}

/// Builds the area for `cfg`: deterministic in `cfg` alone.
///
/// # Panics
/// If `cfg.practices` is above [`MAX_PRACTICES`].
pub fn generate(cfg: &Config) -> Area {
    assert!(
        cfg.practices <= MAX_PRACTICES,
        "at most {MAX_PRACTICES} practices can be generated (asked for {})",
        cfg.practices
    );
    let n = cfg.practices;
    let mut geo = Rand::for_phase(cfg.seed, "geography");
    let mut naming = Rand::for_phase(cfg.seed, "names");

    // Commissioners of about 50 practices each.
    let wanted_commissioners = ((n as f64 / 50.0).round() as usize).max(1);
    let mut layout = Layout::new(wanted_commissioners, n, &mut geo);
    let closed = ((n as f64 * 0.02).round() as usize).max(1);
    let dormant = 2;
    let active_sites = layout.place(n, true, &mut geo);
    let inactive_sites = layout.place(closed + dormant, false, &mut geo);
    let other_sites = layout.place(2 + n / 500, false, &mut geo);

    // A tile that drew no active practice is no commissioner; the rest go in
    // commissioner order (STP by STP) and everything is assigned to them.
    let owners = layout.assign(&active_sites.iter().map(|s| s.location).collect::<Vec<_>>());
    let mut used = vec![false; layout.cells.len()];
    for &o in &owners {
        used[o] = true;
    }
    let all_cells = commissioners::order_cells(&layout.cells);
    let mut order: Vec<usize> = all_cells.iter().copied().filter(|&i| used[i]).collect();
    if order.is_empty() {
        // No active practice at all: one commissioner still holds the closed ones.
        order.push(all_cells[0]);
    }
    layout.select_cells(&order);

    let mut places = names::PlaceNames::new();
    let built = commissioners::build(&layout.cells, &mut places, &mut naming);
    let gazetteer = name_towns(&layout, &built.commissioners, &mut places, &mut naming);

    let sites = practices::Sites { active: &active_sites, inactive: &inactive_sites, closed, others: &other_sites };
    let mut people = Rand::for_phase(cfg.seed, "lists");
    let mut drafted = practices::build(&sites, &layout, &built, &gazetteer, &mut places, &mut naming, &mut people);

    let mut grouping = Rand::for_phase(cfg.seed, "networks");
    let networks = networks::build(
        &mut drafted.active,
        &built.commissioners,
        &gazetteer,
        &mut drafted.postcodes,
        layout.spacing,
        &mut grouping,
    );

    let mut money = Rand::for_phase(cfg.seed, "payments");
    for p in &mut drafted.active {
        p.payments = Some(payments::payments(p.registered, p.weighted_hundredths, p.network.is_some(), &mut money));
    }

    let mut homes_rng = Rand::for_phase(cfg.seed, "care-homes");
    let care_homes = care_homes::build(&drafted.active, &built.commissioners, &mut drafted.postcodes, &mut homes_rng);
    for (n, premium) in care_homes::premium_by_network(&care_homes, networks.len()).into_iter().enumerate() {
        if let Some(pay) =
            care_homes::payee(&networks[n]).and_then(|p| drafted.active[p].payments.as_mut()).filter(|_| premium > 0)
        {
            pay.pcn_care_home_premium = Some(premium);
            pay.total += premium;
        }
    }

    Area {
        seed: cfg.seed,
        extract_date: EXTRACT_DATE,
        regions: commissioners::regions(),
        stps: built.stps,
        commissioners: built.commissioners,
        practices: drafted.active,
        inactive: drafted.inactive,
        others: drafted.others,
        networks,
        care_homes,
    }
}

/// Names every town; each commissioner's biggest town takes its name.
fn name_towns(
    layout: &Layout,
    commissioners: &[SynthCommissioner],
    places: &mut names::PlaceNames,
    rng: &mut Rand,
) -> Gazetteer {
    let owners = layout.assign(&layout.towns.iter().map(|t| t.centre).collect::<Vec<_>>());
    let mut biggest: Vec<Option<usize>> = vec![None; commissioners.len()];
    for (t, &c) in owners.iter().enumerate() {
        if biggest[c].is_none_or(|b| layout.towns[b].weight < layout.towns[t].weight) {
            biggest[c] = Some(t);
        }
    }
    let mut names: Vec<String> = (0..layout.towns.len()).map(|_| String::new()).collect();
    for (c, b) in biggest.iter().enumerate() {
        if let Some(t) = b {
            names[*t] = commissioners[c].place.clone();
        }
    }
    for name in &mut names {
        if name.is_empty() {
            *name = places.next(rng);
        }
    }
    Gazetteer::new(&layout.towns, names)
}
