//! The CQC directory of active locations ("HSCA Active Locations", the care
//! directory with filters): one row per location regulated under the Health
//! and Social Care Act. Only care homes (`Care home?` = Y) that are not
//! dormant are kept, with their beds, postcode and, where the directory gives
//! them, latitude and longitude.
//!
//! CQC publishes it as a workbook (.xlsx, later .ods) whose header row may sit
//! below a few title rows; a CSV saved from its sheet reads the same, title
//! rows and all. Columns are found by name: their order and number change
//! between releases.

use std::path::Path;

use calamine::{Reader, Sheets, open_workbook_auto};
use csv::StringRecord;
use pcn_core::normalise_postcode;

use super::{ReadContext, Seen, sheet_record};
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{
    Header, Row, check_record, display_name, display_names, for_each_record, normalise_header, open_csv,
};

/// A care home row before it is located.
#[derive(Debug, Clone, PartialEq)]
pub struct CareHomeRecord {
    pub location_id: String,
    pub name: String,
    pub postcode: Option<String>,
    pub beds: u32,
    pub nursing: bool,
    pub local_authority: Option<String>,
    /// (latitude, longitude) as the directory gives them.
    pub lat_lon: Option<(f64, f64)>,
}

pub const SHEET: &str = "HSCA Active Locations";
const ID: &[&str] = &["Location ID"];
const CARE_HOME: &[&str] = &["Care home?", "Care home"];

/// Whether a header row is the directory's: it names a location ID and the care-home flag.
pub fn is_header(h: &Header) -> bool {
    h.find(ID).is_some() && h.find(CARE_HOME).is_some()
}

/// Column positions, found by name.
struct Columns {
    id: usize,
    name: usize,
    care_home: usize,
    beds: usize,
    postcode: usize,
    dormant: Option<usize>,
    nursing: Option<usize>,
    local_authority: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
}

impl Columns {
    /// The columns of the header on `line`: a missing one is reported there.
    fn at(file: &str, h: &Header, line: u64) -> Result<Self, ReadError> {
        Self::new(file, h).map_err(|mut e| {
            e.line = Some(line);
            e
        })
    }

    fn new(file: &str, h: &Header) -> Result<Self, ReadError> {
        Ok(Self {
            id: h.require(file, ID)?,
            name: h.require(file, &["Location Name", "Name"])?,
            care_home: h.require(file, CARE_HOME)?,
            beds: h.require(file, &["Care homes beds", "Care home beds"])?,
            postcode: h.require(file, &["Location Postal Code", "Location Postcode", "Postcode"])?,
            dormant: h.find(&["Dormant (Y/N)", "Dormant"]),
            nursing: h.find(&["Service type - Care home service with nursing"]),
            local_authority: h.find(&["Location Local Authority", "Local Authority"]),
            lat: h.find(&["Location Latitude", "Latitude"]),
            lon: h.find(&["Location Longitude", "Longitude"]),
        })
    }

    fn take(&self, row: Row<'_>, seen: &mut Seen<String>, out: &mut Vec<CareHomeRecord>) -> Result<(), ReadError> {
        let flag = |idx: Option<usize>, field: &str| -> Result<bool, ReadError> {
            // A row may stop short of a trailing flag column.
            let Some(i) = idx.filter(|&i| i < row.record.len()) else { return Ok(false) };
            match row.cell(i, field)?.to_ascii_uppercase().as_str() {
                "Y" | "YES" => Ok(true),
                "" | "N" | "NO" => Ok(false),
                other => Err(row.err(field, format!("{other:?} is not Y or N"))),
            }
        };
        let id = row.required(self.id, "Location ID")?.to_string();
        if !flag(Some(self.care_home), "Care home?")? || flag(self.dormant, "Dormant (Y/N)")? {
            return Ok(());
        }
        seen.insert(row.file, row.line, "Location ID", id.clone())?;
        let beds = row.count(self.beds, "Care homes beds")?;
        let postcode = row
            .text(self.postcode, "Location Postal Code", Text::Postcode)?
            .map(|raw| {
                normalise_postcode(&raw)
                    .ok_or_else(|| row.err("Location Postal Code", format!("{raw:?} is not a postcode")))
            })
            .transpose()?;
        let degrees = |idx: Option<usize>, field: &str| -> Result<Option<f64>, ReadError> {
            let Some(i) = idx else { return Ok(None) };
            row.parse_opt(i, field, |s| s.parse::<f64>().map_err(|_| format!("{s:?} is not a number")))
        };
        let lat_lon = match (degrees(self.lat, "Location Latitude")?, degrees(self.lon, "Location Longitude")?) {
            (Some(lat), Some(lon)) => {
                if !(49.0..=61.5).contains(&lat) {
                    return Err(row.err("Location Latitude", format!("{lat} is not a latitude in Great Britain")));
                }
                if !(-9.0..=2.5).contains(&lon) {
                    return Err(row.err("Location Longitude", format!("{lon} is not a longitude in Great Britain")));
                }
                Some((lat, lon))
            }
            (None, None) => None,
            _ => return Err(row.err("Location Longitude", "latitude and longitude come together or not at all")),
        };
        out.push(CareHomeRecord {
            location_id: id,
            name: row.required_text(self.name, "Location Name", Text::Name)?,
            postcode,
            beds,
            nursing: flag(self.nursing, "Service type - Care home service with nursing")?,
            local_authority: row.text(
                self.local_authority.filter(|&i| i < row.record.len()),
                "Location Local Authority",
                Text::Name,
            )?,
            lat_lon,
        });
        Ok(())
    }
}

