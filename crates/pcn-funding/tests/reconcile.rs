//! Reconciliation against NHS Payments to General Practice on tiny hand-built
//! 2020/21 snapshots: every expected figure is worked by hand in the comments.
//!
//! 2020/21 rates used (rates/2020-21.toml): participation £1.76 per weighted
//! patient a year; clinical director £0.722 per registered patient a year;
//! list-size date 1 January 2020. The previous year's table (2019/20:
//! participation £1.761 a year, clinical director £0.5143 for July-March) is
//! what the reconciliation uses for the "previous year's entitlement" timing
//! evidence, so the figures below are chosen to stay clear of it.

use std::collections::BTreeMap;

use pcn_core::{
    FinancialYear, ListSize, ListSource, Membership, Money, Network, NetworkCode, Practice, PracticeCode,
    PracticePayments, PracticeStatus, Snapshot,
};
use pcn_funding::rates::{self, Confidence, NoRate, NoRateWhy, Stream, YearRates};
use pcn_funding::reconcile::{Extra, Item, Reason, Reconciliation, StreamReport, merge_payments, reconcile};
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

const PARTICIPATION: &str = "PCN Participation";
const LEADERSHIP: &str = "PCN Leadership";

fn fy() -> FinancialYear {
    FinancialYear::new(2020)
}

fn rates_2020() -> &'static YearRates {
    rates::year(fy()).unwrap_or_else(|e| panic!("{e}"))
}

fn pc(s: &str) -> PracticeCode {
    PracticeCode::parse(s).unwrap()
}

fn nc(s: &str) -> NetworkCode {
    NetworkCode::parse(s).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn practice(code: &str) -> Practice {
    let mut p = Practice::new(pc(code));
    p.status = PracticeStatus::Active;
    p
}

fn network(code: &str) -> Network {
    Network { code: nc(code), name: None, commissioner: None, open_date: None, close_date: None, postcode: None }
}

/// A membership with no dates: in the network all year (and the year before).
fn member(practice: &str, network: &str) -> Membership {
    Membership { practice: pc(practice), network: nc(network), start: None, end: None }
}

/// The QOF registered list at the list-size date.
fn qof(practice: &str, registered: &str) -> ListSize {
    ListSize {
        practice: pc(practice),
        registered: Some(dec(registered)),
        weighted: None,
        as_of: date!(2020 - 01 - 01),
        source: ListSource::Qof,
    }
}

/// The payments file's year figures (last known), dated at the end of the year.
fn payments_list(practice: &str, registered: &str, weighted: &str) -> ListSize {
    ListSize {
        practice: pc(practice),
        registered: Some(dec(registered)),
        weighted: Some(dec(weighted)),
        as_of: fy().end(),
        source: ListSource::Payments,
    }
}

/// A payments-file row carrying the same year figures as `payments_list`.
fn row(
    practice: &str,
    network: Option<&str>,
    registered: &str,
    weighted: &str,
    close: Option<Date>,
    items: &[(&str, i64)],
) -> PracticePayments {
    PracticePayments {
        year: fy(),
        practice: pc(practice),
        network: network.map(nc),
        commissioner: None,
        contract_type: None,
        practice_type: None,
        rurality: None,
        dispensing: None,
        close_date: close,
        registered_patients: Some(dec(registered)),
        weighted_patients: Some(dec(weighted)),
        items: items.iter().map(|(h, p)| (h.to_string(), Money::from_pence(*p))).collect::<BTreeMap<_, _>>(),
    }
}

fn run(mut snap: Snapshot, rows: Vec<PracticePayments>) -> Reconciliation {
    merge_payments(&mut snap, fy(), rows);
    reconcile(&snap, rates_2020(), &Extra::default())
}

#[track_caller]
fn stream<'a>(r: &'a Reconciliation, name: &str) -> &'a StreamReport {
    r.streams
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no {name} stream: {:?}", r.streams.iter().map(|s| s.name).collect::<Vec<_>>()))
}

