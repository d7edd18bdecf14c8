//! The HTTP API and the web app: JSON over axum, every route documented in
//! the OpenAPI document served at `/api/openapi.json` (generated from these
//! handlers, and kept as `openapi.json` beside this crate so every change
//! shows in review), and the browser workbench (`web/`) served from `/`.
//!
//! Errors are JSON `{ "code": ..., "message": ... }` with a stable code.
//! Requests are limited in size and time; long lists are paginated. Reads
//! are public; writes need a user with the right role (see `auth`), and every
//! write is recorded in the audit log.

pub mod auth;
mod edit;
mod error;
pub mod observe;
mod people;
mod proposals;
mod routes;
mod schema;
mod services;
mod staff;
mod web;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use pcn_core::{FinancialYear, Snapshot};
use pcn_rules::Configuration;
use pcn_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;

/// Request bodies above this are refused (413).
pub const BODY_LIMIT: usize = 1 << 20;
/// Requests running longer than this are cut off (408).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A view (see [`pcn_workbench::view`]) shared by requests, with what is
/// computed from it on first use.
pub struct Loaded {
    pub id: i64,
    /// The register's last change included (None: the snapshot as imported).
    pub register_head: Option<i64>,
    pub snap: Snapshot,
    pub model: pcn_rules::Model,
    pub config: Configuration,
    /// The networks of each practice (by model index).
    pub networks_of: Vec<Vec<u32>>,
    /// Every network's profile, computed on first use.
    pub profiles: std::sync::OnceLock<Vec<pcn_profile::Profile>>,
    /// Care homes aligned to networks (nearest member practice), computed on first use.
    pub care_homes: std::sync::OnceLock<pcn_profile::care_homes::Alignment>,
    /// Each practice's registered list (the snapshot's best), computed on first use:
    /// every network listing reads it.
    registered: std::sync::OnceLock<std::collections::BTreeMap<String, i64>>,
}

impl From<pcn_workbench::View> for Loaded {
    fn from(v: pcn_workbench::View) -> Self {
        Loaded {
            id: v.key.snapshot,
            register_head: v.key.register_head,
            snap: v.snap,
            model: v.model,
            config: v.config,
            networks_of: v.networks_of,
            profiles: Default::default(),
            care_homes: Default::default(),
            registered: Default::default(),
        }
    }
}

impl Loaded {
    /// Each practice's registered list, whole patients.
    pub fn registered(&self) -> &std::collections::BTreeMap<String, i64> {
        use rust_decimal::prelude::ToPrimitive;
        self.registered.get_or_init(|| {
            self.snap
                .registered_lists()
                .into_iter()
                .map(|(p, (n, _))| (p.to_string(), n.round().to_i64().unwrap_or(0)))
                .collect()
        })
    }

    /// Every care home aligned to the network of its nearest member practice.
    pub fn care_homes(&self) -> &pcn_profile::care_homes::Alignment {
        self.care_homes.get_or_init(|| pcn_profile::care_homes::align(&self.model, &self.snap, &self.config))
    }

    /// A network's index by code: 404 for one not in this view.
    pub fn network_index(&self, code: &pcn_core::NetworkCode) -> Result<u32, ApiError> {
        self.model
            .network_index
            .get(code)
            .copied()
            .ok_or_else(|| ApiError::NotFound(format!("network {code} is not in snapshot {}", self.id)))
    }
}

/// A year's funding inputs for a snapshot, computed once: what-if moves edit
/// copies of the two networks' inputs only.
pub struct Funding {
    pub rates: &'static pcn_funding::rates::YearRates,
    pub practices: Vec<pcn_funding::engine::PracticeInput>,
    pub networks: Vec<pcn_funding::engine::NetworkInput>,
    /// Model practice index → funding practice index.
    pub practice_ix: Vec<Option<u32>>,
    /// Model network index → funding network index.
    pub network_ix: Vec<Option<usize>>,
}

/// A response body kept compressed (the England GeoJSON is large and costly to build).
pub struct Cached {
    pub gzip: bytes::Bytes,
    pub plain_len: usize,
}

