//! Why a computed figure differs from the amount paid: the reasons, and the
//! evidence every level shares (part-year membership, openings and closures,
//! list changes, the previous year's arrears, whole months paid).

use std::collections::{BTreeSet, HashMap};

use pcn_core::{Money, Snapshot};
use rust_decimal::Decimal;
use serde::Serialize;

use super::amounts::{whole_months, within};
use crate::rates::YearRates;

/// Why a computed figure differs from the amount paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The file codes the practice (or the network's nominated payee) to a
    /// different network from the configuration.
    CodedElsewhere,
    /// Membership covers part of the year, or the amount paid is fewer than
    /// twelve whole months of the computed figure.
    PartYear,
    /// A practice opened or closed during the year.
    Closure,
    /// A list changed by more than 10% between the dates we hold.
    ListChange,
    /// An input the computation needs is missing.
    MissingInput,
    /// The amount paid is more than twelve whole months of the computed
    /// figure: months of another year paid in this one.
    Timing,
    /// The amount paid equals one of the column's streams alone: the others
    /// were paid under another heading or not at all.
    PartOfColumn,
    /// Most of the commissioner's practices or networks were paid the same
    /// share (other than a year's worth) of the computed amount: a local
    /// arrangement of the commissioner's.
    CommissionerWide,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explained {
    pub reason: Reason,
    pub detail: String,
}

/// What the snapshot says about each practice in the year, by practice code.
pub(super) struct Facts<'a> {
    pub snap: &'a Snapshot,
    /// Practice index in the snapshot (and so in the computations).
    pub index: HashMap<&'a str, u32>,
    opened_or_closed: HashMap<&'a str, String>,
    list_change: HashMap<&'a str, String>,
    /// Months (of 12) in which each practice counts for some network.
    months: Vec<usize>,
}

impl<'a> Facts<'a> {
    pub(super) fn new(snap: &'a Snapshot, rates: &YearRates, months: Vec<usize>) -> Self {
        let year = rates.year;
        let index = snap.practices.iter().enumerate().map(|(i, p)| (p.code.as_str(), i as u32)).collect();
        let mut opened_or_closed = HashMap::new();
        for p in &snap.practices {
            if let Some(d) = p.close_date.filter(|d| year.contains(*d)) {
                opened_or_closed.insert(p.code.as_str(), format!("{} closed on {d}", p.code));
            } else if let Some(d) = p.open_date.filter(|d| year.contains(*d)) {
                opened_or_closed.insert(p.code.as_str(), format!("{} opened on {d}", p.code));
            }
        }
        for row in snap.payments.iter().filter(|r| r.year == year) {
            if let Some(d) = row.close_date.filter(|d| year.contains(*d)) {
                opened_or_closed.insert(row.practice.as_str(), format!("{} closed on {d}", row.practice));
            }
        }
        // Registered figures from a year before the list-size date to three
        // months after the year: a spread above 10% is a list change (a merger,
        // a list cleanse, a new estate).
        let lo = rates.list_size_date - time::Duration::days(366);
        let hi = year.end() + time::Duration::days(92);
        let mut span: HashMap<&str, (Decimal, Decimal)> = HashMap::new();
        for l in snap.list_sizes.iter().filter(|l| l.as_of >= lo && l.as_of <= hi) {
            let Some(r) = l.registered.filter(|r| *r > Decimal::ZERO) else { continue };
            let e = span.entry(l.practice.as_str()).or_insert((r, r));
            e.0 = e.0.min(r);
            e.1 = e.1.max(r);
        }
        let list_change = span
            .into_iter()
            .filter(|(_, (lo, hi))| *hi * Decimal::from(10) > *lo * Decimal::from(11))
            .map(|(p, (lo, hi))| {
                (p, format!("{p}'s registered list ranges from {} to {} over the year", lo.round(), hi.round()))
            })
            .collect();
        Facts { snap, index, opened_or_closed, list_change, months }
    }
}

/// Pushes the reasons every level shares: part-year membership, openings and
/// closures, list changes and payment timing. `prior` is the previous year's
/// computed amount, when its rates are known.
pub(super) fn common_reasons(
    reasons: &mut Vec<Explained>,
    practices: &BTreeSet<u32>,
    facts: &Facts<'_>,
    paid: Money,
    computed: Money,
    prior: Option<Money>,
) {
    let months = &facts.months;
    let code = |p: &u32| facts.snap.practices[*p as usize].code.as_str();
    let short: Vec<String> = practices
        .iter()
        .filter(|p| (1..12).contains(&months[**p as usize]))
        .map(|p| format!("{} ({} months)", code(p), months[*p as usize]))
        .collect();
    if !short.is_empty() {
        reasons.push(Explained {
            reason: Reason::PartYear,
            detail: format!("counted for part of the year: {}", short.join(", ")),
        });
    }
    let changed: Vec<&str> =
        practices.iter().filter_map(|p| facts.opened_or_closed.get(code(p))).map(String::as_str).collect();
    if !changed.is_empty() {
        reasons.push(Explained { reason: Reason::Closure, detail: changed.join("; ") });
    }
    let listed: Vec<&str> =
        practices.iter().filter_map(|p| facts.list_change.get(code(p))).map(String::as_str).collect();
    if !listed.is_empty() {
        reasons.push(Explained { reason: Reason::ListChange, detail: listed.join("; ") });
    }
    if let Some(prior) = prior.filter(|p| p.pence() > 0)
        && paid > computed
        && within(computed + prior, paid, 5)
    {
        reasons.push(Explained {
            reason: Reason::Timing,
            detail: format!("paid includes the previous year's entitlement too ({prior} at last year's rates)"),
        });
    }
    match whole_months(paid, computed) {
        Some(k) if k < 12 => reasons.push(Explained {
            reason: Reason::PartYear,
            detail: format!(
                "paid exactly {k} months of the computed annual amount: a start, stop or payee change the register does not date"
            ),
        }),
        Some(k) => reasons.push(Explained {
            reason: Reason::Timing,
            detail: format!("paid exactly {k} months of the computed annual amount: months of another year paid in this one"),
        }),
        None => {}
    }
}
