//! The specifications: `data/specifications.toml`, embedded at build time,
//! parsed and validated once on first use.

use std::collections::HashSet;
use std::sync::OnceLock;

use pcn_core::FinancialYear;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::when::{Confidence, Dated, When};

const DATA: &str = include_str!("../data/specifications.toml");

/// What sort of service a specification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One of the seven national service specifications of the 2019 framework.
    National,
    /// Extended Hours Access or Enhanced Access.
    Access,
    /// The single overarching specification from 2024/25.
    Consolidated,
}

/// How a specification stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndHow {
    /// Folded into another specification (`into`).
    Merged,
    /// Succeeded by another service (`into`).
    Replaced,
    /// Stopped with no successor.
    Ended,
}

/// The last day a specification applied and what followed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct End {
    /// Read as the last day of the period (`2023/24` = 31 March 2024).
    pub when: When,
    pub how: EndHow,
    /// The specification that took over, for `merged` and `replaced`.
    #[serde(default)]
    pub into: Option<String>,
    pub source: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
}

/// Where a requirement's start date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dating {
    /// The data gives the requirement its own date.
    Sourced,
    /// des-facts gives the requirement no date of its own: it takes its specification's actual start.
    SpecStart,
    /// No date is known: the requirement is in the data but in no year.
    Unknown,
}

/// One requirement of a specification: a short item with a stable id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Stable, `<specification id>.<name>`; checklists and storage refer to it.
    pub id: String,
    pub text: String,
    /// When it starts to apply, as precise as known.
    pub from: When,
    pub dating: Dating,
    /// For a one-off deliverable, when it is due; ongoing requirements have none.
    pub deadline: Option<When>,
    pub source: String,
    pub confidence: Confidence,
    pub note: Option<String>,
    /// First day it applies (`None`: unknown), ISO text in JSON.
    #[serde(serialize_with = "iso_date")]
    pub starts: Option<Date>,
    /// Last day it applies (`None`: no end within the data), ISO text in JSON.
    #[serde(serialize_with = "iso_date")]
    pub until: Option<Date>,
}

impl Requirement {
    pub fn is_one_off(&self) -> bool {
        self.deadline.is_some()
    }

    pub fn applies_in(&self, year: FinancialYear) -> bool {
        self.starts.is_some_and(|s| s <= year.end()) && self.until.is_none_or(|u| u >= year.start())
    }

    /// When it must be done by, in a year it applies: the deadline of a
    /// one-off item; otherwise its start, or 1 April if it started in an
    /// earlier year (ongoing requirements are evidenced afresh each contract year).
    pub fn due_in(&self, year: FinancialYear) -> Option<Date> {
        if !self.applies_in(year) {
            return None;
        }
        match self.deadline {
            Some(d) => d.last_day(),
            None => self.starts.map(|s| s.max(year.start())),
        }
    }
}

/// A service specification with its timetable and requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Specification {
    /// Stable id (`smr`, `ehch`, ..., `consolidated`).
    pub id: String,
    pub name: String,
    pub kind: Kind,
    /// The start planned in the January 2019 five-year framework.
    pub planned_start: Dated,
    /// The contractual start, after any deferral.
    pub actual_start: Dated,
    /// `None`: still in force at the end of the data.
    pub end: Option<End>,
    pub notes: Vec<String>,
    /// All requirements in [`specifications`]; only that year's in [`in_force`].
    pub requirements: Vec<Requirement>,
}

impl Specification {
    /// First day of the service (its actual start).
    pub fn starts(&self) -> Option<Date> {
        self.actual_start.when.first_day()
    }

    /// Last day of the service (`None`: no end within the data).
    pub fn ends(&self) -> Option<Date> {
        self.end.as_ref().and_then(|e| e.when.last_day())
    }

    /// The service runs in the year, or one of its requirements applies (a
    /// plan can be due before the service starts, as for anticipatory care).
    pub fn in_force_in(&self, year: FinancialYear) -> bool {
        let runs = self.starts().is_some_and(|s| s <= year.end()) && self.ends().is_none_or(|e| e >= year.start());
        runs || self.requirements.iter().any(|r| r.applies_in(year))
    }

    pub fn requirements_in(&self, year: FinancialYear) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter().filter(move |r| r.applies_in(year))
    }

    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// A copy holding only the requirements that apply in the year.
    pub fn for_year(&self, year: FinancialYear) -> Specification {
        Specification { requirements: self.requirements_in(year).cloned().collect(), ..self.clone() }
    }
}

/// The whole data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    pub first_year: FinancialYear,
    pub last_year: FinancialYear,
    /// What des-facts.md leaves out or unclear, and how the data records it.
    pub unclear: Vec<String>,
    pub specifications: Vec<Specification>,
}

impl Catalogue {
    pub fn years(&self) -> impl Iterator<Item = FinancialYear> {
        (self.first_year.start_year()..=self.last_year.start_year()).map(FinancialYear::new)
    }

