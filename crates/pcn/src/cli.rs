//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use pcn_core::register::ProposalStatus;
use pcn_core::{CommissionerCode, FinancialYear, IcbCode, Money, NetworkCode, PracticeCode, Role};
use time::Date;

/// A day as people write it (`YYYY-MM-DD`), in the range the API accepts too.
fn day(s: &str) -> Result<Date, pcn_core::day::DayError> {
    pcn_core::day::parse(s)
}

/// Pounds, as `1234.56` (no more than two decimals).
fn pounds(s: &str) -> Result<Money, String> {
    Money::parse_pounds(s).filter(|m| m.pence() >= 0).ok_or_else(|| format!("{s:?} is not an amount in pounds"))
}

fn vintage(s: &str) -> Result<pcn_synth::Vintage, String> {
    pcn_synth::Vintage::parse(s).ok_or_else(|| {
        let all: Vec<&str> = pcn_synth::Vintage::ALL.iter().map(|v| v.as_str()).collect();
        format!("{s:?}: one of {}", all.join(", "))
    })
}

fn status(s: &str) -> Result<ProposalStatus, String> {
    ProposalStatus::parse(s).ok_or_else(|| format!("{s:?}: open, approved or rejected"))
}

#[derive(Parser, Debug)]
#[command(name = "pcn", version, about = "Primary Care Networks: import NHS data, check, form, fund and map networks")]
#[command(
    after_help = "Exit codes: 0 success, 1 findings that are errors (check), 2 bad usage or input, 3 internal failure."
)]
pub struct Cli {
    /// The store (SQLite database file).
    #[arg(long, global = true, env = "PCN_DB", default_value = "pcn.db")]
    pub db: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The main job on demo data: synthesise an area, import it, list its networks.
    Demo(DemoArgs),
    /// Import NHS/ONS files (any mix, detected from content) as one snapshot.
    Import(ImportArgs),
    /// List stored snapshots.
    Snapshots(FormatArgs),
    /// List practices of a snapshot.
    Practices(PracticesArgs),
    /// List networks of a snapshot with their size.
    Networks(NetworksArgs),
    /// The commissioner hierarchy by ICB: sub-ICB locations, networks, practices, patients, findings.
    Icbs(IcbsArgs),
    /// Write a deterministic synthetic England-like area as NHS-format files.
    Synth(SynthArgs),
    /// Form a new configuration, repair today's, or evaluate one.
    Form(FormArgs),
    /// Entitlements of every network and practice for a year, with their basis.
    Pay(PayArgs),
    /// Compare computed entitlements with an NHS Payments to General Practice file.
    Reconcile(ReconcileArgs),
    /// ARRS: what each post can claim, what is cut and why, headroom; or plan a mix of roles.
    Arrs(ArrsArgs),
    /// Write each network's statement of entitlements for a year (CSV and HTML).
    Statement(StatementArgs),
    /// Rate tables: list the years, show one, check a user's table or an ICB's Local Variation Agreement.
    #[command(subcommand)]
    Rates(RatesCommand),
    /// Check a snapshot's configuration against every DES rule.
    Check(CheckArgs),
    /// List the rule catalogue.
    Rules(FormatArgs),
    /// The network register: bring it to a snapshot's dated state, read its change log.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// One network in the register: as of a date, or its history.
    #[command(subcommand)]
    Network(NetworkCommand),
    /// One practice's history in the register.
    #[command(subcommand)]
    Practice(PracticeCommand),
    /// Propose a change to the register (checked against the rules; decided by the commissioner).
    Propose(ProposeArgs),
    /// List proposals.
    Proposals(ProposalsArgs),
    /// Approve proposals: each is re-checked against the rules and applied atomically.
    Approve(DecideArgs),
    /// Reject proposals.
    Reject(DecideArgs),
    /// Export data for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Time the main jobs (each in a fresh process, with its peak memory) and print a table.
    Bench(BenchArgs),
    /// Serve the web app and the HTTP API (OpenAPI at /api/openapi.json) until stopped.
    Serve(ServeArgs),
    /// Network profiles: size, rurality, deprivation and disease prevalence beside the commissioner and England.
    Profile(ProfileArgs),
    /// The national service specifications: what is in force in a year, a network's checklist, marking done.
    #[command(subcommand)]
    Services(ServicesCommand),
    /// Users of the web app and API: add, list, mint an API token.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Args, Debug)]
pub struct ProfileArgs {
    /// One network's full profile (default: a row per network).
    pub network: Option<NetworkCode>,
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Only networks of this commissioner (for the list).
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM or D7T5G.
    #[arg(long)]
    pub icb: Option<IcbCode>,
    /// Print how long the profiles took to compute (stderr).
    #[arg(long)]
    pub timings: bool,
    /// List the needs-based prompts instead (hypertension far below what deprivation suggests,
    /// care homes near a network that its Care Home Premium does not cover).
    #[arg(long)]
    pub prompts: bool,
    /// List the care homes (CQC directory) instead, each with the network of its nearest member practice.
    #[arg(long, conflicts_with = "prompts")]
    pub care_homes: bool,
    /// Compare one network's profile with its profile in this (earlier) snapshot.
    #[arg(long, requires = "network")]
    pub against: Option<i64>,
    /// Write one network's profile as a printable HTML page to this file.
    #[arg(long, requires = "network")]
    pub html: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Subcommand, Debug)]
