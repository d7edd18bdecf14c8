//! The roles of the workbench's users: who a person is to the register. What
//! each may do is decided in one place (`pcn_workbench::access`); this is only
//! the vocabulary, shared by the store, the CLI and the API.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, everywhere.
    Admin,
    /// A commissioner's primary-care team: proposes and decides in its own area.
    Commissioner,
    /// A network's manager: proposes for its own network, keeps its staff
    /// records and service checklist.
    Network,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Commissioner, Role::Network];

    /// The word stored and sent (`admin`, `commissioner`, `network`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Commissioner => "commissioner",
            Role::Network => "network",
        }
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "administrator",
            Role::Commissioner => "commissioner",
            Role::Network => "network manager",
        }
    }

    pub fn parse(s: &str) -> Result<Role, RoleError> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| RoleError(s.to_string()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a role (one of admin, commissioner, network)")]
pub struct RoleError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_word_and_nothing_else_does() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{r}\""));
        }
        for bad in ["", "Admin", "manager", "admin "] {
            assert!(Role::parse(bad).is_err(), "{bad:?}");
        }
    }
}
