//! The register on every backend (SQLite always; PostgreSQL when
//! PCN_TEST_POSTGRES names a server): effective dates, the change log,
//! optimistic concurrency under eight concurrent clients, proposals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pcn_core::register::{Change, ProposalKind, ProposalStatus, RecordKind};
use pcn_core::{NetworkCode, PracticeCode};
use pcn_store::register::{Refused, Who};
use pcn_store::{Store, StoreError};
use time::Date;
use time::macros::date;

fn n(s: &str) -> NetworkCode {
    NetworkCode::parse(s).unwrap()
}

fn p(s: &str) -> PracticeCode {
    PracticeCode::parse(s).unwrap()
}

fn who(actor: &str, reason: &str) -> Who {
    Who { actor: actor.into(), reason: reason.into(), at: "2021-01-01T00:00:00Z".into() }
}

async fn store(target: &Path) -> Store {
    Store::open_or_create(target).await.unwrap()
}

async fn two_networks(s: &Store) {
    let changes = vec![
        Change::OpenNetwork { network: n("U00001"), name: Some("TOWN".into()), commissioner: None },
        Change::OpenNetwork { network: n("U00002"), name: Some("CITY".into()), commissioner: None },
        Change::Join { network: n("U00001"), practice: p("A00001") },
        Change::Join { network: n("U00001"), practice: p("A00002") },
        Change::Join { network: n("U00002"), practice: p("A00003") },
    ];
    s.register_apply(date!(2020 - 04 - 01), &changes, &who("setup", "initial register"), &BTreeMap::new())
        .await
        .unwrap();
}

async fn targets(dir: &Path, test: &str) -> Vec<PathBuf> {
    pcn_store::testing::targets(dir, test).await
}

#[tokio::test]
async fn changes_are_effective_dated_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    for target in targets(dir.path(), "changes_are_effective_dated_and_logged").await {
        let s = store(&target).await;
        two_networks(&s).await;
        // A00002 moves to U00002 from 1 October; A00001 gets a clinical director.
        let v = s
            .register_apply(
                date!(2020 - 10 - 01),
                &[
                    Change::Join { network: n("U00002"), practice: p("A00002") },
                    Change::ClinicalDirector { network: n("U00001"), name: "Dr A".into(), practice: Some(p("A00001")) },
                ],
                &who("ccg", "move agreed"),
                &BTreeMap::from([("U00001".to_string(), 1), ("U00002".to_string(), 1)]),
            )
            .await
            .unwrap();
        assert_eq!(v, BTreeMap::from([("U00001".to_string(), 2), ("U00002".to_string(), 2)]));
        let before = s.register_state(date!(2020 - 09 - 30)).await.unwrap();
        let after = s.register_state(date!(2020 - 10 - 01)).await.unwrap();
        assert_eq!(before.members("U00001"), vec![p("A00001"), p("A00002")]);
        assert_eq!(after.members("U00001"), vec![p("A00001")]);
        assert_eq!(after.members("U00002"), vec![p("A00002"), p("A00003")]);
        assert!(before.records.iter().all(|r| r.kind != RecordKind::ClinicalDirector));
        assert!(after.records.iter().any(|r| r.kind == RecordKind::ClinicalDirector && r.subject == "Dr A"));
        // Before the register began there is nothing.
        assert!(s.register_state(date!(2020 - 03 - 31)).await.unwrap().networks.is_empty());

        // The practice's history: two spells, the first ending the day before the move.
        let spells = s.register_records_of(None, Some("A00002")).await.unwrap();
        assert_eq!(spells.len(), 2);
        assert_eq!((spells[0].network.as_str(), spells[0].valid_to), ("U00001", Some(date!(2020 - 09 - 30))));
        assert_eq!((spells[1].network.as_str(), spells[1].valid_from), ("U00002", date!(2020 - 10 - 01)));
        let log = s.register_log(None, Some("A00002"), None, None).await.unwrap();
        assert_eq!(log.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(), vec!["join", "join"]);
        assert_eq!((log[1].actor.as_str(), log[1].reason.as_str()), ("ccg", "move agreed"));

        // The log is append-only, whatever SQL is tried.
        let tampered = sqlx::query("UPDATE register_changes SET actor = 'someone else'").execute(s.pool()).await;
        assert!(tampered.is_err(), "{target:?}: the change log accepted an UPDATE");
        let deleted = sqlx::query("DELETE FROM register_changes").execute(s.pool()).await;
        assert!(deleted.is_err(), "{target:?}: the change log accepted a DELETE");

        // A change that makes no sense is refused and leaves nothing behind.
        let bad = s
            .register_apply(
                date!(2020 - 11 - 01),
                &[
                    Change::ClinicalDirector { network: n("U00002"), name: "Dr B".into(), practice: Some(p("A00003")) },
                    Change::Leave { network: n("U00001"), practice: p("A00003") },
                ],
                &who("ccg", "mistake"),
                &BTreeMap::new(),
            )
            .await;
        assert!(matches!(bad, Err(StoreError::Refused(Refused::Invalid(_)))), "{bad:?}");
        let now = s.register_state(date!(2020 - 11 - 01)).await.unwrap();
        assert!(now.records.iter().all(|r| r.subject != "Dr B"), "a refused change was half-written");
        assert_eq!(now.network("U00002").unwrap().version, 2);
        s.close().await;
    }
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_says_who_changed_it() {
    let dir = tempfile::tempdir().unwrap();
    for target in targets(dir.path(), "a_stale_edit_is_refused_and_says_who_changed_it").await {
        let s = store(&target).await;
        two_networks(&s).await;
        let edit = |name: &str| vec![Change::NominatedPayee { network: n("U00001"), payee: name.into() }];
        let read = BTreeMap::from([("U00001".to_string(), 1)]);
        s.register_apply(date!(2020 - 05 - 01), &edit("A00001"), &who("alice", "payee named"), &read).await.unwrap();
        let stale = s.register_apply(date!(2020 - 05 - 01), &edit("A00002"), &who("bob", "payee named"), &read).await;
        let Err(StoreError::Refused(e @ Refused::Stale { .. })) = stale else { panic!("{stale:?}") };
        let msg = e.to_string();
        assert!(msg.contains("version 1") && msg.contains("now 2") && msg.contains("alice"), "{msg}");
        let state = s.register_state(date!(2020 - 05 - 01)).await.unwrap();
        let payees: Vec<&str> =
            state.records.iter().filter(|r| r.kind == RecordKind::NominatedPayee).map(|r| r.subject.as_str()).collect();
        assert_eq!(payees, vec!["A00001"]);
        s.close().await;
    }
}

