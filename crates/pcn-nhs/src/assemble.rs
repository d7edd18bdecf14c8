//! Joins the records of every file of one import into a single [`Snapshot`].
//!
//! Precedence, most trusted first, where two files say different things:
//! - the practice list: epraccur (ODS), then registrations, then the practice
//!   map chosen for memberships; other files only add practices they name
//!   that the list lacks (status unknown). Of several epraccur releases, the
//!   one a snapshot on its date should believe (dated by the latest open or
//!   close date it records, as an ePCN is). A practice's postcode, name and
//!   commissioner come from the list, except that the newest map on or
//!   before the snapshot's date, when newer than the list, replaces them
//!   (practices move premises; sub-ICB locations are re-coded);
//! - memberships: from one register, an ePCN (a workbook, or its two CSV
//!   sheets together) or a gp-reg-pat-prac-map, the latest dated on or before
//!   the snapshot's date (else the earliest after it): an ePCN is dated by
//!   the latest change it records, a map by its extract date. The network
//!   history (names, open and close dates) comes from that ePCN, or beside a
//!   map from the ePCN a snapshot on its date should believe. The QOF mapping
//!   only when none is given. A network's
//!   commissioner is the one ePCN records, else the most common commissioner
//!   of its member practices in this snapshot;
//! - commissioners' names and parents: the first file that gives one, maps
//!   first (latest first), then ePCN, then the QOF mapping; a commissioner
//!   whose files give no parent takes the parent most of its practices have in
//!   the QOF mapping (CCGs of April 2020 merged within their STPs in 2021);
//! - coordinates: per postcode, the newest Code-Point release on or before
//!   the snapshot's date (else the earliest after it), undated files last;
//! - registered lists: see [`Snapshot::registered_lists`].
//!
//! The notes say which file each of these came from.

use std::collections::{BTreeMap, HashMap, HashSet};

use pcn_core::{
    Boundary, CareHome, Commissioner, CommissionerCode, ListSize, ListSource, Location, Lsoa, Membership, Network,
    NetworkCode, Practice, PracticeCode, PracticeStatus, RegionCode, Snapshot, StpCode, dated_rank,
};
use rust_decimal::Decimal;
use time::{Date, Month};

use crate::kind::FileKind;
use crate::read::{
    CommissionerFacts, EpcnRecords, EpraccurRecord, MembershipRecord, Parsed, PostcodePoint, PracticeMapRecords,
};

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
    /// Rows left out on purpose (e.g. Welsh practices), by file.
    pub left_out: Vec<FileLeftOut>,
    /// Which file each kind of fact came from where several could give it.
    pub provenance: Vec<Provenance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLeftOut {
    pub file: String,
    pub count: usize,
    pub what: String,
}

/// One file's part in one topic (memberships, registered lists, coordinates,
/// commissioner hierarchy): how many of the snapshot's items it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub topic: &'static str,
    pub file: String,
    /// The date the file was weighed by, and what that date is.
    pub date: Option<Date>,
    pub dated_by: &'static str,
    /// Items of the topic taken from this file; 0 when another file won.
    pub used: usize,
    pub note: Option<String>,
}

pub const PRACTICE_LIST: &str = "practice list";
pub const MEMBERSHIPS: &str = "memberships";
pub const REGISTERED_LISTS: &str = "registered lists";
pub const COORDINATES: &str = "coordinates";
pub const HIERARCHY: &str = "commissioner hierarchy";

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

/// A register that can supply a snapshot's memberships.
enum Register {
    /// An ePCN (a workbook, or its CSV sheets together), by index.
    Epcn(usize),
    /// A practice map, by index.
    Map(usize),
}

/// One ePCN: a workbook, or the CSV exports of its sheets read together.
struct EpcnSet {
    label: String,
    records: EpcnRecords,
}

/// One epraccur release and the date it is weighed by.
struct EpraccurFile {
    file: String,
    practices: Vec<EpraccurRecord>,
    others: HashMap<PracticeCode, EpraccurRecord>,
    latest: Option<Date>,
}

/// The rank by which dated files are weighed for a snapshot on `as_of`:
/// the newest on or before it first, then the earliest after, undated last.
fn rank(date: Option<Date>, as_of: Date) -> (bool, i64) {
    date.map_or((true, i64::MAX), |d| dated_rank(d, Some(as_of)))
}

