//! The network register from the command line: sync from a snapshot, show a
//! network as of a date, history, proposals and decisions, exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;
use pcn_core::register::{Change, Proposal, ProposalKind, ProposalStatus, RecordKind};
use pcn_core::{NetworkCode, PracticeCode};
use pcn_store::register::{RegNetwork, Who};
use pcn_store::{Include, Store};
use pcn_workbench::proposals::{Draft, NotProposed};
use serde_json::{Value, json};
use time::Date;

use crate::cli::{
    DecideArgs, EditCommon, ExportChangesArgs, ExportEpcnArgs, HistoryArgs, NetworkShowArgs, ProposalCommon,
    ProposalsArgs, ProposeArgs, ProposeKind, RegisterCommand, RegisterLogArgs, RegisterSyncArgs, SeedProposalsArgs,
    WhoArgs,
};
use crate::failure::Usage;
use crate::output::Listing;

fn now() -> anyhow::Result<String> {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).context("clock")
}

fn who(args: &WhoArgs) -> anyhow::Result<Who> {
    if args.actor.trim().is_empty() || args.reason.trim().is_empty() {
        return Err(Usage("--actor and --reason must say who and why".into()).into());
    }
    Ok(Who { actor: args.actor.trim().to_string(), reason: args.reason.trim().to_string(), at: now()? })
}

fn or_today(d: Option<Date>) -> Date {
    d.unwrap_or_else(crate::views::today)
}

pub async fn sync(db: &Path, args: RegisterSyncArgs) -> anyhow::Result<()> {
    let who = who(&args.who)?;
    let (id, snap) = crate::views::load_imported(db, args.snapshot, Include::default()).await?;
    let effective = match args.effective {
        Some(d) => d,
        None => snap.as_of.context("the snapshot has no date")?,
    };
    let members: Vec<(PracticeCode, NetworkCode)> = snap
        .memberships
        .iter()
        .filter(|m| m.is_current_on(effective))
        .map(|m| (m.practice.clone(), m.network.clone()))
        .collect();
    // The networks open on the effective date (a workbook also lists closed ones, as history).
    let networks: Vec<(NetworkCode, Option<String>, Option<String>)> = snap
        .networks
        .iter()
        .filter(|n| n.is_open_on(effective))
        .map(|n| (n.code.clone(), n.name.clone(), n.commissioner.as_ref().map(|c| c.to_string())))
        .collect();
    let store = Store::open(db).await?;
    let s = store.register_sync(effective, &networks, &members, &who).await?;
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json!({"snapshot": id, "sync": s}))?);
    } else {
        println!(
            "Register as of {effective} from snapshot {id}: {} changes ({} networks opened, {} closed, {} joins of which {} moves, {} leaves).",
            s.changes,
            s.opened.len(),
            s.closed.len(),
            s.joined,
            s.moved.len(),
            s.left
        );
    }
    Ok(())
}

