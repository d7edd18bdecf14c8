//! Users of the web app and API, their sessions and API tokens, the audit log
//! of writes, and each network's ARRS staff records.
//!
//! This module stores; it does not decide. Hashing passwords, minting tokens
//! and deciding what a role may do belong to `pcn-workbench`: here a token is
//! only ever its SHA-256 digest and a password only its PHC string.

use sqlx::Row;

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub username: String,
    pub role: pcn_core::Role,
    pub commissioner: Option<String>,
    pub network: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
}

/// A live session or API token and its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// `browser` (cookie, CSRF token) or `token` (bearer).
    pub kind: String,
    pub csrf: Option<String>,
    pub expires_at: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

fn user_of(path: &str, r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        username: r.try_get("username")?,
        role: pcn_core::Role::parse(&role)
            .map_err(|e| StoreError::Corrupt { path: path.to_string(), what: format!("a user's role: {e}") })?,
        commissioner: r.try_get("commissioner")?,
        network: r.try_get("network")?,
        password_hash: r.try_get("password_hash")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
    })
}

impl Store {
    /// Adds a user, or replaces the password and role of one that exists
    /// (and ends its sessions, so a changed role takes effect at once).
    pub async fn user_put(&self, user: &User, at: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE username = $1").bind(&user.username).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO users (username, password_hash, role, commissioner, network, created_at, disabled)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role,
               commissioner = excluded.commissioner, network = excluded.network, disabled = excluded.disabled",
        )
        .bind(&user.username)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(&user.commissioner)
        .bind(&user.network)
        .bind(at)
        .bind(i64::from(user.disabled))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>> {
        let row =
            sqlx::query("SELECT * FROM users WHERE username = $1").bind(username).fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| user_of(&self.path, r)).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY username").fetch_all(&self.pool).await?;
        rows.iter().map(|r| user_of(&self.path, r)).collect()
    }

    pub async fn session_create(
        &self,
        token_sha256: &str,
        username: &str,
        kind: &str,
        csrf: Option<&str>,
        created_at: &str,
        expires_at: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_sha256, username, kind, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_sha256)
        .bind(username)
        .bind(kind)
        .bind(csrf)
        .bind(created_at)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session of a token digest, if it exists, has not expired by `now`
    /// (ISO text, compared as text) and its user is enabled.
    pub async fn session(&self, token_sha256: &str, now: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.*, s.kind, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.username = s.username
             WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Session {
            user: user_of(&self.path, &r)?,
            kind: r.try_get("kind")?,
            csrf: r.try_get("csrf")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    pub async fn session_delete(&self, token_sha256: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1").bind(token_sha256).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn audit(
        &self,
        at: &str,
        actor: &str,
        action: &str,
        target: Option<&str>,
        outcome: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(outcome)
        .bind(detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` audit entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows =
            sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1").bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    outcome: r.try_get("outcome")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect::<std::result::Result<_, StoreError>>()
    }

    /// Replaces a network's staff records (a JSON array) in one statement.
    pub async fn staff_put(&self, network: &str, records_json: &str, by: &str, at: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO network_staff (network, records, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (network) DO UPDATE SET records = excluded.records, updated_by = excluded.updated_by,
               updated_at = excluded.updated_at",
        )
        .bind(network)
        .bind(records_json)
        .bind(by)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A network's staff records (JSON array text), if it keeps any.
    pub async fn staff(&self, network: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT records FROM network_staff WHERE network = $1")
            .bind(network)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// A service specification requirement a network has marked done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceMark {
    pub network: String,
    pub requirement: String,
    /// ISO date.
    pub done_on: String,
    pub evidence: String,
    pub marked_by: String,
    pub marked_at: String,
}

impl Store {
    /// Records (or re-records, with new evidence) a requirement done on a date.
    pub async fn service_mark_put(&self, m: &ServiceMark) -> Result<()> {
        sqlx::query(
            "INSERT INTO service_marks (network, requirement, done_on, evidence, marked_by, marked_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (network, requirement, done_on) DO UPDATE SET evidence = excluded.evidence,
               marked_by = excluded.marked_by, marked_at = excluded.marked_at",
        )
        .bind(&m.network)
        .bind(&m.requirement)
        .bind(&m.done_on)
        .bind(&m.evidence)
        .bind(&m.marked_by)
        .bind(&m.marked_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A network's marks, oldest first.
    pub async fn service_marks(&self, network: &str) -> Result<Vec<ServiceMark>> {
        let rows = sqlx::query("SELECT * FROM service_marks WHERE network = $1 ORDER BY done_on, requirement")
            .bind(network)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ServiceMark {
                    network: r.try_get("network")?,
                    requirement: r.try_get("requirement")?,
                    done_on: r.try_get("done_on")?,
                    evidence: r.try_get("evidence")?,
                    marked_by: r.try_get("marked_by")?,
                    marked_at: r.try_get("marked_at")?,
                })
            })
            .collect::<std::result::Result<_, StoreError>>()
    }
}