pub fn read_csv(path: &Path, ctx: &ReadContext<'_>) -> Result<Vec<CareHomeRecord>, ReadError> {
    let file = display_name(path);
    let mut rdr = open_csv(path, false, ctx.progress)?;
    let (mut cols, mut before): (Option<Columns>, usize) = (None, 0);
    let (mut seen, mut out) = (Seen::new(), Vec::new());
    for_each_record(&file, &mut rdr, |row| {
        if let Some(c) = &cols {
            return c.take(row, &mut seen, &mut out);
        }
        let header = Header::new(row.record.iter());
        if is_header(&header) {
            cols = Some(Columns::at(&file, &header, row.line)?);
        } else if before + 1 >= HEADER_WITHIN {
            return Err(ReadError::file(
                &file,
                format!("no header row with Location ID and Care home? in its first {HEADER_WITHIN} rows"),
            ));
        } else {
            before += 1;
        }
        Ok(())
    })?;
    if cols.is_none() {
        return Err(ReadError::file(&file, "no header row with Location ID and Care home?"));
    }
    Ok(out)
}

/// The header is one of a file's first this many rows (title rows above it).
pub const HEADER_WITHIN: usize = 10;

/// The directory's sheet of a workbook (.xlsx or .ods), if it has one.
pub fn workbook_sheet(path: &Path) -> Result<Option<String>, ReadError> {
    Ok(find_sheet(&mut open(path)?))
}

fn open(path: &Path) -> Result<Sheets<std::io::BufReader<std::fs::File>>, ReadError> {
    super::workbook::check_inflation(path)?;
    open_workbook_auto(path).map_err(|e| ReadError::file(&display_name(path), format!("not a readable workbook: {e}")))
}

/// The sheet named as CQC names it, else the first whose header row is the directory's.
fn find_sheet<R: std::io::Read + std::io::Seek>(wb: &mut Sheets<R>) -> Option<String> {
    let names = wb.sheet_names();
    if let Some(n) = names.iter().find(|n| normalise_header(n) == normalise_header(SHEET)) {
        return Some(n.clone());
    }
    names.into_iter().find(|n| {
        wb.worksheet_range(n).is_ok_and(|range| {
            range.rows().take(HEADER_WITHIN).any(|r| is_header(&Header::new(sheet_record(r).iter())))
        })
    })
}

pub fn read_workbook(path: &Path, ctx: &ReadContext<'_>) -> Result<Vec<CareHomeRecord>, ReadError> {
    let file = display_name(path);
    // One parse for the sheet's name and its rows: the national workbook is tens of megabytes.
    let mut wb = open(path)?;
    let sheet = find_sheet(&mut wb).ok_or_else(|| {
        ReadError::file(
            &file,
            format!("workbook has no {SHEET:?} sheet (nor one with a Location ID and Care home? header)"),
        )
    })?;
    if let Some(p) = ctx.progress {
        p(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
    }
    let range = wb.worksheet_range(&sheet).map_err(|e| ReadError::file(&file, format!("sheet {sheet:?}: {e}")))?;
    let label = format!("{file} [{sheet}]");
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let records: Vec<StringRecord> = range.rows().map(sheet_record).collect();
    let at =
        records.iter().take(HEADER_WITHIN).position(|r| is_header(&Header::new(r.iter()))).ok_or_else(|| {
            ReadError::file(&label, "no header row with Location ID and Care home? in its first rows")
        })?;
    // Title and header rows may break lines; data rows may not.
    for (i, rec) in records.iter().enumerate().take(at + 1) {
        check_record(&label, first_row + i as u64 + 1, rec, &[], true)?;
    }
    let names = display_names(&records[at]);
    let header = Header::new(records[at].iter());
    let cols = Columns::at(&label, &header, first_row + at as u64 + 1)?;
    let (mut seen, mut out) = (Seen::new(), Vec::new());
    for (i, rec) in records.iter().enumerate().skip(at + 1) {
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Spreadsheet row numbers, as the spreadsheet shows them.
        let line = first_row + i as u64 + 1;
        check_record(&label, line, rec, &names, false)?;
        cols.take(Row { file: &label, line, record: rec }, &mut seen, &mut out)?;
    }
    Ok(out)
}
