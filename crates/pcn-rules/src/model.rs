//! A snapshot prepared for checking: practices and networks by index, each
//! practice's registered list and site, the site adjacency graph, and the
//! rural facts a waiver needs. Built once (the graph is the costly part);
//! every check and every what-if edit reuses it.

use std::collections::HashMap;

use pcn_core::{CommissionerCode, Hierarchy, NetworkCode, PracticeCode, Snapshot};
use pcn_geo::{Land, PruneRule, SiteGraph};
use rust_decimal::prelude::ToPrimitive;
use time::Date;

#[derive(Debug, Clone)]
pub struct PracticeFacts {
    pub code: PracticeCode,
    pub name: Option<String>,
    pub commissioner: Option<CommissionerCode>,
    /// Registered patients from the best list source (0 when none).
    pub registered: i64,
    /// Open GP practice (status active).
    pub active: bool,
    pub contract_type: Option<String>,
    /// BNG metres.
    pub location: Option<(f64, f64)>,
    /// Site in the graph, for located practices.
    pub site: Option<u32>,
    /// ONS 2011 rural-urban class of the nearest LSOA (by population-weighted centroid).
    pub ruc: Option<String>,
    /// IMD 2019 decile (1 = most deprived) of the same nearest LSOA.
    pub imd_decile: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct NetworkFacts {
    pub code: NetworkCode,
    pub name: Option<String>,
    pub commissioner: Option<CommissionerCode>,
    /// Open on the snapshot's date. A snapshot keeps closed networks as
    /// history (ePCN workbooks list them); the rules judge only open ones.
    pub open: bool,
}

/// Who is in which network: the thing a configuration is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configuration {
    /// Members of each network (practice indices, ascending).
    pub members: Vec<Vec<u32>>,
}

