//! A stream's comparison as reported: one item per practice or network paid,
//! and the counts, totals and distribution over them.

use std::collections::{BTreeMap, HashSet};

use pcn_core::Money;
use serde::Serialize;

use super::amounts::{relative, within};
use super::columns::{Column, Level};
use super::reasons::{Explained, Reason};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Practice or network code.
    pub code: String,
    pub network: Option<String>,
    pub paid: Money,
    pub computed: Money,
    pub naive: Option<Money>,
    pub reasons: Vec<Explained>,
}

impl Item {
    pub fn difference(&self) -> Money {
        self.computed - self.paid
    }

    /// (computed - paid) / paid.
    pub fn relative(&self) -> f64 {
        relative(self.computed, self.paid)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Distribution {
    /// Counts by (computed - paid) / paid: below -50%, -50 to -10, -10 to -2,
    /// within 2%, 2 to 10, 10 to 50, above 50%.
    pub buckets: [usize; 7],
}

pub const BUCKET_LABELS: [&str; 7] =
    ["< -50%", "-50% to -10%", "-10% to -2%", "within 2%", "2% to 10%", "10% to 50%", "> 50%"];

impl Distribution {
    fn add(&mut self, r: f64) {
        let i = match r {
            r if r < -0.5 => 0,
            r if r < -0.1 => 1,
            r if r < -0.02 => 2,
            r if r <= 0.02 => 3,
            r if r <= 0.1 => 4,
            r if r <= 0.5 => 5,
            _ => 6,
        };
        self.buckets[i] += 1;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamReport {
    pub name: &'static str,
    pub column: &'static str,
    pub level: Level,
    /// Practices or networks with a non-zero amount paid.
    pub compared: usize,
    pub within_2pct: usize,
    pub within_10pct: usize,
    pub naive_within_2pct: usize,
    pub naive_within_10pct: usize,
    pub over_10pct: usize,
    pub unexplained_over_10pct: usize,
    /// Differences above 10% by reason (an item may have several).
    pub reasons: BTreeMap<Reason, usize>,
    pub paid_total: Money,
    /// Computed for the compared items.
    pub computed_total: Money,
    pub naive_total: Money,
    /// Paid on rows the file codes to no network ("Unknown or no PCN"): not
    /// attributable, so outside the comparison (network-level columns).
    pub paid_without_network: Money,
    /// Computed but nothing paid under this code (e.g. the payee is coded to
    /// another network, or outside the file).
    pub computed_not_paid: usize,
    pub distribution: Distribution,
    /// Every compared item, largest absolute difference first.
    pub items: Vec<Item>,
}

impl StreamReport {
    pub fn share(&self, n: usize) -> f64 {
        if self.compared == 0 { 0.0 } else { n as f64 / self.compared as f64 }
    }
}

/// The report of column `c` over its items: counts, totals, the distribution,
/// items largest difference first.
pub(super) fn summarise(c: &Column, mut items: Vec<Item>, computed_not_paid: usize) -> StreamReport {
    let mut r = StreamReport {
        name: c.name,
        column: c.header,
        level: c.level,
        compared: items.len(),
        within_2pct: 0,
        within_10pct: 0,
        naive_within_2pct: 0,
        naive_within_10pct: 0,
        over_10pct: 0,
        unexplained_over_10pct: 0,
        reasons: BTreeMap::new(),
        paid_total: Money::ZERO,
        computed_total: Money::ZERO,
        naive_total: Money::ZERO,
        computed_not_paid,
        paid_without_network: Money::ZERO,
        distribution: Distribution::default(),
        items: Vec::new(),
    };
    for i in &items {
        r.paid_total += i.paid;
        r.computed_total += i.computed;
        r.within_2pct += within(i.computed, i.paid, 2) as usize;
        r.within_10pct += within(i.computed, i.paid, 10) as usize;
        if let Some(n) = i.naive {
            r.naive_total += n;
            r.naive_within_2pct += within(n, i.paid, 2) as usize;
            r.naive_within_10pct += within(n, i.paid, 10) as usize;
        }
        r.distribution.add(i.relative());
    }
    items.sort_by(|a, b| {
        b.difference().pence().abs().cmp(&a.difference().pence().abs()).then_with(|| a.code.cmp(&b.code))
    });
    r.items = items;
    recount(&mut r);
    r
}

/// Recomputes the counts of differences above 10% and their reasons.
pub(super) fn recount(r: &mut StreamReport) {
    r.over_10pct = 0;
    r.unexplained_over_10pct = 0;
    r.reasons.clear();
    for i in r.items.iter().filter(|i| !within(i.computed, i.paid, 10)) {
        r.over_10pct += 1;
        if i.reasons.is_empty() {
            r.unexplained_over_10pct += 1;
        }
        let distinct: HashSet<Reason> = i.reasons.iter().map(|e| e.reason).collect();
        for reason in distinct {
            *r.reasons.entry(reason).or_default() += 1;
        }
    }
}
