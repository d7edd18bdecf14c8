//! Every rule: one test that triggers it on a small world and shows it silent
//! on the same world put right.

mod world;

use pcn_core::ApprovalKind;
use pcn_rules::Severity;
use world::*;

/// Three contiguous networks of four 10,000-patient practices each:
/// U00001 (west block), U00002 (east block), U00003 (the northern row).
fn base() -> World {
    let mut w = World::grid(4, 3, 10_000);
    w.network("U00001", "00X", &["A00000", "A00001", "A00004", "A00005"]);
    w.network("U00002", "00X", &["A00002", "A00003", "A00006", "A00007"]);
    w.network("U00003", "00X", &["A00008", "A00009", "A00010", "A00011"]);
    w
}

#[test]
fn the_base_world_is_clean() {
    let r = base().check();
    clean(&r);
    assert_eq!(r.summary.networks, 3);
    assert_eq!(r.summary.errors, 0);
    assert!(r.summary.not_evaluated.iter().all(|n| n.rule != "governance.no-clinical-director"));
}

/// U00001 down to 1,000 + 5,000 + 2 × 10,000 = 26,000.
fn shrink_west_block(w: &mut World) {
    w.set_list("A00000", 1_000);
    w.set_list("A00001", 5_000);
}

#[test]
fn below_floor_and_its_waiver() {
    let mut w = base();
    shrink_west_block(&mut w);
    let r = w.check();
    let f = with_rule(&r, "size.below-floor");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].network.as_ref().unwrap().as_str(), "U00001");
    assert_eq!(f[0].facts["registered"], 26_000);
    assert_eq!(f[0].facts["shortfall"], 4_000);
    w.approve(ApprovalKind::FloorWaiver, "U00001", None);
    let r = w.check();
    let f = with_rule(&r, "size.below-floor");
    assert_eq!(f[0].severity, Severity::Info);
    assert!(f[0].message.contains("REF-floor-waiver"), "{}", f[0].message);
    clean(&r);
}

#[test]
fn waiver_candidates_come_from_sparse_rurality() {
    let mut w = base();
    shrink_west_block(&mut w);
    // An LSOA centroid by the west block, urban: no candidate.
    let (lon, lat) = pcn_geo::project::to_lonlat(401_000.0, 301_000.0).unwrap();
    w.lsoa("E01000001", lon, lat, "A1");
    assert!(with_rule(&w.check(), "waiver.candidate").is_empty());
    w.snap.lsoas.clear();
    w.lsoa("E01000001", lon, lat, "E2");
    let r = w.check();
    let f = with_rule(&r, "waiver.candidate");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(f[0].facts["sparse_share"], 1.0);
}

#[test]
fn above_ceiling_and_its_approval() {
    let mut w = base();
    w.set_list("A00002", 25_000);
    let r = w.check();
    let f = with_rule(&r, "size.above-ceiling");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].facts["excess"], 5_000);
    w.approve(ApprovalKind::AboveCeiling, "U00002", None);
    assert_eq!(with_rule(&w.check(), "size.above-ceiling")[0].severity, Severity::Info);
}

#[test]
fn single_practice_networks() {
    let mut w = base();
    // Split A00003 off into its own network with 35,000 patients.
    w.leave("A00003");
    w.set_list("A00003", 35_000);
    w.network("U00004", "00X", &["A00003"]);
    let r = w.check();
    let f = with_rule(&r, "size.single-practice");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Error);
    assert!(f[0].message.contains("without a recorded commissioner approval"));
    w.approve(ApprovalKind::SinglePractice, "U00004", None);
    assert_eq!(with_rule(&w.check(), "size.single-practice")[0].severity, Severity::Info);
    // Below 30,000 an approval does not help.
    w.set_list("A00003", 20_000);
    assert_eq!(with_rule(&w.check(), "size.single-practice")[0].severity, Severity::Error);
    assert!(with_rule(&base().check(), "size.single-practice").is_empty());
}

