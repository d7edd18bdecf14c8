//! `pcn check` and `pcn rules`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use pcn_core::CommissionerCode;
use pcn_rules::{CheckInputs, Finding, Model, Report, Rule, Severity};
use serde_json::json;

use crate::cli::{CheckArgs, FormatArgs};
use crate::failure::Usage;
use crate::output::{Listing, group_thousands};

pub async fn run(db: &Path, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let year = args.year;
    let commissioner = args.commissioner.clone();
    let approvals = args.approvals.as_deref().map(pcn_nhs::inputs::read_approvals).transpose()?.unwrap_or_default();
    let governance = args.governance.as_deref().map(pcn_nhs::inputs::read_governance).transpose()?;

    let crate::views::Loaded { id, snap, model, config, load_time: t_load, model_time: t_model } =
        crate::views::load_model(db, args.snapshot).await?;
    if let Some(c) = &commissioner
        && !model.networks.iter().any(|n| n.commissioner.as_ref() == Some(c))
        && !model.practices.iter().any(|p| p.commissioner.as_ref() == Some(c))
    {
        anyhow::bail!(Usage(format!("commissioner {c} has no networks or practices in snapshot {id}")));
    }
    let area = crate::icbs::area(id, &snap, commissioner.as_ref(), args.icb.as_ref())?;
    let t2 = Instant::now();
    let inputs = CheckInputs { year, approvals, governance };
    let mut report = pcn_rules::check(&model, &config, &inputs);
    let t_check = t2.elapsed();
    if args.timings {
        // For `pcn bench` and the curious: each phase on its own.
        eprintln!(
            "pcn-timings: load_ms={:.3} model_ms={:.3} graph_ms={:.3} check_ms={:.3}",
            t_load.as_secs_f64() * 1e3,
            t_model.as_secs_f64() * 1e3,
            model.graph_build.as_secs_f64() * 1e3,
            t_check.as_secs_f64() * 1e3
        );
    }
    report = pcn_rules::for_area(&model, &report, &area);

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let mut v = serde_json::to_value(&report)?;
        v["snapshot"] = json!(id);
        v["as_of"] = json!(snap.as_of.map(|d| d.to_string()));
        v["graph"] = json!({
            "sites": model.graph.sites.len(),
            "edges": model.graph.edges.len(),
            "pruned_edges": model.graph.pruned.len(),
            "island_links": model.graph.links.len(),
            "water_rule": model.land.is_some(),
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        let mut shown = report.clone();
        if args.summary {
            shown.findings.retain(|f| f.rule == Rule::NonContiguous.id());
        }
        write_report(&mut out, &model, &shown, id, snap.as_of.map(|d| d.to_string()).unwrap_or_default(), args.summary)
            .context("writing the report")?;
    }
    Ok(if report.summary.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn tag(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARN ",
        Severity::Info => "INFO ",
    }
}

/// Per commissioner, worst first; national findings (no commissioner) first.
fn write_report(
    out: &mut impl Write,
    model: &Model,
    report: &Report,
    id: i64,
    as_of: String,
    summary_only: bool,
) -> std::io::Result<()> {
    let s = &report.summary;
    writeln!(
        out,
        "Check of snapshot {id} (as of {as_of}) against the {} rules: {} networks, {} active practices.",
        s.year,
        group_thousands(&s.networks.to_string()),
        group_thousands(&s.practices.to_string())
    )?;
    writeln!(out, "{} errors, {} warnings, {} for information.", s.errors, s.warnings, s.infos)?;
    if !s.by_rule.is_empty() {
        writeln!(out, "\nBy rule:")?;
        for (rule, n) in &s.by_rule {
            writeln!(out, "  {rule:<34} {n:>6}")?;
        }
    }
    for ne in &s.not_evaluated {
        writeln!(out, "  not evaluated: {} ({})", ne.rule, ne.reason)?;
    }
    write_worst_non_contiguous(out, report)?;
    if summary_only {
        return Ok(());
    }
    let mut groups: BTreeMap<Option<&CommissionerCode>, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        groups.entry(f.commissioner.as_ref()).or_default().push(f);
    }
    let mut order: Vec<(Option<&CommissionerCode>, Vec<&Finding>)> = groups.into_iter().collect();
    let weight = |fs: &[&Finding]| {
        (
            fs.iter().filter(|f| f.severity == Severity::Error).count(),
            fs.iter().filter(|f| f.severity == Severity::Warning).count(),
        )
    };
    order.sort_by(|(ca, a), (cb, b)| cb.is_none().cmp(&ca.is_none()).then(weight(b).cmp(&weight(a))).then(ca.cmp(cb)));
    for (c, fs) in order {
        let (e, w) = weight(&fs);
        let title = match c {
            Some(c) => {
                let nets = model.networks.iter().filter(|n| n.commissioner.as_ref() == Some(c)).count();
                format!("{c}: {nets} networks")
            }
            None => "Whole snapshot".to_string(),
        };
        writeln!(out, "\n{title}: {e} errors, {w} warnings")?;
        let mut fs = fs;
        fs.sort_by_key(|f| f.severity);
        for f in fs {
            writeln!(out, "  {} {:<32} {}", tag(f.severity), f.rule, f.message)?;
            if f.rule == Rule::NonContiguous.id()
                && let Some(parts) = f.facts["parts"].as_array()
            {
                for (i, p) in parts.iter().enumerate() {
                    let codes: Vec<&str> =
                        p["practices"].as_array().into_iter().flatten().filter_map(|x| x.as_str()).collect();
                    let gap = p["gap_km"].as_f64().map(|g| format!(", {g:.1} km away")).unwrap_or_default();
                    writeln!(out, "        part {}: {} ({} patients{gap})", i + 1, codes.join(" "), p["registered"])?;
                }
            }
        }
    }
    Ok(())
}

/// The three most broken networks: most parts, then the widest gap.
fn write_worst_non_contiguous(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let mut nc: Vec<&Finding> = report.findings.iter().filter(|f| f.rule == Rule::NonContiguous.id()).collect();
    if nc.is_empty() {
        return Ok(());
    }
    let parts = |f: &Finding| f.facts["parts"].as_array().map_or(0, Vec::len);
    let gap = |f: &Finding| f.facts["max_gap_km"].as_f64().unwrap_or(0.0);
    nc.sort_by(|a, b| parts(b).cmp(&parts(a)).then(gap(b).total_cmp(&gap(a))).then(a.network.cmp(&b.network)));
    writeln!(out, "\n{} networks are not contiguous; the three worst:", nc.len())?;
    for f in nc.iter().take(3) {
        writeln!(out, "  {}", f.message)?;
        write_parts(out, f)?;
    }
    Ok(())
}

fn write_parts(out: &mut impl Write, f: &Finding) -> std::io::Result<()> {
    for (i, p) in f.facts["parts"].as_array().into_iter().flatten().enumerate() {
        let codes: Vec<&str> = p["practices"].as_array().into_iter().flatten().filter_map(|x| x.as_str()).collect();
        let gap = p["gap_km"].as_f64().map(|g| format!(", {g:.1} km away")).unwrap_or_default();
        let reg = p["registered"].as_i64().map_or_else(String::new, |r| group_thousands(&r.to_string()));
        writeln!(out, "        part {}: {} ({reg} patients{gap})", i + 1, codes.join(" "))?;
    }
    Ok(())
}

pub fn rules(format: FormatArgs) -> anyhow::Result<()> {
    let mut l = Listing::new("rules", vec!["id", "severity", "from_year", "summary", "source"]);
    for r in Rule::ALL {
        let i = r.info();
        l.rows.push(vec![
            json!(i.id),
            json!(i.severity.as_str()),
            json!(i.from_year),
            json!(i.summary),
            json!(i.source),
        ]);
    }
    l.print(format)
}
