//! Each reader on the variants of its format seen in the wild.

use std::path::PathBuf;

use pcn_core::{ListSource, Money, PracticeStatus};
use pcn_nhs::{FileKind, ImportOptions, Parsed, ReadContext, detect, import_files};
use rust_decimal::Decimal;
use time::macros::date;

struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, body: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }
}

fn read(p: &std::path::Path) -> Parsed {
    let kind = detect(p).unwrap();
    pcn_nhs::read::read(p, kind, &ReadContext::default()).unwrap()
}

#[test]
fn registrations_header_and_date_variants() {
    let f = Files::new();
    for (header, date_text, want) in [
        (
            "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS",
            "01JAN2021",
            date!(2021 - 01 - 01),
        ),
        (
            "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS",
            "01-Apr-20",
            date!(2020 - 04 - 01),
        ),
        (
            "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS",
            "2024-06-01",
            date!(2024 - 06 - 01),
        ),
    ] {
        let p = f.write(
            "reg.csv",
            &format!(
                "{header}\nGP_PRAC_PAT_LIST,{date_text},GP,D4U1Y,E38000999,A81001,TS181HU,ALL,ALL,5000\n\
                 GP_PRAC_PAT_LIST,{date_text},GP,D4U1Y,E38000999,A81001,TS181HU,MALE,ALL,2400\n"
            ),
        );
        assert_eq!(detect(&p).unwrap(), FileKind::Registrations);
        let Parsed::Registrations { extract_date, rows } = read(&p) else { panic!() };
        assert_eq!(extract_date, want);
        assert_eq!(rows.len(), 1, "only the ALL/ALL row");
        assert_eq!(rows[0].commissioner.as_ref().unwrap().as_str(), "D4U1Y");
        assert_eq!(rows[0].postcode.as_deref(), Some("TS18 1HU"));
        assert_eq!(rows[0].patients, 5000);
    }
}

#[test]
fn registrations_without_commissioner_columns() {
    let f = Files::new();
    let p = f.write("reg.csv", "PUBLICATION,EXTRACT_DATE,CODE,NUMBER_OF_PATIENTS\nX,01JAN2021,A81001,7\n");
    let Parsed::Registrations { rows, .. } = read(&p) else { panic!() };
    assert_eq!(rows[0].commissioner, None);
}

#[test]
fn epraccur_with_a_dse_header_and_stray_whitespace() {
    let f = Files::new();
    let header = "Organisation Code,Name,National Grouping,High Level Health Geography,Address Line 1,Address Line 2,Address Line 3,Address Line 4,Address Line 5,Postcode,Open Date,Close Date,Status Code,Organisation Sub-Type Code,Commissioner,Join Provider/Purchaser Date,Left Provider/Purchaser Date,Contact Telephone Number,Null 1,Null 2,Null 3,Amended Record Indicator,Null 4,Provider/Purchaser,Null 5,Prescribing Setting,Null 6";
    let row = " A81001 ,THE DENSHAM SURGERY,Y63,Q74,THE HEALTH CENTRE,,STOCKTON,,, TS18 1HU ,19740401,,A,B,00K,20130401,,01642,,,,0,,00K,, 4 ,";
    let walk_in = "Y01234,A WALK IN CENTRE,Y63,Q74,,,,,,TS1 1AA,19740401,,A,B,00K,20130401,,,,,,0,,00K,,1,";
    let p = f.write("dse.csv", &format!("{header}\r\n{row}\r\n{walk_in}\r\n"));
    assert_eq!(detect(&p).unwrap(), FileKind::Epraccur);
    let Parsed::Epraccur { practices, others } = read(&p) else { panic!() };
    assert_eq!(practices.len(), 1);
    let p0 = &practices[0].practice;
    assert_eq!(p0.code.as_str(), "A81001");
    assert_eq!(p0.postcode.as_deref(), Some("TS18 1HU"));
    assert_eq!(p0.status, PracticeStatus::Active);
    assert_eq!(p0.open_date, Some(date!(1974 - 04 - 01)));
    assert_eq!(practices[0].region.as_ref().unwrap().as_str(), "Y63");
    assert_eq!(others.len(), 1, "the walk-in centre is kept aside, not as a GP practice");
}