    pub fn covers(&self, year: FinancialYear) -> bool {
        self.first_year <= year && year <= self.last_year
    }

    /// What applies in a year, each with only that year's requirements;
    /// empty outside the years the data covers.
    pub fn in_force(&self, year: FinancialYear) -> Vec<Specification> {
        if !self.covers(year) {
            return Vec::new();
        }
        self.specifications.iter().filter(|s| s.in_force_in(year)).map(|s| s.for_year(year)).collect()
    }

    pub fn specification(&self, id: &str) -> Option<&Specification> {
        self.specifications.iter().find(|s| s.id == id)
    }

    /// The requirement with this id and its specification.
    pub fn requirement(&self, id: &str) -> Option<(&Specification, &Requirement)> {
        self.specifications.iter().find_map(|s| s.requirement(id).map(|r| (s, r)))
    }
}

/// A data file that does not parse or breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecsError {
    #[error("specifications.toml: {0}")]
    Parse(String),
    #[error("specifications.toml: {entry}: {problem}")]
    Invalid { entry: String, problem: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    first_year: FinancialYear,
    last_year: FinancialYear,
    #[serde(default)]
    unclear: Vec<String>,
    specifications: Vec<RawSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    id: String,
    name: String,
    kind: Kind,
    planned_start: Dated,
    actual_start: Dated,
    #[serde(default)]
    end: Option<End>,
    #[serde(default)]
    notes: Vec<String>,
    requirements: Vec<RawRequirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    id: String,
    text: String,
    /// Omitted: the specification's actual start.
    #[serde(default)]
    from: Option<When>,
    #[serde(default)]
    deadline: Option<When>,
    source: String,
    confidence: Confidence,
    #[serde(default)]
    note: Option<String>,
}

/// Parses and validates a data file in the format of `data/specifications.toml`.
pub fn parse(text: &str) -> Result<Catalogue, SpecsError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| SpecsError::Parse(e.to_string()))?;
    let catalogue = Catalogue {
        first_year: raw.first_year,
        last_year: raw.last_year,
        unclear: raw.unclear,
        specifications: raw.specifications.into_iter().map(resolve).collect(),
    };
    validate(&catalogue)?;
    Ok(catalogue)
}

fn resolve(raw: RawSpec) -> Specification {
    let spec_end = raw.end.as_ref().and_then(|e| e.when.last_day());
    let requirements = raw
        .requirements
        .into_iter()
        .map(|r| {
            let (from, dating) = match r.from {
                None => (raw.actual_start.when, Dating::SpecStart),
                Some(w) if !w.is_known() => (w, Dating::Unknown),
                Some(w) => (w, Dating::Sourced),
            };
            // A one-off stops applying after the contract year of its deadline.
            let deadline_year_end = r.deadline.and_then(When::last_day).map(|d| FinancialYear::containing(d).end());
            let until = match (spec_end, deadline_year_end) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            Requirement {
                id: r.id,
                text: r.text,
                from,
                dating,
                deadline: r.deadline,
                source: r.source,
                confidence: r.confidence,
                note: r.note,
                starts: from.first_day(),
                until,
            }
        })
        .collect();
    Specification {
        id: raw.id,
        name: raw.name,
        kind: raw.kind,
        planned_start: raw.planned_start,
        actual_start: raw.actual_start,
        end: raw.end,
        notes: raw.notes,
        requirements,
    }
}

fn check_dated(entry: &str, what: &str, d: &Dated) -> Result<(), SpecsError> {
    let err =
        |problem: String| Err(SpecsError::Invalid { entry: entry.to_string(), problem: format!("{what}: {problem}") });
    if d.source.trim().is_empty() {
        return err("source is empty".into());
    }
    match (d.when.is_known(), d.confidence) {
        (true, None) => return err(format!("{} needs a confidence", d.when)),
        (false, Some(c)) => {
            return err(format!("{} has confidence {c:?}, which only a known date can have", d.when.key()));
        }
        _ => {}
    }
    let unverified = d.confidence.is_some_and(|c| !c.verified());
    if (unverified || d.when == When::Unknown) && d.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return err("an unverified or unknown date needs a note".into());
    }
    Ok(())
}

