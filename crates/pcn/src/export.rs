//! `pcn export geojson`: practices as points and network areas as polygons,
//! WGS84 with 6 decimals, exteriors counter-clockwise (RFC 7946).

use std::io::Write;
use std::path::Path;

use crate::cli::{AdjacencyArgs, GeojsonArgs};
use crate::failure::Usage;

pub async fn geojson(db: &Path, args: GeojsonArgs) -> anyhow::Result<()> {
    let commissioner = args.commissioner.clone();
    let crate::views::Loaded { id, snap, model, config, .. } = crate::views::load_model(db, args.snapshot).await?;
    if let Some(c) = &commissioner
        && !model.networks.iter().any(|n| n.commissioner.as_ref() == Some(c))
    {
        anyhow::bail!(Usage(format!("commissioner {c} has no networks in snapshot {id}")));
    }
    let area = crate::icbs::area(id, &snap, commissioner.as_ref(), args.icb.as_ref())?;
    let (doc, counts) = pcn_workbench::exports::geojson::feature_collection(&model, &snap, &config, &area);
    match &args.out {
        Some(path) => {
            let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
            serde_json::to_writer(&mut f, &doc)?;
            f.flush()?;
            eprintln!(
                "Wrote {} commissioner areas, {} networks and {} practices to {}",
                counts.commissioners,
                counts.networks,
                counts.practices,
                path.display()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            serde_json::to_writer(&mut out, &doc)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The open, located practices and their adjacency (the graph `pcn form`
/// and `pcn check` use), for other tools: `practices.csv` has code, easting,
/// northing (BNG metres), registered patients and commissioner; `edges.csv`
/// has one row per neighbouring pair of practices (co-located ones included).
pub async fn adjacency(db: &Path, args: AdjacencyArgs) -> anyhow::Result<()> {
    let model = crate::views::load_model(db, args.snapshot).await?.model;
    let placed: Vec<usize> =
        model.practices.iter().enumerate().filter(|(_, p)| p.active && p.site.is_some()).map(|(i, _)| i).collect();
    std::fs::create_dir_all(&args.out)?;
    let mut w = csv::Writer::from_path(args.out.join("practices.csv"))?;
    w.write_record(["practice", "easting", "northing", "registered", "commissioner"])?;
    for &i in &placed {
        let p = &model.practices[i];
        let (x, y) = p.location.expect("placed");
        w.write_record([
            p.code.as_str(),
            &format!("{x:.0}"),
            &format!("{y:.0}"),
            &p.registered.to_string(),
            p.commissioner.as_ref().map_or("", |c| c.as_str()),
        ])?;
    }
    w.flush()?;
    let is_placed: std::collections::HashSet<usize> = placed.iter().copied().collect();
    let mut edges = std::collections::BTreeSet::new();
    for &i in &placed {
        let s = model.practices[i].site.expect("placed");
        for t in model.graph.neighbours[s as usize].iter().copied().chain([s]) {
            for &q in &model.site_practices[t as usize] {
                let q = q as usize;
                if q != i && is_placed.contains(&q) {
                    edges.insert((i.min(q), i.max(q)));
                }
            }
        }
    }
    let mut w = csv::Writer::from_path(args.out.join("edges.csv"))?;
    w.write_record(["a", "b"])?;
    for (a, b) in &edges {
        w.write_record([model.practices[*a].code.as_str(), model.practices[*b].code.as_str()])?;
    }
    w.flush()?;
    eprintln!("Wrote {} practices and {} edges to {}", placed.len(), edges.len(), args.out.display());
    Ok(())
}
