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
    if let Some(dir) = &state.web_dir {
        let disk = match url.strip_prefix("/vendor/leaflet/") {
            Some(rest) => inside(&dir.join("vendor/leaflet"), rest),
            None => inside(dir, url.strip_prefix('/')?),
        }?;
        return std::fs::read(disk).ok();
    }
    embedded::FILES.iter().find(|(u, _)| *u == url).map(|(_, b)| b.to_vec())
}

/// `rest` (already percent-decoded) under `root`, only if it names a file
/// that really is inside it: every segment a plain name (no empty segment,
/// which would make the rest absolute, no `.` or `..`, no backslash, colon or
/// NUL), and the resolved path, symbolic links followed, still under the
/// resolved root.
fn inside(root: &std::path::Path, rest: &str) -> Option<std::path::PathBuf> {
    let mut path = root.to_path_buf();
    for seg in rest.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." || seg.contains(['\\', ':', '\0']) {
            return None;
        }
        path.push(seg);
    }
    let real = path.canonicalize().ok()?;
    (real.starts_with(root.canonicalize().ok()?) && real.is_file()).then_some(real)
}

fn serve(state: &AppState, url: &str) -> Response {
    match file(state, url) {
        Some(bytes) => {
            ([(header::CONTENT_TYPE, content_type(url)), (header::CACHE_CONTROL, "no-cache")], bytes).into_response()
        }
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
