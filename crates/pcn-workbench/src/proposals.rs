//! Proposals: a change asked for by one user and decided by others. Drafting
//! one (the networks it touches, so a front door can ask who may), its rules
//! check against the register on its effective date, who must agree to it,
//! and deciding: a commissioner agrees for their area and the last agreement
//! approves, an admin decides alone, a batch is one transaction. Shared by
//! `pcn propose|approve|reject` and the API.
//!
//! The check is a model of the latest snapshot's practices with the
//! register's networks, the register's members held in memory and moved as
//! proposals are approved, so a batch of decisions is checked in order.

use std::collections::{BTreeMap, BTreeSet};

use pcn_core::register::{Change, Proposal, ProposalKind, ProposalStatus, RecordKind};
use pcn_core::{FinancialYear, NetworkCode, PracticeCode, Snapshot};
use pcn_store::register::Who;
use pcn_store::{Include, Store, StoreError};
use serde::Serialize;
use time::Date;

/// A rule's finding as a proposal records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMessage {
    pub rule: String,
    pub message: String,
}

/// The rules check kept with a proposal: errors the change would add,
/// warnings after it, and whether the year's notification deadline had passed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Findings {
    pub errors: Vec<String>,
    pub warnings: Vec<RuleMessage>,
    pub late: bool,
}

/// The notification deadline of the year a change takes effect in, if the
/// year's table records one.
pub fn deadline_for(effective: Date) -> Option<Date> {
    let rates = pcn_funding::rates::year(FinancialYear::containing(effective)).ok()?;
    rates.key_dates.iter().find(|k| k.deadline == Some(pcn_funding::rates::Deadline::Notification)).map(|k| k.date)
}

/// The rules check of proposals: a model of the latest snapshot's practices
/// with the register's networks, and the register's members held in memory
/// and moved as proposals are approved.
pub struct Checker {
    pub model: pcn_rules::Model,
    pub members: BTreeMap<String, String>,
    /// `members` by index, kept in step with it.
    config: pcn_rules::Configuration,
    pub versions: BTreeMap<String, i64>,
    open: BTreeSet<String>,
}

impl Checker {
    pub async fn new(store: &Store, as_of: Date) -> Result<Self, pcn_store::StoreError> {
        let id = store.latest_snapshot().await?;
        let mut snap: Snapshot = store.load_snapshot(id, Include::default()).await?;
        let state = store.register_state(as_of).await?;
        let all = store.register_networks().await?;
        let members = crate::view::with_register(&mut snap, &all, &state);
        let (model, _) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
        let mut checker = Self {
            model,
            members,
            config: pcn_rules::Configuration::default(),
            versions: all.iter().map(|n| (n.code.clone(), n.version)).collect(),
            open: state.networks.iter().map(|n| n.code.clone()).collect(),
        };
        checker.config = checker.config(&checker.members);
        Ok(checker)
    }

    pub fn members_of(&self, network: &NetworkCode) -> Vec<PracticeCode> {
        self.members
            .iter()
            .filter(|(_, n)| n.as_str() == network.as_str())
            .filter_map(|(p, _)| PracticeCode::parse(p).ok())
            .collect()
    }

    fn config(&self, members: &BTreeMap<String, String>) -> pcn_rules::Configuration {
        let mut m = vec![Vec::new(); self.model.networks.len()];
        for (p, n) in members {
            if let (Some(pi), Some(ni)) = (self.practice_ix(p), self.network_ix(n)) {
                m[ni as usize].push(pi);
            }
        }
        for v in &mut m {
            v.sort_unstable();
        }
        pcn_rules::Configuration { members: m }
    }

    fn practice_ix(&self, code: &str) -> Option<u32> {
        PracticeCode::parse(code).ok().and_then(|c| self.model.practice_index.get(&c).copied())
    }

    fn network_ix(&self, code: &str) -> Option<u32> {
        NetworkCode::parse(code).ok().and_then(|c| self.model.network_index.get(&c).copied())
    }

