//! `pcn form` on all of England (January 2021): the acceptance of the
//! formation issue, measured by the same checker as today's configuration.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn jan2021(d: &Path) -> Vec<PathBuf> {
    vec![
        d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"),
        d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
        d.join("geo/practice_postcode_coords_codepoint.csv"),
    ]
}

fn store(d: &Path, dir: &Path) -> PathBuf {
    let db = dir.join("pcn.db");
    ok_json(&pcn_paths(&db, &["import"], &jan2021(d), &["--json"]));
    db
}

#[test]
fn scratch_over_england_meets_every_bound_it_can() {
    let Some(d) = data_dir("scratch_over_england_meets_every_bound_it_can") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = store(&d, dir.path());
    let out1 = dir.path().join("scratch1.csv");
    let j =
        ok_json(&pcn(&db, &["form", "--mode", "scratch", "--seed", "7", "--json", "--out", out1.to_str().unwrap()]));
    let q = &j["quality"];
    let b = &j["baseline"];
    assert_eq!(q["uncovered"], 0, "{q}");
    assert_eq!(q["non_contiguous"], 0, "{q}");
    assert_eq!(q["cross_commissioner"], 0, "{q}");
    assert_eq!(q["below_floor"], q["below_floor_certified"], "below the floor only where certified impossible: {q}");
    assert_eq!(b["above_ceiling"], 438, "today's configuration, by the same code");
    assert!(q["above_ceiling"].as_u64().unwrap() < b["above_ceiling"].as_u64().unwrap(), "{q}");
    assert!(
        q["mean_weighted_distance_km"].as_f64().unwrap() < b["mean_weighted_distance_km"].as_f64().unwrap(),
        "{q} vs {b}"
    );
    for c in j["certificates"].as_array().unwrap() {
        assert!(c["reason"].is_string() && !c["proposals"].as_array().unwrap().is_empty(), "{c}");
    }

    // Deterministic: the same seed writes the same file.
    let out2 = dir.path().join("scratch2.csv");
    ok_json(&pcn(&db, &["form", "--mode", "scratch", "--seed", "7", "--json", "--out", out2.to_str().unwrap()]));
    assert_eq!(std::fs::read(&out1).unwrap(), std::fs::read(&out2).unwrap());

    // The written configuration imports again and checks as reported.
    let mut files = vec![out1.clone()];
    files.extend(jan2021(&d).into_iter().filter(|f| !f.to_string_lossy().contains("MAPPING")));
    ok_json(&pcn_paths(&db, &["import"], &files, &["--json"]));
    let out = pcn(&db, &["check", "--json"]);
    let check: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by = &check["summary"]["by_rule"];
    assert!(by.get("geo.non-contiguous").is_none() && by.get("coverage.uncovered").is_none(), "{by}");
    assert_eq!(by["size.below-floor"], q["below_floor"]);
    assert_eq!(by["size.above-ceiling"], q["above_ceiling"]);
}

#[test]
fn repair_clears_the_fixable_errors_of_england() {
    let Some(d) = data_dir("repair_clears_the_fixable_errors_of_england") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = store(&d, dir.path());
    let j = ok_json(&pcn(&db, &["form", "--mode", "repair", "--json"]));
    let q = &j["quality"];
    let b = &j["baseline"];
    assert!(b["non_contiguous"].as_u64().unwrap() > 0 && b["uncovered"].as_u64().unwrap() > 0);
    assert_eq!(q["non_contiguous"], 0, "{q}");
    assert_eq!(q["uncovered"], 0, "{q}");
    assert_eq!(q["below_floor"], q["below_floor_certified"], "{q}");
    assert!(
        q["above_ceiling"].as_u64().unwrap() <= b["above_ceiling"].as_u64().unwrap(),
        "no new networks over the ceiling: {q}"
    );
    let moves = j["diff"]["moves"].as_array().unwrap();
    assert_eq!(q["practices_moved"].as_u64().unwrap() as usize, moves.len());
    // Every practice that was uncovered is among the moves; nothing else is left alone only by luck.
    assert!(moves.len() >= b["uncovered"].as_u64().unwrap() as usize);
}

#[test]
fn what_if_an_opted_out_practice_gets_a_covering_neighbour() {
    let Some(d) = data_dir("what_if_an_opted_out_practice_gets_a_covering_neighbour") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = store(&d, dir.path());
    // A81002 is in North Stockton PCN (U07032) in the QOF 2020/21 mapping.
    let j = ok_json(&pcn(
        &db,
        &["form", "--mode", "repair", "--opt-out", "A81002", "--close", "A81001", "--grow-all", "1", "--json"],
    ));
    let cover = j["covering"].as_array().unwrap();
    assert_eq!(cover.len(), 1);
    assert_eq!(cover[0]["practice"], "A81002");
    assert_eq!(cover[0]["network"], "U07032", "its own network still neighbours it");
    assert_eq!(j["quality"]["uncovered"], 0);
    let moves = j["diff"]["moves"].as_array().unwrap();
    assert!(
        moves.iter().any(|m| m["practice"] == "A81002" && m["to"].is_null()),
        "an opted-out practice is no longer a member"
    );
    assert!(
        moves.iter().any(|m| m["practice"] == "A81001" && m["to"].is_null()),
        "a closed practice leaves its network"
    );
}
