//! Money as integer pence. Rates live elsewhere as exact decimals; amounts
//! that are stored, summed or shown are whole pence.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_pence(pence: i64) -> Self {
        Self(pence)
    }

    pub const fn pence(self) -> i64 {
        self.0
    }

    /// Pounds as an exact decimal, rounded half away from zero to whole pence
    /// (the convention of NHS payment schedules). `None` if out of range.
    pub fn from_pounds(pounds: Decimal) -> Option<Self> {
        (pounds * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .map(Self)
    }

    /// Parses a pounds figure as printed in NHS CSV files: `1234.5`, `-12.34`,
    /// `£1,234.56`, blank meaning zero is the caller's decision.
    pub fn parse_pounds(raw: &str) -> Option<Self> {
        let cleaned: String = raw.trim().chars().filter(|c| !matches!(c, '£' | ',' | ' ')).collect();
        if cleaned.is_empty() {
            return None;
        }
        let d: Decimal = cleaned.parse().ok().or_else(|| Decimal::from_scientific(&cleaned).ok())?;
        Self::from_pounds(d)
    }

    pub fn to_pounds(self) -> Decimal {
        Decimal::new(self.0, 2)
    }
}

impl fmt::Display for Money {
    /// `£1,234.56`, `-£0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = crate::text::group_thousands(&(abs / 100).to_string());
        write!(f, "{sign}£{pounds}.{:02}", abs % 100)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn display_groups_thousands() {
        assert_eq!(Money::from_pence(123_456_789).to_string(), "£1,234,567.89");
        assert_eq!(Money::from_pence(-5).to_string(), "-£0.05");
        assert_eq!(Money::from_pence(100_000).to_string(), "£1,000.00");
        assert_eq!(Money::ZERO.to_string(), "£0.00");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let m = |s: &str| Money::from_pounds(Decimal::from_str(s).unwrap()).unwrap().pence();
        assert_eq!(m("0.005"), 1);
        assert_eq!(m("0.0049"), 0);
        assert_eq!(m("-0.005"), -1);
        // £2.218 × 31,250 + £0.698 × 33,120.5 = £92,430.609 → £92,430.61
        let d = Decimal::from_str("2.218").unwrap() * Decimal::from(31_250)
            + Decimal::from_str("0.698").unwrap() * Decimal::from_str("33120.5").unwrap();
        assert_eq!(Money::from_pounds(d).unwrap().pence(), 9_243_061);
    }

    #[test]
    fn parse_pounds_as_printed() {
        assert_eq!(Money::parse_pounds("1234.5"), Some(Money::from_pence(123_450)));
        assert_eq!(Money::parse_pounds("£1,234.56"), Some(Money::from_pence(123_456)));
        assert_eq!(Money::parse_pounds("-12.345"), Some(Money::from_pence(-1235)));
        assert_eq!(Money::parse_pounds("1.5E3"), Some(Money::from_pence(150_000)));
        assert_eq!(Money::parse_pounds(""), None);
        assert_eq!(Money::parse_pounds("n/a"), None);
    }
}