    /// The configuration after the changes: a copy of the current one with the moves made.
    fn config_after(&self, changes: &[Change]) -> pcn_rules::Configuration {
        let mut config = self.config.clone();
        for c in changes {
            let (practice, to) = match c {
                Change::Join { network, practice } => (practice, self.network_ix(network.as_str())),
                Change::Leave { practice, .. } => (practice, None),
                _ => continue,
            };
            let Some(p) = self.practice_ix(practice.as_str()) else { continue };
            for members in &mut config.members {
                members.retain(|x| *x != p);
            }
            if let Some(n) = to {
                let v = &mut config.members[n as usize];
                let at = v.partition_point(|x| *x < p);
                v.insert(at, p);
            }
        }
        config
    }

    /// Errors the changes would add (governance facts first, then the rules on
    /// the networks they touch), and the warnings after them.
    pub fn check(&self, changes: &[Change], effective: Date) -> (Vec<String>, Vec<RuleMessage>) {
        // A network the proposal opens (a split) joins the model for the check,
        // under the commissioner of the network its first practice leaves.
        let opened: Vec<pcn_rules::NetworkFacts> = changes
            .iter()
            .filter_map(|c| match c {
                Change::OpenNetwork { network, name, commissioner }
                    if !self.model.network_index.contains_key(network) =>
                {
                    let inherited = changes.iter().find_map(|j| match j {
                        Change::Join { network: to, practice } if to == network => self
                            .members
                            .get(practice.as_str())
                            .and_then(|from| NetworkCode::parse(from).ok())
                            .and_then(|from| self.model.network_index.get(&from))
                            .and_then(|i| self.model.networks[*i as usize].commissioner.clone()),
                        _ => None,
                    });
                    Some(pcn_rules::NetworkFacts {
                        code: network.clone(),
                        name: name.clone(),
                        commissioner: commissioner.clone().or(inherited),
                        open: true,
                    })
                }
                _ => None,
            })
            .collect();
        if !opened.is_empty() {
            let mut networks = self.model.networks.clone();
            networks.extend(opened);
            let mut wider = Checker {
                model: self.model.with_networks(networks),
                members: self.members.clone(),
                config: self.config.clone(),
                versions: BTreeMap::new(),
                open: self.open.clone(),
            };
            wider.config.members.resize(wider.model.networks.len(), Vec::new());
            return wider.check(changes, effective);
        }
        let mut errors = Vec::new();
        for c in changes {
            match c {
                Change::ClinicalDirector { network, practice: Some(practice), .. }
                    if self.members.get(practice.as_str()).map(String::as_str) != Some(network.as_str()) =>
                {
                    errors.push(format!(
                        "governance: the clinical director must work in a member practice; {practice} is not a member of {network} on {effective}"
                    ));
                }
                Change::NominatedPayee { network, payee } => {
                    if let Ok(p) = PracticeCode::parse(payee)
                        && self.members.get(p.as_str()).map(String::as_str) != Some(network.as_str())
                    {
                        errors.push(format!(
                            "governance: the nominated payee practice {payee} is not a member of {network} on {effective}"
                        ));
                    }
                }
                Change::Join { network, .. } | Change::Leave { network, .. }
                    if !self.open.contains(network.as_str())
                        && !changes
                            .iter()
                            .any(|o| matches!(o, Change::OpenNetwork { network: n, .. } if n == network)) =>
                {
                    errors.push(format!("network {network} is not open on {effective}"));
                }
                _ => {}
            }
        }
        let touched: Vec<u32> = changes
            .iter()
            .filter_map(|c| self.model.network_index.get(c.network()).copied())
            .chain(changes.iter().filter_map(|c| {
                match c {
                    Change::Join { practice, .. } => self
                        .members
                        .get(practice.as_str())
                        .and_then(|n| NetworkCode::parse(n).ok())
                        .and_then(|n| self.model.network_index.get(&n).copied()),
                    _ => None,
                }
            }))
            .collect::<BTreeSet<u32>>()
            .into_iter()
            .collect();
        let inputs = pcn_rules::CheckInputs { year: Some(FinancialYear::containing(effective)), ..Default::default() };
        let errors_of = |findings: &[pcn_rules::Finding]| -> BTreeSet<(String, String)> {
            findings
                .iter()
                .filter(|f| f.severity == pcn_rules::Severity::Error)
                .map(|f| (f.rule.to_string(), f.message.clone()))
                .collect()
        };
        let before = errors_of(&pcn_rules::check_networks(&self.model, &self.config, &inputs, &touched));
        let after_findings = pcn_rules::check_networks(&self.model, &self.config_after(changes), &inputs, &touched);
        for (rule, message) in errors_of(&after_findings).difference(&before) {
            errors.push(format!("{rule}: {message}"));
        }
        let warnings: Vec<RuleMessage> = after_findings
            .iter()
            .filter(|f| f.severity == pcn_rules::Severity::Warning)
            .map(|f| RuleMessage { rule: f.rule.to_string(), message: f.message.clone() })
            .collect();
        (errors, warnings)
    }

