//! Every stream of every year, from the real rate tables, against figures
//! worked by hand from des-facts.md. One network of one practice, a member all
//! year: 10,000 registered and 12,000 weighted patients at the list-size date
//! (the adjusted population stands in as the weighted one), 40 beds in aligned
//! care homes, 100 IIF points. A stream the year pays at a rate no source
//! gives is reported missing (cause: rate), never computed; a stream removed
//! from the DES gives nothing at all.

use pcn_core::{FinancialYear, Money};
use pcn_funding::engine::{MissingCause, NetworkInput, Population, PracticeInput, Spell, entitlements};
use pcn_funding::rates::{self, Stream};
use rust_decimal::Decimal;

fn year(start: i32) -> Vec<(Stream, i64)> {
    let fy = FinancialYear::new(start);
    let rates = rates::year(fy).unwrap();
    let pop = |v: i64| Some(Population { value: Decimal::from(v), as_of: rates.list_size_date, source: "test".into() });
    let practices =
        vec![PracticeInput { code: "A00001".into(), registered: pop(10_000), weighted: pop(12_000), adjusted: None }];
    let networks = vec![NetworkInput {
        code: "U00001".into(),
        spells: vec![Spell { practice: 0, from: fy.start(), to: fy.end(), participating: true }],
        beds: Some(Decimal::from(40)),
        iif_points: Some(Decimal::from(100)),
    }];
    let e = entitlements(rates, &practices, &networks);
    // Every input is given: only rates not found are missing, once each, with the table's reason.
    let not_found: Vec<Stream> = rates.not_found().map(|n| n.stream).collect();
    assert_eq!(e.missing.iter().map(|m| m.stream).collect::<Vec<_>>(), not_found, "{start}: {:?}", e.missing);
    for m in &e.missing {
        assert_eq!((m.cause, m.network, m.practice), (MissingCause::Rate, 0, None));
        assert!(m.reason.starts_with(&format!("no {fy} rate for {}: ", m.stream.name())), "{}", m.reason);
        assert!(m.reason.ends_with(&rates.no_rate_for(m.stream).unwrap().reason));
    }
    for gone in rates.removed() {
        assert!(e.lines.iter().all(|l| l.stream != gone.stream), "{start}: {:?} was removed", gone.stream);
    }
    for l in &e.lines {
        assert_eq!(l.months.iter().copied().sum::<Money>(), l.annual, "{start} {:?}: months add up", l.stream);
    }
    let mut streams: Vec<Stream> = e.lines.iter().map(|l| l.stream).collect();
    streams.sort();
    streams.dedup();
    streams.into_iter().map(|s| (s, e.network_total(0, Some(s)).pence())).collect()
}

fn pounds(p: &str) -> i64 {
    let d: Decimal = p.parse().unwrap();
    Money::from_pounds(d).unwrap().pence()
}

#[track_caller]
fn check(start: i32, want: &[(Stream, &str)]) {
    let got = year(start);
    let want: Vec<(Stream, i64)> = want.iter().map(|(s, p)| (*s, pounds(p))).collect();
    assert_eq!(got, want, "{start}/{}", (start + 1) % 100);
}

use Stream::*;

#[test]
fn y2019_20() {
    check(
        2019,
        &[
            (Participation, "21132.00"),   // £1.761 x 12,000 weighted, the whole year
            (CoreFunding, "15000.00"),     // £1.50 x 10,000, backdated to 1 April
            (ClinicalDirector, "5143.00"), // £0.5143 x 10,000 for July-March as a whole
            (ExtendedHours, "10990.00"),   // £1.099 x 10,000 for July-March (R)
            (ArrsSum, "53942.00"),         // the fixed nine-month sum of a network under 100,000
        ],
    );
}

#[test]
fn y2020_21() {
    check(
        2020,
        &[
            (Participation, "21120.00"),   // £1.76 x 12,000
            (CoreFunding, "15000.00"),     // £1.50 x 10,000
            (ClinicalDirector, "7220.00"), // £0.722 x 10,000
            (ExtendedHours, "14500.00"),   // £1.45 x 10,000
            (Support, "3240.00"),          // £0.27 x 12,000 for April-September
            (CareHomePremium, "2400.00"),  // £7.50 x 40 beds x 8 months from August
            (Iif, "11100.00"),             // £111 x 100 points
            (ArrsSum, "85572.00"),         // £7.131 x 12,000
        ],
    );
}

