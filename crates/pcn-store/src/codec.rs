//! Conversions between domain values and their stored text.

use rust_decimal::Decimal;
use time::Date;
use time::macros::format_description;

use crate::StoreError;

pub fn date_text(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Serialises a date as `YYYY-MM-DD` (time's own serde writes a tuple).
pub fn iso_date_opt<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

pub fn parse_date(path: &str, s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.map(|s| {
        Date::parse(&s, format_description!("[year]-[month]-[day]"))
            .map_err(|_| StoreError::Corrupt { path: path.to_string(), what: format!("date {s:?}") })
    })
    .transpose()
}

pub fn parse_decimal(path: &str, s: Option<String>) -> Result<Option<Decimal>, StoreError> {
    s.map(|s| {
        s.parse::<Decimal>().map_err(|_| StoreError::Corrupt { path: path.to_string(), what: format!("number {s:?}") })
    })
    .transpose()
}

pub fn parse_with<T, E>(path: &str, what: &str, s: String, f: impl Fn(&str) -> Result<T, E>) -> Result<T, StoreError> {
    f(&s).map_err(|_| StoreError::Corrupt { path: path.to_string(), what: format!("{what} {s:?}") })
}

pub fn parse_opt_with<T, E>(
    path: &str,
    what: &str,
    s: Option<String>,
    f: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    s.map(|s| parse_with(path, what, s, &f)).transpose()
}
