//! The checker: a configuration and its inputs in, findings out.
//!
//! Findings about a network depend only on that network's members, except the
//! "no donuts" rules (enclave, uncovered hole), which by their nature look at
//! the neighbours too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pcn_core::limits::{CEILING, FLOOR};
use pcn_core::text::thousands;
use pcn_core::{Approval, ApprovalKind, CommissionerCode, FinancialYear, Governance, NetworkCode, PracticeCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::catalogue::{Rule, Severity};
use crate::model::{Configuration, Model, is_sparse};

/// Contracts that allow a practice to be a core member.
const CORE_CONTRACTS: [&str; 3] = ["GMS", "PMS", "APMS"];
/// Waiver evidence thresholds: most of the list in sparse LSOAs, or few patients per km².
const SPARSE_SHARE: f64 = 0.5;
const SPARSE_DENSITY_PER_KM2: f64 = 60.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub practices: Vec<PracticeCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commissioner: Option<CommissionerCode>,
    pub message: String,
    pub facts: Value,
}

#[derive(Debug, Clone, Default)]
pub struct CheckInputs {
    pub year: Option<FinancialYear>,
    pub approvals: Vec<Approval>,
    /// `None`: no governance data, so the governance rules are not evaluated.
    pub governance: Option<Vec<Governance>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluated {
    pub rule: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub year: String,
    pub networks: usize,
    pub practices: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
    pub not_evaluated: Vec<NotEvaluated>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

/// The networks of each practice: computed from the configuration, or
/// borrowed from a caller that already has them with a few practices
/// overridden (an edit's moves), so checking one edit does not rebuild the
/// list for every practice in England.
struct NetworksOf<'a> {
    base: std::borrow::Cow<'a, [Vec<u32>]>,
    changed: HashMap<u32, Vec<u32>>,
}

impl NetworksOf<'_> {
    fn of(&self, p: u32) -> &[u32] {
        self.changed.get(&p).map_or_else(|| self.base[p as usize].as_slice(), Vec::as_slice)
    }

    fn iter(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.base.len() as u32).map(|p| self.of(p))
    }
}

struct Ctx<'a> {
    model: &'a Model,
    config: &'a Configuration,
    networks_of: NetworksOf<'a>,
    /// Practices covered as non-participants, by network.
    covered_by: HashMap<u32, u32>,
    approvals: &'a [Approval],
    governance: Option<HashMap<&'a NetworkCode, &'a Governance>>,
    year: FinancialYear,
}

impl Ctx<'_> {
    fn approval(&self, kind: ApprovalKind, n: u32, practice: Option<u32>) -> Option<&Approval> {
        let code = &self.model.networks[n as usize].code;
        let pcode = practice.map(|p| &self.model.practices[p as usize].code);
        self.approvals.iter().find(|a| {
            a.kind == kind
                && &a.network == code
                && a.in_force_on(self.year.start())
                && (a.practice.is_none() || a.practice.as_ref() == pcode)
        })
    }

    fn registered(&self, ps: &[u32]) -> i64 {
        ps.iter().map(|&p| self.model.practices[p as usize].registered).sum()
    }

    fn codes(&self, ps: &[u32]) -> Vec<PracticeCode> {
        ps.iter().map(|&p| self.model.practices[p as usize].code.clone()).collect()
    }

    /// Practices at the given sites.
    fn at_sites(&self, sites: &[u32]) -> Vec<u32> {
        let mut v: Vec<u32> =
            sites.iter().flat_map(|&s| self.model.site_practices[s as usize].iter().copied()).collect();
        v.sort_unstable();
        v
    }

    fn is_covered(&self, p: u32) -> bool {
        !self.networks_of.of(p).is_empty() || self.covered_by.contains_key(&p)
    }
}

fn finding(rule: Rule, severity: Severity, message: String, facts: Value) -> Finding {
    Finding { rule: rule.id(), severity, network: None, practices: Vec::new(), commissioner: None, message, facts }
}

