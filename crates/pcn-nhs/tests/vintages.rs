//! The readers on the files of the ICB era (2022–2026), each on a hand-written
//! fixture in its vintage's format (`fixtures/icb_era`), and how files of
//! different dates in one import are weighed.

use std::path::{Path, PathBuf};

use pcn_core::{ListSource, Money, PracticeStatus, Snapshot};
use pcn_nhs::{FileKind, Import, ImportOptions, Parsed, ReadContext, detect, import_files};
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/icb_era").join(name)
}

fn read(p: &Path) -> Parsed {
    let kind = detect(p).unwrap();
    pcn_nhs::read::read(p, kind, &ReadContext::default()).unwrap()
}

fn import(names: &[&str], as_of: Option<Date>) -> Import {
    let files: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    import_files(&files, &ImportOptions { as_of, ..Default::default() }).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// (practice, network) of the memberships in force on the snapshot's date.
fn in_force(s: &Snapshot) -> Vec<(String, String)> {
    let mut v: Vec<_> = s.current_memberships().map(|m| (m.practice.to_string(), m.network.to_string())).collect();
    v.sort();
    v
}

fn pair(p: &str, n: &str) -> (String, String) {
    (p.to_string(), n.to_string())
}

struct Temp(tempfile::TempDir);

impl Temp {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, body: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }
}

#[test]
fn epraccur_of_2025_keeps_england_and_counts_wales() {
    let p = fixture("fx_epraccur_2025-05.csv");
    assert_eq!(detect(&p).unwrap(), FileKind::Epraccur);
    let (parsed, notes) = pcn_nhs::read::read_noted(&p, FileKind::Epraccur, &ReadContext::default()).unwrap();
    let Parsed::Epraccur { practices, others } = parsed else { panic!() };
    let codes: Vec<&str> = practices.iter().map(|r| r.practice.code.as_str()).collect();
    assert_eq!(codes, ["B10001", "B10002", "B10003", "B10004", "B10005", "B10006", "B10008"]);
    assert_eq!(practices.iter().filter(|r| r.practice.is_active_gp()).count(), 6);
    // Commissioners of three and five characters; column 4 is the ICB.
    assert_eq!(practices[0].practice.commissioner.as_ref().unwrap().as_str(), "01X");
    assert_eq!(practices[5].practice.commissioner.as_ref().unwrap().as_str(), "X2Y3Z");
    assert_eq!(practices[0].practice.icb.as_ref().unwrap().as_str(), "QX1");
    // The defence medical centre (Y99/Q99, commissioner 13Q) is English: kept aside, not dropped.
    assert_eq!(others.keys().map(|c| c.as_str()).collect::<Vec<_>>(), ["B10099"]);
    assert_eq!(notes.left_out.len(), 2, "{notes:?}");
    assert_eq!(notes.left_out[0].count, 2);
    assert!(notes.left_out[0].what.contains("1 of them active") && notes.left_out[0].what.contains("W00"));
    assert_eq!(notes.left_out[1].count, 1);

    let imp = import(&["fx_epraccur_2025-05.csv"], Some(date!(2025 - 05 - 01)));
    assert!(imp.snapshot.practices.iter().all(|p| !p.code.as_str().starts_with('W')));
    let left: Vec<(usize, &str)> = imp.notes.left_out.iter().map(|l| (l.count, l.file.as_str())).collect();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|(_, f)| f.ends_with("fx_epraccur_2025-05.csv")));
    // The commissioner's parent ICB is the practices' column 4.
    let c = imp.snapshot.commissioners.iter().find(|c| c.code.as_str() == "X2Y3Z").unwrap();
    assert_eq!(c.parent.as_ref().unwrap().as_str(), "QX1");
}

