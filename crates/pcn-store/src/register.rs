//! The network register in the store: effective-dated records, the
//! append-only change log, and proposals.
//!
//! Every write is one transaction. A write that names the version of a
//! network it was based on is refused, with who changed it since and why, if
//! the network has moved on (optimistic concurrency); the version bump is the
//! transaction's first statement, so concurrent writers queue on it (SQLite's
//! lock, PostgreSQL's row lock) instead of racing.

use std::collections::{BTreeMap, BTreeSet};

use pcn_core::register::{Change, Proposal, ProposalKind, ProposalStatus, Record, RecordKind};
use pcn_core::{NetworkCode, PracticeCode};
use sqlx::{AnyConnection, Row};
use time::{Date, Duration};

use crate::codec::parse_date;
use crate::{Result, Store, StoreError};

/// Who makes a change and why: kept with it for ever.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Who {
    pub actor: String,
    pub reason: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// A network in the register.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RegNetwork {
    pub code: String,
    pub name: Option<String>,
    pub commissioner: Option<String>,
    pub opened: Date,
    pub closed: Option<Date>,
    pub version: i64,
}

/// One line of the change log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoggedChange {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub reason: String,
    pub action: String,
    pub network: Option<String>,
    pub subject: Option<String>,
    pub effective: Date,
    pub detail: serde_json::Value,
    pub proposal: Option<i64>,
    pub version: Option<i64>,
}

/// Why a register write was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error(
        "network {network} changed since you read it: you had version {expected}, it is now {actual} (last change {last}); read it again and redo your edit"
    )]
    Stale { network: String, expected: i64, actual: i64, last: String },
    #[error("network {0} is not in the register")]
    NoSuchNetwork(String),
    #[error("network {0} is already in the register")]
    NetworkExists(String),
    #[error("{0}")]
    Invalid(String),
    #[error("proposal {0} does not exist")]
    NoSuchProposal(i64),
    #[error("proposal {id} was already {status}")]
    Decided { id: i64, status: String },
}

/// A commissioner's agreement to a proposal that touches their area.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Consent {
    pub commissioner: String,
    pub who: Who,
}

/// The register as of one date.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RegisterState {
    pub as_of: Option<Date>,
    pub networks: Vec<RegNetwork>,
    pub records: Vec<Record>,
}

impl RegisterState {
    pub fn members(&self, network: &str) -> Vec<PracticeCode> {
        self.records
            .iter()
            .filter(|r| r.kind == RecordKind::Member && r.network.as_str() == network)
            .filter_map(|r| PracticeCode::parse(&r.subject).ok())
            .collect()
    }

    pub fn network(&self, code: &str) -> Option<&RegNetwork> {
        self.networks.iter().find(|n| n.code == code)
    }
}

/// What a sync from a dated state did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SyncSummary {
    #[serde(serialize_with = "crate::codec::iso_date_opt")]
    pub effective: Option<Date>,
    pub opened: Vec<String>,
    pub closed: Vec<String>,
    pub joined: usize,
    pub left: usize,
    /// Practices that were members elsewhere the day before.
    pub moved: Vec<(String, String, String)>,
    pub changes: usize,
}

fn refused(r: Refused) -> StoreError {
    StoreError::Refused(r)
}

fn day_before(d: Date) -> Date {
    d - Duration::days(1)
}

/// Test hook: `PCN_TEST_PAUSE_IN_TX=ms` makes register writes and imports
/// announce themselves on stderr and sleep inside their transaction, so the
/// crash tests can kill the process there.
pub(crate) async fn pause_in_transaction(what: &str) {
    if let Some(ms) = std::env::var("PCN_TEST_PAUSE_IN_TX").ok().and_then(|v| v.parse::<u64>().ok()) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "pcn-test: inside the {what} transaction");
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

async fn last_change(conn: &mut AnyConnection, network: &str) -> Result<String> {
    let row = sqlx::query(
        "SELECT actor, at, reason, action FROM register_changes WHERE network = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(network.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => format!(
            "{} by {} at {}: {}",
            r.get::<String, _>(3),
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<String, _>(2)
        ),
        None => "none recorded".into(),
    })
}

