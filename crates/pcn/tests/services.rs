//! `pcn services`: the specifications in force, a network's checklist, and
//! marking a requirement done (kept in the store, counted on the checklist).

mod common;

use common::*;

fn rows(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["checklist"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_requirement_marked_done_leaves_the_overdue_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let out = pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // 2021/22: the SMR specification is in force, its capacity requirement among them.
    let list = ok_json(&pcn(&db, &["services", "list", "--year", "2021/22", "--json"]));
    let reqs: Vec<&str> =
        list["requirements"].as_array().unwrap().iter().map(|r| r["requirement"].as_str().unwrap()).collect();
    assert!(reqs.contains(&"smr.capacity"), "{reqs:?}");
    let before = rows(&ok_json(&pcn(&db, &["services", "checklist", "U00001", "--on", "2021-12-01", "--json"])));
    let status = |rs: &[serde_json::Value], id: &str| {
        rs.iter().find(|r| r["requirement"] == id).map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status(&before, "smr.capacity").as_deref(), Some("overdue"));
    let out = pcn(
        &db,
        &[
            "services",
            "mark",
            "U00001",
            "smr.capacity",
            "--done-on",
            "2021-11-01",
            "--evidence",
            "board minutes",
            "--actor",
            "test",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let after = rows(&ok_json(&pcn(&db, &["services", "checklist", "U00001", "--on", "2021-12-01", "--json"])));
    assert_eq!(status(&after, "smr.capacity").as_deref(), Some("done"));
    assert_eq!(
        after.iter().filter(|r| r["status"] == "overdue").count() + 1,
        before.iter().filter(|r| r["status"] == "overdue").count()
    );
    // Another network's checklist is untouched; a made-up requirement is a usage error.
    let other = rows(&ok_json(&pcn(&db, &["services", "checklist", "U00002", "--on", "2021-12-01", "--json"])));
    assert_eq!(status(&other, "smr.capacity").as_deref(), Some("overdue"));
    let bad = pcn(
        &db,
        &["services", "mark", "U00001", "smr.nothing", "--done-on", "2021-11-01", "--evidence", "x", "--actor", "t"],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("smr.nothing"));
}
