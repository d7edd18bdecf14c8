//! Engine inputs from a snapshot: each practice's populations on every basis,
//! dated and sourced, and each network's spells of membership in the year.

use std::collections::HashMap;

use pcn_core::{
    Approval, ApprovalKind, FinancialYear, IcbCode, ListSize, ListSource, NetworkCode, PracticeCode, Snapshot,
};
use rust_decimal::Decimal;
use time::macros::date;
use time::{Date, Duration};

use crate::engine::{NetworkInput, Population, PracticeInput, Spell};
use crate::rates::YearRates;

/// ODS recorded the first network configuration with relationship start
/// dates of 1 October 2019, though networks had run since 1 July 2019: a
/// membership that starts by then counts from the start of the year.
pub const FIRST_ODS_RECORDING: Date = date!(2019 - 10 - 01);

/// A registered figure this close to the list-size date counts as taken on it.
const SAME_DATE_DAYS: i64 = 31;

/// Where a network's memberships come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Memberships {
    /// The snapshot's register only.
    #[default]
    Register,
    /// The register, and for a practice the register has in no network during
    /// the year, the network the year's payments file codes it to (practices
    /// that closed before the register was taken are in no later register).
    RegisterThenPayments,
    /// The payments file's coding for every practice it codes (what NHS
    /// England's payment systems held), the register for the rest.
    Payments,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub memberships: Memberships,
}

fn pick(lists: &[&ListSize], want: Date, value: impl Fn(&ListSize) -> Option<Decimal>) -> Option<Population> {
    // The figure dated nearest the wanted date (earlier on ties), then by source preference.
    lists
        .iter()
        .filter_map(|l| Some((l, value(l)?)))
        .min_by_key(|(l, _)| ((l.as_of - want).whole_days().abs(), l.as_of > want, l.source))
        .map(|(l, v)| Population { value: v, as_of: l.as_of, source: l.source.as_str().to_string() })
}

/// A payments file's patient figures are averages of the year's four
/// quarterly lists (1 April, 1 July, 1 October, 1 January), so they stand for
/// the list about 16 August of the year: 137 days after its start.
const PAYMENTS_CENTRE_DAYS: i64 = 137;

fn payments_centre(l: &ListSize) -> Date {
    FinancialYear::containing(l.as_of).start() + Duration::days(PAYMENTS_CENTRE_DAYS)
}

/// The figure at `want` on a straight line through the two payments-file
/// figures nearest it (interpolating between years, or extrapolating to the
/// list-size date before the first), when two years are held.
fn along_payments(
    lists: &[&ListSize],
    want: Date,
    value: impl Fn(&ListSize) -> Option<Decimal>,
    what: &str,
) -> Option<Population> {
    let mut pay: Vec<(&ListSize, Decimal)> = lists
        .iter()
        .filter(|l| l.source == ListSource::Payments)
        .filter_map(|l| Some((*l, value(l).filter(|v| *v > Decimal::ZERO)?)))
        .collect();
    if pay.len() < 2 {
        return None;
    }
    pay.sort_by_key(|(l, _)| ((payments_centre(l) - want).whole_days().abs(), l.as_of));
    let (a, b) = (pay[0], pay[1]);
    let (ta, tb) = (payments_centre(a.0), payments_centre(b.0));
    let span = (tb - ta).whole_days();
    if span == 0 {
        return None;
    }
    let t = Decimal::from((want - ta).whole_days()) / Decimal::from(span);
    let value = (a.1 + (b.1 - a.1) * t).round_dp(2);
    (value > Decimal::ZERO).then(|| Population {
        value,
        as_of: want,
        source: format!(
            "payments {} and {} {what}, on a line to this date",
            FinancialYear::containing(a.0.as_of),
            FinancialYear::containing(b.0.as_of)
        ),
    })
}

/// The registered list at the list-size date: a figure taken on it (within a
/// month) from registrations or QOF; else a line through two years of payments
/// figures; else the figure nearest the date.
fn registered(lists: &[&ListSize], rates: &YearRates) -> Option<Population> {
    let want = rates.list_size_date;
    let on_date: Vec<&ListSize> = lists
        .iter()
        .copied()
        .filter(|l| l.source != ListSource::Payments && (l.as_of - want).whole_days().abs() <= SAME_DATE_DAYS)
        .collect();
    pick(&on_date, want, |l| l.registered)
        .or_else(|| along_payments(lists, want, |l| l.registered, "registered lists"))
        .or_else(|| pick(lists, want, |l| l.registered))
}

