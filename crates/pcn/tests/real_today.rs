//! Today's England, end to end through the CLI (issue 18, item 5): the files
//! of `snapshot_2022_26/` with both Code-Point subsets and the 2022 sub-ICB
//! and ICB boundaries import in one command, and check, pay, form, profile,
//! the register and the map work on the result.
//!
//! Every expected figure is computed here from the raw files (the January
//! 2026 practice map and the QOF 2022/23 prevalence TOTAL rows) with plain CSV
//! reading, independently of pcn's readers, rules and engines.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

fn snap(d: &Path, name: &str) -> PathBuf {
    d.join("snapshot_2022_26").join(name)
}

/// Every file of today's England, as a commissioner would name them in one import.
fn england_files(d: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(d.join("snapshot_2022_26"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with("_joined.csv"))
        .collect();
    files.sort();
    for g in [
        "practice_postcode_coords_codepoint.csv",
        "practice_postcode_coords_codepoint_2025.csv",
        "subicb_2022-07_boundaries.geojson",
        "icb_2022-07_boundaries.geojson",
    ] {
        files.push(d.join("geo").join(g));
    }
    files
}

/// What the raw files say of England on 1 January 2026.
struct Raw {
    /// Practice → (PCN code or U, sub-ICB, ICB).
    map: BTreeMap<String, (String, String, String)>,
    /// Practice → registered patients at 1 January 2023 (QOF 2022/23).
    lists: BTreeMap<String, i64>,
}

impl Raw {
    fn read(d: &Path) -> Raw {
        let (h, rows) = raw_table(&snap(d, "gp-reg-pat-prac-map_2026-01.csv"));
        let (p, n, s, i) =
            (col(&h, "PRACTICE_CODE"), col(&h, "PCN_CODE"), col(&h, "SUB_ICB_LOCATION_CODE"), col(&h, "ICB_CODE"));
        let map = rows
            .iter()
            .map(|r| {
                (r[p].trim().to_string(), (r[n].trim().to_string(), r[s].trim().to_string(), r[i].trim().to_string()))
            })
            .collect();
        let (h, rows) = raw_table(&snap(d, "qof_2223_PREVALENCE.csv"));
        let (p, t, l) = (col(&h, "PRACTICE_CODE"), col(&h, "PATIENT_LIST_TYPE"), col(&h, "PRACTICE_LIST_SIZE"));
        let mut lists = BTreeMap::new();
        for r in rows.iter().filter(|r| r[t].trim() == "TOTAL") {
            let v: f64 = r[l].trim().parse().unwrap();
            let prev = lists.insert(r[p].trim().to_string(), v as i64);
            assert!(prev.is_none_or(|x| x == v as i64), "one TOTAL list per practice");
        }
        Raw { map, lists }
    }

    /// Network → (practices, registered patients of those with a QOF list).
    fn networks(&self) -> BTreeMap<&str, (usize, i64)> {
        let mut out: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
        for (prac, (pcn, _, _)) in self.map.iter().filter(|(_, (n, _, _))| n != "U") {
            let e = out.entry(pcn.as_str()).or_default();
            e.0 += 1;
            e.1 += self.lists.get(prac).copied().unwrap_or(0);
        }
        out
    }

    fn sub_icbs_with_networks(&self) -> BTreeSet<&str> {
        self.map.values().filter(|(n, _, _)| n != "U").map(|(_, s, _)| s.as_str()).collect()
    }
}

/// The store of today's England, imported once for the tests that only read it.
fn today_db(d: &Path) -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("today.db");
        let j = ok_json(&pcn_paths(&db, &["import"], &england_files(d), &["--json"]));
        assert_eq!(j["as_of"], "2026-01-01", "{j}");
        (dir, db)
    })
    .1
}