#[test]
fn epcn_workbook_of_april_2022_ccg_headers_and_history() {
    let p = fixture("fx_ePCN_2022-04.xlsx");
    assert_eq!(detect(&p).unwrap(), FileKind::EpcnWorkbook);
    let Parsed::Epcn(e) = read(&p) else { panic!() };
    assert_eq!((e.networks.len(), e.partners.len()), (4, 9));
    // Dates written as text, as a number and as an Excel date all read; empty strings are no date.
    let hill = e.networks.iter().find(|n| n.code.as_str() == "U10001").unwrap();
    assert_eq!((hill.open_date, hill.close_date), (Some(date!(2019 - 10 - 01)), None));
    let vale = e.networks.iter().find(|n| n.code.as_str() == "U10002").unwrap();
    assert_eq!(vale.close_date, Some(date!(2021 - 03 - 31)));
    let b4 = e.partners.iter().find(|m| m.practice.as_str() == "B10004").unwrap();
    assert_eq!(b4.start, Some(date!(2021 - 04 - 01)));
    assert_eq!(e.partners.iter().filter(|m| m.end.is_some()).count(), 3);
    assert_eq!(hill.commissioner.as_ref().unwrap().as_str(), "01X");
    assert_eq!(e.commissioners[&hill.commissioner.clone().unwrap()].name.as_deref(), Some("NHS TOWNHAM CCG"));
    assert_eq!(e.latest_date, Some(date!(2022 - 05 - 01)), "a start scheduled after the release");

    // The snapshot keeps the history and says what is in force on its date.
    let imp = import(&["fx_ePCN_2022-04.xlsx"], Some(date!(2022 - 04 - 27)));
    let s = &imp.snapshot;
    assert_eq!((s.networks.len(), s.memberships.len()), (4, 9));
    assert_eq!(s.open_networks().count(), 3, "VALE PCN closed on 31 March 2021");
    assert_eq!(
        in_force(s),
        [
            pair("B10001", "U10001"),
            pair("B10002", "U10003"),
            pair("B10003", "U10001"),
            pair("B10004", "U10003"),
            pair("B10005", "U10004")
        ],
        "B10006 joins on 1 May, B10008 left in September 2021"
    );
}

#[test]
fn epcn_workbook_of_january_2023_sub_icb_headers() {
    let Parsed::Epcn(e) = read(&fixture("fx_ePCN_2023-01.xlsx")) else { panic!() };
    assert_eq!((e.networks.len(), e.partners.len()), (4, 10));
    assert_eq!(e.latest_date, Some(date!(2023 - 01 - 01)));
    let b6: Vec<_> = e.partners.iter().filter(|m| m.practice.as_str() == "B10006").collect();
    assert_eq!(b6.len(), 2);
    assert_eq!(b6[0].practice_commissioner.as_ref().unwrap().as_str(), "X2Y3Z");
    assert_eq!(b6[1].network_commissioner.as_ref().unwrap().as_str(), "01X");
    let x = e.commissioners.iter().find(|(c, _)| c.as_str() == "X2Y3Z").unwrap().1;
    assert_eq!(x.name.as_deref(), Some("NHS NORTH RIVER ICB - X2Y3Z"));
    // One history, any date: B10006 in RIVER in June 2022, in HILL from 2023.
    let june = import(&["fx_ePCN_2023-01.xlsx"], Some(date!(2022 - 06 - 01)));
    assert!(in_force(&june.snapshot).contains(&pair("B10006", "U10003")));
    let feb = import(&["fx_ePCN_2023-01.xlsx"], Some(date!(2023 - 02 - 01)));
    assert!(in_force(&feb.snapshot).contains(&pair("B10006", "U10001")));
    assert_eq!(in_force(&feb.snapshot).len(), 6);
}

#[test]
fn epcn_csv_exports_read_as_the_workbook() {
    let details = fixture("ePCN_2023-01_PCNDetails.csv");
    let partners = fixture("ePCN_2023-01_PCN_Core_Partner_Details.csv");
    assert_eq!(detect(&details).unwrap(), FileKind::EpcnDetails);
    assert_eq!(detect(&partners).unwrap(), FileKind::EpcnPartners);
    let as_of = Some(date!(2023 - 01 - 26));
    let csv = import(&["ePCN_2023-01_PCNDetails.csv", "ePCN_2023-01_PCN_Core_Partner_Details.csv"], as_of);
    let xlsx = import(&["fx_ePCN_2023-01.xlsx"], as_of);
    assert_eq!(csv.snapshot, xlsx.snapshot);
}

