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

/// A rate table (or an overlay) that is missing, unreadable or inconsistent.
/// `file` is the name it is shown by: `rates/2020-21.toml` for a built-in
/// table, the path given for a user's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatesError {
    /// No table is embedded for the year.
    NoTable(FinancialYear),
    /// The file is not valid TOML for the schema: the line (1-based) and the
    /// field the parser stopped at, where it says.
    Parse { file: String, line: Option<usize>, field: Option<String>, message: String },
    /// The file parsed but an entry breaks a rule: the entry (`rates[2] (...)`),
    /// the field at fault and, when the text is at hand, its line.
    Invalid { file: String, line: Option<usize>, entry: String, field: Option<String>, problem: String },
}

impl RatesError {
    /// The line the error is on, if known.
    pub fn line(&self) -> Option<usize> {
        match self {
            RatesError::NoTable(_) => None,
            RatesError::Parse { line, .. } | RatesError::Invalid { line, .. } => *line,
        }
    }

    /// The field the error is about, if known.
    pub fn field(&self) -> Option<&str> {
        match self {
            RatesError::NoTable(_) => None,
            RatesError::Parse { field, .. } | RatesError::Invalid { field, .. } => field.as_deref(),
        }
    }
}

impl fmt::Display for RatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |f: &mut fmt::Formatter<'_>, file: &str, line: &Option<usize>| match line {
            Some(l) => write!(f, "{file}: line {l}: "),
            None => write!(f, "{file}: "),
        };
        match self {
            RatesError::NoTable(y) => {
                let (first, last) = (FILES[0].0, FILES[FILES.len() - 1].0);
                write!(f, "no rate table for {y} (tables run from {} to {})", year_of_file(first), year_of_file(last))
            }
            RatesError::Parse { file, line, field, message } => {
                at(f, file, line)?;
                match field {
                    Some(k) => write!(f, "field {k}: {message}"),
                    None => write!(f, "{message}"),
                }
            }
            RatesError::Invalid { file, line, entry, field, problem } => {
                at(f, file, line)?;
                match field {
                    Some(k) if k == entry => write!(f, "field {k}: {problem}"),
                    Some(k) => write!(f, "{entry}: field {k}: {problem}"),
                    None => write!(f, "{entry}: {problem}"),
                }
            }
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
    PARSED[i].get_or_init(|| parse_table(&builtin_name(FILES[i].0), FILES[i].1))
}

/// How a built-in table is named in errors and outputs: `rates/2025-26.toml`.
pub fn builtin_name(file: &str) -> String {
    format!("rates/{file}")
}

/// The built-in files: (`rates/2025-26.toml`, its text), in year order.
pub fn builtin_files() -> impl Iterator<Item = (String, &'static str)> {
    FILES.iter().map(|(f, t)| (builtin_name(f), *t))
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

/// Parses and validates one table; `file` is the name it is shown by
/// (`rates/2020-21.toml`, or a user's path), whose last part
/// (`2020-21.toml`) fixes the year. Errors carry the line and field.
pub fn parse_table(file: &str, text: &str) -> Result<YearRates, RatesError> {
    let table: YearRates = from_toml(file, text)?;
    validate(file, &table).map_err(|e| locate(e, text))?;
    Ok(table)
}

/// TOML into a schema type, a parse error with its line and field.
pub(super) fn from_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, RatesError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let field =
            line.and_then(|l| text.lines().nth(l - 1)).and_then(key_of_line).or_else(|| quoted_field(e.message()));
        RatesError::Parse { file: file.to_string(), line, field, message: e.message().trim().to_string() }
    })
}

/// The key of a `key = value` line.
fn key_of_line(line: &str) -> Option<String> {
    let t = line.trim();
    if t.starts_with('[') || t.starts_with('#') {
        return None;
    }
    let (k, _) = t.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')).then(|| k.to_string())
}

/// The field a serde message names in backquotes (`missing field `amount``).
fn quoted_field(message: &str) -> Option<String> {
    let rest = message.split_once("field `")?.1;
    Some(rest.split_once('`')?.0.to_string())
}

