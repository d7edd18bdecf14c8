//! `--icb` beside `--commissioner`, and `pcn icbs`: the roll-up by ICB.

use std::path::Path;

use pcn_core::{Area, CommissionerCode, Hierarchy, IcbCode, Snapshot};
use pcn_rules::CheckInputs;
use serde_json::json;

use crate::cli::IcbsArgs;
use crate::failure::Usage;
use crate::output::{Listing, group_thousands};

/// The area `--commissioner` and `--icb` ask for in snapshot `id`; an ICB the
/// snapshot does not know (or a commissioner outside the ICB) is bad usage.
pub fn area(
    id: i64,
    snap: &Snapshot,
    commissioner: Option<&CommissionerCode>,
    icb: Option<&IcbCode>,
) -> anyhow::Result<Area> {
    Hierarchy::from_snapshot(snap).area(commissioner, icb).map_err(|e| Usage(format!("snapshot {id}: {e}")).into())
}

pub async fn run(db: &Path, args: IcbsArgs) -> anyhow::Result<()> {
    let crate::views::Loaded { id, snap, model, config, .. } = crate::views::load_model(db, args.snapshot).await?;
    let inputs = CheckInputs { year: args.year, ..Default::default() };
    let report = pcn_rules::check(&model, &config, &inputs);
    let rows = pcn_workbench::icbs::rollup(&model, Some(&report));
    let era = model.hierarchy.era();
    let mut l = Listing::new(
        "icbs",
        vec![
            "code",
            "name",
            "region",
            "sub_icbs",
            "sub_icb_codes",
            "networks",
            "practices",
            "registered_patients",
            "errors",
            "warnings",
            "infos",
        ],
    );
    for r in &rows {
        l.rows.push(vec![
            json!(r.code),
            json!(r.name.clone().or_else(|| r.code.is_none().then(|| format!("{} not known", era.parent_tier())))),
            json!(r.region),
            json!(r.sub_icbs.len()),
            json!(r.sub_icbs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" ")),
            json!(r.networks),
            json!(r.practices),
            json!(r.patients),
            json!(r.errors),
            json!(r.warnings),
            json!(r.infos),
        ]);
    }
    let known = rows.iter().filter(|r| r.code.is_some()).count();
    l.meta.insert("snapshot".into(), json!(id));
    l.meta.insert("as_of".into(), json!(snap.as_of.map(|d| d.to_string())));
    l.meta.insert("era".into(), json!(era.as_str()));
    l.meta.insert("tiers".into(), json!({"commissioner": era.commissioner_tier(), "parent": era.parent_tier()}));
    l.meta.insert("year".into(), json!(report.summary.year));
    l.footer.push(format!(
        "{known} {} of {} {} (snapshot {id}, as of {}); findings under the {} rules.",
        era.parent_tier_plural(),
        group_thousands(&rows.iter().map(|r| r.sub_icbs.len()).sum::<usize>().to_string()),
        era.commissioner_tier_plural(),
        snap.as_of.map_or_else(|| "no date".to_string(), |d| d.to_string()),
        report.summary.year
    ));
    if let Some(u) = rows.iter().find(|r| r.code.is_none()) {
        l.footer.push(format!(
            "No file in the snapshot gives the {} of {}: listed as not known, not guessed.",
            era.parent_tier(),
            u.sub_icbs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    l.print(args.format)
}
