//! Properties of the checker on generated worlds.

mod world;

use proptest::prelude::*;
use world::*;

/// A `cols` × `rows` grid (2 km apart, jittered by up to 200 m) cut in snake
/// order into networks of three neighbouring practices of 10,000–16,000
/// patients each: every network is contiguous, 30,000–48,000, and touches a
/// side of the map, so the configuration satisfies every rule.
fn valid_world(cols: usize, rows: usize, lists: &[i64], jitter: &[(f64, f64)]) -> World {
    let mut w = World::new();
    let mut order = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let i = r * cols + c;
            let (jx, jy) = jitter[i];
            w.practice(&code(i), c as f64 * 2.0 + jx, r as f64 * 2.0 + jy, lists[i], "00X");
        }
        let row: Vec<usize> = (0..cols).map(|c| r * cols + c).collect();
        if r % 2 == 0 { order.extend(row) } else { order.extend(row.into_iter().rev()) }
    }
    for (k, chunk) in order.chunks(3).enumerate() {
        let codes: Vec<String> = chunk.iter().map(|&i| code(i)).collect();
        let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
        w.network(&format!("U{:05}", k + 1), "00X", &refs);
    }
    w
}

fn world_strategy() -> impl Strategy<Value = World> {
    (prop_oneof![Just(3usize), Just(6usize)], 2usize..7).prop_flat_map(|(cols, rows)| {
        let n = cols * rows;
        (
            Just(cols),
            Just(rows),
            prop::collection::vec(10_000i64..=16_000, n),
            prop::collection::vec((-0.2f64..0.2, -0.2f64..0.2), n),
        )
            .prop_map(|(c, r, lists, jitter)| valid_world(c, r, &lists, &jitter))
    })
}

fn key(f: &pcn_rules::Finding) -> String {
    format!("{} {:?} {:?} {}", f.rule, f.network, f.practices, f.message)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_configuration_built_to_satisfy_the_rules_has_no_errors(w in world_strategy()) {
        let r = w.check();
        let bad: Vec<_> = r.findings.iter().filter(|f| f.severity != pcn_rules::Severity::Info).collect();
        prop_assert!(bad.is_empty(), "{:#?}", bad);
    }

    #[test]
    fn moving_one_practice_changes_only_the_two_networks_findings(
        w in world_strategy(),
        pick in any::<prop::sample::Index>(),
        to in any::<prop::sample::Index>(),
    ) {
        let (model, config) = w.model();
        let before = pcn_rules::check(&model, &config, &w.inputs);
        let p = pick.index(model.practices.len()) as u32;
        let from = config.networks_of(model.practices.len())[p as usize][0];
        let to = to.index(model.networks.len()) as u32;
        prop_assume!(to != from);
        let mut moved = config.clone();
        moved.assign(p, Some(to));
        let after = pcn_rules::check(&model, &moved, &w.inputs);
        let involved = [&model.networks[from as usize].code, &model.networks[to as usize].code];
        // The "no donuts" rules look at neighbours by definition; everything else is local.
        let others = |r: &pcn_rules::Report| -> Vec<String> {
            let mut v: Vec<String> = r.findings.iter()
                .filter(|f| f.network.as_ref().is_none_or(|n| !involved.contains(&n)))
                .filter(|f| f.rule != "geo.enclave" && f.rule != "geo.uncovered-hole")
                .map(key)
                .collect();
            v.sort();
            v
        };
        prop_assert_eq!(others(&before), others(&after));
        // And the two networks' own findings are exactly what checking them alone gives.
        let alone = pcn_rules::check_networks(&model, &moved, &w.inputs, &[from, to]);
        let mut a: Vec<String> = alone.iter().map(key).collect();
        let mut b: Vec<String> = after.findings.iter()
            .filter(|f| f.network.as_ref().is_some_and(|n| involved.contains(&n)))
            .filter(|f| f.rule != "geo.uncovered-hole")
            .map(key)
            .collect();
        a.sort();
        b.sort();
        prop_assert_eq!(a, b);
        // The what-if path (the old configuration's practice networks, the moved practice
        // recomputed) finds exactly what checking from scratch finds.
        let base = config.networks_of(model.practices.len());
        let incremental = pcn_rules::check_networks_after_moves(&model, &moved, &base, &[p], &w.inputs, &[from, to]);
        let mut c: Vec<String> = incremental.iter().map(key).collect();
        c.sort();
        let mut full: Vec<String> = alone.iter().map(key).collect();
        full.sort();
        prop_assert_eq!(c, full);
    }

    /// What a what-if judges is all a move can change: every network whose
    /// findings a full check sees change is a touched network or borders one
    /// (before or after), and what the rules say of the moved practice itself
    /// (left in no network, say) is what the full check says.
    #[test]
    fn a_what_if_s_scope_holds_every_finding_a_move_changes(
        w in world_strategy(),
        pick in any::<prop::sample::Index>(),
        to in any::<prop::sample::Index>(),
        leave in any::<bool>(),
    ) {
        let (model, config) = w.model();
        let n_practices = model.practices.len();
        let base = config.networks_of(n_practices);
        let p = pick.index(n_practices) as u32;
        let from = base[p as usize][0];
        let to = if leave { None } else { Some(to.index(model.networks.len()) as u32) };
        prop_assume!(to != Some(from));
        let mut moved = config.clone();
        moved.assign(p, to);
        let before = pcn_rules::check(&model, &config, &w.inputs);
        let after = pcn_rules::check(&model, &moved, &w.inputs);
        let touched: Vec<u32> = std::iter::once(from).chain(to).collect();
        let mut scope: std::collections::BTreeSet<u32> = touched.iter().copied().collect();
        scope.extend(pcn_rules::bordering_networks(&model, &config, &base, &[], &touched));
        scope.extend(pcn_rules::bordering_networks(&model, &moved, &base, &[p], &touched));
        let in_scope = |f: &pcn_rules::Finding| {
            f.network.as_ref().is_some_and(|c| scope.iter().any(|&n| &model.networks[n as usize].code == c))
        };
        let outside = |r: &pcn_rules::Report| -> Vec<String> {
            let mut v: Vec<String> = r.findings.iter().filter(|f| f.network.is_some() && !in_scope(f)).map(key).collect();
            v.sort();
            v
        };
        prop_assert_eq!(outside(&before), outside(&after));
        // The scope's findings, checked alone on the what-if path, are the full check's.
        let scope_v: Vec<u32> = scope.iter().copied().collect();
        let mut alone: Vec<String> = pcn_rules::check_networks_after_moves(&model, &moved, &base, &[p], &w.inputs, &scope_v)
            .iter().map(key).collect();
        let mut full: Vec<String> = after.findings.iter().filter(|f| in_scope(f) && f.rule != "geo.uncovered-hole").map(key).collect();
        alone.sort();
        full.sort();
        prop_assert_eq!(alone, full);
        // What the rules say of the moved practice itself.
        let code = &model.practices[p as usize].code;
        let about = |fs: &[pcn_rules::Finding]| -> Vec<String> {
            let mut v: Vec<String> = fs.iter().filter(|f| f.network.is_none() && f.practices.contains(code)).map(key).collect();
            v.sort();
            v
        };
        let practice = pcn_rules::practice_findings_after_moves(&model, &moved, &base, &[p], &w.inputs, &[p]);
        prop_assert_eq!(about(&practice), about(&after.findings));
        if leave {
            prop_assert!(practice.iter().any(|f| f.rule == "coverage.uncovered" && f.practices.contains(code)));
        }
    }
}
