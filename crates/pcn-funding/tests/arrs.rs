//! ARRS claims and the planner against hand-worked figures from the rate
//! tables (2019/20: clinical pharmacist 70% up to £37,810 a WTE from 1 July
//! 2019, 1 WTE cap under 100,000 patients; 2020/21: 100%, £55,670), and the
//! caps, GP eligibility and in-year maxima of 2022/23 to 2026/27.

use pcn_core::{FinancialYear, Money};
use pcn_funding::arrs::{CutReason, NetworkBudget, NoteKind, Post, Wish, claims, plan};
use pcn_funding::rates;
use rust_decimal::Decimal;
use time::macros::date;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn post(
    id: &str,
    role: &str,
    wte: &str,
    start: time::Date,
    end: Option<time::Date>,
    salary: &str,
    on_costs: &str,
) -> Post {
    Post {
        id: id.into(),
        network: "U00001".into(),
        role: role.into(),
        wte: d(wte),
        start,
        end,
        salary: d(salary),
        on_costs: d(on_costs),
        baseline: false,
    }
}

fn budget(sum: i64, registered: u32) -> Vec<NetworkBudget> {
    vec![NetworkBudget { network: "U00001".into(), sum: Money::from_pence(sum), registered }]
}

fn cut(p: &pcn_funding::arrs::PostClaim, r: CutReason) -> Money {
    p.cuts.iter().filter(|c| c.reason == r).map(|c| c.amount).sum()
}

#[test]
fn pharmacist_above_the_2020_21_maximum_is_cut_to_it() {
    let r = rates::year(FinancialYear::new(2020)).unwrap();
    let c = claims(
        r,
        &[post("a", "clinical_pharmacist", "1", date!(2020 - 04 - 01), None, "48000", "12000")],
        &budget(100_000_000, 40_000),
    );
    let p = &c.posts[0];
    assert_eq!(p.cost, Money::from_pence(6_000_000));
    assert_eq!(p.claimable, Money::from_pence(5_567_000)); // £55,670
    assert_eq!(cut(p, CutReason::AboveMaximum), Money::from_pence(433_000));
    assert_eq!(p.months.iter().copied().sum::<Money>(), p.claimable);
    assert_eq!(c.networks[0].headroom, Money::from_pence(100_000_000 - 5_567_000));
}

#[test]
fn first_year_pharmacist_is_70_percent_from_july() {
    // In post all year at £40,000: April-June is before the role was claimable
    // (£10,000); July-March costs £30,000, 70% of it is £21,000, under the
    // nine-month maximum £37,810 x 9/12 = £28,357.50.
    let r = rates::year(FinancialYear::new(2019)).unwrap();
    let c = claims(
        r,
        &[post("a", "clinical_pharmacist", "1", date!(2019 - 04 - 01), None, "32000", "8000")],
        &budget(100_000_000, 40_000),
    );
    let p = &c.posts[0];
    assert_eq!(p.claimable, Money::from_pence(2_100_000));
    assert_eq!(cut(p, CutReason::OutsidePeriod), Money::from_pence(1_000_000));
    assert_eq!(cut(p, CutReason::ReimbursementRate), Money::from_pence(900_000));
    assert_eq!(p.months[0..3].iter().copied().sum::<Money>(), Money::ZERO);
    assert_eq!(p.months.iter().copied().sum::<Money>(), p.claimable);
}

#[test]
fn second_pharmacist_in_a_small_2019_network_is_over_the_cap() {
    let r = rates::year(FinancialYear::new(2019)).unwrap();
    let posts = [
        post("early", "clinical_pharmacist", "1", date!(2019 - 07 - 01), None, "32000", "8000"),
        post("late", "clinical_pharmacist", "1", date!(2019 - 09 - 01), None, "32000", "8000"),
    ];
    let small = claims(r, &posts, &budget(100_000_000, 60_000));
    let late = small.posts.iter().find(|p| p.id == "late").unwrap();
    assert_eq!(late.claimable, Money::ZERO);
    assert!(cut(late, CutReason::RoleCap) > Money::ZERO);
    // A network of 100,000 or more may have two.
    let large = claims(r, &posts, &budget(100_000_000, 120_000));
    let late = large.posts.iter().find(|p| p.id == "late").unwrap();
    // September-March: 7 months of £40,000 x 70% = £16,333.33.
    assert_eq!(late.claimable, Money::from_pence(1_633_333));
}

#[test]
fn the_network_sum_cuts_the_latest_post_and_months_still_add_up() {
    let r = rates::year(FinancialYear::new(2020)).unwrap();
    let posts = [
        post("first", "clinical_pharmacist", "1", date!(2020 - 04 - 01), None, "45000", "10670"),
        post("second", "clinical_pharmacist", "1", date!(2020 - 04 - 01), None, "45000", "10670"),
    ];
    // A sum of £80,000: the first claims £55,670 in full, the second the £24,330 left.
    let c = claims(r, &posts, &budget(8_000_000, 40_000));
    let second = c.posts.iter().find(|p| p.id == "second").unwrap();
    assert_eq!(second.claimable, Money::from_pence(2_433_000));
    assert_eq!(cut(second, CutReason::NetworkSum), Money::from_pence(5_567_000 - 2_433_000));
    assert_eq!(second.months.iter().copied().sum::<Money>(), second.claimable);
    assert_eq!(c.networks[0].headroom, Money::ZERO);
}

