//! What-if edits, applied to a copy of the model before forming or repairing:
//! a practice closes, two practices merge, lists grow, a practice opts out.

use pcn_core::PracticeCode;
use pcn_rules::Model;

#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// The practice closes; its patients are no longer counted.
    Close(PracticeCode),
    /// The second practice merges into the first (lists add up).
    Merge { into: PracticeCode, from: PracticeCode },
    /// One practice's list grows (or shrinks) by a percentage.
    Grow { practice: PracticeCode, percent: f64 },
    /// Every list grows by a percentage.
    GrowAll { percent: f64 },
    /// The practice opts out of the DES: not a member, but a neighbouring
    /// network must cover its patients.
    OptOut(PracticeCode),
}

/// The edited model and the practices formation must leave out of membership
/// (closed, merged away, opted out), and the opted-out ones.
pub fn apply(model: &Model, edits: &[Edit]) -> Result<(Model, Vec<bool>, Vec<u32>), String> {
    let mut m = model.clone();
    let mut excluded = vec![false; m.practices.len()];
    let mut opted_out = Vec::new();
    let index = |c: &PracticeCode| {
        m.practice_index.get(c).copied().ok_or_else(|| format!("practice {c} is not in the snapshot"))
    };
    for e in edits {
        match e {
            Edit::Close(c) => {
                let i = index(c)? as usize;
                m.practices[i].active = false;
                excluded[i] = true;
            }
            Edit::Merge { into, from } => {
                let (a, b) = (index(into)? as usize, index(from)? as usize);
                if a == b {
                    return Err(format!("cannot merge {into} into itself"));
                }
                m.practices[a].registered += m.practices[b].registered;
                m.practices[b].registered = 0;
                m.practices[b].active = false;
                excluded[b] = true;
            }
            Edit::Grow { practice, percent } => {
                let i = index(practice)? as usize;
                m.practices[i].registered = grown(m.practices[i].registered, *percent);
            }
            Edit::GrowAll { percent } => {
                for p in &mut m.practices {
                    p.registered = grown(p.registered, *percent);
                }
            }
            Edit::OptOut(c) => {
                let i = index(c)?;
                excluded[i as usize] = true;
                opted_out.push(i);
            }
        }
    }
    Ok((m, excluded, opted_out))
}

fn grown(n: i64, percent: f64) -> i64 {
    ((n as f64) * (1.0 + percent / 100.0)).round().max(0.0) as i64
}

/// Parses `A81001`, `A81001:A81002`, `A81001:5` style arguments.
pub fn parse_merge(s: &str) -> Result<Edit, String> {
    let (a, b) = s.split_once(':').ok_or_else(|| format!("--merge {s:?}: expected INTO:FROM, e.g. A81001:A81002"))?;
    Ok(Edit::Merge {
        into: PracticeCode::parse(a).map_err(|e| e.to_string())?,
        from: PracticeCode::parse(b).map_err(|e| e.to_string())?,
    })
}

pub fn parse_grow(s: &str) -> Result<Edit, String> {
    let (a, pct) =
        s.split_once(':').ok_or_else(|| format!("--grow {s:?}: expected PRACTICE:PERCENT, e.g. A81001:10"))?;
    let percent: f64 =
        pct.trim_end_matches('%').parse().map_err(|_| format!("--grow {s:?}: {pct:?} is not a percentage"))?;
    Ok(Edit::Grow { practice: PracticeCode::parse(a).map_err(|e| e.to_string())?, percent })
}
