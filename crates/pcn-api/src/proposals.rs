//! Proposals through the API: a network manager or commissioner proposes a
//! practice's move; the commissioner of the network approves or rejects it.
//! The same rules check and decision path as `pcn propose` and `pcn approve`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use pcn_core::register::{Proposal, ProposalKind, ProposalStatus, RecordKind};
use pcn_core::{NetworkCode, PracticeCode};
use pcn_store::register::Who;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, may_edit_network, now_text};
use crate::checker::{Checker, deadline_for};
use crate::{ApiError, AppState};

type Shared = State<Arc<AppState>>;

#[derive(Deserialize, ToSchema)]
pub struct NewProposal {
    /// `join` (move the practice into the network, leaving its current one) or `leave`.
    pub kind: MoveKind,
    #[schema(schema_with = crate::schema::network)]
    pub network: String,
    #[schema(schema_with = crate::schema::practice)]
    pub practice: String,
    /// First day of the change, YYYY-MM-DD.
    #[schema(schema_with = crate::schema::date)]
    pub effective: String,
    /// Why: kept with the change for ever.
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MoveKind {
    Join,
    Leave,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    pub status: String,
    /// `errors` (strings) the change would add, `warnings` ({rule, message}), `late`.
    #[schema(value_type = Object)]
    pub findings: Value,
    pub deadline: Option<String>,
    /// The commissioners who must agree to it (more than one when it takes a
    /// practice out of another commissioner's network).
    pub approvers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalItem {
    pub id: i64,
    pub action: String,
    pub network: String,
    pub effective: String,
    pub status: String,
    pub proposed_by: String,
    pub proposed_at: String,
    pub reason: String,
    pub errors: Vec<String>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// The proposal itself (kind and its fields).
    #[schema(value_type = Object)]
    pub proposal: Value,
    /// While open: the commissioners who must agree (the receiving network's
    /// and each losing network's), and those who have.
    pub approvers: Vec<String>,
    pub agreed: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<ProposalItem>,
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Open,
    Approved,
    Rejected,
}

#[derive(Deserialize, IntoParams)]
pub struct StatusQuery {
    /// open, approved or rejected (default: all).
    #[param(inline)]
    pub status: Option<StatusFilter>,
}

fn item(p: &Proposal, approvers: Vec<String>, agreed: Vec<String>) -> ProposalItem {
    ProposalItem {
        id: p.id,
        action: p.kind.action().to_string(),
        network: p.kind.network().to_string(),
        effective: p.effective.to_string(),
        status: p.status.as_str().to_string(),
        proposed_by: p.proposed_by.clone(),
        proposed_at: p.proposed_at.clone(),
        reason: p.reason.clone(),
        errors: p
            .findings
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        decided_by: p.decided_by.clone(),
        decision_reason: p.decision_reason.clone(),
        proposal: serde_json::to_value(&p.kind).unwrap_or(Value::Null),
        approvers,
        agreed,
    }
}

/// Proposals, oldest first.
#[utoipa::path(
    get, path = "/api/proposals", tag = "pcn", params(StatusQuery),
    responses((status = 200, body = ProposalList), (status = 400, body = crate::error::ErrorBody))
)]
pub async fn list(State(state): Shared, Query(q): Query<StatusQuery>) -> Result<Json<ProposalList>, ApiError> {
    let status = q.status.map(|s| match s {
        StatusFilter::Open => ProposalStatus::Open,
        StatusFilter::Approved => ProposalStatus::Approved,
        StatusFilter::Rejected => ProposalStatus::Rejected,
    });
    let all = state.store.proposals(status).await?;
    let mut items = Vec::with_capacity(all.len());
    for p in &all {
        let (approvers, agreed) = if p.status == ProposalStatus::Open {
            let a = approvers(&state, &p.kind, p.effective).await?;
            let agreed = state.store.consents(p.id).await?.into_iter().map(|c| c.commissioner).collect();
            (a.commissioners.into_keys().collect(), agreed)
        } else {
            (Vec::new(), Vec::new())
        };
        items.push(item(p, approvers, agreed));
    }
    Ok(Json(ProposalList { items }))
}

