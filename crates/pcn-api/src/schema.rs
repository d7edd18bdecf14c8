//! Shapes of codes, years and roles for the OpenAPI document, so clients (and
//! schemathesis) know what a valid request is before sending it. The parsers
//! in pcn-core stay the authority; tests check these agree with them.

use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Object, RefOr, Schema};

/// The patterns are the types' own (pcn-core), so they cannot drift apart.
pub const COMMISSIONER: &str = pcn_core::CommissionerCode::PATTERN;
pub const NETWORK: &str = pcn_core::NetworkCode::PATTERN;
pub const PRACTICE: &str = pcn_core::PracticeCode::PATTERN;

fn pattern(p: &str) -> Object {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(p)).build()
}

pub fn commissioner() -> Object {
    pattern(COMMISSIONER)
}

pub fn network() -> Object {
    pattern(NETWORK)
}

pub fn practice() -> Object {
    pattern(PRACTICE)
}

/// A network code, or null.
pub fn network_or_null() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(NETWORK))
        .into()
}

/// The financial years pcn has rates for (2020/21, ...).
pub fn years() -> Vec<String> {
    pcn_funding::rates::years().map(|y| y.to_string()).collect()
}

pub fn year() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(years()))
        .description(Some("A financial year that pcn has rates for, e.g. 2020/21."))
        .build()
}

/// A financial year in a request. Its OpenAPI schema lists the years with
/// rates (so clients offer only those), and as a type of its own it keeps a
/// parameter `required` where `schema_with` would drop that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Year(pub pcn_core::FinancialYear);

impl utoipa::PartialSchema for Year {
    fn schema() -> RefOr<Schema> {
        year().into()
    }
}

impl utoipa::ToSchema for Year {}

/// ARRS role keys.
pub fn role() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(pcn_funding::rates::ROLE_KEYS.iter().copied()))
        .build()
}

/// Decimal text: a whole-time equivalent above 0 and at most 2.
pub fn wte() -> Object {
    pattern("^(0\\.([1-9][0-9]?|0[1-9])|1(\\.[0-9]{1,2})?|2(\\.0{1,2})?)$")
}

/// Decimal text: pounds, up to two decimals.
pub fn pounds() -> Object {
    pattern("^[0-9]{1,7}(\\.[0-9]{1,2})?$")
}

/// YYYY-MM-DD.
pub fn date() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date)))
        .build()
}

/// An optional integer that JSON may spell as `2` or `2.0` (both are the
/// integer 2 to JSON Schema, and so to clients that check against it).
pub fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v: Option<serde_json::Number> = serde::Deserialize::deserialize(d)?;
    match v {
        None => Ok(None),
        Some(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not an integer"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(re: &str, s: &str) -> bool {
        regex::Regex::new(re).unwrap().is_match(s)
    }

    #[test]
    fn the_day_pattern_accepts_the_days_the_parser_does() {
        for s in [
            "1990-01-01",
            "2099-12-31",
            "2021-04-01",
            "2021-02-30",
            "1989-12-31",
            "2100-01-01",
            "0001-01-01",
            "9999-12-31",
            "-2021-04-01",
            "2021-4-01",
            "2021-13-01",
            "2021-00-10",
            "2021-01-32",
            "20210401",
        ] {
            // The pattern with format date: a shape match that is a real day must parse.
            let real = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok();
            assert_eq!(matches(pcn_core::day::PATTERN, s) && real, pcn_core::day::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn the_commissioner_pattern_accepts_exactly_what_the_parser_does() {
        let alphabet: Vec<char> = ('0'..='9').chain('A'..='Z').collect();
        let mut checked = 0;
        for a in &alphabet {
            for b in &alphabet {
                for c in &alphabet {
                    let s: String = [*a, *b, *c].iter().collect();
                    assert_eq!(matches(COMMISSIONER, &s), pcn_core::CommissionerCode::parse(&s).is_ok(), "{s}");
                    checked += 1;
                    let five = format!("{s}{a}{c}");
                    assert_eq!(
                        matches(COMMISSIONER, &five),
                        pcn_core::CommissionerCode::parse(&five).is_ok(),
                        "{five}"
                    );
                }
            }
        }
        assert_eq!(checked, 36 * 36 * 36);
        for s in ["U12345", "A81001"] {
            assert_eq!(matches(NETWORK, s), pcn_core::NetworkCode::parse(s).is_ok(), "{s}");
            assert_eq!(matches(PRACTICE, s), pcn_core::PracticeCode::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn the_required_year_parameter_offers_the_years_with_rates() {
        let doc: serde_json::Value = serde_json::from_str(&crate::openapi_json()).unwrap();
        for path in ["/api/networks/{code}/pay", "/api/reconcile"] {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let year = params.iter().find(|p| p["name"] == "year").unwrap();
            assert_eq!(year["required"], true, "{path}");
            assert_eq!(year["schema"]["$ref"], "#/components/schemas/Year", "{path}");
        }
        let offered: Vec<String> = doc["components"]["schemas"]["Year"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y.as_str().unwrap().to_string())
            .collect();
        assert_eq!(offered, years());
    }

    #[test]
    fn every_year_offered_parses_and_has_rates() {
        assert!(years().len() >= 7);
        for y in years() {
            let fy = pcn_core::FinancialYear::parse(&y).unwrap();
            assert!(pcn_funding::rates::year(fy).is_ok(), "{y}");
        }
    }
}
