//! The account security page's foundations, free of the web layer: authenticator-app codes
//! ([`totp`]), backup codes ([`backup_codes`]) and avatars kept by the portal
//! ([`avatar_store`]).
//!
//! # Audit trail
//!
//! Every change the security page makes is recorded under one of [`AUDIT_ACTIONS`], with the
//! signed-in person as actor and target; the operators' user page (`/users/{id}`) records its
//! reset and sign-outs under the same actions, with the operator as actor and the person as
//! target. Entries never hold a secret: no TOTP secret or code,
//! no backup code, no token value, no social provider code or state. What the details carry:
//!
//! | action | details |
//! |---|---|
//! | `security.totp_enrol` | `replaced` (whether an earlier authenticator was removed first) |
//! | `security.totp_remove` | `verificationId` |
//! | `security.backup_codes_generate` | `count` (10), `replaced` (unused codes left in the old set) |
//! | `security.passkey_remove` | `verificationId`, `name` |
//! | `security.mfa_reset` | `removed` (how many factors; an operator on someone else; refused on oneself: `self_guard`) |
//! | `security.session_end` | `sessionId` (Logto's; for `portal` the page's hash of the portal session id, never the id), `kind` (`logto` or `portal`); the person or an operator; failures `session_not_found` (portal) |
//! | `security.sessions_end_others` | `logtoSessionsEnded`, `sessionsEnded` (portal) |
//! | `security.sessions_end_all` | an operator signed someone out everywhere: `logtoSessionsEnded` (only where this Logto has sessions), `sessionsEnded` (portal); refused on oneself: `self_guard` |
//! | `security.grant_revoke` | `grantId`, `application` (name) |
//! | `security.token_create` | `name`, `expiresAt` |
//! | `security.token_rename` | `from`, `to` |
//! | `security.token_delete` | `name` |
//! | `security.identity_link` | `target` (`github` …), `connectorId`; failures keep Logto's code (`user.identity_already_in_use`) |
//! | `security.avatar_upload` | `hash` (content hash of the stored image), `bytes` (upload size) |
//! | `security.reauthenticate` | `method` (`password` or `sign_in`); a wrong password fails as `invalid_current_password` |

pub mod avatar_store;
pub mod backup_codes;
pub mod totp;

/// The audit actions of the account security page (see the table above).
pub const AUDIT_ACTIONS: [&str; 15] = [
    "security.totp_enrol",
    "security.totp_remove",
    "security.backup_codes_generate",
    "security.passkey_remove",
    "security.mfa_reset",
    "security.session_end",
    "security.sessions_end_others",
    "security.sessions_end_all",
    "security.grant_revoke",
    "security.token_create",
    "security.token_rename",
    "security.token_delete",
    "security.identity_link",
    "security.avatar_upload",
    "security.reauthenticate",
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_documents_every_action_once() {
        let doc = include_str!("mod.rs");
        for action in super::AUDIT_ACTIONS {
            assert_eq!(
                doc.matches(&format!("//! | `{action}` |")).count(),
                1,
                "{action}"
            );
        }
        let distinct: std::collections::BTreeSet<_> = super::AUDIT_ACTIONS.iter().collect();
        assert_eq!(distinct.len(), super::AUDIT_ACTIONS.len());
    }
}
