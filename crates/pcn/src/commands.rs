//! One function per subcommand.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use pcn_core::{CommissionerCode, NetworkCode};
use pcn_nhs::ImportOptions;
use pcn_store::{Include, Saved, SourceRecord, Store};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

use crate::cli::{
    Cli, Command, DemoArgs, ExportCommand, FormatArgs, ImportArgs, NetworkCommand, NetworksArgs, PracticeCommand,
    PracticesArgs, RegisterCommand, SynthArgs, UserCommand,
};
use crate::failure::Usage;
use crate::output::{Listing, group_thousands};
use crate::views::load;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => demo(&cli.db, args).await?,
        Command::Import(args) => import(&cli.db, args).await?,
        Command::Snapshots(format) => snapshots(&cli.db, format).await?,
        Command::Practices(args) => practices(&cli.db, args).await?,
        Command::Networks(args) => networks(&cli.db, args).await?,
        Command::Icbs(args) => crate::icbs::run(&cli.db, args).await?,
        Command::Synth(args) => {
            synth(args)?;
        }
        Command::Bench(args) if args.serve => {
            let data = args.data.clone().or_else(|| std::env::var_os("PCN_DATA_DIR").map(std::path::PathBuf::from));
            crate::bench_serve::bench_serve(data.as_deref().filter(|d| d.is_dir()), args.seconds, args.format)?
        }
        Command::Bench(args) => crate::bench::bench(args)?,
        Command::Check(args) => return crate::check::run(&cli.db, args).await,
        Command::Rules(format) => crate::check::rules(format)?,
        Command::Form(args) => crate::form::run(&cli.db, args).await?,
        Command::Pay(args) => crate::pay::run(&cli.db, args).await?,
        Command::Reconcile(args) => crate::reconcile::run(&cli.db, args).await?,
        Command::Arrs(args) => crate::arrs::run(&cli.db, args).await?,
        Command::Statement(args) => crate::statement::run(&cli.db, args).await?,
        Command::Rates(c) => crate::rates::run(c)?,
        Command::Export(ExportCommand::Geojson(args)) => crate::export::geojson(&cli.db, args).await?,
        Command::Export(ExportCommand::Epcn(args)) => crate::register::export_epcn(&cli.db, args).await?,
        Command::Export(ExportCommand::Changes(args)) => crate::register::export_changes(&cli.db, args).await?,
        Command::Register(RegisterCommand::Sync(args)) => crate::register::sync(&cli.db, args).await?,
        Command::Register(RegisterCommand::Log(args)) => crate::register::log(&cli.db, args).await?,
        Command::Register(RegisterCommand::SeedProposals(args)) => crate::register::seed(&cli.db, args).await?,
        Command::Register(edit) => crate::register::edit(&cli.db, edit).await?,
        Command::Network(NetworkCommand::Show(args)) => crate::register::show(&cli.db, args).await?,
        Command::Network(NetworkCommand::History(args)) => crate::register::network_history(&cli.db, args).await?,
        Command::Practice(PracticeCommand::History(args)) => crate::register::practice_history(&cli.db, args).await?,
        Command::Propose(args) => crate::register::propose(&cli.db, args).await?,
        Command::Serve(args) => {
            let target = args.database_url.clone().map(std::path::PathBuf::from).unwrap_or(cli.db.clone());
            crate::serve::serve(&target, &args.addr, crate::serve::options(&args)).await?;
        }
        Command::Profile(args) => crate::profile::run(&cli.db, args).await?,
        Command::Services(c) => crate::services::run(&cli.db, c).await?,
        Command::User(UserCommand::Add(args)) => crate::users::add(&cli.db, args).await?,
        Command::User(UserCommand::List(args)) => crate::users::list(&cli.db, args).await?,
        Command::User(UserCommand::Token(args)) => crate::users::token(&cli.db, args).await?,
        Command::Proposals(args) => crate::register::proposals(&cli.db, args).await?,
        Command::Approve(args) => crate::register::decide(&cli.db, args, true).await?,
        Command::Reject(args) => crate::register::decide(&cli.db, args, false).await?,
        Command::Export(ExportCommand::Adjacency(args)) => crate::export::adjacency(&cli.db, args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(db: &std::path::Path, args: ImportArgs) -> anyhow::Result<()> {
    let (as_of, payments_year) = (args.as_of, args.payments_year);

    // Read and join everything before the store is touched: a bad file leaves it as it was.
    let bar = ProgressBar::new(pcn_nhs::total_bytes(&args.files)).with_style(
        ProgressStyle::with_template("{spinner} reading {bar:30} {bytes}/{total_bytes} ({eta})")
            .expect("valid template"),
    );
    let tick = |n: u64| bar.inc(n);
    let opts = ImportOptions { as_of, payments_year, progress: Some(&tick) };
    let imported = pcn_nhs::import_files(&args.files, &opts);
    bar.finish_and_clear();
    let imported = imported?;

    bar.set_message("saving");
    let store = Store::open_or_create(db).await?;
    let sources: Vec<SourceRecord> = imported
        .sources
        .iter()
        .map(|s| SourceRecord {
            path: s.path.display().to_string(),
            kind: s.kind.label().to_string(),
            sha256: s.sha256.clone(),
            bytes: s.bytes,
            records: s.records as u64,
        })
        .collect();
    let now =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).context("clock")?;
    let saved = store.save_snapshot(&imported.snapshot, &sources, &imported.content_hash, &now).await?;
    store.close().await;

    let snap = &imported.snapshot;
    let active = snap.practices.iter().filter(|p| p.is_active_gp()).count();
    let registered: Decimal = snap.registered_lists().values().map(|(n, _)| *n).sum();
    let notes = &imported.notes;
    let located = notes.practices_with_postcode - notes.missing_coordinates.len();
    let coverage = if notes.practices_with_postcode > 0 {
        100.0 * located as f64 / notes.practices_with_postcode as f64
    } else {
        0.0
    };

    let mut l = Listing::new("files", vec!["file", "kind", "records"]);
    for s in &imported.sources {
        l.rows.push(vec![json!(s.path.display().to_string()), json!(s.kind.label()), json!(s.records)]);
    }
    let (status, id) = match saved {
        Saved::New(id) => ("imported", id),
        Saved::AlreadyPresent(id) => ("unchanged", id),
    };
    l.meta.insert("status".into(), json!(status));
    l.meta.insert("snapshot".into(), json!(id));
    l.meta.insert("as_of".into(), json!(snap.as_of.map(|d| d.to_string())));
    l.meta.insert("practices".into(), json!(snap.practices.len()));
    l.meta.insert("active_practices".into(), json!(active));
    l.meta.insert("networks".into(), json!(snap.networks.len()));
    l.meta.insert("memberships".into(), json!(snap.memberships.len()));
    l.meta.insert("registered_patients".into(), decimal_json(registered));
    let history = History::of(snap);
    l.meta.insert("open_networks".into(), json!(history.open_networks));
    l.meta.insert("closed_networks".into(), json!(history.closed_networks));
    l.meta.insert("current_memberships".into(), json!(history.current_memberships));
    l.meta.insert("ended_memberships".into(), json!(history.ended_memberships));
    l.meta.insert("future_memberships".into(), json!(history.future_memberships));
    if !snap.workforce.is_empty() {
        let censuses: std::collections::BTreeSet<String> =
            snap.workforce.iter().map(|w| w.census.to_string()).collect();
        l.meta.insert("workforce_records".into(), json!(snap.workforce.len()));
        l.meta.insert("workforce_censuses".into(), json!(censuses));
    }
    l.meta.insert(
        "left_out".into(),
        Value::Array(
            notes.left_out.iter().map(|x| json!({"file": x.file, "count": x.count, "what": x.what})).collect(),
        ),
    );
    l.meta.insert(
        "sources_used".into(),
        Value::Array(
            notes
                .provenance
                .iter()
                .map(|p| {
                    json!({"topic": p.topic, "file": p.file, "date": p.date.map(|d| d.to_string()),
                           "dated_by": p.dated_by, "used": p.used, "note": p.note})
                })
                .collect(),
        ),
    );
    if !snap.care_homes.is_empty() {
        l.meta.insert("care_homes".into(), json!(snap.care_homes.len()));
        l.meta.insert("care_home_beds".into(), json!(snap.care_homes.iter().map(|h| u64::from(h.beds)).sum::<u64>()));
        l.meta.insert(
            "care_homes_located".into(),
            json!(snap.care_homes.iter().filter(|h| h.location.is_some()).count()),
        );
    }
    if notes.had_coordinates {
        l.meta.insert("coordinates_coverage_pct".into(), json!((coverage * 100.0).round() / 100.0));
        l.meta.insert(
            "missing_coordinates".into(),
            Value::Array(
                notes
                    .missing_coordinates
                    .iter()
                    .map(|(c, pc)| json!({"practice": c.as_str(), "postcode": pc}))
                    .collect(),
            ),
        );
    }
    l.footer.push(match saved {
        Saved::New(id) => {
            format!("Snapshot {id} as of {}: imported.", snap.as_of.map(|d| d.to_string()).unwrap_or_default())
        }
        Saved::AlreadyPresent(id) => format!("These files were already imported as snapshot {id}; nothing changed."),
    });
    l.footer.push(format!(
        "{} practices ({} active GP practices), {} networks, {} memberships, {} registered patients.",
        group_thousands(&snap.practices.len().to_string()),
        group_thousands(&active.to_string()),
        group_thousands(&snap.networks.len().to_string()),
        group_thousands(&snap.memberships.len().to_string()),
        group_thousands(&registered.trunc().to_string()),
    ));
    if history.closed_networks + history.ended_memberships + history.future_memberships > 0 {
        l.footer.push(format!(
            "In force on {}: {} networks and {} memberships; kept as history: {} closed networks, {} ended memberships{}.",
            snap.as_of.map(|d| d.to_string()).unwrap_or_default(),
            group_thousands(&history.open_networks.to_string()),
            group_thousands(&history.current_memberships.to_string()),
            group_thousands(&history.closed_networks.to_string()),
            group_thousands(&history.ended_memberships.to_string()),
            if history.future_memberships > 0 {
                format!(", and {} starting later", group_thousands(&history.future_memberships.to_string()))
            } else {
                String::new()
            },
        ));
    }
    for p in &notes.provenance {
        let date = p.date.map(|d| format!(" ({} {d})", p.dated_by)).unwrap_or_default();
        l.footer.push(match &p.note {
            Some(n) if p.used == 0 => format!("{}: not from {}{date}: {n}.", p.topic, p.file),
            Some(n) => format!("{}: {} from {}{date}; {n}.", p.topic, group_thousands(&p.used.to_string()), p.file),
            None => format!("{}: {} from {}{date}.", p.topic, group_thousands(&p.used.to_string()), p.file),
        });
    }
    for x in &notes.left_out {
        l.footer.push(format!("left out: {} {} ({}).", group_thousands(&x.count.to_string()), x.what, x.file));
    }
    if !snap.workforce.is_empty() {
        l.footer.push(format!("{} PCN workforce records.", group_thousands(&snap.workforce.len().to_string())));
    }
    if !snap.care_homes.is_empty() {
        l.footer.push(format!(
            "{} care homes with {} beds ({} located).",
            group_thousands(&snap.care_homes.len().to_string()),
            group_thousands(&snap.care_homes.iter().map(|h| u64::from(h.beds)).sum::<u64>().to_string()),
            group_thousands(&snap.care_homes.iter().filter(|h| h.location.is_some()).count().to_string()),
        ));
    }
    for w in &notes.warnings {
        l.footer.push(format!("warning: {w}"));
    }
    if !notes.warnings.is_empty() {
        l.meta.insert("warnings".into(), json!(notes.warnings));
    }
    if notes.had_coordinates {
        l.footer.push(format!(
            "Coordinates for {located} of {} active practices with a postcode ({coverage:.2}%).",
            notes.practices_with_postcode
        ));
        for (c, pc) in notes.missing_coordinates.iter().take(20) {
            l.footer.push(format!("  no coordinates: {c} ({pc})"));
        }
        if notes.missing_coordinates.len() > 20 {
            l.footer.push(format!("  … and {} more (see --json)", notes.missing_coordinates.len() - 20));
        }
    }
    l.print(args.format)
}

