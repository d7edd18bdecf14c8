//! `pcn form`: scratch formation, repair and evaluation of configurations.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use pcn_core::{NetworkCode, PracticeCode};
use pcn_form::edits::{self, Edit};
use pcn_form::{Options, Outcome, Quality};
use pcn_rules::{Configuration, Model, NetworkFacts};
use serde_json::{Value, json};

use crate::cli::{FormArgs, FormMode};
use crate::failure::Usage;

pub async fn run(db: &Path, args: FormArgs) -> anyhow::Result<()> {
    let only = args.commissioner.clone();
    let mut edit_list = Vec::new();
    for c in &args.close {
        edit_list.push(Edit::Close(c.clone()));
    }
    edit_list.extend(args.merge.iter().cloned());
    edit_list.extend(args.grow.iter().cloned());
    if let Some(p) = args.grow_all {
        edit_list.push(Edit::GrowAll { percent: p });
    }
    for c in &args.opt_out {
        edit_list.push(Edit::OptOut(c.clone()));
    }

    let crate::views::Loaded { id, snap, model: base, config: current, load_time: t_load, model_time: t_model } =
        crate::views::load_model(db, args.snapshot).await?;
    if let Some(c) = &only
        && !base.practices.iter().any(|p| p.commissioner.as_ref() == Some(c))
    {
        anyhow::bail!(Usage(format!("commissioner {c} has no practices in snapshot {id}")));
    }
    let only = crate::icbs::area(id, &snap, only.as_ref(), args.icb.as_ref())?;
    // Formation places practices on the map; without coordinates it cannot.
    let open: Vec<&pcn_rules::PracticeFacts> = base.practices.iter().filter(|p| p.active).collect();
    let unlocated = open.iter().filter(|p| p.site.is_none()).count();
    if args.mode != FormMode::Evaluate && !open.is_empty() && unlocated == open.len() {
        anyhow::bail!(Usage(format!(
            "none of the {} open practices in snapshot {id} has coordinates: import a postcode coordinates file with the practice files",
            open.len()
        )));
    }
    if unlocated * 100 > open.len() {
        eprintln!(
            "warning: {unlocated} of {} open practices have no coordinates; they join the smallest network of their commissioner",
            open.len()
        );
    }
    let (model, excluded, opted_out) = edits::apply(&base, &edit_list).map_err(Usage)?;

    let opts = Options {
        seed: args.seed,
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        by_commissioner: !args.ignore_commissioners,
        only,
        threads: std::thread::available_parallelism().map_or(2, |n| n.get()).min(8),
    };
    let bar = ProgressBar::new(0)
        .with_style(ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len}").expect("template"));
    bar.set_message(match args.mode {
        FormMode::Scratch => "forming areas",
        FormMode::Repair => "repairing networks",
        FormMode::Evaluate => "evaluating",
    });
    let tick = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let mut outcome = match args.mode {
        FormMode::Scratch => pcn_form::scratch(&model, &current, &excluded, &opts, &tick),
        FormMode::Repair => pcn_form::repair(&model, &current, &excluded, &opts, &tick),
        FormMode::Evaluate => {
            let file =
                args.assignment.as_deref().ok_or_else(|| Usage("--mode evaluate needs --assignment FILE".into()))?;
            evaluate_file(&model, file)?
        }
    };
    bar.finish_and_clear();
    if args.timings {
        eprintln!(
            "pcn-timings: load_ms={:.3} model_ms={:.3} solve_ms={:.3}",
            t_load.as_secs_f64() * 1e3,
            t_model.as_secs_f64() * 1e3,
            outcome.seconds * 1e3
        );
    }
    outcome.covering = pcn_form::cover(&model, &current, &outcome.config, &outcome.networks, &opted_out);

    let quality = pcn_form::quality(
        &model,
        &outcome.networks,
        &outcome.config,
        &current,
        &outcome.covering,
        &outcome.certificates,
        outcome.seconds,
    );
    let baseline = pcn_form::quality(&base, &base.networks, &current, &current, &[], &[], 0.0);
    let diff = diff(&model, &current, &outcome);

    if let Some(path) = &args.out {
        write_epcn(path, &model, &outcome, &snap.commissioners, snap.as_of)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let v = json!({
            "snapshot": id,
            "mode": format!("{:?}", args.mode).to_lowercase(),
            "seed": args.seed,
            "quality": quality,
            "baseline": baseline,
            "certificates": outcome.certificates,
            "unlocated": outcome.unlocated.iter().map(|&p| &model.practices[p as usize].code).collect::<Vec<_>>(),
            "covering": outcome.covering.iter().map(|&(p, n)| json!({"practice": model.practices[p as usize].code, "network": outcome.networks[n as usize].code})).collect::<Vec<_>>(),
            "diff": diff,
            "out": args.out.as_ref().map(|p| p.display().to_string()),
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        report(&mut out, &quality, &baseline, &outcome, &diff, &model)?;
        if let Some(p) = &args.out {
            writeln!(
                out,
                "\nWrote the configuration to {} (ePCN core-partner layout; pcn import can read it back).",
                p.display()
            )?;
        }
    }
    Ok(())
}

/// Reads an assignment (ePCN core-partner CSV or `practice,network`) and
/// treats each distinct network label as a network.
fn evaluate_file(model: &Model, path: &Path) -> anyhow::Result<Outcome> {
    let name = path.display().to_string();
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("reading {name}"))?;
    let headers: Vec<String> = rdr.headers()?.iter().map(|h| h.trim().to_ascii_uppercase()).collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let pc = find(&["PARTNER_ORG_CODE", "PRACTICE", "PRACTICE_CODE"])
        .ok_or_else(|| Usage(format!("{name}: no practice column (PARTNER_ORG_CODE or practice)")))?;
    let nc = find(&["PCN_CODE", "NETWORK", "LABEL"])
        .ok_or_else(|| Usage(format!("{name}: no network column (PCN_CODE or network)")))?;
    let mut labels: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let line = i + 2;
        let p = PracticeCode::parse(&rec[pc]).map_err(|e| Usage(format!("{name}, line {line}: {e}")))?;
        let idx = *model
            .practice_index
            .get(&p)
            .ok_or_else(|| Usage(format!("{name}, line {line}: practice {p} is not in the snapshot")))?;
        labels.entry(rec[nc].trim().to_string()).or_default().push(idx);
    }
    let mut networks = Vec::new();
    let mut members = Vec::new();
    for (i, (label, ms)) in labels.into_iter().enumerate() {
        let code =
            NetworkCode::parse(&label).unwrap_or_else(|_| NetworkCode::parse(&format!("U{:05}", i)).expect("valid"));
        let commissioner = pcn_form::naming::majority_commissioner(model, &ms);
        networks.push(NetworkFacts { code, name: Some(label), commissioner, open: true });
        members.push(ms);
    }
    Ok(Outcome {
        networks,
        config: Configuration { members },
        covering: Vec::new(),
        certificates: Vec::new(),
        unlocated: Vec::new(),
        seconds: 0.0,
    })
}

