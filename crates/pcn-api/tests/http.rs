//! The API over HTTP semantics (requests through the router, no socket):
//! shapes, pagination, JSON errors with stable codes, and the OpenAPI
//! document kept in `openapi.json` (set UPDATE_OPENAPI=1 to rewrite it after
//! a deliberate change).

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use pcn_api::{AppState, router};
use pcn_store::Store;
use tower::ServiceExt;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/small");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

async fn app(dir: &Path) -> axum::Router {
    serve(dir, &fixtures(), Some(time::macros::date!(2021 - 01 - 01))).await
}

/// The API over a store in `dir` holding one snapshot: `files` imported (dated `as_of`).
async fn serve(dir: &Path, files: &[PathBuf], as_of: Option<time::Date>) -> axum::Router {
    let import = pcn_nhs::import_files(files, &pcn_nhs::ImportOptions { as_of, ..Default::default() }).unwrap();
    let store = Store::open_or_create(&dir.join("pcn.db")).await.unwrap();
    store.save_snapshot(&import.snapshot, &[], &import.content_hash, "2021-01-02T00:00:00Z").await.unwrap();
    router(AppState::new(store)).0
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, serde_json::Value) {
    let res = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn networks_are_listed_a_page_at_a_time_with_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let (s, j) = get(&app, "/api/networks").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["total"], 2);
    // TOWN PCN: 12,000 + 9,500 + 11,000 registered patients.
    assert_eq!(j["items"][0]["code"], "U00001");
    assert_eq!(j["items"][0]["registered"], 32_500);
    assert_eq!(j["items"][0]["practices"], 3);
    let (_, p2) = get(&app, "/api/networks?per_page=1&page=2").await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert_eq!(p2["items"][0]["code"], "U00002");
    let (_, found) = get(&app, "/api/networks?q=city").await;
    assert_eq!(found["total"], 1);
}

#[tokio::test]
async fn a_network_comes_with_its_members_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let (s, j) = get(&app, "/api/networks/U00001").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["registered"], 32_500);
    let members: Vec<&str> = j["members"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap()).collect();
    assert_eq!(members, vec!["A00001", "A00002", "A00003"]);
    assert!(j["findings"].is_array());
}

#[tokio::test]
async fn errors_are_json_with_a_stable_code() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    for (uri, status, code) in [
        ("/api/networks/U99999", StatusCode::NOT_FOUND, "not_found"),
        ("/api/networks/not-a-code", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/networks?per_page=0", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/networks?snapshot=42", StatusCode::NOT_FOUND, "not_found"),
        ("/api/register/networks/U00001?as_of=yesterday", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/no/such/route", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (s, j) = get(&app, uri).await;
        assert_eq!(s, status, "{uri}: {j}");
        assert_eq!(j["code"], code, "{uri}: {j}");
        assert!(!j["message"].as_str().unwrap().is_empty(), "{uri}");
    }
}

#[tokio::test]
async fn the_openapi_document_is_served_and_kept_in_review() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let (s, served) = get(&app, "/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    for path in [
        "/api/health",
        "/api/snapshots",
        "/api/networks",
        "/api/networks/{code}",
        "/api/register/networks/{code}",
        "/api/networks/{code}/profile.html",
        "/api/profiles.csv",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} missing from the served document");
    }
    let generated = pcn_api::openapi_json();
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&kept, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&kept).unwrap_or_default();
    assert_eq!(
        on_disk, generated,
        "the API changed: review crates/pcn-api/openapi.json (rerun with UPDATE_OPENAPI=1 to rewrite it)"
    );
    let reparsed: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(reparsed["paths"], served["paths"]);
}