#[test]
fn an_epcn_column_of_no_known_vintage_is_named_not_guessed() {
    let t = Temp::new();
    let text = std::fs::read_to_string(fixture("ePCN_2023-01_PCNDetails.csv")).unwrap();
    let changed = text.replacen("Current Sub ICB Loc Code", "Current ICB Code", 1);
    let p = t.write("details.csv", changed);
    let err = pcn_nhs::read::read(&p, FileKind::EpcnDetails, &ReadContext::default()).unwrap_err().to_string();
    assert!(err.contains("line 1, field CURRENT ICB CODE") && err.contains("column 3"), "{err}");
}

#[test]
fn practice_maps_with_the_ccg_and_the_sub_icb_headers() {
    let p = fixture("fx_gp-reg-pat-prac-map_2026-01.csv");
    assert_eq!(detect(&p).unwrap(), FileKind::PracticeMap);
    let Parsed::PracticeMap(m) = read(&p) else { panic!() };
    assert_eq!(m.extract_date, date!(2026 - 01 - 01));
    assert_eq!(m.rows.len(), 7);
    let b6 = m.rows.iter().find(|r| r.practice.as_str() == "B10006").unwrap();
    assert_eq!((b6.network.as_ref(), b6.network_name.as_ref()), (None, None), "U is unallocated");
    assert_eq!(b6.clinical_system.as_deref(), Some("EMIS"));
    assert_eq!(b6.commissioner.as_str(), "X2Y3Z");
    let f = &m.commissioners[&b6.commissioner];
    assert_eq!(f.ons_code.as_deref(), Some("E38000992"));
    assert_eq!(f.parent.as_ref().unwrap().as_str(), "QX1");
    assert_eq!(f.parent_name.as_deref(), Some("NHS North River Integrated Care Board"));
    assert_eq!(f.region.as_ref().unwrap().as_str(), "Y63");

    let old = fixture("gp-reg-pat-prac-map_2022-04.csv");
    assert_eq!(detect(&old).unwrap(), FileKind::PracticeMap);
    let Parsed::PracticeMap(m) = read(&old) else { panic!() };
    assert_eq!(m.extract_date, date!(2022 - 04 - 01));
    assert_eq!(m.rows.iter().filter(|r| r.network.is_some()).count(), 5);
    assert!(m.rows.iter().all(|r| r.clinical_system.is_none()));
    let f = m.commissioners.iter().find(|(c, _)| c.as_str() == "01X").unwrap().1;
    assert_eq!((f.name.as_deref(), f.parent_name.as_deref()), (Some("NHS Townham CCG"), Some("North River STP")));
}

#[test]
fn a_map_alone_is_a_snapshot_of_practices_networks_and_commissioners() {
    let imp = import(&["fx_gp-reg-pat-prac-map_2026-01.csv"], None);
    let s = &imp.snapshot;
    assert_eq!(s.as_of, Some(date!(2026 - 01 - 01)), "dated by its extract date");
    assert_eq!(s.practices.len(), 7);
    assert!(s.practices.iter().all(|p| p.status == PracticeStatus::Active), "practices with patients are open");
    assert_eq!(s.memberships.len(), 6);
    let codes: Vec<&str> = s.networks.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["U10001", "U10003", "U10005"]);
    assert!(s.networks.iter().all(|n| n.commissioner.is_some()), "the members' majority");
    let b2 = s.practices.iter().find(|p| p.code.as_str() == "B10002").unwrap();
    assert_eq!((b2.postcode.as_deref(), b2.clinical_system.as_deref()), (Some("NE1 2AB"), Some("EMIS")));
    let c = s.commissioners.iter().find(|c| c.code.as_str() == "01X").unwrap();
    assert_eq!(c.parent.as_ref().unwrap().as_str(), "QX1");
    assert_eq!(c.region_name.as_deref(), Some("North East and Yorkshire"));
    assert_eq!(c.ons_code.as_deref(), Some("E38000991"));
}

