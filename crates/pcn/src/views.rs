//! The command line's door to `pcn_workbench::view`: open the store, load a
//! view the one way the API loads it too, close the store.

use pcn_core::Snapshot;
use pcn_store::{Include, Store};

/// Opens the store, loads a view of a snapshot (the latest when none is
/// named, with the register laid over it as the API does) with the side
/// tables asked for, and closes the store again.
pub async fn load(db: &std::path::Path, snapshot: Option<i64>, include: Include) -> anyhow::Result<(i64, Snapshot)> {
    let store = Store::open(db).await?;
    let key = pcn_workbench::view::resolve(&store, snapshot).await?;
    let snap = pcn_workbench::view::snapshot(&store, key, include, today()).await?;
    store.close().await;
    Ok((key.snapshot, snap))
}

/// A snapshot exactly as imported (no register laid over it): what the
/// register is brought to.
pub async fn load_imported(
    db: &std::path::Path,
    snapshot: Option<i64>,
    include: Include,
) -> anyhow::Result<(i64, Snapshot)> {
    let store = Store::open(db).await?;
    let id = store.resolve_snapshot(snapshot).await?;
    let snap = store.load_snapshot(id, include).await?;
    store.close().await;
    Ok((id, snap))
}

pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// A view with its rules model (practices by index, the adjacency graph) and
/// configuration: what check, form and the exports all work on, built the one
/// way the API builds it too.
pub struct Loaded {
    pub id: i64,
    pub snap: Snapshot,
    pub model: pcn_rules::Model,
    pub config: pcn_rules::Configuration,
    pub load_time: std::time::Duration,
    pub model_time: std::time::Duration,
}

/// Loads a view (with the LSOAs and boundaries the model uses) and builds
/// its model; model warnings go to standard error.
pub async fn load_model(db: &std::path::Path, snapshot: Option<i64>) -> anyhow::Result<Loaded> {
    let started = std::time::Instant::now();
    let store = Store::open(db).await?;
    let key = pcn_workbench::view::resolve(&store, snapshot).await?;
    let snap = pcn_workbench::view::snapshot(&store, key, pcn_workbench::view::MODEL_TABLES, today()).await?;
    store.close().await;
    let load_time = started.elapsed();
    let started = std::time::Instant::now();
    let view = pcn_workbench::View::build(key, snap);
    let model_time = started.elapsed();
    for w in &view.warnings {
        eprintln!("warning: {w}");
    }
    Ok(Loaded { id: key.snapshot, snap: view.snap, model: view.model, config: view.config, load_time, model_time })
}
