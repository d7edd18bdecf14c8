//! The embedded Network Contract DES rate tables: they load, validate, and
//! hold the figures of /work/shared/docs/des-facts.md as corrected by
//! /work/shared/docs/des-facts-2022-2027.md (pinned here by hand; each
//! correction's test names the notes' section it comes from).

use pcn_core::FinancialYear;
use pcn_funding::rates::{
    self, ArrsRole, Basis, Confidence, NoRate, NoRateWhy, PaidTo, Per, Rate, RatesError, Stream, YearRates,
};
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

fn fy(start: i32) -> &'static YearRates {
    rates::year(FinancialYear::new(start)).unwrap_or_else(|e| panic!("{e}"))
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn key<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).unwrap().as_str().unwrap().to_string()
}

/// The single rate of a stream and basis in a year.
#[track_caller]
fn only(start: i32, stream: Stream, basis: Basis) -> &'static Rate {
    let found: Vec<&Rate> = fy(start).rates_for(stream).filter(|r| r.basis == basis).collect();
    assert_eq!(found.len(), 1, "{start}: {stream:?}/{basis:?}: {found:#?}");
    found[0]
}

/// Pins one rate: amount, per, period and confidence.
#[allow(clippy::too_many_arguments)]
#[track_caller]
fn pin(
    start: i32,
    stream: Stream,
    basis: Basis,
    amount: &str,
    per: Per,
    from: Date,
    to: Date,
    conf: Confidence,
) -> &'static Rate {
    let r = only(start, stream, basis);
    assert_eq!(r.amount, dec(amount), "{start} {stream:?} amount");
    assert_eq!(r.per, per, "{start} {stream:?} per");
    assert_eq!((r.from, r.to), (from, to), "{start} {stream:?} period");
    assert_eq!(r.confidence, conf, "{start} {stream:?} confidence");
    let want = if stream == Stream::Participation { PaidTo::Practice } else { PaidTo::Network };
    assert_eq!(r.paid_to, want, "{start} {stream:?} paid_to");
    assert!(r.source.contains("des-facts"), "{start} {stream:?} source {:?}", r.source);
    r
}

/// Pins a whole-year annual rate.
#[track_caller]
fn annual(start: i32, stream: Stream, basis: Basis, amount: &str, conf: Confidence) -> &'static Rate {
    let y = FinancialYear::new(start);
    pin(start, stream, basis, amount, Per::Year, y.start(), y.end(), conf)
}

#[track_caller]
fn role(start: i32, key: &str) -> &'static ArrsRole {
    fy(start).role(key).unwrap_or_else(|| panic!("{start}: no role {key}"))
}

#[track_caller]
fn absent(start: i32, stream: Stream) {
    assert_eq!(fy(start).rates_for(stream).count(), 0, "{start}: {stream:?} should have no rate");
}

/// The year's `no_rate` entry for a stream, which must say why.
#[track_caller]
fn no_rate(start: i32, stream: Stream, why: NoRateWhy) -> &'static NoRate {
    absent(start, stream);
    let n = fy(start).no_rate_for(stream).unwrap_or_else(|| panic!("{start}: {stream:?} has no no_rate entry"));
    assert_eq!(n.why, why, "{start} {stream:?}");
    match why {
        NoRateWhy::NotFound => assert_eq!(n.confidence, Confidence::NF, "{start} {stream:?}"),
        NoRateWhy::Removed => assert!(n.confidence.verified(), "{start} {stream:?}"),
    }
    assert!(n.source.contains("des-facts"), "{start} {stream:?} source {:?}", n.source);
    gap_mentions(start, &key(&stream));
    n
}

#[track_caller]
fn gap_mentions(start: i32, word: &str) {
    assert!(
        fy(start).gaps.iter().any(|g| g.contains(word)),
        "{start}: no gap mentions {word:?}: {:#?}",
        fy(start).gaps
    );
}

// ------------------------------------------------------------ loading ----

#[test]
fn eight_years_load_and_validate() {
    let all = rates::try_all().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 8);
    for (i, t) in all.iter().enumerate() {
        let y = FinancialYear::new(2019 + i as i32);
        assert_eq!(t.year, y);
        assert_eq!(rates::file_name(y), format!("{}-{:02}.toml", 2019 + i as i32, (2020 + i as i32) % 100));
        assert!(std::ptr::eq(rates::year(y).unwrap(), fy(y.start_year())), "parsed once");
        assert_eq!(t.list_size_date, y.list_size_date());
        assert_eq!(t.des_start, if y.start_year() == 2019 { date!(2019 - 07 - 01) } else { y.start() });
        assert!(!t.arrs_roles.is_empty() && !t.gaps.is_empty(), "{y}");
        // 2026/27 has no published rate yet (des-facts-2022-2027 A.3): it loads with none.
        assert_eq!(t.rates.is_empty(), y.start_year() == 2026, "{y}");
    }
    assert_eq!(rates::years().map(|y| y.start_year()).collect::<Vec<_>>(), (2019..=2026).collect::<Vec<_>>());
    assert_eq!(rates::all().len(), 8);
    for missing in [2018, 2027] {
        let e = rates::year(FinancialYear::new(missing)).unwrap_err();
        assert_eq!(e, RatesError::NoTable(FinancialYear::new(missing)));
        assert!(e.to_string().contains("2019/20") && e.to_string().contains("2026/27"), "{e}");
    }
}

#[test]
fn helpers_select_by_stream_and_role() {
    let t = fy(2024);
    assert_eq!(t.rates_for(Stream::CoreFunding).count(), 2);
    assert!(t.rates_for(Stream::CoreFunding).all(|r| r.stream == Stream::CoreFunding));
    assert_eq!(t.role("gp").map(|r| r.name.as_str()), Some("GP"));
    assert!(t.role("gp").and_then(|r| r.condition.as_deref()).is_some_and(|c| c.contains("2 years of their CCT")));
    assert_eq!(t.no_rate_for(Stream::CoreFunding), None);
    assert!(t.role("consultant_nurse").is_none(), "consultant nurses arrive in 2025/26");
    assert!(fy(2019).role("physician_associate").is_none());
    let t = fy(2026);
    assert_eq!(t.not_found().count(), 6);
    assert_eq!(
        t.removed().map(|n| n.stream).collect::<Vec<_>>(),
        vec![Stream::CapacityAccessSupport, Stream::CapacityAccessImprovement]
    );
}

