//! The web app's files: built into the binary (see build.rs), or read from a
//! checkout's `web/` when `PCN_WEB_DIR` names it (for front-end work).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::{ApiError, AppState};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/web_files.rs"));
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// A file by URL path (`/app/app.js`, `/vendor/leaflet/leaflet.js`).
fn file(state: &AppState, url: &str) -> Option<Vec<u8>> {
    if url.split('/').any(|s| s == ".." || s.contains('\\')) {
        return None;
    }
    if let Some(dir) = &state.web_dir {
        let disk = if let Some(rest) = url.strip_prefix("/vendor/leaflet/") {
            dir.join("node_modules/leaflet/dist").join(rest)
        } else {
            dir.join(url.trim_start_matches('/'))
        };
        return std::fs::read(disk).ok();
    }
    embedded::FILES.iter().find(|(u, _)| *u == url).map(|(_, b)| b.to_vec())
}

fn serve(state: &AppState, url: &str) -> Response {
    match file(state, url) {
        Some(bytes) => {
            ([(header::CONTENT_TYPE, content_type(url)), (header::CACHE_CONTROL, "no-cache")], bytes).into_response()
        }
        None if url.starts_with("/vendor/leaflet/") => ApiError::NotFound(format!(
            "{url}: Leaflet is not built into this server; run `npm ci --prefix web` and rebuild"
        ))
        .into_response(),
        None => ApiError::NotFound(format!("{url}: no such file")).into_response(),
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|State(s): State<Arc<AppState>>| async move { serve(&s, "/app/index.html") }))
        .route(
            "/app/{*path}",
            get(|State(s): State<Arc<AppState>>, Path(p): Path<String>| async move { serve(&s, &format!("/app/{p}")) }),
        )
        .route(
            "/vendor/leaflet/{*path}",
            get(|State(s): State<Arc<AppState>>, Path(p): Path<String>| async move {
                serve(&s, &format!("/vendor/leaflet/{p}"))
            }),
        )
        .with_state(state)
}
