//! The handlers and the shapes they return.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use pcn_core::NetworkCode;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{ApiError, AppState};

type Shared = State<Arc<AppState>>;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub ok: bool,
    pub version: String,
}

/// Liveness, and the server's version.
#[utoipa::path(get, path = "/api/health", tag = "pcn", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { ok: true, version: env!("CARGO_PKG_VERSION").to_string() })
}

#[derive(Serialize, ToSchema)]
pub struct SnapshotItem {
    pub id: i64,
    /// ISO date.
    pub as_of: String,
    pub imported_at: String,
    pub practices: i64,
    pub active_practices: i64,
    pub networks: i64,
    pub memberships: i64,
}

/// Every stored snapshot, oldest first.
#[utoipa::path(get, path = "/api/snapshots", tag = "pcn", responses((status = 200, body = Vec<SnapshotItem>)))]
pub async fn snapshots(State(state): Shared) -> Result<Json<Vec<SnapshotItem>>, ApiError> {
    let all = state.store.snapshots().await?;
    Ok(Json(
        all.into_iter()
            .map(|s| SnapshotItem {
                id: s.id,
                as_of: s.as_of.to_string(),
                imported_at: s.imported_at,
                practices: s.practices,
                active_practices: s.active_practices,
                networks: s.networks,
                memberships: s.memberships,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
    /// Case-insensitive text in the code or name.
    pub q: Option<String>,
    /// From 1.
    pub page: Option<u32>,
    /// At most 500.
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkItem {
    pub code: String,
    pub name: Option<String>,
    pub commissioner: Option<String>,
    pub practices: usize,
    pub registered: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkPage {
    pub snapshot: i64,
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<NetworkItem>,
}

fn registered_of(l: &crate::Loaded) -> BTreeMap<String, i64> {
    l.snap.registered_lists().into_iter().map(|(p, (n, _))| (p.to_string(), n.round().to_i64().unwrap_or(0))).collect()
}

/// Networks of a snapshot with their size, in code order, a page at a time.
#[utoipa::path(
    get, path = "/api/networks", tag = "pcn", params(ListQuery),
    responses((status = 200, body = NetworkPage), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn networks(State(state): Shared, Query(q): Query<ListQuery>) -> Result<Json<NetworkPage>, ApiError> {
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(100);
    if page == 0 || per_page == 0 || per_page > 500 {
        return Err(ApiError::BadRequest("page starts at 1; per_page is 1 to 500".into()));
    }
    let l = state.loaded(q.snapshot).await?;
    let lists = registered_of(&l);
    let config = l.model.configuration(&l.snap);
    let needle = q.q.as_deref().map(str::to_lowercase);
    let all: Vec<NetworkItem> = l
        .model
        .networks
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            needle.as_deref().is_none_or(|t| {
                n.code.as_str().to_lowercase().contains(t)
                    || n.name.as_deref().is_some_and(|x| x.to_lowercase().contains(t))
            })
        })
        .map(|(i, n)| {
            let members = &config.members[i];
            NetworkItem {
                code: n.code.to_string(),
                name: n.name.clone(),
                commissioner: n.commissioner.as_ref().map(|c| c.to_string()),
                practices: members.len(),
                registered: members
                    .iter()
                    .map(|p| lists.get(l.model.practices[*p as usize].code.as_str()).copied().unwrap_or(0))
                    .sum(),
            }
        })
        .collect();
    let total = all.len();
    let items = all.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).collect();
    Ok(Json(NetworkPage { snapshot: l.id, total, page, per_page, items }))
}

#[derive(Deserialize, IntoParams)]
pub struct SnapshotQuery {
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberItem {
    pub code: String,
    pub name: Option<String>,
    pub registered: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct FindingItem {
    pub rule: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkDetail {
    pub snapshot: i64,
    pub code: String,
    pub name: Option<String>,
    pub commissioner: Option<String>,
    pub registered: i64,
    pub members: Vec<MemberItem>,
    /// The rules' findings for this network.
    pub findings: Vec<FindingItem>,
}

/// One network: its members with their lists, and what the rules find.
#[utoipa::path(
    get, path = "/api/networks/{code}", tag = "pcn",
    params(("code" = String, Path, description = "Network code, e.g. U12345"), SnapshotQuery),
    responses((status = 200, body = NetworkDetail), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn network(
    State(state): Shared,
    Path(code): Path<String>,
    Query(q): Query<SnapshotQuery>,
) -> Result<Json<NetworkDetail>, ApiError> {
    let code = NetworkCode::parse(&code).map_err(|e| ApiError::BadRequest(format!("network code {code:?}: {e}")))?;
    let l = state.loaded(q.snapshot).await?;
    let n = *l
        .model
        .network_index
        .get(&code)
        .ok_or_else(|| ApiError::NotFound(format!("network {code} is not in snapshot {}", l.id)))?;
    let lists = registered_of(&l);
    let config = l.model.configuration(&l.snap);
    let members: Vec<MemberItem> = config.members[n as usize]
        .iter()
        .map(|p| {
            let practice = &l.model.practices[*p as usize];
            let snap_practice = l.snap.practices.iter().find(|x| x.code == practice.code);
            MemberItem {
                code: practice.code.to_string(),
                name: snap_practice.and_then(|x| x.name.clone()),
                registered: lists.get(practice.code.as_str()).copied(),
            }
        })
        .collect();
    let inputs = pcn_rules::CheckInputs::default();
    let findings = pcn_rules::check_networks(&l.model, &config, &inputs, &[n])
        .into_iter()
        .map(|f| FindingItem {
            rule: f.rule.to_string(),
            severity: format!("{:?}", f.severity).to_lowercase(),
            message: f.message,
        })
        .collect();
    let net = &l.model.networks[n as usize];
    Ok(Json(NetworkDetail {
        snapshot: l.id,
        code: net.code.to_string(),
        name: net.name.clone(),
        commissioner: net.commissioner.as_ref().map(|c| c.to_string()),
        registered: members.iter().filter_map(|m| m.registered).sum(),
        members,
        findings,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct AsOfQuery {
    /// ISO date (default: today).
    pub as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordItem {
    /// member, non_participant, clinical_director, nominated_payee, agreement, partner, approval.
    pub kind: String,
    pub subject: String,
    pub from: String,
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterNetwork {
    pub code: String,
    pub name: Option<String>,
    pub version: i64,
    pub opened: String,
    pub closed: Option<String>,
    pub as_of: String,
    pub records: Vec<RecordItem>,
}

/// A network in the register as of a date: members, director, payee and the rest.
#[utoipa::path(
    get, path = "/api/register/networks/{code}", tag = "pcn",
    params(("code" = String, Path, description = "Network code"), AsOfQuery),
    responses((status = 200, body = RegisterNetwork), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn register_network(
    State(state): Shared,
    Path(code): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<RegisterNetwork>, ApiError> {
    let as_of = match q.as_of.as_deref() {
        Some(s) => time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| ApiError::BadRequest(format!("as_of {s:?} is not a date (YYYY-MM-DD)")))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let state_on = state.store.register_state(as_of).await?;
    let net = state_on
        .network(&code)
        .ok_or_else(|| ApiError::NotFound(format!("network {code} is not in the register on {as_of}")))?;
    Ok(Json(RegisterNetwork {
        code: net.code.clone(),
        name: net.name.clone(),
        version: net.version,
        opened: net.opened.to_string(),
        closed: net.closed.map(|d| d.to_string()),
        as_of: as_of.to_string(),
        records: state_on
            .records
            .iter()
            .filter(|r| r.network.as_str() == code)
            .map(|r| RecordItem {
                kind: r.kind.as_str().to_string(),
                subject: r.subject.clone(),
                from: r.valid_from.to_string(),
                to: r.valid_to.map(|d| d.to_string()),
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct CheckQuery {
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
    /// Only this commissioner's networks and practices (e.g. 15E).
    pub commissioner: Option<String>,
    /// From 1.
    pub page: Option<u32>,
    /// At most 500.
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct FindingRow {
    pub rule: String,
    pub severity: String,
    pub network: Option<String>,
    pub commissioner: Option<String>,
    pub practices: Vec<String>,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckPage {
    pub snapshot: i64,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings by rule id.
    pub by_rule: BTreeMap<String, usize>,
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    /// Worst first.
    pub findings: Vec<FindingRow>,
}

/// The configuration checked against every rule, worst first, a page at a time.
#[utoipa::path(
    get, path = "/api/check", tag = "pcn", params(CheckQuery),
    responses((status = 200, body = CheckPage), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn check(State(state): Shared, Query(q): Query<CheckQuery>) -> Result<Json<CheckPage>, ApiError> {
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(100);
    if page == 0 || per_page == 0 || per_page > 500 {
        return Err(ApiError::BadRequest("page starts at 1; per_page is 1 to 500".into()));
    }
    let commissioner = q
        .commissioner
        .as_deref()
        .map(|c| {
            pcn_core::CommissionerCode::parse(c).map_err(|e| ApiError::BadRequest(format!("commissioner {c:?}: {e}")))
        })
        .transpose()?;
    let l = state.loaded(q.snapshot).await?;
    let config = l.model.configuration(&l.snap);
    let mut report = pcn_rules::check(&l.model, &config, &pcn_rules::CheckInputs::default());
    if let Some(c) = &commissioner {
        if !l.model.networks.iter().any(|n| n.commissioner.as_ref() == Some(c)) {
            return Err(ApiError::NotFound(format!("commissioner {c} has no networks in snapshot {}", l.id)));
        }
        report = pcn_rules::for_commissioner(&l.model, &report, c);
    }
    let total = report.findings.len();
    let findings = report
        .findings
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|f| FindingRow {
            rule: f.rule.to_string(),
            severity: format!("{:?}", f.severity).to_lowercase(),
            network: f.network.map(|n| n.to_string()),
            commissioner: f.commissioner.map(|c| c.to_string()),
            practices: f.practices.iter().map(|p| p.to_string()).collect(),
            message: f.message,
        })
        .collect();
    Ok(Json(CheckPage {
        snapshot: l.id,
        errors: report.summary.errors,
        warnings: report.summary.warnings,
        infos: report.summary.infos,
        by_rule: report.summary.by_rule.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        total,
        page,
        per_page,
        findings,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct PayQuery {
    /// Financial year, e.g. 2020/21.
    pub year: String,
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StreamTotal {
    pub stream: String,
    /// Integer pence, exact.
    pub pence: i64,
    /// The same in pounds, for display.
    pub pounds: String,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkPay {
    pub snapshot: i64,
    pub network: String,
    pub year: String,
    /// The list-size date the year uses.
    pub list_size_date: String,
    pub streams: Vec<StreamTotal>,
    pub total_pence: i64,
    /// Lines that could not be computed, and why (e.g. no weighted list).
    pub missing: Vec<String>,
}

/// A network's entitlements for a year, by stream, to the penny.
#[utoipa::path(
    get, path = "/api/networks/{code}/pay", tag = "pcn",
    params(("code" = String, Path, description = "Network code"), PayQuery),
    responses((status = 200, body = NetworkPay), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn network_pay(
    State(state): Shared,
    Path(code): Path<String>,
    Query(q): Query<PayQuery>,
) -> Result<Json<NetworkPay>, ApiError> {
    let year = pcn_core::FinancialYear::parse(&q.year).map_err(|e| ApiError::BadRequest(format!("year: {e}")))?;
    let rates = pcn_funding::rates::year(year).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let code = NetworkCode::parse(&code).map_err(|e| ApiError::BadRequest(format!("network code {code:?}: {e}")))?;
    let id = state.store.resolve_snapshot(q.snapshot).await?;
    let snap = state.store.load_snapshot(id, pcn_store::Include { payments: true, ..Default::default() }).await?;
    let (practices, networks) = pcn_funding::inputs::from_snapshot(&snap, rates, &[]);
    let n = networks
        .iter()
        .position(|x| x.code == code.as_str())
        .ok_or_else(|| ApiError::NotFound(format!("network {code} is not in snapshot {id}")))?;
    let ent = pcn_funding::engine::entitlements(rates, &practices, &networks[n..=n]);
    let mut by: BTreeMap<String, pcn_core::Money> = BTreeMap::new();
    for l in &ent.lines {
        *by.entry(l.stream.name()).or_default() += l.annual;
    }
    let total: pcn_core::Money = by.values().copied().sum();
    Ok(Json(NetworkPay {
        snapshot: id,
        network: code.to_string(),
        year: year.to_string(),
        list_size_date: rates.list_size_date.to_string(),
        streams: by
            .into_iter()
            .map(|(stream, m)| StreamTotal { stream, pence: m.pence(), pounds: m.to_pounds().to_string() })
            .collect(),
        total_pence: total.pence(),
        missing: ent.missing.iter().map(|m| m.reason.clone()).collect(),
    }))
}
