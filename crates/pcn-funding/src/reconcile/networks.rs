//! Network-level columns (PCN Leadership, Support, Extended Hours, ...): the
//! amounts the file codes to each network, which sit with its nominated
//! payee, against the network's computed entitlement, and why they differ.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use pcn_core::Money;
use rust_decimal::Decimal;

use super::amounts::{whole_months, within};
use super::columns::{Column, Needs, column_amount};
use super::comparison::Comparison;
use super::computed::{Computed, naive_for};
use super::payees::Payees;
use super::reasons::{Explained, Reason, common_reasons};
use super::report::{Item, StreamReport, summarise};
use super::timing::by_commissioner;
use crate::engine::MissingCause;
use crate::rates::Stream;

/// One network-level column being compared: what every network's reasons read.
struct NetworkColumn<'c> {
    column: &'c Column,
    cmp: &'c Comparison<'c>,
    /// Network index in the computations, by code.
    index: HashMap<&'c str, u32>,
    /// Networks whose payments the file records under another's code, and that code.
    paid_under: HashMap<&'c str, &'c str>,
    /// The payees found on this column alone.
    own_payees: Option<&'c Payees>,
    /// Networks whose computation lacked an input.
    missing: HashSet<u32>,
    /// The column's streams whose rate the year's table lists as not found.
    rates_not_found: Vec<String>,
    /// Register members and the file's coding, for part-year and closure evidence.
    members: HashMap<&'c str, BTreeSet<u32>>,
}

/// Paid, and the registered and weighted populations the file gives, by the
/// file's network coding.
struct Filed {
    paid: BTreeMap<String, Money>,
    populations: HashMap<String, (Decimal, Decimal)>,
}

impl Filed {
    fn read(c: &Column, cmp: &Comparison<'_>) -> Filed {
        let mut paid: BTreeMap<String, Money> = BTreeMap::new();
        let mut populations: HashMap<String, (Decimal, Decimal)> = HashMap::new();
        for row in &cmp.rows {
            let Some(n) = &row.network else { continue };
            let e = populations.entry(n.to_string()).or_default();
            e.0 += row.registered_patients.unwrap_or_default();
            e.1 += row.weighted_patients.unwrap_or_default();
            if let Some(m) = column_amount(row, c.header) {
                *paid.entry(n.to_string()).or_insert(Money::ZERO) += m;
            }
        }
        Filed { paid, populations }
    }
}

pub(super) fn stream(c: &Column, cmp: &Comparison<'_>) -> StreamReport {
    let filed = Filed::read(c, cmp);
    let col = NetworkColumn::new(c, cmp);
    let computed_not_paid = cmp
        .main
        .networks
        .iter()
        .filter(|n| col.main(&n.code).pence() > 0 && filed.paid.get(&n.code).is_none_or(|p| p.pence() == 0))
        .count();
    let mut items = Vec::new();
    for (code, &paid) in filed.paid.iter().filter(|(code, m)| m.pence() != 0 && cmp.extra.covers(c.needs, code)) {
        let computed = col.main(code);
        let naive = if c.needs.is_some() {
            None
        } else {
            filed.populations.get(code).and_then(|(r, w)| naive_for(cmp.rates, c.streams, *r, *w))
        };
        let reasons = if within(computed, paid, 10) { Vec::new() } else { col.reasons(code, paid, computed) };
        items.push(Item { code: code.clone(), network: Some(code.clone()), paid, computed, naive, reasons });
    }
    let mut commissioner: HashMap<&str, &str> = cmp
        .facts
        .snap
        .networks
        .iter()
        .filter_map(|n| Some((n.code.as_str(), n.commissioner.as_ref()?.as_str())))
        .collect();
    for row in &cmp.rows {
        if let (Some(n), Some(c)) = (&row.network, &row.commissioner) {
            commissioner.entry(n.as_str()).or_insert(c.as_str());
        }
    }
    by_commissioner(&mut items, &commissioner);
    let mut report = summarise(c, items, computed_not_paid);
    report.paid_without_network =
        cmp.rows.iter().filter(|r| r.network.is_none()).filter_map(|r| column_amount(r, c.header)).sum();
    report
}

impl<'c> NetworkColumn<'c> {
    fn new(column: &'c Column, cmp: &'c Comparison<'c>) -> Self {
        let main = &cmp.main;
        let index = main.networks.iter().enumerate().map(|(i, n)| (n.code.as_str(), i as u32)).collect();
        let paid_under =
            cmp.payees.union.iter().flat_map(|(n, v)| v.iter().map(move |o| (o.as_str(), n.as_str()))).collect();
        let missing = main
            .ent
            .missing
            .iter()
            .filter(|m| m.cause == MissingCause::Input && column.streams.contains(&m.stream))
            .map(|m| m.network)
            .collect();
        let rates_not_found =
            cmp.rates.not_found().filter(|g| column.streams.contains(&g.stream)).map(|g| g.stream.name()).collect();
        let mut members: HashMap<&str, BTreeSet<u32>> = HashMap::new();
        for n in main.networks.iter().chain(cmp.by_file.networks.iter()) {
            members.entry(n.code.as_str()).or_default().extend(n.spells.iter().map(|s| s.practice));
        }
        NetworkColumn {
            column,
            cmp,
            index,
            paid_under,
            own_payees: cmp.payees.by_stream.get(column.name),
            missing,
            rates_not_found,
            members,
        }
    }

