//! Entitlements of networks and practices for one financial year.
//!
//! For each rate of the year and each practice that counts for a network in
//! a month, the practice's population on the rate's basis (as at the year's
//! list-size date where the snapshot has it) times the rate gives its share.
//! Months: a practice counts for a network in a month when it is a member (or
//! a non-participant covered by it) on the first day of that month; part
//! years and mid-year joins, leaves and mergers follow from that.
//!
//! A stream whose rate the year's table does not have (NF, `no_rate`) gives
//! each network a `Missing` entry saying so, never a guessed line; a stream
//! removed from the DES gives nothing at all.
//!
//! Rounding happens once per line: the year's amount of a (stream, network,
//! practice) line is rounded to pence (half away from zero), then split into
//! months of equal whole pence with the remainder in the line's last month,
//! so months always add up to the year exactly.

use pcn_core::{FinancialYear, IcbCode, Money};
use rust_decimal::Decimal;
use serde::Serialize;
use time::{Date, Month};

use crate::rates::{Basis, Confidence, PaidTo, Per, Rate, RateBook, Stream, YearRates};

/// One population figure and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Population {
    pub value: Decimal,
    pub as_of: Date,
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PracticeInput {
    pub code: String,
    pub registered: Option<Population>,
    pub weighted: Option<Population>,
    /// PCN Adjusted Population; where absent the weighted list stands in (documented approximation).
    pub adjusted: Option<Population>,
}

/// A practice's time with a network: `from`..=`to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spell {
    pub practice: u32,
    pub from: Date,
    pub to: Date,
    /// A covered non-participant: counted for the network's population-based
    /// streams, paid no participation payment.
    pub participating: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkInput {
    pub code: String,
    pub spells: Vec<Spell>,
    /// Beds in aligned care homes (care home premium).
    pub beds: Option<Decimal>,
    /// IIF achievement points.
    pub iif_points: Option<Decimal>,
}

/// One entitlement line: a stream for a network, from one practice's
/// population (or the network's own basis), by month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub stream: Stream,
    pub network: u32,
    /// The practice whose population the line is for (the recipient for participation).
    pub practice: Option<u32>,
    pub paid_to: PaidTo,
    pub basis: Basis,
    pub units: Decimal,
    /// The population's date and source (what the basis was taken from).
    pub units_as_of: Option<Date>,
    pub units_source: Option<String>,
    pub rate: Decimal,
    pub per: Per,
    pub rate_source: String,
    pub confidence: Confidence,
    /// Amount in each month, April first.
    pub months: [Money; 12],
    pub annual: Money,
}

/// What a missing line lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingCause {
    /// An input: a population on the rate's basis, beds, IIF points.
    Input,
    /// The rate: no source gives the year's figure (the table's `no_rate`).
    Rate,
}

/// A line that could not be computed, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    pub stream: Stream,
    pub network: u32,
    pub practice: Option<u32>,
    pub cause: MissingCause,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entitlements {
    pub lines: Vec<Line>,
    pub missing: Vec<Missing>,
}

/// The first day of each month of the year, April first.
pub fn month_starts(year: FinancialYear) -> [Date; 12] {
    let mut out = [year.start(); 12];
    for (i, d) in out.iter_mut().enumerate() {
        let m = (3 + i) % 12 + 1;
        let y = if m >= 4 { year.start_year() } else { year.start_year() + 1 };
        *d = Date::from_calendar_date(y, Month::try_from(m as u8).expect("1..=12"), 1).expect("valid");
    }
    out
}

/// Months (as a 12-flag array) in which a date range covers the first day.
fn months_covered(starts: &[Date; 12], from: Date, to: Date) -> [bool; 12] {
    let mut m = [false; 12];
    for (i, d) in starts.iter().enumerate() {
        m[i] = *d >= from && *d <= to;
    }
    m
}

/// The months of a rate's period: those whose first day falls within it.
fn rate_months(starts: &[Date; 12], r: &Rate) -> [bool; 12] {
    months_covered(starts, r.from, r.to)
}

