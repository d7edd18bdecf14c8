//! Users, sessions, the audit log and staff records, on SQLite and PostgreSQL.

use pcn_store::Store;
use pcn_store::testing::targets;
use pcn_store::users::User;

fn user(name: &str, role: &str) -> User {
    User {
        username: name.into(),
        role: pcn_core::Role::parse(role).unwrap(),
        commissioner: (role == "commissioner").then(|| "00X".into()),
        network: (role == "network").then(|| "U00001".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        disabled: false,
    }
}

#[tokio::test]
async fn sessions_expire_end_with_a_role_change_and_the_audit_log_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    for target in targets(dir.path(), "users").await {
        let store = Store::open_or_create(&target).await.unwrap();
        store.user_put(&user("ana", "commissioner"), "2021-01-01T00:00:00Z").await.unwrap();
        store
            .session_create("d1", "ana", "browser", Some("csrf"), "2021-01-01T00:00:00Z", "2021-01-01T12:00:00Z")
            .await
            .unwrap();
        let s = store.session("d1", "2021-01-01T11:59:59Z").await.unwrap().expect("live");
        assert_eq!(
            (s.user.role.as_str(), s.user.commissioner.as_deref(), s.csrf.as_deref()),
            ("commissioner", Some("00X"), Some("csrf"))
        );
        assert!(store.session("d1", "2021-01-01T12:00:00Z").await.unwrap().is_none(), "expired at its time");
        assert!(store.session("nope", "2021-01-01T00:00:01Z").await.unwrap().is_none());
        // A changed role ends the user's sessions at once.
        store.session_create("d2", "ana", "token", None, "2021-01-01T00:00:00Z", "2999-01-01T00:00:00Z").await.unwrap();
        store.user_put(&user("ana", "network"), "2021-01-02T00:00:00Z").await.unwrap();
        assert!(store.session("d2", "2021-01-03T00:00:00Z").await.unwrap().is_none());
        assert_eq!(store.user("ana").await.unwrap().unwrap().network.as_deref(), Some("U00001"));
        // Disabled users' sessions do not count.
        let mut off = user("ben", "admin");
        off.disabled = true;
        store.user_put(&off, "2021-01-01T00:00:00Z").await.unwrap();
        store.session_create("d3", "ben", "token", None, "2021-01-01T00:00:00Z", "2999-01-01T00:00:00Z").await.unwrap();
        assert!(store.session("d3", "2021-01-03T00:00:00Z").await.unwrap().is_none());
        assert_eq!(store.users().await.unwrap().len(), 2);

        store.audit("2021-01-01T00:00:00Z", "ana", "login", None, "ok", None).await.unwrap();
        store
            .audit(
                "2021-01-01T00:00:01Z",
                "ana",
                "proposal.create",
                Some("join A00001 U00002"),
                "forbidden",
                Some("{}"),
            )
            .await
            .unwrap();
        let log = store.audit_log(10).await.unwrap();
        assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["proposal.create", "login"]);
        for sql in ["UPDATE audit_log SET outcome = 'ok'", "DELETE FROM audit_log"] {
            let err = sqlx::query(sql).execute(store.pool()).await.expect_err("the audit log refuses changes");
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        assert_eq!(store.audit_log(10).await.unwrap().len(), 2);

        assert_eq!(store.staff("U00001").await.unwrap(), None);
        store.staff_put("U00001", "[1]", "ana", "2021-01-01T00:00:00Z").await.unwrap();
        store.staff_put("U00001", "[1,2]", "ana", "2021-01-02T00:00:00Z").await.unwrap();
        assert_eq!(store.staff("U00001").await.unwrap().as_deref(), Some("[1,2]"));
        store.close().await;
    }
}
