//! Change over time: a network's profile in one snapshot beside another.

use serde::{Serialize, Serializer};

use crate::Profile;
use crate::groups::rank;

/// A network's profile then (in `then_snapshot`) and now (in `now_snapshot`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub then_snapshot: i64,
    pub now_snapshot: i64,
    pub network: String,
    pub rows: Vec<ChangeRow>,
}

impl Change {
    /// The change in `now`'s network between two snapshots.
    pub fn new(then_snapshot: i64, then: &Profile, now_snapshot: i64, now: &Profile) -> Self {
        Change { then_snapshot, now_snapshot, network: now.network.clone(), rows: compare(then, now) }
    }
}

/// One measure then and now; `change` is now minus then (to two decimals),
/// None when either side has no figure. Counts (practices, registered,
/// weighted) serialise as integers.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    /// `practices`, `registered`, `weighted`, `rural share %`, `mean IMD decile`,
    /// or `<GROUP> prevalence %` (e.g. `HYP prevalence %`).
    pub measure: String,
    pub then: Option<f64>,
    pub now: Option<f64>,
    pub change: Option<f64>,
}

/// The measures that are counts of practices or patients.
pub const COUNTS: [&str; 3] = ["practices", "registered", "weighted"];

impl ChangeRow {
    /// Whether the measure is a count (whole numbers).
    pub fn is_count(&self) -> bool {
        COUNTS.contains(&self.measure.as_str())
    }
}

struct Figure(Option<f64>, bool);

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(x) if self.1 && x.fract() == 0.0 && x.abs() < 9.0e15 => s.serialize_i64(x as i64),
            Some(x) => s.serialize_f64(x),
            None => s.serialize_none(),
        }
    }
}

impl Serialize for ChangeRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let count = self.is_count();
        let mut st = s.serialize_struct("ChangeRow", 4)?;
        st.serialize_field("measure", &self.measure)?;
        st.serialize_field("then", &Figure(self.then, count))?;
        st.serialize_field("now", &Figure(self.now, count))?;
        st.serialize_field("change", &Figure(self.change, count))?;
        st.end()
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn row(measure: impl Into<String>, then: Option<f64>, now: Option<f64>) -> ChangeRow {
    ChangeRow { measure: measure.into(), then, now, change: then.zip(now).map(|(a, b)| round2(b - a)) }
}

/// The measures of a profile then and now: practices, registered and weighted
/// lists, rural share (per cent), mean IMD decile, and every QOF group's
/// prevalence (per cent) in reading order (main groups first), including a
/// group only one side has.
pub fn compare(then: &Profile, now: &Profile) -> Vec<ChangeRow> {
    let mut rows = vec![
        row("practices", Some(then.practices as f64), Some(now.practices as f64)),
        row("registered", Some(then.registered as f64), Some(now.registered as f64)),
        row("weighted", then.weighted.map(|w| w as f64), now.weighted.map(|w| w as f64)),
        row(
            "rural share %",
            then.rural_share[0].map(|s| round2(s * 100.0)),
            now.rural_share[0].map(|s| round2(s * 100.0)),
        ),
        row("mean IMD decile", then.mean_imd_decile[0], now.mean_imd_decile[0]),
    ];
    let mut groups: Vec<&str> = then.prevalence.iter().chain(&now.prevalence).map(|r| r.group.as_str()).collect();
    groups.sort_by(|a, b| rank(a).cmp(&rank(b)));
    groups.dedup();
    for g in groups {
        let pct = |p: &Profile| p.prevalence.iter().find(|r| r.group == g).and_then(|r| r.percent);
        rows.push(row(format!("{g} prevalence %"), pct(then), pct(now)));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Prevalence;

    fn prev(group: &str, register: u64, list: u64) -> Prevalence {
        let c = crate::Count { register, list };
        Prevalence {
            group: group.into(),
            register,
            list,
            percent: c.percent(),
            commissioner_percent: None,
            england_percent: None,
            ratio_to_england: None,
        }
    }

    fn profile(practices: usize, registered: i64, weighted: Option<i64>, prevalence: Vec<Prevalence>) -> Profile {
        Profile {
            open: true,
            network: "U00001".into(),
            name: None,
            commissioner: None,
            practices,
            registered,
            weighted,
            rurality: vec![],
            rural_share: [Some(0.1234), Some(0.0), Some(0.0)],
            deprivation: vec![],
            mean_imd_decile: [Some(4.5), None, None],
            unclassified_patients: 0,
            prevalence,
        }
    }

    #[test]
    fn every_measure_is_now_minus_then_in_reading_order() {
        let then = profile(3, 32_500, None, vec![prev("AF", 500, 32_000), prev("HYP", 4_000, 32_000)]);
        let mut now = profile(4, 41_000, Some(40_000), vec![prev("HYP", 4_100, 32_000), prev("DM", 2_000, 30_000)]);
        now.rural_share[0] = Some(0.2);
        now.mean_imd_decile[0] = Some(4.25);
        let rows = compare(&then, &now);
        let measures: Vec<&str> = rows.iter().map(|r| r.measure.as_str()).collect();
        assert_eq!(
            measures,
            [
                "practices",
                "registered",
                "weighted",
                "rural share %",
                "mean IMD decile",
                "HYP prevalence %",
                "DM prevalence %",
                "AF prevalence %"
            ]
        );
        let get = |m: &str| rows.iter().find(|r| r.measure == m).unwrap().clone();
        assert_eq!(get("practices").change, Some(1.0));
        assert_eq!(get("registered").change, Some(8_500.0));
        // No weighted list then: no change to give.
        assert_eq!((get("weighted").then, get("weighted").now, get("weighted").change), (None, Some(40_000.0), None));
        assert_eq!((get("rural share %").then, get("rural share %").now), (Some(12.34), Some(20.0)));
        assert_eq!(get("rural share %").change, Some(7.66));
        assert_eq!(get("mean IMD decile").change, Some(-0.25));
        // 4,000 / 32,000 = 12.50%; 4,100 / 32,000 = 12.81%.
        let hyp = get("HYP prevalence %");
        assert_eq!((hyp.then, hyp.now, hyp.change), (Some(12.5), Some(12.81), Some(0.31)));
        assert_eq!((get("DM prevalence %").then, get("DM prevalence %").change), (None, None));
        assert_eq!((get("AF prevalence %").now, get("AF prevalence %").change), (None, None));
    }

    #[test]
    fn the_same_profile_has_no_change() {
        let p = profile(3, 32_500, Some(33_000), vec![prev("HYP", 4_000, 32_000)]);
        let c = Change::new(1, &p, 2, &p);
        assert_eq!((c.then_snapshot, c.now_snapshot, c.network.as_str()), (1, 2, "U00001"));
        assert!(c.rows.iter().all(|r| r.change == Some(0.0)), "{:?}", c.rows);
    }
}
