//! Acceptance on the real files of the ICB era (2022–2026) in PCN_DATA_DIR
//! (`snapshot_2022_26/`, the 2021/22 payments, the NWRS workforce files, the
//! 2022 boundaries, the 2025 Code-Point subset). Every expected figure is
//! computed here from the raw files with plain CSV or workbook reading,
//! independently of pcn's readers, and checked against SOURCES.md where it
//! publishes the figure.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use rust_decimal::Decimal;
use time::macros::date;

fn raw_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap().records().map(|r| r.unwrap()).collect()
}

fn snap(d: &Path, name: &str) -> PathBuf {
    d.join("snapshot_2022_26").join(name)
}

fn import(files: &[PathBuf], as_of: Option<time::Date>) -> pcn_nhs::Import {
    pcn_nhs::import_files(files, &pcn_nhs::ImportOptions { as_of, ..Default::default() }).unwrap()
}

fn file_name(p: &str) -> String {
    Path::new(p).file_name().unwrap().to_string_lossy().to_string()
}

/// An ePCN sheet as text rows (header first), read with calamine directly.
fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.trim().to_string(),
                    Data::Empty => String::new(),
                    Data::Float(f) => format!("{}", *f as i64),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn ymd(s: &str) -> Option<time::Date> {
    (s.len() == 8).then(|| {
        time::Date::from_calendar_date(
            s[0..4].parse().unwrap(),
            time::Month::try_from(s[4..6].parse::<u8>().unwrap()).unwrap(),
            s[6..8].parse().unwrap(),
        )
        .unwrap()
    })
}