/// Checks the rules the API relies on.
pub fn validate(c: &Catalogue) -> Result<(), SpecsError> {
    let invalid = |entry: &str, problem: String| SpecsError::Invalid { entry: entry.to_string(), problem };
    if c.first_year > c.last_year {
        return Err(invalid("first_year", format!("{} is after last_year {}", c.first_year, c.last_year)));
    }
    let mut ids = HashSet::new();
    for s in &c.specifications {
        let e = s.id.as_str();
        if s.id.is_empty() || s.id.contains('.') || !ids.insert(s.id.as_str()) {
            return Err(invalid(e, "specification id must be non-empty, dot-free and unique".into()));
        }
        check_dated(e, "planned_start", &s.planned_start)?;
        check_dated(e, "actual_start", &s.actual_start)?;
        let start = s.starts().ok_or_else(|| invalid(e, "actual_start must be known".into()))?;
        // Deferrals only ever pushed starts later.
        if let Some(p) = s.planned_start.when.first_day().filter(|p| *p > start) {
            return Err(invalid(e, format!("planned start {p} is after the actual start {start}")));
        }
        if let Some(end) = &s.end {
            let last = end.when.last_day().ok_or_else(|| invalid(e, "an end must be a known date".into()))?;
            if last < start {
                return Err(invalid(e, format!("ends {last} before it starts {start}")));
            }
            if end.source.trim().is_empty() {
                return Err(invalid(e, "end: source is empty".into()));
            }
            match (end.how, &end.into) {
                (EndHow::Ended, None) => {}
                (EndHow::Ended, Some(_)) => return Err(invalid(e, "end: `into` only for merged or replaced".into())),
                (_, None) => return Err(invalid(e, "end: merged or replaced needs `into`".into())),
                (_, Some(into)) => {
                    let next =
                        c.specification(into).ok_or_else(|| invalid(e, format!("end: no specification {into:?}")))?;
                    // The successor must take over the next day: no gap, no overlap.
                    if next.starts() != last.checked_add(Duration::DAY) {
                        return Err(invalid(e, format!("ends {last} but {into} starts {}", next.actual_start.when)));
                    }
                }
            }
        }
        if s.requirements.iter().all(|r| r.starts.is_none()) {
            return Err(invalid(e, "needs at least one requirement with a known start".into()));
        }
        for r in &s.requirements {
            let re = r.id.as_str();
            if r.id.strip_prefix(&s.id).and_then(|rest| rest.strip_prefix('.')).is_none_or(str::is_empty) {
                return Err(invalid(re, format!("requirement id must start with {:?}", format!("{}.", s.id))));
            }
            if !ids.insert(re) {
                return Err(invalid(re, "duplicate id".into()));
            }
            if r.text.trim().is_empty() || r.source.trim().is_empty() {
                return Err(invalid(re, "text and source must not be empty".into()));
            }
            if r.from == When::NoDate {
                return Err(invalid(re, "from: use a date or \"unknown\"".into()));
            }
            let needs_note = !r.confidence.verified() || r.dating == Dating::Unknown;
            if needs_note && r.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(invalid(re, "an unverified or undated requirement needs a note".into()));
            }
            if let Some(d) = r.deadline {
                let due = d.last_day().ok_or_else(|| invalid(re, "deadline must be a known date".into()))?;
                if r.starts.is_some_and(|st| st > due) {
                    return Err(invalid(re, format!("starts after its deadline {d}")));
                }
                if s.ends().is_some_and(|end| due > end) {
                    return Err(invalid(re, format!("deadline {d} is after the specification ends")));
                }
            }
            if let (Some(st), Some(u)) = (r.starts, r.until)
                && st > u
            {
                return Err(invalid(re, format!("starts {st} after it stops applying {u}")));
            }
        }
    }
    for y in c.years() {
        if !c.specifications.iter().any(|s| s.in_force_in(y)) {
            return Err(invalid("years", format!("nothing is in force in {y}")));
        }
    }
    Ok(())
}

static CATALOGUE: OnceLock<Result<Catalogue, SpecsError>> = OnceLock::new();
static BY_YEAR: OnceLock<Vec<(FinancialYear, Vec<Specification>)>> = OnceLock::new();

/// The embedded data, or why it is invalid.
pub fn try_catalogue() -> Result<&'static Catalogue, SpecsError> {
    CATALOGUE.get_or_init(|| parse(DATA)).as_ref().map_err(Clone::clone)
}

/// The embedded data.
///
/// # Panics
/// If the embedded file fails validation; the crate's tests guard that.
pub fn catalogue() -> &'static Catalogue {
    try_catalogue().unwrap_or_else(|e| panic!("{e}"))
}

/// Every specification, 2019/20 to 2025/26, with all its requirements.
pub fn specifications() -> &'static [Specification] {
    &catalogue().specifications
}

/// What applies in a financial year, each with only the requirements that
/// apply that year. Empty for years outside the data (2019/20 to 2025/26):
/// the data says nothing about them.
pub fn in_force(year: FinancialYear) -> Vec<&'static Specification> {
    let by_year = BY_YEAR.get_or_init(|| {
        let c = catalogue();
        c.years().map(|y| (y, c.in_force(y))).collect()
    });
    by_year.iter().find(|(y, _)| *y == year).map(|(_, specs)| specs.iter().collect()).unwrap_or_default()
}

/// Dates as ISO text (`2020-10-01`), as everywhere else in pcn's JSON.
fn iso_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}
