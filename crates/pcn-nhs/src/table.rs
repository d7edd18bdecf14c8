//! Tables as the readers see them: CSV files (streamed) and xlsx sheets, both
//! turned into records with a line number and a header looked up by name.
//!
//! Header names are matched after normalising: line breaks and runs of spaces
//! or underscores collapse to one space and case is ignored, so `Partner\r\n
//! Organisation\r\nCode`, `PARTNER ORGANISATION CODE` and `partner_organisation_code`
//! are the same column.
//!
//! Text is UTF-8, or Windows-1252 where a field is not valid UTF-8 (NHS Digital
//! publishes some files, e.g. the NWRS workforce extracts, in Windows-1252:
//! their en dash is the single byte 0x96).
//!
//! Every field is held to the bounds of [`crate::limits`]: a record's length as
//! it is read, every field's control characters and length as it arrives, and
//! each field a reader keeps to the bound of its kind as the reader takes it.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use csv::{ByteRecord, StringRecord};
use rust_decimal::Decimal;
use time::Date;

use crate::dates::parse_date;
use crate::error::ReadError;
use crate::limits::{self, RECORD_BYTES, Text, thousands};

/// Reports bytes consumed so the caller can draw a progress bar.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Where each line starts, for the bytes the CSV parser has read but not yet
/// handed back as records. The csv crate's own record positions count a
/// skipped blank line as the start of the next record, so lines are counted
/// here from the bytes themselves.
#[derive(Default)]
pub struct LineIndex {
    newlines: VecDeque<u64>,
    seen: u64,
    lines_before_front: u64,
    /// Where the record being read starts, and (CSV only) how far past it
    /// reading may go before the record is refused as too long.
    record_start: u64,
    record_limit: Option<u64>,
}

/// Slack over [`RECORD_BYTES`] for what the csv reader reads ahead (its
/// buffer is 8 KiB), so only a record truly over the bound stops the stream.
const READ_AHEAD: u64 = 64 << 10;

/// The stream's refusal of a record over [`RECORD_BYTES`], carried through
/// the csv crate's IO error to [`csv_error`].
#[derive(Debug)]
struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too long")
    }
}

impl std::error::Error for RecordTooLong {}

impl LineIndex {
    fn feed(&mut self, buf: &[u8]) {
        for (i, b) in buf.iter().enumerate() {
            if *b == b'\n' {
                self.newlines.push_back(self.seen + i as u64);
            }
        }
        self.seen += buf.len() as u64;
    }

    /// The 1-based line of the first content byte at or after `byte`, where
    /// records arrive in order. Newlines at `byte` itself are blank lines.
    fn line_at(&mut self, mut byte: u64) -> u64 {
        while self.newlines.front().is_some_and(|&n| n < byte) {
            self.newlines.pop_front();
            self.lines_before_front += 1;
        }
        while self.newlines.front() == Some(&byte) {
            self.newlines.pop_front();
            self.lines_before_front += 1;
            byte += 1;
        }
        self.lines_before_front + 1
    }
}

/// A reader that reports every byte it hands on and indexes line starts.
pub struct Counting<'a, R> {
    inner: R,
    progress: Option<Progress<'a>>,
    lines: Rc<RefCell<LineIndex>>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut lines = self.lines.borrow_mut();
        lines.feed(&buf[..n]);
        if let Some(p) = self.progress {
            p(n as u64);
        }
        // A 50 MB line would otherwise be read whole into memory by the csv crate.
        if let Some(limit) = lines.record_limit
            && lines.seen - lines.record_start > limit + READ_AHEAD
        {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RecordTooLong));
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
    Ok(Counting { inner: reader, progress, lines: Rc::default() })
}

/// A CSV file being streamed, with true line numbers.
pub struct CsvFile<'a> {
    pub reader: csv::Reader<Counting<'a, BufReader<File>>>,
    lines: Rc<RefCell<LineIndex>>,
    /// Column names for messages: the header's, or a positional layout's.
    names: Vec<String>,
    /// Whether every record is data, so no field may break a line. A file
    /// read without a header may have title and header rows among its
    /// records, which may (the fields a reader takes never may).
    data_only: bool,
}

impl CsvFile<'_> {
    /// Names the columns of a positional layout (no header, or a one-line
    /// one), for messages; every record is then held to data's rules.
    pub fn name_columns(&mut self, names: &[&str]) {
        self.names = names.iter().map(|n| n.to_string()).collect();
        self.data_only = true;
    }
}

pub fn open_csv<'a>(path: &Path, has_headers: bool, progress: Option<Progress<'a>>) -> Result<CsvFile<'a>, ReadError> {
    let text = open_text(path, progress)?;
    let lines = Rc::clone(&text.lines);
    lines.borrow_mut().record_limit = Some(RECORD_BYTES);
    Ok(CsvFile { reader: csv_reader(text, has_headers), lines, names: Vec::new(), data_only: has_headers })
}

