//! `listsize.*`: whether the snapshot's lists are the ones the DES counts.

use serde_json::json;

use crate::context::Ctx;
use crate::finding::{DES_START, Finding, RuleInfo, Severity};

pub(crate) const BASIS: RuleInfo = RuleInfo {
    id: "listsize.basis",
    severity: Severity::Warning,
    from_year: DES_START,
    summary: "The snapshot's list sizes are not those of 1 January before the year, which the DES uses",
    source: "des-facts 0 Registered list (V); DESIGN.md dates",
};

/// One finding for the whole snapshot when most lists are of another date.
pub(crate) fn basis(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let want = ctx.year.list_size_date();
    if let Some((have, practices)) = ctx.model.list_date
        && have != want
    {
        out.push(Finding::new(
            &BASIS,
            Severity::Warning,
            format!("{} uses list sizes at {want}; this snapshot's registered lists are at {have}", ctx.year),
            json!({"year": ctx.year.to_string(), "required": want.to_string(), "snapshot": have.to_string(), "practices": practices}),
        ));
    }
}
