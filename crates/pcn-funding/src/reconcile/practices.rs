//! Practice-level columns (PCN Participation): each practice's amount paid
//! against its computed entitlement, and why they differ.

use std::collections::{BTreeSet, HashMap, HashSet};

use pcn_core::{Money, PracticePayments};

use super::amounts::within;
use super::columns::{Column, column_amount};
use super::comparison::Comparison;
use super::computed::naive_for;
use super::reasons::{Explained, Reason, common_reasons};
use super::report::{Item, StreamReport, summarise};
use super::timing::by_commissioner;

/// One practice-level column being compared: what every practice's reasons read.
struct PracticeColumn<'c> {
    column: &'c Column,
    cmp: &'c Comparison<'c>,
    /// Practices whose computation lacked an input (a population on the rate's basis).
    missing: HashSet<u32>,
    /// The configuration's network of each practice (its longest spell).
    config_network: HashMap<u32, &'c str>,
    /// Practices owed a payment that received none, by the network the file
    /// codes them to: their money may have gone to another practice of the network.
    unpaid: HashMap<&'c str, Vec<(&'c str, Money)>>,
}

pub(super) fn stream(c: &Column, cmp: &Comparison<'_>) -> StreamReport {
    let col = PracticeColumn::new(c, cmp);
    let mut items: Vec<Item> = cmp.rows.iter().filter_map(|row| col.item(row)).collect();
    let commissioner: HashMap<&str, &str> =
        cmp.rows.iter().filter_map(|r| Some((r.practice.as_str(), r.commissioner.as_ref()?.as_str()))).collect();
    by_commissioner(&mut items, &commissioner);
    let paid_codes: HashSet<&str> = items.iter().map(|i| i.code.as_str()).collect();
    let computed_not_paid = cmp
        .main
        .by_practice
        .iter()
        .filter(|((name, p), m)| {
            *name == c.name
                && m.pence() != 0
                && !paid_codes.contains(cmp.facts.snap.practices[*p as usize].code.as_str())
        })
        .count();
    summarise(c, items, computed_not_paid)
}

impl<'c> PracticeColumn<'c> {
    fn new(column: &'c Column, cmp: &'c Comparison<'c>) -> Self {
        let main = &cmp.main;
        let missing =
            main.ent.missing.iter().filter(|m| column.streams.contains(&m.stream)).filter_map(|m| m.practice).collect();
        let mut config_network: HashMap<u32, &str> = HashMap::new();
        for n in &main.networks {
            for s in &n.spells {
                config_network.entry(s.practice).or_insert(n.code.as_str());
            }
        }
        let mut col = PracticeColumn { column, cmp, missing, config_network, unpaid: HashMap::new() };
        for row in &cmp.rows {
            let owed = col.computed(cmp.facts.index.get(row.practice.as_str()).copied());
            let paid = column_amount(row, column.header).unwrap_or(Money::ZERO);
            if let Some(n) = &row.network
                && owed.pence() > 0
                && paid.pence() * 10 < owed.pence()
            {
                col.unpaid.entry(n.as_str()).or_default().push((row.practice.as_str(), owed));
            }
        }
        col
    }

    /// Practice `p`'s computed amount of this column (zero for a practice
    /// the snapshot lacks).
    fn computed(&self, p: Option<u32>) -> Money {
        p.and_then(|p| self.cmp.main.by_practice.get(&(self.column.name, p)).copied()).unwrap_or(Money::ZERO)
    }

    /// The row's comparison, when it was paid something in this column.
    fn item(&self, row: &PracticePayments) -> Option<Item> {
        let paid = column_amount(row, self.column.header).filter(|m| *m != Money::ZERO)?;
        let code = row.practice.as_str();
        let p = self.cmp.facts.index.get(code).copied();
        let computed = self.computed(p);
        let naive = naive_for(
            self.cmp.rates,
            self.column.streams,
            row.registered_patients.unwrap_or_default(),
            row.weighted_patients.unwrap_or_default(),
        );
        let reasons = if within(computed, paid, 10) { Vec::new() } else { self.reasons(row, p, paid, computed) };
        Some(Item {
            code: code.to_string(),
            network: row.network.as_ref().map(|n| n.to_string()),
            paid,
            computed,
            naive,
            reasons,
        })
    }

    /// Why practice `p` (the row's) was paid other than computed.
    fn reasons(&self, row: &PracticePayments, p: Option<u32>, paid: Money, computed: Money) -> Vec<Explained> {
        let code = row.practice.as_str();
        let mut reasons = Vec::new();
        if p.is_some_and(|p| self.missing.contains(&p)) {
            reasons.push(Explained {
                reason: Reason::MissingInput,
                detail: format!("no population for {code} on the rate's basis"),
            });
        }
        let filed = row.network.as_ref().map_or("no network", |n| n.as_str());
        match p.and_then(|p| self.config_network.get(&p)) {
            None => reasons.push(Explained {
                reason: Reason::CodedElsewhere,
                detail: format!(
                    "{code} is in no network of the configuration in {}; the file codes it to {filed}",
                    self.cmp.rates.year
                ),
            }),
            Some(net) if *net != filed => reasons.push(Explained {
                reason: Reason::CodedElsewhere,
                detail: format!("the file codes {code} to {filed}, the configuration to {net}"),
            }),
            Some(_) => {}
        }
        if paid > computed
            && let Some(others) = row.network.as_ref().and_then(|n| self.unpaid.get(n.as_str()))
        {
            let others: Vec<&(&str, Money)> = others.iter().filter(|(o, _)| *o != code).collect();
            let sum: Money = others.iter().map(|(_, m)| *m).sum();
            if !others.is_empty() && within(computed + sum, paid, 10) {
                let names: Vec<&str> = others.iter().map(|(o, _)| *o).collect();
                reasons.push(Explained {
                    reason: Reason::CodedElsewhere,
                    detail: format!(
                        "paid includes {sum} owed to {} of the same network, paid nothing",
                        names.join(", ")
                    ),
                });
            }
        }
        let own: BTreeSet<u32> = p.into_iter().collect();
        let before = self
            .cmp
            .prior
            .as_ref()
            .map(|pr| p.and_then(|p| pr.by_practice.get(&(self.column.name, p)).copied()).unwrap_or(Money::ZERO));
        common_reasons(&mut reasons, &own, &self.cmp.facts, paid, computed, before);
        reasons
    }
}