/// A map is for a view, and all of England, one commissioner or one ICB.
type MapKey = (View, Option<String>);

/// A view: a snapshot, with the register up to a change (see [`Loaded`]).
type View = (i64, Option<i64>);

fn view_of(k: pcn_workbench::ViewKey) -> View {
    (k.snapshot, k.register_head)
}

pub struct AppState {
    pub store: Store,
    loaded: Mutex<HashMap<View, Arc<Loaded>>>,
    funding: Mutex<HashMap<(View, FinancialYear), Arc<Funding>>>,
    geojson: Mutex<HashMap<MapKey, Arc<Cached>>>,
    /// One build at a time of a view, a year's funding or a map: the requests
    /// that arrive meanwhile (a crowd, the moment a decision changes the
    /// register) wait for it and share it instead of each building their own.
    building_view: tokio::sync::Mutex<()>,
    building_funding: Mutex<()>,
    building_map: tokio::sync::Mutex<()>,
    pub logins: auth::LoginLimiter,
    /// Keeps refused anonymous writes from flooding the audit log.
    pub refusals: auth::RefusalLimiter,
    /// Serve the web app's files from this checkout's `web/` instead of the
    /// copies built into the binary (for working on the front end).
    pub web_dir: Option<PathBuf>,
}

impl AppState {
    pub fn new(store: Store) -> Arc<Self> {
        Self::with_web_dir(store, std::env::var_os("PCN_WEB_DIR").map(PathBuf::from))
    }

    /// As [`AppState::new`], serving the web app's files from `web_dir` (a
    /// checkout's `web/`) when given instead of the built-in copies.
    pub fn with_web_dir(store: Store, web_dir: Option<PathBuf>) -> Arc<Self> {
        Arc::new(Self {
            store,
            loaded: Mutex::new(HashMap::new()),
            funding: Mutex::new(HashMap::new()),
            geojson: Mutex::new(HashMap::new()),
            building_view: tokio::sync::Mutex::new(()),
            building_funding: Mutex::new(()),
            building_map: tokio::sync::Mutex::new(()),
            logins: auth::LoginLimiter::default(),
            refusals: auth::RefusalLimiter::default(),
            web_dir,
        })
    }

    /// The snapshot (latest when `None`) and its model, loaded once per view.
    pub async fn loaded(&self, snapshot: Option<i64>) -> Result<Arc<Loaded>, ApiError> {
        let key = pcn_workbench::view::resolve(&self.store, snapshot).await?;
        let view = view_of(key);
        if let Some(l) = self.loaded.lock().expect("not poisoned").get(&view) {
            return Ok(l.clone());
        }
        let _building = self.building_view.lock().await;
        if let Some(l) = self.loaded.lock().expect("not poisoned").get(&view) {
            return Ok(l.clone());
        }
        let (id, head) = view;
        // What `pcn check` and `pcn form` load (LSOA rurality, boundaries for land and
        // the water rule), so the API finds what the CLI finds; payments for funding;
        // QOF registers for profiles.
        let today = time::OffsetDateTime::now_utc().date();
        let snap = pcn_workbench::view::snapshot(&self.store, key, pcn_store::Include::ALL, today).await?;
        let l = tokio::task::spawn_blocking(move || Loaded::from(pcn_workbench::View::build(key, snap)))
            .await
            .map_err(|e| ApiError::Internal(format!("loading snapshot {id}: {e}")))?;
        let l = Arc::new(l);
        // A newer register view of a snapshot replaces the older ones (and what was built from them).
        self.loaded.lock().expect("not poisoned").retain(|k, _| k.0 != id || k.1 >= head);
        self.funding.lock().expect("not poisoned").retain(|k, _| k.0.0 != id || k.0.1 >= head);
        self.geojson.lock().expect("not poisoned").retain(|k, _| k.0.0 != id || k.0.1 >= head);
        self.loaded.lock().expect("not poisoned").insert(view, l.clone());
        Ok(l)
    }

