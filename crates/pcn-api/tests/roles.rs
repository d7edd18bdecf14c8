//! Who may do what, tried as a person and as an attacker would: anonymous
//! callers only read; a network manager proposes for their own network and
//! keeps its staff records but cannot decide or touch another network; a
//! commissioner decides only in their own area; browser writes need the
//! session's CSRF token; failed logins are limited; every write, allowed or
//! refused, is in the audit log. Also what a move does to findings and money.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pcn_api::{AppState, router};
use pcn_core::{NetworkCode, PracticeCode};
use pcn_store::Store;
use pcn_store::users::User;
use serde_json::{Value, json};
use tower::ServiceExt;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/small");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

const PASSWORD: &str = "correct horse battery";

/// The small fixture (TOWN PCN U00001 in 00X, CITY PCN U00002 in 00Y), its
/// register synced, and four users.
async fn app(target: &Path) -> (axum::Router, Store) {
    let import = pcn_nhs::import_files(
        &fixtures(),
        &pcn_nhs::ImportOptions {
            as_of: Some(time::macros::date!(2021 - 01 - 01)),
            payments_year: None,
            progress: None,
        },
    )
    .unwrap();
    let store = Store::open_or_create(target).await.unwrap();
    store.save_snapshot(&import.snapshot, &[], &import.content_hash, "2021-01-02T00:00:00Z").await.unwrap();
    let snap = &import.snapshot;
    let effective = time::macros::date!(2021 - 01 - 01);
    let networks: Vec<(NetworkCode, Option<String>, Option<String>)> = snap
        .networks
        .iter()
        .map(|n| (n.code.clone(), n.name.clone(), n.commissioner.as_ref().map(|c| c.to_string())))
        .collect();
    let members: Vec<(PracticeCode, NetworkCode)> = snap
        .memberships
        .iter()
        .filter(|m| m.is_current_on(effective))
        .map(|m| (m.practice.clone(), m.network.clone()))
        .collect();
    let who =
        pcn_store::register::Who { actor: "test".into(), reason: "fixture".into(), at: "2021-01-02T00:00:00Z".into() };
    store.register_sync(effective, &networks, &members, &who).await.unwrap();
    for (name, role, commissioner, network) in [
        ("town-manager", "network", None, Some("U00001")),
        ("town-commissioner", "commissioner", Some("00X"), None),
        ("city-commissioner", "commissioner", Some("00Y"), None),
        ("admin", "admin", None, None),
    ] {
        let user = User {
            username: name.into(),
            role: pcn_core::Role::parse(role).unwrap(),
            commissioner: commissioner.map(str::to_string),
            network: network.map(str::to_string),
            password_hash: pcn_workbench::accounts::hash_password(PASSWORD),
            disabled: false,
        };
        store.user_put(&user, "2021-01-02T00:00:00Z").await.unwrap();
    }
    // The router gets its own handle on the same file.
    let served = Store::open(target).await.unwrap();
    (router(AppState::new(served)).0, store)
}

/// A browser session: its cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), headers)
}

fn json_req(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/json")
}

async fn login(app: &axum::Router, name: &str, password: &str) -> Result<Browser, (StatusCode, Value)> {
    let body = json!({"username": name, "password": password});
    let (s, j, h) = send(app, json_req("POST", "/api/session").body(Body::from(body.to_string())).unwrap()).await;
    if s != StatusCode::OK {
        return Err((s, j));
    }
    let set = h.get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    Ok(Browser { cookie, csrf: j["csrf_token"].as_str().unwrap().to_string() })
}

/// A write as a browser would send it (cookie and CSRF token), or anonymously.
async fn write(app: &axum::Router, who: Option<&Browser>, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let mut r = json_req(method, uri);
    if let Some(b) = who {
        r = r.header(header::COOKIE, &b.cookie).header("x-csrf-token", &b.csrf);
    }
    let (s, j, _) = send(app, r.body(Body::from(body.to_string())).unwrap()).await;
    (s, j)
}

