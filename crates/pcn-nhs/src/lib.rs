//! Readers (and, for the synthetic generator and exports, writers) of the NHS
//! and ONS open-data files that pcn works from.
//!
//! [`import_files`] is the one entry point for an import: it detects what each
//! file is from its content, reads them all (streaming, validating every field
//! it keeps), and joins them into one [`pcn_core::Snapshot`]. Nothing touches a
//! database here, so a bad file fails before anything is stored.

pub mod assemble;
pub mod dates;
pub mod detect;
pub mod error;
pub mod inputs;
pub mod kind;
pub mod limits;
pub mod read;
pub mod table;
pub mod write;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use pcn_core::{FinancialYear, Snapshot};
use sha2::{Digest, Sha256};
use time::Date;

pub use assemble::{AssemblyNotes, FileLeftOut, Provenance};
pub use detect::detect;
pub use error::ReadError;
pub use kind::FileKind;
pub use read::{Parsed, ReadContext};
pub use table::Progress;

#[derive(Default)]
pub struct ImportOptions<'a> {
    /// The snapshot's date when no file carries one (or to override it).
    pub as_of: Option<Date>,
    /// The year of payments files whose names do not say.
    pub payments_year: Option<FinancialYear>,
    /// Called with bytes consumed, for a progress bar over [`total_bytes`].
    pub progress: Option<Progress<'a>>,
}

/// One file of an import, as recorded with the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub kind: FileKind,
    pub sha256: String,
    pub bytes: u64,
    /// Records kept from the file.
    pub records: usize,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub snapshot: Snapshot,
    pub sources: Vec<SourceFile>,
    pub notes: AssemblyNotes,
    /// Identifies the import: the same files with the same options give the
    /// same hash, whatever their names or order.
    pub content_hash: String,
}

/// Kinds of which one import may hold several files (of different dates,
/// years or censuses where that matters).
fn may_repeat(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Payments
            | FileKind::Epraccur
            | FileKind::EpcnWorkbook
            | FileKind::Registrations
            | FileKind::NetworkPayments
            | FileKind::Coordinates
            | FileKind::Boundaries
            | FileKind::QofPrevalence
            | FileKind::PracticeMap
            | FileKind::Workforce
    )
}

/// What two files of one kind must not share: one map per extract date, one
/// workforce file per census, one payments file (of each level) per year, one
/// QOF prevalence file per year.
fn repeat_key(p: &Parsed) -> Option<String> {
    match p {
        Parsed::PracticeMap(m) => Some(format!("extract date {}", m.extract_date)),
        Parsed::Registrations { extract_date, .. } => Some(format!("extract date {extract_date}")),
        Parsed::Workforce(w) => Some(format!("census {}", w.census)),
        Parsed::NetworkPayments { year, .. } | Parsed::Payments { year, .. } => Some(format!("year {year}")),
        // Two prevalence files whose names carry no year are as ambiguous as two of one year.
        Parsed::QofPrevalence(q) => Some(q.year.map_or("year (unnamed)".to_string(), |y| format!("year {y}"))),
        _ => None,
    }
}

fn is_epcn(kind: FileKind) -> bool {
    matches!(kind, FileKind::EpcnWorkbook | FileKind::EpcnDetails | FileKind::EpcnPartners)
}

pub fn total_bytes(paths: &[PathBuf]) -> u64 {
    paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
}