/// Gives an `Invalid` error the line of its entry's field in the text: the
/// entry `rates[2] (...)` is the third `[[rates]]` table; a top-level entry
/// (`year`) is its own key.
pub fn locate(e: RatesError, text: &str) -> RatesError {
    let RatesError::Invalid { file, line: None, entry, field, problem } = e else { return e };
    let head = entry.split([' ', '(']).next().unwrap_or("");
    let lines: Vec<&str> = text.lines().collect();
    let find_key = |from: usize, key: &str| -> Option<usize> {
        lines[from..]
            .iter()
            .take_while(|l| !l.trim_start().starts_with('['))
            .position(|l| key_of_line(l).as_deref() == Some(key))
            .map(|i| from + i)
    };
    let line = match head.split_once('[') {
        Some((table, idx)) => {
            let idx: Option<usize> = idx.trim_end_matches(']').parse().ok();
            let header = format!("[[{table}]]");
            idx.and_then(|i| lines.iter().enumerate().filter(|(_, l)| l.trim() == header).nth(i).map(|(n, _)| n))
                .map(|h| field.as_deref().and_then(|f| find_key(h + 1, f)).unwrap_or(h))
        }
        None => find_key(0, field.as_deref().unwrap_or(head)),
    };
    RatesError::Invalid { file, line: line.map(|l| l + 1), entry, field, problem }
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
    let err = |entry: String, field: &str, problem: String| RatesError::Invalid {
        file: file.to_string(),
        line: None,
        entry,
        field: (!field.is_empty()).then(|| field.to_string()),
        problem,
    };
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = base.strip_suffix(".toml").unwrap_or(base);
    let expected = FinancialYear::parse(stem).map_err(|_| {
        err("file name".into(), "", format!("{base:?} does not name a financial year (e.g. 2020-21.toml)"))
    })?;
    if t.year != expected {
        return Err(err("year".into(), "year", format!("is {} but the file is for {expected}", t.year)));
    }
    let y = t.year;
    let inside = |d: Date| d >= y.start() && d <= y.end();
    if t.list_size_date != y.list_size_date() {
        return Err(err(
            "list_size_date".into(),
            "list_size_date",
            format!("is {} but must be 1 January before the year ({})", t.list_size_date, y.list_size_date()),
        ));
    }
    if !inside(t.des_start) {
        return Err(err(
            "des_start".into(),
            "des_start",
            format!("{} is outside {y} ({}..{})", t.des_start, y.start(), y.end()),
        ));
    }

    for (i, r) in t.rates.iter().enumerate() {
        let label = rate_label(i, r);
        if r.from > r.to {
            return Err(err(label, "from", format!("from {} is after to {}", r.from, r.to)));
        }
        for (what, d) in [("from", r.from), ("to", r.to)] {
            if !inside(d) {
                return Err(err(label, what, format!("{what} {d} is outside {y} ({}..{})", y.start(), y.end())));
            }
        }
        if r.amount <= Decimal::ZERO {
            return Err(err(label, "amount", format!("amount {} must be positive", r.amount)));
        }
        if r.source.trim().is_empty() {
            return Err(err(label, "source", "source is empty".into()));
        }
        let want = if r.stream == Stream::Participation { PaidTo::Practice } else { PaidTo::Network };
        if r.paid_to != want {
            return Err(err(label, "paid_to", format!("paid_to must be {}", key(&want))));
        }
        if r.confidence == Confidence::NF {
            return Err(err(label, "confidence", NF_FIGURE.into()));
        }
        if !r.confidence.verified() && r.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(err(
                label,
                "note",
                format!("confidence {:?} needs a note explaining the choice", r.confidence),
            ));
        }
        for (j, o) in t.rates.iter().enumerate().take(i) {
            if o.stream == r.stream && o.basis == r.basis && o.from <= r.to && r.from <= o.to {
                return Err(err(label, "from", format!("overlaps {} ({}..{})", rate_label(j, o), o.from, o.to)));
            }
        }
    }

    for (i, r) in t.arrs_roles.iter().enumerate() {
        let label = format!("arrs_roles[{i}] ({})", r.role);
        if !ROLE_KEYS.contains(&r.role.as_str()) {
            return Err(err(label, "role", format!("unknown role key {:?}", r.role)));
        }
        if t.arrs_roles[..i].iter().any(|o| o.role == r.role) {
            return Err(err(label, "role", "role listed twice".into()));
        }
        if r.name.trim().is_empty() || r.source.trim().is_empty() {
            return Err(err(
                label,
                if r.name.trim().is_empty() { "name" } else { "source" },
                "name and source must not be empty".into(),
            ));
        }
        if r.eligible_from > y.end() {
            return Err(err(
                label,
                "eligible_from",
                format!("eligible_from {} is after the year ends", r.eligible_from),
            ));
        }
        if r.reimbursement <= Decimal::ZERO || r.reimbursement > Decimal::ONE {
            return Err(err(label, "reimbursement", format!("reimbursement {} must be in (0, 1]", r.reimbursement)));
        }
        for m in [r.max_per_wte_year, r.uplifted_max_per_wte_year].into_iter().flatten() {
            if m <= Decimal::ZERO {
                return Err(err(label, "max_per_wte_year", format!("maximum {m} must be positive")));
            }
        }
        match (r.uplift_from, r.uplifted_max_per_wte_year) {
            (None, None) => {}
            (None, Some(_)) => {
                return Err(err(
                    label,
                    "uplifted_max_per_wte_year",
                    "uplifted_max_per_wte_year needs uplift_from".into(),
                ));
            }
            (Some(d), up) => {
                // On eligible_from itself: an uplift backdated to the start of the year (2025/26).
                if !inside(d) || d < r.eligible_from {
                    return Err(err(
                        label,
                        "uplift_from",
                        format!("uplift_from {d} must be inside {y} and not before eligible_from"),
                    ));
                }
                if up.is_none() && r.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    return Err(err(label, "note", "an uplift without its figure needs a note saying why".into()));
                }
            }
        }
        if r.condition.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(err(label, "condition", "condition is empty".into()));
        }
        if let Some(cap) = r.cap_wte
            && cap.iter().any(|c| *c <= Decimal::ZERO)
        {
            return Err(err(label, "cap_wte", "cap_wte values must be positive".into()));
        }
        if r.confidence == Confidence::NF {
            return Err(err(label, "confidence", NF_FIGURE.into()));
        }
        if !r.confidence.verified() && r.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(err(label, "note", format!("confidence {:?} needs a note", r.confidence)));
        }
    }

    for (i, k) in t.key_dates.iter().enumerate() {
        if k.event.trim().is_empty() || k.source.trim().is_empty() {
            return Err(err(
                format!("key_dates[{i}]"),
                if k.event.trim().is_empty() { "event" } else { "source" },
                "event and source must not be empty".into(),
            ));
        }
        if k.confidence == Confidence::NF {
            return Err(err(format!("key_dates[{i}]"), "confidence", NF_FIGURE.into()));
        }
    }

    for (i, n) in t.no_rate.iter().enumerate() {
        let label = format!("no_rate[{i}] ({})", key(&n.stream));
        if t.no_rate[..i].iter().any(|o| o.stream == n.stream) {
            return Err(err(label, "stream", "stream listed twice".into()));
        }
        if t.rates.iter().any(|r| r.stream == n.stream) {
            return Err(err(label, "stream", "the stream has a rate this year".into()));
        }
        if n.reason.trim().is_empty() || n.source.trim().is_empty() {
            return Err(err(
                label,
                if n.reason.trim().is_empty() { "reason" } else { "source" },
                "reason and source must not be empty".into(),
            ));
        }
        match (n.why, n.confidence) {
            (NoRateWhy::NotFound, Confidence::NF) => {}
            (NoRateWhy::NotFound, c) => {
                return Err(err(label, "confidence", format!("not_found is tagged NF, not {c:?}")));
            }
            (NoRateWhy::Removed, c) if c.verified() => {}
            (NoRateWhy::Removed, c) => {
                return Err(err(label, "confidence", format!("a removal must be verified (V, V2 or D), not {c:?}")));
            }
        }
    }
    if t.gaps.iter().any(|g| g.trim().is_empty()) {
        return Err(err("gaps".into(), "gaps", "empty gap line".into()));
    }
    Ok(())
}
