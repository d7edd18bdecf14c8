//! The embedded rate tables: `rates/<yyyy>-<yy>.toml`, one per financial
//! year, parsed and validated once on first use.

use std::fmt;
use std::sync::OnceLock;

use pcn_core::FinancialYear;
use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::{ArrsRole, Confidence, NoRate, NoRateWhy, PaidTo, Rate, Stream, YearRates};

/// The embedded files, in year order.
const FILES: [(&str, &str); 8] = [
    ("2019-20.toml", include_str!("../../rates/2019-20.toml")),
    ("2020-21.toml", include_str!("../../rates/2020-21.toml")),
    ("2021-22.toml", include_str!("../../rates/2021-22.toml")),
    ("2022-23.toml", include_str!("../../rates/2022-23.toml")),
    ("2023-24.toml", include_str!("../../rates/2023-24.toml")),
    ("2024-25.toml", include_str!("../../rates/2024-25.toml")),
    ("2025-26.toml", include_str!("../../rates/2025-26.toml")),
    ("2026-27.toml", include_str!("../../rates/2026-27.toml")),
];

/// Role keys the tables may use (stable across years).
pub const ROLE_KEYS: &[&str] = &[
    "clinical_pharmacist",
    "social_prescribing_link_worker",
    "physician_associate",
    "first_contact_physiotherapist",
    "pharmacy_technician",
    "care_coordinator",
    "health_and_wellbeing_coach",
    "dietitian",
    "podiatrist",
    "occupational_therapist",
    "nursing_associate",
    "trainee_nursing_associate",
    "paramedic",
    "mental_health_practitioner",
    "advanced_practitioner",
    "gp_assistant",
    "digital_transformation_lead",
    "apprentice_physician_associate",
    "enhanced_practice_nurse",
    "gp",
    "new_to_gp_nurse",
    "experienced_gp_nurse",
    "consultant_nurse",
    "healthcare_support_worker",
];

/// A rate table that is missing, unreadable or inconsistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatesError {
    /// No table is embedded for the year.
    NoTable(FinancialYear),
    /// The file is not valid TOML for the schema.
    Parse { file: String, message: String },
    /// The file parsed but an entry breaks a rule.
    Invalid { file: String, entry: String, problem: String },
}

impl fmt::Display for RatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RatesError::NoTable(y) => {
                let (first, last) = (FILES[0].0, FILES[FILES.len() - 1].0);
                write!(f, "no rate table for {y} (tables run from {} to {})", year_of_file(first), year_of_file(last))
            }
            RatesError::Parse { file, message } => write!(f, "rates/{file}: {message}"),
            RatesError::Invalid { file, entry, problem } => write!(f, "rates/{file}: {entry}: {problem}"),
        }
    }
}

impl std::error::Error for RatesError {}

fn year_of_file(file: &str) -> String {
    file.trim_end_matches(".toml").replacen('-', "/", 1)
}

/// The file name a year's table lives in, e.g. `2020-21.toml`.
pub fn file_name(year: FinancialYear) -> String {
    format!("{}-{:02}.toml", year.start_year(), (year.start_year() + 1) % 100)
}

static PARSED: [OnceLock<Result<YearRates, RatesError>>; FILES.len()] = [const { OnceLock::new() }; FILES.len()];
static ALL: OnceLock<Result<Vec<YearRates>, RatesError>> = OnceLock::new();

fn parsed(i: usize) -> &'static Result<YearRates, RatesError> {
    PARSED[i].get_or_init(|| parse_table(FILES[i].0, FILES[i].1))
}

/// The validated table for a year.
pub fn year(year: FinancialYear) -> Result<&'static YearRates, RatesError> {
    let name = file_name(year);
    let i = FILES.iter().position(|(f, _)| *f == name).ok_or(RatesError::NoTable(year))?;
    parsed(i).as_ref().map_err(Clone::clone)
}

/// Every table in year order, or the first error.
pub fn try_all() -> Result<&'static [YearRates], RatesError> {
    ALL.get_or_init(|| (0..FILES.len()).map(|i| parsed(i).clone()).collect()).as_deref().map_err(Clone::clone)
}

/// Every table in year order (2019/20 to 2026/27).
///
/// # Panics
/// If an embedded table fails validation; `tests/rate_tables.rs` guards that.
pub fn all() -> &'static [YearRates] {
    try_all().unwrap_or_else(|e| panic!("{e}"))
}

