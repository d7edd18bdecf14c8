//! Properties of the entitlement engine on generated networks and rates.

use pcn_core::{FinancialYear, Money};
use pcn_funding::engine::{MissingCause, NetworkInput, Population, PracticeInput, Spell, entitlements};
use pcn_funding::rates::{Basis, Confidence, NoRate, NoRateWhy, PaidTo, Per, Rate, Stream, YearRates};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

fn rate(stream: Stream, basis: Basis, amount: &str, per: Per, from: Date, to: Date, paid_to: PaidTo) -> Rate {
    Rate {
        stream,
        basis,
        amount: amount.parse().unwrap(),
        per,
        from,
        to,
        paid_to,
        source: "test".into(),
        confidence: Confidence::V,
        note: None,
    }
}

fn year_2020() -> YearRates {
    YearRates {
        year: FinancialYear::new(2020),
        des_start: date!(2020 - 04 - 01),
        list_size_date: date!(2020 - 01 - 01),
        rates: vec![
            rate(
                Stream::Participation,
                Basis::Weighted,
                "1.761",
                Per::Year,
                date!(2020 - 04 - 01),
                date!(2021 - 03 - 31),
                PaidTo::Practice,
            ),
            rate(
                Stream::CoreFunding,
                Basis::Registered,
                "1.50",
                Per::Year,
                date!(2020 - 04 - 01),
                date!(2021 - 03 - 31),
                PaidTo::Network,
            ),
            rate(
                Stream::ClinicalDirector,
                Basis::Registered,
                "0.722",
                Per::Year,
                date!(2020 - 04 - 01),
                date!(2021 - 03 - 31),
                PaidTo::Network,
            ),
            rate(
                Stream::Support,
                Basis::Weighted,
                "0.27",
                Per::Period,
                date!(2020 - 04 - 01),
                date!(2020 - 09 - 30),
                PaidTo::Network,
            ),
            rate(
                Stream::CareHomePremium,
                Basis::Beds,
                "7.50",
                Per::Month,
                date!(2020 - 08 - 01),
                date!(2021 - 03 - 31),
                PaidTo::Network,
            ),
        ],
        arrs_roles: vec![],
        key_dates: vec![],
        no_rate: vec![],
        gaps: vec![],
    }
}

fn pop(v: i64) -> Option<Population> {
    Some(Population { value: Decimal::from(v), as_of: date!(2020 - 01 - 01), source: "test".into() })
}

#[test]
fn hand_worked_core_and_clinical_director() {
    // 2020/21: core £1.50 and CD £0.722 per registered patient, a whole year.
    let practices =
        vec![PracticeInput { code: "A".into(), registered: pop(31_250), weighted: pop(33_120), adjusted: None }];
    let networks = vec![NetworkInput {
        code: "U1".into(),
        spells: vec![Spell {
            practice: 0,
            from: date!(2020 - 04 - 01),
            to: date!(2021 - 03 - 31),
            participating: true,
        }],
        beds: Some(Decimal::from(40)),
        iif_points: None,
    }];
    let e = entitlements(&year_2020(), &practices, &networks);
    assert_eq!(e.network_total(0, Some(Stream::CoreFunding)), Money::from_pence(4_687_500)); // £46,875.00
    assert_eq!(e.network_total(0, Some(Stream::ClinicalDirector)), Money::from_pence(2_256_250)); // £22,562.50
    // Support: £0.27 × 33,120 for April–September, in six equal months.
    let support = e.lines.iter().find(|l| l.stream == Stream::Support).unwrap();
    assert_eq!(support.annual, Money::from_pence(894_240));
    assert_eq!(support.months[0], Money::from_pence(149_040));
    assert_eq!(support.months[6], Money::ZERO);
    // Care home premium: £7.50 × 40 beds × 8 months from August.
    assert_eq!(e.network_total(0, Some(Stream::CareHomePremium)), Money::from_pence(240_000));
    // Participation: £1.761 × 33,120 to the practice.
    assert_eq!(e.practice_total(0, Some(Stream::Participation)), Money::from_pence(5_832_432));
}

