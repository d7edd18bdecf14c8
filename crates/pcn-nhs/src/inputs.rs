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
use crate::read::non_empty;
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
            reference: row.required(reference, "reference")?.to_string(),
            from: date(from, "from")?,
            to: date(to, "to")?,
            note: match note {
                Some(i) => non_empty(row.opt(i, "note")?),
                None => None,
            },
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
            clinical_director: non_empty(row.opt(cd, "clinical_director")?),
            nominated_payee: non_empty(row.opt(payee, "nominated_payee")?),
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
