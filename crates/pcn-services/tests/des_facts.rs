//! Reads des-facts.md at test time and checks every service specification
//! date it gives (sections 1.2, 4.1 and the 4.2 headings) against the data,
//! so an edit to either side that breaks agreement fails here.

use std::collections::HashSet;
use std::path::PathBuf;

use pcn_core::FinancialYear;
use pcn_services::{Confidence, Kind, Specification, When, catalogue};
use time::{Date, Month};

fn des_facts() -> Option<String> {
    let path: PathBuf =
        [env!("CARGO_MANIFEST_DIR"), "..", "..", "..", "shared", "docs", "des-facts.md"].iter().collect();
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            eprintln!("SKIPPED des-facts.md checks: cannot read {}: {e}", path.display());
            None
        }
    }
}

fn month_of(token: &str) -> Option<Month> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let t = token.to_lowercase();
    let i = NAMES
        .iter()
        .position(|n| *n == t || (t.len() == 3 && n.starts_with(&t)) || (t == "sept" && *n == "september"))?;
    Month::try_from(u8::try_from(i + 1).ok()?).ok()
}

/// A date as found in the text; a calendar date's year may still be pending.
#[derive(Clone, Copy)]
enum Found {
    Fy(FinancialYear),
    Cal { day: Option<u8>, month: Month, year: Option<i32> },
}

/// Every date in a piece of des-facts text, in order: `1 Oct 2020`, `Apr 2020`, `2023/24`.
/// A day and month without a year (`31 Jul / 1 Oct 2020`) takes the next date's year.
fn dates_in(text: &str) -> Vec<When> {
    let cleaned: String = text.chars().map(|c| if c.is_alphanumeric() || c == '/' { c } else { ' ' }).collect();
    let tokens: Vec<&str> = cleaned.split_whitespace().collect();
    let mut found = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        if tok.contains('/') {
            if let Ok(y) = FinancialYear::parse(tok) {
                found.push(Found::Fy(y));
            }
            continue;
        }
        let Some(month) = month_of(tok) else { continue };
        let day = i.checked_sub(1).and_then(|j| tokens[j].parse::<u8>().ok()).filter(|d| (1..=31).contains(d));
        let year = tokens.get(i + 1).filter(|t| t.len() == 4).and_then(|t| t.parse::<i32>().ok());
        if day.is_none() && year.is_none() {
            continue; // a bare month name ("May" in prose) is no date
        }
        found.push(Found::Cal { day, month, year });
    }
    let next_year = |from: usize| {
        found[from..].iter().find_map(|f| match f {
            Found::Cal { year, .. } => *year,
            Found::Fy(_) => None,
        })
    };
    let mut out = Vec::new();
    for (i, f) in found.iter().enumerate() {
        match *f {
            Found::Fy(y) => out.push(When::Year(y)),
            Found::Cal { day, month, year } => {
                let Some(year) = year.or_else(|| next_year(i + 1)) else { continue };
                out.push(match day {
                    Some(d) => When::Day(Date::from_calendar_date(year, month, d).expect("a real date")),
                    None => When::Month { year, month },
                });
            }
        }
    }
    out
}

/// The text between pairs of `**`.
fn bold(text: &str) -> Vec<&str> {
    text.split("**").skip(1).step_by(2).collect()
}

fn spec_id(name: &str) -> Option<&'static str> {
    let n = name.to_lowercase();
    const KEYS: [(&str, &str); 13] = [
        ("medication review", "smr"),
        ("smr", "smr"),
        ("care homes", "ehch"),
        ("ehch", "ehch"),
        ("anticipatory", "anticipatory"),
        ("personalised", "personalised"),
        ("cancer", "cancer"),
        ("cvd", "cvd"),
        ("inequalities", "inequalities"),
        ("extended hours", "extended_hours"),
        ("enhanced access", "enhanced_access"),
        ("2024/25 onward", "consolidated"),
        ("consolidated", "consolidated"),
    ];
    KEYS.iter().find(|(k, _)| n.contains(k)).map(|(_, id)| *id)
}

fn spec(id: &str) -> &'static Specification {
    catalogue().specification(id).unwrap_or_else(|| panic!("no specification {id} in the data"))
}

/// Every date the data gives a specification: starts, end, requirement starts and deadlines.
fn dates_of(s: &Specification) -> Vec<When> {
    let mut d = vec![s.planned_start.when, s.actual_start.when];
    d.extend(s.end.as_ref().map(|e| e.when));
    for r in &s.requirements {
        d.push(r.from);
        d.extend(r.deadline);
    }
    d
}

/// The lines of a section, from its heading to the next heading of any level.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(heading));
    let first = lines.next().unwrap_or_else(|| panic!("des-facts.md has no section {heading:?}"));
    assert!(first.starts_with('#'));
    lines.take_while(|l| !l.starts_with('#')).collect()
}

fn confidence_tag(cell: &str) -> Option<Confidence> {
    let tag = cell.trim().split([':', ' ']).next()?;
    match tag {
        "V" => Some(Confidence::V),
        "V2" => Some(Confidence::V2),
        "D" => Some(Confidence::D),
        "R" => Some(Confidence::R),
        "C" => Some(Confidence::C),
        _ => None,
    }
}

