//! `pcn reconcile` on the real NHS data in PCN_DATA_DIR: the 2019/20 and 2020/21
//! Payments to General Practice files against snapshots of the same years.
//! Counts and totals are recomputed here from the raw payments CSV with plain
//! CSV reading (never pcn's reader), and the computed entitlements must beat
//! the naive "rate × the file's own list" figure where the brief says they do.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

const NO_PCN: &str = "Unknown or no PCN";
const WEIGHTED: &str = "Number of Weighted Patients (Last Known Figure)";
const SUMMARY_KEYS: [&str; 5] =
    ["compared", "within_2pct", "within_10pct", "naive_within_2pct", "unexplained_over_10pct"];

/// The payments file as published: headers (BOM stripped, trimmed) and rows.
struct Raw {
    headers: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Raw {
    fn read(path: &Path) -> Raw {
        let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let headers =
            r.headers().unwrap().iter().map(|s| s.trim_start_matches('\u{feff}').trim().to_string()).collect();
        Raw { headers, rows: r.records().map(|r| r.unwrap()).collect() }
    }

    fn col(&self, name: &str) -> usize {
        self.headers.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name:?}"))
    }

    /// A money cell in pence (blank is zero).
    fn pence(&self, row: &csv::StringRecord, name: &str) -> i64 {
        pence(&decimal(&row[self.col(name)]))
    }

    fn decimal(&self, row: &csv::StringRecord, name: &str) -> Decimal {
        decimal(&row[self.col(name)])
    }

    /// Rows with a non-zero amount in the column.
    fn non_zero(&self, name: &str) -> usize {
        self.rows.iter().filter(|r| self.pence(r, name) != 0).count()
    }

    fn total(&self, name: &str) -> i64 {
        self.rows.iter().map(|r| self.pence(r, name)).sum()
    }

    /// The column summed by the file's PCN code, rows with no PCN left out.
    fn by_pcn(&self, name: &str) -> BTreeMap<String, i64> {
        let pcn = self.col("PCN Code");
        let mut out = BTreeMap::new();
        for r in &self.rows {
            let code = r[pcn].trim();
            if code.is_empty() || code.eq_ignore_ascii_case(NO_PCN) {
                continue;
            }
            *out.entry(code.to_string()).or_insert(0) += self.pence(r, name);
        }
        out
    }

    /// Rows with a non-zero amount paid whose rate × the file's weighted list
    /// (a whole year, rounded half away from zero to pence) is within 2% of it.
    fn naive_within_2pct(&self, name: &str, rate: &str) -> usize {
        let rate: Decimal = rate.parse().unwrap();
        self.rows
            .iter()
            .filter(|r| {
                let paid = self.pence(r, name);
                let naive = pence(&(rate * self.decimal(r, WEIGHTED)));
                paid != 0 && (naive - paid).abs() * 100 <= paid.abs() * 2
            })
            .count()
    }
}

fn decimal(cell: &str) -> Decimal {
    let s: String = cell.trim().chars().filter(|c| !matches!(c, ',' | '£')).collect();
    if s.is_empty() { Decimal::ZERO } else { s.parse().unwrap_or_else(|e| panic!("{cell:?}: {e}")) }
}

fn pence(pounds: &Decimal) -> i64 {
    (pounds * Decimal::ONE_HUNDRED).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64().unwrap()
}

/// Imports `files` into a fresh database and reconciles `payments` against it.
fn reconcile(files: &[PathBuf], as_of: Option<&str>, payments: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let mut after = vec!["--json"];
    if let Some(a) = as_of {
        after.extend(["--as-of", a]);
    }
    ok_json(&pcn_paths(&db, &["import"], files, &after));
    ok_json(&pcn(&db, &["reconcile", "--payments", payments.to_str().unwrap(), "--json"]))
}

fn count(s: &Value, key: &str) -> usize {
    s[key].as_u64().unwrap_or_else(|| panic!("{key} is not a count: {}", s[key])) as usize
}