#[test]
fn memberships_come_from_the_latest_register_on_or_before_the_snapshot() {
    let files = [
        "fx_epraccur_2025-05.csv",
        "fx_ePCN_2023-01.xlsx",
        "gp-reg-pat-prac-map_2022-04.csv",
        "fx_gp-reg-pat-prac-map_2026-01.csv",
    ];
    let used = |imp: &Import| -> Vec<(String, usize)> {
        imp.notes
            .provenance
            .iter()
            .filter(|p| p.topic == "memberships")
            .map(|p| (Path::new(&p.file).file_name().unwrap().to_string_lossy().to_string(), p.used))
            .collect()
    };
    // 2026: the January 2026 map. The ePCN's closed VALE PCN stays as history;
    // its EAST PCN, which the map no longer names, is left out and counted.
    let now = import(&files, Some(date!(2026 - 02 - 01)));
    let s = &now.snapshot;
    assert_eq!(s.memberships.len(), 6);
    assert!(in_force(s).contains(&pair("B10005", "U10003")));
    assert!(in_force(s).contains(&pair("B10007", "U10005")));
    let nets: Vec<&str> = s.networks.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(nets, ["U10001", "U10002", "U10003", "U10005"]);
    assert_eq!(s.networks[1].close_date, Some(date!(2021 - 03 - 31)));
    assert_eq!(s.networks[0].postcode.as_deref(), Some("NE1 1AA"), "network facts from the ePCN");
    let b7 = s.practices.iter().find(|p| p.code.as_str() == "B10007").unwrap();
    assert_eq!(b7.status, PracticeStatus::Active, "in the map, not yet in epraccur");
    let mut u = used(&now);
    u.sort();
    assert_eq!(
        u,
        [
            ("fx_ePCN_2023-01.xlsx".to_string(), 0),
            ("fx_gp-reg-pat-prac-map_2026-01.csv".to_string(), 6),
            ("gp-reg-pat-prac-map_2022-04.csv".to_string(), 0)
        ]
    );
    assert!(now.notes.left_out.iter().any(|l| l.count == 1 && l.what.contains("networks open in the ePCN")));
    // 2023: the ePCN (its latest change, 1 January 2023); the 2026 map is later.
    let then = import(&files, Some(date!(2023 - 06 - 01)));
    assert_eq!(then.snapshot.memberships.len(), 10);
    assert!(in_force(&then.snapshot).contains(&pair("B10005", "U10004")));
    assert!(used(&then).contains(&("fx_ePCN_2023-01.xlsx".to_string(), 10)));
    // May 2022: the April 2022 map is the latest on or before; the ePCN of 2023 is later.
    let may = import(&files, Some(date!(2022 - 05 - 01)));
    assert_eq!(may.snapshot.memberships.len(), 5);
    assert!(used(&may).contains(&("gp-reg-pat-prac-map_2022-04.csv".to_string(), 5)));
    // Before every file: the earliest after.
    let early = import(&files, Some(date!(2019 - 01 - 01)));
    assert!(used(&early).contains(&("gp-reg-pat-prac-map_2022-04.csv".to_string(), 5)));
    // Argument order never matters.
    let mut reversed: Vec<PathBuf> = files.iter().map(|f| fixture(f)).collect();
    reversed.reverse();
    let again =
        import_files(&reversed, &ImportOptions { as_of: Some(date!(2026 - 02 - 01)), ..Default::default() }).unwrap();
    assert_eq!(again.snapshot, now.snapshot);
    assert_eq!(again.content_hash, now.content_hash);
    // Without --as-of the snapshot is dated by the latest extract.
    assert_eq!(import(&files, None).snapshot.as_of, Some(date!(2026 - 01 - 01)));
}