pub fn check(model: &Model, config: &Configuration, inputs: &CheckInputs) -> Report {
    let all: Vec<u32> = (0..model.networks.len() as u32).collect();
    let mut findings = check_networks(model, config, inputs, &all);
    let ctx = context(model, config, inputs);
    findings.extend(practice_findings(&ctx));
    findings.extend(snapshot_findings(&ctx));
    sort(&mut findings);
    let summary = summarise(
        model,
        inputs,
        &ctx.year,
        &findings,
        model.networks.len(),
        model.practices.iter().filter(|p| p.active).count(),
    );
    Report { summary, findings }
}

fn context<'a>(model: &'a Model, config: &'a Configuration, inputs: &'a CheckInputs) -> Ctx<'a> {
    let networks_of = NetworksOf {
        base: std::borrow::Cow::Owned(config.networks_of(model.practices.len())),
        changed: HashMap::new(),
    };
    context_with(model, config, networks_of, inputs)
}

fn context_with<'a>(
    model: &'a Model,
    config: &'a Configuration,
    networks_of: NetworksOf<'a>,
    inputs: &'a CheckInputs,
) -> Ctx<'a> {
    let year = inputs.year.unwrap_or_else(|| FinancialYear::containing(model.as_of));
    let mut covered_by = HashMap::new();
    for a in inputs.approvals.iter().filter(|a| a.kind == ApprovalKind::NonParticipant && a.in_force_on(year.start())) {
        if let (Some(p), Some(&n)) =
            (a.practice.as_ref().and_then(|p| model.practice_index.get(p)), model.network_index.get(&a.network))
        {
            covered_by.insert(*p, n);
        }
    }
    Ctx {
        model,
        config,
        networks_of,
        covered_by,
        approvals: &inputs.approvals,
        governance: inputs.governance.as_ref().map(|g| g.iter().map(|x| (&x.network, x)).collect()),
        year,
    }
}

/// Findings of the given networks in `config`, which differs from the
/// configuration `base_networks_of` describes only in the networks of the
/// `moved` practices: what a what-if edit needs, without rebuilding every
/// practice's networks.
pub fn check_networks_after_moves(
    model: &Model,
    config: &Configuration,
    base_networks_of: &[Vec<u32>],
    moved: &[u32],
    inputs: &CheckInputs,
    networks: &[u32],
) -> Vec<Finding> {
    let changed = moved
        .iter()
        .map(|&p| {
            let nets: Vec<u32> = config
                .members
                .iter()
                .enumerate()
                .filter(|(_, ms)| ms.binary_search(&p).is_ok())
                .map(|(n, _)| n as u32)
                .collect();
            (p, nets)
        })
        .collect();
    let networks_of = NetworksOf { base: std::borrow::Cow::Borrowed(base_networks_of), changed };
    let ctx = context_with(model, config, networks_of, inputs);
    let mut scratch = pcn_geo::Scratch::default();
    let mut out = Vec::new();
    for &n in networks {
        network_findings(&ctx, n, &mut scratch, &mut out);
    }
    out
}

/// Findings of the given networks only: what an edit needs to recompute.
pub fn check_networks(model: &Model, config: &Configuration, inputs: &CheckInputs, networks: &[u32]) -> Vec<Finding> {
    let ctx = context(model, config, inputs);
    let mut scratch = pcn_geo::Scratch::default();
    let mut out = Vec::new();
    for &n in networks {
        network_findings(&ctx, n, &mut scratch, &mut out);
    }
    out
}

