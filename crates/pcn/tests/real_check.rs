//! `pcn check` on the real data: the counts of the simple rules match counts
//! derived here from the raw files, independently of pcn's readers and rules.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use common::*;

fn table(path: &Path, has_headers: bool) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::ReaderBuilder::new().has_headers(has_headers).from_path(path).unwrap();
    let h = if has_headers { r.headers().unwrap().iter().map(String::from).collect() } else { Vec::new() };
    (h, r.records().map(|r| r.unwrap()).collect())
}

#[derive(Debug, PartialEq, Default)]
struct Expected {
    below_floor: usize,
    above_ceiling: usize,
    single_practice: usize,
    cross_memberships: usize,
    uncovered: usize,
}

/// Counts from memberships (practice -> network), lists, commissioners and the active set.
fn expect(
    members: &BTreeMap<String, Vec<String>>,
    list: &HashMap<String, i64>,
    practice_ccg: &HashMap<String, String>,
    network_ccg: &HashMap<String, String>,
    active: &BTreeSet<String>,
) -> Expected {
    let mut e = Expected::default();
    let in_network: BTreeSet<&String> = members.values().flatten().collect();
    for (net, ps) in members {
        let size: i64 = ps.iter().map(|p| list.get(p).copied().unwrap_or(0)).sum();
        e.below_floor += usize::from(size < 30_000);
        e.above_ceiling += usize::from(size > 50_000);
        e.single_practice += usize::from(ps.len() == 1);
        for p in ps {
            if let (Some(a), Some(b)) = (practice_ccg.get(p), network_ccg.get(net))
                && a != b
            {
                e.cross_memberships += 1;
            }
        }
    }
    e.uncovered = active.iter().filter(|p| !in_network.contains(p)).count();
    e
}

fn got(j: &serde_json::Value) -> Expected {
    let n = |r: &str| j["summary"]["by_rule"][r].as_u64().unwrap_or(0) as usize;
    Expected {
        below_floor: n("size.below-floor"),
        above_ceiling: n("size.above-ceiling"),
        single_practice: n("size.single-practice"),
        cross_memberships: n("boundary.practice-commissioner"),
        uncovered: n("coverage.uncovered"),
    }
}

/// Runs check (exit 1: the real configurations have errors) and returns its JSON.
fn check_json(db: &Path) -> serde_json::Value {
    let out = pcn(db, &["check", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn december_2019_check_counts_match_the_raw_files() {
    let Some(d) = data_dir("december_2019_check_counts_match_the_raw_files") else { return };
    let s = d.join("snapshot_2019_20");
    let (_, ep) = table(&s.join("epraccur_2019-11.csv"), false);
    let active: BTreeSet<String> =
        ep.iter().filter(|r| &r[12] == "A" && &r[25] == "4").map(|r| r[0].to_string()).collect();
    let practice_ccg: HashMap<String, String> = ep.iter().map(|r| (r[0].to_string(), r[14].to_string())).collect();
    let (ph, partners) = table(&s.join("epcn_2019-12_core_partners.csv"), true);
    let (dh, details) = table(&s.join("epcn_2019-12_pcn_details.csv"), true);
    let network_ccg: HashMap<String, String> =
        details.iter().map(|r| (r[col(&dh, "PCN_CODE")].to_string(), r[col(&dh, "CCG_CODE")].to_string())).collect();
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &partners {
        members
            .entry(r[col(&ph, "PCN_CODE")].to_string())
            .or_default()
            .push(r[col(&ph, "PARTNER_ORG_CODE")].to_string());
    }
    let (qh, qof) = table(&s.join("qof_1920_PREVALENCE.csv"), true);
    let list: HashMap<String, i64> = qof
        .iter()
        .filter(|r| &r[col(&qh, "PATIENT_LIST_TYPE")] == "TOTAL")
        .map(|r| (r[col(&qh, "PRACTICE_CODE")].to_string(), r[col(&qh, "PATIENT_LIST_SIZE")].parse().unwrap()))
        .collect();
    let want = expect(&members, &list, &practice_ccg, &network_ccg, &active);
    assert_eq!(want.cross_memberships, 30, "SOURCES.md: 30 cross-CCG memberships");
    assert_eq!(want.uncovered, 6_830 - 6_712);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let files = [
        s.join("epraccur_2019-11.csv"),
        s.join("ePCN_2019-12.xlsx"),
        s.join("qof_1920_PREVALENCE.csv"),
        d.join("geo/practice_postcode_coords_codepoint.csv"),
    ];
    ok_json(&pcn_paths(&db, &["import"], &files, &["--as-of", "2019-12-04", "--json"]));
    let j = check_json(&db);
    assert_eq!(got(&j), want);
    assert_eq!(j["summary"]["networks"], 1_250);
    assert_eq!(j["summary"]["year"], "2019/20");
    let non_contiguous = j["summary"]["by_rule"]["geo.non-contiguous"].as_u64().unwrap();
    assert!(non_contiguous > 0);

    // The report for people shows the three worst with their parts.
    let text = String::from_utf8(pcn(&db, &["check"]).stdout).unwrap();
    assert!(text.contains(&format!("{non_contiguous} networks are not contiguous; the three worst:")), "{text}");
    assert!(text.contains("part 2:"));
}

#[test]
fn january_2021_check_counts_match_the_raw_files() {
    let Some(d) = data_dir("january_2021_check_counts_match_the_raw_files") else { return };
    let (gh, gp) = table(&d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"), true);
    let list: HashMap<String, i64> = gp
        .iter()
        .map(|r| (r[col(&gh, "CODE")].to_string(), r[col(&gh, "NUMBER_OF_PATIENTS")].parse().unwrap()))
        .collect();
    let practice_ccg: HashMap<String, String> =
        gp.iter().map(|r| (r[col(&gh, "CODE")].to_string(), r[col(&gh, "CCG_CODE")].to_string())).collect();
    let active: BTreeSet<String> = list.keys().cloned().collect();
    let (mh, map) = table(&d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"), true);
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &map {
        let pcn = &r[col(&mh, "PCN_ODS_CODE")];
        if pcn != "U" {
            members.entry(pcn.to_string()).or_default().push(r[col(&mh, "PRACTICE_CODE")].to_string());
        }
    }
    // A network's commissioner: the most common among its members (ties to the smaller code).
    let network_ccg: HashMap<String, String> = members
        .iter()
        .map(|(n, ps)| {
            let mut votes: BTreeMap<&String, usize> = BTreeMap::new();
            for p in ps {
                *votes.entry(&practice_ccg[p]).or_default() += 1;
            }
            let best = votes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).unwrap().0;
            (n.clone(), (*best).clone())
        })
        .collect();
    let want = expect(&members, &list, &practice_ccg, &network_ccg, &active);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let files = [
        d.join("snapshot_2021/gp-reg-pat-prac-all_2021-01.csv"),
        d.join("snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
        d.join("geo/practice_postcode_coords_codepoint.csv"),
    ];
    ok_json(&pcn_paths(&db, &["import"], &files, &["--json"]));
    let j = check_json(&db);
    assert_eq!(got(&j), want);
    assert_eq!(j["summary"]["networks"], members.len());
    assert!(j["summary"]["by_rule"]["geo.non-contiguous"].as_u64().unwrap() > 0);
    // Every finding has the promised shape.
    for f in j["findings"].as_array().unwrap() {
        assert!(
            f["rule"].is_string() && f["severity"].is_string() && f["message"].is_string() && f["facts"].is_object(),
            "{f}"
        );
        assert!(f["network"].is_string() || f["practices"].is_array() || f["rule"] == "listsize.basis", "{f}");
    }
}