/// A snapshot's networks and memberships as of its date: in force, or history.
struct History {
    open_networks: usize,
    closed_networks: usize,
    current_memberships: usize,
    ended_memberships: usize,
    future_memberships: usize,
}

impl History {
    fn of(snap: &pcn_core::Snapshot) -> Self {
        let on = snap.as_of;
        let before = |d: Option<time::Date>| matches!((d, on), (Some(d), Some(a)) if d < a);
        let after = |d: Option<time::Date>| matches!((d, on), (Some(d), Some(a)) if d > a);
        let open_networks = snap.open_networks().count();
        let closed_networks = snap.networks.iter().filter(|n| before(n.close_date)).count();
        let current_memberships = snap.current_memberships().count();
        let ended_memberships = snap.memberships.iter().filter(|m| before(m.end)).count();
        let future_memberships = snap.memberships.iter().filter(|m| after(m.start)).count();
        Self { open_networks, closed_networks, current_memberships, ended_memberships, future_memberships }
    }
}

async fn snapshots(db: &std::path::Path, format: FormatArgs) -> anyhow::Result<()> {
    let store = Store::open(db).await?;
    let all = store.snapshots().await?;
    store.close().await;
    let mut l = Listing::new(
        "snapshots",
        vec!["id", "as_of", "imported_at", "practices", "active_practices", "networks", "memberships", "files"],
    );
    for s in &all {
        let files: Vec<String> = s.sources.iter().map(|f| format!("{} ({})", file_name(&f.path), f.kind)).collect();
        l.rows.push(vec![
            json!(s.id),
            json!(s.as_of.to_string()),
            json!(s.imported_at),
            json!(s.practices),
            json!(s.active_practices),
            json!(s.networks),
            json!(s.memberships),
            if format.json { json!(s.sources) } else { json!(files.join("; ")) },
        ]);
    }
    if all.is_empty() {
        l.footer.push("No snapshots yet: pcn import FILE...".into());
    }
    l.print(format)
}

