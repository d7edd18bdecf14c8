//! Engine inputs from a snapshot: each practice's populations on every basis,
//! dated and sourced, and each network's spells of membership in the year.

use std::collections::HashMap;

use pcn_core::{Approval, ApprovalKind, ListSize, ListSource, Snapshot};
use time::Date;
use time::macros::date;

use crate::engine::{NetworkInput, Population, PracticeInput, Spell};
use crate::rates::YearRates;

/// ODS recorded the first network configuration with relationship start
/// dates of 1 October 2019, though networks had run since 1 July 2019: a
/// membership that starts by then counts from the start of the year.
pub const FIRST_ODS_RECORDING: Date = date!(2019 - 10 - 01);

fn pick(
    lists: &[&ListSize],
    want: Date,
    value: impl Fn(&ListSize) -> Option<rust_decimal::Decimal>,
) -> Option<Population> {
    // The figure dated nearest the wanted date (earlier on ties), then by source preference.
    lists
        .iter()
        .filter_map(|l| Some((l, value(l)?)))
        .min_by_key(|(l, _)| ((l.as_of - want).whole_days().abs(), l.as_of > want, l.source))
        .map(|(l, v)| Population { value: v, as_of: l.as_of, source: l.source.as_str().to_string() })
}

/// Practices in snapshot order and networks in snapshot order.
pub fn from_snapshot(
    snap: &Snapshot,
    rates: &YearRates,
    approvals: &[Approval],
) -> (Vec<PracticeInput>, Vec<NetworkInput>) {
    let mut by_practice: HashMap<&pcn_core::PracticeCode, Vec<&ListSize>> = HashMap::new();
    for l in &snap.list_sizes {
        by_practice.entry(&l.practice).or_default().push(l);
    }
    let year = rates.year;
    let practices: Vec<PracticeInput> = snap
        .practices
        .iter()
        .map(|p| {
            let lists = by_practice.get(&p.code).map_or(&[][..], |v| v.as_slice());
            // Weighted lists come from the payments file of the year when present.
            let weighted_for_year: Vec<&ListSize> =
                lists.iter().copied().filter(|l| l.source == ListSource::Payments && l.as_of == year.end()).collect();
            let weighted = pick(
                if weighted_for_year.is_empty() { lists } else { &weighted_for_year },
                rates.list_size_date,
                |l| l.weighted,
            );
            PracticeInput {
                code: p.code.to_string(),
                registered: pick(lists, rates.list_size_date, |l| l.registered),
                adjusted: None,
                weighted,
            }
        })
        .collect();
    let index: HashMap<&pcn_core::PracticeCode, u32> =
        snap.practices.iter().enumerate().map(|(i, p)| (&p.code, i as u32)).collect();
    let mut networks: Vec<NetworkInput> =
        snap.networks.iter().map(|n| NetworkInput { code: n.code.to_string(), ..Default::default() }).collect();
    let net_index: HashMap<&pcn_core::NetworkCode, usize> =
        snap.networks.iter().enumerate().map(|(i, n)| (&n.code, i)).collect();
    let clamp = |from: Option<Date>, to: Option<Date>| -> Option<(Date, Date)> {
        let from = match from {
            Some(f) if f > FIRST_ODS_RECORDING => f.max(year.start()),
            _ => year.start(),
        };
        let to = to.unwrap_or(year.end()).min(year.end());
        (from <= to).then_some((from, to))
    };
    for m in &snap.memberships {
        let (Some(&p), Some(&n)) = (index.get(&m.practice), net_index.get(&m.network)) else { continue };
        if let Some((from, to)) = clamp(m.start, m.end) {
            networks[n].spells.push(Spell { practice: p, from, to, participating: true });
        }
    }
    for a in approvals.iter().filter(|a| a.kind == ApprovalKind::NonParticipant) {
        let (Some(p), Some(&n)) = (a.practice.as_ref().and_then(|p| index.get(p)), net_index.get(&a.network)) else {
            continue;
        };
        if let Some((from, to)) = clamp(a.from, a.to) {
            networks[n].spells.push(Spell { practice: *p, from, to, participating: false });
        }
    }
    (practices, networks)
}
