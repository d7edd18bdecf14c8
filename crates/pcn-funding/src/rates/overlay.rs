//! An ICB's Local Variation Agreement as an overlay on a year's table.
//!
//! From 1 May 2026 an ICB may vary DES sections 7, 8 and 10.1-10.5 (ARRS,
//! core service requirements, financial entitlements) for its practices
//! (des-facts-2022-2027 A.2 item 3). An overlay names the ICB, the year, the
//! date it takes effect and its source, and replaces (or, marked
//! `addition = true`, adds) streams' rates and ARRS roles' maxima from that
//! date. Applied to the year's table it gives the rates in force for that
//! ICB's networks; the result is validated exactly like a table.
//!
//! Part years are by month, as the engine pays: a month is paid at the rate
//! in force on its first day. A replaced stream keeps the year's rates for
//! the months before the effective date (a `per = "period"` amount cut in
//! proportion to its months) and the overlay's from it.

use pcn_core::{FinancialYear, IcbCode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::date;

use super::tables::{from_toml, locate, validate};
use super::{ArrsRole, Basis, Confidence, NoRateWhy, PaidTo, Per, Rate, RatesError, Stream, YearRates, iso_date};

/// The first day a Local Variation Agreement may take effect.
pub const LVA_FIRST_DAY: Date = date!(2026 - 05 - 01);

/// Where the rule comes from.
pub const LVA_RULE: &str = "Local Variation Agreements take effect from 1 May 2026 (the Network Contract DES \
     specification reissued 30 April 2026, PRN02483; des-facts-2022-2027 A.2 item 3)";

/// One stream's rate under the agreement. `from` defaults to the overlay's
/// effective date, `to` to the year's end; `paid_to` to the DES's payee
/// (practices for participation, the network otherwise); `source` to the
/// overlay's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayRate {
    pub stream: Stream,
    pub basis: Basis,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub per: Per,
    #[serde(default, with = "iso_date::option", skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    #[serde(default, with = "iso_date::option", skip_serializing_if = "Option::is_none")]
    pub to: Option<Date>,
    #[serde(default)]
    pub paid_to: Option<PaidTo>,
    #[serde(default)]
    pub source: Option<String>,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
    /// The year's table does not pay the stream: the agreement adds it.
    #[serde(default)]
    pub addition: bool,
}

/// One ARRS role's maximum under the agreement, from the effective date. An
/// addition (a role the year does not list) also needs its name and share
/// reimbursed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayRole {
    pub role: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub max_per_wte_year: Decimal,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub band: Option<String>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub reimbursement: Option<Decimal>,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub addition: bool,
}

/// An ICB's Local Variation Agreement for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// The ICB whose networks it varies (a network's ICB is its commissioner's parent).
    pub icb: IcbCode,
    pub year: FinancialYear,
    /// From this day (on or after 1 May 2026, inside the year).
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    /// The agreement: its title, reference and who approved it.
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub rates: Vec<OverlayRate>,
    #[serde(default)]
    pub arrs_roles: Vec<OverlayRole>,
}

/// A file of either kind: a year's table or an overlay (it names an `icb`).
#[derive(Debug, Clone, PartialEq)]
pub enum RatesFile {
    Year(YearRates),
    Overlay(Overlay),
}

/// Parses and validates a file, telling its kind from its keys: an overlay
/// names an `icb`, a year's table does not.
pub fn parse_file(file: &str, text: &str) -> Result<RatesFile, RatesError> {
    let raw: toml::Table = from_toml(file, text)?;
    if raw.contains_key("icb") {
        parse_overlay(file, text).map(RatesFile::Overlay)
    } else {
        super::parse_table(file, text).map(RatesFile::Year)
    }
}

fn invalid(file: &str, entry: impl Into<String>, field: &str, problem: impl Into<String>) -> RatesError {
    RatesError::Invalid {
        file: file.to_string(),
        line: None,
        entry: entry.into(),
        field: (!field.is_empty()).then(|| field.to_string()),
        problem: problem.into(),
    }
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| s.trim().is_empty())
}