fn file_name(path: &str) -> &str {
    std::path::Path::new(path).file_name().and_then(|s| s.to_str()).unwrap_or(path)
}

fn decimal_json(d: Decimal) -> Value {
    if d.fract().is_zero() {
        d.to_i64().map_or(Value::Null, Value::from)
    } else {
        d.round_dp(2).to_f64().map_or(Value::Null, Value::from)
    }
}

async fn practices(db: &std::path::Path, args: PracticesArgs) -> anyhow::Result<()> {
    let network = args.network.clone();
    let (id, snap) = load(db, args.snapshot, Include::default()).await?;
    let area = crate::icbs::area(id, &snap, args.commissioner.as_ref(), args.icb.as_ref())?;
    if let Some(n) = &network
        && !snap.networks.iter().any(|x| &x.code == n)
    {
        bail!(Usage(format!("network {n} is not in snapshot {id}")));
    }
    let registered = snap.registered_lists();
    let weighted = snap.weighted_lists();
    let mut network_of: HashMap<&pcn_core::PracticeCode, Vec<&NetworkCode>> = HashMap::new();
    for m in snap.current_memberships() {
        network_of.entry(&m.practice).or_default().push(&m.network);
    }
    let mut l = Listing::new(
        "practices",
        vec![
            "code",
            "name",
            "postcode",
            "status",
            "commissioner",
            "network",
            "registered_patients",
            "weighted_patients",
            "list_as_of",
            "list_source",
            "lat",
            "lon",
        ],
    );
    let mut total = Decimal::ZERO;
    for p in &snap.practices {
        let nets = network_of.get(&p.code).cloned().unwrap_or_default();
        let keep = match &network {
            Some(n) => nets.contains(&n),
            None => args.all || p.is_active_gp(),
        } && area.admits(p.commissioner.as_ref());
        if !keep {
            continue;
        }
        let reg = registered.get(&p.code);
        total += reg.map_or(Decimal::ZERO, |(n, _)| *n);
        l.rows.push(vec![
            json!(p.code.as_str()),
            json!(p.name),
            json!(p.postcode),
            json!(p.status.as_str()),
            json!(p.commissioner.as_ref().map(|c| c.as_str())),
            json!(nets.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" ")),
            reg.map_or(Value::Null, |(n, _)| decimal_json(*n)),
            weighted.get(&p.code).map_or(Value::Null, |w| decimal_json(*w)),
            json!(reg.map(|(_, ls)| ls.as_of.to_string())),
            json!(reg.map(|(_, ls)| ls.source.as_str())),
            json!(p.location.map(|l| l.lat)),
            json!(p.location.map(|l| l.lon)),
        ]);
    }
    l.meta.insert("snapshot".into(), json!(id));
    l.meta.insert("as_of".into(), json!(snap.as_of.map(|d| d.to_string())));
    l.meta.insert("count".into(), json!(l.rows.len()));
    l.meta.insert("registered_patients".into(), decimal_json(total));
    l.footer.push(format!(
        "{} practices, {} registered patients (snapshot {id}).",
        group_thousands(&l.rows.len().to_string()),
        group_thousands(&total.trunc().to_string())
    ));
    l.print(args.format)
}