// ---------------------------------------------------- pinned: 2019/20 ----

#[test]
fn pinned_2019_20() {
    pin(
        2019,
        Stream::Participation,
        Basis::Weighted,
        "1.761",
        Per::Year,
        date!(2019 - 04 - 01),
        date!(2020 - 03 - 31),
        Confidence::D,
    );
    let core = pin(
        2019,
        Stream::CoreFunding,
        Basis::Registered,
        "1.50",
        Per::Year,
        date!(2019 - 04 - 01),
        date!(2020 - 03 - 31),
        Confidence::V2,
    );
    assert!(core.note.as_deref().unwrap().contains("backdated"), "core note explains the April start");
    let cd = pin(
        2019,
        Stream::ClinicalDirector,
        Basis::Registered,
        "0.5143",
        Per::Period,
        date!(2019 - 07 - 01),
        date!(2020 - 03 - 31),
        Confidence::V,
    );
    assert!(cd.source.contains("257552"));
    pin(
        2019,
        Stream::ExtendedHours,
        Basis::Registered,
        "1.099",
        Per::Period,
        date!(2019 - 07 - 01),
        date!(2020 - 03 - 31),
        Confidence::R,
    );
    pin(
        2019,
        Stream::ArrsSum,
        Basis::PerNetwork,
        "53942",
        Per::Period,
        date!(2019 - 07 - 01),
        date!(2020 - 03 - 31),
        Confidence::V2,
    );
    for s in
        [Stream::EnhancedAccess, Stream::Support, Stream::CareHomePremium, Stream::Iif, Stream::LeadershipManagement]
    {
        absent(2019, s);
    }

    let cp = role(2019, "clinical_pharmacist");
    assert_eq!((cp.reimbursement, cp.max_per_wte_year), (dec("0.7"), Some(dec("37810"))));
    assert_eq!(cp.cap_wte, Some([dec("1"), dec("2")]));
    assert_eq!(cp.eligible_from, date!(2019 - 07 - 01));
    let splw = role(2019, "social_prescribing_link_worker");
    assert_eq!(
        (splw.reimbursement, splw.max_per_wte_year, splw.confidence),
        (dec("1.0"), Some(dec("34113")), Confidence::D)
    );
    assert_eq!(splw.cap_wte, Some([dec("1"), dec("2")]));
    // D: (53,942 - 9/12 x 37,810) x 12/9, to the pound.
    let derived = (dec("53942") - dec("37810") * dec("0.75")) * dec("12") / dec("9");
    assert_eq!(derived.round(), dec("34113"));
    assert_eq!(fy(2019).arrs_roles.len(), 2);
}

// ---------------------------------------------------- pinned: 2020/21 ----

#[test]
fn pinned_2020_21() {
    annual(2020, Stream::Participation, Basis::Weighted, "1.76", Confidence::V);
    annual(2020, Stream::CoreFunding, Basis::Registered, "1.50", Confidence::V);
    annual(2020, Stream::ClinicalDirector, Basis::Registered, "0.722", Confidence::V);
    annual(2020, Stream::ExtendedHours, Basis::Registered, "1.45", Confidence::V);
    pin(
        2020,
        Stream::Support,
        Basis::Weighted,
        "0.27",
        Per::Period,
        date!(2020 - 04 - 01),
        date!(2020 - 09 - 30),
        Confidence::V2,
    );
    pin(
        2020,
        Stream::CareHomePremium,
        Basis::Beds,
        "7.50",
        Per::Month,
        date!(2020 - 08 - 01),
        date!(2021 - 03 - 31),
        Confidence::V2,
    );
    pin(
        2020,
        Stream::Iif,
        Basis::Points,
        "111",
        Per::Period,
        date!(2020 - 10 - 01),
        date!(2021 - 03 - 31),
        Confidence::V2,
    );
    annual(2020, Stream::ArrsSum, Basis::Weighted, "7.131", Confidence::V2);

    let cp = role(2020, "clinical_pharmacist");
    assert_eq!((cp.reimbursement, cp.max_per_wte_year, cp.cap_wte), (dec("1.0"), Some(dec("55670")), None));
    let na = role(2020, "nursing_associate");
    assert_eq!((na.eligible_from, na.max_per_wte_year), (date!(2020 - 10 - 01), Some(dec("29135"))));
    let tna = role(2020, "trainee_nursing_associate");
    assert_eq!((tna.eligible_from, tna.max_per_wte_year), (date!(2020 - 10 - 01), Some(dec("25671"))));
    // "?" in des-facts 3.6: eligible, no maximum.
    for k in
        ["social_prescribing_link_worker", "first_contact_physiotherapist", "pharmacy_technician", "care_coordinator"]
    {
        assert_eq!(role(2020, k).max_per_wte_year, None, "{k}");
        gap_mentions(2020, k);
    }
    assert_eq!(fy(2020).arrs_roles.len(), 12, "12 roles after 1 Oct 2020");
}

// ---------------------------------------------------- pinned: 2021/22 ----

#[test]
fn pinned_2021_22() {
    annual(2021, Stream::CoreFunding, Basis::Registered, "1.50", Confidence::V);
    annual(2021, Stream::ClinicalDirector, Basis::Registered, "0.722", Confidence::V);
    annual(2021, Stream::ExtendedHours, Basis::Registered, "1.44", Confidence::C);
    annual(2021, Stream::CareHomePremium, Basis::Beds, "120", Confidence::V);
    pin(
        2021,
        Stream::Iif,
        Basis::Points,
        "200",
        Per::Period,
        date!(2021 - 04 - 01),
        date!(2022 - 03 - 31),
        Confidence::V2,
    );
    // Not found: left out and listed.
    absent(2021, Stream::ArrsSum);
    gap_mentions(2021, "arrs_sum");
    absent(2021, Stream::LeadershipManagement);
    gap_mentions(2021, "leadership_management");

    let mhp = role(2021, "mental_health_practitioner");
    assert_eq!(
        (mhp.eligible_from, mhp.cap_wte, mhp.reimbursement),
        (date!(2021 - 04 - 01), Some([dec("1"), dec("2")]), dec("1.0"))
    );
    assert!(mhp.note.as_deref().unwrap().contains("50:50"));
    let ap = role(2021, "advanced_practitioner");
    assert_eq!(
        (ap.max_per_wte_year, ap.cap_wte, ap.confidence),
        (Some(dec("62705")), Some([dec("2"), dec("3")]), Confidence::C)
    );
    assert_eq!(role(2021, "care_coordinator").max_per_wte_year, Some(dec("29726")));
    assert_eq!(role(2021, "paramedic").eligible_from, date!(2021 - 04 - 01));
}