#[test]
fn epraccur_of_2022_and_2025_is_england_only() {
    let Some(d) = data_dir("epraccur_of_2022_and_2025_is_england_only") else { return };
    for (file, england, wales_active, as_of) in [
        ("epraccur_2022-12.csv", 6_455, 404, date!(2022 - 12 - 01)),
        ("epraccur_2025-05.csv", 6_253, 398, date!(2025 - 04 - 30)),
    ] {
        let path = snap(&d, file);
        let rows = raw_rows(&path);
        let welsh = |r: &csv::StringRecord| &r[2] == "W00" || r[14].starts_with("7A");
        let active = |r: &&csv::StringRecord| &r[12] == "A" && &r[25] == "4";
        let eng: BTreeSet<&str> = rows.iter().filter(active).filter(|r| !welsh(r)).map(|r| &r[0]).collect();
        let wal_active = rows.iter().filter(active).filter(|r| welsh(r)).count();
        let wal_gp = rows.iter().filter(|r| &r[25] == "4" && welsh(r)).count();
        assert_eq!((eng.len(), wal_active), (england, wales_active), "SOURCES.md figures for {file}");

        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pcn.db");
        let a = as_of.to_string();
        let j = ok_json(&pcn_paths(&db, &["import"], std::slice::from_ref(&path), &["--as-of", &a, "--json"]));
        assert_eq!(j["active_practices"], england, "{file}");
        let left = j["left_out"].as_array().unwrap();
        let gp = left.iter().find(|l| l["what"].as_str().unwrap().starts_with("GP practices in Wales")).unwrap();
        assert_eq!(gp["count"], wal_gp, "{file}");
        assert!(gp["what"].as_str().unwrap().contains(&format!("{wal_active} of them active")), "{gp}");
        let listed = ok_json(&pcn(&db, &["practices", "--json"]));
        let ours: BTreeSet<&str> =
            listed["practices"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
        assert_eq!(ours, eng, "{file}: the active practices are exactly England's");
        // Commissioners of 3 and 5 characters, each with its ICB (column 4).
        let imp = import(&[path], Some(as_of));
        let five = imp.snapshot.practices.iter().filter_map(|p| p.commissioner.as_ref()).any(|c| c.as_str().len() == 5);
        assert!(five, "{file}");
        let raw_icb: HashMap<&str, &str> = rows.iter().filter(|r| !welsh(r)).map(|r| (&r[0], &r[3])).collect();
        for p in imp.snapshot.practices.iter().filter(|p| p.is_active_gp()) {
            assert_eq!(p.icb.as_ref().map(|c| c.as_str()), Some(raw_icb[p.code.as_str()]), "{file}");
        }
        println!(
            "{file}: {} active GP practices in England; {wal_gp} Welsh GP practices ({wal_active} active) left out",
            eng.len()
        );
    }
}

#[test]
fn epcn_workbooks_of_2022_and_2023_import_as_dated_history() {
    let Some(d) = data_dir("epcn_workbooks_of_2022_and_2023_import_as_dated_history") else { return };
    for (file, as_of, want) in [
        ("ePCN_2022-04.xlsx", date!(2022 - 04 - 27), (1_318, 7_359, 58, 885)),
        ("ePCN_2023-01.xlsx", date!(2023 - 01 - 26), (1_329, 7_455, 65, 1_064)),
    ] {
        let path = snap(&d, file);
        let details = sheet(&path, "PCNDetails");
        let partners = sheet(&path, "PCN Core Partner Details");
        let (dh, prow) = (&details[0], &details[1..]);
        let (ph, mrow) = (&partners[0], &partners[1..]);
        let find =
            |h: &[String], starts: &str| h.iter().position(|c| c.replace('\n', " ").starts_with(starts)).unwrap();
        let close = find(dh, "Close Date");
        let open = find(dh, "Open Date");
        let (start, end) = (find(ph, "Practice to PCN"), find(ph, "Practice to PCN") + 1);
        let closed = prow.iter().filter(|r| !r[close].is_empty()).count();
        let ended = mrow.iter().filter(|r| !r[end].is_empty()).count();
        assert_eq!((prow.len(), mrow.len(), closed, ended), want, "SOURCES.md figures for {file}");
        // What is in force on the file's date, from the raw dates.
        let on = |s: &str, e: &str| ymd(s).is_none_or(|s| s <= as_of) && ymd(e).is_none_or(|e| e >= as_of);
        let open_now = prow.iter().filter(|r| on(&r[open], &r[close])).count();
        let closed_before = prow.iter().filter(|r| ymd(&r[close]).is_some_and(|c| c < as_of)).count();
        let current = mrow.iter().filter(|r| on(&r[start], &r[end])).count();
        let ended_before = mrow.iter().filter(|r| ymd(&r[end]).is_some_and(|e| e < as_of)).count();
        let later = mrow.iter().filter(|r| ymd(&r[start]).is_some_and(|s| s > as_of)).count();

        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pcn.db");
        let a = as_of.to_string();
        let j = ok_json(&pcn_paths(&db, &["import"], std::slice::from_ref(&path), &["--as-of", &a, "--json"]));
        assert_eq!(j["networks"], prow.len(), "{file}: closed networks are kept");
        assert_eq!(j["memberships"], mrow.len(), "{file}: ended memberships are kept");
        assert_eq!(j["open_networks"], open_now, "{file}");
        assert_eq!(j["closed_networks"], closed_before, "{file}");
        assert_eq!(j["current_memberships"], current, "{file}");
        assert_eq!(j["ended_memberships"], ended_before, "{file}");
        assert_eq!(j["future_memberships"], later, "{file}");
        // The listing counts only what is in force: each network's members on the date.
        let mut members: BTreeMap<&str, usize> = BTreeMap::new();
        let pcn_col = ph.iter().position(|c| c == "PCN Code").unwrap();
        for r in mrow.iter().filter(|r| on(&r[start], &r[end])) {
            *members.entry(r[pcn_col].as_str()).or_default() += 1;
        }
        let nets = ok_json(&pcn(&db, &["networks", "--json"]));
        for n in nets["networks"].as_array().unwrap() {
            let code = n["code"].as_str().unwrap();
            assert_eq!(n["practices"], members.get(code).copied().unwrap_or(0), "{file} {code}");
        }
        // Only the networks open on the date are listed and judged: closed ones are history.
        assert_eq!(nets["networks"].as_array().unwrap().len(), open_now, "{file}");
        let code_col = dh.iter().position(|c| c == "PCN Code").unwrap();
        let closed_codes: BTreeSet<&str> =
            prow.iter().filter(|r| !on(&r[open], &r[close])).map(|r| r[code_col].as_str()).collect();
        let out = pcn(&db, &["check", "--json"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        let check: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(check["summary"]["networks"], open_now, "{file}");
        let judged_closed: Vec<&str> = check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["network"].as_str())
            .filter(|n| closed_codes.contains(n))
            .collect();
        assert!(judged_closed.is_empty(), "{file}: findings about closed networks {judged_closed:?}");
        println!(
            "{file}: {} PCNs ({closed} closed), {} partner rows ({ended} ended); on {as_of}: {open_now} open, {current} memberships in force",
            prow.len(),
            mrow.len()
        );
    }
}

#[test]
fn practice_maps_of_2025_and_2026_give_memberships_and_the_hierarchy() {
    let Some(d) = data_dir("practice_maps_of_2025_and_2026_give_memberships_and_the_hierarchy") else { return };
    for (file, rows_want, date) in [
        ("gp-reg-pat-prac-map_2025-10.csv", 6_202, date!(2025 - 10 - 01)),
        ("gp-reg-pat-prac-map_2026-01.csv", 6_171, date!(2026 - 01 - 01)),
    ] {
        let path = snap(&d, file);
        let (h, rows) = raw_table(&path);
        assert_eq!(rows.len(), rows_want, "SOURCES.md figure for {file}");
        let (pcn, sub, icb, region) =
            (col(&h, "PCN_CODE"), col(&h, "SUB_ICB_LOCATION_CODE"), col(&h, "ICB_CODE"), col(&h, "COMM_REGION_CODE"));
        let allocated: Vec<_> = rows.iter().filter(|r| &r[pcn] != "U").collect();
        let pcns: BTreeSet<&str> = allocated.iter().map(|r| &r[pcn]).collect();
        let parents: BTreeMap<&str, (&str, &str)> = rows.iter().map(|r| (&r[sub], (&r[icb], &r[region]))).collect();

        let imp = import(std::slice::from_ref(&path), None);
        let s = &imp.snapshot;
        assert_eq!(s.as_of, Some(date), "dated by the extract");
        assert_eq!(s.practices.len(), rows.len());
        assert_eq!(s.memberships.len(), allocated.len(), "{file}: U is unallocated");
        assert_eq!(s.networks.len(), pcns.len());
        assert_eq!(s.commissioners.len(), parents.len(), "{file}: 106 sub-ICB locations");
        for c in &s.commissioners {
            let (i, r) = parents[c.code.as_str()];
            assert_eq!(c.parent.as_ref().unwrap().as_str(), i, "{file} {}", c.code);
            assert_eq!(c.region.as_ref().unwrap().as_str(), r, "{file} {}", c.code);
        }
        println!(
            "{file}: {} practices, {} in {} PCNs, {} unallocated, {} sub-ICB locations in {} ICBs",
            rows.len(),
            allocated.len(),
            pcns.len(),
            rows.len() - allocated.len(),
            parents.len(),
            parents.values().map(|(i, _)| *i).collect::<BTreeSet<_>>().len()
        );
    }
}

#[test]
fn today_s_england_takes_memberships_from_the_latest_register_and_says_so() {
    let Some(d) = data_dir("today_s_england_takes_memberships_from_the_latest_register_and_says_so") else { return };
    let files = vec![
        snap(&d, "epraccur_2025-05.csv"),
        snap(&d, "ePCN_2023-01.xlsx"),
        snap(&d, "gp-reg-pat-prac-map_2025-10.csv"),
        snap(&d, "gp-reg-pat-prac-map_2026-01.csv"),
        snap(&d, "qof_2223_MAPPING_NHS_GEOGRAPHIES.csv"),
        snap(&d, "qof_2223_PREVALENCE.csv"),
        d.join("geo/practice_postcode_coords_codepoint.csv"),
        d.join("geo/practice_postcode_coords_codepoint_2025.csv"),
    ];
    let (h, latest) = raw_table(&snap(&d, "gp-reg-pat-prac-map_2026-01.csv"));
    let pcn = col(&h, "PCN_CODE");
    let members: BTreeSet<(String, String)> = latest
        .iter()
        .filter(|r| &r[pcn] != "U")
        .map(|r| (r[col(&h, "PRACTICE_CODE")].to_string(), r[pcn].to_string()))
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let j = ok_json(&pcn_paths(&db, &["import"], &files, &["--json"]));
    assert_eq!(j["as_of"], "2026-01-01", "the latest extract dates the snapshot");
    assert_eq!(j["memberships"], members.len());
    let used = j["sources_used"].as_array().unwrap();
    let topic = |t: &str| -> Vec<(String, u64)> {
        used.iter()
            .filter(|u| u["topic"] == t)
            .map(|u| (file_name(u["file"].as_str().unwrap()), u["used"].as_u64().unwrap()))
            .collect()
    };
    let m = topic("memberships");
    assert!(m.contains(&("gp-reg-pat-prac-map_2026-01.csv".to_string(), members.len() as u64)), "{m:?}");
    assert!(m.contains(&("gp-reg-pat-prac-map_2025-10.csv".to_string(), 0)), "{m:?}");
    assert!(m.contains(&("ePCN_2023-01.xlsx".to_string(), 0)), "{m:?}");
    assert_eq!(topic("commissioner hierarchy"), [("gp-reg-pat-prac-map_2026-01.csv".to_string(), 106)]);
    let lists = topic("registered lists");
    assert_eq!(lists, [("qof_2223_PREVALENCE.csv".to_string(), 6_378)]);
    // Every membership in force is the January 2026 map's.
    let imp = import(&files, None);
    let ours: BTreeSet<(String, String)> =
        imp.snapshot.current_memberships().map(|m| (m.practice.to_string(), m.network.to_string())).collect();
    assert_eq!(ours, members);
    // Coordinates: the 2025 release for the postcodes it has, the 2020 subset for the rest.
    let (ch, c2025) = raw_table(&d.join("geo/practice_postcode_coords_codepoint_2025.csv"));
    let (_, c2020) = raw_table(&d.join("geo/practice_postcode_coords_codepoint.csv"));
    let mut want: HashMap<String, f64> = HashMap::new();
    for r in c2020.iter().chain(&c2025) {
        want.insert(r[col(&ch, "POSTCODE")].to_string(), r[col(&ch, "EASTING")].parse().unwrap());
    }
    let mut from_2025 = 0;
    for p in imp.snapshot.practices.iter().filter(|p| p.is_active_gp()) {
        let pc = p.postcode.as_ref().unwrap();
        assert_eq!(p.location.map(|l| l.easting), want.get(pc).copied(), "{} {pc}", p.code);
        from_2025 += usize::from(c2025.iter().any(|r| &r[0] == pc));
    }
    assert!(from_2025 > 150, "{from_2025}");
    let c = topic("coordinates");
    println!("memberships {m:?}; coordinates {c:?}; active practices located from the 2025 subset: {from_2025}");
    // Idempotent: the same files again change nothing.
    let hash = sha256(&db);
    let again = ok_json(&pcn_paths(&db, &["import"], &files, &["--json"]));
    assert_eq!(again["status"], "unchanged");
    assert_eq!(sha256(&db), hash);
}

#[test]
fn qof_2022_23_imports_with_the_published_figures() {
    let Some(d) = data_dir("qof_2022_23_imports_with_the_published_figures") else { return };
    let (mh, map) = raw_table(&snap(&d, "qof_2223_MAPPING_NHS_GEOGRAPHIES.csv"));
    let (ph, prev) = raw_table(&snap(&d, "qof_2223_PREVALENCE.csv"));
    let unallocated = map.iter().filter(|r| &r[col(&mh, "PCN_ODS_CODE")] == "U").count();
    let pcns: BTreeSet<&str> = map.iter().map(|r| &r[col(&mh, "PCN_ODS_CODE")]).filter(|c| *c != "U").collect();
    let mut lists: BTreeMap<&str, i64> = BTreeMap::new();
    for r in prev.iter().filter(|r| &r[col(&ph, "PATIENT_LIST_TYPE")] == "TOTAL") {
        lists.insert(&r[col(&ph, "PRACTICE_CODE")], r[col(&ph, "PRACTICE_LIST_SIZE")].parse().unwrap());
    }
    let total: i64 = lists.values().sum();
    assert_eq!((map.len(), lists.len(), total, unallocated), (6_378, 6_378, 62_378_057, 63), "SOURCES.md figures");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let files = [snap(&d, "qof_2223_MAPPING_NHS_GEOGRAPHIES.csv"), snap(&d, "qof_2223_PREVALENCE.csv")];
    let j = ok_json(&pcn_paths(&db, &["import"], &files, &["--as-of", "2023-03-31", "--json"]));
    assert_eq!(j["registered_patients"], total);
    assert_eq!(j["memberships"], map.len() - unallocated);
    assert_eq!(j["networks"], pcns.len());
    let imp = import(&files, Some(date!(2023 - 03 - 31)));
    let regs: i64 = imp.snapshot.registers.iter().map(|r| i64::from(r.register)).sum();
    let raw_regs: f64 = prev.iter().map(|r| r[col(&ph, "REGISTER")].parse::<f64>().unwrap()).sum();
    assert_eq!(regs as f64, raw_regs, "registers written 112.0");
    let icb_names = imp.snapshot.commissioners.iter().filter_map(|c| c.parent_name.as_deref()).collect::<Vec<_>>();
    assert!(icb_names.iter().all(|n| !n.ends_with(' ')), "trailing spaces trimmed");
    println!(
        "QOF 2022/23: {} practices, {total} patients, {} PCNs, {unallocated} unallocated",
        lists.len(),
        pcns.len()
    );
}

#[test]
fn nwrs_workforce_files_import_per_census() {
    let Some(d) = data_dir("nwrs_workforce_files_import_per_census") else { return };
    let files: Vec<PathBuf> = ["2020-03", "2021-03", "2022-06"]
        .iter()
        .map(|m| d.join(format!("pcn_figures/pcn_workforce_individual_{m}.csv")))
        .collect();
    let mut want: BTreeMap<String, (usize, usize, Decimal)> = BTreeMap::new();
    for (path, published) in files.iter().zip([(534, 188, "343.9"), (7_371, 855, "5571.4"), (15_787, 1_077, "12877.7")])
    {
        let (h, rows) = raw_table(path);
        let pcns: BTreeSet<&str> = rows.iter().map(|r| &r[col(&h, "PCN_CODE")]).collect();
        let fte: Decimal = rows.iter().map(|r| r[col(&h, "FTE")].parse::<Decimal>().unwrap()).sum();
        assert_eq!((rows.len(), pcns.len(), fte.round_dp(1)), (published.0, published.1, published.2.parse().unwrap()));
        let census = format!("{}-{:0>2}", &rows[0][col(&h, "CENSUS_YEAR")], &rows[0][col(&h, "CENSUS_MONTH")]);
        want.insert(census, (rows.len(), pcns.len(), fte));
    }
    let raw_2022 = std::fs::read(&files[2]).unwrap();
    assert!(std::str::from_utf8(&raw_2022).is_err(), "the June 2022 file is Windows-1252");
    let dashes = raw_2022.split(|b| *b == b'\n').filter(|l| l.contains(&0x96)).count();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let j = ok_json(&pcn_paths(&db, &["import"], &files, &["--json"]));
    assert_eq!(j["as_of"], "2022-06-30", "dated by the latest census");
    assert_eq!(j["workforce_records"], want.values().map(|w| w.0).sum::<usize>());
    // Read back from the store, per census.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let back = rt.block_on(async {
        let store = pcn_store::Store::open(&db).await.unwrap();
        let id = store.latest_snapshot().await.unwrap();
        store.load_snapshot(id, pcn_store::Include { workforce: true, ..Default::default() }).await.unwrap()
    });
    let mut ours: BTreeMap<String, (usize, BTreeSet<String>, Decimal)> = BTreeMap::new();
    for w in &back.workforce {
        let e = ours.entry(format!("{}-{:02}", w.census.year(), w.census.month() as u8)).or_default();
        e.0 += 1;
        e.1.insert(w.network.to_string());
        e.2 += w.fte;
    }
    let ours: BTreeMap<String, (usize, usize, Decimal)> =
        ours.into_iter().map(|(k, (n, p, f))| (k, (n, p.len(), f))).collect();
    assert_eq!(ours, want, "records, PCNs and FTE to the last digit, per census");
    let ours_dashes =
        back.workforce.iter().filter(|w| w.census.year() == 2022 && w.detailed_role.contains('–')).count();
    assert_eq!(ours_dashes, dashes, "every 0x96 read as an en dash");
    println!("NWRS: {want:?}; June 2022 records with an en dash: {dashes}");
}

