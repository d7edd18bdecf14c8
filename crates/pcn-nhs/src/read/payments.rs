//! NHS Payments to General Practice, practice level, one file per financial
//! year. The year is not a column, so it comes from the file name (as NHS
//! Digital names them, `nhspaymentsgp-19-20-prac-csv.csv`) or from the caller.
//! Every payment column is kept, by its published header, for reconciliation;
//! a column that reads as descriptive or a count but is not one pcn knows is
//! refused by name, never taken for money. From 2024/25 the network streams
//! are in a separate PCN-level file (`network_payments`).

use std::collections::BTreeMap;
use std::path::Path;

use pcn_core::{CommissionerCode, FinancialYear, Money, NetworkCode, PracticeCode, PracticePayments};

use csv::StringRecord;

use super::{Parsed, ReadContext, Seen};
use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{Header, Row, display_name, expect_width, for_each_record, open_csv, raw_header, read_header};

/// Descriptive columns of every vintage (CCG until 2021/22, sub-ICB after):
/// read where pcn uses them, never taken for money.
const DESCRIPTIVE: &[&str] = &[
    "NHS ENGLAND (REGION) CODE",
    "NHS ENGLAND (REGION) NAME",
    "CCG CODE",
    "CCG NAME",
    "SUB ICB LOCATION CODE",
    "SUB ICB LOCATION NAME",
    "SUB ICB CODE",
    "SUB ICB NAME",
    "ICB CODE",
    "ICB NAME",
    "PCN CODE",
    "PCN NAME",
    "PRACTICE CODE",
    "PRACTICE NAME",
    "PRACTICE ADDRESS",
    "PRACTICE POSTCODE",
    "PRACTICE OPEN DATE",
    "PRACTICE CLOSE DATE",
    "CONTRACT TYPE",
    "DISPENSING PRACTICE",
    "PRACTICE TYPE",
    "PRACTICE RURALITY",
    "ATYPICAL CHARACTERISTICS",
];

/// The commissioner column: the CCG until 2021/22, the sub-ICB location after.
pub(crate) const COMMISSIONER: &[&str] = &["CCG Code", "Sub ICB Location Code", "Sub ICB Code"];

/// Patient-count columns: `Number of ... (Last Known Figure)` until 2021/22,
/// `Average Number of ...` after (and in NHS Digital's own 2019/20 file, with
/// a footnote digit).
const REGISTERED: &[&str] = &["NUMBER OF REGISTERED PATIENTS", "AVERAGE NUMBER OF REGISTERED PATIENTS"];
const WEIGHTED: &[&str] = &["NUMBER OF WEIGHTED PATIENTS", "AVERAGE NUMBER OF WEIGHTED PATIENTS"];

/// Words that mark a column as descriptive or a count, not money: one not in
/// the lists above is a renamed or new column, refused by name rather than
/// read as pounds.
const NOT_MONEY_WORDS: &[&str] = &[
    "CODE",
    "NAME",
    "DATE",
    "POSTCODE",
    "ADDRESS",
    "PATIENTS",
    "POPULATION",
    "LIST",
    "FTE",
    "TYPE",
    "NUMBER",
    "AVERAGE",
];

/// Payment headings that contain one of those words all the same.
const MONEY_DESPITE_WORDS: &[&str] = &["SERVICES FOR VIOLENT PATIENTS"];

/// How a payments file's columns are read.
pub(crate) struct PaymentColumns {
    /// (index, published header) of every money column.
    pub money: Vec<(usize, String)>,
    pub registered: Option<usize>,
    pub weighted: Option<usize>,
}

/// Sorts a payments header into descriptive, count, average and money
/// columns; `raw` is the header as published (money keeps its name).
pub(crate) fn classify(file: &str, h: &Header, raw: &StringRecord) -> Result<PaymentColumns, ReadError> {
    let starts = |prefixes: &[&str]| h.names().iter().position(|n| prefixes.iter().any(|p| n.starts_with(p)));
    let registered = starts(REGISTERED);
    let weighted = starts(WEIGHTED);
    let mut money = Vec::new();
    for (i, n) in h.names().iter().enumerate() {
        let is_count = Some(i) == registered || Some(i) == weighted;
        // "Average payments per ... patient": derived, not a payment.
        if n.is_empty() || is_count || DESCRIPTIVE.contains(&n.as_str()) || n.starts_with("AVERAGE PAYMENTS") {
            continue;
        }
        if let Some(w) = n.split(' ').find(|w| NOT_MONEY_WORDS.contains(w))
            && !MONEY_DESPITE_WORDS.contains(&n.as_str())
        {
            return Err(ReadError::at(
                file,
                1,
                Some(n),
                format!(
                    "column {} ({n:?}) is not one pcn knows in NHS Payments to General Practice, and its word {w:?} says it is not an amount; name it in pcn-nhs's payments reader before importing",
                    i + 1
                ),
            ));
        }
        money.push((i, raw.get(i).unwrap_or_default().trim().to_string()));
    }
    Ok(PaymentColumns { money, registered, weighted })
}

/// A money cell in pence; zero is stored as absent.
pub(crate) fn money_items(row: &Row<'_>, cols: &[(usize, String)]) -> Result<BTreeMap<String, Money>, ReadError> {
    let mut items = BTreeMap::new();
    for (i, name) in cols {
        if let Some(raw) = row.opt(*i, name)? {
            let m =
                Money::parse_pounds(raw).ok_or_else(|| row.err(name, format!("{raw:?} is not an amount in pounds")))?;
            if m != Money::ZERO {
                items.insert(name.clone(), m);
            }
        }
    }
    Ok(items)
}