#[test]
fn two_maps_of_one_extract_date_are_refused() {
    let t = Temp::new();
    let text = std::fs::read_to_string(fixture("fx_gp-reg-pat-prac-map_2026-01.csv")).unwrap();
    let copy = t.write("copy.csv", text.replace("HILLSIDE SURGERY", "HILLSIDE"));
    let err =
        import_files(&[fixture("fx_gp-reg-pat-prac-map_2026-01.csv"), copy], &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("second") && err.to_string().contains("extract date 2026-01-01"), "{err}");
}

#[test]
fn registrations_of_every_extract_date_form() {
    for (name, want, rows) in [
        ("gp-reg-pat-prac-all_2020-09.csv", date!(2020 - 09 - 01), 2),
        ("gp-reg-pat-prac-all_2025-10.csv", date!(2025 - 10 - 01), 2),
        ("gp-reg-pat-prac-all_2026-04.csv", date!(2026 - 04 - 01), 7),
    ] {
        let p = fixture(name);
        assert_eq!(detect(&p).unwrap(), FileKind::Registrations);
        let Parsed::Registrations { extract_date, rows: r } = read(&p) else { panic!() };
        assert_eq!((extract_date, r.len()), (want, rows), "{name}");
        assert!(r[0].commissioner.is_some() && r[0].commissioner_ons.is_some(), "{name}");
    }
    let imp = import(&["gp-reg-pat-prac-all_2026-04.csv"], None);
    assert_eq!(imp.snapshot.as_of, Some(date!(2026 - 04 - 01)));
    let b7 = imp.snapshot.registered_lists().into_iter().find(|(p, _)| p.as_str() == "B10007").unwrap().1;
    assert_eq!(b7.0, Decimal::from(3000), "the ALL/ALL row only");
}

#[test]
fn a_registrations_column_of_no_known_release_is_named() {
    let t = Temp::new();
    let text = std::fs::read_to_string(fixture("gp-reg-pat-prac-all_2025-10.csv")).unwrap();
    let p = t.write("reg.csv", text.replacen("ONS_SUB_ICB_LOCATION_CODE", "ONS_ICB_CODE", 1));
    let err = pcn_nhs::read::read(&p, FileKind::Registrations, &ReadContext::default()).unwrap_err().to_string();
    assert!(err.contains("line 1, field ONS ICB CODE") && err.contains("column 5"), "{err}");
}

#[test]
fn qof_mappings_and_prevalence_of_the_icb_era() {
    for (name, rows) in [("qof_2122_MAPPING_NHS_GEOGRAPHIES.csv", 2), ("fx_qof_2223_MAPPING_NHS_GEOGRAPHIES.csv", 5)] {
        let p = fixture(name);
        assert_eq!(detect(&p).unwrap(), FileKind::QofMapping);
        let Parsed::QofMapping(q) = read(&p) else { panic!() };
        assert_eq!(q.memberships.len(), rows, "{name}: U (unallocated) is no membership");
        let f = q.commissioners.iter().find(|(c, _)| c.as_str() == "X2Y3Z").unwrap().1;
        assert_eq!(f.parent.as_ref().unwrap().as_str(), "QX1");
        assert_eq!(f.parent_name.as_deref(), Some("NHS North River Integrated Care Board"), "trailing space trimmed");
        assert_eq!(f.ons_code.as_deref(), Some("E38000992"));
    }
    let Parsed::QofMapping(q) = read(&fixture("fx_qof_2223_MAPPING_NHS_GEOGRAPHIES.csv")) else { panic!() };
    assert_eq!(q.memberships[0].network_name.as_deref(), Some("Hill PCN"));
    assert_eq!(q.memberships[0].practice_name.as_deref(), Some("Hillside Surgery"));

    let p = fixture("fx_qof_2223_PREVALENCE.csv");
    let Parsed::QofPrevalence(q) = read(&p) else { panic!() };
    assert_eq!(q.year.unwrap().to_string(), "2022/23");
    assert_eq!(q.registers[0].register, 112, "written 112.0");
    assert_eq!(q.list_sizes.len(), 6);
    let imp =
        import(&["fx_qof_2223_PREVALENCE.csv", "fx_qof_2223_MAPPING_NHS_GEOGRAPHIES.csv"], Some(date!(2023 - 03 - 31)));
    let lists = imp.snapshot.registered_lists();
    let (n, ls) = lists.iter().find(|(p, _)| p.as_str() == "B10001").unwrap().1;
    assert_eq!((*n, ls.as_of, ls.source), (Decimal::from(12000), date!(2023 - 01 - 01), ListSource::Qof));
    assert_eq!(imp.snapshot.memberships.len(), 5);
}

