//! Formation on generated areas: the output is a partition, contiguous,
//! within the bounds wherever a certificate does not show it impossible, and
//! the same for the same seed.

use pcn_core::*;
use pcn_form::Options;
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
        // The same seed gives the same configuration.
        let (_, again) = run(&snap, seed, true);
        prop_assert_eq!(&out.config, &again.config);
    }

    /// On areas small enough to try every partition, formation is optimal on
    /// the bounds: no patient short of the floor or over the ceiling that
    /// some contiguous partition avoids.
    #[test]
    fn scratch_meets_the_bounds_whenever_any_partition_does(
        points in prop::collection::vec((0.0f64..12.0, 0.0f64..12.0, 4_000i64..26_000), 2..9),
        seed in 0u64..100,
    ) {
        let snap = snapshot(&points, false);
        let (model, out) = run(&snap, seed, true);
        let best = exhaustive_bounds(&model);
        let q = pcn_form::quality(&model, &out.networks, &out.config, &model.configuration(&snap), &[], &out.certificates, 0.0);
        let got: (f64, f64) = out.config.members.iter().filter(|m| !m.is_empty()).fold((0.0, 0.0), |(s, e), m| {
            let w: f64 = m.iter().map(|&p| model.practices[p as usize].registered as f64).sum();
            (s + (30_000.0 - w).max(0.0), e + (w - 50_000.0).max(0.0))
        });
        prop_assert_eq!(q.non_contiguous, 0);
        prop_assert!(got.0 <= best.0 + 0.5, "shortfall {} where {} is possible", got.0, best.0);
        if got.0 <= best.0 + 0.5 {
            prop_assert!(got.1 <= best.1 + 0.5, "excess {} where {} is possible", got.1, best.1);
        }
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

    #[test]
    fn repair_of_one_area_leaves_the_other_as_it_is((points, _) in area()) {
        // Two areas, nobody covered; repairing 01A covers 01A only: the
        // practices of 02B stay uncovered (never a network each).
        let snap = snapshot(&points, true);
        let (model, _) = Model::build(&snap, PruneRule::default());
        let current = model.configuration(&snap);
        let excluded = vec![false; model.practices.len()];
        let only = CommissionerCode::parse("01A").unwrap();
        let opts = Options { only: pcn_core::Area::Commissioner(only.clone()), ..Default::default() };
        let out = pcn_form::repair(&model, &current, &excluded, &opts, &|_, _| {});
        let of = out.config.networks_of(model.practices.len());
        for (p, nets) in model.practices.iter().zip(&of) {
            if p.commissioner.as_ref() == Some(&only) {
                prop_assert_eq!(nets.len(), 1, "{} is repaired", p.code);
            } else {
                prop_assert!(nets.is_empty(), "{} is outside the area repaired but was put in {:?}", p.code, nets);
            }
        }
    }
}

/// The lexicographically least (shortfall, excess) over every partition of the
/// model's practices into connected groups (restricted growth strings).
fn exhaustive_bounds(model: &Model) -> (f64, f64) {
    let n = model.practices.len();
    let w: Vec<f64> = model.practices.iter().map(|p| p.registered as f64).collect();
    let adj: Vec<u32> = (0..n)
        .map(|i| {
            let s = model.practices[i].site.unwrap();
            (0..n)
                .filter(|&j| j != i)
                .filter(|&j| {
                    let t = model.practices[j].site.unwrap();
                    t == s || model.graph.neighbours[s as usize].contains(&t)
                })
                .fold(0u32, |m, j| m | (1 << j))
        })
        .collect();
    let connected = |mask: u32| {
        let mut reach = mask & mask.wrapping_neg();
        loop {
            let mut next = reach;
            for (i, a) in adj.iter().enumerate() {
                if reach & (1 << i) != 0 {
                    next |= a & mask;
                }
            }
            if next == reach {
                return reach == mask;
            }
            reach = next;
        }
    };
    let mut best = (f64::INFINITY, f64::INFINITY);
    let mut labels = vec![0usize; n];
    fn rec(i: usize, k: usize, labels: &mut Vec<usize>, n: usize, eval: &mut dyn FnMut(&[usize], usize)) {
        if i == n {
            eval(labels, k);
            return;
        }
        for l in 0..=k {
            labels[i] = l;
            rec(i + 1, if l == k { k + 1 } else { k }, labels, n, eval);
        }
    }
    let mut eval = |labels: &[usize], k: usize| {
        let mut masks = vec![0u32; k];
        for (i, &l) in labels.iter().enumerate() {
            masks[l] |= 1 << i;
        }
        if !masks.iter().all(|&m| connected(m)) {
            return;
        }
        let (mut s, mut e) = (0.0, 0.0);
        for &m in &masks {
            let t: f64 = (0..n).filter(|&i| m & (1 << i) != 0).map(|i| w[i]).sum();
            s += (30_000.0 - t).max(0.0);
            e += (t - 50_000.0).max(0.0);
        }
        if s < best.0 - 0.5 || (s <= best.0 + 0.5 && e < best.1 - 0.5) {
            best = (s, e);
        }
    };
    rec(0, 0, &mut labels, n, &mut eval);
    best
}
