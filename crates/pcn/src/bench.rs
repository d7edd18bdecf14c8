//! `pcn bench`: times the main jobs end to end, each in a fresh child process
//! so its peak memory is its own, and prints a table (or JSON).
//!
//! Timings are wall-clock on whatever machine runs them; the closing notes of
//! the issues record them with the machine. They are never asserted in tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::cli::BenchArgs;
use crate::output::Listing;

/// Child processes report their peak resident set when this is set.
pub const PEAK_RSS_ENV: &str = "PCN_REPORT_PEAK_RSS";
const PEAK_RSS_TAG: &str = "pcn-peak-rss-kb:";

/// Peak resident memory of this process in KiB (Linux), for the parent bench.
pub fn report_peak_rss() {
    if std::env::var_os(PEAK_RSS_ENV).is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kb) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    {
        eprintln!("{PEAK_RSS_TAG} {kb}");
    }
}

struct Sample {
    wall: Duration,
    peak_rss_kb: Option<u64>,
    /// Phase timings the child printed (`pcn-timings: name_ms=1.2 ...`).
    phases: Vec<(String, f64)>,
}

/// Runs `pcn ARGS` once, failing loudly if it fails (exit 1 is "findings", not failure).
fn run_child(args: &[String]) -> anyhow::Result<Sample> {
    let exe = std::env::current_exe().context("finding the pcn executable")?;
    let start = Instant::now();
    let out =
        Command::new(exe).args(args).env(PEAK_RSS_ENV, "1").env_remove("PCN_DB").output().context("running pcn")?;
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !matches!(out.status.code(), Some(0 | 1)) {
        bail!("pcn {} failed: {stderr}", args.join(" "));
    }
    let peak_rss_kb = stderr.lines().find_map(|l| l.strip_prefix(PEAK_RSS_TAG)).and_then(|v| v.trim().parse().ok());
    let phases = stderr
        .lines()
        .find_map(|l| l.strip_prefix("pcn-timings:"))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Sample { wall, peak_rss_kb, phases })
}

/// Builds a run's arguments, given the bench's scratch directory.
type ArgsFor = Box<dyn Fn(&Path) -> anyhow::Result<Vec<String>>>;

struct Scenario {
    name: String,
    target: &'static str,
    /// Called before each run with the bench's scratch directory; returns the arguments.
    args: ArgsFor,
}

/// A store under the scratch directory holding `files`, imported once and kept
/// across runs (the bench removes only *.db files at the top level).
fn stored(scratch: &Path, name: &str, files: &[PathBuf]) -> anyhow::Result<String> {
    stored_as_of(scratch, name, files, None)
}

/// [`stored`], dated `as_of` when no file carries a date.
fn stored_as_of(scratch: &Path, name: &str, files: &[PathBuf], as_of: Option<&str>) -> anyhow::Result<String> {
    let dir = scratch.join(name);
    let db = dir.join("store.sqlite");
    if !db.exists() {
        std::fs::create_dir_all(&dir)?;
        let mut a = vec!["--db".to_string(), db.display().to_string(), "import".into()];
        a.extend(paths(files));
        if let Some(d) = as_of {
            a.extend(["--as-of".to_string(), d.to_string()]);
        }
        run_child(&a)?;
    }
    Ok(db.display().to_string())
}

/// England (January 2021) imported, its register synced, and 1,000 open
/// proposals effective 1 April 2021: built once per bench run.
fn register_template(scratch: &Path, files: &[PathBuf]) -> anyhow::Result<String> {
    let dir = scratch.join("register-template");
    let db = dir.join("store.sqlite");
    if !db.exists() {
        let tmp = stored(scratch, "register-build", files)?;
        let base = ["--db".to_string(), tmp.clone()];
        let with =
            |rest: &[&str]| -> Vec<String> { base.iter().cloned().chain(rest.iter().map(|s| s.to_string())).collect() };
        run_child(&with(&["register", "sync", "--actor", "bench", "--reason", "benchmark"]))?;
        run_child(&with(&["register", "seed-proposals", "--count", "1000", "--effective", "2021-04-01"]))?;
        std::fs::create_dir_all(&dir)?;
        std::fs::copy(&tmp, &db)?;
    }
    Ok(db.display().to_string())
}

/// December 2019: epraccur, the ePCN, QOF 2019/20 prevalence and coordinates.
fn dec2019_set(d: &Path) -> Vec<PathBuf> {
    let s = d.join("snapshot_2019_20");
    vec![
        s.join("epraccur_2019-11.csv"),
        s.join("epcn_2019-12_core_partners.csv"),
        s.join("epcn_2019-12_pcn_details.csv"),
        s.join("qof_1920_PREVALENCE.csv"),
        d.join("geo/practice_postcode_coords_codepoint.csv"),
    ]
}

