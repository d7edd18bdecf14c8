//! `pcn profile`: who each network serves, beside its commissioner and England.

use std::path::Path;

use pcn_store::Include;
use serde_json::json;

use crate::cli::ProfileArgs;
use crate::commands::{Usage, parse_commissioner};
use crate::output::Listing;

/// The main QOF groups, in the order people read them (others follow alphabetically).
const MAIN_GROUPS: [&str; 8] = ["HYP", "DM", "COPD", "AST", "CHD", "DEM", "DEP", "CKD"];

fn pct(v: Option<f64>) -> serde_json::Value {
    v.map_or(serde_json::Value::Null, |x| json!(x))
}

fn share(v: f64) -> serde_json::Value {
    json!((v * 1000.0).round() / 10.0)
}

pub async fn run(db: &Path, args: ProfileArgs) -> anyhow::Result<()> {
    let commissioner = parse_commissioner(&args.commissioner)?;
    let include = Include { registers: true, lsoas: true, ..Default::default() };
    let (id, snap) = crate::commands::load(db, args.snapshot, include).await?;
    let started = std::time::Instant::now();
    let (model, _) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
    let model_time = started.elapsed();
    let started = std::time::Instant::now();
    let config = model.configuration(&snap);
    let all = pcn_profile::profiles(&model, &snap, &config);
    let profile_time = started.elapsed();
    if args.timings {
        eprintln!(
            "pcn-timings: model_ms={:.1} profiles_ms={:.1} networks={}",
            model_time.as_secs_f64() * 1e3,
            profile_time.as_secs_f64() * 1e3,
            all.len()
        );
    }
    if snap.registers.is_empty() {
        eprintln!("note: snapshot {id} has no QOF prevalence file: import one for disease prevalence");
    }
    // A network 2.5 standard deviations below the fit is prompted.
    let prompts = pcn_profile::prompts(&all, 2.5);
    if args.prompts {
        let mut l = Listing::new(
            "prompts",
            vec!["network", "commissioner", "prompt", "observed_pct", "expected_pct", "z", "message"],
        );
        for p in prompts.iter().filter(|p| {
            commissioner.as_ref().is_none_or(|c| {
                all.iter().any(|x| x.network == p.network && x.commissioner.as_deref() == Some(c.as_str()))
            })
        }) {
            let comm = all.iter().find(|x| x.network == p.network).and_then(|x| x.commissioner.clone());
            l.rows.push(vec![
                json!(p.network),
                json!(comm),
                json!(p.id),
                json!(p.observed),
                json!(p.expected),
                json!(p.z),
                json!(p.message),
            ]);
        }
        l.meta.insert("snapshot".into(), json!(id));
        return l.print(args.format);
    }
    if let Some(code) = &args.network {
        let code = pcn_core::NetworkCode::parse(code).map_err(|e| Usage(format!("network {code:?}: {e}")))?;
        let p = all
            .iter()
            .find(|p| p.network == code.as_str())
            .ok_or_else(|| Usage(format!("network {code} is not in snapshot {id}")))?;
        let mine: Vec<&pcn_profile::Prompt> = prompts.iter().filter(|x| x.network == p.network).collect();
        if let Some(other) = args.against {
            return against(db, id, p, other, args.format).await;
        }
        if let Some(path) = &args.html {
            write_html(path, id, p, &mine)?;
            eprintln!("Profile of {} written to {}", p.network, path.display());
            return Ok(());
        }
        if args.format.json {
            println!("{}", serde_json::to_string_pretty(&json!({"snapshot": id, "profile": p, "prompts": mine}))?);
            return Ok(());
        }
        for x in &mine {
            println!("prompt {}: {}", x.id, x.message);
        }
        println!(
            "{} {} ({}), snapshot {id}: {} practices, {} registered patients{}",
            p.network,
            p.name.as_deref().unwrap_or(""),
            p.commissioner.as_deref().unwrap_or("no commissioner"),
            p.practices,
            crate::output::group_thousands(&p.registered.to_string()),
            p.weighted
                .map(|w| format!(", {} weighted", crate::output::group_thousands(&w.to_string())))
                .unwrap_or_default()
        );
        println!(
            "rural (classes D and E): {:.1}% (commissioner {:.1}%, England {:.1}%); mean IMD decile {} (commissioner {}, England {}; 1 = most deprived)\n",
            p.rural_share[0] * 100.0,
            p.rural_share[1] * 100.0,
            p.rural_share[2] * 100.0,
            p.mean_imd_decile[0].map_or("-".into(), |v| format!("{v:.2}")),
            p.mean_imd_decile[1].map_or("-".into(), |v| format!("{v:.2}")),
            p.mean_imd_decile[2].map_or("-".into(), |v| format!("{v:.2}")),
        );
        let mut prev = Listing::new(
            "prevalence",
            vec!["group", "register", "list", "percent", "commissioner_percent", "england_percent", "ratio_to_england"],
        );
        let mut rows: Vec<&pcn_profile::Prevalence> = p.prevalence.iter().collect();
        rows.sort_by_key(|r| (MAIN_GROUPS.iter().position(|g| *g == r.group).unwrap_or(usize::MAX), r.group.clone()));
        for r in rows {
            prev.rows.push(vec![
                json!(r.group),
                json!(r.register),
                json!(r.list),
                pct(r.percent),
                pct(r.commissioner_percent),
                pct(r.england_percent),
                pct(r.ratio_to_england),
            ]);
        }
        prev.print(args.format)?;
        let mut mix =
            Listing::new("mix", vec!["kind", "class", "patients", "share_pct", "commissioner_pct", "england_pct"]);
        for (kind, list) in [("rurality", &p.rurality), ("IMD decile", &p.deprivation)] {
            for m in list {
                mix.rows.push(vec![
                    json!(kind),
                    json!(m.class),
                    json!(m.patients),
                    share(m.share),
                    share(m.commissioner_share),
                    share(m.england_share),
                ]);
            }
        }
        println!();
        return mix.print(args.format);
    }
    let mut l = Listing::new(
        "profiles",
        vec![
            "network",
            "commissioner",
            "practices",
            "registered",
            "weighted",
            "rural_pct",
            "mean_imd_decile",
            "hyp_pct",
            "dm_pct",
            "copd_pct",
            "dem_pct",
        ],
    );
    let group =
        |p: &pcn_profile::Profile, g: &str| pct(p.prevalence.iter().find(|r| r.group == g).and_then(|r| r.percent));
    for p in all.iter().filter(|p| commissioner.as_ref().is_none_or(|c| p.commissioner.as_deref() == Some(c.as_str())))
    {
        l.rows.push(vec![
            json!(p.network),
            json!(p.commissioner),
            json!(p.practices),
            json!(p.registered),
            json!(p.weighted),
            share(p.rural_share[0]),
            pct(p.mean_imd_decile[0]),
            group(p, "HYP"),
            group(p, "DM"),
            group(p, "COPD"),
            group(p, "DEM"),
        ]);
    }
    l.meta.insert("snapshot".into(), json!(id));
    l.print(args.format)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.2}"))
}

