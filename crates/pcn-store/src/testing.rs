//! Test support: the same suite runs on SQLite and, when `PCN_TEST_POSTGRES`
//! names a server (`postgres://user@host:port/db`), on a fresh PostgreSQL
//! database per test. `.ci/run` starts one on loopback.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor};

/// The environment variable naming the test server.
pub const POSTGRES_ENV: &str = "PCN_TEST_POSTGRES";

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A new, empty database on the test server, as a URL; `None` (with a note
/// on stderr) when no server is configured.
pub async fn fresh_postgres(test: &str) -> Option<String> {
    let Ok(base) = std::env::var(POSTGRES_ENV) else {
        use std::io::Write;
        let _ =
            writeln!(std::io::stderr(), "SKIPPED on PostgreSQL: {test}: set {POSTGRES_ENV}=postgres://... to run it");
        return None;
    };
    Some(fresh_database(&base).await.unwrap_or_else(|e| panic!("{POSTGRES_ENV}={base}: {e}")))
}

/// A new, empty database on the server at `base` (`postgres://user@host:port/db`), as a URL.
pub async fn fresh_database(base: &str) -> Result<String, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let name = format!(
        "pcn_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
    );
    let mut conn = sqlx::AnyConnection::connect(base).await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await?;
    conn.close().await.ok();
    let cut = base.rfind('/').filter(|i| *i > base.find("://").map_or(0, |s| s + 2)).unwrap_or(base.len());
    Ok(format!("{}/{name}", &base[..cut]))
}

/// Every backend a store test should run on: a SQLite file in `dir`, and a
/// fresh PostgreSQL database when configured.
pub async fn targets(dir: &std::path::Path, test: &str) -> Vec<PathBuf> {
    let mut out = vec![dir.join("pcn.db")];
    if let Some(url) = fresh_postgres(test).await {
        out.push(PathBuf::from(url));
    }
    out
}