pub async fn show(db: &Path, args: NetworkShowArgs) -> anyhow::Result<()> {
    let as_of = or_today(args.as_of);
    let store = Store::open(db).await?;
    let started = std::time::Instant::now();
    let state = store.register_state(as_of).await?;
    let query = started.elapsed();
    store.close().await;
    if args.timings {
        eprintln!("pcn-timings: query_ms={:.3}", query.as_secs_f64() * 1e3);
    }
    if args.all {
        let mut by: BTreeMap<&str, Vec<&pcn_core::register::Record>> = BTreeMap::new();
        for r in &state.records {
            by.entry(r.network.as_str()).or_default().push(r);
        }
        let mut l = Listing::new(
            "networks",
            vec!["code", "name", "version", "members", "non_participants", "clinical_director", "nominated_payee"],
        );
        for n in &state.networks {
            let recs = by.get(n.code.as_str()).map_or(&[][..], |v| v.as_slice());
            let of =
                |k: RecordKind| recs.iter().filter(|r| r.kind == k).map(|r| r.subject.as_str()).collect::<Vec<_>>();
            l.rows.push(vec![
                json!(n.code),
                json!(n.name),
                json!(n.version),
                json!(of(RecordKind::Member).len()),
                json!(of(RecordKind::NonParticipant).len()),
                json!(of(RecordKind::ClinicalDirector).join("; ")),
                json!(of(RecordKind::NominatedPayee).join("; ")),
            ]);
        }
        l.meta.insert("as_of".into(), json!(as_of.to_string()));
        l.footer.push(format!(
            "{} networks and {} records in force on {as_of}.",
            state.networks.len(),
            state.records.len()
        ));
        return l.print(args.format);
    }
    let code = args.code.as_ref().expect("clap requires a code without --all").as_str();
    let network = state.network(code).ok_or_else(|| {
        Usage(format!("network {code} is not in the register on {as_of} (see pcn network history {code})"))
    })?;
    let mut l = Listing::new("records", vec!["kind", "subject", "from", "to", "detail"]);
    for r in state.records.iter().filter(|r| r.network.as_str() == code) {
        l.rows.push(vec![
            json!(r.kind.as_str()),
            json!(r.subject),
            json!(r.valid_from.to_string()),
            json!(r.valid_to.map(|d| d.to_string())),
            if r.detail.is_null() { Value::Null } else { json!(r.detail.to_string()) },
        ]);
    }
    l.meta.insert("network".into(), serde_json::to_value(network)?);
    l.meta.insert("as_of".into(), json!(as_of.to_string()));
    l.footer.push(format!(
        "{} {} on {as_of}: version {}, in the register from {}{}.",
        network.code,
        network.name.as_deref().unwrap_or(""),
        network.version,
        network.opened,
        network.closed.map(|c| format!(" to {c}")).unwrap_or_default()
    ));
    l.print(args.format)
}

fn log_listing(changes: &[pcn_store::register::LoggedChange]) -> Listing {
    let mut l = Listing::new(
        "changes",
        vec!["id", "effective", "action", "network", "subject", "actor", "at", "reason", "proposal", "version"],
    );
    for c in changes {
        l.rows.push(vec![
            json!(c.id),
            json!(c.effective.to_string()),
            json!(c.action),
            json!(c.network),
            json!(c.subject),
            json!(c.actor),
            json!(c.at),
            json!(c.reason),
            json!(c.proposal),
            json!(c.version),
        ]);
    }
    l
}

pub async fn network_history(db: &Path, args: HistoryArgs) -> anyhow::Result<()> {
    let code = NetworkCode::parse(&args.code).map_err(|e| Usage(format!("network {:?}: {e}", args.code)))?;
    let store = Store::open(db).await?;
    let log = store.register_log(Some(code.as_str()), None, None, None).await?;
    store.close().await;
    if log.is_empty() {
        return Err(Usage(format!("network {code} has no history in the register")).into());
    }
    log_listing(&log).print(args.format)
}

pub async fn practice_history(db: &Path, args: HistoryArgs) -> anyhow::Result<()> {
    let code = PracticeCode::parse(&args.code).map_err(|e| Usage(format!("practice {:?}: {e}", args.code)))?;
    let store = Store::open(db).await?;
    let spells = store.register_records_of(None, Some(code.as_str())).await?;
    let log = store.register_log(None, Some(code.as_str()), None, None).await?;
    store.close().await;
    if spells.is_empty() {
        return Err(Usage(format!("practice {code} has no history in the register")).into());
    }
    let mut l = log_listing(&log);
    l.meta.insert(
        "spells".into(),
        json!(spells.iter().map(|r| json!({"network": r.network, "kind": r.kind, "from": r.valid_from.to_string(), "to": r.valid_to.map(|d| d.to_string())})).collect::<Vec<_>>()),
    );
    for r in &spells {
        l.footer.push(format!(
            "{} of {} from {} to {}",
            r.kind.as_str(),
            r.network,
            r.valid_from,
            r.valid_to.map_or("now".to_string(), |d| d.to_string())
        ));
    }
    l.print(args.format)
}