fn json_of(db: &Path, args: &[&str]) -> Value {
    let out = pcn(db, args);
    // `check` exits 1 when it finds errors; its JSON is still the report.
    assert!(out.status.code().is_some_and(|c| c <= 1), "pcn {args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("pcn {args:?}: {e}: {}", stderr(&out)))
}

#[test]
fn networks_practices_and_patients_match_the_raw_files() {
    let Some(d) = data_dir("networks_practices_and_patients_match_the_raw_files") else { return };
    let raw = Raw::read(&d);
    let want = raw.networks();
    let db = today_db(&d);
    let j = json_of(db, &["networks", "--json"]);
    let got: BTreeMap<String, (usize, i64)> = j["networks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let reg = n["registered_patients"].as_f64().unwrap_or(0.0);
            (n["code"].as_str().unwrap().to_string(), (n["practices"].as_u64().unwrap() as usize, reg as i64))
        })
        .collect();
    assert_eq!(got.len(), want.len(), "networks open on 1 January 2026");
    for (code, w) in &want {
        assert_eq!(got.get(*code), Some(w), "{code}: (practices, patients)");
    }
    let patients: i64 = want.values().map(|v| v.1).sum();
    assert_eq!(j["registered_patients"].as_f64().unwrap() as i64, patients);
    let practices = json_of(db, &["practices", "--json"]);
    assert_eq!(practices["count"].as_u64().unwrap() as usize, raw.map.len(), "active practices = the map's");
    println!("{} networks, {} practices, {patients} patients in networks", want.len(), raw.map.len());
}

#[test]
fn the_check_counts_what_the_raw_files_show() {
    let Some(d) = data_dir("the_check_counts_what_the_raw_files_show") else { return };
    let raw = Raw::read(&d);
    let nets = raw.networks();
    let below: BTreeSet<&str> = nets.iter().filter(|(_, v)| v.1 < 30_000).map(|(k, _)| *k).collect();
    let above: BTreeSet<&str> = nets.iter().filter(|(_, v)| v.1 > 50_000).map(|(k, _)| *k).collect();
    let unallocated: BTreeSet<&str> =
        raw.map.iter().filter(|(_, (n, _, _))| n == "U").map(|(p, _)| p.as_str()).collect();

    let j = json_of(today_db(&d), &["check", "--json"]);
    assert_eq!(j["summary"]["year"], "2025/26", "the year containing 1 January 2026");
    assert_eq!(j["summary"]["networks"].as_u64().unwrap() as usize, nets.len());
    let findings = j["findings"].as_array().unwrap();
    let networks_of = |rule: &str| -> BTreeSet<&str> {
        findings.iter().filter(|f| f["rule"] == rule).filter_map(|f| f["network"].as_str()).collect()
    };
    assert_eq!(networks_of("size.below-floor"), below, "networks under 30,000");
    assert_eq!(networks_of("size.above-ceiling"), above, "networks over 50,000");
    let uncovered: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["rule"] == "coverage.uncovered")
        .flat_map(|f| f["practices"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()))
        .collect();
    assert_eq!(uncovered, unallocated, "practices in no network");
    let by_rule = &j["summary"]["by_rule"];
    assert_eq!(by_rule["size.below-floor"].as_u64().unwrap() as usize, below.len());
    assert_eq!(by_rule["size.above-ceiling"].as_u64().unwrap() as usize, above.len());

    // One sub-ICB location's check holds only its own networks' findings.
    let sub = "02P";
    let local: BTreeSet<&str> =
        raw.map.iter().filter(|(_, (n, s, _))| n != "U" && s == sub).map(|(_, (n, _, _))| n.as_str()).collect();
    let j = json_of(today_db(&d), &["check", "--json", "--commissioner", sub]);
    for f in j["findings"].as_array().unwrap() {
        if let Some(n) = f["network"].as_str() {
            assert!(local.contains(n), "{n} is not a network of {sub}: {f}");
        }
    }
    println!(
        "{} below 30k, {} above 50k, {} unallocated; {} sub-ICB locations with networks",
        below.len(),
        above.len(),
        unallocated.len(),
        raw.sub_icbs_with_networks().len()
    );
}