/// The summary keys, the paid totals to the penny against the raw file, and
/// prints the measured figures.
fn check_streams(j: &Value, raw: &Raw, year: &str, want: &[&str]) {
    assert_eq!(j["year"], year);
    let streams = j["streams"].as_object().expect("streams");
    let names: BTreeSet<&str> = streams.keys().map(String::as_str).collect();
    assert_eq!(names, want.iter().copied().collect::<BTreeSet<_>>(), "streams compared for {year}");
    for (name, s) in streams {
        for k in SUMMARY_KEYS {
            assert!(s[k].is_u64(), "{year} {name}: {k} = {}", s[k]);
        }
        let column = s["column"].as_str().unwrap();
        let items = s["items"].as_array().unwrap();
        assert_eq!(items.len(), count(s, "compared"), "{year} {name}: one item per compared code");
        let paid: i64 = items.iter().map(|i| i["paid_pence"].as_i64().unwrap()).sum();
        // Practice-level money is every row's; network-level money is what the
        // file codes to a network (rows with no PCN have no network to compare).
        let (raw_total, uncoded) = match s["level"].as_str().unwrap() {
            "practice" => (raw.total(column), 0),
            _ => {
                let coded: i64 = raw.by_pcn(column).values().sum();
                (coded, raw.total(column) - coded)
            }
        };
        assert_eq!(paid, raw_total, "{year} {name}: sum of paid against the raw {column:?} column");
        let without = pence(&Decimal::try_from(s["paid_without_network"].as_f64().unwrap()).unwrap());
        assert_eq!(without, uncoded, "{year} {name}: paid on rows coded to no network");
        assert_eq!(pence(&Decimal::try_from(s["paid"].as_f64().unwrap()).unwrap()), raw_total, "{year} {name}");
        eprintln!(
            "{year} {name}: compared {}, within 2% {} vs naive {}, within 10% {}, over 10% {}, unexplained {}, \
             computed_not_paid {}, paid £{:.2} (uncoded £{:.2}), reasons {}",
            s["compared"],
            s["within_2pct"],
            s["naive_within_2pct"],
            s["within_10pct"],
            s["over_10pct"],
            s["unexplained_over_10pct"],
            s["computed_not_paid"],
            raw_total as f64 / 100.0,
            uncoded as f64 / 100.0,
            s["reasons"],
        );
    }
    let p = &streams["participation"];
    let (compared, unexplained) = (count(p, "compared"), count(p, "unexplained_over_10pct"));
    assert_eq!(compared, raw.non_zero("PCN Participation"), "{year}: rows with a non-zero PCN Participation");
    assert!(unexplained * 20 < compared, "{year}: {unexplained} of {compared} unexplained, not under 5%");
    // Every difference above 10% is counted once, with reasons or as unexplained.
    for (name, s) in streams {
        let over = s["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                let (p, c) = (i["paid_pence"].as_i64().unwrap(), i["computed_pence"].as_i64().unwrap());
                (c - p).abs() * 10 > p.abs()
            })
            .count();
        assert_eq!(count(s, "over_10pct"), over, "{year} {name}");
        let bare = s["items"].as_array().unwrap().iter().filter(|i| {
            let (p, c) = (i["paid_pence"].as_i64().unwrap(), i["computed_pence"].as_i64().unwrap());
            (c - p).abs() * 10 > p.abs() && i["reasons"].as_array().unwrap().is_empty()
        });
        assert_eq!(count(s, "unexplained_over_10pct"), bare.count(), "{year} {name}");
        let (compared, unexplained) = (count(s, "compared"), count(s, "unexplained_over_10pct"));
        assert!(unexplained * 20 < compared, "{year} {name}: {unexplained} of {compared} unexplained, not under 5%");
    }
}

#[test]
fn reconcile_2020_21_beats_the_naive_figure_on_every_stream() {
    let Some(d) = data_dir("reconcile_2020_21_beats_the_naive_figure_on_every_stream") else { return };
    let payments = d.join("payments/nhs_payments_gp_practice_2020-21.csv");
    let raw = Raw::read(&payments);
    let files = [
        d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"),
        d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
        d.join("snapshot_2021/qof_2021_PREVALENCE_v2.csv"),
        d.join("snapshot_2019_20/qof_1920_PREVALENCE.csv"),
    ];
    let j = reconcile(&files, None, &payments);
    check_streams(&j, &raw, "2020/21", &["participation", "clinical_director", "support", "extended_hours"]);
    let streams = j["streams"].as_object().unwrap();

    // Network streams: one item per PCN code whose summed column is non-zero.
    for name in ["clinical_director", "support", "extended_hours"] {
        let s = &streams[name];
        let want = raw.by_pcn(s["column"].as_str().unwrap()).values().filter(|p| **p != 0).count();
        assert_eq!(count(s, "compared"), want, "2020/21 {name}: PCN codes with non-zero {}", s["column"]);
    }
    assert_eq!(streams["clinical_director"]["column"], "PCN Leadership");

    // Naive participation: £1.76 × the file's weighted list, recomputed here.
    let p = &streams["participation"];
    let naive = raw.naive_within_2pct("PCN Participation", "1.76");
    eprintln!("2020/21 participation: naive within 2% recomputed from the raw file: {naive}");
    assert_eq!(count(p, "naive_within_2pct"), naive);

    for (name, s) in streams {
        let (ours, naive) = (count(s, "within_2pct"), count(s, "naive_within_2pct"));
        assert!(ours > naive, "2020/21 {name}: within 2% {ours} does not beat naive {naive}");
    }
    let not_compared: BTreeSet<&str> =
        j["not_compared"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect();
    assert!(not_compared.contains("care_home_premium") && not_compared.contains("iif"), "{not_compared:?}");
}

#[test]
fn reconcile_2019_20_compares_participation_only() {
    let Some(d) = data_dir("reconcile_2019_20_compares_participation_only") else { return };
    let payments = d.join("payments/nhs_payments_gp_practice_2019-20.csv");
    let raw = Raw::read(&payments);
    let s = d.join("snapshot_2019_20");
    // The list-size date is 1 January 2019, which no file here is dated on: the
    // weighted list there comes from the line through the 2019/20 and 2020/21
    // payments files' figures, so the later file is imported too.
    let files = [
        s.join("ePCN_2019-12.xlsx"),
        s.join("epraccur_2019-11.csv"),
        s.join("qof_1920_PREVALENCE.csv"),
        d.join("payments/nhs_payments_gp_practice_2020-21.csv"),
    ];
    let j = reconcile(&files, Some("2019-12-04"), &payments);
    // The 2019/20 file has a PCN Participation column and no other PCN column.
    check_streams(&j, &raw, "2019/20", &["participation"]);
    let p = &j["streams"]["participation"];
    // 2019/20's rate is £1.761 per weighted patient for the whole year.
    let naive = raw.naive_within_2pct("PCN Participation", "1.761");
    eprintln!("2019/20 participation: naive within 2% recomputed from the raw file: {naive}");
    assert_eq!(count(p, "naive_within_2pct"), naive);
    let ours = count(p, "within_2pct");
    assert!(ours > naive, "2019/20 participation: within 2% {ours} does not beat naive {naive}");
    let not_compared: BTreeSet<&str> =
        j["not_compared"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect();
    assert!(not_compared.contains("clinical_director"), "{not_compared:?}");
}
