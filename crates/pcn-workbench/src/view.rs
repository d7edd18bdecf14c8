//! A view: a snapshot as the workbench shows and checks it. The latest
//! snapshot is shown as the register has it today (the snapshot's practices
//! and lists, the register's networks and members) once the register has any
//! change, so that what `pcn check`, the map, a what-if and a proposal's check
//! say all agree; older snapshots are shown as imported. Both front doors load
//! views here, and only here.

use std::collections::BTreeMap;

use pcn_core::register::RecordKind;
use pcn_core::{CommissionerCode, Membership, Network, NetworkCode, PracticeCode, Snapshot};
use pcn_store::register::{RegNetwork, RegisterState};
use pcn_store::{Include, Store, StoreError};
use time::Date;

/// Which view: a snapshot, with the register up to a change (`None`: the
/// snapshot as imported). A new register change makes a new view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ViewKey {
    pub snapshot: i64,
    pub register_head: Option<i64>,
}

/// The view a request for `snapshot` (the latest when `None`) gets.
pub async fn resolve(store: &Store, snapshot: Option<i64>) -> Result<ViewKey, StoreError> {
    let (latest, head) = store.heads().await?;
    let latest = latest.ok_or(StoreError::Empty)?;
    let id = match snapshot {
        Some(s) if s != latest => store.resolve_snapshot(Some(s)).await?,
        _ => latest,
    };
    Ok(ViewKey { snapshot: id, register_head: if id == latest { head } else { None } })
}

/// The snapshot of a view with the side tables asked for, the register laid
/// over it as it stands on `today` when the view includes the register.
pub async fn snapshot(store: &Store, key: ViewKey, include: Include, today: Date) -> Result<Snapshot, StoreError> {
    let mut snap = store.load_snapshot(key.snapshot, include).await?;
    if key.register_head.is_some() {
        let state = store.register_state(today).await?;
        let all = store.register_networks().await?;
        with_register(&mut snap, &all, &state);
    }
    Ok(snap)
}

/// A view with its rules model (practices and networks by index, the
/// adjacency graph) and the configuration the model reads from it: what check,
/// form, the map, a what-if and the exports work on.
pub struct View {
    pub key: ViewKey,
    pub snap: Snapshot,
    pub model: pcn_rules::Model,
    pub config: pcn_rules::Configuration,
    /// The networks of each practice (by model index).
    pub networks_of: Vec<Vec<u32>>,
    /// What building the model noticed (practices without a position, ...).
    pub warnings: Vec<String>,
}

impl View {
    /// Builds the model and configuration: CPU-bound (about a second for
    /// England), so a server runs it on a blocking thread.
    pub fn build(key: ViewKey, snap: Snapshot) -> View {
        let (model, warnings) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
        let config = model.configuration(&snap);
        let networks_of = config.networks_of(model.practices.len());
        View { key, snap, model, config, networks_of, warnings: warnings.iter().map(ToString::to_string).collect() }
    }

    pub fn id(&self) -> i64 {
        self.key.snapshot
    }
}

/// What the rules model reads: positions, LSOA rurality and the boundaries
/// for the water rule. Front doors add what else they need (payments, QOF).
pub const MODEL_TABLES: Include =
    Include { registers: false, payments: false, lsoas: true, boundaries: true, workforce: false };

/// Resolves, loads and builds a view in one go (the command line's way).
pub async fn open(store: &Store, snapshot: Option<i64>, include: Include, today: Date) -> Result<View, StoreError> {
    let key = resolve(store, snapshot).await?;
    let snap = self::snapshot(store, key, include, today).await?;
    Ok(View::build(key, snap))
}

/// Replaces a snapshot's networks and memberships by the register's: every
/// network the register has known (so a proposal may name a closed one and
/// be told so), and the members in force in `state`. Memberships carry no
/// dates: the configuration is taken to hold for the whole year. Returns
/// practice -> network.
pub fn with_register(snap: &mut Snapshot, all: &[RegNetwork], state: &RegisterState) -> BTreeMap<String, String> {
    snap.networks = all
        .iter()
        .filter_map(|n| {
            Some(Network {
                code: NetworkCode::parse(&n.code).ok()?,
                name: n.name.clone(),
                commissioner: n.commissioner.as_deref().and_then(|c| CommissionerCode::parse(c).ok()),
                open_date: Some(n.opened),
                close_date: n.closed,
                postcode: None,
            })
        })
        .collect();
    let members: BTreeMap<String, String> = state
        .records
        .iter()
        .filter(|r| r.kind == RecordKind::Member)
        .map(|r| (r.subject.clone(), r.network.to_string()))
        .collect();
    snap.memberships = members
        .iter()
        .filter_map(|(p, n)| {
            Some(Membership {
                practice: PracticeCode::parse(p).ok()?,
                network: NetworkCode::parse(n).ok()?,
                start: None,
                end: None,
            })
        })
        .collect();
    members
}
