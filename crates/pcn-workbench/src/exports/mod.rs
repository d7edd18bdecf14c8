//! What leaves the workbench as files: the map (GeoJSON) and the register as
//! the ePCN "core partner" sheet, and CSV made safe for spreadsheets.

pub mod cells;
pub mod epcn;
pub mod geojson;
