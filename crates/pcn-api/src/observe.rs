//! What the server says about itself: a request id for every request
//! (returned in `X-Request-Id` and in every error body), a log line for every
//! server error with its cause, and a message for the client that names the
//! request instead of repeating database text.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's id, in the request's extensions for handlers that want it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Unique within a process and unlikely to repeat across restarts: a random
/// prefix for the process, then a count.
fn next_id() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(|| pcn_workbench::accounts::random_token()[..8].to_string());
    format!("{prefix}-{:06}", COUNT.fetch_add(1, Ordering::Relaxed))
}

/// Error bodies are small; anything larger is passed through untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The outermost layer: gives the request its id, times it, and on the way
/// out puts the id on the response and in an error body, logs server errors
/// with their cause and replaces that cause by a message naming the request.
pub async fn track(mut req: Request, next: Next) -> Response {
    let id = next_id();
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let mut res = next.run(req).await;
    let status = res.status();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    tracing::info!(target: "pcn_api::request", request_id = %id, %method, path = %path, status = status.as_u16(), ms, "request");
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || !is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(serde_json::Value::Object(mut obj)) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if status.is_server_error() {
        let cause = obj.get("message").and_then(|m| m.as_str()).unwrap_or("").to_string();
        tracing::error!(request_id = %id, %method, path = %path, status = status.as_u16(), cause = %cause, "server error");
        obj.insert(
            "message".into(),
            format!("the server could not answer this request; it logged the cause as request {id}").into(),
        );
    }
    obj.insert("request_id".into(), id.into());
    let out = serde_json::to_vec(&obj).expect("serialisable");
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}