/// Today's England: every file of `snapshot_2022_26/` (ePCN 2022 and 2023,
/// epraccur 2022 and 2025, the practice maps of October 2025 and January
/// 2026, QOF 2022/23), both Code-Point subsets and the 2022 sub-ICB and ICB
/// boundaries.
fn today_set(d: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dir = d.join("snapshot_2022_26");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| !p.to_string_lossy().ends_with("_joined.csv"));
    files.sort();
    for g in [
        "practice_postcode_coords_codepoint.csv",
        "practice_postcode_coords_codepoint_2025.csv",
        "subicb_2022-07_boundaries.geojson",
        "icb_2022-07_boundaries.geojson",
    ] {
        files.push(d.join("geo").join(g));
    }
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        bail!("{} is missing from the data folder", missing.display());
    }
    Ok(files)
}

/// The files of a synthetic area of `n` practices, written once per bench run.
fn synth_files(scratch: &Path, n: usize) -> anyhow::Result<Vec<PathBuf>> {
    let dir = scratch.join(format!("synth-{n}"));
    if !dir.is_dir() {
        run_child(&[
            "synth".into(),
            "--practices".into(),
            n.to_string(),
            "--seed".into(),
            "1".into(),
            "--out".into(),
            dir.display().to_string(),
        ])?;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    files.sort();
    Ok(files)
}

/// A synthetic area of `n` practices, written and imported once.
fn synthetic_store(scratch: &Path, n: usize) -> anyhow::Result<String> {
    stored(scratch, &format!("synth-store-{n}"), &synth_files(scratch, n)?)
}

fn paths(files: &[PathBuf]) -> Vec<String> {
    files.iter().map(|p| p.display().to_string()).collect()
}

fn scenarios(args: &BenchArgs) -> anyhow::Result<(Vec<Scenario>, Vec<String>)> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let data = args.data.clone().or_else(|| std::env::var_os("PCN_DATA_DIR").map(PathBuf::from));
    match data.filter(|d| d.is_dir()) {
        Some(d) => {
            let files = vec![
                d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"),
                d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
                d.join("geo/practice_postcode_coords_codepoint.csv"),
            ];
            for f in &files {
                if !f.is_file() {
                    bail!("{} is missing from the data folder", f.display());
                }
            }
            let import_files = files.clone();
            out.push(Scenario {
                name: "import January 2021 set (6,658 practices)".into(),
                target: "< 3 s, < 500 MB",
                args: Box::new(move |scratch| {
                    let mut a = vec!["--db".to_string(), scratch.join("b.db").display().to_string(), "import".into()];
                    a.extend(paths(&import_files));
                    Ok(a)
                }),
            });
            for (mode, target) in [("scratch", "< 5 s"), ("repair", "< 2 s")] {
                let files = files.clone();
                out.push(Scenario {
                    name: format!("form {mode}, England January 2021"),
                    target,
                    args: Box::new(move |scratch| {
                        let db = stored(scratch, "check-store", &files)?;
                        Ok(vec![
                            "--db".into(),
                            db,
                            "form".into(),
                            "--mode".into(),
                            mode.into(),
                            "--json".into(),
                            "--timings".into(),
                        ])
                    }),
                });
            }
            let pay_files = vec![
                d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"),
                d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
                d.join("snapshot_2019_20/qof_1920_PREVALENCE.csv"),
                d.join("payments/nhs_payments_gp_practice_2020-21.csv"),
            ];
            out.push(Scenario {
                name: "pay: all streams, every network and practice in England, 2020/21".into(),
                target: "entitlements < 100 ms after load",
                args: Box::new(move |scratch| {
                    let db = stored(scratch, "pay-store", &pay_files)?;
                    Ok(vec![
                        "--db".into(),
                        db,
                        "pay".into(),
                        "--year".into(),
                        "2020/21".into(),
                        "--by".into(),
                        "practice".into(),
                        "--csv".into(),
                        "--timings".into(),
                    ])
                }),
            });
            let reg_files = files.clone();
            out.push(Scenario {
                name: "register: every network as of a date, England".into(),
                target: "query < 100 ms",
                args: Box::new(move |scratch| {
                    let db = register_template(scratch, &reg_files)?;
                    Ok(vec![
                        "--db".into(),
                        db,
                        "network".into(),
                        "show".into(),
                        "--all".into(),
                        "--as-of".into(),
                        "2021-04-01".into(),
                        "--json".into(),
                        "--timings".into(),
                    ])
                }),
            });
            let reg_files = files.clone();
            out.push(Scenario {
                name: "register: approve 1,000 proposals (rules-checked), England".into(),
                target: "< 5 s",
                args: Box::new(move |scratch| {
                    // A fresh copy of the template each run: approving uses the proposals up.
                    let template = register_template(scratch, &reg_files)?;
                    let db = scratch.join("approve.db");
                    std::fs::copy(&template, &db)?;
                    Ok(vec![
                        "--db".into(),
                        db.display().to_string(),
                        "approve".into(),
                        "--all-open".into(),
                        "--accept-findings".into(),
                        "--actor".into(),
                        "bench".into(),
                        "--reason".into(),
                        "benchmark".into(),
                        "--timings".into(),
                    ])
                }),
            });
            // Profiles of every network with each year's QOF registers and the LSOA lookups.
            let lsoa: Vec<PathBuf> = [
                "lsoa/lsoa11_ruc2011.csv",
                "lsoa/lsoa11_geog_imd2019_deciles.csv",
                "lsoa/lsoa11_population_weighted_centroids.csv",
            ]
            .iter()
            .map(|f| d.join(f))
            .collect();
            for (year, as_of, mut set) in [
                ("2019/20", Some("2019-12-04"), dec2019_set(&d)),
                (
                    "2020/21",
                    None,
                    vec![
                        d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"),
                        d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
                        d.join("snapshot_2021/qof_2021_PREVALENCE_v2.csv"),
                        d.join("geo/practice_postcode_coords_codepoint.csv"),
                    ],
                ),
            ] {
                set.extend(lsoa.iter().cloned());
                out.push(Scenario {
                    name: format!("profiles of every network, QOF {year}"),
                    target: "profiles < 1 s",
                    args: Box::new(move |scratch| {
                        let db = stored_as_of(scratch, &format!("profile-{}", year.replace('/', "-")), &set, as_of)?;
                        Ok(vec!["--db".into(), db, "profile".into(), "--json".into(), "--timings".into()])
                    }),
                });
            }
            // Today's England: every ICB-era file, with the same targets as the 2021 set.
            let today = today_set(&d)?;
            let import_today = today.clone();
            out.push(Scenario {
                name: "import today's England (2022-26 files, map of January 2026)".into(),
                target: "< 3 s, < 500 MB",
                args: Box::new(move |scratch| {
                    let mut a = vec!["--db".to_string(), scratch.join("b.db").display().to_string(), "import".into()];
                    a.extend(paths(&import_today));
                    Ok(a)
                }),
            });
            let check_today = today.clone();
            out.push(Scenario {
                name: "check today's England (stored snapshot)".into(),
                target: "check < 50 ms after load, graph < 300 ms, < 300 MB",
                args: Box::new(move |scratch| {
                    let db = stored(scratch, "today-store", &check_today)?;
                    Ok(vec!["--db".into(), db, "check".into(), "--json".into(), "--timings".into()])
                }),
            });
            for year in ["2025/26", "2026/27"] {
                let pay_today = today.clone();
                out.push(Scenario {
                    name: format!("pay: every network and practice in today's England, {year}"),
                    target: "entitlements < 100 ms after load",
                    args: Box::new(move |scratch| {
                        let db = stored(scratch, "today-store", &pay_today)?;
                        Ok(vec![
                            "--db".into(),
                            db,
                            "pay".into(),
                            "--year".into(),
                            year.into(),
                            "--by".into(),
                            "practice".into(),
                            "--csv".into(),
                            "--timings".into(),
                        ])
                    }),
                });
            }
            out.push(Scenario {
                name: "check England, January 2021 (stored snapshot)".into(),
                target: "check < 50 ms after load, graph < 300 ms, < 300 MB",
                args: Box::new(move |scratch| {
                    let db = stored(scratch, "check-store", &files)?;
                    Ok(vec!["--db".into(), db, "check".into(), "--json".into(), "--timings".into()])
                }),
            });
        }
        None => skipped.push("real-data benchmarks: no data folder (--data or PCN_DATA_DIR)".to_string()),
    }
    let n = args.synth_practices;
    out.push(Scenario {
        name: format!("synth {n} practices"),
        target: "",
        args: Box::new(move |scratch| {
            Ok(vec![
                "synth".into(),
                "--practices".into(),
                n.to_string(),
                "--seed".into(),
                "1".into(),
                "--out".into(),
                scratch.join("synth").display().to_string(),
            ])
        }),
    });
    out.push(Scenario {
        name: format!("import synthetic {n} practices"),
        target: "synth + import < 30 s",
        args: Box::new(move |scratch| {
            let files = synth_files(scratch, n)?;
            let mut a = vec!["--db".to_string(), scratch.join("s.db").display().to_string(), "import".into()];
            a.extend(paths(&files));
            Ok(a)
        }),
    });
    let tenfold = args.tenfold_practices;
    for (n, scale, target) in [((tenfold / 10).max(1), "1x", ""), (tenfold, "10x", "< 2 min")] {
        out.push(Scenario {
            name: format!("form scratch, synthetic {scale} England ({n} practices)"),
            target,
            args: Box::new(move |scratch| {
                let db = synthetic_store(scratch, n)?;
                Ok(["--db", &db, "form", "--mode", "scratch", "--json", "--timings"].map(String::from).to_vec())
            }),
        });
    }
    // England-sized: 6,600 practices and about 15,000 care homes with their premium paid.
    let england = (tenfold / 10).max(1);
    out.push(Scenario {
        name: format!("profiles and care-home alignment, synthetic England ({england} practices)"),
        target: "profiles + alignment < 1 s",
        args: Box::new(move |scratch| {
            let db = synthetic_store(scratch, england)?;
            Ok(["--db", &db, "profile", "--prompts", "--json", "--timings"].map(String::from).to_vec())
        }),
    });
    Ok((out, skipped))
}