#[test]
fn onspd_columns_and_placeholder_grid_references() {
    let f = Files::new();
    let p = f.write(
        "onspd.csv",
        "pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,osgrdind,lat,long\n\
         TS181HU,TS18 1HU,TS18 1HU,198001,,444136,518701,1,54.561625,-1.318986\n\
         ZZ991ZZ,ZZ99 1ZZ,ZZ99 1ZZ,198001,,,,9,99.999999,0.000000\n",
    );
    assert_eq!(detect(&p).unwrap(), FileKind::Coordinates);
    let Parsed::Coordinates(c) = read(&p) else { panic!() };
    assert_eq!(c.len(), 1, "osgrdind 9 rows carry no real position");
    assert_eq!(c["TS18 1HU"].easting, 444136.0);
}

#[test]
fn coordinates_outside_britain_are_refused() {
    let f = Files::new();
    let p = f.write("c.csv", "POSTCODE,EASTING,NORTHING,LAT,LON\nTS18 1HU,444136,518701,10.0,-1.3\n");
    let err = pcn_nhs::read::read(&p, FileKind::Coordinates, &ReadContext::default()).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(err.to_string().contains("not in Great Britain"), "{err}");
}

#[test]
fn payments_keep_every_money_column_in_pence() {
    let f = Files::new();
    let p = f.write(
        "nhspaymentsgp-20-21-prac-csv.csv",
        "NHS England (Region) code,CCG Code,PCN Code,Practice Code,Practice Close Date,Contract Type,\
         Number of Registered Patients (Last Known Figure),Number of Weighted Patients (Last Known Figure),\
         Average payments per registered patient,Global Sum,PCN Participation,\"Appraisal Costs \",PCN Leadership\r\n\
         Y63,00K,U12345,A81001,,GMS,4111.25,4400.5,120.1,\"£1,000.50\",7749.28,0,\r\n\
         Y63,00K,Unknown or no PCN,A81002,31/03/2021,APMS,10,12,1,5,,,-3.005\r\n",
    );
    assert_eq!(detect(&p).unwrap(), FileKind::Payments);
    let Parsed::Payments { year, rows } = read(&p) else { panic!() };
    assert_eq!(year.to_string(), "2020/21");
    assert_eq!(rows[0].network.as_ref().unwrap().as_str(), "U12345");
    assert_eq!(rows[0].items["Global Sum"], Money::from_pence(100_050));
    assert_eq!(rows[0].items["PCN Participation"], Money::from_pence(774_928));
    assert!(!rows[0].items.contains_key("Appraisal Costs"), "zero amounts are not stored");
    assert!(!rows[0].items.contains_key("Average payments per registered patient"));
    assert_eq!(rows[0].weighted_patients, Some("4400.5".parse::<Decimal>().unwrap()));
    assert_eq!(rows[1].network, None);
    assert_eq!(rows[1].close_date, Some(date!(2021 - 03 - 31)));
    assert_eq!(rows[1].items["PCN Leadership"], Money::from_pence(-301));
}

#[test]
fn payments_year_must_be_known() {
    let f = Files::new();
    let p = f.write(
        "payments.csv",
        "Practice Code,Number of Weighted Patients (Last Known Figure),Global Sum\nA81001,1,1\n",
    );
    let err = pcn_nhs::read::read(&p, FileKind::Payments, &ReadContext::default()).unwrap_err();
    assert!(err.to_string().contains("--payments-year"), "{err}");
    let ctx = ReadContext { payments_year: Some(pcn_core::FinancialYear::new(2019)), ..Default::default() };
    assert!(pcn_nhs::read::read(&p, FileKind::Payments, &ctx).is_ok());
}

