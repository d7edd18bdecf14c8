//! ODS organisation codes as validated newtypes.
//!
//! Codes arrive from many files in slightly different dress (lower case,
//! padded with spaces); `parse` trims and upper-cases, then checks the shape.
//! A value that does not have the shape is refused, never guessed at.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A code that does not have the shape its kind requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {kind} code (expected {shape})")]
pub struct CodeError {
    pub kind: &'static str,
    pub shape: &'static str,
    pub value: String,
}

macro_rules! ods_code {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $shape:literal, $pattern:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const KIND: &'static str = $kind;
            pub const SHAPE: &'static str = $shape;
            /// The shape as a regular expression (for OpenAPI; a test keeps it
            /// equal to [`Self::parse`] on canonical text).
            pub const PATTERN: &'static str = $pattern;

            pub fn parse(raw: &str) -> Result<Self, CodeError> {
                let value = raw.trim().to_ascii_uppercase();
                let check: fn(&[u8]) -> bool = $check;
                if check(value.as_bytes()) {
                    Ok(Self(value))
                } else {
                    Err(CodeError { kind: $kind, shape: $shape, value: raw.to_string() })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = CodeError;
            fn try_from(s: String) -> Result<Self, CodeError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(Self::PATTERN))
                    .description(Some(concat!("A ", $kind, " code: ", $shape, ".")))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

fn upper_alnum(b: &u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

ods_code!(
    /// A GP practice (prescribing cost centre), e.g. `A81001`: a letter and five digits.
    PracticeCode, "practice", "a letter and five digits, e.g. A81001", "^[A-Z][0-9]{5}$",
    |b| b.len() == 6 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
);

ods_code!(
    /// A Primary Care Network, e.g. `U12345`.
    NetworkCode, "network", "U and five digits, e.g. U12345", "^U[0-9]{5}$",
    |b| b.len() == 6 && b[0] == b'U' && b[1..].iter().all(u8::is_ascii_digit)
);

ods_code!(
    /// A commissioner: a CCG or sub-ICB location, three characters (`00C`,
    /// `15N`, `99A`) or five for merged locations (`D4U1Y`). At least one digit,
    /// which tells it apart from words that sometimes sit in the same column.
    CommissionerCode, "commissioner", "three or five letters and digits with a digit, e.g. 00C or D4U1Y",
    "^([0-9][0-9A-Z]{2}|[A-Z][0-9][0-9A-Z]|[A-Z]{2}[0-9]|[0-9][0-9A-Z]{4}|[A-Z][0-9][0-9A-Z]{3}|[A-Z]{2}[0-9][0-9A-Z]{2}|[A-Z]{3}[0-9][0-9A-Z]|[A-Z]{4}[0-9])$",
    |b| (b.len() == 3 || b.len() == 5) && b.iter().all(upper_alnum) && b.iter().any(u8::is_ascii_digit)
);

ods_code!(
    /// An integrated care board (and before July 2022 the STP it grew from, or
    /// an older high-level health geography): `Q` and two letters or digits,
    /// e.g. `QHM`, `Q74`; or, for the ICBs merged on 1 April 2026, five letters
    /// and digits with both, e.g. `D7T5G`.
    IcbCode, "ICB/STP", "Q and two letters or digits (e.g. QHM), or five letters and digits for the ICBs of April 2026 (e.g. D7T5G)",
    // Looser than the parser for five characters (which needs a letter and a
    // digit among them): JSON Schema patterns cannot say so without lookahead.
    "^(Q[0-9A-Z]{2}|[0-9A-Z]{5})$",
    |b| (b.len() == 3 && b[0] == b'Q' && b[1..].iter().all(upper_alnum))
        || (b.len() == 5
            && b.iter().all(upper_alnum)
            && b.iter().any(u8::is_ascii_digit)
            && b.iter().any(u8::is_ascii_uppercase))
);

/// STPs became ICBs on 1 July 2022 and kept their codes: one type serves both.
pub type StpCode = IcbCode;

ods_code!(
    /// An NHS England region, `Y` and two digits, e.g. `Y56` (London).
    RegionCode, "region", "Y and two digits, e.g. Y56", "^Y[0-9]{2}$",
    |b| b.len() == 3 && b[0] == b'Y' && b[1..].iter().all(u8::is_ascii_digit)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn practice_codes() {
        assert_eq!(PracticeCode::parse(" a81001 ").unwrap().as_str(), "A81001");
        for bad in ["A8100", "A810011", "181001", "A8100X", "", "U1234"] {
            let e = PracticeCode::parse(bad).unwrap_err();
            assert_eq!(e.kind, "practice");
            assert_eq!(e.value, bad);
        }
    }

    #[test]
    fn network_codes() {
        assert!(NetworkCode::parse("U12345").is_ok());
        assert!(NetworkCode::parse("A12345").is_err());
        assert!(NetworkCode::parse("U").is_err(), "gp-reg-pat-prac-map writes a bare U for no PCN");
    }

    #[test]
    fn commissioner_codes() {
        for ok in ["00C", "15N", "99A", "D4U1Y", "x2c"] {
            assert!(CommissionerCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["ABC", "0000", "", "D4U1", "ENGLAND"] {
            assert!(CommissionerCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stp_and_region_codes() {
        assert!(StpCode::parse("QHM").is_ok());
        assert!(StpCode::parse("Q74").is_ok());
        assert!(StpCode::parse("Y63").is_err());
        assert!(RegionCode::parse("Y56").is_ok());
        assert!(RegionCode::parse("YAB").is_err());
    }

    #[test]
    fn icb_codes_of_every_vintage() {
        for ok in ["QHM", "QE1", "Q74", "D7T5G", "s0e4d"] {
            assert!(IcbCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["Q1", "QHMX", "12345", "ABCDE", "Y63", ""] {
            assert!(IcbCode::parse(bad).is_err(), "{bad}");
        }
    }
}
