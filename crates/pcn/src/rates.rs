//! `pcn rates`: the rate tables a year is computed from (built in, or the
//! user's with `--rates`), one year in full, and checking a user's table or
//! an ICB's Local Variation Agreement; and the lines every money command
//! prints to say which tables and overlays it used.

use std::collections::BTreeMap;

use pcn_core::FinancialYear;
use pcn_funding::rates::{self, NoRateWhy, RateBook, RatesFile, YearRates};
use pcn_workbench::rates::{RatesFileError, UserRates};
use serde_json::{Value, json};

use crate::cli::{RateFiles, RatesCheckArgs, RatesCommand, RatesListArgs, RatesShowArgs};
use crate::failure::Usage;
use crate::output::Listing;

/// How months are apportioned when an agreement starts in the year.
pub const PART_YEAR: &str = "by month: a month is paid at the rate in force on its first day";

pub fn usage(e: RatesFileError) -> anyhow::Error {
    Usage(e.to_string()).into()
}

/// The user's files and the rates for a year's networks.
pub fn book(files: &RateFiles, year: FinancialYear) -> anyhow::Result<RateBook> {
    let user = UserRates::load(&files.rates, &files.overlays).map_err(usage)?;
    user.book(year).map_err(usage)
}

/// Codes of the networks each overlay varies, by overlay (in the book's order).
pub fn affected(book: &RateBook, icbs: &[Option<pcn_core::IcbCode>], codes: &[&str]) -> Vec<Vec<String>> {
    book.overlays
        .iter()
        .map(|o| {
            icbs.iter().zip(codes).filter(|(i, _)| i.as_ref() == Some(&o.icb)).map(|(_, c)| c.to_string()).collect()
        })
        .collect()
}

/// What a money command used, for `--json`.
pub fn used_json(book: &RateBook, affected: &[Vec<String>]) -> Value {
    json!({
        "table": book.base_file,
        "overlays": book.overlays.iter().zip(affected).map(|(o, nets)| json!({
            "file": o.file,
            "icb": o.icb,
            "effective_from": o.effective_from.to_string(),
            "source": o.source,
            "streams": o.streams,
            "arrs_roles": o.roles,
            "networks": nets,
        })).collect::<Vec<_>>(),
        "part_year": if book.overlays.is_empty() { Value::Null } else { json!(PART_YEAR) },
    })
}

/// What a money command used, for people.
pub fn used_lines(book: &RateBook, affected: &[Vec<String>]) -> Vec<String> {
    let mut out = vec![format!("Rates: {}.", book.base_file)];
    for (o, nets) in book.overlays.iter().zip(affected) {
        let mut varies: Vec<String> = o.streams.iter().map(|s| s.name()).collect();
        varies.extend(o.roles.iter().map(|r| format!("{r} maximum")));
        let nets = match nets.len() {
            0 => "no network of this snapshot".to_string(),
            1 => format!("1 network ({})", nets[0]),
            n => format!("{n} networks"),
        };
        out.push(format!(
            "Overlay: {} — Local Variation Agreement of ICB {} from {}, for {nets}: varies {} ({}).",
            o.file,
            o.icb,
            o.effective_from,
            varies.join(", "),
            o.source
        ));
    }
    if !book.overlays.is_empty() {
        out.push(format!(
            "Part years under an agreement are {PART_YEAR}; other ICBs' networks are on {}.",
            book.base_file
        ));
    }
    out
}

pub fn run(c: RatesCommand) -> anyhow::Result<()> {
    match c {
        RatesCommand::List(a) => list(a),
        RatesCommand::Show(a) => show(a),
        RatesCommand::Check(a) => check(a),
    }
}

/// "V 5, V2 3, R 1": the confidence of every figure (rates and roles).
fn confidence(t: &YearRates) -> String {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for c in t.rates.iter().map(|r| r.confidence).chain(t.arrs_roles.iter().map(|r| r.confidence)) {
        *by.entry(format!("{c:?}")).or_default() += 1;
    }
    let order = ["V", "V2", "D", "R", "C"];
    order.iter().filter_map(|k| by.get(*k).map(|n| format!("{k} {n}"))).collect::<Vec<_>>().join(", ")
}

