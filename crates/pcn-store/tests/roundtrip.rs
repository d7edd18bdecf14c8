//! What is saved is what is loaded, to the last field.

use std::path::PathBuf;

use pcn_core::{
    Boundary, CommissionerCode, IcbCode, LonLat, Lsoa, Money, NetworkCode, NetworkPayments, PracticeCode,
    PracticePayments, Snapshot, WorkforceRecord,
};
use pcn_store::{Include, Saved, SourceRecord, Store};

fn fixture_snapshot() -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/small");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    // Care homes: one located by postcode, one by latitude and longitude, one not at all.
    files.push(dir.join("../care_homes/HSCA_Active_Locations.csv"));
    let opts = pcn_nhs::ImportOptions { as_of: Some(time::macros::date!(2021 - 01 - 01)), ..Default::default() };
    let mut snap = pcn_nhs::import_files(&files, &opts).unwrap().snapshot;
    // Side tables the fixtures do not carry.
    let mut items = std::collections::BTreeMap::new();
    items.insert("PCN Participation".to_string(), Money::from_pence(1_234_567));
    items.insert("Global Sum".to_string(), Money::from_pence(-5));
    snap.payments.push(PracticePayments {
        year: pcn_core::FinancialYear::new(2020),
        practice: PracticeCode::parse("A00001").unwrap(),
        network: None,
        commissioner: None,
        contract_type: Some("GMS".into()),
        practice_type: None,
        rurality: Some("Urban".into()),
        dispensing: None,
        close_date: None,
        registered_patients: Some("12000.25".parse().unwrap()),
        weighted_patients: Some("13001.5".parse().unwrap()),
        items,
    });
    let mut l = Lsoa::new("E01000001".into());
    l.ruc_code = Some("A1".into());
    l.imd_decile = Some(3);
    l.centroid = Some(LonLat { lon: -1.25, lat: 54.5 });
    snap.lsoas.push(l);
    // ICB-era fields: a practice's ICB and clinical system, PCN-level
    // payments, and NWRS workforce records of two censuses.
    snap.practices[0].icb = Some(IcbCode::parse("D7T5G").unwrap());
    snap.practices[0].clinical_system = Some("TPP".into());
    let mut items = std::collections::BTreeMap::new();
    items.insert("PCN Leadership".to_string(), Money::from_pence(1_050_000));
    snap.network_payments.push(NetworkPayments {
        year: pcn_core::FinancialYear::new(2024),
        network: NetworkCode::parse("U00001").unwrap(),
        commissioner: Some(CommissionerCode::parse("00X").unwrap()),
        items,
    });
    for (census, fte) in
        [(time::macros::date!(2021 - 03 - 31), "0.986666667"), (time::macros::date!(2022 - 06 - 30), "-0.02")]
    {
        snap.workforce.push(WorkforceRecord {
            census,
            data_source: "NWRS Staff".into(),
            network: NetworkCode::parse("U00001").unwrap(),
            commissioner: Some(CommissionerCode::parse("00X").unwrap()),
            icb: Some(IcbCode::parse("QHM").unwrap()),
            region: None,
            staff_group: "Other Direct Patient Care staff".into(),
            staff_role: "Pharmacists".into(),
            detailed_role: "Clinical Director – Medical".into(),
            fte: fte.parse().unwrap(),
            unique_identifier: "3182".into(),
        });
    }
    snap.boundaries.push(Boundary {
        ons_code: Some("E38000901".into()),
        commissioner: None,
        name: Some("Town".into()),
        geometry_json: "{\"type\":\"Polygon\",\"coordinates\":[]}".into(),
    });
    snap
}

#[tokio::test]
async fn a_snapshot_round_trips_and_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    for target in pcn_store::testing::targets(dir.path(), "a_snapshot_round_trips_and_is_stored_once").await {
        round_trip(&target).await;
    }
}

async fn round_trip(target: &std::path::Path) {
    let store = Store::open_or_create(target).await.unwrap();
    let snap = fixture_snapshot();
    let sources =
        vec![SourceRecord { path: "x.csv".into(), kind: "k".into(), sha256: "00".into(), bytes: 1, records: 2 }];
    let saved = store.save_snapshot(&snap, &sources, "hash-1", "2021-01-02T00:00:00Z").await.unwrap();
    let Saved::New(id) = saved else { panic!("{saved:?}") };
    assert_eq!(store.save_snapshot(&snap, &sources, "hash-1", "later").await.unwrap(), Saved::AlreadyPresent(id));

    let back = store.load_snapshot(id, Include::ALL).await.unwrap();
    let mut want = snap.clone();
    // Loading orders rows by key; compare in that order.
    want.list_sizes
        .sort_by(|a, b| (&a.practice, a.source.as_str(), a.as_of).cmp(&(&b.practice, b.source.as_str(), b.as_of)));
    want.registers.sort_by(|a, b| a.practice.cmp(&b.practice));
    want.memberships.sort_by(|a, b| (&a.practice, &a.network, a.start).cmp(&(&b.practice, &b.network, b.start)));
    assert_eq!(back.practices, want.practices);
    assert_eq!(back.networks, want.networks);
    assert_eq!(back.commissioners, want.commissioners);
    assert_eq!(back.memberships, want.memberships);
    assert_eq!(back.list_sizes, want.list_sizes);
    assert_eq!(back.registers, want.registers);
    assert_eq!(back.payments, want.payments);
    assert_eq!(back.lsoas, want.lsoas);
    assert_eq!(back.boundaries, want.boundaries);
    assert_eq!(want.care_homes.iter().filter(|h| h.location.is_some()).count(), 2);
    assert_eq!(back.care_homes, want.care_homes);
    assert_eq!(back.network_payments, want.network_payments);
    assert_eq!(back.workforce, want.workforce);
    assert_eq!(back, want);

    let summaries = store.snapshots().await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].active_practices, 6);
    assert_eq!(summaries[0].sources, sources);
    assert_eq!(store.latest_snapshot().await.unwrap(), id);
    assert!(matches!(store.resolve_snapshot(Some(id + 1)).await, Err(pcn_store::StoreError::NoSuchSnapshot(_))));
}
