//! What the portal keeps in a person's session (server-side, in the database).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::Clock;

pub const USER_KEY: &str = "user";
pub const ACCESS_KEY: &str = "access";
pub const CSRF_KEY: &str = "csrf";
pub const PENDING_KEY: &str = "oidc_pending";
pub const ID_TOKEN_KEY: &str = "id_token";
pub const FLASH_KEY: &str = "flash";
/// Epoch ms of the last time the session's expiry was pushed forward.
pub const TOUCHED_KEY: &str = "touched";
/// The browser and address the session was last used from ([`Device`]); the session store
/// copies it into `session_owners` for the security page's list.
pub const DEVICE_KEY: &str = "device";
/// The `sid` claim of the ID token Logto gave at sign-in: which of the person's Logto sessions
/// is this browser's (see [`crate::auth::oidc::VerifiedSignIn`]).
pub const LOGTO_SID_KEY: &str = "logto_sid";

/// The longest a keep-alive save is put off; see [`keep_alive_due`].
const KEEP_ALIVE_AT_MOST_EVERY_MS: i64 = 60_000;

// The lifetime rules, on epoch ms read from the portal's [`Clock`]. The session store also
// drops idle sessions by its own wall clock; these make the portal's clock the one that decides.

/// Signed in longer ago than `absolute`: the session ends whatever the activity.
pub fn outlived(signed_in_at: i64, now: i64, absolute: Duration) -> bool {
    now - signed_in_at > Clock::ms(absolute)
}

/// No keep-alive for `idle` since `touched`: the session ends (the rule the store applies to
/// the expiry it last saved).
pub fn idle_too_long(touched: i64, now: i64, idle: Duration) -> bool {
    now - touched >= Clock::ms(idle)
}

/// An active session is saved again (pushing its idle expiry forward) once its last save is
/// older than a quarter of the idle timeout, at most a minute: not a write on every request.
pub fn keep_alive_due(touched: i64, now: i64, idle: Duration) -> bool {
    now - touched >= (Clock::ms(idle) / 4).min(KEEP_ALIVE_AT_MOST_EVERY_MS)
}

/// The signed-in person, as Logto knows them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionUser {
    pub id: String,
    pub name: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub avatar: Option<String>,
    /// Epoch ms of sign-in, for the absolute session lifetime.
    pub signed_in_at: i64,
}

impl SessionUser {
    /// What to call the person on the page.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| self.username.clone())
            .or_else(|| self.email.clone())
            .unwrap_or_else(|| self.id.clone())
    }
}

/// Where a portal session is used from, as the portal last saw it: the User-Agent and the
/// client address (through the trusted-proxy settings). Shown to the person only.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Device {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// An organization the person belongs to, with their roles in it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrgMembership {
    pub id: String,
    pub name: String,
    pub roles: Vec<String>,
    pub is_admin: bool,
}

/// What the person may do, read from Logto and re-checked periodically.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Access {
    pub is_operator: bool,
    pub orgs: Vec<OrgMembership>,
    /// Epoch ms of the last check against Logto.
    pub checked_at: i64,
    /// The person's access generation (`access_generations`) when this was read: the portal
    /// bumps it when it changes the person's access, and a session holding an older one
    /// reads access again on its next request.
    #[serde(default)]
    pub generation: i64,
}

impl Access {
    pub fn admin_orgs(&self) -> impl Iterator<Item = &OrgMembership> {
        self.orgs.iter().filter(|o| o.is_admin)
    }

    pub fn is_org_admin(&self, org_id: &str) -> bool {
        self.admin_orgs().any(|o| o.id == org_id)
    }

    /// Operators administer every organization; admins their own.
    pub fn may_administer(&self, org_id: &str) -> bool {
        self.is_operator || self.is_org_admin(org_id)
    }

    pub fn administers_any(&self) -> bool {
        self.admin_orgs().next().is_some()
    }

    /// Read from Logto at least `every` ago: due for a re-check.
    pub fn recheck_due(&self, now: i64, every: Duration) -> bool {
        now - self.checked_at >= Clock::ms(every)
    }
}

/// A sign-in in progress (one per tab, keyed by `state`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub created_at: i64,
    /// Asked with `prompt=login`: the person proves who they are anew (the security page's
    /// proof of identity for people without a password).
    #[serde(default)]
    pub fresh_login: bool,
}

/// A one-time message shown on the next page (after a plain-form redirect).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

/// Only same-site paths: starts with one `/`, no scheme, no `//` or `/\` (which browsers
/// treat as another host), no control characters.
pub fn safe_return_to(candidate: Option<&str>) -> String {
    let Some(path) = candidate.map(str::trim) else {
        return "/".to_string();
    };
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && path.len() <= 2048;
    if ok {
        path.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_on_epoch_ms() {
        let second = Duration::from_secs(1);
        assert!(!outlived(0, 1_000, second));
        assert!(outlived(0, 1_001, second));
        assert!(!idle_too_long(0, 1_999, 2 * second));
        assert!(idle_too_long(0, 2_000, 2 * second));
        // A quarter of the idle time, at most a minute.
        assert!(!keep_alive_due(0, 499, 2 * second));
        assert!(keep_alive_due(0, 500, 2 * second));
        assert!(!keep_alive_due(0, 59_999, Duration::from_secs(3600)));
        assert!(keep_alive_due(0, 60_000, Duration::from_secs(3600)));
        let access = Access {
            checked_at: 1_000,
            ..Default::default()
        };
        assert!(!access.recheck_due(1_999, second));
        assert!(access.recheck_due(2_000, second));
    }

    #[test]
    fn return_to_accepts_only_local_paths() {
        assert_eq!(
            safe_return_to(Some("/orgs/abc/members?page=2")),
            "/orgs/abc/members?page=2"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}
