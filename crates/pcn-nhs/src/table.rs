//! Tables as the readers see them: CSV files (streamed) and xlsx sheets, both
//! turned into records with a line number and a header looked up by name.
//!
//! Header names are matched after normalising: line breaks and runs of spaces
//! or underscores collapse to one space and case is ignored, so `Partner\r\n
//! Organisation\r\nCode`, `PARTNER ORGANISATION CODE` and `partner_organisation_code`
//! are the same column.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use csv::StringRecord;
use rust_decimal::Decimal;
use time::Date;

use crate::dates::parse_date;
use crate::error::ReadError;

/// Reports bytes consumed so the caller can draw a progress bar.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// A reader that reports every byte it hands on.
pub struct Counting<'a, R> {
    inner: R,
    progress: Option<Progress<'a>>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = self.progress {
            p(n as u64);
        }
        Ok(n)
    }
}

/// Opens a file for streaming with any UTF-8 byte order mark skipped.
pub fn open_text<'a>(path: &Path, progress: Option<Progress<'a>>) -> Result<Counting<'a, BufReader<File>>, ReadError> {
    let name = display_name(path);
    let file = File::open(path).map_err(|e| ReadError::file(&name, format!("cannot open: {e}")))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(|e| ReadError::file(&name, format!("cannot read: {e}")))?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
        if let Some(p) = progress {
            p(3);
        }
    }
    Ok(Counting { inner: reader, progress })
}

/// The name used in messages: the path as the user gave it.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

pub fn csv_reader<R: Read>(r: R, has_headers: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new().has_headers(has_headers).flexible(true).trim(csv::Trim::None).from_reader(r)
}

pub fn normalise_header(h: &str) -> String {
    h.split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

/// A header row with columns found by (normalised) name.
#[derive(Debug, Clone)]
pub struct Header {
    names: Vec<String>,
}

impl Header {
    pub fn new<'s>(cells: impl IntoIterator<Item = &'s str>) -> Self {
        Self { names: cells.into_iter().map(normalise_header).collect() }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of the first column whose name is one of `aliases`.
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| {
            let a = normalise_header(a);
            self.names.iter().position(|n| *n == a)
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.find(&[name]).is_some()
    }

    pub fn require(&self, file: &str, aliases: &[&str]) -> Result<usize, ReadError> {
        self.find(aliases).ok_or_else(|| {
            ReadError::at(file, 1, Some(aliases[0]), format!("missing column (looked for {})", aliases.join(" or ")))
        })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// One record with what is needed to complain about it precisely.
pub struct Row<'a> {
    pub file: &'a str,
    pub line: u64,
    pub record: &'a StringRecord,
}

impl<'a> Row<'a> {
    /// The trimmed cell, or an error naming the field if the row is too short.
    pub fn cell(&self, idx: usize, field: &str) -> Result<&'a str, ReadError> {
        self.record.get(idx).map(str::trim).ok_or_else(|| {
            self.err(field, format!("row ends after {} fields; this column is number {}", self.record.len(), idx + 1))
        })
    }

    pub fn opt(&self, idx: usize, field: &str) -> Result<Option<&'a str>, ReadError> {
        let v = self.cell(idx, field)?;
        Ok((!v.is_empty()).then_some(v))
    }

    pub fn err(&self, field: &str, message: impl Into<String>) -> ReadError {
        ReadError::at(self.file, self.line, Some(field), message)
    }

    pub fn required(&self, idx: usize, field: &str) -> Result<&'a str, ReadError> {
        self.opt(idx, field)?.ok_or_else(|| self.err(field, "is empty"))
    }

    /// Parses a value with `parse`, naming the field and the bad value on failure.
    pub fn parse<T, E: std::fmt::Display>(
        &self,
        idx: usize,
        field: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<T, ReadError> {
        let raw = self.required(idx, field)?;
        parse(raw).map_err(|e| self.err(field, e.to_string()))
    }

    pub fn parse_opt<T, E: std::fmt::Display>(
        &self,
        idx: usize,
        field: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ReadError> {
        match self.opt(idx, field)? {
            None => Ok(None),
            Some(raw) => parse(raw).map(Some).map_err(|e| self.err(field, e.to_string())),
        }
    }

    pub fn date_opt(&self, idx: usize, field: &str) -> Result<Option<Date>, ReadError> {
        self.parse_opt(idx, field, |s| parse_date(s).ok_or_else(|| format!("{s:?} is not a date")))
    }

    /// A head-count: a whole number, not negative.
    pub fn count(&self, idx: usize, field: &str) -> Result<u32, ReadError> {
        self.parse(idx, field, parse_count)
    }

    /// A non-negative decimal (year-average patient counts are fractional).
    pub fn patients_opt(&self, idx: usize, field: &str) -> Result<Option<Decimal>, ReadError> {
        self.parse_opt(idx, field, |s| {
            let d: Decimal = s.replace(',', "").parse().map_err(|_| format!("{s:?} is not a number"))?;
            if d.is_sign_negative() && !d.is_zero() {
                return Err(format!("{s} is negative; a list size cannot be"));
            }
            Ok(d)
        })
    }
}

pub fn parse_count(s: &str) -> Result<u32, String> {
    let t = s.replace(',', "");
    if let Some(rest) = t.strip_prefix('-')
        && rest.parse::<f64>().is_ok()
    {
        return Err(format!("{s} is negative; a list size cannot be"));
    }
    t.parse::<u32>().or_else(|_| {
        // Some exports write counts as 1234.0.
        match t.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&f) => Ok(f as u32),
            _ => Err(format!("{s:?} is not a whole number")),
        }
    })
}

/// Streams every record of a CSV body to `each`, with 1-based line numbers.
pub fn for_each_record<R: Read>(
    file: &str,
    reader: &mut csv::Reader<R>,
    mut each: impl FnMut(Row<'_>) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let mut record = StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                // A blank line (one empty field) carries nothing.
                if record.len() == 1 && record[0].trim().is_empty() {
                    continue;
                }
                let line = record.position().map_or(line, |p| p.line());
                each(Row { file, line, record: &record })?;
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                return Err(ReadError::at(file, line, None, format!("malformed CSV: {e}")));
            }
        }
    }
}

/// Reads the header record of a headered CSV; an empty file is an error.
pub fn read_header<R: Read>(file: &str, reader: &mut csv::Reader<R>) -> Result<Header, ReadError> {
    let h = reader.headers().map_err(|e| ReadError::at(file, 1, None, format!("malformed CSV header: {e}")))?;
    if h.is_empty() || h.iter().all(|c| c.trim().is_empty()) {
        return Err(ReadError::file(file, "the file is empty"));
    }
    Ok(Header::new(h.iter()))
}

/// Checks that a row has exactly as many fields as the header.
pub fn expect_width(row: &Row<'_>, width: usize) -> Result<(), ReadError> {
    let n = row.record.len();
    if n == width {
        return Ok(());
    }
    let what = if n < width { "truncated row" } else { "too many fields" };
    Err(ReadError::at(row.file, row.line, None, format!("{what}: {n} fields where the header has {width}")))
}
