//! The timetable 2019/20 to 2025/26 against des-facts.md, pinned by hand:
//! each expected value quotes the des-facts line it comes from.

use pcn_core::FinancialYear;
use pcn_services::{Confidence, Dating, EndHow, Kind, When, catalogue, in_force, specifications, try_catalogue};
use time::Month;
use time::macros::date;

fn day(d: time::Date) -> When {
    When::Day(d)
}

fn month(year: i32, month: Month) -> When {
    When::Month { year, month }
}

fn year(y: i32) -> When {
    When::Year(FinancialYear::new(y))
}

fn fy(y: i32) -> FinancialYear {
    FinancialYear::new(y)
}

/// (id, kind, planned start, actual start, end, how it ended, successor)
type Row = (&'static str, Kind, When, When, Option<When>, Option<EndHow>, Option<&'static str>);

fn expected() -> Vec<Row> {
    use Kind::*;
    // "| 2024/25 onward | – | The previous eight specifications (the seven plus EA, per Pulse) are
    //  **merged into one overarching specification** ..." : the seven end with 2023/24.
    let merged = (Some(year(2023)), Some(EndHow::Merged), Some("consolidated"));
    vec![
        // "| Structured medication review & medicines optimisation (SMR) | Apr 2020 | **1 Oct 2020** (COVID deferral) |"
        ("smr", National, month(2020, Month::April), day(date!(2020 - 10 - 01)), merged.0, merged.1, merged.2),
        // "| Enhanced health in care homes (EHCH) | Apr 2020 | Preparatory requirements by **31 Jul 2020**;
        //  clinical requirements **1 Oct 2020** |"
        ("ehch", National, month(2020, Month::April), day(date!(2020 - 10 - 01)), merged.0, merged.1, merged.2),
        // "| Anticipatory care | Apr 2020 | Deferred Feb 2020 to 2021/22; deferred again Aug 2021. ICS-led plan by
        //  **Dec 2022** (was Sep 2022); service from **2023/24**."
        ("anticipatory", National, month(2020, Month::April), year(2023), merged.0, merged.1, merged.2),
        // "| Personalised care | Apr 2020 | Deferred to 2021/22, then to 2022/23."
        ("personalised", National, month(2020, Month::April), year(2022), merged.0, merged.1, merged.2),
        // "| Supporting early cancer diagnosis | Apr 2020 | **1 Oct 2020** |"
        ("cancer", National, month(2020, Month::April), day(date!(2020 - 10 - 01)), merged.0, merged.1, merged.2),
        // "| CVD prevention & diagnosis | Apr 2021 | **1 Oct 2021** (partial), with an 18-month phased introduction"
        ("cvd", National, month(2021, Month::April), day(date!(2021 - 10 - 01)), merged.0, merged.1, merged.2),
        // "| Tackling neighbourhood health inequalities | Apr 2021 | **1 Oct 2021** (partial), full in 2022/23 |"
        ("inequalities", National, month(2021, Month::April), day(date!(2021 - 10 - 01)), merged.0, merged.1, merged.2),
        // "**Extended Hours Access (1 Jul 2019 – 30 Sep 2022)**"; 2.1: "Extended Hours Access ... replaced by EA".
        // No planned date in des-facts (4.1 lists only the seven and EA): unknown.
        (
            "extended_hours",
            Access,
            When::Unknown,
            day(date!(2019 - 07 - 01)),
            Some(day(date!(2022 - 09 - 30))),
            Some(EndHow::Replaced),
            Some("enhanced_access"),
        ),
        // "| **Enhanced Access** (not one of the seven, but a DES service) | – | **1 Oct 2022** |";
        // "EA stays separate." : no end.
        ("enhanced_access", Access, When::NoDate, day(date!(2022 - 10 - 01)), None, None, None),
        // "| 2024/25 onward | – | ... merged into one overarching specification with four key functions"
        ("consolidated", Consolidated, When::NoDate, year(2024), None, None, None),
    ]
}

