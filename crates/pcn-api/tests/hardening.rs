//! What an attacker or a crowd of users found, each kept fixed: decisions at
//! the same moment never hold the pool hostage, the web folder gives up
//! nothing outside it, and the listener closes connections that send no
//! request (or send one too slowly) and stops accepting beyond its cap.

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pcn_api::{AppState, ServeOptions, router};
use pcn_core::{NetworkCode, PracticeCode};
use pcn_store::Store;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/small");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// `files` imported into a store at `target` with the register synced to
/// them, and an admin's bearer token.
async fn synced(target: &Path, files: &[PathBuf]) -> (Store, String) {
    let import = pcn_nhs::import_files(files, &pcn_nhs::ImportOptions::default()).unwrap();
    let store = Store::open_or_create(target).await.unwrap();
    store.save_snapshot(&import.snapshot, &[], &import.content_hash, "2021-01-02T00:00:00Z").await.unwrap();
    let snap = &import.snapshot;
    let effective = snap.as_of.unwrap_or(time::macros::date!(2021 - 01 - 01));
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
    let admin = pcn_store::users::User {
        username: "admin".into(),
        role: pcn_core::Role::Admin,
        commissioner: None,
        network: None,
        password_hash: pcn_workbench::accounts::hash_password("a long enough password"),
        disabled: false,
    };
    store.user_put(&admin, "2021-01-02T00:00:00Z").await.unwrap();
    let token = pcn_workbench::accounts::random_token();
    store
        .session_create(
            &pcn_workbench::accounts::digest(&token),
            "admin",
            "token",
            None,
            "2021-01-01T00:00:00Z",
            "2999-01-01T00:00:00Z",
        )
        .await
        .unwrap();
    (store, token)
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn post(uri: &str, token: &str, body: Value) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Sixteen approvals at once: each needs one pooled connection at a time, so
/// all finish (a decision once held one for its batch while asking for
/// another, and four at once froze the server for 30 s, answering 408).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_decisions_at_once_all_finish_each_applied_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let area = pcn_synth::generate(&pcn_synth::Config { practices: 240, seed: 11 });
    let files = pcn_synth::write_files(&area, &dir.path().join("files")).unwrap();
    for target in
        pcn_store::testing::targets(dir.path(), "sixteen_decisions_at_once_all_finish_each_applied_or_refused").await
    {
        let (store, token) = synced(&target, &files).await;
        let app = router(AppState::new(Store::open(&target).await.unwrap())).0;
        let effective = time::macros::date!(2027 - 04 - 01);
        let state = store.register_state(effective).await.unwrap();
        let networks: Vec<String> = state.networks.iter().map(|n| n.code.clone()).collect();
        // Sixteen practices, each to the next network: networks are shared between
        // proposals, so some approvals may find a network changed under them.
        let mut ids = Vec::new();
        for (i, r) in state
            .records
            .iter()
            .filter(|r| r.kind == pcn_core::register::RecordKind::Member)
            .step_by(7)
            .take(16)
            .enumerate()
        {
            let to = networks.iter().find(|n| **n != r.network.as_str() && (i % 3 != 0 || n.ends_with('1'))).unwrap();
            let body = json!({"kind": "join", "network": to, "practice": r.subject, "effective": effective.to_string(), "reason": "load"});
            let (s, j) = call(&app, post("/api/proposals", &token, body)).await;
            assert_eq!(s, StatusCode::CREATED, "{j}");
            ids.push(j["id"].as_i64().unwrap());
        }
        assert_eq!(ids.len(), 16);
        let tasks: Vec<_> = ids
            .iter()
            .map(|id| {
                let (app, token, id) = (app.clone(), token.clone(), *id);
                tokio::spawn(async move {
                    let body = json!({"approve": true, "reason": "all at once", "accept_findings": true});
                    (id, call(&app, post(&format!("/api/proposals/{id}/decision"), &token, body)).await)
                })
            })
            .collect();
        let mut approved = 0;
        for t in tasks {
            let (id, (s, j)) = t.await.unwrap();
            let stored = store.proposal(id).await.unwrap().status;
            match s {
                StatusCode::OK => {
                    assert_eq!((j["status"].as_str(), stored.as_str()), (Some("approved"), "approved"), "{id}: {j}");
                    approved += 1;
                }
                StatusCode::CONFLICT => assert_eq!(stored.as_str(), "open", "{id} refused but {stored:?}: {j}"),
                other => panic!("{}: decision {id} answered {other}: {j}", target.display()),
            }
        }
        assert!(approved > 0, "none of the sixteen was approved");
        // What was approved is in the register; reads are answered meanwhile and after.
        let (s, _) = call(&app, Request::get("/api/networks").body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK);
    }
}