#[test]
fn the_date_parser_reads_des_facts_spellings() {
    use time::macros::date;
    assert_eq!(
        dates_in("Preparatory requirements by **31 Jul 2020**; clinical requirements **1 Oct 2020**"),
        [When::Day(date!(2020 - 07 - 31)), When::Day(date!(2020 - 10 - 01))]
    );
    assert_eq!(
        dates_in("from 31 Jul / 1 Oct 2020"),
        [When::Day(date!(2020 - 07 - 31)), When::Day(date!(2020 - 10 - 01))]
    );
    assert_eq!(
        dates_in("Deferred Feb 2020 to 2021/22; plan by **Dec 2022**."),
        [
            When::Month { year: 2020, month: Month::February },
            When::Year(FinancialYear::new(2021)),
            When::Month { year: 2022, month: Month::December }
        ]
    );
    assert_eq!(dates_in("**1 July 2019**"), [When::Day(date!(2019 - 07 - 01))]);
    assert!(dates_in("– | may be 30,000 patients").is_empty());
}

#[test]
fn planned_and_actual_starts_of_section_4_1_agree_with_the_data() {
    let Some(text) = des_facts() else { return };
    let rows: Vec<Vec<&str>> = section(&text, "### 4.1")
        .into_iter()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.contains("Planned (Jan 2019"))
        .map(|l| l.trim().trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    assert!(rows.len() >= 9, "expected the seven, Enhanced Access and 2024/25 rows in 4.1, found {}", rows.len());

    let mut seen = HashSet::new();
    for row in &rows {
        let [name, planned, actual, conf] = row.as_slice() else { panic!("4.1 row has not 4 cells: {row:?}") };
        let id = spec_id(name).unwrap_or_else(|| panic!("4.1 names a specification the data lacks: {name:?}"));
        seen.insert(id);
        let s = spec(id);
        assert_eq!(confidence_tag(conf), s.actual_start.confidence, "{id}: confidence of the actual start ({conf})");

        if id == "consolidated" {
            // "2024/25 onward": the merged specification starts then, and the seven end the day before.
            assert_eq!(dates_in(name), [s.actual_start.when], "{id}: start in {name:?}");
            let start = s.starts().unwrap();
            for n in catalogue().specifications.iter().filter(|n| n.kind == Kind::National) {
                let end = n.end.as_ref().unwrap_or_else(|| panic!("{} has no end, but 4.1 merges it", n.id));
                assert_eq!(end.into.as_deref(), Some("consolidated"), "{} merged into", n.id);
                assert_eq!(n.ends().and_then(|e| e.next_day()), Some(start), "{} ends the day before {start}", n.id);
            }
            if actual.contains("EA stays separate") {
                assert!(spec("enhanced_access").end.is_none(), "4.1: EA stays separate, but the data ends it");
            }
            continue;
        }

        let want_planned = if *planned == "–" { vec![When::NoDate] } else { dates_in(planned) };
        assert_eq!(want_planned, [s.planned_start.when], "{id}: planned start {planned:?}");

        let mentioned = dates_in(actual);
        assert!(
            mentioned.contains(&s.actual_start.when),
            "{id}: the data's actual start {} is not among the dates 4.1 gives: {actual:?}",
            s.actual_start.when
        );
        // Deferrals ("deferred to 2021/22, then to 2022/23") only push the start later: it is on or
        // after every "to <date>" the cell gives.
        for target in
            actual.split(" to ").skip(1).filter_map(|part| dates_in(part.split([';', ',']).next()?).first().copied())
        {
            assert!(
                s.starts() >= target.first_day(),
                "{id}: 4.1 defers it to {target}, but the data starts it {}",
                s.actual_start.when
            );
        }
        // The key dates (bold) must each be somewhere in the specification's data.
        let data_dates = dates_of(s);
        for b in bold(actual) {
            for d in dates_in(b) {
                assert!(data_dates.contains(&d), "{id}: 4.1 gives **{b}** but the data has no such date");
            }
        }
    }
    for s in &catalogue().specifications {
        if s.id != "extended_hours" {
            assert!(seen.contains(s.id.as_str()), "4.1 has no row for {}", s.id);
        }
    }
}

#[test]
fn dated_headings_of_section_4_2_agree_with_the_data() {
    let Some(text) = des_facts() else { return };
    let mut checked = HashSet::new();
    for line in section(&text, "### 4.2").into_iter().filter(|l| l.starts_with("**")) {
        let heading = bold(line)[0];
        let Some((name, paren)) = heading.split_once('(') else { continue };
        let dates = dates_in(paren);
        if dates.is_empty() {
            continue;
        }
        let id =
            spec_id(name).unwrap_or_else(|| panic!("4.2 heading names a specification the data lacks: {heading:?}"));
        let s = spec(id);
        if paren.contains('–') {
            // "(1 Jul 2019 – 30 Sep 2022)": start and end.
            assert_eq!(dates.len(), 2, "{heading:?}");
            assert_eq!(dates[0], s.actual_start.when, "{id}: start in {heading:?}");
            assert_eq!(Some(dates[1]), s.end.as_ref().map(|e| e.when), "{id}: end in {heading:?}");
        } else {
            // "(from 31 Jul / 1 Oct 2020)": the last date is the start; the others are earlier requirement dates.
            assert_eq!(dates.last(), Some(&s.actual_start.when), "{id}: start in {heading:?}");
            let data_dates = dates_of(s);
            for d in &dates {
                assert!(data_dates.contains(d), "{id}: {heading:?} gives {d}, which the data lacks");
            }
        }
        checked.insert(id);
    }
    let want: HashSet<&str> = ["smr", "ehch", "cancer", "extended_hours", "enhanced_access"].into();
    assert!(checked.is_superset(&want), "dated 4.2 headings checked: {checked:?}");
}

#[test]
fn extended_hours_starts_with_the_des_go_live_in_section_1_2() {
    let Some(text) = des_facts() else { return };
    let line = section(&text, "### 1.2")
        .into_iter()
        .find(|l| l.contains("requirements and entitlements go live"))
        .expect("1.2 gives the day the DES went live");
    let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
    assert_eq!(dates_in(cells[0]), [spec("extended_hours").actual_start.when], "{line}");
}
