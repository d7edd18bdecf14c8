//! API errors: a stable `code` for programs and a `message` for people.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pcn_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("this change needs the X-CSRF-Token header of your session (log in again if the page is old)")]
    Csrf,
    #[error("too many failed logins: try again in {0} s")]
    RateLimited(u64),
    #[error("{0}")]
    Internal(String),
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable: `not_found`, `bad_request`, `conflict`, `unauthorized`,
    /// `forbidden`, `csrf`, `rate_limited`, `internal` (and `payload_too_large`,
    /// `timeout`, `method_not_allowed` from the server's limits).
    pub code: &'static str,
    pub message: String,
    /// The request's id (also in the `X-Request-Id` header): quote it when
    /// asking about an error; a server error's cause is logged under it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            ApiError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let mut r = (status, Json(ErrorBody { code, message: self.to_string(), request_id: None })).into_response();
        if let ApiError::RateLimited(secs) = self {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        r
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSuchSnapshot(_) | StoreError::Empty | StoreError::Missing(_) => {
                ApiError::NotFound(e.to_string())
            }
            StoreError::Refused(r) => ApiError::Conflict(r.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<pcn_workbench::proposals::NotProposed> for ApiError {
    fn from(e: pcn_workbench::proposals::NotProposed) -> Self {
        use pcn_workbench::proposals::NotProposed;
        match e {
            NotProposed::NotFound(m) => ApiError::NotFound(m),
            NotProposed::Conflict(m) => ApiError::Conflict(m),
            NotProposed::Store(e) => e.into(),
        }
    }
}

/// Turns the framework's own plain-text refusals (a malformed query or JSON
/// body, a wrong content type, a body over the limit, a timeout, a wrong
/// method) into the same JSON error shape, so every error a client sees has
/// a stable code.
pub async fn json_errors(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "bad_request",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    // A body that is missing, not JSON or of the wrong shape is a plain bad
    // request to clients: one status per code.
    let status = match status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::BAD_REQUEST,
        s => s,
    };
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.map(|b| String::from_utf8_lossy(&b).into_owned());
    let message = match text {
        Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut out = (status, Json(ErrorBody { code, message, request_id: None })).into_response();
    for (k, v) in parts.headers.iter() {
        if k == axum::http::header::ALLOW || k == axum::http::header::RETRY_AFTER {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}