    /// Moves the in-memory members after an approval.
    pub fn applied(&mut self, changes: &[Change], versions: &BTreeMap<String, i64>) {
        self.config = self.config_after(changes);
        for c in changes {
            match c {
                Change::Join { network, practice } => {
                    self.members.insert(practice.to_string(), network.to_string());
                }
                Change::Leave { practice, .. } => {
                    self.members.remove(practice.as_str());
                }
                _ => {}
            }
        }
        for c in changes {
            match c {
                Change::OpenNetwork { network, .. } => {
                    self.open.insert(network.to_string());
                }
                Change::CloseNetwork { network } => {
                    self.open.remove(network.as_str());
                    self.members.retain(|_, n| n.as_str() != network.as_str());
                }
                _ => {}
            }
        }
        self.versions.extend(versions.iter().map(|(k, v)| (k.clone(), *v)));
    }
}

/// Who must agree to a proposal: the commissioner of the network it is made
/// against and of every network it takes a practice out of, so that no area
/// loses a practice without its own commissioner's say. A network with no
/// commissioner on record is decided for by an admin only.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
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

    pub fn codes(&self) -> Vec<String> {
        self.commissioners.keys().cloned().collect()
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
pub async fn approvers(store: &Store, kind: &ProposalKind, effective: Date) -> Result<Approvers, StoreError> {
    let reg = store.register_state(effective).await?;
    let network_of = |p: &PracticeCode| {
        reg.records.iter().find(|r| r.kind == RecordKind::Member && r.subject == p.as_str()).map(|r| r.network.clone())
    };
    let mut networks = vec![kind.network().to_string()];
    networks.extend(kind.losing(network_of).iter().map(|n| n.to_string()).filter(|n| n != kind.network().as_str()));
    let known = store.register_networks().await?;
    let mut out = Approvers::default();
    for network in networks {
        match known.iter().find(|n| n.code == network).and_then(|n| n.commissioner.clone()) {
            Some(c) => {
                out.commissioners.entry(c).or_default().insert(network);
            }
            None => {
                out.unassigned.insert(network);
            }
        }
    }
    Ok(out)
}

/// Why a proposal cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum NotProposed {
    /// A network or practice it names is not there.
    #[error("{0}")]
    NotFound(String),
    /// What it asks is what the register already has (or cannot have).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A proposal before it is saved: what it asks, checked against the register
/// on its effective date. Front doors ask [`crate::access`] whether the user
/// may make it ([`Draft::networks`] says which networks it touches), then
/// [`Draft::submit`] it.
pub struct Draft {
    pub kind: ProposalKind,
    pub effective: Date,
    checker: Checker,
}

impl Draft {
    /// Loads the check for `effective` and makes sure the network (and, for a
    /// move, the practice) exists.
    pub async fn new(store: &Store, kind: ProposalKind, effective: Date) -> Result<Draft, NotProposed> {
        let checker = Checker::new(store, effective).await?;
        let network = kind.network();
        if !checker.model.network_index.contains_key(network) {
            return Err(NotProposed::NotFound(format!(
                "network {network} is not in the register (run `pcn register sync`)"
            )));
        }
        if let ProposalKind::Join { practice, .. } | ProposalKind::Leave { practice, .. } = &kind
            && !checker.model.practice_index.contains_key(practice)
        {
            return Err(NotProposed::NotFound(format!("practice {practice} is not in the latest snapshot")));
        }
        Ok(Draft { kind, effective, checker })
    }

    /// The network the practice of a move is in on the effective date.
    pub fn losing(&self) -> Option<String> {
        match &self.kind {
            ProposalKind::Join { practice, .. } | ProposalKind::Leave { practice, .. } => {
                self.checker.members.get(practice.as_str()).cloned()
            }
            _ => None,
        }
    }

    /// The networks the proposal changes, each with its commissioner: the one
    /// it is made against first, then any it takes a practice out of.
    pub fn networks(&self) -> Vec<(String, Option<String>)> {
        let model = &self.checker.model;
        let commissioner = |n: &str| {
            NetworkCode::parse(n)
                .ok()
                .and_then(|c| model.network_index.get(&c))
                .and_then(|&i| model.networks[i as usize].commissioner.as_ref().map(|c| c.to_string()))
        };
        let mut out = vec![(self.kind.network().to_string(), commissioner(self.kind.network().as_str()))];
        if let Some(from) = self.losing().filter(|f| f != self.kind.network().as_str()) {
            let c = commissioner(&from);
            out.push((from, c));
        }
        out
    }

    /// A change the register already has (or cannot have) is refused now, not at its decision.
    pub fn conflict(&self) -> Option<String> {
        let losing = self.losing();
        match &self.kind {
            ProposalKind::Join { network, practice } if losing.as_deref() == Some(network.as_str()) => {
                Some(format!("{practice} is already a member of {network} on {}", self.effective))
            }
            ProposalKind::Leave { network, practice } if losing.as_deref() != Some(network.as_str()) => {
                Some(format!("{practice} is not a member of {network} on {}", self.effective))
            }
            _ => None,
        }
    }

    /// Checks and saves the proposal. `today` decides whether the year's
    /// notification deadline has passed.
    pub async fn submit(self, store: &Store, who: &Who, today: Date) -> Result<Proposed, NotProposed> {
        if let Some(c) = self.conflict() {
            return Err(NotProposed::Conflict(c));
        }
        let changes = self.kind.changes(|n| self.checker.members_of(n));
        let (errors, warnings) = self.checker.check(&changes, self.effective);
        let deadline = deadline_for(self.effective);
        let late = deadline.is_some_and(|d| today > d && self.effective.year() == d.year());
        let findings = Findings { errors, warnings, late };
        let value = serde_json::to_value(&findings).expect("serialisable");
        let id = store.propose(&self.kind, self.effective, who, deadline, &value).await?;
        let approvers = approvers(store, &self.kind, self.effective).await?;
        Ok(Proposed { id, kind: self.kind, effective: self.effective, findings, deadline, approvers })
    }
}

/// A proposal made.
#[derive(Debug, Clone)]
pub struct Proposed {
    pub id: i64,
    pub kind: ProposalKind,
    pub effective: Date,
    pub findings: Findings,
    pub deadline: Option<Date>,
    pub approvers: Approvers,
}

/// A decision taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Done {
    pub id: i64,
    /// `approved` or `rejected`.
    pub status: &'static str,
    /// Each touched network's version after an approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<BTreeMap<String, i64>>,
}

