//! Payment timing seen across many items at once: a commissioner that paid
//! most of its practices or networks the same share of a year, and a network
//! paid the same months' worth of several streams.

use std::collections::HashMap;

use super::amounts::{months_paid, within};
use super::columns::Level;
use super::reasons::{Explained, Reason};
use super::report::{Item, StreamReport, recount};

/// Adds the commissioner-wide payment-timing reason to differences above 10%.
pub(super) fn by_commissioner(items: &mut [Item], commissioner: &HashMap<&str, &str>) {
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

/// A network paid the same share of two or more streams (within half a
/// month of each other) that is not twelve months' worth: its payments as a
/// whole started, stopped or caught up, whatever the stream. Adds that reason
/// to each such difference above 10% and recounts.
pub(super) fn network_wide(streams: &mut [StreamReport]) {
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
