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

pub mod care_homes;
pub mod change;
pub mod groups;
pub mod html;
pub mod summary;

pub use change::{Change, ChangeRow, compare};
pub use groups::MAIN_GROUPS;
pub use summary::{SUMMARY_COLUMNS, SummaryRow, summary_rows};

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
    /// Shares of the classified patients; `None` where nobody could be
    /// classified (no LSOA data): absent, never a 0% that reads as a fact.
    pub share: Option<f64>,
    pub commissioner_share: Option<f64>,
    pub england_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub network: String,
    pub name: Option<String>,
    /// Open on the snapshot's date; a closed network is kept as history, with no members.
    pub open: bool,
    pub commissioner: Option<String>,
    pub practices: usize,
    pub registered: i64,
    /// Latest weighted list of the members that have one (None when none has).
    pub weighted: Option<i64>,
    pub rurality: Vec<Mix>,
    /// Share of patients at practices in rural classes (D and E), network /
    /// commissioner / England; `None` where no patient could be classified.
    pub rural_share: [Option<f64>; 3],
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

    fn ruc_share(&self, class: &str) -> Option<f64> {
        share(self.ruc.get(class).copied().unwrap_or(0), self.classified())
    }

    fn rural_share(&self) -> Option<f64> {
        (self.classified() > 0).then(|| {
            RUC_CLASSES.iter().filter(|c| c.starts_with(['D', 'E'])).filter_map(|c| self.ruc_share(c)).sum::<f64>()
        })
    }

    fn mean_decile(&self) -> Option<f64> {
        let n = self.classified();
        (n > 0).then(|| {
            let s: i64 = self.imd.iter().enumerate().map(|(i, p)| (i as i64 + 1) * p).sum();
            (s as f64 / n as f64 * 100.0).round() / 100.0
        })
    }
}

/// `part` of `whole` to four places; none of nothing.
fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
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
                open: net.open,
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

/// A needs-based prompt for a network, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prompt {
    pub network: String,
    /// Stable id, e.g. `cvd.case-finding`.
    pub id: &'static str,
    pub message: String,
    /// What the prompt measures, by `id`:
    /// - `cvd.case-finding`: observed and expected hypertension prevalence
    ///   (per cent), and `z` how many standard deviations of the residuals the
    ///   network lies below the fit;
    /// - `ehch.alignment-gap`: the beds the premium paid covers (observed), the
    ///   beds nearest the network (expected), and `z` the share covered.
    pub observed: f64,
    pub expected: f64,
    pub z: f64,
}

/// Hypertension far below what a network's deprivation and rurality suggest
/// (CVD prevention: case-finding). Expected prevalence comes from a least-
/// squares fit across all networks of HYP prevalence on mean IMD decile and
/// rural share; a network more than `threshold` standard deviations of the
/// residuals below it is prompted. The files carry no age structure, so age
/// (the strongest driver) is not in the fit: a young population also lands
/// here, which the message says.
pub fn prompts(profiles: &[Profile], threshold: f64) -> Vec<Prompt> {
    let rows: Vec<(&Profile, f64, f64, f64)> = profiles
        .iter()
        .filter_map(|p| {
            let hyp = p.prevalence.iter().find(|r| r.group == "HYP")?.percent?;
            Some((p, p.mean_imd_decile[0]?, p.rural_share[0]?, hyp))
        })
        .collect();
    if rows.len() < 10 {
        return Vec::new();
    }
    let Some(beta) = least_squares(&rows.iter().map(|r| ([1.0, r.1, r.2], r.3)).collect::<Vec<_>>()) else {
        return Vec::new();
    };
    let fitted = |r: &(&Profile, f64, f64, f64)| beta[0] + beta[1] * r.1 + beta[2] * r.2;
    let resid: Vec<f64> = rows.iter().map(|r| r.3 - fitted(r)).collect();
    let n = resid.len() as f64;
    let sd = (resid.iter().map(|e| e * e).sum::<f64>() / (n - 3.0)).sqrt();
    if sd <= 0.0 {
        return Vec::new();
    }
    let mut out: Vec<Prompt> = rows
        .iter()
        .zip(&resid)
        .filter(|(_, e)| **e / sd < -threshold)
        .map(|(r, e)| {
            let expected = (fitted(r) * 100.0).round() / 100.0;
            Prompt {
                network: r.0.network.clone(),
                id: "cvd.case-finding",
                message: format!(
                    "hypertension prevalence {:.2}% is {:.2} points below the {:.2}% expected for its deprivation and rurality: consider CVD case-finding (or a younger population: age is not in the data)",
                    r.3,
                    -e,
                    expected
                ),
                observed: r.3,
                expected,
                z: (e / sd * 100.0).round() / 100.0,
            }
        })
        .collect();
    out.sort_by(|a, b| a.z.total_cmp(&b.z));
    out
}