async fn networks(db: &std::path::Path, args: NetworksArgs) -> anyhow::Result<()> {
    let (id, snap) = load(db, args.snapshot, Include::default()).await?;
    let area = crate::icbs::area(id, &snap, args.commissioner.as_ref(), args.icb.as_ref())?;
    let sizes = snap.network_sizes();
    let names: BTreeMap<&CommissionerCode, Option<&str>> =
        snap.commissioners.iter().map(|c| (&c.code, c.name.as_deref())).collect();
    let mut l = Listing::new(
        "networks",
        vec![
            "code",
            "name",
            "commissioner",
            "commissioner_name",
            "practices",
            "registered_patients",
            "weighted_patients",
        ],
    );
    let mut total = Decimal::ZERO;
    // Closed networks stay in the snapshot as history; the listing is of those open on its date.
    let closed = snap.networks.len() - snap.open_networks().count();
    for n in snap.open_networks() {
        if !area.admits(n.commissioner.as_ref()) {
            continue;
        }
        let size = sizes.get(&n.code).cloned().unwrap_or_default();
        total += size.registered;
        l.rows.push(vec![
            json!(n.code.as_str()),
            json!(n.name),
            json!(n.commissioner.as_ref().map(|c| c.as_str())),
            json!(n.commissioner.as_ref().and_then(|c| names.get(c).copied().flatten())),
            json!(size.practices),
            decimal_json(size.registered),
            size.weighted.map_or(Value::Null, decimal_json),
        ]);
    }
    l.meta.insert("snapshot".into(), json!(id));
    l.meta.insert("as_of".into(), json!(snap.as_of.map(|d| d.to_string())));
    l.meta.insert("count".into(), json!(l.rows.len()));
    l.meta.insert("registered_patients".into(), decimal_json(total));
    l.meta.insert("closed_networks".into(), json!(closed));
    l.footer.push(format!(
        "{} networks, {} registered patients in them (snapshot {id}).",
        group_thousands(&l.rows.len().to_string()),
        group_thousands(&total.trunc().to_string())
    ));
    if closed > 0 {
        l.footer.push(format!("{closed} networks closed by the snapshot's date are kept as history, not listed."));
    }
    l.print(args.format)
}

