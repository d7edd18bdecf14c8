//! The handlers and the shapes they return.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use pcn_core::day::Day;
use pcn_core::{CommissionerCode, IcbCode, NetworkCode};
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
pub struct YearInfo {
    /// e.g. 2020/21.
    pub year: String,
    /// First and last day, ISO.
    pub start: String,
    pub end: String,
    /// The day list sizes for the year are taken at (1 January before it).
    pub list_size_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct RoleInfo {
    pub role: pcn_core::Role,
    /// What people call it.
    pub label: String,
}

/// The words the server and the app share, so the app copies none of them.
#[derive(Serialize, ToSchema)]
pub struct Vocabulary {
    /// The financial years pcn has rate tables for, oldest first.
    pub years: Vec<YearInfo>,
    /// The financial year containing today (it may have no rate table yet).
    pub current_year: String,
    /// The users' roles.
    pub roles: Vec<RoleInfo>,
    /// The ARRS role keys staff records may name.
    pub arrs_roles: Vec<String>,
    /// The financial years the service specifications are known for, oldest first.
    pub service_years: Vec<String>,
}

/// The server's vocabulary: years with rates, the current year, roles, ARRS roles.
#[utoipa::path(get, path = "/api/vocabulary", tag = "pcn", responses((status = 200, body = Vocabulary)))]
pub async fn vocabulary() -> Json<Vocabulary> {
    let today = time::OffsetDateTime::now_utc().date();
    Json(Vocabulary {
        years: pcn_funding::rates::years()
            .map(|y| YearInfo {
                year: y.to_string(),
                start: y.start().to_string(),
                end: y.end().to_string(),
                list_size_date: y.list_size_date().to_string(),
            })
            .collect(),
        current_year: pcn_core::FinancialYear::containing(today).to_string(),
        roles: pcn_core::Role::ALL.iter().map(|r| RoleInfo { role: *r, label: r.label().to_string() }).collect(),
        arrs_roles: pcn_funding::rates::ROLE_KEYS.iter().map(|k| k.to_string()).collect(),
        service_years: pcn_services::catalogue().years().map(|y| y.to_string()).collect(),
    })
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

/// Every stored snapshot, oldest first by its date (then by id), so the last is
/// the latest: the one every other route serves when no `snapshot` is given.
#[utoipa::path(get, path = "/api/snapshots", tag = "pcn", responses((status = 200, body = Vec<SnapshotItem>)))]
pub async fn snapshots(State(state): Shared) -> Result<Json<Vec<SnapshotItem>>, ApiError> {
    let mut all = state.store.snapshots().await?;
    // Import order is not date order: an older extract may be imported after a newer one.
    all.sort_by_key(|s| (s.as_of, s.id));
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
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// At most 500.
    #[param(minimum = 1, maximum = 500)]
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

fn registered_of(l: &crate::Loaded) -> &BTreeMap<String, i64> {
    l.registered()
}

/// Networks of a snapshot with their size, in code order, a page at a time.
#[utoipa::path(
    get, path = "/api/networks", tag = "pcn", params(ListQuery),
    responses((status = 200, body = NetworkPage), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn networks(State(state): Shared, Query(q): Query<ListQuery>) -> Result<Json<NetworkPage>, ApiError> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let l = state.loaded(q.snapshot).await?;
    let lists = registered_of(&l);
    let config = &l.config;
    let needle = q.q.as_deref().map(str::to_lowercase);
    let all: Vec<NetworkItem> = l
        .model
        .networks
        .iter()
        .enumerate()
        // Closed networks are history: listed no more (a network's own page still has them).
        .filter(|(_, n)| n.open)
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

impl From<pcn_rules::Finding> for FindingItem {
    fn from(f: pcn_rules::Finding) -> Self {
        FindingItem { rule: f.rule.to_string(), severity: f.severity.as_str().to_string(), message: f.message }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NetworkDetail {
    pub snapshot: i64,
    pub code: String,
    pub name: Option<String>,
    pub commissioner: Option<String>,
    pub registered: i64,
    /// Weighted list for the year the snapshot falls in (null without weighting data).
    pub weighted: Option<i64>,
    /// The financial year `weighted` is for.
    pub year: String,
    pub members: Vec<MemberItem>,
    /// The rules' findings for this network.
    pub findings: Vec<FindingItem>,
}

/// One network: its members with their lists, and what the rules find.
#[utoipa::path(
    get, path = "/api/networks/{code}", tag = "pcn",
    params(("code" = NetworkCode, Path, description = "Network code, e.g. U12345"), SnapshotQuery),
    responses((status = 200, body = NetworkDetail), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn network(
    State(state): Shared,
    Path(code): Path<NetworkCode>,
    Query(q): Query<SnapshotQuery>,
) -> Result<Json<NetworkDetail>, ApiError> {
    let l = state.loaded(q.snapshot).await?;
    let n = l.network_index(&code)?;
    let lists = registered_of(&l);
    let config = &l.config;
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
    let findings =
        pcn_rules::check_networks(&l.model, config, &inputs, &[n]).into_iter().map(FindingItem::from).collect();
    let net = &l.model.networks[n as usize];
    let year = default_year(&l);
    let weighted = state.funding(&l, year).ok().and_then(|f| {
        config.members[n as usize]
            .iter()
            .map(|&p| {
                let fp = f.practice_ix[p as usize]?;
                f.practices[fp as usize].weighted.as_ref().map(|w| w.value)
            })
            .sum::<Option<rust_decimal::Decimal>>()
            .and_then(|d| d.round().to_i64())
    });
    Ok(Json(NetworkDetail {
        snapshot: l.id,
        code: net.code.to_string(),
        name: net.name.clone(),
        commissioner: net.commissioner.as_ref().map(|c| c.to_string()),
        registered: members.iter().filter_map(|m| m.registered).sum(),
        weighted,
        year: year.to_string(),
        members,
        findings,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct AsOfQuery {
    /// ISO date (default: today).
    pub as_of: Option<Day>,
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
    params(("code" = NetworkCode, Path, description = "Network code"), AsOfQuery),
    responses((status = 200, body = RegisterNetwork), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn register_network(
    State(state): Shared,
    Path(code): Path<NetworkCode>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<RegisterNetwork>, ApiError> {
    let as_of = day_or_today(q.as_of);
    let state_on = state.store.register_state(as_of).await?;
    let net = state_on
        .network(code.as_str())
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
            .filter(|r| r.network == code)
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
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM; with
    /// `commissioner`, that commissioner, which must be one of them.
    pub icb: Option<IcbCode>,
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// At most 500.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct FindingRow {
    pub rule: String,
    pub severity: String,
    pub network: Option<String>,
    pub commissioner: Option<String>,
    /// The ICB (STP) of the commissioner, where the snapshot knows it.
    pub icb: Option<String>,
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
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let commissioner = q.commissioner;
    let l = state.loaded(q.snapshot).await?;
    let config = &l.config;
    if let Some(c) = &commissioner
        && !l.model.networks.iter().any(|n| n.commissioner.as_ref() == Some(c))
    {
        return Err(ApiError::NotFound(format!("commissioner {c} has no networks in snapshot {}", l.id)));
    }
    let area = area(&l, commissioner.as_ref(), q.icb.as_ref())?;
    let report = pcn_rules::check(&l.model, config, &pcn_rules::CheckInputs::default());
    let mut report = pcn_rules::for_area(&l.model, &report, &area);
    // Worst first; within a severity, the checker's order (commissioner, rule, network).
    report.findings.sort_by_key(|f| f.severity);
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
            icb: f.commissioner.as_ref().and_then(|c| l.model.hierarchy.icb_of(c)).map(|i| i.to_string()),
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
    pub year: crate::schema::Year,
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
    /// The dates of the lists the figures rest on ("lists as at 2021-01-01 (the
    /// year's list-size date is 2025-01-01)").
    pub lists: String,
    /// Said when most of those lists were taken far from the list-size date.
    pub lists_warning: Option<String>,
    pub streams: Vec<StreamTotal>,
    pub total_pence: i64,
    /// Lines that could not be computed, and why (e.g. no weighted list).
    pub missing: Vec<String>,
}

/// A network's entitlements for a year, by stream, to the penny.
#[utoipa::path(
    get, path = "/api/networks/{code}/pay", tag = "pcn",
    params(("code" = NetworkCode, Path, description = "Network code"), PayQuery),
    responses((status = 200, body = NetworkPay), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn network_pay(
    State(state): Shared,
    Path(code): Path<NetworkCode>,
    Query(q): Query<PayQuery>,
) -> Result<Json<NetworkPay>, ApiError> {
    let year = q.year.0;
    // The view the rest of the API shows (the register laid over the latest snapshot), as `pcn pay` reads it.
    let l = state.loaded(q.snapshot).await?;
    let f = state.funding(&l, year)?;
    let (id, rates, practices, networks) = (l.id, f.rates, &f.practices, &f.networks);
    let n = networks
        .iter()
        .position(|x| x.code == code.as_str())
        .ok_or_else(|| ApiError::NotFound(format!("network {code} is not in snapshot {id}")))?;
    let ent = pcn_funding::engine::entitlements(rates, practices, &networks[n..=n]);
    let lists = pcn_funding::inputs::ListDates::of_networks(practices, &networks[n..=n], rates);
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
        lists: lists.label(),
        lists_warning: lists.warning(),
        streams: by
            .into_iter()
            .map(|(stream, m)| StreamTotal { stream, pence: m.pence(), pounds: m.to_pounds().to_string() })
            .collect(),
        total_pence: total.pence(),
        missing: ent.missing.iter().map(|m| m.reason.clone()).collect(),
    }))
}

/// The financial year a snapshot falls in, or the nearest year with rates.
pub fn default_year(l: &crate::Loaded) -> pcn_core::FinancialYear {
    let y = pcn_core::FinancialYear::containing(l.model.as_of);
    if pcn_funding::rates::year(y).is_ok() {
        return y;
    }
    pcn_funding::rates::years().min_by_key(|r| (r.start_year() - y.start_year()).abs()).unwrap_or(y)
}

pub fn page_bounds(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32), ApiError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(100);
    if page == 0 || per_page == 0 || per_page > 500 || page > 1_000_000 {
        return Err(ApiError::BadRequest("page starts at 1 (at most 1,000,000); per_page is 1 to 500".into()));
    }
    Ok((page, per_page))
}

#[derive(Serialize, ToSchema)]
pub struct CommissionerItem {
    pub code: String,
    pub name: Option<String>,
    pub networks: usize,
    pub practices: usize,
}

/// Commissioners with networks or open practices in a snapshot, by code.
#[utoipa::path(
    get, path = "/api/commissioners", tag = "pcn", params(SnapshotQuery),
    responses((status = 200, body = Vec<CommissionerItem>), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn commissioners(
    State(state): Shared,
    Query(q): Query<SnapshotQuery>,
) -> Result<Json<Vec<CommissionerItem>>, ApiError> {
    let l = state.loaded(q.snapshot).await?;
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for n in &l.model.networks {
        if let Some(c) = &n.commissioner {
            by.entry(c.to_string()).or_default().0 += 1;
        }
    }
    for p in l.model.practices.iter().filter(|p| p.active) {
        if let Some(c) = &p.commissioner {
            by.entry(c.to_string()).or_default().1 += 1;
        }
    }
    let names: BTreeMap<&str, Option<&String>> =
        l.snap.commissioners.iter().map(|c| (c.code.as_str(), c.name.as_ref())).collect();
    Ok(Json(
        by.into_iter()
            .map(|(code, (networks, practices))| CommissionerItem {
                name: names.get(code.as_str()).copied().flatten().cloned(),
                code,
                networks,
                practices,
            })
            .collect(),
    ))
}

/// The area `commissioner=` and `icb=` ask for: an ICB the snapshot does not
/// know is 404 (naming those it does), a commissioner outside the ICB 400.
pub(crate) fn area(
    l: &crate::Loaded,
    commissioner: Option<&CommissionerCode>,
    icb: Option<&IcbCode>,
) -> Result<pcn_core::Area, ApiError> {
    use pcn_core::hierarchy::AreaError;
    l.model.hierarchy.area(commissioner, icb).map_err(|e| match e {
        AreaError::UnknownIcb { .. } => ApiError::NotFound(format!("snapshot {}: {e}", l.id)),
        AreaError::NotInIcb { .. } => ApiError::BadRequest(format!("snapshot {}: {e}", l.id)),
    })
}

#[derive(Serialize, ToSchema)]
pub struct IcbItem {
    /// The ICB (STP before July 2022); null for the commissioners whose ICB no file gave.
    pub code: Option<String>,
    pub name: Option<String>,
    pub region: Option<String>,
    pub region_name: Option<String>,
    /// Its sub-ICB locations (CCGs before July 2022), by code.
    pub sub_icbs: Vec<String>,
    /// Open networks of its sub-ICB locations.
    pub networks: usize,
    /// Open GP practices of its sub-ICB locations.
    pub practices: usize,
    /// Their registered patients.
    pub patients: i64,
}

#[derive(Serialize, ToSchema)]
pub struct IcbList {
    pub snapshot: i64,
    pub as_of: Option<String>,
    /// `ccg` (before 1 July 2022), `icb`, or `merged-icb` (from 1 April 2026).
    pub era: String,
    /// What a commissioner is called on the snapshot's date: `CCG` or `sub-ICB location`.
    pub commissioner_tier: String,
    /// What the tier above is called: `STP` or `ICB`.
    pub parent_tier: String,
    pub items: Vec<IcbItem>,
}

/// The commissioner hierarchy by ICB: each ICB's region, sub-ICB locations,
/// networks, practices and patients, by code (the unknown last).
#[utoipa::path(
    get, path = "/api/icbs", tag = "pcn", params(SnapshotQuery),
    responses((status = 200, body = IcbList), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn icbs(State(state): Shared, Query(q): Query<SnapshotQuery>) -> Result<Json<IcbList>, ApiError> {
    let l = state.loaded(q.snapshot).await?;
    let era = l.model.hierarchy.era();
    let items = pcn_workbench::icbs::rollup(&l.model, None)
        .into_iter()
        .map(|r| IcbItem {
            code: r.code.map(|c| c.to_string()),
            name: r.name,
            region: r.region.map(|c| c.to_string()),
            region_name: r.region_name,
            sub_icbs: r.sub_icbs.iter().map(|c| c.to_string()).collect(),
            networks: r.networks,
            practices: r.practices,
            patients: r.patients,
        })
        .collect();
    Ok(Json(IcbList {
        snapshot: l.id,
        as_of: l.snap.as_of.map(|d| d.to_string()),
        era: era.as_str().to_string(),
        commissioner_tier: era.commissioner_tier().to_string(),
        parent_tier: era.parent_tier().to_string(),
        items,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct PracticeQuery {
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
    /// Case-insensitive text in the code or name.
    pub q: Option<String>,
    /// Only this commissioner's practices.
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM; with
    /// `commissioner`, that commissioner, which must be one of them.
    pub icb: Option<IcbCode>,
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// At most 500.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct PracticeItem {
    pub code: String,
    pub name: Option<String>,
    pub commissioner: Option<String>,
    /// The practice's network (the first, if it is in several).
    pub network: Option<String>,
    pub registered: i64,
    pub active: bool,
    /// WGS84, when the practice is located.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct PracticePage {
    pub snapshot: i64,
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<PracticeItem>,
}

/// Practices of a snapshot, open ones and those still in a network, in code order, a page at a time.
#[utoipa::path(
    get, path = "/api/practices", tag = "pcn", params(PracticeQuery),
    responses((status = 200, body = PracticePage), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn practices(State(state): Shared, Query(q): Query<PracticeQuery>) -> Result<Json<PracticePage>, ApiError> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let l = state.loaded(q.snapshot).await?;
    let area = area(&l, q.commissioner.as_ref(), q.icb.as_ref())?;
    let needle = q.q.as_deref().map(str::to_lowercase);
    let mut matched: Vec<usize> = l
        .model
        .practices
        .iter()
        .enumerate()
        .filter(|(i, p)| p.active || !l.networks_of[*i].is_empty())
        .filter(|(_, p)| area.admits(p.commissioner.as_ref()))
        .filter(|(_, p)| {
            needle.as_deref().is_none_or(|t| {
                p.code.as_str().to_lowercase().contains(t)
                    || p.name.as_deref().is_some_and(|x| x.to_lowercase().contains(t))
            })
        })
        .map(|(i, _)| i)
        .collect();
    matched.sort_by(|a, b| l.model.practices[*a].code.as_str().cmp(l.model.practices[*b].code.as_str()));
    let total = matched.len();
    let items = matched
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|i| {
            let p = &l.model.practices[i];
            let ll = p.location.and_then(|(x, y)| pcn_geo::project::to_lonlat(x, y));
            PracticeItem {
                code: p.code.to_string(),
                name: p.name.clone(),
                commissioner: p.commissioner.as_ref().map(|c| c.to_string()),
                network: l.networks_of[i].first().map(|&n| l.model.networks[n as usize].code.to_string()),
                registered: p.registered,
                active: p.active,
                lon: ll.map(|x| (x.0 * 1e6).round() / 1e6),
                lat: ll.map(|x| (x.1 * 1e6).round() / 1e6),
            }
        })
        .collect();
    Ok(Json(PracticePage { snapshot: l.id, total, page, per_page, items }))
}

#[derive(Deserialize, IntoParams)]
pub struct MapQuery {
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
    /// Only this commissioner's networks and the practices in or near them.
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM; with
    /// `commissioner`, that commissioner, which must be one of them.
    pub icb: Option<IcbCode>,
}

/// The map: a GeoJSON FeatureCollection of commissioner areas, network areas
/// and practices (WGS84). Sent gzip-compressed to clients that accept it.
#[utoipa::path(
    get, path = "/api/geojson", tag = "pcn", params(MapQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection; each feature's properties.kind is commissioner, network or practice", content_type = "application/geo+json", body = Object),
        (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)
    )
)]
pub async fn map(
    State(state): Shared,
    Query(q): Query<MapQuery>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let commissioner = q.commissioner.clone();
    let l = state.loaded(q.snapshot).await?;
    if let Some(c) = &commissioner
        && !l.model.practices.iter().any(|p| p.commissioner.as_ref() == Some(c))
        && !l.model.networks.iter().any(|n| n.commissioner.as_ref() == Some(c))
    {
        return Err(ApiError::NotFound(format!("commissioner {c} is not in snapshot {}", l.id)));
    }
    let area = area(&l, commissioner.as_ref(), q.icb.as_ref())?;
    let cached = state.geojson(l, area).await?;
    let gzip_ok = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().split(';').next() == Some("gzip")));
    let common = [(header::CONTENT_TYPE, "application/geo+json"), (header::VARY, "accept-encoding")];
    if gzip_ok {
        Ok((common, [(header::CONTENT_ENCODING, "gzip")], cached.gzip.clone()).into_response())
    } else {
        use std::io::Read;
        let mut plain = Vec::with_capacity(cached.plain_len);
        flate2::read::GzDecoder::new(&cached.gzip[..])
            .read_to_end(&mut plain)
            .map_err(|e| ApiError::Internal(format!("cached map: {e}")))?;
        Ok((common, plain).into_response())
    }
}

/// How a CSV download is written.
#[derive(Deserialize, IntoParams)]
pub struct CsvOptions {
    /// Every cell exactly as stored, for reading back into a program. By
    /// default a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
    /// first) is given a leading apostrophe so it shows as text.
    pub exact: Option<bool>,
}

/// A CSV download, made safe for spreadsheets unless `exact` is asked for.
pub(crate) fn csv_response(name: &str, body: Vec<u8>, opts: &CsvOptions) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let body = if opts.exact == Some(true) {
        body
    } else {
        pcn_workbench::exports::cells::for_spreadsheets(&body).map_err(|e| ApiError::Internal(format!("csv: {e}")))?
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

/// Networks of a snapshot as CSV: code, name, commissioner, practices, registered patients.
#[utoipa::path(
    get, path = "/api/export/networks.csv", tag = "pcn", params(SnapshotQuery, CsvOptions),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn export_networks_csv(
    State(state): Shared,
    Query(q): Query<SnapshotQuery>,
    Query(opts): Query<CsvOptions>,
) -> Result<axum::response::Response, ApiError> {
    let l = state.loaded(q.snapshot).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| ApiError::Internal(e.to_string());
    w.write_record(["network", "name", "commissioner", "practices", "registered_patients"]).map_err(bad)?;
    for (i, n) in l.model.networks.iter().enumerate() {
        let ms = &l.config.members[i];
        w.write_record([
            n.code.as_str(),
            n.name.as_deref().unwrap_or(""),
            n.commissioner.as_ref().map_or("", |c| c.as_str()),
            &ms.len().to_string(),
            &ms.iter().map(|&p| l.model.practices[p as usize].registered).sum::<i64>().to_string(),
        ])
        .map_err(bad)?;
    }
    let body = w.into_inner().map_err(|e| ApiError::Internal(e.to_string()))?;
    csv_response(&format!("networks-snapshot-{}.csv", l.id), body, &opts)
}

/// The register as of a date in the ePCN "core partner details" layout (CSV).
#[utoipa::path(
    get, path = "/api/export/epcn.csv", tag = "pcn", params(AsOfQuery, CsvOptions),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = crate::error::ErrorBody))
)]
pub async fn export_epcn_csv(
    State(state): Shared,
    Query(q): Query<AsOfQuery>,
    Query(opts): Query<CsvOptions>,
) -> Result<axum::response::Response, ApiError> {
    let as_of = day_or_today(q.as_of);
    let rows = pcn_workbench::exports::epcn::core_partners(&state.store, as_of).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    pcn_nhs::write::write_core_partners(&mut w, rows).map_err(|e| ApiError::Internal(e.to_string()))?;
    let body = w.into_inner().map_err(|e| ApiError::Internal(e.to_string()))?;
    csv_response(&format!("epcn-core-partners-{as_of}.csv"), body, &opts)
}

/// A day given, or today.
pub fn day_or_today(d: Option<Day>) -> time::Date {
    d.map_or_else(|| time::OffsetDateTime::now_utc().date(), |d| d.0)
}