fn network_findings(ctx: &Ctx<'_>, n: u32, scratch: &mut pcn_geo::Scratch, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let net = &model.networks[n as usize];
    let members = &ctx.config.members[n as usize];
    let label = model.network_label(n);
    let reg = ctx.registered(members);
    let mut push = |mut f: Finding, practices: Vec<PracticeCode>| {
        f.network = Some(net.code.clone());
        f.commissioner = net.commissioner.clone();
        f.practices = practices;
        out.push(f);
    };

    // Size.
    if reg < FLOOR {
        let waiver = ctx.approval(ApprovalKind::FloorWaiver, n, None);
        let (sev, msg) = match waiver {
            Some(a) => (
                Severity::Info,
                format!(
                    "{label} has {} registered patients, below the 30,000 floor, under rural waiver {}",
                    thousands(reg),
                    a.reference
                ),
            ),
            None => (
                Severity::Error,
                format!(
                    "{label} has {} registered patients, {} below the 30,000 floor",
                    thousands(reg),
                    thousands(FLOOR - reg)
                ),
            ),
        };
        push(
            finding(
                Rule::BelowFloor,
                sev,
                msg,
                json!({"registered": reg, "floor": FLOOR, "shortfall": FLOOR - reg, "practices": members.len(), "waiver": waiver.map(|a| &a.reference)}),
            ),
            Vec::new(),
        );
        if waiver.is_none()
            && let Some(evidence) = waiver_evidence(ctx, members, reg)
        {
            push(
                finding(
                    Rule::WaiverCandidate,
                    Severity::Info,
                    format!(
                        "{label} is below the floor in a sparse rural area: the commissioner may consider a rural waiver"
                    ),
                    evidence,
                ),
                Vec::new(),
            );
        }
    }
    if reg > CEILING {
        let approved = ctx.approval(ApprovalKind::AboveCeiling, n, None);
        let (sev, msg) = match approved {
            Some(a) => (
                Severity::Info,
                format!("{label} has {} registered patients, above 50,000, approved ({})", thousands(reg), a.reference),
            ),
            None => (
                Severity::Warning,
                format!(
                    "{label} has {} registered patients, {} above the 50,000 guide",
                    thousands(reg),
                    thousands(reg - CEILING)
                ),
            ),
        };
        push(
            finding(
                Rule::AboveCeiling,
                sev,
                msg,
                json!({"registered": reg, "ceiling": CEILING, "excess": reg - CEILING, "approval": approved.map(|a| &a.reference)}),
            ),
            Vec::new(),
        );
    }
    if members.len() == 1 {
        let approved = ctx.approval(ApprovalKind::SinglePractice, n, None);
        let (sev, msg) = if reg < FLOOR {
            (
                Severity::Error,
                format!(
                    "{label} is a single practice of {} patients; a single-practice network needs 30,000 or more",
                    thousands(reg)
                ),
            )
        } else if let Some(a) = approved {
            (
                Severity::Info,
                format!(
                    "{label} is a single-practice network of {} patients, approved ({})",
                    thousands(reg),
                    a.reference
                ),
            )
        } else {
            (
                Severity::Error,
                format!(
                    "{label} is a single-practice network of {} patients without a recorded commissioner approval",
                    thousands(reg)
                ),
            )
        };
        push(
            finding(
                Rule::SinglePractice,
                sev,
                msg,
                json!({"registered": reg, "approval": approved.map(|a| &a.reference)}),
            ),
            ctx.codes(members),
        );
    }

    // Geography.
    let sites: Vec<u32> = members.iter().filter_map(|&p| model.practices[p as usize].site).collect();
    let unlocated: Vec<u32> = members.iter().copied().filter(|&p| model.practices[p as usize].site.is_none()).collect();
    let parts = model.graph.components(&sites, scratch);
    if parts.len() > 1 {
        let mut described: Vec<(i64, Vec<u32>, Vec<u32>)> = parts
            .iter()
            .map(|part| {
                let ps: Vec<u32> = ctx.at_sites(part).into_iter().filter(|p| members.contains(p)).collect();
                (ctx.registered(&ps), ps, part.clone())
            })
            .collect();
        described.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let main_sites = &described[0].2;
        let parts_json: Vec<Value> = described
            .iter()
            .enumerate()
            .map(|(i, (r, ps, part))| {
                let gap = if i == 0 { None } else { Some(min_gap_km(model, part, main_sites)) };
                json!({"practices": ctx.codes(ps), "registered": r, "gap_km": gap})
            })
            .collect();
        let worst_gap = parts_json.iter().filter_map(|p| p["gap_km"].as_f64()).fold(0.0, f64::max);
        push(
            finding(
                Rule::NonContiguous,
                Severity::Error,
                format!(
                    "{label} is in {} separate parts; the furthest lies {worst_gap:.1} km from the main part",
                    parts.len()
                ),
                json!({"parts": parts_json, "max_gap_km": worst_gap, "unlocated": ctx.codes(&unlocated)}),
            ),
            ctx.codes(members),
        );
    }
    if !sites.is_empty() {
        let border_sites = model.graph.border(&sites);
        let own_site_others: Vec<u32> = ctx.at_sites(&sites).into_iter().filter(|p| !members.contains(p)).collect();
        let neighbours: Vec<u32> = ctx.at_sites(&border_sites).into_iter().chain(own_site_others).collect();
        let mut around: BTreeSet<u32> = BTreeSet::new();
        let mut open_side = sites.iter().any(|&s| model.graph.at_map_edge[s as usize]);
        for &p in &neighbours {
            let nets = ctx.networks_of.of(p);
            if nets.is_empty() {
                match ctx.covered_by.get(&p) {
                    Some(&c) => {
                        around.insert(c);
                    }
                    None => open_side = true,
                }
            }
            around.extend(nets.iter().copied().filter(|&m| m != n));
        }
        if !open_side && around.len() == 1 {
            let outer = *around.iter().next().expect("one");
            push(
                finding(
                    Rule::Enclave,
                    Severity::Error,
                    format!("{label} lies wholly inside {}", model.network_label(outer)),
                    json!({"surrounded_by": model.networks[outer as usize].code}),
                ),
                ctx.codes(members),
            );
        }
    }

    // Commissioner boundaries.
    let commissioners: BTreeSet<&CommissionerCode> =
        members.iter().filter_map(|&p| model.practices[p as usize].commissioner.as_ref()).collect();
    if commissioners.len() > 1 {
        let approved = ctx.approval(ApprovalKind::CrossCommissioner, n, None);
        let list: Vec<&str> = commissioners.iter().map(|c| c.as_str()).collect();
        let (sev, msg) = match approved {
            Some(a) => {
                (Severity::Info, format!("{label} spans commissioners {}, approved ({})", list.join(", "), a.reference))
            }
            None => (
                Severity::Error,
                format!("{label} spans commissioners {} without a recorded approval", list.join(", ")),
            ),
        };
        push(
            finding(
                Rule::CrossCommissioner,
                sev,
                msg,
                json!({"commissioners": list, "approval": approved.map(|a| &a.reference)}),
            ),
            Vec::new(),
        );
    }
    if let Some(nc) = &net.commissioner {
        for &p in members {
            let pf = &model.practices[p as usize];
            if let Some(pc) = pf.commissioner.as_ref().filter(|pc| *pc != nc) {
                let approved = ctx.approval(ApprovalKind::CrossCommissioner, n, Some(p));
                let sev = if approved.is_some() { Severity::Info } else { Severity::Warning };
                push(
                    finding(
                        Rule::PracticeCommissioner,
                        sev,
                        format!("{} belongs to commissioner {pc} but its network {label} to {nc}", pf.code),
                        json!({"practice_commissioner": pc, "network_commissioner": nc, "approval": approved.map(|a| &a.reference)}),
                    ),
                    vec![pf.code.clone()],
                );
            }
        }
    }

    // Governance.
    if let Some(gov) = &ctx.governance {
        let g = gov.get(&net.code);
        let year_end = ctx.year.end();
        let missing = |f: &dyn Fn(&Governance) -> bool| g.is_none_or(|g| f(g));
        for (rule, absent, what) in [
            (
                Rule::NoClinicalDirector,
                missing(&|g| g.clinical_director.as_deref().is_none_or(str::is_empty)),
                "no clinical director",
            ),
            (
                Rule::NoNominatedPayee,
                missing(&|g| g.nominated_payee.as_deref().is_none_or(str::is_empty)),
                "no nominated payee",
            ),
            (
                Rule::NoNetworkAgreement,
                missing(&|g| g.agreement_signed.is_none_or(|d| d > year_end)),
                "no signed network agreement",
            ),
        ] {
            if absent {
                push(
                    finding(
                        rule,
                        Severity::Error,
                        format!("{label} has {what} on record"),
                        json!({"recorded": g.is_some()}),
                    ),
                    Vec::new(),
                );
            }
        }
    }
    for &p in members {
        let pf = &model.practices[p as usize];
        if let Some(ct) = pf.contract_type.as_deref()
            && !ct.eq_ignore_ascii_case("unknown")
            && !CORE_CONTRACTS.iter().any(|c| c.eq_ignore_ascii_case(ct))
        {
            push(
                finding(
                    Rule::CoreMemberContract,
                    Severity::Error,
                    format!("{} is a core member of {label} but holds a {ct} contract, not GMS, PMS or APMS", pf.code),
                    json!({"contract_type": ct}),
                ),
                vec![pf.code.clone()],
            );
        }
    }
}

