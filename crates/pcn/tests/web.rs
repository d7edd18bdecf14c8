//! The web app and API as people and attackers meet them, against a real
//! `pcn serve` on loopback:
//!
//! - the browser flows (load, search, inspect, move, save, approve, repair
//!   review, compare) in headless Chromium driven by playwright-core
//!   (`web/e2e/e2e.mjs`), on the demo data and on the real January 2021 data,
//!   with screenshots kept in `target/e2e-shots/`;
//! - schemathesis against the OpenAPI document: at least 1,000 generated
//!   requests, no server error, no response outside the schema.
//!
//! They need node with `web/node_modules` (`npm ci --prefix web`), Debian's
//! chromium, and schemathesis (pip). Without them each test says SKIPPED and
//! why, unless PCN_REQUIRE_BROWSER=1 (set by `.ci/run`), when a missing tool fails.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{data_dir, pcn, repo_root};

/// One at a time: each drives a server and a browser (or a fuzzer) on two
/// cores, and the browser flows check the what-if answers within 200 ms.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Skips (or, when CI requires the tools, fails) when something is missing.
fn require(test: &str, what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var_os("PCN_REQUIRE_BROWSER").is_some() {
        panic!("{test}: {what} is missing and PCN_REQUIRE_BROWSER is set");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {what} is missing");
    false
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn browser_ready(test: &str) -> bool {
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    require(test, "node", node)
        && require(
            test,
            "web/node_modules (npm ci --prefix web)",
            repo_root().join("web/node_modules/playwright-core").is_dir(),
        )
        && require(test, "chromium", chromium().exists())
}

/// `pcn serve` on an ephemeral port, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcn"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("PCN_WEB_DIR")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start pcn serve");
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let mut base = None;
    for line in lines.by_ref() {
        let line = line.expect("server output");
        if let Some(rest) = line.split("on http://").nth(1) {
            base = Some(format!("http://{}", rest.split_whitespace().next().unwrap()));
        }
        if line.contains("map ready") {
            break;
        }
        assert!(!line.contains("nothing to show"), "{line}");
    }
    // Keep draining the server's output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base: base.expect("the server says where it listens") }
}

fn add_user(db: &Path, name: &str, role: &str, scope: &[&str], password: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcn"))
        .arg("--db")
        .arg(db)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .args(scope)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pcn user add");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "user add {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The commissioner with most networks and one of its networks, from the store.
fn busiest_area(db: &Path) -> (String, String) {
    let out = pcn(db, &["networks", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("networks --json");
    let rows = v["networks"].as_array().cloned().unwrap_or_default();
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in &rows {
        if let (Some(c), Some(n)) = (r["commissioner"].as_str(), r["code"].as_str()) {
            by.entry(c.to_string()).or_default().push(n.to_string());
        }
    }
    let (c, nets) = by.into_iter().max_by_key(|(c, v)| (v.len(), std::cmp::Reverse(c.clone()))).expect("networks");
    (c, nets[0].clone())
}

fn run_e2e(test: &str, db: &Path) {
    let (commissioner, network) = busiest_area(db);
    add_user(db, "e2e-commissioner", "commissioner", &["--commissioner", &commissioner], "commissioner-password-1");
    add_user(db, "e2e-manager", "network", &["--network", &network], "manager-password-1");
    let server = serve(db);
    let shots = repo_root().join("target/e2e-shots").join(test);
    let _ = std::fs::remove_dir_all(&shots);
    let out = Command::new("node")
        .arg(repo_root().join("web/e2e/e2e.mjs"))
        .args(["--base", &server.base, "--shots"])
        .arg(&shots)
        .args(["--commissioner-user", "e2e-commissioner", "--commissioner-password", "commissioner-password-1"])
        .args(["--network-user", "e2e-manager", "--network-password", "manager-password-1"])
        .env("CHROMIUM", chromium())
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{test}:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{test}: the browser flows failed (screenshots in {})", shots.display());
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    drop(server);
}

#[test]
fn the_web_app_works_in_chromium_on_the_demo_data() {
    let test = "the_web_app_works_in_chromium_on_the_demo_data";
    if !browser_ready(test) {
        return;
    }
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let files = dir.path().join("files");
    // The 2021 layout: the flows pay and claim ARRS in 2020/21 and 2021/22,
    // years whose every rate is known (2026/27's are mostly not found).
    let out = pcn(&db, &["demo", "--vintage", "ccg-2021", "--dir", files.to_str().unwrap()]);
    assert!(out.status.success() || out.status.code() == Some(1), "demo: {}", String::from_utf8_lossy(&out.stderr));
    later_snapshot(&db, &files, &dir.path().join("later"));
    run_e2e("demo", &db);
}

/// A second, later snapshot of the demo files (1 April 2021) in which every
/// practice's hypertension register is 5% larger, so the profile has a change
/// over time to show and the snapshot flows have two snapshots.
fn later_snapshot(db: &Path, files: &Path, later: &Path) {
    std::fs::create_dir_all(later).unwrap();
    let mut paths = Vec::new();
    for f in std::fs::read_dir(files).unwrap() {
        let f = f.unwrap().path();
        let to = later.join(f.file_name().unwrap());
        if f.file_name().is_some_and(|n| n == "qof_PREVALENCE.csv") {
            let mut r = csv::Reader::from_path(&f).unwrap();
            let h = r.headers().unwrap().clone();
            let (g, reg) =
                (h.iter().position(|c| c == "GROUP_CODE").unwrap(), h.iter().position(|c| c == "REGISTER").unwrap());
            let mut w = csv::Writer::from_path(&to).unwrap();
            w.write_record(&h).unwrap();
            for row in r.records() {
                let row = row.unwrap();
                let mut out: Vec<String> = row.iter().map(str::to_string).collect();
                if &row[g] == "HYP" {
                    out[reg] = (row[reg].parse::<u64>().unwrap() * 21 / 20).to_string();
                }
                w.write_record(&out).unwrap();
            }
            w.flush().unwrap();
        } else {
            std::fs::copy(&f, &to).unwrap();
        }
        paths.push(to);
    }
    let out = common::pcn_paths(db, &["import"], &paths, &["--as-of", "2021-04-01"]);
    assert!(out.status.success(), "import the later snapshot: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&pcn(db, &["snapshots", "--json"]).stdout).unwrap();
    let dates: Vec<&str> = v["snapshots"].as_array().unwrap().iter().map(|s| s["as_of"].as_str().unwrap()).collect();
    assert!(dates.len() == 2 && dates[0] < dates[1], "two snapshots, the later one last: {dates:?}");
}

#[test]
fn the_web_app_works_in_chromium_on_the_real_january_2021_data() {
    let test = "the_web_app_works_in_chromium_on_the_real_january_2021_data";
    let Some(data) = data_dir(test) else { return };
    if !browser_ready(test) {
        return;
    }
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("england.db");
    let files = [
        "snapshot_2021/gp-reg-pat-prac-all_2021-01.csv",
        "snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv",
        "geo/practice_postcode_coords_codepoint.csv",
        "geo/ccg_2020-04_boundaries_buc.geojson",
        // Weighted lists, so ARRS sums (and the staff flow's headroom) exist.
        "payments/nhs_payments_gp_practice_2020-21.csv",
        // QOF registers and LSOA rurality and deprivation, for the profile.
        "snapshot_2021/qof_2021_PREVALENCE_v2.csv",
        "lsoa/lsoa11_ruc2011.csv",
        "lsoa/lsoa11_geog_imd2019_deciles.csv",
        "lsoa/lsoa11_population_weighted_centroids.csv",
    ];
    let paths: Vec<PathBuf> = files.iter().map(|f| data.join(f)).collect();
    let out = common::pcn_paths(&db, &["import"], &paths, &[]);
    assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
    let out = pcn(&db, &["register", "sync", "--actor", "e2e", "--reason", "January 2021"]);
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    run_e2e("england-2021-01", &db);
}

#[test]
fn schemathesis_finds_no_server_errors_in_a_thousand_requests() {
    let test = "schemathesis_finds_no_server_errors_in_a_thousand_requests";
    let present = Command::new("schemathesis").arg("--version").output().is_ok_and(|o| o.status.success());
    if !require(test, "schemathesis (pip install schemathesis)", present) {
        return;
    }
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let files = dir.path().join("files");
    let out = pcn(&db, &["demo", "--dir", files.to_str().unwrap()]);
    assert!(out.status.success() || out.status.code() == Some(1), "demo: {}", String::from_utf8_lossy(&out.stderr));
    add_user(&db, "fuzzer", "admin", &[], "fuzzer-password-1");
    let token = String::from_utf8(pcn(&db, &["user", "token", "fuzzer"]).stdout).unwrap().trim().to_string();
    assert_eq!(token.len(), 64, "a token");
    let server = serve(&db);
    let report = repo_root().join("target/schemathesis");
    // One worker: schemathesis's coverage phase trips a CPython 3.11 AST race with more.
    // Logging out would revoke the fuzzer's own token, so DELETE (only /api/session) is left out.
    let out = Command::new("schemathesis")
        .arg("--config-file")
        .arg(repo_root().join("crates/pcn/tests/schemathesis.toml"))
        .args(["run", &format!("{}/api/openapi.json", server.base), "--max-examples", "60"])
        .args(["-w", "1", "--exclude-method", "DELETE", "--seed", "1"])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--report", "junit", "--report-dir"])
        .arg(&report)
        // Its own cache (.schemathesis/) goes in the scratch directory, not the checkout.
        .current_dir(dir.path())
        .output()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: String =
        stdout.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(out.status.success(), "schemathesis found problems:\n{stdout}");
    let generated: u64 = stdout
        .lines()
        .find_map(|l| {
            l.trim().split(" generated").next().filter(|_| l.contains(" generated")).and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no count of generated cases in:\n{tail}"));
    assert!(generated >= 1000, "only {generated} requests generated:\n{tail}");
    eprintln!("{test}: {generated} generated requests, no failures");
    drop(server);
}