pub async fn log(db: &Path, args: RegisterLogArgs) -> anyhow::Result<()> {
    let store = Store::open(db).await?;
    let log = store
        .register_log(
            args.network.as_ref().map(|n| n.as_str()),
            args.practice.as_ref().map(|p| p.as_str()),
            args.from,
            args.to,
        )
        .await?;
    store.close().await;
    log_listing(&log).print(args.format)
}

pub async fn export_changes(db: &Path, args: ExportChangesArgs) -> anyhow::Result<()> {
    log(db, RegisterLogArgs { network: None, practice: None, from: args.from, to: args.to, format: args.format }).await
}

pub async fn export_epcn(db: &Path, args: ExportEpcnArgs) -> anyhow::Result<()> {
    let as_of = or_today(args.as_of);
    let store = Store::open(db).await?;
    let rows = pcn_workbench::exports::epcn::core_partners(&store, as_of).await?;
    store.close().await;
    match &args.out {
        Some(path) => {
            let tmp = path.with_extension("partial");
            let mut w = csv::Writer::from_path(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
            pcn_nhs::write::write_core_partners(&mut w, rows)?;
            w.flush()?;
            drop(w);
            std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Register as of {as_of} written to {} (ePCN core partners).", path.display());
        }
        None => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            pcn_nhs::write::write_core_partners(&mut w, rows)?;
            w.flush()?;
        }
    }
    Ok(())
}

fn proposal_kind(kind: &ProposeKind) -> (ProposalKind, &ProposalCommon) {
    match kind {
        ProposeKind::Join(a) => {
            (ProposalKind::Join { network: a.network.clone(), practice: a.practice.clone() }, &a.common)
        }
        ProposeKind::Leave(a) => {
            (ProposalKind::Leave { network: a.network.clone(), practice: a.practice.clone() }, &a.common)
        }
        ProposeKind::Merge(a) => (ProposalKind::Merge { from: a.from.clone(), into: a.into.clone() }, &a.common),
        ProposeKind::Split(a) => (
            ProposalKind::Split {
                from: a.from.clone(),
                new: a.new.clone(),
                name: a.name.clone(),
                practices: a.practices.clone(),
            },
            &a.common,
        ),
        ProposeKind::Director(a) => (
            ProposalKind::ClinicalDirector {
                network: a.network.clone(),
                name: a.name.clone(),
                practice: a.practice.clone(),
            },
            &a.common,
        ),
        ProposeKind::Payee(a) => {
            (ProposalKind::NominatedPayee { network: a.network.clone(), payee: a.payee.clone() }, &a.common)
        }
    }
}

pub async fn propose(db: &Path, args: ProposeArgs) -> anyhow::Result<()> {
    let (kind, common) = proposal_kind(&args.kind);
    let effective = common.effective;
    let who = who(&common.who)?;
    let store = Store::open(db).await?;
    let draft = Draft::new(&store, kind.clone(), effective).await.map_err(not_proposed)?;
    let made = draft.submit(&store, &who, crate::views::today()).await.map_err(not_proposed)?;
    store.close().await;
    let (id, deadline) = (made.id, made.deadline);
    if common.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"proposal": id, "findings": made.findings, "deadline": deadline.map(|d| d.to_string())})
            )?
        );
    } else {
        println!("Proposal {id}: {} {} from {effective}.", kind.action(), kind.network());
        for e in &made.findings.errors {
            println!("  would add an error: {e}");
        }
        if let Some(d) = deadline {
            println!(
                "  notification deadline for the year: {d}{}",
                if made.findings.late { " (passed: the commissioner must agree to a late change)" } else { "" }
            );
        }
        if made.approvers.commissioners.len() > 1 {
            println!("  needs the agreement of {}", made.approvers.describe());
        }
    }
    Ok(())
}

/// A proposal that names what is not there is a usage error (exit 2); one the
/// register already has is refused on its merits (exit 1).
fn not_proposed(e: NotProposed) -> anyhow::Error {
    match e {
        NotProposed::NotFound(m) => Usage(m).into(),
        NotProposed::Conflict(m) => crate::failure::Refusal(m).into(),
        NotProposed::Store(e) => e.into(),
    }
}