/// Why a below-floor network may deserve a rural waiver, or `None`.
fn waiver_evidence(ctx: &Ctx<'_>, members: &[u32], reg: i64) -> Option<Value> {
    let model = ctx.model;
    let located: Vec<u32> = members.iter().copied().filter(|&p| model.practices[p as usize].site.is_some()).collect();
    let with_ruc: Vec<(i64, bool)> = members
        .iter()
        .filter_map(|&p| {
            model.practices[p as usize].ruc.as_deref().map(|r| (model.practices[p as usize].registered, is_sparse(r)))
        })
        .collect();
    let ruc_total: i64 = with_ruc.iter().map(|(r, _)| r).sum();
    let sparse_share = (ruc_total > 0)
        .then(|| with_ruc.iter().filter(|(_, s)| *s).map(|(r, _)| *r).sum::<i64>() as f64 / ruc_total as f64);
    // Catchment: the practices' spread plus half the local spacing around them, as a disc.
    let density = (!located.is_empty()).then(|| {
        let pts: Vec<(f64, f64)> = located.iter().filter_map(|&p| model.practices[p as usize].location).collect();
        let cx = pts.iter().map(|p| p.0).sum::<f64>() / pts.len() as f64;
        let cy = pts.iter().map(|p| p.1).sum::<f64>() / pts.len() as f64;
        let spread = pts.iter().map(|p| (p.0 - cx).hypot(p.1 - cy)).fold(0.0, f64::max);
        let spacing = located
            .iter()
            .filter_map(|&p| model.practices[p as usize].site)
            .flat_map(|s| model.graph.neighbours[s as usize].iter().map(move |&t| model.graph.distance_m(s, t)))
            .fold(f64::INFINITY, f64::min);
        let radius_km = (spread + if spacing.is_finite() { spacing / 2.0 } else { 5_000.0 }) / 1000.0;
        reg as f64 / (std::f64::consts::PI * radius_km.max(1.0).powi(2))
    });
    let sparse = sparse_share.is_some_and(|s| s >= SPARSE_SHARE);
    let thin = density.is_some_and(|d| d < SPARSE_DENSITY_PER_KM2);
    (sparse || thin).then(|| {
        json!({
            "registered": reg,
            "sparse_share": sparse_share.map(|s| (s * 1000.0).round() / 1000.0),
            "patients_per_km2": density.map(|d| d.round()),
            "thresholds": {"sparse_share": SPARSE_SHARE, "patients_per_km2": SPARSE_DENSITY_PER_KM2},
            "rurality_source": if model.has_rurality { "ONS RUC 2011 of the nearest LSOA centroid" } else { "none (no LSOA data in the snapshot)" },
        })
    })
}