#[test]
fn payments_of_2021_22_import_to_the_penny() {
    let Some(d) = data_dir("payments_of_2021_22_import_to_the_penny") else { return };
    let path = d.join("payments/nhs_payments_gp_practice_2021-22.csv");
    let (h, raw) = raw_table(&path);
    let pence = |name: &str| -> i64 {
        let c = col(&h, name);
        raw.iter()
            .filter(|r| !r[c].trim().is_empty())
            .map(|r| (r[c].trim().parse::<f64>().unwrap() * 100.0).round() as i64)
            .sum()
    };
    let imp = import(std::slice::from_ref(&path), Some(date!(2022 - 03 - 31)));
    assert_eq!(imp.snapshot.payments.len(), raw.len());
    for name in ["PCN Participation", "winter Access Fund", "PCN Workforce", "Long Covid", "Global Sum"] {
        let ours: i64 = imp.snapshot.payments.iter().filter_map(|p| p.items.get(name)).map(|m| m.pence()).sum();
        assert_eq!(ours, pence(name), "{name}");
    }
    let ccgs: BTreeSet<&str> = raw.iter().map(|r| &r[col(&h, "CCG Code")]).collect();
    let ours: BTreeSet<String> =
        imp.snapshot.payments.iter().filter_map(|p| p.commissioner.as_ref().map(|c| c.to_string())).collect();
    assert_eq!(ours.len(), ccgs.len());
    println!(
        "payments 2021/22: {} rows (SOURCES.md says 6,757), {} CCG codes, PCN Participation £{:.2}",
        raw.len(),
        ccgs.len(),
        pence("PCN Participation") as f64 / 100.0
    );
}

