//! The matrix: every GET route with the status each role gets.

use super::*;

/// GET routes with the status each role gets: (path, anonymous, end user, admin of Acme, operator).
pub(crate) fn get_routes(i: &Ids) -> Vec<(String, u16, u16, u16, u16)> {
    let a = &i.acme;
    let g = &i.globex;
    let m = &i.member;
    let gu = &i.globex_user;
    vec![
        ("/profile".into(), SEE_OTHER, OK, OK, OK),
        ("/orgs".into(), SEE_OTHER, OK, OK, OK),
        (
            format!("/orgs/go?org_id={a}"),
            SEE_OTHER,
            NOT_FOUND,
            SEE_OTHER,
            SEE_OTHER,
        ),
        (
            format!("/orgs/go?org_id={g}"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            SEE_OTHER,
        ),
        (format!("/orgs/{a}/members"), SEE_OTHER, NOT_FOUND, OK, OK),
        (
            format!("/orgs/{g}/members"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{g}/members/export.csv"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{g}/members/add"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        // The picker's fragment; without htmx it sends the browser to the add page.
        (
            format!("/orgs/{g}/members/candidates?q=an"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            SEE_OTHER,
        ),
        (
            format!("/orgs/{g}/members/{gu}/roles"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{g}/members/{gu}/remove"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{a}/invitations"),
            SEE_OTHER,
            NOT_FOUND,
            OK,
            OK,
        ),
        (
            format!("/orgs/{g}/invitations"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        // A background batch: its organization's admins and operators; another organization's
        // batch under this organization's address names nothing.
        (
            format!("/orgs/{a}/invitations/batches/{}", i.batch_acme),
            SEE_OTHER,
            NOT_FOUND,
            OK,
            OK,
        ),
        (
            format!("/orgs/{g}/invitations/batches/{}", i.batch_globex),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{a}/invitations/batches/{}", i.batch_globex),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        // A bulk role change's confirmation (nobody ticked: it says so) and its job's page,
        // found only under its own organization; an invitation batch is not one.
        (
            format!("/orgs/{a}/members/bulk"),
            SEE_OTHER,
            NOT_FOUND,
            UNPROCESSABLE,
            UNPROCESSABLE,
        ),
        (
            format!("/orgs/{g}/members/bulk"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            UNPROCESSABLE,
        ),
        (
            format!("/orgs/{a}/members/batches/{}", i.bulk_acme),
            SEE_OTHER,
            NOT_FOUND,
            OK,
            OK,
        ),
        (
            format!("/orgs/{g}/members/batches/{}", i.bulk_globex),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{a}/members/batches/{}", i.bulk_globex),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        (
            format!("/orgs/{a}/members/batches/{}", i.batch_acme),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        (
            format!("/orgs/{a}/invitations/batches/{}", i.bulk_acme),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        // Revoking and deleting ask first (the confirmation; nothing changes).
        (
            format!("/orgs/{a}/invitations/{}/revoke", i.invitation_acme),
            SEE_OTHER,
            NOT_FOUND,
            OK,
            OK,
        ),
        (
            format!("/orgs/{g}/invitations/{}/delete", i.invitation_globex),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        // Organizations themselves: operators; an organization's admins see its settings
        // only with PORTAL_ADMINS_EDIT_ORG=true (off here), others do not learn it exists.
        ("/orgs/new".into(), SEE_OTHER, FORBIDDEN, FORBIDDEN, OK),
        (
            format!("/orgs/{a}/settings"),
            SEE_OTHER,
            NOT_FOUND,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/orgs/{g}/settings"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{a}/delete"),
            SEE_OTHER,
            NOT_FOUND,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/orgs/{g}/delete"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        ("/users".into(), SEE_OTHER, FORBIDDEN, FORBIDDEN, OK),
        (
            "/users/export.csv".into(),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/users/exports/{}", i.export),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/users/exports/{}/download", i.export),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (format!("/users/{m}"), SEE_OTHER, FORBIDDEN, FORBIDDEN, OK),
        (
            format!("/users/{m}/suspend"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/users/{m}/delete"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        // Expiring a password asks first (on an older Logto it says which release brings it).
        (
            format!("/users/{m}/password-expire"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        // Resetting two-step verification asks first (the confirmation; nothing changes).
        (
            format!("/users/{m}/mfa-reset"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        ("/audit".into(), SEE_OTHER, FORBIDDEN, OK, OK),
        ("/tenant".into(), SEE_OTHER, FORBIDDEN, FORBIDDEN, OK),
        (
            "/tenant?section=connectors&page=2".into(),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (
            "/tenant?section=sso".into(),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        ("/audit/export.csv".into(), SEE_OTHER, FORBIDDEN, OK, OK),
        // Public pages.
        (
            format!("/invitations/{}", i.invitation_acme),
            OK,
            OK,
            OK,
            OK,
        ),
        ("/signed-out".into(), OK, OK, OK, OK),
        ("/healthz".into(), OK, OK, OK, OK),
        // Avatars the portal keeps are public, like Logto's storage URLs; an unknown one is 404.
        (
            format!("/avatars/u/{}-256.png", "a".repeat(64)),
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        ("/readyz".into(), OK, OK, OK, OK),
        // Loopback may read the metrics without a token.
        ("/metrics".into(), OK, OK, OK, OK),
        ("/static/app.css".into(), OK, OK, OK, OK),
        // The deployer's branding; the test portal has none, so nothing is there.
        (
            "/brand/logo".into(),
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        // Browsers ask for it on their own: the fingerprinted icon.
        (
            "/favicon.ico".into(),
            PERMANENT,
            PERMANENT,
            PERMANENT,
            PERMANENT,
        ),
        // The welcome page for visitors; everyone else goes where they belong.
        ("/".into(), OK, SEE_OTHER, SEE_OTHER, SEE_OTHER),
        // To Logto's sign-in page; a callback without a sign-in in progress is refused.
        (
            "/sign-in".into(),
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
        ),
        (
            "/callback".into(),
            BAD_REQUEST,
            BAD_REQUEST,
            BAD_REQUEST,
            BAD_REQUEST,
        ),
        (
            "/lang/zh-TW".into(),
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
        ),
        // The member has no avatar: nothing to serve, to anyone who may see them.
        (
            format!("/avatars/{m}"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        ("/audit/export.jsonl".into(), SEE_OTHER, FORBIDDEN, OK, OK),
        (
            format!("/users/{m}/unsuspend"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/users/{m}/orgs/{a}/remove"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        // A role the member does not hold: nothing to confirm.
        (
            format!("/users/{m}/roles/{UNKNOWN_ID}/remove"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            NOT_FOUND,
        ),
        ("/profile/basics".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/basics/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/details".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/details/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/email".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/email/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/phone".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/phone/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/password".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/password/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/identities".into(), SEE_OTHER, OK, OK, OK),
        // The security page: everyone signed in, for themselves only (the proof form first).
        ("/profile/security".into(), SEE_OTHER, OK, OK, OK),
        // No authenticator being set up in this session: nothing to draw.
        (
            "/profile/security/totp/qr.svg".into(),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        // No fresh proof: the page asks for it first, and nothing is linked.
        (
            "/profile/security/social/callback?code=x&state=y".into(),
            SEE_OTHER,
            OK,
            OK,
            OK,
        ),
        // Off unless the deployer declares custom fields / allows deleting one's account.
        (
            "/profile/custom".into(),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        (
            "/profile/custom/edit".into(),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        (
            "/profile/delete".into(),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
    ]
}
