//! `pcn arrs`: ARRS claims per post against each network's sum, or a plan of
//! roles for a budget.

use std::collections::BTreeMap;
use std::path::Path;

use pcn_core::Money;
use pcn_funding::arrs::{self, NetworkBudget, Post, Wish};
use pcn_funding::rates::{Stream, YearRates};
use pcn_store::Include;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

use crate::cli::ArrsArgs;
use crate::failure::Usage;
use crate::output::Listing;

fn pounds(m: Money) -> Value {
    json!(m.to_pounds().to_f64().unwrap_or(0.0))
}

fn role_check(rates: &YearRates) -> impl Fn(&str) -> Result<(), String> {
    move |r: &str| {
        if pcn_funding::rates::ROLE_KEYS.contains(&r) || rates.role(r).is_some() {
            Ok(())
        } else {
            let year: Vec<&str> = rates.arrs_roles.iter().map(|x| x.role.as_str()).collect();
            Err(format!("{r:?} is not an ARRS role; {} has: {}", rates.year, year.join(", ")))
        }
    }
}

/// Each network's ARRS sum (and GP sum) and registered population, from the engine.
fn budgets(snap: &pcn_core::Snapshot, rates: &YearRates) -> (Vec<NetworkBudget>, Vec<String>) {
    let (practices, networks) = pcn_funding::inputs::from_snapshot(snap, rates, &[]);
    let ent = pcn_funding::engine::entitlements(rates, &practices, &networks);
    let mut sums: BTreeMap<u32, Money> = BTreeMap::new();
    for l in ent.lines.iter().filter(|l| matches!(l.stream, Stream::ArrsSum | Stream::ArrsGpSum)) {
        *sums.entry(l.network).or_default() += l.annual;
    }
    let unknown: Vec<String> = ent
        .missing
        .iter()
        .filter(|m| m.stream == Stream::ArrsSum)
        .map(|m| networks[m.network as usize].code.clone())
        .collect();
    let budgets = networks
        .iter()
        .enumerate()
        .filter(|(i, n)| !unknown.contains(&n.code) && sums.contains_key(&(*i as u32)))
        .map(|(i, n)| {
            let registered: Decimal = n
                .spells
                .iter()
                .filter_map(|s| practices[s.practice as usize].registered.as_ref().map(|p| p.value))
                .sum();
            NetworkBudget {
                network: n.code.clone(),
                sum: sums[&(i as u32)],
                registered: registered.round().to_u32().unwrap_or(0),
            }
        })
        .collect();
    (budgets, unknown)
}

/// Claimable ARRS per network from a staff file, for reconciliation.
pub fn claimed_by_network(
    snap: &pcn_core::Snapshot,
    rates: &YearRates,
    staff: &Path,
) -> anyhow::Result<std::collections::HashMap<String, Money>> {
    let records = pcn_nhs::inputs::read_staff(staff, &role_check(rates))?;
    let (budgets, _) = budgets(snap, rates);
    let posts: Vec<Post> = records.into_iter().map(post).collect();
    let claims = arrs::claims(rates, &posts, &budgets);
    let mut out = std::collections::HashMap::new();
    for p in &claims.posts {
        *out.entry(p.network.clone()).or_insert(Money::ZERO) += p.claimable;
    }
    Ok(out)
}

fn post(s: pcn_nhs::inputs::StaffRecord) -> Post {
    Post {
        id: s.id,
        network: s.network.to_string(),
        role: s.role,
        wte: s.wte,
        start: s.start,
        end: s.end,
        salary: s.salary,
        on_costs: s.on_costs,
        baseline: s.baseline,
    }
}