#[test]
fn non_contiguous_networks_show_their_parts() {
    let mut w = base();
    // Swap A00005 (west block) and A00011 (far corner of the north row).
    w.leave("A00005");
    w.leave("A00011");
    w.join("A00005", "U00003");
    w.join("A00011", "U00001");
    let r = w.check();
    // U00003 stays contiguous (A00005 touches A00009); U00001 does not.
    let f = with_rule(&r, "geo.non-contiguous");
    assert_eq!(f.len(), 1, "{f:#?}");
    let u1 = f[0];
    assert_eq!(u1.network.as_ref().unwrap().as_str(), "U00001");
    let parts = u1.facts["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0]["registered"], 30_000);
    assert_eq!(parts[1]["practices"][0], "A00011");
    assert!(parts[1]["gap_km"].as_f64().unwrap() >= 2.0);
    assert!(with_rule(&base().check(), "geo.non-contiguous").is_empty());
}

/// A 5 × 5 grid: the centre practice in its own network, the rest in one.
fn donut(centre_network: bool) -> World {
    let mut w = World::grid(5, 5, 3_000);
    let ring: Vec<String> = (0..25).filter(|&i| i != 12).map(code).collect();
    let ring_refs: Vec<&str> = ring.iter().map(String::as_str).collect();
    w.network("U00001", "00X", &ring_refs);
    if centre_network {
        w.set_list(&code(12), 31_000);
        w.network("U00002", "00X", &[code(12).as_str()]);
        w.approve(ApprovalKind::SinglePractice, "U00002", None);
    }
    w
}

#[test]
fn enclaves_are_found() {
    let r = donut(true).check();
    let f = with_rule(&r, "geo.enclave");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].network.as_ref().unwrap().as_str(), "U00002");
    assert_eq!(f[0].facts["surrounded_by"], "U00001");
    // The outer network touches the edge of the map: not an enclave.
    assert!(with_rule(&base().check(), "geo.enclave").is_empty());
}

#[test]
fn uncovered_holes_are_found() {
    let r = donut(false).check();
    let f = with_rule(&r, "geo.uncovered-hole");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].network.as_ref().unwrap().as_str(), "U00001");
    assert_eq!(f[0].practices[0].as_str(), "A00012");
    assert_eq!(with_rule(&r, "coverage.uncovered").len(), 1);
}

#[test]
fn uncovered_practices_at_the_edge_are_not_holes() {
    let mut w = base();
    w.leave("A00011");
    let r = w.check();
    let f = with_rule(&r, "coverage.uncovered");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].practices[0].as_str(), "A00011");
    assert_eq!(f[0].facts["neighbouring_networks"][0], "U00002");
    assert!(with_rule(&r, "geo.uncovered-hole").is_empty());
    assert!(with_rule(&base().check(), "coverage.uncovered").is_empty());
}

#[test]
fn cross_commissioner_membership() {
    let mut w = base();
    w.practice_mut("A00003").commissioner = Some(cc("00Y"));
    let r = w.check();
    let net = with_rule(&r, "boundary.cross-commissioner");
    assert_eq!(net.len(), 1);
    assert_eq!(net[0].severity, Severity::Error);
    assert_eq!(net[0].facts["commissioners"], serde_json::json!(["00X", "00Y"]));
    let prac = with_rule(&r, "boundary.practice-commissioner");
    assert_eq!(prac.len(), 1);
    assert_eq!(prac[0].practices[0].as_str(), "A00003");
    assert_eq!(prac[0].severity, Severity::Warning);
    w.approve(ApprovalKind::CrossCommissioner, "U00002", None);
    let r = w.check();
    assert_eq!(with_rule(&r, "boundary.cross-commissioner")[0].severity, Severity::Info);
    assert_eq!(with_rule(&r, "boundary.practice-commissioner")[0].severity, Severity::Info);
    assert!(with_rule(&base().check(), "boundary.cross-commissioner").is_empty());
}

const NENC: (&str, &str) = ("QHM", "NHS North East and North Cumbria ICB");
const SY: (&str, &str) = ("QF7", "NHS South Yorkshire ICB");

