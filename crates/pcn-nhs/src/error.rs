//! One error type for every reader: it always names the file, and the line and
//! field when there is one, so a person can open the file and find the fault.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub file: String,
    /// 1-based line of the record (for CSV, where the record starts).
    pub line: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl ReadError {
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Self { file: file.to_string(), line: None, field: None, message: message.into() }
    }

    pub fn at(file: &str, line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Self { file: file.to_string(), line: Some(line), field: field.map(str::to_string), message: message.into() }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ReadError {}