pub fn assemble(inputs: Vec<(String, FileKind, Parsed)>, as_of: Date) -> (Snapshot, AssemblyNotes) {
    let mut b = Builder::default();
    let mut notes = AssemblyNotes::default();
    let mut snap = Snapshot { as_of: Some(as_of), ..Default::default() };

    let mut epraccur_files: Vec<EpraccurFile> = Vec::new();
    let mut epcns: Vec<EpcnSet> = Vec::new();
    // The CSV sheets of one ePCN (an import holds at most one of each sheet).
    let mut epcn_sheets: Option<usize> = None;
    let mut maps: Vec<(String, PracticeMapRecords)> = Vec::new();
    let mut qof_memberships: Vec<MembershipRecord> = Vec::new();
    let mut qof_facts: Vec<(String, CommissionerCode, CommissionerFacts)> = Vec::new();
    let mut coordinate_files: Vec<(String, HashMap<String, PostcodePoint>)> = Vec::new();
    let mut registrations = Vec::new();
    let mut prevalence = Vec::new();
    let mut care_homes = Vec::new();
    // Which file gave the list sizes of each (source, date), for the notes.
    let mut list_files: BTreeMap<(ListSource, Date), String> = BTreeMap::new();

    for (file, kind, p) in inputs {
        match p {
            Parsed::Epraccur { practices, others } => {
                let latest = practices
                    .iter()
                    .chain(others.values())
                    .flat_map(|r| [r.practice.open_date, r.practice.close_date])
                    .flatten()
                    .max();
                epraccur_files.push(EpraccurFile { file, practices, others, latest });
            }
            Parsed::Registrations { extract_date, rows } => {
                list_files.insert((ListSource::Registrations, extract_date), file);
                registrations.push((extract_date, rows));
            }
            Parsed::Epcn(e) if kind == FileKind::EpcnWorkbook => epcns.push(EpcnSet { label: file, records: e }),
            Parsed::Epcn(e) => match epcn_sheets {
                Some(i) => {
                    let set = &mut epcns[i];
                    set.label = format!("{} + {file}", set.label);
                    set.records.latest_date = set.records.latest_date.max(e.latest_date);
                    set.records.networks.extend(e.networks);
                    set.records.partners.extend(e.partners);
                    // The first sheet read (details) names a commissioner, as in a workbook.
                    for (code, facts) in e.commissioners {
                        set.records.commissioners.entry(code).or_insert(facts);
                    }
                }
                None => {
                    epcn_sheets = Some(epcns.len());
                    epcns.push(EpcnSet { label: file, records: e });
                }
            },
            Parsed::PracticeMap(m) => maps.push((file, m)),
            Parsed::QofMapping(q) => {
                qof_memberships.extend(q.memberships);
                qof_facts.extend(q.commissioners.into_iter().map(|(c, f)| (file.clone(), c, f)));
            }
            Parsed::QofPrevalence(q) => prevalence.push((file, q)),
            Parsed::Payments { year, rows } => {
                list_files.insert((ListSource::Payments, year.end()), file);
                snap.payments.extend(rows);
            }
            Parsed::NetworkPayments { rows, .. } => snap.network_payments.extend(rows),
            Parsed::Workforce(w) => snap.workforce.extend(w.records),
            Parsed::Coordinates(c) => {
                notes.had_coordinates = true;
                coordinate_files.push((file, c));
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
    // Censuses in date order (each file is one census).
    snap.workforce.sort_by_key(|w| w.census);
    // Maps, ePCNs and epraccur releases in the order they are weighed: the
    // one a snapshot on `as_of` takes first (a stable sort: ties keep the
    // import's fixed order).
    maps.sort_by_key(|(_, m)| dated_rank(m.extract_date, Some(as_of)));
    epcns.sort_by_key(|e| rank(e.records.latest_date, as_of));
    epraccur_files.sort_by_key(|e| rank(e.latest, as_of));

    // The practice list from one epraccur release; the others are noted.
    let mut epraccur_others = HashMap::new();
    let practice_list_date = epraccur_files.first().and_then(|e| e.latest);
    if epraccur_files.len() > 1 {
        let winner = epraccur_files[0].latest;
        for (i, e) in epraccur_files.iter().enumerate() {
            notes.provenance.push(Provenance {
                topic: PRACTICE_LIST,
                file: e.file.clone(),
                date: e.latest,
                dated_by: "latest open or close date recorded",
                used: if i == 0 { e.practices.len() } else { 0 },
                note: (i > 0).then(|| superseded_note("release", e.latest, winner, as_of)),
            });
        }
    }
    if let Some(e) = epraccur_files.into_iter().next() {
        for rec in e.practices {
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
        epraccur_others = e.others;
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

    // Memberships come from one register: an ePCN or a map, whichever a
    // snapshot on `as_of` should believe (ties to an ePCN, which has dates).
    let mut registers: Vec<(Register, Option<Date>)> = Vec::new();
    registers.extend(epcns.iter().enumerate().map(|(i, e)| (Register::Epcn(i), e.records.latest_date)));
    registers.extend(maps.iter().enumerate().map(|(i, (_, m))| (Register::Map(i), Some(m.extract_date))));
    let chosen = registers.iter().enumerate().min_by_key(|(i, (_, d))| (rank(*d, as_of), *i)).map(|(i, _)| i);
    // The ePCN whose network history the snapshot keeps: the chosen one, else
    // (beside a map) the one a snapshot on `as_of` should believe.
    let history = match chosen.map(|i| &registers[i].0) {
        Some(Register::Epcn(i)) => Some(*i),
        _ => (!epcns.is_empty()).then_some(0),
    };
    let mut epcn_networks: Vec<Network> =
        history.map(|i| std::mem::take(&mut epcns[i].records.networks)).unwrap_or_default();
    let epcn_label = history.map(|i| epcns[i].label.clone()).unwrap_or_default();
    let membership_records: Vec<MembershipRecord> = match chosen.map(|i| &registers[i].0) {
        Some(Register::Epcn(i)) => {
            for n in epcn_networks.drain(..) {
                b.networks.insert(n.code.clone(), n);
            }
            std::mem::take(&mut epcns[*i].records.partners)
        }
        Some(Register::Map(i)) => {
            let (file, map) = &maps[*i];
            // The map is a practice list too: what the ODS list lacks has patients, so is open.
            for r in &map.rows {
                b.practices.entry(r.practice.clone()).or_insert_with(|| {
                    let mut p = Practice::new(r.practice.clone());
                    p.status = PracticeStatus::Active;
                    p
                });
            }
            // A map lists every practice with registered patients on its date:
            // one newer than the practice list that lacks a practice the list
            // calls active says it closed or merged since.
            if let Some(listed_on) = practice_list_date.filter(|d| *d < map.extract_date) {
                let in_map: HashSet<&PracticeCode> = map.rows.iter().map(|r| &r.practice).collect();
                let mut gone = 0;
                for p in b.practices.values_mut().filter(|p| p.is_active_gp() && !in_map.contains(&p.code)) {
                    p.status = PracticeStatus::Unknown;
                    gone += 1;
                }
                if gone > 0 {
                    notes.left_out.push(FileLeftOut {
                        file: file.clone(),
                        count: gone,
                        what: format!(
                            "practices active in the practice list (latest change {listed_on}) that this extract of {} does not list, though it lists every practice with registered patients: taken as closed or merged since, status unknown",
                            map.extract_date
                        ),
                    });
                }
            }
            // ePCN networks the map no longer names are left out unless closed by its date (history).
            let named: HashSet<&NetworkCode> = map.rows.iter().filter_map(|r| r.network.as_ref()).collect();
            let mut dropped = 0;
            for n in epcn_networks.drain(..) {
                if named.contains(&n.code) || n.close_date.is_some_and(|c| c <= map.extract_date) {
                    b.networks.insert(n.code.clone(), n);
                } else {
                    dropped += 1;
                }
            }
            if dropped > 0 {
                notes.left_out.push(FileLeftOut {
                    file: epcn_label.clone(),
                    count: dropped,
                    what: format!(
                        "networks open in the ePCN that {file} (extract {}) does not name, so are not in force on {as_of}",
                        map.extract_date
                    ),
                });
            }
            map.rows.iter().filter_map(|r| r.membership()).collect()
        }
        None => qof_memberships.clone(),
    };
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
    if !registers.is_empty() {
        let used = membership_records.len();
        for (i, (reg, date)) in registers.iter().enumerate() {
            let (file, dated_by) = match reg {
                Register::Epcn(e) => (epcns[*e].label.clone(), "latest change recorded"),
                Register::Map(m) => (maps[*m].0.clone(), "extract date"),
            };
            let won = Some(i) == chosen;
            let note = (!won).then(|| superseded_note("register", *date, chosen.and_then(|c| registers[c].1), as_of));
            notes.provenance.push(Provenance {
                topic: MEMBERSHIPS,
                file,
                date: *date,
                dated_by,
                used: if won { used } else { 0 },
                note,
            });
        }
    }
    // Names, commissioners, postcodes and clinical systems from every map
    // (latest first), and names from the QOF mapping, for practices known.
    // The first map, when it is newer than the practice list and not after
    // the snapshot, is the newer word on where a practice is and who
    // commissions it (practices move premises; sub-ICB locations are
    // re-coded): its values replace the list's.
    for (i, (_, map)) in maps.iter().enumerate() {
        let newest = i == 0
            && map.extract_date <= as_of
            && practice_list_date.is_none_or(|listed_on| listed_on < map.extract_date);
        for r in &map.rows {
            if let Some(p) = b.practices.get_mut(&r.practice) {
                if newest {
                    p.name = r.name.clone().or(p.name.take());
                    p.commissioner = Some(r.commissioner.clone());
                    p.postcode = r.postcode.clone().or(p.postcode.take());
                } else {
                    p.name = p.name.take().or(r.name.clone());
                    p.commissioner = p.commissioner.take().or(Some(r.commissioner.clone()));
                    p.postcode = p.postcode.take().or(r.postcode.clone());
                }
                p.clinical_system = p.clinical_system.take().or(r.clinical_system.clone());
            }
        }
    }
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
    let latest = prevalence.iter().map(|(_, q)| q.year).max().flatten();
    for (file, q) in prevalence {
        let registers_wanted = q.year == latest;
        let date =
            q.year.map_or(as_of, |y| Date::from_calendar_date(y.start_year() + 1, Month::January, 1).expect("valid"));
        list_files.insert((ListSource::Qof, date), file);
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

    // Commissioner facts: the first file to give each wins (maps latest first,
    // then ePCN, then QOF).
    let mut facts: Vec<(String, CommissionerCode, CommissionerFacts)> = Vec::new();
    for (file, map) in &maps {
        let mut codes: Vec<_> = map.commissioners.iter().collect();
        codes.sort_by(|a, b| a.0.cmp(b.0));
        facts.extend(codes.into_iter().map(|(c, f)| (file.clone(), c.clone(), f.clone())));
    }
    for e in &mut epcns {
        let mut codes: Vec<_> = std::mem::take(&mut e.records.commissioners).into_iter().collect();
        codes.sort_by(|a, b| a.0.cmp(&b.0));
        facts.extend(codes.into_iter().map(|(c, f)| (e.label.clone(), c, f)));
    }
    facts.extend(qof_facts);
    let mut parent_from: BTreeMap<CommissionerCode, String> = BTreeMap::new();
    let mut region_given: HashSet<CommissionerCode> = HashSet::new();
    for (file, code, f) in facts {
        let (c, votes) = b.commissioner(&code);
        c.name = c.name.take().or(f.name);
        c.ons_code = c.ons_code.take().or(f.ons_code);
        if let Some(p) = f.parent
            && !parent_from.contains_key(&code)
        {
            *votes.parent.entry((p, f.parent_name)).or_default() += 1000;
            parent_from.insert(code.clone(), file);
        }
        if let Some(r) = f.region
            && region_given.insert(code.clone())
        {
            *votes.region.entry((r, f.region_name)).or_default() += 1000;
        }
    }
    let mut by_file: BTreeMap<&str, usize> = BTreeMap::new();
    for f in parent_from.values() {
        *by_file.entry(f.as_str()).or_default() += 1;
    }
    for (file, used) in by_file {
        notes.provenance.push(Provenance {
            topic: HIERARCHY,
            file: file.to_string(),
            date: maps.iter().find(|(f, _)| f == file).map(|(_, m)| m.extract_date),
            dated_by: "extract date",
            used,
            note: None,
        });
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

    // Coordinates by normalised postcode, each from the release a snapshot on `as_of` should take.
    let coordinates = merge_coordinates(coordinate_files, as_of, &mut notes);
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
    note_registered_lists(&snap, &list_files, &mut notes);
    (snap, notes)
}

/// Why a register was not the one used.
/// `what` names the file's role: "register", "release".
fn superseded_note(what: &str, date: Option<Date>, winner: Option<Date>, as_of: Date) -> String {
    match (date, winner) {
        (None, _) => format!("undated: a dated {what} was preferred"),
        (Some(d), _) if d > as_of => format!("dated after the snapshot ({as_of})"),
        (Some(d), Some(w)) if d < w => format!("older than the {what} used ({w})"),
        _ => format!("another {what} of the same date was used"),
    }
}

/// Each postcode's position from the release a snapshot on `as_of` should
/// take (the newest on or before it, else the earliest after; undated last;
/// ties to the file read first), with each file's share in the notes.
fn merge_coordinates(
    files: Vec<(String, HashMap<String, PostcodePoint>)>,
    as_of: Date,
    notes: &mut AssemblyNotes,
) -> HashMap<String, Location> {
    let rank = |p: &PostcodePoint| p.released.map_or((true, i64::MAX), |d| dated_rank(d, Some(as_of)));
    let mut best: HashMap<String, (PostcodePoint, usize)> = HashMap::new();
    for (i, (_, points)) in files.iter().enumerate() {
        for (pc, point) in points {
            match best.get(pc) {
                Some((cur, _)) if rank(cur) <= rank(point) => {}
                _ => {
                    best.insert(pc.clone(), (*point, i));
                }
            }
        }
    }
    if files.len() > 1 {
        let mut used = vec![0; files.len()];
        for (_, i) in best.values() {
            used[*i] += 1;
        }
        for (i, (file, points)) in files.iter().enumerate() {
            let newest = points.values().filter_map(|p| p.released).max();
            notes.provenance.push(Provenance {
                topic: COORDINATES,
                file: file.clone(),
                date: newest,
                dated_by: "newest release in the file",
                used: used[i],
                note: (used[i] < points.len())
                    .then(|| format!("{} of its positions superseded by another release", points.len() - used[i])),
            });
        }
    }
    best.into_iter().map(|(pc, (p, _))| (pc, p.location)).collect()
}

/// Which file the registered list of each practice came from.
fn note_registered_lists(snap: &Snapshot, files: &BTreeMap<(ListSource, Date), String>, notes: &mut AssemblyNotes) {
    let mut used: BTreeMap<(ListSource, Date), usize> = BTreeMap::new();
    for (_, ls) in snap.registered_lists().values() {
        *used.entry((ls.source, ls.as_of)).or_default() += 1;
    }
    for (key, file) in files {
        let n = used.get(key).copied().unwrap_or(0);
        let has_lists = snap.list_sizes.iter().any(|l| (l.source, l.as_of) == *key && l.registered.is_some());
        if n == 0 && !has_lists {
            continue;
        }
        notes.provenance.push(Provenance {
            topic: REGISTERED_LISTS,
            file: file.clone(),
            date: Some(key.1),
            dated_by: match key.0 {
                ListSource::Registrations => "extract date",
                ListSource::Qof => "QOF list date",
                ListSource::Payments => "end of the financial year (a year's average)",
            },
            used: n,
            note: (n == 0).then(|| "another source or date was preferred".to_string()),
        });
    }
}

impl Builder {
    fn commissioner(&mut self, code: &CommissionerCode) -> &mut (Commissioner, ParentVotes) {
        self.commissioners
            .entry(code.clone())
            .or_insert_with(|| (Commissioner::new(code.clone()), ParentVotes::default()))
    }
}

/// Boundaries whose ONS code no file linked: by the ODS code that ends a
/// sub-ICB location's name ("NHS South Yorkshire ICB - 02P"), else by name as a
/// last resort.
fn link_boundaries(bounds: &mut [Boundary], b: &Builder) {
    let norm = |s: &str| s.to_ascii_uppercase().replace("NHS ", "").replace(" CCG", "").trim().to_string();
    let by_name: HashMap<String, CommissionerCode> =
        b.commissioners.values().filter_map(|(c, _)| Some((norm(c.name.as_deref()?), c.code.clone()))).collect();
    for bd in bounds.iter_mut().filter(|bd| bd.commissioner.is_none()) {
        bd.commissioner = bd.name.as_deref().and_then(|n| ods_suffix(n).or_else(|| by_name.get(&norm(n)).cloned()));
    }
}

/// The ODS code after the last " - " of a sub-ICB location's name.
pub fn ods_suffix(name: &str) -> Option<CommissionerCode> {
    let (_, code) = name.rsplit_once(" - ")?;
    CommissionerCode::parse(code).ok()
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
            Parsed::PracticeMap(m) => out.extend(m.rows.iter().filter_map(|r| r.postcode.clone())),
            Parsed::CareHomes(h) => out.extend(h.iter().filter_map(|r| r.postcode.clone())),
            _ => {}
        }
    }
    out
}
