//! `pcn export geojson`: practices as points and network areas as polygons,
//! WGS84 with 6 decimals, exteriors counter-clockwise (RFC 7946).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use geo::{Coord, MapCoords, MultiPolygon, Orient, orient::Direction};
use serde_json::{Map, Value, json};

use crate::cli::{AdjacencyArgs, GeojsonArgs};
use crate::commands::{Usage, parse_commissioner};

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// BNG polygons to WGS84, wound for RFC 7946.
fn to_wgs84(area: &MultiPolygon<f64>) -> Option<MultiPolygon<f64>> {
    area.orient(Direction::Default)
        .try_map_coords(|c| {
            pcn_geo::project::to_lonlat(c.x, c.y).map(|(x, y)| Coord { x: round6(x), y: round6(y) }).ok_or(())
        })
        .ok()
}

pub async fn geojson(db: &Path, args: GeojsonArgs) -> anyhow::Result<()> {
    let commissioner = parse_commissioner(&args.commissioner)?;
    let crate::commands::Loaded { id, snap, model, .. } = crate::commands::load_model(db, args.snapshot).await?;
    if let Some(c) = &commissioner
        && !model.networks.iter().any(|n| n.commissioner.as_ref() == Some(c))
    {
        anyhow::bail!(Usage(format!("commissioner {c} has no networks in snapshot {id}")));
    }
    let config = model.configuration(&snap);
    let networks_of = config.networks_of(model.practices.len());
    let keep_net = |n: usize| commissioner.is_none() || model.networks[n].commissioner == commissioner;

    // A shared site's cell goes to the network with the most patients there.
    let mut owner: Vec<Option<u32>> = vec![None; model.graph.sites.len()];
    for (s, ps) in model.site_practices.iter().enumerate() {
        let mut by_net: BTreeMap<u32, i64> = BTreeMap::new();
        for &p in ps {
            for &n in &networks_of[p as usize] {
                *by_net.entry(n).or_default() += model.practices[p as usize].registered;
            }
        }
        owner[s] = by_net.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(n, _)| n);
    }
    let cells = pcn_geo::voronoi_cells(&model.graph, pcn_geo::cells::DEFAULT_REACH_M);
    let owner: Vec<Option<u32>> = owner.into_iter().map(|o| o.filter(|&n| keep_net(n as usize))).collect();
    let areas = pcn_geo::network_areas(&cells, &owner, model.land.as_ref(), |&n| {
        model.networks[n as usize].commissioner.as_ref().map(|c| c.to_string())
    });

    let mut features = Vec::new();
    for (n, area) in &areas {
        let net = &model.networks[*n as usize];
        let members = &config.members[*n as usize];
        let pts = model.weighted_points(members);
        let Some(wgs) = to_wgs84(area) else { continue };
        let geometry = geojson::Geometry::from(&wgs);
        let mut props = Map::new();
        props.insert("kind".into(), json!("network"));
        props.insert("code".into(), json!(net.code));
        props.insert("name".into(), json!(net.name));
        props.insert("commissioner".into(), json!(net.commissioner));
        props.insert("practices".into(), json!(members.len()));
        props.insert(
            "registered_patients".into(),
            json!(members.iter().map(|&p| model.practices[p as usize].registered).sum::<i64>()),
        );
        props.insert("polsby_popper".into(), json!((pcn_geo::polsby_popper(area) * 1000.0).round() / 1000.0));
        props.insert(
            "mean_weighted_distance_km".into(),
            json!(pcn_geo::mean_weighted_distance_m(&pts).map(|d| (d / 10.0).round() / 100.0)),
        );
        features.push(json!({"type": "Feature", "geometry": geometry, "properties": Value::Object(props)}));
    }
    for (i, p) in model.practices.iter().enumerate() {
        let nets = &networks_of[i];
        let in_scope = match &commissioner {
            Some(c) => p.commissioner.as_ref() == Some(c) || nets.iter().any(|&n| keep_net(n as usize)),
            None => true,
        };
        if !in_scope || (!p.active && nets.is_empty()) {
            continue;
        }
        let Some((x, y)) = p.location else { continue };
        let Some((lon, lat)) = pcn_geo::project::to_lonlat(x, y) else { continue };
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round6(lon), round6(lat)]},
            "properties": {
                "kind": "practice",
                "code": p.code,
                "name": p.name,
                "commissioner": p.commissioner,
                "network": nets.first().map(|&n| &model.networks[n as usize].code),
                "registered_patients": p.registered,
            }
        }));
    }
    let doc = json!({"type": "FeatureCollection", "features": features});
    match &args.out {
        Some(path) => {
            let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
            serde_json::to_writer(&mut f, &doc)?;
            f.flush()?;
            eprintln!(
                "Wrote {} networks and {} practices to {}",
                areas.len(),
                features.len() - areas.len(),
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
    let model = crate::commands::load_model(db, args.snapshot).await?.model;
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
