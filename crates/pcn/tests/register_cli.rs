//! The register through the CLI: a process killed with SIGKILL inside an
//! import or an approval leaves the store as it was (SQLite and PostgreSQL);
//! replaying two real registers yields the changes between them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

fn targets(dir: &Path, test: &str) -> Vec<PathBuf> {
    let rt = tokio_rt();
    rt.block_on(pcn_store::testing::targets(dir, test))
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn db_arg(target: &Path) -> String {
    target.display().to_string()
}

/// Runs pcn with the in-transaction pause, waits until it says it is inside
/// the transaction, and kills it with SIGKILL.
fn kill_inside_transaction(target: &Path, args: &[String]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcn"))
        .arg("--db")
        .arg(db_arg(target))
        .args(args)
        .env("PCN_TEST_PAUSE_IN_TX", "60000")
        .env("PCN_ACTOR", "crash test")
        .env_remove("PCN_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pcn");
    let stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("pcn-test: inside the") {
            break;
        }
    }
    assert!(seen.contains("pcn-test: inside the"), "pcn never reached its transaction:\n{seen}");
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success());
}

/// Rows in snapshot tables that belong to no snapshot, and the snapshot count.
fn snapshot_rows(target: &Path) -> (i64, i64) {
    tokio_rt().block_on(async {
        let s = pcn_store::Store::open(target).await.unwrap();
        let snapshots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM snapshots").fetch_one(s.pool()).await.unwrap();
        let mut orphans = 0i64;
        for table in ["practices", "networks", "memberships", "list_sizes", "snapshot_sources", "commissioners"] {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE snapshot_id NOT IN (SELECT id FROM snapshots)"
            )))
            .fetch_one(s.pool())
            .await
            .unwrap();
            orphans += n;
        }
        s.close().await;
        (snapshots, orphans)
    })
}

#[test]
fn sigkill_inside_an_import_or_an_approval_leaves_the_store_consistent() {
    let dir = tempfile::tempdir().unwrap();
    for target in targets(dir.path(), "sigkill_inside_an_import_or_an_approval_leaves_the_store_consistent") {
        let db = db_arg(&target);
        let db = Path::new(&db);
        // A first import and a register to work on.
        ok(&pcn_paths(db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]));
        ok(&pcn(db, &["register", "sync", "--actor", "setup", "--reason", "initial register"]));
        assert_eq!(snapshot_rows(db), (1, 0));

        // Killed inside the import of a second set: no second snapshot, no stray rows.
        let synth = dir
            .path()
            .join(format!("synth-{}", target.file_name().map_or("pg".into(), |f| f.to_string_lossy().to_string())));
        ok(&pcn(db, &["synth", "--practices", "2000", "--out", synth.to_str().unwrap()]));
        let mut files: Vec<String> =
            std::fs::read_dir(&synth).unwrap().map(|e| e.unwrap().path().display().to_string()).collect();
        files.sort();
        let mut args = vec!["import".to_string()];
        args.extend(files.clone());
        kill_inside_transaction(db, &args);
        assert_eq!(snapshot_rows(db), (1, 0), "{target:?}: the killed import left something behind");
        // The store still works: the same import now goes through.
        let again = pcn(db, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(again.status.success(), "{}", stderr(&again));
        assert_eq!(snapshot_rows(db), (2, 0));

        // Killed inside an approval: the proposal stays open, nothing of it is applied.
        let p = ok_json(&pcn(
            db,
            &[
                "propose",
                "payee",
                "U00001",
                "A00001",
                "--effective",
                "2021-04-01",
                "--actor",
                "pcn",
                "--reason",
                "new payee",
                "--json",
            ],
        ));
        let id = p["proposal"].as_i64().unwrap();
        let before = ok_json(&pcn(db, &["register", "log", "--json"]));
        kill_inside_transaction(
            db,
            &["approve".to_string(), id.to_string(), "--reason".to_string(), "approved".to_string()],
        );
        let props = ok_json(&pcn(db, &["proposals", "--json"]));
        let status = props["proposals"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap()["status"].clone();
        assert_eq!(status, "open", "{target:?}: a killed approval decided the proposal");
        let after = ok_json(&pcn(db, &["register", "log", "--json"]));
        assert_eq!(before["changes"], after["changes"], "{target:?}: a killed approval wrote to the log");
        let show = ok_json(&pcn(db, &["network", "show", "U00001", "--as-of", "2021-04-01", "--json"]));
        assert_eq!(show["network"]["version"], 1);
        // And approving again works.
        ok(&pcn(db, &["approve", &id.to_string(), "--actor", "ccg", "--reason", "approved"]));
        let show = ok_json(&pcn(db, &["network", "show", "U00001", "--as-of", "2021-04-01", "--json"]));
        assert_eq!(show["network"]["version"], 2);
        assert!(
            show["records"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["kind"] == "nominated_payee" && r["subject"] == "A00001")
        );
    }
}

fn ok(out: &std::process::Output) {
    assert!(out.status.success(), "pcn failed ({:?}): {}", out.status.code(), stderr(out));
}

/// Current practice -> PCN of an ePCN core-partners CSV on a date, read independently.
fn epcn_members(path: &Path) -> BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (p, n, end) = (col("PARTNER_ORG_CODE"), col("PCN_CODE"), col("REL_END_DATE"));
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| x[end].trim().is_empty())
        .map(|x| (x[p].to_string(), x[n].to_string()))
        .collect()
}