// ---------------------------------------------------- pinned: 2022/23 ----

#[test]
fn pinned_2022_23() {
    annual(2022, Stream::Participation, Basis::Weighted, "1.761", Confidence::V);
    annual(2022, Stream::CoreFunding, Basis::Registered, "1.50", Confidence::V2);
    annual(2022, Stream::LeadershipManagement, Basis::Adjusted, "0.699", Confidence::V);
    pin(
        2022,
        Stream::ExtendedHours,
        Basis::Registered,
        "0.720",
        Per::Period,
        date!(2022 - 04 - 01),
        date!(2022 - 09 - 30),
        Confidence::V2,
    );
    pin(
        2022,
        Stream::EnhancedAccess,
        Basis::Adjusted,
        "3.764",
        Per::Period,
        date!(2022 - 10 - 01),
        date!(2023 - 03 - 31),
        Confidence::C,
    );
    annual(2022, Stream::CareHomePremium, Basis::Beds, "120", Confidence::V);
    pin(
        2022,
        Stream::Iif,
        Basis::Points,
        "200",
        Per::Period,
        date!(2022 - 04 - 01),
        date!(2023 - 03 - 31),
        Confidence::V,
    );
    pin(
        2022,
        Stream::CapacityAccessSupport,
        Basis::Adjusted,
        "2.765",
        Per::Year,
        date!(2022 - 10 - 01),
        date!(2023 - 03 - 31),
        Confidence::V,
    );
    absent(2022, Stream::CapacityAccessImprovement);
    let arrs = annual(2022, Stream::ArrsSum, Basis::Weighted, "16.696", Confidence::D);
    // D: gponline's 50k network £834,800 and 30k network £500,900.
    assert_eq!(dec("834800") / dec("50000"), arrs.amount);
    assert_eq!((dec("500900") / dec("30000")).round_dp(2), dec("16.70"));
    // The CD rate was not found: not paid until verified, and said so.
    no_rate(2022, Stream::ClinicalDirector, NoRateWhy::NotFound);

    let cp = role(2022, "clinical_pharmacist");
    assert_eq!(cp.max_per_wte_year, Some(dec("57318")));
    assert_eq!((cp.uplift_from, cp.uplifted_max_per_wte_year), (Some(date!(2022 - 10 - 01)), Some(dec("59312"))));
    assert_eq!(role(2022, "mental_health_practitioner").cap_wte, Some([dec("2"), dec("4")]));
    assert_eq!(role(2022, "advanced_practitioner").cap_wte, Some([dec("2"), dec("3")]));
    assert_eq!(role(2022, "gp_assistant").eligible_from, date!(2022 - 10 - 01));
    let dtl = role(2022, "digital_transformation_lead");
    assert_eq!((dtl.eligible_from, dtl.cap_wte), (date!(2022 - 10 - 01), Some([dec("1"), dec("1")])));
    assert_eq!(fy(2022).arrs_roles.len(), 17, "15 roles plus the two from Oct 2022");
}

// ---------------------------------------------------- pinned: 2023/24 ----

#[test]
fn pinned_2023_24() {
    annual(2023, Stream::CoreFunding, Basis::Registered, "1.50", Confidence::V2);
    annual(2023, Stream::ClinicalDirector, Basis::Registered, "0.729", Confidence::V2);
    annual(2023, Stream::LeadershipManagement, Basis::Adjusted, "0.684", Confidence::C);
    annual(2023, Stream::EnhancedAccess, Basis::Adjusted, "7.578", Confidence::C);
    annual(2023, Stream::CareHomePremium, Basis::Beds, "120", Confidence::V2);
    pin(
        2023,
        Stream::Iif,
        Basis::Points,
        "198",
        Per::Period,
        date!(2023 - 04 - 01),
        date!(2024 - 03 - 31),
        Confidence::V2,
    );
    annual(2023, Stream::CapacityAccessSupport, Basis::Adjusted, "2.765", Confidence::V2);
    annual(2023, Stream::CapacityAccessImprovement, Basis::Adjusted, "1.185", Confidence::V2);
    annual(2023, Stream::ArrsSum, Basis::Weighted, "22.671", Confidence::V);
    absent(2023, Stream::ExtendedHours);

    let cp = role(2023, "clinical_pharmacist");
    assert_eq!(
        (cp.max_per_wte_year, cp.uplift_from, cp.uplifted_max_per_wte_year),
        (Some(dec("59312")), Some(date!(2023 - 07 - 01)), Some(dec("62340")))
    );
    let splw = role(2023, "social_prescribing_link_worker");
    assert_eq!((splw.max_per_wte_year, splw.uplifted_max_per_wte_year), (Some(dec("38187")), Some(dec("40159"))));
    let cc = role(2023, "care_coordinator");
    assert_eq!((cc.max_per_wte_year, cc.uplifted_max_per_wte_year), (Some(dec("31746")), Some(dec("33396"))));
    assert_eq!(role(2023, "advanced_practitioner").cap_wte, Some([dec("3"), dec("6")]));
    assert_eq!(role(2023, "mental_health_practitioner").cap_wte, None, "MHP caps removed in 2023/24");
    assert_eq!(role(2023, "apprentice_physician_associate").eligible_from, date!(2023 - 04 - 01));
}

// ---------------------------------------------------- pinned: 2024/25 ----