#[track_caller]
fn item<'a>(s: &'a StreamReport, code: &str) -> &'a Item {
    s.items.iter().find(|i| i.code == code).unwrap_or_else(|| panic!("no item {code} in {}: {:#?}", s.name, s.items))
}

/// One practice, A81001 in U00001, with 10,000 weighted patients at 1 January 2020:
/// QOF registered 8,000 at 1 Jan 2020; payments file registered 8,400, weighted 10,500.
/// Weighted at the list-size date = 10,500 × 8,000 / 8,400 = 10,000.00.
fn ten_thousand_weighted(code: &str) -> Vec<ListSize> {
    vec![qof(code, "8000"), payments_list(code, "8400", "10500")]
}

fn one_network(practices: &[&str]) -> Snapshot {
    Snapshot {
        practices: practices.iter().map(|p| practice(p)).collect(),
        networks: vec![network("U00001")],
        memberships: practices.iter().map(|p| member(p, "U00001")).collect(),
        list_sizes: practices.iter().flat_map(|p| ten_thousand_weighted(p)).collect(),
        ..Default::default()
    }
}

#[test]
fn paid_exactly_the_computed_participation_is_within_two_percent() {
    // Computed: 10,000.00 weighted × £1.76 × 12/12 = £17,600.00 = 1,760,000p.
    // (On the payments file's own 10,500 it would be £18,480.00; on QOF's
    // registered 8,000 unweighted, £14,080.00: both are wrong answers.)
    let snap = one_network(&["A81001"]);
    let r = run(snap, vec![row("A81001", Some("U00001"), "8400", "10500", None, &[(PARTICIPATION, 1_760_000)])]);
    assert_eq!(r.year, fy());
    let s = stream(&r, "participation");
    assert_eq!(s.compared, 1);
    let i = item(s, "A81001");
    assert_eq!(i.computed, Money::from_pence(1_760_000), "£1.76 × 10,000.00 weighted");
    assert_eq!(i.paid, Money::from_pence(1_760_000));
    assert!(i.reasons.is_empty(), "{:#?}", i.reasons);
    assert_eq!(i.network.as_deref(), Some("U00001"));
    assert_eq!((s.within_2pct, s.within_10pct, s.over_10pct, s.unexplained_over_10pct), (1, 1, 0, 0));
    // Naive: £1.76 × 10,500 (the file's weighted column, whole year) = £18,480.00,
    // 5% above the amount paid: outside 2%, inside 10%.
    assert_eq!(i.naive, Some(Money::from_pence(1_848_000)));
    assert_eq!((s.naive_within_2pct, s.naive_within_10pct), (0, 1));
    assert_eq!(s.paid_total, Money::from_pence(1_760_000));
    assert_eq!(s.computed_total, Money::from_pence(1_760_000));
    assert_eq!(s.naive_total, Money::from_pence(1_848_000));
    assert_eq!(s.computed_not_paid, 0);
    assert!(s.reasons.is_empty());
}