#[test]
fn payments_of_2022_23_and_2024_25_practice_files() {
    let p = fixture("nhspaymentsgp-22-23-prac-csv.csv");
    assert_eq!(detect(&p).unwrap(), FileKind::Payments);
    let Parsed::Payments { year, rows } = read(&p) else { panic!() };
    assert_eq!(year.to_string(), "2022/23");
    assert_eq!(rows[0].commissioner.as_ref().unwrap().as_str(), "01X");
    assert_eq!(rows[0].registered_patients, Some(dec("12010.25")));
    assert_eq!(rows[0].weighted_patients, Some(dec("13100.5")));
    assert_eq!(rows[0].items["Global Sum"], Money::from_pence(100_000_050));
    assert_eq!(rows[0].items["PCN Enhanced Access"], Money::from_pence(3_000_000));
    assert!(!rows[0].items.contains_key("Services for Violent Patients"), "a payment, zero here");
    assert!(!rows[0].items.keys().any(|k| k.starts_with("Average")));
    assert_eq!(rows[1].network, None, "Unknown or no PCN");
    assert_eq!(rows[1].items["winter Access Fund"], Money::from_pence(100_000));

    let p = fixture("nhspaymentsgp-24-25-prac-csv.csv");
    let Parsed::Payments { year, rows } = read(&p) else { panic!() };
    assert_eq!(year.to_string(), "2024/25");
    assert_eq!(rows[0].items["Respiratory Syncytial Virus"], Money::from_pence(250_075));
    assert_eq!(rows[0].commissioner.as_ref().unwrap().as_str(), "01X");
    assert_eq!(rows[1].contract_type.as_deref(), Some("Unknown"));
    assert_eq!(rows[1].weighted_patients, Some(dec("1600.25")));
    assert!(!rows[0].items.keys().any(|k| k.starts_with("PCN ") && k != "PCN Participation"));
}

#[test]
fn two_payments_files_of_one_year_are_refused() {
    let t = Temp::new();
    let text = std::fs::read_to_string(fixture("nhspaymentsgp-24-25-prac-csv.csv")).unwrap();
    let copy = t.write("payments-2024-25.csv", text.replace("B10007", "B10009"));
    let err = import_files(&[fixture("nhspaymentsgp-24-25-prac-csv.csv"), copy], &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("second NHS payments to general practice file for the same year 2024/25"), "{err}");
}

#[test]
fn pcn_level_payments_of_2024_25() {
    let p = fixture("nhspaymentsgp-24-25-pcn-csv.csv");
    assert_eq!(detect(&p).unwrap(), FileKind::NetworkPayments);
    let imp =
        import(&["nhspaymentsgp-24-25-pcn-csv.csv", "nhspaymentsgp-24-25-prac-csv.csv"], Some(date!(2025 - 03 - 31)));
    let rows = &imp.snapshot.network_payments;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].year.to_string(), "2024/25");
    assert_eq!(rows[0].network.as_str(), "U10001");
    assert_eq!(rows[0].commissioner.as_ref().unwrap().as_str(), "01X");
    assert_eq!(rows[0].items["PCN Leadership"], Money::from_pence(1_100_050));
    assert_eq!(rows[0].items["PCN Workforce"], Money::from_pence(65_000_025));
    assert!(!rows[0].items.contains_key("PCN Extended Hours Access"), "zero is not stored");
    assert_eq!(imp.snapshot.payments.len(), 2);
}