/// Practices that change network, and networks created or gone.
fn diff(model: &Model, current: &Configuration, outcome: &Outcome) -> Value {
    let before = current.networks_of(model.practices.len());
    let after = outcome.config.networks_of(model.practices.len());
    let code_before = |n: u32| model.networks[n as usize].code.to_string();
    let code_after = |n: u32| outcome.networks[n as usize].code.to_string();
    let mut moves = Vec::new();
    for p in 0..model.practices.len() {
        let b: Vec<String> = before[p].iter().map(|&n| code_before(n)).collect();
        let a: Vec<String> = after[p].iter().map(|&n| code_after(n)).collect();
        if a != b {
            moves.push(json!({"practice": model.practices[p].code, "from": b.first(), "to": a.first(), "registered": model.practices[p].registered}));
        }
    }
    let old: std::collections::BTreeSet<String> =
        current.members.iter().enumerate().filter(|(_, m)| !m.is_empty()).map(|(n, _)| code_before(n as u32)).collect();
    let new: std::collections::BTreeSet<String> = outcome
        .config
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
        .map(|(n, _)| code_after(n as u32))
        .collect();
    json!({
        "moves": moves,
        "networks_created": new.difference(&old).collect::<Vec<_>>(),
        "networks_dissolved": old.difference(&new).collect::<Vec<_>>(),
    })
}