/// The commissioner of each network, from the register (or, for a network
/// the register lacks, the latest snapshot).
async fn commissioners_of(state: &AppState, networks: &[String]) -> Result<Vec<Option<String>>, ApiError> {
    let reg = state.store.register_networks().await?;
    let mut out = Vec::with_capacity(networks.len());
    for network in networks {
        if let Some(n) = reg.iter().find(|n| &n.code == network) {
            out.push(n.commissioner.clone());
            continue;
        }
        let l = state.loaded(None).await?;
        out.push(
            NetworkCode::parse(network)
                .ok()
                .and_then(|c| l.model.network_index.get(&c))
                .and_then(|&i| l.model.networks[i as usize].commissioner.as_ref().map(|c| c.to_string())),
        );
    }
    Ok(out)
}

async fn commissioner_of(state: &AppState, network: &str) -> Result<Option<String>, ApiError> {
    Ok(commissioners_of(state, &[network.to_string()]).await?.pop().flatten())
}

/// Who must agree to a proposal: the commissioner of the network it is made
/// against and of every network it takes a practice out of, so that no area
/// loses a practice without its own commissioner's say. A network with no
/// commissioner on record is decided for by an admin only.
#[derive(Debug, Default, Clone)]
pub struct Approvers {
    /// Commissioner code → the networks they are asked for.
    pub commissioners: BTreeMap<String, BTreeSet<String>>,
    /// Networks with no commissioner on record.
    pub unassigned: BTreeSet<String>,
}

impl Approvers {
    /// "the commissioners of U00002 (00Y) and U00001 (00X)", for messages.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .commissioners
            .iter()
            .map(|(c, ns)| format!("{} ({c})", ns.iter().cloned().collect::<Vec<_>>().join(", ")))
            .collect();
        parts.extend(self.unassigned.iter().map(|n| format!("{n} (no commissioner on record: an admin)")));
        let who = if self.commissioners.len() + self.unassigned.len() > 1 { "commissioners" } else { "commissioner" };
        format!("the {who} of {}", and_list(&parts))
    }
}

fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The approvers of a proposal against the register on its effective date.
async fn approvers(state: &AppState, kind: &ProposalKind, effective: time::Date) -> Result<Approvers, ApiError> {
    let reg = state.store.register_state(effective).await?;
    let network_of = |p: &PracticeCode| {
        reg.records.iter().find(|r| r.kind == RecordKind::Member && r.subject == p.as_str()).map(|r| r.network.clone())
    };
    let mut networks = vec![kind.network().to_string()];
    networks.extend(kind.losing(network_of).iter().map(|n| n.to_string()).filter(|n| n != kind.network().as_str()));
    let mut out = Approvers::default();
    for (network, commissioner) in networks.iter().zip(commissioners_of(state, &networks).await?) {
        match commissioner {
            Some(c) => {
                out.commissioners.entry(c).or_default().insert(network.clone());
            }
            None => {
                out.unassigned.insert(network.clone());
            }
        }
    }
    Ok(out)
}

