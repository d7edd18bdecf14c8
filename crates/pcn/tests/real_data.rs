//! Acceptance on the real NHS data in PCN_DATA_DIR. Every expected figure is
//! computed here from the raw files with plain CSV reading, independently of
//! pcn's readers, and checked against the figures SOURCES.md publishes.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use common::*;

fn raw_rows(path: &Path, has_headers: bool) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new().has_headers(has_headers).from_path(path).unwrap().records().map(|r| r.unwrap()).collect()
}

fn dec2019(d: &Path, epcn_as_csv: bool) -> Vec<PathBuf> {
    let s = d.join("snapshot_2019_20");
    let mut v = vec![s.join("epraccur_2019-11.csv")];
    if epcn_as_csv {
        v.push(s.join("epcn_2019-12_core_partners.csv"));
        v.push(s.join("epcn_2019-12_pcn_details.csv"));
    } else {
        v.push(s.join("ePCN_2019-12.xlsx"));
    }
    v.push(s.join("qof_1920_PREVALENCE.csv"));
    v.push(d.join("geo/practice_postcode_coords_codepoint.csv"));
    v
}

fn jan2021(d: &Path) -> Vec<PathBuf> {
    vec![
        d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"),
        d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
        d.join("geo/practice_postcode_coords_codepoint.csv"),
    ]
}

#[test]
fn december_2019_set_imports_with_the_published_counts() {
    let Some(d) = data_dir("december_2019_set_imports_with_the_published_counts") else { return };
    // Independent counts from the raw files.
    let ep = raw_rows(&d.join("snapshot_2019_20/epraccur_2019-11.csv"), false);
    let active: BTreeSet<&str> = ep.iter().filter(|r| &r[12] == "A" && &r[25] == "4").map(|r| &r[0]).collect();
    let (ph, partners) = raw_table(&d.join("snapshot_2019_20/epcn_2019-12_core_partners.csv"));
    let pcns: BTreeSet<&str> = partners.iter().map(|r| &r[col(&ph, "PCN_CODE")]).collect();
    assert_eq!((active.len(), pcns.len(), partners.len()), (6_830, 1_250, 6_757), "SOURCES.md figures");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let j = ok_json(&pcn_paths(&db, &["import"], &dec2019(&d, false), &["--as-of", "2019-12-04", "--json"]));
    assert_eq!(j["active_practices"], active.len());
    assert_eq!(j["networks"], pcns.len());
    assert_eq!(j["memberships"], partners.len());

    // Network sizes against the QOF list sizes summed by hand.
    let (qh, qof) = raw_table(&d.join("snapshot_2019_20/qof_1920_PREVALENCE.csv"));
    let mut list: HashMap<&str, i64> = HashMap::new();
    for r in &qof {
        if &r[col(&qh, "PATIENT_LIST_TYPE")] == "TOTAL" {
            list.insert(&r[col(&qh, "PRACTICE_CODE")], r[col(&qh, "PATIENT_LIST_SIZE")].parse().unwrap());
        }
    }
    let mut by_pcn: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in &partners {
        let e = by_pcn.entry(&r[col(&ph, "PCN_CODE")]).or_default();
        e.0 += 1;
        e.1 += list.get(&r[col(&ph, "PARTNER_ORG_CODE")]).copied().unwrap_or(0);
    }
    let nets = ok_json(&pcn(&db, &["networks", "--json"]));
    let nets = nets["networks"].as_array().unwrap();
    assert_eq!(nets.len(), 1_250);
    for n in nets {
        let (count, patients) = by_pcn[n["code"].as_str().unwrap()];
        assert_eq!(n["practices"], count, "{n}");
        assert_eq!(n["registered_patients"].as_i64().unwrap(), patients, "{n}");
    }
    // ePCN names its commissioner for every network.
    assert!(nets.iter().all(|n| n["commissioner"].is_string()));
}

#[test]
fn workbook_and_its_csv_exports_give_identical_snapshots() {
    let Some(d) = data_dir("workbook_and_its_csv_exports_give_identical_snapshots") else { return };
    let opts = pcn_nhs::ImportOptions { as_of: Some(time::macros::date!(2019 - 12 - 04)), ..Default::default() };
    let a = pcn_nhs::import_files(&dec2019(&d, false), &opts).unwrap();
    let b = pcn_nhs::import_files(&dec2019(&d, true), &opts).unwrap();
    assert_eq!(a.snapshot.memberships.len(), 6_757);
    // Compare piece by piece so a failure names the first difference, not 1,250 networks.
    for (x, y) in a.snapshot.networks.iter().zip(&b.snapshot.networks) {
        assert_eq!(x, y);
    }
    for (x, y) in a.snapshot.memberships.iter().zip(&b.snapshot.memberships) {
        assert_eq!(x, y);
    }
    for (x, y) in a.snapshot.practices.iter().zip(&b.snapshot.practices) {
        assert_eq!(x, y);
    }
    for (x, y) in a.snapshot.commissioners.iter().zip(&b.snapshot.commissioners) {
        assert_eq!(x, y);
    }
    assert!(a.snapshot == b.snapshot, "snapshots differ outside networks, memberships, practices and commissioners");
}