#[test]
fn pinned_2024_25() {
    pin(
        2024,
        Stream::Participation,
        Basis::Weighted,
        "0.147",
        Per::Month,
        date!(2024 - 04 - 01),
        date!(2025 - 03 - 31),
        Confidence::V,
    );
    // Core: two elements at the final (Sep 2024, backdated) total of £2.967.
    let reg = annual(2024, Stream::CoreFunding, Basis::Registered, "2.257", Confidence::C);
    let adj = annual(2024, Stream::CoreFunding, Basis::Adjusted, "0.710", Confidence::C);
    assert_eq!(reg.amount + adj.amount, dec("2.967"));
    assert!(reg.note.as_deref().unwrap().contains("2.218") && adj.note.as_deref().unwrap().contains("0.698"));
    let ea = annual(2024, Stream::EnhancedAccess, Basis::Adjusted, "7.975", Confidence::V2);
    assert!(ea.note.as_deref().unwrap().contains("7.674"), "original EA figure kept in the note");
    let chp = annual(2024, Stream::CareHomePremium, Basis::Beds, "127.20", Confidence::V2);
    assert!(chp.note.as_deref().unwrap().contains("£120"));
    pin(
        2024,
        Stream::Iif,
        Basis::Points,
        "198",
        Per::Period,
        date!(2024 - 04 - 01),
        date!(2025 - 03 - 31),
        Confidence::V2,
    );
    annual(2024, Stream::CapacityAccessSupport, Basis::Adjusted, "3.248", Confidence::V);
    annual(2024, Stream::CapacityAccessImprovement, Basis::Adjusted, "1.392", Confidence::V);
    annual(2024, Stream::ArrsSum, Basis::Weighted, "22.894", Confidence::V2);
    pin(
        2024,
        Stream::ArrsGpSum,
        Basis::Weighted,
        "1.303",
        Per::Period,
        date!(2024 - 10 - 01),
        date!(2025 - 03 - 31),
        Confidence::V2,
    );
    absent(2024, Stream::ClinicalDirector);
    absent(2024, Stream::LeadershipManagement);

    let gp = role(2024, "gp");
    assert_eq!((gp.eligible_from, gp.max_per_wte_year), (date!(2024 - 10 - 01), Some(dec("92462"))));
    let cp = role(2024, "clinical_pharmacist");
    assert_eq!(
        (cp.max_per_wte_year, cp.uplift_from, cp.uplifted_max_per_wte_year),
        (None, Some(date!(2024 - 10 - 01)), Some(dec("65838")))
    );
    assert_eq!(role(2024, "pharmacy_technician").uplifted_max_per_wte_year, Some(dec("42437")));
    assert_eq!(role(2024, "advanced_practitioner").uplifted_max_per_wte_year, Some(dec("72141")));
    assert_eq!(role(2024, "enhanced_practice_nurse").band.as_deref(), Some("7"));
}

// ---------------------------------------------------- pinned: 2025/26 ----

#[test]
fn pinned_2025_26() {
    annual(2025, Stream::Participation, Basis::Weighted, "1.761", Confidence::V);
    let reg = annual(2025, Stream::CoreFunding, Basis::Registered, "2.266", Confidence::V);
    let adj = annual(2025, Stream::CoreFunding, Basis::Adjusted, "0.733", Confidence::V);
    assert_eq!(reg.amount + adj.amount, dec("2.999"));
    annual(2025, Stream::EnhancedAccess, Basis::Adjusted, "8.427", Confidence::V);
    annual(2025, Stream::CareHomePremium, Basis::Beds, "130.253", Confidence::V);
    annual(2025, Stream::CapacityAccessSupport, Basis::Adjusted, "3.208", Confidence::V2);
    annual(2025, Stream::CapacityAccessImprovement, Basis::Adjusted, "1.375", Confidence::V2);
    annual(2025, Stream::ArrsSum, Basis::Weighted, "26.631", Confidence::V2);
    absent(2025, Stream::ArrsGpSum);
    no_rate(2025, Stream::Iif, NoRateWhy::NotFound);

    for (k, max) in [
        ("clinical_pharmacist", "66972"),
        ("pharmacy_technician", "43352"),
        ("consultant_nurse", "102683"),
        ("experienced_gp_nurse", "53319"),
        ("new_to_gp_nurse", "43352"),
        ("healthcare_support_worker", "32159"),
    ] {
        assert_eq!(role(2025, k).max_per_wte_year, Some(dec(max)), "{k}");
    }
    assert_eq!(role(2025, "healthcare_support_worker").eligible_from, date!(2025 - 04 - 01));
    assert_eq!(role(2025, "gp").max_per_wte_year, Some(dec("105882")));
    assert_eq!(fy(2025).arrs_roles.len(), rates::ROLE_KEYS.len(), "every role is eligible by 2025/26");
}

// ---------------------------------------------------- pinned: 2026/27 ----

/// des-facts-2022-2027 A.2 and A.3: what is known of 2026/27, and nothing else.
#[test]
fn pinned_2026_27() {
    let t = fy(2026);
    assert_eq!((t.des_start, t.list_size_date), (date!(2026 - 04 - 01), date!(2026 - 01 - 01)));
    // A.3: no 2026/27 rate was found; each stream the DES still pays is a gap, never a guess.
    assert!(t.rates.is_empty());
    for s in [Stream::Participation, Stream::CoreFunding, Stream::EnhancedAccess, Stream::CareHomePremium, Stream::Iif]
    {
        no_rate(2026, s, NoRateWhy::NotFound);
    }
    // A.2 item 2: the national ARRS pool is known, a network's sum is not.
    let arrs = no_rate(2026, Stream::ArrsSum, NoRateWhy::NotFound);
    assert!(arrs.reason.contains("£1,754m"), "{}", arrs.reason);
    // A.2 item 1: CASP and CAIP are out of the DES from 1 April 2026: £0, no lines.
    for s in [Stream::CapacityAccessSupport, Stream::CapacityAccessImprovement] {
        let n = no_rate(2026, s, NoRateWhy::Removed);
        assert_eq!(n.confidence, Confidence::V2);
        assert!(n.reason.contains("1 April 2026") && n.reason.contains("GP reimbursement scheme"), "{}", n.reason);
        assert!(n.source.contains("PRN02353"));
    }
    gap_mentions(2026, "£4.57");
    for s in [Stream::ClinicalDirector, Stream::LeadershipManagement, Stream::ArrsGpSum, Stream::ExtendedHours] {
        absent(2026, s);
    }
    // A.1 row 2 / A.2 item 2: any GP, at a maximum not found.
    let gp = role(2026, "gp");
    assert_eq!((gp.condition.as_deref(), gp.max_per_wte_year, gp.confidence), (None, None, Confidence::V2));
    assert!(gp.note.as_deref().unwrap().contains("top of the salaried GP pay range"));
    // A.3: no role has a 2026/27 maximum; no caps return.
    assert_eq!(t.arrs_roles.len(), rates::ROLE_KEYS.len());
    for r in &t.arrs_roles {
        assert_eq!((r.max_per_wte_year, r.uplift_from, r.cap_wte), (None, None, None), "{}", r.role);
    }
    gap_mentions(2026, "arrs_roles");
    gap_mentions(2026, "lva");
}