    /// A year's funding inputs for a loaded snapshot, computed once.
    pub fn funding(&self, l: &Loaded, year: FinancialYear) -> Result<Arc<Funding>, ApiError> {
        let view = (l.id, l.register_head);
        if let Some(f) = self.funding.lock().expect("not poisoned").get(&(view, year)) {
            return Ok(f.clone());
        }
        let _building = self.building_funding.lock().expect("not poisoned");
        if let Some(f) = self.funding.lock().expect("not poisoned").get(&(view, year)) {
            return Ok(f.clone());
        }
        let rates = pcn_funding::rates::year(year).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let (practices, networks) = pcn_funding::inputs::from_snapshot(&l.snap, rates, &[]);
        let by_code: HashMap<&str, u32> =
            practices.iter().enumerate().map(|(i, p)| (p.code.as_str(), i as u32)).collect();
        let practice_ix = l.model.practices.iter().map(|p| by_code.get(p.code.as_str()).copied()).collect();
        let net_code: HashMap<&str, usize> = networks.iter().enumerate().map(|(i, n)| (n.code.as_str(), i)).collect();
        let network_ix = l.model.networks.iter().map(|n| net_code.get(n.code.as_str()).copied()).collect();
        let f = Arc::new(Funding { rates, practices, networks, practice_ix, network_ix });
        self.funding.lock().expect("not poisoned").insert((view, year), f.clone());
        Ok(f)
    }

    /// The map's GeoJSON for a snapshot (and area), built and compressed once.
    pub async fn geojson(&self, l: Arc<Loaded>, area: pcn_core::Area) -> Result<Arc<Cached>, ApiError> {
        let key = ((l.id, l.register_head), area.key());
        if let Some(c) = self.geojson.lock().expect("not poisoned").get(&key) {
            return Ok(c.clone());
        }
        let _building = self.building_map.lock().await;
        if let Some(c) = self.geojson.lock().expect("not poisoned").get(&key) {
            return Ok(c.clone());
        }
        let cached = tokio::task::spawn_blocking(move || {
            let (doc, _) = pcn_workbench::exports::geojson::feature_collection(&l.model, &l.snap, &l.config, &area);
            let plain = serde_json::to_vec(&doc).expect("serialisable");
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, &plain).expect("in memory");
            Cached { gzip: gz.finish().expect("in memory").into(), plain_len: plain.len() }
        })
        .await
        .map_err(|e| ApiError::Internal(format!("building the map: {e}")))?;
        let cached = Arc::new(cached);
        self.geojson.lock().expect("not poisoned").insert(key, cached.clone());
        Ok(cached)
    }

    /// Loads the latest snapshot and builds its map, so the first visitor does not wait.
    pub async fn warm(&self) -> Result<(), ApiError> {
        let l = self.loaded(None).await?;
        self.geojson(l, pcn_core::Area::England).await?;
        Ok(())
    }

    /// Records a write (or a refused one) in the audit log.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        outcome: &str,
        detail: serde_json::Value,
    ) {
        let detail = detail.to_string();
        if let Err(e) =
            self.store.audit(&pcn_workbench::accounts::now_text(), actor, action, target, outcome, Some(&detail)).await
        {
            eprintln!("pcn serve: could not write the audit log: {e}");
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "pcn", description = "Primary Care Networks: snapshots, networks, rules, funding, the register and its proposals."),
    tags((name = "pcn")),
    // The types path and query parameters name (utoipa collects body types by itself).
    components(schemas(
        error::ErrorBody,
        pcn_core::NetworkCode,
        pcn_core::PracticeCode,
        pcn_core::CommissionerCode,
        pcn_core::day::Day,
        pcn_core::Role,
        schema::Year
    ))
)]
struct ApiDoc;

