//! The Additional Roles Reimbursement Scheme: what each post can claim in a
//! year, what is cut and why, and the headroom left in each network's sum.
//!
//! A post claims, for each month, the smaller of its actual cost (salary and
//! on-costs) times the role's reimbursement rate and the role's maximum per
//! WTE, both pro-rated by WTE and by the days of the month in post (from the
//! role's eligibility date). Then, in order: staff in the 31 March 2019
//! baseline claim nothing (additionality); a role's WTE cap for the network's
//! size admits posts in order of start date; and the network's ARRS sum
//! admits claims in order of start date, the latest posts cut first.
//!
//! What a claim rests on that pcn cannot check or does not know is said in
//! its notes: a role's eligibility condition a staff record cannot show, and
//! months claimed against an original maximum because the in-year uplift's
//! figure was not found (never an invented one).

use std::collections::BTreeMap;

use pcn_core::{FinancialYear, Money};
use rust_decimal::Decimal;
use serde::Serialize;
use time::{Date, Duration};

use crate::engine::month_starts;
use crate::rates::{ArrsRole, YearRates};

/// Networks of this registered population or more get the larger role caps.
pub const LARGE_NETWORK: u32 = 100_000;

/// One post from a staff record.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// Where the post came from (e.g. `staff.csv:12`), for people.
    pub id: String,
    pub network: String,
    pub role: String,
    pub wte: Decimal,
    pub start: Date,
    pub end: Option<Date>,
    /// Actual annual salary for the post as worked (at its WTE), pounds.
    pub salary: Decimal,
    /// Employer NI and pension a year, pounds.
    pub on_costs: Decimal,
    /// In post on 31 March 2019 in a role that existed then: not additional.
    pub baseline: bool,
}