// ------------------------------------- des-facts-2022-2027 corrections ----

/// A.1 row 1: the GP ARRS pot was merged into the main ARRS sum in 2025/26, not 2026/27.
#[test]
fn a1_row1_gp_arrs_pot_merged_in_2025_26() {
    only(2024, Stream::ArrsGpSum, Basis::Weighted);
    absent(2025, Stream::ArrsGpSum);
    gap_mentions(2025, "arrs_gp_sum");
    let sum = annual(2025, Stream::ArrsSum, Basis::Weighted, "26.631", Confidence::V2);
    assert!(sum.source.contains("des-facts-2022-2027 A.1 row 1"), "{}", sum.source);
    assert!(sum.note.as_deref().unwrap().contains("GPs included"));
    // B: the ready reckoner's 30,000 x £26.631 = £798,930 exactly.
    assert_eq!(dec("30000") * sum.amount, dec("798930"));
}

/// A.1 row 2: GPs within 2 years of CCT in 2024/25 and 2025/26 only; any GP in 2026/27.
#[test]
fn a1_row2_cct_rule_runs_2024_25_to_2025_26() {
    assert!(fy(2023).role("gp").is_none());
    for start in [2024, 2025] {
        let c = role(start, "gp").condition.as_deref().unwrap_or_else(|| panic!("{start}: no condition"));
        assert!(c.contains("within 2 years of their CCT"), "{start}: {c}");
        gap_mentions(start, "2 years");
    }
    assert_eq!(role(2026, "gp").condition, None);
    assert!(role(2026, "gp").note.as_deref().unwrap().contains("Any GP"));
}

/// A.1 row 3: des-facts gap 10 closed: £186m is the GP cohort's cost; the pot is £1,711m.
#[test]
fn a1_row3_186m_is_the_gp_cohort_cost() {
    gap_mentions(2025, "£186m");
    gap_mentions(2025, "£1,711m");
    assert!(!fy(2025).gaps.iter().any(|g| g.contains("unresolved")));
}

/// A.1 row 4: the 2025/26 maxima were uplifted in-year, backdated to 1 April
/// 2025, to figures not found: every role has the uplift, none its figure.
#[test]
fn a1_row4_2025_26_in_year_arrs_uplift_is_a_gap() {
    for r in &fy(2025).arrs_roles {
        assert_eq!(r.uplift_from, Some(date!(2025 - 04 - 01)), "{}", r.role);
        assert_eq!(r.uplifted_max_per_wte_year, None, "{}: an NF figure was encoded", r.role);
        assert!(r.note.as_deref().unwrap().contains("A.1 row 4"), "{}", r.role);
    }
    let cp = role(2025, "clinical_pharmacist");
    assert_eq!((cp.max_per_wte_year, cp.confidence), (Some(dec("66972")), Confidence::V2));
    gap_mentions(2025, "in-year uplift");
    // The in-year sets before it are encoded as dated maxima.
    assert_eq!(role(2022, "clinical_pharmacist").uplift_from, Some(date!(2022 - 10 - 01)));
    assert_eq!(role(2023, "clinical_pharmacist").uplift_from, Some(date!(2023 - 07 - 01)));
    assert_eq!(role(2024, "clinical_pharmacist").uplift_from, Some(date!(2024 - 10 - 01)));
}

/// A.1 row 5: the enhanced practice nurse capped at 1 (2 over 100k) in
/// 2024/25, the AP cap removed then; every cap lifted in 2025/26.
#[test]
fn a1_row5_role_caps() {
    let epn = role(2024, "enhanced_practice_nurse");
    assert_eq!(epn.cap_wte, Some([dec("1"), dec("2")]));
    assert!(epn.source.contains("A.1 row 5"));
    assert_eq!(role(2024, "advanced_practitioner").cap_wte, None);
    assert_eq!(role(2024, "digital_transformation_lead").cap_wte, Some([dec("1"), dec("1")]));
    assert!(role(2024, "mental_health_practitioner").note.as_deref().unwrap().contains("100%"));
    for r in &fy(2025).arrs_roles {
        assert_eq!(r.cap_wte, None, "2025/26 {}", r.role);
    }
    gap_mentions(2025, "all role caps");
}

/// A.1 row 6: 2022/23 IIF indicators, 36 (slideshare) vs 28 (THC): a conflict
/// on a count pcn does not encode; the £200 point value stands.
#[test]
fn a1_row6_iif_2022_23_indicator_count_is_a_conflict() {
    let iif = only(2022, Stream::Iif, Basis::Points);
    assert_eq!((iif.amount, iif.confidence), (dec("200"), Confidence::V));
    assert!(iif.note.as_deref().unwrap().contains("28"));
    gap_mentions(2022, "C on the indicator count");
}

