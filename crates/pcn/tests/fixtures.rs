//! The CLI on the hand-written fixtures: counts, joins, formats, idempotency.

mod common;

use common::*;

fn import_small(db: &std::path::Path) -> serde_json::Value {
    ok_json(&pcn_paths(db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01", "--json"]))
}

#[test]
fn imports_the_small_area() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let j = import_small(&db);
    assert_eq!(j["status"], "imported");
    assert_eq!(j["practices"], 8, "7 GP practices from epraccur + none invented");
    assert_eq!(j["active_practices"], 6);
    assert_eq!(j["networks"], 2);
    assert_eq!(j["memberships"], 6);
    // 12,000 + 9,500 (written "9,500") + 11,000 + 4,000 + 21,000 + 15,500
    assert_eq!(j["registered_patients"], 73_000);
    assert_eq!(j["missing_coordinates"].as_array().unwrap().len(), 1);
    assert_eq!(j["missing_coordinates"][0]["practice"], "A00006");
    assert_eq!(j["files"].as_array().unwrap().len(), 7);
}

#[test]
fn networks_listing_has_the_promised_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let j = ok_json(&pcn(&db, &["networks", "--json"]));
    let nets = j["networks"].as_array().unwrap();
    assert_eq!(nets.len(), 2);
    let town = nets.iter().find(|n| n["code"] == "U00001").unwrap();
    assert_eq!(town["name"], "TOWN PCN");
    assert_eq!(town["commissioner"], "00X");
    assert_eq!(town["practices"], 3);
    assert_eq!(town["registered_patients"], 12_000 + 9_500 + 11_000);
    // The dormant practice's membership ended 31 March 2020, before the snapshot.
    let city = nets.iter().find(|n| n["code"] == "U00002").unwrap();
    assert_eq!(city["practices"], 2);
    assert_eq!(city["registered_patients"], 21_000 + 15_500);

    let j = ok_json(&pcn(&db, &["networks", "--commissioner", "00Y", "--json"]));
    assert_eq!(j["networks"].as_array().unwrap().len(), 1);
}

#[test]
fn practices_listing_filters_and_normalises() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let j = ok_json(&pcn(&db, &["practices", "--json"]));
    let ps = j["practices"].as_array().unwrap();
    assert_eq!(ps.len(), 6, "active GP practices only by default");
    let a2 = ps.iter().find(|p| p["code"] == "A00002").unwrap();
    assert_eq!(a2["postcode"], "TS1 2AB", "postcode normalised from the file's ' ts12ab '");
    assert_eq!(a2["list_source"], "registrations", "registrations preferred over QOF");
    assert_eq!(a2["registered_patients"], 9_500);
    let a4 = ps.iter().find(|p| p["code"] == "A00004").unwrap();
    assert_eq!(a4["network"], "", "not in any network");

    let all = ok_json(&pcn(&db, &["practices", "--all", "--json"]));
    assert_eq!(all["practices"].as_array().unwrap().len(), 8);
    let members = ok_json(&pcn(&db, &["practices", "--network", "U00001", "--json"]));
    let codes: Vec<&str> =
        members["practices"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["A00001", "A00002", "A00003"]);
    let by_ccg = ok_json(&pcn(&db, &["practices", "--commissioner", "00y", "--json"]));
    assert_eq!(by_ccg["practices"].as_array().unwrap().len(), 2);
}

#[test]
fn csv_and_table_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let out = pcn(&db, &["networks", "--csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["code", "name", "commissioner", "commissioner_name", "practices", "registered_patients", "weighted_patients"]
    );
    assert_eq!(rdr.records().count(), 2);
    let table = String::from_utf8(pcn(&db, &["networks"]).stdout).unwrap();
    assert!(table.contains("TOWN PCN") && table.contains("32,500"), "{table}");
}