/// The years that have a table.
pub fn years() -> impl Iterator<Item = FinancialYear> {
    FILES.iter().map(|(f, _)| FinancialYear::parse(f.trim_end_matches(".toml")).expect("embedded file names are years"))
}

/// Parses and validates one table; `file` is its name (`2020-21.toml`), which fixes the year.
pub fn parse_table(file: &str, text: &str) -> Result<YearRates, RatesError> {
    let table: YearRates =
        toml::from_str(text).map_err(|e| RatesError::Parse { file: file.to_string(), message: e.to_string() })?;
    validate(file, &table)?;
    Ok(table)
}

impl YearRates {
    /// The rates of one stream, in file order.
    pub fn rates_for(&self, stream: Stream) -> impl Iterator<Item = &Rate> {
        self.rates.iter().filter(move |r| r.stream == stream)
    }

    /// The ARRS role with this key, if eligible in the year.
    pub fn role(&self, key: &str) -> Option<&ArrsRole> {
        self.arrs_roles.iter().find(|r| r.role == key)
    }

    /// Why the stream has no rate this year, if the table says.
    pub fn no_rate_for(&self, stream: Stream) -> Option<&NoRate> {
        self.no_rate.iter().find(|n| n.stream == stream)
    }

    /// The streams whose rate was not found (NF): their lines cannot be computed.
    pub fn not_found(&self) -> impl Iterator<Item = &NoRate> {
        self.no_rate.iter().filter(|n| n.why == NoRateWhy::NotFound)
    }

    /// The streams removed from the DES this year: nothing is owed under them.
    pub fn removed(&self) -> impl Iterator<Item = &NoRate> {
        self.no_rate.iter().filter(|n| n.why == NoRateWhy::Removed)
    }
}

const NF_FIGURE: &str = "confidence NF is for no_rate entries: a figure not found is listed in gaps, not encoded";

fn key<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".to_string(),
    }
}

fn rate_label(i: usize, r: &Rate) -> String {
    format!("rates[{i}] ({} / {} from {})", key(&r.stream), key(&r.basis), r.from)
}