/// The base world in the ICB era, A00003 moved to sub-ICB location 00Y.
fn across_sub_icbs(icb_of_00y: Option<(&str, &str)>) -> World {
    let mut w = base();
    w.snap.as_of = Some(time::macros::date!(2023 - 06 - 01));
    w.commissioner("00X", Some(NENC));
    w.commissioner("00Y", icb_of_00y);
    w.practice_mut("A00003").commissioner = Some(cc("00Y"));
    w
}

#[test]
fn two_sub_icbs_of_one_icb_name_the_approving_icb_and_are_not_cross_icb() {
    let r = across_sub_icbs(Some(NENC)).check();
    let net = with_rule(&r, "boundary.cross-commissioner");
    assert_eq!(net.len(), 1);
    assert_eq!(net[0].severity, Severity::Error);
    assert_eq!(
        net[0].message,
        "U00002 PCN (U00002) spans sub-ICB locations 00X, 00Y without a recorded approval; \
         approval is for ICB QHM (NHS North East and North Cumbria ICB)"
    );
    assert_eq!(net[0].facts["approving_icb"], "QHM");
    assert_eq!(net[0].facts["icbs"], serde_json::json!(["QHM"]));
    assert!(with_rule(&r, "boundary.cross-icb").is_empty(), "one ICB");
    let prac = with_rule(&r, "boundary.practice-commissioner");
    assert!(prac[0].message.starts_with("A00003 belongs to sub-ICB location 00Y but"), "{}", prac[0].message);
    assert!(!prac[0].message.contains(" is in "), "same ICB: {}", prac[0].message);
    assert_eq!(prac[0].facts["approving_icb"], "QHM");
}

#[test]
fn two_icbs_are_called_out_beside_the_sub_icb_finding() {
    let mut w = across_sub_icbs(Some(SY));
    let r = w.check();
    assert_eq!(with_rule(&r, "boundary.cross-commissioner")[0].severity, Severity::Error);
    let f = with_rule(&r, "boundary.cross-icb");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].network.as_ref().unwrap().as_str(), "U00002");
    assert_eq!(f[0].facts["icbs"], serde_json::json!(["QF7", "QHM"]));
    assert_eq!(f[0].facts["commissioners_by_icb"]["QF7"], serde_json::json!(["00Y"]));
    assert_eq!(f[0].facts["approving_icb"], "QHM", "the network's own sub-ICB location's ICB");
    assert!(
        f[0].message.contains("spans ICBs QF7, QHM (00Y of ICB QF7 (NHS South Yorkshire ICB); 00X of ICB QHM"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].message.ends_with("approval is for ICB QHM (NHS North East and North Cumbria ICB)"),
        "{}",
        f[0].message
    );
    let prac = with_rule(&r, "boundary.practice-commissioner");
    assert_eq!(prac[0].facts["practice_icb"], "QF7");
    assert_eq!(prac[0].facts["network_icb"], "QHM");
    assert!(
        prac[0].message.contains("(00Y is in ICB QF7 (NHS South Yorkshire ICB), 00X in ICB QHM"),
        "{}",
        prac[0].message
    );

    w.approve(ApprovalKind::CrossCommissioner, "U00002", None);
    let r = w.check();
    let f = with_rule(&r, "boundary.cross-icb");
    assert_eq!(f[0].severity, Severity::Info);
    assert!(f[0].message.contains("approved (REF-cross-commissioner)"), "{}", f[0].message);
    assert_eq!(f[0].facts["approval"], "REF-cross-commissioner");
}

#[test]
fn an_icb_no_file_gives_is_unknown_not_another_icb() {
    let r = across_sub_icbs(None).check();
    assert!(with_rule(&r, "boundary.cross-icb").is_empty(), "00Y's ICB is not known: not judged another");
    let net = with_rule(&r, "boundary.cross-commissioner");
    assert_eq!(net[0].facts["icbs"], serde_json::json!(["QHM"]));
    // The network's own sub-ICB location without an ICB: the approver is unknown, not guessed.
    let mut w = across_sub_icbs(Some(SY));
    w.commissioner("00X", None);
    let r = w.check();
    let net = with_rule(&r, "boundary.cross-commissioner");
    assert!(
        net[0].message.ends_with("approval is for the ICB of 00X, which this snapshot does not know"),
        "{}",
        net[0].message
    );
    assert_eq!(net[0].facts["approving_icb"], serde_json::Value::Null);
}

