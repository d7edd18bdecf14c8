//! The engine's side of the comparison: entitlements computed on one basis
//! of membership, summed the way the payments file's columns sum them, and
//! the naive "rate × the file's own list" figure.

use std::collections::HashMap;

use pcn_core::{FinancialYear, Money, Snapshot};
use rust_decimal::Decimal;

use super::columns::{Column, Extra};
use crate::engine::{self, Entitlements, NetworkInput, PracticeInput, month_starts};
use crate::inputs::{self, Memberships};
use crate::rates::{Basis, Per, Rate, RateBook, Stream, YearRates};

pub(super) struct Computed {
    pub practices: Vec<PracticeInput>,
    pub networks: Vec<NetworkInput>,
    pub ent: Entitlements,
    /// By (column name, practice index).
    pub by_practice: HashMap<(&'static str, u32), Money>,
    /// By (column name, network index).
    pub by_network: HashMap<(&'static str, u32), Money>,
    /// Each network's amount of each stream (a column may carry several).
    pub by_stream: HashMap<(Stream, u32), Money>,
}

impl Computed {
    /// Entitlements for the year of `book` (each network on its ICB's rates)
    /// on the given memberships, with the beds and IIF points of `extra`,
    /// summed for each of `cols`.
    pub(super) fn new(
        snap: &Snapshot,
        book: &RateBook,
        extra: &Extra,
        memberships: Memberships,
        cols: &[Column],
    ) -> Computed {
        let rates = &book.base;
        let (practices, mut networks) = inputs::from_snapshot_with(snap, rates, &[], inputs::Options { memberships });
        for n in &mut networks {
            n.beds = extra.beds.get(&n.code).copied();
            n.iif_points = extra.iif_points.get(&n.code).copied();
        }
        let ent = engine::entitlements_by(book, &inputs::network_icbs(snap), &practices, &networks);
        let mut by_practice = HashMap::new();
        let mut by_network = HashMap::new();
        for c in cols {
            for l in ent.lines.iter().filter(|l| c.streams.contains(&l.stream)) {
                if let Some(p) = l.practice {
                    *by_practice.entry((c.name, p)).or_insert(Money::ZERO) += l.annual;
                }
                *by_network.entry((c.name, l.network)).or_insert(Money::ZERO) += l.annual;
            }
        }
        let mut by_stream = HashMap::new();
        for l in &ent.lines {
            *by_stream.entry((l.stream, l.network)).or_insert(Money::ZERO) += l.annual;
        }
        Computed { practices, networks, ent, by_practice, by_network, by_stream }
    }

    /// Months (of 12) in which each practice counts for some network.
    pub(super) fn months_counted(&self, year: FinancialYear) -> Vec<usize> {
        let starts = month_starts(year);
        let mut flags = vec![[false; 12]; self.practices.len()];
        for n in &self.networks {
            for s in &n.spells {
                for (i, d) in starts.iter().enumerate() {
                    flags[s.practice as usize][i] |= *d >= s.from && *d <= s.to;
                }
            }
        }
        flags.iter().map(|f| f.iter().filter(|x| **x).count()).collect()
    }
}

/// The whole year's amount of a rate for `units`, ignoring membership.
fn full_year(rate: &Rate, units: Decimal, year: FinancialYear) -> Decimal {
    let starts = month_starts(year);
    let months = Decimal::from(starts.iter().filter(|d| **d >= rate.from && **d <= rate.to).count() as i64);
    match rate.per {
        Per::Year => units * rate.amount * months / Decimal::from(12),
        Per::Month => units * rate.amount * months,
        Per::Period => units * rate.amount,
    }
}

/// What a quick spreadsheet does: the year's rates of `streams` times the
/// file's own populations, for the whole year. `None` when a rate is on
/// another basis (or there is none).
pub(super) fn naive_for(
    rates: &YearRates,
    streams: &[Stream],
    registered: Decimal,
    weighted: Decimal,
) -> Option<Money> {
    let mut total = Decimal::ZERO;
    let mut any = false;
    for r in rates.rates.iter().filter(|r| streams.contains(&r.stream)) {
        let units = match r.basis {
            Basis::Registered => registered,
            Basis::Weighted | Basis::Adjusted => weighted,
            _ => return None,
        };
        total += full_year(r, units, rates.year);
        any = true;
    }
    any.then(|| Money::from_pounds(total).unwrap_or(Money::ZERO))
}
