//! A PCN's checklist for one day: which requirements are done, due or
//! overdue. Pure functions over plain structs; storing marks is someone else's job.

use pcn_core::FinancialYear;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::spec::{Requirement, Specification, catalogue, in_force};

/// A requirement marked done: when, and the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// A [`Requirement::id`].
    pub requirement: String,
    pub date: Date,
    pub evidence: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    /// Not done, and its due date has not passed.
    Due,
    /// Not done, and its due date has passed.
    Overdue,
}

/// One requirement on the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item<'a> {
    pub specification: &'a Specification,
    pub requirement: &'a Requirement,
    /// The deadline of a one-off item; otherwise the day it started to apply
    /// this year (its start, or 1 April).
    pub due: Date,
    pub status: Status,
    /// The mark that makes it done (the latest that counts).
    pub mark: Option<&'a Mark>,
}

/// Why a mark did not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ignored {
    /// No requirement has this id.
    UnknownRequirement,
    /// The requirement exists but does not apply in this year.
    NotInForce,
    /// Dated after the checklist's day.
    AfterDate,
    /// An ongoing requirement marked in an earlier contract year: it has to be evidenced again.
    EarlierYear,
}

/// The checklist for a day, each list ordered by due date then id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist<'a> {
    pub on: Date,
    /// The financial year containing `on`.
    pub year: FinancialYear,
    pub done: Vec<Item<'a>>,
    pub due: Vec<Item<'a>>,
    pub overdue: Vec<Item<'a>>,
    /// Marks that counted for nothing, so a caller can show typos and stale evidence.
    pub ignored: Vec<(&'a Mark, Ignored)>,
}

impl<'a> Checklist<'a> {
    /// The checklist on `on` against the embedded specifications in force
    /// in that day's financial year (empty outside 2019/20 to 2025/26).
    pub fn evaluate(marks: &'a [Mark], on: Date) -> Checklist<'a> {
        let specs = in_force(FinancialYear::containing(on));
        let mut list = Self::for_specifications(&specs, marks, on);
        for (mark, why) in &mut list.ignored {
            if *why == Ignored::NotInForce && catalogue().requirement(&mark.requirement).is_none() {
                *why = Ignored::UnknownRequirement;
            }
        }
        list
    }

    /// The checklist on `on` against the given specifications, taking the
    /// requirements of each that apply in the year containing `on`. A mark
    /// for a requirement not among them is reported as [`Ignored::NotInForce`].
    /// A requirement that stopped earlier in the year (Extended Hours after
    /// 30 Sep 2022) stays on the list: the year's evidence still counts.
    pub fn for_specifications(specs: &[&'a Specification], marks: &'a [Mark], on: Date) -> Checklist<'a> {
        let year = FinancialYear::containing(on);
        let mut list = Checklist { on, year, done: vec![], due: vec![], overdue: vec![], ignored: vec![] };
        let applying: Vec<(&Specification, &Requirement)> =
            specs.iter().flat_map(|s| s.requirements_in(year).map(move |r| (*s, r))).collect();

        for mark in marks {
            let Some((_, r)) = applying.iter().find(|(_, r)| r.id == mark.requirement) else {
                list.ignored.push((mark, Ignored::NotInForce));
                continue;
            };
            if let Err(why) = counts(r, mark, on, year) {
                list.ignored.push((mark, why));
            }
        }

        for (spec, r) in applying {
            let Some(due) = r.due_in(year) else { continue };
            let mark =
                marks.iter().filter(|m| m.requirement == r.id && counts(r, m, on, year).is_ok()).max_by_key(|m| m.date);
            let status = match mark {
                Some(_) => Status::Done,
                // A due date passes at the end of its day.
                None if on > due => Status::Overdue,
                None => Status::Due,
            };
            let item = Item { specification: spec, requirement: r, due, status, mark };
            match status {
                Status::Done => list.done.push(item),
                Status::Due => list.due.push(item),
                Status::Overdue => list.overdue.push(item),
            }
        }
        for items in [&mut list.done, &mut list.due, &mut list.overdue] {
            items.sort_by(|a, b| (a.due, &a.requirement.id).cmp(&(b.due, &b.requirement.id)));
        }
        list
    }

    /// The item for a requirement id, whatever its status.
    pub fn item(&self, requirement: &str) -> Option<&Item<'a>> {
        self.done.iter().chain(&self.due).chain(&self.overdue).find(|i| i.requirement.id == requirement)
    }
}

/// Whether a mark for `r` counts on `on`. A one-off deliverable stays done
/// once done; ongoing requirements need evidence from the current contract
/// year, because the DES is signed a year at a time.
fn counts(r: &Requirement, mark: &Mark, on: Date, year: FinancialYear) -> Result<(), Ignored> {
    if mark.date > on {
        Err(Ignored::AfterDate)
    } else if !r.is_one_off() && mark.date < year.start() {
        Err(Ignored::EarlierYear)
    } else {
        Ok(())
    }
}
