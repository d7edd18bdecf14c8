//! pcn's own small input files (not NHS publications): commissioners'
//! approvals and waivers, and networks' governance records. Both are CSV with a
//! header; the columns are documented in the README.
//!
//! approvals: `kind,network,practice,reference,from,to,note` where kind is
//! floor-waiver, single-practice, cross-commissioner, above-ceiling or
//! non-participant (practice required: it is covered by the network).
//!
//! governance: `network,clinical_director,nominated_payee,agreement_signed`.

use std::path::Path;

use pcn_core::{Approval, ApprovalKind, Governance, NetworkCode, PracticeCode};

use crate::error::ReadError;
use crate::limits::Text;
use crate::table::{display_name, expect_width, for_each_record, open_csv, read_header};

pub fn read_approvals(path: &Path) -> Result<Vec<Approval>, ReadError> {
    let file = display_name(path);
    let mut csv = open_csv(path, true, None)?;
    let h = read_header(&file, &mut csv)?;
    let kind = h.require(&file, &["kind"])?;
    let network = h.require(&file, &["network"])?;
    let practice = h.find(&["practice"]);
    let reference = h.require(&file, &["reference"])?;
    let from = h.find(&["from"]);
    let to = h.find(&["to"]);
    let note = h.find(&["note"]);
    let mut out = Vec::new();
    for_each_record(&file, &mut csv, |row| {
        expect_width(&row, h.len())?;
        let kind = row.parse(kind, "kind", |s| {
            ApprovalKind::parse(s).ok_or_else(|| {
                let all: Vec<&str> = ApprovalKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("{s:?} is not one of {}", all.join(", "))
            })
        })?;
        let practice = match practice {
            Some(i) => row.parse_opt(i, "practice", PracticeCode::parse)?,
            None => None,
        };
        if kind == ApprovalKind::NonParticipant && practice.is_none() {
            return Err(row.err("practice", "a non-participant record must name the practice"));
        }
        let date = |i: Option<usize>, f: &str| match i {
            Some(i) => row.date_opt(i, f),
            None => Ok(None),
        };
        out.push(Approval {
            kind,
            network: row.parse(network, "network", NetworkCode::parse)?,
            practice,
            reference: row.required_text(reference, "reference", Text::Label)?,
            from: date(from, "from")?,
            to: date(to, "to")?,
            note: row.text(note, "note", Text::FreeText)?,
        });
        Ok(())
    })?;
    Ok(out)
}

