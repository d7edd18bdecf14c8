//! `pcn profile`: who each network serves, beside its commissioner and England.

use std::path::Path;

use pcn_store::Include;
use serde_json::json;

use crate::cli::ProfileArgs;
use crate::failure::Usage;
use crate::output::Listing;

fn pct(v: Option<f64>) -> serde_json::Value {
    v.map_or(serde_json::Value::Null, |x| json!(x))
}

/// A share in per cent to one place; null where there is no data.
fn share(v: Option<f64>) -> serde_json::Value {
    v.map_or(serde_json::Value::Null, |v| json!((v * 1000.0).round() / 10.0))
}

fn percent(v: Option<f64>) -> String {
    v.map_or("no data".into(), |v| format!("{:.1}%", v * 100.0))
}

pub async fn run(db: &Path, args: ProfileArgs) -> anyhow::Result<()> {
    let commissioner = args.commissioner.clone();
    let include = Include { registers: true, lsoas: true, payments: true, ..Default::default() };
    let (id, snap) = crate::views::load(db, args.snapshot, include).await?;
    let area = crate::icbs::area(id, &snap, commissioner.as_ref(), args.icb.as_ref())?;
    let in_area = |c: Option<&str>| area.admits(c.and_then(|c| pcn_core::CommissionerCode::parse(c).ok()).as_ref());
    let started = std::time::Instant::now();
    let (model, _) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
    let model_time = started.elapsed();
    let started = std::time::Instant::now();
    let config = model.configuration(&snap);
    let all = pcn_profile::profiles(&model, &snap, &config);
    let profile_time = started.elapsed();
    if snap.registers.is_empty() {
        eprintln!("note: snapshot {id} has no QOF prevalence file: import one for disease prevalence");
    }
    let started = std::time::Instant::now();
    let homes = pcn_profile::care_homes::align(&model, &snap, &config);
    let homes_time = started.elapsed();
    if args.timings {
        eprintln!(
            "pcn-timings: model_ms={:.1} profiles_ms={:.1} align_care_homes_ms={:.1} networks={} care_homes={}",
            model_time.as_secs_f64() * 1e3,
            profile_time.as_secs_f64() * 1e3,
            homes_time.as_secs_f64() * 1e3,
            all.len(),
            snap.care_homes.len()
        );
    }
    let prompts = pcn_profile::all_prompts(&all, &homes);
    if args.care_homes {
        return list_care_homes(id, &all, &homes, &in_area, args.network.as_ref().map(|n| n.as_str()), args.format);
    }
    if args.prompts {
        let mut l =
            Listing::new("prompts", vec!["network", "commissioner", "prompt", "observed", "expected", "z", "message"]);
        for p in prompts.iter().filter(|p| {
            area.is_england() || all.iter().any(|x| x.network == p.network && in_area(x.commissioner.as_deref()))
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
        let n = all
            .iter()
            .position(|p| p.network == code.as_str())
            .ok_or_else(|| Usage(format!("network {code} is not in snapshot {id}")))?;
        let (p, my_homes) = (&all[n], &homes.networks[n]);
        let mine: Vec<&pcn_profile::Prompt> = prompts.iter().filter(|x| x.network == p.network).collect();
        let change = match args.against {
            Some(other) => Some(against(db, id, p, other).await?),
            None => None,
        };
        if let Some(path) = &args.html {
            write_html(path, &pcn_profile::html::page(id, p, &mine, change.as_ref(), care_homes_of(&snap, my_homes)))?;
            eprintln!("Profile of {} written to {}", p.network, path.display());
            return Ok(());
        }
        if let Some(c) = change {
            return print_change(&c, args.format);
        }
        if args.format.json {
            let care_homes = care_homes_of(&snap, my_homes);
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({"snapshot": id, "profile": p, "prompts": mine, "care_homes": care_homes})
                )?
            );
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
            "rural (classes D and E): {} (commissioner {}, England {}); mean IMD decile {} (commissioner {}, England {}; 1 = most deprived)\n",
            percent(p.rural_share[0]),
            percent(p.rural_share[1]),
            percent(p.rural_share[2]),
            p.mean_imd_decile[0].map_or("-".into(), |v| format!("{v:.2}")),
            p.mean_imd_decile[1].map_or("-".into(), |v| format!("{v:.2}")),
            p.mean_imd_decile[2].map_or("-".into(), |v| format!("{v:.2}")),
        );
        let mut prev = Listing::new(
            "prevalence",
            vec!["group", "register", "list", "percent", "commissioner_percent", "england_percent", "ratio_to_england"],
        );
        for r in pcn_profile::groups::ordered(&p.prevalence) {
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
        mix.print(args.format)?;
        if !snap.care_homes.is_empty() {
            println!();
            print_network_homes(my_homes, args.format)?;
        }
        return Ok(());
    }
    let mut l = Listing::new("profiles", pcn_profile::SUMMARY_COLUMNS.to_vec());
    let listed: Vec<pcn_profile::Profile> =
        all.iter().filter(|p| in_area(p.commissioner.as_deref())).cloned().collect();
    for row in pcn_profile::summary_rows(&listed, None) {
        let v = serde_json::to_value(row)?;
        l.rows.push(pcn_profile::SUMMARY_COLUMNS.iter().map(|c| v[*c].clone()).collect());
    }
    l.meta.insert("snapshot".into(), json!(id));
    l.print(args.format)
}

/// A network's care homes, when the snapshot has the CQC directory at all.
fn care_homes_of<'a>(
    snap: &pcn_core::Snapshot,
    homes: &'a pcn_profile::care_homes::NetworkCareHomes,
) -> Option<&'a pcn_profile::care_homes::NetworkCareHomes> {
    (!snap.care_homes.is_empty()).then_some(homes)
}