fn proposal_json(p: &Proposal) -> Value {
    json!({
        "id": p.id, "action": p.kind.action(), "network": p.kind.network(), "proposal": p.kind,
        "effective": p.effective.to_string(), "status": p.status, "base_version": p.base_version,
        "proposed_by": p.proposed_by, "proposed_at": p.proposed_at, "reason": p.reason,
        "deadline": p.deadline.map(|d| d.to_string()), "findings": p.findings,
        "decided_by": p.decided_by, "decided_at": p.decided_at, "decision_reason": p.decision_reason,
    })
}

pub async fn proposals(db: &Path, args: ProposalsArgs) -> anyhow::Result<()> {
    let status = args.status;
    let store = Store::open(db).await?;
    let all = store.proposals(status).await?;
    store.close().await;
    let mut l = Listing::new(
        "proposals",
        vec!["id", "action", "network", "effective", "status", "proposed_by", "reason", "errors"],
    );
    for p in &all {
        let errors = p.findings.get("errors").and_then(Value::as_array).map_or(0, Vec::len);
        l.rows.push(vec![
            json!(p.id),
            json!(p.kind.action()),
            json!(p.kind.network()),
            json!(p.effective.to_string()),
            json!(p.status.as_str()),
            json!(p.proposed_by),
            json!(p.reason),
            json!(errors),
        ]);
    }
    if args.format.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"proposals": all.iter().map(proposal_json).collect::<Vec<_>>()}))?
        );
        return Ok(());
    }
    l.print(args.format)
}

pub async fn decide(db: &Path, args: DecideArgs, approve: bool) -> anyhow::Result<()> {
    let who = who(&args.who)?;
    let started = std::time::Instant::now();
    let store = Store::open(db).await?;
    let ids: Vec<i64> = if args.all_open {
        store.proposals(Some(ProposalStatus::Open)).await?.iter().map(|p| p.id).collect()
    } else if args.ids.is_empty() {
        return Err(Usage("name the proposals to decide, or --all-open".into()).into());
    } else {
        args.ids.clone()
    };
    let mut proposals = Vec::with_capacity(ids.len());
    for id in &ids {
        proposals.push(store.proposal(*id).await?);
    }
    let setup = started.elapsed();
    let started = std::time::Instant::now();
    let pcn_workbench::proposals::Decided { done, refused } =
        pcn_workbench::proposals::decide(&store, &proposals, approve, args.accept_findings, &who).await?;
    let decide_time = started.elapsed();
    store.close().await;
    if args.timings {
        eprintln!(
            "pcn-timings: setup_ms={:.3} decide_ms={:.3} decided={}",
            setup.as_secs_f64() * 1e3,
            decide_time.as_secs_f64() * 1e3,
            done.len()
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json!({"decided": done, "refused": refused}))?);
    } else {
        let verb = if approve { "approved" } else { "rejected" };
        println!("{} proposal(s) {verb}, {} refused.", done.len(), refused.len());
        for r in &refused {
            println!("  {}: {}", r.id, r.refused);
            for e in &r.errors {
                println!("    {e}");
            }
        }
    }
    if !refused.is_empty() {
        return Err(
            crate::failure::Refusal(format!("{} of {} proposals refused", refused.len(), proposals.len())).into()
        );
    }
    Ok(())
}