#[test]
fn four_twelfths_is_part_year_and_an_unexplained_overpayment_is_counted() {
    // Both practices: 10,000.00 weighted × £1.76 = £17,600.00 computed.
    // A81001 paid 4/12 of it: £17,600 / 3 = £5,866.666... → £5,866.67 = 586,667p,
    //   586,667 × 12 / 1,760,000 = 4.000002 months: a whole 4 months.
    // A81002 paid 2.5 × £17,600 = £44,000.00 = 4,400,000p: 30 months, beyond
    //   the 24 a whole-month timing pattern allows; last year's entitlement at
    //   2019/20's £1.761 on the only weighted figure (10,500) is £18,490.50, and
    //   £17,600 + £18,490.50 = £36,090.50 is 18% short of £44,000 (not within 5%);
    //   lists 8,000 and 8,400 differ by 5% (not a list change); no commissioner.
    //   Nothing explains it.
    let snap = one_network(&["A81001", "A81002"]);
    let r = run(
        snap,
        vec![
            row("A81001", Some("U00001"), "8400", "10500", None, &[(PARTICIPATION, 586_667)]),
            row("A81002", Some("U00001"), "8400", "10500", None, &[(PARTICIPATION, 4_400_000)]),
        ],
    );
    let s = stream(&r, "participation");
    assert_eq!(s.compared, 2);

    let part = item(s, "A81001");
    assert_eq!(part.computed, Money::from_pence(1_760_000));
    assert_eq!(part.paid, Money::from_pence(586_667));
    assert!(!part.reasons.is_empty(), "4/12 paid must be explained");
    assert!(part.reasons.iter().all(|e| e.reason == Reason::PartYear), "{:#?}", part.reasons);
    assert!(
        part.reasons.iter().any(|e| e.detail.contains("4 months")),
        "the reason names the 4 months: {:#?}",
        part.reasons
    );

    let over = item(s, "A81002");
    assert_eq!(over.computed, Money::from_pence(1_760_000));
    assert_eq!(over.paid, Money::from_pence(4_400_000));
    assert!(over.reasons.is_empty(), "no evidence, so no reason: {:#?}", over.reasons);

    assert_eq!((s.within_2pct, s.within_10pct), (0, 0));
    assert_eq!(s.over_10pct, 2);
    assert_eq!(s.unexplained_over_10pct, 1, "A81002 only");
    assert_eq!(s.reasons.get(&Reason::PartYear), Some(&1));
    assert_eq!(s.reasons.len(), 1, "{:?}", s.reasons);
    // Largest absolute difference first: A81002 (£26,400) before A81001 (£11,733.33).
    assert_eq!(s.items.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(), ["A81002", "A81001"]);
    assert_eq!(s.paid_total, Money::from_pence(586_667 + 4_400_000));
}

#[test]
fn network_money_under_another_networks_payee_is_coded_elsewhere() {
    // Register: A81001 in U00001 (QOF registered 10,000), B81001 in U00002 (6,000).
    // Clinical director 2020/21, £0.722 per registered patient at 1 Jan 2020:
    //   U00001: 0.722 × 10,000 = £7,220.00; U00002: 0.722 × 6,000 = £4,332.00.
    // The file puts all PCN Leadership on A81001 (coded to U00001):
    //   £7,220.00 + £4,332.00 = £11,552.00; U00002's practice gets none.
    // U00001 is paid 60% over its own figure; U00002's computed amount makes up
    // the excess exactly, so U00002's payee sits under U00001.
    // (Last year's clinical director for U00001, £0.5143 × 10,000 = £5,143.00,
    // gives £12,363.00 with this year's: 7% off, not the 5% the timing rule needs;
    // 11,552 / 7,220 × 12 = 19.2 months is no whole number.)
    let snap = Snapshot {
        practices: vec![practice("A81001"), practice("B81001")],
        networks: vec![network("U00001"), network("U00002")],
        memberships: vec![member("A81001", "U00001"), member("B81001", "U00002")],
        list_sizes: vec![
            qof("A81001", "10000"),
            payments_list("A81001", "10100", "11000"),
            qof("B81001", "6000"),
            payments_list("B81001", "6050", "6500"),
        ],
        ..Default::default()
    };
    let r = run(
        snap,
        vec![
            row("A81001", Some("U00001"), "10100", "11000", None, &[(LEADERSHIP, 1_155_200)]),
            row("B81001", Some("U00002"), "6050", "6500", None, &[]),
        ],
    );
    let s = stream(&r, "clinical_director");
    assert_eq!(s.compared, 1, "only U00001 is paid anything");
    let a = item(s, "U00001");
    assert_eq!(a.paid, Money::from_pence(1_155_200));
    assert_eq!(a.computed, Money::from_pence(722_000), "£0.722 × 10,000");
    let coded: Vec<&str> =
        a.reasons.iter().filter(|e| e.reason == Reason::CodedElsewhere).map(|e| e.detail.as_str()).collect();
    assert!(coded.iter().any(|d| d.contains("U00002")), "a CodedElsewhere reason naming U00002: {:#?}", a.reasons);
    assert!(
        coded.iter().any(|d| d.contains("£4,332.00")),
        "U00002's computed share (£4,332.00) is named: {:#?}",
        a.reasons
    );
    assert!(!a.reasons.iter().any(|e| e.reason == Reason::Timing), "{:#?}", a.reasons);
    assert_eq!(s.unexplained_over_10pct, 0);
    assert_eq!(s.over_10pct, 1);
    assert_eq!(s.reasons.get(&Reason::CodedElsewhere), Some(&1));
    assert_eq!(s.computed_not_paid, 1, "U00002 is owed £4,332.00 and paid nothing under its code");
    assert!(s.items.iter().all(|i| i.code != "U00002"));
    // Naive for U00001: £0.722 × the file's registered 10,100 = £7,292.20.
    assert_eq!(a.naive, Some(Money::from_pence(729_220)));
}

