//! NHS Payments to General Practice for 2020/21, per practice, in pence.
//!
//! Only the items the importer and later engines look at are itemised: the
//! global sum (£93.46 per weighted patient in 2020/21), QOF achievement and
//! the PCN participation payment (£1.761 per weighted patient, only for
//! practices in a network). Everything else is folded into the total.

use crate::random::Rand;
use crate::{Contract, Payments};

pub const GLOBAL_SUM_PENCE_PER_WEIGHTED: u64 = 9346;
/// £1.761 per weighted patient, in tenths of a penny.
pub const PCN_PARTICIPATION_MILLS_PER_WEIGHTED: u64 = 1761;

/// £0.147 a month (£1.764 a year) per weighted patient in 2024/25, in tenths of a penny a year.
pub const PCN_PARTICIPATION_2024_25_MILLS_PER_WEIGHTED: u64 = 1764;

/// The 2024/25 participation payment for a practice's weighted list, in pence.
pub fn participation_2024_25(weighted_hundredths: u64) -> i64 {
    scaled(weighted_hundredths, PCN_PARTICIPATION_2024_25_MILLS_PER_WEIGHTED, 1000)
}

/// GMS about 70%, PMS 25%, APMS 5%, as in England.
pub fn contract(rng: &mut Rand) -> Contract {
    match rng.unit() {
        x if x < 0.70 => Contract::Gms,
        x if x < 0.95 => Contract::Pms,
        _ => Contract::Apms,
    }
}

/// Pounds-and-pence of `hundredths × rate / divisor`, rounded half up.
fn scaled(hundredths: u64, rate: u64, divisor: u64) -> i64 {
    ((hundredths * rate + divisor / 2) / divisor) as i64
}

pub fn payments(registered: u32, weighted_hundredths: u64, in_network: bool, rng: &mut Rand) -> Payments {
    // weighted (in hundredths) / 100 × £93.46 × 100 pence/£ = hundredths × 9346 / 100 pence.
    let global_sum = scaled(weighted_hundredths, GLOBAL_SUM_PENCE_PER_WEIGHTED, 100);
    // weighted / 100 × £1.761 × 100 = hundredths × 1761 / 1000 pence.
    let pcn_participation = in_network.then(|| scaled(weighted_hundredths, PCN_PARTICIPATION_MILLS_PER_WEIGHTED, 1000));
    let qof = (f64::from(registered) * rng.uniform(9.0, 16.0) * 100.0).round() as i64;
    let other = (f64::from(registered) * rng.uniform(15.0, 45.0) * 100.0).round() as i64;
    let total = global_sum + qof + pcn_participation.unwrap_or(0) + other;
    Payments { global_sum, qof, pcn_participation, pcn_care_home_premium: None, total }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participation_is_1_761_per_weighted_patient() {
        let mut rng = Rand::for_phase(1, "pay");
        // 10,000.00 weighted patients: £17,610.00 and £934,600.00.
        let p = payments(9000, 1_000_000, true, &mut rng);
        assert_eq!(p.pcn_participation, Some(1_761_000));
        assert_eq!(p.global_sum, 93_460_000);
        assert!(p.total > p.global_sum + p.qof);
        // 1,234.56 weighted: 1234.56 × 1.761 = 2174.06016 → £2,174.06.
        assert_eq!(payments(1000, 123_456, true, &mut rng).pcn_participation, Some(217_406));
        assert_eq!(payments(1000, 123_456, false, &mut rng).pcn_participation, None);
    }
}
