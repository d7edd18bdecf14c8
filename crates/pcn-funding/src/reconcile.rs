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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use pcn_core::{FinancialYear, ListSource, Money, Practice, PracticeCode, PracticePayments, Snapshot};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::engine::{self, Entitlements, NetworkInput, PracticeInput, month_starts};
use crate::inputs::{self, Memberships};
use crate::rates::{Basis, Per, Rate, Stream, YearRates};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Practice,
    Network,
}

/// A payments-file column and the entitlement streams it carries.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The stream name in reports.
    pub name: &'static str,
    /// The published column header.
    pub header: &'static str,
    pub streams: &'static [Stream],
    pub level: Level,
    /// An input the computed figure needs beyond the snapshot.
    pub needs: Option<Needs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Beds,
    IifPoints,
    Workforce,
}

impl Needs {
    fn describe(self) -> &'static str {
        match self {
            Needs::Beds => "beds in aligned care homes per network (--beds)",
            Needs::IifPoints => "IIF points achieved per network (--iif-points)",
            Needs::Workforce => "ARRS staff records (--staff)",
        }
    }
}

/// What each PCN column of the payments file holds. "PCN Support" carries
/// the core PCN funding (£1.50 per registered patient) as well as the 2020/21
/// support payment: against the 2020/21 file, 281 networks are within 2.5% of
/// the two together and 12 of the support payment alone.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "participation",
        header: "PCN Participation",
        streams: &[Stream::Participation],
        level: Level::Practice,
        needs: None,
    },
    Column {
        name: "clinical_director",
        header: "PCN Leadership",
        streams: &[Stream::ClinicalDirector, Stream::LeadershipManagement],
        level: Level::Network,
        needs: None,
    },
    Column {
        name: "support",
        header: "PCN Support",
        streams: &[Stream::CoreFunding, Stream::Support],
        level: Level::Network,
        needs: None,
    },
    Column {
        name: "extended_hours",
        header: "PCN Extended Hours Access",
        streams: &[Stream::ExtendedHours, Stream::EnhancedAccess],
        level: Level::Network,
        needs: None,
    },
    Column {
        name: "care_home_premium",
        header: "PCN Care Home Premium",
        streams: &[Stream::CareHomePremium],
        level: Level::Network,
        needs: Some(Needs::Beds),
    },
    Column {
        name: "iif",
        header: "PCN Investment and impact Fund",
        streams: &[Stream::Iif],
        level: Level::Network,
        needs: Some(Needs::IifPoints),
    },
    Column {
        name: "workforce",
        header: "PCN Workforce",
        streams: &[],
        level: Level::Network,
        needs: Some(Needs::Workforce),
    },
];

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

fn relative(x: Money, paid: Money) -> f64 {
    if paid.pence() == 0 { f64::INFINITY } else { (x.pence() - paid.pence()) as f64 / paid.pence().abs() as f64 }
}

