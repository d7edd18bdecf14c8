//! Workbooks (.xlsx, .ods) are zips, inflated by calamine into memory: one of
//! 1.5 MB can declare 1.5 GB. Before a workbook is opened its zip directory is
//! read (only the directory: nothing is inflated) and held to the bounds of
//! [`crate::limits`]. The directory's sizes are binding: the zip crate stops
//! an entry that inflates past its declared size with an error.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use crate::error::ReadError;
use crate::limits::{WORKBOOK_INFLATED_BYTES, WORKBOOK_RATIO, WORKBOOK_RATIO_FROM_BYTES, thousands};
use crate::table::display_name;

/// Refuses a workbook that declares more than the bound inflated, or an
/// entry packed past a sane ratio.
pub(crate) fn check_inflation(path: &Path) -> Result<(), ReadError> {
    let name = display_name(path);
    let file = File::open(path).map_err(|e| ReadError::file(&name, format!("cannot open: {e}")))?;
    check_zip(&name, BufReader::new(file))
}

pub(crate) fn check_zip<R: Read + Seek>(name: &str, reader: R) -> Result<(), ReadError> {
    let zip = zip::ZipArchive::new(reader)
        .map_err(|e| ReadError::file(name, format!("not a readable workbook (its zip directory: {e})")))?;
    let mut total: u64 = 0;
    let mut largest = (0, String::new());
    let mut over_ratio: Option<(u64, u64, String)> = None;
    for i in 0..zip.len() {
        let entry = zip.by_index_data(i).map_err(|e| ReadError::file(name, format!("zip entry {}: {e}", i + 1)))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        let part = || String::from_utf8_lossy(entry.name_raw()).into_owned();
        total = total.saturating_add(size);
        if size > largest.0 {
            largest = (size, part());
        }
        if over_ratio.is_none() && size >= WORKBOOK_RATIO_FROM_BYTES && size / packed.max(1) > WORKBOOK_RATIO {
            over_ratio = Some((size, packed, part()));
        }
    }
    // The total first: it is the bound that says what a workbook may cost.
    if total > WORKBOOK_INFLATED_BYTES {
        let (size, part) = largest;
        return Err(ReadError::file(
            name,
            format!(
                "the workbook declares {} bytes inflated ({} of them in {part:?}); pcn inflates a workbook to at most {} bytes, so it was not opened",
                thousands(total),
                thousands(size),
                thousands(WORKBOOK_INFLATED_BYTES),
            ),
        ));
    }
    if let Some((size, packed, part)) = over_ratio {
        return Err(ReadError::file(
            name,
            format!(
                "workbook part {part:?} declares {} bytes inflated from {} packed ({}:1); pcn inflates workbook parts packed at most {WORKBOOK_RATIO}:1 (real ones pack 10:1 or less), so it was not opened",
                thousands(size),
                thousands(packed),
                thousands(size / packed.max(1)),
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;

    use super::*;

    /// A workbook-shaped zip whose one sheet is `zeros` bytes of zeros,
    /// deflated (about 1,000:1): a zip bomb.
    fn zip_bomb(path: &Path, zeros: u64) {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (part, body) in [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0"?><workbook><sheets><sheet name="PCN Details" sheetId="1"/></sheets></workbook>"#,
            ),
        ] {
            zip.start_file(part, opts).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let chunk = vec![0u8; 1 << 20];
        let mut left = zeros;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            zip.write_all(&chunk[..n]).unwrap();
            left -= n as u64;
        }
        zip.finish().unwrap();
    }

    /// Counts the bytes read through it.
    struct Counted<R> {
        inner: R,
        read: u64,
    }

    impl<R: Read> Read for Counted<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl<R: Seek> Seek for Counted<R> {
        fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    #[test]
    fn a_zip_bomb_is_refused_from_its_directory_before_anything_is_inflated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ePCN.xlsx");
        zip_bomb(&path, 600_000_000);
        let packed = std::fs::metadata(&path).unwrap().len();
        assert!(packed < 1 << 20, "the bomb is small on disk: {packed} bytes");
        let name = display_name(&path);
        let e = check_inflation(&path).unwrap_err();
        assert_eq!(e.file, name);
        assert!(e.message.contains("600,000,000 of them in \"xl/worksheets/sheet1.xml\""), "{e}");
        assert!(e.message.contains("at most 400,000,000 bytes"), "{e}");
        // Only the directory was read: far less than the sheet's packed bytes,
        // so not one byte of it can have been inflated.
        let mut counted = Counted { inner: BufReader::new(File::open(&path).unwrap()), read: 0 };
        assert!(check_zip(&name, &mut counted).is_err());
        assert!(counted.read < packed / 10, "read {} of {packed} bytes", counted.read);
        // Detection and both workbook readers refuse it the same way.
        assert_eq!(crate::detect(&path).unwrap_err(), e);
        let ctx = crate::ReadContext::default();
        for kind in [crate::FileKind::EpcnWorkbook, crate::FileKind::CareHomes] {
            assert_eq!(crate::read::read(&path, kind, &ctx).unwrap_err(), e, "{kind}");
        }
    }

    #[test]
    fn a_part_packed_past_the_ratio_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("directory.ods");
        zip_bomb(&path, 50_000_000);
        let e = check_inflation(&path).unwrap_err();
        assert!(e.message.contains("\"xl/worksheets/sheet1.xml\" declares 50,000,000 bytes inflated"), "{e}");
        assert!(e.message.contains("at most 200:1"), "{e}");
    }

    #[test]
    fn real_workbooks_are_within_the_bounds() {
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        for f in ["xlsx/epcn.xlsx", "care_homes/HSCA_Active_Locations.xlsx", "icb_era/fx_ePCN_2023-01.xlsx"] {
            check_inflation(&fixtures.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        }
    }
}
