//! The map's data as GeoJSON: commissioner areas, network areas and practices,
//! WGS84 with 6 decimals, exteriors counter-clockwise (RFC 7946).
//!
//! Areas are Voronoi cells of the practice sites (a shared site's cell goes to
//! the network with most patients there), dissolved per network and per
//! commissioner, and clipped to commissioner boundaries when the snapshot has
//! them. `pcn export geojson` and `/api/geojson` both come from here.

use std::collections::BTreeMap;

use geo::{Coord, LineString, MapCoords, MultiPolygon, Orient, Polygon, orient::Direction};
use pcn_core::{Area, Snapshot};
use pcn_rules::{Configuration, Model};
use serde_json::{Map, Value, json};

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// BNG polygons to WGS84, wound for RFC 7946.
/// Metres: the disc drawn for a network that owns no cell of its own.
const SHARED_SITE_RADIUS_M: f64 = 150.0;

/// A 16-sided disc around a point of the National Grid.
fn disc(x: f64, y: f64, r: f64) -> Polygon<f64> {
    let ring: Vec<Coord<f64>> = (0..=16)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i % 16) / 16.0;
            Coord { x: x + r * a.cos(), y: y + r * a.sin() }
        })
        .collect();
    Polygon::new(LineString::from(ring), Vec::new())
}

fn to_wgs84(area: &MultiPolygon<f64>) -> Option<MultiPolygon<f64>> {
    area.orient(Direction::Default)
        .try_map_coords(|c| {
            pcn_geo::project::to_lonlat(c.x, c.y).map(|(x, y)| Coord { x: round6(x), y: round6(y) }).ok_or(())
        })
        .ok()
}

/// What the collection holds.
pub struct Counts {
    pub commissioners: usize,
    pub networks: usize,
    pub practices: usize,
}

/// The FeatureCollection for England, or an area's (one commissioner's, or an
/// ICB's sub-ICB locations') networks and the practices in or near them.
pub fn feature_collection(model: &Model, snap: &Snapshot, config: &Configuration, area: &Area) -> (Value, Counts) {
    let networks_of = config.networks_of(model.practices.len());
    let keep_net = |n: usize| area.admits(model.networks[n].commissioner.as_ref());

    // Each site goes to the network (and the commissioner) with the most patients there.
    let mut owner: Vec<Option<u32>> = vec![None; model.graph.sites.len()];
    let mut area_of: Vec<Option<String>> = vec![None; model.graph.sites.len()];
    for (s, ps) in model.site_practices.iter().enumerate() {
        let mut by_net: BTreeMap<u32, i64> = BTreeMap::new();
        let mut by_comm: BTreeMap<&str, i64> = BTreeMap::new();
        for &p in ps {
            let fact = &model.practices[p as usize];
            for &n in &networks_of[p as usize] {
                *by_net.entry(n).or_default() += fact.registered;
            }
            if let Some(c) = &fact.commissioner {
                *by_comm.entry(c.as_str()).or_default() += fact.registered.max(1);
            }
        }
        owner[s] = by_net
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(n, _)| n)
            .filter(|&n| keep_net(n as usize));
        area_of[s] =
            by_comm.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(c, _)| c.to_string()).filter(
                |c| area.is_england() || pcn_core::CommissionerCode::parse(c).is_ok_and(|c| area.admits(Some(&c))),
            );
    }
    let cells = pcn_geo::voronoi_cells(&model.graph, pcn_geo::cells::DEFAULT_REACH_M);
    let mut areas = pcn_geo::network_areas(&cells, &owner, model.land.as_ref(), |&n| {
        model.networks[n as usize].commissioner.as_ref().map(|c| c.to_string())
    });
    // A network whose every site is shared with a larger network (two
    // practices in one health centre) owns no cell; it is drawn as a small
    // disc at each of its sites so that it is still on the map.
    let mut shared_site = Vec::new();
    for (n, net) in model.networks.iter().enumerate() {
        let n = n as u32;
        if !net.open || !keep_net(n as usize) || areas.contains_key(&n) {
            continue;
        }
        let discs: Vec<Polygon<f64>> = config.members[n as usize]
            .iter()
            .filter_map(|&p| model.practices[p as usize].location)
            .map(|(x, y)| disc(x, y, SHARED_SITE_RADIUS_M))
            .collect();
        if !discs.is_empty() {
            areas.insert(n, MultiPolygon(discs));
            shared_site.push(n);
        }
    }
    let commissioner_areas = pcn_geo::network_areas(&cells, &area_of, model.land.as_ref(), |c| Some(c.clone()));
    let names: BTreeMap<&str, Option<&str>> =
        snap.commissioners.iter().map(|c| (c.code.as_str(), c.name.as_deref())).collect();

    let mut features = Vec::new();
    let mut counts = Counts { commissioners: 0, networks: 0, practices: 0 };
    for (code, area) in &commissioner_areas {
        let Some(wgs) = to_wgs84(area) else { continue };
        counts.commissioners += 1;
        features.push(json!({
            "type": "Feature",
            "geometry": geojson::Geometry::from(&wgs),
            "properties": {
                "kind": "commissioner",
                "code": code,
                "name": names.get(code.as_str()).copied().flatten(),
                "icb": pcn_core::CommissionerCode::parse(code).ok().and_then(|c| model.hierarchy.icb_of(&c).cloned()),
            },
        }));
    }
    for (n, area) in &areas {
        let net = &model.networks[*n as usize];
        let members = &config.members[*n as usize];
        let pts = model.weighted_points(members);
        let Some(wgs) = to_wgs84(area) else { continue };
        counts.networks += 1;
        let mut props = Map::new();
        props.insert("kind".into(), json!("network"));
        props.insert("code".into(), json!(net.code));
        props.insert("name".into(), json!(net.name));
        props.insert("commissioner".into(), json!(net.commissioner));
        props.insert("icb".into(), json!(net.commissioner.as_ref().and_then(|c| model.hierarchy.icb_of(c))));
        props.insert("practices".into(), json!(members.len()));
        if shared_site.contains(n) {
            props.insert("shared_site".into(), json!(true));
        }
        props.insert(
            "registered_patients".into(),
            json!(members.iter().map(|&p| model.practices[p as usize].registered).sum::<i64>()),
        );
        props.insert("polsby_popper".into(), json!((pcn_geo::polsby_popper(area) * 1000.0).round() / 1000.0));
        props.insert(
            "mean_weighted_distance_km".into(),
            json!(pcn_geo::mean_weighted_distance_m(&pts).map(|d| (d / 10.0).round() / 100.0)),
        );
        features.push(
            json!({"type": "Feature", "geometry": geojson::Geometry::from(&wgs), "properties": Value::Object(props)}),
        );
    }
    for (i, p) in model.practices.iter().enumerate() {
        let nets = &networks_of[i];
        let in_scope = area.admits(p.commissioner.as_ref()) || nets.iter().any(|&n| keep_net(n as usize));
        if !in_scope || (!p.active && nets.is_empty()) {
            continue;
        }
        let Some((x, y)) = p.location else { continue };
        let Some((lon, lat)) = pcn_geo::project::to_lonlat(x, y) else { continue };
        counts.practices += 1;
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round6(lon), round6(lat)]},
            "properties": {
                "kind": "practice",
                "code": p.code,
                "name": p.name,
                "commissioner": p.commissioner,
                "icb": p.commissioner.as_ref().and_then(|c| model.hierarchy.icb_of(c)),
                "network": nets.first().map(|&n| &model.networks[n as usize].code),
                "registered_patients": p.registered,
            }
        }));
    }
    (json!({"type": "FeatureCollection", "features": features}), counts)
}