/// The weighted population at the list-size date. Weighted lists are published
/// only as the payments file's year figures, so: when a registered list taken on
/// the list-size date exists, the year's weighting (weighted / registered) is
/// applied to it; else a line through two years of payments figures; else the
/// payments figure nearest the date.
fn weighted(lists: &[&ListSize], rates: &YearRates, registered: Option<&Population>) -> Option<Population> {
    let year = rates.year;
    let of_year: Vec<&ListSize> =
        lists.iter().copied().filter(|l| l.source == ListSource::Payments && l.as_of == year.end()).collect();
    let pay = pick(if of_year.is_empty() { lists } else { &of_year }, rates.list_size_date, |l| l.weighted)?;
    let on_date = registered.filter(|r| {
        (r.as_of - rates.list_size_date).whole_days().abs() <= SAME_DATE_DAYS
            && (r.source == ListSource::Registrations.as_str() || r.source == ListSource::Qof.as_str())
    });
    let pay_row = lists.iter().find(|l| l.source == ListSource::Payments && l.as_of == pay.as_of);
    match (on_date, pay_row.and_then(|l| l.registered)) {
        (Some(reg), Some(pay_reg)) if pay_reg > Decimal::ZERO => Some(Population {
            value: (pay.value * reg.value / pay_reg).round_dp(2),
            as_of: reg.as_of,
            source: format!("{} list x payments {} weighting", reg.source, year),
        }),
        _ => along_payments(lists, rates.list_size_date, |l| l.weighted, "weighted lists").or(Some(pay)),
    }
}

/// The dates of the registered lists a year's entitlements actually rest on,
/// beside the year's list-size date, so a figure is never labelled with a
/// date its lists were not taken on (2025/26 computed from 2021 lists says so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListDates {
    /// The year's list-size date (1 January before it).
    pub wanted: Date,
    /// Practices by the date of the registered list used.
    pub by_date: std::collections::BTreeMap<Date, usize>,
}

/// Lists further than this from the list-size date are worth a warning.
pub const FAR_FROM_LIST_DATE_DAYS: i64 = 92;

impl ListDates {
    /// Over every practice with a registered list.
    pub fn of(practices: &[PracticeInput], rates: &YearRates) -> ListDates {
        Self::of_practices(practices.iter(), rates)
    }

    /// Over the practices in these networks' spells.
    pub fn of_networks(practices: &[PracticeInput], networks: &[NetworkInput], rates: &YearRates) -> ListDates {
        let mut ix: Vec<u32> = networks.iter().flat_map(|n| n.spells.iter().map(|s| s.practice)).collect();
        ix.sort_unstable();
        ix.dedup();
        Self::of_practices(ix.iter().map(|&i| &practices[i as usize]), rates)
    }

    fn of_practices<'a>(practices: impl Iterator<Item = &'a PracticeInput>, rates: &YearRates) -> ListDates {
        let mut by_date = std::collections::BTreeMap::new();
        for p in practices {
            if let Some(r) = &p.registered {
                *by_date.entry(r.as_of).or_insert(0) += 1;
            }
        }
        ListDates { wanted: rates.list_size_date, by_date }
    }

    /// The date most practices' lists were taken on (the latest of equals).
    pub fn main(&self) -> Option<Date> {
        self.by_date.iter().max_by_key(|(d, n)| (**n, **d)).map(|(d, _)| *d)
    }

    /// "lists as at 2021-01-01", with the list-size date and the other dates when they differ.
    pub fn label(&self) -> String {
        match self.main() {
            None => format!("no registered lists (the list-size date is {})", self.wanted),
            Some(d) if self.by_date.len() == 1 && d == self.wanted => format!("lists as at {d}"),
            Some(d) => {
                let others = self.by_date.len() - 1;
                format!(
                    "lists as at {d}{} (the year's list-size date is {})",
                    if others > 0 {
                        format!(" and {others} other date{}", if others == 1 { "" } else { "s" })
                    } else {
                        String::new()
                    },
                    self.wanted
                )
            }
        }
    }

    /// A warning when most lists were taken far from the list-size date.
    pub fn warning(&self) -> Option<String> {
        let d = self.main()?;
        let days = (d - self.wanted).whole_days();
        (days.abs() > FAR_FROM_LIST_DATE_DAYS).then(|| {
            let n: usize = self.by_date.values().sum();
            format!(
                "the lists used ({n} practices, most at {d}) were taken {} days {} the year's list-size date {}: import lists of that date for exact figures",
                days.abs(),
                if days < 0 { "before" } else { "after" },
                self.wanted
            )
        })
    }
}

/// The first and last day a practice can count in the year: its open and
/// close dates from the register or the year's payments file.
fn open_span<'a>(snap: &'a Snapshot, rates: &YearRates) -> HashMap<&'a PracticeCode, (Option<Date>, Option<Date>)> {
    let mut out: HashMap<&PracticeCode, (Option<Date>, Option<Date>)> = HashMap::new();
    for p in &snap.practices {
        out.insert(&p.code, (p.open_date, p.close_date));
    }
    for pay in snap.payments.iter().filter(|p| p.year == rates.year) {
        let e = out.entry(&pay.practice).or_default();
        e.1 = e.1.or(pay.close_date);
    }
    out
}

/// Practices in snapshot order and networks in snapshot order.
pub fn from_snapshot(
    snap: &Snapshot,
    rates: &YearRates,
    approvals: &[Approval],
) -> (Vec<PracticeInput>, Vec<NetworkInput>) {
    from_snapshot_with(snap, rates, approvals, Options::default())
}