fn per_1000(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.1}"))
}

/// The columns of a care home row, and the row.
const HOME_COLUMNS: [&str; 7] =
    ["location_id", "name", "postcode", "beds", "nursing", "nearest_practice", "distance_km"];

fn home_row(x: &pcn_profile::care_homes::AlignedHome) -> Vec<serde_json::Value> {
    vec![
        json!(x.location_id),
        json!(x.name),
        json!(x.postcode),
        json!(x.beds),
        json!(x.nursing),
        json!(x.nearest_practice),
        json!(x.distance_km),
    ]
}

/// The care homes nearest one network's practices, with the premium paid.
fn print_network_homes(
    h: &pcn_profile::care_homes::NetworkCareHomes,
    format: crate::cli::FormatArgs,
) -> anyhow::Result<()> {
    let mut l = Listing::new("care_homes", HOME_COLUMNS.to_vec());
    for x in &h.list {
        l.rows.push(home_row(x));
    }
    l.footer.push(format!(
        "{}, {} beds ({} with nursing) nearest {}'s practices (an estimate of its share: alignments are agreed locally): {} per 1,000 patients (commissioner {}, England {}).",
        pcn_profile::care_homes::homes_text(h.homes),
        h.beds,
        h.nursing_beds,
        h.network,
        per_1000(h.beds_per_1000[0]),
        per_1000(h.beds_per_1000[1]),
        per_1000(h.beds_per_1000[2]),
    ));
    for p in &h.premium_paid {
        l.footer.push(format!("Care Home Premium paid for {}: {}.", p.year, p.paid));
    }
    l.print(format)
}

