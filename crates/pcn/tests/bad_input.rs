//! Every kind of bad input gets a clear error naming file, line and field, exit
//! code 2, and leaves the store byte-for-byte as it was.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const GP_REG_HEADER: &str =
    "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n";

fn gp_reg_row(code: &str, patients: &str) -> String {
    format!("GP_PRAC_PAT_LIST,01JAN2021,GP,00X,E38000901,{code},TS1 1AA,ALL,ALL,{patients}\n")
}

/// A store holding the small fixture area, and its bytes' hash.
fn populated_store(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("pcn.db");
    ok_json(&pcn_paths(&db, &["import"], &small_fixture_files(), &["--as-of", "2021-01-01", "--json"]));
    let hash = sha256(&db);
    (db, hash)
}

/// Imports `content` as a file named `name` next to good files, and checks the
/// failure: exit 2, every `expect` fragment in the message, store unchanged.
fn rejects(name: &str, content: &[u8], expect: &[&str]) {
    rejects_beside(name, content, &[fixtures().join("small/epraccur.csv")], expect);
}

/// [`rejects`], with the bad file imported beside `good` (none for a bad epraccur).
fn rejects_beside(name: &str, content: &[u8], good: &[PathBuf], expect: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = populated_store(dir.path());
    let bad = dir.path().join(name);
    std::fs::write(&bad, content).unwrap();
    let mut files = good.to_vec();
    files.push(bad.clone());
    let out = pcn_paths(&db, &["import"], &files, &["--as-of", "2021-02-01"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "exit code for {name}: {err}");
    assert!(err.contains(&bad.display().to_string()), "message names the file: {err}");
    for e in expect {
        assert!(err.contains(e), "message for {name} should contain {e:?}: {err}");
    }
    assert_eq!(sha256(&db), before, "store changed after a failed import of {name}");
    let snaps = ok_json(&pcn(&db, &["snapshots", "--json"]));
    assert_eq!(snaps["snapshots"].as_array().unwrap().len(), 1);
}

#[test]
fn truncated_row() {
    let body = format!(
        "{GP_REG_HEADER}{}GP_PRAC_PAT_LIST,01JAN2021,GP,00X,E38000901,A00002,TS1",
        gp_reg_row("A00001", "12000")
    );
    rejects("gp-reg.csv", body.as_bytes(), &["line 3", "truncated row", "7 fields"]);
}

#[test]
fn wrong_column_count_in_epraccur() {
    let good = std::fs::read_to_string(fixtures().join("small/epraccur.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    // Drop the last field of line 4: 26 columns.
    let l = &mut lines[3];
    let cut = l.rfind(',').unwrap();
    l.truncate(cut);
    let body = lines.join("\r\n");
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = populated_store(dir.path());
    let bad = dir.path().join("epraccur-bad.csv");
    std::fs::write(&bad, body).unwrap();
    let out = pcn_paths(&db, &["import"], std::slice::from_ref(&bad), &["--as-of", "2021-02-01"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("line 4") && err.contains("26 fields") && err.contains("27"), "{err}");
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert_eq!(sha256(&db), before);
}

#[test]
fn non_numeric_list_size() {
    let body = format!("{GP_REG_HEADER}{}{}", gp_reg_row("A00001", "12000"), gp_reg_row("A00002", "twelve"));
    rejects("gp-reg.csv", body.as_bytes(), &["line 3", "NUMBER_OF_PATIENTS", "\"twelve\" is not a whole number"]);
}

#[test]
fn negative_list_size() {
    let body = format!("{GP_REG_HEADER}{}", gp_reg_row("A00001", "-40"));
    rejects("gp-reg.csv", body.as_bytes(), &["line 2", "NUMBER_OF_PATIENTS", "negative"]);
}

#[test]
fn negative_list_size_in_qof() {
    let body = "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE\nA00001,HYP,10,TOTAL,-5\n";
    rejects("qof.csv", body.as_bytes(), &["line 2", "PATIENT_LIST_SIZE", "negative"]);
}

#[test]
fn unknown_ods_code_shape() {
    let body = format!("{GP_REG_HEADER}{}{}", gp_reg_row("A00001", "12000"), gp_reg_row("A0002X", "900"));
    rejects("gp-reg.csv", body.as_bytes(), &["line 3", "field CODE", "\"A0002X\" is not a valid practice code"]);
}

#[test]
fn unknown_network_code_shape() {
    let body = "PARTNER_ORG_CODE,PARTNER_NAME,PRACTICE_CCG_CODE,PRACTICE_CCG_NAME,PCN_CODE,PCN_NAME,PCN_CCG_CODE,PCN_CCG_NAME,REL_START_DATE,REL_END_DATE\n\
                A00001,X,00X,N,X12345,P,00X,N,20190701,\n";
    rejects("partners.csv", body.as_bytes(), &["line 2", "PCN Code", "not a valid network code"]);
}

#[test]
fn duplicate_practice() {
    let body = format!(
        "{GP_REG_HEADER}{}{}{}",
        gp_reg_row("A00001", "12000"),
        gp_reg_row("A00002", "900"),
        gp_reg_row("A00001", "12000")
    );
    rejects("gp-reg.csv", body.as_bytes(), &["line 4", "duplicate", "A00001 already appears on line 2"]);
}

#[test]
fn file_of_an_unknown_kind() {
    rejects("mystery.csv", b"colour,shape\nred,circle\n", &["line 1", "unknown kind", "colour"]);
}

#[test]
fn empty_file() {
    rejects("empty.csv", b"", &["empty"]);
    rejects("blank.csv", b"\xEF\xBB\xBF\r\n  \n", &["empty"]);
}

#[test]
fn header_only_file() {
    rejects("gp-reg.csv", GP_REG_HEADER.as_bytes(), &["no practice rows"]);
}

#[test]
fn bad_date() {
    let body = format!("{GP_REG_HEADER}GP_PRAC_PAT_LIST,31FEB2021,GP,00X,E38000901,A00001,TS1 1AA,ALL,ALL,5\n");
    rejects("gp-reg.csv", body.as_bytes(), &["line 2", "EXTRACT_DATE", "not a date"]);
}

#[test]
fn unterminated_quote() {
    let body = format!(
        "{GP_REG_HEADER}{}\"GP_PRAC_PAT_LIST,01JAN2021,GP,00X,E38000901,A00002,TS1 1AA,ALL,ALL,5\n",
        gp_reg_row("A00001", "1")
    );
    rejects("gp-reg.csv", body.as_bytes(), &["line 3"]);
}

#[test]
fn missing_column() {
    rejects(
        "gp-reg.csv",
        b"PUBLICATION,EXTRACT_DATE,TYPE,POSTCODE,NUMBER_OF_PATIENTS\nX,01JAN2021,GP,TS1 1AA,5\n",
        &["missing column", "CODE"],
    );
}

#[test]
fn a_first_import_that_fails_creates_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let bad = dir.path().join("gp-reg.csv");
    std::fs::write(&bad, format!("{GP_REG_HEADER}{}", gp_reg_row("A00001", "x"))).unwrap();
    let out = pcn_paths(&db, &["import"], &[bad], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!db.exists(), "no store file may be left behind");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no -wal/-shm files either");
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = populated_store(dir.path());
    let out = pcn(&db, &["import", "/no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/no/such/file.csv"), "{}", stderr(&out));
    assert_eq!(sha256(&db), before);
}

#[test]
fn an_unreachable_server_store_is_a_clear_usage_error() {
    // Port 1 on loopback: nothing listens there.
    let out = pcn(Path::new("postgres://pcn@127.0.0.1:1/pcn"), &["snapshots"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("cannot open the store at postgres://pcn@127.0.0.1:1/pcn"), "{e}");
}

/// Days outside the one range (the API's too) or not written YYYY-MM-DD are a
/// usage error naming the flag, and change nothing.
#[test]
fn days_outside_the_range_or_badly_written_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = populated_store(dir.path());
    for (flag, day) in [
        ("--effective", "9999-12-31"),
        ("--effective", "0001-01-01"),
        ("--effective", "-2021-04-01"),
        ("--effective", "2021-02-30"),
        ("--effective", "01/04/2021"),
    ] {
        let out = pcn(&db, &["register", "sync", &format!("{flag}={day}"), "--actor", "a", "--reason", "r"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{day}: {err}");
        assert!(err.contains(flag) && (err.contains("not a date") || err.contains("outside")), "{day}: {err}");
    }
    assert_eq!(sha256(&db), before);
}

/// The small fixture's epraccur with line 2's field `column` (0-based) set to `value`.
fn epraccur_with(column: usize, value: &str) -> Vec<u8> {
    let good = std::fs::read_to_string(fixtures().join("small/epraccur.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    fields[column] = format!("\"{value}\"");
    lines[1] = fields.join(",");
    lines.join("\r\n").into_bytes()
}

/// A workbook-shaped zip of 600 MB of zeros in one sheet, deflated to about
/// 600 KB: a zip bomb.
fn zip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(
        br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
    )
    .unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..600_000_000 / chunk.len() {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(&chunk[..600_000_000 % chunk.len()]).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Refused from the zip directory's declared sizes before calamine opens it,
/// so nothing is inflated (pcn-nhs's own test counts the bytes read: the
/// directory only).
#[test]
fn a_zip_bomb_named_xlsx_is_refused_before_it_is_inflated() {
    let bomb = zip_bomb();
    assert!(bomb.len() < 1 << 20, "small on disk: {} bytes", bomb.len());
    rejects(
        "fx_ePCN_2023-01.xlsx",
        &bomb,
        &[
            "the workbook declares 600,000,",
            "600,000,000 of them in \"xl/worksheets/sheet1.xml\"",
            "at most 400,000,000 bytes, so it was not opened",
        ],
    );
}

/// Past any field's bound (a spreadsheet cell's), refused as the record arrives.
#[test]
fn a_practice_name_of_a_million_characters_is_refused() {
    rejects_beside(
        "epraccur.csv",
        &epraccur_with(1, &"A".repeat(1_000_000)),
        &[],
        &["line 2", "field Name", "is 1,000,000 characters long", "any field may be at most 32,767"],
    );
}

#[test]
fn a_name_of_300_characters_is_refused() {
    let name = "N".repeat(300);
    let body = format!(
        "PARTNER_ORG_CODE,PARTNER_NAME,PRACTICE_CCG_CODE,PRACTICE_CCG_NAME,PCN_CODE,PCN_NAME,PCN_CCG_CODE,PCN_CCG_NAME,REL_START_DATE,REL_END_DATE\n\
         A00001,X,00X,N,U12345,P,00X,N,20190701,\n\
         A00002,{name},00X,N,U12345,P,00X,N,20190701,\n"
    );
    rejects("partners.csv", body.as_bytes(), &["line 3", "Partner Name", "is 300 characters long", "at most 200"]);
}

#[test]
fn an_over_long_postcode_is_refused() {
    let body = format!(
        "{GP_REG_HEADER}{}GP_PRAC_PAT_LIST,01JAN2021,GP,00X,E38000901,A00002,TS1 1AA TS1 1AA TS1 1AA,ALL,ALL,5\n",
        gp_reg_row("A00001", "12000")
    );
    rejects(
        "gp-reg.csv",
        body.as_bytes(),
        &["line 3", "field POSTCODE", "is 23 characters long", "a postcode may be at most 16"],
    );
}

#[test]
fn a_line_of_50_mb_is_refused_as_it_is_read() {
    let mut body =
        format!("{GP_REG_HEADER}{}GP_PRAC_PAT_LIST,01JAN2021,GP,00X,E38000901,A00002,", gp_reg_row("A00001", "1"))
            .into_bytes();
    body.resize(body.len() + 50_000_000, b'x');
    body.extend_from_slice(b",ALL,ALL,5\n");
    rejects("gp-reg.csv", &body, &["line 3", "longer than 1,048,576 bytes"]);
}

/// NUL would fail on PostgreSQL, and no control character belongs in a name or
/// an address (pcn keeps no address, but a file with one there is broken).
#[test]
fn control_characters_in_a_name_or_an_address_are_refused() {
    for c in ['\0', '\u{7}', '\u{1b}'] {
        let code = format!("U+{:04X}", c as u32);
        for (column, field) in [(1, "field Name"), (4, "field Address Line 1")] {
            let body = epraccur_with(column, &format!("HILLTOP{c} SURGERY"));
            rejects_beside("epraccur.csv", &body, &[], &["line 2", field, &code, "at character 8"]);
        }
    }
}