/// With `PCN_WEB_DIR` the files come from disk: nothing outside the folder
/// may be read, however the path is written.
#[tokio::test]
async fn the_web_folder_gives_up_nothing_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("app")).unwrap();
    std::fs::create_dir_all(web.join("vendor/leaflet")).unwrap();
    std::fs::write(web.join("app/index.html"), "<script src=\"/app/app.js\"></script>").unwrap();
    std::fs::write(web.join("vendor/leaflet/leaflet.js"), "// leaflet").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "password hashes").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), web.join("app/link.txt")).unwrap();
    let import = pcn_nhs::import_files(&fixtures(), &pcn_nhs::ImportOptions::default()).unwrap();
    let store = Store::open_or_create(&dir.path().join("pcn.db")).await.unwrap();
    store.save_snapshot(&import.snapshot, &[], &import.content_hash, "2021-01-02T00:00:00Z").await.unwrap();
    let app = router(AppState::with_web_dir(store, Some(web.clone()))).0;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    assert_eq!(call(&app, get("/app/index.html")).await.0, StatusCode::OK);
    assert_eq!(call(&app, get("/vendor/leaflet/leaflet.js")).await.0, StatusCode::OK);
    let abs = dir.path().join("secret.txt").display().to_string();
    for uri in [
        "/vendor/leaflet//etc/passwd".to_string(),
        "/app//etc/passwd".to_string(),
        format!("/app/{abs}"),
        format!("/vendor/leaflet/{abs}"),
        "/vendor/leaflet/%2Fetc%2Fpasswd".to_string(),
        "/app/%2Fetc%2Fpasswd".to_string(),
        "/app/../secret.txt".to_string(),
        "/app/../../secret.txt".to_string(),
        "/app/%2e%2e/%2e%2e/secret.txt".to_string(),
        "/app/..%2F..%2Fsecret.txt".to_string(),
        "/app/.%2E/.%2E/pcn.db".to_string(),
        "/vendor/leaflet/..%2F..%2F..%2F..%2Fpcn.db".to_string(),
        "/app/..%5C..%5Csecret.txt".to_string(),
        "/app/link.txt".to_string(),
        "/app/index.html%00.js".to_string(),
        "/app/".to_string(),
    ] {
        let (s, j) = call(&app, get(&uri)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}: {j}");
        assert!(!j.to_string().contains("password hashes"), "{uri}");
    }
}

/// A real listener on loopback with short limits, for the tests below.
async fn listen(opts: ServeOptions) -> std::net::SocketAddr {
    let dir = tempfile::tempdir().unwrap();
    let import = pcn_nhs::import_files(&fixtures(), &pcn_nhs::ImportOptions::default()).unwrap();
    let store = Store::open_or_create(&dir.path().join("pcn.db")).await.unwrap();
    store.save_snapshot(&import.snapshot, &[], &import.content_hash, "2021-01-02T00:00:00Z").await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _dir = dir;
        pcn_api::serve_on(AppState::new(store), listener, opts).await.unwrap();
    });
    addr
}

