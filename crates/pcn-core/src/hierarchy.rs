//! The commissioner hierarchy of a snapshot, as dated data: region → ICB (STP
//! before 1 July 2022) → sub-ICB location (CCG before 1 July 2022) → practice.
//!
//! Built from what the snapshot's files say: each commissioner's parent and
//! region. Where no file gives a commissioner's ICB the answer is unknown,
//! never a guess (a practice's own ICB column is not used for it: since June
//! 2025 epraccur gives the ICB of the practice's postcode there, not its
//! commissioner's). The era of the snapshot's date names the tiers for people:
//! "CCG" and "STP" before July 2022, "sub-ICB location" and "ICB" after, and
//! from 1 April 2026 the merged ICBs (42 became 36, with 5-character codes).

use std::collections::{BTreeMap, BTreeSet};

use time::Date;
use time::macros::date;

use crate::{CommissionerCode, IcbCode, Practice, RegionCode, Snapshot};

/// The day CCGs were abolished and ICBs took over (Health and Care Act 2022).
pub const ICBS_FROM: Date = date!(2022 - 07 - 01);
/// The day 42 ICBs merged into 36, the merged ones with 5-character codes.
pub const MERGED_ICBS_FROM: Date = date!(2026 - 04 - 01);

/// The commissioning structure in force on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Era {
    /// Before 1 July 2022: CCGs grouped into STPs (later ICSs).
    Ccg,
    /// 1 July 2022 to 31 March 2026: sub-ICB locations of 42 ICBs (codes Qxx).
    Icb,
    /// From 1 April 2026: sub-ICB locations of 36 ICBs, the merged ones with
    /// 5-character codes (e.g. D7T5G Essex).
    MergedIcb,
}

impl Era {
    pub fn on(day: Date) -> Era {
        if day < ICBS_FROM {
            Era::Ccg
        } else if day < MERGED_ICBS_FROM {
            Era::Icb
        } else {
            Era::MergedIcb
        }
    }

    /// What a commissioner (the `commissioner` of a practice or network) is called.
    pub fn commissioner_tier(self) -> &'static str {
        match self {
            Era::Ccg => "CCG",
            Era::Icb | Era::MergedIcb => "sub-ICB location",
        }
    }

    /// The plural of [`Self::commissioner_tier`].
    pub fn commissioner_tier_plural(self) -> &'static str {
        match self {
            Era::Ccg => "CCGs",
            Era::Icb | Era::MergedIcb => "sub-ICB locations",
        }
    }

    /// What the tier above it is called.
    pub fn parent_tier(self) -> &'static str {
        match self {
            Era::Ccg => "STP",
            Era::Icb | Era::MergedIcb => "ICB",
        }
    }

    /// The plural of [`Self::parent_tier`].
    pub fn parent_tier_plural(self) -> &'static str {
        match self {
            Era::Ccg => "STPs",
            Era::Icb | Era::MergedIcb => "ICBs",
        }
    }

    /// Whether the parent tier approves a network's configuration: the ICB,
    /// acting for its sub-ICB location, from July 2022; before it the CCG.
    pub fn parent_approves(self) -> bool {
        self != Era::Ccg
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Era::Ccg => "ccg",
            Era::Icb => "icb",
            Era::MergedIcb => "merged-icb",
        }
    }
}

/// One ICB (or STP) as the snapshot knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icb {
    pub code: IcbCode,
    pub name: Option<String>,
    /// The region most of its sub-ICB locations are in (they agree in NHS files).
    pub region: Option<RegionCode>,
    pub region_name: Option<String>,
    /// Its sub-ICB locations (CCGs), by code.
    pub sub_icbs: Vec<CommissionerCode>,
}

impl Icb {
    /// `QHM (NHS North East and North Cumbria ICB)`, or the code alone.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{} ({})", self.code, n.trim()),
            None => self.code.to_string(),
        }
    }
}

/// Which commissioners a listing keeps: all of England, one commissioner, or
/// the sub-ICB locations of one ICB.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Area {
    #[default]
    England,
    Commissioner(CommissionerCode),
    Icb {
        code: IcbCode,
        sub_icbs: BTreeSet<CommissionerCode>,
    },
}

impl Area {
    /// Whether something of commissioner `c` is in the area.
    pub fn admits(&self, c: Option<&CommissionerCode>) -> bool {
        match self {
            Area::England => true,
            Area::Commissioner(x) => c == Some(x),
            Area::Icb { sub_icbs, .. } => c.is_some_and(|c| sub_icbs.contains(c)),
        }
    }

    pub fn is_england(&self) -> bool {
        *self == Area::England
    }

