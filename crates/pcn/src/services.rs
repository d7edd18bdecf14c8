//! `pcn services`: the national service specifications in force in a year, a
//! network's checklist of them, and marking a requirement done.

use std::path::Path;

use pcn_core::FinancialYear;
use pcn_store::Store;
use serde_json::json;

use crate::cli::ServicesCommand;
use crate::failure::Usage;
use crate::output::Listing;

fn covered(year: FinancialYear) -> anyhow::Result<()> {
    let cat = pcn_services::catalogue();
    if !cat.covers(year) {
        return Err(Usage(format!(
            "the specifications are known for {} to {}, not {year}",
            cat.first_year, cat.last_year
        ))
        .into());
    }
    Ok(())
}

pub async fn run(db: &Path, c: ServicesCommand) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    match c {
        ServicesCommand::List(a) => {
            let year = a.year.unwrap_or(FinancialYear::containing(today));
            covered(year)?;
            let mut l = Listing::new("requirements", vec!["specification", "requirement", "due", "text", "confidence"]);
            for s in pcn_services::in_force(year) {
                for r in s.requirements_in(year) {
                    l.rows.push(vec![
                        json!(s.name),
                        json!(r.id),
                        json!(r.due_in(year).map(|d| d.to_string())),
                        json!(r.text),
                        json!(r.confidence),
                    ]);
                }
            }
            l.meta.insert("year".into(), json!(year.to_string()));
            l.meta.insert("unclear".into(), json!(pcn_services::catalogue().unclear));
            l.print(a.format)
        }
        ServicesCommand::Checklist(a) => {
            let on = a.on.unwrap_or(today);
            covered(FinancialYear::containing(on))?;
            let network = a.network;
            let store = Store::open(db).await?;
            let stored = store.service_marks(network.as_str()).await?;
            store.close().await;
            let marks: Vec<pcn_services::Mark> = stored
                .iter()
                .filter_map(|m| {
                    Some(pcn_services::Mark {
                        requirement: m.requirement.clone(),
                        date: pcn_core::day::parse(&m.done_on).ok()?,
                        evidence: m.evidence.clone(),
                    })
                })
                .collect();
            let c = pcn_services::Checklist::evaluate(&marks, on);
            let mut l =
                Listing::new("checklist", vec!["status", "specification", "requirement", "due", "done_on", "evidence"]);
            for i in c.overdue.iter().chain(&c.due).chain(&c.done) {
                l.rows.push(vec![
                    json!(i.status),
                    json!(i.specification.id),
                    json!(i.requirement.id),
                    json!(i.due.to_string()),
                    json!(i.mark.map(|m| m.date.to_string())),
                    json!(i.mark.map(|m| m.evidence.clone())),
                ]);
            }
            l.meta.insert("network".into(), json!(network.as_str()));
            l.meta.insert("on".into(), json!(on.to_string()));
            l.footer.push(format!(
                "{network} on {on}: {} overdue, {} due, {} done",
                c.overdue.len(),
                c.due.len(),
                c.done.len()
            ));
            l.print(a.format)
        }
        ServicesCommand::Mark(a) => {
            let network = a.network;
            if !pcn_services::specifications().iter().any(|s| s.requirement(&a.requirement).is_some()) {
                return Err(
                    Usage(format!("there is no requirement {:?} (see `pcn services list`)", a.requirement)).into()
                );
            }
            let done_on = a.done_on;
            if a.evidence.trim().is_empty() {
                return Err(Usage("--evidence must say what shows it was done".into()).into());
            }
            let store = Store::open(db).await?;
            let at = pcn_workbench::accounts::now_text();
            store
                .service_mark_put(&pcn_store::users::ServiceMark {
                    network: network.to_string(),
                    requirement: a.requirement.clone(),
                    done_on: done_on.to_string(),
                    evidence: a.evidence.trim().to_string(),
                    marked_by: a.actor.clone(),
                    marked_at: at.clone(),
                })
                .await?;
            store
                .audit(
                    &at,
                    &a.actor,
                    "service.mark",
                    Some(network.as_str()),
                    "ok",
                    Some(&json!({"requirement": a.requirement, "done_on": done_on.to_string()}).to_string()),
                )
                .await?;
            store.close().await;
            eprintln!("{network}: {} marked done on {done_on}.", a.requirement);
            Ok(())
        }
    }
}