/// A decision refused, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refused {
    /// The rule errors, when that is why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    pub id: i64,
    pub refused: String,
}

impl Refused {
    /// The reason with its errors, in one line.
    pub fn message(&self) -> String {
        if self.errors.is_empty() {
            self.refused.clone()
        } else {
            format!("{}: {}", self.refused, self.errors.join("; "))
        }
    }
}

/// What a batch of decisions did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Decided {
    pub done: Vec<Done>,
    pub refused: Vec<Refused>,
}

/// Decides proposals in order, in one transaction (each decision in its own
/// savepoint). An approval is checked against the register as moved by the
/// approvals before it; one that adds rule errors is refused unless
/// `accept_findings`, in which case the errors are recorded with the reason.
/// This is the deciding itself: who may decide, and whether every approver
/// has agreed, is [`decide_as`]'s (and the front door's) business.
pub async fn decide(
    store: &Store,
    proposals: &[Proposal],
    approve: bool,
    accept_findings: bool,
    who: &Who,
) -> Result<Decided, StoreError> {
    // Every checker is built before the batch opens: the batch holds one of the
    // pool's connections until it commits, and a checker built inside it would
    // need a second, so a few decisions at once would hold every connection
    // while each waits for another. What the checkers read is safe to read
    // first: each approval is applied only at the versions its checker saw.
    let mut checkers: BTreeMap<Date, Checker> = BTreeMap::new();
    if approve {
        let dates: BTreeSet<Date> =
            proposals.iter().filter(|p| p.status == ProposalStatus::Open).map(|p| p.effective).collect();
        for date in dates {
            checkers.insert(date, Checker::new(store, date).await?);
        }
    }
    let mut out = Decided::default();
    let mut batch = store.batch().await?;
    for p in proposals {
        let refuse = |refused: String, errors: Vec<String>| Refused { errors, id: p.id, refused };
        if p.status != ProposalStatus::Open {
            out.refused.push(refuse(format!("proposal {} was already {}", p.id, p.status.as_str()), Vec::new()));
            continue;
        }
        if !approve {
            match batch.decide(p.id, p.effective, false, &[], who, &BTreeMap::new()).await {
                Ok(_) => out.done.push(Done { id: p.id, status: "rejected", versions: None }),
                Err(e) => out.refused.push(refuse(e.to_string(), Vec::new())),
            }
            continue;
        }
        let checker = checkers.get_mut(&p.effective).expect("a checker for every open proposal's date");
        let changes = p.kind.changes(|n| checker.members_of(n));
        let (errors, _) = checker.check(&changes, p.effective);
        if !errors.is_empty() && !accept_findings {
            out.refused.push(refuse(
                "the rules check finds new errors (approve accepting the findings to record them and go ahead)".into(),
                errors,
            ));
            continue;
        }
        // The versions this approval is based on: what the checker read, moved by its own approvals.
        let expect: BTreeMap<String, i64> = changes
            .iter()
            .filter_map(|c| checker.versions.get(c.network().as_str()).map(|v| (c.network().to_string(), *v)))
            .collect();
        let mut who = who.clone();
        if !errors.is_empty() {
            who.reason = format!("{} (approved despite: {})", who.reason, errors.join("; "));
        }
        match batch.decide(p.id, p.effective, true, &changes, &who, &expect).await {
            Ok(versions) => {
                checker.applied(&changes, &versions);
                out.done.push(Done { id: p.id, status: "approved", versions: Some(versions) });
            }
            Err(e) => out.refused.push(refuse(e.to_string(), Vec::new())),
        }
    }
    batch.commit().await?;
    Ok(out)
}