#[test]
fn core_funding_for_2025_26_is_the_rate_times_each_list_to_the_penny() {
    let Some(d) = data_dir("core_funding_for_2025_26_is_the_rate_times_each_list_to_the_penny") else { return };
    let raw = Raw::read(&d);
    let year: pcn_core::FinancialYear = "2025/26".parse().unwrap();
    let rates = pcn_funding::rates::year(year).unwrap();
    // Core funding has a registered and an adjusted-population element; the
    // files carry no adjusted population, so only the first can be computed.
    let core_rates: Vec<_> = rates
        .rates
        .iter()
        .filter(|r| {
            r.stream == pcn_funding::rates::Stream::CoreFunding && r.basis == pcn_funding::rates::Basis::Registered
        })
        .collect();
    assert_eq!(core_rates.len(), 1, "one registered-patient core funding rate for 2025/26");
    let rate = core_rates[0];
    assert_eq!((rate.from, rate.to), (year.start(), year.end()), "a whole-year rate");
    // Pounds per patient per year, as pence.
    let per_patient = rate.amount * rust_decimal::Decimal::from(100);
    let j = json_of(today_db(&d), &["pay", "--year", "2025/26", "--by", "practice", "--json"]);
    let lines = j["lines"].as_array().unwrap_or_else(|| panic!("no lines: {j}"));
    let core: Vec<&Value> = lines.iter().filter(|l| l["stream"] == "core_funding").collect();
    let mut want_total = 0i64;
    for l in &core {
        let practice = l["practice"].as_str().unwrap();
        let list = raw.lists[practice];
        let want = (per_patient * rust_decimal::Decimal::from(list)).round().try_into().unwrap_or(i64::MAX);
        assert_eq!(l["annual_pence"].as_i64().unwrap(), want, "{practice}: {list} patients");
        want_total += want;
    }
    // Every practice in a network with a QOF list is paid, and only those.
    let paid: BTreeSet<&str> = core.iter().map(|l| l["practice"].as_str().unwrap()).collect();
    let members: BTreeSet<&str> = raw
        .map
        .iter()
        .filter(|(p, (n, _, _))| n != "U" && raw.lists.contains_key(*p))
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(paid, members);
    // What is missing names the practice as ODS writes its code.
    for m in j["missing"].as_array().unwrap().iter().filter(|m| m["practice"].is_string()).take(50) {
        let p = m["practice"].as_str().unwrap();
        assert!(m["reason"].as_str().unwrap().contains(p), "{m}");
    }
    // One ICB's networks (sub-ICB locations of the ICB, per the map): the same lines, only theirs.
    let icb = raw.map.values().map(|(_, _, i)| i.as_str()).min().unwrap();
    let subs: BTreeSet<&str> = raw.map.values().filter(|(_, _, i)| i == icb).map(|(_, s, _)| s.as_str()).collect();
    let nets_of_icb: BTreeSet<&str> = raw
        .map
        .values()
        .filter(|(n, s, _)| n != "U" && subs.contains(s.as_str()))
        .map(|(n, _, _)| n.as_str())
        .collect();
    let part = json_of(today_db(&d), &["pay", "--year", "2025/26", "--by", "practice", "--icb", icb, "--json"]);
    let got: Vec<(&str, &str, i64)> = part["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["network"].as_str().unwrap(), l["stream"].as_str().unwrap(), l["annual_pence"].as_i64().unwrap()))
        .collect();
    let want: Vec<(&str, &str, i64)> = lines
        .iter()
        .filter(|l| nets_of_icb.contains(l["network"].as_str().unwrap()))
        .map(|l| (l["network"].as_str().unwrap(), l["stream"].as_str().unwrap(), l["annual_pence"].as_i64().unwrap()))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want, "pay --icb {icb}");
    println!("core funding 2025/26: {} lines, {want_total} pence", core.len());
}