/// A.1 row 7: the £1.185 is the 2023/24 CAIP maximum on adjusted population, not a 2022/23 payment.
#[test]
fn a1_row7_caip_is_2023_24_on_adjusted_population() {
    absent(2022, Stream::CapacityAccessImprovement);
    assert!(fy(2022).no_rate_for(Stream::CapacityAccessImprovement).is_none(), "2022/23 had no CAIP to find");
    gap_mentions(2022, "capacity_access_improvement");
    let caip = annual(2023, Stream::CapacityAccessImprovement, Basis::Adjusted, "1.185", Confidence::V2);
    assert!(caip.source.contains("A.1 row 7"));
}

/// A.1 row 8: 2023/24 CASP £2.765 (V2 + D), des-facts gap 9 closed.
#[test]
fn a1_row8_casp_2023_24_is_2_765() {
    let casp = annual(2023, Stream::CapacityAccessSupport, Basis::Adjusted, "2.765", Confidence::V2);
    // D: £172.2m / £2.765 ≈ 62.3m adjusted patients; £2.795 would give 61.6m.
    assert_eq!((dec("172200000") / casp.amount / dec("1000000")).round_dp(1), dec("62.3"));
    assert_eq!((dec("172200000") / dec("2.795") / dec("1000000")).round_dp(1), dec("61.6"));
    assert!(casp.source.contains("A.1 row 8"));
}

/// A.1 row 9: 2022/23 Enhanced Access stays C (£3.764 vs about £3.73), the choice explained.
#[test]
fn a1_row9_enhanced_access_2022_23_stays_a_conflict() {
    let ea = only(2022, Stream::EnhancedAccess, Basis::Adjusted);
    assert_eq!((ea.amount, ea.confidence), (dec("3.764"), Confidence::C));
    assert!(ea.note.as_deref().unwrap().contains("£7.46") && ea.source.contains("A.1 row 9"));
    gap_mentions(2022, "£3.73");
}

/// A.1 row 10: the 2025/26 Network Participation Payment is £1.761 per weighted patient (V).
#[test]
fn a1_row10_participation_2025_26_is_1_761() {
    let npp = annual(2025, Stream::Participation, Basis::Weighted, "1.761", Confidence::V);
    assert!(npp.source.contains("A.1 row 10"));
    pin(
        2024,
        Stream::Participation,
        Basis::Weighted,
        "0.147",
        Per::Month,
        date!(2024 - 04 - 01),
        date!(2025 - 03 - 31),
        Confidence::V,
    );
}

/// A.1 row 11: a second 2022/23 opt-out window, to 31 October 2022.
#[test]
fn a1_row11_second_opt_out_window_2022() {
    let k = fy(2022).key_dates.iter().find(|k| k.date == date!(2022 - 10 - 31)).expect("31 Oct 2022");
    assert_eq!((k.deadline, k.confidence), (Some(rates::Deadline::OptOut), Confidence::V));
    assert!(k.source.contains("A.1 row 11"));
}

/// B and C: figures the notes confirm from a second source, or add.
#[test]
fn b_and_c_confirmed_figures() {
    // B: 2022/23 core from two sources (2024/25's EA and care home premium: pinned_2024_25).
    assert!(only(2022, Stream::CoreFunding, Basis::Registered).source.contains("des-facts-2022-2027 B"));
    // B: 2025/26 CAIP's two components.
    assert!(only(2025, Stream::CapacityAccessImprovement, Basis::Adjusted).note.as_deref().unwrap().contains("£29.2m"));
    // C: the 2025/26 GP maximum £105,882 (humbersidelmc), 2024/25's £92,462.
    let gp = role(2025, "gp");
    assert_eq!((gp.max_per_wte_year, gp.confidence), (Some(dec("105882")), Confidence::V));
    assert!(gp.source.contains("humbersidelmc"));
    assert_eq!(role(2024, "gp").max_per_wte_year, Some(dec("92462")));
    // C: 2025/26's new nursing roles exclude recent PCN staff: a condition pcn cannot check.
    for k in ["new_to_gp_nurse", "experienced_gp_nurse", "consultant_nurse", "healthcare_support_worker"] {
        assert!(role(2025, k).condition.as_deref().unwrap().contains("previous 12 months"), "{k}");
        assert_eq!(role(2026, k).condition, None, "{k}: not confirmed for 2026/27");
    }
    gap_mentions(2026, "12-month rule");
    // B: the 2025/26 adjusted-population errors are listed.
    gap_mentions(2025, "adjusted population");
}

// ---------------------------------------------------------- key dates ----

#[test]
fn key_dates() {
    let has = |start: i32, d: Date, word: &str| {
        assert!(
            fy(start).key_dates.iter().any(|k| k.date == d && k.event.to_lowercase().contains(word)),
            "{start}: no key date {d} ({word})"
        );
    };
    has(2019, date!(2019 - 05 - 15), "registration");
    has(2019, date!(2019 - 05 - 31), "approve");
    has(2019, date!(2019 - 06 - 30), "agreements");
    has(2019, date!(2019 - 07 - 01), "live");
    has(2020, date!(2020 - 05 - 31), "notify");
    has(2020, date!(2020 - 06 - 12), "ods");
    has(2020, date!(2020 - 06 - 30), "accept");
    has(2020, date!(2020 - 10 - 17), "opt-out");
    has(2022, date!(2022 - 04 - 30), "opt-out");
    has(2022, date!(2022 - 10 - 31), "opt-out");
    has(2024, date!(2024 - 04 - 30), "opt-out");
    has(2026, date!(2026 - 04 - 30), "reissued");
    has(2026, date!(2026 - 05 - 01), "local variation");
    has(2026, date!(2026 - 05 - 31), "opt-out");
    for start in [2021, 2023, 2025] {
        assert!(fy(start).key_dates.is_empty());
        gap_mentions(start, "key_dates");
    }
}

// ------------------------------------------------- cross-year checks ----