#[test]
fn lsoa_lookups_merge_by_code() {
    let f = Files::new();
    let ruc = f.write(
        "ruc.csv",
        "lsoa,LSOA11NM,RUC11CD,RUC11,OBJECTID\nE01000001,City of London 001A,A1,Urban major conurbation,0\n",
    );
    let imd = f.write(
        "imd.csv",
        "LSOA_CODE,MSOA_CODE,PCON_CODE,PCON_NAME,LAD_CODE,LAD_NAME,COUNTY_CONURBATION,REGION,IMD_INCOME,IMD_OVERALL\n\
         E01000001,E02,E14,X,E09,Y,Z,London,9,10\nW01000001,W02,W07,X,W06,Y,Z,Wales,Wales,Wales\n",
    );
    let cen = f.write("cen.csv", "X,Y,objectid,lsoa11cd,lsoa11nm\n-0.0973,51.5181,1,E01000001,City of London 001A\n");
    let ccg = f.write(
        "ccg.csv",
        "FID,LSOA11CD,LSOA11NM,CCG21CD,CCG21CDH,CCG21NM,LAD21CD,LAD21NM\n1,E01000001,City of London 001A,E38000255,93C,NHS North Central London CCG,E09000001,City of London\n",
    );
    let kinds: Vec<FileKind> = [&ruc, &imd, &cen, &ccg].iter().map(|p| detect(p).unwrap()).collect();
    assert_eq!(
        kinds,
        [FileKind::LsoaRurality, FileKind::LsoaDeprivation, FileKind::LsoaCentroids, FileKind::LsoaCommissioners]
    );
    let imp = import_files(
        &[ruc, imd, cen, ccg],
        &ImportOptions { as_of: Some(date!(2020 - 01 - 01)), ..Default::default() },
    )
    .unwrap();
    let l = &imp.snapshot.lsoas;
    assert_eq!(l.len(), 2);
    let city = l.iter().find(|x| x.code == "E01000001").unwrap();
    assert_eq!(city.ruc_code.as_deref(), Some("A1"));
    assert_eq!(city.imd_decile, Some(10));
    assert_eq!(city.imd_income_decile, Some(9));
    assert_eq!(city.centroid.unwrap().lat, 51.5181);
    assert_eq!(city.commissioner.as_ref().unwrap().as_str(), "93C");
    assert_eq!(l.iter().find(|x| x.code == "W01000001").unwrap().imd_decile, None);
}

#[test]
fn boundaries_link_to_commissioners_by_ons_code() {
    let f = Files::new();
    let reg = f.write(
        "reg.csv",
        "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\nX,01JAN2021,GP,00K,E38000247,A81001,TS18 1HU,ALL,ALL,9\n",
    );
    let geo = f.write(
        "b.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"objectid":1,"ccg20cd":"E38000247","ccg20nm":"NHS Tees Valley CCG"},
            "geometry":{"type":"Polygon","coordinates":[[[-1.3,54.5],[-1.2,54.5],[-1.2,54.6],[-1.3,54.5]]]}}]}"#,
    );
    let imp = import_files(&[reg, geo], &ImportOptions::default()).unwrap();
    let b = &imp.snapshot.boundaries[0];
    assert_eq!(b.ons_code.as_deref(), Some("E38000247"));
    assert_eq!(b.name.as_deref(), Some("NHS Tees Valley CCG"));
    assert_eq!(b.commissioner.as_ref().unwrap().as_str(), "00K");
    assert!(b.geometry_json.contains("Polygon"));
}

#[test]
fn qof_list_sizes_are_dated_from_the_qof_year() {
    let f = Files::new();
    let p = f.write(
        "qof_1920_PREVALENCE.csv",
        "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE\nA81001,AF,105,TOTAL,4111\nA81001,DM,300,17OV,3300\n",
    );
    let imp = import_files(&[p], &ImportOptions { as_of: Some(date!(2019 - 12 - 04)), ..Default::default() }).unwrap();
    let ls = &imp.snapshot.list_sizes[0];
    assert_eq!(ls.source, ListSource::Qof);
    assert_eq!(ls.as_of, date!(2020 - 01 - 01), "QOF 2019/20 lists are at 1 January 2020");
    assert_eq!(ls.registered, Some(Decimal::from(4111)));
    assert_eq!(imp.snapshot.registers.len(), 2);
}

