//! Joins the records of every file of one import into a single [`Snapshot`].
//!
//! Precedence, most trusted first, where two files say different things:
//! - the practice list: epraccur (ODS), then registrations; other files only
//!   add practices they name that neither list has (status unknown);
//! - memberships: the ePCN register when any ePCN file is present, else the QOF
//!   mapping; a network's commissioner is the one ePCN records, else the most
//!   common commissioner of its member practices in this snapshot;
//! - commissioners' names and parents: first file that gives one; a commissioner
//!   whose files give no parent takes the parent most of its practices have in
//!   the QOF mapping (CCGs of April 2020 merged within their STPs in 2021).

use std::collections::{BTreeMap, HashMap, HashSet};

use pcn_core::{
    Boundary, CareHome, Commissioner, CommissionerCode, ListSize, ListSource, Location, Lsoa, Membership, Network,
    NetworkCode, Practice, PracticeCode, PracticeStatus, RegionCode, Snapshot, StpCode,
};
use rust_decimal::Decimal;
use time::{Date, Month};

use crate::read::{CommissionerFacts, MembershipRecord, Parsed};

/// What the import found that a person should know, beyond the counts.
#[derive(Debug, Clone, Default)]
pub struct AssemblyNotes {
    /// Active practices with a postcode that no coordinate file located.
    pub missing_coordinates: Vec<(PracticeCode, String)>,
    /// Active practices with a postcode (the denominator of coverage).
    pub practices_with_postcode: usize,
    /// Whether any coordinate file was imported at all.
    pub had_coordinates: bool,
    pub warnings: Vec<String>,
}

#[derive(Default)]
struct Builder {
    practices: BTreeMap<PracticeCode, Practice>,
    commissioners: BTreeMap<CommissionerCode, (Commissioner, ParentVotes)>,
    networks: BTreeMap<NetworkCode, Network>,
    memberships: Vec<Membership>,
    list_sizes: Vec<ListSize>,
    lsoas: BTreeMap<String, Lsoa>,
}

/// A parent STP and a region, each with the name a file gave it.
type Lineage = (Option<(StpCode, Option<String>)>, Option<(RegionCode, Option<String>)>);

#[derive(Default)]
struct ParentVotes {
    parent: HashMap<(StpCode, Option<String>), u32>,
    region: HashMap<(RegionCode, Option<String>), u32>,
}