pub fn import_files(paths: &[PathBuf], opts: &ImportOptions<'_>) -> Result<Import, ReadError> {
    if paths.is_empty() {
        return Err(ReadError::file("(no files)", "give at least one file to import"));
    }
    let mut files: Vec<(PathBuf, FileKind)> = Vec::with_capacity(paths.len());
    for p in paths {
        let kind = detect(p)?;
        // The same kind twice is ambiguous where the files cannot be weighed
        // by date, and so is a workbook beside a CSV sheet of one.
        let clashes = |k: FileKind| {
            (k == kind && !may_repeat(kind))
                || (is_epcn(k)
                    && is_epcn(kind)
                    && k != kind
                    && (k == FileKind::EpcnWorkbook || kind == FileKind::EpcnWorkbook))
        };
        if let Some((other, _)) = files.iter().find(|(_, k)| clashes(*k)) {
            return Err(ReadError::file(
                &p.display().to_string(),
                format!("is a second {kind} file (the first is {}); import one at a time", other.display()),
            ));
        }
        files.push((p.clone(), kind));
    }
    // A fixed order of kinds, and within a kind of contents, so the snapshot
    // never depends on the order the files were named in (the content hash
    // does not either). Coordinates come last: they keep only the postcodes
    // the other files name.
    let mut files: Vec<(PathBuf, FileKind, String)> =
        files.into_iter().map(|(p, k)| sha256_file(&p).map(|h| (p, k, h))).collect::<Result<_, _>>()?;
    files.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));

    let mut parsed: Vec<Parsed> = Vec::with_capacity(files.len());
    let mut sources: Vec<SourceFile> = Vec::with_capacity(files.len());
    let mut file_notes: Vec<(String, read::FileNotes)> = Vec::new();
    let mut wanted = None;
    for (path, kind, sha256) in &files {
        if *kind == FileKind::Coordinates && wanted.is_none() {
            let w = assemble::wanted_postcodes(&parsed);
            wanted = Some(w);
        }
        let ctx = ReadContext {
            wanted_postcodes: wanted.as_ref().filter(|w| !w.is_empty()),
            payments_year: opts.payments_year,
            progress: opts.progress,
        };
        let (p, noted) = read::read_noted(path, *kind, &ctx)?;
        if let Some(key) = repeat_key(&p)
            && let Some(i) =
                parsed.iter().zip(&sources).position(|(o, s)| s.kind == *kind && repeat_key(o) == Some(key.clone()))
        {
            return Err(ReadError::file(
                &path.display().to_string(),
                format!("is a second {kind} file for the same {key} (the first is {})", sources[i].path.display()),
            ));
        }
        sources.push(SourceFile {
            path: path.clone(),
            kind: *kind,
            sha256: sha256.clone(),
            bytes: file_len(path),
            records: record_count(&p),
        });
        file_notes.push((path.display().to_string(), noted));
        parsed.push(p);
    }

    // The snapshot is dated by the latest extract among the files that are
    // monthly extracts, else by the latest workforce census.
    let dates = |extracts: bool| {
        parsed
            .iter()
            .filter_map(|p| match p {
                Parsed::Registrations { extract_date, .. } if extracts => Some(*extract_date),
                Parsed::PracticeMap(m) if extracts => Some(m.extract_date),
                Parsed::Workforce(w) if !extracts => Some(w.census),
                _ => None,
            })
            .max()
    };
    let content_date = dates(true).or_else(|| dates(false));
    let as_of = opts.as_of.or(content_date).ok_or_else(|| {
        ReadError::file(
            &files.iter().map(|(p, _, _)| p.display().to_string()).collect::<Vec<_>>().join(", "),
            "none of these files carries a date for the snapshot; give one with --as-of YYYY-MM-DD",
        )
    })?;

    let mut hasher = Sha256::new();
    let ordered: BTreeSet<(String, String)> =
        sources.iter().map(|s| (format!("{:?}", s.kind), s.sha256.clone())).collect();
    for (k, h) in &ordered {
        hasher.update(format!("{k}:{h}\n"));
    }
    hasher.update(format!("as_of:{as_of}\npayments_year:{:?}\n", opts.payments_year));
    let content_hash = hex(&hasher.finalize());

    let inputs = sources
        .iter()
        .map(|s| (s.path.display().to_string(), s.kind))
        .zip(parsed)
        .map(|((f, k), p)| (f, k, p))
        .collect();
    let (snapshot, mut notes) = assemble::assemble(inputs, as_of);
    for (file, n) in file_notes {
        notes.warnings.extend(n.warnings);
        notes.left_out.extend(n.left_out.into_iter().map(|l| FileLeftOut {
            file: file.clone(),
            count: l.count,
            what: l.what,
        }));
    }
    Ok(Import { snapshot, sources, notes, content_hash })
}

fn record_count(p: &Parsed) -> usize {
    match p {
        Parsed::Epraccur { practices, .. } => practices.len(),
        Parsed::Registrations { rows, .. } => rows.len(),
        Parsed::Epcn(e) => e.networks.len() + e.partners.len(),
        Parsed::PracticeMap(m) => m.rows.len(),
        Parsed::NetworkPayments { rows, .. } => rows.len(),
        Parsed::Workforce(w) => w.records.len(),
        Parsed::QofMapping(q) => q.memberships.len(),
        Parsed::QofPrevalence(q) => q.registers.len(),
        Parsed::Payments { rows, .. } => rows.len(),
        Parsed::Coordinates(c) => c.len(),
        Parsed::CareHomes(h) => h.len(),
        Parsed::Lsoas(l) => l.len(),
        Parsed::Boundaries(b) => b.len(),
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn sha256_file(path: &Path) -> Result<String, ReadError> {
    let mut f =
        File::open(path).map_err(|e| ReadError::file(&path.display().to_string(), format!("cannot open: {e}")))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n =
            f.read(&mut buf).map_err(|e| ReadError::file(&path.display().to_string(), format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads one NHS Payments to General Practice file on its own (for
/// reconciliation), checking it is one: its year comes from the name or `year`.
pub fn read_payments(
    path: &Path,
    year: Option<FinancialYear>,
) -> Result<(FinancialYear, Vec<pcn_core::PracticePayments>), ReadError> {
    let kind = detect(path)?;
    if kind != FileKind::Payments {
        return Err(ReadError::file(
            &path.display().to_string(),
            format!("is a {kind} file, not NHS Payments to General Practice"),
        ));
    }
    let ctx = ReadContext { wanted_postcodes: None, payments_year: year, progress: None };
    match read::payments::read(path, &ctx)? {
        Parsed::Payments { year, rows } => Ok((year, rows)),
        _ => unreachable!("the payments reader returns payments"),
    }
}
