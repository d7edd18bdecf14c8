//! Persistence of snapshots and the network register, in an embedded SQLite
//! database (the default: WAL, foreign keys) or a PostgreSQL server (`--db
//! postgres://...`). One implementation serves both through sqlx's `Any`
//! driver: every statement is written once with `$n` placeholders (which
//! SQLite accepts too), and only the schema differs (`migrations/sqlite`,
//! `migrations/postgres`), run at open.
//!
//! A snapshot is written in one transaction: it is either all there or not at
//! all. The same content hash is never stored twice, which is what makes
//! re-importing the same files a no-op.

mod codec;
mod load;
pub mod register;
mod save;
pub mod testing;
pub mod users;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use time::Date;

pub use load::Include;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no pcn store at {0}: import some files first (pcn import FILE...)")]
    Missing(PathBuf),
    #[error("snapshot {0} does not exist (see pcn snapshots)")]
    NoSuchSnapshot(i64),
    #[error("the store has no snapshots yet: import some files first (pcn import FILE...)")]
    Empty,
    #[error("the store at {path} holds a value it cannot read ({what}); was it written by another program?")]
    Corrupt { path: String, what: String },
    #[error("cannot open the store at {target}: {error}")]
    Connect { target: String, error: sqlx::Error },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0}")]
    Refused(#[from] register::Refused),
    #[error("cannot migrate the store: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A file an import read, as recorded with its snapshot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceRecord {
    pub path: String,
    pub kind: String,
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
}

/// A stored snapshot with the counts people ask for first.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SnapshotSummary {
    pub id: i64,
    pub as_of: Date,
    pub imported_at: String,
    pub practices: i64,
    pub active_practices: i64,
    pub networks: i64,
    pub memberships: i64,
    pub sources: Vec<SourceRecord>,
}

/// Outcome of [`Store::save_snapshot`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    New(i64),
    /// The same content was imported before, as this snapshot; nothing written.
    AlreadyPresent(i64),
}

impl Saved {
    pub fn id(self) -> i64 {
        match self {
            Saved::New(id) | Saved::AlreadyPresent(id) => id,
        }
    }
}

/// Which database a store lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Store {
    pool: AnyPool,
    /// The file, or the server URL without its password: for messages.
    path: String,
    backend: Backend,
}

/// `postgres://` and `postgresql://` name a server; anything else is a SQLite file.
pub fn is_server_url(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

/// A SQLite file as an sqlx URL: `%`, `?` and `#` escaped (the driver decodes them).
fn sqlite_url(path: &Path, create: bool) -> String {
    let mut out = String::from("sqlite:");
    for c in path.display().to_string().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out.push_str(if create { "?mode=rwc" } else { "?mode=rw" });
    out
}

/// A server URL with any password replaced, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Opens the store, creating it (and running migrations) if it is new.
    pub async fn open_or_create(path: &Path) -> Result<Self> {
        Self::connect(path, true).await
    }

    /// Opens an existing store; a missing SQLite file is an error, not a new
    /// store. A server store is created on first use (its schema migrated).
    pub async fn open(path: &Path) -> Result<Self> {
        let target = path.display().to_string();
        if !is_server_url(&target) && !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        Self::connect(path, false).await
    }

    async fn connect(path: &Path, create: bool) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let target = path.display().to_string();
        let (url, backend, shown) = if is_server_url(&target) {
            (target.clone(), Backend::Postgres, redact(&target))
        } else {
            (sqlite_url(path, create), Backend::Sqlite, target.clone())
        };
        let opts =
            AnyConnectOptions::from_str(&url).map_err(|error| StoreError::Connect { target: shown.clone(), error })?;
        if backend == Backend::Postgres {
            // One direct connection first: a wrong address or password fails at
            // once with the server's own words, not after the pool's timeout.
            let conn = <sqlx::AnyConnection as sqlx::Connection>::connect_with(&opts)
                .await
                .map_err(|error| StoreError::Connect { target: shown.clone(), error })?;
            sqlx::Connection::close(conn).await.ok();
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Each connection: write-ahead log, foreign keys, and
                        // waiting (not failing) when another writer holds the lock.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(|error| StoreError::Connect { target: shown.clone(), error })?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Self { pool, path: shown, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The file or server (password hidden) the store lives in.
    pub fn location(&self) -> &str {
        &self.path
    }

    pub async fn close(self) {
        self.pool.close().await;
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn snapshot_by_hash(&self, hash: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT id FROM snapshots WHERE content_hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The newest snapshot by as-of date (then by id).
    pub async fn latest_snapshot(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT id FROM snapshots ORDER BY as_of DESC, id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::Empty)
    }

    /// `Some(id)` checked to exist, or the latest.
    pub async fn resolve_snapshot(&self, id: Option<i64>) -> Result<i64> {
        match id {
            None => self.latest_snapshot().await,
            Some(id) => {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM snapshots WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                found.ok_or(StoreError::NoSuchSnapshot(id))
            }
        }
    }

    pub async fn snapshots(&self) -> Result<Vec<SnapshotSummary>> {
        load::summaries(self).await
    }
}
