//! CSV a spreadsheet can open safely: a field that a spreadsheet would take
//! as a formula (`=`, `+`, `-` or `@` first, or a tab or carriage return) gets
//! an apostrophe in front, so a practice named `=HYPERLINK(...)` shows as text
//! instead of running. Plain numbers (`-12.5`) are left as they are. Exports
//! meant to be read back (the ePCN sheet) stay exact when asked.

use std::borrow::Cow;

/// One field, made safe.
pub fn neutralise(field: &str) -> Cow<'_, str> {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && field.trim().parse::<f64>().is_err() { Cow::Owned(format!("'{field}")) } else { Cow::Borrowed(field) }
}

/// A whole CSV document, every field made safe (quoting kept as CSV needs).
pub fn for_spreadsheets(csv_bytes: &[u8]) -> Result<Vec<u8>, csv::Error> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv_bytes);
    let mut w = csv::WriterBuilder::new().has_headers(false).flexible(true).from_writer(Vec::new());
    for rec in r.records() {
        let rec = rec?;
        w.write_record(rec.iter().map(|f| neutralise(f).into_owned()))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for (given, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 1234", "'+44 1234"),
            ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tTAB", "'\tTAB"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("TOWN PCN", "TOWN PCN"),
            ("", ""),
        ] {
            assert_eq!(neutralise(given), shown, "{given:?}");
        }
        let doc = b"network,name\nU00001,=1+2\nU00002,\"A, B\"\n";
        let safe = String::from_utf8(for_spreadsheets(doc).unwrap()).unwrap();
        assert_eq!(safe, "network,name\nU00001,'=1+2\nU00002,\"A, B\"\n");
    }
}
