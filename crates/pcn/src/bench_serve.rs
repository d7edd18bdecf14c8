//! `pcn bench --serve`: the server under load on loopback, measured by wrk
//! (Debian's `wrk`) from a second process on the same machine.
//!
//! - a what-if move (one practice to a neighbouring network of its
//!   commissioner: both networks' findings and funding) as fast as 2
//!   threads x 32 connections can send it: target 2,000 requests/s, p99 < 50 ms;
//! - the map of England (GeoJSON) sent gzip-compressed, one client at a time:
//!   target < 200 ms;
//! - a crowd: 16 approvals sent at the same moment (each answered, approved or
//!   refused, none a 5xx or a 408), then 2,000 connections reading at once
//!   (no 5xx, no timeout) — on SQLite and, when `PCN_BENCH_POSTGRES` (or
//!   `PCN_TEST_POSTGRES`) names a server, on PostgreSQL too.
//!
//! England January 2021 with `--data` (or PCN_DATA_DIR), else a synthetic area.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::output::Listing;

/// A `pcn serve` child on an ephemeral loopback port, stopped when dropped.
struct Server {
    child: Child,
    base: String,
    /// Seconds the server took to load the snapshot and build the map at start.
    warm_s: Option<f64>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &str) -> anyhow::Result<Server> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("starting pcn serve")?;
    let stderr = child.stderr.take().expect("piped");
    let mut base = None;
    let mut warm_s = None;
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        if let Some(rest) = line.split("on http://").nth(1) {
            base = Some(format!("http://{}", rest.split_whitespace().next().unwrap_or("")));
        }
        if let Some(rest) = line.strip_prefix("pcn: map ready (") {
            warm_s = rest.trim_end_matches(" s)").parse().ok();
            break;
        }
        if line.contains("nothing to show") {
            bail!("the server has nothing to show: {line}");
        }
    }
    let base = base.context("pcn serve did not say where it listens")?;
    Ok(Server { child, base, warm_s })
}

