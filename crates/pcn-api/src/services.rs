//! Who a network serves (its profile) and what it must deliver (the service
//! specifications in force in a year, and its checklist of them).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use pcn_core::day::Day;
use pcn_core::{CommissionerCode, FinancialYear, NetworkCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Writer;
use crate::{ApiError, AppState, Loaded};
use pcn_workbench::access::{Act, may};
use pcn_workbench::accounts::now_text;

type Shared = State<Arc<AppState>>;

#[derive(Deserialize, IntoParams)]
pub struct ProfileQuery {
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
    /// Another snapshot's id: the network's change since (or until) then.
    pub against: Option<i64>,
}

/// Every network's profile in a loaded view, computed once.
fn all_profiles(l: &Loaded) -> &[pcn_profile::Profile] {
    l.profiles.get_or_init(|| pcn_profile::profiles(&l.model, &l.snap, &l.config))
}

/// A network's care homes, when the snapshot has the CQC directory at all.
fn network_homes(l: &Loaded, n: usize) -> Option<&pcn_profile::care_homes::NetworkCareHomes> {
    (!l.snap.care_homes.is_empty()).then(|| &l.care_homes().networks[n])
}

/// A network's profile in a view, its prompts, and its change against another snapshot when asked.
struct NetworkProfile {
    now: Arc<Loaded>,
    n: usize,
    prompts: Vec<pcn_profile::Prompt>,
    change: Option<pcn_profile::Change>,
}

async fn network_profile(state: &AppState, code: &NetworkCode, q: &ProfileQuery) -> Result<NetworkProfile, ApiError> {
    let now = state.loaded(q.snapshot).await?;
    let n = now.network_index(code)? as usize;
    let change = match q.against {
        Some(against) => {
            let then = state.loaded(Some(against)).await?;
            let m = then.network_index(code)? as usize;
            let p = &all_profiles(&now)[n];
            Some(pcn_profile::Change::new(then.id, &all_profiles(&then)[m], now.id, p))
        }
        None => None,
    };
    let all = all_profiles(&now);
    let prompts =
        pcn_profile::all_prompts(all, now.care_homes()).into_iter().filter(|p| p.network == all[n].network).collect();
    Ok(NetworkProfile { now, n, prompts, change })
}

/// A network's profile: list sizes, rurality and deprivation mix, QOF
/// prevalence by group, each beside its commissioner and England; with
/// `against`, its change since that snapshot (`change`: then, now and now
/// minus then for each measure); `care_homes`: the CQC care homes nearest its
/// practices, their beds per 1,000 patients and the premium paid (null when
/// the snapshot has no CQC directory); `prompts`: CVD case-finding and
/// care-home alignment gaps.
#[utoipa::path(
    get, path = "/api/networks/{code}/profile", tag = "pcn",
    params(("code" = NetworkCode, Path, description = "Network code"), ProfileQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn profile(
    State(state): Shared,
    Path(code): Path<NetworkCode>,
    Query(q): Query<ProfileQuery>,
) -> Result<Json<Value>, ApiError> {
    let x = network_profile(&state, &code, &q).await?;
    let mut out = json!({
        "snapshot": x.now.id,
        "qof_registers": !x.now.snap.registers.is_empty(),
        "profile": all_profiles(&x.now)[x.n],
        "prompts": x.prompts,
        "care_homes": network_homes(&x.now, x.n),
    });
    if let Some(c) = x.change {
        out["change"] = json!(c);
    }
    Ok(Json(out))
}

/// A network's profile as a printable page (self-contained HTML, no
/// scripts), with its change since `against` when given.
#[utoipa::path(
    get, path = "/api/networks/{code}/profile.html", tag = "pcn",
    params(("code" = NetworkCode, Path, description = "Network code"), ProfileQuery),
    responses(
        (status = 200, description = "The printable page", content_type = "text/html", body = String),
        (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)
    )
)]
pub async fn profile_html(
    State(state): Shared,
    Path(code): Path<NetworkCode>,
    Query(q): Query<ProfileQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let x = network_profile(&state, &code, &q).await?;
    let prompts: Vec<&pcn_profile::Prompt> = x.prompts.iter().collect();
    let page = pcn_profile::html::page(
        x.now.id,
        &all_profiles(&x.now)[x.n],
        &prompts,
        x.change.as_ref(),
        network_homes(&x.now, x.n),
    );
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ProfilesQuery {
    /// Snapshot id (default: the latest).
    pub snapshot: Option<i64>,
    /// Only this commissioner's networks (e.g. 15E).
    pub commissioner: Option<CommissionerCode>,
    /// Only the networks of this ICB's sub-ICB locations (e.g. QHM).
    pub icb: Option<pcn_core::IcbCode>,
}

/// Every network's profile in a row (or one commissioner's networks), as
/// CSV: network, commissioner, practices, registered, weighted, rural_pct,
/// mean_imd_decile, hyp_pct, dm_pct, copd_pct, dem_pct (as `pcn profile --csv`).
#[utoipa::path(
    get, path = "/api/profiles.csv", tag = "pcn", params(ProfilesQuery, crate::routes::CsvOptions),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)
    )
)]
pub async fn profiles_csv(
    State(state): Shared,
    Query(q): Query<ProfilesQuery>,
    Query(opts): Query<crate::routes::CsvOptions>,
) -> Result<axum::response::Response, ApiError> {
    let commissioner = q.commissioner.clone();
    let l = state.loaded(q.snapshot).await?;
    if let Some(c) = &commissioner
        && !l.model.networks.iter().any(|n| n.commissioner.as_ref() == Some(c))
    {
        return Err(ApiError::NotFound(format!("commissioner {c} has no networks in snapshot {}", l.id)));
    }
    let area = crate::routes::area(&l, commissioner.as_ref(), q.icb.as_ref())?;
    // The area holds the commissioner filter too.
    let rows: Vec<_> = pcn_profile::summary_rows(all_profiles(&l), None)
        .into_iter()
        .filter(|r| area.admits(r.commissioner.as_deref().and_then(|c| CommissionerCode::parse(c).ok()).as_ref()))
        .collect();
    let bad = |e: csv::Error| ApiError::Internal(e.to_string());
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    w.write_record(pcn_profile::SUMMARY_COLUMNS).map_err(bad)?;
    for r in &rows {
        w.serialize(r).map_err(bad)?;
    }
    let body = w.into_inner().map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = match (&commissioner, &q.icb) {
        (Some(c), _) => format!("profiles-{c}-snapshot-{}.csv", l.id),
        (None, Some(i)) => format!("profiles-icb-{i}-snapshot-{}.csv", l.id),
        (None, None) => format!("profiles-snapshot-{}.csv", l.id),
    };
    crate::routes::csv_response(&name, body, &opts)
}

