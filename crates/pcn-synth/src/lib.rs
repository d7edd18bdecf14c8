//! Deterministic synthetic England-like areas (being written).

use std::path::{Path, PathBuf};

pub struct Config {
    pub practices: usize,
    pub seed: u64,
}

pub struct Area {
    pub practices: Vec<()>,
    pub commissioners: Vec<()>,
    pub networks: Vec<()>,
}

pub fn generate(_cfg: &Config) -> Area {
    unimplemented!("synthetic generator not written yet")
}

pub fn write_files(_area: &Area, _dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    unimplemented!("synthetic generator not written yet")
}