pub fn assemble(parsed: Vec<Parsed>, as_of: Date) -> (Snapshot, AssemblyNotes) {
    let mut b = Builder::default();
    let mut notes = AssemblyNotes::default();
    let mut snap = Snapshot { as_of: Some(as_of), ..Default::default() };

    let mut epraccur_others = HashMap::new();
    let mut epcn_partners: Vec<MembershipRecord> = Vec::new();
    let mut qof_memberships: Vec<MembershipRecord> = Vec::new();
    let mut has_epcn = false;
    let mut coordinates: HashMap<String, Location> = HashMap::new();
    let mut facts: Vec<(CommissionerCode, CommissionerFacts)> = Vec::new();
    let mut registrations = Vec::new();
    let mut prevalence = Vec::new();
    let mut care_homes = Vec::new();

    for p in parsed {
        match p {
            Parsed::Epraccur { practices, others } => {
                for rec in practices {
                    if let Some(c) = &rec.practice.commissioner {
                        let votes = &mut b.commissioner(c).1;
                        if let Some(r) = rec.region.clone() {
                            *votes.region.entry((r, None)).or_default() += 1;
                        }
                        if let Some(q) = rec.high_level_geography.clone() {
                            *votes.parent.entry((q, None)).or_default() += 1;
                        }
                    }
                    b.practices.insert(rec.practice.code.clone(), rec.practice);
                }
                epraccur_others.extend(others);
            }
            Parsed::Registrations { extract_date, rows } => registrations.push((extract_date, rows)),
            Parsed::Epcn(e) => {
                has_epcn = true;
                for n in e.networks {
                    b.networks.insert(n.code.clone(), n);
                }
                epcn_partners.extend(e.partners);
                facts.extend(e.commissioners);
            }
            Parsed::QofMapping(q) => {
                qof_memberships.extend(q.memberships);
                facts.extend(q.commissioners);
            }
            Parsed::QofPrevalence(q) => prevalence.push(q),
            Parsed::Payments { rows, .. } => snap.payments.extend(rows),
            Parsed::Coordinates(c) => {
                notes.had_coordinates = true;
                coordinates.extend(c);
            }
            Parsed::Lsoas(ls) => {
                for l in ls {
                    merge_lsoa(b.lsoas.entry(l.code.clone()).or_insert_with(|| Lsoa::new(l.code.clone())), l);
                }
            }
            Parsed::Boundaries(bs) => snap.boundaries.extend(bs),
            Parsed::CareHomes(homes) => care_homes = homes,
        }
    }

    // Registrations: practices ODS did not list are open practices with patients.
    for (extract_date, rows) in registrations {
        for r in rows {
            let p = b.practices.entry(r.practice.clone()).or_insert_with(|| {
                let mut p = Practice::new(r.practice.clone());
                p.status = PracticeStatus::Active;
                p
            });
            p.postcode = p.postcode.take().or(r.postcode);
            p.commissioner = p.commissioner.take().or(r.commissioner.clone());
            if let (Some(c), Some(ons)) = (&r.commissioner, r.commissioner_ons) {
                let com = &mut b.commissioner(c).0;
                com.ons_code = com.ons_code.take().or(Some(ons));
            }
            b.list_sizes.push(ListSize {
                practice: r.practice,
                registered: Some(Decimal::from(r.patients)),
                weighted: None,
                as_of: extract_date,
                source: ListSource::Registrations,
            });
        }
    }

    // Memberships: the register if we have it, else QOF's mapping.
    let membership_records = if has_epcn { epcn_partners } else { qof_memberships.clone() };
    for m in &membership_records {
        let p = b.practices.entry(m.practice.clone()).or_insert_with(|| {
            epraccur_others.remove(&m.practice).map(|r| r.practice).unwrap_or_else(|| Practice::new(m.practice.clone()))
        });
        p.name = p.name.take().or(m.practice_name.clone());
        p.commissioner = p.commissioner.take().or(m.practice_commissioner.clone());
        let n = b.networks.entry(m.network.clone()).or_insert_with(|| Network {
            code: m.network.clone(),
            name: None,
            commissioner: None,
            open_date: None,
            close_date: None,
            postcode: None,
        });
        n.name = n.name.take().or(m.network_name.clone());
        n.commissioner = n.commissioner.take().or(m.network_commissioner.clone());
        b.memberships.push(Membership {
            practice: m.practice.clone(),
            network: m.network.clone(),
            start: m.start,
            end: m.end,
        });
    }
    // Names from the QOF mapping even when ePCN supplied the memberships.
    for m in &qof_memberships {
        if let Some(p) = b.practices.get_mut(&m.practice) {
            p.name = p.name.take().or(m.practice_name.clone());
            p.commissioner = p.commissioner.take().or(m.practice_commissioner.clone());
        }
    }

    // A network whose file gave no commissioner takes its members' majority.
    let mut votes: HashMap<NetworkCode, HashMap<CommissionerCode, u32>> = HashMap::new();
    for m in &b.memberships {
        if m.is_current_on(as_of)
            && let Some(c) = b.practices.get(&m.practice).and_then(|p| p.commissioner.clone())
        {
            *votes.entry(m.network.clone()).or_default().entry(c).or_default() += 1;
        }
    }
    for n in b.networks.values_mut() {
        if n.commissioner.is_none() {
            n.commissioner = votes.get(&n.code).and_then(|v| majority(v.iter().map(|(c, n)| (c.clone(), *n))));
        }
    }

    // QOF list sizes are at 1 January of the QOF year's end. Registers come
    // from the latest year only (a snapshot holds one set).
    let latest = prevalence.iter().map(|q| q.year).max().flatten();
    for q in prevalence {
        let registers_wanted = q.year == latest;
        let date =
            q.year.map_or(as_of, |y| Date::from_calendar_date(y.start_year() + 1, Month::January, 1).expect("valid"));
        for (code, size) in q.list_sizes {
            b.practices.entry(code.clone()).or_insert_with(|| Practice::new(code.clone()));
            b.list_sizes.push(ListSize {
                practice: code,
                registered: Some(Decimal::from(size)),
                weighted: None,
                as_of: date,
                source: ListSource::Qof,
            });
        }
        if registers_wanted {
            snap.registers.extend(q.registers);
        }
    }

    // Payments: contract type for practices we know, and the year's patient figures.
    for pay in &snap.payments {
        if let Some(p) = b.practices.get_mut(&pay.practice) {
            p.contract_type = p.contract_type.take().or(pay.contract_type.clone());
            if pay.registered_patients.is_some() || pay.weighted_patients.is_some() {
                b.list_sizes.push(ListSize {
                    practice: pay.practice.clone(),
                    registered: pay.registered_patients,
                    weighted: pay.weighted_patients,
                    as_of: pay.year.end(),
                    source: ListSource::Payments,
                });
            }
        }
    }

    // Commissioner facts and parents.
    for (code, f) in facts {
        let (c, votes) = b.commissioner(&code);
        c.name = c.name.take().or(f.name);
        c.ons_code = c.ons_code.take().or(f.ons_code);
        if let Some(p) = f.parent {
            *votes.parent.entry((p, f.parent_name)).or_default() += 1000;
        }
        if let Some(r) = f.region {
            *votes.region.entry((r, f.region_name)).or_default() += 1000;
        }
    }
    let qof_parent: HashMap<&PracticeCode, &CommissionerCode> =
        qof_memberships.iter().filter_map(|m| Some((&m.practice, m.practice_commissioner.as_ref()?))).collect();
    let mut inherited: Vec<(CommissionerCode, CommissionerCode)> = Vec::new();
    for p in b.practices.values() {
        if let (Some(own), Some(q)) = (&p.commissioner, qof_parent.get(&p.code))
            && own != *q
        {
            inherited.push((own.clone(), (*q).clone()));
        }
    }
    let referenced: Vec<CommissionerCode> = b
        .practices
        .values()
        .filter_map(|p| p.commissioner.clone())
        .chain(b.networks.values().filter_map(|n| n.commissioner.clone()))
        .collect();
    for c in &referenced {
        b.commissioner(c);
    }
    let direct: HashMap<CommissionerCode, Lineage> =
        b.commissioners.iter().map(|(k, (_, v))| (k.clone(), (best(&v.parent), best(&v.region)))).collect();
    for (own, q) in inherited {
        if let Some((parent, region)) = direct.get(&q) {
            let votes = &mut b.commissioner(&own).1;
            if let Some(p) = parent.clone() {
                *votes.parent.entry(p).or_default() += 1;
            }
            if let Some(r) = region.clone() {
                *votes.region.entry(r).or_default() += 1;
            }
        }
    }
    for (c, votes) in b.commissioners.values_mut() {
        if let Some((p, name)) = best(&votes.parent) {
            c.parent = Some(p);
            c.parent_name = name;
        }
        if let Some((r, name)) = best(&votes.region) {
            c.region = Some(r);
            c.region_name = name;
        }
    }

    // Coordinates by normalised postcode.
    for p in b.practices.values_mut() {
        if let Some(pc) = &p.postcode {
            p.location = coordinates.get(pc).copied();
            if p.is_active_gp() {
                notes.practices_with_postcode += 1;
                if p.location.is_none() && notes.had_coordinates {
                    notes.missing_coordinates.push((p.code.clone(), pc.clone()));
                }
            }
        }
    }

    snap.care_homes = locate_care_homes(care_homes, &coordinates, &mut notes);

    // Boundaries: link ONS codes to the ODS codes the snapshot knows.
    let by_ons: HashMap<String, CommissionerCode> =
        b.commissioners.values().filter_map(|(c, _)| Some((c.ons_code.clone()?, c.code.clone()))).collect();
    for bd in &mut snap.boundaries {
        bd.commissioner = bd.ons_code.as_ref().and_then(|o| by_ons.get(o).cloned());
    }
    link_boundaries(&mut snap.boundaries, &b);

    snap.practices = b.practices.into_values().collect();
    snap.commissioners = b.commissioners.into_values().map(|(c, _)| c).collect();
    snap.networks = b.networks.into_values().collect();
    snap.memberships = b.memberships;
    snap.list_sizes = b.list_sizes;
    snap.lsoas = b.lsoas.into_values().collect();
    (snap, notes)
}

