//! Edits that save nothing: what a move would do (findings and funding of the
//! networks it touches), what repair would suggest for an area, and how two
//! configurations differ.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use pcn_core::day::Day;
use pcn_core::{CommissionerCode, Money, NetworkCode, PracticeCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Writer;
use crate::routes::{FindingItem, default_year};
use crate::{ApiError, AppState, Loaded};

type Shared = State<Arc<AppState>>;

/// At most this many moves in one what-if.
const MAX_MOVES: usize = 50;

#[derive(Deserialize, ToSchema)]
pub struct Move {
    /// Practice code.
    #[schema(schema_with = crate::schema::practice)]
    pub practice: PracticeCode,
    /// The network it moves to, or null to leave every network.
    #[schema(schema_with = crate::schema::network_or_null)]
    pub to: Option<NetworkCode>,
}

#[derive(Deserialize, ToSchema)]
pub struct WhatIf {
    #[schema(min_items = 1, max_items = 50)]
    pub moves: Vec<Move>,
    /// Financial year for the funding (default: the snapshot's).
    pub year: Option<crate::schema::Year>,
    /// Snapshot id (default: the latest).
    #[serde(default, deserialize_with = "crate::schema::integer")]
    pub snapshot: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Side {
    pub practices: usize,
    pub registered: i64,
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<FindingItem>,
    /// Entitlements for the year, every stream, integer pence.
    pub pay_pence: i64,
    /// By stream, integer pence.
    pub streams: BTreeMap<String, i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TouchedNetwork {
    pub code: String,
    /// A network a practice leaves or joins (false: a neighbour whose findings the moves change).
    pub moved: bool,
    pub name: Option<String>,
    pub commissioner: Option<String>,
    pub before: Side,
    pub after: Side,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfResult {
    pub snapshot: i64,
    pub year: String,
    /// Server time spent, microseconds.
    pub micros: u64,
    pub networks: Vec<TouchedNetwork>,
    /// What the rules say of the moved practices themselves (in no network,
    /// in a hole, in two networks), before and after.
    pub practices: PracticeSides,
    /// The commissioners who would have to agree to these moves as proposals:
    /// every touched network's (a network loses a practice only with its
    /// commissioner's agreement).
    pub approvers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PracticeSides {
    pub before: Vec<FindingItem>,
    pub after: Vec<FindingItem>,
}

fn side(
    l: &Loaded,
    f: &crate::Funding,
    members: &[u32],
    findings: Vec<pcn_rules::Finding>,
    input: Option<&pcn_funding::engine::NetworkInput>,
) -> Side {
    let mut streams: BTreeMap<String, i64> = BTreeMap::new();
    let mut pay = Money::ZERO;
    if let Some(input) = input {
        let ent = pcn_funding::engine::entitlements(f.rates, &f.practices, std::slice::from_ref(input));
        for line in &ent.lines {
            *streams.entry(line.stream.name()).or_default() += line.annual.pence();
            pay += line.annual;
        }
    }
    Side {
        practices: members.len(),
        registered: members.iter().map(|&p| l.model.practices[p as usize].registered).sum(),
        errors: findings.iter().filter(|x| x.severity == pcn_rules::Severity::Error).count(),
        warnings: findings.iter().filter(|x| x.severity == pcn_rules::Severity::Warning).count(),
        findings: findings.into_iter().map(FindingItem::from).collect(),
        pay_pence: pay.pence(),
        streams,
    }
}

/// What moving practices would do, saving nothing: the findings and the
/// year's entitlements of every network the moves touch, before and after.
#[utoipa::path(
    post, path = "/api/whatif", tag = "pcn", request_body = WhatIf,
    responses((status = 200, body = WhatIfResult), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn whatif(State(state): Shared, Json(body): Json<WhatIf>) -> Result<Json<WhatIfResult>, ApiError> {
    let started = std::time::Instant::now();
    if body.moves.is_empty() || body.moves.len() > MAX_MOVES {
        return Err(ApiError::BadRequest(format!("give 1 to {MAX_MOVES} moves")));
    }
    let l = state.loaded(body.snapshot).await?;
    let year = body.year.map(|y| y.0).unwrap_or_else(|| default_year(&l));
    let f = state.funding(&l, year)?;
    let mut moves = Vec::with_capacity(body.moves.len());
    for m in &body.moves {
        let code = &m.practice;
        let p = *l
            .model
            .practice_index
            .get(code)
            .ok_or_else(|| ApiError::NotFound(format!("practice {code} is not in snapshot {}", l.id)))?;
        let to = match &m.to {
            Some(n) => Some(
                *l.model
                    .network_index
                    .get(n)
                    .ok_or_else(|| ApiError::NotFound(format!("network {n} is not in snapshot {}", l.id)))?,
            ),
            None => None,
        };
        moves.push((p, to));
    }
    let mut touched: BTreeSet<u32> = BTreeSet::new();
    for &(p, to) in &moves {
        touched.extend(l.networks_of[p as usize].iter().copied());
        touched.extend(to);
    }
    let touched: Vec<u32> = touched.into_iter().collect();
    let inputs = pcn_rules::CheckInputs { year: Some(year), ..Default::default() };
    let mut after = l.config.clone();
    for &(p, to) in &moves {
        after.assign(p, to);
    }
    let moved_practices: Vec<u32> = moves.iter().map(|m| m.0).collect();
    // Every rule a move can change: the touched networks', their neighbours'
    // (a neighbour may become, or stop being, an enclave), and the rules about
    // practices in no network or two.
    let mut scope: BTreeSet<u32> = touched.iter().copied().collect();
    scope.extend(pcn_rules::bordering_networks(&l.model, &l.config, &l.networks_of, &[], &touched));
    scope.extend(pcn_rules::bordering_networks(&l.model, &after, &l.networks_of, &moved_practices, &touched));
    let scope: Vec<u32> = scope.into_iter().collect();
    let before_findings =
        pcn_rules::check_networks_after_moves(&l.model, &l.config, &l.networks_of, &[], &inputs, &scope);
    let after_findings =
        pcn_rules::check_networks_after_moves(&l.model, &after, &l.networks_of, &moved_practices, &inputs, &scope);
    let about_moved = |f: &pcn_rules::Finding| {
        f.practices.iter().any(|c| moves.iter().any(|m| &l.model.practices[m.0 as usize].code == c))
    };
    let practice_side = |config: &pcn_rules::Configuration, moved: &[u32]| -> Vec<FindingItem> {
        pcn_rules::practice_findings_after_moves(&l.model, config, &l.networks_of, moved, &inputs, &moved_practices)
            .into_iter()
            .filter(about_moved)
            .map(FindingItem::from)
            .collect()
    };
    let practices =
        PracticeSides { before: practice_side(&l.config, &[]), after: practice_side(&after, &moved_practices) };

    // Funding: the touched networks' inputs with the moved practices' spells
    // taken out, and a whole-year spell added where they go.
    let moved: BTreeMap<u32, Option<u32>> = moves.iter().map(|&(p, to)| (p, to)).collect();
    let mut networks = Vec::with_capacity(scope.len());
    for &n in &scope {
        let of = |fs: &[pcn_rules::Finding]| -> Vec<pcn_rules::Finding> {
            fs.iter().filter(|x| x.network.as_ref() == Some(&l.model.networks[n as usize].code)).cloned().collect()
        };
        let base = l.model.networks[n as usize].code.clone();
        let (found_before, found_after) = (of(&before_findings), of(&after_findings));
        // A neighbour is shown only when a move changes what the rules say of it.
        let is_touched = touched.binary_search(&n).is_ok();
        let said = |fs: &[pcn_rules::Finding]| -> BTreeSet<(&'static str, String)> {
            fs.iter().map(|x| (x.rule, x.message.clone())).collect()
        };
        if !is_touched && said(&found_before) == said(&found_after) {
            continue;
        }
        let input_before = f.network_ix[n as usize].map(|i| &f.networks[i]);
        let input_after = input_before.map(|b| {
            let mut a = b.clone();
            a.spells.retain(|s| !moved.keys().any(|&p| f.practice_ix[p as usize] == Some(s.practice)));
            for (&p, &to) in &moved {
                if to == Some(n)
                    && let Some(fp) = f.practice_ix[p as usize]
                {
                    a.spells.push(pcn_funding::engine::Spell {
                        practice: fp,
                        from: f.rates.year.start(),
                        to: f.rates.year.end(),
                        participating: true,
                    });
                }
            }
            a.spells.sort_by_key(|s| (s.practice, s.from));
            a
        });
        let (before_side, after_side) = (
            side(&l, &f, &l.config.members[n as usize], found_before, input_before),
            side(&l, &f, &after.members[n as usize], found_after, input_after.as_ref()),
        );
        networks.push(TouchedNetwork {
            moved: is_touched,
            code: base.to_string(),
            name: l.model.networks[n as usize].name.clone(),
            commissioner: l.model.networks[n as usize].commissioner.as_ref().map(|c| c.to_string()),
            before: before_side,
            after: after_side,
        });
    }
    let approvers: BTreeSet<String> =
        networks.iter().filter(|n| n.moved).filter_map(|n| n.commissioner.clone()).collect();
    Ok(Json(WhatIfResult {
        snapshot: l.id,
        year: year.to_string(),
        micros: started.elapsed().as_micros() as u64,
        networks,
        practices,
        approvers: approvers.into_iter().collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RepairRequest {
    /// The commissioner whose area to repair (e.g. 15E).
    #[schema(schema_with = crate::schema::commissioner)]
    pub commissioner: CommissionerCode,
    /// Time limit for the search, seconds (default 5, at most 20).
    #[schema(minimum = 0.1, maximum = 20.0)]
    pub seconds: Option<f64>,
    /// Snapshot id (default: the latest).
    #[serde(default, deserialize_with = "crate::schema::integer")]
    pub snapshot: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestedMove {
    pub practice: String,
    pub name: Option<String>,
    pub from: Option<String>,
    /// An existing network, or a new code for a network repair would open.
    pub to: Option<String>,
    pub registered: i64,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorCount {
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Serialize, ToSchema)]
pub struct RepairResult {
    pub snapshot: i64,
    pub commissioner: String,
    pub before: ErrorCount,
    pub after: ErrorCount,
    pub moves: Vec<SuggestedMove>,
    pub seconds: f64,
    /// Why nothing is suggested, when nothing is.
    pub note: Option<String>,
}

/// The fewest membership changes that clear a commissioner area's fixable
/// errors, suggested and not saved (accept them as proposals).
#[utoipa::path(
    post, path = "/api/repair", tag = "pcn", request_body = RepairRequest,
    responses(
        (status = 200, body = RepairResult), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)
    )
)]
pub async fn repair(
    State(state): Shared,
    // Costly: for people who can act on it, not for anyone on the internet.
    Writer { user, .. }: Writer,
    Json(body): Json<RepairRequest>,
) -> Result<Json<RepairResult>, ApiError> {
    if !pcn_workbench::access::may(&user, pcn_workbench::access::Act::Explore) {
        return Err(ApiError::Forbidden(format!("{} may not ask for repairs", user.username)));
    }
    let commissioner = body.commissioner.clone();
    let seconds = body.seconds.unwrap_or(5.0);
    if !(0.1..=20.0).contains(&seconds) {
        return Err(ApiError::BadRequest("seconds is 0.1 to 20".into()));
    }
    let l = state.loaded(body.snapshot).await?;
    if !l.model.networks.iter().any(|n| n.commissioner.as_ref() == Some(&commissioner)) {
        return Err(ApiError::NotFound(format!("commissioner {commissioner} has no networks in snapshot {}", l.id)));
    }
    // Start from the register as the pending proposals leave it (open ones, and
    // approved ones still to take effect), so suggestions add to them.
    let today = time::OffsetDateTime::now_utc().date();
    let start = if l.register_head.is_some() {
        pcn_workbench::proposals::pending_configuration(&state.store, &l.model, today).await?
    } else {
        l.config.clone()
    };
    let start_of = start.networks_of(l.model.practices.len());
    let l2 = l.clone();
    let c2 = commissioner.clone();
    let start2 = start.clone();
    let (outcome, before, after) = tokio::task::spawn_blocking(move || {
        let opts = pcn_form::Options {
            only: pcn_core::Area::Commissioner(c2.clone()),
            time_limit: Some(std::time::Duration::from_secs_f64(seconds)),
            threads: 1,
            ..Default::default()
        };
        let excluded = vec![false; l2.model.practices.len()];
        let outcome = pcn_form::repair::repair(&l2.model, &start2, &excluded, &opts, &|_, _| {});
        let inputs = pcn_rules::CheckInputs::default();
        let count = |model: &pcn_rules::Model, config: &pcn_rules::Configuration| {
            let r = pcn_rules::check(model, config, &inputs);
            let r = pcn_rules::for_commissioner(model, &r, &c2);
            ErrorCount { errors: r.summary.errors, warnings: r.summary.warnings }
        };
        let before = count(&l2.model, &start2);
        let after_model = l2.model.with_networks(outcome.networks.clone());
        let after = count(&after_model, &outcome.config);
        (outcome, before, after)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("repair: {e}")))?;
    // A repair is never worse than where it starts: fewer errors, or as many with fewer warnings.
    let better = (after.errors, after.warnings) < (before.errors, before.warnings);
    let after_of = outcome.config.networks_of(l.model.practices.len());
    let mut moves = Vec::new();
    for (i, p) in l.model.practices.iter().enumerate().filter(|_| better) {
        let from = start_of[i].first().map(|&n| l.model.networks[n as usize].code.to_string());
        let to = after_of[i].first().map(|&n| outcome.networks[n as usize].code.to_string());
        if from == to
            || p.commissioner.as_ref() != Some(&commissioner)
                && !start_of[i]
                    .iter()
                    .any(|&n| l.model.networks[n as usize].commissioner.as_ref() == Some(&commissioner))
        {
            continue;
        }
        let ll = p.location.and_then(|(x, y)| pcn_geo::project::to_lonlat(x, y));
        moves.push(SuggestedMove {
            practice: p.code.to_string(),
            name: p.name.clone(),
            from,
            to,
            registered: p.registered,
            lon: ll.map(|x| x.0),
            lat: ll.map(|x| x.1),
        });
    }
    let note = (!better).then(|| {
        format!(
            "no change lowers the findings of {commissioner} ({} errors, {} warnings) once the pending proposals take effect: nothing to suggest",
            before.errors, before.warnings
        )
    });
    let after = if better { after } else { ErrorCount { errors: before.errors, warnings: before.warnings } };
    Ok(Json(RepairResult {
        snapshot: l.id,
        commissioner: commissioner.to_string(),
        before,
        after,
        moves,
        seconds: outcome.seconds,
        note,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct CompareQuery {
    /// First snapshot id.
    pub a: i64,
    /// Second snapshot id.
    pub b: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct CompareDatesQuery {
    /// First register date, YYYY-MM-DD.
    pub a_date: Day,
    /// Second register date, YYYY-MM-DD.
    pub b_date: Day,
}

#[derive(Serialize, ToSchema)]
pub struct Moved {
    pub practice: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Comparison {
    /// What was compared: snapshot ids or register dates.
    pub a: String,
    pub b: String,
    pub moves: Vec<Moved>,
    /// Networks in b and not in a.
    pub opened: Vec<String>,
    /// Networks in a and not in b.
    pub closed: Vec<String>,
}

/// Practice → network (the first, for a practice in several).
async fn members_of_snapshot(state: &AppState, id: i64) -> Result<Members, ApiError> {
    let l = state.loaded(Some(id)).await?;
    let members = l
        .networks_of
        .iter()
        .enumerate()
        .filter_map(|(p, ns)| {
            ns.first().map(|&n| (l.model.practices[p].code.to_string(), l.model.networks[n as usize].code.to_string()))
        })
        .collect();
    let nets = l.model.networks.iter().map(|n| n.code.to_string()).collect();
    Ok((members, nets))
}

async fn members_of_date(state: &AppState, date: time::Date) -> Result<Members, ApiError> {
    let st = state.store.register_state(date).await?;
    let members = st
        .records
        .iter()
        .filter(|r| r.kind == pcn_core::register::RecordKind::Member)
        .map(|r| (r.subject.clone(), r.network.to_string()))
        .collect();
    Ok((members, st.networks.iter().map(|n| n.code.clone()).collect()))
}

/// How two snapshots' configurations differ.
#[utoipa::path(
    get, path = "/api/compare", tag = "pcn", params(CompareQuery),
    responses((status = 200, body = Comparison), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody))
)]
pub async fn compare(State(state): Shared, Query(q): Query<CompareQuery>) -> Result<Json<Comparison>, ApiError> {
    let (a, b) = (members_of_snapshot(&state, q.a).await?, members_of_snapshot(&state, q.b).await?);
    Ok(Json(comparison(a, b, q.a.to_string(), q.b.to_string())))
}

/// How the register differs between two dates.
#[utoipa::path(
    get, path = "/api/compare/register", tag = "pcn", params(CompareDatesQuery),
    responses((status = 200, body = Comparison), (status = 400, body = crate::error::ErrorBody))
)]
pub async fn compare_register(
    State(state): Shared,
    Query(q): Query<CompareDatesQuery>,
) -> Result<Json<Comparison>, ApiError> {
    let (da, db) = (q.a_date.0, q.b_date.0);
    let (a, b) = (members_of_date(&state, da).await?, members_of_date(&state, db).await?);
    Ok(Json(comparison(a, b, da.to_string(), db.to_string())))
}

type Members = (BTreeMap<String, String>, BTreeSet<String>);

fn comparison((ma, na): Members, (mb, nb): Members, a: String, b: String) -> Comparison {
    let practices: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
    let moves = practices
        .into_iter()
        .filter(|p| ma.get(*p) != mb.get(*p))
        .map(|p| Moved { practice: p.clone(), from: ma.get(p).cloned(), to: mb.get(p).cloned() })
        .collect();
    Comparison {
        a,
        b,
        moves,
        opened: nb.difference(&na).cloned().collect(),
        closed: na.difference(&nb).cloned().collect(),
    }
}