    /// A short key (`00X`, `icb:QHM`), e.g. for a cache.
    pub fn key(&self) -> Option<String> {
        match self {
            Area::England => None,
            Area::Commissioner(c) => Some(c.to_string()),
            Area::Icb { code, .. } => Some(format!("icb:{code}")),
        }
    }
}

/// Why an area cannot be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    #[error("{tier} {code} is not in this snapshot{}; {}", near_text(.nearby), known_text(.known))]
    UnknownIcb { tier: &'static str, code: IcbCode, nearby: Vec<IcbCode>, known: Vec<IcbCode> },
    #[error("{commissioner} is not a {child} of {tier} {icb} ({})", .actual.as_ref().map_or_else(|| format!("its {tier} is not known"), |a| format!("it is in {a}")))]
    NotInIcb {
        child: &'static str,
        tier: &'static str,
        commissioner: CommissionerCode,
        icb: IcbCode,
        actual: Option<IcbCode>,
    },
}

fn near_text(nearby: &[IcbCode]) -> String {
    if nearby.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", nearby.iter().map(IcbCode::as_str).collect::<Vec<_>>().join(", "))
    }
}

fn known_text(known: &[IcbCode]) -> String {
    if known.is_empty() {
        "it knows no ICB or STP (no file gave one)".to_string()
    } else {
        format!("it knows {}", known.iter().map(IcbCode::as_str).collect::<Vec<_>>().join(", "))
    }
}

/// Letters that differ position by position, plus the difference in length.
fn distance(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len())
}

/// The key with most votes; of equals, the first.
fn most<K: Ord>(votes: BTreeMap<K, usize>) -> Option<K> {
    let top = votes.values().copied().max()?;
    votes.into_iter().find(|(_, n)| *n == top).map(|(k, _)| k)
}

/// The hierarchy of one snapshot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hierarchy {
    /// The snapshot's date, when it has one.
    pub as_of: Option<Date>,
    /// Each commissioner's ICB; `None` where no file gave one.
    parent: BTreeMap<CommissionerCode, Option<IcbCode>>,
    commissioner_names: BTreeMap<CommissionerCode, String>,
    icbs: BTreeMap<IcbCode, Icb>,
}

impl Hierarchy {
    pub fn from_snapshot(snap: &Snapshot) -> Hierarchy {
        let mut h = Hierarchy { as_of: snap.as_of, ..Default::default() };
        // Names and regions by vote over the sub-ICB locations (they agree in NHS files).
        type Regions = BTreeMap<(RegionCode, Option<String>), usize>;
        let mut votes: BTreeMap<IcbCode, (BTreeMap<String, usize>, Regions)> = BTreeMap::new();
        for c in &snap.commissioners {
            h.parent.insert(c.code.clone(), c.parent.clone());
            if let Some(n) = &c.name {
                h.commissioner_names.insert(c.code.clone(), n.clone());
            }
            let Some(p) = &c.parent else { continue };
            let icb = h.icbs.entry(p.clone()).or_insert_with(|| Icb {
                code: p.clone(),
                name: None,
                region: None,
                region_name: None,
                sub_icbs: Vec::new(),
            });
            icb.sub_icbs.push(c.code.clone());
            let (names, regions) = votes.entry(p.clone()).or_default();
            if let Some(n) = &c.parent_name {
                *names.entry(n.trim().to_string()).or_default() += 1;
            }
            if let Some(r) = &c.region {
                *regions.entry((r.clone(), c.region_name.clone())).or_default() += 1;
            }
        }
        for (code, (names, regions)) in votes {
            let icb = h.icbs.get_mut(&code).expect("entered above");
            icb.name = most(names);
            if let Some((r, rn)) = most(regions) {
                icb.region = Some(r);
                icb.region_name = rn;
            }
            icb.sub_icbs.sort();
            icb.sub_icbs.dedup();
        }
        // Commissioners named only by practices: known, their ICB unknown.
        for p in &snap.practices {
            if let Some(c) = &p.commissioner {
                h.parent.entry(c.clone()).or_insert(None);
            }
        }
        h
    }

    /// The era of the snapshot's date (the ICB era for an undated snapshot of ICB codes).
    pub fn era(&self) -> Era {
        match self.as_of {
            Some(d) => Era::on(d),
            None => Era::Icb,
        }
    }

    /// The ICB (STP) of a sub-ICB location (CCG), `None` when unknown.
    pub fn icb_of(&self, commissioner: &CommissionerCode) -> Option<&IcbCode> {
        self.parent.get(commissioner).and_then(Option::as_ref)
    }

