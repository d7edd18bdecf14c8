//! Network profiles: who each network serves. Registered and weighted list,
//! practices, the rurality mix (ONS 2011 rural-urban class of each
//! practice's nearest LSOA) and deprivation (IMD 2019 decile of the same
//! LSOA), both counted in registered patients, and disease prevalence from
//! the QOF registers, each beside its commissioner's and England's.
//!
//! Prevalence is QOF's: the sum of a group's registers over the sum of the
//! list sizes QOF counts them against (the whole list, or the ages the
//! indicator covers), so a network's figure is what QOF would publish for
//! the practices together. Everything is summed in integers once per
//! snapshot; percentages are for reading, not for money.

use std::collections::{BTreeMap, HashMap};

use pcn_core::Snapshot;
use pcn_rules::{Configuration, Model};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// ONS 2011 rural-urban classes, urban first.
pub const RUC_CLASSES: [&str; 8] = ["A1", "B1", "C1", "C2", "D1", "D2", "E1", "E2"];

/// A register and the list it is counted against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub register: u64,
    pub list: u64,
}

impl Count {
    fn add(&mut self, o: Count) {
        self.register += o.register;
        self.list += o.list;
    }

    /// Per cent, to two decimals (None for an empty list).
    pub fn percent(&self) -> Option<f64> {
        (self.list > 0).then(|| (self.register as f64 * 10_000.0 / self.list as f64).round() / 100.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prevalence {
    /// QOF group code, e.g. `HYP`, `DM`, `COPD`, `DEM`.
    pub group: String,
    pub register: u64,
    pub list: u64,
    pub percent: Option<f64>,
    pub commissioner_percent: Option<f64>,
    pub england_percent: Option<f64>,
    /// Network prevalence over England's (1.0 = the same).
    pub ratio_to_england: Option<f64>,
}

/// Patients by class: the network, its commissioner and England, as shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mix {
    /// Class (an RUC code, or an IMD decile 1..10 as text).
    pub class: String,
    pub patients: i64,
    pub share: f64,
    pub commissioner_share: f64,
    pub england_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub network: String,
    pub name: Option<String>,
    pub commissioner: Option<String>,
    pub practices: usize,
    pub registered: i64,
    /// Latest weighted list of the members that have one (None when none has).
    pub weighted: Option<i64>,
    pub rurality: Vec<Mix>,
    /// Share of patients at practices in rural classes (D and E), network / commissioner / England.
    pub rural_share: [f64; 3],
    pub deprivation: Vec<Mix>,
    /// Patient-weighted mean IMD decile (1 = most deprived), network / commissioner / England.
    pub mean_imd_decile: [Option<f64>; 3],
    /// Patients at practices with no rurality or deprivation class (not located, no LSOA near).
    pub unclassified_patients: i64,
    pub prevalence: Vec<Prevalence>,
}

/// Sums for a set of practices.
#[derive(Debug, Clone, Default)]
struct Sums {
    registered: i64,
    ruc: BTreeMap<String, i64>,
    imd: [i64; 10],
    unclassified: i64,
    groups: BTreeMap<String, Count>,
}

impl Sums {
    fn add_practice(&mut self, p: &pcn_rules::PracticeFacts, groups: Option<&Vec<(String, Count)>>) {
        self.registered += p.registered;
        match (&p.ruc, p.imd_decile) {
            (Some(r), Some(d)) if (1..=10).contains(&d) => {
                *self.ruc.entry(r.clone()).or_default() += p.registered;
                self.imd[d as usize - 1] += p.registered;
            }
            _ => self.unclassified += p.registered,
        }
        for (g, c) in groups.into_iter().flatten() {
            self.groups.entry(g.clone()).or_default().add(*c);
        }
    }

    fn classified(&self) -> i64 {
        self.imd.iter().sum()
    }

    fn ruc_share(&self, class: &str) -> f64 {
        share(self.ruc.get(class).copied().unwrap_or(0), self.classified())
    }

    fn rural_share(&self) -> f64 {
        RUC_CLASSES.iter().filter(|c| c.starts_with(['D', 'E'])).map(|c| self.ruc_share(c)).sum::<f64>()
    }

    fn mean_decile(&self) -> Option<f64> {
        let n = self.classified();
        (n > 0).then(|| {
            let s: i64 = self.imd.iter().enumerate().map(|(i, p)| (i as i64 + 1) * p).sum();
            (s as f64 / n as f64 * 100.0).round() / 100.0
        })
    }
}

fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0 }
}