/// Splits a year's pence over the flagged months: equal whole pence, the
/// remainder in the last flagged month.
pub fn split(total: Money, months: &[bool; 12]) -> [Money; 12] {
    let n = months.iter().filter(|m| **m).count() as i64;
    let mut out = [Money::ZERO; 12];
    if n == 0 {
        return out;
    }
    let each = total.pence() / n;
    let last = months.iter().rposition(|m| *m).expect("n > 0");
    for i in 0..12 {
        if months[i] {
            out[i] = Money::from_pence(each);
        }
    }
    out[last] = Money::from_pence(total.pence() - each * (n - 1));
    out
}

fn population(p: &PracticeInput, basis: Basis) -> Option<&Population> {
    match basis {
        Basis::Registered => p.registered.as_ref(),
        Basis::Weighted => p.weighted.as_ref(),
        Basis::Adjusted => p.adjusted.as_ref().or(p.weighted.as_ref()),
        _ => None,
    }
}

/// The line's year amount in pounds, before rounding.
fn amount(rate: &Rate, units: Decimal, line_months: &[bool; 12], period_months: &[bool; 12]) -> Decimal {
    let counted = Decimal::from(line_months.iter().zip(period_months).filter(|(a, b)| **a && **b).count() as i64);
    let period = Decimal::from(period_months.iter().filter(|m| **m).count() as i64);
    match rate.per {
        Per::Year => units * rate.amount * counted / Decimal::from(12),
        Per::Month => units * rate.amount * counted,
        Per::Period if period > Decimal::ZERO => units * rate.amount * counted / period,
        Per::Period => Decimal::ZERO,
    }
}

pub fn entitlements(rates: &YearRates, practices: &[PracticeInput], networks: &[NetworkInput]) -> Entitlements {
    let mut out = Entitlements::default();
    add(rates, practices, networks, &|_| true, &mut out);
    out
}

/// Entitlements under a [`RateBook`]: each network on the rates in force for
/// its ICB (`icbs`, one per network: the year's table, or the table as its
/// ICB's Local Variation Agreement varies it). Lines come table by table.
pub fn entitlements_by(
    book: &RateBook,
    icbs: &[Option<IcbCode>],
    practices: &[PracticeInput],
    networks: &[NetworkInput],
) -> Entitlements {
    let table_of = |n: usize| book.for_icb(icbs.get(n).and_then(Option::as_ref));
    let mut out = Entitlements::default();
    add(&book.base, practices, networks, &|n| std::ptr::eq(table_of(n), &book.base), &mut out);
    for (_, t) in &book.varied {
        add(t, practices, networks, &|n| std::ptr::eq(table_of(n), t), &mut out);
    }
    out
}