/// Bumps a network's version, refusing if it is not the expected one.
async fn bump(conn: &mut AnyConnection, network: &str, expected: Option<i64>) -> Result<i64> {
    // One round trip when it succeeds: the new version comes back with the update.
    let bumped: Option<i64> = sqlx::query_scalar(
        "UPDATE register_networks SET version = version + 1 WHERE code = $1 AND ($2 IS NULL OR version = $2) RETURNING version",
    )
    .bind(network.to_string())
    .bind(expected)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(v) = bumped {
        return Ok(v);
    }
    let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM register_networks WHERE code = $1")
        .bind(network.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    match actual {
        None => Err(refused(Refused::NoSuchNetwork(network.to_string()))),
        Some(actual) => {
            let last = last_change(conn, network).await?;
            Err(refused(Refused::Stale { network: network.to_string(), expected: expected.unwrap_or(0), actual, last }))
        }
    }
}

/// Ends the open records matching, the day before `effective`.
async fn end_records(
    conn: &mut AnyConnection,
    network: Option<&str>,
    kind: RecordKind,
    subject: Option<&str>,
    effective: Date,
    change: i64,
) -> Result<u64> {
    let until = day_before(effective).to_string();
    // A record starting on the effective date itself is superseded the same
    // day (it ends the day before it starts, so it never holds); one starting
    // later cannot be ended before it starts.
    let started_after: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM register_records WHERE kind = $1 AND valid_to IS NULL
             AND ($2 IS NULL OR network = $2) AND ($3 IS NULL OR subject = $3) AND valid_from > $4",
    )
    .bind(kind.as_str())
    .bind(network.map(str::to_string))
    .bind(subject.map(str::to_string))
    .bind(effective.to_string())
    .fetch_one(&mut *conn)
    .await?;
    if started_after > 0 {
        return Err(refused(Refused::Invalid(format!(
            "a {} record {} starts after {effective}: it cannot end before it starts",
            kind.as_str(),
            subject.unwrap_or("")
        ))));
    }
    Ok(sqlx::query(
        "UPDATE register_records SET valid_to = $4, ended_by = $5 WHERE kind = $1 AND valid_to IS NULL
             AND ($2 IS NULL OR network = $2) AND ($3 IS NULL OR subject = $3)",
    )
    .bind(kind.as_str())
    .bind(network.map(str::to_string))
    .bind(subject.map(str::to_string))
    .bind(until)
    .bind(change)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

#[allow(clippy::too_many_arguments)]
async fn add_record(
    conn: &mut AnyConnection,
    network: &str,
    kind: RecordKind,
    subject: &str,
    detail: serde_json::Value,
    from: Date,
    to: Option<Date>,
    change: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO register_records (network, kind, subject, detail, valid_from, valid_to, change_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(network.to_string())
    .bind(kind.as_str())
    .bind(subject.to_string())
    .bind(detail.to_string())
    .bind(from.to_string())
    .bind(to.map(|d| d.to_string()))
    .bind(change)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn open_count(conn: &mut AnyConnection, network: &str, kind: RecordKind, subject: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM register_records WHERE network = $1 AND kind = $2 AND subject = $3 AND valid_to IS NULL",
    )
    .bind(network.to_string())
    .bind(kind.as_str())
    .bind(subject.to_string())
    .fetch_one(&mut *conn)
    .await?)
}

/// Writes one change: its log line, then the records it ends and starts.
async fn write_change(
    conn: &mut AnyConnection,
    change: &Change,
    effective: Date,
    who: &Who,
    proposal: Option<i64>,
    version: Option<i64>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO register_changes (at, actor, reason, action, network, subject, effective, detail, proposal_id, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(who.at.clone())
    .bind(who.actor.clone())
    .bind(who.reason.clone())
    .bind(change.action())
    .bind(change.network().to_string())
    .bind(change.subject())
    .bind(effective.to_string())
    .bind(serde_json::to_string(change).expect("serialisable"))
    .bind(proposal)
    .bind(version)
    .fetch_one(&mut *conn)
    .await?;
    let net = change.network().to_string();
    match change {
        Change::OpenNetwork { .. } => {}
        Change::CloseNetwork { network } => {
            let closed = sqlx::query("UPDATE register_networks SET closed = $2 WHERE code = $1 AND closed IS NULL")
                .bind(network.to_string())
                .bind(day_before(effective).to_string())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if closed == 0 {
                return Err(refused(Refused::Invalid(format!("network {network} is already closed"))));
            }
            for kind in [
                RecordKind::Member,
                RecordKind::NonParticipant,
                RecordKind::ClinicalDirector,
                RecordKind::NominatedPayee,
                RecordKind::Agreement,
                RecordKind::Partner,
            ] {
                end_records(conn, Some(&net), kind, None, effective, id).await?;
            }
        }
        Change::Join { network, practice } => {
            if open_count(conn, &net, RecordKind::Member, practice.as_str()).await? > 0 {
                return Err(refused(Refused::Invalid(format!("{practice} is already a member of {network}"))));
            }
            // A membership elsewhere ends the day before: a move.
            end_records(conn, None, RecordKind::Member, Some(practice.as_str()), effective, id).await?;
            add_record(conn, &net, RecordKind::Member, practice.as_str(), serde_json::Value::Null, effective, None, id)
                .await?;
        }
        Change::Leave { network, practice } => {
            if end_records(conn, Some(&net), RecordKind::Member, Some(practice.as_str()), effective, id).await? == 0 {
                return Err(refused(Refused::Invalid(format!("{practice} is not a member of {network}"))));
            }
        }
        Change::NonParticipant { practice, .. } => {
            add_record(
                conn,
                &net,
                RecordKind::NonParticipant,
                practice.as_str(),
                serde_json::Value::Null,
                effective,
                None,
                id,
            )
            .await?;
        }
        Change::EndNonParticipant { network, practice } => {
            if end_records(conn, Some(&net), RecordKind::NonParticipant, Some(practice.as_str()), effective, id).await?
                == 0
            {
                return Err(refused(Refused::Invalid(format!("{practice} is not covered by {network}"))));
            }
        }
        Change::ClinicalDirector { name, practice, .. } => {
            end_records(conn, Some(&net), RecordKind::ClinicalDirector, None, effective, id).await?;
            let detail = serde_json::json!({ "practice": practice });
            add_record(conn, &net, RecordKind::ClinicalDirector, name, detail, effective, None, id).await?;
        }
        Change::NominatedPayee { payee, .. } => {
            end_records(conn, Some(&net), RecordKind::NominatedPayee, None, effective, id).await?;
            add_record(conn, &net, RecordKind::NominatedPayee, payee, serde_json::Value::Null, effective, None, id)
                .await?;
        }
        Change::Agreement { signed, schedules_complete, .. } => {
            end_records(conn, Some(&net), RecordKind::Agreement, None, effective, id).await?;
            let detail = serde_json::json!({ "signed": signed.to_string(), "schedules_complete": schedules_complete });
            add_record(conn, &net, RecordKind::Agreement, &signed.to_string(), detail, effective, None, id).await?;
        }
        Change::AddPartner { organisation, kind, .. } => {
            let detail = serde_json::json!({ "kind": kind });
            add_record(conn, &net, RecordKind::Partner, organisation, detail, effective, None, id).await?;
        }
        Change::RemovePartner { network, organisation } => {
            if end_records(conn, Some(&net), RecordKind::Partner, Some(organisation), effective, id).await? == 0 {
                return Err(refused(Refused::Invalid(format!("{organisation} is not a partner of {network}"))));
            }
        }
        Change::Approval { approval } => {
            let detail = serde_json::to_value(approval).expect("serialisable");
            let from = approval.from.unwrap_or(effective);
            add_record(conn, &net, RecordKind::Approval, &approval.reference, detail, from, approval.to, id).await?;
        }
    }
    Ok(id)
}

/// Applies changes in one open transaction: opens new networks, bumps every
/// touched network's version once (checking those in `expect`), then writes.
async fn apply_in(
    conn: &mut AnyConnection,
    effective: Date,
    changes: &[Change],
    who: &Who,
    expect: &BTreeMap<String, i64>,
    proposal: Option<i64>,
) -> Result<BTreeMap<String, i64>> {
    let mut versions = BTreeMap::new();
    let touched: BTreeSet<String> = changes.iter().map(|c| c.network().to_string()).collect();
    let opened: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::OpenNetwork { network, .. } => Some(network.to_string()),
            _ => None,
        })
        .collect();
    // In a fixed order, so two writers never wait on each other crosswise.
    for code in &touched {
        if opened.contains(code) {
            continue;
        }
        versions.insert(code.clone(), bump(conn, code, expect.get(code).copied()).await?);
    }
    for c in changes {
        if let Change::OpenNetwork { network, name, commissioner } = c {
            let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM register_networks WHERE code = $1")
                .bind(network.to_string())
                .fetch_one(&mut *conn)
                .await?;
            if exists > 0 {
                return Err(refused(Refused::NetworkExists(network.to_string())));
            }
            sqlx::query(
                "INSERT INTO register_networks (code, name, commissioner, opened, closed, version) VALUES ($1, $2, $3, $4, NULL, 1)",
            )
            .bind(network.to_string())
            .bind(name.clone())
            .bind(commissioner.as_ref().map(|c| c.to_string()))
            .bind(effective.to_string())
            .execute(&mut *conn)
            .await?;
            versions.insert(network.to_string(), 1);
        }
    }
    for c in changes {
        write_change(conn, c, effective, who, proposal, versions.get(c.network().as_str()).copied()).await?;
    }
    Ok(versions)
}

fn parse_network_row(path: &str, row: &sqlx::any::AnyRow) -> Result<RegNetwork> {
    Ok(RegNetwork {
        code: row.get(0),
        name: row.get(1),
        commissioner: row.get(2),
        opened: parse_date(path, Some(row.get(3)))?.expect("some"),
        closed: parse_date(path, row.get(4))?,
        version: row.get(5),
    })
}

fn parse_record(path: &str, row: &sqlx::any::AnyRow) -> Result<Record> {
    let corrupt = |what: &str| StoreError::Corrupt { path: path.to_string(), what: what.to_string() };
    let network: String = row.get(1);
    let kind: String = row.get(2);
    let detail: Option<String> = row.get(4);
    Ok(Record {
        id: row.get(0),
        network: NetworkCode::parse(&network).map_err(|_| corrupt("register network code"))?,
        kind: RecordKind::parse(&kind).ok_or_else(|| corrupt("register record kind"))?,
        subject: row.get(3),
        detail: detail
            .map_or(Ok(serde_json::Value::Null), |d| serde_json::from_str(&d))
            .map_err(|_| corrupt("detail"))?,
        valid_from: parse_date(path, Some(row.get(5)))?.expect("some"),
        valid_to: parse_date(path, row.get(6))?,
    })
}

fn parse_logged(path: &str, row: &sqlx::any::AnyRow) -> Result<LoggedChange> {
    let detail: Option<String> = row.get(8);
    Ok(LoggedChange {
        id: row.get(0),
        at: row.get(1),
        actor: row.get(2),
        reason: row.get(3),
        action: row.get(4),
        network: row.get(5),
        subject: row.get(6),
        effective: parse_date(path, Some(row.get(7)))?.expect("some"),
        detail: detail.and_then(|d| serde_json::from_str(&d).ok()).unwrap_or(serde_json::Value::Null),
        proposal: row.get(9),
        version: row.get(10),
    })
}

const LOG_COLUMNS: &str = "id, at, actor, reason, action, network, subject, effective, detail, proposal_id, version";

fn parse_proposal(path: &str, row: &sqlx::any::AnyRow) -> Result<Proposal> {
    let corrupt = |what: &str| StoreError::Corrupt { path: path.to_string(), what: what.to_string() };
    let detail: String = row.get(1);
    let status: String = row.get(3);
    let findings: Option<String> = row.get(9);
    Ok(Proposal {
        id: row.get(0),
        kind: serde_json::from_str::<ProposalKind>(&detail).map_err(|_| corrupt("proposal"))?,
        effective: parse_date(path, Some(row.get(2)))?.expect("some"),
        status: ProposalStatus::parse(&status).ok_or_else(|| corrupt("proposal status"))?,
        base_version: row.get(4),
        proposed_by: row.get(5),
        proposed_at: row.get(6),
        reason: row.get(7),
        deadline: parse_date(path, row.get(8))?,
        findings: findings.and_then(|f| serde_json::from_str(&f).ok()).unwrap_or(serde_json::Value::Null),
        decided_by: row.get(10),
        decided_at: row.get(11),
        decision_reason: row.get(12),
    })
}

const PROPOSAL_COLUMNS: &str = "id, detail, effective, status, base_version, proposed_by, proposed_at, reason, deadline, findings, decided_by, decided_at, decision_reason";

impl Store {
    /// Applies changes effective from a date, atomically; `expect` names the
    /// versions of networks the caller read (refused if any moved on).
    pub async fn register_apply(
        &self,
        effective: Date,
        changes: &[Change],
        who: &Who,
        expect: &BTreeMap<String, i64>,
    ) -> Result<BTreeMap<String, i64>> {
        let mut tx = self.pool.begin().await?;
        let versions = apply_in(&mut tx, effective, changes, who, expect, None).await?;
        pause_in_transaction("register").await;
        tx.commit().await?;
        Ok(versions)
    }

    /// The register as of a date: networks open then, records holding then.
    pub async fn register_state(&self, as_of: Date) -> Result<RegisterState> {
        let d = as_of.to_string();
        let rows = sqlx::query(
            "SELECT code, name, commissioner, opened, closed, version FROM register_networks
             WHERE opened <= $1 AND (closed IS NULL OR closed >= $1) ORDER BY code",
        )
        .bind(d.clone())
        .fetch_all(&self.pool)
        .await?;
        let networks = rows.iter().map(|r| parse_network_row(&self.path, r)).collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT id, network, kind, subject, detail, valid_from, valid_to FROM register_records
             WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) ORDER BY network, kind, subject, id",
        )
        .bind(d)
        .fetch_all(&self.pool)
        .await?;
        let records = rows.iter().map(|r| parse_record(&self.path, r)).collect::<Result<Vec<_>>>()?;
        Ok(RegisterState { as_of: Some(as_of), networks, records })
    }

    /// Every network ever in the register, with its current version.
    /// The latest snapshot's id and the register's last change id, in one
    /// query: what a server's cached view of "now" depends on.
    pub async fn heads(&self) -> Result<(Option<i64>, Option<i64>)> {
        let row: (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT id FROM snapshots ORDER BY as_of DESC, id DESC LIMIT 1), (SELECT MAX(id) FROM register_changes)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row)
    }

    pub async fn register_networks(&self) -> Result<Vec<RegNetwork>> {
        let rows = sqlx::query(
            "SELECT code, name, commissioner, opened, closed, version FROM register_networks ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parse_network_row(&self.path, r)).collect()
    }

    /// Every record of a network, or about a practice (as subject), over time.
    pub async fn register_records_of(&self, network: Option<&str>, subject: Option<&str>) -> Result<Vec<Record>> {
        let rows = sqlx::query(
            "SELECT id, network, kind, subject, detail, valid_from, valid_to FROM register_records
             WHERE ($1 IS NULL OR network = $1) AND ($2 IS NULL OR subject = $2) ORDER BY valid_from, id",
        )
        .bind(network.map(str::to_string))
        .bind(subject.map(str::to_string))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parse_record(&self.path, r)).collect()
    }

    /// The change log: for a network, about a subject, or effective in a date range.
    pub async fn register_log(
        &self,
        network: Option<&str>,
        subject: Option<&str>,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<LoggedChange>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LOG_COLUMNS} FROM register_changes
             WHERE ($1 IS NULL OR network = $1) AND ($2 IS NULL OR subject = $2)
               AND ($3 IS NULL OR effective >= $3) AND ($4 IS NULL OR effective <= $4) ORDER BY id"
        )))
        .bind(network.map(str::to_string))
        .bind(subject.map(str::to_string))
        .bind(from.map(|d| d.to_string()))
        .bind(to.map(|d| d.to_string()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parse_logged(&self.path, r)).collect()
    }

    /// Brings the register to a dated state (e.g. a snapshot's memberships),
    /// as the changes that lead there, in one transaction.
    pub async fn register_sync(
        &self,
        effective: Date,
        networks: &[(NetworkCode, Option<String>, Option<String>)],
        members: &[(PracticeCode, NetworkCode)],
        who: &Who,
    ) -> Result<SyncSummary> {
        let before = self.register_state(effective).await?;
        let all = self.register_networks().await?;
        let known: BTreeSet<&str> = all.iter().map(|n| n.code.as_str()).collect();
        let wanted: BTreeMap<&str, &str> = members.iter().map(|(p, n)| (p.as_str(), n.as_str())).collect();
        let current: BTreeMap<String, String> = before
            .records
            .iter()
            .filter(|r| r.kind == RecordKind::Member)
            .map(|r| (r.subject.clone(), r.network.to_string()))
            .collect();
        let with_members: BTreeSet<&str> = wanted.values().copied().collect();
        let mut changes = Vec::new();
        let mut summary = SyncSummary { effective: Some(effective), ..Default::default() };
        for (code, name, commissioner) in networks {
            if !known.contains(code.as_str()) && with_members.contains(code.as_str()) {
                changes.push(Change::OpenNetwork {
                    network: code.clone(),
                    name: name.clone(),
                    commissioner: commissioner.as_deref().and_then(|c| pcn_core::CommissionerCode::parse(c).ok()),
                });
                summary.opened.push(code.to_string());
            }
        }
        for (practice, network) in &wanted {
            match current.get(*practice) {
                Some(n) if n == network => {}
                other => {
                    if let Some(from) = other {
                        summary.moved.push((practice.to_string(), from.clone(), network.to_string()));
                    }
                    summary.joined += 1;
                    changes.push(Change::Join {
                        network: NetworkCode::parse(network).expect("valid"),
                        practice: PracticeCode::parse(practice).expect("valid"),
                    });
                }
            }
        }
        for (practice, network) in &current {
            if !wanted.contains_key(practice.as_str()) {
                summary.left += 1;
                changes.push(Change::Leave {
                    network: NetworkCode::parse(network).expect("valid"),
                    practice: PracticeCode::parse(practice).expect("valid"),
                });
            }
        }
        // Networks open then with no member left close.
        for n in &before.networks {
            if !with_members.contains(n.code.as_str()) {
                summary.closed.push(n.code.clone());
                changes.push(Change::CloseNetwork { network: NetworkCode::parse(&n.code).expect("valid") });
            }
        }
        summary.changes = changes.len();
        if !changes.is_empty() {
            self.register_apply(effective, &changes, who, &BTreeMap::new()).await?;
        }
        Ok(summary)
    }

    pub async fn propose(
        &self,
        kind: &ProposalKind,
        effective: Date,
        who: &Who,
        deadline: Option<Date>,
        findings: &serde_json::Value,
    ) -> Result<i64> {
        let network = kind.network().to_string();
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM register_networks WHERE code = $1")
            .bind(network.clone())
            .fetch_optional(&self.pool)
            .await?;
        let version = version.ok_or_else(|| refused(Refused::NoSuchNetwork(network.clone())))?;
        Ok(sqlx::query_scalar(
            "INSERT INTO proposals (action, network, subject, detail, effective, status, base_version, proposed_by, proposed_at, reason, deadline, findings)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(kind.action())
        .bind(network)
        .bind(None::<String>)
        .bind(serde_json::to_string(kind).expect("serialisable"))
        .bind(effective.to_string())
        .bind(version)
        .bind(who.actor.clone())
        .bind(who.at.clone())
        .bind(who.reason.clone())
        .bind(deadline.map(|d| d.to_string()))
        .bind(findings.to_string())
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn proposal(&self, id: i64) -> Result<Proposal> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| refused(Refused::NoSuchProposal(id)))?;
        parse_proposal(&self.path, &row)
    }

    pub async fn proposals(&self, status: Option<ProposalStatus>) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE ($1 IS NULL OR status = $1) ORDER BY id"
        )))
        .bind(status.map(|s| s.as_str().to_string()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parse_proposal(&self.path, r)).collect()
    }

    /// Approves (applying `changes`, checked against the versions in
    /// `expect`) or rejects an open proposal, atomically.
    /// `effective` is the proposal's (the caller has read it to make `changes`).
    pub async fn decide(
        &self,
        id: i64,
        effective: Date,
        approve: bool,
        changes: &[Change],
        who: &Who,
        expect: &BTreeMap<String, i64>,
    ) -> Result<BTreeMap<String, i64>> {
        let mut tx = self.pool.begin().await?;
        let versions = decide_in(&mut tx, id, effective, approve, changes, who, expect).await?;
        pause_in_transaction("approval").await;
        tx.commit().await?;
        Ok(versions)
    }

    /// Records a commissioner's agreement to an open proposal (once per
    /// commissioner: agreeing again keeps the first). The proposal is not
    /// decided here: the caller approves it when every commissioner it needs
    /// has agreed.
    pub async fn consent(&self, id: i64, commissioner: &str, who: &Who) -> Result<()> {
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match status.as_deref() {
            None => return Err(refused(Refused::NoSuchProposal(id))),
            Some("open") => {}
            Some(s) => return Err(refused(Refused::Decided { id, status: s.to_string() })),
        }
        sqlx::query(
            "INSERT INTO proposal_consents (proposal_id, commissioner, actor, at, reason) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (proposal_id, commissioner) DO NOTHING",
        )
        .bind(id)
        .bind(commissioner.to_string())
        .bind(who.actor.clone())
        .bind(who.at.clone())
        .bind(who.reason.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The commissioners who have agreed to a proposal, in the order they did.
    pub async fn consents(&self, id: i64) -> Result<Vec<Consent>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT commissioner, actor, at, reason FROM proposal_consents WHERE proposal_id = $1 ORDER BY at, commissioner",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(commissioner, actor, at, reason)| Consent { commissioner, who: Who { actor, reason, at } })
            .collect())
    }

    /// Several decisions in one transaction, each in its own savepoint: one
    /// refused leaves the others, and the batch becomes durable (or, if the
    /// process dies first, vanishes) as a whole, with one commit.
    pub async fn batch(&self) -> Result<Batch<'_>> {
        Ok(Batch { tx: self.pool.begin().await? })
    }
}

