//! Logging in and out, and the audit log.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{COOKIE, Caller, ClientAddr, Writer};
use crate::{ApiError, AppState};
use pcn_workbench::access::{Act, may};
use pcn_workbench::accounts::{SESSION_HOURS, digest, dummy_hash, random_token, stamp, verify_password};

type Shared = State<Arc<AppState>>;

#[derive(Serialize, ToSchema)]
pub struct UserInfo {
    pub username: String,
    pub role: pcn_core::Role,
    pub commissioner: Option<String>,
    pub network: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    /// Null for an anonymous (read-only) visitor.
    pub user: Option<UserInfo>,
    /// Send as `X-CSRF-Token` with every change made from this browser session.
    pub csrf_token: Option<String>,
    /// What the caller may do, so the app offers only that (every write is checked again).
    pub permissions: pcn_workbench::access::Permissions,
}

fn info(u: &pcn_store::users::User) -> UserInfo {
    UserInfo {
        username: u.username.clone(),
        role: u.role,
        commissioner: u.commissioner.clone(),
        network: u.network.clone(),
    }
}

/// Who the caller is (null when anonymous), and the CSRF token of their session.
#[utoipa::path(get, path = "/api/session", tag = "pcn", responses((status = 200, body = SessionInfo)))]
pub async fn session(caller: Caller) -> Json<SessionInfo> {
    Json(SessionInfo {
        user: caller.user.as_ref().map(info),
        permissions: pcn_workbench::access::permissions(caller.user.as_ref()),
        csrf_token: caller.session.and_then(|s| s.1),
    })
}

#[derive(Deserialize, ToSchema)]
pub struct Login {
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub username: String,
    #[schema(max_length = 1000)]
    pub password: String,
}

/// Logs in: sets an HttpOnly, SameSite=Strict session cookie. Repeated
/// failures for a name from one address, or from one address at all, are
/// refused for a while (429).
#[utoipa::path(
    post, path = "/api/session", tag = "pcn", request_body = Login,
    responses(
        (status = 200, body = SessionInfo), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)
    )
)]
pub async fn login(
    State(state): Shared,
    addr: ClientAddr,
    headers: HeaderMap,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    let name = body.username.trim().to_string();
    if name.is_empty() || name.len() > 100 || body.password.len() > 1000 {
        return Err(ApiError::BadRequest("give a user name (up to 100 characters) and a password".into()));
    }
    if let Some(wait) = state.logins.blocked(&name, addr) {
        state.audit(&name, "login", None, "rate_limited", json!({"client": addr.to_string()})).await;
        return Err(ApiError::RateLimited(wait));
    }
    let user = state.store.user(&name).await?;
    let phc =
        user.as_ref().filter(|u| !u.disabled).map_or_else(|| dummy_hash().to_string(), |u| u.password_hash.clone());
    let password = body.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(format!("password check: {e}")))?;
    let Some(user) = user.filter(|u| ok && !u.disabled) else {
        state.logins.failed(&name, addr);
        state.audit(&name, "login", None, "refused", json!({"client": addr.to_string()})).await;
        return Err(ApiError::Unauthorized("wrong user name or password".into()));
    };
    state.logins.succeeded(&name, addr);
    let token = random_token();
    let csrf = random_token();
    let now = time::OffsetDateTime::now_utc();
    state
        .store
        .session_create(
            &digest(&token),
            &user.username,
            "browser",
            Some(&csrf),
            &stamp(now),
            &stamp(now + time::Duration::hours(SESSION_HOURS)),
        )
        .await?;
    state.audit(&user.username, "login", None, "ok", json!({})).await;
    // Secure only where the browser came over TLS (a proxy in front says so).
    let secure = headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https");
    let cookie = cookie::Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::hours(SESSION_HOURS))
        .build();
    let permissions = pcn_workbench::access::permissions(Some(&user));
    let mut res = Json(SessionInfo { user: Some(info(&user)), csrf_token: Some(csrf), permissions }).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie.to_string()).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(res)
}

/// Logs out: ends the session and clears the cookie.
#[utoipa::path(
    delete, path = "/api/session", tag = "pcn",
    responses((status = 204, description = "Logged out"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody))
)]
pub async fn logout(State(state): Shared, Writer { user, caller }: Writer) -> Result<Response, ApiError> {
    let user = &user;
    if let Some((d, _)) = &caller.session {
        state.store.session_delete(d).await?;
    }
    state.audit(&user.username, "logout", None, "ok", json!({})).await;
    let gone = cookie::Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&gone.to_string()).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(res)
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// How many of the newest entries (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditItem {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// The audit log, newest first: every write and login, allowed or refused
/// (admins and commissioners).
#[utoipa::path(
    get, path = "/api/audit", tag = "pcn", params(AuditQuery),
    responses(
        (status = 200, body = Vec<AuditItem>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)
    )
)]
pub async fn audit(
    State(state): Shared,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditItem>>, ApiError> {
    let Some(user) = &caller.user else {
        return Err(ApiError::Unauthorized("log in to read the audit log".into()));
    };
    if !may(user, Act::ReadAudit) {
        return Err(ApiError::Forbidden("the audit log is for commissioners and admins".into()));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit is 1 to 1,000".into()));
    }
    Ok(Json(
        state
            .store
            .audit_log(limit)
            .await?
            .into_iter()
            .map(|e| AuditItem {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                target: e.target,
                outcome: e.outcome,
                detail: e.detail,
            })
            .collect(),
    ))
}