#[test]
fn january_2021_set_imports_with_the_published_counts() {
    let Some(d) = data_dir("january_2021_set_imports_with_the_published_counts") else { return };
    let (gh, gp) = raw_table(&d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"));
    let patients: i64 = gp.iter().map(|r| r[col(&gh, "NUMBER_OF_PATIENTS")].parse::<i64>().unwrap()).sum();
    let (mh, map) = raw_table(&d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"));
    let allocated: Vec<_> = map.iter().filter(|r| &r[col(&mh, "PCN_ODS_CODE")] != "U").collect();
    let pcns: BTreeSet<&str> = allocated.iter().map(|r| &r[col(&mh, "PCN_ODS_CODE")]).collect();
    assert_eq!((gp.len(), patients), (6_658, 60_606_345), "SOURCES.md figures");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let j = ok_json(&pcn_paths(&db, &["import"], &jan2021(&d), &["--json"]));
    assert_eq!(j["as_of"], "2021-01-01", "the extract date dates the snapshot");
    assert_eq!(j["practices"], gp.len());
    assert_eq!(j["registered_patients"], patients);
    assert_eq!(j["networks"], pcns.len(), "1,252 QOF PCN codes less the 'U' (unallocated) code");
    assert_eq!(j["memberships"], allocated.len());

    // Cross-check with the convenience join (never the import path).
    let (jh, joined) = raw_table(&d.join("snapshot_2021/practices_2021_joined.csv"));
    let practices = ok_json(&pcn(&db, &["practices", "--json"]));
    let ours: HashMap<&str, &serde_json::Value> =
        practices["practices"].as_array().unwrap().iter().map(|p| (p["code"].as_str().unwrap(), p)).collect();
    assert_eq!(ours.len(), joined.len());
    let mut coord_checked = 0;
    for r in &joined {
        let p = ours[&r[col(&jh, "PRACTICE_CODE")]];
        // The join writes QOF's "U" (unallocated) where pcn lists no network.
        let want = match &r[col(&jh, "PCN_CODE")] {
            "U" => "",
            code => code,
        };
        assert_eq!(p["network"].as_str().unwrap(), want, "{p}");
        assert_eq!(p["registered_patients"].as_i64().unwrap(), r[col(&jh, "PATIENTS_2021_01")].parse::<i64>().unwrap());
        let lat = &r[col(&jh, "LAT")];
        if !lat.is_empty() {
            assert!((p["lat"].as_f64().unwrap() - lat.parse::<f64>().unwrap()).abs() < 1e-6, "{p}");
            coord_checked += 1;
        } else {
            assert!(p["lat"].is_null());
        }
    }
    assert!(coord_checked > 6_600);
}

#[test]
fn coordinates_cover_at_least_99_8_percent_and_the_rest_are_listed() {
    let Some(d) = data_dir("coordinates_cover_at_least_99_8_percent_and_the_rest_are_listed") else { return };
    for (files, as_of) in [(jan2021(&d), None), (dec2019(&d, true), Some("2019-12-04"))] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pcn.db");
        let mut after = vec!["--json"];
        if let Some(a) = as_of {
            after.extend(["--as-of", a]);
        }
        let j = ok_json(&pcn_paths(&db, &["import"], &files, &after));
        assert!(j["coordinates_coverage_pct"].as_f64().unwrap() >= 99.8, "{}", j["coordinates_coverage_pct"]);
        let missing = j["missing_coordinates"].as_array().unwrap();
        let listed = ok_json(&pcn(&db, &["practices", "--json"]));
        let without: BTreeSet<&str> = listed["practices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["lat"].is_null() && p["postcode"].is_string())
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        let named: BTreeSet<&str> = missing.iter().map(|m| m["practice"].as_str().unwrap()).collect();
        assert_eq!(named, without, "every practice without coordinates is listed, none dropped");
        assert!(!named.is_empty());
    }
}

#[test]
fn payments_files_import_to_the_penny() {
    let Some(d) = data_dir("payments_files_import_to_the_penny") else { return };
    for (file, rows, participation_pounds) in [
        ("payments/nhs_payments_gp_practice_2019-20.csv", 7_001, 95.90e6),
        ("payments/nhs_payments_gp_practice_2020-21.csv", 6_808, 102.20e6),
    ] {
        let path = d.join(file);
        let (h, raw) = raw_table(&path);
        let c = col(&h, "PCN Participation");
        // Independent sum in pence of the published pounds.
        let pence: i64 = raw
            .iter()
            .filter(|r| !r[c].trim().is_empty())
            .map(|r| (r[c].trim().parse::<f64>().unwrap() * 100.0).round() as i64)
            .sum();
        assert!((pence as f64 / 100.0 - participation_pounds).abs() < 0.01e6, "SOURCES.md total for {file}");
        let imp = pcn_nhs::import_files(
            &[path],
            &pcn_nhs::ImportOptions { as_of: Some(time::macros::date!(2021 - 03 - 31)), ..Default::default() },
        )
        .unwrap();
        assert_eq!(imp.snapshot.payments.len(), rows);
        let ours: i64 =
            imp.snapshot.payments.iter().filter_map(|p| p.items.get("PCN Participation")).map(|m| m.pence()).sum();
        assert_eq!(ours, pence, "{file}");
    }
}

#[test]
fn reimporting_the_real_set_is_idempotent() {
    let Some(d) = data_dir("reimporting_the_real_set_is_idempotent") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let first = ok_json(&pcn_paths(&db, &["import"], &jan2021(&d), &["--json"]));
    let hash = sha256(&db);
    let again = ok_json(&pcn_paths(&db, &["import"], &jan2021(&d), &["--json"]));
    assert_eq!(again["status"], "unchanged");
    assert_eq!(again["snapshot"], first["snapshot"]);
    assert_eq!(sha256(&db), hash);
}
