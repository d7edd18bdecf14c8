//! `pcn profile`: prevalence is QOF's sums over a network's practices. The
//! expected figures are computed here from the raw QOF files with plain CSV
//! reading, independently of pcn's readers: on the small fixture always, and
//! for five real networks of January 2021 when PCN_DATA_DIR is set.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;

/// Per network and group: (Σ register, Σ list) from a QOF prevalence file and
/// a practice → network map.
fn expected(prevalence: &Path, network_of: &BTreeMap<String, String>) -> BTreeMap<(String, String), (u64, u64)> {
    let mut r = csv::Reader::from_path(prevalence).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(|s| s.trim_start_matches('\u{feff}').to_string()).collect();
    let at = |n: &str| h.iter().position(|c| c == n).unwrap_or_else(|| panic!("no {n}"));
    let (p, g, reg) = (at("PRACTICE_CODE"), at("GROUP_CODE"), at("REGISTER"));
    let list = h.iter().position(|c| c == "PATIENT_LIST_SIZE" || c == "PRACTICE_LIST_SIZE").unwrap();
    let mut out: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        if let Some(n) = network_of.get(&row[p]) {
            let e = out.entry((n.clone(), row[g].to_string())).or_default();
            e.0 += row[reg].parse::<u64>().unwrap();
            e.1 += row[list].parse::<u64>().unwrap();
        }
    }
    out
}

fn profile(db: &Path, network: &str) -> serde_json::Value {
    ok_json(&pcn(db, &["profile", network, "--json"]))["profile"].clone()
}

fn check_network(db: &Path, network: &str, want: &BTreeMap<(String, String), (u64, u64)>) -> usize {
    let p = profile(db, network);
    let got: BTreeMap<String, (u64, u64)> = p["prevalence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["group"].as_str().unwrap().to_string(), (r["register"].as_u64().unwrap(), r["list"].as_u64().unwrap()))
        })
        .collect();
    let mine: BTreeMap<String, (u64, u64)> =
        want.iter().filter(|((n, _), _)| n == network).map(|((_, g), v)| (g.clone(), *v)).collect();
    assert!(!mine.is_empty(), "no expected groups for {network}");
    assert_eq!(got, mine, "{network}");
    for r in p["prevalence"].as_array().unwrap() {
        let (reg, list) = (r["register"].as_f64().unwrap(), r["list"].as_f64().unwrap());
        let want = (reg * 10_000.0 / list).round() / 100.0;
        assert_eq!(r["percent"].as_f64().unwrap(), want, "{network} {}", r["group"]);
    }
    mine.len()
}

#[test]
fn a_networks_prevalence_is_the_sum_of_its_practices_qof_registers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let out = pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let members = ok_json(&pcn(&db, &["networks", "--json"]));
    assert!(members["networks"].as_array().unwrap().len() >= 2);
    // The fixture's ePCN core partners give the membership.
    let (h, rows) = {
        let mut r = csv::Reader::from_path(fixtures().join("small/epcn_core_partners.csv")).unwrap();
        let h: Vec<String> = r.headers().unwrap().iter().map(|s| s.replace('\n', " ")).collect();
        (h, r.records().map(|x| x.unwrap()).collect::<Vec<_>>())
    };
    let code = h.iter().position(|c| c.starts_with("Partner")).unwrap();
    let pcn_code = h.iter().position(|c| c == "PCN Code").unwrap();
    let end = h.iter().position(|c| c.contains("End Date")).unwrap();
    let network_of: BTreeMap<String, String> =
        rows.iter().filter(|r| r[end].is_empty()).map(|r| (r[code].to_string(), r[pcn_code].to_string())).collect();
    let want = expected(&fixtures().join("small/qof_PREVALENCE.csv"), &network_of);
    let checked: usize = ["U00001", "U00002"].iter().map(|n| check_network(&db, n, &want)).sum();
    assert!(checked >= 2);
    // England's figure is every practice's, the commissioner's its own practices'.
    let p = profile(&db, "U00001");
    let hyp = p["prevalence"].as_array().unwrap().iter().find(|r| r["group"] == "HYP").unwrap().clone();
    assert!(hyp["england_percent"].as_f64().is_some() && hyp["commissioner_percent"].as_f64().is_some(), "{hyp}");
}

