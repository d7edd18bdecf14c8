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
    let files = pcn_synth::write_files(&area, &dir.path().join("files"), pcn_synth::Vintage::Ccg2021).unwrap();
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

/// The small fixture with a network whose name a spreadsheet would run.
fn fixtures_with_formula(dir: &Path) -> Vec<PathBuf> {
    let out = dir.join("formula");
    std::fs::create_dir_all(&out).unwrap();
    fixtures()
        .iter()
        .map(|f| {
            let to = out.join(f.file_name().unwrap());
            let text = std::fs::read_to_string(f).unwrap().replace("U00002,CITY PCN,", "U00002,=HYPERLINK(\"x\"),");
            std::fs::write(&to, text).unwrap();
            to
        })
        .collect()
}

async fn text_of(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let res = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// CSV the web app downloads shows a formula as text; the exact cells are
/// there for programs that read them back.
#[tokio::test]
async fn csv_downloads_neutralise_spreadsheet_formulas_unless_asked_for_exact_cells() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures_with_formula(dir.path());
    let (store, _) = synced(&dir.path().join("pcn.db"), &files).await;
    let app = router(AppState::new(store)).0;
    for uri in ["/api/export/networks.csv", "/api/export/epcn.csv?as_of=2021-01-01"] {
        let (s, safe) = text_of(&app, uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(safe.contains("'=HYPERLINK(\"\"x\"\")"), "{uri}: {safe}");
        assert!(!safe.contains(",=HYPERLINK"), "{uri}: {safe}");
        let exact_uri = format!("{uri}{}exact=true", if uri.contains('?') { '&' } else { '?' });
        let (_, exact) = text_of(&app, &exact_uri).await;
        assert!(exact.contains(",\"=HYPERLINK(\"\"x\"\")\"") || exact.contains(",=HYPERLINK(\"\"x\"\")"), "{exact}");
        assert!(!exact.contains("'=HYPERLINK"), "{exact}");
    }
    let (_, profiles) = text_of(&app, "/api/profiles.csv").await;
    assert!(profiles.lines().count() >= 3, "{profiles}");
}

/// The limits' own refusals are JSON with the security headers and a request
/// id, like every other answer (413 and 408 once came as plain text).
#[tokio::test]
async fn refusals_of_the_limits_are_json_with_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (store, token) = synced(&dir.path().join("pcn.db"), &fixtures()).await;
    let state = AppState::new(store);
    let app = router(state.clone()).0;
    let big = format!("{{\"moves\": [], \"pad\": \"{}\"}}", "x".repeat(pcn_api::BODY_LIMIT + 10));
    let res = app
        .clone()
        .oneshot(
            Request::post("/api/whatif")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, big.len())
                .body(Body::from(big))
                .unwrap(),
        )
        .await
        .unwrap();
    drop((state, token));
    // The first map of a fresh server builds the model and the areas: far longer than 5 ms.
    let area = pcn_synth::generate(&pcn_synth::Config { practices: 600, seed: 2 });
    let files = pcn_synth::write_files(&area, &dir.path().join("synth"), pcn_synth::Vintage::Ccg2021).unwrap();
    let (big_store, _) = synced(&dir.path().join("big.db"), &files).await;
    let slow = pcn_api::router_with_timeout(AppState::new(big_store), Duration::from_millis(5)).0;
    let timed_out = slow.oneshot(Request::get("/api/geojson").body(Body::empty()).unwrap()).await.unwrap();
    for (res, status, code) in
        [(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"), (timed_out, StatusCode::REQUEST_TIMEOUT, "timeout")]
    {
        assert_eq!(res.status(), status);
        let h = res.headers().clone();
        assert!(h.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("application/json"), "{status}");
        for must in [header::CONTENT_SECURITY_POLICY, header::X_CONTENT_TYPE_OPTIONS, header::REFERRER_POLICY] {
            assert!(h.contains_key(&must), "{status} lacks {must}");
        }
        let id = h.get("x-request-id").expect("a request id").to_str().unwrap().to_string();
        let body: Value =
            serde_json::from_slice(&axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap()).unwrap();
        assert_eq!((body["code"].as_str(), body["request_id"].as_str()), (Some(code), Some(id.as_str())), "{body}");
    }
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every answer carries a request id; a server error is logged with its cause
/// under that id, and the client is told the id, not the database's words.
#[tokio::test]
async fn server_errors_are_logged_with_their_cause_and_answered_with_a_request_id() {
    let logs = Logs::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = synced(&dir.path().join("pcn.db"), &fixtures()).await;
    let pool = store.pool().clone();
    let app = router(AppState::new(store)).0;
    let res = app.clone().oneshot(Request::get("/api/health").body(Body::empty()).unwrap()).await.unwrap();
    assert!(res.headers().contains_key("x-request-id"));
    let (s, j) = call(&app, Request::get("/api/networks/U99999").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(j["request_id"].as_str().is_some_and(|r| !r.is_empty()), "{j}");
    // The store goes away under the server: the next read fails inside.
    pool.close().await;
    let res = app.clone().oneshot(Request::get("/api/snapshots").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = serde_json::from_slice(&axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap()).unwrap();
    assert_eq!((body["code"].as_str(), body["request_id"].as_str()), (Some("internal"), Some(id.as_str())));
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&id) && !message.to_lowercase().contains("pool"), "{message}");
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let line =
        logged.lines().find(|l| l.contains("server error") && l.contains(&id)).unwrap_or_else(|| panic!("{logged}"));
    assert!(line.to_lowercase().contains("pool"), "the cause is not logged: {line}");
}

/// Writes refused before anyone is known are audited with the client's
/// address, and a flood of them is counted rather than written out.
#[tokio::test]
async fn refused_anonymous_writes_are_audited_without_flooding_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = synced(&dir.path().join("pcn.db"), &fixtures()).await;
    let served = Store::open(&dir.path().join("pcn.db")).await.unwrap();
    let app = router(AppState::new(served)).0;
    let from = |ip: [u8; 4], req: Request<Body>| {
        let mut req = req;
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 50000))));
        req
    };
    let anonymous = || {
        Request::post("/api/proposals").header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap()
    };
    // A browser session's cookie with no CSRF token.
    let forged = Request::post("/api/repair")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, format!("pcn_session={}", "ab".repeat(32)))
        .header(header::AUTHORIZATION, "Bearer not-a-token")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(call(&app, from([198, 51, 100, 7], forged)).await.0, StatusCode::UNAUTHORIZED);
    for _ in 0..100 {
        assert_eq!(call(&app, from([203, 0, 113, 5], anonymous())).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(call(&app, from([192, 0, 2, 1], anonymous())).await.0, StatusCode::UNAUTHORIZED);
    let log = store.audit_log(1000).await.unwrap();
    let refused: Vec<_> = log.iter().filter(|e| e.action == "write.refused").collect();
    let of = |ip: &str| refused.iter().filter(|e| e.detail.as_deref().unwrap_or("").contains(ip)).count();
    assert_eq!(of("203.0.113.5"), 30, "a flood from one address is written 30 times a minute");
    assert_eq!((of("198.51.100.7"), of("192.0.2.1")), (1, 1), "others are still written");
    assert!(refused.iter().all(|e| e.actor == "anonymous" && e.outcome == "unauthorized"));
    assert!(refused.iter().any(|e| e.target.as_deref() == Some("/api/repair")));
}

/// A what-if judges every rule the move can change: a practice left in no
/// network is said to be uncovered (it once showed "no findings after the move").
#[tokio::test]
async fn a_what_if_that_leaves_a_practice_out_says_it_is_uncovered() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = synced(&dir.path().join("pcn.db"), &fixtures()).await;
    let app = router(AppState::new(store)).0;
    let whatif = |moves: Value| {
        Request::post("/api/whatif")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"moves": moves, "year": "2020/21"}).to_string()))
            .unwrap()
    };
    let (s, j) = call(&app, whatif(json!([{"practice": "A00003", "to": null}]))).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let rules = |side: &str| -> Vec<String> {
        j["practices"][side].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
    };
    assert!(rules("before").is_empty(), "{j}");
    assert!(rules("after").contains(&"coverage.uncovered".to_string()), "{j}");
    let town = j["networks"].as_array().unwrap().iter().find(|n| n["code"] == "U00001").unwrap();
    assert_eq!(town["moved"], true);
    // Joining another network covers it again: nothing about the practice itself.
    let (_, j) = call(&app, whatif(json!([{"practice": "A00003", "to": "U00002"}]))).await;
    assert!(j["practices"]["after"].as_array().unwrap().is_empty(), "{j}");
}

