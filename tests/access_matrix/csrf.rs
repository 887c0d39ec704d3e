//! Every state-changing route, with ids that exist.

use super::*;

/// Every state-changing route, with ids that exist: each needs the CSRF token.
pub(crate) fn state_changes(ids: &Ids) -> Vec<String> {
    let a = &ids.acme;
    let m = &ids.member;
    let ia = &ids.invitation_acme;
    vec![
        "/sign-out".to_string(),
        format!("/orgs/{a}/members/add"),
        format!("/orgs/{a}/members/{m}/roles"),
        format!("/orgs/{a}/members/{m}/remove"),
        format!("/orgs/{a}/invitations"),
        format!("/orgs/{a}/invitations/{ia}/resend"),
        format!("/orgs/{a}/invitations/{ia}/revoke"),
        format!("/orgs/{a}/invitations/{ia}/delete"),
        format!("/invitations/{ia}/accept"),
        format!("/users/{m}/suspend"),
        format!("/users/{m}/unsuspend"),
        format!("/users/{m}/delete"),
        format!("/users/{m}/orgs"),
        format!("/users/{m}/roles"),
        format!("/users/{m}/mfa-reset"),
        format!("/users/{m}/sessions/end"),
        format!("/users/{m}/sessions/end-all"),
        "/profile/basics".to_string(),
        "/profile/details".to_string(),
        "/profile/password".to_string(),
        "/profile/avatar".to_string(),
        "/profile/custom".to_string(),
        "/profile/email".to_string(),
        "/profile/email/verify".to_string(),
        "/profile/email/resend".to_string(),
        "/profile/email/cancel".to_string(),
        "/profile/email/remove".to_string(),
        "/profile/phone".to_string(),
        "/profile/phone/verify".to_string(),
        "/profile/phone/resend".to_string(),
        "/profile/phone/cancel".to_string(),
        "/profile/phone/remove".to_string(),
        "/profile/security/proof".to_string(),
        "/profile/security/totp".to_string(),
        "/profile/security/totp/confirm".to_string(),
        "/profile/security/totp/cancel".to_string(),
        "/profile/security/factors/remove".to_string(),
        "/profile/security/backup-codes".to_string(),
        "/profile/security/backup-codes.txt".to_string(),
        "/profile/security/tokens".to_string(),
        "/profile/security/tokens/rename".to_string(),
        "/profile/security/tokens/delete".to_string(),
        "/profile/security/sessions/end".to_string(),
        "/profile/security/sessions/end-others".to_string(),
        "/profile/security/portal-sessions/end".to_string(),
        "/profile/security/grants/revoke".to_string(),
        "/profile/security/social/link".to_string(),
        "/profile/identities/github/unlink".to_string(),
        "/profile/delete".to_string(),
        format!("/users/{m}/orgs/{a}/remove"),
        format!("/users/{m}/roles/{UNKNOWN_ID}/remove"),
    ]
}