#[test]
fn before_july_2022_the_ccg_approves_and_the_tiers_are_ccgs_and_stps() {
    let mut w = across_sub_icbs(Some(SY));
    w.snap.as_of = Some(time::macros::date!(2021 - 06 - 01));
    let r = w.check();
    let net = with_rule(&r, "boundary.cross-commissioner");
    assert_eq!(
        net[0].message,
        "U00002 PCN (U00002) spans CCGs 00X, 00Y without a recorded approval; approval is for CCG 00X"
    );
    assert_eq!(net[0].facts["approving_icb"], serde_json::Value::Null);
    let f = with_rule(&r, "boundary.cross-icb");
    assert!(f[0].message.contains("spans STPs QF7, QHM (00Y of STP QF7"), "{}", f[0].message);
    assert!(f[0].message.contains("each of those CCGs must agree"), "{}", f[0].message);
    let prac = with_rule(&r, "boundary.practice-commissioner");
    assert!(prac[0].message.starts_with("A00003 belongs to CCG 00Y"), "{}", prac[0].message);
}

#[test]
fn a_report_restricted_to_an_icb_keeps_its_sub_icbs_findings_only() {
    let mut w = base();
    w.snap.as_of = Some(time::macros::date!(2023 - 06 - 01));
    w.commissioner("00X", Some(NENC));
    w.commissioner("00Y", Some(SY));
    w.snap.networks[2].commissioner = Some(cc("00Y"));
    for p in ["A00008", "A00009", "A00010", "A00011"] {
        w.practice_mut(p).commissioner = Some(cc("00Y"));
    }
    // U00003 (00Y, South Yorkshire) below the floor; U00001 (00X) too.
    w.set_list("A00008", 1_000);
    w.set_list("A00009", 1_000);
    shrink_west_block(&mut w);
    let (m, c) = w.model();
    let r = pcn_rules::check(&m, &c, &w.inputs);
    assert_eq!(with_rule(&r, "size.below-floor").len(), 2);
    let sy = pcn_rules::for_icb(&m, &r, &pcn_core::IcbCode::parse("QF7").unwrap());
    let below: Vec<&str> =
        with_rule(&sy, "size.below-floor").iter().map(|f| f.network.as_ref().unwrap().as_str()).collect();
    assert_eq!(below, ["U00003"]);
    assert!(sy.findings.iter().all(|f| f.commissioner.as_ref().is_none_or(|c| c.as_str() == "00Y")));
    assert_eq!((sy.summary.networks, sy.summary.practices, sy.summary.errors), (1, 4, 1));
    let nenc = pcn_rules::for_icb(&m, &r, &pcn_core::IcbCode::parse("QHM").unwrap());
    assert_eq!((nenc.summary.networks, nenc.summary.practices), (2, 8));
    assert_eq!(with_rule(&nenc, "size.below-floor")[0].network.as_ref().unwrap().as_str(), "U00001");
    let none = pcn_rules::for_icb(&m, &r, &pcn_core::IcbCode::parse("QOQ").unwrap());
    assert_eq!((none.summary.networks, none.summary.errors), (0, 0));
    // The ICB's report is its sub-ICB locations' together.
    let one = pcn_rules::for_commissioner(&m, &r, &cc("00Y"));
    assert_eq!(one.findings, sy.findings);
}

#[test]
fn practice_in_two_networks() {
    let mut w = base();
    w.join("A00005", "U00002");
    let r = w.check();
    let f = with_rule(&r, "coverage.multiple-networks");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].facts["networks"], serde_json::json!(["U00001", "U00002"]));
    assert!(with_rule(&base().check(), "coverage.multiple-networks").is_empty());
}