pub enum ServicesCommand {
    /// The specifications in force in a year and their requirements.
    List(ServicesListArgs),
    /// A network's checklist on a day: overdue, due, done (with evidence).
    Checklist(ServicesChecklistArgs),
    /// Mark a network's requirement done on a date, with its evidence.
    Mark(ServicesMarkArgs),
}

#[derive(Args, Debug)]
pub struct ServicesListArgs {
    /// Financial year (default: the one containing today).
    #[arg(long)]
    pub year: Option<FinancialYear>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct ServicesChecklistArgs {
    pub network: NetworkCode,
    /// The day to judge on (default: today).
    #[arg(long, value_parser = day)]
    pub on: Option<Date>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct ServicesMarkArgs {
    pub network: NetworkCode,
    /// Requirement id (see `pcn services list`), e.g. smr.capacity.
    pub requirement: String,
    #[arg(long, value_parser = day)]
    pub done_on: Date,
    #[arg(long)]
    pub evidence: String,
    /// Your name or role.
    #[arg(long, env = "PCN_ACTOR")]
    pub actor: String,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user, or replace an existing user's password and role (ending their sessions).
    Add(UserAddArgs),
    /// List users.
    List(FormatArgs),
    /// Mint an API token for a user (printed once; send as `Authorization: Bearer <token>`).
    Token(UserTokenArgs),
}

#[derive(Args, Debug)]
pub struct UserAddArgs {
    pub username: String,
    /// admin, commissioner (edit and approve in one area) or network (a network manager).
    #[arg(long)]
    pub role: Role,
    /// The commissioner a commissioner user acts for (e.g. 15E).
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// The network a network manager acts for (e.g. U12345).
    #[arg(long)]
    pub network: Option<NetworkCode>,
    /// Read the password from the first line of standard input (otherwise PCN_PASSWORD).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Args, Debug)]
pub struct UserTokenArgs {
    pub username: String,
    /// Days the token lasts.
    #[arg(long, default_value_t = 90)]
    pub days: i64,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The store to serve (default: --db): a SQLite file or postgres://...
    #[arg(long)]
    pub database_url: Option<String>,
    /// Seconds a client may take to send a request's head, and may leave a
    /// kept-alive connection idle, before it is closed.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_head_timeout: u64,
    /// Connections served at once; beyond this, new clients wait to be accepted.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
}

#[derive(Args, Debug, Clone, Copy, Default)]
pub struct FormatArgs {
    /// Print JSON for machines.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV for machines.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Files to import: epraccur, gp-reg-pat-prac-all, ePCN (.xlsx or CSV sheets), QOF mapping and
    /// prevalence, postcode coordinates, NHS payments, LSOA lookups, boundary GeoJSON.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The snapshot's date (YYYY-MM-DD), needed when no file carries one.
    #[arg(long, value_parser = day)]
    pub as_of: Option<Date>,
    /// Financial year of payments files whose names do not say (e.g. 2020/21).
    #[arg(long)]
    pub payments_year: Option<FinancialYear>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct PracticesArgs {
    /// Snapshot id (default: the latest).
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Only members of this network (any status).
    #[arg(long)]
    pub network: Option<NetworkCode>,
    /// Only practices of this commissioner.
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM or D7T5G.
    #[arg(long)]
    pub icb: Option<IcbCode>,
    /// Include closed, dormant and unknown-status practices.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct NetworksArgs {
    /// Snapshot id (default: the latest).
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Only networks of this commissioner.
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM or D7T5G.
    #[arg(long)]
    pub icb: Option<IcbCode>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct IcbsArgs {
    /// Snapshot id (default: the latest).
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Financial year whose rules the findings are counted under (default: the snapshot's).
    #[arg(long)]
    pub year: Option<FinancialYear>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Number of practices.
    #[arg(long, default_value_t = 600)]
    pub practices: usize,
    /// Random seed: the same seed gives byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write the files into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Whose files: icb-2026 (today's England: sub-ICB locations, five-character ICB codes, the
    /// practice map, payments 2024/25) or ccg-2021 (CCGs and STPs, payments 2020/21).
    #[arg(long, default_value = "icb-2026", value_parser = vintage)]
    pub vintage: pcn_synth::Vintage,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The real NHS data folder (default: $PCN_DATA_DIR); its benchmarks are skipped without one.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Runs per benchmark (the table shows the minimum and the median).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Practices in the synthetic import benchmark.
    #[arg(long, default_value_t = 60_000)]
    pub synth_practices: usize,
    /// Practices in the synthetic formation benchmark (10x England).
    #[arg(long, default_value_t = 66_000)]
    pub tenfold_practices: usize,
    /// Only the benchmarks whose name contains this text.
    #[arg(long)]
    pub only: Option<String>,
    /// Instead: load the web server on loopback with wrk (what-if moves, the England map).
    #[arg(long)]
    pub serve: bool,
    /// Seconds of load per server benchmark.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Practices in the synthetic area.
    #[arg(long, default_value_t = 600)]
    pub practices: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the synthetic NHS-format files are written.
    #[arg(long, default_value = "demo")]
    pub dir: PathBuf,
    /// Whose files the demo writes: icb-2026 (today's England) or ccg-2021.
    #[arg(long, default_value = "icb-2026", value_parser = vintage)]
    pub vintage: pcn_synth::Vintage,
    /// Then serve the web app on this address (e.g. 127.0.0.1:8080), with demo users.
    #[arg(long, num_args = 0..=1, default_missing_value = "127.0.0.1:8080")]
    pub serve: Option<String>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Snapshot id (default: the latest).
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Financial year whose rules apply (default: the year containing the snapshot's date).
    #[arg(long)]
    pub year: Option<FinancialYear>,
    /// Only this commissioner's networks and practices.
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM or D7T5G.
    #[arg(long)]
    pub icb: Option<IcbCode>,
    /// Approvals and waivers (CSV: kind,network,practice,reference,from,to,note).
    #[arg(long)]
    pub approvals: Option<PathBuf>,
    /// Governance records (CSV: network,clinical_director,nominated_payee,agreement_signed).
    #[arg(long)]
    pub governance: Option<PathBuf>,
    /// Print JSON for machines.
    #[arg(long)]
    pub json: bool,
    /// Print the time of each phase (load, model, graph, check) to standard error.
    #[arg(long)]
    pub timings: bool,
    /// Only the summary (counts by rule), not every finding.
    #[arg(long)]
    pub summary: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormMode {
    /// A whole new configuration.
    Scratch,
    /// The fewest changes to today's configuration that clear its fixable errors.
    Repair,
    /// Measure the configuration in --assignment with the same code.
    Evaluate,
}

#[derive(Args, Debug)]
pub struct FormArgs {
    #[arg(long, value_enum, default_value = "repair")]
    pub mode: FormMode,
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Only this commissioner's area (the rest stays as it is).
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM or D7T5G.
    #[arg(long)]
    pub icb: Option<IcbCode>,
    /// Random seed: the same seed gives the same configuration.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop improving after this many seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Ignore commissioner boundaries (one area; for comparisons).
    #[arg(long)]
    pub ignore_commissioners: bool,
    /// Write the configuration as an ePCN core-partner CSV.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// For --mode evaluate: a CSV of practice,network (or the ePCN core-partner layout).
    #[arg(long)]
    pub assignment: Option<PathBuf>,
    /// What-if: this practice closes (repeatable).
    #[arg(long)]
    pub close: Vec<PracticeCode>,
    /// What-if: INTO:FROM, the second practice merges into the first (repeatable).
    #[arg(long, value_parser = pcn_form::edits::parse_merge)]
    pub merge: Vec<pcn_form::edits::Edit>,
    /// What-if: PRACTICE:PERCENT list growth (repeatable).
    #[arg(long, value_parser = pcn_form::edits::parse_grow)]
    pub grow: Vec<pcn_form::edits::Edit>,
    /// What-if: every list grows by this percentage.
    #[arg(long)]
    pub grow_all: Option<f64>,
    /// What-if: this practice opts out and needs a covering network (repeatable).
    #[arg(long)]
    pub opt_out: Vec<PracticeCode>,
    /// Print JSON for machines.
    #[arg(long)]
    pub json: bool,
    /// Print the time of each phase (load, model, solve) to standard error.
    #[arg(long)]
    pub timings: bool,
}

impl FormArgs {
    /// `pcn form --mode repair` with every other option at its default.
    pub fn repair_default() -> Self {
        FormArgs {
            mode: FormMode::Repair,
            snapshot: None,
            commissioner: None,
            icb: None,
            seed: 1,
            time_limit: None,
            ignore_commissioners: false,
            out: None,
            assignment: None,
            close: vec![],
            merge: vec![],
            grow: vec![],
            grow_all: None,
            opt_out: vec![],
            json: false,
            timings: false,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The register as of a date in the ePCN core-partners format (CSV).
    Epcn(ExportEpcnArgs),
    /// The register's change log between two dates, as an ODS-style change notice (CSV or JSON).
    Changes(ExportChangesArgs),
    /// Practices and network areas as GeoJSON (WGS84, RFC 7946).
    Geojson(GeojsonArgs),
    /// The practice adjacency graph formation uses: practices.csv and edges.csv.
    Adjacency(AdjacencyArgs),
}

#[derive(Args, Debug)]
pub struct AdjacencyArgs {
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Directory for practices.csv and edges.csv (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct GeojsonArgs {
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Only this commissioner's networks and practices.
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// Only the sub-ICB locations (CCGs) of this ICB (STP), e.g. QHM or D7T5G.
    #[arg(long)]
    pub icb: Option<IcbCode>,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayBy {
    Network,
    Practice,
    Month,
}

#[derive(Args, Debug)]
pub struct PayArgs {
    /// Financial year, e.g. 2020/21.
    #[arg(long)]
    pub year: FinancialYear,
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Only this network.
    #[arg(long, conflicts_with_all = ["commissioner", "icb"])]
    pub network: Option<NetworkCode>,
    /// Only the networks of this commissioner (sub-ICB location or CCG).
    #[arg(long)]
    pub commissioner: Option<CommissionerCode>,
    /// Only the networks of this ICB's sub-ICB locations.
    #[arg(long)]
    pub icb: Option<IcbCode>,
    /// Rows per network (streams as columns), per practice, or per network and month.
    #[arg(long, value_enum, default_value = "network")]
    pub by: PayBy,
    /// Approvals CSV: non-participant rows name the covering network.
    #[arg(long)]
    pub approvals: Option<PathBuf>,
    #[command(flatten)]
    pub counts: NetworkCounts,
    #[command(flatten)]
    pub rate_files: RateFiles,
    /// Print phase timings (load, inputs, entitlements) to stderr for `pcn bench`.
    #[arg(long)]
    pub timings: bool,
    /// --json prints every line with its basis; --csv the table.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// Per-network inputs the snapshot does not carry.
#[derive(Args, Debug, Clone, Default)]
pub struct NetworkCounts {
    /// CSV `network,beds`: beds in care homes aligned to each network (care home premium).
    #[arg(long)]
    pub beds: Option<PathBuf>,
    /// Estimate the beds from the snapshot's CQC directory instead: each care home's beds to the
    /// network of its nearest member practice (an estimate: alignments are agreed locally).
    #[arg(long, conflicts_with = "beds")]
    pub beds_from_cqc: bool,
    /// CSV `network,points`: IIF points each network achieved.
    #[arg(long)]
    pub iif_points: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ReconcileArgs {
    /// An NHS Payments to General Practice practice-level CSV (e.g. nhspaymentsgp-20-21-prac-csv.csv).
    #[arg(long)]
    pub payments: PathBuf,
    /// Financial year, e.g. 2020/21; must agree with the file's name when it carries one.
    #[arg(long)]
    pub year: Option<FinancialYear>,
    /// The snapshot holding the configuration and list sizes (default: the latest).
    #[arg(long)]
    pub snapshot: Option<i64>,
    #[command(flatten)]
    pub counts: NetworkCounts,
    /// ARRS staff records (as for `pcn arrs --staff`): compares "PCN Workforce" with their claims.
    #[arg(long)]
    pub staff: Option<PathBuf>,
    #[command(flatten)]
    pub rate_files: RateFiles,
    /// How many of the largest differences to list per stream.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// --json prints the summary per stream and every compared item; --csv one row per item.
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct ArrsArgs {
    /// Financial year, e.g. 2021/22.
    #[arg(long)]
    pub year: FinancialYear,
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Staff records CSV: network,role,wte,start,end,salary,on_costs,baseline.
    #[arg(long, required_unless_present = "plan")]
    pub staff: Option<PathBuf>,
    /// Plan instead: a wish list CSV role,wte,cost_per_wte for --network (or --budget).
    #[arg(long, conflicts_with = "staff")]
    pub plan: Option<PathBuf>,
    /// The network to plan for (its ARRS sum is the budget), or to list claims of.
    #[arg(long)]
    pub network: Option<NetworkCode>,
    /// Budget in pounds for --plan, instead of the network's ARRS sum.
    #[arg(long, value_parser = pounds)]
    pub budget: Option<Money>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct StatementArgs {
    /// Financial year, e.g. 2020/21.
    #[arg(long)]
    pub year: FinancialYear,
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// Only this network (default: every network).
    #[arg(long)]
    pub network: Option<NetworkCode>,
    /// Directory to write NETWORK-YEAR.csv and .html into (created if absent).
    #[arg(long, default_value = "statements")]
    pub out: PathBuf,
    /// Also write NETWORK-YEAR.pdf (needs pcn built with `--features pdf`).
    #[arg(long)]
    pub pdf: bool,
    #[arg(long)]
    pub approvals: Option<PathBuf>,
    #[command(flatten)]
    pub counts: NetworkCounts,
    #[command(flatten)]
    pub rate_files: RateFiles,
}

/// Who is making a change and why: recorded with it for ever.
#[derive(Args, Debug, Clone)]
pub struct WhoArgs {
    /// Your name or role.
    #[arg(long, env = "PCN_ACTOR")]
    pub actor: String,
    /// Why.
    #[arg(long)]
    pub reason: String,
}

#[derive(Subcommand, Debug)]
pub enum RegisterCommand {
    /// Bring the register to a snapshot's memberships as of a date (the changes that lead there are recorded).
    Sync(RegisterSyncArgs),
    /// The change log (who, when, why), optionally for a network, a practice or a date range.
    Log(RegisterLogArgs),
    /// Record a signed network agreement.
    Agreement(EditAgreementArgs),
    /// Add or remove a non-core partner (recorded, never counted as a member).
    Partner(EditPartnerArgs),
    /// Record that a network covers a non-participating practice, or end it.
    NonParticipant(EditNonParticipantArgs),
    /// Record commissioner approvals and waivers from an approvals CSV.
    Approvals(EditFileArgs),
    /// Record clinical directors, nominated payees and agreements from a governance CSV.
    Governance(EditFileArgs),
    /// For `pcn bench`: many proposals at once (director changes and moves), unchecked.
    #[command(hide = true)]
    SeedProposals(SeedProposalsArgs),
}

#[derive(Args, Debug)]
pub struct SeedProposalsArgs {
    #[arg(long)]
    pub count: usize,
    #[arg(long, value_parser = day)]
    pub effective: Date,
}

#[derive(Args, Debug)]
pub struct RegisterSyncArgs {
    #[arg(long)]
    pub snapshot: Option<i64>,
    /// The date the snapshot's state takes effect (default: the snapshot's date).
    #[arg(long, value_parser = day)]
    pub effective: Option<Date>,
    #[command(flatten)]
    pub who: WhoArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RegisterLogArgs {
    #[arg(long)]
    pub network: Option<NetworkCode>,
    #[arg(long)]
    pub practice: Option<PracticeCode>,
    #[arg(long, value_parser = day)]
    pub from: Option<Date>,
    #[arg(long, value_parser = day)]
    pub to: Option<Date>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// A network as of a date: members, covered non-participants, director, payee, agreement, partners, approvals.
    Show(NetworkShowArgs),
    /// Every change to a network.
    History(HistoryArgs),
}

#[derive(Args, Debug)]
pub struct NetworkShowArgs {
    /// A network code, or --all.
    #[arg(required_unless_present = "all")]
    pub code: Option<NetworkCode>,
    /// Every network.
    #[arg(long)]
    pub all: bool,
    /// The date (default: today).
    #[arg(long, value_parser = day)]
    pub as_of: Option<Date>,
    /// Print the query time to stderr for `pcn bench`.
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Subcommand, Debug)]
pub enum PracticeCommand {
    /// Every network a practice has belonged to, and every change about it.
    History(HistoryArgs),
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    pub code: String,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct ProposeArgs {
    #[command(subcommand)]
    pub kind: ProposeKind,
}

#[derive(Subcommand, Debug)]
pub enum ProposeKind {
    /// A practice joins a network (leaving any other the day before).
    Join(ProposeMember),
    /// A practice leaves a network.
    Leave(ProposeMember),
    /// Every member of FROM joins INTO; FROM closes.
    Merge(ProposeMerge),
    /// A new network takes some members of FROM.
    Split(ProposeSplit),
    /// A new clinical director (a practising clinician from a member practice).
    Director(ProposeDirector),
    /// A new nominated payee (a member practice or provider).
    Payee(ProposePayee),
}

#[derive(Args, Debug)]
pub struct ProposalCommon {
    /// The first day the change applies.
    #[arg(long, value_parser = day)]
    pub effective: Date,
    #[command(flatten)]
    pub who: WhoArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ProposeMember {
    pub network: NetworkCode,
    pub practice: PracticeCode,
    #[command(flatten)]
    pub common: ProposalCommon,
}

#[derive(Args, Debug)]
pub struct ProposeMerge {
    pub from: NetworkCode,
    pub into: NetworkCode,
    #[command(flatten)]
    pub common: ProposalCommon,
}

#[derive(Args, Debug)]
pub struct ProposeSplit {
    pub from: NetworkCode,
    pub new: NetworkCode,
    /// Members of FROM that move to NEW.
    #[arg(required = true, num_args = 1..)]
    pub practices: Vec<PracticeCode>,
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub common: ProposalCommon,
}

#[derive(Args, Debug)]
pub struct ProposeDirector {
    pub network: NetworkCode,
    pub name: String,
    /// The member practice the director works in.
    #[arg(long)]
    pub practice: PracticeCode,
    #[command(flatten)]
    pub common: ProposalCommon,
}

#[derive(Args, Debug)]
pub struct ProposePayee {
    pub network: NetworkCode,
    pub payee: String,
    #[command(flatten)]
    pub common: ProposalCommon,
}

#[derive(Args, Debug)]
pub struct ProposalsArgs {
    /// open, approved or rejected (default: all).
    #[arg(long, value_parser = status)]
    pub status: Option<ProposalStatus>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct DecideArgs {
    /// Proposal ids.
    pub ids: Vec<i64>,
    /// Every open proposal, oldest first.
    #[arg(long)]
    pub all_open: bool,
    /// Approve even if the rules check finds new errors (the findings are recorded with the decision).
    #[arg(long)]
    pub accept_findings: bool,
    #[command(flatten)]
    pub who: WhoArgs,
    /// Print phase timings to stderr for `pcn bench`.
    #[arg(long)]
    pub timings: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ExportEpcnArgs {
    /// The date (default: today).
    #[arg(long, value_parser = day)]
    pub as_of: Option<Date>,
    /// The CSV file to write (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ExportChangesArgs {
    #[arg(long, value_parser = day)]
    pub from: Option<Date>,
    #[arg(long, value_parser = day)]
    pub to: Option<Date>,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// A direct edit of the register by the commissioner.
#[derive(Args, Debug)]
pub struct EditCommon {
    /// The first day the edit applies (default: today).
    #[arg(long, value_parser = day)]
    pub effective: Option<Date>,
    /// The network's version the edit is based on (refused if it has moved on).
    #[arg(long)]
    pub expect_version: Option<i64>,
    #[command(flatten)]
    pub who: WhoArgs,
}

#[derive(Args, Debug)]
pub struct EditAgreementArgs {
    pub network: NetworkCode,
    /// The date the agreement was signed.
    #[arg(long, value_parser = day)]
    pub signed: Date,
    /// All its schedules are completed.
    #[arg(long)]
    pub schedules_complete: bool,
    #[command(flatten)]
    pub common: EditCommon,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnerEdit {
    Add,
    Remove,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverEdit {
    Add,
    End,
}

#[derive(Args, Debug)]
pub struct EditPartnerArgs {
    /// add or remove.
    #[arg(value_enum)]
    pub what: PartnerEdit,
    pub network: NetworkCode,
    pub organisation: String,
    /// e.g. community provider, pharmacy, voluntary sector (for add).
    #[arg(long, default_value = "partner")]
    pub kind: String,
    #[command(flatten)]
    pub common: EditCommon,
}

#[derive(Args, Debug)]
pub struct EditNonParticipantArgs {
    /// add or end.
    #[arg(value_enum)]
    pub what: CoverEdit,
    /// The covering network.
    pub network: NetworkCode,
    pub practice: PracticeCode,
    #[command(flatten)]
    pub common: EditCommon,
}

#[derive(Args, Debug)]
pub struct EditFileArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub common: EditCommon,
}

/// `pcn rates`: the rate tables, built in and the user's, and ICB Local Variation Agreements.
#[derive(Subcommand, Debug)]
pub enum RatesCommand {
    /// The years with a table (built in, and any given with --rates), with sources and confidence.
    List(RatesListArgs),
    /// Every stream and ARRS role of a year: rate, basis, source, confidence; streams without a rate and why.
    Show(RatesShowArgs),
    /// Validate a year table or an ICB Local Variation Agreement (told apart by its keys).
    Check(RatesCheckArgs),
}

#[derive(Args, Debug)]
pub struct RatesListArgs {
    #[command(flatten)]
    pub files: RateFiles,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct RatesShowArgs {
    /// Financial year, e.g. 2026/27.
    pub year: FinancialYear,
    /// Show the rates in force for this ICB's networks (with its --overlay files applied).
    #[arg(long, value_name = "ICB")]
    pub for_icb: Option<pcn_core::IcbCode>,
    #[command(flatten)]
    pub files: RateFiles,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct RatesCheckArgs {
    /// A year table (`2026-27.toml`) or an overlay (it names an `icb`).
    pub file: PathBuf,
    /// Check an overlay against this year table (default: the built-in table of its year).
    #[arg(long = "rates", value_name = "FILE")]
    pub rates: Vec<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

/// The user's rate files, for the commands that compute money.
#[derive(Args, Debug, Clone, Default)]
pub struct RateFiles {
    /// A year's rate table (TOML in the built-in tables' schema; its name, e.g. 2026-27.toml, gives
    /// the year), validated like them: replaces the built-in table of its year. Repeatable.
    #[arg(long = "rates", value_name = "FILE")]
    pub rates: Vec<PathBuf>,
    /// An ICB's Local Variation Agreement (TOML overlay, from 1 May 2026): varies the rates of that
    /// ICB's networks from its effective date, month by month. Repeatable.
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
}