impl Builder {
    fn commissioner(&mut self, code: &CommissionerCode) -> &mut (Commissioner, ParentVotes) {
        self.commissioners
            .entry(code.clone())
            .or_insert_with(|| (Commissioner::new(code.clone()), ParentVotes::default()))
    }
}

/// Boundaries whose ONS code no file linked: match by name as a last resort.
fn link_boundaries(bounds: &mut [Boundary], b: &Builder) {
    let norm = |s: &str| s.to_ascii_uppercase().replace("NHS ", "").replace(" CCG", "").trim().to_string();
    let by_name: HashMap<String, CommissionerCode> =
        b.commissioners.values().filter_map(|(c, _)| Some((norm(c.name.as_deref()?), c.code.clone()))).collect();
    for bd in bounds.iter_mut().filter(|bd| bd.commissioner.is_none()) {
        bd.commissioner = bd.name.as_deref().and_then(|n| by_name.get(&norm(n)).cloned());
    }
}

fn majority<K: Ord + Clone>(votes: impl Iterator<Item = (K, u32)>) -> Option<K> {
    // Most votes; ties to the smallest key, so the result never depends on hash order.
    votes.max_by(|(ka, a), (kb, bv)| a.cmp(bv).then_with(|| kb.cmp(ka))).map(|(k, _)| k)
}