/// Who is deciding one proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decider {
    /// Decides alone, whatever the proposal touches.
    Admin,
    /// Agrees (or refuses) for their own area; must be one of the approvers.
    Commissioner(String),
}

/// What deciding one proposal came to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: i64,
    /// `approved`, `rejected`, or `open` while other commissioners have yet to agree.
    pub status: String,
    /// Commissioners who have agreed so far.
    pub agreed: Vec<String>,
    /// Whose agreement is still needed (empty once decided).
    pub awaiting: Vec<String>,
}

/// Why one decision was not taken.
#[derive(Debug, thiserror::Error)]
pub enum NotDecided {
    /// The decider is not one of the proposal's approvers.
    #[error("proposal {id} is decided by {}, or an admin", approvers.describe())]
    NotAnApprover { id: i64, approvers: Approvers },
    /// Already decided, or the rules check or the register refused it.
    #[error("{}", .0.message())]
    Refused(Refused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Decides one proposal as `decider`. A commissioner's approval is recorded
/// as their agreement; the proposal is approved when every approver has
/// agreed (the last agreement runs the rules check and applies it), and any
/// approver's rejection rejects it. An admin decides alone.
pub async fn decide_as(
    store: &Store,
    p: &Proposal,
    decider: &Decider,
    approve: bool,
    accept_findings: bool,
    who: &Who,
) -> Result<Decision, NotDecided> {
    let approvers = approvers(store, &p.kind, p.effective).await?;
    if let Decider::Commissioner(c) = decider
        && !approvers.commissioners.contains_key(c)
    {
        return Err(NotDecided::NotAnApprover { id: p.id, approvers });
    }
    let mut agreed: Vec<String> = store.consents(p.id).await?.into_iter().map(|c| c.commissioner).collect();
    if let (true, Decider::Commissioner(mine)) = (approve, decider) {
        let awaiting: Vec<String> = approvers
            .commissioners
            .keys()
            .filter(|c| *c != mine && !agreed.contains(c))
            .cloned()
            .chain(approvers.unassigned.iter().map(|n| format!("an admin (for {n})")))
            .collect();
        if !agreed.contains(mine) {
            agreed.push(mine.clone());
        }
        if !awaiting.is_empty() {
            if p.status != ProposalStatus::Open {
                return Err(NotDecided::Refused(Refused {
                    errors: Vec::new(),
                    id: p.id,
                    refused: format!("proposal {} was already {}", p.id, p.status.as_str()),
                }));
            }
            store.consent(p.id, mine, who).await?;
            return Ok(Decision { id: p.id, status: "open".into(), agreed, awaiting });
        }
    }
    let mut who = who.clone();
    if agreed.len() > 1 {
        who.reason = format!("{} (agreed by the commissioners of {})", who.reason, agreed.join(", "));
    }
    let mut out = decide(store, std::slice::from_ref(p), approve, accept_findings, &who).await?;
    if let Some(r) = out.refused.pop() {
        return Err(NotDecided::Refused(r));
    }
    let status = if approve { "approved" } else { "rejected" };
    Ok(Decision { id: p.id, status: status.into(), agreed, awaiting: Vec::new() })
}

/// The configuration the register will hold once every pending proposal
/// takes effect: approved changes dated after today, then the open proposals
/// in the order they were made. What a repair starts from, so that what it
/// suggests goes on top of what is already asked for. Practices and networks
/// the model does not know (a split's new network) are left as they were.
pub async fn pending_configuration(
    store: &Store,
    model: &pcn_rules::Model,
    today: Date,
) -> Result<pcn_rules::Configuration, StoreError> {
    let open = store.proposals(Some(ProposalStatus::Open)).await?;
    let approved = store.proposals(Some(ProposalStatus::Approved)).await?;
    let horizon = open
        .iter()
        .map(|p| p.effective)
        .chain(approved.iter().map(|p| p.effective).filter(|d| *d > today))
        .max()
        .unwrap_or(today)
        .max(today);
    let state = store.register_state(horizon).await?;
    let mut members: BTreeMap<String, String> = state
        .records
        .iter()
        .filter(|r| r.kind == RecordKind::Member)
        .map(|r| (r.subject.clone(), r.network.to_string()))
        .collect();
    for p in &open {
        let members_of = |n: &NetworkCode| -> Vec<PracticeCode> {
            members
                .iter()
                .filter(|(_, m)| m.as_str() == n.as_str())
                .filter_map(|(p, _)| PracticeCode::parse(p).ok())
                .collect()
        };
        for c in p.kind.changes(members_of) {
            match c {
                Change::Join { network, practice } => {
                    members.insert(practice.to_string(), network.to_string());
                }
                Change::Leave { practice, network }
                    if members.get(practice.as_str()).map(String::as_str) == Some(network.as_str()) =>
                {
                    members.remove(practice.as_str());
                }
                _ => {}
            }
        }
    }
    let mut config = vec![Vec::new(); model.networks.len()];
    for (p, n) in &members {
        let (Ok(p), Ok(n)) = (PracticeCode::parse(p), NetworkCode::parse(n)) else { continue };
        if let (Some(&pi), Some(&ni)) = (model.practice_index.get(&p), model.network_index.get(&n)) {
            config[ni as usize].push(pi);
        }
    }
    for v in &mut config {
        v.sort_unstable();
    }
    Ok(pcn_rules::Configuration { members: config })
}