/// Profiles of every network in `config`, in network order.
pub fn profiles(model: &Model, snap: &Snapshot, config: &Configuration) -> Vec<Profile> {
    // Registers by practice index.
    let mut by_practice: HashMap<u32, Vec<(String, Count)>> = HashMap::new();
    for r in &snap.registers {
        if let Some(&p) = model.practice_index.get(&r.practice) {
            by_practice
                .entry(p)
                .or_default()
                .push((r.group.clone(), Count { register: u64::from(r.register), list: u64::from(r.list_size) }));
        }
    }
    // Latest weighted list by practice.
    let mut weighted: HashMap<&pcn_core::PracticeCode, (time::Date, i64)> = HashMap::new();
    for l in &snap.list_sizes {
        if let Some(w) = l.weighted.and_then(|w| w.round().to_i64()) {
            let e = weighted.entry(&l.practice).or_insert((l.as_of, w));
            if l.as_of > e.0 {
                *e = (l.as_of, w);
            }
        }
    }
    // England and each commissioner: practices that are open or in a network.
    let networks_of = config.networks_of(model.practices.len());
    let mut england = Sums::default();
    let mut by_commissioner: HashMap<&str, Sums> = HashMap::new();
    for (i, p) in model.practices.iter().enumerate() {
        if !p.active && networks_of[i].is_empty() {
            continue;
        }
        let groups = by_practice.get(&(i as u32));
        england.add_practice(p, groups);
        if let Some(c) = &p.commissioner {
            by_commissioner.entry(c.as_str()).or_default().add_practice(p, groups);
        }
    }
    let empty = Sums::default();
    model
        .networks
        .iter()
        .enumerate()
        .map(|(n, net)| {
            let members = &config.members[n];
            let mut sums = Sums::default();
            let mut w: Option<i64> = None;
            for &p in members {
                let fact = &model.practices[p as usize];
                sums.add_practice(fact, by_practice.get(&p));
                if let Some((_, x)) = weighted.get(&fact.code) {
                    *w.get_or_insert(0) += x;
                }
            }
            let comm = net.commissioner.as_ref().and_then(|c| by_commissioner.get(c.as_str())).unwrap_or(&empty);
            let rurality = RUC_CLASSES
                .iter()
                .map(|c| Mix {
                    class: c.to_string(),
                    patients: sums.ruc.get(*c).copied().unwrap_or(0),
                    share: sums.ruc_share(c),
                    commissioner_share: comm.ruc_share(c),
                    england_share: england.ruc_share(c),
                })
                .collect();
            let deprivation = (0..10)
                .map(|d| Mix {
                    class: (d + 1).to_string(),
                    patients: sums.imd[d],
                    share: share(sums.imd[d], sums.classified()),
                    commissioner_share: share(comm.imd[d], comm.classified()),
                    england_share: share(england.imd[d], england.classified()),
                })
                .collect();
            let prevalence = sums
                .groups
                .iter()
                .map(|(g, c)| {
                    let e = england.groups.get(g).and_then(Count::percent);
                    let pct = c.percent();
                    Prevalence {
                        group: g.clone(),
                        register: c.register,
                        list: c.list,
                        percent: pct,
                        commissioner_percent: comm.groups.get(g).and_then(Count::percent),
                        england_percent: e,
                        ratio_to_england: pct
                            .zip(e)
                            .filter(|(_, e)| *e > 0.0)
                            .map(|(p, e)| (p / e * 1000.0).round() / 1000.0),
                    }
                })
                .collect();
            Profile {
                network: net.code.to_string(),
                name: net.name.clone(),
                commissioner: net.commissioner.as_ref().map(|c| c.to_string()),
                practices: members.len(),
                registered: sums.registered,
                weighted: w,
                rurality,
                rural_share: [sums.rural_share(), comm.rural_share(), england.rural_share()],
                deprivation,
                mean_imd_decile: [sums.mean_decile(), comm.mean_decile(), england.mean_decile()],
                unclassified_patients: sums.unclassified,
                prevalence,
            }
        })
        .collect()
}
