//! Rates as the user's data: year tables and ICB Local Variation Agreements
//! read from the files a user names, parsed and validated by `pcn-funding`
//! exactly as the built-in tables are, and the [`RateBook`] a year's figures
//! are computed from. Every file is named by its path and the first twelve
//! hex digits of its SHA-256, so an output says exactly what it used.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use pcn_core::FinancialYear;
use pcn_funding::rates::{self, Overlay, RateBook, RatesError, RatesFile, YearRates};
use sha2::{Digest, Sha256};

/// A file the user gave that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatesFileError {
    /// It cannot be read.
    Read { path: String, message: String },
    /// It breaks the schema or a rule (file, line and field inside).
    Rates(RatesError),
    /// It is the wrong kind for where it was given, or clashes with another.
    Misplaced { path: String, message: String },
}

impl fmt::Display for RatesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RatesFileError::Read { path, message } => write!(f, "{path}: cannot read: {message}"),
            RatesFileError::Rates(e) => write!(f, "{e}"),
            RatesFileError::Misplaced { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for RatesFileError {}

impl From<RatesError> for RatesFileError {
    fn from(e: RatesError) -> Self {
        RatesFileError::Rates(e)
    }
}

/// One file read: its path as given, its digest and how outputs name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: String,
    pub sha256: String,
}

impl Source {
    /// `path (sha256 0123456789ab)`.
    pub fn label(&self) -> String {
        format!("{} (sha256 {})", self.path, &self.sha256[..12])
    }
}

/// Reads a file as text with its digest.
pub fn read(path: &Path) -> Result<(Source, String), RatesFileError> {
    let shown = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| RatesFileError::Read { path: shown.clone(), message: e.to_string() })?;
    let sha256 = Sha256::digest(&bytes).iter().map(|x| format!("{x:02x}")).collect();
    let text = String::from_utf8(bytes)
        .map_err(|_| RatesFileError::Read { path: shown.clone(), message: "not UTF-8 text".into() })?;
    Ok((Source { path: shown, sha256 }, text))
}

/// Reads and validates a file of either kind (`pcn rates check`).
pub fn check(path: &Path) -> Result<(Source, RatesFile), RatesFileError> {
    let (src, text) = read(path)?;
    let parsed = rates::parse_file(&src.path, &text)?;
    Ok((src, parsed))
}

/// The user's files: year tables (each replacing the built-in table of its
/// year) and overlays, all validated.
#[derive(Debug, Clone, Default)]
pub struct UserRates {
    pub tables: BTreeMap<FinancialYear, (Source, YearRates)>,
    /// Each agreement with its text (for the lines of errors found on applying it).
    pub overlays: Vec<(Source, Overlay, String)>,
}

impl UserRates {
    /// Reads `--rates` files (year tables) and `--overlay` files (agreements).
    pub fn load(tables: &[PathBuf], overlays: &[PathBuf]) -> Result<UserRates, RatesFileError> {
        let mut out = UserRates::default();
        for p in tables {
            let (src, text) = read(p)?;
            match rates::parse_file(&src.path, &text)? {
                RatesFile::Year(t) => {
                    if let Some((other, _)) = out.tables.get(&t.year) {
                        return Err(RatesFileError::Misplaced {
                            path: src.path,
                            message: format!("a second table for {} (the first is {})", t.year, other.path),
                        });
                    }
                    out.tables.insert(t.year, (src, t));
                }
                RatesFile::Overlay(_) => {
                    return Err(RatesFileError::Misplaced {
                        path: src.path,
                        message: "is an overlay (it names an icb): give it with --overlay".into(),
                    });
                }
            }
        }
        for p in overlays {
            let (src, text) = read(p)?;
            match rates::parse_file(&src.path, &text)? {
                RatesFile::Overlay(o) => out.overlays.push((src, o, text)),
                RatesFile::Year(_) => {
                    return Err(RatesFileError::Misplaced {
                        path: src.path,
                        message: "is a year's table (it names no icb): give it with --rates".into(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// The table for a year: the user's, else the built-in one, with how it is named.
    pub fn table(&self, year: FinancialYear) -> Result<(String, YearRates), RatesFileError> {
        match self.tables.get(&year) {
            Some((src, t)) => Ok((src.label(), t.clone())),
            None => {
                Ok((format!("built-in {}", rates::builtin_name(&rates::file_name(year))), rates::year(year)?.clone()))
            }
        }
    }

    /// The rates for a year's networks: its table, varied per ICB by the
    /// overlays (each must be for this year).
    pub fn book(&self, year: FinancialYear) -> Result<RateBook, RatesFileError> {
        let (label, base) = self.table(year)?;
        let mut overlays = Vec::new();
        for (src, o, _) in &self.overlays {
            if o.year != year {
                return Err(RatesFileError::Misplaced {
                    path: src.path.clone(),
                    message: format!("is an agreement for {}, not {year}", o.year),
                });
            }
            overlays.push((src.path.clone(), o.clone()));
        }
        let mut book = RateBook::new(base, label, &overlays).map_err(|e| {
            // Errors found on applying an agreement get the line from its text.
            let text = match &e {
                RatesError::Invalid { file, .. } => self.overlays.iter().find(|(s, _, _)| s.path == *file),
                _ => None,
            };
            RatesFileError::Rates(match text {
                Some((_, _, t)) => rates::locate(e, t),
                None => e,
            })
        })?;
        for used in &mut book.overlays {
            if let Some((src, _, _)) = self.overlays.iter().find(|(s, _, _)| s.path == used.file) {
                used.file = src.label();
            }
        }
        Ok(book)
    }
}