/// The name used in messages: the path as the user gave it.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Lines end at `\n`; a `\r` before it is trimmed with the cell, which keeps
/// line numbers right for CRLF files.
pub fn csv_reader<R: Read>(r: R, has_headers: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(true)
        .trim(csv::Trim::None)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(r)
}

/// A trailing date-format hint, as in ePCN's `Open Date (YYYYMMDD)`, is dropped.
pub fn normalise_header(h: &str) -> String {
    let words: Vec<&str> = h.split(|c: char| c.is_whitespace() || c == '_').filter(|w| !w.is_empty()).collect();
    let words = match words.split_last() {
        Some((last, rest)) if is_format_hint(last) && !rest.is_empty() => rest,
        _ => &words[..],
    };
    words.join(" ").to_ascii_uppercase()
}

fn is_format_hint(word: &str) -> bool {
    let inner = word.strip_prefix('(').and_then(|w| w.strip_suffix(')'));
    inner.is_some_and(|w| {
        !w.is_empty() && w.chars().all(|c| matches!(c.to_ascii_uppercase(), 'Y' | 'M' | 'D' | '/' | '-'))
    })
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

    /// Refuses a column the reader does not know (blank ones aside), naming
    /// it: a renamed or added column is a new layout, to be read on purpose,
    /// never guessed at. `line` is the header's line.
    pub fn refuse_unknown(&self, file: &str, line: u64, known: &[&str], layout: &str) -> Result<(), ReadError> {
        let known: Vec<String> = known.iter().map(|k| normalise_header(k)).collect();
        match self.names.iter().enumerate().find(|(_, n)| !n.is_empty() && !known.contains(n)) {
            None => Ok(()),
            Some((i, n)) => Err(ReadError::at(
                file,
                line,
                Some(n),
                format!(
                    "column {} ({n:?}) is not one pcn knows in {layout}; it reads {}",
                    i + 1,
                    known.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
}

/// One record with what is needed to complain about it precisely.
pub struct Row<'a> {
    pub file: &'a str,
    pub line: u64,
    pub record: &'a StringRecord,
}

impl<'a> Row<'a> {
    /// The trimmed cell, held to the bound of a value (codes, dates, numbers,
    /// flags), or an error naming the field if the row is too short.
    pub fn cell(&self, idx: usize, field: &str) -> Result<&'a str, ReadError> {
        self.cell_as(idx, field, Text::Value)
    }

    /// The trimmed cell, held to the bound of `kind` and refused if it holds
    /// a control character: every accessor of a row goes through here.
    pub fn cell_as(&self, idx: usize, field: &str, kind: Text) -> Result<&'a str, ReadError> {
        let v = self.record.get(idx).map(str::trim).ok_or_else(|| {
            self.err(field, format!("row ends after {} fields; this column is number {}", self.record.len(), idx + 1))
        })?;
        limits::check(v, kind, false).map_err(|m| self.err(field, m))?;
        Ok(v)
    }

    /// A text field to keep, held to the bound of its kind; `None` if blank
    /// or if the file has no such column (`idx` of `None`).
    pub fn text(&self, idx: impl Into<Option<usize>>, field: &str, kind: Text) -> Result<Option<String>, ReadError> {
        let Some(idx) = idx.into() else { return Ok(None) };
        let v = self.cell_as(idx, field, kind)?;
        Ok((!v.is_empty()).then(|| v.to_string()))
    }

    /// A text field that may not be blank.
    pub fn required_text(&self, idx: usize, field: &str, kind: Text) -> Result<String, ReadError> {
        self.text(idx, field, kind)?.ok_or_else(|| self.err(field, "is empty"))
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

/// A field as text: UTF-8 if it is, else Windows-1252.
pub fn decode_field(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

fn decode_record(bytes: &ByteRecord, into: &mut StringRecord) {
    into.clear();
    for field in bytes {
        into.push_field(&decode_field(field));
    }
    into.set_position(bytes.position().cloned());
}

/// Streams every record of a CSV file to `each`, with 1-based line numbers.
/// A record over [`RECORD_BYTES`], or a field with what no field may hold
/// (see [`check_record`]), is refused before `each` sees it.
pub fn for_each_record(
    file: &str,
    csv: &mut CsvFile<'_>,
    mut each: impl FnMut(Row<'_>) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let mut bytes = ByteRecord::new();
    let mut record = StringRecord::new();
    loop {
        csv.lines.borrow_mut().record_start = csv.reader.position().byte();
        match csv.reader.read_byte_record(&mut bytes) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let start = bytes.position().map_or(0, |p| p.byte());
                if csv.reader.position().byte() - start > RECORD_BYTES {
                    let line = csv.lines.borrow_mut().line_at(start);
                    return Err(too_long(file, line));
                }
                decode_record(&bytes, &mut record);
                let line = csv.lines.borrow_mut().line_at(start);
                // A blank line (one empty field, or a lone \r) carries nothing.
                if record.len() == 1 && record[0].trim().is_empty() {
                    continue;
                }
                check_record(file, line, &record, &csv.names, !csv.data_only)?;
                each(Row { file, line, record: &record })?;
            }
            Err(e) => return Err(csv_error(file, csv, &e, "malformed CSV")),
        }
    }
}

fn too_long(file: &str, line: u64) -> ReadError {
    ReadError::at(
        file,
        line,
        None,
        format!(
            "the record is longer than {} bytes, the most pcn reads in one record (NHS files' are a few kilobytes at most): a line this long, or a quote left open, is not an NHS file's",
            thousands(RECORD_BYTES)
        ),
    )
}

/// A csv crate error as a `ReadError` on its line; the stream's refusal of a
/// long record reads as such.
fn csv_error(file: &str, csv: &CsvFile<'_>, e: &csv::Error, what: &str) -> ReadError {
    let mut lines = csv.lines.borrow_mut();
    if let csv::ErrorKind::Io(io) = e.kind()
        && io.get_ref().is_some_and(|inner| inner.is::<RecordTooLong>())
    {
        let start = lines.record_start;
        return too_long(file, lines.line_at(start));
    }
    let line = match e.position() {
        Some(p) => lines.line_at(p.byte()),
        None => csv.reader.position().line(),
    };
    ReadError::at(file, line, None, format!("{what}: {e}"))
}

/// Refuses a record with a field no field may hold, read or not: a control
/// character (but tab, and line breaks where `line_breaks`: header and title
/// rows) or more than [`limits::ANY_FIELD_CHARS`]. Fields are named by
/// `names` where it has them, else by column number.
pub fn check_record(
    file: &str,
    line: u64,
    record: &StringRecord,
    names: &[String],
    line_breaks: bool,
) -> Result<(), ReadError> {
    for (i, f) in record.iter().enumerate() {
        if let Err(m) = limits::check_any(f.trim(), line_breaks) {
            let field = names.get(i).filter(|n| !n.is_empty()).cloned().unwrap_or_else(|| format!("column {}", i + 1));
            return Err(ReadError::at(file, line, Some(&field), m));
        }
    }
    Ok(())
}

/// Header cells as messages name them: line breaks and runs of spaces as one space.
pub fn display_names(header: &StringRecord) -> Vec<String> {
    header.iter().map(|h| h.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

/// Reads the header record of a headered CSV; an empty file is an error.
pub fn read_header(file: &str, csv: &mut CsvFile<'_>) -> Result<Header, ReadError> {
    let h = raw_header(file, csv)?;
    if h.is_empty() || h.iter().all(|c| c.trim().is_empty()) {
        return Err(ReadError::file(file, "the file is empty"));
    }
    Ok(Header::new(h.iter()))
}

/// The header record as published (decoded, untrimmed). Its cells may break
/// lines (ePCN's do), but are held to the rest of [`check_record`].
pub fn raw_header(file: &str, csv: &mut CsvFile<'_>) -> Result<StringRecord, ReadError> {
    let mut out = StringRecord::new();
    match csv.reader.byte_headers() {
        Ok(h) => decode_record(h, &mut out),
        Err(e) => {
            let e = csv_error(file, csv, &e, "malformed CSV header");
            return Err(ReadError { line: Some(1), ..e });
        }
    }
    check_record(file, 1, &out, &[], true)?;
    csv.names = display_names(&out);
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(body: &str, has_headers: bool) -> Vec<u64> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, body).unwrap();
        let mut csv = open_csv(&path, has_headers, None).unwrap();
        if has_headers {
            read_header("t", &mut csv).unwrap();
        }
        let mut out = Vec::new();
        for_each_record("t", &mut csv, |row| {
            out.push(row.line);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn line_numbers_are_the_file_lines() {
        assert_eq!(lines_of("a,b\r\nc,d\r\ne,f\r\n", false), [1, 2, 3]);
        assert_eq!(lines_of("h1,h2\nc,d\ne,f\n", true), [2, 3]);
        // A quoted field spanning lines (data may not, but a file read without
        // a header may have title rows that do): the next record starts on line 4.
        assert_eq!(lines_of("h1,h2\n\"x\ny\",1\nz,2\n", false), [1, 2, 4]);
        assert_eq!(lines_of("\"h\n1\",h2\nx,1\nz,2\n", true), [3, 4]);
        // Blank lines are skipped but still counted, LF or CRLF, and a BOM is no line.
        assert_eq!(lines_of("a,b\n\nc,d\n", false), [1, 3]);
        assert_eq!(lines_of("a,b\r\n\r\n\r\nc,d", false), [1, 4]);
        assert_eq!(lines_of("\u{feff}h\r\n\"x\r\ny\"\r\n\nz\r\n", false), [1, 2, 5]);
    }

    fn read_all(body: &[u8], has_headers: bool) -> Result<usize, ReadError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, body).unwrap();
        let mut csv = open_csv(&path, has_headers, None)?;
        if has_headers {
            read_header("t", &mut csv)?;
        }
        let mut n = 0;
        for_each_record("t", &mut csv, |row| {
            row.cell(0, "first")?;
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    #[test]
    fn a_record_over_the_bound_is_refused_as_it_is_read() {
        let mut body = b"h1,h2\nA,1\nB,".to_vec();
        body.resize(body.len() + 3 * RECORD_BYTES as usize, b'x');
        body.extend_from_slice(b"\nC,3\n");
        let e = read_all(&body, true).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("longer than 1,048,576 bytes"), "{e}");
        // The stream stops it: no more than the bound and a buffer is ever read.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.csv");
        std::fs::write(&path, &body).unwrap();
        let read = std::sync::atomic::AtomicU64::new(0);
        let count = |n: u64| {
            read.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        };
        let mut csv = open_csv(&path, true, Some(&count)).unwrap();
        read_header("t", &mut csv).unwrap();
        assert!(for_each_record("t", &mut csv, |_| Ok(())).is_err());
        let read = read.into_inner();
        assert!(read <= RECORD_BYTES + 2 * READ_AHEAD, "read {read} of {} bytes", body.len());
        // Just over the bound: refused once read, on its line.
        let mut body = b"h1,h2\nA,".to_vec();
        body.resize(body.len() + RECORD_BYTES as usize, b'x');
        let e = read_all(&body, true).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        // A quote left open runs to the end of the file: the same bound.
        let mut body = b"h1,h2\n\"A,".to_vec();
        body.resize(body.len() + 2 * RECORD_BYTES as usize, b'\n');
        assert!(read_all(&body, true).unwrap_err().message.contains("quote left open"));
        // At the bound (fields of any width), read.
        let header = b"h1,h2\n".len();
        let mut body = b"h1,h2\n".to_vec();
        while body.len() < header + RECORD_BYTES as usize - 2 {
            body.extend_from_slice(b"x,");
        }
        body.truncate(header + RECORD_BYTES as usize - 1);
        body.push(b'\n');
        assert_eq!(read_all(&body, true).unwrap(), 1);
    }

    #[test]
    fn control_characters_are_refused_in_any_field_named_by_its_header() {
        // A column no reader takes is held to it too, and named by its header.
        let e = read_all(b"h1,Address Line 1\nA,1 High St\x00\n", true).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("Address Line 1")), "{e}");
        assert!(e.message.contains("U+0000"), "{e}");
        let e = read_all(b"h1,h2\nA,\"x\ny\"\n", true).unwrap_err();
        assert!(e.message.contains("U+000A"), "{e}");
        // Header cells may break lines; a CRLF's CR, and trailing blanks, are trimmed.
        assert_eq!(read_all(b"\"Partner\r\nName\",h2\r\nA,1\r\nB,2 \x0b\r\n", true).unwrap(), 2);
        // Without a header, title rows may break lines, but a field a reader takes may not.
        assert_eq!(read_all(b"title,\"a\nb\"\nA,1\n", false).unwrap(), 2);
        let e = read_all(b"\"a\nb\",1\n", false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("first"), "{e}");
        let e = read_all(b"h\x1b1,h2\nA,1\n", true).unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
    }

    #[test]
    fn headers_match_across_dress() {
        let h = Header::new(["Partner\r\nOrganisation\r\nCode", " pcn_code ", "PCN  Name", "Open Date (YYYYMMDD)"]);
        assert_eq!(h.find(&["Open Date"]), Some(3));
        assert_eq!(h.find(&["PARTNER_ORGANISATION_CODE"]), Some(0));
        assert_eq!(h.find(&["PCN Code"]), Some(1));
        assert_eq!(h.find(&["pcn name"]), Some(2));
    }

    #[test]
    fn counts_refuse_negatives_and_words() {
        assert_eq!(parse_count("1,234"), Ok(1234));
        assert_eq!(parse_count("12.0"), Ok(12));
        assert!(parse_count("-3").unwrap_err().contains("negative"));
        assert!(parse_count("12.5").is_err());
        assert!(parse_count("abc").is_err());
    }
}
