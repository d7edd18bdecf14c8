//! Who is calling (what they may do is `pcn_workbench::access`'s).
//!
//! Browsers log in with a password (argon2 PHC hash) and get an
//! HttpOnly, SameSite=Strict session cookie plus a CSRF token that every write
//! must echo in `X-CSRF-Token`; scripts use `Authorization: Bearer <token>`
//! from `pcn user token`. Tokens are random 256-bit values stored only as
//! SHA-256 digests. Failed logins are limited per user name and client address,
//! and per address.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use pcn_store::users::User;
use pcn_workbench::accounts::{digest, now_text};

use crate::{ApiError, AppState};

pub const COOKIE: &str = "pcn_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Failed logins allowed in [`WINDOW`] for one user name from one client
/// address, and from one address whatever the names. There is no limit
/// across addresses: with one, anybody could lock a known name (an admin's)
/// out by failing on purpose, and with a limit over all names (there was one),
/// everybody at once.
const PER_NAME_AND_ADDRESS: usize = 5;
const PER_ADDRESS: usize = 20;
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys kept before old ones are forgotten (a flood of made-up names).
const MAX_KEYS: usize = 100_000;

/// Times of failed logins, oldest first.
type Failures = VecDeque<Instant>;

/// The client's address, when the server knows it (requests through the
/// router alone, as in tests, have none: they count as one unknown address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => write!(f, "{ip}"),
            None => f.write_str("unknown"),
        }
    }
}

/// Counts failed logins in a sliding window, per user name and client
/// address together, and per client address.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<Limits>,
}

#[derive(Default)]
struct Limits {
    by_name: HashMap<(String, ClientAddr), Failures>,
    by_address: HashMap<ClientAddr, Failures>,
}

fn expire(q: &mut Failures, now: Instant) {
    while q.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
        q.pop_front();
    }
}

impl LoginLimiter {
    /// `Some(seconds to wait)` when this name from this address, or this
    /// address, has failed too often.
    pub fn blocked(&self, name: &str, addr: ClientAddr) -> Option<u64> {
        let mut g = self.failures.lock().expect("not poisoned");
        let now = Instant::now();
        let full = |q: Option<&mut Failures>, max: usize| {
            let q = q?;
            expire(q, now);
            (q.len() >= max).then(|| q.front().copied()).flatten()
        };
        let key = (name.to_lowercase(), addr);
        full(g.by_name.get_mut(&key), PER_NAME_AND_ADDRESS)
            .or_else(|| full(g.by_address.get_mut(&addr), PER_ADDRESS))
            .map(|first| WINDOW.saturating_sub(now.duration_since(first)).as_secs().max(1))
    }

    pub fn failed(&self, name: &str, addr: ClientAddr) {
        let mut g = self.failures.lock().expect("not poisoned");
        let now = Instant::now();
        g.by_name.entry((name.to_lowercase(), addr)).or_default().push_back(now);
        g.by_address.entry(addr).or_default().push_back(now);
        if g.by_name.len() > MAX_KEYS || g.by_address.len() > MAX_KEYS {
            // Forget keys with no failure left in the window rather than grow without bound.
            let live = |q: &mut Failures| {
                expire(q, now);
                !q.is_empty()
            };
            g.by_name.retain(|_, q| live(q));
            g.by_address.retain(|_, q| live(q));
        }
    }

    /// A right password clears that name's failures from that address (not
    /// the address's count: logging in to one's own account must not reset
    /// guessing at others').
    pub fn succeeded(&self, name: &str, addr: ClientAddr) {
        self.failures.lock().expect("not poisoned").by_name.remove(&(name.to_lowercase(), addr));
    }
}

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Anonymous,
    Cookie,
    Bearer,
}

/// The caller of a request: a user, or nobody.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Option<User>,
    pub via: Via,
    /// The session's token digest (for logout) and CSRF token.
    pub session: Option<(String, Option<String>)>,
    /// The CSRF token the request carried.
    sent_csrf: Option<String>,
    method: Method,
}

fn cookie_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_string())
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let (token, via) = match (bearer, cookie_token(parts)) {
            (Some(t), _) => (Some(t), Via::Bearer),
            (None, Some(t)) => (Some(t), Via::Cookie),
            (None, None) => (None, Via::Anonymous),
        };
        let sent_csrf = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut caller =
            Caller { user: None, via: Via::Anonymous, session: None, sent_csrf, method: parts.method.clone() };
        let Some(token) = token.filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) else {
            if via == Via::Bearer {
                return Err(ApiError::Unauthorized("the bearer token is not valid".into()));
            }
            return Ok(caller);
        };
        let d = digest(&token);
        match state.store.session(&d, &now_text()).await? {
            Some(s) if (s.kind == "token") == (via == Via::Bearer) => {
                caller.user = Some(s.user);
                caller.via = via;
                caller.session = Some((d, s.csrf));
            }
            _ if via == Via::Bearer => {
                return Err(ApiError::Unauthorized("the bearer token is unknown or expired".into()));
            }
            // An expired cookie: the caller is anonymous (the browser logs in again).
            _ => {}
        }
        Ok(caller)
    }
}

