//! Proposals through the API: a network manager or commissioner proposes a
//! practice's move; the commissioner of the network approves or rejects it.
//! The same rules check and decision path as `pcn propose` and `pcn approve`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use pcn_core::day::Day;
use pcn_core::register::{Proposal, ProposalKind, ProposalStatus};
use pcn_core::{NetworkCode, PracticeCode, Role};
use pcn_store::register::Who;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Writer;
use crate::{ApiError, AppState};
use pcn_workbench::access::{Act, may};
use pcn_workbench::accounts::now_text;
use pcn_workbench::proposals::{Decider, Draft, NotDecided, approvers, decide_as};

type Shared = State<Arc<AppState>>;

#[derive(Deserialize, ToSchema)]
pub struct NewProposal {
    /// `join` (move the practice into the network, leaving its current one) or `leave`.
    pub kind: MoveKind,
    #[schema(schema_with = crate::schema::network)]
    pub network: NetworkCode,
    #[schema(schema_with = crate::schema::practice)]
    pub practice: PracticeCode,
    /// First day of the change, YYYY-MM-DD.
    pub effective: Day,
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
            let a = approvers(&state.store, &p.kind, p.effective).await?;
            let agreed = state.store.consents(p.id).await?.into_iter().map(|c| c.commissioner).collect();
            (a.commissioners.into_keys().collect(), agreed)
        } else {
            (Vec::new(), Vec::new())
        };
        items.push(item(p, approvers, agreed));
    }
    Ok(Json(ProposalList { items }))
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
    Writer { user, .. }: Writer,
    Json(body): Json<NewProposal>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (network, practice, effective) = (body.network.clone(), body.practice.clone(), body.effective.0);
    if body.reason.trim().is_empty() || body.reason.chars().count() > 2000 {
        return Err(ApiError::BadRequest("give a reason (up to 2,000 characters)".into()));
    }
    let kind = match body.kind {
        MoveKind::Join => ProposalKind::Join { network: network.clone(), practice: practice.clone() },
        MoveKind::Leave => ProposalKind::Leave { network: network.clone(), practice: practice.clone() },
    };
    let target = format!("{} {practice} {network}", kind.action());
    let draft = Draft::new(&state.store, kind, effective).await?;
    // Allowed for the receiving network, or the network the practice leaves.
    let networks = draft.networks();
    if !networks.iter().any(|(n, c)| may(&user, Act::Propose { network: n, commissioner: c.as_deref() })) {
        state.audit(&user.username, "proposal.create", Some(&target), "forbidden", json!({})).await;
        return Err(ApiError::Forbidden(format!(
            "{} ({}) may not propose changes to {}",
            user.username,
            user.role,
            networks.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" or ")
        )));
    }
    let who = Who { actor: user.username.clone(), reason: body.reason.trim().to_string(), at: now_text() };
    let today = time::OffsetDateTime::now_utc().date();
    let made = draft.submit(&state.store, &who, today).await?;
    state
        .audit(
            &user.username,
            "proposal.create",
            Some(&target),
            "ok",
            json!({"id": made.id, "effective": effective.to_string()}),
        )
        .await;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: made.id,
            status: "open".into(),
            findings: serde_json::to_value(&made.findings).expect("serialisable"),
            deadline: made.deadline.map(|d| d.to_string()),
            approvers: made.approvers.codes(),
        }),
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
    Writer { user, .. }: Writer,
    Path(id): Path<i64>,
    Json(body): Json<Decision>,
) -> Result<Json<Decided>, ApiError> {
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
    let approvers = approvers(&state.store, &p.kind, p.effective).await?;
    if !may(&user, Act::Decide { approvers: &approvers }) {
        state
            .audit(&user.username, "proposal.decide", Some(&target), "forbidden", json!({"approve": body.approve}))
            .await;
        return Err(ApiError::Forbidden(format!(
            "proposal {id} is decided by {}, or an admin; {} is a {} user{}",
            approvers.describe(),
            user.username,
            user.role,
            user.commissioner.as_deref().map(|c| format!(" of {c}")).unwrap_or_default()
        )));
    }
    let decider = match (user.role, &user.commissioner) {
        (Role::Commissioner, Some(c)) => Decider::Commissioner(c.clone()),
        _ => Decider::Admin,
    };
    let who = Who { actor: user.username.clone(), reason: body.reason.trim().to_string(), at: now_text() };
    match decide_as(&state.store, &p, &decider, body.approve, body.accept_findings, &who).await {
        Ok(d) => {
            let (outcome, detail) = if d.status == "open" {
                ("agreed", json!({"commissioner": d.agreed.last(), "awaiting": d.awaiting}))
            } else {
                ("ok", json!({"status": d.status}))
            };
            state.audit(&user.username, "proposal.decide", Some(&target), outcome, detail).await;
            Ok(Json(Decided { id, status: d.status, agreed: d.agreed, awaiting: d.awaiting }))
        }
        Err(NotDecided::Refused(r)) => {
            state
                .audit(
                    &user.username,
                    "proposal.decide",
                    Some(&target),
                    "refused",
                    serde_json::to_value(&r).expect("serialisable"),
                )
                .await;
            Err(ApiError::Conflict(r.message()))
        }
        Err(NotDecided::NotAnApprover { .. }) => unreachable!("the policy asked first"),
        Err(NotDecided::Store(e)) => Err(e.into()),
    }
}