#[derive(Deserialize, IntoParams)]
pub struct ServicesQuery {
    /// Financial year, e.g. 2021/22 (default: the one containing today, or the last one known).
    pub year: Option<crate::schema::Year>,
}

/// Today, or the last day the specifications are known for when today is past it.
fn default_day() -> time::Date {
    let today = time::OffsetDateTime::now_utc().date();
    today.min(pcn_services::spec::catalogue().last_year.end())
}

fn year_of(y: Option<FinancialYear>, on: time::Date) -> Result<FinancialYear, ApiError> {
    let year = y.unwrap_or(FinancialYear::containing(on));
    let cat = pcn_services::spec::catalogue();
    if !cat.covers(year) {
        return Err(ApiError::NotFound(format!(
            "the service specifications are known for {} to {}, not {year}",
            cat.first_year, cat.last_year
        )));
    }
    Ok(year)
}

/// The national service specifications in force in a year, with the
/// requirements that apply that year, their sources and what is unclear.
#[utoipa::path(
    get, path = "/api/services", tag = "pcn", params(ServicesQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn services(Query(q): Query<ServicesQuery>) -> Result<Json<Value>, ApiError> {
    let year = year_of(q.year.map(|y| y.0), default_day())?;
    let specs: Vec<pcn_services::Specification> =
        pcn_services::in_force(year).into_iter().map(|s| s.for_year(year)).collect();
    Ok(Json(json!({
        "year": year.to_string(),
        "specifications": specs,
        "unclear": pcn_services::spec::catalogue().unclear,
    })))
}

#[derive(Deserialize, IntoParams)]
pub struct ChecklistQuery {
    /// The day to judge on (default: today, or the last day the specifications are known for), YYYY-MM-DD.
    pub on: Option<Day>,
}

fn item(i: &pcn_services::Item<'_>, marks: &[pcn_store::users::ServiceMark]) -> Value {
    let by =
        i.mark.and_then(|m| marks.iter().find(|s| s.requirement == m.requirement && s.done_on == m.date.to_string()));
    json!({
        "specification": i.specification.id,
        "specification_name": i.specification.name,
        "requirement": i.requirement.id,
        "text": i.requirement.text,
        "due": i.due.to_string(),
        "status": i.status,
        "done_on": i.mark.map(|m| m.date.to_string()),
        "evidence": i.mark.map(|m| m.evidence.clone()),
        "marked_by": by.map(|m| m.marked_by.clone()),
        "source": i.requirement.source,
    })
}

/// A network's checklist of the service specifications on a day: what is
/// done (with its evidence), due and overdue.
#[utoipa::path(
    get, path = "/api/networks/{code}/services", tag = "pcn",
    params(("code" = NetworkCode, Path, description = "Network code"), ChecklistQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn checklist(
    State(state): Shared,
    Path(code): Path<NetworkCode>,
    Query(q): Query<ChecklistQuery>,
) -> Result<Json<Value>, ApiError> {
    let on = q.on.map_or_else(default_day, |d| d.0);
    let year = year_of(None, on)?;
    let l = state.loaded(None).await?;
    let n = l.network_index(&code)?;
    let net = l.model.networks[n as usize].code.to_string();
    let stored = state.store.service_marks(&net).await?;
    let marks: Vec<pcn_services::Mark> = stored
        .iter()
        .filter_map(|m| {
            Some(pcn_services::Mark {
                requirement: m.requirement.clone(),
                date: pcn_core::day::parse(&m.done_on).ok()?,
                evidence: m.evidence.clone(),
            })
        })
        .collect();
    let c = pcn_services::Checklist::evaluate(&marks, on);
    Ok(Json(json!({
        "network": net,
        "on": on.to_string(),
        "year": year.to_string(),
        "overdue": c.overdue.iter().map(|i| item(i, &stored)).collect::<Vec<_>>(),
        "due": c.due.iter().map(|i| item(i, &stored)).collect::<Vec<_>>(),
        "done": c.done.iter().map(|i| item(i, &stored)).collect::<Vec<_>>(),
        "ignored": c.ignored.iter().map(|(m, why)| json!({"requirement": m.requirement, "done_on": m.date.to_string(), "why": why})).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, ToSchema)]
pub struct NewMark {
    /// The day the requirement was met, YYYY-MM-DD.
    pub done_on: Day,
    /// What shows it (a document, a minute, a link).
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub evidence: String,
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    pub network: String,
    pub requirement: String,
    pub done_on: String,
}

/// Marks a requirement done for a network (its manager, or an admin).
#[utoipa::path(
    put, path = "/api/networks/{code}/services/{requirement}", tag = "pcn",
    params(
        ("code" = NetworkCode, Path, description = "Network code"),
        ("requirement" = String, Path, description = "Requirement id, e.g. smr.capacity")
    ),
    request_body = NewMark,
    responses(
        (status = 200, body = Marked), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub async fn mark(
    State(state): Shared,
    Writer { user, .. }: Writer,
    Path((code, requirement)): Path<(NetworkCode, String)>,
    Json(body): Json<NewMark>,
) -> Result<Json<Marked>, ApiError> {
    let l = state.loaded(None).await?;
    let n = l.network_index(&code)?;
    let net = l.model.networks[n as usize].code.to_string();
    if !may(&user, Act::KeepRecords { network: net.as_str() }) {
        state.audit(&user.username, "service.mark", Some(&net), "forbidden", json!({"requirement": requirement})).await;
        return Err(ApiError::Forbidden(format!("only {net}'s network manager marks its service requirements")));
    }
    let known = pcn_services::specifications().iter().any(|s| s.requirement(&requirement).is_some());
    if !known {
        return Err(ApiError::NotFound(format!("there is no service requirement {requirement:?}")));
    }
    let done_on = body.done_on.0;
    if done_on > time::OffsetDateTime::now_utc().date() {
        return Err(ApiError::BadRequest(format!("done_on {done_on} is in the future")));
    }
    if body.evidence.trim().is_empty() || body.evidence.chars().count() > 2000 {
        return Err(ApiError::BadRequest("give the evidence (up to 2,000 characters)".into()));
    }
    let m = pcn_store::users::ServiceMark {
        network: net.clone(),
        requirement: requirement.clone(),
        done_on: done_on.to_string(),
        evidence: body.evidence.trim().to_string(),
        marked_by: user.username.clone(),
        marked_at: now_text(),
    };
    state.store.service_mark_put(&m).await?;
    state
        .audit(
            &user.username,
            "service.mark",
            Some(&net),
            "ok",
            json!({"requirement": requirement, "done_on": m.done_on}),
        )
        .await;
    Ok(Json(Marked { network: net, requirement, done_on: m.done_on }))
}