/// Writes the synthetic area's files; returns their paths.
fn synth(args: SynthArgs) -> anyhow::Result<Vec<std::path::PathBuf>> {
    if args.practices == 0 || args.practices > pcn_synth::MAX_PRACTICES {
        bail!(Usage(format!("--practices must be between 1 and {}", pcn_synth::MAX_PRACTICES)));
    }
    let cfg = pcn_synth::Config { practices: args.practices, seed: args.seed };
    let area = pcn_synth::generate(&cfg);
    let files = pcn_synth::write_files(&area, &args.out, args.vintage)
        .with_context(|| format!("writing into {}", args.out.display()))?;
    println!(
        "Wrote a synthetic area of {} practices, {} commissioners, {} networks (seed {}) to {}, as the files of {}:",
        group_thousands(&area.practices.len().to_string()),
        area.commissioners.len(),
        area.networks.len(),
        args.seed,
        args.out.display(),
        args.vintage.extract_date(&area)
    );
    for f in &files {
        println!("  {}", f.display());
    }
    Ok(files)
}

/// Synthesise, import, list: the same path a user's downloaded files take.
async fn demo(db: &std::path::Path, args: DemoArgs) -> anyhow::Result<()> {
    // Only the files this run wrote: the folder may hold another vintage's.
    let files =
        synth(SynthArgs { practices: args.practices, seed: args.seed, out: args.dir.clone(), vintage: args.vintage })?;
    println!();
    import(db, ImportArgs { files, as_of: None, payments_year: None, format: FormatArgs::default() }).await?;
    println!();
    networks(db, NetworksArgs { snapshot: None, commissioner: None, icb: None, format: FormatArgs::default() }).await?;
    println!();
    crate::check::run(
        db,
        crate::cli::CheckArgs {
            snapshot: None,
            year: None,
            commissioner: None,
            icb: None,
            approvals: None,
            governance: None,
            json: false,
            timings: false,
            summary: true,
        },
    )
    .await?;
    println!("\nRepairing today's configuration (the fewest changes that clear the errors it can):\n");
    crate::form::run(db, crate::cli::FormArgs::repair_default()).await?;
    println!();
    crate::register::sync(
        db,
        crate::cli::RegisterSyncArgs {
            snapshot: None,
            effective: None,
            who: crate::cli::WhoArgs { actor: "demo".into(), reason: "the demo's snapshot".into() },
            json: false,
        },
    )
    .await?;
    let year = match args.vintage {
        pcn_synth::Vintage::Ccg2021 => "2020/21",
        pcn_synth::Vintage::Icb2026 => "2025/26",
    };
    println!(
        "\nThe store is {0}: try `pcn --db {0} check`, `pcn --db {0} icbs`, `pcn --db {0} form --mode scratch`, `pcn --db {0} pay --year {year}`.",
        db.display()
    );
    if let Some(addr) = &args.serve {
        demo_users(db).await?;
        crate::serve::serve(db, addr, Default::default()).await?;
    }
    Ok(())
}