fn best<K: Ord + Clone + std::hash::Hash>(votes: &HashMap<K, u32>) -> Option<K> {
    majority(votes.iter().map(|(k, v)| (k.clone(), *v)))
}

fn merge_lsoa(into: &mut Lsoa, from: Lsoa) {
    into.name = into.name.take().or(from.name);
    into.ruc_code = into.ruc_code.take().or(from.ruc_code);
    into.ruc_name = into.ruc_name.take().or(from.ruc_name);
    into.imd_decile = into.imd_decile.or(from.imd_decile);
    into.imd_income_decile = into.imd_income_decile.or(from.imd_income_decile);
    into.centroid = into.centroid.or(from.centroid);
    into.commissioner = into.commissioner.take().or(from.commissioner);
}

/// Care homes located by postcode (as practices are, so distances between
/// them compare like with like), else by the directory's own latitude and
/// longitude; homes with neither are kept unlocated and counted.
fn locate_care_homes(
    records: Vec<crate::read::CareHomeRecord>,
    coordinates: &HashMap<String, Location>,
    notes: &mut AssemblyNotes,
) -> Vec<CareHome> {
    let mut unlocated = 0;
    let mut homes: Vec<CareHome> = records
        .into_iter()
        .map(|r| {
            let by_postcode = r.postcode.as_ref().and_then(|pc| coordinates.get(pc).copied());
            let location = by_postcode.or_else(|| {
                let (lat, lon) = r.lat_lon?;
                let (easting, northing) = lonlat_bng::convert_osgb36(lon, lat).ok()?;
                Some(Location { easting, northing, lat, lon })
            });
            unlocated += usize::from(location.is_none());
            CareHome {
                location_id: r.location_id,
                name: r.name,
                postcode: r.postcode,
                beds: r.beds,
                nursing: r.nursing,
                local_authority: r.local_authority,
                location,
            }
        })
        .collect();
    // In location ID order, as the store gives them back.
    homes.sort_by(|a, b| a.location_id.cmp(&b.location_id));
    if unlocated > 0 {
        notes.warnings.push(format!(
            "{unlocated} of {} care homes have no location (postcode not in the coordinate files, no latitude and longitude): they are left out of care-home alignment",
            homes.len()
        ));
    }
    homes
}

/// Postcodes a coordinate file must keep: every practice's, network's and care home's.
pub fn wanted_postcodes(parsed: &[Parsed]) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in parsed {
        match p {
            Parsed::Epraccur { practices, others } => {
                out.extend(practices.iter().chain(others.values()).filter_map(|r| r.practice.postcode.clone()));
            }
            Parsed::Registrations { rows, .. } => out.extend(rows.iter().filter_map(|r| r.postcode.clone())),
            Parsed::Epcn(e) => out.extend(e.networks.iter().filter_map(|n| n.postcode.clone())),
            Parsed::CareHomes(h) => out.extend(h.iter().filter_map(|r| r.postcode.clone())),
            _ => {}
        }
    }
    out
}