pub fn bench(args: BenchArgs) -> anyhow::Result<()> {
    let runs = args.runs.max(1);
    let (mut scenarios, skipped) = scenarios(&args)?;
    if let Some(only) = &args.only {
        scenarios.retain(|s| s.name.contains(only.as_str()));
        if scenarios.is_empty() {
            bail!("no benchmark's name contains {only:?}");
        }
    }
    let root = std::env::temp_dir().join(format!("pcn-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root)?;
    let mut l = Listing::new(
        "benchmarks",
        vec!["benchmark", "runs", "min_s", "median_s", "peak_rss_mb", "phases_median_ms", "target"],
    );
    let result = (|| -> anyhow::Result<()> {
        for s in &scenarios {
            let mut samples = Vec::with_capacity(runs);
            for i in 0..runs {
                // Each run starts from an empty store, so an import is a real import.
                for entry in std::fs::read_dir(&root)? {
                    let p = entry?.path();
                    if p.extension().is_some_and(|e| e == "db" || e == "db-wal" || e == "db-shm") {
                        std::fs::remove_file(p)?;
                    }
                }
                let sample = run_child(&(s.args)(&root)?)?;
                eprintln!("  {} run {}/{runs}: {:.3} s", s.name, i + 1, sample.wall.as_secs_f64());
                samples.push(sample);
            }
            let mut walls: Vec<f64> = samples.iter().map(|x| x.wall.as_secs_f64()).collect();
            walls.sort_by(f64::total_cmp);
            let peak = samples.iter().filter_map(|x| x.peak_rss_kb).max();
            let phase_names: Vec<String> =
                samples.first().map(|x| x.phases.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
            let phases: Vec<String> = phase_names
                .iter()
                .map(|k| {
                    let mut v: Vec<f64> =
                        samples.iter().filter_map(|x| x.phases.iter().find(|(n, _)| n == k).map(|(_, v)| *v)).collect();
                    v.sort_by(f64::total_cmp);
                    format!("{}={:.1}", k.trim_end_matches("_ms"), v[v.len() / 2])
                })
                .collect();
            l.rows.push(vec![
                json!(s.name),
                json!(runs),
                json!((walls[0] * 1000.0).round() / 1000.0),
                json!((walls[walls.len() / 2] * 1000.0).round() / 1000.0),
                json!(peak.map(|kb| (kb as f64 / 1024.0 * 10.0).round() / 10.0)),
                json!(phases.join(" ")),
                json!(s.target),
            ]);
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&root);
    result?;
    l.meta.insert("machine".into(), json!(machine()));
    l.meta.insert("skipped".into(), json!(skipped));
    l.footer.push(format!("Machine: {}", machine()));
    for s in &skipped {
        l.footer.push(format!("Skipped: {s}"));
    }
    l.print(args.format)
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_string())))
        .unwrap_or_default();
    let profile = if cfg!(debug_assertions) { "debug build" } else { "release build" };
    format!("{cpu}, {cores} cores, {mem} memory, {profile}")
}