pub async fn run(db: &Path, args: ArrsArgs) -> anyhow::Result<()> {
    let year = args.year;
    let rates = pcn_funding::rates::year(year).map_err(|e| Usage(e.to_string()))?;
    let check = role_check(rates);
    if let Some(wish_file) = &args.plan {
        let wishes: Vec<Wish> = pcn_nhs::inputs::read_wishes(wish_file, &check)?
            .into_iter()
            .map(|(role, max_wte, cost_per_wte)| Wish { role, max_wte, cost_per_wte })
            .collect();
        let (budget, registered, whose) = match (&args.budget, &args.network) {
            (Some(b), _) => (*b, 0, "the budget given".to_string()),
            (None, Some(code)) => {
                let (_, snap) = crate::views::load(db, None, Include { payments: true, ..Default::default() }).await?;
                let (budgets, _) = budgets(&snap, rates);
                let b = budgets.iter().find(|b| b.network == code.as_str()).ok_or_else(|| {
                    Usage(format!("no ARRS sum for {code} in {year}: is it in the snapshot, with weighted lists (a payments file)?"))
                })?;
                (b.sum, b.registered, format!("{}'s ARRS sum", b.network))
            }
            (None, None) => return Err(Usage("--plan needs --network CODE or --budget POUNDS".into()).into()),
        };
        let plan = arrs::plan(rates, budget, registered, &wishes);
        if args.format.json {
            println!("{}", serde_json::to_string_pretty(&json!({"year": year.to_string(), "plan": plan}))?);
            return Ok(());
        }
        let mut l = Listing::new("plan", vec!["role", "wte", "claimable", "network pays"]);
        for line in &plan.lines {
            l.rows.push(vec![
                json!(line.role),
                json!(line.wte.normalize().to_string()),
                pounds(line.claimable),
                pounds(line.network_pays),
            ]);
        }
        l.footer.push(format!("{year}: {} of {} ({whose}) used; {} left.", plan.used, plan.budget, plan.left));
        for (role, why) in &plan.refused {
            l.footer.push(format!("Not planned: {role}: {why}."));
        }
        return l.print(args.format);
    }

    let staff_file = args.staff.as_ref().expect("clap requires --staff without --plan");
    let staff = pcn_nhs::inputs::read_staff(staff_file, &check)?;
    let (id, snap) = crate::views::load(db, args.snapshot, Include { payments: true, ..Default::default() }).await?;
    let (budgets, unknown) = budgets(&snap, rates);
    let known: std::collections::HashSet<&str> = snap.networks.iter().map(|n| n.code.as_str()).collect();
    if let Some(s) = staff.iter().find(|s| !known.contains(s.network.as_str())) {
        return Err(Usage(format!("{}: network {} is not in snapshot {id}", s.id, s.network)).into());
    }
    let posts: Vec<Post> = staff
        .into_iter()
        .filter(|s| args.network.as_ref().is_none_or(|n| s.network.as_str() == n.as_str()))
        .map(post)
        .collect();
    let claims = arrs::claims(rates, &posts, &budgets);
    if args.format.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "year": year.to_string(),
                "snapshot": id,
                "posts": claims.posts,
                "networks": claims.networks,
                "networks_without_a_sum": unknown.iter().filter(|n| posts.iter().any(|p| &p.network == *n)).collect::<Vec<_>>(),
            }))?
        );
        return Ok(());
    }
    let mut l = Listing::new("posts", vec!["post", "network", "role", "wte", "cost", "claimable", "cut", "why"]);
    for p in &claims.posts {
        let cut: Money = p.cuts.iter().map(|c| c.amount).sum();
        let mut why: Vec<String> = p.cuts.iter().map(|c| format!("{} {}", c.amount, c.detail)).collect();
        if p.unverified_maximum {
            why.push("no published maximum for the year: claimed at cost (unverified)".into());
        }
        l.rows.push(vec![
            json!(p.id),
            json!(p.network),
            json!(p.role),
            json!(p.wte.normalize().to_string()),
            pounds(p.cost),
            pounds(p.claimable),
            pounds(cut),
            json!(why.join("; ")),
        ]);
    }
    for n in &claims.networks {
        l.footer.push(format!("{}: ARRS sum {}, claimable {}, headroom {}.", n.network, n.sum, n.claimed, n.headroom));
    }
    for n in unknown.iter().filter(|n| posts.iter().any(|p| &p.network == *n)) {
        l.footer.push(format!("{n}: no ARRS sum (no weighted list in snapshot {id}); claims are not limited by it."));
    }
    l.print(args.format)
}