/// Checks a parsed table against the rules the engine relies on. (Every
/// entry's confidence is a required field, so parsing already checks it.)
pub fn validate(file: &str, t: &YearRates) -> Result<(), RatesError> {
    let err = |entry: String, problem: String| RatesError::Invalid { file: file.to_string(), entry, problem };
    let stem = file.strip_suffix(".toml").unwrap_or(file);
    let expected = FinancialYear::parse(stem)
        .map_err(|_| err("file name".into(), format!("{file:?} does not name a financial year (e.g. 2020-21.toml)")))?;
    if t.year != expected {
        return Err(err("year".into(), format!("is {} but the file is for {expected}", t.year)));
    }
    let y = t.year;
    let inside = |d: Date| d >= y.start() && d <= y.end();
    if t.list_size_date != y.list_size_date() {
        return Err(err(
            "list_size_date".into(),
            format!("is {} but must be 1 January before the year ({})", t.list_size_date, y.list_size_date()),
        ));
    }
    if !inside(t.des_start) {
        return Err(err("des_start".into(), format!("{} is outside {y} ({}..{})", t.des_start, y.start(), y.end())));
    }

    for (i, r) in t.rates.iter().enumerate() {
        let label = rate_label(i, r);
        if r.from > r.to {
            return Err(err(label, format!("from {} is after to {}", r.from, r.to)));
        }
        for (what, d) in [("from", r.from), ("to", r.to)] {
            if !inside(d) {
                return Err(err(label, format!("{what} {d} is outside {y} ({}..{})", y.start(), y.end())));
            }
        }
        if r.amount <= Decimal::ZERO {
            return Err(err(label, format!("amount {} must be positive", r.amount)));
        }
        if r.source.trim().is_empty() {
            return Err(err(label, "source is empty".into()));
        }
        let want = if r.stream == Stream::Participation { PaidTo::Practice } else { PaidTo::Network };
        if r.paid_to != want {
            return Err(err(label, format!("paid_to must be {}", key(&want))));
        }
        if r.confidence == Confidence::NF {
            return Err(err(label, NF_FIGURE.into()));
        }
        if !r.confidence.verified() && r.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(err(label, format!("confidence {:?} needs a note explaining the choice", r.confidence)));
        }
        for (j, o) in t.rates.iter().enumerate().take(i) {
            if o.stream == r.stream && o.basis == r.basis && o.from <= r.to && r.from <= o.to {
                return Err(err(label, format!("overlaps {} ({}..{})", rate_label(j, o), o.from, o.to)));
            }
        }
    }

    for (i, r) in t.arrs_roles.iter().enumerate() {
        let label = format!("arrs_roles[{i}] ({})", r.role);
        if !ROLE_KEYS.contains(&r.role.as_str()) {
            return Err(err(label, format!("unknown role key {:?}", r.role)));
        }
        if t.arrs_roles[..i].iter().any(|o| o.role == r.role) {
            return Err(err(label, "role listed twice".into()));
        }
        if r.name.trim().is_empty() || r.source.trim().is_empty() {
            return Err(err(label, "name and source must not be empty".into()));
        }
        if r.eligible_from > y.end() {
            return Err(err(label, format!("eligible_from {} is after the year ends", r.eligible_from)));
        }
        if r.reimbursement <= Decimal::ZERO || r.reimbursement > Decimal::ONE {
            return Err(err(label, format!("reimbursement {} must be in (0, 1]", r.reimbursement)));
        }
        for m in [r.max_per_wte_year, r.uplifted_max_per_wte_year].into_iter().flatten() {
            if m <= Decimal::ZERO {
                return Err(err(label, format!("maximum {m} must be positive")));
            }
        }
        match (r.uplift_from, r.uplifted_max_per_wte_year) {
            (None, None) => {}
            (None, Some(_)) => return Err(err(label, "uplifted_max_per_wte_year needs uplift_from".into())),
            (Some(d), up) => {
                // On eligible_from itself: an uplift backdated to the start of the year (2025/26).
                if !inside(d) || d < r.eligible_from {
                    return Err(err(label, format!("uplift_from {d} must be inside {y} and not before eligible_from")));
                }
                if up.is_none() && r.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    return Err(err(label, "an uplift without its figure needs a note saying why".into()));
                }
            }
        }
        if r.condition.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(err(label, "condition is empty".into()));
        }
        if let Some(cap) = r.cap_wte
            && cap.iter().any(|c| *c <= Decimal::ZERO)
        {
            return Err(err(label, "cap_wte values must be positive".into()));
        }
        if r.confidence == Confidence::NF {
            return Err(err(label, NF_FIGURE.into()));
        }
        if !r.confidence.verified() && r.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(err(label, format!("confidence {:?} needs a note", r.confidence)));
        }
    }

    for (i, k) in t.key_dates.iter().enumerate() {
        if k.event.trim().is_empty() || k.source.trim().is_empty() {
            return Err(err(format!("key_dates[{i}]"), "event and source must not be empty".into()));
        }
        if k.confidence == Confidence::NF {
            return Err(err(format!("key_dates[{i}]"), NF_FIGURE.into()));
        }
    }

    for (i, n) in t.no_rate.iter().enumerate() {
        let label = format!("no_rate[{i}] ({})", key(&n.stream));
        if t.no_rate[..i].iter().any(|o| o.stream == n.stream) {
            return Err(err(label, "stream listed twice".into()));
        }
        if t.rates.iter().any(|r| r.stream == n.stream) {
            return Err(err(label, "the stream has a rate this year".into()));
        }
        if n.reason.trim().is_empty() || n.source.trim().is_empty() {
            return Err(err(label, "reason and source must not be empty".into()));
        }
        match (n.why, n.confidence) {
            (NoRateWhy::NotFound, Confidence::NF) => {}
            (NoRateWhy::NotFound, c) => return Err(err(label, format!("not_found is tagged NF, not {c:?}"))),
            (NoRateWhy::Removed, c) if c.verified() => {}
            (NoRateWhy::Removed, c) => {
                return Err(err(label, format!("a removal must be verified (V, V2 or D), not {c:?}")));
            }
        }
    }
    if t.gaps.iter().any(|g| g.trim().is_empty()) {
        return Err(err("gaps".into(), "empty gap line".into()));
    }
    Ok(())
}