/// What the network brings: its ARRS sum for the year and its size.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkBudget {
    pub network: String,
    pub sum: Money,
    pub registered: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CutReason {
    /// Actual cost x reimbursement rate above the role's maximum.
    AboveMaximum,
    /// Part of the cost the reimbursement rate does not cover (e.g. 30% in 2019/20).
    ReimbursementRate,
    /// Months outside the year, before the role became eligible, or out of post.
    OutsidePeriod,
    /// In the additionality baseline.
    Baseline,
    /// The role's WTE cap for the network is used by earlier posts.
    RoleCap,
    /// The network's ARRS sum is used by earlier posts.
    NetworkSum,
    /// The role is not claimable in the year.
    NotEligible,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cut {
    pub reason: CutReason,
    pub amount: Money,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Months from an in-year uplift whose figure was not found use the original maximum.
    OriginalMaximum,
    /// The role is claimable only under a condition the staff record does not show.
    Condition,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimNote {
    pub kind: NoteKind,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostClaim {
    pub id: String,
    pub network: String,
    pub role: String,
    pub wte: Decimal,
    /// The post's actual cost in the year (while in post).
    pub cost: Money,
    pub claimable: Money,
    pub months: [Money; 12],
    pub cuts: Vec<Cut>,
    /// The role's maximum has no published figure for the year: claimed at cost (unverified).
    pub unverified_maximum: bool,
    /// What the claim rests on that pcn cannot check or does not know.
    pub notes: Vec<ClaimNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkClaims {
    pub network: String,
    pub sum: Money,
    pub claimed: Money,
    pub headroom: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Claims {
    pub posts: Vec<PostClaim>,
    pub networks: Vec<NetworkClaims>,
}

fn days_in_month(first: Date) -> i64 {
    let next = if first.month() == time::Month::December {
        Date::from_calendar_date(first.year() + 1, time::Month::January, 1)
    } else {
        Date::from_calendar_date(first.year(), first.month().next(), 1)
    }
    .expect("valid");
    (next - first).whole_days()
}

/// Share of each month (April first) the post is in post and the role claimable.
fn month_shares(year: FinancialYear, from: Date, to: Date) -> [Decimal; 12] {
    let mut out = [Decimal::ZERO; 12];
    for (i, first) in month_starts(year).into_iter().enumerate() {
        let days = days_in_month(first);
        let last = first + Duration::days(days - 1);
        let (a, b) = (from.max(first), to.min(last));
        if a <= b {
            out[i] = Decimal::from((b - a).whole_days() + 1) / Decimal::from(days);
        }
    }
    out
}

/// The maximum for the month starting `first`, and whether it is the original
/// one standing in for an uplift whose figure was not found.
fn max_in_month(role: &ArrsRole, first: Date) -> (Option<Decimal>, bool) {
    match (role.uplift_from, role.uplifted_max_per_wte_year) {
        (Some(from), Some(up)) if first >= from => (Some(up), false),
        (Some(from), None) if first >= from => (role.max_per_wte_year, role.max_per_wte_year.is_some()),
        _ => (role.max_per_wte_year, false),
    }
}

/// The maxima a claim is held to, for the cut's detail.
fn maxima(role: &ArrsRole) -> String {
    match (role.max_per_wte_year, role.uplift_from, role.uplifted_max_per_wte_year) {
        (Some(m), Some(d), Some(up)) => format!("£{m} (£{up} from {d})"),
        (None, Some(d), Some(up)) => format!("£{up} from {d}"),
        (Some(m), _, _) => format!("£{m}"),
        (None, _, _) => "none published".into(),
    }
}

fn pence(d: Decimal) -> Money {
    Money::from_pounds(d).unwrap_or(Money::ZERO)
}

/// One post's claim before caps and the network sum.
fn post_claim(rates: &YearRates, post: &Post) -> PostClaim {
    let year = rates.year;
    let mut claim = PostClaim {
        id: post.id.clone(),
        network: post.network.clone(),
        role: post.role.clone(),
        wte: post.wte,
        cost: Money::ZERO,
        claimable: Money::ZERO,
        months: [Money::ZERO; 12],
        cuts: Vec::new(),
        unverified_maximum: false,
        notes: Vec::new(),
    };
    let in_post = month_shares(year, post.start, post.end.unwrap_or(year.end()));
    let annual_cost = post.salary + post.on_costs;
    let cost: Decimal = in_post.iter().map(|s| annual_cost / Decimal::from(12) * s).sum();
    claim.cost = pence(cost);
    let Some(role) = rates.role(&post.role) else {
        claim.cuts.push(Cut {
            reason: CutReason::NotEligible,
            amount: claim.cost,
            detail: format!("{} is not a reimbursable role in {year}", post.role),
        });
        return claim;
    };
    if post.baseline {
        claim.cuts.push(Cut {
            reason: CutReason::Baseline,
            amount: claim.cost,
            detail: "in post on 31 March 2019: part of the additionality baseline".into(),
        });
        return claim;
    }
    if let Some(c) = &role.condition {
        claim.notes.push(ClaimNote {
            kind: NoteKind::Condition,
            detail: format!("claimable only {c} (not checked: the staff record does not say)"),
        });
    }
    let eligible = month_shares(year, post.start.max(role.eligible_from), post.end.unwrap_or(year.end()));
    let starts = month_starts(year);
    let (mut claimable, mut over_max, mut unreimbursed, mut early) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut months = [Decimal::ZERO; 12];
    let mut original = false;
    for i in 0..12 {
        early += annual_cost / Decimal::from(12) * (in_post[i] - eligible[i]);
        let eligible_cost = annual_cost / Decimal::from(12) * eligible[i];
        let reimbursed = eligible_cost * role.reimbursement;
        unreimbursed += eligible_cost - reimbursed;
        let (max, stands_in) = max_in_month(role, starts[i]);
        original |= stands_in && eligible[i] > Decimal::ZERO;
        let cap = max.map(|m| m / Decimal::from(12) * post.wte * eligible[i]);
        let m = match cap {
            Some(cap) if reimbursed > cap => {
                over_max += reimbursed - cap;
                cap
            }
            Some(_) => reimbursed,
            None => {
                claim.unverified_maximum = claim.unverified_maximum || eligible[i] > Decimal::ZERO;
                reimbursed
            }
        };
        months[i] = m;
        claimable += m;
    }
    // Rounding once per post: months in whole pence, the remainder in the last month claimed.
    claim.claimable = pence(claimable);
    let mut running = Money::ZERO;
    let last = months.iter().rposition(|m| *m > Decimal::ZERO);
    for (i, (out, m)) in claim.months.iter_mut().zip(months).enumerate() {
        if Some(i) == last {
            *out = claim.claimable - running;
        } else {
            *out = pence(m.round_dp(2));
            running += *out;
        }
    }
    let mut cut = |reason, amount: Decimal, detail: String| {
        if amount > Decimal::ZERO {
            claim.cuts.push(Cut { reason, amount: pence(amount), detail });
        }
    };
    cut(CutReason::OutsidePeriod, early, format!("before the role became claimable on {}", role.eligible_from));
    cut(
        CutReason::ReimbursementRate,
        unreimbursed,
        format!("{}% of actual costs is reimbursed", role.reimbursement * Decimal::from(100)),
    );
    // Also where only an uplifted maximum is known (2024/25 from October).
    cut(
        CutReason::AboveMaximum,
        over_max,
        format!("above the maximum of {} per WTE a year ({} WTE)", maxima(role), post.wte.normalize()),
    );
    if original && let (Some(max), Some(from)) = (role.max_per_wte_year, role.uplift_from) {
        claim.notes.push(ClaimNote {
            kind: NoteKind::OriginalMaximum,
            detail: format!(
                "claimed against the original maximum of £{max} per WTE a year: the uplift from {from} was not found"
            ),
        });
    }
    claim
}

/// Scales a claim down to `keep` of itself, recording the cut.
fn reduce(claim: &mut PostClaim, keep: Money, reason: CutReason, detail: String) {
    let cut = claim.claimable - keep;
    if cut.pence() <= 0 {
        return;
    }
    let total = claim.claimable.pence();
    let mut running = 0i64;
    let last = claim.months.iter().rposition(|m| m.pence() > 0);
    for i in 0..12 {
        if Some(i) == last {
            claim.months[i] = Money::from_pence(keep.pence() - running);
        } else {
            let v = (claim.months[i].pence() as i128 * keep.pence() as i128 / total.max(1) as i128) as i64;
            claim.months[i] = Money::from_pence(v);
            running += v;
        }
    }
    claim.claimable = keep;
    claim.cuts.push(Cut { reason, amount: cut, detail });
}

/// Claims of every post, with role caps and each network's sum applied.
pub fn claims(rates: &YearRates, posts: &[Post], budgets: &[NetworkBudget]) -> Claims {
    let mut order: Vec<usize> = (0..posts.len()).collect();
    order.sort_by(|a, b| (posts[*a].start, &posts[*a].id).cmp(&(posts[*b].start, &posts[*b].id)));
    let mut out: Vec<PostClaim> = posts.iter().map(|p| post_claim(rates, p)).collect();
    let budget: BTreeMap<&str, &NetworkBudget> = budgets.iter().map(|b| (b.network.as_str(), b)).collect();

    // Role caps, first come first served by start date.
    let mut used_wte: BTreeMap<(&str, &str), Decimal> = BTreeMap::new();
    for &i in &order {
        let p = &posts[i];
        let Some(role) = rates.role(&p.role) else { continue };
        let Some(caps) = role.cap_wte else { continue };
        if out[i].claimable.pence() == 0 {
            continue;
        }
        let large = budget.get(p.network.as_str()).is_some_and(|b| b.registered >= LARGE_NETWORK);
        let cap = caps[large as usize];
        let used = used_wte.entry((p.network.as_str(), p.role.as_str())).or_default();
        let room = (cap - *used).max(Decimal::ZERO);
        let allowed = p.wte.min(room);
        *used += allowed;
        if allowed < p.wte {
            let keep = pence(out[i].claimable.to_pounds() * allowed / p.wte);
            let size = if large { "of 100,000 patients or more" } else { "under 100,000 patients" };
            reduce(
                &mut out[i],
                keep,
                CutReason::RoleCap,
                format!(
                    "{} WTE of {} allowed: the cap is {cap} WTE for networks {size}",
                    allowed.normalize(),
                    p.wte.normalize()
                ),
            );
        }
    }

    // Each network's sum, earliest posts first.
    let mut claimed: BTreeMap<&str, Money> = BTreeMap::new();
    for &i in &order {
        let network = posts[i].network.as_str();
        let Some(b) = budget.get(network) else { continue };
        let so_far = claimed.entry(network).or_insert(Money::ZERO);
        let room = Money::from_pence((b.sum - *so_far).pence().max(0));
        if out[i].claimable > room {
            reduce(&mut out[i], room, CutReason::NetworkSum, format!("the network's ARRS sum of {} is used", b.sum));
        }
        *so_far += out[i].claimable;
    }
    let mut networks: Vec<NetworkClaims> = budgets
        .iter()
        .filter(|b| posts.iter().any(|p| p.network == b.network))
        .map(|b| {
            let c = claimed.get(b.network.as_str()).copied().unwrap_or(Money::ZERO);
            NetworkClaims { network: b.network.clone(), sum: b.sum, claimed: c, headroom: b.sum - c }
        })
        .collect();
    networks.sort_by(|a, b| a.network.cmp(&b.network));
    Claims { posts: out, networks }
}

/// One line of a wish list: up to `max_wte` of a role at an annual cost per WTE.
#[derive(Debug, Clone, PartialEq)]
pub struct Wish {
    pub role: String,
    pub max_wte: Decimal,
    /// Annual salary and on-costs per WTE; the role's maximum when absent.
    pub cost_per_wte: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanLine {
    pub role: String,
    pub wte: Decimal,
    /// Claimable for a full year at this WTE.
    pub claimable: Money,
    /// What the network pays beyond the reimbursement.
    pub network_pays: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub budget: Money,
    pub lines: Vec<PlanLine>,
    pub used: Money,
    pub left: Money,
    /// Wish-list roles that cannot be claimed this year, and why.
    pub refused: Vec<(String, String)>,
}

/// WTE steps the planner works in.
const STEP: Decimal = Decimal::from_parts(1, 0, 0, false, 1); // 0.1

/// The mix of wished-for posts (in 0.1 WTE steps, full year, within role caps)
/// whose reimbursement uses the budget best; ties go to more WTE. A bounded
/// knapsack over the budget in whole pounds (each step's claim rounded up, so
/// the plan never exceeds the budget).
pub fn plan(rates: &YearRates, budget: Money, registered: u32, wishes: &[Wish]) -> Plan {
    let mut refused = Vec::new();
    // (wish index, claim per step in pounds, WTE steps allowed)
    let mut items: Vec<(usize, i64, u32, Money, Money)> = Vec::new();
    for (w, wish) in wishes.iter().enumerate() {
        let Some(role) = rates.role(&wish.role) else {
            refused.push((wish.role.clone(), format!("not a reimbursable role in {}", rates.year)));
            continue;
        };
        let cost = match (wish.cost_per_wte, role.max_per_wte_year) {
            (Some(c), _) => c,
            (None, Some(m)) => m / role.reimbursement,
            (None, None) => {
                refused.push((wish.role.clone(), "no published maximum this year: give a cost per WTE".into()));
                continue;
            }
        };
        let per_wte = match role.max_per_wte_year {
            Some(m) => (cost * role.reimbursement).min(m),
            None => cost * role.reimbursement,
        };
        let mut wte = wish.max_wte;
        if let Some(caps) = role.cap_wte {
            wte = wte.min(caps[(registered >= LARGE_NETWORK) as usize]);
        }
        let steps = (wte / STEP).floor().to_string().parse::<u32>().unwrap_or(0);
        let step_claim = pence(per_wte * STEP);
        let step_cost = pence(cost * STEP);
        if steps > 0 && step_claim.pence() > 0 {
            items.push((w, ((step_claim.pence() + 99) / 100).max(1), steps, step_claim, step_cost));
        }
    }
    let cap = (budget.pence() / 100).max(0) as usize;
    // best[b] = (most WTE steps reaching exactly b pounds); choice tracking per item.
    let mut best: Vec<Option<u32>> = vec![None; cap + 1];
    best[0] = Some(0);
    let mut take: Vec<Vec<u32>> = Vec::with_capacity(items.len());
    for &(_, w, steps, _, _) in &items {
        let w = w as usize;
        let mut next = best.clone();
        let mut chosen = vec![0u32; cap + 1];
        for b in 0..=cap {
            for k in 1..=steps as usize {
                if k * w > b {
                    break;
                }
                if let Some(s) = best[b - k * w] {
                    let s = s + k as u32;
                    if next[b].is_none_or(|cur| s > cur) {
                        next[b] = Some(s);
                        chosen[b] = k as u32;
                    }
                }
            }
        }
        best = next;
        take.push(chosen);
    }
    let Some(mut b) = (0..=cap).rev().find(|b| best[*b].is_some()) else {
        return Plan { budget, lines: Vec::new(), used: Money::ZERO, left: budget, refused };
    };
    let mut lines = Vec::new();
    for (i, &(w, weight, _, step_claim, step_cost)) in items.iter().enumerate().rev() {
        let k = take[i][b];
        b -= k as usize * weight as usize;
        if k > 0 {
            let claim = Money::from_pence(step_claim.pence() * k as i64);
            let cost = Money::from_pence(step_cost.pence() * k as i64);
            lines.push(PlanLine {
                role: wishes[w].role.clone(),
                wte: STEP * Decimal::from(k),
                claimable: claim,
                network_pays: Money::from_pence((cost - claim).pence().max(0)),
            });
        }
    }
    lines.reverse();
    let used: Money = lines.iter().map(|l| l.claimable).sum();
    Plan { budget, lines, used, left: budget - used, refused }
}