#[test]
fn baseline_staff_and_ineligible_roles_claim_nothing() {
    let r = rates::year(FinancialYear::new(2020)).unwrap();
    let mut base = post("b", "clinical_pharmacist", "1", date!(2018 - 01 - 01), None, "45000", "10000");
    base.baseline = true;
    let para = post("p", "paramedic", "1", date!(2020 - 04 - 01), None, "45000", "10000"); // from April 2021
    let c = claims(r, &[base, para], &budget(100_000_000, 40_000));
    assert!(c.posts.iter().all(|p| p.claimable == Money::ZERO));
    assert_eq!(cut(&c.posts[0], CutReason::Baseline), Money::from_pence(5_500_000));
    assert_eq!(cut(&c.posts[1], CutReason::NotEligible), Money::from_pence(5_500_000));
}

/// Brute force over 0.1 WTE steps, for the planner to agree with.
fn best_by_hand(budget: i64, a: (i64, u32), b: (i64, u32)) -> i64 {
    let mut best = 0;
    for i in 0..=a.1 as i64 {
        for j in 0..=b.1 as i64 {
            let used = i * a.0 + j * b.0;
            if used <= budget {
                best = best.max(used);
            }
        }
    }
    best
}

#[test]
fn the_planner_finds_the_mix_that_uses_the_budget_best() {
    let r = rates::year(FinancialYear::new(2020)).unwrap();
    let wishes = [
        Wish { role: "clinical_pharmacist".into(), max_wte: d("2"), cost_per_wte: Some(d("55670")) },
        Wish { role: "social_prescribing_link_worker".into(), max_wte: d("1"), cost_per_wte: Some(d("30000")) },
    ];
    // £100,000: 1.3 WTE pharmacist (£72,371) and 0.9 WTE link worker (£27,000) = £99,371.
    let p = plan(r, Money::from_pence(10_000_000), 40_000, &wishes);
    assert_eq!(p.used, Money::from_pence(9_937_100));
    assert_eq!(
        p.lines.iter().map(|l| (l.role.as_str(), l.wte)).collect::<Vec<_>>(),
        vec![("clinical_pharmacist", d("1.3")), ("social_prescribing_link_worker", d("0.9"))]
    );
    for budget in [1_234_500i64, 5_000_000, 7_777_700, 12_000_000] {
        let p = plan(r, Money::from_pence(budget), 40_000, &wishes);
        assert_eq!(p.used.pence(), best_by_hand(budget, (556_700, 20), (300_000, 10)), "budget {budget}");
        assert!(p.used.pence() <= budget);
    }
}

#[test]
fn the_planner_refuses_roles_not_claimable_that_year() {
    let r = rates::year(FinancialYear::new(2020)).unwrap();
    let p = plan(
        r,
        Money::from_pence(10_000_000),
        40_000,
        &[Wish { role: "paramedic".into(), max_wte: d("1"), cost_per_wte: None }],
    );
    assert!(p.lines.is_empty());
    assert_eq!(p.refused.len(), 1);
}

fn note(p: &pcn_funding::arrs::PostClaim, kind: NoteKind) -> Option<&str> {
    p.notes.iter().find(|n| n.kind == kind).map(|n| n.detail.as_str())
}

fn year(start: i32) -> &'static pcn_funding::rates::YearRates {
    rates::year(FinancialYear::new(start)).unwrap()
}

/// des-facts-2022-2027 A.1 row 5: the enhanced practice nurse is capped at 1
/// WTE (2 for the largest networks) in 2024/25, and every cap is lifted in
/// 2025/26, the digital and transformation lead's too.
#[test]
fn role_caps_by_year() {
    let two = |role: &str, start: time::Date| {
        [
            post("first", role, "1", start, None, "50000", "10000"),
            post("second", role, "1", start + time::Duration::days(31), None, "50000", "10000"),
        ]
    };
    let second = |c: &pcn_funding::arrs::Claims| c.posts.iter().find(|p| p.id == "second").unwrap().clone();
    let epn = two("enhanced_practice_nurse", date!(2024 - 04 - 01));
    let small = claims(year(2024), &epn, &budget(100_000_000, 60_000));
    assert_eq!(second(&small).claimable, Money::ZERO);
    assert!(cut(&second(&small), CutReason::RoleCap) > Money::ZERO);
    assert_eq!(
        small.posts[0].claimable,
        Money::from_pence(6_000_000),
        "the first claims in full (at cost: no maximum)"
    );
    let large = claims(year(2024), &epn, &budget(100_000_000, 120_000));
    assert_eq!(cut(&second(&large), CutReason::RoleCap), Money::ZERO);

    let epn = two("enhanced_practice_nurse", date!(2025 - 04 - 01));
    let free = claims(year(2025), &epn, &budget(100_000_000, 60_000));
    assert!(free.posts.iter().all(|p| cut(p, CutReason::RoleCap) == Money::ZERO && p.claimable > Money::ZERO));

    let dtl =
        claims(year(2024), &two("digital_transformation_lead", date!(2024 - 04 - 01)), &budget(100_000_000, 120_000));
    assert_eq!(dtl.posts.iter().find(|p| p.id == "second").unwrap().claimable, Money::ZERO, "1 per PCN in 2024/25");
    let dtl =
        claims(year(2025), &two("digital_transformation_lead", date!(2025 - 04 - 01)), &budget(100_000_000, 60_000));
    assert!(dtl.posts.iter().all(|p| cut(p, CutReason::RoleCap) == Money::ZERO));
}

