//! What the portal keeps in a person's session (server-side, in the database).

use serde::{Deserialize, Serialize};

pub const USER_KEY: &str = "user";
pub const ACCESS_KEY: &str = "access";
pub const CSRF_KEY: &str = "csrf";
pub const PENDING_KEY: &str = "oidc_pending";
pub const ID_TOKEN_KEY: &str = "id_token";
pub const FLASH_KEY: &str = "flash";
/// Epoch ms of the last time the session's expiry was pushed forward.
pub const TOUCHED_KEY: &str = "touched";

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

    pub fn administers_any(&self) -> bool {
        self.admin_orgs().next().is_some()
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