/// Practice -> PCN of a QOF mapping (blank or "U" = no PCN), read independently.
fn qof_members(path: &Path) -> BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (p, n) = (col("PRACTICE_CODE"), col("PCN_ODS_CODE"));
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| !x[n].trim().is_empty() && x[n].trim() != "U")
        .map(|x| (x[p].to_string(), x[n].to_string()))
        .collect()
}

#[test]
fn replaying_dec_2019_and_mar_2021_yields_the_changes_between_them() {
    let Some(d) = data_dir("replaying_dec_2019_and_mar_2021_yields_the_changes_between_them") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let epcn = d.join("snapshot_2019_20/epcn_2019-12_core_partners.csv");
    let details = d.join("snapshot_2019_20/epcn_2019-12_pcn_details.csv");
    let qof = d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv");
    ok(&pcn_paths(&db, &["import"], &[details, epcn.clone()], &["--as-of", "2019-12-04"]));
    ok(&pcn_paths(&db, &["import"], std::slice::from_ref(&qof), &["--as-of", "2021-03-31"]));
    let first = ok_json(&pcn(
        &db,
        &["register", "sync", "--snapshot", "1", "--actor", "ods", "--reason", "ePCN December 2019", "--json"],
    ));
    let second = ok_json(&pcn(
        &db,
        &["register", "sync", "--snapshot", "2", "--actor", "qof", "--reason", "QOF 2020/21 mapping", "--json"],
    ));

    let a = epcn_members(&epcn);
    let b = qof_members(&qof);
    let moved: BTreeSet<&String> = a.keys().filter(|p| b.get(*p).is_some_and(|n| n != &a[*p])).collect();
    let joined_new = b.keys().filter(|p| !a.contains_key(*p)).count();
    let left = a.keys().filter(|p| !b.contains_key(*p)).count();
    let nets_a: BTreeSet<&String> = a.values().collect();
    let nets_b: BTreeSet<&String> = b.values().collect();
    let opened = nets_b.difference(&nets_a).count();
    let closed = nets_a.difference(&nets_b).count();
    eprintln!(
        "Dec 2019 -> Mar 2021: {} practices moved, {joined_new} joined, {left} left, {opened} networks opened, {closed} closed",
        moved.len()
    );
    let s1 = &first["sync"];
    assert_eq!(s1["joined"].as_u64().unwrap() as usize, a.len());
    let s2 = &second["sync"];
    assert_eq!(s2["moved"].as_array().unwrap().len(), moved.len());
    assert_eq!(s2["joined"].as_u64().unwrap() as usize, moved.len() + joined_new);
    assert_eq!(s2["left"].as_u64().unwrap() as usize, left);
    assert_eq!(s2["opened"].as_array().unwrap().len(), opened);
    assert_eq!(s2["closed"].as_array().unwrap().len(), closed);

    // The history of a practice that moved: two spells, the first ending the day before.
    let mover = moved.iter().next().expect("some practice moved");
    let h = ok_json(&pcn(&db, &["practice", "history", mover, "--json"]));
    let spells = h["spells"].as_array().unwrap();
    assert_eq!(spells.len(), 2, "{h}");
    assert_eq!(spells[0]["network"], a[*mover].as_str());
    assert_eq!(spells[0]["to"], "2021-03-30");
    assert_eq!(spells[1]["network"], b[*mover].as_str());
    // As-of queries see each state.
    let dec = ok_json(&pcn(&db, &["network", "show", "--all", "--as-of", "2020-06-01", "--json"]));
    assert_eq!(dec["networks"].as_array().unwrap().len(), nets_a.len());
    let mar = ok_json(&pcn(&db, &["network", "show", "--all", "--as-of", "2021-03-31", "--json"]));
    assert_eq!(mar["networks"].as_array().unwrap().len(), nets_b.len());
}