#[test]
fn embedded_data_is_valid() {
    if let Err(e) = try_catalogue() {
        panic!("{e}");
    }
}

#[test]
fn timetable_matches_des_facts_item_by_item() {
    let want = expected();
    let got = specifications();
    let ids: Vec<&str> = got.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, want.iter().map(|r| r.0).collect::<Vec<_>>(), "specifications and their order");
    for (id, kind, planned, actual, end, how, into) in want {
        let s = catalogue().specification(id).unwrap();
        assert_eq!(s.kind, kind, "{id} kind");
        assert_eq!(s.planned_start.when, planned, "{id} planned start");
        assert_eq!(s.actual_start.when, actual, "{id} actual start");
        assert_eq!(s.end.as_ref().map(|e| e.when), end, "{id} end");
        assert_eq!(s.end.as_ref().map(|e| e.how), how, "{id} end how");
        assert_eq!(s.end.as_ref().and_then(|e| e.into.as_deref()), into, "{id} successor");
    }
}

#[test]
fn deferred_specifications_started_later_than_planned() {
    // "Actual contractual start" is later than "Planned (Jan 2019 framework)" for every one of the seven
    // (COVID deferral; anticipatory and personalised deferred twice).
    for s in specifications().iter().filter(|s| s.kind == Kind::National) {
        let (p, a) = (s.planned_start.when.first_day().unwrap(), s.starts().unwrap());
        assert!(p < a, "{}: planned {p} not before actual {a}", s.id);
    }
}

#[test]
fn what_is_in_force_each_year() {
    let want: [(i32, &[&str]); 7] = [
        // "Extended Hours Access (1 Jul 2019 – 30 Sep 2022)"; the seven start no earlier than Oct 2020.
        (2019, &["extended_hours"]),
        // "**1 Oct 2020**" for SMR, EHCH and early cancer diagnosis.
        (2020, &["smr", "ehch", "cancer", "extended_hours"]),
        // CVD and inequalities "**1 Oct 2021** (partial)"; anticipatory "deferred again Aug 2021";
        // personalised "Deferred to 2021/22, then to 2022/23".
        (2021, &["smr", "ehch", "cancer", "cvd", "inequalities", "extended_hours"]),
        // Personalised from 2022/23; anticipatory "ICS-led plan by **Dec 2022**"; EHA to 30 Sep 2022; EA from 1 Oct 2022.
        (
            2022,
            &[
                "smr",
                "ehch",
                "anticipatory",
                "personalised",
                "cancer",
                "cvd",
                "inequalities",
                "extended_hours",
                "enhanced_access",
            ],
        ),
        // Anticipatory "service from **2023/24**".
        (2023, &["smr", "ehch", "anticipatory", "personalised", "cancer", "cvd", "inequalities", "enhanced_access"]),
        // "2024/25 onward ... merged into one overarching specification ... EA stays separate."
        (2024, &["enhanced_access", "consolidated"]),
        (2025, &["enhanced_access", "consolidated"]),
    ];
    for (y, ids) in want {
        let got: Vec<&str> = in_force(fy(y)).iter().map(|s| s.id.as_str()).collect();
        assert_eq!(got, ids, "in force in {}", fy(y));
    }
    // The data covers 2019/20 to 2025/26 and claims nothing outside it.
    assert!(in_force(fy(2018)).is_empty());
    assert!(in_force(fy(2026)).is_empty());
}

fn requirement_ids(y: i32, spec: &str) -> Vec<String> {
    let specs = in_force(fy(y));
    let s = specs.iter().find(|s| s.id == spec).unwrap_or_else(|| panic!("{spec} not in force in {}", fy(y)));
    s.requirements.iter().map(|r| r.id.clone()).collect()
}