/// One client's accepted edit: the network, the version it produced, the name it set.
type Accepted = (String, i64, String);

async fn client(target: PathBuf, id: usize, rounds: usize) -> (Vec<Accepted>, Vec<String>) {
    let s = Store::open(&target).await.unwrap();
    let (mut accepted, mut refused) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let code = if (id + round).is_multiple_of(2) { "U00001" } else { "U00002" };
        let version =
            s.register_networks().await.unwrap().into_iter().find(|x| x.code == code).map(|x| x.version).unwrap();
        let name = format!("Dr {id}-{round}");
        let practice = if code == "U00001" { p("A00001") } else { p("A00003") };
        let change = Change::ClinicalDirector { network: n(code), name: name.clone(), practice: Some(practice) };
        let expect = BTreeMap::from([(code.to_string(), version)]);
        match s.register_apply(date!(2021 - 04 - 01), &[change], &who(&format!("client {id}"), "edit"), &expect).await {
            Ok(v) => accepted.push((code.to_string(), v[code], name)),
            Err(StoreError::Refused(e @ Refused::Stale { .. })) => refused.push(e.to_string()),
            Err(e) => panic!("client {id}: {e}"),
        }
    }
    s.close().await;
    (accepted, refused)
}

fn directors(state: &pcn_store::register::RegisterState) -> BTreeMap<String, String> {
    state
        .records
        .iter()
        .filter(|r| r.kind == RecordKind::ClinicalDirector)
        .map(|r| (r.network.to_string(), r.subject.clone()))
        .collect()
}