/// Whether the server closes the connection (read gives end of file or an
/// error) within `within`, reading and discarding whatever it sends first.
async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// Reads until a whole response head has come (or the connection ends).
async fn response_head(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&got).into_owned())
}

const HEALTH: &[u8] = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_slow_and_idle_connections_are_closed() {
    let addr = listen(ServeOptions { request_head: Duration::from_millis(400), max_connections: 64 }).await;
    // Connected, sends nothing.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Sends half a request head, then stops.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: loc").await.unwrap();
    // One whole request, its answer read, then nothing more on the kept-alive connection.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(HEALTH).await.unwrap();
    let head = response_head(&mut idle, Duration::from_secs(10)).await.expect("an answer");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    for (what, s) in [("silent", &mut silent), ("slow head", &mut slow), ("idle", &mut idle)] {
        assert!(closed_within(s, Duration::from_secs(10)).await, "the {what} connection was left open");
    }
    // A client that keeps to time is served as before, several requests on one connection.
    let mut fine = tokio::net::TcpStream::connect(addr).await.unwrap();
    for _ in 0..3 {
        fine.write_all(HEALTH).await.unwrap();
        let head = response_head(&mut fine, Duration::from_secs(10)).await.expect("an answer");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_clients_wait_until_one_closes() {
    let addr = listen(ServeOptions { request_head: Duration::from_secs(30), max_connections: 2 }).await;
    let mut held: Vec<tokio::net::TcpStream> = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(HEALTH).await.unwrap();
        assert!(response_head(&mut s, Duration::from_secs(10)).await.is_some());
        held.push(s);
    }
    // A third is not served while two are open...
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third.write_all(HEALTH).await.unwrap();
    assert!(response_head(&mut third, Duration::from_millis(500)).await.is_none(), "a third connection was served");
    // ...and is once one of them closes.
    drop(held.pop());
    let head = response_head(&mut third, Duration::from_secs(10)).await.expect("served after one closed");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

/// Days are one type with one range: what the CLI refuses, the API refuses.
#[tokio::test]
async fn the_api_refuses_the_days_the_cli_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let (store, token) = synced(&dir.path().join("pcn.db"), &fixtures()).await;
    let app = router(AppState::new(store)).0;
    for effective in ["-2021-04-01", "0001-01-01", "9999-12-31", "2021-13-01", "2021-4-1", "20210401"] {
        let body =
            json!({"kind": "join", "network": "U00002", "practice": "A00003", "effective": effective, "reason": "x"});
        let (s, j) = call(&app, post("/api/proposals", &token, body)).await;
        assert_eq!((s, j["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{effective}: {j}");
    }
    let (s, _) =
        call(&app, Request::get("/api/register/networks/U00001?as_of=0001-01-01").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let body =
        json!({"kind": "join", "network": "U00002", "practice": "A00003", "effective": "2021-04-01", "reason": "x"});
    assert_eq!(call(&app, post("/api/proposals", &token, body)).await.0, StatusCode::CREATED);
}

/// Who is calling is known before a body is read: an anonymous write with a
/// malformed body is refused as anonymous (401), not told what the body lacks.
#[tokio::test]
async fn anonymous_writes_are_refused_before_their_bodies_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = synced(&dir.path().join("pcn.db"), &fixtures()).await;
    let app = router(AppState::new(store)).0;
    for (method, uri) in [
        ("POST", "/api/proposals"),
        ("POST", "/api/proposals/1/decision"),
        ("PUT", "/api/networks/U00001/staff"),
        ("POST", "/api/repair"),
        ("PUT", "/api/networks/U00001/services/smr.capacity"),
    ] {
        for body in ["{\"kind\": 5", "[]", "{}"] {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            let (s, j) = call(&app, req).await;
            assert_eq!(
                (s, j["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("unauthorized")),
                "{method} {uri} {body}: {j}"
            );
            assert!(!j["message"].as_str().unwrap().contains("missing field"), "{j}");
        }
    }
}
