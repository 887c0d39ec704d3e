//! Ending or refreshing a person's portal sessions at once when the portal itself changes
//! their access (issue 15). Changes made elsewhere (Logto's console, another tool) are
//! noticed at the next periodic re-check (`PORTAL_ACCESS_RECHECK_SECS`).
//!
//! Two mechanisms, both in the shared database so every replica sees them:
//! - `session_owners` finds a person's sessions by user id; ending deletes them.
//! - `access_generations` is bumped on every change; a session whose access was read under
//!   an older generation reads it again from Logto on its next request (see
//!   [`crate::auth::access::signed_in`]). This also catches a session that a request in
//!   flight writes back after it was deleted.
//!
//! Callers go through [`end_sessions_of`] and [`refresh_access_of`] only, so whatever else
//! must happen when access changes (e.g. revoking Logto's own sessions) has one place.

use serde_json::json;

use crate::audit::NewEntry;
use crate::db::PortalSessionStore;
use crate::logto::{Feature, LogtoClient, LogtoError};

/// What the portal changed about the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessChange {
    Suspended,
    Deleted,
    RolesChanged,
    MembershipChanged,
    /// An operator signed the person out everywhere.
    SignedOut,
}

impl AccessChange {
    fn as_str(self) -> &'static str {
        match self {
            AccessChange::Suspended => "suspended",
            AccessChange::Deleted => "deleted",
            AccessChange::RolesChanged => "roles_changed",
            AccessChange::MembershipChanged => "membership_changed",
            AccessChange::SignedOut => "signed_out",
        }
    }
}

/// Ends every portal session of `user_id` (the next request of each is signed out); returns
/// how many there were.
pub async fn end_sessions_of(
    sessions: &PortalSessionStore,
    user_id: &str,
    reason: AccessChange,
) -> anyhow::Result<u64> {
    // First the generation: a copy of a session written back by a request still in flight
    // after the deletion re-checks, and Logto then says the person may not continue.
    sessions.bump_access_generation(user_id).await?;
    // And the mark: a person who may still continue (signed out everywhere by an operator)
    // must not come back through a write-back either.
    sessions
        .mark_sessions_ended(user_id, crate::clock::system_now_ms())
        .await?;
    let ended = sessions.delete_sessions_of(user_id).await?;
    tracing::info!(
        user_id,
        reason = reason.as_str(),
        ended,
        "portal sessions ended"
    );
    Ok(ended)
}

/// Makes every portal session of `user_id` read the person's access from Logto again on its
/// next request; returns how many sessions there are.
pub async fn refresh_access_of(
    sessions: &PortalSessionStore,
    user_id: &str,
    reason: AccessChange,
) -> anyhow::Result<u64> {
    sessions.bump_access_generation(user_id).await?;
    let count = sessions.db().count_sessions_of(user_id).await?;
    tracing::info!(
        user_id,
        reason = reason.as_str(),
        sessions = count,
        "portal sessions refreshed"
    );
    Ok(count)
}

/// Applies `change` to `user_id`'s sessions after a successful change in Logto, and adds
/// what happened to the change's audit entry (`sessionsEnded` or `sessionsRefreshed`).
/// A database failure is logged and recorded as `sessionsError`; the periodic re-check
/// still applies then.
pub async fn after_access_change(
    sessions: &PortalSessionStore,
    entry: NewEntry,
    user_id: &str,
    change: AccessChange,
) -> NewEntry {
    let ends = matches!(
        change,
        AccessChange::Suspended | AccessChange::Deleted | AccessChange::SignedOut
    );
    let (key, result) = if ends {
        (
            "sessionsEnded",
            end_sessions_of(sessions, user_id, change).await,
        )
    } else {
        (
            "sessionsRefreshed",
            refresh_access_of(sessions, user_id, change).await,
        )
    };
    match result {
        Ok(n) => entry.detail(key, json!(n)),
        Err(e) => {
            tracing::warn!(error = %e, user_id, "could not update the person's portal sessions");
            entry.detail("sessionsError", json!("database"))
        }
    }
}

/// This browser's sign-in session at Logto, when the portal knows it: the portal's app id and
/// the `sid` claim of the ID token it got at sign-in.
#[derive(Debug, Clone, Copy)]
pub struct LogtoSessionRef<'a> {
    pub client_id: &'a str,
    pub sid: &'a str,
}

/// Ends the person's Logto sign-in sessions but `keep` (Logto 1.38 on; 0 before, as there
/// are none to end); returns how many were ended. Without `keep` every one of them ends,
/// this browser's too: Logto then asks for a sign-in at the next visit.
pub async fn end_other_logto_sessions(
    logto: &LogtoClient,
    user_id: &str,
    keep: Option<LogtoSessionRef<'_>>,
) -> Result<usize, LogtoError> {
    if !logto.capabilities().has(Feature::UserSessions) {
        return Ok(0);
    }
    let ended = logto
        .revoke_user_sessions_except(user_id, |s| {
            keep.is_some_and(|k| s.is_session_of(k.client_id, k.sid))
        })
        .await?;
    tracing::info!(
        user_id,
        ended,
        kept = keep.is_some(),
        "Logto sessions ended"
    );
    Ok(ended)
}