#[tokio::test]
async fn the_check_and_a_networks_pay_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let (s, all) = get(&app, "/api/check").await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let total = all["total"].as_u64().unwrap();
    assert_eq!(
        total,
        all["errors"].as_u64().unwrap() + all["warnings"].as_u64().unwrap() + all["infos"].as_u64().unwrap()
    );
    let (_, town) = get(&app, "/api/check?commissioner=00X").await;
    assert!(
        town["findings"].as_array().unwrap().iter().all(|f| f["commissioner"] == "00X" || f["commissioner"].is_null())
    );
    let (s, bad) = get(&app, "/api/check?commissioner=99Z").await;
    assert_eq!((s, bad["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{bad}");

    // TOWN PCN in 2021/22: 32,500 registered patients at 1 January 2021.
    let (s, pay) = get(&app, "/api/networks/U00001/pay?year=2021/22").await;
    assert_eq!(s, StatusCode::OK, "{pay}");
    let stream = |name: &str| {
        pay["streams"].as_array().unwrap().iter().find(|x| x["stream"] == name).unwrap()["pence"].as_i64().unwrap()
    };
    assert_eq!(stream("core_funding"), 32_500 * 150);
    assert_eq!(stream("clinical_director"), 32_500 * 722 / 10);
    assert!(pay["missing"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().contains("weighted")), "{pay}");
    assert_eq!(
        (pay["lists"].as_str(), &pay["lists_warning"]),
        (Some("lists as at 2021-01-01"), &serde_json::Value::Null)
    );
    // 2025/26 from the 2021 lists: the answer says so.
    let (_, later) = get(&app, "/api/networks/U00001/pay?year=2025/26").await;
    assert_eq!(later["lists"], "lists as at 2021-01-01 (the year's list-size date is 2025-01-01)", "{later}");
    assert!(later["lists_warning"].as_str().is_some_and(|w| w.contains("1461 days before")), "{later}");
    let (s, e) = get(&app, "/api/networks/U00001/pay?year=1999/00").await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{e}");
}

#[tokio::test]
async fn reconciliation_needs_the_years_payments_and_compares_them_stream_by_stream() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let (s, j) = get(&app, "/api/reconcile?year=2020/21").await;
    assert_eq!((s, j["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{j}");
    assert!(j["message"].as_str().unwrap().contains("import"), "{j}");
    let Some(data) = std::env::var_os("PCN_DATA_DIR").map(PathBuf::from) else {
        eprintln!("SKIPPED the real-data half of reconciliation_needs_the_years_payments: PCN_DATA_DIR is not set");
        return;
    };
    let files: Vec<PathBuf> = [
        "snapshot_2021/gp-reg-pat-prac-all_2021-01.csv",
        "snapshot_2021/qof_2021_MAPPING_NHS_GEOGRAPHIES.csv",
        "payments/nhs_payments_gp_practice_2020-21.csv",
    ]
    .iter()
    .map(|f| data.join(f))
    .collect();
    let real = tempfile::tempdir().unwrap();
    let app = serve(real.path(), &files, None).await;
    let (s, j) = get(&app, "/api/reconcile?year=2020/21&network=U02671").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let part = j["streams"].as_array().unwrap().iter().find(|s| s["stream"] == "participation").unwrap();
    // Most of England's ~6,500 practices paid in 2020/21 are compared, and most agree within 2%.
    let (compared, within) = (part["compared"].as_u64().unwrap(), part["within_2pct"].as_u64().unwrap());
    assert!(compared > 6_000 && within * 10 > compared * 6, "{part}");
    assert!(part["naive_within_2pct"].as_u64().unwrap() <= within, "{part}");
    // The network filter gives that network's practices' lines, paid and computed in pence.
    let items = part["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|i| i["network"] == "U02671"), "{part}");
    // The difference is computed minus paid.
    assert!(items.iter().all(|i| i["computed_pence"].as_i64().unwrap() - i["paid_pence"].as_i64().unwrap()
        == i["difference_pence"].as_i64().unwrap()));
}

/// The fixture (snapshot 1, 1 January 2021) and a year later (snapshot 2):
/// A00003 leaves TOWN PCN (U00001) for a new network U00003, whose name needs
/// escaping, and A00001's hypertension register grows from 1,700 to 1,800.
async fn two_snapshots(dir: &Path) -> axum::Router {
    let later = dir.join("later");
    std::fs::create_dir_all(&later).unwrap();
    let mut files = Vec::new();
    for f in fixtures() {
        let to = later.join(f.file_name().unwrap());
        let text = std::fs::read_to_string(&f).unwrap();
        let text = match f.file_name().unwrap().to_str().unwrap() {
            "qof_PREVALENCE.csv" => text.replace("A00001,HYP,1700,", "A00001,HYP,1800,"),
            "epcn_core_partners.csv" => text.replace(
                "A00003,THE GREEN PRACTICE,00X,NHS TOWN CCG,U00001,TOWN PCN,00X,NHS TOWN CCG,20190701,",
                "A00003,THE GREEN PRACTICE,00X,NHS TOWN CCG,U00003,GREEN & <PARK> PCN,00X,NHS TOWN CCG,20210401,",
            ),
            "epcn_pcn_details.csv" => {
                text + "U00003,GREEN & <PARK> PCN,00X,NHS TOWN CCG,20210401,,2 PARK ROAD,,TOWN,,,TS1 1AB\n"
            }
            "qof_MAPPING_NHS_GEOGRAPHIES.csv" => text.replace("U00001,Town PCN,A00003", "U00003,Green PCN,A00003"),
            _ => text,
        };
        std::fs::write(&to, text).unwrap();
        files.push(to);
    }
    let store = Store::open_or_create(&dir.join("pcn.db")).await.unwrap();
    for (files, as_of) in
        [(fixtures(), time::macros::date!(2021 - 01 - 01)), (files, time::macros::date!(2022 - 01 - 01))]
    {
        let import = pcn_nhs::import_files(
            &files,
            &pcn_nhs::ImportOptions { as_of: Some(as_of), payments_year: None, progress: None },
        )
        .unwrap();
        store.save_snapshot(&import.snapshot, &[], &import.content_hash, "2022-01-02T00:00:00Z").await.unwrap();
    }
    router(AppState::new(store)).0
}

async fn get_text(app: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn a_profile_gives_its_change_against_another_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let app = two_snapshots(dir.path()).await;
    let (s, snaps) = get(&app, "/api/snapshots").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<i64> = snaps.as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![1, 2]);
    let (_, then) = get(&app, "/api/networks/U00001/profile?snapshot=1").await;
    let (_, now) = get(&app, "/api/networks/U00001/profile").await;
    assert!(now.get("change").is_none(), "no change without against: {now}");
    let (s, j) = get(&app, "/api/networks/U00001/profile?against=1").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["profile"], now["profile"], "against adds the change, nothing else");
    let c = &j["change"];
    assert_eq!(
        (c["then_snapshot"].as_i64(), c["now_snapshot"].as_i64(), c["network"].as_str()),
        (Some(1), Some(2), Some("U00001"))
    );
    let rows = c["rows"].as_array().unwrap();
    let row = |m: &str| rows.iter().find(|r| r["measure"] == m).unwrap_or_else(|| panic!("no {m} in {c}")).clone();
    // A00003 (11,000 patients) left: 32,500 → 21,500, three practices → two, counts as integers.
    assert_eq!((row("practices")["then"].as_i64(), row("practices")["now"].as_i64()), (Some(3), Some(2)));
    assert_eq!(row("practices")["change"].as_i64(), Some(-1));
    let reg = row("registered");
    assert_eq!(
        (reg["then"].as_i64(), reg["now"].as_i64(), reg["change"].as_i64()),
        (Some(32_500), Some(21_500), Some(-11_000))
    );
    assert_eq!(reg["then"], then["profile"]["registered"]);
    assert_eq!(reg["now"], now["profile"]["registered"]);
    // Every group: then and now are the two profiles' figures, the change now minus then.
    let pct = |p: &serde_json::Value, g: &str| {
        p["profile"]["prevalence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"] == g)
            .and_then(|r| r["percent"].as_f64())
    };
    let groups: Vec<&str> =
        now["profile"]["prevalence"].as_array().unwrap().iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert!(groups.contains(&"HYP"), "{groups:?}");
    for g in &groups {
        let r = row(&format!("{g} prevalence %"));
        let (a, b) = (pct(&then, g).unwrap(), pct(&now, g).unwrap());
        assert_eq!((r["then"].as_f64(), r["now"].as_f64()), (Some(a), Some(b)), "{g}");
        assert_eq!(r["change"].as_f64(), Some(((b - a) * 100.0).round() / 100.0), "{g}");
    }
    // HYP: 4,500 / 32,480 = 13.85% then; 3,100 / 21,490 = 14.43% now.
    let hyp = row("HYP prevalence %");
    assert_eq!(
        (hyp["then"].as_f64(), hyp["now"].as_f64(), hyp["change"].as_f64()),
        (Some(13.85), Some(14.43), Some(0.58))
    );
    // The main groups come first.
    let first: Vec<&str> = rows.iter().map(|r| r["measure"].as_str().unwrap()).skip(5).take(1).collect();
    assert_eq!(first, vec!["HYP prevalence %"]);
    // Backwards works too, and against itself changes nothing.
    let (_, back) = get(&app, "/api/networks/U00001/profile?snapshot=1&against=2").await;
    let back_reg =
        back["change"]["rows"].as_array().unwrap().iter().find(|r| r["measure"] == "registered").unwrap().clone();
    assert_eq!(back_reg["change"].as_i64(), Some(11_000));
    let (_, same) = get(&app, "/api/networks/U00002/profile?against=2").await;
    assert!(
        same["change"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["change"].is_null() || r["change"].as_f64() == Some(0.0)),
        "{same}"
    );

    for (uri, status, code) in [
        ("/api/networks/U00001/profile?against=42", StatusCode::NOT_FOUND, "not_found"),
        ("/api/networks/U00003/profile?against=1", StatusCode::NOT_FOUND, "not_found"),
        ("/api/networks/U00001/profile?against=one", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/networks/U00001/profile?against=", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/networks/U00003/profile.html?against=1", StatusCode::NOT_FOUND, "not_found"),
        ("/api/networks/U00001/profile.html?against=1.5", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/networks/nope/profile.html", StatusCode::BAD_REQUEST, "bad_request"),
    ] {
        let (s, j) = get(&app, uri).await;
        assert_eq!((s, j["code"].as_str()), (status, Some(code)), "{uri}: {j}");
        assert!(!j["message"].as_str().unwrap_or("").is_empty(), "{uri}");
    }
    let (_, j) = get(&app, "/api/networks/U00003/profile?against=1").await;
    assert!(j["message"].as_str().unwrap().contains("not in snapshot 1"), "{j}");
}

#[tokio::test]
async fn a_profile_prints_as_a_page_with_names_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let app = two_snapshots(dir.path()).await;
    let (s, h, html) = get_text(&app, "/api/networks/U00001/profile.html?against=1").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    // The page's own style is inline: the policy must allow it, and nothing else is loaded.
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("style-src 'self' 'unsafe-inline'") && csp.contains("default-src 'self'"), "{csp}");
    assert!(html.starts_with("<!doctype html>") && html.contains("Profile of U00001 TOWN PCN"), "{html}");
    assert!(html.contains("snapshot 2; 2 practices; 21,500 registered patients"), "{html}");
    assert!(html.contains("<h2>Change since snapshot 1</h2>"), "{html}");
    assert!(
        html.contains("<tr><td>registered</td><td>32,500</td><td>21,500</td><td>\u{2212}11,000</td></tr>"),
        "{html}"
    );
    assert!(html.contains("<tr><td>HYP prevalence %</td><td>13.85</td><td>14.43</td><td>+0.58</td></tr>"), "{html}");
    assert!(!html.contains("<script") && !html.contains("http"), "self-contained");
    // The same page as the CLI's, from the same profile.
    let (_, j) = get(&app, "/api/networks/U00001/profile").await;
    let hyp = j["profile"]["prevalence"].as_array().unwrap().iter().find(|r| r["group"] == "HYP").unwrap().clone();
    assert!(html.contains(&format!("<td>HYP</td><td>{}</td><td>{}</td>", hyp["register"], hyp["list"])), "{html}");
    // Without against there is no change table; a name from the files is escaped.
    let (s, _, page) = get_text(&app, "/api/networks/U00003/profile.html").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Profile of U00003 GREEN &amp; &lt;PARK&gt; PCN"), "{page}");
    assert!(!page.contains("<PARK>") && !page.contains("Change since"), "{page}");
}