#[test]
fn a_practice_closed_mid_year_is_computed_for_six_months() {
    // Two practices close on 15 September 2020, a date only their payments rows
    // give: C81001 is in the register (a member of U00001 with no dates);
    // C81002 is missing from it (merge_payments adds it) and counts for the
    // network the file codes it to. Either way it is a member on the first of
    // April..September and not on 1 October: 6 months.
    // Lists for each: QOF registered 5,123 at 1 Jan 2020; file registered 5,000,
    // weighted 5,555.55.
    //   Weighted at 1 Jan 2020 = 5,555.55 × 5,123 / 5,000 = 5,692.21653 → 5,692.22.
    //   Participation = 5,692.22 × £1.76 × 6/12 = 5,692.22 × 0.88 = £5,009.1536
    //   → £5,009.15 = 500,915p. (12 months would be £10,018.31; 5 months £4,174.29.)
    // The file pays each the full-year naive figure: £1.76 × 5,555.55 = £9,777.768
    //   → £9,777.77 = 977,777p, 95% above the computed figure.
    let close = date!(2020 - 09 - 15);
    let snap = Snapshot {
        practices: vec![practice("C81001")],
        networks: vec![network("U00001")],
        memberships: vec![member("C81001", "U00001")],
        list_sizes: vec![qof("C81001", "5123"), qof("C81002", "5123")],
        ..Default::default()
    };
    let r = run(
        snap,
        vec![
            row("C81001", Some("U00001"), "5000", "5555.55", Some(close), &[(PARTICIPATION, 977_777)]),
            row("C81002", Some("U00001"), "5000", "5555.55", Some(close), &[(PARTICIPATION, 977_777)]),
        ],
    );
    let s = stream(&r, "participation");
    assert_eq!(s.compared, 2);
    for code in ["C81001", "C81002"] {
        let i = item(s, code);
        assert_eq!(i.computed, Money::from_pence(500_915), "{code}: 6 months of £1.76 × 5,692.22");
        assert_eq!(i.naive, Some(Money::from_pence(977_777)), "{code}: £1.76 × 5,555.55");
        let has = |r: Reason, text: &str| i.reasons.iter().any(|e| e.reason == r && e.detail.contains(text));
        assert!(has(Reason::Closure, "closed on 2020-09-15"), "{code}: {:#?}", i.reasons);
        assert!(has(Reason::PartYear, &format!("{code} (6 months)")), "{code}: {:#?}", i.reasons);
    }
    assert_eq!(s.unexplained_over_10pct, 0);
    assert_eq!(s.reasons.get(&Reason::Closure), Some(&2));
}

#[test]
fn columns_missing_from_the_file_are_not_compared() {
    // The file has PCN Participation and PCN Care Home Premium only.
    let snap = one_network(&["A81001"]);
    let r = run(
        snap,
        vec![row(
            "A81001",
            Some("U00001"),
            "8400",
            "10500",
            None,
            &[(PARTICIPATION, 1_760_000), ("PCN Care Home Premium", 30_000)],
        )],
    );
    let names: Vec<&str> = r.streams.iter().map(|s| s.name).collect();
    assert_eq!(names, ["participation"]);
    let nc: BTreeMap<&str, (&str, &str)> =
        r.not_compared.iter().map(|n| (n.name, (n.column, n.reason.as_str()))).collect();
    for (name, column) in [
        ("clinical_director", "PCN Leadership"),
        ("support", "PCN Support"),
        ("extended_hours", "PCN Extended Hours Access"),
        ("iif", "PCN Investment and impact Fund"),
        ("workforce", "PCN Workforce"),
    ] {
        let (col, reason) = nc.get(name).unwrap_or_else(|| panic!("{name} not in not_compared: {nc:#?}"));
        assert_eq!(*col, column);
        assert!(reason.contains(&format!("{column:?} column")), "{name}: {reason}");
    }
    // Present, but needs the beds input, which was not given.
    let (col, reason) = nc["care_home_premium"];
    assert_eq!(col, "PCN Care Home Premium");
    assert!(reason.contains("--beds"), "{reason}");
    assert!(!nc.contains_key("participation"));
    assert_eq!(nc.len(), 6);
}