#[test]
fn five_real_networks_match_the_qof_files() {
    let Some(d) = data_dir("five_real_networks_match_the_qof_files") else { return };
    let s = d.join("snapshot_2021");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let files = [
        s.join("gp-reg-pat-prac-all_2021-01.csv"),
        s.join("qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
        s.join("qof_2021_PREVALENCE_v2.csv"),
        d.join("geo/practice_postcode_coords_codepoint.csv"),
    ];
    let out = pcn_paths(&db, &["import"], &files, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Independent membership: the QOF mapping, for practices in the January 2021 list file.
    let listed: BTreeSet<String> =
        csv::Reader::from_path(&files[0]).unwrap().records().map(|r| r.unwrap()[5].to_string()).collect();
    let mut r = csv::Reader::from_path(&files[1]).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let (pc, nc) =
        (h.iter().position(|c| c == "PRACTICE_CODE").unwrap(), h.iter().position(|c| c == "PCN_ODS_CODE").unwrap());
    let mut by_network: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        by_network.entry(row[nc].to_string()).or_default().push(row[pc].to_string());
    }
    // Five networks spread through the file, every practice of which is listed in January 2021.
    let whole: Vec<&String> = by_network
        .iter()
        .filter(|(n, ps)| n.len() == 6 && ps.len() >= 3 && ps.iter().all(|p| listed.contains(p)))
        .map(|(n, _)| n)
        .collect();
    let picks: Vec<&String> = (0..5).map(|i| whole[i * whole.len() / 5]).collect();
    let network_of: BTreeMap<String, String> =
        picks.iter().flat_map(|n| by_network[*n].iter().map(move |p| (p.clone(), (*n).clone()))).collect();
    let want = expected(&files[2], &network_of);
    for n in &picks {
        let groups = check_network(&db, n, &want);
        assert!(groups >= 15, "{n}: only {groups} QOF groups");
    }
}

#[test]
fn a_profile_prints_as_a_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let out = pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = dir.path().join("u00001.html");
    let out = pcn(&db, &["profile", "U00001", "--html", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    let json = profile(&db, "U00001");
    let hyp = json["prevalence"].as_array().unwrap().iter().find(|r| r["group"] == "HYP").unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("Profile of U00001"), "{html}");
    assert!(html.contains(&format!("<td>HYP</td><td>{}</td><td>{}</td>", hyp["register"], hyp["list"])), "{html}");
    assert!(!html.contains("<script") && !html.contains("http"), "self-contained");
    assert!(!dir.path().join("u00001.partial").exists());
    // --html needs a network.
    assert_eq!(pcn(&db, &["profile", "--html", page.to_str().unwrap()]).status.code(), Some(2));
}

#[test]
fn a_profile_shows_its_change_since_an_earlier_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let out = pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A year later A00001's hypertension register grows by 100.
    let later = dir.path().join("later");
    std::fs::create_dir_all(&later).unwrap();
    let mut files = Vec::new();
    for f in small_fixture_files() {
        let to = later.join(f.file_name().unwrap());
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&to, text.replace("A00001,HYP,1700,", "A00001,HYP,1800,")).unwrap();
        files.push(to);
    }
    let out = pcn_paths(&db, &["import"], &files, &["--as-of", "2022-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = ok_json(&pcn(&db, &["profile", "U00001", "--against", "1", "--json"]));
    let rows = v["change"].as_array().unwrap();
    let hyp = rows.iter().find(|r| r["measure"] == "HYP prevalence %").unwrap();
    let list =
        profile(&db, "U00001")["prevalence"].as_array().unwrap().iter().find(|r| r["group"] == "HYP").unwrap()["list"]
            .as_f64()
            .unwrap();
    let then = hyp["then"].as_f64().unwrap();
    let now = hyp["now"].as_f64().unwrap();
    // 100 more on the same list: the percentage moves by 100/list, to rounding.
    assert!(((now - then) - 100.0 * 100.0 / list).abs() < 0.011, "{hyp} with list {list}");
    assert_eq!(hyp["change"].as_f64().unwrap(), ((now - then) * 100.0).round() / 100.0);
    let reg = rows.iter().find(|r| r["measure"] == "registered").unwrap();
    assert_eq!(reg["change"], 0, "{reg}");
}

#[test]
fn a_profile_lists_the_care_homes_nearest_its_practices() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let mut files = small_fixture_files();
    files.push(fixtures().join("care_homes/HSCA_Active_Locations.csv"));
    let out = pcn_paths(&db, &["import"], &files, &["--as-of", "2021-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let all = ok_json(&pcn(&db, &["profile", "--care-homes", "--json"]));
    let rows = all["care_homes"].as_array().unwrap();
    let got: Vec<(&str, &str, u64, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["network"].as_str().unwrap(),
                r["location_id"].as_str().unwrap(),
                r["beds"].as_u64().unwrap(),
                r["nearest_practice"].as_str().unwrap(),
            )
        })
        .collect();
    // Elm House shares A00002's postcode; Birch Lodge is nearest A00005 (A00006 has no coordinates).
    assert_eq!(got, [("U00001", "1-1000000001", 60, "A00002"), ("U00002", "1-1000000002", 30, "A00005")]);
    assert_eq!(rows[0]["distance_km"], 0.0);
    assert_eq!((all["snapshot_homes"].as_u64(), all["unlocated"].as_u64()), (Some(3), Some(1)));
    assert_eq!((all["homes"].as_u64(), all["beds"].as_u64(), all["unaligned"].as_u64()), (Some(2), Some(90), Some(0)));
    let town = ok_json(&pcn(&db, &["profile", "--care-homes", "--commissioner", "00X", "--json"]));
    assert_eq!((town["homes"].as_u64(), town["beds"].as_u64()), (Some(1), Some(60)));
    let missing = pcn(&db, &["profile", "--care-homes", "U99999"]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));

    let one = ok_json(&pcn(&db, &["profile", "U00001", "--json"]));
    let homes = &one["care_homes"];
    assert_eq!(
        (homes["homes"].as_u64(), homes["beds"].as_u64(), homes["nursing_beds"].as_u64()),
        (Some(1), Some(60), Some(60))
    );
    // Per 1,000 registered: TOWN PCN 60 / 32,500; England (both networks) 90 / (32,500 + 36,500).
    let registered = one["profile"]["registered"].as_f64().unwrap();
    assert_eq!(registered, 32_500.0);
    assert_eq!(homes["beds_per_1000"][0].as_f64().unwrap(), (60.0 * 1000.0 / 32_500.0 * 100.0_f64).round() / 100.0);
    let england: f64 = ["U00001", "U00002"].iter().map(|n| profile(&db, n)["registered"].as_f64().unwrap()).sum();
    assert_eq!(homes["beds_per_1000"][2].as_f64().unwrap(), (90.0 * 1000.0 / england * 100.0).round() / 100.0);
    // No payments in the fixture: no premium and no alignment prompt.
    assert_eq!(homes["premium_paid"].as_array().unwrap().len(), 0);
    assert!(one["prompts"].as_array().unwrap().iter().all(|p| p["id"] != "ehch.alignment-gap"));
}