/// Every route with its documentation: the one list both the router and the
/// document come from.
fn api_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::health))
        .routes(routes!(routes::vocabulary))
        .routes(routes!(routes::snapshots))
        .routes(routes!(routes::commissioners))
        .routes(routes!(routes::icbs))
        .routes(routes!(routes::networks))
        .routes(routes!(routes::practices))
        .routes(routes!(routes::network))
        .routes(routes!(routes::network_pay))
        .routes(routes!(staff::network_arrs))
        .routes(routes!(staff::put_staff))
        .routes(routes!(staff::reconcile))
        .routes(routes!(routes::check))
        .routes(routes!(routes::register_network))
        .routes(routes!(routes::map))
        .routes(routes!(routes::export_networks_csv))
        .routes(routes!(routes::export_epcn_csv))
        .routes(routes!(edit::whatif))
        .routes(routes!(edit::repair))
        .routes(routes!(edit::compare))
        .routes(routes!(edit::compare_register))
        .routes(routes!(proposals::list, proposals::create))
        .routes(routes!(proposals::decision))
        .routes(routes!(people::session, people::login, people::logout))
        .routes(routes!(people::audit))
        .routes(routes!(services::profile))
        .routes(routes!(services::profile_html))
        .routes(routes!(services::profiles_csv))
        .routes(routes!(services::services))
        .routes(routes!(services::checklist))
        .routes(routes!(services::mark))
}

/// The router and its OpenAPI document, built together.
pub fn router(state: Arc<AppState>) -> (Router, utoipa::openapi::OpenApi) {
    router_with_timeout(state, TIMEOUT)
}

/// As [`router`], cutting requests off after `timeout` (tests use a short one).
pub fn router_with_timeout(state: Arc<AppState>, timeout: Duration) -> (Router, utoipa::openapi::OpenApi) {
    let (router, api) = api_routes().with_state(state.clone()).split_for_parts();
    let doc = api.clone();
    // Layers, innermost first: the limits' own refusals (413, 408) pass through
    // the JSON errors and the security headers like every other answer, and the
    // request id wraps everything but the compression.
    let router = router
        .route("/api/openapi.json", axum::routing::get(move || async move { axum::Json(doc.clone()) }))
        .merge(web::router(state))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(axum::middleware::from_fn(observe::track))
        .layer(CompressionLayer::new());
    (router, api)
}

/// The OpenAPI document as pretty JSON (what `openapi.json` holds).
pub fn openapi_json() -> String {
    let (_, api) = api_routes().split_for_parts();
    api.to_pretty_json().expect("serialisable") + "\n"
}

/// How the listener guards itself against clients that hold connections
/// without using them.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// The longest a client may take to send a request's head, counted from
    /// when the connection is ready for one: hyper's header-read timer starts
    /// at accept and again each time a response has gone, so it is also the
    /// idle timeout between requests on a kept-alive connection.
    pub request_head: Duration,
    /// Connections open at once; beyond this the listener stops accepting
    /// (new clients wait in the kernel's backlog) until one closes.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self { request_head: Duration::from_secs(10), max_connections: 4096 }
    }
}

/// Serves until the process is stopped.
pub async fn serve(state: Arc<AppState>, addr: &str) -> std::io::Result<()> {
    serve_on(state, tokio::net::TcpListener::bind(addr).await?, ServeOptions::default()).await
}

/// Serves on a bound listener until Ctrl-C, then lets open requests finish
/// (for up to [`TIMEOUT`]). Each connection is HTTP/1.1 with the head and idle
/// timeouts of `opts`; the request timeout and body limit are the router's.
pub async fn serve_on(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    opts: ServeOptions,
) -> std::io::Result<()> {
    let (router, _) = router(state);
    let permits = Arc::new(tokio::sync::Semaphore::new(opts.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(opts.request_head).keep_alive(true);
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: say so and go on rather than stop serving.
                    eprintln!("pcn serve: accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            tower::ServiceExt::oneshot(router.clone(), req)
        });
        let conn = graceful.watch(http.serve_connection(hyper_util::rt::TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A timed-out or reset connection is the client's business, not an error of ours.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(TIMEOUT, graceful.shutdown()).await;
    Ok(())
}