fn report(
    out: &mut impl Write,
    q: &Quality,
    b: &Quality,
    o: &Outcome,
    diff: &Value,
    model: &Model,
) -> std::io::Result<()> {
    writeln!(out, "{:<28} {:>12} {:>12}", "", "today", "result")?;
    let row = |out: &mut dyn Write, name: &str, a: String, c: String| writeln!(out, "{name:<28} {a:>12} {c:>12}");
    row(out, "networks", b.networks.to_string(), q.networks.to_string())?;
    let (floor, ceiling) =
        (pcn_core::text::thousands(pcn_core::limits::FLOOR), pcn_core::text::thousands(pcn_core::limits::CEILING));
    row(
        out,
        &format!("below {floor}"),
        b.below_floor.to_string(),
        format!("{} ({} certified)", q.below_floor, q.below_floor_certified),
    )?;
    row(out, &format!("above {ceiling}"), b.above_ceiling.to_string(), q.above_ceiling.to_string())?;
    row(out, "not contiguous", b.non_contiguous.to_string(), q.non_contiguous.to_string())?;
    row(out, "cross-commissioner", b.cross_commissioner.to_string(), q.cross_commissioner.to_string())?;
    row(out, "uncovered practices", b.uncovered.to_string(), q.uncovered.to_string())?;
    row(
        out,
        "mean weighted distance (km)",
        format!("{:.2}", b.mean_weighted_distance_km),
        format!("{:.2}", q.mean_weighted_distance_km),
    )?;
    writeln!(
        out,
        "\n{} practices change network ({:.1}% of {}), in {:.2} s.",
        q.practices_moved,
        100.0 * q.practices_moved as f64 / model.practices.iter().filter(|p| p.active).count().max(1) as f64,
        model.practices.iter().filter(|p| p.active).count(),
        q.seconds
    )?;
    let created = diff["networks_created"].as_array().map_or(0, Vec::len);
    let dissolved = diff["networks_dissolved"].as_array().map_or(0, Vec::len);
    writeln!(out, "{created} networks created, {dissolved} dissolved.")?;
    if !o.certificates.is_empty() {
        writeln!(out, "\nCertificates ({}): where the rules cannot all be met", o.certificates.len())?;
        for c in o.certificates.iter().take(25) {
            let fixes: Vec<String> =
                c.proposals.iter().filter_map(|p| p["decision"].as_str().map(str::to_string)).collect();
            writeln!(
                out,
                "  {} {}: {} (proposed: {})",
                c.commissioner.as_deref().unwrap_or("-"),
                serde_json::to_string(&c.obstacle).unwrap_or_default().trim_matches('"'),
                c.reason,
                fixes.join(", ")
            )?;
        }
        if o.certificates.len() > 25 {
            writeln!(out, "  … and {} more (see --json)", o.certificates.len() - 25)?;
        }
    }
    if !o.covering.is_empty() {
        writeln!(out, "\nCovering networks for practices that opted out:")?;
        for &(p, n) in &o.covering {
            writeln!(out, "  {} covered by {}", model.practices[p as usize].code, o.networks[n as usize].code)?;
        }
    }
    Ok(())
}

/// Writes the configuration in the ePCN core-partner CSV layout.
fn write_epcn(
    path: &Path,
    model: &Model,
    o: &Outcome,
    commissioners: &[pcn_core::Commissioner],
    as_of: Option<time::Date>,
) -> anyhow::Result<()> {
    let names: BTreeMap<&pcn_core::CommissionerCode, Option<&str>> =
        commissioners.iter().map(|c| (&c.code, c.name.as_deref())).collect();
    let name_of = |c: Option<&pcn_core::CommissionerCode>| {
        c.and_then(|c| names.get(c).copied().flatten()).unwrap_or("").to_string()
    };
    let mut rows: Vec<(&PracticeCode, usize, u32)> = Vec::new();
    for (n, ms) in o.config.members.iter().enumerate() {
        for &p in ms {
            rows.push((&model.practices[p as usize].code, n, p));
        }
    }
    rows.sort();
    let partners = rows.into_iter().map(|(code, n, p)| {
        let p = &model.practices[p as usize];
        let net = &o.networks[n];
        pcn_nhs::write::CorePartner {
            practice: code.to_string(),
            practice_name: p.name.clone().unwrap_or_default(),
            practice_commissioner: p.commissioner.as_ref().map_or(String::new(), |c| c.to_string()),
            practice_commissioner_name: name_of(p.commissioner.as_ref()),
            network: net.code.to_string(),
            network_name: net.name.clone().unwrap_or_default(),
            network_commissioner: net.commissioner.as_ref().map_or(String::new(), |c| c.to_string()),
            network_commissioner_name: name_of(net.commissioner.as_ref()),
            start: as_of,
            end: None,
        }
    });
    let mut w = csv::Writer::from_path(path)?;
    pcn_nhs::write::write_core_partners(&mut w, partners)?;
    w.flush()?;
    Ok(())
}