    /// The ICB of a practice: its commissioner's, which approves for it.
    pub fn icb_of_practice(&self, practice: &Practice) -> Option<&IcbCode> {
        practice.commissioner.as_ref().and_then(|c| self.icb_of(c))
    }

    /// The sub-ICB locations of an ICB (empty for an ICB it does not know).
    pub fn sub_icbs_of(&self, icb: &IcbCode) -> &[CommissionerCode] {
        self.icbs.get(icb).map_or(&[], |i| i.sub_icbs.as_slice())
    }

    pub fn region_of(&self, icb: &IcbCode) -> Option<&RegionCode> {
        self.icbs.get(icb).and_then(|i| i.region.as_ref())
    }

    pub fn icb(&self, icb: &IcbCode) -> Option<&Icb> {
        self.icbs.get(icb)
    }

    /// Every ICB, by code.
    pub fn icbs(&self) -> impl Iterator<Item = &Icb> {
        self.icbs.values()
    }

    /// Commissioners whose ICB no file gave.
    pub fn without_icb(&self) -> impl Iterator<Item = &CommissionerCode> {
        self.parent.iter().filter(|(_, p)| p.is_none()).map(|(c, _)| c)
    }

    pub fn commissioner_name(&self, c: &CommissionerCode) -> Option<&str> {
        self.commissioner_names.get(c).map(String::as_str)
    }

    /// `ICB QHM (NHS North East and North Cumbria ICB)` (`STP …` before July 2022).
    pub fn icb_label(&self, icb: &IcbCode) -> String {
        let label = self.icbs.get(icb).map_or_else(|| icb.to_string(), Icb::label);
        format!("{} {label}", self.era().parent_tier())
    }

