//! The loader refuses data that would make the timetable or checklist wrong.

use pcn_services::{SpecsError, parse};

const GOOD: &str = r#"
first_year = "2021/22"
last_year = "2022/23"

[[specifications]]
id = "old"
name = "Old"
kind = "national"
planned_start = { when = "2021-04", source = "test", confidence = "V" }
actual_start = { when = "2021-06-01", source = "test", confidence = "V" }
end = { when = "2021/22", how = "merged", into = "new", source = "test", confidence = "V" }

[[specifications.requirements]]
id = "old.item"
text = "Item"
source = "test"
confidence = "V"

[[specifications]]
id = "new"
name = "New"
kind = "consolidated"
planned_start = { when = "none", source = "test" }
actual_start = { when = "2022/23", source = "test", confidence = "V" }

[[specifications.requirements]]
id = "new.item"
text = "Item"
source = "test"
confidence = "V"
"#;

fn rejects(from: &str, to: &str, problem: &str) {
    assert!(GOOD.contains(from), "test edit {from:?} does not apply");
    match parse(&GOOD.replacen(from, to, 1)) {
        Ok(_) => panic!("accepted data with {to:?}"),
        Err(e) => assert!(e.to_string().contains(problem), "{to:?}: {e}"),
    }
}

#[test]
fn the_good_file_parses() {
    let c = parse(GOOD).unwrap();
    assert_eq!(c.specifications.len(), 2);
}

#[test]
fn broken_files_are_refused() {
    rejects(r#"id = "old.item""#, r#"id = "item""#, "must start with");
    rejects(r#"into = "new""#, r#"into = "newer""#, "no specification");
    // The successor must start the day after: 2021/22 ends 31 Mar 2022, "new" starts 1 Apr 2022.
    rejects(r#"end = { when = "2021/22""#, r#"end = { when = "2021-12-31""#, "starts");
    rejects(
        r#"actual_start = { when = "2021-06-01", source = "test", confidence = "V" }"#,
        r#"actual_start = { when = "2021-06-01", source = "test" }"#,
        "needs a confidence",
    );
    rejects(r#"planned_start = { when = "2021-04""#, r#"planned_start = { when = "2021-07""#, "after the actual start");
    rejects("confidence = \"V\"\n", "confidence = \"R\"\n", "needs a note");
    rejects(
        r#"id = "new.item""#,
        r#"id = "new.item"
from = "unknown""#,
        "known start",
    );
    rejects(
        r#"text = "Item""#,
        r#"text = "Item"
deadline = "2021-05""#,
        "starts after its deadline",
    );
    rejects(
        r#"kind = "national""#,
        r#"kind = "national"
colour = "red""#,
        "colour",
    );
    assert!(matches!(parse("first_year = 1"), Err(SpecsError::Parse(_))));
}