#[test]
fn sub_icb_and_icb_boundaries_of_2022_link_to_their_codes() {
    let Some(d) = data_dir("sub_icb_and_icb_boundaries_of_2022_link_to_their_codes") else { return };
    let files = [
        d.join("geo/subicb_2022-07_boundaries.geojson"),
        d.join("geo/icb_2022-07_boundaries.geojson"),
        snap(&d, "qof_2223_MAPPING_NHS_GEOGRAPHIES.csv"),
    ];
    let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    let suffix: BTreeMap<String, String> = raw["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let name = p["LOC22NM"].as_str().unwrap();
            (p["LOC22CD"].as_str().unwrap().to_string(), name.rsplit(" - ").next().unwrap().to_string())
        })
        .collect();
    assert_eq!(suffix.len(), 106);
    let imp = import(&files, Some(date!(2023 - 03 - 31)));
    let b = &imp.snapshot.boundaries;
    assert_eq!(b.len(), 106 + 42);
    for bd in b.iter().filter(|x| x.ons_code.as_deref().unwrap().starts_with("E38")) {
        let ons = bd.ons_code.as_deref().unwrap();
        assert_eq!(bd.commissioner.as_ref().map(|c| c.to_string()), Some(suffix[ons].clone()), "{ons}");
    }
    let icbs = b.iter().filter(|x| x.ons_code.as_deref().unwrap().starts_with("E54")).count();
    assert_eq!(icbs, 42);
}
