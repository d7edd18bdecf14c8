//! How a command fails: errors for people, exit codes for scripts (0 success,
//! 1 refused on its merits or findings that are errors, 2 bad usage or input,
//! 3 internal failure).

use pcn_nhs::ReadError;
use pcn_store::StoreError;

/// A mistake in how pcn was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// A request refused on its merits: a stale edit, a proposal the rules
/// reject, one already decided (exit code 1, like findings that are errors).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

pub fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<Refusal>().is_some() || matches!(e.downcast_ref::<StoreError>(), Some(StoreError::Refused(_))) {
        return 1;
    }
    let user = e.downcast_ref::<Usage>().is_some()
        || e.downcast_ref::<ReadError>().is_some()
        || matches!(
            e.downcast_ref::<StoreError>(),
            Some(
                StoreError::Missing(_) | StoreError::NoSuchSnapshot(_) | StoreError::Empty | StoreError::Connect { .. }
            )
        );
    if user { 2 } else { 3 }
}
