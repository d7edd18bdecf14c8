//! Computed entitlements against what NHS England paid, as published in NHS
//! Payments to General Practice (one row per practice, one column per
//! payment line).
//!
//! Three figures per practice or network and stream:
//! - `paid`: the file's column (network-level columns summed over the rows the
//!   file codes to the network: that money sits with the nominated payee);
//! - `naive`: the year's rate times the file's own population column, for the
//!   whole year (what a quick spreadsheet does);
//! - `computed`: the engine on the basis the rules prescribe (lists at the
//!   list-size date, months of membership, opening and closure dates).
//!
//! A difference above 10% of the amount paid is given every reason the
//! evidence supports; one with none is counted as unexplained.
//!
//! Modules, each using only those before it: `amounts` (shares and months'
//! worth), `columns` (which columns there are and which can be compared),
//! `reasons` (the evidence every level shares), `report` (a column summed
//! up), `timing` (payment timing across items), `computed` (the engine's
//! figures per column), `payees` (payments coded under another network),
//! `comparison` (all of that gathered once), then `practices` and `networks`,
//! which compare one column at their level.

mod amounts;
mod columns;
mod comparison;
mod computed;
mod networks;
mod payees;
mod practices;
mod reasons;
mod report;
mod timing;

use std::collections::HashSet;

use pcn_core::{FinancialYear, ListSource, Money, Practice, PracticeCode, PracticePayments, Snapshot};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

pub use columns::{COLUMNS, Column, Extra, Level, Needs, NotCompared};
pub use payees::Payees;
pub use reasons::{Explained, Reason};
pub use report::{BUCKET_LABELS, Distribution, Item, StreamReport};

use crate::rates::{RateBook, YearRates};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub year: FinancialYear,
    pub streams: Vec<StreamReport>,
    pub not_compared: Vec<NotCompared>,
}

/// Puts a year's payments rows into the snapshot: replaces any rows and
/// payments list sizes of that year, and adds practices the register lacks
/// (those that closed before it was taken) with their close dates.
pub fn merge_payments(snap: &mut Snapshot, year: FinancialYear, rows: Vec<PracticePayments>) {
    snap.payments.retain(|p| p.year != year);
    snap.list_sizes.retain(|l| !(l.source == ListSource::Payments && l.as_of == year.end()));
    let known: HashSet<PracticeCode> = snap.practices.iter().map(|p| p.code.clone()).collect();
    // Networks the file names that the register lacks (closed or merged before it was taken).
    let networks: HashSet<pcn_core::NetworkCode> = snap.networks.iter().map(|n| n.code.clone()).collect();
    let mut added: HashSet<pcn_core::NetworkCode> = HashSet::new();
    for row in &rows {
        if let Some(n) = &row.network
            && !networks.contains(n)
            && added.insert(n.clone())
        {
            snap.networks.push(pcn_core::Network {
                code: n.clone(),
                name: None,
                commissioner: row.commissioner.clone(),
                open_date: None,
                close_date: None,
                postcode: None,
            });
        }
    }
    for row in &rows {
        if !known.contains(&row.practice) {
            let mut p = Practice::new(row.practice.clone());
            p.close_date = row.close_date;
            p.commissioner = row.commissioner.clone();
            snap.practices.push(p);
        }
        if row.registered_patients.is_some() || row.weighted_patients.is_some() {
            snap.list_sizes.push(pcn_core::ListSize {
                practice: row.practice.clone(),
                registered: row.registered_patients,
                weighted: row.weighted_patients,
                as_of: year.end(),
                source: ListSource::Payments,
            });
        }
    }
    snap.payments.extend(rows);
}

/// Reconciles the snapshot's configuration, for the year of `rates`, against
/// the payments rows of that year already merged into the snapshot.
pub fn reconcile(snap: &Snapshot, rates: &YearRates, extra: &Extra) -> Reconciliation {
    reconcile_with(snap, &RateBook::national(rates.clone(), ""), extra)
}

/// [`reconcile`] with each network's entitlements on its ICB's rates (a
/// Local Variation Agreement's, where one applies). The naive figure stays
/// the year's table times the file's lists.
pub fn reconcile_with(snap: &Snapshot, book: &RateBook, extra: &Extra) -> Reconciliation {
    let rates = &book.base;
    let year = rates.year;
    let rows: Vec<&PracticePayments> = snap.payments.iter().filter(|r| r.year == year).collect();
    let (cols, not_compared) = columns::comparable(&rows, rates, extra);
    let cmp = comparison::Comparison::new(snap, book, extra, rows, &cols);
    let mut streams: Vec<StreamReport> = cols
        .iter()
        .map(|c| match c.level {
            Level::Practice => practices::stream(c, &cmp),
            Level::Network => networks::stream(c, &cmp),
        })
        .collect();
    timing::network_wide(&mut streams);
    Reconciliation { year, streams, not_compared }
}

/// Pounds as a float for display only.
pub fn pounds_f64(m: Money) -> f64 {
    m.to_pounds().to_f64().unwrap_or(0.0)
}
