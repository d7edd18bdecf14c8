//! Dates as precise as the sources give them, and their provenance.
//!
//! des-facts.md gives some dates to the day ("1 Oct 2020"), some to the month
//! ("Apr 2020") and some only as a financial year ("from 2023/24"). Keeping
//! the precision stops a month or a year being passed off as a day.

use std::fmt;

use pcn_core::FinancialYear;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A date as precise as its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum When {
    Day(Date),
    Month {
        year: i32,
        month: Month,
    },
    Year(FinancialYear),
    /// The source does not say.
    Unknown,
    /// There was no such date (des-facts shows "–").
    NoDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date (expected 2020-10-01, 2020-04, 2023/24, unknown or none)")]
pub struct WhenError(pub String);

impl When {
    /// The first day of the period: how a start is read.
    pub fn first_day(self) -> Option<Date> {
        match self {
            When::Day(d) => Some(d),
            When::Month { year, month } => Date::from_calendar_date(year, month, 1).ok(),
            When::Year(y) => Some(y.start()),
            When::Unknown | When::NoDate => None,
        }
    }

    /// The last day of the period: how an end or a deadline is read.
    pub fn last_day(self) -> Option<Date> {
        match self {
            When::Day(d) => Some(d),
            When::Month { year, month } => Date::from_calendar_date(year, month, month.length(year)).ok(),
            When::Year(y) => Some(y.end()),
            When::Unknown | When::NoDate => None,
        }
    }

    pub fn is_known(self) -> bool {
        self.first_day().is_some()
    }

    /// Parses the data file's spelling: `2020-10-01`, `2020-04`, `2023/24`, `unknown`, `none`.
    pub fn parse(raw: &str) -> Result<Self, WhenError> {
        let err = || WhenError(raw.to_string());
        let s = raw.trim();
        match s {
            "unknown" => return Ok(When::Unknown),
            "none" => return Ok(When::NoDate),
            _ => {}
        }
        if s.contains('/') {
            return FinancialYear::parse(s).map(When::Year).map_err(|_| err());
        }
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| if p.len() == len { p.parse::<i32>().ok() } else { None };
        let (year, month) = match parts.as_slice() {
            [y, m] | [y, m, _] => (num(y, 4).ok_or_else(err)?, num(m, 2).ok_or_else(err)?),
            _ => return Err(err()),
        };
        let month = u8::try_from(month).ok().and_then(|m| Month::try_from(m).ok()).ok_or_else(err)?;
        match parts.as_slice() {
            [_, _] => Ok(When::Month { year, month }),
            [_, _, d] => {
                let day = num(d, 2).and_then(|d| u8::try_from(d).ok()).ok_or_else(err)?;
                Date::from_calendar_date(year, month, day).map(When::Day).map_err(|_| err())
            }
            _ => Err(err()),
        }
    }

    /// The data file's spelling (the inverse of [`When::parse`]).
    pub fn key(self) -> String {
        match self {
            When::Day(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
            When::Month { year, month } => format!("{year:04}-{:02}", u8::from(month)),
            When::Year(y) => y.to_string(),
            When::Unknown => "unknown".into(),
            When::NoDate => "none".into(),
        }
    }
}

/// As des-facts.md writes dates: `1 Oct 2020`, `Apr 2020`, `2023/24`.
impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |m: Month| {
            let mut s = m.to_string();
            s.truncate(3);
            s
        };
        match *self {
            When::Day(d) => write!(f, "{} {} {}", d.day(), short(d.month()), d.year()),
            When::Month { year, month } => write!(f, "{} {year}", short(month)),
            When::Year(y) => write!(f, "{y}"),
            When::Unknown => f.write_str("unknown"),
            When::NoDate => f.write_str("–"),
        }
    }
}

impl TryFrom<String> for When {
    type Error = WhenError;
    fn try_from(s: String) -> Result<Self, WhenError> {
        Self::parse(&s)
    }
}

impl From<When> for String {
    fn from(w: When) -> String {
        w.key()
    }
}

/// Confidence, as des-facts.md tags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// Seen verbatim in a source.
    V,
    /// Seen in two or more sources.
    V2,
    /// Derived arithmetically from verified figures.
    D,
    /// Remembered or commonly quoted; unverified.
    R,
    /// Sources conflict.
    C,
}

impl Confidence {
    pub fn verified(self) -> bool {
        matches!(self, Confidence::V | Confidence::V2 | Confidence::D)
    }
}

/// A date with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dated {
    pub when: When,
    pub source: String,
    /// None only when the date is unknown or there was none.
    #[serde(default)]
    pub confidence: Option<Confidence>,
    #[serde(default)]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_each_precision_and_reads_starts_and_ends() {
        let day = When::parse("2020-10-01").unwrap();
        assert_eq!(day, When::Day(date!(2020 - 10 - 01)));
        assert_eq!(day.to_string(), "1 Oct 2020");

        let month = When::parse("2022-12").unwrap();
        assert_eq!(month.first_day(), Some(date!(2022 - 12 - 01)));
        assert_eq!(month.last_day(), Some(date!(2022 - 12 - 31)));
        assert_eq!(When::parse("2024-02").unwrap().last_day(), Some(date!(2024 - 02 - 29)));
        assert_eq!(month.to_string(), "Dec 2022");

        let year = When::parse("2023/24").unwrap();
        assert_eq!(year.first_day(), Some(date!(2023 - 04 - 01)));
        assert_eq!(year.last_day(), Some(date!(2024 - 03 - 31)));

        assert_eq!(When::parse("unknown").unwrap().first_day(), None);
        assert_eq!(When::parse("none").unwrap(), When::NoDate);
        for w in [day, month, year, When::Unknown, When::NoDate] {
            assert_eq!(When::parse(&w.key()).unwrap(), w);
        }
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in ["2020-13", "2020-02-30", "20-10-01", "2020/22", "soon", "2020-4", ""] {
            assert!(When::parse(bad).is_err(), "{bad}");
        }
    }
}
