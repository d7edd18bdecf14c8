//! The workbench's users: passwords (argon2 PHC strings), tokens (random
//! 256-bit values, stored only as SHA-256 digests), a new user's role and
//! scope checked, and the fixed-width UTC text that sessions and the audit log
//! compare. The store keeps them; it does not hash or mint.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use pcn_core::{CommissionerCode, NetworkCode, Role};
use pcn_store::users::User;
use pcn_store::{Store, StoreError};
use sha2::{Digest, Sha256};

/// A browser session lasts this long.
pub const SESSION_HOURS: i64 = 12;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

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

/// Why a user cannot be saved as asked.
#[derive(Debug, thiserror::Error)]
pub enum NotSaved {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A user to add (or replace): a commissioner has an area, a network manager
/// a network, an admin neither.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub role: Role,
    pub commissioner: Option<&'a CommissionerCode>,
    pub network: Option<&'a NetworkCode>,
    pub password: &'a str,
}

/// Whether a password is long enough to be kept.
pub fn password_ok(password: &str) -> Result<(), NotSaved> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(NotSaved::Invalid(format!("the password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// Checks a user's name, role, scope and password, and stores it with the
/// password hashed (ending its sessions), recording who did it.
pub async fn put_user(store: &Store, new: &NewUser<'_>, actor: &str) -> Result<User, NotSaved> {
    let name = new.username.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_whitespace) {
        return Err(NotSaved::Invalid(format!("user name {name:?}: 1 to 100 characters, no spaces")));
    }
    password_ok(new.password)?;
    match (new.role, new.commissioner, new.network) {
        (Role::Commissioner, Some(_), None) | (Role::Network, None, Some(_)) | (Role::Admin, None, None) => {}
        (Role::Commissioner, ..) => {
            return Err(NotSaved::Invalid("a commissioner user needs --commissioner (and no --network)".into()));
        }
        (Role::Network, ..) => {
            return Err(NotSaved::Invalid("a network manager needs --network (and no --commissioner)".into()));
        }
        (Role::Admin, ..) => {
            return Err(NotSaved::Invalid("an admin acts everywhere: no --commissioner or --network".into()));
        }
    }
    let user = User {
        username: name.to_string(),
        role: new.role,
        commissioner: new.commissioner.map(ToString::to_string),
        network: new.network.map(ToString::to_string),
        password_hash: hash_password(new.password),
        disabled: false,
    };
    store.user_put(&user, &now_text()).await?;
    let detail = serde_json::json!({"role": new.role}).to_string();
    store.audit(&now_text(), actor, "user.put", Some(name), "ok", Some(&detail)).await?;
    Ok(user)
}

/// Mints an API token for a user, valid for `days`; returns it (only its
/// digest is kept).
pub async fn mint_token(store: &Store, username: &str, days: i64, actor: &str) -> Result<String, NotSaved> {
    if !(1..=3650).contains(&days) {
        return Err(NotSaved::Invalid("--days is 1 to 3650".into()));
    }
    if store.user(username).await?.is_none() {
        return Err(NotSaved::Invalid(format!("there is no user {username:?}")));
    }
    let token = random_token();
    let now = time::OffsetDateTime::now_utc();
    store
        .session_create(&digest(&token), username, "token", None, &stamp(now), &stamp(now + time::Duration::days(days)))
        .await?;
    store.audit(&now_text(), actor, "token.create", Some(username), "ok", None).await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_its_hash_only_and_tokens_are_fresh() {
        let h = hash_password("correct horse battery");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a phc string"));
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!((a.len(), digest(&a).len()), (64, 64));
        assert_eq!(stamp(time::macros::datetime!(2026-12-04 09:05:00 UTC)), "2026-12-04T09:05:00Z");
    }
}