#[test]
fn requirements_follow_their_own_dates() {
    // "Preparatory requirements by **31 Jul 2020**": a one-off, in 2020/21 only.
    assert!(requirement_ids(2020, "ehch").contains(&"ehch.preparatory".to_string()));
    assert!(!requirement_ids(2021, "ehch").contains(&"ehch.preparatory".to_string()));
    // "ICS-led plan by **Dec 2022**": anticipatory care in 2022/23 is the plan alone ...
    assert_eq!(requirement_ids(2022, "anticipatory"), ["anticipatory.ics_plan"]);
    // ... and "No new requirements added in 2023/24".
    assert!(requirement_ids(2023, "anticipatory").is_empty());
    // "Social prescribing plan by **30 Sep 2022**, delivered from 1 Oct 2022. Digitally enabled care-home PCSP by 31 Mar 2024."
    let p22 = requirement_ids(2022, "personalised");
    let p23 = requirement_ids(2023, "personalised");
    assert!(p22.contains(&"personalised.social_prescribing_plan".to_string()));
    assert!(!p23.contains(&"personalised.social_prescribing_plan".to_string()));
    assert!(p23.contains(&"personalised.social_prescribing_offer".to_string()));
    assert!(p23.contains(&"personalised.care_home_digital_pcsp".to_string()));
    // "Later years: work with Cancer Alliances ..." has no year: in no year's list.
    for y in 2019..=2025 {
        if let Some(s) = in_force(fy(y)).iter().find(|s| s.id == "cancer") {
            assert!(s.requirement("cancer.alliance_actions").is_none(), "{}", fy(y));
        }
    }
    // "Extended Hours Access (1 Jul 2019 – 30 Sep 2022)": six requirements, every year 2019/20 to 2022/23.
    for y in 2019..=2022 {
        assert_eq!(requirement_ids(y, "extended_hours").len(), 6, "{}", fy(y));
    }
    // "The PCN is part of an Integrated Neighbourhood Team (INT)": the one known requirement from 2024/25.
    assert_eq!(requirement_ids(2024, "consolidated"), ["consolidated.integrated_neighbourhood_team"]);
}

#[test]
fn requirement_dates_and_confidence() {
    let c = catalogue();
    let (_, r) = c.requirement("personalised.social_prescribing_offer").unwrap();
    // "delivered from 1 Oct 2022"
    assert_eq!((r.starts, r.dating), (Some(date!(2022 - 10 - 01)), Dating::Sourced));
    let (_, r) = c.requirement("smr.capacity").unwrap();
    // SMR items have no date of their own: "SMR (from 1 Oct 2020)".
    assert_eq!(
        (r.starts, r.dating, r.until),
        (Some(date!(2020 - 10 - 01)), Dating::SpecStart, Some(date!(2024 - 03 - 31)))
    );
    let (_, r) = c.requirement("cvd.fh_case_finding").unwrap();
    // "Detailed requirements (ABPM/HBPM, familial hypercholesterolaemia case-finding, AF): **R**."
    assert_eq!((r.confidence, r.dating, r.starts), (Confidence::R, Dating::Unknown, None));
    let (_, r) = c.requirement("enhanced_access.plan").unwrap();
    // "The plan had to be agreed with the commissioner by 31 Jul / Aug 2022." : conflicting, earlier date kept.
    assert_eq!((r.confidence, r.deadline), (Confidence::C, Some(day(date!(2022 - 07 - 31)))));
    // Every requirement of every specification is sourced and carries a stable, prefixed id.
    for s in specifications() {
        for r in &s.requirements {
            assert!(r.id.starts_with(&format!("{}.", s.id)) && r.source.contains("des-facts"), "{}", r.id);
        }
    }
}

#[test]
fn unclear_points_are_recorded() {
    let unclear = &catalogue().unclear;
    for topic in ["four key functions", "EA stays separate", "31 Jul / Aug 2022", "preparatory", "later years"] {
        assert!(unclear.iter().any(|u| u.contains(topic)), "nothing recorded about {topic:?}");
    }
}