impl Caller {
    /// The user, for a write: logged in, and (for a browser session) carrying
    /// the session's CSRF token. What the user may then do is asked of
    /// [`pcn_workbench::access::may`].
    pub fn writer(&self) -> Result<&User, ApiError> {
        let Some(user) = &self.user else {
            return Err(ApiError::Unauthorized("log in to make changes".into()));
        };
        if self.via == Via::Cookie && self.method != Method::GET {
            let expected = self.session.as_ref().and_then(|s| s.1.as_deref());
            let ok = match (expected, self.sent_csrf.as_deref()) {
                (Some(e), Some(s)) => constant_time_eq(e.as_bytes(), s.as_bytes()),
                _ => false,
            };
            if !ok {
                return Err(ApiError::Csrf);
            }
        }
        Ok(user)
    }

    pub fn name(&self) -> &str {
        self.user.as_ref().map_or("anonymous", |u| u.username.as_str())
    }
}

/// A caller allowed to write: logged in, with the session's CSRF token when
/// it is a browser. As an extractor it runs before the body is read, so an
/// anonymous or forged write is refused (401, 403) before its body is parsed.
#[derive(Debug, Clone)]
pub struct Writer {
    pub user: User,
    pub caller: Caller,
}

impl FromRequestParts<Arc<AppState>> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let caller = match Caller::from_request_parts(parts, state).await {
            Ok(c) => c,
            Err(e) => {
                audit_refusal(state, parts, "anonymous", &e).await;
                return Err(e);
            }
        };
        match caller.writer() {
            Ok(user) => Ok(Writer { user: user.clone(), caller: caller.clone() }),
            Err(e) => {
                audit_refusal(state, parts, caller.name(), &e).await;
                Err(e)
            }
        }
    }
}

/// A write refused at the door (no session, a bad token, a session without
/// its CSRF token) goes in the audit log with the client's address, as every refused
/// change does; [`RefusalLimiter`] keeps a flood from filling the log.
async fn audit_refusal(state: &AppState, parts: &Parts, actor: &str, e: &ApiError) {
    let addr = ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()));
    let Some(suppressed) = state.refusals.admit(addr) else { return };
    let outcome = match e {
        ApiError::Csrf => "csrf",
        ApiError::Unauthorized(_) => "unauthorized",
        _ => "refused",
    };
    let mut detail = serde_json::json!({"client": addr.to_string(), "method": parts.method.as_str()});
    if suppressed > 0 {
        detail["not_logged_before"] = suppressed.into();
    }
    state.audit(actor, "write.refused", Some(parts.uri.path()), outcome, detail).await;
}

/// Refused anonymous writes written to the audit log per client address and
/// minute, and from everyone; beyond that they are counted, and the count goes
/// with the next one written.
const REFUSALS_PER_ADDRESS: usize = 30;
const REFUSALS_OVERALL: usize = 600;

#[derive(Default)]
pub struct RefusalLimiter {
    minutes: Mutex<RefusalMinutes>,
}

#[derive(Default)]
struct RefusalMinutes {
    /// The minute being counted (since the limiter started).
    minute: u64,
    by_address: HashMap<ClientAddr, usize>,
    overall: usize,
    /// Refusals not written since the last one that was.
    suppressed: HashMap<ClientAddr, usize>,
    started: Option<Instant>,
}

impl RefusalLimiter {
    /// `Some(how many were not written before this one)` when this refusal is
    /// to be written, `None` when it is only counted.
    pub fn admit(&self, addr: ClientAddr) -> Option<usize> {
        let mut g = self.minutes.lock().expect("not poisoned");
        let now = Instant::now();
        let started = *g.started.get_or_insert(now);
        let minute = now.duration_since(started).as_secs() / 60;
        if minute != g.minute {
            g.minute = minute;
            g.by_address.clear();
            g.overall = 0;
        }
        let mine = g.by_address.get(&addr).copied().unwrap_or(0);
        if mine >= REFUSALS_PER_ADDRESS || g.overall >= REFUSALS_OVERALL {
            if g.suppressed.len() < MAX_KEYS || g.suppressed.contains_key(&addr) {
                *g.suppressed.entry(addr).or_default() += 1;
            }
            return None;
        }
        *g.by_address.entry(addr).or_default() += 1;
        g.overall += 1;
        Some(g.suppressed.remove(&addr).unwrap_or(0))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