#[tokio::test]
async fn eight_clients_editing_at_once_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    for target in targets(dir.path(), "eight_clients_editing_at_once_lose_no_update").await {
        let s = store(&target).await;
        two_networks(&s).await;
        s.close().await;
        let rounds = 12;
        let handles: Vec<_> = (0..8).map(|id| tokio::spawn(client(target.clone(), id, rounds))).collect();
        let mut accepted: Vec<Accepted> = Vec::new();
        let mut refused = Vec::new();
        for h in handles {
            let (a, r) = h.await.unwrap();
            accepted.extend(a);
            refused.extend(r);
        }
        assert_eq!(accepted.len() + refused.len(), 8 * rounds, "every edit was accepted or refused");
        assert!(!accepted.is_empty());
        for r in &refused {
            assert!(r.contains("changed since you read it") && r.contains("client"), "{r}");
        }
        // No lost update: each network's accepted edits produced versions 2, 3, ... with no gap or repeat.
        accepted.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        for code in ["U00001", "U00002"] {
            let versions: Vec<i64> = accepted.iter().filter(|a| a.0 == code).map(|a| a.1).collect();
            let want: Vec<i64> = (2..2 + versions.len() as i64).collect();
            assert_eq!(versions, want, "{target:?} {code}");
        }
        let s = Store::open(&target).await.unwrap();
        let concurrent = s.register_state(date!(2021 - 04 - 01)).await.unwrap();
        let log = s.register_log(None, None, Some(date!(2021 - 04 - 01)), None).await.unwrap();
        assert_eq!(log.len(), accepted.len(), "one log line per accepted edit");
        s.close().await;

        // The final state equals a serial replay of the accepted edits in version order.
        let replay_dir = tempfile::tempdir().unwrap();
        let r = store(&replay_dir.path().join("replay.db")).await;
        two_networks(&r).await;
        for (code, _, name) in &accepted {
            let practice = if code == "U00001" { p("A00001") } else { p("A00003") };
            let change = Change::ClinicalDirector { network: n(code), name: name.clone(), practice: Some(practice) };
            r.register_apply(date!(2021 - 04 - 01), &[change], &who("replay", "serial"), &BTreeMap::new())
                .await
                .unwrap();
        }
        let serial = r.register_state(date!(2021 - 04 - 01)).await.unwrap();
        assert_eq!(directors(&concurrent), directors(&serial), "{target:?}");
        let versions =
            |st: &pcn_store::register::RegisterState| -> Vec<i64> { st.networks.iter().map(|x| x.version).collect() };
        assert_eq!(versions(&concurrent), versions(&serial));
        eprintln!("{target:?}: {} accepted, {} refused as stale", accepted.len(), refused.len());
    }
}

#[tokio::test]
async fn proposals_are_decided_once_and_atomically() {
    let dir = tempfile::tempdir().unwrap();
    for target in targets(dir.path(), "proposals_are_decided_once_and_atomically").await {
        let s = store(&target).await;
        two_networks(&s).await;
        let effective = Date::from_calendar_date(2021, time::Month::April, 1).unwrap();
        let merge = ProposalKind::Merge { from: n("U00002"), into: n("U00001") };
        let id = s.propose(&merge, effective, &who("pcn", "merge"), None, &serde_json::json!({})).await.unwrap();
        let open = s.proposals(Some(ProposalStatus::Open)).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].base_version, 1);
        let state = s.register_state(effective).await.unwrap();
        let changes = merge.changes(|c| state.members(c.as_str()));
        let versions =
            s.decide(id, effective, true, &changes, &who("ccg", "approved"), &BTreeMap::new()).await.unwrap();
        assert_eq!(versions.get("U00001"), Some(&2));
        let after = s.register_state(effective).await.unwrap();
        assert!(after.network("U00002").is_none(), "the merged network closed the day before");
        assert_eq!(after.members("U00001"), vec![p("A00001"), p("A00002"), p("A00003")]);
        let log = s.register_log(None, None, Some(effective), None).await.unwrap();
        assert!(log.iter().all(|c| c.proposal == Some(id)), "the changes name their proposal");
        // A second decision is refused and changes nothing.
        let again = s.decide(id, effective, false, &[], &who("ccg", "oops"), &BTreeMap::new()).await;
        assert!(matches!(again, Err(StoreError::Refused(Refused::Decided { .. }))), "{again:?}");
        assert_eq!(s.proposal(id).await.unwrap().status, ProposalStatus::Approved);
        s.close().await;
    }
}
