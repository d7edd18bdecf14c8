//! The one source of randomness: ChaCha8 seeded from the config, one stream
//! per generation phase so that changing how one phase draws numbers does not
//! reshuffle every other phase's output.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub struct Rand {
    rng: ChaCha8Rng,
    /// Box–Muller yields normals in pairs; the second waits here.
    spare_normal: Option<f64>,
}

impl Rand {
    /// The stream for one phase (`"geography"`, `"lists"`, …) of one seed.
    pub fn for_phase(seed: u64, phase: &str) -> Self {
        // FNV-1a of the phase name, mixed into the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in phase.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Self { rng: ChaCha8Rng::seed_from_u64(seed ^ h.rotate_left(17)), spare_normal: None }
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// Uniform in `[lo, hi)`; `lo` when the range is empty.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in `[0, n)`; `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    /// Uniform integer in `[lo, hi]`.
    pub fn between(&mut self, lo: u32, hi: u32) -> u32 {
        self.rng.random_range(lo..=hi)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Standard normal by Box–Muller (no `rand_distr` needed).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // 1 - unit() is in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        let r = (-2.0 * u1.ln()).sqrt();
        let theta = std::f64::consts::TAU * u2;
        self.spare_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    pub fn gaussian(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Lognormal given its median and the standard deviation of its logarithm.
    pub fn lognormal(&mut self, median: f64, sigma_log: f64) -> f64 {
        median * (sigma_log * self.normal()).exp()
    }

    /// Fisher–Yates, so the order depends only on the stream.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_independent_and_repeatable() {
        let a: Vec<f64> = (0..5)
            .map({
                let mut r = Rand::for_phase(7, "a");
                move |_| r.unit()
            })
            .collect();
        let a2: Vec<f64> = (0..5)
            .map({
                let mut r = Rand::for_phase(7, "a");
                move |_| r.unit()
            })
            .collect();
        let b: Vec<f64> = (0..5)
            .map({
                let mut r = Rand::for_phase(7, "b");
                move |_| r.unit()
            })
            .collect();
        assert_eq!(a, a2);
        assert_ne!(a, b);
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = Rand::for_phase(1, "normal");
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
    }
}