/// A repair is never worse than where it starts, in any area of the demo; and
/// it starts from the register as the open proposals leave it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repairs_never_add_errors_and_start_from_the_pending_proposals() {
    let dir = tempfile::tempdir().unwrap();
    let area = pcn_synth::generate(&pcn_synth::Config { practices: 600, seed: 1 });
    let files = pcn_synth::write_files(&area, &dir.path().join("files"), pcn_synth::Vintage::Ccg2021).unwrap();
    let (store, token) = synced(&dir.path().join("pcn.db"), &files).await;
    let app = router(AppState::new(Store::open(&dir.path().join("pcn.db")).await.unwrap())).0;
    let (_, commissioners) = call(&app, Request::get("/api/commissioners").body(Body::empty()).unwrap()).await;
    let codes: Vec<String> =
        commissioners.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect();
    assert!(codes.len() >= 2);
    for c in &codes {
        let (s, j) = call(&app, post("/api/repair", &token, json!({"commissioner": c, "seconds": 0.3}))).await;
        assert_eq!(s, StatusCode::OK, "{c}: {j}");
        let (b, a) = (&j["before"], &j["after"]);
        let key = |x: &Value| (x["errors"].as_u64().unwrap(), x["warnings"].as_u64().unwrap());
        assert!(key(a) <= key(b), "{c}: {b} → {a}");
        if !j["moves"].as_array().unwrap().is_empty() {
            assert!(key(a) < key(b), "{c}: moves suggested that change nothing: {j}");
        } else {
            assert_eq!(key(a), key(b), "{c}");
        }
    }
    // An open proposal that empties a network of the first area: the repair starts from it.
    let c = &codes[0];
    let state = store.register_state(time::macros::date!(2099 - 01 - 01)).await.unwrap();
    let net = state.networks.iter().find(|n| n.commissioner.as_deref() == Some(c.as_str())).unwrap();
    let before = call(&app, post("/api/repair", &token, json!({"commissioner": c, "seconds": 0.3}))).await.1;
    for p in state.members(&net.code) {
        let body = json!({"kind": "leave", "network": net.code, "practice": p.as_str(), "effective": "2030-04-01", "reason": "test"});
        assert_eq!(call(&app, post("/api/proposals", &token, body)).await.0, StatusCode::CREATED);
    }
    let pending = call(&app, post("/api/repair", &token, json!({"commissioner": c, "seconds": 0.3}))).await.1;
    assert!(
        pending["before"]["errors"].as_u64() > before["before"]["errors"].as_u64(),
        "the repair ignored the open proposals: {before} / {pending}"
    );
}
