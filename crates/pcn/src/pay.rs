//! `pcn pay`: every network's and practice's entitlements for a year, with the
//! basis of each figure.

use std::collections::BTreeMap;
use std::path::Path;

use pcn_core::Money;
use pcn_funding::engine::{self, Entitlements, Missing, MissingCause};
use pcn_funding::rates::{PaidTo, Stream};
use pcn_store::Include;
use serde_json::{Value, json};

use crate::cli::{PayArgs, PayBy};
use crate::failure::Usage;
use crate::output::Listing;

fn pounds(m: Money) -> Value {
    json!(m.to_pounds().to_string().parse::<f64>().unwrap_or(0.0))
}

pub async fn run(db: &Path, args: PayArgs) -> anyhow::Result<()> {
    let year = args.year;
    let book = crate::rates::book(&args.rate_files, year)?;
    let rates = &book.base;
    let approvals = args.approvals.as_deref().map(pcn_nhs::inputs::read_approvals).transpose()?.unwrap_or_default();
    let t0 = std::time::Instant::now();
    let (id, snap) = crate::views::load(db, args.snapshot, Include { payments: true, ..Default::default() }).await?;
    let load = t0.elapsed();
    let t1 = std::time::Instant::now();
    let (practices, mut networks) = pcn_funding::inputs::from_snapshot(&snap, rates, &approvals);
    let mut counts = read_counts(&args.counts)?;
    let beds_source = care_home_beds(&args.counts, &mut counts, &snap)?;
    for n in &mut networks {
        n.beds = counts.beds.get(&n.code).copied();
        n.iif_points = counts.iif_points.get(&n.code).copied();
    }
    let inputs = t1.elapsed();
    let t2 = std::time::Instant::now();
    let icbs = pcn_funding::inputs::network_icbs(&snap);
    let mut ent = engine::entitlements_by(&book, &icbs, &practices, &networks);
    label_beds(&mut ent, beds_source.as_deref());
    let codes: Vec<&str> = networks.iter().map(|n| n.code.as_str()).collect();
    let affected = crate::rates::affected(&book, &icbs, &codes);
    let lists = match &args.network {
        Some(code) => pcn_funding::inputs::ListDates::of_networks(
            &practices,
            std::slice::from_ref(networks.iter().find(|n| n.code == code.as_str()).unwrap_or(&Default::default())),
            rates,
        ),
        None => pcn_funding::inputs::ListDates::of(&practices, rates),
    };
    if let Some(w) = lists.warning() {
        eprintln!("warning: {w}");
    }
    if args.timings {
        eprintln!(
            "pcn-timings: load_ms={:.3} inputs_ms={:.3} entitlements_ms={:.3}",
            load.as_secs_f64() * 1e3,
            inputs.as_secs_f64() * 1e3,
            t2.elapsed().as_secs_f64() * 1e3
        );
    }
    let only = match &args.network {
        Some(code) => Some(
            networks
                .iter()
                .position(|n| n.code.as_str() == code.as_str())
                .ok_or_else(|| Usage(format!("network {code} is not in snapshot {id}")))? as u32,
        ),
        None => None,
    };
    // --commissioner and --icb keep the networks of that area.
    let area = crate::icbs::area(id, &snap, args.commissioner.as_ref(), args.icb.as_ref())?;
    let commissioner_of: BTreeMap<&str, Option<&pcn_core::CommissionerCode>> =
        snap.networks.iter().map(|n| (n.code.as_str(), n.commissioner.as_ref())).collect();
    let in_area: Vec<bool> =
        networks.iter().map(|n| area.admits(commissioner_of.get(n.code.as_str()).copied().flatten())).collect();
    let keep = |n: u32| only.is_none_or(|o| o == n) && in_area[n as usize];
    let streams: Vec<Stream> = {
        let mut v: Vec<Stream> = ent.lines.iter().map(|l| l.stream).collect();
        v.sort();
        v.dedup();
        v
    };
    let names: BTreeMap<String, Option<String>> =
        snap.networks.iter().map(|n| (n.code.to_string(), n.name.clone())).collect();

    if args.format.json {
        let lines: Vec<Value> = ent
            .lines
            .iter()
            .filter(|l| keep(l.network))
            .map(|l| {
                json!({
                    "stream": l.stream,
                    "network": networks[l.network as usize].code,
                    "practice": l.practice.map(|p| &practices[p as usize].code),
                    "paid_to": l.paid_to,
                    "basis": {"population": l.basis, "units": l.units, "as_of": l.units_as_of.map(|d| d.to_string()), "source": l.units_source},
                    "rate": {"pounds": l.rate, "per": l.per, "source": l.rate_source, "confidence": l.confidence},
                    "annual": pounds(l.annual),
                    "annual_pence": l.annual.pence(),
                    "months_pence": l.months.iter().map(|m| m.pence()).collect::<Vec<_>>(),
                })
            })
            .collect();
        let v = json!({
            "snapshot": id,
            "year": year.to_string(),
            // The area --commissioner or --icb asked for (null: England).
            "area": area.key(),
            "list_size_date": rates.list_size_date.to_string(),
            "lists": {
                "label": lists.label(),
                "by_date": lists.by_date.iter().map(|(d, n)| json!({"as_of": d.to_string(), "practices": n})).collect::<Vec<_>>(),
                "warning": lists.warning(),
            },
            "lines": lines,
            "missing": ent.missing.iter().filter(|m| keep(m.network)).map(|m| json!({"stream": m.stream, "network": networks[m.network as usize].code, "practice": m.practice.map(|p| &practices[p as usize].code), "cause": m.cause, "reason": m.reason})).collect::<Vec<_>>(),
            // Streams without a rate this year: removed from the DES (nothing owed) or not found (not computed).
            "no_rate": rates.no_rate,
            "unverified_rates": rates.rates.iter().filter(|r| !r.confidence.verified()).map(|r| json!({"stream": r.stream, "amount": r.amount, "confidence": r.confidence, "note": r.note})).collect::<Vec<_>>(),
            "gaps": rates.gaps,
            "beds_source": beds_source,
            "rates_used": crate::rates::used_json(&book, &affected),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }

    let mut columns: Vec<&'static str> = match args.by {
        PayBy::Network => vec!["network", "name"],
        PayBy::Practice => vec!["practice", "network"],
        PayBy::Month => vec!["network", "month"],
    };
    let stream_cols: Vec<&'static str> = streams.iter().map(|s| &*Box::leak(s.name().into_boxed_str())).collect();
    columns.extend(stream_cols.iter().copied());
    columns.push("total");
    let mut l = Listing::new("entitlements", columns);
    let row_total = |cells: &BTreeMap<Stream, Money>| cells.values().copied().sum::<Money>();
    match args.by {
        PayBy::Network => {
            let mut by: BTreeMap<u32, BTreeMap<Stream, Money>> = BTreeMap::new();
            for line in ent.lines.iter().filter(|l| {
                keep(l.network) && l.paid_to == PaidTo::Network || keep(l.network) && l.stream == Stream::Participation
            }) {
                *by.entry(line.network).or_default().entry(line.stream).or_default() += line.annual;
            }
            for (n, cells) in by {
                let code = &networks[n as usize].code;
                let mut row = vec![json!(code), json!(names.get(code).cloned().flatten())];
                row.extend(streams.iter().map(|s| pounds(cells.get(s).copied().unwrap_or_default())));
                row.push(pounds(row_total(&cells)));
                l.rows.push(row);
            }
        }
        PayBy::Practice => {
            let mut by: BTreeMap<(u32, u32), BTreeMap<Stream, Money>> = BTreeMap::new();
            for line in ent.lines.iter().filter(|l| keep(l.network)) {
                if let Some(p) = line.practice {
                    *by.entry((p, line.network)).or_default().entry(line.stream).or_default() += line.annual;
                }
            }
            for ((p, n), cells) in by {
                let mut row = vec![json!(practices[p as usize].code), json!(networks[n as usize].code)];
                row.extend(streams.iter().map(|s| pounds(cells.get(s).copied().unwrap_or_default())));
                row.push(pounds(row_total(&cells)));
                l.rows.push(row);
            }
        }
        PayBy::Month => {
            let starts = engine::month_starts(year);
            let mut by: BTreeMap<(u32, usize), BTreeMap<Stream, Money>> = BTreeMap::new();
            for line in ent.lines.iter().filter(|l| keep(l.network)) {
                for (m, amount) in line.months.iter().enumerate() {
                    *by.entry((line.network, m)).or_default().entry(line.stream).or_default() += *amount;
                }
            }
            for ((n, m), cells) in by {
                let mut row = vec![
                    json!(networks[n as usize].code),
                    json!(format!("{}-{:02}", starts[m].year(), starts[m].month() as u8)),
                ];
                row.extend(streams.iter().map(|s| pounds(cells.get(s).copied().unwrap_or_default())));
                row.push(pounds(row_total(&cells)));
                l.rows.push(row);
            }
        }
    }
    let total: Money = ent.lines.iter().filter(|x| keep(x.network)).map(|x| x.annual).sum();
    let partial = if ent.missing.iter().any(|m| keep(m.network)) { " that could be computed" } else { "" };
    l.footer.push(format!("{year}: {total} in all{partial} ({}; snapshot {id}).", lists.label()));
    let missing: Vec<&Missing> = ent.missing.iter().filter(|m| keep(m.network)).collect();
    footer_notes(&mut l, &missing, rates);
    l.footer.extend(crate::rates::used_lines(&book, &affected));
    if let Some(b) = &beds_source {
        l.footer.push(format!("Care home premium beds: {b}."));
    }
    l.print(args.format)
}

/// What could not be computed and why (missing inputs, rates not found),
/// what the DES no longer pays, unverified rates and the table's gaps.
fn footer_notes(l: &mut Listing, missing: &[&Missing], rates: &pcn_funding::rates::YearRates) {
    let year = rates.year;
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for m in missing.iter().filter(|m| m.cause == MissingCause::Input) {
        *by.entry(m.reason.split(" for ").next().unwrap_or("").to_string()).or_default() += 1;
    }
    for (reason, n) in by {
        l.footer.push(format!("Not computed ({n} lines): {reason} — import the input that carries it."));
    }
    let mut by_stream: BTreeMap<Stream, usize> = BTreeMap::new();
    for m in missing.iter().filter(|m| m.cause == MissingCause::Rate) {
        *by_stream.entry(m.stream).or_default() += 1;
    }
    for (stream, n) in by_stream {
        let why = rates.no_rate_for(stream).map_or("", |g| g.reason.as_str());
        l.footer.push(format!("Not computed ({n} networks): {} — no {year} rate: {why}", stream.name()));
    }
    for g in rates.removed() {
        l.footer.push(format!(
            "Not in the DES in {year} (nothing owed): {} — {} ({:?}: {})",
            g.stream.name(),
            g.reason,
            g.confidence,
            g.source
        ));
    }
    for r in rates.rates.iter().filter(|r| !r.confidence.verified()) {
        l.footer.push(format!(
            "Unverified rate ({:?}): {} £{} — {}",
            r.confidence,
            r.stream.name(),
            r.amount,
            r.note.as_deref().unwrap_or(&r.source)
        ));
    }
    if !rates.gaps.is_empty() {
        l.footer.push(format!(
            "{} known gaps in the {year} rate table (figures not found, conflicts and the choices made): --json lists them under gaps.",
            rates.gaps.len()
        ));
    }
}

/// With `--beds-from-cqc`, the beds of the snapshot's care homes (the CQC
/// directory), each counted for the network of its nearest member practice:
/// an estimate, said so on standard error and in the output's `beds_source`.
pub fn care_home_beds(
    args: &crate::cli::NetworkCounts,
    extra: &mut pcn_funding::reconcile::Extra,
    snap: &pcn_core::Snapshot,
) -> anyhow::Result<Option<String>> {
    if !args.beds_from_cqc {
        return Ok(args.beds.as_ref().map(|p| format!("agreed alignments from {}", p.display())));
    }
    let Some((beds, source)) = pcn_profile::care_homes::estimated_beds(snap) else {
        return Err(Usage(
            "--beds-from-cqc: this snapshot has no CQC directory (import the HSCA active locations file with it)"
                .into(),
        )
        .into());
    };
    extra.beds = beds;
    eprintln!("note: care home premium beds {source}");
    Ok(Some(source))
}

/// Care home premium lines say where their beds came from.
pub fn label_beds(ent: &mut Entitlements, source: Option<&str>) {
    let Some(source) = source else { return };
    for l in ent.lines.iter_mut().filter(|l| l.basis == pcn_funding::rates::Basis::Beds && l.units_source.is_none()) {
        l.units_source = Some(format!("beds {source}"));
    }
}

/// Beds and IIF points per network, from the files named on the command line.
pub fn read_counts(args: &crate::cli::NetworkCounts) -> anyhow::Result<pcn_funding::reconcile::Extra> {
    let mut extra = pcn_funding::reconcile::Extra::default();
    if let Some(p) = &args.beds {
        extra.beds = pcn_nhs::inputs::read_network_counts(p, "beds")?;
    }
    if let Some(p) = &args.iif_points {
        extra.iif_points = pcn_nhs::inputs::read_network_counts(p, "points")?;
    }
    Ok(extra)
}
