//! Done, due and overdue on real dates, against the embedded specifications
//! and against a small hand-made file.

use pcn_core::FinancialYear;
use pcn_services::{Checklist, Ignored, Mark, Status, parse};
use time::Date;
use time::macros::date;

fn mark(requirement: &str, date: Date, evidence: &str) -> Mark {
    Mark { requirement: requirement.into(), date, evidence: evidence.into() }
}

fn ids<'a>(items: &'a [pcn_services::Item<'_>]) -> Vec<&'a str> {
    items.iter().map(|i| i.requirement.id.as_str()).collect()
}

fn status(list: &Checklist<'_>, id: &str) -> (Status, Date) {
    let item = list.item(id).unwrap_or_else(|| panic!("{id} not on the checklist for {}", list.on));
    (item.status, item.due)
}

#[test]
fn mid_november_2020_after_the_covid_deferred_start() {
    let marks = [
        mark("extended_hours.minutes", date!(2020 - 04 - 30), "April rota: 25 hours a week"),
        mark("ehch.preparatory", date!(2020 - 07 - 20), "Homes aligned, leads named"),
        mark("smr.explain_to_patients", date!(2020 - 10 - 20), "Invitation letter v2"),
        // Ongoing, but evidenced in 2019/20: does not count for 2020/21.
        mark("cancer.safety_netting", date!(2020 - 03 - 15), "Safety-netting protocol"),
        // Dated after the checklist's day.
        mark("smr.capacity", date!(2020 - 12 - 01), "Capacity plan"),
        mark("smr.no_such_item", date!(2020 - 10 - 02), "typo"),
        // Personalised care was deferred to 2022/23.
        mark("personalised.sdm_audit", date!(2020 - 11 - 01), "SDM audit"),
    ];
    let list = Checklist::evaluate(&marks, date!(2020 - 11 - 15));
    assert_eq!(list.year, FinancialYear::new(2020));

    // In due order: EHA from 1 April, the preparatory deadline 31 Jul, SMR from 1 Oct.
    assert_eq!(ids(&list.done), ["extended_hours.minutes", "ehch.preparatory", "smr.explain_to_patients"]);
    assert_eq!(list.done[1].mark.map(|m| m.evidence.as_str()), Some("Homes aligned, leads named"));
    assert!(list.due.is_empty(), "every 2020/21 item was due by 1 Oct 2020: {:?}", ids(&list.due));
    // 6 EHA + 10 SMR + 7 EHCH + 4 cancer = 27 apply in 2020/21; 3 are done.
    assert_eq!(list.overdue.len(), 24, "{:?}", ids(&list.overdue));
    assert_eq!(status(&list, "cancer.safety_netting"), (Status::Overdue, date!(2020 - 10 - 01)));
    assert_eq!(status(&list, "smr.capacity"), (Status::Overdue, date!(2020 - 10 - 01)));
    assert_eq!(status(&list, "extended_hours.face_to_face"), (Status::Overdue, date!(2020 - 04 - 01)));
    assert!(list.item("personalised.sdm_audit").is_none());

    let ignored: Vec<(&str, Ignored)> = list.ignored.iter().map(|(m, why)| (m.requirement.as_str(), *why)).collect();
    assert_eq!(
        ignored,
        [
            ("cancer.safety_netting", Ignored::EarlierYear),
            ("smr.capacity", Ignored::AfterDate),
            ("smr.no_such_item", Ignored::UnknownRequirement),
            ("personalised.sdm_audit", Ignored::NotInForce),
        ]
    );
}

#[test]
fn before_the_october_2020_start_smr_is_due_not_overdue() {
    let list = Checklist::evaluate(&[], date!(2020 - 09 - 01));
    assert_eq!(status(&list, "smr.capacity"), (Status::Due, date!(2020 - 10 - 01)));
    assert_eq!(status(&list, "ehch.pcsp_within_7_days"), (Status::Due, date!(2020 - 10 - 01)));
    // "Preparatory requirements by 31 Jul 2020": passed.
    assert_eq!(status(&list, "ehch.preparatory"), (Status::Overdue, date!(2020 - 07 - 31)));
    assert_eq!(status(&list, "extended_hours.minutes"), (Status::Overdue, date!(2020 - 04 - 01)));
    assert!(list.done.is_empty());
}

#[test]
fn a_deadline_passes_at_the_end_of_its_day() {
    let id = "personalised.social_prescribing_plan";
    // Plan due by 30 Sep 2022.
    assert_eq!(status(&Checklist::evaluate(&[], date!(2022 - 09 - 30)), id), (Status::Due, date!(2022 - 09 - 30)));
    assert_eq!(status(&Checklist::evaluate(&[], date!(2022 - 10 - 01)), id), (Status::Overdue, date!(2022 - 09 - 30)));

    let marks = [mark(id, date!(2022 - 09 - 28), "Plan agreed with the council and VCSE partners")];
    let list = Checklist::evaluate(&marks, date!(2022 - 10 - 01));
    assert_eq!(status(&list, id).0, Status::Done);
    assert_eq!(list.item(id).unwrap().mark, Some(&marks[0]));

    // Evidence dated after the day looked at does not count yet.
    let late = [mark(id, date!(2022 - 10 - 05), "Plan agreed")];
    let list = Checklist::evaluate(&late, date!(2022 - 09 - 30));
    assert_eq!(status(&list, id).0, Status::Due);
    assert_eq!(list.ignored, [(&late[0], Ignored::AfterDate)]);
}

#[test]
fn month_and_conflicting_deadlines() {
    // Anticipatory care: "ICS-led plan by Dec 2022": due until 31 Dec 2022.
    let id = "anticipatory.ics_plan";
    assert_eq!(status(&Checklist::evaluate(&[], date!(2022 - 12 - 31)), id), (Status::Due, date!(2022 - 12 - 31)));
    assert_eq!(status(&Checklist::evaluate(&[], date!(2023 - 01 - 01)), id).0, Status::Overdue);
    // Enhanced Access plan "by 31 Jul / Aug 2022": the earlier date is kept; EA itself starts 1 Oct 2022.
    let list = Checklist::evaluate(&[], date!(2022 - 08 - 15));
    assert_eq!(status(&list, "enhanced_access.plan"), (Status::Overdue, date!(2022 - 07 - 31)));
    assert_eq!(status(&list, "enhanced_access.minutes"), (Status::Due, date!(2022 - 10 - 01)));
    // Extended hours still applies until 30 Sep 2022.
    assert_eq!(status(&list, "extended_hours.minutes"), (Status::Overdue, date!(2022 - 04 - 01)));
}

#[test]
fn one_off_items_stay_done_ongoing_items_are_evidenced_each_year() {
    let marks = [
        mark("personalised.care_home_digital_pcsp", date!(2023 - 02 - 10), "Digital PCSPs live in all homes"),
        mark("personalised.sdm_audit", date!(2023 - 02 - 10), "SDM audit 2022/23"),
        mark("enhanced_access.minutes", date!(2023 - 05 - 01), "May rota"),
        mark("enhanced_access.minutes", date!(2023 - 08 - 01), "August rota"),
    ];
    let list = Checklist::evaluate(&marks, date!(2023 - 09 - 01));
    assert_eq!(list.year, FinancialYear::new(2023));
    // A one-off done in 2022/23, due 31 Mar 2024.
    assert_eq!(status(&list, "personalised.care_home_digital_pcsp"), (Status::Done, date!(2024 - 03 - 31)));
    // Ongoing, last evidenced in 2022/23: overdue since 1 April 2023.
    assert_eq!(status(&list, "personalised.sdm_audit"), (Status::Overdue, date!(2023 - 04 - 01)));
    assert!(list.ignored.contains(&(&marks[1], Ignored::EarlierYear)));
    // The latest mark is the one shown.
    assert_eq!(list.item("enhanced_access.minutes").unwrap().mark.map(|m| m.evidence.as_str()), Some("August rota"));
    // The plan was a 2022/23 deliverable: not on the 2023/24 list.
    assert!(list.item("personalised.social_prescribing_plan").is_none());
}

#[test]
fn from_2024_the_consolidated_specification_and_enhanced_access() {
    let marks = [mark("smr.capacity", date!(2024 - 05 - 01), "SMR capacity")];
    let list = Checklist::evaluate(&marks, date!(2024 - 06 - 01));
    let mut all: Vec<&str> = ids(&list.overdue);
    all.extend(ids(&list.due));
    all.sort();
    assert_eq!(all.len(), 9, "{all:?}");
    assert!(all.contains(&"consolidated.integrated_neighbourhood_team"));
    assert!(all.iter().all(|id| id.starts_with("consolidated.") || id.starts_with("enhanced_access.")), "{all:?}");
    // SMR merged into the consolidated specification: its old id no longer applies.
    assert_eq!(list.ignored, [(&marks[0], Ignored::NotInForce)]);
}

const SMALL: &str = r#"
first_year = "2021/22"
last_year = "2022/23"

[[specifications]]
id = "demo"
name = "Demo"
kind = "national"
planned_start = { when = "2021-04", source = "test", confidence = "V" }
actual_start = { when = "2021-06-01", source = "test", confidence = "V" }

[[specifications.requirements]]
id = "demo.ongoing"
text = "Ongoing"
source = "test"
confidence = "V"

[[specifications.requirements]]
id = "demo.report"
text = "Report"
deadline = "2021-11"
source = "test"
confidence = "V"
"#;

#[test]
fn for_specifications_works_on_any_data() {
    let c = parse(SMALL).unwrap();
    let specs: Vec<_> = c.specifications.iter().collect();

    let list = Checklist::for_specifications(&specs, &[], date!(2021 - 05 - 01));
    assert_eq!(ids(&list.due), ["demo.ongoing", "demo.report"]);
    assert_eq!(list.due[0].due, date!(2021 - 06 - 01));
    assert_eq!(list.due[1].due, date!(2021 - 11 - 30));

    let marks = [mark("demo.ongoing", date!(2021 - 07 - 01), "done"), mark("other.thing", date!(2021 - 07 - 01), "?")];
    let list = Checklist::for_specifications(&specs, &marks, date!(2021 - 12 - 01));
    assert_eq!(ids(&list.done), ["demo.ongoing"]);
    assert_eq!(ids(&list.overdue), ["demo.report"]);
    assert_eq!(list.ignored, [(&marks[1], Ignored::NotInForce)]);

    // Next year the ongoing item is due from 1 April, and the one-off has gone.
    let list = Checklist::for_specifications(&specs, &marks, date!(2022 - 04 - 01));
    assert_eq!(ids(&list.due), ["demo.ongoing"]);
    assert_eq!(list.due[0].due, date!(2022 - 04 - 01));
    let list = Checklist::for_specifications(&specs, &marks, date!(2022 - 04 - 02));
    assert_eq!(ids(&list.overdue), ["demo.ongoing"]);
}
