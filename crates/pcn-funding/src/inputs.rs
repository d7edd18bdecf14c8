//! Engine inputs from a snapshot: each practice's populations on every basis,
//! dated and sourced, and each network's spells of membership in the year.

use std::collections::HashMap;

use pcn_core::{Approval, ApprovalKind, ListSize, ListSource, NetworkCode, PracticeCode, Snapshot};
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

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

/// The weighted population at the list-size date. Weighted lists are published
/// only as the payments file's year figures, so when a registered list taken on
/// the list-size date exists, the year's weighting (weighted / registered) is
/// applied to it; otherwise the payments figure nearest the date stands.
fn weighted(lists: &[&ListSize], rates: &YearRates, registered: Option<&Population>) -> Option<Population> {
    let year = rates.year;
    let of_year: Vec<&ListSize> =
        lists.iter().copied().filter(|l| l.source == ListSource::Payments && l.as_of == year.end()).collect();
    let pay = pick(if of_year.is_empty() { lists } else { &of_year }, rates.list_size_date, |l| l.weighted)?;
    let on_date = registered.filter(|r| (r.as_of - rates.list_size_date).whole_days().abs() <= SAME_DATE_DAYS);
    let pay_row = lists.iter().find(|l| l.source == ListSource::Payments && l.as_of == pay.as_of);
    match (on_date, pay_row.and_then(|l| l.registered)) {
        (Some(reg), Some(pay_reg)) if pay_reg > Decimal::ZERO && reg.source != "payments" => Some(Population {
            value: (pay.value * reg.value / pay_reg).round_dp(2),
            as_of: reg.as_of,
            source: format!("{} list x payments {} weighting", reg.source, year),
        }),
        _ => Some(pay),
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
            let registered = pick(lists, rates.list_size_date, |l| l.registered);
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
