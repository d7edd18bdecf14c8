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
    if let Some(code) = &args.network {
        let code = pcn_core::NetworkCode::parse(code).map_err(|e| Usage(format!("network {code:?}: {e}")))?;
        let p = all
            .iter()
            .find(|p| p.network == code.as_str())
            .ok_or_else(|| Usage(format!("network {code} is not in snapshot {id}")))?;
        if args.format.json {
            println!("{}", serde_json::to_string_pretty(&json!({"snapshot": id, "profile": p}))?);
            return Ok(());
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
