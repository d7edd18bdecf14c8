//! Compactness of a group of practices by where their patients are registered:
//! population-weighted mean distance to the group's population centre, and the
//! moment of inertia (Σ w·d², the Hess districting objective).

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightedPoint {
    pub x: f64,
    pub y: f64,
    pub weight: f64,
}

/// The population-weighted centre, `None` for no weight.
pub fn centre(points: &[WeightedPoint]) -> Option<(f64, f64)> {
    let w: f64 = points.iter().map(|p| p.weight).sum();
    (w > 0.0).then(|| {
        (points.iter().map(|p| p.x * p.weight).sum::<f64>() / w, points.iter().map(|p| p.y * p.weight).sum::<f64>() / w)
    })
}

/// Σ w·|p − c| / Σ w, in metres.
pub fn mean_weighted_distance_m(points: &[WeightedPoint]) -> Option<f64> {
    let (cx, cy) = centre(points)?;
    let w: f64 = points.iter().map(|p| p.weight).sum();
    Some(points.iter().map(|p| p.weight * (p.x - cx).hypot(p.y - cy)).sum::<f64>() / w)
}

/// Σ w·|p − c|², in patient·m².
pub fn moment_of_inertia(points: &[WeightedPoint]) -> f64 {
    let Some((cx, cy)) = centre(points) else { return 0.0 };
    points.iter().map(|p| p.weight * ((p.x - cx).powi(2) + (p.y - cy).powi(2))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_distance() {
        let pts = [WeightedPoint { x: 0.0, y: 0.0, weight: 3.0 }, WeightedPoint { x: 4000.0, y: 0.0, weight: 1.0 }];
        assert_eq!(centre(&pts), Some((1000.0, 0.0)));
        // (3·1000 + 1·3000) / 4 = 1500
        assert_eq!(mean_weighted_distance_m(&pts), Some(1500.0));
        assert_eq!(moment_of_inertia(&pts), 3.0 * 1e6 + 9e6);
        assert_eq!(mean_weighted_distance_m(&[]), None);
    }
}