/// A printable page: the same figures as `pcn profile CODE`, self-contained
/// (no scripts, no external files), written whole or not at all.
fn write_html(path: &Path, id: i64, p: &pcn_profile::Profile, prompts: &[&pcn_profile::Prompt]) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let mut h = String::new();
    let title = format!("{} {}", p.network, p.name.as_deref().unwrap_or(""));
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Profile {t}</title>\
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse;margin:1em 0}}\
td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}th:first-child,td:first-child{{text-align:left}}\
.bar{{display:inline-block;height:.8em;background:#2b6cb0}}@media print{{body{{margin:0}}}}</style>\
<h1>Profile of {t}</h1><p>Commissioner {c}; snapshot {id}; {n} practices; {r} registered patients{w}.</p>",
        t = esc(&title),
        c = esc(p.commissioner.as_deref().unwrap_or("-")),
        n = p.practices,
        r = crate::output::group_thousands(&p.registered.to_string()),
        w = p
            .weighted
            .map(|w| format!(", {} weighted", crate::output::group_thousands(&w.to_string())))
            .unwrap_or_default(),
    );
    for x in prompts {
        let _ = write!(h, "<p><strong>Prompt ({}):</strong> {}</p>", esc(x.id), esc(&x.message));
    }
    let _ = write!(
        h,
        "<p>Rural (classes D and E): {:.1}% (commissioner {:.1}%, England {:.1}%). Mean IMD decile (1 = most deprived): {} (commissioner {}, England {}).</p>",
        p.rural_share[0] * 100.0,
        p.rural_share[1] * 100.0,
        p.rural_share[2] * 100.0,
        opt(p.mean_imd_decile[0]),
        opt(p.mean_imd_decile[1]),
        opt(p.mean_imd_decile[2])
    );
    h.push_str("<h2>Disease prevalence (QOF)</h2><table><tr><th>group</th><th>register</th><th>list</th><th>%</th><th>commissioner %</th><th>England %</th><th>ratio to England</th><th></th></tr>");
    let mut rows: Vec<&pcn_profile::Prevalence> = p.prevalence.iter().collect();
    rows.sort_by_key(|r| (MAIN_GROUPS.iter().position(|g| *g == r.group).unwrap_or(usize::MAX), r.group.clone()));
    for r in rows {
        let width = r.ratio_to_england.map_or(0.0, |x| (x * 50.0).min(150.0));
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\"><span class=\"bar\" style=\"width:{width:.0}px\"></span></td></tr>",
            esc(&r.group),
            r.register,
            r.list,
            opt(r.percent),
            opt(r.commissioner_percent),
            opt(r.england_percent),
            opt(r.ratio_to_england)
        );
    }
    h.push_str("</table>");
    for (head, list) in [("Rurality (ONS 2011 class)", &p.rurality), ("Deprivation (IMD 2019 decile)", &p.deprivation)]
    {
        let _ = write!(
            h,
            "<h2>{head}</h2><table><tr><th>class</th><th>patients</th><th>%</th><th>commissioner %</th><th>England %</th></tr>"
        );
        for m in list.iter() {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td></tr>",
                esc(&m.class),
                m.patients,
                m.share * 100.0,
                m.commissioner_share * 100.0,
                m.england_share * 100.0
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<p>Rurality and deprivation are those of each practice's nearest LSOA, counted in registered patients. Prevalence is QOF's: registers over the lists they are counted against.</p></html>\n");
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, h).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Change over time: the network's profile in another snapshot beside this one.
async fn against(
    db: &Path,
    id: i64,
    now: &pcn_profile::Profile,
    other: i64,
    format: crate::cli::FormatArgs,
) -> anyhow::Result<()> {
    let include = Include { registers: true, lsoas: true, ..Default::default() };
    let (other, snap) = crate::commands::load(db, Some(other), include).await?;
    let (model, _) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
    let config = model.configuration(&snap);
    let then = pcn_profile::profiles(&model, &snap, &config)
        .into_iter()
        .find(|p| p.network == now.network)
        .ok_or_else(|| Usage(format!("network {} is not in snapshot {other}", now.network)))?;
    let mut l = Listing::new("change", vec!["measure", "then", "now", "change"]);
    let num = |a: f64, b: f64| json!(((b - a) * 100.0).round() / 100.0);
    l.rows.push(vec![
        json!("practices"),
        json!(then.practices),
        json!(now.practices),
        json!(now.practices as i64 - then.practices as i64),
    ]);
    l.rows.push(vec![
        json!("registered"),
        json!(then.registered),
        json!(now.registered),
        json!(now.registered - then.registered),
    ]);
    let mut groups: Vec<&str> = now.prevalence.iter().map(|r| r.group.as_str()).collect();
    groups.sort_by_key(|g| (MAIN_GROUPS.iter().position(|m| m == g).unwrap_or(usize::MAX), g.to_string()));
    for g in groups {
        let pct = |p: &pcn_profile::Profile| p.prevalence.iter().find(|r| r.group == g).and_then(|r| r.percent);
        let (a, b) = (pct(&then), pct(now));
        l.rows.push(vec![
            json!(format!("{g} prevalence %")),
            pct_json(a),
            pct_json(b),
            a.zip(b).map_or(serde_json::Value::Null, |(a, b)| num(a, b)),
        ]);
    }
    l.meta.insert("network".into(), json!(now.network));
    l.meta.insert("then_snapshot".into(), json!(other));
    l.meta.insert("now_snapshot".into(), json!(id));
    l.footer.push(format!("{}: snapshot {other} (then) and snapshot {id} (now)", now.network));
    l.print(format)
}

fn pct_json(v: Option<f64>) -> serde_json::Value {
    pct(v)
}
