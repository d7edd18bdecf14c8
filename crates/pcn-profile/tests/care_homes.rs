//! Care-home alignment on a synthetic area, through the real import: the
//! generator knows which network each home is nearest and which networks it
//! underpaid, so both can be checked independently of the code under test.

use std::collections::BTreeSet;

use pcn_nhs::{ImportOptions, import_files};
use pcn_profile::care_homes::{align, alignment_prompts};
use pcn_synth::{Config, generate, write_files};

#[test]
fn homes_fall_to_the_network_of_their_nearest_practice_and_gaps_are_found() {
    let area = generate(&Config { practices: 900, seed: 11 });
    let dir = tempfile::tempdir().unwrap();
    let files = write_files(&area, dir.path(), pcn_synth::Vintage::Ccg2021).unwrap();
    let snap = import_files(&files, &ImportOptions::default()).unwrap().snapshot;
    let (model, _) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
    let config = model.configuration(&snap);
    let a = align(&model, &snap, &config);

    assert_eq!(a.homes, area.care_homes.len());
    assert_eq!((a.unlocated, a.unaligned), (0, 0));
    let got: BTreeSet<(String, String)> =
        a.networks.iter().flat_map(|n| n.list.iter().map(|h| (h.location_id.clone(), n.network.clone()))).collect();
    let want: BTreeSet<(String, String)> = area
        .care_homes
        .iter()
        .filter_map(|h| Some((h.location_id.clone(), area.networks[h.network?].code.to_string())))
        .collect();
    assert_eq!(got, want);
    let beds: u64 = a.networks.iter().map(|n| n.beds).sum();
    assert_eq!(beds, area.care_homes.iter().map(|h| u64::from(h.beds)).sum::<u64>());
    assert_eq!(beds, a.beds);
    // The funding engine's beds (from the snapshot alone) are the alignment's.
    let for_funding = pcn_profile::care_homes::beds_by_network(&snap);
    // Every network has a figure, 0 where no home is nearest it, so its premium is computed too.
    assert!(a.networks.iter().any(|n| n.beds == 0));
    for n in &a.networks {
        assert_eq!(for_funding.get(&n.network).copied(), Some(rust_decimal::Decimal::from(n.beds)), "{}", n.network);
    }

    // Beds per 1,000: England's is the total over the networks' lists.
    let listed: i64 = config.members.iter().flatten().map(|&p| model.practices[p as usize].registered).sum();
    let england = (beds as f64 * 1000.0 / listed as f64 * 100.0).round() / 100.0;
    assert!(a.networks.iter().all(|n| n.beds_per_1000[2] == Some(england)));

    // The generator pays every 13th network (from the 5th) 30% of its premium.
    let prompted: BTreeSet<String> = alignment_prompts(&a, 0.5, 20).into_iter().map(|p| p.network).collect();
    let underpaid: BTreeSet<String> = (0..area.networks.len())
        .filter(|n| n % 13 == 4)
        .filter(|&n| {
            area.care_homes.iter().filter(|h| h.network == Some(n)).map(|h| u64::from(h.beds)).sum::<u64>() >= 20
        })
        .map(|n| area.networks[n].code.to_string())
        .collect();
    assert!(!underpaid.is_empty());
    assert_eq!(prompted, underpaid);
}