fn min_gap_km(model: &Model, a: &[u32], b: &[u32]) -> f64 {
    let mut best = f64::INFINITY;
    for &s in a {
        for &t in b {
            best = best.min(model.graph.distance_m(s, t));
        }
    }
    (best / 100.0).round() / 10.0
}

fn practice_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let model = ctx.model;
    let mut out = Vec::new();
    // Uncovered practices, and whether they form holes inside one network.
    let uncovered: Vec<u32> = (0..model.practices.len() as u32)
        .filter(|&p| model.practices[p as usize].active && !ctx.is_covered(p))
        .collect();
    for &p in &uncovered {
        let pf = &model.practices[p as usize];
        let near: BTreeSet<&NetworkCode> = pf
            .site
            .map(|s| model.graph.border(&[s]).into_iter().chain([s]).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .flat_map(|s| ctx.at_sites(&[s]))
            .flat_map(|q| ctx.networks_of.of(q).iter().map(|&n| &model.networks[n as usize].code))
            .collect();
        out.push(Finding {
            rule: Rule::Uncovered.id(),
            severity: Severity::Error,
            network: None,
            practices: vec![pf.code.clone()],
            commissioner: pf.commissioner.clone(),
            message: format!(
                "{} ({} patients) is in no network and covered by none",
                pf.code,
                thousands(pf.registered)
            ),
            facts: json!({"registered": pf.registered, "neighbouring_networks": near}),
        });
    }
    let mut scratch = pcn_geo::Scratch::default();
    let sites: Vec<u32> = uncovered.iter().filter_map(|&p| model.practices[p as usize].site).collect();
    for part in model.graph.components(&sites, &mut scratch) {
        if part.iter().any(|&s| model.graph.at_map_edge[s as usize]) {
            continue;
        }
        let inside: Vec<u32> = ctx.at_sites(&part);
        let around: BTreeSet<u32> = ctx
            .at_sites(&model.graph.border(&part))
            .into_iter()
            .chain(inside.iter().copied())
            .flat_map(|q| ctx.networks_of.of(q).to_vec())
            .collect();
        let holes: Vec<u32> = inside.iter().copied().filter(|&p| !ctx.is_covered(p)).collect();
        let open = ctx.at_sites(&model.graph.border(&part)).iter().any(|&q| !ctx.is_covered(q));
        if around.len() == 1 && !open && !holes.is_empty() {
            let n = *around.iter().next().expect("one");
            let net = &model.networks[n as usize];
            out.push(Finding {
                rule: Rule::UncoveredHole.id(),
                severity: Severity::Error,
                network: Some(net.code.clone()),
                practices: ctx.codes(&holes),
                commissioner: net.commissioner.clone(),
                message: format!("{} uncovered practice(s) form a hole inside {}", holes.len(), model.network_label(n)),
                facts: json!({"registered": ctx.registered(&holes)}),
            });
        }
    }
    // Practices in more than one network.
    for (p, nets) in ctx.networks_of.iter().enumerate() {
        if nets.len() > 1 {
            let pf = &model.practices[p];
            let codes: Vec<&NetworkCode> = nets.iter().map(|&n| &model.networks[n as usize].code).collect();
            out.push(Finding {
                rule: Rule::MultipleNetworks.id(),
                severity: Severity::Error,
                network: None,
                practices: vec![pf.code.clone()],
                commissioner: pf.commissioner.clone(),
                message: format!(
                    "{} is a core member of {} networks at once: {}",
                    pf.code,
                    nets.len(),
                    codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                ),
                facts: json!({"networks": codes}),
            });
        }
    }
    // Covering networks must neighbour the practice they cover.
    for (&p, &n) in ctx.covered_by.iter().collect::<BTreeMap<_, _>>() {
        let pf = &model.practices[p as usize];
        let net_sites: Vec<u32> =
            ctx.config.members[n as usize].iter().filter_map(|&q| model.practices[q as usize].site).collect();
        let neighbours = match pf.site {
            Some(s) => {
                net_sites.contains(&s) || model.graph.neighbours[s as usize].iter().any(|t| net_sites.contains(t))
            }
            None => true, // cannot tell without a location; not flagged
        };
        if !neighbours {
            let net = &model.networks[n as usize];
            out.push(Finding {
                rule: Rule::CoveringNotNeighbour.id(),
                severity: Severity::Error,
                network: Some(net.code.clone()),
                practices: vec![pf.code.clone()],
                commissioner: pf.commissioner.clone(),
                message: format!(
                    "non-participating {} is covered by {}, which does not neighbour it",
                    pf.code,
                    model.network_label(n)
                ),
                facts: json!({"covering_network": net.code}),
            });
        }
    }
    out
}

