//! ARRS: a network's staff records (kept by its manager) and its headroom.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use pcn_core::{Money, NetworkCode};
use pcn_funding::arrs::{self, NetworkBudget, Post};
use pcn_funding::rates::Stream;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, Writer};
use crate::routes::default_year;
use crate::{ApiError, AppState};
use pcn_workbench::access::{Act, may};

type Shared = State<Arc<AppState>>;

/// One post in a network's staff records.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffPost {
    /// ARRS role key, e.g. `clinical_pharmacist`.
    #[schema(schema_with = crate::schema::role)]
    pub role: String,
    /// Whole-time equivalent, e.g. "1.0" (decimal text or number).
    #[schema(schema_with = crate::schema::wte)]
    pub wte: Decimal,
    /// First day in post, YYYY-MM-DD.
    #[schema(schema_with = crate::schema::date)]
    pub start: String,
    /// Last day in post, if it has ended.
    #[schema(schema_with = crate::schema::date, required = false)]
    pub end: Option<String>,
    /// Actual annual salary as worked (at its WTE), pounds.
    #[schema(schema_with = crate::schema::pounds)]
    pub salary: Decimal,
    /// Employer NI and pension a year, pounds.
    #[schema(schema_with = crate::schema::pounds)]
    pub on_costs: Decimal,
    /// In post on 31 March 2019 in a role that existed then (not additional).
    #[serde(default)]
    pub baseline: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Financial year, e.g. 2020/21 (default: the snapshot's).
    pub year: Option<crate::schema::Year>,
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PostClaimItem {
    pub role: String,
    pub wte: String,
    pub start: String,
    pub end: Option<String>,
    /// As kept (pounds, decimal text), so an editor can send the list back whole.
    pub salary: String,
    pub on_costs: String,
    pub baseline: bool,
    pub claimable_pence: i64,
    /// Why less than cost is claimable.
    pub cuts: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ArrsHeadroom {
    pub network: String,
    pub year: String,
    /// The network's ARRS sum for the year (null without weighted lists).
    pub maximum_pence: Option<i64>,
    /// Claimable from its staff records; null when the caller may not see them.
    pub claimed_pence: Option<i64>,
    pub headroom_pence: Option<i64>,
    /// The staff records and their claims, for the network's manager and commissioner.
    pub staff: Option<Vec<PostClaimItem>>,
}

fn parse_date(field: &str, s: &str) -> Result<time::Date, String> {
    pcn_core::day::parse(s).map_err(|e| format!("{field}: {e}"))
}

fn posts(network: &str, staff: &[StaffPost]) -> Result<Vec<Post>, String> {
    staff
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(Post {
                id: format!("post {}", i + 1),
                network: network.to_string(),
                role: s.role.clone(),
                wte: s.wte,
                start: parse_date("start", &s.start).map_err(|e| format!("post {}: {e}", i + 1))?,
                end: s
                    .end
                    .as_deref()
                    .map(|e| parse_date("end", e))
                    .transpose()
                    .map_err(|e| format!("post {}: {e}", i + 1))?,
                salary: s.salary,
                on_costs: s.on_costs,
                baseline: s.baseline,
            })
        })
        .collect()
}

