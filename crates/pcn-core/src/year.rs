//! The NHS financial year: 1 April to 31 March, written `2020/21`.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a financial year (expected e.g. 2020/21 or 2020-21)")]
pub struct YearError(pub String);

/// A financial year, identified by the calendar year of its 1 April.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FinancialYear {
    start_year: i32,
}

impl FinancialYear {
    pub fn new(start_year: i32) -> Self {
        Self { start_year }
    }

    pub fn start_year(self) -> i32 {
        self.start_year
    }

    /// 1 April.
    pub fn start(self) -> Date {
        Date::from_calendar_date(self.start_year, Month::April, 1).expect("1 April exists")
    }

    /// 31 March of the next calendar year.
    pub fn end(self) -> Date {
        Date::from_calendar_date(self.start_year + 1, Month::March, 31).expect("31 March exists")
    }

    pub fn containing(date: Date) -> Self {
        let y = date.year();
        Self::new(if date.month() >= Month::April { y } else { y - 1 })
    }

    pub fn contains(self, date: Date) -> bool {
        Self::containing(date) == self
    }

    /// The date whose list sizes the DES uses for this year: 1 January before it.
    pub fn list_size_date(self) -> Date {
        Date::from_calendar_date(self.start_year, Month::January, 1).expect("1 January exists")
    }

    /// Accepts `2020/21`, `2020-21`, `2020/2021` and `2020-2021`.
    pub fn parse(raw: &str) -> Result<Self, YearError> {
        let err = || YearError(raw.to_string());
        let s = raw.trim();
        let (a, b) = s.split_once(['/', '-']).ok_or_else(err)?;
        if a.len() != 4 || !(b.len() == 2 || b.len() == 4) {
            return Err(err());
        }
        let start: i32 = a.parse().map_err(|_| err())?;
        let end: i32 = b.parse().map_err(|_| err())?;
        let expected_end = if b.len() == 2 { (start + 1) % 100 } else { start + 1 };
        if end != expected_end {
            return Err(err());
        }
        Ok(Self::new(start))
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.start_year, (self.start_year + 1) % 100)
    }
}

impl std::str::FromStr for FinancialYear {
    type Err = YearError;
    fn from_str(s: &str) -> Result<Self, YearError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for FinancialYear {
    type Error = YearError;
    fn try_from(s: String) -> Result<Self, YearError> {
        Self::parse(&s)
    }
}

impl From<FinancialYear> for String {
    fn from(y: FinancialYear) -> String {
        y.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parse_and_display() {
        for s in ["2020/21", "2020-21", "2020/2021", " 2020-2021 "] {
            assert_eq!(FinancialYear::parse(s).unwrap(), FinancialYear::new(2020), "{s}");
        }
        assert_eq!(FinancialYear::new(2099).to_string(), "2099/00");
        for bad in ["2020/22", "2020", "20/21", "2020/2022", "abcd/ef"] {
            assert!(FinancialYear::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn boundaries() {
        let y = FinancialYear::new(2024);
        assert_eq!(y.start(), date!(2024 - 04 - 01));
        assert_eq!(y.end(), date!(2025 - 03 - 31));
        assert_eq!(FinancialYear::containing(date!(2025 - 03 - 31)), y);
        assert_eq!(FinancialYear::containing(date!(2025 - 04 - 01)), FinancialYear::new(2025));
        assert!(!y.contains(date!(2024 - 03 - 31)));
        assert_eq!(y.list_size_date(), date!(2024 - 01 - 01));
    }
}