#[test]
fn a_mid_year_join_is_pro_rated_by_month() {
    let practices =
        vec![PracticeInput { code: "A".into(), registered: pop(12_000), weighted: pop(12_000), adjusted: None }];
    let networks = vec![NetworkInput {
        code: "U1".into(),
        // Joins on 15 June: counts from July (members on the first of the month).
        spells: vec![Spell {
            practice: 0,
            from: date!(2020 - 06 - 15),
            to: date!(2021 - 03 - 31),
            participating: true,
        }],
        ..Default::default()
    }];
    let e = entitlements(&year_2020(), &practices, &networks);
    // £1.50 × 12,000 × 9/12 = £13,500.
    assert_eq!(e.network_total(0, Some(Stream::CoreFunding)), Money::from_pence(1_350_000));
    let core = e.lines.iter().find(|l| l.stream == Stream::CoreFunding).unwrap();
    assert_eq!(core.months[2], Money::ZERO, "June");
    assert_eq!(core.months[3], Money::from_pence(150_000), "July");
    // Support covers April–September only: July, August, September = 3 of 6 months.
    assert_eq!(e.network_total(0, Some(Stream::Support)), Money::from_pence(162_000));
}

#[test]
fn missing_inputs_are_reported_not_guessed() {
    let practices = vec![PracticeInput { code: "A".into(), registered: pop(12_000), weighted: None, adjusted: None }];
    let networks = vec![NetworkInput {
        code: "U1".into(),
        spells: vec![Spell {
            practice: 0,
            from: date!(2020 - 04 - 01),
            to: date!(2021 - 03 - 31),
            participating: true,
        }],
        ..Default::default()
    }];
    let e = entitlements(&year_2020(), &practices, &networks);
    let streams: Vec<Stream> = e.missing.iter().map(|m| m.stream).collect();
    assert!(
        streams.contains(&Stream::Participation)
            && streams.contains(&Stream::Support)
            && streams.contains(&Stream::CareHomePremium),
        "{streams:?}"
    );
    assert_eq!(e.network_total(0, Some(Stream::Participation)), Money::ZERO);
}

#[test]
fn a_rate_not_found_is_missing_for_each_network_of_the_year_and_a_removed_stream_gives_nothing() {
    let mut rates = year_2020();
    let entry = |stream, why, confidence| NoRate {
        stream,
        why,
        reason: "test reason".into(),
        source: "test".into(),
        confidence,
    };
    rates.no_rate = vec![
        entry(Stream::Iif, NoRateWhy::NotFound, Confidence::NF),
        entry(Stream::CapacityAccessSupport, NoRateWhy::Removed, Confidence::V2),
    ];
    let practices =
        vec![PracticeInput { code: "A".into(), registered: pop(10_000), weighted: pop(10_000), adjusted: None }];
    let spell = |from, to| Spell { practice: 0, from, to, participating: true };
    let networks = vec![
        NetworkInput {
            code: "U1".into(),
            spells: vec![spell(date!(2020 - 04 - 01), date!(2021 - 03 - 31))],
            ..Default::default()
        },
        // Closed before the year: owed nothing, so nothing is missing.
        NetworkInput {
            code: "U2".into(),
            spells: vec![spell(date!(2019 - 04 - 01), date!(2020 - 03 - 31))],
            ..Default::default()
        },
    ];
    let e = entitlements(&rates, &practices, &networks);
    let rate_gaps: Vec<_> = e.missing.iter().filter(|m| m.cause == MissingCause::Rate).collect();
    assert_eq!(rate_gaps.len(), 1, "{rate_gaps:?}");
    assert_eq!((rate_gaps[0].stream, rate_gaps[0].network, rate_gaps[0].practice), (Stream::Iif, 0, None));
    assert_eq!(rate_gaps[0].reason, "no 2020/21 rate for iif: test reason");
    assert!(e.lines.iter().all(|l| l.stream != Stream::Iif && l.stream != Stream::CapacityAccessSupport));
    assert!(e.missing.iter().all(|m| m.stream != Stream::CapacityAccessSupport));
    // Inputs missing are still told apart (U1 has no beds).
    assert!(e.missing.iter().any(|m| m.cause == MissingCause::Input && m.stream == Stream::CareHomePremium));
}