/// des-facts-2022-2027 A.1 row 2 and C: a GP, in post all year at £110,000
/// with on-costs. Not claimable before October 2024; within 2 years of CCT
/// only (a condition the claim carries, unchecked) in 2024/25 and 2025/26;
/// any GP in 2026/27, at a maximum not found.
#[test]
fn gp_eligibility_by_year() {
    let gp = |start: i32| {
        let from = FinancialYear::new(start).start();
        claims(year(start), &[post("gp", "gp", "1", from, None, "90000", "20000")], &budget(100_000_000, 40_000))
            .posts
            .remove(0)
    };
    let p = gp(2023);
    assert_eq!((p.claimable, cut(&p, CutReason::NotEligible)), (Money::ZERO, Money::from_pence(11_000_000)));

    // 2024/25: October-March only, up to £92,462 a year: 6/12 of it is £46,231.
    let p = gp(2024);
    assert_eq!(p.claimable, Money::from_pence(4_623_100));
    assert_eq!(cut(&p, CutReason::OutsidePeriod), Money::from_pence(5_500_000));
    assert_eq!(cut(&p, CutReason::AboveMaximum), Money::from_pence(5_500_000 - 4_623_100));
    assert!(note(&p, NoteKind::Condition).unwrap().contains("within 2 years of their CCT"));

    // 2025/26: the whole year at the March 2025 maximum £105,882, its in-year uplift not found.
    let p = gp(2025);
    assert_eq!(p.claimable, Money::from_pence(10_588_200));
    assert_eq!(cut(&p, CutReason::AboveMaximum), Money::from_pence(411_800));
    assert!(note(&p, NoteKind::Condition).unwrap().contains("within 2 years of their CCT"));
    let original = note(&p, NoteKind::OriginalMaximum).unwrap();
    assert!(original.contains("£105882") && original.contains("2025-04-01"), "{original}");

    // 2026/27: any GP; no maximum found, so claimed at cost and said to be unverified.
    let p = gp(2026);
    assert_eq!(p.claimable, Money::from_pence(11_000_000));
    assert!(p.unverified_maximum);
    assert_eq!(note(&p, NoteKind::Condition), None);
}

/// In-year maxima (des-facts 3.6; des-facts-2022-2027 A.1 row 4): a
/// pharmacist costing £70,000 all year. A known uplift applies from its date;
/// one whose figure was not found leaves the original maximum, said so.
#[test]
fn in_year_maxima_apply_from_their_date_and_an_unknown_one_is_said() {
    let cp = |start: i32| {
        let from = FinancialYear::new(start).start();
        claims(
            year(start),
            &[post("cp", "clinical_pharmacist", "1", from, None, "58000", "12000")],
            &budget(100_000_000, 40_000),
        )
        .posts
        .remove(0)
    };
    // 2022/23: £57,318 a year for April-September, £59,312 from 1 October.
    let p = cp(2022);
    assert_eq!(p.claimable, Money::from_pence(2_865_900 + 2_965_600));
    assert_eq!(p.months[0], Money::from_pence(477_650));
    assert_eq!(p.months[6], Money::from_pence(494_267));
    let above = p.cuts.iter().find(|c| c.reason == CutReason::AboveMaximum).unwrap();
    assert!(above.detail.contains("£57318 (£59312 from 2022-10-01)"), "{}", above.detail);
    assert!(p.notes.is_empty());
    // 2024/25: no maximum before October (at cost, unverified), £65,838 from 1 October, and the cut says so.
    let p = cp(2024);
    assert_eq!(p.claimable, Money::from_pence(3_500_000 + 3_291_900));
    assert!(p.unverified_maximum);
    assert_eq!(cut(&p, CutReason::AboveMaximum), Money::from_pence(208_100));
    // 2025/26: the March 2025 £66,972, the uplift backdated to 1 April not found.
    let p = cp(2025);
    assert_eq!(p.claimable, Money::from_pence(6_697_200));
    assert!(!p.unverified_maximum);
    assert!(note(&p, NoteKind::OriginalMaximum).unwrap().contains("£66972"));
    assert_eq!(note(&p, NoteKind::Condition), None);
}