#[test]
fn a_payments_column_that_is_not_money_and_not_known_is_named() {
    let t = Temp::new();
    let text = std::fs::read_to_string(fixture("nhspaymentsgp-24-25-prac-csv.csv")).unwrap();
    for (from, to, field) in [
        ("Average Number of Weighted Patients", "Weighted Patients Average", "WEIGHTED PATIENTS AVERAGE"),
        ("Sub ICB Name", "Sub ICB Location Type", "SUB ICB LOCATION TYPE"),
        ("Practice Open Date", "Practice Opened On Date", "PRACTICE OPENED ON DATE"),
    ] {
        let p = t.write("nhspaymentsgp-24-25-prac-csv.csv", text.replacen(from, to, 1));
        let err = pcn_nhs::read::read(&p, FileKind::Payments, &ReadContext::default()).unwrap_err().to_string();
        assert!(err.contains(&format!("line 1, field {field}")) && err.contains("not one pcn knows"), "{err}");
    }
    // A new payment is money, kept by its published name.
    let p = t.write(
        "nhspaymentsgp-24-25-prac-csv.csv",
        text.replacen("Respiratory Syncytial Virus", "Digital Telephony", 1),
    );
    let Parsed::Payments { rows, .. } = read(&p) else { panic!() };
    assert_eq!(rows[0].items["Digital Telephony"], Money::from_pence(250_075));
}

#[test]
fn nwrs_workforce_in_windows_1252_and_utf_8() {
    let p = fixture("fx_pcn_workforce_individual_2022-06.csv");
    assert!(std::str::from_utf8(&std::fs::read(&p).unwrap()).is_err(), "the fixture is Windows-1252");
    assert_eq!(detect(&p).unwrap(), FileKind::Workforce);
    let (parsed, notes) = pcn_nhs::read::read_noted(&p, FileKind::Workforce, &ReadContext::default()).unwrap();
    let Parsed::Workforce(w) = parsed else { panic!() };
    assert_eq!(w.census, date!(2022 - 06 - 30));
    assert_eq!(w.records.len(), 5, "the published duplicate is kept");
    let cd = &w.records[2];
    assert_eq!(cd.detailed_role, "Clinical Director – Medical");
    assert_eq!((cd.staff_group.as_str(), cd.staff_role.as_str()), ("Managers", "Medical Clinical Director"));
    assert_eq!(cd.unique_identifier, "54010");
    assert_eq!(cd.commissioner.as_ref().unwrap().as_str(), "01X");
    assert_eq!(cd.icb.as_ref().unwrap().as_str(), "QX1");
    assert_eq!(w.records[3].data_source, "NWRS contracted services");
    let fte: Decimal = w.records.iter().map(|r| r.fte).sum();
    assert_eq!(fte, dec("4.623333333"));
    assert!(notes.warnings.iter().any(|n| n.contains("below zero") && n.contains("line 6")), "{notes:?}");

    let imp = import(&["fx_pcn_workforce_individual_2022-06.csv", "fx_pcn_workforce_individual_2021-03.csv"], None);
    assert_eq!(imp.snapshot.as_of, Some(date!(2022 - 06 - 30)), "dated by the latest census");
    let censuses: Vec<Date> = imp.snapshot.workforce.iter().map(|w| w.census).collect();
    assert_eq!(censuses, [[date!(2021 - 03 - 31); 2].as_slice(), &[date!(2022 - 06 - 30); 5]].concat());
    assert_eq!(imp.snapshot.workforce[0].detailed_role, "Clinical Director – Medical", "UTF-8 too");
}

