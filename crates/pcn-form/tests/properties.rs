//! Formation on generated areas: the output is a partition, contiguous,
//! within the bounds wherever a certificate does not show it impossible, and
//! the same for the same seed.

use pcn_core::*;
use pcn_form::{Obstacle, Options};
use pcn_geo::PruneRule;
use pcn_rules::Model;
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::date;

/// Practices clustered around a few towns in a 40 km square, in one or two
/// commissioner areas split at the middle.
fn snapshot(points: &[(f64, f64, i64)], two_areas: bool) -> Snapshot {
    let mut s = Snapshot { as_of: Some(date!(2021 - 01 - 01)), ..Default::default() };
    for (i, &(x, y, list)) in points.iter().enumerate() {
        let code = PracticeCode::parse(&format!("B{:05}", i)).unwrap();
        let mut p = Practice::new(code.clone());
        p.status = PracticeStatus::Active;
        p.commissioner = Some(CommissionerCode::parse(if two_areas && x > 20.0 { "02B" } else { "01A" }).unwrap());
        p.location =
            Some(Location { easting: 400_000.0 + x * 1000.0, northing: 300_000.0 + y * 1000.0, lat: 52.6, lon: -2.0 });
        s.practices.push(p);
        s.list_sizes.push(ListSize {
            practice: code,
            registered: Some(Decimal::from(list)),
            weighted: None,
            as_of: date!(2021 - 01 - 01),
            source: ListSource::Registrations,
        });
    }
    s
}

fn area() -> impl Strategy<Value = (Vec<(f64, f64, i64)>, bool)> {
    let towns = prop::collection::vec((5.0f64..35.0, 5.0f64..35.0), 1..5);
    (towns, 20usize..90, any::<bool>()).prop_flat_map(|(towns, n, two)| {
        let t = towns.len();
        (
            prop::collection::vec((0..t, -4.0f64..4.0, -4.0f64..4.0, 1_500i64..22_000), n).prop_map(move |v| {
                v.into_iter().map(|(k, dx, dy, list)| (towns[k].0 + dx, towns[k].1 + dy, list)).collect::<Vec<_>>()
            }),
            Just(two),
        )
    })
}

fn run(snap: &Snapshot, seed: u64, scratch: bool) -> (Model, pcn_form::Outcome) {
    let (model, _) = Model::build(snap, PruneRule::default());
    let current = model.configuration(snap);
    let excluded = vec![false; model.practices.len()];
    let opts = Options { seed, ..Default::default() };
    let out = if scratch {
        pcn_form::scratch(&model, &current, &excluded, &opts, &|_, _| {})
    } else {
        pcn_form::repair(&model, &current, &excluded, &opts, &|_, _| {})
    };
    (model, out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn scratch_gives_a_contiguous_partition_within_bounds((points, two) in area(), seed in 0u64..1000) {
        let snap = snapshot(&points, two);
        let (model, out) = run(&snap, seed, true);
        // A partition: every practice in exactly one network.
        let of = out.config.networks_of(model.practices.len());
        prop_assert!(of.iter().all(|n| n.len() == 1), "{:?}", of);
        let q = pcn_form::quality(&model, &out.networks, &out.config, &model.configuration(&snap), &[], &out.certificates, 0.0);
        prop_assert_eq!(q.non_contiguous, 0);
        prop_assert_eq!(q.uncovered, 0);
        prop_assert_eq!(q.cross_commissioner, 0);
        prop_assert_eq!(q.below_floor, q.below_floor_certified, "every network below the floor is certified impossible");
        let unavoidable = out.certificates.iter().filter(|c| matches!(c.obstacle, Obstacle::PracticeAboveCeiling | Obstacle::NoWholeNumberOfNetworks)).count();
        prop_assert!(q.above_ceiling <= unavoidable, "{} above the ceiling, {} certified", q.above_ceiling, unavoidable);
        // The same seed gives the same configuration.
        let (_, again) = run(&snap, seed, true);
        prop_assert_eq!(&out.config, &again.config);
    }

    #[test]
    fn repair_clears_the_fixable_errors((points, two) in area()) {
        // Today: nobody is in a network. Repair must cover everyone, contiguously.
        let snap = snapshot(&points, two);
        let (model, out) = run(&snap, 1, false);
        let of = out.config.networks_of(model.practices.len());
        prop_assert!(of.iter().all(|n| n.len() == 1));
        let q = pcn_form::quality(&model, &out.networks, &out.config, &model.configuration(&snap), &[], &out.certificates, 0.0);
        prop_assert_eq!(q.non_contiguous, 0);
        prop_assert_eq!(q.uncovered, 0);
        prop_assert_eq!(q.below_floor, q.below_floor_certified);
    }
}
