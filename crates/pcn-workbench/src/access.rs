//! Who may do what: the one policy every route and command that writes asks.
//! Reading is open to everyone; the roles are [`pcn_core::Role`].

use pcn_core::Role;
use pcn_store::users::User;
use serde::Serialize;

use crate::proposals::Approvers;

/// What a user asks to do, with the facts the answer turns on.
#[derive(Debug, Clone, Copy)]
pub enum Act<'a> {
    /// Propose a change to a network (the one it is made against or one it
    /// takes a practice out of), whose commissioner is given.
    Propose { network: &'a str, commissioner: Option<&'a str> },
    /// Agree to, approve or reject a proposal that needs these approvers.
    Decide { approvers: &'a Approvers },
    /// Keep a network's own records: its ARRS staff and its service checklist.
    KeepRecords { network: &'a str },
    /// See a network's ARRS staff records (names of posts, claims), not only its sum.
    SeeStaff { network: &'a str, commissioner: Option<&'a str> },
    /// Ask for repair suggestions or a what-if (nothing is saved).
    Explore,
    /// Read the audit log.
    ReadAudit,
}

/// Whether `user` may do `act`. A disabled user may do nothing.
pub fn may(user: &User, act: Act<'_>) -> bool {
    if user.disabled {
        return false;
    }
    let own_area = |c: Option<&str>| user.commissioner.is_some() && user.commissioner.as_deref() == c;
    let own_network = |n: &str| user.network.as_deref() == Some(n);
    match (user.role, act) {
        (Role::Admin, _) => true,
        (_, Act::Explore) => true,
        (Role::Commissioner, Act::Propose { commissioner, .. } | Act::SeeStaff { commissioner, .. }) => {
            own_area(commissioner)
        }
        (Role::Commissioner, Act::Decide { approvers }) => {
            user.commissioner.as_deref().is_some_and(|c| approvers.commissioners.contains_key(c))
        }
        (Role::Commissioner, Act::ReadAudit) => true,
        (Role::Commissioner, Act::KeepRecords { .. }) => false,
        (
            Role::Network,
            Act::Propose { network, .. } | Act::KeepRecords { network } | Act::SeeStaff { network, .. },
        ) => own_network(network),
        (Role::Network, Act::Decide { .. } | Act::ReadAudit) => false,
    }
}

/// What the caller may do, for a front end to offer only that (the server
/// still asks [`may`] on every write).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Permissions {
    /// Propose changes: `all` networks, those of one `commissioner` area, one `network`, or `none`.
    pub propose: Scope,
    /// Agree to and decide proposals that touch this scope.
    pub decide: Scope,
    /// Keep staff records and service checklists of this scope.
    pub keep_records: Scope,
    /// See staff records of this scope.
    pub see_staff: Scope,
    /// What-ifs and repair suggestions (saving nothing).
    pub explore: bool,
    pub read_audit: bool,
}

/// Which networks a permission covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scope", content = "code", rename_all = "snake_case")]
pub enum Scope {
    None,
    All,
    Commissioner(String),
    Network(String),
}

/// The permissions of a user (`None`: an anonymous visitor, who only reads).
pub fn permissions(user: Option<&User>) -> Permissions {
    let none = Permissions {
        propose: Scope::None,
        decide: Scope::None,
        keep_records: Scope::None,
        see_staff: Scope::None,
        explore: false,
        read_audit: false,
    };
    let Some(u) = user.filter(|u| !u.disabled) else { return none };
    let area = || u.commissioner.clone().map_or(Scope::None, Scope::Commissioner);
    let network = || u.network.clone().map_or(Scope::None, Scope::Network);
    match u.role {
        Role::Admin => Permissions {
            propose: Scope::All,
            decide: Scope::All,
            keep_records: Scope::All,
            see_staff: Scope::All,
            explore: true,
            read_audit: true,
        },
        Role::Commissioner => Permissions {
            propose: area(),
            decide: area(),
            keep_records: Scope::None,
            see_staff: area(),
            explore: true,
            read_audit: true,
        },
        Role::Network => Permissions {
            propose: network(),
            decide: Scope::None,
            keep_records: network(),
            see_staff: network(),
            explore: true,
            read_audit: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, commissioner: Option<&str>, network: Option<&str>) -> User {
        User {
            username: "u".into(),
            role,
            commissioner: commissioner.map(str::to_string),
            network: network.map(str::to_string),
            password_hash: String::new(),
            disabled: false,
        }
    }

    #[test]
    fn each_role_may_do_what_its_scope_allows_and_no_more() {
        let admin = user(Role::Admin, None, None);
        let comm = user(Role::Commissioner, Some("00X"), None);
        let manager = user(Role::Network, None, Some("U00001"));
        let mut two = Approvers::default();
        two.commissioners.entry("00X".into()).or_default().insert("U00001".into());
        two.commissioners.entry("00Y".into()).or_default().insert("U00002".into());
        let mut other = Approvers::default();
        other.commissioners.entry("00Y".into()).or_default().insert("U00002".into());
        let propose_own = Act::Propose { network: "U00001", commissioner: Some("00X") };
        let propose_other = Act::Propose { network: "U00002", commissioner: Some("00Y") };
        let cases: [(&User, Act<'_>, bool); 16] = [
            (&admin, propose_other, true),
            (&admin, Act::Decide { approvers: &other }, true),
            (&admin, Act::ReadAudit, true),
            (&comm, propose_own, true),
            (&comm, propose_other, false),
            (&comm, Act::Decide { approvers: &two }, true),
            (&comm, Act::Decide { approvers: &other }, false),
            (&comm, Act::KeepRecords { network: "U00001" }, false),
            (&comm, Act::SeeStaff { network: "U00001", commissioner: Some("00X") }, true),
            (&comm, Act::ReadAudit, true),
            (&manager, propose_own, true),
            (&manager, propose_other, false),
            (&manager, Act::Decide { approvers: &two }, false),
            (&manager, Act::KeepRecords { network: "U00001" }, true),
            (&manager, Act::KeepRecords { network: "U00002" }, false),
            (&manager, Act::ReadAudit, false),
        ];
        for (u, act, want) in cases {
            assert_eq!(may(u, act), want, "{:?} {act:?}", u.role);
        }
        let mut gone = admin.clone();
        gone.disabled = true;
        assert!(!may(&gone, Act::ReadAudit));
        assert_eq!(permissions(Some(&gone)), permissions(None));
    }

    #[test]
    fn permissions_say_the_same_as_the_policy() {
        let comm = user(Role::Commissioner, Some("00X"), None);
        let p = permissions(Some(&comm));
        assert_eq!(p.decide, Scope::Commissioner("00X".into()));
        assert_eq!(
            serde_json::to_value(&p.decide).unwrap(),
            serde_json::json!({"scope": "commissioner", "code": "00X"})
        );
        assert_eq!(serde_json::to_value(Scope::None).unwrap(), serde_json::json!({"scope": "none"}));
        let manager = user(Role::Network, None, Some("U00001"));
        assert_eq!(permissions(Some(&manager)).keep_records, Scope::Network("U00001".into()));
        assert!(!permissions(None).explore);
    }
}
