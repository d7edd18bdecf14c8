//! The synthetic files go through the real import path and come out as the
//! area that was generated.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use pcn_core::{PracticeStatus, Snapshot};
use pcn_nhs::{FileKind, ImportOptions, import_files};
use pcn_synth::{Area, Config, Vintage, generate, write_files};
use rust_decimal::Decimal;

fn written(cfg: &Config) -> (Area, tempfile::TempDir, Vec<PathBuf>) {
    written_as(cfg, Vintage::default())
}

fn written_as(cfg: &Config, vintage: Vintage) -> (Area, tempfile::TempDir, Vec<PathBuf>) {
    let area = generate(cfg);
    let dir = tempfile::tempdir().expect("temp dir");
    let files = write_files(&area, dir.path(), vintage).expect("files written");
    (area, dir, files)
}

fn registered(snap: &Snapshot) -> Decimal {
    snap.registered_lists().values().map(|(n, _)| *n).sum()
}

#[test]
fn files_of_2021_import_as_the_area_that_was_generated() {
    files_import_as_the_area_that_was_generated(Vintage::Ccg2021);
}

#[test]
fn files_of_2026_import_as_the_area_that_was_generated() {
    files_import_as_the_area_that_was_generated(Vintage::Icb2026);
}

fn files_import_as_the_area_that_was_generated(v: Vintage) {
    let cfg = Config { practices: 1500, seed: 42 };
    let (area, _dir, files) = written_as(&cfg, v);
    // Today's England has the monthly practice map beside the registrations.
    let n = if v == Vintage::Icb2026 { 9 } else { 8 };
    assert_eq!(files.len(), n);
    let kinds: BTreeSet<FileKind> = files.iter().map(|f| pcn_nhs::detect(f).expect("detected")).collect();
    assert_eq!(kinds.len(), n, "every file is a different kind: {kinds:?}");
    assert_eq!(kinds.contains(&FileKind::PracticeMap), v == Vintage::Icb2026);

    let imported = import_files(&files, &ImportOptions::default()).expect("import succeeds");
    let snap = &imported.snapshot;
    assert_eq!(snap.as_of, Some(v.extract_date(&area)));

    // Practices: exactly the configured number active, the rest filtered.
    let active: Vec<_> = snap.practices.iter().filter(|p| p.is_active_gp()).collect();
    assert_eq!(active.len(), cfg.practices);
    assert_eq!(area.practices.len(), cfg.practices);
    assert!(snap.practices.iter().any(|p| p.status == PracticeStatus::Closed && p.close_date.is_some()));
    assert!(snap.practices.iter().any(|p| p.status == PracticeStatus::Dormant));
    assert!(snap.practices.iter().all(|p| !p.code.as_str().starts_with('Y')), "non-GP rows are not practices");

    // Every active practice is located, inside Great Britain.
    assert!(imported.notes.had_coordinates);
    assert!(imported.notes.missing_coordinates.is_empty(), "{:?}", imported.notes.missing_coordinates);
    for p in &active {
        let loc = p.location.unwrap_or_else(|| panic!("{} has no coordinates", p.code));
        assert!((49.0..61.5).contains(&loc.lat) && (-9.0..2.5).contains(&loc.lon));
    }

    // Patients: the registrations total is the generated total.
    assert_eq!(registered(snap), Decimal::from(area.registered_total()));

    // Networks and current memberships are exactly the generated ones.
    let want_networks: BTreeSet<String> = area.networks.iter().map(|n| n.code.to_string()).collect();
    let got_networks: BTreeSet<String> = snap.networks.iter().map(|n| n.code.to_string()).collect();
    assert_eq!(got_networks, want_networks);
    let want: BTreeSet<(String, String)> = area
        .memberships()
        .map(|(p, n)| (area.practices[p].code.to_string(), area.networks[n].code.to_string()))
        .collect();
    let got: BTreeSet<(String, String)> =
        snap.current_memberships().map(|m| (m.practice.to_string(), m.network.to_string())).collect();
    assert_eq!(got, want);
    if v == Vintage::Ccg2021 {
        assert!(snap.memberships.iter().any(|m| m.end.is_some()), "some ended memberships");
    } else {
        // The map of April 2026 is the register in force; the ePCN is older.
        let used: Vec<_> =
            imported.notes.provenance.iter().filter(|p| p.topic == "memberships" && p.used > 0).collect();
        assert_eq!(used.len(), 1);
        assert!(used[0].file.ends_with("gp-reg-pat-prac-map.csv"), "{used:?}");
    }

    // The imperfections survive the import.
    let sizes = snap.network_sizes();
    assert!(sizes.values().any(|s| s.registered < Decimal::from(30_000)), "a network under 30,000");
    assert!(sizes.values().any(|s| s.registered > Decimal::from(50_000)), "a network over 50,000");
    let in_network: BTreeSet<&str> = snap.current_memberships().map(|m| m.practice.as_str()).collect();
    assert!(active.iter().any(|p| !in_network.contains(p.code.as_str())), "an unassigned practice");
    let practice_commissioner: HashMap<&str, _> =
        snap.practices.iter().map(|p| (p.code.as_str(), p.commissioner.clone())).collect();
    let network_commissioner: HashMap<&str, _> =
        snap.networks.iter().map(|n| (n.code.as_str(), n.commissioner.clone())).collect();
    assert!(
        snap.current_memberships()
            .any(|m| practice_commissioner[m.practice.as_str()] != network_commissioner[m.network.as_str()]),
        "a membership across commissioners"
    );

    // Commissioners carry their STP or ICB (five characters in 2026) and region.
    assert_eq!(snap.commissioners.len(), area.commissioners.len());
    assert!(snap.commissioners.iter().all(|c| c.parent.is_some() && c.region.is_some() && c.ons_code.is_some()));
    for (c, want) in snap.commissioners.iter().zip(&area.commissioners) {
        assert_eq!(c.code, want.code);
        assert_eq!(c.parent.as_ref().unwrap().as_str(), v.icb_code(&area, want.stp));
    }

    // Payments and QOF list sizes agree with the registrations.
    assert_eq!(snap.payments.len(), cfg.practices);
    let weighted = snap.weighted_lists();
    assert_eq!(weighted.len(), cfg.practices);
    for p in &area.practices {
        let w = weighted[&p.code];
        assert_eq!(w.to_string(), p.weighted_text());
    }

    // Care homes: every one, located at its postcode (the practices' rows in
    // the directory are not care homes), and the premium on each payee's row.
    type Home<'a> = (&'a str, u32, Option<(f64, f64)>);
    let got: Vec<Home> = snap
        .care_homes
        .iter()
        .map(|h| (h.location_id.as_str(), h.beds, h.location.map(|l| (l.easting, l.northing))))
        .collect();
    let mut want: Vec<Home> = area
        .care_homes
        .iter()
        .map(|h| (h.location_id.as_str(), h.beds, Some((h.location.easting, h.location.northing))))
        .collect();
    want.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(got, want);
    assert!(area.care_homes.len() as u64 >= area.registered_total() / 4_000);
    let item = |name: &str| -> i64 { snap.payments.iter().filter_map(|p| p.items.get(name)).map(|m| m.pence()).sum() };
    if v == Vintage::Ccg2021 {
        let want_premium: i64 = area.practices.iter().filter_map(|p| p.payments.as_ref()?.pcn_care_home_premium).sum();
        assert!(want_premium > 0);
        assert_eq!(item("PCN Care Home Premium"), want_premium);
    } else {
        // 2024/25: participation at £1.764 a year per weighted patient.
        let want: i64 = area
            .practices
            .iter()
            .filter(|p| p.payments.as_ref().is_some_and(|x| x.pcn_participation.is_some()))
            .map(|p| (p.weighted_hundredths * 1764 + 500) as i64 / 1000)
            .sum();
        assert!(want > 0);
        assert_eq!(item("PCN Participation"), want);
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let read_all = |files: &[PathBuf]| files.iter().map(|f| std::fs::read(f).expect("read")).collect::<Vec<_>>();
    let (_, _d1, a) = written(&Config { practices: 700, seed: 7 });
    let (_, _d2, b) = written(&Config { practices: 700, seed: 7 });
    let (_, _d3, c) = written(&Config { practices: 700, seed: 8 });
    let names = |fs: &[PathBuf]| fs.iter().map(|f| f.file_name().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    let (ra, rb, rc) = (read_all(&a), read_all(&b), read_all(&c));
    assert_eq!(ra, rb, "same config, same bytes");
    for (x, z) in ra.iter().zip(&rc) {
        assert_ne!(x, z, "another seed changes every file");
    }
}

#[test]
fn england_sized_area_looks_like_england() {
    let area = generate(&Config { practices: 6600, seed: 1 });
    let mut lists: Vec<u32> = area.practices.iter().map(|p| p.registered).collect();
    lists.sort_unstable();
    let median = lists[lists.len() / 2];
    assert!((6_000..=10_000).contains(&median), "median list {median}");
    let mean_practice = area.registered_total() as f64 / area.practices.len() as f64;
    assert!((8_000.0..=10_500.0).contains(&mean_practice), "mean list {mean_practice}");

    let sizes: Vec<u64> = (0..area.networks.len()).map(|n| area.network_registered(n)).collect();
    let mean = sizes.iter().sum::<u64>() as f64 / sizes.len() as f64;
    assert!((35_000.0..=50_000.0).contains(&mean), "mean network {mean}");
    let share = |f: &dyn Fn(u64) -> bool| sizes.iter().filter(|&&s| f(s)).count() as f64 / sizes.len() as f64;
    let under = share(&|s| s < 30_000);
    let over = share(&|s| s > 50_000);
    assert!((0.02..=0.12).contains(&under), "under 30k: {under}");
    assert!((0.2..=0.4).contains(&over), "over 50k: {over}");

    let unassigned = area.practices.iter().filter(|p| p.network.is_none()).count() as f64 / 6600.0;
    assert!((0.005..=0.02).contains(&unassigned), "unassigned {unassigned}");
    let cross =
        area.memberships().filter(|&(p, n)| area.practices[p].commissioner != area.networks[n].commissioner).count();
    assert!((15..=60).contains(&cross), "cross-commissioner {cross}");

    // Networks are contiguous on the project's adjacency graph, but for the
    // couple of practices deliberately attached to a far network.
    let points: Vec<(f64, f64)> = area.practices.iter().map(|p| (p.location.easting, p.location.northing)).collect();
    let graph = pcn_geo::SiteGraph::build(&points, None, pcn_geo::PruneRule::default());
    let mut scratch = pcn_geo::Scratch::default();
    let split = area
        .networks
        .iter()
        .filter(|n| {
            let sites: Vec<u32> = n.members.iter().map(|&m| graph.site_of[m]).collect();
            graph.components(&sites, &mut scratch).len() > 1
        })
        .count();
    assert!((1..=2).contains(&split), "non-contiguous networks: {split}");

    // Commissioners of about 50 practices, 30–60 km across.
    assert!((100..=160).contains(&area.commissioners.len()), "{}", area.commissioners.len());
    let mut shared = HashMap::new();
    for p in &area.practices {
        *shared.entry(p.postcode.as_str()).or_insert(0) += 1;
    }
    let colocated = shared.values().filter(|&&n| n > 1).map(|&n| n as f64).sum::<f64>() / 6600.0;
    assert!((0.02..=0.1).contains(&colocated), "co-located {colocated}");
    let supers = area.practices.iter().filter(|p| p.registered > 50_000).count();
    assert!(supers >= 1, "a super-practice");
}

#[test]
fn tiny_areas_still_import() {
    let empty = generate(&Config { practices: 0, seed: 1 });
    assert!(empty.practices.is_empty() && empty.networks.is_empty());
    for n in [1, 2, 5, 90] {
        let cfg = Config { practices: n, seed: 3 };
        let (area, _dir, files) = written(&cfg);
        let imported = import_files(&files, &ImportOptions::default()).unwrap_or_else(|e| panic!("{n}: {e}"));
        let snap = &imported.snapshot;
        assert_eq!(snap.practices.iter().filter(|p| p.is_active_gp()).count(), n);
        assert_eq!(registered(snap), Decimal::from(area.registered_total()));
        assert_eq!(area.commissioners.len(), 1 + usize::from(n == 90));
    }
}