#[test]
fn two_files_of_one_kind_are_refused() {
    let f = Files::new();
    let a = f.write("a.csv", "PUBLICATION,EXTRACT_DATE,CODE,NUMBER_OF_PATIENTS\nX,01JAN2021,A81001,7\n");
    let b = f.write("b.csv", "PUBLICATION,EXTRACT_DATE,CODE,NUMBER_OF_PATIENTS\nX,01JAN2021,A81001,8\n");
    let err = import_files(&[a.clone(), b], &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("second") && err.to_string().contains("extract date 2021-01-01"), "{err}");

    // Extracts of different dates are kept side by side: each list is dated,
    // and the snapshot is dated by the latest.
    let c = f.write("c.csv", "PUBLICATION,EXTRACT_DATE,CODE,NUMBER_OF_PATIENTS\nX,01FEB2021,A81001,9\n");
    let imp = import_files(&[a, c], &ImportOptions::default()).unwrap();
    assert_eq!(imp.snapshot.as_of, Some(date!(2021 - 02 - 01)));
    let mut dated: Vec<_> = imp.snapshot.list_sizes.iter().map(|l| (l.as_of, l.registered)).collect();
    dated.sort();
    assert_eq!(
        dated,
        [(date!(2021 - 01 - 01), Some(Decimal::from(7))), (date!(2021 - 02 - 01), Some(Decimal::from(9)))]
    );

    // A kind that cannot be weighed by date is refused outright.
    let cqc = std::fs::read(repo_fixture("care_homes/HSCA_Active_Locations.csv")).unwrap();
    let h1 = f.0.path().join("homes1.csv");
    let h2 = f.0.path().join("homes2.csv");
    std::fs::write(&h1, &cqc).unwrap();
    std::fs::write(&h2, &cqc).unwrap();
    let err = import_files(&[h1, h2], &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("is a second"), "{err}");
}

fn repo_fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(rel)
}

fn care_homes(p: &std::path::Path) -> Vec<pcn_nhs::read::CareHomeRecord> {
    assert_eq!(detect(p).unwrap(), FileKind::CareHomes, "{}", p.display());
    match read(p) {
        Parsed::CareHomes(h) => h,
        other => panic!("read as {other:?}"),
    }
}

#[test]
fn cqc_directory_keeps_active_care_homes_from_csv_or_workbook() {
    let csv = care_homes(&repo_fixture("care_homes/HSCA_Active_Locations.csv"));
    // Five locations: a GP surgery (Care home? N) and a dormant home are left out.
    let ids: Vec<&str> = csv.iter().map(|h| h.location_id.as_str()).collect();
    assert_eq!(ids, ["1-1000000001", "1-1000000002", "1-1000000003"]);
    assert_eq!(csv.iter().map(|h| h.beds).collect::<Vec<_>>(), [60, 30, 25]);
    assert_eq!(csv[0].postcode.as_deref(), Some("TS1 2AB"), "postcodes are normalised");
    assert!(csv[0].nursing && !csv[1].nursing);
    assert_eq!(csv[1].name, "Birch Lodge, Residential");
    assert_eq!(csv[1].lat_lon, Some((54.592, -1.068)));
    assert_eq!(csv[0].lat_lon, None);
    assert_eq!(csv[1].local_authority.as_deref(), Some("Redcar and Cleveland"));
    // The workbook has a notes sheet first and title rows above the header.
    let xlsx = care_homes(&repo_fixture("care_homes/HSCA_Active_Locations.xlsx"));
    assert_eq!(xlsx, csv);
    // A CSV saved from that sheet keeps its title rows: it reads the same, with true line numbers.
    let f = Files::new();
    let text = std::fs::read_to_string(repo_fixture("care_homes/HSCA_Active_Locations.csv")).unwrap();
    let titled = f.write("titled.csv", &format!("HSCA Active Locations,,\nData as at 01 January 2021,,\n\n{text}"));
    assert_eq!(care_homes(&titled), csv);
    let bad = f.write("titled-bad.csv", &format!("HSCA Active Locations\n\n{}", text.replace(",60,", ",sixty,")));
    let err = pcn_nhs::read::read(&bad, detect(&bad).unwrap(), &ReadContext::default()).unwrap_err().to_string();
    assert!(err.contains("line 4, field Care homes beds"), "{err}");
    // ...and an ePCN workbook is still an ePCN workbook.
    assert_eq!(detect(&repo_fixture("xlsx/epcn.xlsx")).unwrap(), FileKind::EpcnWorkbook);
}