#[test]
fn a_care_home_far_from_every_practice_falls_to_no_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    // One home in Cornwall, some 450 km from the fixture's Teesside practices.
    let cqc = dir.path().join("HSCA_Active_Locations.csv");
    std::fs::write(
        &cqc,
        "Location ID,Care home?,Location Name,Care homes beds,Location Postal Code,Location Latitude,Location Longitude\n\
         1-9,Y,Far Away House,40,TR1 1AA,50.263,-5.051\n",
    )
    .unwrap();
    let mut files = small_fixture_files();
    files.push(cqc);
    let out = pcn_paths(&db, &["import"], &files, &["--as-of", "2021-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let all = ok_json(&pcn(&db, &["profile", "--care-homes", "--json"]));
    assert_eq!((all["homes"].as_u64(), all["unaligned"].as_u64()), (Some(0), Some(1)), "{all}");
    assert_eq!(all["care_homes"].as_array().unwrap().len(), 0);
    // Its beds go to no network when estimating the premium either.
    let j = ok_json(&pcn(&db, &["pay", "--year", "2021/22", "--beds-from-cqc", "--json"]));
    let premium: i64 = j["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["stream"] == "care_home_premium")
        .map(|l| l["annual_pence"].as_i64().unwrap())
        .sum();
    assert_eq!(premium, 0);
    assert!(j["missing"].as_array().unwrap().iter().all(|m| m["stream"] != "care_home_premium"), "{j}");
}