/// GET or POST with curl (the bench's only HTTP client besides wrk).
fn curl(args: &[&str]) -> anyhow::Result<Value> {
    let out = Command::new("curl").args(["-sf"]).args(args).output().context("running curl")?;
    if !out.status.success() {
        bail!("curl {} failed", args.join(" "));
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// A practice and another network of its commissioner to move it to.
fn pick_move(base: &str) -> anyhow::Result<(String, String)> {
    let mut networks: Vec<Value> = Vec::new();
    for page in 1.. {
        let p = curl(&[&format!("{base}/api/networks?per_page=500&page={page}")])?;
        let items = p["items"].as_array().cloned().unwrap_or_default();
        networks.extend(items);
        if networks.len() as u64 >= p["total"].as_u64().unwrap_or(0) {
            break;
        }
    }
    let practices = curl(&[&format!("{base}/api/practices?per_page=500")])?;
    for p in practices["items"].as_array().into_iter().flatten() {
        let (Some(from), Some(comm)) = (p["network"].as_str(), p["commissioner"].as_str()) else { continue };
        if let Some(to) = networks.iter().find(|n| n["commissioner"] == comm && n["code"] != from) {
            return Ok((
                p["code"].as_str().unwrap_or_default().to_string(),
                to["code"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    bail!("no practice with a second network in its commissioner area")
}

struct Wrk {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    requests: u64,
    errors: u64,
}

fn ms(v: &str) -> Option<f64> {
    let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

fn wrk(args: &[&str]) -> anyhow::Result<Wrk> {
    let out = Command::new("wrk").args(args).output().context("running wrk (apt install wrk)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    let pct = |p: &str| {
        text.lines().find_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some(p)).then(|| w.next().and_then(ms)).flatten()
        })
    };
    let rps = text.lines().find_map(|l| l.strip_prefix("Requests/sec:")).and_then(|v| v.trim().parse().ok());
    let requests = text.lines().find_map(|l| l.split(" requests in ").next().and_then(|n| n.trim().parse().ok()));
    // Non-2xx or 3xx responses, and socket errors, both count as errors.
    let non2xx: u64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let socket: u64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Socket errors:"))
        .map(|v| v.split(',').filter_map(|kv| kv.split_whitespace().last()?.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    Ok(Wrk {
        rps: rps.context("wrk printed no Requests/sec")?,
        p50_ms: pct("50%").context("wrk printed no latency distribution")?,
        p99_ms: pct("99%").context("wrk printed no 99th percentile")?,
        requests: requests.unwrap_or(0),
        errors: non2xx + socket,
    })
}

/// England January 2021 (register synced), or a synthetic area, stored once in `dir`.
fn store(dir: &Path, data: Option<&Path>, db: &str) -> anyhow::Result<String> {
    let exe = std::env::current_exe()?;
    let run = |args: Vec<String>| -> anyhow::Result<()> {
        let out = Command::new(&exe).args(&args).output()?;
        if !matches!(out.status.code(), Some(0 | 1)) {
            bail!("pcn {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    };
    let db_s = db.to_string();
    let what = match data {
        Some(d) => {
            let files: Vec<PathBuf> = [
                "snapshot_2021/gp-reg-pat-prac-all_2021-01.csv",
                "snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv",
                "geo/practice_postcode_coords_codepoint.csv",
                "geo/ccg_2020-04_boundaries_buc.geojson",
                // Weighted lists (every funding stream computes) and what profiles use.
                "payments/nhs_payments_gp_practice_2020-21.csv",
                "snapshot_2021/qof_2021_PREVALENCE_v2.csv",
                "lsoa/lsoa11_ruc2011.csv",
                "lsoa/lsoa11_geog_imd2019_deciles.csv",
                "lsoa/lsoa11_population_weighted_centroids.csv",
            ]
            .iter()
            .map(|f| d.join(f))
            .collect();
            if let Some(missing) = files.iter().find(|f| !f.exists()) {
                bail!("{} is missing", missing.display());
            }
            let mut a = vec!["--db".to_string(), db_s.clone(), "import".into()];
            a.extend(files.iter().map(|f| f.display().to_string()));
            run(a)?;
            "England, January 2021"
        }
        None => {
            let files = dir.join("synth");
            if !files.is_dir() {
                run(vec![
                    "synth".into(),
                    "--practices".into(),
                    "6600".into(),
                    "--out".into(),
                    files.display().to_string(),
                ])?;
            }
            let mut a = vec!["--db".to_string(), db_s.clone(), "import".into()];
            let mut f: Vec<String> =
                std::fs::read_dir(&files)?.filter_map(|e| e.ok()).map(|e| e.path().display().to_string()).collect();
            f.sort();
            a.extend(f);
            run(a)?;
            "synthetic England-sized area (6,600 practices)"
        }
    };
    // The register (approvals need it) and an admin to approve with.
    run(vec![
        "--db".into(),
        db_s.clone(),
        "register".into(),
        "sync".into(),
        "--actor".into(),
        "bench".into(),
        "--reason".into(),
        "bench".into(),
    ])?;
    Ok(what.to_string())
}

/// An admin's API token for the store.
fn admin_token(db: &str) -> anyhow::Result<String> {
    let exe = std::env::current_exe()?;
    let out = Command::new(&exe)
        .args(["--db", db, "user", "add", "bench-admin", "--role", "admin"])
        .env("PCN_PASSWORD", "bench-password-0123")
        .output()?;
    if !out.status.success() {
        bail!("pcn user add failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = Command::new(&exe).args(["--db", db, "user", "token", "bench-admin", "--days", "1"]).output()?;
    if !out.status.success() {
        bail!("pcn user token failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Up to `n` moves of distinct practices to another network of their commissioner.
fn moves(base: &str, n: usize) -> anyhow::Result<Vec<(String, String)>> {
    let mut networks: Vec<Value> = Vec::new();
    for page in 1.. {
        let p = curl(&[&format!("{base}/api/networks?per_page=500&page={page}")])?;
        networks.extend(p["items"].as_array().cloned().unwrap_or_default());
        if networks.len() as u64 >= p["total"].as_u64().unwrap_or(0) {
            break;
        }
    }
    let practices = curl(&[&format!("{base}/api/practices?per_page=500")])?;
    let mut out = Vec::new();
    let mut from_used = std::collections::BTreeSet::new();
    for p in practices["items"].as_array().into_iter().flatten() {
        let (Some(from), Some(comm)) = (p["network"].as_str(), p["commissioner"].as_str()) else { continue };
        // One practice per losing network, so the approvals do not all queue on one row.
        if from_used.contains(from) {
            continue;
        }
        if let Some(to) = networks.iter().find(|x| x["commissioner"] == comm && x["code"] != from) {
            from_used.insert(from.to_string());
            out.push((
                p["code"].as_str().unwrap_or_default().to_string(),
                to["code"].as_str().unwrap_or_default().to_string(),
            ));
            if out.len() == n {
                break;
            }
        }
    }
    Ok(out)
}

/// What a crowd of approvals came to.
struct Crowd {
    approved: usize,
    refused: usize,
    failed: Vec<String>,
    wall_ms: f64,
}

/// Proposes each move, then sends every decision at the same moment (one
/// curl each) and waits for all.
fn approvals_at_once(base: &str, token: &str, moves: &[(String, String)]) -> anyhow::Result<Crowd> {
    let auth = format!("Authorization: Bearer {token}");
    let mut ids = Vec::new();
    for (practice, to) in moves {
        let body =
            json!({"kind": "join", "network": to, "practice": practice, "effective": "2030-04-01", "reason": "bench"});
        let r = curl(&[
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "-H",
            &auth,
            "-d",
            &body.to_string(),
            &format!("{base}/api/proposals"),
        ])?;
        ids.push(r["id"].as_i64().context("a proposal id")?);
    }
    let started = std::time::Instant::now();
    let body = json!({"approve": true, "reason": "bench: all at once", "accept_findings": true}).to_string();
    let children: Vec<Child> = ids
        .iter()
        .map(|id| {
            Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "60", "-X", "POST"])
                .args(["-H", "content-type: application/json", "-H", &auth, "-d", &body])
                .arg(format!("{base}/api/proposals/{id}/decision"))
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut crowd = Crowd { approved: 0, refused: 0, failed: Vec::new(), wall_ms: 0.0 };
    for c in children {
        let out = c.wait_with_output()?;
        match String::from_utf8_lossy(&out.stdout).trim() {
            "200" => crowd.approved += 1,
            "409" => crowd.refused += 1,
            other => crowd.failed.push(other.to_string()),
        }
    }
    crowd.wall_ms = started.elapsed().as_secs_f64() * 1e3;
    Ok(crowd)
}

pub fn bench_serve(data: Option<&Path>, seconds: u64, format: crate::cli::FormatArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("pcn-bench-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = (|| -> anyhow::Result<Listing> {
        let mut l = Listing::new(
            "serve benchmarks",
            vec!["benchmark", "requests", "errors", "requests_per_s", "p50_ms", "p99_ms", "target"],
        );
        let sqlite = dir.join("serve.sqlite").display().to_string();
        let mut backends = vec![("SQLite", sqlite)];
        let pg = std::env::var("PCN_BENCH_POSTGRES").or_else(|_| std::env::var(pcn_store::testing::POSTGRES_ENV));
        if let Ok(base) = pg {
            // A database of its own on that server, made on a thread of its own (this one runs the CLI's runtime).
            let url = std::thread::spawn(move || -> anyhow::Result<String> {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                Ok(rt.block_on(pcn_store::testing::fresh_database(&base))?)
            })
            .join()
            .map_err(|_| anyhow::anyhow!("creating the PostgreSQL database panicked"))??;
            backends.push(("PostgreSQL", url));
        } else {
            l.footer
                .push("PostgreSQL not measured: set PCN_BENCH_POSTGRES=postgres://user@host:port/db to add it.".into());
        }
        for (i, (backend, db)) in backends.iter().enumerate() {
            let what = store(&dir, data, db)?;
            let server = start(db)?;
            let base = server.base.clone();
            let r2 = |v: f64| (v * 100.0).round() / 100.0;
            let secs = format!("{seconds}s");
            if i == 0 {
                serve_speed(&mut l, &dir, &base, &what, &secs)?;
                l.footer.push(format!(
                    "Cold start (load the snapshot, build the map and compress it): {}",
                    server.warm_s.map_or("not reported".to_string(), |s| format!("{s:.1} s"))
                ));
            }
            let token = admin_token(db)?;
            let picked = moves(&base, 16)?;
            let crowd = approvals_at_once(&base, &token, &picked)?;
            l.rows.push(vec![
                json!(format!(
                    "{} approvals at once, {what}, {backend} (approved {}, refused {})",
                    picked.len(),
                    crowd.approved,
                    crowd.refused
                )),
                json!(picked.len()),
                json!(crowd.failed.len()),
                Value::Null,
                Value::Null,
                json!(r2(crowd.wall_ms)),
                json!("every one answered 200 or 409, none 5xx or 408"),
            ]);
            if !crowd.failed.is_empty() {
                l.footer.push(format!("{backend}: approvals answered {}", crowd.failed.join(", ")));
            }
            let reads = wrk(&[
                "-t2",
                "-c2000",
                "-d",
                &secs,
                "--timeout",
                "10s",
                "--latency",
                &format!("{base}/api/networks?per_page=50"),
            ])?;
            l.rows.push(vec![
                json!(format!("2,000 connections reading the networks at once, {what}, {backend} (wrk -t2 -c2000)")),
                json!(reads.requests),
                json!(reads.errors),
                json!(r2(reads.rps)),
                json!(r2(reads.p50_ms)),
                json!(r2(reads.p99_ms)),
                json!("no 5xx, no timeout"),
            ]);
            drop(server);
        }
        l.footer.push(format!("Machine: {}", crate::bench::machine()));
        Ok(l)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    std::thread::sleep(Duration::from_millis(10));
    result?.print(format)
}

/// The what-if and the map, as fast as they go.
fn serve_speed(l: &mut Listing, dir: &Path, base: &str, what: &str, secs: &str) -> anyhow::Result<()> {
    let (practice, to) = pick_move(base)?;
    let body = json!({"moves": [{"practice": practice, "to": to}]}).to_string();
    // Warm: the year's funding inputs are built on the first what-if.
    curl(&["-X", "POST", "-H", "content-type: application/json", "-d", &body, &format!("{base}/api/whatif")])?;
    let script = dir.join("whatif.lua");
    std::fs::write(
        &script,
        format!("wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"),
    )?;
    let moved = wrk(&[
        "-t2",
        "-c32",
        "-d",
        secs,
        "--latency",
        "-s",
        &script.display().to_string(),
        &format!("{base}/api/whatif"),
    ])?;
    let map =
        wrk(&["-t1", "-c1", "-d", secs, "--latency", "-H", "Accept-Encoding: gzip", &format!("{base}/api/geojson")])?;
    let size = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{size_download}", "-H", "Accept-Encoding: gzip"])
        .arg(format!("{base}/api/geojson"))
        .output()?;
    let gz_mb = String::from_utf8_lossy(&size.stdout).trim().parse::<f64>().unwrap_or(0.0) / 1e6;
    let r2 = |v: f64| (v * 100.0).round() / 100.0;
    l.rows.push(vec![
        json!(format!("what-if move {practice} -> {to}, {what} (wrk -t2 -c32)")),
        json!(moved.requests),
        json!(moved.errors),
        json!(r2(moved.rps)),
        json!(r2(moved.p50_ms)),
        json!(r2(moved.p99_ms)),
        json!(">= 2,000 req/s, p99 < 50 ms"),
    ]);
    l.rows.push(vec![
        json!(format!("map GeoJSON gzip ({gz_mb:.2} MB), {what} (wrk -t1 -c1)")),
        json!(map.requests),
        json!(map.errors),
        json!(r2(map.rps)),
        json!(r2(map.p50_ms)),
        json!(r2(map.p99_ms)),
        json!("< 200 ms"),
    ]);
    Ok(())
}
