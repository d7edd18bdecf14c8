//! Nominated payees the file reveals: a network's PCN-level payments
//! recorded under another network's code.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use pcn_core::{Money, PracticePayments, Snapshot};

use super::amounts::within;
use super::columns::{Column, Level, column_amount};
use super::computed::Computed;
use crate::engine::NetworkInput;

/// For each network code, the networks whose PCN-level payments the file
/// records under it (their nominated payee is coded there).
pub type Payees = BTreeMap<String, Vec<String>>;

/// Payee relationships found stream by stream, and their union: a
/// relationship seen on one stream is evidence for the others.
pub(super) struct PayeeEvidence {
    pub by_stream: HashMap<&'static str, Payees>,
    pub union: Payees,
}

impl PayeeEvidence {
    /// Looks on every network-level column that needs no extra input.
    pub(super) fn find(snap: &Snapshot, rows: &[&PracticePayments], cols: &[Column], main: &Computed) -> Self {
        let index: HashMap<&str, u32> =
            main.networks.iter().enumerate().map(|(i, n)| (n.code.as_str(), i as u32)).collect();
        let commissioner: HashMap<&str, &str> =
            snap.networks.iter().filter_map(|n| Some((n.code.as_str(), n.commissioner.as_ref()?.as_str()))).collect();
        let mut by_stream = HashMap::new();
        let mut union: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for c in cols.iter().filter(|c| c.level == Level::Network && c.needs.is_none()) {
            let mut paid: BTreeMap<String, Money> = BTreeMap::new();
            for row in rows {
                let (Some(n), Some(m)) = (&row.network, column_amount(row, c.header)) else { continue };
                *paid.entry(n.to_string()).or_insert(Money::ZERO) += m;
            }
            let computed = |code: &str| -> Money {
                index.get(code).and_then(|n| main.by_network.get(&(c.name, *n))).copied().unwrap_or(Money::ZERO)
            };
            let found: Payees = absorbed(&paid, &computed, &main.networks, &commissioner)
                .into_iter()
                .map(|(n, v)| (n, v.into_iter().map(|(o, _)| o.to_string()).collect()))
                .collect();
            for (n, v) in &found {
                union.entry(n.clone()).or_default().extend(v.iter().cloned());
            }
            by_stream.insert(c.name, found);
        }
        let union = union.into_iter().map(|(n, v)| (n, v.into_iter().collect())).collect();
        PayeeEvidence { by_stream, union }
    }
}

/// Networks whose payment sits under another network's code: each network
/// paid over 10% more than computed is matched with one network owed money and
/// paid (almost) nothing, or with several of its own commissioner's, whose
/// computed amounts make up the excess to within 10%.
fn absorbed<'a>(
    paid: &BTreeMap<String, Money>,
    computed: &dyn Fn(&str) -> Money,
    networks: &'a [NetworkInput],
    commissioner: &HashMap<&str, &'a str>,
) -> BTreeMap<String, Vec<(&'a str, Money)>> {
    let mut owed: Vec<(&str, Money)> = networks
        .iter()
        .map(|n| (n.code.as_str(), computed(&n.code)))
        .filter(|(code, m)| m.pence() > 0 && paid.get(*code).is_none_or(|p| p.pence() * 10 < m.pence()))
        .collect();
    owed.sort_by_key(|(c, m)| (std::cmp::Reverse(*m), *c));
    let mut used: HashSet<&str> = HashSet::new();
    let mut over: Vec<(&String, Money, Money)> = paid
        .iter()
        .map(|(code, p)| (code, *p, computed(code)))
        .filter(|(_, p, c)| *p > *c && !within(*c, *p, 10))
        .collect();
    over.sort_by_key(|(code, p, c)| (std::cmp::Reverse(*p - *c), *code));
    let mut out = BTreeMap::new();
    for (code, p, c) in over {
        let error = |m: Money| ((c + m).pence() - p.pence()).abs();
        let single = owed
            .iter()
            .filter(|(o, m)| !used.contains(o) && *o != code.as_str() && within(c + *m, p, 10))
            .min_by_key(|(o, m)| (commissioner.get(o) != commissioner.get(code.as_str()), error(*m), *o));
        let chosen: Vec<(&str, Money)> = if let Some(s) = single {
            vec![*s]
        } else {
            let mut sum = c;
            let mut picked = Vec::new();
            for (o, m) in owed.iter().filter(|(o, _)| {
                !used.contains(o)
                    && *o != code.as_str()
                    && commissioner.get(o).is_some()
                    && commissioner.get(o) == commissioner.get(code.as_str())
            }) {
                if (sum + *m).pence() * 100 <= p.pence() * 110 {
                    sum += *m;
                    picked.push((*o, *m));
                }
            }
            if within(sum, p, 10) { picked } else { Vec::new() }
        };
        if !chosen.is_empty() {
            used.extend(chosen.iter().map(|(o, _)| *o));
            out.insert(code.clone(), chosen);
        }
    }
    out
}
