//! Commissioner boundaries as GeoJSON (ONS Open Geography): a FeatureCollection
//! whose properties carry the ONS code (`ccg20cd`, `CCG21CD`, `LOC22CD` or
//! `SICBL22CD` for sub-ICB locations, `ICB22CD` for ICBs, …) and name
//! (`…nm`). Sub-ICB files have no ODS code field: it is the suffix of the
//! name ("NHS South Yorkshire ICB - 02P"), read in `assemble`. Geometry is
//! kept as published (WGS84).

use std::path::Path;

use pcn_core::Boundary;
use serde_json::Value;

use super::ReadContext;
use crate::error::ReadError;
use crate::limits::{self, Text};
use crate::table::{display_name, open_text};

/// ONS area prefixes of commissioner geographies: CCG, sub-ICB location
/// (`LOC` in 2022, `SICBL` after), ICB, STP, NHS England region.
const AREA_PREFIXES: &[&str] = &["ccg", "loc", "sicbl", "icb", "stp", "nhser"];

pub fn read(path: &Path, ctx: &ReadContext<'_>) -> Result<Vec<Boundary>, ReadError> {
    let file = display_name(path);
    let v: Value = serde_json::from_reader(open_text(path, ctx.progress)?).map_err(|e| ReadError {
        file: file.clone(),
        line: Some(e.line() as u64),
        field: None,
        message: format!("not valid JSON: {e}"),
    })?;
    if v.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(ReadError::file(&file, "GeoJSON is not a FeatureCollection"));
    }
    let features = v
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::file(&file, "GeoJSON has no features array"))?;
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let at = |msg: String| ReadError {
            file: file.clone(),
            line: None,
            field: Some(format!("features[{i}]")),
            message: msg,
        };
        let props =
            f.get("properties").and_then(Value::as_object).ok_or_else(|| at("feature has no properties".into()))?;
        // An area code property by its ONS name (`ccg20cd`, `loc22cd`,
        // `sicbl23cd`, `icb22cd`), else any other `…cd` but an LSOA's.
        let prop = |suffix: &str| {
            let named = |k: &str| {
                let k = k.to_ascii_lowercase();
                let Some(stem) = k.strip_suffix(suffix) else { return false };
                let letters = stem.trim_end_matches(|c: char| c.is_ascii_digit());
                stem.len() - letters.len() == 2 && AREA_PREFIXES.contains(&letters)
            };
            let pick = |want: &dyn Fn(&str) -> bool| {
                props.iter().find(|(k, v)| want(k) && v.is_string()).and_then(|(_, v)| v.as_str().map(str::to_string))
            };
            pick(&named).or_else(|| {
                pick(&|k: &str| {
                    let k = k.to_ascii_lowercase();
                    k.ends_with(suffix) && !k.starts_with("lsoa")
                })
            })
        };
        let ons_code = prop("cd").ok_or_else(|| at("no area code property (e.g. ccg20cd)".into()))?;
        let name = prop("nm");
        // JSON strings may spell any control character (\u0000).
        limits::check(&ons_code, Text::Value, false).map_err(|m| at(format!("area code {m}")))?;
        if let Some(n) = &name {
            limits::check(n, Text::Name, false).map_err(|m| at(format!("{ons_code}'s name {m}")))?;
        }
        let geometry =
            f.get("geometry").filter(|g| !g.is_null()).ok_or_else(|| at(format!("{ons_code} has no geometry")))?;
        match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon" | "MultiPolygon") => {}
            other => return Err(at(format!("{ons_code}: geometry type {other:?} is not a polygon"))),
        }
        out.push(Boundary { ons_code: Some(ons_code), commissioner: None, name, geometry_json: geometry.to_string() });
    }
    if out.is_empty() {
        return Err(ReadError::file(&file, "GeoJSON has no features"));
    }
    Ok(out)
}
