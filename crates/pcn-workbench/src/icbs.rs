//! The roll-up by ICB: per ICB (STP before July 2022), its sub-ICB locations
//! (CCGs), open networks, open practices, their registered patients and,
//! given a rules report, its findings by severity. `pcn icbs` and
//! `/api/icbs` both come from here.

use std::collections::BTreeMap;

use pcn_core::{CommissionerCode, IcbCode, RegionCode};
use pcn_rules::{Model, Report, Severity};
use serde::Serialize;

/// One ICB's row; `code` is `None` for the commissioners whose ICB no file gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcbRow {
    pub code: Option<IcbCode>,
    pub name: Option<String>,
    pub region: Option<RegionCode>,
    pub region_name: Option<String>,
    pub sub_icbs: Vec<CommissionerCode>,
    /// Open networks whose commissioner is one of its sub-ICB locations.
    pub networks: usize,
    /// Open GP practices of its sub-ICB locations.
    pub practices: usize,
    /// Their registered patients (the snapshot's best lists).
    pub patients: i64,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

fn blank(code: Option<IcbCode>) -> IcbRow {
    IcbRow {
        code,
        name: None,
        region: None,
        region_name: None,
        sub_icbs: Vec::new(),
        networks: 0,
        practices: 0,
        patients: 0,
        errors: 0,
        warnings: 0,
        infos: 0,
    }
}

/// Every ICB the snapshot knows, by code, then (if any) the row of
/// commissioners whose ICB is unknown. Findings are counted by their
/// commissioner; those of no commissioner (the snapshot's own) in no row.
pub fn rollup(model: &Model, report: Option<&Report>) -> Vec<IcbRow> {
    let h = &model.hierarchy;
    let mut rows: BTreeMap<Option<IcbCode>, IcbRow> = h
        .icbs()
        .map(|i| {
            let row = IcbRow {
                name: i.name.as_ref().map(|n| n.trim().to_string()),
                region: i.region.clone(),
                region_name: i.region_name.clone(),
                sub_icbs: i.sub_icbs.clone(),
                ..blank(Some(i.code.clone()))
            };
            (Some(i.code.clone()), row)
        })
        .collect();
    fn row<'r>(rows: &'r mut BTreeMap<Option<IcbCode>, IcbRow>, key: Option<&IcbCode>) -> &'r mut IcbRow {
        rows.entry(key.cloned()).or_insert_with(|| blank(key.cloned()))
    }
    let mut unknown: std::collections::BTreeSet<CommissionerCode> = Default::default();
    // Commissioners in force: of an open network or an active practice. A
    // snapshot also knows those of its history (CCGs of an older ePCN or
    // practice list), which are not rows of today's roll-up.
    let mut in_force: std::collections::BTreeSet<&CommissionerCode> = Default::default();
    for n in model.networks.iter().filter(|n| n.open) {
        if let Some(c) = &n.commissioner {
            in_force.insert(c);
            row(&mut rows, h.icb_of(c)).networks += 1;
            if h.icb_of(c).is_none() {
                unknown.insert(c.clone());
            }
        }
    }
    for p in model.practices.iter().filter(|p| p.active) {
        if let Some(c) = &p.commissioner {
            in_force.insert(c);
            let r = row(&mut rows, h.icb_of(c));
            r.practices += 1;
            r.patients += p.registered;
            if h.icb_of(c).is_none() {
                unknown.insert(c.clone());
            }
        }
    }
    for f in report.map(|r| r.findings.as_slice()).unwrap_or_default() {
        let Some(c) = &f.commissioner else { continue };
        let r = row(&mut rows, h.icb_of(c));
        match f.severity {
            Severity::Error => r.errors += 1,
            Severity::Warning => r.warnings += 1,
            Severity::Info => r.infos += 1,
        }
    }
    if let Some(r) = rows.get_mut(&None) {
        r.sub_icbs = unknown.into_iter().collect();
    }
    for r in rows.values_mut() {
        r.sub_icbs.retain(|c| in_force.contains(c));
    }
    rows.retain(|_, r| !r.sub_icbs.is_empty() || r.networks > 0 || r.practices > 0);
    // Known ICBs by code, the unknown row last.
    let mut out: Vec<IcbRow> = rows.into_values().collect();
    let unknown_first = out.first().is_some_and(|r| r.code.is_none());
    out.rotate_left(usize::from(unknown_first));
    out
}