#[test]
fn a_workforce_census_imported_twice_is_refused() {
    let t = Temp::new();
    let bytes = std::fs::read(fixture("fx_pcn_workforce_individual_2021-03.csv")).unwrap();
    let copy =
        t.write("w.csv", [bytes.as_slice(), b"NWRS Staff,2021,3,U10001,X,01X,X,QX1,X,Y63,X,G,R,D,1,9\r\n"].concat());
    let err = import_files(&[fixture("fx_pcn_workforce_individual_2021-03.csv"), copy], &ImportOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("census 2021-03-31"), "{err}");
}

#[test]
fn sub_icb_and_icb_boundaries_link_by_ons_code_or_name_suffix() {
    let imp = import(
        &[
            "fx_subicb_2022-07_boundaries.geojson",
            "fx_icb_2022-07_boundaries.geojson",
            "fx_gp-reg-pat-prac-map_2026-01.csv",
        ],
        None,
    );
    let b = &imp.snapshot.boundaries;
    assert_eq!(b.len(), 3);
    let by_ons = |ons: &str| b.iter().find(|x| x.ons_code.as_deref() == Some(ons)).unwrap();
    assert_eq!(by_ons("E38000991").commissioner.as_ref().unwrap().as_str(), "01X", "the map's ONS code");
    // E38000993 is in no file: the ODS code is the suffix of the name.
    assert_eq!(by_ons("E38000993").commissioner.as_ref().unwrap().as_str(), "X2Y3Z");
    let icb = by_ons("E54000099");
    assert_eq!((icb.commissioner.as_ref(), icb.name.as_deref()), (None, Some("NHS North River Integrated Care Board")));
}

#[test]
fn coordinates_take_the_newest_release_on_or_before_the_snapshot() {
    let files = ["codepoint_2025.csv", "codepoint_2020.csv", "fx_gp-reg-pat-prac-map_2026-01.csv"];
    let at = |imp: &Import, code: &str| {
        imp.snapshot.practices.iter().find(|p| p.code.as_str() == code).unwrap().location.map(|l| l.easting)
    };
    let now = import(&files, Some(date!(2026 - 02 - 01)));
    assert_eq!(at(&now, "B10001"), Some(424_100.0), "NE1 1AA moved in the 2025 release");
    assert_eq!(at(&now, "B10007"), Some(434_000.0), "NE6 7LM is new in 2025");
    assert_eq!(at(&now, "B10004"), Some(432_000.0), "a 2018 position the later files do not repeat");
    assert_eq!(at(&now, "B10006"), None);
    let used: Vec<(String, usize)> = now
        .notes
        .provenance
        .iter()
        .filter(|p| p.topic == "coordinates")
        .map(|p| (Path::new(&p.file).file_name().unwrap().to_string_lossy().to_string(), p.used))
        .collect();
    assert_eq!(used, [("codepoint_2020.csv".to_string(), 4), ("codepoint_2025.csv".to_string(), 2)]);
    // A snapshot of 2021 takes the 2020 release where it has the postcode.
    let then = import(&files, Some(date!(2021 - 01 - 01)));
    assert_eq!(at(&then, "B10001"), Some(424_000.0));
    assert_eq!(at(&then, "B10007"), Some(434_000.0), "only the later release has it");
}

#[test]
fn a_windows_1252_first_line_is_detected_and_read() {
    // A CQC directory saved from its sheet with a title row in Windows-1252 ("–" is 0x96).
    let t = Temp::new();
    let text = std::fs::read(fixture("../care_homes/HSCA_Active_Locations.csv")).unwrap();
    let p = t.write("cqc.csv", [b"HSCA Active Locations \x96 1 January 2021\r\n".as_slice(), &text].concat());
    assert_eq!(detect(&p).unwrap(), FileKind::CareHomes);
    let Parsed::CareHomes(homes) = read(&p) else { panic!() };
    assert_eq!(homes.len(), 3);
}
