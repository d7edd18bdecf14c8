//! Days that people give: a change's effective date, the day a register is
//! read as of, a snapshot's date. Written `YYYY-MM-DD` and inside one range,
//! the same for the command line and the API (so neither accepts what the
//! other refuses: `-2021-04-01`, year 1 or 9999).

use time::Date;
use time::macros::date;

/// The first day accepted: before the first GP contract data pcn reads.
pub const FIRST: Date = date!(1990 - 01 - 01);
/// The last day accepted.
pub const LAST: Date = date!(2099 - 12 - 31);
/// The text form within the range, for OpenAPI (with `format: date`, which
/// rules out days such as 30 February that the pattern alone lets by).
pub const PATTERN: &str = r"^(199[0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    #[error("{0:?} is not a date (YYYY-MM-DD)")]
    Malformed(String),
    #[error("{0} is outside the days pcn accepts ({FIRST} to {LAST})")]
    OutOfRange(Date),
}

/// A day as it arrives in a request or an argument: parsed by [`parse`], so
/// only `YYYY-MM-DD` inside the range; serialised back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(pub Date);

impl std::str::FromStr for Day {
    type Err = DayError;
    fn from_str(s: &str) -> Result<Self, DayError> {
        parse(s).map(Day)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        parse(&s).map(Day).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{KnownFormat, SchemaFormat, schema::ObjectBuilder, schema::Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(PATTERN))
            .description(Some("A day, YYYY-MM-DD, from 1990-01-01 to 2099-12-31."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Day {}

/// Parses `YYYY-MM-DD` (surrounding spaces allowed) inside [`FIRST`]..=[`LAST`].
pub fn parse(s: &str) -> Result<Date, DayError> {
    let t = s.trim();
    let b = t.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(DayError::Malformed(s.to_string()));
    }
    let d = Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| DayError::Malformed(s.to_string()))?;
    check(d)
}

/// A day from elsewhere (a file, the clock) held to the same range.
pub fn check(d: Date) -> Result<Date, DayError> {
    if (FIRST..=LAST).contains(&d) { Ok(d) } else { Err(DayError::OutOfRange(d)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_days_in_range_parse_and_nothing_else_does() {
        assert_eq!(parse("2021-04-01"), Ok(date!(2021 - 04 - 01)));
        assert_eq!(parse(" 2026-12-04 "), Ok(date!(2026 - 12 - 04)));
        assert_eq!(parse("1990-01-01"), Ok(FIRST));
        assert_eq!(parse("2099-12-31"), Ok(LAST));
        for bad in
            ["-2021-04-01", "+2021-04-01", "2021-4-01", "20210401", "01/04/2021", "2021-02-30", "", "2021-04-01x"]
        {
            assert!(matches!(parse(bad), Err(DayError::Malformed(_))), "{bad:?}");
        }
        for far in ["0001-01-01", "9999-12-31", "1989-12-31", "2100-01-01"] {
            assert!(matches!(parse(far), Err(DayError::OutOfRange(_))), "{far:?}");
        }
        let day: Day = serde_json::from_str("\"2021-04-01\"").unwrap();
        assert_eq!(serde_json::to_string(&day).unwrap(), "\"2021-04-01\"");
        assert!(serde_json::from_str::<Day>("\"-2021-04-01\"").is_err());
    }
}