#[test]
fn reimporting_the_same_files_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let first = import_small(&db);
    let before = sha256(&db);
    // Same files in another order.
    let mut files = small_fixture_files();
    files.reverse();
    let again = ok_json(&pcn_paths(&db, &["import"], &files, &["--as-of", "2021-01-01", "--json"]));
    assert_eq!(again["status"], "unchanged");
    assert_eq!(again["snapshot"], first["snapshot"]);
    assert_eq!(sha256(&db), before);
    let snaps = ok_json(&pcn(&db, &["snapshots", "--json"]));
    assert_eq!(snaps["snapshots"].as_array().unwrap().len(), 1);
    // A different date is a different snapshot.
    let other = ok_json(&pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-04-01", "--json"]));
    assert_eq!(other["status"], "imported");
    assert_ne!(other["snapshot"], first["snapshot"]);
}

#[test]
fn workbook_and_csv_sheets_give_identical_snapshots() {
    let small = fixtures().join("small");
    let base: Vec<_> =
        ["epraccur.csv", "gp-reg-pat-prac-all.csv", "postcode_coords.csv"].iter().map(|f| small.join(f)).collect();
    let mut with_csv = base.clone();
    with_csv.push(small.join("epcn_core_partners.csv"));
    with_csv.push(small.join("epcn_pcn_details.csv"));
    let mut with_xlsx = base;
    with_xlsx.push(fixtures().join("xlsx/epcn.xlsx"));
    let opts = pcn_nhs::ImportOptions::default();
    let a = pcn_nhs::import_files(&with_csv, &opts).unwrap();
    let b = pcn_nhs::import_files(&with_xlsx, &opts).unwrap();
    assert_eq!(a.snapshot, b.snapshot);
    assert_eq!(a.snapshot.memberships.len(), 6);
}