fn streams_paid(t: &YearRates) -> usize {
    let mut s: Vec<_> = t.rates.iter().map(|r| r.stream).collect();
    s.sort();
    s.dedup();
    s.len()
}

fn list(a: RatesListArgs) -> anyhow::Result<()> {
    let user = UserRates::load(&a.files.rates, &a.files.overlays).map_err(usage)?;
    let mut years: Vec<FinancialYear> = rates::years().collect();
    years.extend(user.tables.keys().copied());
    years.sort();
    years.dedup();
    let mut l = Listing::new(
        "years",
        vec![
            "year",
            "table",
            "streams",
            "rates",
            "not_found",
            "removed",
            "arrs_roles",
            "roles_with_maximum",
            "confidence",
            "gaps",
            "replaces",
        ],
    );
    for y in years {
        let (label, t) = user.table(y).map_err(usage)?;
        let replaces = user.tables.contains_key(&y).then(|| rates::builtin_name(&rates::file_name(y)));
        let replaces = replaces.filter(|_| rates::year(y).is_ok());
        l.rows.push(vec![
            json!(y.to_string()),
            json!(label),
            json!(streams_paid(&t)),
            json!(t.rates.len()),
            json!(t.not_found().count()),
            json!(t.removed().count()),
            json!(t.arrs_roles.len()),
            json!(t.arrs_roles.iter().filter(|r| r.max_per_wte_year.is_some()).count()),
            json!(confidence(&t)),
            json!(t.gaps.len()),
            json!(replaces),
        ]);
    }
    l.meta.insert(
        "overlays".into(),
        json!(
            user.overlays
                .iter()
                .map(|(s, o, _)| json!({
                    "file": s.label(),
                    "icb": o.icb,
                    "year": o.year.to_string(),
                    "effective_from": o.effective_from.to_string(),
                    "source": o.source,
                }))
                .collect::<Vec<_>>()
        ),
    );
    l.footer.push(
        "Confidence: V verbatim, V2 two sources, D derived (verified); R remembered, C conflicting (unverified). \
         `pcn rates show YEAR` lists every figure with its source."
            .into(),
    );
    for (s, o, _) in &user.overlays {
        l.footer.push(format!(
            "Overlay: {} — ICB {} {} from {}: {}",
            s.label(),
            o.icb,
            o.year,
            o.effective_from,
            o.source
        ));
    }
    l.print(a.format)
}