async fn read(app: &axum::Router, who: Option<&Browser>, uri: &str) -> (StatusCode, Value) {
    let mut r = Request::get(uri);
    if let Some(b) = who {
        r = r.header(header::COOKIE, &b.cookie);
    }
    let (s, j, _) = send(app, r.body(Body::empty()).unwrap()).await;
    (s, j)
}

fn join(practice: &str, network: &str) -> Value {
    json!({"kind": "join", "network": network, "practice": practice, "effective": "2021-04-01", "reason": "closer"})
}

#[tokio::test]
async fn an_anonymous_caller_reads_but_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(dir.path(), "an_anonymous_caller_reads_but_cannot_write").await {
        let (app, store) = app(&target).await;
        assert_eq!(read(&app, None, "/api/networks").await.0, StatusCode::OK);
        let (s, j) = read(&app, None, "/api/session").await;
        assert_eq!((s, &j["user"]), (StatusCode::OK, &Value::Null));
        for (method, uri, body) in [
            ("POST", "/api/proposals", join("A00003", "U00002")),
            ("POST", "/api/proposals/1/decision", json!({"approve": true, "reason": "x"})),
            ("PUT", "/api/networks/U00001/staff", json!([])),
            ("POST", "/api/repair", json!({"commissioner": "00X"})),
            ("DELETE", "/api/session", json!({})),
        ] {
            let (s, j) = write(&app, None, method, uri, body).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {uri}: {j}");
            assert_eq!(j["code"], "unauthorized");
        }
        assert_eq!(read(&app, None, "/api/audit").await.0, StatusCode::UNAUTHORIZED);
        // A forged bearer token is refused, not treated as anonymous.
        let (s, j, _) = send(
            &app,
            Request::get("/api/session")
                .header(header::AUTHORIZATION, format!("Bearer {}", "ab".repeat(32)))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{j}");
        assert!(store.proposals(None).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn browser_writes_need_the_sessions_csrf_token_and_tokens_do_not() {
    let dir = tempfile::tempdir().unwrap();
    for target in
        pcn_store::testing::targets(dir.path(), "browser_writes_need_the_sessions_csrf_token_and_tokens_do_not").await
    {
        let (app, store) = app(&target).await;
        let b = login(&app, "town-manager", PASSWORD).await.unwrap();
        let body = join("A00003", "U00002");
        for csrf in [None, Some("0".repeat(64)), Some(b.csrf.to_uppercase() + "x")] {
            let mut r = json_req("POST", "/api/proposals").header(header::COOKIE, &b.cookie);
            if let Some(c) = &csrf {
                r = r.header("x-csrf-token", c);
            }
            let (s, j, _) = send(&app, r.body(Body::from(body.to_string())).unwrap()).await;
            assert_eq!((s, j["code"].as_str()), (StatusCode::FORBIDDEN, Some("csrf")), "{csrf:?}: {j}");
        }
        assert!(store.proposals(None).await.unwrap().is_empty());
        // A bearer token (from `pcn user token`) is not sent by browsers on their own: no CSRF token needed.
        let token = pcn_workbench::accounts::random_token();
        store
            .session_create(
                &pcn_workbench::accounts::digest(&token),
                "town-manager",
                "token",
                None,
                "2021-01-01T00:00:00Z",
                "2999-01-01T00:00:00Z",
            )
            .await
            .unwrap();
        let (s, j, _) = send(
            &app,
            json_req("POST", "/api/proposals")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{j}");
        // Logging out ends the session: the same cookie is anonymous afterwards.
        assert_eq!(write(&app, Some(&b), "DELETE", "/api/session", json!({})).await.0, StatusCode::NO_CONTENT);
        let (_, j) = read(&app, Some(&b), "/api/session").await;
        assert_eq!(j["user"], Value::Null);
    }
}

#[tokio::test]
async fn a_network_manager_proposes_for_their_own_network_and_decides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for target in
        pcn_store::testing::targets(dir.path(), "a_network_manager_proposes_for_their_own_network_and_decides_nothing")
            .await
    {
        let (app, store) = app(&target).await;
        let m = login(&app, "town-manager", PASSWORD).await.unwrap();
        // A00005 is CITY's and goes to CITY: nothing of TOWN's.
        let (s, j) = write(&app, Some(&m), "POST", "/api/proposals", join("A00005", "U00002")).await;
        assert_eq!((s, j["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{j}");
        // A00003 leaves TOWN (the manager's network) for CITY: allowed to propose.
        let (s, j) = write(&app, Some(&m), "POST", "/api/proposals", join("A00003", "U00002")).await;
        assert_eq!(s, StatusCode::CREATED, "{j}");
        let id = j["id"].as_i64().unwrap();
        let (s, j) = write(
            &app,
            Some(&m),
            "POST",
            &format!("/api/proposals/{id}/decision"),
            json!({"approve": true, "reason": "mine"}),
        )
        .await;
        assert_eq!((s, j["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{j}");
        // Staff records: their own network only.
        let post = json!([{"role": "clinical_pharmacist", "wte": "1.0", "start": "2020-04-01", "salary": "40000", "on_costs": "10000"}]);
        let (s, j) = write(&app, Some(&m), "PUT", "/api/networks/U00002/staff", post.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{j}");
        let (s, j) = write(&app, Some(&m), "PUT", "/api/networks/U00001/staff", post).await;
        assert_eq!((s, j["posts"].as_i64()), (StatusCode::OK, Some(1)), "{j}");
        // The staff list is theirs to see; the public sees only the network's sum.
        let (_, mine) = read(&app, Some(&m), "/api/networks/U00001/arrs?year=2020/21").await;
        assert_eq!(mine["staff"].as_array().map(Vec::len), Some(1), "{mine}");
        let (_, public) = read(&app, None, "/api/networks/U00001/arrs?year=2020/21").await;
        assert_eq!(public["staff"], Value::Null);
        assert_eq!(public["claimed_pence"], Value::Null);
        assert_eq!(public["maximum_pence"], mine["maximum_pence"]);
        assert_eq!(store.proposals(None).await.unwrap()[0].status.as_str(), "open");
        // Every attempt is in the audit log, the refused ones too.
        let admin = login(&app, "admin", PASSWORD).await.unwrap();
        let (_, log) = read(&app, Some(&admin), "/api/audit?limit=50").await;
        let seen: Vec<(String, String)> = log
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["action"].as_str().unwrap().to_string(), e["outcome"].as_str().unwrap().to_string()))
            .collect();
        for want in [
            ("proposal.create", "forbidden"),
            ("proposal.create", "ok"),
            ("proposal.decide", "forbidden"),
            ("staff.put", "forbidden"),
            ("staff.put", "ok"),
        ] {
            assert!(seen.contains(&(want.0.to_string(), want.1.to_string())), "{want:?} not in {seen:?}");
        }
        // The audit log is not for network managers.
        assert_eq!(read(&app, Some(&m), "/api/audit").await.0, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_move_across_areas_needs_both_commissioners_and_new_errors_need_accepting() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(
        dir.path(),
        "a_move_across_areas_needs_both_commissioners_and_new_errors_need_accepting",
    )
    .await
    {
        let (app, store) = app(&target).await;
        let town = login(&app, "town-commissioner", PASSWORD).await.unwrap();
        let city = login(&app, "city-commissioner", PASSWORD).await.unwrap();
        // A00003 leaves TOWN (00X) for CITY (00Y): both commissioners must agree.
        let (s, j) = write(&app, Some(&town), "POST", "/api/proposals", join("A00003", "U00002")).await;
        assert_eq!(s, StatusCode::CREATED, "{j}");
        assert_eq!(j["approvers"], json!(["00X", "00Y"]), "{j}");
        let id = j["id"].as_i64().unwrap();
        let uri = format!("/api/proposals/{id}/decision");
        // The losing commissioner's agreement alone leaves it open, awaiting the receiving one.
        let (s, j) = write(&app, Some(&town), "POST", &uri, json!({"approve": true, "reason": "we agree"})).await;
        assert_eq!((s, j["status"].as_str()), (StatusCode::OK, Some("open")), "{j}");
        assert_eq!((&j["agreed"], &j["awaiting"]), (&json!(["00X"]), &json!(["00Y"])), "{j}");
        assert!(store.register_state(time::macros::date!(2021 - 04 - 01)).await.unwrap().members("U00002").len() == 2);
        let (_, list) = read(&app, None, "/api/proposals?status=open").await;
        assert_eq!(
            (&list["items"][0]["approvers"], &list["items"][0]["agreed"]),
            (&json!(["00X", "00Y"]), &json!(["00X"]))
        );
        // Moving a 00X practice into a 00Y network adds an error: refused unless accepted.
        let (s, j) = write(&app, Some(&city), "POST", &uri, json!({"approve": true, "reason": "x"})).await;
        assert_eq!((s, j["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{j}");
        assert!(j["message"].as_str().unwrap().contains("boundary.cross-commissioner"), "{j}");
        let (s, j) = write(
            &app,
            Some(&city),
            "POST",
            &uri,
            json!({"approve": true, "reason": "agreed", "accept_findings": true}),
        )
        .await;
        assert_eq!((s, j["status"].as_str()), (StatusCode::OK, Some("approved")), "{j}");
        assert_eq!(j["agreed"], json!(["00X", "00Y"]), "{j}");
        // Deciding twice is a conflict, and the register shows the move from its date.
        let (s, _) = write(&app, Some(&city), "POST", &uri, json!({"approve": false, "reason": "again"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, cmp) = read(&app, None, "/api/compare/register?a_date=2021-03-31&b_date=2021-04-01").await;
        assert_eq!(cmp["moves"], json!([{"practice": "A00003", "from": "U00001", "to": "U00002"}]));
        let decided = &store.proposals(None).await.unwrap()[0];
        assert_eq!(decided.decided_by.as_deref(), Some("city-commissioner"));
        assert!(decided.decision_reason.as_deref().unwrap().contains("00X, 00Y"), "{decided:?}");
        // The server's view of now follows the register: the map, a network and a what-if see the move.
        let (_, city_now) = read(&app, None, "/api/networks/U00002").await;
        let members: Vec<&str> =
            city_now["members"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap()).collect();
        assert!(members.contains(&"A00003"), "{city_now}");
        let (_, map) = read(&app, None, "/api/geojson").await;
        let a3 = map["features"].as_array().unwrap().iter().find(|f| f["properties"]["code"] == "A00003").unwrap();
        assert_eq!(a3["properties"]["network"], "U00002");
        // Snapshot 1 as imported is still there to compare with.
        let (_, cmp) = read(&app, None, "/api/compare?a=1&b=1").await;
        assert_eq!(cmp["moves"], json!([]));
        // Proposing what the register already has is refused at once.
        let (s, j) = write(&app, Some(&city), "POST", "/api/proposals", join("A00003", "U00002")).await;
        assert_eq!((s, j["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{j}");
        let mut leave = join("A00003", "U00001");
        leave["kind"] = json!("leave");
        let (s, j) = write(&app, Some(&town), "POST", "/api/proposals", leave).await;
        assert_eq!(s, StatusCode::CONFLICT, "{j}");
    }
}

#[tokio::test]
async fn a_commissioner_cannot_take_a_practice_out_of_another_areas_network_alone() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(
        dir.path(),
        "a_commissioner_cannot_take_a_practice_out_of_another_areas_network_alone",
    )
    .await
    {
        let (app, store) = app(&target).await;
        let effective = time::macros::date!(2021 - 04 - 01);
        let city = login(&app, "city-commissioner", PASSWORD).await.unwrap();
        // CITY's commissioner asks for TOWN's A00002 and approves it at once: it stays open, TOWN's awaited.
        let (s, j) = write(&app, Some(&city), "POST", "/api/proposals", join("A00002", "U00002")).await;
        assert_eq!(s, StatusCode::CREATED, "{j}");
        let uri = format!("/api/proposals/{}/decision", j["id"]);
        let body = json!({"approve": true, "reason": "ours now", "accept_findings": true});
        let (s, j) = write(&app, Some(&city), "POST", &uri, body.clone()).await;
        assert_eq!((s, j["status"].as_str(), &j["awaiting"]), (StatusCode::OK, Some("open"), &json!(["00X"])), "{j}");
        // Agreeing again changes nothing.
        let (s, j) = write(&app, Some(&city), "POST", &uri, body).await;
        assert_eq!((s, j["status"].as_str()), (StatusCode::OK, Some("open")), "{j}");
        let town_members = store.register_state(effective).await.unwrap().members("U00001");
        assert!(town_members.iter().any(|p| p.as_str() == "A00002"), "{town_members:?}");
        // A network manager is no approver; TOWN's commissioner may refuse it, and that ends it.
        let m = login(&app, "town-manager", PASSWORD).await.unwrap();
        let (s, j) = write(&app, Some(&m), "POST", &uri, json!({"approve": false, "reason": "no"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{j}");
        assert!(j["message"].as_str().unwrap().contains("U00001 (00X)"), "{j}");
        let town = login(&app, "town-commissioner", PASSWORD).await.unwrap();
        let (s, j) = write(&app, Some(&town), "POST", &uri, json!({"approve": false, "reason": "we need it"})).await;
        assert_eq!((s, j["status"].as_str()), (StatusCode::OK, Some("rejected")), "{j}");
        assert!(
            store.register_state(effective).await.unwrap().members("U00001").iter().any(|p| p.as_str() == "A00002")
        );
        // An admin decides alone.
        let admin = login(&app, "admin", PASSWORD).await.unwrap();
        let (_, j) = write(&app, Some(&admin), "POST", "/api/proposals", join("A00002", "U00002")).await;
        let uri = format!("/api/proposals/{}/decision", j["id"]);
        let (s, j) = write(
            &app,
            Some(&admin),
            "POST",
            &uri,
            json!({"approve": true, "reason": "settled", "accept_findings": true}),
        )
        .await;
        assert_eq!((s, j["status"].as_str()), (StatusCode::OK, Some("approved")), "{j}");
        assert!(
            store.register_state(effective).await.unwrap().members("U00002").iter().any(|p| p.as_str() == "A00002")
        );
        // Taking it back needs CITY's agreement too; a change inside one area needs only its own.
        let (_, j) = write(&app, Some(&town), "POST", "/api/proposals", join("A00002", "U00001")).await;
        assert_eq!(j["approvers"], json!(["00X", "00Y"]), "CITY loses it: {j}");
        let mut leave = join("A00001", "U00001");
        leave["kind"] = json!("leave");
        let (s, j) = write(&app, Some(&town), "POST", "/api/proposals", leave).await;
        assert_eq!((s, &j["approvers"]), (StatusCode::CREATED, &json!(["00X"])), "{j}");
    }
}

#[tokio::test]
async fn the_check_lists_findings_worst_first() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(dir.path(), "the_check_lists_findings_worst_first").await {
        let (app, _store) = app(&target).await;
        // Make errors and warnings: TOWN loses a practice and falls below the floor.
        let (s, j) = read(&app, None, "/api/check?per_page=500").await;
        assert_eq!(s, StatusCode::OK, "{j}");
        let rank = |f: &Value| match f["severity"].as_str().unwrap() {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        };
        let ranks: Vec<i32> = j["findings"].as_array().unwrap().iter().map(rank).collect();
        assert!(!ranks.is_empty());
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    }
}

/// A login as a browser at `ip` would send it (the server puts the peer's
/// address on each request; through the router alone it must be added).
async fn login_from(app: &axum::Router, ip: [u8; 4], name: &str, password: &str) -> StatusCode {
    let body = json!({"username": name, "password": password});
    let mut req = json_req("POST", "/api/session").body(Body::from(body.to_string())).unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
    send(app, req).await.0
}

#[tokio::test]
async fn failed_logins_are_limited_per_user_name_and_address() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(dir.path(), "failed_logins_are_limited_per_user_name_and_address").await {
        let (app, _store) = app(&target).await;
        let (s, j) = login(&app, "nobody", PASSWORD).await.err().unwrap();
        assert_eq!((s, j["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
        let (a, b) = ([10, 0, 0, 1], [10, 0, 0, 2]);
        for _ in 0..5 {
            assert_eq!(login_from(&app, a, "admin", "wrong password").await, StatusCode::UNAUTHORIZED);
        }
        // Now even the right password waits, from that address; another name there is unaffected,
        // and so is the same name from elsewhere.
        assert_eq!(login_from(&app, a, "admin", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(login_from(&app, a, "town-manager", PASSWORD).await, StatusCode::OK);
        assert_eq!(login_from(&app, b, "admin", PASSWORD).await, StatusCode::OK);
    }
}

#[tokio::test]
async fn made_up_names_lock_out_only_the_address_that_tries_them() {
    let dir = tempfile::tempdir().unwrap();
    for target in
        pcn_store::testing::targets(dir.path(), "made_up_names_lock_out_only_the_address_that_tries_them").await
    {
        let (app, store) = app(&target).await;
        // 100 failed logins with made-up names from one address (they once blocked every name).
        let (attacker, admin_desk) = ([203, 0, 113, 9], [10, 1, 2, 3]);
        let mut refused = 0;
        for i in 0..100 {
            match login_from(&app, attacker, &format!("guess{i}"), "password").await {
                StatusCode::UNAUTHORIZED => {}
                StatusCode::TOO_MANY_REQUESTS => refused += 1,
                other => panic!("guess{i}: {other}"),
            }
        }
        assert_eq!(refused, 80, "the address is stopped after 20 failures");
        assert_eq!(login_from(&app, attacker, "admin", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
        // Everybody else logs in as usual, admins included.
        assert_eq!(login_from(&app, admin_desk, "admin", PASSWORD).await, StatusCode::OK);
        assert_eq!(login_from(&app, [10, 1, 2, 4], "city-commissioner", PASSWORD).await, StatusCode::OK);
        // The refusals are audited with the address they came from.
        let log = store.audit_log(500).await.unwrap();
        let limited = log.iter().filter(|e| e.outcome == "rate_limited").count();
        assert_eq!(limited, 81, "{limited}");
        assert!(log.iter().any(|e| e.detail.as_deref().is_some_and(|d| d.contains("203.0.113.9"))));
    }
}

#[tokio::test]
async fn a_what_if_move_shows_both_networks_findings_and_money_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(
        dir.path(),
        "a_what_if_move_shows_both_networks_findings_and_money_and_saves_nothing",
    )
    .await
    {
        let (app, store) = app(&target).await;
        let body = json!({"moves": [{"practice": "A00003", "to": "U00002"}], "year": "2020/21"});
        let (s, j) = write(&app, None, "POST", "/api/whatif", body).await;
        assert_eq!(s, StatusCode::OK, "{j}");
        let nets = j["networks"].as_array().unwrap();
        let by = |c: &str| nets.iter().find(|n| n["code"] == c).unwrap_or_else(|| panic!("{c} in {j}"));
        let (town, city) = (by("U00001"), by("U00002"));
        // A00003 has 11,000 registered patients: they go from TOWN to CITY.
        assert_eq!(
            town["before"]["registered"].as_i64().unwrap() - town["after"]["registered"].as_i64().unwrap(),
            11_000
        );
        assert_eq!(
            city["after"]["registered"].as_i64().unwrap() - city["before"]["registered"].as_i64().unwrap(),
            11_000
        );
        assert_eq!(town["after"]["practices"], 2);
        // Core funding (per registered patient) moves with the practice's 11,000 patients, to the penny.
        let core = |n: &Value, side: &str| n[side]["streams"]["core_funding"].as_i64().unwrap();
        let per_patient = core(town, "before") / 32_500;
        assert!(per_patient > 0 && core(town, "before") % 32_500 == 0, "{j}");
        assert_eq!(core(town, "before") - core(town, "after"), 11_000 * per_patient, "{j}");
        assert_eq!(core(town, "before") + core(city, "before"), core(town, "after") + core(city, "after"));
        let total = |n: &Value, side: &str| n[side]["pay_pence"].as_i64().unwrap();
        assert!(total(city, "after") > total(city, "before"));
        // TOWN falls below 30,000 (21,500): the rules say so after, not before.
        let rules = |n: &Value, side: &str| -> Vec<String> {
            n[side]["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
        };
        assert!(!rules(town, "before").iter().any(|r| r.contains("below")), "{town}");
        assert!(rules(town, "after").iter().any(|r| r.contains("below")), "{town}");
        assert!(store.proposals(None).await.unwrap().is_empty());
        let (s, j) =
            write(&app, None, "POST", "/api/whatif", json!({"moves": [{"practice": "Z99999", "to": "U00002"}]})).await;
        assert_eq!((s, j["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{j}");
    }
}

#[tokio::test]
async fn the_map_is_sent_compressed_and_the_web_app_is_served() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(dir.path(), "the_map_is_sent_compressed_and_the_web_app_is_served").await
    {
        let (app, _store) = app(&target).await;
        let res = app
            .clone()
            .oneshot(Request::get("/api/geojson").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.headers().get(header::CONTENT_ENCODING).unwrap(), "gzip");
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain).unwrap();
        let doc: Value = serde_json::from_slice(&plain).unwrap();
        let (s, raw) = read(&app, None, "/api/geojson").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(doc, raw, "the same map with or without compression");
        let kinds: std::collections::BTreeSet<&str> =
            doc["features"].as_array().unwrap().iter().map(|f| f["properties"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["commissioner", "network", "practice"].into_iter().collect());
        let res = app.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get(header::CONTENT_SECURITY_POLICY).is_some());
        let html = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        assert!(String::from_utf8_lossy(&html).contains("/app/app.js"));
        // Leaflet is built in from the committed copy (no npm at build time), its licence beside it.
        for (uri, has) in [("/vendor/leaflet/leaflet.js", "Leaflet 1.9.4"), ("/vendor/leaflet/LICENSE", "BSD")] {
            let res = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{uri}");
            let body = axum::body::to_bytes(res.into_body(), 1 << 22).await.unwrap();
            assert!(String::from_utf8_lossy(&body).contains(has), "{uri} lacks {has:?}");
        }
        for uri in [
            "/app/../Cargo.toml",
            "/app/%2e%2e/Cargo.toml",
            "/vendor/leaflet/../../package.json",
            "/vendor/leaflet//etc/passwd",
            "/app//etc/passwd",
        ] {
            let (s, _) = read(&app, None, uri).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        }
    }
}

/// The app copies none of the server's words: it reads the years with rates,
/// the roles and what the caller may do from the API.
#[tokio::test]
async fn the_app_reads_the_vocabulary_and_the_callers_permissions_from_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _store) = app(&dir.path().join("pcn.db")).await;
    let (s, v) = read(&app, None, "/api/vocabulary").await;
    assert_eq!(s, StatusCode::OK);
    let years: Vec<&str> = v["years"].as_array().unwrap().iter().map(|y| y["year"].as_str().unwrap()).collect();
    let with_rates: Vec<String> = pcn_funding::rates::years().map(|y| y.to_string()).collect();
    assert_eq!(years, with_rates);
    assert_eq!(v["years"][0]["list_size_date"], format!("{}-01-01", &with_rates[0][..4]));
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(v["current_year"], pcn_core::FinancialYear::containing(today).to_string());
    assert_eq!(v["roles"][2], json!({"role": "network", "label": "network manager"}));
    assert!(v["arrs_roles"].as_array().unwrap().iter().any(|r| r == "clinical_pharmacist"));
    let (_, anon) = read(&app, None, "/api/session").await;
    assert_eq!(anon["permissions"]["propose"], json!({"scope": "none"}));
    for (name, propose, decide, keep) in [
        (
            "town-manager",
            json!({"scope": "network", "code": "U00001"}),
            json!({"scope": "none"}),
            json!({"scope": "network", "code": "U00001"}),
        ),
        (
            "town-commissioner",
            json!({"scope": "commissioner", "code": "00X"}),
            json!({"scope": "commissioner", "code": "00X"}),
            json!({"scope": "none"}),
        ),
        ("admin", json!({"scope": "all"}), json!({"scope": "all"}), json!({"scope": "all"})),
    ] {
        let b = login(&app, name, PASSWORD).await.unwrap();
        let (_, s) = read(&app, Some(&b), "/api/session").await;
        let p = &s["permissions"];
        assert_eq!((&p["propose"], &p["decide"], &p["keep_records"]), (&propose, &decide, &keep), "{name}: {s}");
    }
}
