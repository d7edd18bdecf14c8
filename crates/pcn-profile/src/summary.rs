//! One row per network: the `pcn profile` listing and the API's
//! `profiles.csv`, built in one place.

use serde::Serialize;

use crate::Profile;

/// The columns of a summary row, in order (the field names of [`SummaryRow`]).
pub const SUMMARY_COLUMNS: [&str; 11] = [
    "network",
    "commissioner",
    "practices",
    "registered",
    "weighted",
    "rural_pct",
    "mean_imd_decile",
    "hyp_pct",
    "dm_pct",
    "copd_pct",
    "dem_pct",
];

/// A network's profile in one row (percentages as published: rural share to
/// one decimal, prevalence to two).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    pub network: String,
    pub commissioner: Option<String>,
    pub practices: usize,
    pub registered: i64,
    pub weighted: Option<i64>,
    /// Empty where no patient could be classified.
    pub rural_pct: Option<f64>,
    pub mean_imd_decile: Option<f64>,
    pub hyp_pct: Option<f64>,
    pub dm_pct: Option<f64>,
    pub copd_pct: Option<f64>,
    pub dem_pct: Option<f64>,
}

impl SummaryRow {
    pub fn of(p: &Profile) -> Self {
        let group = |g: &str| p.prevalence.iter().find(|r| r.group == g).and_then(|r| r.percent);
        SummaryRow {
            network: p.network.clone(),
            commissioner: p.commissioner.clone(),
            practices: p.practices,
            registered: p.registered,
            weighted: p.weighted,
            rural_pct: p.rural_share[0].map(|s| (s * 1000.0).round() / 10.0),
            mean_imd_decile: p.mean_imd_decile[0],
            hyp_pct: group("HYP"),
            dm_pct: group("DM"),
            copd_pct: group("COPD"),
            dem_pct: group("DEM"),
        }
    }
}

/// A row per network, in network order: all of them, or one commissioner's.
pub fn summary_rows(all: &[Profile], commissioner: Option<&str>) -> Vec<SummaryRow> {
    // Closed networks are history: a row of zeros would only mislead.
    all.iter()
        .filter(|p| p.open && commissioner.is_none_or(|c| p.commissioner.as_deref() == Some(c)))
        .map(SummaryRow::of)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Count, Prevalence};

    fn profile(network: &str, commissioner: &str, hyp: (u64, u64)) -> Profile {
        let c = Count { register: hyp.0, list: hyp.1 };
        Profile {
            network: network.into(),
            name: None,
            open: network != "U00009",
            commissioner: Some(commissioner.into()),
            practices: 2,
            registered: 31_000,
            weighted: Some(30_500),
            rurality: vec![],
            rural_share: [Some(0.1234), Some(0.0), Some(0.0)],
            deprivation: vec![],
            mean_imd_decile: [Some(3.25), None, None],
            unclassified_patients: 0,
            prevalence: vec![Prevalence {
                group: "HYP".into(),
                register: hyp.0,
                list: hyp.1,
                percent: c.percent(),
                commissioner_percent: None,
                england_percent: None,
                ratio_to_england: None,
            }],
        }
    }

    #[test]
    fn a_row_per_network_of_the_commissioner_with_rounded_shares() {
        // U00009 closed before the snapshot: history, not a row.
        let all = [
            profile("U00001", "00X", (4_000, 32_000)),
            profile("U00002", "00Y", (1, 3)),
            profile("U00009", "00Y", (0, 0)),
        ];
        assert_eq!(summary_rows(&all, None).len(), 2);
        let rows = summary_rows(&all, Some("00Y"));
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (r.network.as_str(), r.registered, r.weighted, r.rural_pct),
            ("U00002", 31_000, Some(30_500), Some(12.3))
        );
        assert_eq!((r.hyp_pct, r.dm_pct, r.mean_imd_decile), (Some(33.33), None, Some(3.25)));
        assert!(summary_rows(&all, Some("00Z")).is_empty());
    }
}
