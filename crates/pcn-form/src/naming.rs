//! Names the networks of a formed configuration: a new network takes the code
//! and name of the current network it shares most patients with (each code
//! once, greedily by overlap), so the diff against today reads naturally;
//! the rest get unused codes from U99999 downwards.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pcn_core::{CommissionerCode, NetworkCode};
use pcn_rules::{Configuration, Model, NetworkFacts};

pub fn name(
    model: &Model,
    current: &Configuration,
    groups: Vec<Vec<u32>>,
    kept: Vec<(u32, Vec<u32>)>,
) -> (Vec<NetworkFacts>, Configuration) {
    let mut network_of: HashMap<u32, Vec<u32>> = HashMap::new();
    for (n, ms) in current.members.iter().enumerate() {
        for &p in ms {
            network_of.entry(p).or_default().push(n as u32);
        }
    }
    let weight = |p: u32| model.practices[p as usize].registered.max(1);
    let mut overlaps: Vec<(i64, usize, u32)> = Vec::new();
    for (g, members) in groups.iter().enumerate() {
        let mut by_net: BTreeMap<u32, i64> = BTreeMap::new();
        for &p in members {
            for &n in network_of.get(&p).map_or(&[][..], |v| v.as_slice()) {
                *by_net.entry(n).or_default() += weight(p);
            }
        }
        overlaps.extend(by_net.into_iter().map(|(n, o)| (o, g, n)));
    }
    overlaps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut code_of_group: Vec<Option<u32>> = vec![None; groups.len()];
    let mut taken: BTreeSet<u32> = BTreeSet::new();
    for (_, g, n) in overlaps {
        if code_of_group[g].is_none() && !taken.contains(&n) {
            code_of_group[g] = Some(n);
            taken.insert(n);
        }
    }

    let used: BTreeSet<&NetworkCode> = model.networks.iter().map(|n| &n.code).collect();
    let mut fresh = (0..=99_999u32)
        .rev()
        .map(|i| NetworkCode::parse(&format!("U{i:05}")).expect("valid"))
        .filter(|c| !used.contains(c));

    let mut networks: Vec<NetworkFacts> = Vec::new();
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut index_of_old: HashMap<u32, usize> = HashMap::new();
    for (n, ms) in kept {
        if ms.is_empty() {
            continue;
        }
        index_of_old.insert(n, networks.len());
        networks.push(model.networks[n as usize].clone());
        members.push(ms);
    }
    let mut new_count = 0;
    for (g, ms) in groups.into_iter().enumerate() {
        if ms.is_empty() {
            continue;
        }
        match code_of_group[g] {
            Some(n) => match index_of_old.get(&n) {
                Some(&i) => members[i].extend(ms),
                None => {
                    index_of_old.insert(n, networks.len());
                    let mut facts = model.networks[n as usize].clone();
                    facts.commissioner = majority_commissioner(model, &ms).or(facts.commissioner);
                    networks.push(facts);
                    members.push(ms);
                }
            },
            None => {
                new_count += 1;
                let commissioner = majority_commissioner(model, &ms);
                let label = commissioner.as_ref().map_or("NEW".to_string(), |c| c.to_string());
                networks.push(NetworkFacts {
                    code: fresh.next().expect("fewer than 100,000 networks"),
                    name: Some(format!("{label} NEW PCN {new_count}")),
                    commissioner,
                    open: true,
                });
                members.push(ms);
            }
        }
    }
    for ms in &mut members {
        ms.sort_unstable();
        ms.dedup();
    }
    (networks, Configuration { members })
}

/// The commissioner holding most of the group's patients.
pub fn majority_commissioner(model: &Model, ms: &[u32]) -> Option<CommissionerCode> {
    let mut votes: BTreeMap<&CommissionerCode, i64> = BTreeMap::new();
    for &p in ms {
        if let Some(c) = &model.practices[p as usize].commissioner {
            *votes.entry(c).or_default() += model.practices[p as usize].registered.max(1);
        }
    }
    votes.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(c, _)| c.clone())
}
