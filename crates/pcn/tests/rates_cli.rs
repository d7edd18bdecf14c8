//! Rates as the user's data on the command line: `pcn rates list|show|check`
//! (exit codes; errors naming file, line and field), and `pcn pay --rates
//! --overlay` on a synthetic area of several ICBs: the agreement's networks
//! change by exactly the difference its rate makes from its date, the others
//! not at all, and the output names the table and the overlay used.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use rust_decimal::Decimal;

fn rates_file(name: &str) -> String {
    fixtures().join("rates").join(name).display().to_string()
}

fn fails(out: &std::process::Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout {}\nstderr {}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
    stderr(out)
}

fn stdout(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", stderr(out));
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn rates_list_show_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let table = rates_file("2026-27.toml");
    let lva = rates_file("lva-QA1-2026-27.toml");

    // list: the built-in years, then with the user's table replacing 2026/27.
    let j = ok_json(&pcn(&db, &["rates", "list", "--json"]));
    let years = j["years"].as_array().unwrap();
    assert_eq!(years.len(), 8);
    assert_eq!(years[6]["table"], "built-in rates/2025-26.toml");
    assert_eq!(years[6]["not_found"], 1, "2025/26: the IIF");
    assert_eq!(years[7]["rates"], 0, "the built-in 2026/27 has no rate");
    let j = ok_json(&pcn(&db, &["rates", "list", "--json", "--rates", &table, "--overlay", &lva]));
    let y = &j["years"][7];
    let digest = sha256(Path::new(&table));
    assert_eq!(y["table"], format!("{table} (sha256 {})", &digest[..12]));
    assert_eq!(y["replaces"], "rates/2026-27.toml");
    assert_eq!((y["rates"].as_u64(), y["confidence"].as_str()), (Some(6), Some("R 9")));
    assert_eq!(j["overlays"][0]["icb"], "QA1");
    let text = stdout(&pcn(&db, &["rates", "list"]));
    assert!(text.contains("2019/20") && text.contains("built-in rates/2026-27.toml"), "{text}");

    // show: every stream and role with its source; gaps listed as not found with why.
    let j = ok_json(&pcn(&db, &["rates", "show", "2025/26", "--json"]));
    let streams = j["streams"].as_array().unwrap();
    let core: Vec<&serde_json::Value> = streams.iter().filter(|s| s["stream"] == "core_funding").collect();
    assert_eq!(core.len(), 2);
    assert!(core.iter().all(|s| s["status"] == "rate" && s["source"].as_str().unwrap().contains("des-facts")));
    let iif = streams.iter().find(|s| s["stream"] == "iif").unwrap();
    assert_eq!((iif["status"].as_str(), iif["confidence"].as_str()), (Some("not found"), Some("NF")));
    assert!(iif["note"].as_str().unwrap().contains("not found"), "{iif}");
    assert!(j["arrs_roles"].as_array().unwrap().iter().any(|r| r["role"] == "gp" && r["max_per_wte_year"] == "105882"));
    let text = stdout(&pcn(&db, &["rates", "show", "2026/27"]));
    assert!(text.contains("Not found: core_funding"), "{text}");
    assert!(text.contains("clinical_pharmacist"), "{text}");
    // As varied for the agreement's ICB.
    let j = ok_json(&pcn(
        &db,
        &["rates", "show", "2026/27", "--rates", &table, "--overlay", &lva, "--for-icb", "QA1", "--json"],
    ));
    assert!(j["table"].as_str().unwrap().contains("as varied for ICB QA1"), "{}", j["table"]);
    let amounts: Vec<&str> = j["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["stream"] == "core_funding" && s["basis"] == "registered")
        .map(|s| s["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, vec!["2.266", "3.00"]);

    // check: valid files give a summary and exit 0.
    let text = stdout(&pcn(&db, &["rates", "check", &table]));
    assert!(text.contains("a valid rate table for 2026/27: 6 rates over 5 streams"), "{text}");
    let text = stdout(&pcn(&db, &["rates", "check", &lva, "--rates", &table]));
    assert!(text.contains("a valid Local Variation Agreement of ICB QA1 for 2026/27 from 2026-05-01"), "{text}");
    // An overlay the built-in table cannot carry: the built-in 2026/27 pays no core funding.
    let err = fails(&pcn(&db, &["rates", "check", &lva]), 2);
    assert!(err.contains("core_funding is without a rate (not found) in the 2026/27 table"), "{err}");
    assert!(err.contains("--rates FILE"), "{err}");

    // Invalid files: exit 2, the error names the file, the line and the field.
    let bad = rates_file("invalid/bad-field.toml");
    let err = fails(&pcn(&db, &["rates", "check", &bad]), 2);
    assert!(err.contains(&format!("{bad}: line 10: field amout: unknown field `amout`")), "{err}");
    let early = rates_file("invalid/lva-too-early.toml");
    let err = fails(&pcn(&db, &["rates", "check", &early]), 2);
    assert!(err.contains(&format!("{early}: line 5: field effective_from: 2026-04-01 is before 1 May 2026")), "{err}");
    assert!(err.contains("Local Variation Agreements take effect from 1 May 2026"), "{err}");
    let unknown = rates_file("invalid/lva-unknown-stream.toml");
    let err = fails(&pcn(&db, &["rates", "check", &unknown, "--rates", &table]), 2);
    assert!(
        err.contains(&format!("{unknown}: line 10: rates[0] (capacity_access_support / adjusted): field stream:")),
        "{err}"
    );
    assert!(err.contains("mark it `addition = true`"), "{err}");
    let t = rates_file("invalid/2025-26.toml");
    let err = fails(&pcn(&db, &["rates", "check", &t]), 2);
    assert!(err.contains(&format!("{t}: line 9: rates[0] (core_funding / registered from 2025-04-01): field amount: amount -2.266 must be positive")), "{err}");
    let err = fails(&pcn(&db, &["rates", "check", &rates_file("missing.toml")]), 2);
    assert!(err.contains("missing.toml: cannot read"), "{err}");
    // Files given as the wrong kind.
    let err = fails(&pcn(&db, &["rates", "list", "--rates", &lva]), 2);
    assert!(err.contains("is an overlay (it names an icb): give it with --overlay"), "{err}");
}

/// A synthetic area imported into a fresh store.
fn area(dir: &Path) -> PathBuf {
    let db = dir.join("pcn.db");
    let files = dir.join("synth");
    // The ICB QA1 of the 2021 layout (STP codes); the fixture agreement names it.
    let out = pcn(&db, &["synth", "--practices", "600", "--vintage", "ccg-2021", "--out", files.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&files).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let out = pcn_paths(&db, &["import"], &paths, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

/// Pence per network, from `pay --json` lines.
fn by_network(j: &serde_json::Value) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for l in j["lines"].as_array().unwrap() {
        *m.entry(l["network"].as_str().unwrap().to_string()).or_default() += l["annual_pence"].as_i64().unwrap();
    }
    m
}

fn pence(pounds: Decimal) -> i64 {
    let p =
        (pounds * Decimal::from(100)).round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(p).unwrap()
}

#[test]
fn pay_with_an_overlay_changes_only_its_icbs_networks_by_the_difference_it_makes() {
    let dir = tempfile::tempdir().unwrap();
    let db = area(dir.path());
    let table = rates_file("2026-27.toml");
    let lva = rates_file("lva-QA1-2026-27.toml");
    let base = ok_json(&pcn(&db, &["pay", "--year", "2026/27", "--rates", &table, "--json"]));
    let with = ok_json(&pcn(&db, &["pay", "--year", "2026/27", "--rates", &table, "--overlay", &lva, "--json"]));

    let used = &with["rates_used"];
    assert_eq!(used["table"], format!("{table} (sha256 {})", &sha256(Path::new(&table))[..12]));
    let o = &used["overlays"][0];
    assert_eq!((o["icb"].as_str(), o["effective_from"].as_str()), (Some("QA1"), Some("2026-05-01")));
    assert!(o["file"].as_str().unwrap().starts_with(&format!("{lva} (sha256 ")), "{o}");
    assert!(used["part_year"].as_str().unwrap().contains("by month"), "{used}");
    assert_eq!(base["rates_used"]["overlays"].as_array().unwrap().len(), 0);
    let affected: Vec<String> =
        o["networks"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();

    let (before, after) = (by_network(&base), by_network(&with));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    let unaffected: Vec<&String> = before.keys().filter(|n| !affected.contains(n)).collect();
    assert!(
        !affected.is_empty() && !unaffected.is_empty(),
        "the area needs networks inside and outside QA1: {affected:?}"
    );
    for n in &unaffected {
        assert_eq!(before[*n], after[*n], "{n} is not in QA1 and must not change");
    }
    // Each affected network: its registered core funding lines, April at £2.266 and May to
    // March at £3.00 (a year's rate, by months counted), instead of all at £2.266.
    let two = Decimal::new(2266, 3);
    let three = Decimal::new(300, 2);
    let twelve = Decimal::from(12);
    for n in &affected {
        let mut want = 0i64;
        for l in base["lines"].as_array().unwrap().iter().filter(|l| {
            l["network"] == n.as_str() && l["stream"] == "core_funding" && l["basis"]["population"] == "registered"
        }) {
            let units: Decimal = l["basis"]["units"]
                .as_str()
                .map_or_else(|| l["basis"]["units"].to_string(), str::to_string)
                .parse()
                .unwrap();
            let months: Vec<i64> = l["months_pence"].as_array().unwrap().iter().map(|m| m.as_i64().unwrap()).collect();
            let april = Decimal::from((months[0] != 0) as i64);
            let rest = Decimal::from(months[1..].iter().filter(|m| **m != 0).count() as i64);
            want += pence(units * two * april / twelve) + pence(units * three * rest / twelve)
                - l["annual_pence"].as_i64().unwrap();
        }
        assert!(want > 0, "{n}");
        assert_eq!(after[n] - before[n], want, "{n}: the overlay's difference, exactly");
    }
    // Its lines say where their rate came from.
    assert!(with["lines"].as_array().unwrap().iter().any(|l| {
        l["network"] == affected[0].as_str()
            && l["rate"]["source"].as_str().unwrap().starts_with("LVA QA1 from 2026-05-01: Example LVA")
    }));

    // The table for people names the table and the overlay.
    let text = stdout(&pcn(&db, &["pay", "--year", "2026/27", "--rates", &table, "--overlay", &lva]));
    assert!(text.contains(&format!("Rates: {table} (sha256 ")), "{text}");
    assert!(text.contains(&format!("Overlay: {lva} (sha256 ")), "{text}");
    assert!(text.contains("Local Variation Agreement of ICB QA1 from 2026-05-01"), "{text}");
    // Without --rates, the built-in table is named.
    let text = stdout(&pcn(&db, &["pay", "--year", "2025/26"]));
    assert!(text.contains("Rates: built-in rates/2025-26.toml."), "{text}");
    // The built-in 2026/27 pays no core funding: the overlay cannot vary it.
    let err = fails(&pcn(&db, &["pay", "--year", "2026/27", "--overlay", &lva]), 2);
    assert!(err.contains("core_funding is without a rate (not found)"), "{err}");

    // Statements say it too, for the networks it varies only.
    let out = dir.path().join("statements");
    let text = stdout(&pcn(
        &db,
        &["statement", "--year", "2026/27", "--rates", &table, "--overlay", &lva, "--out", out.to_str().unwrap()],
    ));
    assert!(text.contains("Overlay: "), "{text}");
    let html = |n: &str| std::fs::read_to_string(out.join(format!("{n}-2026-27.html"))).unwrap();
    assert!(html(&affected[0]).contains("Local Variation Agreement of ICB QA1"));
    assert!(!html(unaffected[0]).contains("Local Variation Agreement"));
}
