//! Persistence of snapshots in an embedded SQLite database (WAL, foreign keys,
//! migrations run at open).
//!
//! A snapshot is written in one transaction: it is either all there or not at
//! all. The same content hash is never stored twice, which is what makes
//! re-importing the same files a no-op.

mod codec;
mod load;
mod save;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
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
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
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

pub struct Store {
    pool: SqlitePool,
    path: String,
}

impl Store {
    /// Opens the store, creating it (and running migrations) if it is new.
    pub async fn open_or_create(path: &Path) -> Result<Self> {
        Self::connect(path, true).await
    }

    /// Opens an existing store; a missing file is an error, not a new store.
    pub async fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        Self::connect(path, false).await
    }

    async fn connect(path: &Path, create: bool) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, path: path.display().to_string() })
    }

    pub async fn close(self) {
        self.pool.close().await;
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn snapshot_by_hash(&self, hash: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT id FROM snapshots WHERE content_hash = ?")
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
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM snapshots WHERE id = ?")
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