#[test]
fn pay_for_2026_27_says_what_it_cannot_compute_and_why() {
    let Some(d) = data_dir("pay_for_2026_27_says_what_it_cannot_compute_and_why") else { return };
    let year: pcn_core::FinancialYear = "2026/27".parse().unwrap();
    let table = pcn_funding::rates::year(year).unwrap();
    let db = today_db(&d);
    let j = json_of(db, &["pay", "--year", "2026/27", "--json"]);
    let no_rate: BTreeMap<&str, (&str, &str)> = j["no_rate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["stream"].as_str().unwrap(), (n["why"].as_str().unwrap(), n["reason"].as_str().unwrap())))
        .collect();
    assert_eq!(no_rate.len(), table.no_rate.len(), "{no_rate:?}");
    for n in &table.no_rate {
        let key = serde_json::to_value(n.stream).unwrap();
        let (_, reason) = no_rate[key.as_str().unwrap()];
        assert_eq!(reason, n.reason);
    }
    assert_eq!(no_rate["capacity_access_support"].0, "removed", "CASP left the DES on 1 April 2026");
    assert_eq!(no_rate["capacity_access_improvement"].0, "removed");
    // No line is computed from a rate that was not found.
    let computed: BTreeSet<&str> =
        j["lines"].as_array().unwrap().iter().map(|l| l["stream"].as_str().unwrap()).collect();
    assert!(computed.iter().all(|s| !no_rate.contains_key(s)), "{computed:?}");
    // People read the same: each stream not computed, with its reason, for every network.
    let out = pcn(db, &["pay", "--year", "2026/27"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let networks = Raw::read(&d).networks().len();
    assert!(text.contains(&format!("Not computed ({networks} networks): core_funding")), "{text}");
    assert!(text.contains("Not in the DES in 2026/27 (nothing owed): capacity_access_support"), "{text}");
}

/// Memberships (practice → network, `U` left out) of a practice map.
fn map_members(path: &Path) -> BTreeMap<String, String> {
    let (h, rows) = raw_table(path);
    let (p, n) = (col(&h, "PRACTICE_CODE"), col(&h, "PCN_CODE"));
    rows.iter().filter(|r| r[n].trim() != "U").map(|r| (r[p].trim().to_string(), r[n].trim().to_string())).collect()
}

#[test]
fn the_register_follows_england_from_april_2022_to_january_2026_with_a_dated_history() {
    let Some(d) = data_dir("the_register_follows_england_from_april_2022_to_january_2026_with_a_dated_history") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let files = england_files(&d);
    // ePCN April 2022 → ePCN January 2023 → map October 2025 → map January 2026,
    // each chosen by the snapshot's date from the same files.
    let mut summaries = Vec::new();
    for (as_of, register) in [
        ("2022-06-30", "ePCN_2022-04.xlsx"),
        ("2023-01-31", "ePCN_2023-01.xlsx"),
        ("2025-10-01", "gp-reg-pat-prac-map_2025-10.csv"),
        ("2026-01-01", "gp-reg-pat-prac-map_2026-01.csv"),
    ] {
        let imp = ok_json(&pcn_paths(&db, &["import"], &files, &["--as-of", as_of, "--json"]));
        let used: Vec<&Value> = imp["sources_used"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["topic"] == "memberships" && u["used"].as_u64() > Some(0))
            .collect();
        assert_eq!(used.len(), 1, "{as_of}: {used:?}");
        assert!(used[0]["file"].as_str().unwrap().ends_with(register), "{as_of}: {}", used[0]);
        let s = ok_json(&pcn(&db, &["register", "sync", "--actor", "test", "--reason", "today", "--json"]));
        assert_eq!(s["sync"]["effective"], as_of, "{s}");
        assert!(s["sync"]["changes"].as_u64().unwrap() > 0, "{as_of}: {s}");
        summaries.push(s["sync"].clone());
    }

    // The last step against the two maps, diffed here.
    let before = map_members(&snap(&d, "gp-reg-pat-prac-map_2025-10.csv"));
    let after = map_members(&snap(&d, "gp-reg-pat-prac-map_2026-01.csv"));
    let moved: BTreeSet<(&str, &str, &str)> = after
        .iter()
        .filter_map(|(p, n)| before.get(p).filter(|b| *b != n).map(|b| (p.as_str(), b.as_str(), n.as_str())))
        .collect();
    let joined = after.keys().filter(|p| !before.contains_key(*p)).count() + moved.len();
    let left = before.keys().filter(|p| !after.contains_key(*p)).count();
    let nets = |m: &BTreeMap<String, String>| m.values().cloned().collect::<BTreeSet<String>>();
    let opened: BTreeSet<String> = nets(&after).difference(&nets(&before)).cloned().collect();
    let closed: BTreeSet<String> = nets(&before).difference(&nets(&after)).cloned().collect();
    let last = &summaries[3];
    let got_moved: BTreeSet<(&str, &str, &str)> = last["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m[0].as_str().unwrap(), m[1].as_str().unwrap(), m[2].as_str().unwrap()))
        .collect();
    assert_eq!(got_moved, moved);
    assert_eq!(last["joined"].as_u64().unwrap() as usize, joined);
    assert_eq!(last["left"].as_u64().unwrap() as usize, left);
    let strings = |v: &Value| -> BTreeSet<String> {
        v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
    };
    assert_eq!(strings(&last["opened"]), opened);
    assert_eq!(strings(&last["closed"]), closed);

    // The log holds every change of the last step, dated 1 January 2026,
    // and one practice's history runs through every stage it changed in.
    let log = ok_json(&pcn(&db, &["register", "log", "--from", "2026-01-01", "--json"]));
    let changes = log["changes"].as_array().unwrap();
    assert_eq!(changes.len() as u64, last["changes"].as_u64().unwrap());
    assert!(changes.iter().all(|c| c["effective"] == "2026-01-01"));
    for (p, _, to) in &moved {
        assert!(
            changes.iter().any(|c| c["action"] == "join" && c["subject"] == *p && c["network"] == *to),
            "{p} joins {to} on 2026-01-01"
        );
    }
    let (p, from, to) = moved.iter().next().unwrap();
    let h = ok_json(&pcn(&db, &["network", "show", to, "--as-of", "2026-01-01", "--json"]));
    assert!(h.to_string().contains(p), "{p} is a member of {to} on 2026-01-01: {h}");
    let h = ok_json(&pcn(&db, &["network", "show", from, "--as-of", "2025-12-31", "--json"]));
    assert!(h.to_string().contains(p), "{p} was a member of {from} the day before: {h}");
    println!(
        "register: {:?} changes; last step {} joined ({} moves), {left} left, {} opened, {} closed",
        summaries.iter().map(|s| s["changes"].as_u64().unwrap()).collect::<Vec<_>>(),
        joined,
        moved.len(),
        opened.len(),
        closed.len()
    );
}

#[test]
fn the_map_draws_every_sub_icb_location_network_and_located_practice() {
    let Some(d) = data_dir("the_map_draws_every_sub_icb_location_network_and_located_practice") else { return };
    let db = today_db(&d);
    let out = pcn(db, &["export", "geojson"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not used"), "every boundary is drawn: {}", stderr(&out));
    let g: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds = |k: &str| -> Vec<&Value> {
        g["features"].as_array().unwrap().iter().filter(|f| f["properties"]["kind"] == k).collect()
    };
    let (h, boundaries) = {
        let j: Value =
            serde_json::from_slice(&std::fs::read(d.join("geo/subicb_2022-07_boundaries.geojson")).unwrap()).unwrap();
        let names: Vec<String> = j["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["LOC22NM"].as_str().unwrap().rsplit(" - ").next().unwrap().trim().to_string())
            .collect();
        (j, names)
    };
    drop(h);
    let drawn: BTreeSet<&str> =
        kinds("commissioner").iter().map(|f| f["properties"]["code"].as_str().unwrap()).collect();
    let want: BTreeSet<&str> = boundaries.iter().map(|s| s.as_str()).collect();
    assert_eq!(drawn, want, "one area per sub-ICB location of July 2022, the Isles of Scilly included");
    // A practice is drawn when the Code-Point subsets place its postcode; a
    // network when any of its members is drawn.
    let mut placed: BTreeSet<String> = BTreeSet::new();
    for f in ["practice_postcode_coords_codepoint.csv", "practice_postcode_coords_codepoint_2025.csv"] {
        let (h, rows) = raw_table(&d.join("geo").join(f));
        placed.extend(rows.iter().map(|r| r[col(&h, "POSTCODE")].split_whitespace().collect::<String>()));
    }
    let (h, rows) = raw_table(&snap(&d, "gp-reg-pat-prac-map_2026-01.csv"));
    let (pc, pp, pn) = (col(&h, "PRACTICE_CODE"), col(&h, "PRACTICE_POSTCODE"), col(&h, "PCN_CODE"));
    let drawn_practices: BTreeSet<&str> = rows
        .iter()
        .filter(|r| placed.contains(&r[pp].split_whitespace().collect::<String>()))
        .map(|r| r[pc].trim())
        .collect();
    let drawn_networks: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r[pn].trim() != "U" && drawn_practices.contains(r[pc].trim()))
        .map(|r| r[pn].trim())
        .collect();
    let got_practices: BTreeSet<&str> =
        kinds("practice").iter().map(|f| f["properties"]["code"].as_str().unwrap()).collect();
    let got_networks: BTreeSet<&str> =
        kinds("network").iter().map(|f| f["properties"]["code"].as_str().unwrap()).collect();
    let differ = |a: &BTreeSet<&str>, b: &BTreeSet<&str>| -> Vec<String> {
        a.symmetric_difference(b).take(20).map(|s| s.to_string()).collect()
    };
    assert!(got_practices == drawn_practices, "practices drawn differ: {:?}", differ(&got_practices, &drawn_practices));
    assert!(got_networks == drawn_networks, "networks drawn differ: {:?}", differ(&got_networks, &drawn_networks));
    // A network drawn as discs shares each of its sites with another network.
    let site_of: BTreeMap<&str, String> =
        rows.iter().map(|r| (r[pc].trim(), r[pp].split_whitespace().collect::<String>())).collect();
    let network_of: BTreeMap<&str, &str> = rows.iter().map(|r| (r[pc].trim(), r[pn].trim())).collect();
    for f in kinds("network").iter().filter(|f| f["properties"]["shared_site"] == true) {
        let code = f["properties"]["code"].as_str().unwrap();
        for (p, _) in network_of.iter().filter(|(_, n)| **n == code) {
            assert!(
                network_of.iter().any(|(q, n)| *n != code && *n != "U" && site_of[q] == site_of[p]),
                "{code}: {p} is alone at its site yet the network owns no cell"
            );
        }
    }
    println!("map: {} areas, {} networks, {} practices", drawn.len(), got_networks.len(), got_practices.len());
}

#[test]
fn form_repairs_and_forms_one_sub_icb_location_never_worse_and_leaves_the_rest() {
    let Some(d) = data_dir("form_repairs_and_forms_one_sub_icb_location_never_worse_and_leaves_the_rest") else {
        return;
    };
    let raw = Raw::read(&d);
    let db = today_db(&d);
    // The sub-ICB location with most networks below 30,000, and the uncovered practices elsewhere.
    let nets = raw.networks();
    let mut below: BTreeMap<&str, usize> = BTreeMap::new();
    let sub_of: BTreeMap<&str, &str> = raw.map.values().map(|(n, s, _)| (n.as_str(), s.as_str())).collect();
    for (n, v) in &nets {
        if v.1 < 30_000 {
            *below.entry(sub_of[n]).or_default() += 1;
        }
    }
    let (sub, _) = below.iter().max_by_key(|(s, k)| (**k, std::cmp::Reverse(**s))).unwrap();
    let uncovered_elsewhere: BTreeSet<&str> =
        raw.map.iter().filter(|(_, (n, s, _))| n == "U" && s != sub).map(|(p, _)| p.as_str()).collect();
    for mode in ["repair", "scratch"] {
        let j = json_of(db, &["form", "--mode", mode, "--commissioner", sub, "--json", "--time-limit", "5"]);
        let (b, q) = (&j["baseline"], &j["quality"]);
        for k in ["non_contiguous", "uncovered", "cross_commissioner"] {
            assert!(q[k].as_u64() <= b[k].as_u64(), "{mode} {sub}: {k} {} > {}", q[k], b[k]);
        }
        let uncertified = |x: &Value| x["below_floor"].as_u64().unwrap() - x["below_floor_certified"].as_u64().unwrap();
        assert!(
            uncertified(q) < uncertified(b),
            "{mode} {sub}: below the floor {} → {}",
            b["below_floor"],
            q["below_floor"]
        );
        // Only practices of the sub-ICB location move; the uncovered elsewhere stay so.
        for m in j["diff"]["moves"].as_array().unwrap() {
            let p = m["practice"].as_str().unwrap();
            assert_eq!(raw.map[p].1, *sub, "{mode}: {p} is outside {sub} but moved: {m}");
            assert!(!uncovered_elsewhere.contains(p));
        }
        println!(
            "form {mode} {sub}: below floor {} → {} ({} certified), moves {}",
            b["below_floor"],
            q["below_floor"],
            q["below_floor_certified"],
            j["diff"]["moves"].as_array().unwrap().len()
        );
    }
}

#[test]
fn a_network_profile_sums_its_members_qof_registers() {
    let Some(d) = data_dir("a_network_profile_sums_its_members_qof_registers") else { return };
    let raw = Raw::read(&d);
    let (h, rows) = raw_table(&snap(&d, "qof_2223_PREVALENCE.csv"));
    let (p, g, r) = (col(&h, "PRACTICE_CODE"), col(&h, "GROUP_CODE"), col(&h, "REGISTER"));
    let db = today_db(&d);
    let list = json_of(db, &["profile", "--json"]);
    let rows_of = list["profiles"].as_array().unwrap();
    assert_eq!(rows_of.len(), raw.networks().len(), "open networks only: closed ones are history");
    // The largest network: its register of each disease group is the sum of its members'.
    let (code, _) = raw.networks().into_iter().max_by_key(|(c, v)| (v.1, std::cmp::Reverse(*c))).unwrap();
    let members: BTreeSet<&str> = raw.map.iter().filter(|(_, (n, _, _))| n == code).map(|(p, _)| p.as_str()).collect();
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for row in rows.iter().filter(|row| members.contains(row[p].trim())) {
        *want.entry(row[g].trim().to_string()).or_default() += row[r].trim().parse::<f64>().unwrap() as u64;
    }
    let j = json_of(db, &["profile", code, "--json"]);
    let got: BTreeMap<String, u64> = j["profile"]["prevalence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["group"].as_str().unwrap().to_string(), x["register"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, want, "{code}");
    assert_eq!(j["profile"]["practices"].as_u64().unwrap() as usize, members.len());
}

#[test]
fn the_icb_roll_up_is_today_s_42_icbs_and_106_sub_icb_locations() {
    let Some(d) = data_dir("the_icb_roll_up_is_today_s_42_icbs_and_106_sub_icb_locations") else { return };
    let raw = Raw::read(&d);
    // Per ICB of the map: its sub-ICB locations, practices and their patients.
    let mut want: BTreeMap<&str, (BTreeSet<&str>, usize, i64)> = BTreeMap::new();
    for (p, (_, s, i)) in &raw.map {
        let e = want.entry(i.as_str()).or_default();
        e.0.insert(s.as_str());
        e.1 += 1;
        e.2 += raw.lists.get(p).copied().unwrap_or(0);
    }
    let j = json_of(today_db(&d), &["icbs", "--json"]);
    let rows = j["icbs"].as_array().unwrap();
    let got: BTreeMap<&str, (BTreeSet<&str>, usize, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap(),
                (
                    r["sub_icb_codes"].as_str().unwrap().split_whitespace().collect(),
                    r["practices"].as_u64().unwrap() as usize,
                    r["registered_patients"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "the ICBs in force, not the history's");
    for (icb, w) in &want {
        assert_eq!(&got[icb], w, "{icb}: (sub-ICB locations, practices, patients)");
    }
    let networks: u64 = rows.iter().map(|r| r["networks"].as_u64().unwrap()).sum();
    assert_eq!(networks as usize, raw.networks().len());
    println!("{} ICBs, {} sub-ICB locations", want.len(), want.values().map(|w| w.0.len()).sum::<usize>());
}
