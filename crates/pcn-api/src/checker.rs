//! The rules check of register proposals, shared by `pcn propose|approve`
//! and the API: a model of the latest snapshot's practices with the
//! register's networks, the register's members held in memory and moved as
//! proposals are approved, so a batch of decisions is checked in order.

use std::collections::{BTreeMap, BTreeSet};

use pcn_core::register::{Change, RecordKind};
use pcn_core::{FinancialYear, Membership, Network, NetworkCode, PracticeCode, Snapshot};
use pcn_store::{Include, Store};
use serde_json::{Value, json};
use time::Date;

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
        let members = with_register(&mut snap, &all, &state);
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
    pub fn check(&self, changes: &[Change], effective: Date) -> (Vec<String>, Vec<Value>) {
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
        let warnings: Vec<Value> = after_findings
            .iter()
            .filter(|f| f.severity == pcn_rules::Severity::Warning)
            .map(|f| json!({"rule": f.rule, "message": f.message}))
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

/// Replaces a snapshot's networks and memberships by the register's: every
/// network the register has known (so a proposal may name a closed one and
/// be told so), and the members in force in `state`. Memberships carry no
/// dates: the configuration is taken to hold for the whole year. Returns
/// practice -> network.
pub fn with_register(
    snap: &mut Snapshot,
    all: &[pcn_store::register::RegNetwork],
    state: &pcn_store::register::RegisterState,
) -> BTreeMap<String, String> {
    snap.networks = all
        .iter()
        .filter_map(|n| {
            Some(Network {
                code: NetworkCode::parse(&n.code).ok()?,
                name: n.name.clone(),
                commissioner: n.commissioner.as_deref().and_then(|c| pcn_core::CommissionerCode::parse(c).ok()),
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

/// What a batch of decisions did: `done` items are `{id, status, versions?}`,
/// `refused` items `{id, refused, errors?}`.
pub struct Decided {
    pub done: Vec<Value>,
    pub refused: Vec<Value>,
}

/// Decides proposals in order, in one transaction (each decision in its own
/// savepoint). An approval is checked against the register as moved by the
/// approvals before it; one that adds rule errors is refused unless
/// `accept_findings`, in which case the errors are recorded with the reason.
pub async fn decide(
    store: &Store,
    proposals: &[pcn_core::register::Proposal],
    approve: bool,
    accept_findings: bool,
    who: &pcn_store::register::Who,
) -> Result<Decided, pcn_store::StoreError> {
    use pcn_core::register::ProposalStatus;
    // Every checker is built before the batch opens: the batch holds one of the
    // pool's connections until it commits, and a checker built inside it would
    // need a second, so a few decisions at once would hold every connection
    // while each waits for another. What the checkers read is safe to read
    // first: each approval is applied only at the versions its checker saw.
    let mut checkers: BTreeMap<Date, Checker> = BTreeMap::new();
    if approve {
        let dates: std::collections::BTreeSet<Date> =
            proposals.iter().filter(|p| p.status == ProposalStatus::Open).map(|p| p.effective).collect();
        for date in dates {
            checkers.insert(date, Checker::new(store, date).await?);
        }
    }
    let (mut done, mut refused) = (Vec::new(), Vec::new());
    let mut batch = store.batch().await?;
    for p in proposals {
        if p.status != ProposalStatus::Open {
            refused
                .push(json!({"id": p.id, "refused": format!("proposal {} was already {}", p.id, p.status.as_str())}));
            continue;
        }
        if !approve {
            match batch.decide(p.id, p.effective, false, &[], who, &BTreeMap::new()).await {
                Ok(_) => done.push(json!({"id": p.id, "status": "rejected"})),
                Err(e) => refused.push(json!({"id": p.id, "refused": e.to_string()})),
            }
            continue;
        }
        let checker = checkers.get_mut(&p.effective).expect("a checker for every open proposal's date");
        let changes = p.kind.changes(|n| checker.members_of(n));
        let (errors, _) = checker.check(&changes, p.effective);
        if !errors.is_empty() && !accept_findings {
            refused.push(json!({"id": p.id, "refused": "the rules check finds new errors (approve accepting the findings to record them and go ahead)", "errors": errors}));
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
                done.push(json!({"id": p.id, "status": "approved", "versions": versions}));
            }
            Err(e) => refused.push(json!({"id": p.id, "refused": e.to_string()})),
        }
    }
    batch.commit().await?;
    Ok(Decided { done, refused })
}
