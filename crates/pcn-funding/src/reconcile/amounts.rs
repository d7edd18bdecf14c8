//! An amount paid against one computed: as a share of it, and as months'
//! worth of a computed annual figure. Whole-pence arithmetic where it decides.

use pcn_core::Money;

/// (x - paid) / |paid|; infinite when nothing was paid.
pub(super) fn relative(x: Money, paid: Money) -> f64 {
    if paid.pence() == 0 { f64::INFINITY } else { (x.pence() - paid.pence()) as f64 / paid.pence().abs() as f64 }
}

/// |x - paid| <= pct% of |paid|, in whole pence arithmetic.
pub(super) fn within(x: Money, paid: Money, pct: i64) -> bool {
    (x.pence() - paid.pence()).abs() * 100 <= paid.pence().abs() * pct
}

/// How many months of the computed annual figure the amount paid is.
pub(super) fn months_paid(paid: Money, computed: Money) -> Option<f64> {
    (computed.pence() > 0).then(|| paid.pence() as f64 * 12.0 / computed.pence() as f64)
}

/// The amount paid as a whole number of months of the computed annual figure,
/// 1 to 14 other than twelve, to within a tenth of a month (about three days): a
/// payment that started or stopped part way through the year, or months of
/// another year paid in this one.
pub(super) fn whole_months(paid: Money, computed: Money) -> Option<u32> {
    if computed.pence() <= 0 || paid.pence() <= 0 {
        return None;
    }
    let months = months_paid(paid, computed)?;
    let k = months.round();
    ((1.0..=14.0).contains(&k) && k != 12.0 && (months - k).abs() <= 0.1).then_some(k as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pence: i64) -> Money {
        Money::from_pence(pence)
    }

    #[test]
    fn within_is_inclusive_in_whole_pence() {
        assert!(within(m(110), m(100), 10));
        assert!(!within(m(111), m(100), 10));
        assert!(within(m(-90), m(-100), 10));
        assert!(within(m(0), m(0), 2));
    }

    #[test]
    fn months_worth() {
        assert_eq!(months_paid(m(600), m(1200)), Some(6.0));
        assert_eq!(months_paid(m(600), m(0)), None);
        assert_eq!(whole_months(m(300), m(1200)), Some(3));
        assert_eq!(whole_months(m(1400), m(1200)), Some(14));
        // A year's worth, more than fourteen months, or not close to a whole month: none.
        assert_eq!(whole_months(m(1200), m(1200)), None);
        assert_eq!(whole_months(m(1600), m(1200)), None);
        assert_eq!(whole_months(m(350), m(1200)), None);
        assert_eq!(relative(m(150), m(100)), 0.5);
        assert!(relative(m(1), m(0)).is_infinite());
    }
}
