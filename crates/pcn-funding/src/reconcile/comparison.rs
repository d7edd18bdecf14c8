//! What every stream's comparison reads, gathered once per reconciliation
//! instead of passed piece by piece.

use pcn_core::{FinancialYear, PracticePayments, Snapshot};

use super::columns::{Column, Extra};
use super::computed::Computed;
use super::payees::PayeeEvidence;
use super::reasons::Facts;
use crate::inputs::Memberships;
use crate::rates::{RateBook, YearRates};

pub(super) struct Comparison<'a> {
    /// The payments rows of the year.
    pub rows: Vec<&'a PracticePayments>,
    pub rates: &'a YearRates,
    pub extra: &'a Extra,
    /// On the register's memberships (the file's coding where it has none).
    pub main: Computed,
    /// On the file's own coding of practices to networks.
    pub by_file: Computed,
    /// The previous year's entitlements, for payments that include its arrears.
    pub prior: Option<Computed>,
    pub facts: Facts<'a>,
    pub payees: PayeeEvidence,
}

impl<'a> Comparison<'a> {
    pub(super) fn new(
        snap: &'a Snapshot,
        book: &'a RateBook,
        extra: &'a Extra,
        rows: Vec<&'a PracticePayments>,
        cols: &[Column],
    ) -> Self {
        let rates = &book.base;
        let year = rates.year;
        let main = Computed::new(snap, book, extra, Memberships::RegisterThenPayments, cols);
        let by_file = Computed::new(snap, book, extra, Memberships::Payments, cols);
        // The previous year on its built-in table: arrears are a national figure's.
        let prior = crate::rates::year(FinancialYear::new(year.start_year() - 1)).ok().map(|r| {
            Computed::new(snap, &RateBook::national(r.clone(), ""), extra, Memberships::RegisterThenPayments, cols)
        });
        let facts = Facts::new(snap, rates, main.months_counted(year));
        let payees = PayeeEvidence::find(snap, &rows, cols, &main);
        Comparison { rows, rates, extra, main, by_file, prior, facts, payees }
    }
}