/// The lines of one table for the networks `keep` selects.
fn add(
    rates: &YearRates,
    practices: &[PracticeInput],
    networks: &[NetworkInput],
    keep: &dyn Fn(usize) -> bool,
    out: &mut Entitlements,
) {
    let starts = month_starts(rates.year);
    for rate in &rates.rates {
        let period = rate_months(&starts, rate);
        for (n, net) in networks.iter().enumerate() {
            if !keep(n) {
                continue;
            }
            let n = n as u32;
            match rate.basis {
                Basis::Registered | Basis::Weighted | Basis::Adjusted => {
                    for spell in &net.spells {
                        if rate.stream == Stream::Participation && !spell.participating {
                            continue; // non-participants receive no participation payment
                        }
                        let months = months_covered(&starts, spell.from, spell.to);
                        let active: [bool; 12] = std::array::from_fn(|i| months[i] && period[i]);
                        if !active.iter().any(|m| *m) {
                            continue;
                        }
                        let p = &practices[spell.practice as usize];
                        let Some(pop) = population(p, rate.basis) else {
                            out.missing.push(Missing {
                                stream: rate.stream,
                                network: n,
                                practice: Some(spell.practice),
                                cause: MissingCause::Input,
                                // The basis in lower case; the practice code as ODS writes it.
                                reason: format!(
                                    "no {} population for {}",
                                    format!("{:?}", rate.basis).to_lowercase(),
                                    p.code
                                ),
                            });
                            continue;
                        };
                        let annual =
                            Money::from_pounds(amount(rate, pop.value, &months, &period)).unwrap_or(Money::ZERO);
                        out.lines.push(line(
                            rate,
                            n,
                            Some(spell.practice),
                            pop.value,
                            Some(pop),
                            annual,
                            split(annual, &active),
                        ));
                    }
                }
                Basis::Beds | Basis::Points | Basis::PerNetwork => {
                    let units = match rate.basis {
                        Basis::Beds => net.beds,
                        Basis::Points => net.iif_points,
                        _ => Some(Decimal::ONE),
                    };
                    // The network exists in the months any practice is with it.
                    let mut months = [false; 12];
                    for s in &net.spells {
                        let m = months_covered(&starts, s.from, s.to);
                        for i in 0..12 {
                            months[i] |= m[i];
                        }
                    }
                    let active: [bool; 12] = std::array::from_fn(|i| months[i] && period[i]);
                    if !active.iter().any(|m| *m) {
                        continue;
                    }
                    let Some(units) = units else {
                        out.missing.push(Missing {
                            stream: rate.stream,
                            network: n,
                            practice: None,
                            cause: MissingCause::Input,
                            reason: format!("no {:?} input for the network", rate.basis).to_lowercase(),
                        });
                        continue;
                    };
                    let annual = Money::from_pounds(amount(rate, units, &months, &period)).unwrap_or(Money::ZERO);
                    out.lines.push(line(rate, n, None, units, None, annual, split(annual, &active)));
                }
            }
        }
    }
    // Streams paid at a rate no source gives: each network active in the year is owed
    // something that cannot be computed.
    for gap in rates.not_found() {
        for (n, net) in networks.iter().enumerate() {
            if !keep(n) {
                continue;
            }
            if !net.spells.iter().any(|s| months_covered(&starts, s.from, s.to).iter().any(|m| *m)) {
                continue;
            }
            out.missing.push(Missing {
                stream: gap.stream,
                network: n as u32,
                practice: None,
                cause: MissingCause::Rate,
                reason: format!("no {} rate for {}: {}", rates.year, gap.stream.name(), gap.reason),
            });
        }
    }
}

fn line(
    rate: &Rate,
    network: u32,
    practice: Option<u32>,
    units: Decimal,
    pop: Option<&Population>,
    annual: Money,
    months: [Money; 12],
) -> Line {
    Line {
        stream: rate.stream,
        network,
        practice,
        paid_to: rate.paid_to,
        basis: rate.basis,
        units,
        units_as_of: pop.map(|p| p.as_of),
        units_source: pop.map(|p| p.source.clone()),
        rate: rate.amount,
        per: rate.per,
        rate_source: rate.source.clone(),
        confidence: rate.confidence,
        months,
        annual,
    }
}

impl Entitlements {
    pub fn network_total(&self, network: u32, stream: Option<Stream>) -> Money {
        self.lines
            .iter()
            .filter(|l| l.network == network && stream.is_none_or(|s| l.stream == s))
            .map(|l| l.annual)
            .sum()
    }

    pub fn practice_total(&self, practice: u32, stream: Option<Stream>) -> Money {
        self.lines
            .iter()
            .filter(|l| l.practice == Some(practice) && stream.is_none_or(|s| l.stream == s))
            .map(|l| l.annual)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_split_exactly() {
        let all = [true; 12];
        let m = split(Money::from_pence(100_001), &all);
        assert_eq!(m.iter().copied().sum::<Money>(), Money::from_pence(100_001));
        assert_eq!(m[0], Money::from_pence(8_333));
        assert_eq!(m[11], Money::from_pence(100_001 - 8_333 * 11));
        let mut nine = [true; 12];
        nine[0] = false;
        nine[1] = false;
        nine[2] = false;
        let m = split(Money::from_pence(1_000), &nine);
        assert_eq!(m[0], Money::ZERO);
        assert_eq!(m.iter().copied().sum::<Money>(), Money::from_pence(1_000));
    }

    #[test]
    fn month_starts_run_april_to_march() {
        let s = month_starts(FinancialYear::new(2019));
        assert_eq!(s[0], time::macros::date!(2019 - 04 - 01));
        assert_eq!(s[3], time::macros::date!(2019 - 07 - 01));
        assert_eq!(s[11], time::macros::date!(2020 - 03 - 01));
    }
}