    /// The area `--commissioner` and `--icb` ask for. With both, the
    /// commissioner must be one of the ICB's; an ICB the snapshot does not
    /// know is refused, naming those it does.
    pub fn area(&self, commissioner: Option<&CommissionerCode>, icb: Option<&IcbCode>) -> Result<Area, AreaError> {
        let era = self.era();
        if let Some(i) = icb
            && !self.icbs.contains_key(i)
        {
            let known: Vec<IcbCode> = self.icbs.keys().cloned().collect();
            let mut nearby: Vec<&IcbCode> = known.iter().filter(|k| distance(k.as_str(), i.as_str()) <= 1).collect();
            nearby.sort_by_key(|k| distance(k.as_str(), i.as_str()));
            return Err(AreaError::UnknownIcb {
                tier: era.parent_tier(),
                code: i.clone(),
                nearby: nearby.into_iter().cloned().collect(),
                known,
            });
        }
        match (commissioner, icb) {
            (None, None) => Ok(Area::England),
            (Some(c), None) => Ok(Area::Commissioner(c.clone())),
            (Some(c), Some(i)) => {
                if self.icb_of(c) == Some(i) {
                    Ok(Area::Commissioner(c.clone()))
                } else {
                    Err(AreaError::NotInIcb {
                        child: era.commissioner_tier(),
                        tier: era.parent_tier(),
                        commissioner: c.clone(),
                        icb: i.clone(),
                        actual: self.icb_of(c).cloned(),
                    })
                }
            }
            (None, Some(i)) => {
                Ok(Area::Icb { code: i.clone(), sub_icbs: self.sub_icbs_of(i).iter().cloned().collect() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Commissioner;

    fn c(code: &str) -> CommissionerCode {
        CommissionerCode::parse(code).unwrap()
    }

    fn i(code: &str) -> IcbCode {
        IcbCode::parse(code).unwrap()
    }

    fn comm(code: &str, parent: Option<(&str, &str)>, region: Option<&str>) -> Commissioner {
        Commissioner {
            parent: parent.map(|(p, _)| i(p)),
            parent_name: parent.map(|(_, n)| n.to_string()),
            region: region.map(|r| RegionCode::parse(r).unwrap()),
            region_name: region.map(|_| "North East and Yorkshire".to_string()),
            name: Some(format!("NHS {code}")),
            ..Commissioner::new(c(code))
        }
    }

    fn snap(as_of: Date) -> Snapshot {
        let mut orphan = Practice::new(crate::PracticeCode::parse("A00009").unwrap());
        orphan.commissioner = Some(c("99Z"));
        orphan.icb = Some(i("QHM"));
        Snapshot {
            as_of: Some(as_of),
            commissioners: vec![
                comm("16C", Some(("QHM", "NHS North East and North Cumbria ICB")), Some("Y63")),
                comm("00P", Some(("QHM", "NHS North East and North Cumbria ICB")), Some("Y63")),
                comm("02P", Some(("QF7", "NHS South Yorkshire ICB")), Some("Y63")),
                comm("D4U1Y", Some(("QNQ", "NHS Frimley ICB")), None),
                comm("15N", None, None),
            ],
            practices: vec![orphan],
            ..Default::default()
        }
    }

    #[test]
    fn eras_change_on_1_july_2022_and_1_april_2026() {
        assert_eq!(Era::on(date!(2022 - 06 - 30)), Era::Ccg);
        assert_eq!(Era::on(date!(2022 - 07 - 01)), Era::Icb);
        assert_eq!(Era::on(date!(2026 - 03 - 31)), Era::Icb);
        assert_eq!(Era::on(date!(2026 - 04 - 01)), Era::MergedIcb);
        assert_eq!(Era::Ccg.commissioner_tier(), "CCG");
        assert_eq!(Era::Ccg.parent_tier(), "STP");
        assert_eq!(Era::Icb.commissioner_tier(), "sub-ICB location");
        assert_eq!(Era::MergedIcb.parent_tier_plural(), "ICBs");
        assert!(!Era::Ccg.parent_approves() && Era::Icb.parent_approves());
    }

    #[test]
    fn the_tree_answers_up_and_down_and_says_unknown_where_no_file_gave_a_parent() {
        let h = Hierarchy::from_snapshot(&snap(date!(2025 - 10 - 01)));
        assert_eq!(h.icb_of(&c("16C")), Some(&i("QHM")));
        assert_eq!(h.icb_of(&c("D4U1Y")), Some(&i("QNQ")));
        assert_eq!(h.sub_icbs_of(&i("QHM")), &[c("00P"), c("16C")]);
        assert_eq!(h.region_of(&i("QF7")), Some(&RegionCode::parse("Y63").unwrap()));
        assert_eq!(h.region_of(&i("QNQ")), None, "no file gave Frimley's region");
        // 15N has no parent; 99Z is named only by a practice whose own ICB column says QHM:
        // neither is guessed.
        assert_eq!(h.icb_of(&c("15N")), None);
        assert_eq!(h.icb_of(&c("99Z")), None);
        assert_eq!(h.without_icb().map(|c| c.as_str()).collect::<Vec<_>>(), ["15N", "99Z"]);
        assert!(!h.sub_icbs_of(&i("QHM")).contains(&c("99Z")));
        assert_eq!(h.icbs().map(|i| i.code.as_str()).collect::<Vec<_>>(), ["QF7", "QHM", "QNQ"]);
        assert_eq!(h.icb_label(&i("QHM")), "ICB QHM (NHS North East and North Cumbria ICB)");
        assert!(h.sub_icbs_of(&i("QZZ")).is_empty());
    }

    #[test]
    fn tiers_are_named_for_the_snapshots_date() {
        let before = Hierarchy::from_snapshot(&snap(date!(2021 - 01 - 01)));
        assert_eq!(before.era(), Era::Ccg);
        assert_eq!(before.icb_label(&i("QF7")), "STP QF7 (NHS South Yorkshire ICB)");
        let merged = Hierarchy::from_snapshot(&snap(date!(2026 - 04 - 01)));
        assert_eq!(merged.era(), Era::MergedIcb);
    }

    #[test]
    fn areas_admit_their_commissioners_and_refuse_what_the_snapshot_does_not_know() {
        let h = Hierarchy::from_snapshot(&snap(date!(2025 - 10 - 01)));
        let area = h.area(None, Some(&i("QHM"))).unwrap();
        assert!(area.admits(Some(&c("16C"))) && area.admits(Some(&c("00P"))));
        assert!(!area.admits(Some(&c("02P"))) && !area.admits(None));
        assert_eq!(area.key().as_deref(), Some("icb:QHM"));
        assert_eq!(h.area(Some(&c("16C")), Some(&i("QHM"))).unwrap(), Area::Commissioner(c("16C")));
        assert_eq!(h.area(None, None).unwrap(), Area::England);
        assert!(Area::England.admits(None));

        let err = h.area(None, Some(&i("QHN"))).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("ICB QHN is not in this snapshot (did you mean QHM?)"), "{text}");
        assert!(text.ends_with("it knows QF7, QHM, QNQ"), "{text}");
        let err = h.area(None, Some(&i("D7T5G"))).unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");

        let err = h.area(Some(&c("02P")), Some(&i("QHM"))).unwrap_err().to_string();
        assert_eq!(err, "02P is not a sub-ICB location of ICB QHM (it is in QF7)");
        let err = h.area(Some(&c("15N")), Some(&i("QHM"))).unwrap_err().to_string();
        assert_eq!(err, "15N is not a sub-ICB location of ICB QHM (its ICB is not known)");
    }
}