#[test]
fn workforce_is_compared_only_where_staff_claims_were_given() {
    // Two networks, each paid £100,000 of PCN Workforce; claims are known for U00001 only.
    let mut snap = one_network(&["A81001"]);
    snap.practices.push(practice("A81002"));
    snap.networks.push(network("U00002"));
    snap.memberships.push(member("A81002", "U00002"));
    snap.list_sizes.extend(ten_thousand_weighted("A81002"));
    let rows = vec![
        row("A81001", Some("U00001"), "8400", "10500", None, &[("PCN Workforce", 10_000_000)]),
        row("A81002", Some("U00002"), "8400", "10500", None, &[("PCN Workforce", 10_000_000)]),
    ];
    merge_payments(&mut snap, fy(), rows.clone());
    // Without claims the column is listed as needing them.
    let none = reconcile(&snap, rates_2020(), &Extra::default());
    assert!(none.streams.iter().all(|s| s.name != "workforce"));
    assert!(none.not_compared.iter().any(|n| n.name == "workforce" && n.reason.contains("staff")));
    // Claims of £98,500 for U00001: within 2% of the £100,000 paid.
    let extra =
        Extra { workforce: [("U00001".to_string(), Money::from_pence(9_850_000))].into(), ..Default::default() };
    let r = reconcile(&snap, rates_2020(), &extra);
    let w = stream(&r, "workforce");
    assert_eq!(w.compared, 1);
    assert_eq!(w.within_2pct, 1);
    assert_eq!(item(w, "U00001").computed, Money::from_pence(9_850_000));
    assert!(w.items.iter().all(|i| i.code != "U00002"), "U00002 has no staff records to compare");
}

#[test]
fn a_rate_not_found_is_named_among_a_networks_reasons() {
    // 2020/21 with a leadership and management rate listed as not found (NF), as
    // 2022/23 lists its clinical director rate: the column is compared on the
    // clinical director alone, £0.722 × 10,000 = £7,220.00, and U00001's £8,800.00
    // says which rate was not computed rather than blaming an input.
    let mut rates = rates_2020().clone();
    rates.no_rate.push(NoRate {
        stream: Stream::LeadershipManagement,
        why: NoRateWhy::NotFound,
        reason: "test".into(),
        source: "test".into(),
        confidence: Confidence::NF,
    });
    let mut snap = Snapshot {
        practices: vec![practice("A81001")],
        networks: vec![network("U00001")],
        memberships: vec![member("A81001", "U00001")],
        list_sizes: vec![qof("A81001", "10000"), payments_list("A81001", "10100", "11000")],
        ..Default::default()
    };
    merge_payments(
        &mut snap,
        fy(),
        vec![row("A81001", Some("U00001"), "10100", "11000", None, &[(LEADERSHIP, 880_000)])],
    );
    let r = reconcile(&snap, &rates, &Extra::default());
    let a = item(stream(&r, "clinical_director"), "U00001");
    assert_eq!((a.paid, a.computed), (Money::from_pence(880_000), Money::from_pence(722_000)));
    let missing: Vec<&str> =
        a.reasons.iter().filter(|e| e.reason == Reason::MissingInput).map(|e| e.detail.as_str()).collect();
    assert_eq!(missing, vec!["no 2020/21 rate for leadership_management (not found): not computed"]);
}