/// Parses an overlay and checks it on its own (dates, sources, amounts);
/// [`apply`] checks it against the year's table. Errors carry line and field.
pub fn parse_overlay(file: &str, text: &str) -> Result<Overlay, RatesError> {
    let o: Overlay = from_toml(file, text)?;
    check_overlay(file, &o).map_err(|e| locate(e, text))?;
    Ok(o)
}

/// The checks an overlay passes before it meets a table.
pub fn check_overlay(file: &str, o: &Overlay) -> Result<(), RatesError> {
    let y = o.year;
    let eff = o.effective_from;
    if eff < LVA_FIRST_DAY {
        return Err(invalid(
            file,
            "effective_from",
            "effective_from",
            format!("{eff} is before 1 May 2026: {LVA_RULE}"),
        ));
    }
    if eff < y.start() || eff > y.end() {
        return Err(invalid(
            file,
            "effective_from",
            "effective_from",
            format!("{eff} is outside {y} ({}..{})", y.start(), y.end()),
        ));
    }
    if o.source.trim().is_empty() {
        return Err(invalid(file, "source", "source", "the agreement's source (title, reference) is empty"));
    }
    if blank(&o.note) {
        return Err(invalid(file, "note", "note", "note is empty"));
    }
    if o.rates.is_empty() && o.arrs_roles.is_empty() {
        return Err(invalid(file, "overlay", "", "varies nothing: give [[rates]] or [[arrs_roles]]"));
    }
    for (i, r) in o.rates.iter().enumerate() {
        let label = format!("rates[{i}] ({} / {})", r.stream.name(), key(&r.basis));
        let (from, to) = (r.from.unwrap_or(eff), r.to.unwrap_or(y.end()));
        if from < eff {
            return Err(invalid(
                file,
                label,
                "from",
                format!("from {from} is before the overlay's effective_from {eff}"),
            ));
        }
        if to > y.end() || to < from {
            return Err(invalid(file, label, "to", format!("to {to} must be inside {y} and not before from {from}")));
        }
        if blank(&r.source) {
            return Err(invalid(file, label, "source", "source is empty"));
        }
        if o.rates[..i].iter().any(|p| (p.stream, p.basis) == (r.stream, r.basis) && p.addition != r.addition) {
            return Err(invalid(file, label, "addition", "a stream's basis is either added or replaced, not both"));
        }
    }
    for (i, r) in o.arrs_roles.iter().enumerate() {
        let label = format!("arrs_roles[{i}] ({})", r.role);
        if !super::ROLE_KEYS.contains(&r.role.as_str()) {
            return Err(invalid(file, label, "role", format!("unknown role key {:?}", r.role)));
        }
        if o.arrs_roles[..i].iter().any(|p| p.role == r.role) {
            return Err(invalid(file, label, "role", "role listed twice"));
        }
        if r.max_per_wte_year <= Decimal::ZERO {
            return Err(invalid(
                file,
                label,
                "max_per_wte_year",
                format!("maximum {} must be positive", r.max_per_wte_year),
            ));
        }
        if blank(&r.source) {
            return Err(invalid(file, label, "source", "source is empty"));
        }
        if !r.addition {
            for (field, set) in [
                ("name", r.name.is_some()),
                ("band", r.band.is_some()),
                ("reimbursement", r.reimbursement.is_some()),
                ("condition", r.condition.is_some()),
            ] {
                if set {
                    return Err(invalid(
                        file,
                        label,
                        field,
                        format!(
                            "an overlay varies a listed role's maximum only; {field} is the year's (mark the role `addition = true` to add a role)"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn key<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".to_string(),
    }
}

/// Months of `from..=to` counted as the engine counts them (their first day inside).
fn months(year: FinancialYear, from: Date, to: Date) -> usize {
    (0..12u8)
        .filter_map(|i| {
            let m = (3 + i) % 12 + 1;
            let y = if m >= 4 { year.start_year() } else { year.start_year() + 1 };
            Date::from_calendar_date(y, time::Month::try_from(m).ok()?, 1).ok()
        })
        .filter(|d| *d >= from && *d <= to)
        .count()
}

/// The rates in force for an ICB's networks: `base` varied by the overlay
/// from its effective date, validated like a table (`base_file` names the
/// year). Errors name the overlay's `file` and entry.
pub fn apply(base: &YearRates, base_file: &str, overlay: &Overlay, file: &str) -> Result<YearRates, RatesError> {
    check_overlay(file, overlay)?;
    let y = base.year;
    if overlay.year != y {
        return Err(invalid(file, "year", "year", format!("is {} but the table it varies is for {y}", overlay.year)));
    }
    let eff = overlay.effective_from;
    let before = eff.previous_day().expect("after 1990");
    let tag = format!("LVA {} from {eff}", overlay.icb);
    let mut out = base.clone();

    // Each (stream, basis) the overlay names, in the order it first names them.
    let mut pairs: Vec<(Stream, Basis)> = Vec::new();
    for r in &overlay.rates {
        if !pairs.contains(&(r.stream, r.basis)) {
            pairs.push((r.stream, r.basis));
        }
    }
    for (stream, basis) in pairs {
        let (i, first) =
            overlay.rates.iter().enumerate().find(|(_, r)| (r.stream, r.basis) == (stream, basis)).expect("listed");
        let label = format!("rates[{i}] ({} / {})", stream.name(), key(&basis));
        let what = format!("{} on the {} basis", stream.name(), key(&basis));
        let paid = base.rates_for(stream).any(|r| r.basis == basis);
        match (paid, first.addition, base.no_rate_for(stream)) {
            (true, false, _) => {}
            (true, true, _) => {
                return Err(invalid(
                    file,
                    label,
                    "addition",
                    format!(
                        "marked as an addition, but {y} already pays {what}: leave addition out to replace its rate"
                    ),
                ));
            }
            (false, false, why) => {
                let how = match why.map(|n| n.why) {
                    Some(NoRateWhy::Removed) => "removed from the DES in".to_string(),
                    Some(NoRateWhy::NotFound) => "without a rate (not found) in".to_string(),
                    None if base.rates_for(stream).next().is_some() => {
                        let bases: Vec<String> = base.rates_for(stream).map(|r| key(&r.basis)).collect();
                        format!("paid on the {} basis, not this one, in", bases.join(" and "))
                    }
                    None => "not in".to_string(),
                };
                return Err(invalid(
                    file,
                    label,
                    "stream",
                    format!(
                        "{} is {how} the {y} table ({base_file}): an overlay may not change the year's streams silently; mark it `addition = true` to add it",
                        stream.name()
                    ),
                ));
            }
            (false, true, Some(n)) if n.why == NoRateWhy::NotFound => {
                return Err(invalid(
                    file,
                    label,
                    "stream",
                    format!(
                        "the {y} rate of {} was not found, so its months before {eff} cannot be computed: supply the year's table with --rates, then vary it",
                        stream.name()
                    ),
                ));
            }
            (false, true, _) => {
                out.no_rate.retain(|n| n.stream != stream);
                out.gaps
                    .push(format!("{what}: not paid by the national DES in {y}; added by {tag}: {}", overlay.source));
            }
        }
        // The year's rates of the stream on this basis stop the day before; the overlay's start.
        let mut kept = Vec::new();
        for r in out.rates.drain(..) {
            if (r.stream, r.basis) != (stream, basis) || r.to < eff {
                kept.push(r);
            } else if r.from < eff {
                let (all, left) = (months(y, r.from, r.to), months(y, r.from, before));
                if left == 0 {
                    continue;
                }
                let mut cut = r.clone();
                cut.to = before;
                if cut.per == Per::Period && all > 0 {
                    cut.amount = r.amount * Decimal::from(left as i64) / Decimal::from(all as i64);
                }
                let was = format!("until {before}: {tag} replaces it");
                cut.note = Some(match &r.note {
                    Some(n) => format!("{n} ({was})"),
                    None => was,
                });
                kept.push(cut);
            }
        }
        out.rates = kept;
        for r in overlay.rates.iter().filter(|r| (r.stream, r.basis) == (stream, basis)) {
            let paid_to =
                r.paid_to.unwrap_or(if stream == Stream::Participation { PaidTo::Practice } else { PaidTo::Network });
            out.rates.push(Rate {
                stream,
                basis,
                amount: r.amount,
                per: r.per,
                from: r.from.unwrap_or(eff),
                to: r.to.unwrap_or(y.end()),
                paid_to,
                source: format!("{tag}: {}", r.source.as_deref().unwrap_or(&overlay.source)),
                confidence: r.confidence,
                note: r.note.clone(),
            });
        }
    }

    for (i, o) in overlay.arrs_roles.iter().enumerate() {
        let label = format!("arrs_roles[{i}] ({})", o.role);
        let source = format!("{tag}: {}", o.source.as_deref().unwrap_or(&overlay.source));
        let Some(pos) = out.arrs_roles.iter().position(|r| r.role == o.role) else {
            if !o.addition {
                return Err(invalid(
                    file,
                    label,
                    "role",
                    format!(
                        "{} is not an ARRS role of the {y} table ({base_file}): mark it `addition = true` (with name and reimbursement) to add it",
                        o.role
                    ),
                ));
            }
            let (Some(name), Some(reimbursement)) = (o.name.clone(), o.reimbursement) else {
                return Err(invalid(file, label, "name", "an added role needs name and reimbursement"));
            };
            out.arrs_roles.push(ArrsRole {
                role: o.role.clone(),
                name,
                band: o.band.clone(),
                max_per_wte_year: Some(o.max_per_wte_year),
                reimbursement,
                eligible_from: eff,
                uplift_from: None,
                uplifted_max_per_wte_year: None,
                cap_wte: None,
                condition: o.condition.clone(),
                source,
                confidence: o.confidence,
                note: o.note.clone(),
            });
            continue;
        };
        if o.addition {
            return Err(invalid(
                file,
                label,
                "addition",
                format!(
                    "marked as an addition, but {y} already lists {}: leave addition out to vary its maximum",
                    o.role
                ),
            ));
        }
        let r = &mut out.arrs_roles[pos];
        let claims_from = r.eligible_from.max(y.start());
        let note = |r: &ArrsRole, what: String| match &r.note {
            Some(n) => Some(format!("{n} ({what})")),
            None => Some(what),
        };
        if claims_from >= eff {
            // Every day the role can be claimed is under the agreement.
            r.note = note(r, format!("maximum £{} set by {tag}", o.max_per_wte_year));
            r.max_per_wte_year = Some(o.max_per_wte_year);
            r.uplift_from = None;
            r.uplifted_max_per_wte_year = None;
        } else {
            // The maximum in force until the day before the agreement.
            let until = match (r.uplift_from, r.uplifted_max_per_wte_year) {
                (None, _) => r.max_per_wte_year,
                (Some(u), up) if u <= claims_from => up.or(r.max_per_wte_year),
                (Some(u), _) => {
                    return Err(invalid(
                        file,
                        label,
                        "role",
                        format!(
                            "the {y} table changes {}'s maximum on {u}, after claims start; an overlay can vary a maximum that is constant until it takes effect: give a year table with --rates instead",
                            o.role
                        ),
                    ));
                }
            };
            r.note = note(r, format!("£{} from {eff} under {tag}", o.max_per_wte_year));
            r.max_per_wte_year = until;
            r.uplift_from = Some(eff);
            r.uplifted_max_per_wte_year = Some(o.max_per_wte_year);
        }
        r.source = format!("{}; {source}", r.source);
        if !o.confidence.verified() || !r.confidence.verified() {
            r.confidence = if o.confidence.verified() { r.confidence } else { o.confidence };
        }
    }
    validate(&super::file_name(y), &out).map_err(|e| match e {
        RatesError::Invalid { entry, field, problem, .. } => invalid(
            file,
            "overlay",
            field.as_deref().unwrap_or(""),
            format!("applied to {base_file} it breaks a table rule: {entry}: {problem}"),
        ),
        other => other,
    })?;
    Ok(out)
}

/// One overlay applied, as outputs name it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverlayUsed {
    /// The file as shown (path and digest prefix).
    pub file: String,
    pub icb: IcbCode,
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    pub source: String,
    pub streams: Vec<Stream>,
    pub roles: Vec<String>,
}

/// The rates in force for each network of one year: the year's table, and,
/// for the networks of each ICB under an agreement, that table as varied.
#[derive(Debug, Clone, PartialEq)]
pub struct RateBook {
    pub base: YearRates,
    /// How the base table is named (`rates/2025-26.toml`, or a user's file).
    pub base_file: String,
    /// Per ICB, its varied table, in ICB order.
    pub varied: Vec<(IcbCode, YearRates)>,
    pub overlays: Vec<OverlayUsed>,
}

impl RateBook {
    /// The year's table with no agreement.
    pub fn national(base: YearRates, base_file: impl Into<String>) -> RateBook {
        RateBook { base, base_file: base_file.into(), varied: Vec::new(), overlays: Vec::new() }
    }

    /// The year's table with each overlay (`(file, overlay)`) applied to its
    /// ICB's networks, several for one ICB in order of effective date
    /// (whatever order they were given in). Two for one ICB on one date are refused.
    pub fn new(
        base: YearRates,
        base_file: impl Into<String>,
        overlays: &[(String, Overlay)],
    ) -> Result<RateBook, RatesError> {
        let base_file = base_file.into();
        let mut order: Vec<&(String, Overlay)> = overlays.iter().collect();
        order.sort_by(|a, b| (&a.1.icb, a.1.effective_from, &a.0).cmp(&(&b.1.icb, b.1.effective_from, &b.0)));
        let mut varied: Vec<(IcbCode, YearRates)> = Vec::new();
        let mut used = Vec::new();
        for (k, (file, o)) in order.iter().enumerate() {
            if k > 0 && order[k - 1].1.icb == o.icb && order[k - 1].1.effective_from == o.effective_from {
                return Err(invalid(
                    file,
                    "effective_from",
                    "effective_from",
                    format!(
                        "{} also varies {} from {}: one agreement per ICB and date",
                        order[k - 1].0,
                        o.icb,
                        o.effective_from
                    ),
                ));
            }
            let from = match varied.last() {
                Some((icb, t)) if *icb == o.icb => t.clone(),
                _ => base.clone(),
            };
            let t = apply(&from, &base_file, o, file)?;
            match varied.last_mut() {
                Some((icb, last)) if *icb == o.icb => *last = t,
                _ => varied.push((o.icb.clone(), t)),
            }
            let mut streams: Vec<Stream> = o.rates.iter().map(|r| r.stream).collect();
            streams.sort();
            streams.dedup();
            used.push(OverlayUsed {
                file: file.clone(),
                icb: o.icb.clone(),
                effective_from: o.effective_from,
                source: o.source.clone(),
                streams,
                roles: o.arrs_roles.iter().map(|r| r.role.clone()).collect(),
            });
        }
        Ok(RateBook { base, base_file, varied, overlays: used })
    }

    pub fn year(&self) -> FinancialYear {
        self.base.year
    }

    /// The rates in force for a network of this ICB.
    pub fn for_icb(&self, icb: Option<&IcbCode>) -> &YearRates {
        icb.and_then(|i| self.varied.iter().find(|(c, _)| c == i)).map_or(&self.base, |(_, t)| t)
    }

    /// The overlays that apply to a network of this ICB.
    pub fn overlays_for(&self, icb: Option<&IcbCode>) -> Vec<&OverlayUsed> {
        self.overlays.iter().filter(|o| Some(&o.icb) == icb).collect()
    }
}