#[tokio::test]
async fn every_networks_profile_downloads_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let app = two_snapshots(dir.path()).await;
    let rows = |text: &str| -> (Vec<String>, Vec<csv::StringRecord>) {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h = r.headers().unwrap().iter().map(str::to_string).collect();
        (h, r.records().map(Result::unwrap).collect())
    };
    let (s, h, text) = get_text(&app, "/api/profiles.csv").await;
    assert_eq!(s, StatusCode::OK, "{text}");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(h["content-disposition"], "attachment; filename=\"profiles-snapshot-2.csv\"");
    let (head, all) = rows(&text);
    assert_eq!(head, pcn_profile::SUMMARY_COLUMNS);
    let codes: Vec<&str> = all.iter().map(|r| &r[0]).collect();
    assert_eq!(codes, vec!["U00001", "U00002", "U00003"]);
    for r in &all {
        let (_, p) = get(&app, &format!("/api/networks/{}/profile", &r[0])).await;
        let p = &p["profile"];
        assert_eq!(r[3].parse::<i64>().unwrap(), p["registered"].as_i64().unwrap(), "{r:?}");
        assert_eq!(r[2].parse::<i64>().unwrap(), p["practices"].as_i64().unwrap(), "{r:?}");
        assert_eq!(&r[1], p["commissioner"].as_str().unwrap(), "{r:?}");
        let hyp = p["prevalence"].as_array().unwrap().iter().find(|x| x["group"] == "HYP").unwrap()["percent"].as_f64();
        assert_eq!(r[7].parse::<f64>().ok(), hyp, "{r:?}");
    }
    assert_eq!(&all[0][3], "21500");
    // The fixtures have no LSOA data: rurality and deprivation are empty, never 0.
    let (rural, imd) = (
        head.iter().position(|c| c == "rural_pct").unwrap(),
        head.iter().position(|c| c == "mean_imd_decile").unwrap(),
    );
    assert!(all.iter().all(|r| r[rural].is_empty() && r[imd].is_empty()), "{text}");
    let (s, _, page) = get_text(&app, "/api/networks/U00001/profile.html").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Rural (classes D and E): no data"), "{page}");
    assert!(page.contains("No data: this snapshot has no LSOA data"), "{page}");
    assert!(!page.contains("0.0%") && !page.contains("<td>0.0</td>"), "{page}");
    // One commissioner's networks; an earlier snapshot's.
    let (s, h, text) = get_text(&app, "/api/profiles.csv?commissioner=00Y").await;
    assert_eq!(s, StatusCode::OK, "{text}");
    assert_eq!(h["content-disposition"], "attachment; filename=\"profiles-00Y-snapshot-2.csv\"");
    assert_eq!(rows(&text).1.iter().map(|r| r[0].to_string()).collect::<Vec<_>>(), vec!["U00002"]);
    let (_, _, text) = get_text(&app, "/api/profiles.csv?snapshot=1").await;
    let (_, old) = rows(&text);
    assert_eq!(
        old.iter().map(|r| (r[0].to_string(), r[3].to_string())).collect::<Vec<_>>(),
        vec![("U00001".to_string(), "32500".to_string()), ("U00002".to_string(), "36500".to_string())]
    );
    for (uri, status, code) in [
        ("/api/profiles.csv?commissioner=not-a-code", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/profiles.csv?commissioner=99Z", StatusCode::NOT_FOUND, "not_found"),
        ("/api/profiles.csv?snapshot=9", StatusCode::NOT_FOUND, "not_found"),
        ("/api/profiles.csv?snapshot=x", StatusCode::BAD_REQUEST, "bad_request"),
    ] {
        let (s, j) = get(&app, uri).await;
        assert_eq!((s, j["code"].as_str()), (status, Some(code)), "{uri}: {j}");
    }
}

