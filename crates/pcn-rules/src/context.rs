//! A configuration under check: the model, who is in which network (with an
//! edit's moves applied), who is covered as a non-participant, the approvals
//! and governance in force, and the year. Built once per check; every rule
//! reads it and none changes it.

use std::borrow::Cow;
use std::collections::HashMap;

use pcn_core::{Approval, ApprovalKind, FinancialYear, Governance, NetworkCode, PracticeCode};
use serde_json::Value;

use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Configuration, Model, NetworkFacts};

#[derive(Debug, Clone, Default)]
pub struct CheckInputs {
    pub year: Option<FinancialYear>,
    pub approvals: Vec<Approval>,
    /// `None`: no governance data, so the governance rules are not evaluated.
    pub governance: Option<Vec<Governance>>,
}

/// The networks of each practice: computed from the configuration, or
/// borrowed from a caller that already has them with a few practices
/// overridden (an edit's moves), so checking one edit does not rebuild the
/// list for every practice in England.
pub(crate) struct NetworksOf<'a> {
    base: Cow<'a, [Vec<u32>]>,
    changed: HashMap<u32, Vec<u32>>,
}

impl<'a> NetworksOf<'a> {
    pub(crate) fn of_configuration(config: &Configuration, practices: usize) -> Self {
        NetworksOf { base: Cow::Owned(config.networks_of(practices)), changed: HashMap::new() }
    }

    /// `base` with the networks of the `moved` practices read from `config`.
    pub(crate) fn after_moves(config: &Configuration, base: &'a [Vec<u32>], moved: &[u32]) -> Self {
        let changed = moved
            .iter()
            .map(|&p| {
                let nets: Vec<u32> = config
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(_, ms)| ms.binary_search(&p).is_ok())
                    .map(|(n, _)| n as u32)
                    .collect();
                (p, nets)
            })
            .collect();
        NetworksOf { base: Cow::Borrowed(base), changed }
    }

    pub(crate) fn of(&self, p: u32) -> &[u32] {
        self.changed.get(&p).map_or_else(|| self.base[p as usize].as_slice(), Vec::as_slice)
    }
}

pub(crate) struct Ctx<'a> {
    pub model: &'a Model,
    pub config: &'a Configuration,
    pub networks_of: NetworksOf<'a>,
    /// Practices covered as non-participants, by network.
    pub covered_by: HashMap<u32, u32>,
    approvals: &'a [Approval],
    pub governance: Option<HashMap<&'a NetworkCode, &'a Governance>>,
    pub year: FinancialYear,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        model: &'a Model,
        config: &'a Configuration,
        networks_of: NetworksOf<'a>,
        inputs: &'a CheckInputs,
    ) -> Self {
        let year = inputs.year.unwrap_or_else(|| FinancialYear::containing(model.as_of));
        let mut covered_by = HashMap::new();
        for a in
            inputs.approvals.iter().filter(|a| a.kind == ApprovalKind::NonParticipant && a.in_force_on(year.start()))
        {
            if let (Some(p), Some(&n)) =
                (a.practice.as_ref().and_then(|p| model.practice_index.get(p)), model.network_index.get(&a.network))
            {
                covered_by.insert(*p, n);
            }
        }
        Ctx {
            model,
            config,
            networks_of,
            covered_by,
            approvals: &inputs.approvals,
            governance: inputs.governance.as_ref().map(|g| g.iter().map(|x| (&x.network, x)).collect()),
            year,
        }
    }

    pub(crate) fn approval(&self, kind: ApprovalKind, n: u32, practice: Option<u32>) -> Option<&Approval> {
        let code = &self.model.networks[n as usize].code;
        let pcode = practice.map(|p| &self.model.practices[p as usize].code);
        self.approvals.iter().find(|a| {
            a.kind == kind
                && &a.network == code
                && a.in_force_on(self.year.start())
                && (a.practice.is_none() || a.practice.as_ref() == pcode)
        })
    }

    pub(crate) fn registered(&self, ps: &[u32]) -> i64 {
        ps.iter().map(|&p| self.model.practices[p as usize].registered).sum()
    }

    pub(crate) fn codes(&self, ps: &[u32]) -> Vec<PracticeCode> {
        ps.iter().map(|&p| self.model.practices[p as usize].code.clone()).collect()
    }

    /// Practices at the given sites.
    pub(crate) fn at_sites(&self, sites: &[u32]) -> Vec<u32> {
        let mut v: Vec<u32> =
            sites.iter().flat_map(|&s| self.model.site_practices[s as usize].iter().copied()).collect();
        v.sort_unstable();
        v
    }

    pub(crate) fn is_covered(&self, p: u32) -> bool {
        !self.networks_of.of(p).is_empty() || self.covered_by.contains_key(&p)
    }

    /// Open practices in no network and covered by none.
    pub(crate) fn uncovered(&self) -> Vec<u32> {
        let practices = &self.model.practices;
        (0..practices.len() as u32).filter(|&p| practices[p as usize].active && !self.is_covered(p)).collect()
    }

    /// Network `n` as its rules read it.
    pub(crate) fn network(&self, n: u32) -> NetworkUnderCheck<'_> {
        let members = self.config.members[n as usize].as_slice();
        NetworkUnderCheck {
            ctx: self,
            n,
            facts: &self.model.networks[n as usize],
            members,
            label: self.model.network_label(n),
            registered: self.registered(members),
            sites: members.iter().filter_map(|&p| self.model.practices[p as usize].site).collect(),
        }
    }
}

/// One network being checked, with what most of its rules need worked out once.
pub(crate) struct NetworkUnderCheck<'c> {
    pub ctx: &'c Ctx<'c>,
    pub n: u32,
    pub facts: &'c NetworkFacts,
    /// Member practices (indices, ascending).
    pub members: &'c [u32],
    /// The network's name and code, for messages.
    pub label: String,
    pub registered: i64,
    /// Sites of the located members.
    pub sites: Vec<u32>,
}

impl NetworkUnderCheck<'_> {
    pub(crate) fn approval(&self, kind: ApprovalKind, practice: Option<u32>) -> Option<&Approval> {
        self.ctx.approval(kind, self.n, practice)
    }

    /// A finding about this network (under its commissioner), naming `practices`.
    pub(crate) fn finding(
        &self,
        rule: &RuleInfo,
        severity: Severity,
        message: String,
        facts: Value,
        practices: Vec<PracticeCode>,
    ) -> Finding {
        Finding {
            network: Some(self.facts.code.clone()),
            commissioner: self.facts.commissioner.clone(),
            practices,
            ..Finding::new(rule, severity, message, facts)
        }
    }
}