#[test]
fn listing_before_any_import_is_a_clear_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.db");
    let out = pcn(&db, &["networks"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no pcn store"), "{}", stderr(&out));
    assert!(!db.exists(), "a read command must not create a store");
    let out = pcn(&db, &["practices", "--snapshot", "7"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_import_without_a_date_asks_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let out = pcn_paths(&db, &["import"], &[fixtures().join("small/epraccur.csv")], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--as-of"), "{}", stderr(&out));
    assert!(!db.exists());
}

/// Signed area of a ring (lon/lat): positive when counter-clockwise.
fn ring_area(ring: &[serde_json::Value]) -> f64 {
    ring.windows(2)
        .map(|w| {
            w[0][0].as_f64().unwrap() * w[1][1].as_f64().unwrap()
                - w[1][0].as_f64().unwrap() * w[0][1].as_f64().unwrap()
        })
        .sum::<f64>()
        / 2.0
}

#[test]
fn geojson_export_follows_rfc_7946() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let out = dir.path().join("map.geojson");
    let o = pcn(&db, &["export", "geojson", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().unwrap();
    let networks: Vec<_> = features.iter().filter(|f| f["properties"]["kind"] == "network").collect();
    let practices: Vec<_> = features.iter().filter(|f| f["properties"]["kind"] == "practice").collect();
    assert_eq!(networks.len(), 2);
    // The five located open practices (A00006 has no coordinates).
    assert_eq!(practices.len(), 5);
    for n in &networks {
        let g = &n["geometry"];
        let polys: Vec<&serde_json::Value> = match g["type"].as_str().unwrap() {
            "Polygon" => vec![&g["coordinates"]],
            "MultiPolygon" => g["coordinates"].as_array().unwrap().iter().collect(),
            other => panic!("{other}"),
        };
        for poly in polys {
            let rings = poly.as_array().unwrap();
            let exterior = rings[0].as_array().unwrap();
            assert_eq!(exterior.first(), exterior.last(), "rings are closed");
            assert!(ring_area(exterior) > 0.0, "exterior rings are counter-clockwise");
            for c in exterior {
                let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
                assert!((-9.0..2.5).contains(&lon) && (49.0..61.5).contains(&lat), "{lon} {lat}");
                assert!(((lon * 1e6).round() - lon * 1e6).abs() < 1e-6, "6 decimals at most: {lon}");
            }
        }
        let pp = n["properties"]["polsby_popper"].as_f64().unwrap();
        assert!(pp > 0.0 && pp <= 1.0, "{pp}");
    }
    let town = networks.iter().find(|n| n["properties"]["code"] == "U00001").unwrap();
    assert_eq!(town["properties"]["registered_patients"], 32_500);
    assert!(town["properties"]["mean_weighted_distance_km"].as_f64().unwrap() > 0.5);
    // CITY PCN has one located member (A00006 has no coordinates): no spread.
    let city = networks.iter().find(|n| n["properties"]["code"] == "U00002").unwrap();
    assert_eq!(city["properties"]["mean_weighted_distance_km"], 0.0);
}

#[test]
fn pay_computes_each_stream_with_its_basis() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let j = ok_json(&pcn(&db, &["pay", "--year", "2021/22", "--network", "U00001", "--json"]));
    assert_eq!(j["list_size_date"], "2021-01-01");
    let lines = j["lines"].as_array().unwrap();
    let total = |stream: &str| -> i64 {
        lines.iter().filter(|l| l["stream"] == stream).map(|l| l["annual_pence"].as_i64().unwrap()).sum()
    };
    // TOWN PCN: 12,000 + 9,500 + 11,000 = 32,500 registered patients at 1 January 2021.
    assert_eq!(total("core_funding"), 32_500 * 150);
    assert_eq!(total("clinical_director"), 32_500 * 722 / 10);
    let core = lines.iter().find(|l| l["stream"] == "core_funding" && l["practice"] == "A00002").unwrap();
    assert_eq!(core["basis"]["units"], "9500");
    assert_eq!(core["basis"]["as_of"], "2021-01-01");
    assert_eq!(core["basis"]["source"], "registrations");
    assert_eq!(core["rate"]["pounds"], "1.50");
    let months: i64 = core["months_pence"].as_array().unwrap().iter().map(|m| m.as_i64().unwrap()).sum();
    assert_eq!(months, core["annual_pence"].as_i64().unwrap());
    // No weighted lists in the fixtures: participation is reported missing, not guessed.
    assert!(j["missing"].as_array().unwrap().iter().any(|m| m["stream"] == "participation"));
    assert_eq!(total("participation"), 0);

    // The lists were taken on the year's list-size date: said plainly, no warning.
    assert_eq!(j["lists"]["label"], "lists as at 2021-01-01");
    assert_eq!(j["lists"]["warning"], serde_json::Value::Null);

    let bad = pcn(&db, &["pay", "--year", "2018/19"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("2018/19"), "{}", stderr(&bad));
}

/// A year computed from lists of another date says which date it used, and
/// warns when that is far from the year's list-size date.
#[test]
fn pay_says_which_list_date_it_used_and_warns_when_it_is_far_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let out = pcn(&db, &["pay", "--year", "2025/26", "--network", "U00001", "--json"]);
    let j = ok_json(&out);
    assert_eq!(j["list_size_date"], "2025-01-01");
    assert_eq!(j["lists"]["label"], "lists as at 2021-01-01 (the year's list-size date is 2025-01-01)");
    let warning = j["lists"]["warning"].as_str().unwrap();
    assert!(warning.contains("1461 days before the year's list-size date 2025-01-01"), "{warning}");
    assert!(stderr(&out).contains("warning: the lists used"), "{}", stderr(&out));
    let table = pcn(&db, &["pay", "--year", "2025/26"]);
    assert!(
        String::from_utf8_lossy(&table.stdout)
            .contains("lists as at 2021-01-01 (the year's list-size date is 2025-01-01)")
    );
}

/// 2026/27 (des-facts-2022-2027 A.2, A.3): the streams that have rates are
/// computed (no 2026/27 rate has been found yet, so none is), the capacity and
/// access payment is not in the DES and gives no line, and everything not
/// computed is listed with why, in the JSON and under the table. 2025/26 tells
/// a rate not found (IIF) apart from an input the fixtures lack.
#[test]
fn pay_says_which_lines_it_could_not_compute_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let j = ok_json(&pcn(&db, &["pay", "--year", "2026/27", "--network", "U00001", "--json"]));
    let rates = pcn_funding::rates::year(pcn_core::FinancialYear::new(2026)).unwrap();
    let lines = j["lines"].as_array().unwrap();
    let with_rates: Vec<String> = rates.rates.iter().map(|r| r.stream.name()).collect();
    assert!(lines.iter().all(|l| with_rates.contains(&l["stream"].as_str().unwrap().to_string())));
    assert!(lines.is_empty(), "no 2026/27 rate is known yet: {lines:?}");
    for cap in ["capacity_access_support", "capacity_access_improvement"] {
        assert!(!lines.iter().any(|l| l["stream"] == cap), "{cap}");
        assert!(!j["missing"].as_array().unwrap().iter().any(|m| m["stream"] == cap), "{cap}: nothing is owed");
        let gone = j["no_rate"].as_array().unwrap().iter().find(|n| n["stream"] == cap).unwrap();
        assert_eq!(gone["why"], "removed");
        assert!(gone["reason"].as_str().unwrap().contains("from 1 April 2026"), "{gone}");
    }
    // Each stream the DES still pays is missing for the network, with the table's reason.
    let missing = j["missing"].as_array().unwrap();
    for stream in ["participation", "core_funding", "enhanced_access", "care_home_premium", "iif", "arrs_sum"] {
        let m = missing.iter().find(|m| m["stream"] == stream).unwrap_or_else(|| panic!("{stream} not listed"));
        assert_eq!((&m["network"], &m["cause"]), (&serde_json::json!("U00001"), &serde_json::json!("rate")));
        assert!(m["reason"].as_str().unwrap().starts_with(&format!("no 2026/27 rate for {stream}: ")), "{m}");
        let entry = j["no_rate"].as_array().unwrap().iter().find(|n| n["stream"] == stream).unwrap();
        assert_eq!((&entry["why"], &entry["confidence"]), (&serde_json::json!("not_found"), &serde_json::json!("NF")));
    }
    assert_eq!(missing.len(), 6);
    assert!(j["gaps"].as_array().unwrap().iter().any(|g| g.as_str().unwrap().contains("capacity_access_support")));
    assert_eq!(j["unverified_rates"], serde_json::json!([]));

    let table = String::from_utf8_lossy(&pcn(&db, &["pay", "--year", "2026/27"]).stdout).to_string();
    assert!(table.contains("2026/27: £0.00 in all that could be computed"), "{table}");
    assert!(table.contains("Not computed (2 networks): core_funding — no 2026/27 rate: "), "{table}");
    assert!(table.contains("Not in the DES in 2026/27 (nothing owed): capacity_access_support"), "{table}");
    assert!(table.contains("known gaps in the 2026/27 rate table"), "{table}");

    // 2025/26: CAP is still owed (its adjusted population is the input missing here); IIF's rate is not known.
    let j = ok_json(&pcn(&db, &["pay", "--year", "2025/26", "--network", "U00001", "--json"]));
    let lines = j["lines"].as_array().unwrap();
    let core: i64 =
        lines.iter().filter(|l| l["stream"] == "core_funding").map(|l| l["annual_pence"].as_i64().unwrap()).sum();
    assert_eq!(core, 32_500 * 2266 / 10, "the registered element: 32,500 x £2.266");
    let missing = j["missing"].as_array().unwrap();
    let cause = |stream: &str| -> Vec<&str> {
        missing.iter().filter(|m| m["stream"] == stream).map(|m| m["cause"].as_str().unwrap()).collect()
    };
    assert_eq!(cause("iif"), vec!["rate"]);
    assert!(
        !cause("capacity_access_support").is_empty() && cause("capacity_access_support").iter().all(|c| *c == "input")
    );
    let table = String::from_utf8_lossy(&pcn(&db, &["pay", "--year", "2025/26"]).stdout).to_string();
    assert!(table.contains("Not computed (2 networks): iif — no 2025/26 rate: "), "{table}");
    assert!(table.contains("— import the input that carries it."), "{table}");
}

#[test]
fn without_coordinates_geography_is_not_evaluated_and_formation_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let files =
        [fixtures().join("small/gp-reg-pat-prac-all.csv"), fixtures().join("small/qof_MAPPING_NHS_GEOGRAPHIES.csv")];
    ok_json(&pcn_paths(&db, &["import"], &files, &["--json"]));
    let out = pcn(&db, &["check", "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped: Vec<&str> =
        j["summary"]["not_evaluated"].as_array().unwrap().iter().map(|n| n["rule"].as_str().unwrap()).collect();
    assert!(skipped.contains(&"geo.non-contiguous") && skipped.contains(&"geo.enclave"), "{skipped:?}");
    let out = pcn(&db, &["form", "--mode", "scratch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("coordinates"), "{}", stderr(&out));
}

#[test]
fn statements_carry_every_line_and_agree_with_pay() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let out = dir.path().join("st");
    let o = pcn(&db, &["statement", "--year", "2021/22", "--network", "U00001", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(out.join("U00001-2021-22.csv")).unwrap();
    let html = std::fs::read_to_string(out.join("U00001-2021-22.html")).unwrap();
    // The statement's annual column adds up to what `pcn pay` computes for the network.
    let j = ok_json(&pcn(&db, &["pay", "--year", "2021/22", "--network", "U00001", "--json"]));
    let pay_total: i64 = j["lines"].as_array().unwrap().iter().map(|l| l["annual_pence"].as_i64().unwrap()).sum();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let annual = rdr.headers().unwrap().iter().position(|h| h == "annual").unwrap();
    let mut total = 0i64;
    let mut rows = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let pounds: rust_decimal::Decimal = r[annual].parse().unwrap();
        total += rust_decimal::prelude::ToPrimitive::to_i64(&(pounds * rust_decimal::Decimal::from(100))).unwrap();
        rows += 1;
    }
    assert_eq!(rows, j["lines"].as_array().unwrap().len());
    assert_eq!(total, pay_total);
    assert!(html.contains("<h1>U00001") && html.contains("core_funding") && html.contains("2022-03"));
    assert!(!out.join("U00001-2021-22.partial").exists());
}

#[test]
fn arrs_claims_and_bad_staff_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let staff = dir.path().join("staff.csv");
    std::fs::write(
        &staff,
        "network,role,wte,start,end,salary,on_costs,baseline\nU00001,clinical_pharmacist,1,2021-04-01,,50000,12000,no\n",
    )
    .unwrap();
    let j = ok_json(&pcn(&db, &["arrs", "--year", "2021/22", "--staff", staff.to_str().unwrap(), "--json"]));
    let post = &j["posts"][0];
    // 100% of £62,000 actual cost, under the pharmacist maximum if one is published for 2021/22.
    assert!(post["claimable"].as_i64().unwrap() > 0, "{post}");
    assert!(post["claimable"].as_i64().unwrap() <= 6_200_000);
    let months: i64 = post["months"].as_array().unwrap().iter().map(|m| m.as_i64().unwrap()).sum();
    assert_eq!(months, post["claimable"].as_i64().unwrap());

    std::fs::write(&staff, "network,role,wte,start,salary,on_costs\nU00001,clinical_pharmacist,1.5,2021-04-01,1,1\n")
        .unwrap();
    let bad = pcn(&db, &["arrs", "--year", "2021/22", "--staff", staff.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    let e = stderr(&bad);
    assert!(e.contains("staff.csv") && e.contains("line 2") && e.contains("wte"), "{e}");
}

#[test]
fn pdf_statements_are_behind_a_feature() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let out = dir.path().join("st");
    let o =
        pcn(&db, &["statement", "--year", "2021/22", "--network", "U00001", "--out", out.to_str().unwrap(), "--pdf"]);
    if cfg!(feature = "pdf") {
        assert!(o.status.success(), "{}", stderr(&o));
        let pdf = std::fs::read(out.join("U00001-2021-22.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 1000);
        assert!(String::from_utf8_lossy(&pdf[pdf.len() - 64..]).contains("%%EOF"));
    } else {
        // Without the feature nothing is written and the message says how to get it.
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--features pdf"), "{}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn care_homes_from_the_cqc_directory_give_the_premium_its_beds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    let mut files = small_fixture_files();
    files.push(fixtures().join("care_homes/HSCA_Active_Locations.xlsx"));
    let j = ok_json(&pcn_paths(&db, &["import"], &files, &["--as-of", "2021-01-01", "--json"]));
    // Three active care homes (a surgery and a dormant home left out); Cedar Court's
    // postcode is in no coordinate file and it has no latitude and longitude.
    assert_eq!(j["care_homes"], 3);
    assert_eq!(j["care_home_beds"], 60 + 30 + 25);
    assert_eq!(j["care_homes_located"], 2);
    assert!(j["warnings"][0].as_str().unwrap().contains("1 of 3 care homes have no location"), "{j}");

    // Without agreed alignments the premium is not computed: entitlements are never guessed.
    let j = ok_json(&pcn(&db, &["pay", "--year", "2021/22", "--json"]));
    assert!(j["lines"].as_array().unwrap().iter().all(|l| l["stream"] != "care_home_premium"));
    assert!(j["missing"].as_array().unwrap().iter().any(|m| m["stream"] == "care_home_premium"), "{j}");
    assert!(j["beds_source"].is_null());

    // --beds-from-cqc: the estimate, said to be one. 2021/22 pays £120 a bed a year. Elm House
    // (60 beds) is at practice A00002's postcode (TOWN PCN); Birch Lodge (30) is nearest A00005
    // (CITY PCN).
    let out = pcn(&db, &["pay", "--year", "2021/22", "--beds-from-cqc", "--json"]);
    assert!(stderr(&out).contains("from the 3 care homes of the CQC directory"), "{}", stderr(&out));
    let j = ok_json(&out);
    assert!(j["beds_source"].as_str().unwrap().starts_with("estimated from the 3 care homes"), "{j}");
    let premium = |j: &serde_json::Value, network: &str| -> i64 {
        j["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["stream"] == "care_home_premium" && l["network"] == network)
            .map(|l| l["annual_pence"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(premium(&j, "U00001"), 60 * 12_000);
    assert_eq!(premium(&j, "U00002"), 30 * 12_000);
    let line = j["lines"].as_array().unwrap().iter().find(|l| l["stream"] == "care_home_premium").unwrap();
    assert!(line["basis"]["source"].as_str().unwrap().contains("estimated"), "{line}");

    // A --beds file (agreed alignments) is the other way; both at once is refused.
    let beds = dir.path().join("beds.csv");
    std::fs::write(&beds, "network,beds\nU00001,10\n").unwrap();
    let out = pcn(&db, &["pay", "--year", "2021/22", "--beds", beds.to_str().unwrap(), "--json"]);
    assert!(!stderr(&out).contains("CQC directory"));
    assert_eq!(premium(&ok_json(&out), "U00001"), 10 * 12_000);
    let both = pcn(&db, &["pay", "--year", "2021/22", "--beds", beds.to_str().unwrap(), "--beds-from-cqc"]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}

#[test]
fn beds_from_cqc_needs_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pcn.db");
    import_small(&db);
    let out = pcn(&db, &["pay", "--year", "2021/22", "--beds-from-cqc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no CQC directory"), "{}", stderr(&out));
}