#[tokio::test]
async fn a_profile_carries_its_care_homes_and_the_premium_counts_their_beds() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = fixtures();
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/care_homes/HSCA_Active_Locations.csv"));
    let with_homes = serve(dir.path(), &files, Some(time::macros::date!(2021 - 01 - 01))).await;

    let (s, v) = get(&with_homes, "/api/networks/U00001/profile").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let homes = &v["care_homes"];
    assert_eq!((homes["homes"].as_u64(), homes["beds"].as_u64()), (Some(1), Some(60)), "{homes}");
    let elm = &homes["list"][0];
    assert_eq!(
        (elm["name"].as_str(), elm["nearest_practice"].as_str()),
        (Some("Elm House Nursing Home"), Some("A00002"))
    );
    // WGS84 for the map: the coordinate file's point for TS1 2AB.
    assert_eq!((elm["lat"].as_f64(), elm["lon"].as_f64()), (Some(54.5735), Some(-1.2275)));

    // Entitlements never rest on the nearest-practice estimate: without agreed alignments the
    // premium is not computed, and says why.
    let (s, pay) = get(&with_homes, "/api/networks/U00001/pay?year=2021/22").await;
    assert_eq!(s, StatusCode::OK, "{pay}");
    assert!(pay["streams"].as_array().unwrap().iter().all(|x| x["stream"] != "care_home_premium"), "{pay}");
    assert!(pay["missing"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().contains("beds")), "{pay}");
    let (s, _, page) = get_text(&with_homes, "/api/networks/U00001/profile.html").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Care homes (CQC directory)") && page.contains("<td>Elm House Nursing Home</td>"), "{page}");

    // Without the directory there is no care-home section at all.
    let dir2 = tempfile::tempdir().unwrap();
    let plain = app(dir2.path()).await;
    let (_, v) = get(&plain, "/api/networks/U00001/profile").await;
    assert!(v["care_homes"].is_null(), "{v}");
}