#[test]
fn proposals_are_checked_against_the_rules_before_approval() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    ok(&pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]));
    ok(&pcn(&db, &["register", "sync", "--actor", "ods", "--reason", "initial register"]));
    // TOWN PCN has 32,500 patients; without A00002 (9,500) it falls below the 30,000 floor.
    let p = ok_json(&pcn(
        &db,
        &[
            "propose",
            "leave",
            "U00001",
            "A00002",
            "--effective",
            "2021-04-01",
            "--actor",
            "pcn",
            "--reason",
            "leaves",
            "--json",
        ],
    ));
    let errors = p["findings"]["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e.as_str().unwrap().starts_with("size.below-floor")), "{p}");
    let id = p["proposal"].as_i64().unwrap().to_string();
    let refused = pcn(&db, &["approve", &id, "--actor", "ccg", "--reason", "ok"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let show = ok_json(&pcn(&db, &["network", "show", "U00001", "--as-of", "2021-04-01", "--json"]));
    assert_eq!(show["records"].as_array().unwrap().len(), 3, "a refused approval changed the register");
    // The commissioner may go ahead knowingly: the findings are kept with the decision.
    ok(&pcn(&db, &["approve", &id, "--accept-findings", "--actor", "ccg", "--reason", "rural waiver"]));
    let show = ok_json(&pcn(&db, &["network", "show", "U00001", "--as-of", "2021-04-01", "--json"]));
    assert_eq!(show["records"].as_array().unwrap().len(), 2);
    let log = ok_json(&pcn(&db, &["network", "history", "U00001", "--json"]));
    let last = log["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "leave");
    assert!(
        last["reason"].as_str().unwrap().contains("approved despite: ")
            && last["reason"].as_str().unwrap().contains("size.below-floor"),
        "{last}"
    );
    // A clinical director must work in a member practice.
    let d = ok_json(&pcn(
        &db,
        &[
            "propose",
            "director",
            "U00002",
            "Dr Who",
            "--practice",
            "A00001",
            "--effective",
            "2021-04-01",
            "--actor",
            "pcn",
            "--reason",
            "new CD",
            "--json",
        ],
    ));
    assert!(d["findings"]["errors"][0].as_str().unwrap().contains("member practice"), "{d}");
    // The ePCN export of the new state has the two remaining members of TOWN PCN.
    let out = dir.path().join("epcn.csv");
    ok(&pcn(&db, &["export", "epcn", "--as-of", "2021-04-01", "--out", out.to_str().unwrap()]));
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().filter(|l| l.contains(",U00001,")).count(), 2, "{text}");
    assert!(text.starts_with("PARTNER_ORG_CODE,"));
}

#[test]
fn governance_partners_and_approvals_are_recorded_with_their_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    ok(&pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]));
    ok(&pcn(&db, &["register", "sync", "--actor", "ods", "--reason", "initial register"]));
    let who = ["--actor", "ccg", "--reason", "recorded"];
    let with = |args: &[&str]| -> Vec<String> { args.iter().chain(who.iter()).map(|s| s.to_string()).collect() };
    let run = |args: Vec<String>| pcn(&db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    ok(&run(with(&[
        "register",
        "agreement",
        "U00001",
        "--signed",
        "2019-06-28",
        "--schedules-complete",
        "--effective",
        "2021-01-01",
    ])));
    ok(&run(with(&[
        "register",
        "partner",
        "add",
        "U00001",
        "Town Pharmacy",
        "--kind",
        "pharmacy",
        "--effective",
        "2021-02-01",
    ])));
    ok(&run(with(&["register", "partner", "remove", "U00001", "Town Pharmacy", "--effective", "2021-06-01"])));
    ok(&run(with(&["register", "non-participant", "add", "U00002", "A00006", "--effective", "2021-02-01"])));
    let gov = dir.path().join("gov.csv");
    std::fs::write(
        &gov,
        "network,clinical_director,nominated_payee,agreement_signed\nU00002,Dr Grey,A00004,2019-06-30\n",
    )
    .unwrap();
    ok(&run(with(&["register", "governance", gov.to_str().unwrap(), "--effective", "2021-01-01"])));
    let approvals = dir.path().join("approvals.csv");
    std::fs::write(
        &approvals,
        "kind,network,practice,reference,from,to,note\nfloor-waiver,U00001,,PCC 2021/07,2021-04-01,2022-03-31,rural\n",
    )
    .unwrap();
    ok(&run(with(&["register", "approvals", approvals.to_str().unwrap()])));

    let on = |date: &str, code: &str| -> Vec<(String, String)> {
        let j = ok_json(&pcn(&db, &["network", "show", code, "--as-of", date, "--json"]));
        j["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["kind"].as_str().unwrap().to_string(), r["subject"].as_str().unwrap().to_string()))
            .collect()
    };
    let march = on("2021-03-01", "U00001");
    assert!(march.contains(&("partner".into(), "Town Pharmacy".into())), "{march:?}");
    assert!(march.contains(&("agreement".into(), "2019-06-28".into())));
    assert!(!march.iter().any(|(k, _)| k == "approval"), "the waiver starts in April");
    let july = on("2021-07-01", "U00001");
    assert!(!july.iter().any(|(k, _)| k == "partner"), "the partner left in June: {july:?}");
    assert!(july.contains(&("approval".into(), "PCC 2021/07".into())));
    // Partners and non-participants are never members.
    assert_eq!(july.iter().filter(|(k, _)| k == "member").count(), 3);
    let city = on("2021-03-01", "U00002");
    for want in [("clinical_director", "Dr Grey"), ("nominated_payee", "A00004"), ("non_participant", "A00006")] {
        assert!(city.contains(&(want.0.into(), want.1.into())), "{want:?} in {city:?}");
    }
    // An edit based on an old version is refused, naming who changed it.
    let stale = run(with(&[
        "register",
        "partner",
        "add",
        "U00001",
        "Late Pharmacy",
        "--expect-version",
        "1",
        "--effective",
        "2021-08-01",
    ]));
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stderr(&stale).contains("changed since you read it") && stderr(&stale).contains("ccg"),
        "{}",
        stderr(&stale)
    );
    // A bad line in a file names the file, line and field, and records nothing.
    std::fs::write(&approvals, "kind,network,practice,reference,from,to,note\nwaiver-ish,U00001,,X,,,\n").unwrap();
    let bad = run(with(&["register", "approvals", approvals.to_str().unwrap()]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("approvals.csv") && stderr(&bad).contains("line 2") && stderr(&bad).contains("kind"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn a_split_is_checked_for_the_new_network_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    ok(&pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]));
    ok(&pcn(&db, &["register", "sync", "--actor", "ods", "--reason", "initial register"]));
    // A00003 alone (11,000 patients) would be a single-practice network far below the floor.
    let p = ok_json(&pcn(
        &db,
        &[
            "propose",
            "split",
            "U00001",
            "U00009",
            "A00003",
            "--name",
            "NEW PCN",
            "--effective",
            "2021-04-01",
            "--actor",
            "pcn",
            "--reason",
            "split",
            "--json",
        ],
    ));
    let errors: Vec<&str> = p["findings"]["errors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(errors.iter().any(|e| e.starts_with("size.below-floor") && e.contains("U00009")), "{errors:?}");
}

/// `pcn check` and the API's check read the same view: once the register has
/// a change (here an approved move), both see the register's configuration,
/// not the snapshot as imported (they once disagreed).
#[test]
fn the_cli_and_the_api_check_the_same_configuration_once_the_register_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    ok(&pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01"]));
    let findings_of = |v: &serde_json::Value| -> BTreeSet<(String, String)> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["rule"].as_str().unwrap().to_string(), f["network"].as_str().unwrap_or("").to_string()))
            .collect()
    };
    let check = |db: &Path| {
        let out = pcn(db, &["check", "--json"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let before = findings_of(&check(&db));
    let who = ["--actor", "test", "--reason", "fixture"];
    ok(&pcn(&db, &[&["register", "sync"][..], &who].concat()));
    // A00003 leaves TOWN (00X) for CITY (00Y) from a day already past.
    ok(&pcn(&db, &[&["propose", "join", "U00002", "A00003", "--effective", "2021-01-01"][..], &who].concat()));
    ok(&pcn(&db, &[&["approve", "--all-open", "--accept-findings"][..], &who].concat()));
    let cli = findings_of(&check(&db));
    assert_ne!(cli, before, "pcn check still reads the snapshot as imported");
    assert!(cli.contains(&("boundary.cross-commissioner".to_string(), "U00002".to_string())), "{cli:?}");
    let api = tokio_rt().block_on(async {
        use tower::ServiceExt;
        let store = pcn_store::Store::open(&db).await.unwrap();
        let (app, _) = pcn_api::router(pcn_api::AppState::new(store));
        let req = axum::http::Request::get("/api/check?per_page=500").body(axum::body::Body::empty()).unwrap();
        let res = app.oneshot(req).await.unwrap();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
    });
    assert_eq!(findings_of(&api), cli, "the API and the CLI check different configurations");
}