/// Proposes a practice's move. Network managers propose for their own network
/// (receiving or losing the practice), commissioners in their own area.
#[utoipa::path(
    post, path = "/api/proposals", tag = "pcn", request_body = NewProposal,
    responses(
        (status = 201, body = Created), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)
    )
)]
pub async fn create(
    State(state): Shared,
    caller: Caller,
    Json(body): Json<NewProposal>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let user = caller.writer()?.clone();
    let network = NetworkCode::parse(&body.network)
        .map_err(|e| ApiError::BadRequest(format!("network {:?}: {e}", body.network)))?;
    let practice = PracticeCode::parse(&body.practice)
        .map_err(|e| ApiError::BadRequest(format!("practice {:?}: {e}", body.practice)))?;
    let effective = crate::routes::parse_date("effective", Some(&body.effective))?;
    if body.reason.trim().is_empty() || body.reason.chars().count() > 2000 {
        return Err(ApiError::BadRequest("give a reason (up to 2,000 characters)".into()));
    }
    let kind = match body.kind {
        MoveKind::Join => ProposalKind::Join { network: network.clone(), practice: practice.clone() },
        MoveKind::Leave => ProposalKind::Leave { network: network.clone(), practice: practice.clone() },
    };
    let checker = Checker::new(&state.store, effective).await?;
    if !checker.model.network_index.contains_key(&network) {
        return Err(ApiError::NotFound(format!("network {network} is not in the register (run `pcn register sync`)")));
    }
    if !checker.model.practice_index.contains_key(&practice) {
        return Err(ApiError::NotFound(format!("practice {practice} is not in the latest snapshot")));
    }
    // Allowed for the receiving network, or the network the practice leaves.
    let losing = checker.members.get(practice.as_str()).cloned();
    let mut allowed =
        may_edit_network(&user, network.as_str(), commissioner_of(&state, network.as_str()).await?.as_deref());
    if !allowed && let Some(from) = &losing {
        allowed = may_edit_network(&user, from, commissioner_of(&state, from).await?.as_deref());
    }
    let target = format!("{} {practice} {network}", kind.action());
    if !allowed {
        state.audit(&user.username, "proposal.create", Some(&target), "forbidden", json!({})).await;
        return Err(ApiError::Forbidden(format!(
            "{} ({}) may not propose changes to {network}{}",
            user.username,
            user.role,
            losing.map(|l| format!(" or {l}")).unwrap_or_default()
        )));
    }
    // A change the register already has (or cannot have) is refused now, not at its decision.
    match (body.kind, losing.as_deref()) {
        (MoveKind::Join, Some(n)) if n == network.as_str() => {
            return Err(ApiError::Conflict(format!("{practice} is already a member of {network} on {effective}")));
        }
        (MoveKind::Leave, n) if n != Some(network.as_str()) => {
            return Err(ApiError::Conflict(format!("{practice} is not a member of {network} on {effective}")));
        }
        _ => {}
    }
    let changes = kind.changes(|n| checker.members_of(n));
    let (errors, warnings) = checker.check(&changes, effective);
    let deadline = deadline_for(effective);
    let today = time::OffsetDateTime::now_utc().date();
    let late = deadline.is_some_and(|d| today > d && effective.year() == d.year());
    let findings = json!({"errors": errors, "warnings": warnings, "late": late});
    let who = Who { actor: user.username.clone(), reason: body.reason.trim().to_string(), at: now_text() };
    let id = state.store.propose(&kind, effective, &who, deadline, &findings).await?;
    let approvers = approvers(&state, &kind, effective).await?.commissioners.into_keys().collect();
    state
        .audit(
            &user.username,
            "proposal.create",
            Some(&target),
            "ok",
            json!({"id": id, "effective": effective.to_string()}),
        )
        .await;
    Ok((
        StatusCode::CREATED,
        Json(Created { id, status: "open".into(), findings, deadline: deadline.map(|d| d.to_string()), approvers }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Decision {
    pub approve: bool,
    /// Why: kept with the decision for ever.
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
    /// Approve even though the rules check finds new errors (they are recorded).
    #[serde(default)]
    pub accept_findings: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub id: i64,
    /// `approved`, `rejected`, or `open` while other commissioners have yet to agree.
    pub status: String,
    /// Commissioners who have agreed so far (when others must too).
    pub agreed: Vec<String>,
    /// Commissioners whose agreement is still needed (empty once decided).
    pub awaiting: Vec<String>,
}

/// Approves or rejects an open proposal. A proposal that takes a practice out
/// of a network needs the agreement of that network's commissioner as well as
/// the receiving one's: each agrees in turn, and the last agreement approves
/// it. Any of them may reject it; an admin decides alone.
#[utoipa::path(
    post, path = "/api/proposals/{id}/decision", tag = "pcn",
    params(("id" = i64, Path, description = "Proposal id")),
    request_body = Decision,
    responses(
        (status = 200, body = Decided), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)
    )
)]
pub async fn decision(
    State(state): Shared,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<Decision>,
) -> Result<Json<Decided>, ApiError> {
    let user = caller.writer()?.clone();
    if body.reason.trim().is_empty() || body.reason.chars().count() > 2000 {
        return Err(ApiError::BadRequest("give a reason (up to 2,000 characters)".into()));
    }
    let p = match state.store.proposal(id).await {
        Ok(p) => p,
        Err(pcn_store::StoreError::Refused(pcn_store::register::Refused::NoSuchProposal(_))) => {
            return Err(ApiError::NotFound(format!("there is no proposal {id}")));
        }
        Err(e) => return Err(e.into()),
    };
    let target = format!("proposal {id}");
    let approvers = approvers(&state, &p.kind, p.effective).await?;
    let mine = user.commissioner.as_deref().filter(|_| user.role == "commissioner");
    let admin = user.role == "admin";
    if !admin && !mine.is_some_and(|c| approvers.commissioners.contains_key(c)) {
        state
            .audit(&user.username, "proposal.decide", Some(&target), "forbidden", json!({"approve": body.approve}))
            .await;
        return Err(ApiError::Forbidden(format!(
            "proposal {id} is decided by {}, or an admin; {} is a {} user{}",
            approvers.describe(),
            user.username,
            user.role,
            mine.map(|c| format!(" of {c}")).unwrap_or_default()
        )));
    }
    let who = Who { actor: user.username.clone(), reason: body.reason.trim().to_string(), at: now_text() };
    let mut agreed: Vec<String> = state.store.consents(id).await?.into_iter().map(|c| c.commissioner).collect();
    if body.approve && !admin {
        let mine = mine.expect("checked above").to_string();
        let awaiting: Vec<String> = approvers
            .commissioners
            .keys()
            .filter(|c| **c != mine && !agreed.contains(c))
            .cloned()
            .chain(approvers.unassigned.iter().map(|n| format!("an admin (for {n})")))
            .collect();
        if !awaiting.is_empty() {
            if p.status != ProposalStatus::Open {
                return Err(ApiError::Conflict(format!("proposal {id} was already {}", p.status.as_str())));
            }
            state.store.consent(id, &mine, &who).await?;
            if !agreed.contains(&mine) {
                agreed.push(mine.clone());
            }
            state
                .audit(
                    &user.username,
                    "proposal.decide",
                    Some(&target),
                    "agreed",
                    json!({"commissioner": mine, "awaiting": awaiting}),
                )
                .await;
            return Ok(Json(Decided { id, status: "open".into(), agreed, awaiting }));
        }
        if !agreed.contains(&mine) {
            agreed.push(mine);
        }
    }
    let mut who = who;
    if agreed.len() > 1 {
        who.reason = format!("{} (agreed by the commissioners of {})", who.reason, agreed.join(", "));
    }
    let out = crate::checker::decide(&state.store, std::slice::from_ref(&p), body.approve, body.accept_findings, &who)
        .await?;
    if let Some(r) = out.refused.first() {
        state.audit(&user.username, "proposal.decide", Some(&target), "refused", r.clone()).await;
        let mut msg = r["refused"].as_str().unwrap_or("refused").to_string();
        if let Some(errs) = r.get("errors").and_then(Value::as_array) {
            let list: Vec<&str> = errs.iter().filter_map(Value::as_str).collect();
            msg = format!("{msg}: {}", list.join("; "));
        }
        return Err(ApiError::Conflict(msg));
    }
    let status = if body.approve { "approved" } else { "rejected" };
    state.audit(&user.username, "proposal.decide", Some(&target), "ok", json!({"status": status})).await;
    Ok(Json(Decided { id, status: status.into(), agreed, awaiting: Vec::new() }))
}