/// `pcn bench`'s proposals: every fourth moves a practice to the next network
/// of the same commissioner, the rest name a new clinical director.
pub async fn seed(db: &Path, args: SeedProposalsArgs) -> anyhow::Result<()> {
    let effective = args.effective;
    let store = Store::open(db).await?;
    let state = store.register_state(effective).await?;
    let nets: Vec<&RegNetwork> = state.networks.iter().filter(|n| !state.members(&n.code).is_empty()).collect();
    if nets.is_empty() {
        return Err(Usage("the register has no networks with members on that date".into()).into());
    }
    let who = Who { actor: "bench".into(), reason: "benchmark".into(), at: now()? };
    for i in 0..args.count {
        let n = nets[i % nets.len()];
        let code = NetworkCode::parse(&n.code)?;
        let kind = if i % 4 == 0 {
            let next = nets
                .iter()
                .cycle()
                .skip(i % nets.len() + 1)
                .take(nets.len())
                .find(|m| m.commissioner == n.commissioner && m.code != n.code);
            match next {
                Some(m) => ProposalKind::Join {
                    network: NetworkCode::parse(&m.code)?,
                    practice: state.members(&n.code)[0].clone(),
                },
                None => ProposalKind::NominatedPayee { network: code, payee: state.members(&n.code)[0].to_string() },
            }
        } else {
            ProposalKind::ClinicalDirector {
                network: code,
                name: format!("Dr Bench {i}"),
                practice: state.members(&n.code)[0].clone(),
            }
        };
        store.propose(&kind, effective, &who, None, &json!({})).await?;
    }
    store.close().await;
    println!("{} proposals made.", args.count);
    Ok(())
}

/// Direct edits: agreements, partners, non-participants, approvals and
/// governance files, applied atomically with who and why.
pub async fn edit(db: &Path, command: RegisterCommand) -> anyhow::Result<()> {
    let (changes, common): (Vec<Change>, &EditCommon) = match &command {
        RegisterCommand::Agreement(a) => (
            vec![Change::Agreement {
                network: a.network.clone(),
                signed: a.signed,
                schedules_complete: a.schedules_complete,
            }],
            &a.common,
        ),
        RegisterCommand::Partner(a) => {
            let network = a.network.clone();
            let organisation = a.organisation.trim().to_string();
            let change = if a.what == crate::cli::PartnerEdit::Add {
                Change::AddPartner { network, organisation, kind: a.kind.clone() }
            } else {
                Change::RemovePartner { network, organisation }
            };
            (vec![change], &a.common)
        }
        RegisterCommand::NonParticipant(a) => {
            let (network, practice) = (a.network.clone(), a.practice.clone());
            let change = if a.what == crate::cli::CoverEdit::Add {
                Change::NonParticipant { network, practice }
            } else {
                Change::EndNonParticipant { network, practice }
            };
            (vec![change], &a.common)
        }
        RegisterCommand::Approvals(a) => (
            pcn_nhs::inputs::read_approvals(&a.file)?
                .into_iter()
                .map(|approval| Change::Approval { approval })
                .collect(),
            &a.common,
        ),
        RegisterCommand::Governance(a) => {
            let mut v = Vec::new();
            for g in pcn_nhs::inputs::read_governance(&a.file)? {
                if let Some(name) = g.clinical_director {
                    v.push(Change::ClinicalDirector { network: g.network.clone(), name, practice: None });
                }
                if let Some(payee) = g.nominated_payee {
                    v.push(Change::NominatedPayee { network: g.network.clone(), payee });
                }
                if let Some(signed) = g.agreement_signed {
                    v.push(Change::Agreement { network: g.network.clone(), signed, schedules_complete: false });
                }
            }
            (v, &a.common)
        }
        _ => unreachable!("edit is only called for edits"),
    };
    if changes.is_empty() {
        return Err(Usage("nothing to record".into()).into());
    }
    let effective = or_today(common.effective);
    let who = who(&common.who)?;
    let networks: BTreeSet<String> = changes.iter().map(|c| c.network().to_string()).collect();
    let expect: BTreeMap<String, i64> = match common.expect_version {
        Some(v) if networks.len() == 1 => networks.iter().map(|n| (n.clone(), v)).collect(),
        Some(_) => return Err(Usage("--expect-version applies to an edit of one network".into()).into()),
        None => BTreeMap::new(),
    };
    let store = Store::open(db).await?;
    let versions = store.register_apply(effective, &changes, &who, &expect).await?;
    store.close().await;
    println!(
        "{} change(s) recorded from {effective}: {}.",
        changes.len(),
        versions.iter().map(|(n, v)| format!("{n} now version {v}")).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}