#[tokio::test]
async fn snapshots_are_listed_by_date_and_the_last_is_the_default() {
    // The later extract is imported first: the list goes by date, not by id.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(&dir.path().join("pcn.db")).await.unwrap();
    for as_of in [time::macros::date!(2022 - 01 - 01), time::macros::date!(2021 - 01 - 01)] {
        let opts = pcn_nhs::ImportOptions { as_of: Some(as_of), ..Default::default() };
        let import = pcn_nhs::import_files(&fixtures(), &opts).unwrap();
        store.save_snapshot(&import.snapshot, &[], &import.content_hash, "2022-01-02T00:00:00Z").await.unwrap();
    }
    let app = router(AppState::new(store)).0;
    let (s, list) = get(&app, "/api/snapshots").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let dates: Vec<&str> = list.as_array().unwrap().iter().map(|x| x["as_of"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2021-01-01", "2022-01-01"]);
    let last = list.as_array().unwrap().last().unwrap()["id"].as_i64().unwrap();
    assert_eq!(last, 1, "the 2022 extract was imported first");
    let (_, page) = get(&app, "/api/networks").await;
    assert_eq!(page["snapshot"].as_i64(), Some(last), "{page}");
}

#[tokio::test]
async fn reconciliation_can_estimate_care_home_beds_from_the_cqc_directory() {
    // A synthetic area pays every network the premium for the beds nearest it, but every 13th
    // network (from the 5th) only 30% of it.
    let area = pcn_synth::generate(&pcn_synth::Config { practices: 600, seed: 3 });
    let dir = tempfile::tempdir().unwrap();
    let files = pcn_synth::write_files(&area, &dir.path().join("files"), pcn_synth::Vintage::Ccg2021).unwrap();
    let app = serve(dir.path(), &files, None).await;

    // Without the estimate the premium is not compared, and the answer says why.
    let (s, j) = get(&app, "/api/reconcile?year=2020/21").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert!(j["streams"].as_array().unwrap().iter().all(|x| x["stream"] != "care_home_premium"), "{j}");
    assert!(j["not_compared"].as_array().unwrap().iter().any(|x| x["name"] == "care_home_premium"), "{j}");
    assert!(j["beds_source"].is_null());

    let (s, j) = get(&app, "/api/reconcile?year=2020/21&beds_from_cqc=true").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert!(j["beds_source"].as_str().unwrap().starts_with("estimated from the"), "{j}");
    let chp = j["streams"].as_array().unwrap().iter().find(|x| x["stream"] == "care_home_premium").unwrap();
    let paid: Vec<usize> =
        (0..area.networks.len()).filter(|&n| area.care_homes.iter().any(|h| h.network == Some(n))).collect();
    let underpaid = paid.iter().filter(|&&n| n % 13 == 4).count();
    assert!(underpaid > 0);
    assert_eq!(chp["compared"].as_u64(), Some(paid.len() as u64), "{chp}");
    assert_eq!(chp["within_2pct"].as_u64(), Some((paid.len() - underpaid) as u64), "{chp}");
    assert_eq!(chp["unexplained_over_10pct"].as_u64(), Some(underpaid as u64), "{chp}");

    // A snapshot without the directory cannot estimate.
    let plain_dir = tempfile::tempdir().unwrap();
    let without_cqc: Vec<PathBuf> = files.iter().filter(|f| !f.to_string_lossy().contains("HSCA")).cloned().collect();
    let plain = serve(plain_dir.path(), &without_cqc, None).await;
    let (s, j) = get(&plain, "/api/reconcile?year=2020/21&beds_from_cqc=true").await;
    assert_eq!((s, j["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{j}");
    assert!(j["message"].as_str().unwrap().contains("no CQC directory"), "{j}");
}

/// The small fixture with CCG 00Y moved to another STP (QHN) in the QOF mapping.
fn two_icbs(dir: &Path) -> Vec<PathBuf> {
    fixtures()
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let text = if text.starts_with("NAT_ONS_CODE") {
                text.lines()
                    .map(|l| {
                        if l.contains(",00Y,") {
                            l.replace(",QHM,E54000050,", ",QHN,E54000051,")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            } else {
                text
            };
            let to = dir.join(f.file_name().unwrap());
            std::fs::write(&to, text).unwrap();
            to
        })
        .collect()
}

#[tokio::test]
async fn icbs_are_listed_and_filter_the_check_practices_and_map() {
    let dir = tempfile::tempdir().unwrap();
    let files = two_icbs(dir.path());
    let app = serve(dir.path(), &files, Some(time::macros::date!(2023 - 01 - 01))).await;
    let (s, icbs) = get(&app, "/api/icbs").await;
    assert_eq!(s, StatusCode::OK, "{icbs}");
    assert_eq!((icbs["era"].as_str(), icbs["parent_tier"].as_str()), (Some("icb"), Some("ICB")));
    let items = icbs["items"].as_array().unwrap();
    let codes: Vec<&str> = items.iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["QHM", "QHN"]);
    let (_, all_practices) = get(&app, "/api/practices?per_page=500").await;
    for (item, ccg) in items.iter().zip(["00X", "00Y"]) {
        let icb = item["code"].as_str().unwrap();
        assert_eq!(item["sub_icbs"], serde_json::json!([ccg]));
        assert_eq!(item["region"], "Y63");
        let (_, by_ccg) = get(&app, &format!("/api/practices?commissioner={ccg}&per_page=500")).await;
        let (s, by_icb) = get(&app, &format!("/api/practices?icb={icb}&per_page=500")).await;
        assert_eq!(s, StatusCode::OK, "{by_icb}");
        assert_eq!(by_icb["items"], by_ccg["items"]);
        assert!(by_icb["total"].as_u64().unwrap() < all_practices["total"].as_u64().unwrap());
        let active = by_icb["items"].as_array().unwrap().iter().filter(|p| p["active"] == true).count();
        assert_eq!(item["practices"].as_u64().unwrap() as usize, active, "{item}");
        let (_, check) = get(&app, &format!("/api/check?icb={icb}&per_page=500")).await;
        let (_, check_ccg) = get(&app, &format!("/api/check?commissioner={ccg}&per_page=500")).await;
        assert_eq!(check["findings"], check_ccg["findings"]);
        assert!(check["findings"].as_array().unwrap().iter().all(|f| f["icb"] == icb || f["commissioner"].is_null()));
        let (s, map) = get(&app, &format!("/api/geojson?icb={icb}")).await;
        assert_eq!(s, StatusCode::OK);
        let feats = map["features"].as_array().unwrap();
        assert!(!feats.is_empty());
        assert!(feats.iter().filter(|f| f["properties"]["kind"] != "practice").all(|f| f["properties"]["icb"] == icb));
        // Profiles: the ICB's rows are its sub-ICB location's.
        let (s, _, by_icb) = get_text(&app, &format!("/api/profiles.csv?icb={icb}")).await;
        assert_eq!(s, StatusCode::OK, "{by_icb}");
        let (_, _, by_ccg) = get_text(&app, &format!("/api/profiles.csv?commissioner={ccg}")).await;
        assert_eq!(by_icb, by_ccg);
        assert!(by_icb.lines().count() > 1, "{by_icb}");
    }
    let (s, e) = get(&app, "/api/check?icb=QHX").await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("did you mean QHM, QHN?"), "{e}");
    let (s, e) = get(&app, "/api/practices?commissioner=00X&icb=QHN").await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{e}");
    let (s, e) = get(&app, "/api/geojson?icb=not-a-code").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
}
