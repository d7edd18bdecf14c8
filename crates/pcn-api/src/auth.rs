//! Who is calling, and what they may do.
//!
//! Roles: `admin` (everything), `commissioner` (edit and approve in their own
//! commissioner area), `network` (a network manager: view all, propose for
//! their own network, keep its staff records), and anonymous callers, who may
//! only read. Browsers log in with a password (argon2 PHC hash) and get an
//! HttpOnly, SameSite=Strict session cookie plus a CSRF token that every write
//! must echo in `X-CSRF-Token`; scripts use `Authorization: Bearer <token>`
//! from `pcn user token`. Tokens are random 256-bit values stored only as
//! SHA-256 digests. Failed logins are limited per user name and client address,
//! and per address.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use pcn_store::users::User;
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

pub const COOKIE: &str = "pcn_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A browser session lasts this long.
pub const SESSION_HOURS: i64 = 12;

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

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the operating system's random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|x| format!("{x:02x}")).collect()
}

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default parameters").to_string()
}

/// Checks a password against a PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches quickly: verified when the user is unknown, so
/// a wrong name costs as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password(&random_token()))
}

/// UTC now as fixed-width ISO text (compares correctly as text).
pub fn now_text() -> String {
    stamp(time::OffsetDateTime::now_utc())
}

pub fn stamp(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).expect("formattable")
}

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
    /// the session's CSRF token.
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

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a user may do to a network, given the network's commissioner.
pub fn may_edit_network(user: &User, network: &str, commissioner: Option<&str>) -> bool {
    match user.role.as_str() {
        "admin" => true,
        "commissioner" => user.commissioner.is_some() && user.commissioner.as_deref() == commissioner,
        "network" => user.network.as_deref() == Some(network),
        _ => false,
    }
}

/// The roles `pcn user add` accepts.
pub const ROLES: [&str; 3] = ["admin", "commissioner", "network"];