pub fn read_governance(path: &Path) -> Result<Vec<Governance>, ReadError> {
    let file = display_name(path);
    let mut csv = open_csv(path, true, None)?;
    let h = read_header(&file, &mut csv)?;
    let network = h.require(&file, &["network"])?;
    let cd = h.require(&file, &["clinical_director"])?;
    let payee = h.require(&file, &["nominated_payee"])?;
    let signed = h.require(&file, &["agreement_signed"])?;
    let mut out = Vec::new();
    for_each_record(&file, &mut csv, |row| {
        expect_width(&row, h.len())?;
        out.push(Governance {
            network: row.parse(network, "network", NetworkCode::parse)?,
            clinical_director: row.text(cd, "clinical_director", Text::Name)?,
            nominated_payee: row.text(payee, "nominated_payee", Text::Name)?,
            agreement_signed: row.date_opt(signed, "agreement_signed")?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// A count per network, e.g. beds in aligned care homes (`network,beds`) or
/// IIF points achieved (`network,points`): `field` names the value column.
pub fn read_network_counts(
    path: &Path,
    field: &str,
) -> Result<std::collections::HashMap<String, rust_decimal::Decimal>, ReadError> {
    let file = display_name(path);
    let mut csv = open_csv(path, true, None)?;
    let h = read_header(&file, &mut csv)?;
    let network = h.require(&file, &["network"])?;
    let value = h.require(&file, &[field])?;
    let mut out = std::collections::HashMap::new();
    for_each_record(&file, &mut csv, |row| {
        expect_width(&row, h.len())?;
        let code = row.parse(network, "network", NetworkCode::parse)?;
        let v = row.parse(value, field, |s| {
            s.trim()
                .parse::<rust_decimal::Decimal>()
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| format!("{s:?} is not a number of zero or more"))
        })?;
        if out.insert(code.to_string(), v).is_some() {
            return Err(row.err("network", format!("{code} appears twice")));
        }
        Ok(())
    })?;
    Ok(out)
}

/// One ARRS staff record: `network,role,wte,start,end,salary,on_costs,baseline`
/// (`end` and `baseline` optional; money in pounds a year for the post as
/// worked; `baseline` yes/no: in post on 31 March 2019).
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRecord {
    /// `file:line`, to name the post in output.
    pub id: String,
    pub network: NetworkCode,
    pub role: String,
    pub wte: rust_decimal::Decimal,
    pub start: time::Date,
    pub end: Option<time::Date>,
    pub salary: rust_decimal::Decimal,
    pub on_costs: rust_decimal::Decimal,
    pub baseline: bool,
}

fn amount(s: &str) -> Result<rust_decimal::Decimal, String> {
    s.trim()
        .trim_start_matches('£')
        .replace(',', "")
        .parse::<rust_decimal::Decimal>()
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| format!("{s:?} is not an amount of zero or more"))
}

/// Staff records; `role_ok` checks each role key (naming the valid ones on error).
pub fn read_staff(path: &Path, role_ok: &dyn Fn(&str) -> Result<(), String>) -> Result<Vec<StaffRecord>, ReadError> {
    let file = display_name(path);
    let mut csv = open_csv(path, true, None)?;
    let h = read_header(&file, &mut csv)?;
    let network = h.require(&file, &["network"])?;
    let role = h.require(&file, &["role"])?;
    let wte = h.require(&file, &["wte"])?;
    let start = h.require(&file, &["start"])?;
    let end = h.find(&["end"]);
    let salary = h.require(&file, &["salary"])?;
    let on_costs = h.require(&file, &["on_costs"])?;
    let baseline = h.find(&["baseline"]);
    let mut out = Vec::new();
    for_each_record(&file, &mut csv, |row| {
        expect_width(&row, h.len())?;
        let role = row.required(role, "role")?.trim().to_ascii_lowercase();
        role_ok(&role).map_err(|e| row.err("role", e))?;
        let wte = row.parse(wte, "wte", |s| {
            amount(s).and_then(|d| {
                if d > rust_decimal::Decimal::ZERO && d <= rust_decimal::Decimal::ONE {
                    Ok(d)
                } else {
                    Err(format!("{s:?} is not a WTE between 0 and 1"))
                }
            })
        })?;
        let start_date = row.date_opt(start, "start")?.ok_or_else(|| row.err("start", "a start date is required"))?;
        let end_date = match end {
            Some(i) => row.date_opt(i, "end")?,
            None => None,
        };
        if end_date.is_some_and(|e| e < start_date) {
            return Err(row.err("end", "ends before it starts"));
        }
        let baseline = match baseline {
            Some(i) => match row.opt(i, "baseline")?.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
                None | Some("") | Some("no") | Some("false") | Some("0") | Some("n") => false,
                Some("yes") | Some("true") | Some("1") | Some("y") => true,
                Some(other) => return Err(row.err("baseline", format!("{other:?} is not yes or no"))),
            },
            None => false,
        };
        out.push(StaffRecord {
            id: format!("{file}:{}", row.line),
            network: row.parse(network, "network", NetworkCode::parse)?,
            role,
            wte,
            start: start_date,
            end: end_date,
            salary: row.parse(salary, "salary", amount)?,
            on_costs: row.parse(on_costs, "on_costs", amount)?,
            baseline,
        });
        Ok(())
    })?;
    Ok(out)
}

/// A planner wish list: `role,wte,cost_per_wte` (cost optional: the role's maximum).
pub fn read_wishes(
    path: &Path,
    role_ok: &dyn Fn(&str) -> Result<(), String>,
) -> Result<Vec<(String, rust_decimal::Decimal, Option<rust_decimal::Decimal>)>, ReadError> {
    let file = display_name(path);
    let mut csv = open_csv(path, true, None)?;
    let h = read_header(&file, &mut csv)?;
    let role = h.require(&file, &["role"])?;
    let wte = h.require(&file, &["wte"])?;
    let cost = h.find(&["cost_per_wte"]);
    let mut out = Vec::new();
    for_each_record(&file, &mut csv, |row| {
        expect_width(&row, h.len())?;
        let r = row.required(role, "role")?.trim().to_ascii_lowercase();
        role_ok(&r).map_err(|e| row.err("role", e))?;
        let w = row.parse(wte, "wte", amount)?;
        let c = match cost {
            Some(i) => match row.opt(i, "cost_per_wte")? {
                Some(s) if !s.trim().is_empty() => Some(amount(s).map_err(|e| row.err("cost_per_wte", e))?),
                _ => None,
            },
            None => None,
        };
        out.push((r, w, c));
        Ok(())
    })?;
    Ok(out)
}