/// The year of a payments file: the caller's, else the one its name carries.
pub(crate) fn year_of(file: &str, path: &Path, ctx: &ReadContext<'_>) -> Result<FinancialYear, ReadError> {
    ctx.payments_year.or_else(|| financial_year_in_name(path)).ok_or_else(|| {
        ReadError::file(file, "cannot tell which financial year these payments are for: name the file with it (e.g. ...-2020-21.csv) or pass --payments-year")
    })
}

/// Finds a financial year in a file name: `2019-20`, `19-20`, `2019_20`, `1920`.
pub fn financial_year_in_name(path: &Path) -> Option<FinancialYear> {
    let name = path.file_name()?.to_string_lossy().to_string();
    let b = name.as_bytes();
    let digits_at = |i: usize, n: usize| i + n <= b.len() && b[i..i + n].iter().all(u8::is_ascii_digit);
    let bounded =
        |i: usize, n: usize| (i == 0 || !b[i - 1].is_ascii_digit()) && (i + n == b.len() || !b[i + n].is_ascii_digit());
    let num = |i: usize, n: usize| name[i..i + n].parse::<i32>().ok();
    for i in 0..b.len() {
        // 2019-20 / 2019_20
        if digits_at(i, 4)
            && i + 7 <= b.len()
            && matches!(b[i + 4], b'-' | b'_')
            && digits_at(i + 5, 2)
            && bounded(i, 7)
        {
            let (y, e) = (num(i, 4)?, num(i + 5, 2)?);
            if (2000..2100).contains(&y) && (y + 1) % 100 == e {
                return Some(FinancialYear::new(y));
            }
        }
        // 19-20 / 19_20
        if digits_at(i, 2)
            && i + 5 <= b.len()
            && matches!(b[i + 2], b'-' | b'_')
            && digits_at(i + 3, 2)
            && bounded(i, 5)
        {
            let (y, e) = (num(i, 2)?, num(i + 3, 2)?);
            if (y + 1) % 100 == e {
                return Some(FinancialYear::new(2000 + y));
            }
        }
        // 1920 (QOF's naming), but not the year of a date such as 2021-01
        let date_follows = i + 6 <= b.len() && matches!(b[i + 4], b'-' | b'_') && b[i + 5].is_ascii_digit();
        if digits_at(i, 4) && bounded(i, 4) && !date_follows {
            let (y, e) = (num(i, 2)?, num(i + 2, 2)?);
            if (y + 1) % 100 == e && (10..=60).contains(&y) {
                return Some(FinancialYear::new(2000 + y));
            }
        }
    }
    None
}

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<Parsed, ReadError> {
    let file = display_name(path);
    let year = year_of(&file, path, ctx)?;
    let mut rdr = open_csv(path, true, ctx.progress)?;
    let h = read_header(&file, &mut rdr)?;
    let raw = raw_header(&file, &mut rdr)?;
    let practice = h.require(&file, &["Practice Code"])?;
    let network = h.find(&["PCN Code"]);
    let ccg = h.find(COMMISSIONER);
    let contract = h.find(&["Contract Type"]);
    let practice_type = h.find(&["Practice Type"]);
    let rurality = h.find(&["Practice Rurality"]);
    let dispensing = h.find(&["Dispensing Practice"]);
    let close = h.find(&["Practice Close Date"]);
    let cols = classify(&file, &h, &raw)?;

    let mut rows = Vec::new();
    let mut seen = Seen::new();
    for_each_record(&file, &mut rdr, |row| {
        expect_width(&row, h.len())?;
        let code = row.parse(practice, "Practice Code", PracticeCode::parse)?;
        seen.insert(&file, row.line, "Practice Code", code.clone())?;
        let label = |i: Option<usize>, f: &str| row.text(i, f, Text::Label);
        let net = match row.text(network, "PCN Code", Text::Value)? {
            Some(s) if s.to_ascii_lowercase().starts_with("unknown") => None,
            Some(s) => Some(NetworkCode::parse(&s).map_err(|e| row.err("PCN Code", e.to_string()))?),
            None => None,
        };
        rows.push(PracticePayments {
            year,
            practice: code,
            network: net,
            commissioner: match ccg {
                Some(i) => row.parse_opt(i, "CCG Code", CommissionerCode::parse)?,
                None => None,
            },
            contract_type: label(contract, "Contract Type")?,
            practice_type: label(practice_type, "Practice Type")?,
            rurality: label(rurality, "Practice Rurality")?,
            dispensing: label(dispensing, "Dispensing Practice")?,
            close_date: match close {
                Some(i) => row.date_opt(i, "Practice Close Date")?,
                None => None,
            },
            registered_patients: match cols.registered {
                Some(i) => row.patients_opt(i, "Number of Registered Patients")?,
                None => None,
            },
            weighted_patients: match cols.weighted {
                Some(i) => row.patients_opt(i, "Number of Weighted Patients")?,
                None => None,
            },
            items: money_items(&row, &cols.money)?,
        });
        Ok(())
    })?;
    if rows.is_empty() {
        return Err(ReadError::file(&file, "the file has a header but no rows"));
    }
    Ok(Parsed::Payments { year, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_in_file_names() {
        let y = |s: &str| financial_year_in_name(Path::new(s)).map(|y| y.to_string());
        assert_eq!(y("nhs_payments_gp_practice_2019-20.csv").as_deref(), Some("2019/20"));
        assert_eq!(y("nhspaymentsgp-19-20-prac-csv.csv").as_deref(), Some("2019/20"));
        assert_eq!(y("qof_1920_PREVALENCE.csv").as_deref(), Some("2019/20"));
        assert_eq!(y("qof_2021_PREVALENCE_v2.csv").as_deref(), Some("2020/21"));
        assert_eq!(y("payments.csv"), None);
        assert_eq!(y("gp-reg-pat-prac-all_2021-01.csv"), None);
    }
}