/// See [`Store::batch`].
pub struct Batch<'a> {
    tx: sqlx::Transaction<'a, sqlx::Any>,
}

impl Batch<'_> {
    pub async fn decide(
        &mut self,
        id: i64,
        effective: Date,
        approve: bool,
        changes: &[Change],
        who: &Who,
        expect: &BTreeMap<String, i64>,
    ) -> Result<BTreeMap<String, i64>> {
        let mut savepoint = sqlx::Acquire::begin(&mut *self.tx).await?;
        match decide_in(&mut savepoint, id, effective, approve, changes, who, expect).await {
            Ok(v) => {
                savepoint.commit().await?;
                Ok(v)
            }
            Err(e) => {
                savepoint.rollback().await?;
                Err(e)
            }
        }
    }

    pub async fn commit(self) -> Result<()> {
        pause_in_transaction("approval").await;
        self.tx.commit().await?;
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn decide_in(
    conn: &mut AnyConnection,
    id: i64,
    effective: Date,
    approve: bool,
    changes: &[Change],
    who: &Who,
    expect: &BTreeMap<String, i64>,
) -> Result<BTreeMap<String, i64>> {
    let status = if approve { "approved" } else { "rejected" };
    let done = sqlx::query(
        "UPDATE proposals SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(status)
    .bind(who.actor.clone())
    .bind(who.at.clone())
    .bind(who.reason.clone())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        let now: Option<String> = sqlx::query_scalar("SELECT status FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        return Err(refused(match now {
            Some(status) => Refused::Decided { id, status },
            None => Refused::NoSuchProposal(id),
        }));
    }
    if approve { apply_in(conn, effective, changes, who, expect, Some(id)).await } else { Ok(BTreeMap::new()) }
}