#[test]
fn unverified_figures_are_listed_in_gaps() {
    for t in rates::all() {
        let start = t.year.start_year();
        for r in t.rates.iter().filter(|r| !r.confidence.verified()) {
            assert!(r.note.is_some(), "{} {:?}: R/C without a note", t.year, r.stream);
            gap_mentions(start, &key(&r.stream));
        }
        for r in t.arrs_roles.iter().filter(|r| !r.confidence.verified()) {
            assert!(r.note.is_some(), "{} {}: R/C without a note", t.year, r.role);
            gap_mentions(start, &r.role);
        }
        for k in t.key_dates.iter().filter(|k| !k.confidence.verified()) {
            gap_mentions(start, &k.event);
        }
        // A stream without a rate is named in the gaps too.
        for n in &t.no_rate {
            gap_mentions(start, &key(&n.stream));
        }
    }
    // The R/C items we know of, by tag.
    let unverified: Vec<(i32, String)> = rates::all()
        .iter()
        .flat_map(|t| {
            t.rates.iter().filter(|r| !r.confidence.verified()).map(|r| (t.year.start_year(), key(&r.stream)))
        })
        .collect();
    let expect = [
        (2019, "extended_hours"),
        (2021, "extended_hours"),
        (2022, "enhanced_access"),
        (2023, "leadership_management"),
        (2023, "enhanced_access"),
        (2024, "core_funding"),
        (2024, "core_funding"),
    ];
    assert_eq!(unverified, expect.iter().map(|(y, s)| (*y, s.to_string())).collect::<Vec<_>>());
}

#[test]
fn streams_exist_only_in_their_years() {
    let years_of = |s: Stream| -> Vec<i32> {
        rates::all().iter().filter(|t| t.rates_for(s).next().is_some()).map(|t| t.year.start_year()).collect()
    };
    // 2026/27 has no rate at all (des-facts-2022-2027 A.3).
    assert_eq!(years_of(Stream::Participation), (2019..=2025).collect::<Vec<_>>());
    assert_eq!(years_of(Stream::CoreFunding), (2019..=2025).collect::<Vec<_>>());
    assert_eq!(years_of(Stream::ClinicalDirector), vec![2019, 2020, 2021, 2023]);
    assert_eq!(years_of(Stream::LeadershipManagement), vec![2022, 2023]);
    assert_eq!(years_of(Stream::ExtendedHours), vec![2019, 2020, 2021, 2022]);
    assert_eq!(years_of(Stream::EnhancedAccess), vec![2022, 2023, 2024, 2025]);
    assert_eq!(years_of(Stream::Support), vec![2020]);
    assert_eq!(years_of(Stream::CareHomePremium), (2020..=2025).collect::<Vec<_>>());
    assert_eq!(years_of(Stream::Iif), (2020..=2024).collect::<Vec<_>>());
    assert_eq!(years_of(Stream::CapacityAccessSupport), vec![2022, 2023, 2024, 2025]);
    assert_eq!(years_of(Stream::CapacityAccessImprovement), vec![2023, 2024, 2025]);
    assert_eq!(years_of(Stream::ArrsSum), vec![2019, 2020, 2022, 2023, 2024, 2025]);
    assert_eq!(years_of(Stream::ArrsGpSum), vec![2024]);
    // EHA gives way to EA on 1 Oct 2022 without overlap.
    let eha = only(2022, Stream::ExtendedHours, Basis::Registered);
    let ea = only(2022, Stream::EnhancedAccess, Basis::Adjusted);
    assert_eq!(eha.to.next_day(), Some(ea.from));
}

/// Which streams have no rate, and why, year by year (none before 2022/23
/// is listed as such: those tables say so in their gaps only).
#[test]
fn streams_without_a_rate_by_year() {
    let listed: Vec<(i32, String, NoRateWhy)> = rates::all()
        .iter()
        .flat_map(|t| t.no_rate.iter().map(|n| (t.year.start_year(), key(&n.stream), n.why)))
        .collect();
    let nf = NoRateWhy::NotFound;
    let expect = [
        (2022, "clinical_director", nf),
        (2025, "iif", nf),
        (2026, "participation", nf),
        (2026, "core_funding", nf),
        (2026, "enhanced_access", nf),
        (2026, "care_home_premium", nf),
        (2026, "iif", nf),
        (2026, "arrs_sum", nf),
        (2026, "capacity_access_support", NoRateWhy::Removed),
        (2026, "capacity_access_improvement", NoRateWhy::Removed),
    ];
    assert_eq!(listed, expect.iter().map(|(y, s, w)| (*y, s.to_string(), *w)).collect::<Vec<_>>());
}

#[test]
fn roles_are_cumulative_and_stable() {
    let all = rates::all();
    for w in all.windows(2) {
        for r in &w[0].arrs_roles {
            let next = w[1].role(&r.role).unwrap_or_else(|| panic!("{} dropped {}", w[1].year, r.role));
            assert_eq!(next.eligible_from, r.eligible_from, "{}", r.role);
            assert_eq!(next.name, r.name, "{}", r.role);
        }
    }
    for t in all {
        for r in &t.arrs_roles {
            let partial = t.year.start_year() == 2019 && r.role == "clinical_pharmacist";
            assert_eq!(r.reimbursement, if partial { dec("0.7") } else { Decimal::ONE }, "{} {}", t.year, r.role);
            assert!(r.eligible_from <= t.year.end());
        }
    }
    let mhp_caps: Vec<_> = all.iter().filter_map(|t| t.role("mental_health_practitioner")).map(|r| r.cap_wte).collect();
    assert_eq!(mhp_caps, vec![Some([dec("1"), dec("2")]), Some([dec("2"), dec("4")]), None, None, None, None]);
}

// ---------------------------------------------------------- validation ----