fn within(x: Money, paid: Money, pct: i64) -> bool {
    // |x - paid| <= pct% of |paid|, in whole pence arithmetic.
    (x.pence() - paid.pence()).abs() * 100 <= paid.pence().abs() * pct
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotCompared {
    pub name: &'static str,
    pub column: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub year: FinancialYear,
    pub streams: Vec<StreamReport>,
    pub not_compared: Vec<NotCompared>,
}

/// Inputs beyond the snapshot, by network code.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub beds: HashMap<String, Decimal>,
    pub iif_points: HashMap<String, Decimal>,
    /// Claimable ARRS reimbursement per network for the year.
    pub workforce: HashMap<String, Money>,
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

fn column_amount(row: &PracticePayments, header: &str) -> Option<Money> {
    row.items.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(header)).map(|(_, v)| *v)
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

fn naive_for(rates: &YearRates, streams: &[Stream], registered: Decimal, weighted: Decimal) -> Option<Money> {
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

struct Computed<'a> {
    practices: Vec<PracticeInput>,
    networks: Vec<NetworkInput>,
    ent: Entitlements,
    by_practice: HashMap<(&'a str, u32), Money>,
    by_network: HashMap<(&'a str, u32), Money>,
    /// Each network's amount of each stream (a column may carry several).
    by_stream: HashMap<(Stream, u32), Money>,
}

fn compute<'a>(
    snap: &Snapshot,
    rates: &YearRates,
    extra: &Extra,
    memberships: Memberships,
    cols: &'a [Column],
) -> Computed<'a> {
    let (practices, mut networks) = inputs::from_snapshot_with(snap, rates, &[], inputs::Options { memberships });
    for n in &mut networks {
        n.beds = extra.beds.get(&n.code).copied();
        n.iif_points = extra.iif_points.get(&n.code).copied();
    }
    let ent = engine::entitlements(rates, &practices, &networks);
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
fn months_counted(c: &Computed<'_>, year: FinancialYear) -> Vec<usize> {
    let starts = month_starts(year);
    let mut flags = vec![[false; 12]; c.practices.len()];
    for n in &c.networks {
        for s in &n.spells {
            for (i, d) in starts.iter().enumerate() {
                flags[s.practice as usize][i] |= *d >= s.from && *d <= s.to;
            }
        }
    }
    flags.iter().map(|f| f.iter().filter(|x| **x).count()).collect()
}

/// The amount paid as a whole number of months of the computed annual figure,
/// 1 to 14 other than twelve, to within a tenth of a month (about three days): a
/// payment that started or stopped part way through the year, or months of
/// another year paid in this one.
fn whole_months(paid: Money, computed: Money) -> Option<u32> {
    if computed.pence() <= 0 || paid.pence() <= 0 {
        return None;
    }
    let months = months_paid(paid, computed)?;
    let k = months.round();
    ((1.0..=14.0).contains(&k) && k != 12.0 && (months - k).abs() <= 0.1).then_some(k as u32)
}

struct Facts<'a> {
    snap: &'a Snapshot,
    index: HashMap<&'a str, u32>,
    opened_or_closed: HashMap<&'a str, String>,
    list_change: HashMap<&'a str, String>,
}

impl<'a> Facts<'a> {
    fn new(snap: &'a Snapshot, rates: &YearRates) -> Self {
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
        Facts { snap, index, opened_or_closed, list_change }
    }
}

/// Reconciles the snapshot's configuration, for the year of `rates`, against
/// the payments rows of that year already merged into the snapshot.
pub fn reconcile(snap: &Snapshot, rates: &YearRates, extra: &Extra) -> Reconciliation {
    let year = rates.year;
    let rows: Vec<&PracticePayments> = snap.payments.iter().filter(|r| r.year == year).collect();
    let has_column = |h: &str| rows.iter().any(|r| column_amount(r, h).is_some_and(|m| m != Money::ZERO));
    let mut not_compared = Vec::new();
    let mut cols = Vec::new();
    for c in COLUMNS {
        if !has_column(c.header) {
            not_compared.push(NotCompared {
                name: c.name,
                column: c.header,
                reason: format!("the payments file for {year} has no {:?} column (or it is zero throughout)", c.header),
            });
            continue;
        }
        let have = match c.needs {
            Some(Needs::Beds) => !extra.beds.is_empty(),
            Some(Needs::IifPoints) => !extra.iif_points.is_empty(),
            Some(Needs::Workforce) => !extra.workforce.is_empty(),
            None => true,
        };
        if !have {
            let needs = c.needs.expect("inputs needed").describe();
            not_compared.push(NotCompared { name: c.name, column: c.header, reason: format!("needs {needs}") });
            continue;
        }
        if c.needs != Some(Needs::Workforce) && !rates.rates.iter().any(|r| c.streams.contains(&r.stream)) {
            not_compared.push(NotCompared {
                name: c.name,
                column: c.header,
                reason: format!("no rate for {year} in the rate table"),
            });
            continue;
        }
        cols.push(*c);
    }

    let main = compute(snap, rates, extra, Memberships::RegisterThenPayments, &cols);
    let alt = compute(snap, rates, extra, Memberships::Payments, &cols);
    // The previous year's entitlements, for payments that include its arrears.
    let prior = crate::rates::year(FinancialYear::new(year.start_year() - 1))
        .ok()
        .map(|r| compute(snap, r, extra, Memberships::RegisterThenPayments, &cols));
    let facts = Facts::new(snap, rates);
    let months = months_counted(&main, year);
    let payees = payees(snap, &rows, &cols, &main);

    let streams = cols
        .iter()
        .map(|c| match c.level {
            Level::Practice => practice_stream(c, &rows, rates, &main, prior.as_ref(), &facts, &months),
            Level::Network => {
                network_stream(c, &rows, rates, extra, &main, &alt, prior.as_ref(), &facts, &months, &payees)
            }
        })
        .collect();
    let mut streams: Vec<StreamReport> = streams;
    network_wide(&mut streams);
    Reconciliation { year, streams, not_compared }
}

/// A network paid the same share of two or more streams (within half a
/// month of each other) that is not twelve months' worth: its payments as a
/// whole started, stopped or caught up, whatever the stream. Adds that reason
/// to each such difference above 10% and recounts.
fn network_wide(streams: &mut [StreamReport]) {
    let mut months: HashMap<String, Vec<(&'static str, f64)>> = HashMap::new();
    for s in streams.iter().filter(|s| s.level == Level::Network) {
        for i in &s.items {
            if let Some(m) = months_paid(i.paid, i.computed).filter(|m| *m > 0.0) {
                months.entry(i.code.clone()).or_default().push((s.name, m));
            }
        }
    }
    for s in streams.iter_mut().filter(|s| s.level == Level::Network) {
        let name = s.name;
        for i in s.items.iter_mut().filter(|i| !within(i.computed, i.paid, 10)) {
            let Some(m) = months_paid(i.paid, i.computed).filter(|m| *m > 0.0) else { continue };
            let Some((other, mo)) =
                months.get(&i.code).and_then(|v| v.iter().find(|(o, mo)| *o != name && (mo - m).abs() <= 0.5))
            else {
                continue;
            };
            i.reasons.push(Explained {
                reason: if m < 12.0 { Reason::PartYear } else { Reason::Timing },
                detail: format!(
                    "network-wide: {m:.1} months' worth of {name} and {mo:.1} of {other} were paid, so its payments as a whole started, stopped or caught up"
                ),
            });
        }
        recount(s);
    }
}

/// Recomputes the counts of differences above 10% and their reasons.
fn recount(r: &mut StreamReport) {
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

/// Commissioners that paid most of their practices or networks the same
/// whole number of months other than twelve (e.g. the March payment made in
/// April): for each, that number of months and the share that fit it.
fn commissioner_months(groups: &HashMap<String, Vec<f64>>) -> HashMap<String, (u32, usize, usize)> {
    let mut out = HashMap::new();
    for (commissioner, months) in groups {
        if months.len() < 5 {
            continue;
        }
        for k in (1..=24u32).filter(|k| *k != 12) {
            let fit = months.iter().filter(|m| (**m - k as f64).abs() <= 0.5).count();
            if fit * 10 >= months.len() * 6 {
                out.insert(commissioner.clone(), (k, fit, months.len()));
                break;
            }
        }
    }
    out
}

/// Adds the commissioner-wide payment-timing reason to differences above 10%.
fn by_commissioner(items: &mut [Item], commissioner: &HashMap<&str, &str>) {
    let mut groups: HashMap<String, Vec<f64>> = HashMap::new();
    for i in items.iter() {
        if let (Some(c), Some(m)) = (commissioner.get(i.code.as_str()), months_paid(i.paid, i.computed)) {
            groups.entry(c.to_string()).or_default().push(m);
        }
    }
    let patterns = commissioner_months(&groups);
    let medians = commissioner_medians(&groups);
    for i in items.iter_mut().filter(|i| !within(i.computed, i.paid, 10)) {
        let Some(c) = commissioner.get(i.code.as_str()) else { continue };
        let months = months_paid(i.paid, i.computed);
        if let Some(e) = commissioner_reason(patterns.get(*c), c, months) {
            i.reasons.push(e);
        } else if let (Some((median, fit, n)), Some(m)) = (medians.get(*c), months)
            && (m - median).abs() <= 1.5
        {
            i.reasons.push(Explained {
                reason: Reason::CommissionerWide,
                detail: format!(
                    "commissioner {c} paid {fit} of its {n} compared practices or networks about {median:.1} months' worth of the computed amount (this one {m:.1}): a commissioner-wide arrangement, not this one's"
                ),
            });
        }
    }
}

/// Commissioners most of whose practices or networks (60%, at least four)
/// were paid within a month and a half of the same share of the computed
/// amount, that share more than 10% from a year's worth: the median months,
/// how many fit, and how many were compared.
fn commissioner_medians(groups: &HashMap<String, Vec<f64>>) -> HashMap<String, (f64, usize, usize)> {
    let mut out = HashMap::new();
    for (commissioner, months) in groups {
        if months.len() < 4 {
            continue;
        }
        let mut sorted = months.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let fit = months.iter().filter(|m| (**m - median).abs() <= 1.5).count();
        if fit * 10 >= months.len() * 6 && (median - 12.0).abs() > 1.2 {
            out.insert(commissioner.clone(), (median, fit, months.len()));
        }
    }
    out
}

fn months_paid(paid: Money, computed: Money) -> Option<f64> {
    (computed.pence() > 0).then(|| paid.pence() as f64 * 12.0 / computed.pence() as f64)
}

fn commissioner_reason(
    pattern: Option<&(u32, usize, usize)>,
    commissioner: &str,
    months: Option<f64>,
) -> Option<Explained> {
    let (k, fit, n) = pattern?;
    ((months? - *k as f64).abs() <= 0.5).then(|| Explained {
        reason: if *k < 12 { Reason::PartYear } else { Reason::Timing },
        detail: format!(
            "commissioner {commissioner} paid {fit} of its {n} compared practices or networks about {k} months' worth this year: its payment timing"
        ),
    })
}

/// Pushes the reasons every level shares: part-year membership, openings and
/// closures, list changes and payment timing.
fn common_reasons(
    reasons: &mut Vec<Explained>,
    practices: &BTreeSet<u32>,
    facts: &Facts<'_>,
    months: &[usize],
    paid: Money,
    computed: Money,
    prior: Option<Money>,
) {
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

fn practice_stream(
    c: &Column,
    rows: &[&PracticePayments],
    rates: &YearRates,
    main: &Computed<'_>,
    prior: Option<&Computed<'_>>,
    facts: &Facts<'_>,
    months: &[usize],
) -> StreamReport {
    let missing: HashSet<u32> =
        main.ent.missing.iter().filter(|m| c.streams.contains(&m.stream)).filter_map(|m| m.practice).collect();
    // The configuration's network of each practice (its longest spell).
    let mut config_network: HashMap<u32, &str> = HashMap::new();
    for n in &main.networks {
        for s in &n.spells {
            config_network.entry(s.practice).or_insert(n.code.as_str());
        }
    }
    let computed_of =
        |p: Option<u32>| p.and_then(|p| main.by_practice.get(&(c.name, p)).copied()).unwrap_or(Money::ZERO);
    // Practices owed a payment that received none, by the network the file codes them to:
    // their money may have gone to another practice of the network.
    let mut unpaid: HashMap<&str, Vec<(&str, Money)>> = HashMap::new();
    for row in rows {
        let owed = computed_of(facts.index.get(row.practice.as_str()).copied());
        let paid = column_amount(row, c.header).unwrap_or(Money::ZERO);
        if let Some(n) = &row.network
            && owed.pence() > 0
            && paid.pence() * 10 < owed.pence()
        {
            unpaid.entry(n.as_str()).or_default().push((row.practice.as_str(), owed));
        }
    }
    let mut items = Vec::new();
    for row in rows {
        let Some(paid) = column_amount(row, c.header).filter(|m| *m != Money::ZERO) else { continue };
        let code = row.practice.as_str();
        let p = facts.index.get(code).copied();
        let computed = computed_of(p);
        let naive = naive_for(
            rates,
            c.streams,
            row.registered_patients.unwrap_or_default(),
            row.weighted_patients.unwrap_or_default(),
        );
        let mut reasons = Vec::new();
        if !within(computed, paid, 10) {
            if p.is_some_and(|p| missing.contains(&p)) {
                reasons.push(Explained {
                    reason: Reason::MissingInput,
                    detail: format!("no population for {code} on the rate's basis"),
                });
            }
            let filed = row.network.as_ref().map_or("no network", |n| n.as_str());
            match p.and_then(|p| config_network.get(&p)) {
                None => reasons.push(Explained {
                    reason: Reason::CodedElsewhere,
                    detail: format!(
                        "{code} is in no network of the configuration in {}; the file codes it to {filed}",
                        rates.year
                    ),
                }),
                Some(net) if *net != filed => reasons.push(Explained {
                    reason: Reason::CodedElsewhere,
                    detail: format!("the file codes {code} to {filed}, the configuration to {net}"),
                }),
                Some(_) => {}
            }
            if paid > computed
                && let Some(others) = row.network.as_ref().and_then(|n| unpaid.get(n.as_str()))
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
            let before =
                prior.map(|pr| p.and_then(|p| pr.by_practice.get(&(c.name, p)).copied()).unwrap_or(Money::ZERO));
            common_reasons(&mut reasons, &own, facts, months, paid, computed, before);
        }
        items.push(Item {
            code: code.to_string(),
            network: row.network.as_ref().map(|n| n.to_string()),
            paid,
            computed,
            naive,
            reasons,
        });
    }
    let commissioner: HashMap<&str, &str> =
        rows.iter().filter_map(|r| Some((r.practice.as_str(), r.commissioner.as_ref()?.as_str()))).collect();
    by_commissioner(&mut items, &commissioner);
    let paid_codes: HashSet<&str> = items.iter().map(|i| i.code.as_str()).collect();
    let computed_not_paid = main
        .by_practice
        .iter()
        .filter(|((name, p), m)| {
            *name == c.name && m.pence() != 0 && !paid_codes.contains(facts.snap.practices[*p as usize].code.as_str())
        })
        .count();
    summarise(c, items, computed_not_paid)
}

/// For each network code, the networks whose PCN-level payments the file
/// records under it (their nominated payee is coded there).
pub type Payees = BTreeMap<String, Vec<String>>;

/// Payee relationships found stream by stream, and their union: a
/// relationship seen on one stream is evidence for the others.
struct PayeeEvidence {
    by_stream: HashMap<&'static str, Payees>,
    union: Payees,
}

fn payees(snap: &Snapshot, rows: &[&PracticePayments], cols: &[Column], main: &Computed<'_>) -> PayeeEvidence {
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

#[allow(clippy::too_many_arguments)]
fn network_stream(
    c: &Column,
    rows: &[&PracticePayments],
    rates: &YearRates,
    extra: &Extra,
    main: &Computed<'_>,
    alt: &Computed<'_>,
    prior: Option<&Computed<'_>>,
    facts: &Facts<'_>,
    months: &[usize],
    payees: &PayeeEvidence,
) -> StreamReport {
    // Paid and the naive product, by the file's network coding.
    let mut paid: BTreeMap<String, Money> = BTreeMap::new();
    let mut pops: HashMap<String, (Decimal, Decimal)> = HashMap::new();
    for row in rows {
        let Some(n) = &row.network else { continue };
        let e = pops.entry(n.to_string()).or_default();
        e.0 += row.registered_patients.unwrap_or_default();
        e.1 += row.weighted_patients.unwrap_or_default();
        if let Some(m) = column_amount(row, c.header) {
            *paid.entry(n.to_string()).or_insert(Money::ZERO) += m;
        }
    }
    let net_index: HashMap<&str, u32> =
        main.networks.iter().enumerate().map(|(i, n)| (n.code.as_str(), i as u32)).collect();
    let computed_of = |comp: &Computed<'_>, code: &str| -> Money {
        if c.needs == Some(Needs::Workforce) {
            return extra.workforce.get(code).copied().unwrap_or(Money::ZERO);
        }
        net_index.get(code).and_then(|n| comp.by_network.get(&(c.name, *n)).copied()).unwrap_or(Money::ZERO)
    };
    let main_of = |code: &str| computed_of(main, code);
    let paid_under: HashMap<&str, &str> =
        payees.union.iter().flat_map(|(n, v)| v.iter().map(move |o| (o.as_str(), n.as_str()))).collect();
    let own = payees.by_stream.get(c.name);
    let computed_not_paid = main
        .networks
        .iter()
        .filter(|n| main_of(&n.code).pence() > 0 && paid.get(&n.code).is_none_or(|p| p.pence() == 0))
        .count();
    let missing: HashSet<u32> =
        main.ent.missing.iter().filter(|m| c.streams.contains(&m.stream)).map(|m| m.network).collect();
    // Register members and the file's coding, for part-year and closure evidence.
    let mut members: HashMap<&str, BTreeSet<u32>> = HashMap::new();
    for n in main.networks.iter().chain(alt.networks.iter()) {
        members.entry(n.code.as_str()).or_default().extend(n.spells.iter().map(|s| s.practice));
    }
    // Each stream's share, for a column that carries several.
    let part = |n: u32, s: Stream| -> Money { main.by_stream.get(&(s, n)).copied().unwrap_or(Money::ZERO) };

    let mut items = Vec::new();
    // Streams that need an input compare only the networks the input covers.
    let has_input = |code: &str| match c.needs {
        Some(Needs::Beds) => extra.beds.contains_key(code),
        Some(Needs::IifPoints) => extra.iif_points.contains_key(code),
        Some(Needs::Workforce) => extra.workforce.contains_key(code),
        None => true,
    };
    for (code, &paid) in paid.iter().filter(|(code, m)| m.pence() != 0 && has_input(code)) {
        let computed = main_of(code);
        let naive = if c.needs.is_some() {
            None
        } else {
            pops.get(code).and_then(|(r, w)| naive_for(rates, c.streams, *r, *w))
        };
        let mut reasons = Vec::new();
        if !within(computed, paid, 10) {
            let n = net_index.get(code.as_str()).copied();
            if n.is_some_and(|n| missing.contains(&n)) || c.needs.is_some() && computed.pence() == 0 {
                reasons.push(Explained {
                    reason: Reason::MissingInput,
                    detail: format!("{code}: an input or population is missing"),
                });
            }
            let by_file = computed_of(alt, code);
            if n.is_none() {
                reasons.push(Explained {
                    reason: Reason::CodedElsewhere,
                    detail: format!("{code} is not a network of the configuration"),
                });
            }
            if by_file != computed && within(by_file, paid, 10) {
                reasons.push(Explained {
                    reason: Reason::CodedElsewhere,
                    detail: format!(
                        "with the file's coding of practices {code} would get {by_file}, within 10% of the amount paid"
                    ),
                });
            }
            let fits =
                |others: &&Vec<String>| within(computed + others.iter().map(|o| main_of(o)).sum::<Money>(), paid, 10);
            if let Some(others) =
                payees.union.get(code).filter(fits).or_else(|| own.and_then(|o| o.get(code)).filter(fits))
            {
                {
                    let list: Vec<String> = others.iter().map(|o| format!("{o} ({})", main_of(o))).collect();
                    reasons.push(Explained {
                        reason: Reason::CodedElsewhere,
                        detail: format!(
                            "paid includes the payments of {}, whose nominated payee the file codes here",
                            list.join(", ")
                        ),
                    });
                }
            }
            if let Some(under) = paid_under.get(code.as_str()) {
                reasons.push(Explained {
                    reason: Reason::CodedElsewhere,
                    detail: format!("{code}'s payment is paid under {under}: its nominated payee is coded there"),
                });
            }
            if let Some(n) = n {
                let streams: Vec<Stream> = c.streams.iter().copied().filter(|s| part(n, *s).pence() > 0).collect();
                if streams.len() > 1 {
                    for s in &streams {
                        let amount = part(n, *s);
                        let how = if within(amount, paid, 5) {
                            "the".to_string()
                        } else if let Some(k) = whole_months(paid, amount) {
                            format!("{k} months of the")
                        } else {
                            continue;
                        };
                        reasons.push(Explained {
                            reason: Reason::PartOfColumn,
                            detail: format!(
                                "paid equals {how} {} part alone ({amount} a year); the column's other streams were not paid here",
                                s.name()
                            ),
                        });
                        break;
                    }
                }
            }
            let empty = BTreeSet::new();
            let practices = members.get(code.as_str()).unwrap_or(&empty);
            let before = prior.map(|pr| computed_of(pr, code));
            common_reasons(&mut reasons, practices, facts, months, paid, computed, before);
        }
        items.push(Item { code: code.clone(), network: Some(code.clone()), paid, computed, naive, reasons });
    }
    let mut commissioner: HashMap<&str, &str> =
        facts.snap.networks.iter().filter_map(|n| Some((n.code.as_str(), n.commissioner.as_ref()?.as_str()))).collect();
    for row in rows {
        if let (Some(n), Some(c)) = (&row.network, &row.commissioner) {
            commissioner.entry(n.as_str()).or_insert(c.as_str());
        }
    }
    by_commissioner(&mut items, &commissioner);
    let mut report = summarise(c, items, computed_not_paid);
    report.paid_without_network =
        rows.iter().filter(|r| r.network.is_none()).filter_map(|r| column_amount(r, c.header)).sum();
    report
}

fn summarise(c: &Column, mut items: Vec<Item>, computed_not_paid: usize) -> StreamReport {
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

impl StreamReport {
    pub fn share(&self, n: usize) -> f64 {
        if self.compared == 0 { 0.0 } else { n as f64 / self.compared as f64 }
    }
}

/// Pounds as a float for display only.
pub fn pounds_f64(m: Money) -> f64 {
    m.to_pounds().to_f64().unwrap_or(0.0)
}
