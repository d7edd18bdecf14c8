//! Helpers shared by the CLI's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

pub fn fixtures() -> PathBuf {
    repo_root().join("fixtures")
}

pub fn small_fixture_files() -> Vec<PathBuf> {
    let dir = fixtures().join("small");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir).expect("fixtures").map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// Runs `pcn --db DB ARGS...`.
pub fn pcn(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pcn"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("PCN_DB")
        .output()
        .expect("run pcn")
}

pub fn pcn_paths(db: &Path, before: &[&str], files: &[PathBuf], after: &[&str]) -> Output {
    let mut args: Vec<String> = before.iter().map(|s| s.to_string()).collect();
    args.extend(files.iter().map(|p| p.display().to_string()));
    args.extend(after.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    pcn(db, &refs)
}

pub fn ok_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "pcn failed ({:?}): {}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

pub fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Header and rows of a raw CSV, read with plain CSV parsing, independently
/// of pcn's readers: bytes decoded lossily (the NWRS files are Windows-1252),
/// a byte-order mark dropped from the header.
pub fn raw_table(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8_lossy(&bytes);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().iter().map(|s| s.trim_start_matches('\u{feff}').to_string()).collect();
    (h, r.records().map(|r| r.unwrap()).collect())
}

/// The index of column `name` in a [`raw_table`] header.
pub fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name} in {h:?}"))
}

/// The real data folder, or `None` after saying clearly that the test is skipped.
/// Written straight to stderr, which the test harness does not capture, so the
/// skip shows in every run.
pub fn data_dir(test: &str) -> Option<PathBuf> {
    use std::io::Write;
    let why = match std::env::var_os("PCN_DATA_DIR") {
        Some(d) if Path::new(&d).is_dir() => return Some(PathBuf::from(d)),
        Some(d) => format!("PCN_DATA_DIR={} is not a directory", Path::new(&d).display()),
        None => "PCN_DATA_DIR is not set (point it at the real NHS data folder to run it)".to_string(),
    };
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
    None
}