fn money(d: Option<rust_decimal::Decimal>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

fn show(a: RatesShowArgs) -> anyhow::Result<()> {
    let user = UserRates::load(&a.files.rates, &a.files.overlays).map_err(usage)?;
    let (label, t) = match &a.for_icb {
        Some(icb) => {
            let book = user.book(a.year).map_err(usage)?;
            let t = book.for_icb(Some(icb)).clone();
            let used: Vec<String> = book.overlays_for(Some(icb)).iter().map(|o| o.file.clone()).collect();
            let label = if used.is_empty() {
                format!("{} (no agreement for ICB {icb})", book.base_file)
            } else {
                format!("{} as varied for ICB {icb} by {}", book.base_file, used.join(", "))
            };
            (label, t)
        }
        None => {
            if !user.overlays.is_empty() {
                return Err(Usage("--overlay needs --for-icb ICB: an agreement varies one ICB's rates".into()).into());
            }
            user.table(a.year).map_err(usage)?
        }
    };
    let mut s = Listing::new(
        "streams",
        vec!["stream", "status", "basis", "amount", "per", "from", "to", "paid_to", "confidence", "source", "note"],
    );
    for r in &t.rates {
        s.rows.push(vec![
            json!(r.stream.name()),
            json!("rate"),
            json!(r.basis),
            json!(r.amount.to_string()),
            json!(r.per),
            json!(r.from.to_string()),
            json!(r.to.to_string()),
            json!(r.paid_to),
            json!(format!("{:?}", r.confidence)),
            json!(r.source),
            json!(r.note),
        ]);
    }
    for n in &t.no_rate {
        let status = match n.why {
            NoRateWhy::NotFound => "not found",
            NoRateWhy::Removed => "removed",
        };
        s.rows.push(vec![
            json!(n.stream.name()),
            json!(status),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            json!(format!("{:?}", n.confidence)),
            json!(n.source),
            json!(n.reason),
        ]);
    }
    let mut r = Listing::new(
        "arrs_roles",
        vec![
            "role",
            "name",
            "max_per_wte_year",
            "uplift_from",
            "uplifted_max",
            "reimbursement",
            "eligible_from",
            "confidence",
            "source",
        ],
    );
    for role in &t.arrs_roles {
        r.rows.push(vec![
            json!(role.role),
            json!(role.name),
            money(role.max_per_wte_year),
            json!(role.uplift_from.map(|d| d.to_string())),
            money(role.uplifted_max_per_wte_year),
            json!(role.reimbursement.to_string()),
            json!(role.eligible_from.to_string()),
            json!(format!("{:?}", role.confidence)),
            json!(role.source),
        ]);
    }
    if a.format.json {
        let rows = |l: &Listing| -> Vec<Value> {
            l.rows
                .iter()
                .map(|row| Value::Object(l.columns.iter().map(|c| c.to_string()).zip(row.iter().cloned()).collect()))
                .collect()
        };
        let v = json!({
            "year": t.year.to_string(),
            "table": label,
            "des_start": t.des_start.to_string(),
            "list_size_date": t.list_size_date.to_string(),
            "streams": rows(&s),
            "arrs_roles": rows(&r),
            "key_dates": t.key_dates,
            "gaps": t.gaps,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!("{} — {label}; list-size date {}, DES from {}.", t.year, t.list_size_date, t.des_start);
    s.print(a.format)?;
    for n in t.not_found() {
        r.footer.push(format!("Not found: {} — {} ({})", n.stream.name(), n.reason, n.source));
    }
    for g in &t.gaps {
        r.footer.push(format!("Gap: {g}"));
    }
    r.print(a.format)
}

fn check(a: RatesCheckArgs) -> anyhow::Result<()> {
    let (src, parsed) = pcn_workbench::rates::check(&a.file).map_err(usage)?;
    let summary = match parsed {
        RatesFile::Year(t) => {
            let line = format!(
                "{}: a valid rate table for {}: {} rates over {} streams, {} ARRS roles ({} with a maximum), {} streams not found, {} removed, {} gaps; confidence {}.",
                src.label(),
                t.year,
                t.rates.len(),
                streams_paid(&t),
                t.arrs_roles.len(),
                t.arrs_roles.iter().filter(|r| r.max_per_wte_year.is_some()).count(),
                t.not_found().count(),
                t.removed().count(),
                t.gaps.len(),
                confidence(&t)
            );
            let unverified = t.rates.iter().filter(|r| !r.confidence.verified()).count();
            json!({"file": src.path, "sha256": src.sha256, "kind": "year_table", "year": t.year.to_string(),
                "rates": t.rates.len(), "arrs_roles": t.arrs_roles.len(), "not_found": t.not_found().count(),
                "removed": t.removed().count(), "unverified_rates": unverified, "summary": line})
        }
        RatesFile::Overlay(o) => {
            // Valid on its own; then against the year's table, as pay would apply it.
            let user = UserRates::load(&a.rates, std::slice::from_ref(&a.file)).map_err(usage)?;
            let book = user.book(o.year).map_err(|e| {
                Usage(format!("{e}\n(the overlay is valid on its own but cannot vary the {} table: give that year's table with --rates FILE)", o.year))
            })?;
            let varies: Vec<String> = o
                .rates
                .iter()
                .map(|r| format!("{} ({:?}) £{} per {:?}", r.stream.name(), r.basis, r.amount, r.per).to_lowercase())
                .chain(o.arrs_roles.iter().map(|r| format!("{} maximum £{}", r.role, r.max_per_wte_year)))
                .collect();
            let line = format!(
                "{}: a valid Local Variation Agreement of ICB {} for {} from {} ({}), applied to {}: varies {}.",
                src.label(),
                o.icb,
                o.year,
                o.effective_from,
                o.source,
                book.base_file,
                varies.join("; ")
            );
            json!({"file": src.path, "sha256": src.sha256, "kind": "overlay", "icb": o.icb, "year": o.year.to_string(),
                "effective_from": o.effective_from.to_string(), "source": o.source, "applied_to": book.base_file,
                "varies": varies, "summary": line})
        }
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("{}", summary["summary"].as_str().unwrap_or(""));
    }
    Ok(())
}
