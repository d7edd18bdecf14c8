//! A tiny world builder for rule tests: practices on a grid (km), networks,
//! approvals, governance.
#![allow(dead_code)]

use pcn_core::*;
use pcn_geo::PruneRule;
use pcn_rules::{CheckInputs, Configuration, Finding, Model, Report, Severity};
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

#[derive(Debug, Clone)]
pub struct World {
    pub snap: Snapshot,
    pub inputs: CheckInputs,
}

pub fn pc(s: &str) -> PracticeCode {
    PracticeCode::parse(s).unwrap()
}

pub fn nc(s: &str) -> NetworkCode {
    NetworkCode::parse(s).unwrap()
}

pub fn cc(s: &str) -> CommissionerCode {
    CommissionerCode::parse(s).unwrap()
}

impl World {
    pub fn new() -> Self {
        let snap = Snapshot { as_of: Some(date!(2019 - 07 - 01)), ..Default::default() };
        let inputs = CheckInputs { year: Some(FinancialYear::new(2019)), approvals: vec![], governance: Some(vec![]) };
        World { snap, inputs }
    }

    /// A grid of `cols` × `rows` practices 2 km apart, `list` patients each, codes A00000 + index.
    pub fn grid(cols: usize, rows: usize, list: i64) -> Self {
        let mut w = World::new();
        for r in 0..rows {
            for c in 0..cols {
                w.practice(&code(r * cols + c), c as f64 * 2.0, r as f64 * 2.0, list, "00X");
            }
        }
        w
    }

    pub fn practice(&mut self, code: &str, x_km: f64, y_km: f64, list: i64, commissioner: &str) {
        let mut p = Practice::new(pc(code));
        p.status = PracticeStatus::Active;
        p.prescribing_setting = Some(4);
        p.commissioner = Some(cc(commissioner));
        p.contract_type = Some("GMS".into());
        let (e, n) = (400_000.0 + x_km * 1000.0, 300_000.0 + y_km * 1000.0);
        p.location = Some(Location { easting: e, northing: n, lat: 52.6, lon: -2.0 });
        self.snap.practices.push(p);
        self.snap.list_sizes.push(ListSize {
            practice: pc(code),
            registered: Some(Decimal::from(list)),
            weighted: None,
            as_of: date!(2019 - 01 - 01),
            source: ListSource::Registrations,
        });
    }

    pub fn set_list(&mut self, code: &str, list: i64) {
        for l in &mut self.snap.list_sizes {
            if l.practice == pc(code) {
                l.registered = Some(Decimal::from(list));
            }
        }
    }

    pub fn practice_mut(&mut self, code: &str) -> &mut Practice {
        self.snap.practices.iter_mut().find(|p| p.code == pc(code)).unwrap()
    }

    pub fn network(&mut self, code: &str, commissioner: &str, members: &[&str]) {
        self.snap.networks.push(Network {
            code: nc(code),
            name: Some(format!("{code} PCN")),
            commissioner: Some(cc(commissioner)),
            open_date: None,
            close_date: None,
            postcode: None,
        });
        for m in members {
            self.join(m, code);
        }
        self.inputs.governance.get_or_insert_with(Vec::new).push(Governance {
            network: nc(code),
            clinical_director: Some("Dr A".into()),
            nominated_payee: Some(members[0].to_string()),
            agreement_signed: Some(date!(2019 - 06 - 30)),
        });
    }

    pub fn join(&mut self, practice: &str, network: &str) {
        self.snap.memberships.push(Membership {
            practice: pc(practice),
            network: nc(network),
            start: Some(date!(2019 - 07 - 01)),
            end: None,
        });
    }

    pub fn leave(&mut self, practice: &str) {
        self.snap.memberships.retain(|m| m.practice != pc(practice));
    }

    pub fn approve(&mut self, kind: ApprovalKind, network: &str, practice: Option<&str>) {
        self.inputs.approvals.push(Approval {
            kind,
            network: nc(network),
            practice: practice.map(pc),
            reference: format!("REF-{}", kind.as_str()),
            from: None,
            to: None,
            note: None,
        });
    }

    /// Records commissioner `code` with its parent ICB (or STP) and region Y63.
    pub fn commissioner(&mut self, code: &str, icb: Option<(&str, &str)>) {
        self.snap.commissioners.retain(|c| c.code != cc(code));
        self.snap.commissioners.push(Commissioner {
            name: Some(format!("NHS {code}")),
            parent: icb.map(|(i, _)| IcbCode::parse(i).unwrap()),
            parent_name: icb.map(|(_, n)| n.to_string()),
            region: Some(RegionCode::parse("Y63").unwrap()),
            region_name: Some("North East and Yorkshire".into()),
            ..Commissioner::new(cc(code))
        });
    }

    pub fn lsoa(&mut self, code: &str, lon: f64, lat: f64, ruc: &str) {
        let mut l = Lsoa::new(code.to_string());
        l.ruc_code = Some(ruc.into());
        l.centroid = Some(LonLat { lon, lat });
        self.snap.lsoas.push(l);
    }

    pub fn model(&self) -> (Model, Configuration) {
        let (m, w) = Model::build(&self.snap, PruneRule::default());
        assert!(w.is_empty(), "{w:?}");
        let c = m.configuration(&self.snap);
        (m, c)
    }

    pub fn check(&self) -> Report {
        let (m, c) = self.model();
        pcn_rules::check(&m, &c, &self.inputs)
    }
}

pub fn code(i: usize) -> String {
    format!("A{:05}", i)
}

pub fn with_rule<'a>(r: &'a Report, rule: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

pub fn errors(r: &Report) -> Vec<&Finding> {
    r.findings.iter().filter(|f| f.severity == Severity::Error).collect()
}

pub fn clean(r: &Report) {
    let bad: Vec<_> = r.findings.iter().filter(|f| f.severity != Severity::Info).collect();
    assert!(bad.is_empty(), "expected no errors or warnings, got {bad:#?}");
}

pub fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
}
