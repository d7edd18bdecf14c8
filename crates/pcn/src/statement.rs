//! `pcn statement`: one network's entitlements for a year, line by line with
//! its basis and source, by month, as CSV (for spreadsheets) and HTML (for
//! people). Files are written to a temporary name and renamed, so a failed run
//! never leaves a half-written statement.

use std::fmt::Write as _;
use std::path::Path;

use pcn_core::{FinancialYear, Money};
use pcn_funding::engine::{self, Line, NetworkInput, PracticeInput};
use pcn_funding::rates::YearRates;
use pcn_store::Include;

use crate::cli::StatementArgs;
use crate::failure::Usage;

fn stream(l: &Line) -> String {
    l.stream.name()
}

use pcn_core::text::escape_html as esc;

fn write_atomically(path: &Path, body: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, body).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

struct Statement<'a> {
    year: FinancialYear,
    rates: &'a YearRates,
    network: &'a NetworkInput,
    name: Option<&'a str>,
    practices: &'a [PracticeInput],
    lines: Vec<&'a Line>,
    snapshot: i64,
    /// "lists as at ...": the dates of the lists this network's lines rest on.
    lists: String,
    /// The table and any agreement this network's rates come from.
    rates_used: Vec<String>,
}

impl Statement<'_> {
    fn months(&self) -> Vec<String> {
        engine::month_starts(self.year).iter().map(|d| format!("{}-{:02}", d.year(), d.month() as u8)).collect()
    }

    fn practice(&self, l: &Line) -> String {
        l.practice.map(|p| self.practices[p as usize].code.clone()).unwrap_or_default()
    }

    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "stream".to_string(),
            "practice".into(),
            "paid_to".into(),
            "basis".into(),
            "units".into(),
            "units_as_of".into(),
            "units_source".into(),
            "rate".into(),
            "per".into(),
            "confidence".into(),
            "rate_source".into(),
        ];
        header.extend(self.months());
        header.push("annual".into());
        w.write_record(&header)?;
        for l in &self.lines {
            let mut row = vec![
                stream(l),
                self.practice(l),
                format!("{:?}", l.paid_to).to_lowercase(),
                format!("{:?}", l.basis).to_lowercase(),
                l.units.to_string(),
                l.units_as_of.map(|d| d.to_string()).unwrap_or_default(),
                l.units_source.clone().unwrap_or_default(),
                l.rate.to_string(),
                format!("{:?}", l.per).to_lowercase(),
                format!("{:?}", l.confidence),
                l.rate_source.clone(),
            ];
            row.extend(l.months.iter().map(|m| m.to_pounds().to_string()));
            row.push(l.annual.to_pounds().to_string());
            w.write_record(&row)?;
        }
        Ok(w.into_inner()?)
    }

    #[cfg(feature = "pdf")]
    fn pdf(&self, optimize: bool) -> Vec<u8> {
        use crate::statement_pdf::{Row, render};
        let title = format!("{} {} - entitlements {}", self.network.code, self.name.unwrap_or(""), self.year);
        let total: Money = self.lines.iter().map(|l| l.annual).sum();
        let notes = vec![
            format!("Snapshot {}; {}. Total {total}.", self.snapshot, self.lists),
            self.rates_used.join(" "),
            "Each line: the population, its date and source; the rate, its source and confidence (V, V2, D verified; R, C not)."
                .to_string(),
        ];
        let head =
            |cells: &[(f32, &str)]| Row { cells: cells.iter().map(|(x, s)| (*x, s.to_string())).collect(), bold: true };
        let mut rows = vec![head(&[(12.0, "By stream"), (80.0, "annual")])];
        let mut by: std::collections::BTreeMap<String, Money> = Default::default();
        for l in &self.lines {
            *by.entry(stream(l)).or_default() += l.annual;
        }
        for (s, m) in &by {
            rows.push(Row { cells: vec![(12.0, s.clone()), (80.0, m.to_string())], bold: false });
        }
        rows.push(Row { cells: vec![], bold: false });
        rows.push(head(&[
            (12.0, "stream"),
            (52.0, "practice"),
            (72.0, "population"),
            (182.0, "rate"),
            (262.0, "annual"),
        ]));
        for l in &self.lines {
            let confidence = if l.confidence.verified() { String::new() } else { " UNVERIFIED".into() };
            rows.push(Row {
                cells: vec![
                    (12.0, stream(l)),
                    (52.0, self.practice(l)),
                    (
                        72.0,
                        format!(
                            "{} {} at {} ({})",
                            l.units,
                            format!("{:?}", l.basis).to_lowercase(),
                            l.units_as_of.map(|d| d.to_string()).unwrap_or_default(),
                            l.units_source.as_deref().unwrap_or("")
                        ),
                    ),
                    (
                        182.0,
                        format!(
                            "£{} per {} ({:?}{confidence})",
                            l.rate,
                            format!("{:?}", l.per).to_lowercase(),
                            l.confidence
                        ),
                    ),
                    (262.0, l.annual.to_string()),
                ],
                bold: false,
            });
        }
        rows.push(Row { cells: vec![], bold: false });
        rows.push(head(&[(12.0, "month"), (80.0, "total")]));
        for (i, m) in self.months().iter().enumerate() {
            let t: Money = self.lines.iter().map(|l| l.months[i]).sum();
            rows.push(Row { cells: vec![(12.0, m.clone()), (80.0, t.to_string())], bold: false });
        }
        render(&title, &notes, &rows, optimize)
    }

    fn html(&self) -> String {
        let mut h = String::new();
        let title = format!("{} {} — entitlements {}", self.network.code, self.name.unwrap_or(""), self.year);
        let _ = write!(
            h,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>\
             body{{font-family:system-ui,sans-serif;margin:2rem;color:#212b32}}table{{border-collapse:collapse;font-size:.85rem}}\
             th,td{{border:1px solid #d8dde0;padding:.25rem .5rem}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
             .warn{{color:#8a1538}}caption{{text-align:left;font-weight:600;margin:.5rem 0}}</style></head><body><h1>{t}</h1>",
            t = esc(&title)
        );
        let total: Money = self.lines.iter().map(|l| l.annual).sum();
        let _ = write!(
            h,
            "<p>Snapshot {}; {}. Total {}. Every line shows the population, its date and source, and the rate with its source and confidence (V verbatim, V2 two sources, D derived; R and C are unverified).</p>",
            self.snapshot,
            esc(&self.lists),
            esc(&total.to_string())
        );
        for u in &self.rates_used {
            let _ = write!(h, "<p class=\"rates\">{}</p>", esc(u));
        }
        // Summary by stream.
        let mut by: std::collections::BTreeMap<String, Money> = Default::default();
        for l in &self.lines {
            *by.entry(stream(l)).or_default() += l.annual;
        }
        h.push_str("<table><caption>By stream</caption><tr><th>stream</th><th>annual</th></tr>");
        for (s, m) in &by {
            let _ = write!(h, "<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(s), esc(&m.to_string()));
        }
        h.push_str("</table><table><caption>Lines by month</caption><tr><th>stream</th><th>practice</th><th>basis</th><th>rate</th>");
        for m in self.months() {
            let _ = write!(h, "<th>{m}</th>");
        }
        h.push_str("<th>annual</th></tr>");
        for l in &self.lines {
            let warn = if l.confidence.verified() { "" } else { " class=\"warn\" title=\"unverified rate\"" };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{} {} ({}, {})</td><td{warn}>£{} per {} ({:?}; {})</td>",
                esc(&stream(l)),
                esc(&self.practice(l)),
                l.units,
                format!("{:?}", l.basis).to_lowercase(),
                l.units_as_of.map(|d| d.to_string()).unwrap_or_default(),
                esc(l.units_source.as_deref().unwrap_or("")),
                l.rate,
                format!("{:?}", l.per).to_lowercase(),
                l.confidence,
                esc(&l.rate_source)
            );
            for m in &l.months {
                let _ = write!(h, "<td class=\"n\">{}</td>", esc(&m.to_string()));
            }
            let _ = write!(h, "<td class=\"n\">{}</td></tr>", esc(&l.annual.to_string()));
        }
        h.push_str("</table>");
        if !self.rates.gaps.is_empty() {
            h.push_str("<h2>Known gaps in this year's rates</h2><ul>");
            for g in &self.rates.gaps {
                let _ = write!(h, "<li>{}</li>", esc(g));
            }
            h.push_str("</ul>");
        }
        h.push_str("</body></html>\n");
        h
    }
}

pub async fn run(db: &Path, args: StatementArgs) -> anyhow::Result<()> {
    if args.pdf && !cfg!(feature = "pdf") {
        return Err(Usage(
            "this pcn was built without PDF statements: build it with `cargo build --release --features pdf`".into(),
        )
        .into());
    }
    let year = args.year;
    let book = crate::rates::book(&args.rate_files, year)?;
    let approvals = args.approvals.as_deref().map(pcn_nhs::inputs::read_approvals).transpose()?.unwrap_or_default();
    let mut counts = crate::pay::read_counts(&args.counts)?;
    let (id, snap) = crate::views::load(db, args.snapshot, Include { payments: true, ..Default::default() }).await?;
    let beds_source = crate::pay::care_home_beds(&args.counts, &mut counts, &snap)?;
    let (practices, mut networks) = pcn_funding::inputs::from_snapshot(&snap, &book.base, &approvals);
    for n in &mut networks {
        n.beds = counts.beds.get(&n.code).copied();
        n.iif_points = counts.iif_points.get(&n.code).copied();
    }
    let icbs = pcn_funding::inputs::network_icbs(&snap);
    let mut ent = engine::entitlements_by(&book, &icbs, &practices, &networks);
    let codes: Vec<&str> = networks.iter().map(|n| n.code.as_str()).collect();
    let affected = crate::rates::affected(&book, &icbs, &codes);
    crate::pay::label_beds(&mut ent, beds_source.as_deref());
    let chosen: Vec<usize> = match &args.network {
        Some(code) => vec![
            networks
                .iter()
                .position(|n| n.code.as_str() == code.as_str())
                .ok_or_else(|| Usage(format!("network {code} is not in snapshot {id}")))?,
        ],
        None => (0..networks.len()).collect(),
    };
    std::fs::create_dir_all(&args.out).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", args.out.display()))?;
    let tag = year.to_string().replace('/', "-");
    let mut written = 0;
    for n in chosen {
        let lines: Vec<&Line> = ent.lines.iter().filter(|l| l.network == n as u32).collect();
        let rates = book.for_icb(icbs[n].as_ref());
        let mut rates_used = vec![format!("Rates: {}.", book.base_file)];
        for o in book.overlays_for(icbs[n].as_ref()) {
            rates_used.push(format!(
                "Overlay: {} — Local Variation Agreement of ICB {} from {} ({}); part year {}.",
                o.file,
                o.icb,
                o.effective_from,
                o.source,
                crate::rates::PART_YEAR
            ));
        }
        let s = Statement {
            year,
            rates,
            network: &networks[n],
            name: snap.networks[n].name.as_deref(),
            practices: &practices,
            lines,
            snapshot: id,
            lists: pcn_funding::inputs::ListDates::of_networks(&practices, &networks[n..=n], rates).label(),
            rates_used,
        };
        let base = args.out.join(format!("{}-{tag}", networks[n].code));
        write_atomically(&base.with_extension("csv"), &s.csv()?)?;
        write_atomically(&base.with_extension("html"), s.html().as_bytes())?;
        #[cfg(feature = "pdf")]
        if args.pdf {
            write_atomically(&base.with_extension("pdf"), &s.pdf(true))?;
        }
        written += 1;
    }
    let kinds = if args.pdf { "CSV, HTML and PDF" } else { "CSV and HTML" };
    println!("{written} statement(s) for {year} written to {} ({kinds}).", args.out.display());
    for line in crate::rates::used_lines(&book, &affected) {
        println!("{line}");
    }
    Ok(())
}