#[test]
fn non_participants_must_be_covered_by_a_neighbour() {
    let mut w = base();
    w.leave("A00011");
    w.approve(ApprovalKind::NonParticipant, "U00001", Some("A00011"));
    let r = w.check();
    let f = with_rule(&r, "coverage.covering-not-neighbour");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].practices[0].as_str(), "A00011");
    assert!(with_rule(&r, "coverage.uncovered").is_empty(), "covered, just by the wrong network");
    // Covered by its neighbour U00003: all well.
    let mut w = base();
    w.leave("A00011");
    w.approve(ApprovalKind::NonParticipant, "U00003", Some("A00011"));
    let r = w.check();
    assert!(with_rule(&r, "coverage.covering-not-neighbour").is_empty());
    assert!(with_rule(&r, "coverage.uncovered").is_empty());
}

#[test]
fn governance_records() {
    let mut w = base();
    let g = w.inputs.governance.as_mut().unwrap();
    g[0].clinical_director = None;
    g[1].nominated_payee = Some(String::new());
    g[2].agreement_signed = None;
    let r = w.check();
    assert_eq!(with_rule(&r, "governance.no-clinical-director")[0].network.as_ref().unwrap().as_str(), "U00001");
    assert_eq!(with_rule(&r, "governance.no-nominated-payee")[0].network.as_ref().unwrap().as_str(), "U00002");
    assert_eq!(with_rule(&r, "governance.no-network-agreement")[0].network.as_ref().unwrap().as_str(), "U00003");
    // No records at all: not evaluated, and said so.
    w.inputs.governance = None;
    let r = w.check();
    assert!(with_rule(&r, "governance.no-clinical-director").is_empty());
    assert!(r.summary.not_evaluated.iter().any(|n| n.rule == "governance.no-clinical-director"));
}

#[test]
fn core_members_hold_core_contracts() {
    let mut w = base();
    w.practice_mut("A00001").contract_type = Some("OTHER".into());
    w.practice_mut("A00002").contract_type = Some("UNKNOWN".into());
    w.practice_mut("A00003").contract_type = Some("apms".into());
    let r = w.check();
    let f = with_rule(&r, "governance.core-member-contract");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].practices[0].as_str(), "A00001");
}

#[test]
fn list_size_basis_follows_the_year() {
    let mut w = base();
    assert!(with_rule(&w.check(), "listsize.basis").is_empty(), "2019/20 uses 1 January 2019 lists");
    w.inputs.year = Some(pcn_core::FinancialYear::new(2020));
    let r = w.check();
    let f = with_rule(&r, "listsize.basis");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].facts["required"], "2020-01-01");
    assert_eq!(f[0].facts["snapshot"], "2019-01-01");
}

#[test]
fn summary_counts_findings_by_rule() {
    let mut w = base();
    shrink_west_block(&mut w);
    w.join("A00005", "U00002");
    let r = w.check();
    assert_eq!(r.summary.by_rule["size.below-floor"], 1);
    assert_eq!(r.summary.by_rule["coverage.multiple-networks"], 1);
    assert_eq!(r.summary.errors, errors(&r).len());
}

/// A network's findings come in the order its rules run (size, geography,
/// boundary, governance), before any sorting: what-if edits show them so.
#[test]
fn a_network_s_findings_come_in_rule_order() {
    let mut w = base();
    w.leave("A00011");
    w.set_list("A00011", 5_000);
    w.practice_mut("A00011").commissioner = Some(cc("00Y"));
    w.practice_mut("A00011").contract_type = Some("OTHER".into());
    w.network("U00004", "00X", &["A00011"]);
    w.inputs.governance.as_mut().unwrap().retain(|g| g.network.as_str() != "U00004");
    let (m, c) = w.model();
    let n = m.network_index[&nc("U00004")];
    let rules: Vec<&str> = pcn_rules::check_networks(&m, &c, &w.inputs, &[n]).iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            "size.below-floor",
            "size.single-practice",
            "boundary.practice-commissioner",
            "governance.no-clinical-director",
            "governance.no-nominated-payee",
            "governance.no-network-agreement",
            "governance.core-member-contract",
        ]
    );
}
