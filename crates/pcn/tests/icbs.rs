//! The commissioner hierarchy on the command line: `--icb` beside
//! `--commissioner`, `pcn icbs`, and an ICB the snapshot does not know refused.
//! The small fixture with its second CCG (00Y) moved to another STP (QHN) in
//! the QOF mapping, imported as of January 2021 (the CCG era) and as of
//! January 2023 (the ICB era).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// The small fixture's files in `dir`, 00Y's parent changed to QHN.
fn two_icbs(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for f in small_fixture_files() {
        let to = dir.join(f.file_name().unwrap());
        let text = std::fs::read_to_string(&f).unwrap();
        let text = if text.starts_with("NAT_ONS_CODE") {
            let lines: Vec<String> = text
                .lines()
                .map(|l| {
                    if l.contains(",00Y,") {
                        l.replace(",QHM,E54000050,Cumbria and North East,", ",QHN,E54000051,NHS Other ICB,")
                    } else {
                        l.to_string()
                    }
                })
                .collect();
            assert!(lines.iter().any(|l| l.contains(",QHN,")), "the fixture still has CCG 00Y under QHM");
            lines.join("\n") + "\n"
        } else {
            text
        };
        std::fs::write(&to, text).unwrap();
        files.push(to);
    }
    files
}

fn imported(as_of: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let files = two_icbs(dir.path());
    let db = dir.path().join("pcn.db");
    ok_json(&pcn_paths(&db, &["import"], &files, &["--as-of", as_of, "--json"]));
    (dir, db)
}

fn codes(v: &Value, key: &str) -> Vec<String> {
    v[key].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn the_roll_up_counts_each_icbs_sub_icbs_networks_practices_and_patients() {
    let (_dir, db) = imported("2021-01-01");
    let j = ok_json(&pcn(&db, &["icbs", "--json"]));
    assert_eq!(j["era"], "ccg");
    assert_eq!(j["tiers"]["parent"], "STP");
    let rows = j["icbs"].as_array().unwrap();
    assert_eq!(codes(&j, "icbs"), ["QHM", "QHN"]);
    for (row, ccg) in rows.iter().zip(["00X", "00Y"]) {
        assert_eq!(row["sub_icb_codes"], ccg);
        assert_eq!(row["sub_icbs"], 1);
        // The same figures as the listings of its one CCG.
        let p = ok_json(&pcn(&db, &["practices", "--commissioner", ccg, "--json"]));
        let n = ok_json(&pcn(&db, &["networks", "--commissioner", ccg, "--json"]));
        assert_eq!(row["practices"], p["count"], "{row}");
        assert_eq!(row["registered_patients"], p["registered_patients"], "{row}");
        assert_eq!(row["networks"], n["count"], "{row}");
        assert!(row["practices"].as_u64().unwrap() > 0);
        // Exit 1 when there are errors: the JSON is the same.
        let c: Value = serde_json::from_slice(&pcn(&db, &["check", "--commissioner", ccg, "--json"]).stdout).unwrap();
        let counted = c["findings"].as_array().unwrap().iter().filter(|f| f["commissioner"] == ccg).count() as u64;
        let by_severity = ["errors", "warnings", "infos"].iter().map(|k| row[*k].as_u64().unwrap()).sum::<u64>();
        assert_eq!(by_severity, counted, "{row}");
    }
    let text = String::from_utf8(pcn(&db, &["icbs"]).stdout).unwrap();
    assert!(text.contains("2 STPs of 2 CCGs"), "{text}");
}

#[test]
fn icb_filters_keep_the_icbs_sub_icb_locations_only() {
    let (_dir, db) = imported("2021-01-01");
    let all = ok_json(&pcn(&db, &["practices", "--json"]));
    for (icb, ccg) in [("QHM", "00X"), ("QHN", "00Y")] {
        let by_icb = ok_json(&pcn(&db, &["practices", "--icb", icb, "--json"]));
        let by_ccg = ok_json(&pcn(&db, &["practices", "--commissioner", ccg, "--json"]));
        assert_eq!(codes(&by_icb, "practices"), codes(&by_ccg, "practices"));
        assert!(by_icb["count"].as_u64().unwrap() < all["count"].as_u64().unwrap());
        assert!(by_icb["practices"].as_array().unwrap().iter().all(|p| p["commissioner"] == ccg));
        let nets = ok_json(&pcn(&db, &["networks", "--icb", icb, "--json"]));
        assert_eq!(
            codes(&nets, "networks"),
            codes(&ok_json(&pcn(&db, &["networks", "--commissioner", ccg, "--json"])), "networks")
        );
        let check = pcn(&db, &["check", "--icb", icb, "--json"]);
        let c: Value = serde_json::from_slice(&check.stdout).unwrap();
        assert!(
            c["findings"].as_array().unwrap().iter().all(|f| f["commissioner"].is_null() || f["commissioner"] == ccg),
            "{c}"
        );
        let profile = ok_json(&pcn(&db, &["profile", "--icb", icb, "--json"]));
        let nets_profiled: Vec<&str> =
            profile["profiles"].as_array().unwrap().iter().map(|p| p["network"].as_str().unwrap()).collect();
        assert_eq!(nets_profiled, codes(&nets, "networks"));
    }
    // The commissioner and the ICB together: the commissioner must be the ICB's.
    let both = ok_json(&pcn(&db, &["practices", "--commissioner", "00X", "--icb", "QHM", "--json"]));
    assert_eq!(both["count"], ok_json(&pcn(&db, &["practices", "--commissioner", "00X", "--json"]))["count"]);
    let out = pcn(&db, &["practices", "--commissioner", "00X", "--icb", "QHN"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("00X is not a CCG of STP QHN (it is in QHM)"), "{}", stderr(&out));
}

#[test]
fn an_icb_the_snapshot_does_not_know_is_refused_naming_those_it_does() {
    let (_dir, db) = imported("2023-01-01");
    for cmd in ["practices", "networks", "check", "profile", "icbs"] {
        let mut args = vec![cmd, "--icb", "QHX"];
        if cmd == "icbs" {
            // The roll-up takes no filter: clap refuses it.
            args = vec![cmd, "--icb", "QHM"];
        }
        let out = pcn(&db, &args);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", stderr(&out));
        if cmd != "icbs" {
            let e = stderr(&out);
            assert!(
                e.contains("ICB QHX is not in this snapshot (did you mean QHM, QHN?); it knows QHM, QHN"),
                "{cmd}: {e}"
            );
        }
    }
    // In the ICB era the tiers are named so.
    let j = ok_json(&pcn(&db, &["icbs", "--json"]));
    assert_eq!((j["era"].as_str(), j["tiers"]["commissioner"].as_str()), (Some("icb"), Some("sub-ICB location")));
    let out = pcn(&db, &["networks", "--commissioner", "00Y", "--icb", "QHM"]);
    assert!(stderr(&out).contains("00Y is not a sub-ICB location of ICB QHM (it is in QHN)"), "{}", stderr(&out));
}