/// Two demo users with fresh random passwords, printed once: a commissioner
/// for the area with most networks and a manager of one of its networks.
async fn demo_users(db: &std::path::Path) -> anyhow::Result<()> {
    let store = Store::open(db).await?;
    let id = store.latest_snapshot().await?;
    let snap = store.load_snapshot(id, Include::default()).await?;
    let mut by: BTreeMap<&CommissionerCode, Vec<&NetworkCode>> = BTreeMap::new();
    for n in &snap.networks {
        if let Some(c) = &n.commissioner {
            by.entry(c).or_default().push(&n.code);
        }
    }
    let Some((c, nets)) = by.into_iter().max_by_key(|(c, v)| (v.len(), std::cmp::Reverse(*c))) else {
        store.close().await;
        return Ok(());
    };
    println!("\nDemo users (passwords are new each run):");
    for (name, role, commissioner, network) in [
        ("commissioner", pcn_core::Role::Commissioner, Some(c.clone()), None),
        ("manager", pcn_core::Role::Network, None, Some(nets[0].clone())),
    ] {
        let password = pcn_workbench::accounts::random_token()[..16].to_string();
        let args = crate::cli::UserAddArgs {
            username: name.into(),
            role,
            commissioner: commissioner.clone(),
            network: network.clone(),
            password_stdin: false,
        };
        crate::users::put(&store, &args, &password).await?;
        let scope = commissioner.map(|c| c.to_string()).or(network.map(|n| n.to_string())).unwrap_or_default();
        println!("  {name:<13} password {password}  ({role} for {scope})");
    }
    store.close().await;
    println!();
    Ok(())
}
