//! Practice list sizes and the population behind them.
//!
//! England (January 2021): 6,658 practices, 60.6M patients, 9,100 a practice
//! on average, median about 8,000, a long right tail of super-practices. A
//! lognormal with median 7,600 and sigma 0.6 has mean 9,100 and gives about
//! one practice in a thousand over 50,000.

use crate::random::Rand;

const MEDIAN_LIST: f64 = 7_600.0;
const SIGMA_LOG: f64 = 0.6;
const MIN_LIST: f64 = 300.0;
const MAX_LIST: f64 = 95_000.0;

/// What a practice's population is like; drives weighting and prevalence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Population {
    /// Registered patients.
    pub registered: u32,
    /// Weighted (Carr-Hill) patients in hundredths.
    pub weighted_hundredths: u64,
    /// Standardised age: positive means older than England.
    pub age: f64,
    /// Standardised deprivation: positive means more deprived.
    pub deprivation: f64,
}

pub fn population(rural: bool, rng: &mut Rand) -> Population {
    let registered = rng.lognormal(MEDIAN_LIST, SIGMA_LOG).clamp(MIN_LIST, MAX_LIST).round() as u32;
    // Rural lists are older and less deprived.
    let age = rng.normal() + if rural { 0.5 } else { -0.1 };
    let deprivation = rng.normal() + if rural { -0.4 } else { 0.1 };
    // The weighting formula pays more for older and more deprived lists.
    let factor = (1.0 + 0.07 * age + 0.04 * deprivation + rng.gaussian(0.0, 0.03)).clamp(0.8, 1.25);
    let weighted_hundredths = (f64::from(registered) * factor * 100.0).round() as u64;
    Population { registered, weighted_hundredths, age, deprivation }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn england_like_lists() {
        let mut rng = Rand::for_phase(5, "lists");
        let mut pops: Vec<Population> = (0..20_000).map(|i| population(i % 5 == 0, &mut rng)).collect();
        pops.sort_by_key(|p| p.registered);
        let median = pops[pops.len() / 2].registered;
        let mean = pops.iter().map(|p| f64::from(p.registered)).sum::<f64>() / pops.len() as f64;
        assert!((7_000..=8_500).contains(&median), "{median}");
        assert!((8_600.0..=9_600.0).contains(&mean), "{mean}");
        for p in &pops {
            let f = p.weighted_hundredths as f64 / 100.0 / f64::from(p.registered);
            assert!((0.799..=1.251).contains(&f), "{f}");
            assert!((300..=95_000).contains(&p.registered));
        }
    }
}