#[test]
fn cqc_directory_errors_name_the_line_and_field() {
    let f = Files::new();
    let head = "Location ID,Care home?,Location Name,Care homes beds,Location Postal Code,Location Latitude,Location Longitude\n";
    let cases = [
        ("1-1,Y,A,many,TS1 1AA,,\n", "line 2, field Care homes beds", "not a whole number"),
        ("1-1,Y,A,10,TS1 1AA,,\n1-1,Y,B,10,TS1 1AA,,\n", "line 3, field Location ID", "already appears on line 2"),
        ("1-1,Y,A,10,TS1 1AA,54.5,\n", "line 2, field Location Longitude", "together"),
        ("1-1,Y,A,10,TS1 1AA,40.7,-1.0\n", "line 2, field Location Latitude", "not a latitude in Great Britain"),
        ("1-1,Y,A,10,TS1 1AA,54.5,-74.0\n", "line 2, field Location Longitude", "not a longitude in Great Britain"),
        ("1-1,maybe,A,10,TS1 1AA,,\n", "line 2, field Care home?", "not Y or N"),
        ("1-1,Y,A,10,NOT A POSTCODE,,\n", "line 2, field Location Postal Code", "not a postcode"),
        ("1-1,Y,A,,TS1 1AA,,\n", "line 2, field Care homes beds", "empty"),
    ];
    for (i, (rows, at, what)) in cases.iter().enumerate() {
        let p = f.write(&format!("cqc{i}.csv"), &format!("{head}{rows}"));
        let kind = detect(&p).unwrap();
        let err = pcn_nhs::read::read(&p, kind, &ReadContext::default()).unwrap_err().to_string();
        assert!(err.contains(at) && err.contains(what), "case {i}: {err}");
    }
    // A beds column is required, and its absence is reported on the header's line (below two title rows).
    let p = f.write(
        "nobeds.csv",
        "HSCA Active Locations\nData as at 1 January 2021\nLocation ID,Care home?,Location Name,Location Postal Code\n1-1,Y,A,TS1 1AA\n",
    );
    let err = pcn_nhs::read::read(&p, detect(&p).unwrap(), &ReadContext::default()).unwrap_err().to_string();
    assert!(err.contains("line 3, field Care homes beds") && err.contains("missing column"), "{err}");
    // A header further down than the title rows allow is no header.
    let p = f.write("deep.csv", &format!("{}{head}1-1,Y,A,10,TS1 1AA,,\n", "title\n".repeat(12)));
    assert!(detect(&p).is_err());
}

#[test]
fn care_homes_are_located_by_postcode_else_by_latitude_and_longitude() {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(repo_fixture("small")).unwrap().map(|e| e.unwrap().path()).collect();
    files.push(repo_fixture("care_homes/HSCA_Active_Locations.csv"));
    let imp =
        import_files(&files, &ImportOptions { as_of: Some(date!(2021 - 01 - 01)), ..Default::default() }).unwrap();
    let homes = &imp.snapshot.care_homes;
    assert_eq!(homes.len(), 3);
    // By postcode: exactly the coordinate file's point for TS1 2AB (practice A00002's postcode too).
    let elm = homes[0].location.unwrap();
    assert_eq!((elm.easting, elm.northing), (449_800.0, 519_900.0));
    // By latitude and longitude (TS10 1ZZ is in no coordinate file), through OSTN15.
    let birch = homes[1].location.unwrap();
    let (e, n) = lonlat_bng::convert_osgb36(-1.068, 54.592).unwrap();
    assert_eq!((birch.easting, birch.northing), (e, n));
    assert!((455_000.0..465_000.0).contains(&birch.easting) && (517_000.0..527_000.0).contains(&birch.northing));
    // Neither: kept, unlocated, and said.
    assert_eq!(homes[2].location, None);
    assert!(
        imp.notes.warnings.iter().any(|w| w.contains("1 of 3 care homes have no location")),
        "{:?}",
        imp.notes.warnings
    );
}