/// Every needs-based prompt: CVD case-finding (hypertension 2.5 standard
/// deviations below the fit) and care-home alignment gaps (a network with 20
/// beds or more near it paid under half the typical premium for them).
pub fn all_prompts(profiles: &[Profile], homes: &care_homes::Alignment) -> Vec<Prompt> {
    let mut out = prompts(profiles, 2.5);
    out.extend(care_homes::alignment_prompts(homes, 0.5, 20));
    out
}

/// Ordinary least squares for three coefficients (normal equations, Gaussian
/// elimination); None when the design is singular.
fn least_squares(rows: &[([f64; 3], f64)]) -> Option<[f64; 3]> {
    let mut a = [[0.0f64; 4]; 3];
    for (x, y) in rows {
        for i in 0..3 {
            for j in 0..3 {
                a[i][j] += x[i] * x[j];
            }
            a[i][3] += x[i] * y;
        }
    }
    for c in 0..3 {
        let p = (c..3).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        let pivot = a[c];
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot[c];
                for (x, p) in row.iter_mut().zip(pivot).skip(c) {
                    *x -= f * p;
                }
            }
        }
    }
    Some([a[0][3] / a[0][0], a[1][3] / a[1][1], a[2][3] / a[2][2]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_an_exact_plane() {
        let rows: Vec<([f64; 3], f64)> = (0..20)
            .map(|i| {
                let (x1, x2) = (f64::from(i % 10) + 1.0, f64::from(i * 7 % 5) / 5.0);
                ([1.0, x1, x2], 12.0 - 0.4 * x1 + 3.0 * x2)
            })
            .collect();
        let b = least_squares(&rows).unwrap();
        for (got, want) in b.iter().zip([12.0, -0.4, 3.0]) {
            assert!((got - want).abs() < 1e-9, "{b:?}");
        }
    }

    fn profile(code: &str, imd: f64, rural: f64, hyp: f64) -> Profile {
        Profile {
            open: true,
            network: code.into(),
            name: None,
            commissioner: None,
            practices: 1,
            registered: 1000,
            weighted: None,
            rurality: vec![],
            rural_share: [Some(rural), Some(0.0), Some(0.0)],
            deprivation: vec![],
            mean_imd_decile: [Some(imd), None, None],
            unclassified_patients: 0,
            prevalence: vec![Prevalence {
                group: "HYP".into(),
                register: 0,
                list: 0,
                percent: Some(hyp),
                commissioner_percent: None,
                england_percent: None,
                ratio_to_england: None,
            }],
        }
    }

    #[test]
    fn only_a_network_far_below_its_expected_prevalence_is_prompted() {
        // Forty networks on a plane with a little alternating noise, and one far below it.
        let mut ps: Vec<Profile> = (0..40)
            .map(|i| {
                let imd = f64::from(i % 10) + 1.0;
                let rural = f64::from(i % 4) / 4.0;
                let noise = if i % 2 == 0 { 0.1 } else { -0.1 };
                profile(&format!("U{:05}", i), imd, rural, 15.0 - 0.3 * imd + 2.0 * rural + noise)
            })
            .collect();
        ps.push(profile("U99999", 5.0, 0.5, 15.0 - 1.5 + 1.0 - 3.0));
        let got = prompts(&ps, 2.5);
        assert_eq!(got.iter().map(|p| p.network.as_str()).collect::<Vec<_>>(), vec!["U99999"]);
        assert!((got[0].expected - 14.5).abs() < 0.2, "{got:?}");
        assert!(got[0].z < -2.5);
    }
}