impl Configuration {
    /// Networks each practice belongs to.
    pub fn networks_of(&self, practices: usize) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); practices];
        for (n, ms) in self.members.iter().enumerate() {
            for &p in ms {
                out[p as usize].push(n as u32);
            }
        }
        out
    }

    /// Moves practice `p` out of every network and into `to` (or none).
    pub fn assign(&mut self, p: u32, to: Option<u32>) {
        for ms in &mut self.members {
            ms.retain(|&x| x != p);
        }
        if let Some(n) = to {
            let ms = &mut self.members[n as usize];
            let at = ms.binary_search(&p).unwrap_or_else(|i| i);
            ms.insert(at, p);
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub as_of: Date,
    pub practices: Vec<PracticeFacts>,
    pub networks: Vec<NetworkFacts>,
    pub practice_index: HashMap<PracticeCode, u32>,
    pub network_index: HashMap<NetworkCode, u32>,
    pub graph: SiteGraph,
    /// Practices at each site.
    pub site_practices: Vec<Vec<u32>>,
    /// The date of the registered lists most practices use, and how many use it.
    pub list_date: Option<(Date, usize)>,
    pub land: Option<Land>,
    /// Whether LSOA rurality was available for waiver evidence.
    pub has_rurality: bool,
    /// How long the adjacency graph took to build.
    pub graph_build: std::time::Duration,
    /// Region → ICB → sub-ICB location, and the tiers' names on the snapshot's date.
    pub hierarchy: Hierarchy,
}

/// ONS RUC 2011 classes "in a sparse setting".
pub fn is_sparse(ruc: &str) -> bool {
    matches!(ruc, "C2" | "D2" | "E2")
}

impl Model {
    /// Prepares a snapshot. Boundaries in the snapshot become land for the
    /// water rule and for clipping areas; a boundary that cannot be read is
    /// reported in the returned warnings, not fatal.
    pub fn build(snap: &Snapshot, rule: PruneRule) -> (Model, Vec<String>) {
        let mut warnings = Vec::new();
        let as_of = snap.as_of.unwrap_or(time::macros::date!(2000 - 01 - 01));
        let registered = snap.registered_lists();
        let mut dates: HashMap<Date, usize> = HashMap::new();
        for (_, ls) in registered.values() {
            *dates.entry(ls.as_of).or_default() += 1;
        }
        let list_date = dates.into_iter().max_by_key(|(d, n)| (*n, *d));

        let land = if snap.boundaries.is_empty() {
            None
        } else {
            let items = snap.boundaries.iter().filter_map(|b| {
                let key = b.commissioner.as_ref().map(|c| c.to_string()).or_else(|| b.ons_code.clone())?;
                Some((key, b.geometry_json.as_str()))
            });
            match Land::from_geojson(items) {
                Ok(l) => Some(l),
                Err(e) => {
                    warnings.push(format!("boundaries not used: {e}"));
                    None
                }
            }
        };

        let members_now: std::collections::HashSet<&PracticeCode> =
            snap.current_memberships().map(|m| &m.practice).collect();
        let mut practices: Vec<PracticeFacts> = snap
            .practices
            .iter()
            .map(|p| PracticeFacts {
                code: p.code.clone(),
                name: p.name.clone(),
                commissioner: p.commissioner.clone(),
                registered: registered.get(&p.code).and_then(|(n, _)| n.round().to_i64()).unwrap_or(0),
                active: p.is_active_gp(),
                contract_type: p.contract_type.clone(),
                location: p.location.map(|l| (l.easting, l.northing)),
                site: None,
                ruc: None,
                imd_decile: None,
            })
            .collect();

        // The graph holds the practices that matter: open ones and current members.
        let in_graph: Vec<usize> = practices
            .iter()
            .enumerate()
            .filter(|(_, p)| p.location.is_some() && (p.active || members_now.contains(&p.code)))
            .map(|(i, _)| i)
            .collect();
        let points: Vec<(f64, f64)> = in_graph.iter().map(|&i| practices[i].location.expect("filtered")).collect();
        let started = std::time::Instant::now();
        let mut graph = SiteGraph::build(&points, land.as_ref(), rule);
        // Islands too small to be a network on their own get an explicit link
        // to the nearest practice (the Isles of Scilly to Penzance).
        let mut site_weight = vec![0.0; graph.sites.len()];
        for (k, &i) in in_graph.iter().enumerate() {
            site_weight[graph.site_of[k] as usize] += practices[i].registered as f64;
        }
        graph.link_islands(&site_weight, pcn_core::limits::FLOOR as f64);
        let graph_build = started.elapsed();
        let mut site_practices = vec![Vec::new(); graph.sites.len()];
        for (k, &i) in in_graph.iter().enumerate() {
            let s = graph.site_of[k];
            practices[i].site = Some(s);
            site_practices[s as usize].push(i as u32);
        }

        let has_rurality = nearest_rurality(snap, &mut practices);
        let practice_index = practices.iter().enumerate().map(|(i, p)| (p.code.clone(), i as u32)).collect();
        let networks: Vec<NetworkFacts> = snap
            .networks
            .iter()
            .map(|n| NetworkFacts {
                code: n.code.clone(),
                name: n.name.clone(),
                commissioner: n.commissioner.clone(),
                open: snap.as_of.is_none_or(|d| n.is_open_on(d)),
            })
            .collect();
        let network_index = networks.iter().enumerate().map(|(i, n)| (n.code.clone(), i as u32)).collect();
        (
            Model {
                as_of,
                practices,
                networks,
                practice_index,
                network_index,
                graph,
                site_practices,
                list_date,
                land,
                has_rurality,
                graph_build,
                hierarchy: Hierarchy::from_snapshot(snap),
            },
            warnings,
        )
    }

    /// The snapshot's own configuration: memberships current on its date.
    pub fn configuration(&self, snap: &Snapshot) -> Configuration {
        let mut members = vec![Vec::new(); self.networks.len()];
        for m in snap.current_memberships() {
            if let (Some(&p), Some(&n)) = (self.practice_index.get(&m.practice), self.network_index.get(&m.network)) {
                members[n as usize].push(p);
            }
        }
        for ms in &mut members {
            ms.sort_unstable();
            ms.dedup();
        }
        Configuration { members }
    }

    /// The same practices and graph with another set of networks (a formed
    /// or repaired configuration is checked against it).
    pub fn with_networks(&self, networks: Vec<NetworkFacts>) -> Model {
        let mut m = self.clone();
        m.network_index = networks.iter().enumerate().map(|(i, n)| (n.code.clone(), i as u32)).collect();
        m.networks = networks;
        m
    }

    /// The located practices among `members`, weighted by registered patients
    /// (what the compactness measures take).
    pub fn weighted_points(&self, members: &[u32]) -> Vec<pcn_geo::WeightedPoint> {
        members
            .iter()
            .filter_map(|&p| {
                let pf = &self.practices[p as usize];
                pf.location.map(|(x, y)| pcn_geo::WeightedPoint { x, y, weight: pf.registered as f64 })
            })
            .collect()
    }

    pub fn network_label(&self, n: u32) -> String {
        let net = &self.networks[n as usize];
        match &net.name {
            Some(name) => format!("{name} ({})", net.code),
            None => net.code.to_string(),
        }
    }
}

/// Gives each located practice the rural-urban class and IMD decile of the
/// LSOA whose population-weighted centroid is nearest (within 5 km). Returns
/// whether any LSOA rurality was available.
fn nearest_rurality(snap: &Snapshot, practices: &mut [PracticeFacts]) -> bool {
    const CELL: f64 = 5_000.0;
    // 5 km buckets of (easting, northing, RUC class, IMD decile).
    type Bucket<'a> = Vec<(f64, f64, &'a str, Option<u8>)>;
    let mut grid: HashMap<(i64, i64), Bucket<'_>> = HashMap::new();
    for l in &snap.lsoas {
        if let (Some(c), Some(ruc)) = (l.centroid, l.ruc_code.as_deref())
            && let Some((x, y)) = pcn_geo::project::to_bng(c.lon, c.lat)
        {
            grid.entry(((x / CELL).floor() as i64, (y / CELL).floor() as i64)).or_default().push((
                x,
                y,
                ruc,
                l.imd_decile,
            ));
        }
    }
    if grid.is_empty() {
        return false;
    }
    for p in practices.iter_mut() {
        let Some((x, y)) = p.location else { continue };
        let (cx, cy) = ((x / CELL).floor() as i64, (y / CELL).floor() as i64);
        let mut best: Option<(f64, &str, Option<u8>)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &(lx, ly, ruc, imd) in grid.get(&(cx + dx, cy + dy)).map_or(&[][..], |v| v.as_slice()) {
                    let d = (lx - x).hypot(ly - y);
                    if best.is_none_or(|(bd, _, _)| d < bd) {
                        best = Some((d, ruc, imd));
                    }
                }
            }
        }
        p.ruc = best.map(|(_, r, _)| r.to_string());
        p.imd_decile = best.and_then(|(_, _, i)| i);
    }
    true
}
