//! Listings printed three ways: a table for people, `--json` and `--csv` for
//! machines. Commands build a [`Listing`] and never format output themselves.

use std::io::Write;

use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Map, Value};

use crate::cli::FormatArgs;

pub struct Listing {
    /// Name of the array in JSON output, e.g. `networks`.
    pub key: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
    /// Extra top-level JSON fields (snapshot id, as-of date, totals).
    pub meta: Map<String, Value>,
    /// Lines printed under the table for people (totals, notes).
    pub footer: Vec<String>,
}

impl Listing {
    pub fn new(key: &'static str, columns: Vec<&'static str>) -> Self {
        Self { key, columns, rows: Vec::new(), meta: Map::new(), footer: Vec::new() }
    }

    pub fn print(&self, format: FormatArgs) -> anyhow::Result<()> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if format.json {
            let mut obj = self.meta.clone();
            let rows: Vec<Value> = self
                .rows
                .iter()
                .map(|r| Value::Object(self.columns.iter().map(|c| c.to_string()).zip(r.iter().cloned()).collect()))
                .collect();
            obj.insert(self.key.to_string(), Value::Array(rows));
            serde_json::to_writer_pretty(&mut out, &Value::Object(obj))?;
            writeln!(out)?;
        } else if format.csv {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&self.columns)?;
            for r in &self.rows {
                w.write_record(r.iter().map(plain))?;
            }
            w.flush()?;
        } else {
            let mut t = Table::new();
            t.load_style(UTF8_FULL_CONDENSED);
            t.set_header(&self.columns);
            for r in &self.rows {
                t.add_row(r.iter().map(|v| {
                    let cell = comfy_table::Cell::new(human(v));
                    if v.is_number() { cell.set_alignment(CellAlignment::Right) } else { cell }
                }));
            }
            writeln!(out, "{t}")?;
            for f in &self.footer {
                writeln!(out, "{f}")?;
            }
        }
        Ok(())
    }
}

/// A value as CSV text: no quotes around strings, empty for null.
fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value for people: thousands separators on whole numbers.
fn human(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => group_thousands(&n.to_string()),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            let s = format!("{f:.2}");
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            format!("{}.{frac}", group_thousands(int))
        }
        Value::Null => "-".into(),
        other => plain(other),
    }
}

pub use pcn_core::text::group_thousands;