    /// Network `code`'s amount of this column in `comp`; for the workforce
    /// column, the ARRS claims given (the same whatever the computation).
    fn computed(&self, comp: &Computed, code: &str) -> Money {
        if self.column.needs == Some(Needs::Workforce) {
            return self.cmp.extra.workforce.get(code).copied().unwrap_or(Money::ZERO);
        }
        self.index.get(code).and_then(|n| comp.by_network.get(&(self.column.name, *n)).copied()).unwrap_or(Money::ZERO)
    }

    fn main(&self, code: &str) -> Money {
        self.computed(&self.cmp.main, code)
    }

    /// Network `n`'s amount of one of the column's streams.
    fn part(&self, n: u32, s: Stream) -> Money {
        self.cmp.main.by_stream.get(&(s, n)).copied().unwrap_or(Money::ZERO)
    }

    /// Why network `code` was paid other than computed.
    fn reasons(&self, code: &str, paid: Money, computed: Money) -> Vec<Explained> {
        let c = self.column;
        let mut reasons = Vec::new();
        let n = self.index.get(code).copied();
        if n.is_some_and(|n| self.missing.contains(&n)) || c.needs.is_some() && computed.pence() == 0 {
            reasons.push(Explained {
                reason: Reason::MissingInput,
                detail: format!("{code}: an input or population is missing"),
            });
        }
        if n.is_some() && !self.rates_not_found.is_empty() {
            reasons.push(Explained {
                reason: Reason::MissingInput,
                detail: format!(
                    "no {} rate for {} (not found): not computed",
                    self.cmp.rates.year,
                    self.rates_not_found.join(", ")
                ),
            });
        }
        if n.is_none() {
            reasons.push(Explained {
                reason: Reason::CodedElsewhere,
                detail: format!("{code} is not a network of the configuration"),
            });
        }
        let by_file = self.computed(&self.cmp.by_file, code);
        if by_file != computed && within(by_file, paid, 10) {
            reasons.push(Explained {
                reason: Reason::CodedElsewhere,
                detail: format!(
                    "with the file's coding of practices {code} would get {by_file}, within 10% of the amount paid"
                ),
            });
        }
        reasons.extend(self.payee_reasons(code, paid, computed));
        if let Some(n) = n {
            reasons.extend(self.part_of_column(n, paid));
        }
        let empty = BTreeSet::new();
        let practices = self.members.get(code).unwrap_or(&empty);
        let before = self.cmp.prior.as_ref().map(|pr| self.computed(pr, code));
        common_reasons(&mut reasons, practices, &self.cmp.facts, paid, computed, before);
        reasons
    }

    /// The file codes other networks' payee here (their amounts make up the
    /// difference), or this network's payee elsewhere.
    fn payee_reasons(&self, code: &str, paid: Money, computed: Money) -> Vec<Explained> {
        let mut reasons = Vec::new();
        let payees = &self.cmp.payees;
        let fits =
            |others: &&Vec<String>| within(computed + others.iter().map(|o| self.main(o)).sum::<Money>(), paid, 10);
        if let Some(others) =
            payees.union.get(code).filter(fits).or_else(|| self.own_payees.and_then(|o| o.get(code)).filter(fits))
        {
            let list: Vec<String> = others.iter().map(|o| format!("{o} ({})", self.main(o))).collect();
            reasons.push(Explained {
                reason: Reason::CodedElsewhere,
                detail: format!(
                    "paid includes the payments of {}, whose nominated payee the file codes here",
                    list.join(", ")
                ),
            });
        }
        if let Some(under) = self.paid_under.get(code) {
            reasons.push(Explained {
                reason: Reason::CodedElsewhere,
                detail: format!("{code}'s payment is paid under {under}: its nominated payee is coded there"),
            });
        }
        reasons
    }

    /// For a column carrying several streams: the amount paid is one stream's
    /// alone (or whole months of it), the first such in the column's order.
    fn part_of_column(&self, n: u32, paid: Money) -> Option<Explained> {
        let streams: Vec<Stream> =
            self.column.streams.iter().copied().filter(|s| self.part(n, *s).pence() > 0).collect();
        if streams.len() <= 1 {
            return None;
        }
        streams.iter().find_map(|s| {
            let amount = self.part(n, *s);
            let how = if within(amount, paid, 5) {
                "the".to_string()
            } else {
                format!("{} months of the", whole_months(paid, amount)?)
            };
            Some(Explained {
                reason: Reason::PartOfColumn,
                detail: format!(
                    "paid equals {how} {} part alone ({amount} a year); the column's other streams were not paid here",
                    s.name()
                ),
            })
        })
    }
}
