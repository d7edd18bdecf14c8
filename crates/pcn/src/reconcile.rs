//! `pcn reconcile`: computed entitlements against an NHS Payments to General
//! Practice file, stream by stream, with the largest differences explained.

use std::path::Path;

use pcn_core::Money;
use pcn_funding::reconcile::{self, BUCKET_LABELS, Reconciliation, StreamReport};
use pcn_store::Include;
use serde_json::{Value, json};

use crate::cli::ReconcileArgs;
use crate::failure::Usage;
use crate::output::Listing;

fn pounds(m: Money) -> Value {
    json!(reconcile::pounds_f64(m))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

pub async fn run(db: &Path, args: ReconcileArgs) -> anyhow::Result<()> {
    let wanted = args.year;
    let (year, rows) = pcn_nhs::read_payments(&args.payments, wanted)?;
    if let Some(w) = wanted.filter(|w| *w != year) {
        return Err(
            Usage(format!("--year {w} disagrees with {}, whose name says {year}", args.payments.display())).into()
        );
    }
    let book = crate::rates::book(&args.rate_files, year)?;
    let rates = &book.base;
    let extra = crate::pay::read_counts(&args.counts)?;
    let (id, mut snap) =
        crate::views::load(db, args.snapshot, Include { payments: true, ..Default::default() }).await?;
    reconcile::merge_payments(&mut snap, year, rows);
    let mut extra = extra;
    let beds_source = crate::pay::care_home_beds(&args.counts, &mut extra, &snap)?;
    if let Some(staff) = &args.staff {
        extra.workforce = crate::arrs::claimed_by_network(&snap, rates, staff)?;
    }
    let r = reconcile::reconcile_with(&snap, &book, &extra);
    let icbs = pcn_funding::inputs::network_icbs(&snap);
    let codes: Vec<String> = snap.networks.iter().map(|n| n.code.to_string()).collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let affected = crate::rates::affected(&book, &icbs, &codes);

    if args.format.json {
        let mut v = to_json(&r, id, &args.payments, rates.list_size_date);
        v["beds_source"] = json!(beds_source);
        v["rates_used"] = crate::rates::used_json(&book, &affected);
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if args.format.csv {
        let mut l = Listing::new(
            "items",
            vec!["stream", "code", "network", "paid", "computed", "naive", "difference", "reasons"],
        );
        for s in &r.streams {
            for i in &s.items {
                l.rows.push(vec![
                    json!(s.name),
                    json!(i.code),
                    json!(i.network),
                    pounds(i.paid),
                    pounds(i.computed),
                    i.naive.map_or(Value::Null, pounds),
                    pounds(i.difference()),
                    json!(
                        i.reasons
                            .iter()
                            .map(|e| format!("{}: {}", reason_name(e.reason), e.detail))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ),
                ]);
            }
        }
        return l.print(args.format);
    }

    let mut l = Listing::new(
        "streams",
        vec![
            "stream",
            "level",
            "compared",
            "within 2%",
            "naive within 2%",
            "within 10%",
            "over 10%",
            "unexplained",
            "paid",
            "computed",
        ],
    );
    for s in &r.streams {
        l.rows.push(vec![
            json!(s.name),
            json!(format!("{:?}", s.level).to_lowercase()),
            json!(s.compared),
            json!(format!("{} ({})", s.within_2pct, pct(s.share(s.within_2pct)))),
            json!(format!("{} ({})", s.naive_within_2pct, pct(s.share(s.naive_within_2pct)))),
            json!(format!("{} ({})", s.within_10pct, pct(s.share(s.within_10pct)))),
            json!(s.over_10pct),
            json!(format!("{} ({})", s.unexplained_over_10pct, pct(s.share(s.unexplained_over_10pct)))),
            json!(s.paid_total.to_string()),
            json!(s.computed_total.to_string()),
        ]);
    }
    l.footer.push(format!(
        "{year}, snapshot {id}, {}: computed on lists as at {}, months of membership, openings and closures.",
        args.payments.display(),
        rates.list_size_date
    ));
    if let Some(b) = &beds_source {
        l.footer.push(format!("Care home premium beds: {b}."));
    }
    l.footer.extend(crate::rates::used_lines(&book, &affected));
    for s in &r.streams {
        l.footer.push(String::new());
        l.footer.extend(stream_detail(s, args.top));
    }
    for n in &r.not_compared {
        l.footer.push(format!("Not compared: {} ({:?}): {}.", n.name, n.column, n.reason));
    }
    l.print(args.format)
}

fn reason_name(r: reconcile::Reason) -> String {
    serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn stream_detail(s: &StreamReport, top: usize) -> Vec<String> {
    let mut out = vec![format!(
        "{} ({:?}): computed - paid, by share of paid: {}",
        s.name,
        s.column,
        BUCKET_LABELS
            .iter()
            .zip(s.distribution.buckets)
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    if !s.reasons.is_empty() {
        out.push(format!(
            "  over 10% by reason: {}",
            s.reasons.iter().map(|(r, n)| format!("{} {n}", reason_name(*r))).collect::<Vec<_>>().join(", ")
        ));
    }
    if s.paid_without_network.pence() != 0 {
        out.push(format!("  {} paid on rows coded to no network: not compared", s.paid_without_network));
    }
    if s.computed_not_paid > 0 {
        out.push(format!(
            "  {} computed but paid nothing under their code (payee coded elsewhere?)",
            s.computed_not_paid
        ));
    }
    // The largest differences; an item paid exactly what was computed is not one.
    let differing: Vec<_> = s.items.iter().filter(|i| i.paid != i.computed).collect();
    if differing.is_empty() && !s.items.is_empty() {
        out.push(format!("  all {} paid exactly what was computed, to the penny", s.items.len()));
    }
    for i in differing.into_iter().take(top) {
        let why = if i.reasons.is_empty() {
            "unexplained".to_string()
        } else {
            i.reasons.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("; ")
        };
        out.push(format!(
            "  {} paid {} computed {} ({:+.1}%): {why}",
            i.code,
            i.paid,
            i.computed,
            i.relative() * 100.0
        ));
    }
    out
}

fn to_json(r: &Reconciliation, snapshot: i64, file: &Path, list_date: time::Date) -> Value {
    let streams: serde_json::Map<String, Value> = r
        .streams
        .iter()
        .map(|s| {
            (
                s.name.to_string(),
                json!({
                    "column": s.column,
                    "level": s.level,
                    "compared": s.compared,
                    "within_2pct": s.within_2pct,
                    "within_10pct": s.within_10pct,
                    "naive_within_2pct": s.naive_within_2pct,
                    "naive_within_10pct": s.naive_within_10pct,
                    "over_10pct": s.over_10pct,
                    "unexplained_over_10pct": s.unexplained_over_10pct,
                    "reasons": s.reasons.iter().map(|(k, v)| (reason_name(*k), json!(v))).collect::<serde_json::Map<_, _>>(),
                    "paid": pounds(s.paid_total),
                    "computed": pounds(s.computed_total),
                    "naive": pounds(s.naive_total),
                    "computed_not_paid": s.computed_not_paid,
                    "paid_without_network": pounds(s.paid_without_network),
                    "distribution": BUCKET_LABELS.iter().zip(s.distribution.buckets).map(|(l, n)| json!({"relative_difference": l, "count": n})).collect::<Vec<_>>(),
                    "items": s.items.iter().map(|i| json!({
                        "code": i.code,
                        "network": i.network,
                        "paid": pounds(i.paid),
                        "paid_pence": i.paid.pence(),
                        "computed": pounds(i.computed),
                        "computed_pence": i.computed.pence(),
                        "naive": i.naive.map(pounds),
                        "relative_difference": if i.paid.pence() == 0 { Value::Null } else { json!(i.relative()) },
                        "reasons": i.reasons,
                    })).collect::<Vec<_>>(),
                }),
            )
        })
        .collect();
    json!({
        "year": r.year.to_string(),
        "snapshot": snapshot,
        "payments_file": file.display().to_string(),
        "list_size_date": list_date.to_string(),
        "streams": streams,
        "not_compared": r.not_compared,
    })
}
