//! What leaves the workbench as files: the map (GeoJSON) and the register as
//! the ePCN "core partner" sheet.

pub mod epcn;
pub mod geojson;
