//! The HTTP API: JSON over axum, every route documented in the OpenAPI
//! document served at `/api/openapi.json` (generated from these handlers, and
//! kept as `openapi.json` beside this crate so every change shows in review).
//!
//! Errors are JSON `{ "code": ..., "message": ... }` with a stable code.
//! Requests are limited in size and time; long lists are paginated.

mod error;
mod routes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use pcn_core::Snapshot;
use pcn_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;

/// Request bodies above this are refused (413).
pub const BODY_LIMIT: usize = 1 << 20;
/// Requests running longer than this are cut off (408).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A loaded snapshot with its rules model, shared by requests.
pub struct Loaded {
    pub id: i64,
    pub snap: Snapshot,
    pub model: pcn_rules::Model,
}

pub struct AppState {
    pub store: Store,
    loaded: Mutex<HashMap<i64, Arc<Loaded>>>,
}

impl AppState {
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Self { store, loaded: Mutex::new(HashMap::new()) })
    }

    /// The snapshot (latest when `None`) and its model, loaded once.
    pub async fn loaded(&self, snapshot: Option<i64>) -> Result<Arc<Loaded>, ApiError> {
        let id = self.store.resolve_snapshot(snapshot).await?;
        if let Some(l) = self.loaded.lock().expect("not poisoned").get(&id) {
            return Ok(l.clone());
        }
        let snap = self.store.load_snapshot(id, pcn_store::Include::default()).await?;
        let (model, _) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
        let l = Arc::new(Loaded { id, snap, model });
        self.loaded.lock().expect("not poisoned").insert(id, l.clone());
        Ok(l)
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "pcn", description = "Primary Care Networks: snapshots, networks, rules and the register."),
    tags((name = "pcn"))
)]
struct ApiDoc;

/// Every route with its documentation: the one list both the router and the
/// document come from.
fn api_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::health))
        .routes(routes!(routes::snapshots))
        .routes(routes!(routes::networks))
        .routes(routes!(routes::network))
        .routes(routes!(routes::network_pay))
        .routes(routes!(routes::check))
        .routes(routes!(routes::register_network))
}

/// The router and its OpenAPI document, built together.
pub fn router(state: Arc<AppState>) -> (Router, utoipa::openapi::OpenApi) {
    let (router, api) = api_routes().with_state(state).split_for_parts();
    let doc = api.clone();
    let router = router
        .route("/api/openapi.json", axum::routing::get(move || async move { axum::Json(doc.clone()) }))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, TIMEOUT))
        .layer(CompressionLayer::new());
    (router, api)
}

/// The OpenAPI document as pretty JSON (what `openapi.json` holds).
pub fn openapi_json() -> String {
    let (_, api) = api_routes().split_for_parts();
    api.to_pretty_json().expect("serialisable") + "\n"
}

/// Serves until the process is stopped.
pub async fn serve(state: Arc<AppState>, addr: &str) -> std::io::Result<()> {
    let (router, _) = router(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, router).await
}