pub fn from_snapshot_with(
    snap: &Snapshot,
    rates: &YearRates,
    approvals: &[Approval],
    opts: Options,
) -> (Vec<PracticeInput>, Vec<NetworkInput>) {
    let mut by_practice: HashMap<&PracticeCode, Vec<&ListSize>> = HashMap::new();
    for l in &snap.list_sizes {
        by_practice.entry(&l.practice).or_default().push(l);
    }
    let year = rates.year;
    let practices: Vec<PracticeInput> = snap
        .practices
        .iter()
        .map(|p| {
            let lists = by_practice.get(&p.code).map_or(&[][..], |v| v.as_slice());
            let registered = registered(lists, rates);
            let weighted = weighted(lists, rates, registered.as_ref());
            PracticeInput { code: p.code.to_string(), registered, adjusted: None, weighted }
        })
        .collect();
    let index: HashMap<&PracticeCode, u32> =
        snap.practices.iter().enumerate().map(|(i, p)| (&p.code, i as u32)).collect();
    let mut networks: Vec<NetworkInput> =
        snap.networks.iter().map(|n| NetworkInput { code: n.code.to_string(), ..Default::default() }).collect();
    let net_index: HashMap<&NetworkCode, usize> = snap.networks.iter().enumerate().map(|(i, n)| (&n.code, i)).collect();
    let span = open_span(snap, rates);
    let clamp = |practice: &PracticeCode, from: Option<Date>, to: Option<Date>| -> Option<(Date, Date)> {
        let (opened, closed) = span.get(practice).copied().unwrap_or_default();
        let from = match from {
            Some(f) if f > FIRST_ODS_RECORDING => f.max(year.start()),
            _ => year.start(),
        };
        let from = opened.map_or(from, |o| from.max(o));
        let to = to.unwrap_or(year.end()).min(year.end());
        let to = closed.map_or(to, |c| to.min(c));
        (from <= to).then_some((from, to))
    };
    let coded: HashMap<&PracticeCode, &NetworkCode> = match opts.memberships {
        Memberships::Register => HashMap::new(),
        _ => snap
            .payments
            .iter()
            .filter(|p| p.year == year)
            .filter_map(|p| Some((&p.practice, p.network.as_ref()?)))
            .filter(|(_, n)| net_index.contains_key(n))
            .collect(),
    };
    let mut in_register: Vec<bool> = vec![false; snap.practices.len()];
    for m in &snap.memberships {
        let (Some(&p), Some(&n)) = (index.get(&m.practice), net_index.get(&m.network)) else { continue };
        if opts.memberships == Memberships::Payments && coded.contains_key(&m.practice) {
            continue;
        }
        if let Some((from, to)) = clamp(&m.practice, m.start, m.end) {
            in_register[p as usize] = true;
            networks[n].spells.push(Spell { practice: p, from, to, participating: true });
        }
    }
    for (practice, network) in &coded {
        let Some(&p) = index.get(practice) else { continue };
        if opts.memberships == Memberships::RegisterThenPayments && in_register[p as usize] {
            continue;
        }
        if let Some((from, to)) = clamp(practice, None, None) {
            networks[net_index[network]].spells.push(Spell { practice: p, from, to, participating: true });
        }
    }
    for a in approvals.iter().filter(|a| a.kind == ApprovalKind::NonParticipant) {
        let (Some(code), Some(&n)) = (a.practice.as_ref(), net_index.get(&a.network)) else { continue };
        let Some(&p) = index.get(code) else { continue };
        if let Some((from, to)) = clamp(code, a.from, a.to) {
            networks[n].spells.push(Spell { practice: p, from, to, participating: false });
        }
    }
    for n in &mut networks {
        n.spells.sort_by_key(|s| (s.practice, s.from));
    }
    (practices, networks)
}

/// Each network's ICB, in the snapshot's network order (the order of
/// [`from_snapshot`]'s networks): its commissioner's parent (the ICB, or the
/// STP it succeeded, by code), else the ICB most of its members' practices
/// record (ties to the lowest code), else none.
pub fn network_icbs(snap: &Snapshot) -> Vec<Option<IcbCode>> {
    let parent: HashMap<&pcn_core::CommissionerCode, &IcbCode> =
        snap.commissioners.iter().filter_map(|c| Some((&c.code, c.parent.as_ref()?))).collect();
    let practice_icb: HashMap<&PracticeCode, &IcbCode> =
        snap.practices.iter().filter_map(|p| Some((&p.code, p.icb.as_ref()?))).collect();
    let mut votes: HashMap<&NetworkCode, std::collections::BTreeMap<&IcbCode, usize>> = HashMap::new();
    for m in &snap.memberships {
        if let Some(icb) = practice_icb.get(&m.practice) {
            *votes.entry(&m.network).or_default().entry(*icb).or_default() += 1;
        }
    }
    snap.networks
        .iter()
        .map(|n| {
            n.commissioner.as_ref().and_then(|c| parent.get(c)).map(|i| (*i).clone()).or_else(|| {
                let v = votes.get(&n.code)?;
                let most = *v.values().max()?;
                v.iter().find(|(_, k)| **k == most).map(|(i, _)| (*i).clone())
            })
        })
        .collect()
}