fn snapshot_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let want = ctx.year.list_size_date();
    match ctx.model.list_date {
        Some((have, practices)) if have != want => vec![finding(
            Rule::ListSizeBasis,
            Severity::Warning,
            format!("{} uses list sizes at {want}; this snapshot's registered lists are at {have}", ctx.year),
            json!({"year": ctx.year.to_string(), "required": want.to_string(), "snapshot": have.to_string(), "practices": practices}),
        )],
        _ => Vec::new(),
    }
}

fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.commissioner.as_ref(), a.severity, a.rule, a.network.as_ref(), &a.practices).cmp(&(
            b.commissioner.as_ref(),
            b.severity,
            b.rule,
            b.network.as_ref(),
            &b.practices,
        ))
    });
}

fn summarise(
    model: &Model,
    inputs: &CheckInputs,
    year: &FinancialYear,
    findings: &[Finding],
    networks: usize,
    practices: usize,
) -> Summary {
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    for f in findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut not_evaluated = Vec::new();
    if inputs.governance.is_none() {
        for r in [Rule::NoClinicalDirector, Rule::NoNominatedPayee, Rule::NoNetworkAgreement] {
            not_evaluated
                .push(NotEvaluated { rule: r.id(), reason: "no governance records (give --governance FILE)".into() });
        }
    }
    if model.practices.iter().all(|p| p.contract_type.is_none()) {
        not_evaluated.push(NotEvaluated {
            rule: Rule::CoreMemberContract.id(),
            reason: "no contract types in the snapshot (import a payments file)".into(),
        });
    }
    if model.graph.sites.is_empty() {
        for r in [Rule::NonContiguous, Rule::Enclave, Rule::UncoveredHole, Rule::CoveringNotNeighbour] {
            not_evaluated.push(NotEvaluated {
                rule: r.id(),
                reason: "no practice coordinates in the snapshot (import a postcode coordinates file)".into(),
            });
        }
    }
    if !model.has_rurality {
        not_evaluated.push(NotEvaluated {
            rule: Rule::WaiverCandidate.id(),
            reason: "no LSOA rurality in the snapshot: waiver candidates judged by density alone".into(),
        });
    }
    Summary {
        year: year.to_string(),
        networks,
        practices,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        by_rule,
        not_evaluated,
    }
}

/// Restricts a report to one commissioner: its networks' and practices' findings.
pub fn for_commissioner(model: &Model, report: &Report, commissioner: &CommissionerCode) -> Report {
    let findings: Vec<Finding> = report
        .findings
        .iter()
        .filter(|f| f.commissioner.as_ref() == Some(commissioner) || f.commissioner.is_none() && f.network.is_none())
        .cloned()
        .collect();
    let networks = model.networks.iter().filter(|n| n.commissioner.as_ref() == Some(commissioner)).count();
    let practices =
        model.practices.iter().filter(|p| p.active && p.commissioner.as_ref() == Some(commissioner)).count();
    let mut summary = report.summary.clone();
    summary.networks = networks;
    summary.practices = practices;
    summary.by_rule.clear();
    for f in &findings {
        *summary.by_rule.entry(f.rule).or_default() += 1;
    }
    summary.errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    summary.warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    summary.infos = findings.iter().filter(|f| f.severity == Severity::Info).count();
    Report { summary, findings }
}