/// A network's ARRS sum for the year, what its staff records claim, and the headroom left.
#[utoipa::path(
    get, path = "/api/networks/{code}/arrs", tag = "pcn",
    params(("code" = NetworkCode, Path, description = "Network code"), YearQuery),
    responses((status = 200, body = ArrsHeadroom), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn network_arrs(
    State(state): Shared,
    caller: Caller,
    Path(code): Path<NetworkCode>,
    Query(q): Query<YearQuery>,
) -> Result<Json<ArrsHeadroom>, ApiError> {
    let l = state.loaded(q.snapshot).await?;
    let n = l.network_index(&code)?;
    let year = q.year.map(|y| y.0).unwrap_or_else(|| default_year(&l));
    let f = state.funding(&l, year)?;
    let net = &l.model.networks[n as usize];
    let input = f.network_ix[n as usize].map(|i| f.networks[i].clone());
    let mut sum: Option<Money> = None;
    let mut registered = Decimal::ZERO;
    if let Some(input) = &input {
        let ent = pcn_funding::engine::entitlements(f.rates, &f.practices, std::slice::from_ref(input));
        for line in ent.lines.iter().filter(|l| matches!(l.stream, Stream::ArrsSum | Stream::ArrsGpSum)) {
            *sum.get_or_insert(Money::ZERO) += line.annual;
        }
        registered = input
            .spells
            .iter()
            .filter_map(|s| f.practices[s.practice as usize].registered.as_ref().map(|p| p.value))
            .sum();
    }
    let may_see = caller.user.as_ref().is_some_and(|u| {
        may(
            u,
            Act::SeeStaff { network: net.code.as_str(), commissioner: net.commissioner.as_ref().map(|c| c.as_str()) },
        )
    });
    let (mut claimed, mut staff) = (None, None);
    if may_see {
        let records: Vec<StaffPost> = match state.store.staff(net.code.as_str()).await? {
            Some(j) => {
                serde_json::from_str(&j).map_err(|e| ApiError::Internal(format!("stored staff records: {e}")))?
            }
            None => Vec::new(),
        };
        let posts = posts(net.code.as_str(), &records).map_err(ApiError::Internal)?;
        let budget = sum.map(|s| NetworkBudget {
            network: net.code.to_string(),
            sum: s,
            registered: registered.round().to_u32().unwrap_or(0),
        });
        let claims = arrs::claims(f.rates, &posts, budget.as_slice());
        claimed = Some(claims.posts.iter().map(|p| p.claimable.pence()).sum::<i64>());
        staff = Some(
            claims
                .posts
                .iter()
                .zip(&records)
                .map(|(c, r)| PostClaimItem {
                    role: c.role.clone(),
                    wte: c.wte.to_string(),
                    start: r.start.clone(),
                    end: r.end.clone(),
                    salary: r.salary.to_string(),
                    on_costs: r.on_costs.to_string(),
                    baseline: r.baseline,
                    claimable_pence: c.claimable.pence(),
                    cuts: c.cuts.iter().map(|x| x.detail.clone()).collect(),
                })
                .collect(),
        );
    }
    Ok(Json(ArrsHeadroom {
        network: net.code.to_string(),
        year: year.to_string(),
        maximum_pence: sum.map(|s| s.pence()),
        headroom_pence: sum.zip(claimed).map(|(s, c)| s.pence() - c),
        claimed_pence: claimed,
        staff,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct StaffSaved {
    pub network: String,
    pub posts: usize,
}

/// Replaces a network's staff records (its manager, or an admin).
#[utoipa::path(
    put, path = "/api/networks/{code}/staff", tag = "pcn",
    params(("code" = NetworkCode, Path, description = "Network code")),
    request_body = Vec<StaffPost>,
    responses(
        (status = 200, body = StaffSaved), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub async fn put_staff(
    State(state): Shared,
    Writer { user, .. }: Writer,
    Path(code): Path<NetworkCode>,
    Json(records): Json<Vec<StaffPost>>,
) -> Result<Json<StaffSaved>, ApiError> {
    let user = &user;
    let l = state.loaded(None).await?;
    let n = l.network_index(&code)?;
    let net = &l.model.networks[n as usize];
    if !may(user, Act::KeepRecords { network: net.code.as_str() }) {
        state.audit(&user.username, "staff.put", Some(net.code.as_str()), "forbidden", serde_json::json!({})).await;
        return Err(ApiError::Forbidden(format!("only {}'s network manager keeps its staff records", net.code)));
    }
    if records.len() > 500 {
        return Err(ApiError::BadRequest("at most 500 posts".into()));
    }
    let rates = pcn_funding::rates::year(default_year(&l)).map_err(|e| ApiError::Internal(e.to_string()))?;
    for (i, r) in records.iter().enumerate() {
        if !(pcn_funding::rates::ROLE_KEYS.contains(&r.role.as_str()) || rates.role(&r.role).is_some()) {
            return Err(ApiError::BadRequest(format!("post {}: role {:?} is not an ARRS role", i + 1, r.role)));
        }
        if r.wte <= Decimal::ZERO || r.wte > Decimal::from(2) {
            return Err(ApiError::BadRequest(format!("post {}: wte {} is not in (0, 2]", i + 1, r.wte)));
        }
        if r.salary < Decimal::ZERO || r.on_costs < Decimal::ZERO {
            return Err(ApiError::BadRequest(format!("post {}: salary and on_costs must not be negative", i + 1)));
        }
    }
    for (i, p) in posts(net.code.as_str(), &records).map_err(ApiError::BadRequest)?.iter().enumerate() {
        if p.end.is_some_and(|e| e < p.start) {
            return Err(ApiError::BadRequest(format!(
                "post {}: end {} is before start {}",
                i + 1,
                p.end.unwrap(),
                p.start
            )));
        }
    }
    let json = serde_json::to_string(&records).map_err(|e| ApiError::Internal(e.to_string()))?;
    state.store.staff_put(net.code.as_str(), &json, &user.username, &pcn_workbench::accounts::now_text()).await?;
    state
        .audit(&user.username, "staff.put", Some(net.code.as_str()), "ok", serde_json::json!({"posts": records.len()}))
        .await;
    Ok(Json(StaffSaved { network: net.code.to_string(), posts: records.len() }))
}

#[derive(Deserialize, IntoParams)]
pub struct ReconcileQuery {
    /// Financial year whose NHS Payments file the snapshot holds, e.g. 2020/21.
    pub year: crate::schema::Year,
    /// Snapshot id (default: the latest), as imported.
    pub snapshot: Option<i64>,
    /// Only this network's lines (and its practices').
    pub network: Option<NetworkCode>,
    /// Estimate Care Home Premium beds from the snapshot's CQC directory (each home to its
    /// nearest open member practice's network); without it the premium is not compared.
    pub beds_from_cqc: Option<bool>,
}

/// Computed entitlements against what NHS England paid (the snapshot's NHS
/// Payments to General Practice rows for the year), stream by stream: how
/// many agree within 2% and 10%, the naive method's count beside ours, and the
/// explained reasons for the rest; a network's lines with `network`.
#[utoipa::path(
    get, path = "/api/reconcile", tag = "pcn", params(ReconcileQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn reconcile(
    State(state): Shared,
    Query(q): Query<ReconcileQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = q.year.0;
    let rates = pcn_funding::rates::year(year).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let id = state.store.resolve_snapshot(q.snapshot).await?;
    // The snapshot as imported: payments are matched to the memberships NHS England paid on.
    let mut snap = state.store.load_snapshot(id, pcn_store::Include { payments: true, ..Default::default() }).await?;
    if !snap.payments.iter().any(|p| p.year == year) {
        return Err(ApiError::NotFound(format!(
            "snapshot {id} holds no NHS Payments to General Practice rows for {year}: import the file"
        )));
    }
    let network = q.network.clone();
    let mut extra = pcn_funding::reconcile::Extra::default();
    let beds_source = if q.beds_from_cqc == Some(true) {
        // As for a year whose payments were not imported: what the question needs is not there.
        let (beds, source) = pcn_profile::care_homes::estimated_beds(&snap).ok_or_else(|| {
            ApiError::NotFound(format!(
                "beds_from_cqc: snapshot {id} has no CQC directory (import the HSCA active locations file with it)"
            ))
        })?;
        extra.beds = beds;
        Some(source)
    } else {
        None
    };
    let r = tokio::task::spawn_blocking(move || {
        // As `pcn reconcile --payments` does: the year's rows also give their list sizes,
        // and the practices and networks that closed before the snapshot was taken.
        let rows: Vec<pcn_core::PracticePayments> = snap.payments.iter().filter(|p| p.year == year).cloned().collect();
        pcn_funding::reconcile::merge_payments(&mut snap, year, rows);
        pcn_funding::reconcile::reconcile(&snap, rates, &extra)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("reconcile: {e}")))?;
    let streams: Vec<serde_json::Value> = r
        .streams
        .iter()
        .map(|s| {
            let mut v = serde_json::json!({
                "stream": s.name, "column": s.column, "level": s.level, "compared": s.compared,
                "within_2pct": s.within_2pct, "within_10pct": s.within_10pct,
                "naive_within_2pct": s.naive_within_2pct, "over_10pct": s.over_10pct,
                "unexplained_over_10pct": s.unexplained_over_10pct, "reasons": s.reasons,
                "paid_total_pence": s.paid_total.pence(), "computed_total_pence": s.computed_total.pence(),
            });
            if let Some(n) = &network {
                v["items"] = serde_json::json!(
                    s.items
                        .iter()
                        .filter(|i| i.network.as_deref() == Some(n.as_str()) || i.code == n.as_str())
                        .map(|i| serde_json::json!({
                            "code": i.code, "network": i.network, "paid_pence": i.paid.pence(),
                            "computed_pence": i.computed.pence(), "difference_pence": i.difference().pence(),
                            "reasons": i.reasons,
                        }))
                        .collect::<Vec<_>>()
                );
            }
            v
        })
        .collect();
    Ok(Json(serde_json::json!({
        "snapshot": id,
        "year": year.to_string(),
        "streams": streams,
        "not_compared": r.not_compared,
        "beds_source": beds_source,
    })))
}