fn text(file: &str) -> String {
    std::fs::read_to_string(format!("{}/rates/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[track_caller]
fn rejects(file: &str, src: &str, words: &[&str]) {
    let e = rates::parse_table(file, src).expect_err("should be rejected");
    let msg = e.to_string();
    // Named as given (the built-ins are loaded as `rates/2020-21.toml`), then the line.
    assert!(msg.starts_with(&format!("{file}: ")), "{msg}");
    assert!(e.line().is_some() || words == ["file name"], "no line: {msg}");
    for w in words {
        assert!(msg.contains(w), "{msg:?} lacks {w:?}");
    }
}

#[track_caller]
fn edit(src: &str, from: &str, to: &str) -> String {
    assert!(src.contains(from), "fixture lacks {from:?}");
    src.replacen(from, to, 1)
}

#[test]
fn validation_names_the_file_and_entry() {
    let good = text("2020-21.toml");
    assert!(rates::parse_table("2020-21.toml", &good).is_ok());
    let support = "amount = \"0.27\"\nper = \"period\"\nfrom = \"2020-04-01\"\nto = \"2020-09-30\"";

    // The year must match the file name.
    rejects("2021-22.toml", &good, &["year", "2020/21", "2021/22"]);
    // List sizes are taken at 1 January before the year.
    rejects(
        "2020-21.toml",
        &edit(&good, "list_size_date = \"2020-01-01\"", "list_size_date = \"2020-04-01\""),
        &["list_size_date"],
    );
    // Periods run forwards and inside the year.
    let backwards =
        edit(&good, support, "amount = \"0.27\"\nper = \"period\"\nfrom = \"2020-09-30\"\nto = \"2020-04-01\"");
    rejects("2020-21.toml", &backwards, &["rates[4]", "support", "after"]);
    let outside =
        edit(&good, support, "amount = \"0.27\"\nper = \"period\"\nfrom = \"2020-04-01\"\nto = \"2021-04-30\"");
    rejects("2020-21.toml", &outside, &["support", "outside 2020/21"]);
    // Amounts are positive.
    rejects("2020-21.toml", &edit(&good, "amount = \"7.131\"", "amount = \"0\""), &["arrs_sum", "positive"]);
    // No two rates of one stream and basis overlap.
    let overlap = format!(
        "{good}\n[[rates]]\nstream = \"core_funding\"\nbasis = \"registered\"\namount = \"1\"\nper = \"year\"\n\
         from = \"2020-10-01\"\nto = \"2021-03-31\"\npaid_to = \"network\"\nsource = \"test\"\nconfidence = \"V\"\n"
    );
    rejects("2020-21.toml", &overlap, &["core_funding / registered from 2020-10-01", "overlaps"]);
    // ... but the same stream on another basis may run alongside.
    let other_basis = overlap.replace("basis = \"registered\"\namount = \"1\"", "basis = \"adjusted\"\namount = \"1\"");
    assert!(rates::parse_table("2020-21.toml", &other_basis).is_ok());
    // Confidence is required.
    rejects("2020-21.toml", &edit(&good, "confidence = \"V2\"\nnote = \"£0.27", "note = \"£0.27"), &["confidence"]);
    // Participation goes to practices, everything else to the network.
    rejects(
        "2020-21.toml",
        &edit(&good, "paid_to = \"practice\"", "paid_to = \"network\""),
        &["participation", "practice"],
    );
    // Role keys come from the fixed list.
    rejects("2020-21.toml", &edit(&good, "role = \"dietitian\"", "role = \"dietician\""), &["arrs_roles", "dietician"]);
    // A file name that is not a year.
    rejects("rates.toml", &good, &["file name"]);
}

#[test]
fn validation_keeps_not_found_figures_out() {
    let good = text("2026-27.toml");
    assert!(rates::parse_table("2026-27.toml", &good).is_ok());
    // NF marks a gap, never a figure.
    let nf_rate = format!(
        "{good}\n[[rates]]\nstream = \"support\"\nbasis = \"weighted\"\namount = \"1\"\nper = \"year\"\n\
         from = \"2026-04-01\"\nto = \"2027-03-31\"\npaid_to = \"network\"\nsource = \"test\"\nconfidence = \"NF\"\nnote = \"x\"\n"
    );
    rejects("2026-27.toml", &nf_rate, &["support", "NF", "not encoded"]);
    // A stream cannot both have a rate and lack one.
    let both = format!(
        "{good}\n[[rates]]\nstream = \"core_funding\"\nbasis = \"registered\"\namount = \"1\"\nper = \"year\"\n\
         from = \"2026-04-01\"\nto = \"2027-03-31\"\npaid_to = \"network\"\nsource = \"test\"\nconfidence = \"V\"\n"
    );
    rejects("2026-27.toml", &both, &["no_rate", "core_funding", "has a rate"]);
    // Not found is tagged NF; a removal is verified.
    rejects(
        "2026-27.toml",
        &edit(&good, "confidence = \"NF\"", "confidence = \"V\""),
        &["no_rate[0]", "participation", "NF, not V"],
    );
    rejects(
        "2026-27.toml",
        &edit(&good, "why = \"removed\"\nreason", "why = \"not_found\"\nreason"),
        &["capacity_access_support", "NF, not V2"],
    );
    let participation = "why = \"not_found\"\nreason = \"the 2026/27 Network";
    rejects(
        "2026-27.toml",
        &edit(&good, participation, "why = \"removed\"\nreason = \"the 2026/27 Network"),
        &["participation", "removal must be verified"],
    );
    // Listed once.
    let twice = format!(
        "{good}\n[[no_rate]]\nstream = \"iif\"\nwhy = \"not_found\"\nreason = \"x\"\nsource = \"x\"\nconfidence = \"NF\"\n"
    );
    rejects("2026-27.toml", &twice, &["iif", "twice"]);

    // An uplift whose figure was not found must say why; an uplifted figure needs its date.
    let y25 = text("2025-26.toml");
    assert!(rates::parse_table("2025-26.toml", &y25).is_ok());
    let silent = edit(
        &y25,
        "confidence = \"V2\"\nnote = \"In-year uplift (2025/26 AfC/DDRB awards, backdated to 1 Apr 2025) not found: claims use the March 2025 maximum (des-facts-2022-2027 A.1 row 4).\"",
        "confidence = \"V2\"",
    );
    rejects("2025-26.toml", &silent, &["arrs_roles[1]", "social_prescribing_link_worker", "needs a note"]);
    let early = edit(
        &y25,
        "eligible_from = \"2025-04-01\"\nuplift_from = \"2025-04-01\"",
        "eligible_from = \"2025-05-01\"\nuplift_from = \"2025-04-01\"",
    );
    rejects("2025-26.toml", &early, &["new_to_gp_nurse", "not before eligible_from"]);
    let undated = edit(&text("2023-24.toml"), "uplift_from = \"2023-07-01\"\n", "");
    rejects("2023-24.toml", &undated, &["clinical_pharmacist", "needs uplift_from"]);
}