/// Every care home with the network it falls to (its nearest member practice's).
fn list_care_homes(
    id: i64,
    all: &[pcn_profile::Profile],
    homes: &pcn_profile::care_homes::Alignment,
    in_area: &dyn Fn(Option<&str>) -> bool,
    network: Option<&str>,
    format: crate::cli::FormatArgs,
) -> anyhow::Result<()> {
    if let Some(code) = network
        && !all.iter().any(|p| p.network.eq_ignore_ascii_case(code))
    {
        return Err(Usage(format!("network {code} is not in snapshot {id}")).into());
    }
    let mut l = Listing::new("care_homes", ["network", "commissioner"].into_iter().chain(HOME_COLUMNS).collect());
    let (mut listed, mut beds) = (0usize, 0u64);
    for (p, n) in all.iter().zip(&homes.networks) {
        if !in_area(p.commissioner.as_deref()) || network.is_some_and(|c| !c.eq_ignore_ascii_case(&p.network)) {
            continue;
        }
        listed += n.homes;
        beds += n.beds;
        for x in &n.list {
            l.rows.push([json!(p.network), json!(p.commissioner)].into_iter().chain(home_row(x)).collect());
        }
    }
    l.meta.insert("snapshot".into(), json!(id));
    l.meta.insert("homes".into(), json!(listed));
    l.meta.insert("beds".into(), json!(beds));
    // Homes no network could take are the snapshot's, whatever the filter.
    l.meta.insert("snapshot_homes".into(), json!(homes.homes));
    l.meta.insert("unlocated".into(), json!(homes.unlocated));
    l.meta.insert("unaligned".into(), json!(homes.unaligned));
    if homes.homes == 0 {
        l.footer.push(format!("Snapshot {id} has no care homes: import the CQC directory (HSCA active locations)."));
    } else {
        l.footer.push(format!(
            "{} with {beds} beds listed; each falls to its nearest open member practice's network (an estimate: alignments are agreed locally).",
            pcn_profile::care_homes::homes_text(listed)
        ));
        if homes.unlocated > 0 {
            l.footer.push(format!(
                "{} of the snapshot's {} have no location.",
                homes.unlocated,
                pcn_profile::care_homes::homes_text(homes.homes)
            ));
        }
        if homes.unaligned > 0 {
            l.footer.push(format!(
                "{} of the snapshot's {} are over {} km from every open member practice and fall to no network.",
                homes.unaligned,
                pcn_profile::care_homes::homes_text(homes.homes),
                pcn_profile::care_homes::MAX_DISTANCE_KM
            ));
        }
    }
    l.print(format)
}

/// Writes a page whole or not at all (a partial file first, then renamed).
fn write_html(path: &Path, page: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, page).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Change over time: the network's profile in another snapshot beside this one.
async fn against(db: &Path, id: i64, now: &pcn_profile::Profile, other: i64) -> anyhow::Result<pcn_profile::Change> {
    let include = Include { registers: true, lsoas: true, ..Default::default() };
    let (other, snap) = crate::views::load(db, Some(other), include).await?;
    let (model, _) = pcn_rules::Model::build(&snap, pcn_geo::PruneRule::default());
    let config = model.configuration(&snap);
    let then = pcn_profile::profiles(&model, &snap, &config)
        .into_iter()
        .find(|p| p.network == now.network)
        .ok_or_else(|| Usage(format!("network {} is not in snapshot {other}", now.network)))?;
    Ok(pcn_profile::Change::new(other, &then, id, now))
}

fn print_change(c: &pcn_profile::Change, format: crate::cli::FormatArgs) -> anyhow::Result<()> {
    let mut l = Listing::new("change", vec!["measure", "then", "now", "change"]);
    for r in serde_json::to_value(&c.rows)?.as_array().into_iter().flatten() {
        l.rows.push(["measure", "then", "now", "change"].iter().map(|k| r[*k].clone()).collect());
    }
    l.meta.insert("network".into(), json!(c.network));
    l.meta.insert("then_snapshot".into(), json!(c.then_snapshot));
    l.meta.insert("now_snapshot".into(), json!(c.now_snapshot));
    l.footer.push(format!("{}: snapshot {} (then) and snapshot {} (now)", c.network, c.then_snapshot, c.now_snapshot));
    l.print(format)
}
