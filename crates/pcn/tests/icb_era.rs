//! `pcn import` on the ICB-era fixtures (`fixtures/icb_era`): the summary
//! (history, provenance, what was left out) in the table and in --json, and
//! bad files of the new kinds refused with file, line and field, exit 2, the
//! store's bytes unchanged.

mod common;

use std::path::PathBuf;

use common::*;

fn era(name: &str) -> PathBuf {
    fixtures().join("icb_era").join(name)
}

fn era_files() -> Vec<PathBuf> {
    [
        "fx_epraccur_2025-05.csv",
        "fx_ePCN_2023-01.xlsx",
        "gp-reg-pat-prac-map_2022-04.csv",
        "fx_gp-reg-pat-prac-map_2026-01.csv",
        "fx_qof_2223_PREVALENCE.csv",
        "codepoint_2020.csv",
        "codepoint_2025.csv",
        "fx_pcn_workforce_individual_2022-06.csv",
    ]
    .iter()
    .map(|f| era(f))
    .collect()
}

#[test]
fn the_summary_says_what_is_in_force_where_it_came_from_and_what_was_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let j = ok_json(&pcn_paths(&db, &["import"], &era_files(), &["--as-of", "2023-06-01", "--json"]));
    // June 2023: the ePCN of January 2023 is the latest register on or before the date.
    assert_eq!(j["memberships"], 10);
    assert_eq!(j["current_memberships"], 6);
    assert_eq!(j["ended_memberships"], 4);
    assert_eq!(
        (j["networks"].as_u64(), j["open_networks"].as_u64(), j["closed_networks"].as_u64()),
        (Some(4), Some(3), Some(1))
    );
    assert_eq!(j["active_practices"], 6, "England only");
    assert_eq!(j["workforce_records"], 5);
    let used = j["sources_used"].as_array().unwrap();
    let m: Vec<(&str, u64)> = used
        .iter()
        .filter(|u| u["topic"] == "memberships")
        .map(|u| (u["file"].as_str().unwrap().rsplit('/').next().unwrap(), u["used"].as_u64().unwrap()))
        .collect();
    assert!(
        m.contains(&("fx_ePCN_2023-01.xlsx", 10)) && m.contains(&("fx_gp-reg-pat-prac-map_2026-01.csv", 0)),
        "{m:?}"
    );
    let later = used.iter().find(|u| u["file"].as_str().unwrap().ends_with("2026-01.csv")).unwrap();
    assert_eq!(later["date"], "2026-01-01");
    assert!(later["note"].as_str().unwrap().contains("after the snapshot"), "{later}");
    let left = j["left_out"].as_array().unwrap();
    assert!(left.iter().any(|l| l["count"] == 2 && l["file"].as_str().unwrap().ends_with("fx_epraccur_2025-05.csv")));
    assert!(j["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("FTE below zero")));

    // The table says the same in words.
    let dir = tempfile::tempdir().unwrap();
    let out = pcn_paths(&dir.path().join("pcn.db"), &["import"], &era_files(), &["--as-of", "2026-02-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "memberships: 6 from ",
        "fx_gp-reg-pat-prac-map_2026-01.csv (extract date 2026-01-01)",
        "memberships: not from ",
        "older than the register used (2026-01-01)",
        "left out: 2 GP practices in Wales (1 of them active)",
        "left out: 1 networks open in the ePCN",
        "kept as history: 1 closed networks",
        "coordinates: 2 from ",
        "5 PCN workforce records.",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
}

/// Imports `content` as `name` beside a good file into a populated store:
/// exit 2, every fragment in the message, the store's bytes unchanged.
fn rejects(name: &str, content: &[u8], expect: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    ok_json(&pcn_paths(&db, &["import"], &era_files(), &["--as-of", "2026-02-01", "--json"]));
    let before = sha256(&db);
    let bad = dir.path().join(name);
    std::fs::write(&bad, content).unwrap();
    let beside =
        if name.contains("epraccur") { "fx_gp-reg-pat-prac-map_2026-01.csv" } else { "fx_epraccur_2025-05.csv" };
    let out = pcn_paths(&db, &["import"], &[era(beside), bad.clone()], &["--as-of", "2026-03-01"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "exit code for {name}: {err}");
    assert!(err.contains(&bad.display().to_string()), "message names the file: {err}");
    for e in expect {
        assert!(err.contains(e), "message for {name} should contain {e:?}: {err}");
    }
    assert_eq!(sha256(&db), before, "store changed after a failed import of {name}");
}

fn fixture_text(name: &str) -> String {
    String::from_utf8_lossy(&std::fs::read(era(name)).unwrap()).to_string()
}

#[test]
fn a_bad_pcn_code_in_a_practice_map() {
    let body = fixture_text("fx_gp-reg-pat-prac-map_2026-01.csv").replacen(",U10003,", ",X10003,", 1);
    rejects("map.csv", body.as_bytes(), &["line 3", "field PCN_CODE", "\"X10003\" is not a valid network code"]);
}

#[test]
fn a_practice_map_of_two_extract_dates() {
    let body = fixture_text("fx_gp-reg-pat-prac-map_2026-01.csv").replacen("01Jan2026,B10004", "01Feb2026,B10004", 1);
    rejects("map.csv", body.as_bytes(), &["line 5", "EXTRACT_DATE", "one file is one extract"]);
}

#[test]
fn a_workforce_fte_that_is_not_a_number() {
    let mut bytes = std::fs::read(era("fx_pcn_workforce_individual_2022-06.csv")).unwrap();
    let at = bytes.windows(7).position(|w| w == b",0.25,5").unwrap();
    bytes.splice(at + 1..at + 5, b"half".iter().copied());
    rejects("workforce.csv", &bytes, &["line 4", "field FTE", "\"half\" is not a number"]);
}

#[test]
fn a_workforce_file_of_two_censuses() {
    let body = fixture_text("fx_pcn_workforce_individual_2021-03.csv").replacen("2021,3,U10003", "2021,6,U10003", 1);
    rejects("workforce.csv", body.as_bytes(), &["line 3", "CENSUS_MONTH", "one file is one census"]);
}

#[test]
fn an_epcn_sheet_with_a_column_of_no_known_vintage() {
    let body = fixture_text("ePCN_2023-01_PCN_Core_Partner_Details.csv").replacen("PCN Name", "PCN Nickname", 1);
    rejects("partners.csv", body.as_bytes(), &["line 1", "field PCN NICKNAME", "not one pcn knows"]);
}

#[test]
fn a_payments_column_that_is_neither_known_nor_money() {
    let body = fixture_text("nhspaymentsgp-24-25-prac-csv.csv").replacen("Sub ICB Name", "Sub ICB Type", 1);
    rejects(
        "nhspaymentsgp-24-25-prac-csv.csv",
        body.as_bytes(),
        &["line 1", "field SUB ICB TYPE", "not one pcn knows"],
    );
}

#[test]
fn a_pcn_level_payment_that_is_not_an_amount() {
    let body = fixture_text("nhspaymentsgp-24-25-pcn-csv.csv").replacen("11000.50", "eleven", 1);
    rejects("nhspaymentsgp-24-25-pcn-csv.csv", body.as_bytes(), &["line 2", "field PCN Leadership", "not an amount"]);
}

#[test]
fn a_welsh_row_is_still_checked_for_shape() {
    // Left out is not unread: a Welsh row with a broken column count is refused like any other.
    let body = fixture_text("fx_epraccur_2025-05.csv").replacen("\"W90001\",", "", 1);
    rejects("epraccur.csv", body.as_bytes(), &["line 9", "26 fields"]);
}

/// (file name, items used) of one topic of an import's `sources_used`.
fn used_by(j: &serde_json::Value, topic: &str) -> Vec<(String, u64)> {
    j["sources_used"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["topic"] == topic)
        .map(|u| (u["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), u["used"].as_u64().unwrap()))
        .collect()
}

#[test]
fn two_epcn_workbooks_and_two_practice_lists_import_together_and_the_snapshot_date_picks() {
    let dir = tempfile::tempdir().unwrap();
    // An older practice list: the 2025 one with its latest change moved back to 2021.
    let older = dir.path().join("epraccur_2021.csv");
    let text = fixture_text("fx_epraccur_2025-05.csv").replace("20210930", "20190930");
    std::fs::write(&older, text).unwrap();
    let files = [era("fx_ePCN_2022-04.xlsx"), era("fx_ePCN_2023-01.xlsx"), era("fx_epraccur_2025-05.csv"), older];
    for (as_of, epcn, practice_list) in [
        ("2022-05-01", "fx_ePCN_2022-04.xlsx", "fx_epraccur_2025-05.csv"),
        ("2023-06-01", "fx_ePCN_2023-01.xlsx", "fx_epraccur_2025-05.csv"),
        ("2020-01-01", "fx_ePCN_2022-04.xlsx", "epraccur_2021.csv"),
    ] {
        let db = dir.path().join(format!("{as_of}.db"));
        let j = ok_json(&pcn_paths(&db, &["import"], &files, &["--as-of", as_of, "--json"]));
        let m = used_by(&j, "memberships");
        assert_eq!(m.len(), 2, "{m:?}");
        for (file, used) in &m {
            assert_eq!(file == epcn, *used > 0, "on {as_of} memberships come from {epcn} alone: {m:?}");
        }
        let p = used_by(&j, "practice list");
        assert_eq!(p.len(), 2, "{p:?}");
        for (file, used) in &p {
            assert_eq!(file == practice_list, *used > 0, "on {as_of} the practice list is {practice_list}: {p:?}");
        }
    }
    // A workbook beside the CSV export of one of its sheets is still ambiguous.
    let db = dir.path().join("clash.db");
    let out = pcn_paths(&db, &["import"], &[era("fx_ePCN_2023-01.xlsx"), era("ePCN_2023-01_PCNDetails.csv")], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("import one at a time"), "{}", stderr(&out));
}

#[test]
fn a_practice_the_practice_list_calls_active_but_a_newer_map_omits_is_taken_as_closed_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("fx_gp-reg-pat-prac-map_2026-01.csv");
    let text: String = fixture_text("fx_gp-reg-pat-prac-map_2026-01.csv")
        .lines()
        .filter(|l| !l.contains(",B10006,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&map, text).unwrap();
    let db = dir.path().join("pcn.db");
    let j = ok_json(&pcn_paths(&db, &["import"], &[era("fx_epraccur_2025-05.csv"), map.clone()], &["--json"]));
    // Six active in epraccur, less B10006, plus B10007 that only the map names.
    assert_eq!(j["active_practices"], 6, "B10006 is not in the January 2026 map: {j}");
    let left = j["left_out"].as_array().unwrap();
    let gone = left.iter().find(|l| l["what"].as_str().unwrap().contains("closed or merged since")).unwrap();
    assert_eq!(gone["count"], 1, "{gone}");
    let practices = ok_json(&pcn(&db, &["practices", "--all", "--json"]));
    let b6 = practices["practices"].as_array().unwrap().iter().find(|p| p["code"] == "B10006").unwrap();
    assert_eq!(b6["status"], "unknown", "{b6}");
    // A map older than the practice list (latest change 30 September 2021) says nothing about closures.
    let old = dir.path().join("gp-reg-pat-prac-map_2021-04.csv");
    let text: String = fixture_text("gp-reg-pat-prac-map_2022-04.csv")
        .lines()
        .filter(|l| !l.contains(",B10006,"))
        .map(|l| format!("{}\n", l.replace("01APR2022", "01APR2021")))
        .collect();
    std::fs::write(&old, text).unwrap();
    let db = dir.path().join("old.db");
    let j = ok_json(&pcn_paths(&db, &["import"], &[era("fx_epraccur_2025-05.csv"), old], &["--json"]));
    assert_eq!(j["as_of"], "2021-04-01");
    assert_eq!(j["active_practices"], 6, "{j}");
    assert!(!j["left_out"].to_string().contains("closed or merged since"), "{j}");
}

#[test]
fn the_synthetic_area_is_written_as_today_s_england_by_default_and_as_2021_on_request() {
    let dir = tempfile::tempdir().unwrap();
    for (vintage, as_of, icb_len) in [(None, "2026-04-01", 5), (Some("ccg-2021"), "2021-01-01", 3)] {
        let name = vintage.unwrap_or("default");
        let files = dir.path().join(name);
        let db = dir.path().join(format!("{name}.db"));
        let mut args = vec!["synth", "--practices", "400", "--out", files.to_str().unwrap()];
        if let Some(v) = vintage {
            args.extend(["--vintage", v]);
        }
        let out = pcn(&db, &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&files).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        let has_map = paths.iter().any(|p| p.ends_with("gp-reg-pat-prac-map.csv"));
        assert_eq!(has_map, vintage.is_none(), "{name}: the practice map is a file of the ICB era");
        let j = ok_json(&pcn_paths(&db, &["import"], &paths, &["--json"]));
        assert_eq!(j["as_of"], as_of, "{name}");
        // The ICBs the import knows have the vintage's codes.
        let icbs = ok_json(&pcn(&db, &["icbs", "--json"]));
        let codes: Vec<&str> = icbs["icbs"].as_array().unwrap().iter().filter_map(|i| i["code"].as_str()).collect();
        assert!(!codes.is_empty() && codes.iter().all(|c| c.len() == icb_len), "{name}: {codes:?}");
        // Registrations headers: sub-ICB columns and an ISO date today, CCG columns in 2021.
        let reg = std::fs::read_to_string(files.join("gp-reg-pat-prac-all.csv")).unwrap();
        let head = reg.lines().next().unwrap();
        assert_eq!(head.contains("SUB_ICB_LOCATION_CODE"), vintage.is_none(), "{head}");
        assert_eq!(reg.lines().nth(1).unwrap().contains(",2026-04-01,"), vintage.is_none());
    }
    let out = pcn(&dir.path().join("x.db"), &["synth", "--out", "x", "--vintage", "ccg-2019"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("one of ccg-2021, icb-2026"), "{}", stderr(&out));
}