#[test]
fn y2021_22() {
    check(
        2021,
        &[
            (Participation, "21120.00"),   // £1.76 x 12,000
            (CoreFunding, "15000.00"),     // £1.50 x 10,000
            (ClinicalDirector, "7220.00"), // £0.722 x 10,000
            (ExtendedHours, "14400.00"),   // £1.44 x 10,000 (C)
            (CareHomePremium, "4800.00"),  // £120 x 40 beds
            (Iif, "20000.00"),             // £200 x 100 points
        ],
    );
}

#[test]
fn y2022_23() {
    check(
        2022,
        &[
            (Participation, "21132.00"),         // £1.761 x 12,000
            (CoreFunding, "15000.00"),           // £1.50 x 10,000
            (LeadershipManagement, "8388.00"),   // £0.699 x 12,000 adjusted
            (ExtendedHours, "7200.00"),          // £0.720 x 10,000 for April-September
            (EnhancedAccess, "45168.00"),        // £3.764 x 12,000 for October-March
            (CareHomePremium, "4800.00"),        // £120 x 40
            (Iif, "20000.00"),                   // £200 x 100
            (CapacityAccessSupport, "16590.00"), // £2.765 x 12,000 x 6/12 (from October)
            (ArrsSum, "200352.00"),              // £16.696 x 12,000
        ],
    );
    // No CAIP in 2022/23 (des-facts-2022-2027 A.1 row 7); the CD rate is missing, not guessed.
    assert_eq!(missing(2022), vec![ClinicalDirector]);
}

#[test]
fn y2023_24() {
    check(
        2023,
        &[
            (Participation, "21120.00"),             // £1.76 x 12,000
            (CoreFunding, "15000.00"),               // £1.50 x 10,000
            (ClinicalDirector, "7290.00"),           // £0.729 x 10,000
            (LeadershipManagement, "8208.00"),       // £0.684 x 12,000
            (EnhancedAccess, "90936.00"),            // £7.578 x 12,000
            (CareHomePremium, "4800.00"),            // £120 x 40
            (Iif, "19800.00"),                       // £198 x 100
            (CapacityAccessSupport, "33180.00"),     // £2.765 x 12,000
            (CapacityAccessImprovement, "14220.00"), // £1.185 x 12,000
            (ArrsSum, "272052.00"),                  // £22.671 x 12,000
        ],
    );
}

#[test]
fn y2024_25() {
    check(
        2024,
        &[
            (Participation, "21168.00"),             // £0.147 x 12 months x 12,000
            (CoreFunding, "31090.00"),               // £2.257 x 10,000 + £0.710 x 12,000 (C)
            (EnhancedAccess, "95700.00"),            // £7.975 x 12,000
            (CareHomePremium, "5088.00"),            // £127.20 x 40
            (Iif, "19800.00"),                       // £198 x 100
            (CapacityAccessSupport, "38976.00"),     // £3.248 x 12,000
            (CapacityAccessImprovement, "16704.00"), // £1.392 x 12,000
            (ArrsSum, "274728.00"),                  // £22.894 x 12,000
            (ArrsGpSum, "15636.00"),                 // £1.303 x 12,000 for October-March
        ],
    );
}

#[test]
fn y2025_26() {
    check(
        2025,
        &[
            (Participation, "21132.00"),             // £1.761 x 12,000 (des-facts-2022-2027 A.1 row 10)
            (CoreFunding, "31456.00"),               // £2.266 x 10,000 + £0.733 x 12,000
            (EnhancedAccess, "101124.00"),           // £8.427 x 12,000
            (CareHomePremium, "5210.12"),            // £130.253 x 40
            (CapacityAccessSupport, "38496.00"),     // £3.208 x 12,000
            (CapacityAccessImprovement, "16500.00"), // £1.375 x 12,000
            (ArrsSum, "319572.00"),                  // £26.631 x 12,000, GPs included
        ],
    );
    assert_eq!(missing(2025), vec![Iif], "2025/26 IIF points and point value not found");
}

/// 2026/27: no rate has been found for any stream the DES still pays, and the
/// capacity and access payment has left the DES (des-facts-2022-2027 A.2, A.3).
#[test]
fn y2026_27() {
    check(2026, &[]);
    assert_eq!(missing(2026), vec![Participation, CoreFunding, EnhancedAccess, CareHomePremium, Iif, ArrsSum]);
    let rates = rates::year(FinancialYear::new(2026)).unwrap();
    assert_eq!(
        rates.removed().map(|n| n.stream).collect::<Vec<_>>(),
        vec![CapacityAccessSupport, CapacityAccessImprovement]
    );
}

/// The streams a year could not compute, in the table's order.
fn missing(start: i32) -> Vec<Stream> {
    rates::year(FinancialYear::new(start)).unwrap().not_found().map(|n| n.stream).collect()
}
