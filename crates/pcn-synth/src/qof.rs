//! QOF disease registers: England's 2020/21 prevalences, moved per practice by
//! its age and deprivation, with some noise. Each register counts against a
//! list: TOTAL (the registered list) or an age band such as 18OV.

use crate::Register;
use crate::lists::Population;
use crate::random::Rand;

/// (group, list type, England prevalence % of that list, age sensitivity, deprivation sensitivity).
const GROUPS: &[(&str, &str, f64, f64, f64)] = &[
    ("AF", "TOTAL", 2.0, 0.45, 0.0),
    ("AST", "06OV", 6.4, 0.0, 0.05),
    ("CAN", "TOTAL", 3.3, 0.35, 0.0),
    ("CHD", "TOTAL", 3.0, 0.4, 0.1),
    ("CKD", "18OV", 4.0, 0.4, 0.05),
    ("COPD", "TOTAL", 1.9, 0.3, 0.25),
    ("DEM", "TOTAL", 0.75, 0.5, 0.0),
    ("DEP", "18OV", 12.3, 0.0, 0.12),
    ("DM", "17OV", 7.1, 0.15, 0.15),
    ("EP", "18OV", 0.8, 0.0, 0.1),
    ("HF", "TOTAL", 0.9, 0.45, 0.1),
    ("HYP", "TOTAL", 13.9, 0.3, 0.05),
    ("LD", "TOTAL", 0.5, 0.0, 0.1),
    ("MH", "TOTAL", 0.95, -0.1, 0.25),
    ("NDH", "18OV", 6.0, 0.2, 0.05),
    ("OB", "18OV", 7.1, 0.0, 0.15),
    ("OST", "50OV", 0.8, 0.2, 0.0),
    ("PAD", "TOTAL", 0.6, 0.4, 0.15),
    ("PC", "TOTAL", 0.5, 0.35, 0.0),
    ("RA", "16OV", 0.8, 0.15, 0.0),
    ("STIA", "TOTAL", 1.8, 0.4, 0.05),
];

/// The size of each age-band list for a practice: older practices have more adults.
fn band_sizes(pop: &Population, rng: &mut Rand) -> [(&'static str, u32); 6] {
    let total = f64::from(pop.registered);
    let over18 = (0.79 + 0.035 * pop.age + rng.gaussian(0.0, 0.01)).clamp(0.55, 0.95);
    let over50 = (0.41 + 0.06 * pop.age + rng.gaussian(0.0, 0.01)).clamp(0.15, over18 - 0.1);
    let over6 = (over18 + 0.14).min(0.99);
    let share = |f: f64| (total * f).round() as u32;
    [
        ("TOTAL", pop.registered),
        ("06OV", share(over6)),
        ("16OV", share((over18 + 0.025).min(over6))),
        ("17OV", share((over18 + 0.0125).min(over6))),
        ("18OV", share(over18)),
        ("50OV", share(over50)),
    ]
}

pub fn registers(pop: &Population, rng: &mut Rand) -> Vec<Register> {
    let bands = band_sizes(pop, rng);
    GROUPS
        .iter()
        .map(|&(group, list_type, percent, age, deprivation)| {
            let list_size = bands.iter().find(|(t, _)| *t == list_type).map(|(_, n)| *n).expect("known band");
            let rate =
                percent / 100.0 * (age * pop.age + deprivation * pop.deprivation).exp() * rng.lognormal(1.0, 0.12);
            let register = ((f64::from(list_size) * rate).round() as u32).min(list_size);
            Register { group, list_type, register, list_size }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::population;

    #[test]
    fn prevalence_near_england_and_bands_nest() {
        let mut rng = Rand::for_phase(9, "qof");
        let (mut hyp, mut total) = (0u64, 0u64);
        for i in 0..3000 {
            let pop = population(i % 5 == 0, &mut rng);
            let regs = registers(&pop, &mut rng);
            assert_eq!(regs.len(), GROUPS.len());
            let size = |t: &str| regs.iter().find(|r| r.list_type == t).map(|r| r.list_size);
            assert_eq!(size("TOTAL"), Some(pop.registered));
            assert!(size("18OV") < size("TOTAL") && size("50OV") < size("18OV"));
            for r in &regs {
                assert!(r.register <= r.list_size);
            }
            let h = regs.iter().find(|r| r.group == "HYP").unwrap();
            hyp += u64::from(h.register);
            total += u64::from(h.list_size);
        }
        let rate = hyp as f64 / total as f64;
        assert!((0.12..0.18).contains(&rate), "{rate}");
    }
}