fn world() -> impl Strategy<Value = (Vec<PracticeInput>, Vec<NetworkInput>)> {
    (1usize..8, prop::collection::vec((500i64..40_000, 400i64..45_000, 0u8..12, 0u8..12, any::<bool>()), 1..20))
        .prop_map(|(nets, ps)| {
            let practices: Vec<PracticeInput> = ps
                .iter()
                .enumerate()
                .map(|(i, &(r, w, _, _, _))| PracticeInput {
                    code: format!("P{i}"),
                    registered: pop(r),
                    weighted: pop(w),
                    adjusted: None,
                })
                .collect();
            let starts = pcn_funding::engine::month_starts(FinancialYear::new(2020));
            let mut networks: Vec<NetworkInput> = (0..nets)
                .map(|n| NetworkInput {
                    code: format!("U{n}"),
                    beds: Some(Decimal::from(n as i64 * 3)),
                    ..Default::default()
                })
                .collect();
            for (i, &(_, _, a, b, participating)) in ps.iter().enumerate() {
                let (lo, hi) = (a.min(b) as usize, a.max(b) as usize);
                let to = if hi == 11 { date!(2021 - 03 - 31) } else { starts[hi + 1].previous_day().unwrap() };
                networks[i % nets].spells.push(Spell { practice: i as u32, from: starts[lo], to, participating });
            }
            (practices, networks)
        })
}

proptest! {
    #[test]
    fn months_add_up_and_networks_are_the_sum_of_their_lines((practices, networks) in world()) {
        let e = entitlements(&year_2020(), &practices, &networks);
        for l in &e.lines {
            prop_assert_eq!(l.months.iter().copied().sum::<Money>(), l.annual);
        }
        for n in 0..networks.len() as u32 {
            let by_practice: Money = e.lines.iter().filter(|l| l.network == n && l.practice.is_some()).map(|l| l.annual).sum();
            let network_level: Money = e.lines.iter().filter(|l| l.network == n && l.practice.is_none()).map(|l| l.annual).sum();
            prop_assert_eq!(e.network_total(n, None), by_practice + network_level);
        }
        // Non-participants never receive the participation payment.
        for (n, net) in networks.iter().enumerate() {
            for s in net.spells.iter().filter(|s| !s.participating) {
                prop_assert!(!e.lines.iter().any(|l| l.stream == Stream::Participation && l.network == n as u32 && l.practice == Some(s.practice)));
            }
        }
    }

    #[test]
    fn entitlements_scale_with_list_size(list in 1_000i64..60_000, factor in 2i64..5) {
        let mk = |r: i64| {
            let practices = vec![PracticeInput { code: "A".into(), registered: pop(r), weighted: pop(r), adjusted: None }];
            let networks = vec![NetworkInput { code: "U".into(), spells: vec![Spell { practice: 0, from: date!(2020 - 04 - 01), to: date!(2021 - 03 - 31), participating: true }], ..Default::default() }];
            entitlements(&year_2020(), &practices, &networks)
        };
        let (a, b) = (mk(list), mk(list * factor));
        for s in [Stream::CoreFunding, Stream::ClinicalDirector, Stream::Participation, Stream::Support] {
            let (x, y) = (a.network_total(0, Some(s)).pence(), b.network_total(0, Some(s)).pence());
            // Linear up to the one rounding per line.
            prop_assert!((y - x * factor).abs() <= factor, "{:?}: {} vs {} × {}", s, y, x, factor);
        }
    }
}
