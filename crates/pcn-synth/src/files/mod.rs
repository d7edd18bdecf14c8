//! The area written as the NHS publishes it, one module per file. Every file
//! is detected by content and read by `pcn-nhs` (the tests import them).
//!
//! Rows come out in a fixed order (by code), so the same area always gives
//! the same bytes.

mod care_homes;
mod coordinates;
mod epcn;
mod epraccur;
mod payments;
mod practice_map;
mod qof;
mod registrations;
mod vintage;

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use time::Date;

pub use vintage::Vintage;

use crate::Area;

type Csv = csv::Writer<BufWriter<File>>;
/// Writes one file of the area in a vintage's layout.
type Writer = fn(&Area, &Path, Vintage) -> io::Result<()>;

/// Writes every file of the vintage into `dir` (created if missing); returns
/// their paths in a stable order.
pub fn write_files(area: &Area, dir: &Path, vintage: Vintage) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut writers: Vec<(&str, Writer)> = vec![
        ("epraccur.csv", epraccur::write),
        ("gp-reg-pat-prac-all.csv", registrations::write),
        ("epcn_pcn_details.csv", epcn::write_details),
        ("epcn_core_partners.csv", epcn::write_partners),
        ("practice_postcode_coords.csv", |a, p, _| coordinates::write(a, p)),
        ("HSCA_Active_Locations.csv", |a, p, _| care_homes::write(a, p)),
    ];
    match vintage {
        Vintage::Ccg2021 => {
            writers.push(("qof_PREVALENCE.csv", qof::write));
            writers.push(("nhs_payments_gp_practice_2020-21.csv", payments::write));
        }
        Vintage::Icb2026 => {
            // QOF 2024/25: its lists are at 1 January 2025.
            writers.push(("qof_2425_PREVALENCE.csv", qof::write));
            writers.push(("gp-reg-pat-prac-map.csv", practice_map::write));
            writers.push(("nhspaymentsgp-24-25-prac-csv.csv", payments::write));
        }
    }
    let mut out = Vec::with_capacity(writers.len());
    for (name, write) in writers {
        let path = dir.join(name);
        write(area, &path, vintage)?;
        out.push(path);
    }
    Ok(out)
}

/// A CSV writer: epraccur quotes every field and ends lines in CRLF as ODS
/// does; the other files use minimal quoting and LF.
fn csv_writer(path: &Path, ods_style: bool) -> io::Result<Csv> {
    let file = BufWriter::with_capacity(1 << 16, File::create(path)?);
    let mut b = csv::WriterBuilder::new();
    if ods_style {
        b.quote_style(csv::QuoteStyle::Always).terminator(csv::Terminator::CRLF);
    }
    Ok(b.from_writer(file))
}

fn finish(w: Csv) -> io::Result<()> {
    w.into_inner().map_err(|e| e.into_error())?.into_inner().map_err(|e| e.into_error())?;
    Ok(())
}

/// `20190701`, as ODS writes dates.
fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/// `01JAN2021`, as the registrations extract writes its date.
fn day_month_year(d: Date) -> String {
    format!("{:02}{}{:04}", d.day(), MONTHS[d.month() as usize - 1], d.year())
}

/// `01Apr2026`, as the practice map writes its extract date.
fn day_month_year_lower(d: Date) -> String {
    let m = MONTHS[d.month() as usize - 1];
    format!("{:02}{}{}{:04}", d.day(), &m[..1], m[1..].to_lowercase(), d.year())
}

/// `01/04/1974`, as the payments file writes dates.
fn dd_mm_yyyy(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month() as u8, d.year())
}

/// Pence as pounds with two decimals: `-1234.05`.
fn pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let p = pence.unsigned_abs();
    format!("{sign}{}.{:02}", p / 100, p % 100)
}

/// NHS files write organisation names and addresses in capitals.
fn upper(s: &str) -> String {
    s.to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn formats() {
        assert_eq!(ymd(date!(2019 - 07 - 01)), "20190701");
        assert_eq!(day_month_year(date!(2021 - 01 - 01)), "01JAN2021");
        assert_eq!(day_month_year_lower(date!(2026 - 04 - 01)), "01Apr2026");
        assert_eq!(dd_mm_yyyy(date!(1974 - 04 - 01)), "01/04/1974");
        assert_eq!(pounds(123_456), "1234.56");
        assert_eq!(pounds(-5), "-0.05");
    }
}
