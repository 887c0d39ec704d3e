//! `/invitations/{id}`: the invitee's landing page (the acceptance itself is in `accept`).
//!
//! The page is public (the invitee may not have an account yet) and shows only what the
//! invitee needs: organization, inviter, roles, expiry, and the invited address masked for
//! anyone but the invitee (signed in with that address). Knowing the link is not enough to
//! accept: acceptance needs a signed-in person whose primary email is the invited address.

use askama::Template;
use axum::{
    extract::FromRequestParts,
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;
use tower_sessions::Session;

use super::accept::{accept_as, take_intent};
use super::present::{effective_status, mask_email};
use crate::audit::NewEntry;
use crate::limits::{self, Reservation};
use crate::logto::{Invitation, InvitationStatus, User};
use crate::web::context::{csrf_token, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::format::Moment;
use crate::web::i18n::Tr;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    Unknown,
    Pending,
    Accepted,
    Expired,
    Revoked,
}

#[derive(Debug, Clone)]
pub struct LandingView {
    pub id: String,
    pub situation: Situation,
    pub org_name: String,
    /// Empty when the inviter is unknown.
    pub inviter: String,
    pub roles: Vec<String>,
    pub expires: Option<Moment>,
    /// Masked for everyone but the invitee (signed in with the invited address).
    pub invitee: String,
    pub signed_in: bool,
    pub my_email: String,
    pub email_matches: bool,
    pub accepted_by_me: bool,
    pub link: String,
    pub continue_href: String,
}

impl LandingView {
    /// Signs in again as the invited person: Logto asks for credentials even when it still
    /// has a session for someone else (`prompt=login`), then comes back here. No login hint:
    /// the person signed in is not the invitee and does not get to read the address.
    pub fn switch_account_href(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("prompt", "login");
        q.append_pair("return_to", &format!("/invitations/{}", self.id));
        format!("/sign-in?{}", q.finish())
    }

    pub fn is_unknown(&self) -> bool {
        self.situation == Situation::Unknown
    }
    pub fn is_pending(&self) -> bool {
        self.situation == Situation::Pending
    }
    pub fn is_accepted(&self) -> bool {
        self.situation == Situation::Accepted
    }
    pub fn is_expired(&self) -> bool {
        self.situation == Situation::Expired
    }
    pub fn is_revoked(&self) -> bool {
        self.situation == Situation::Revoked
    }
    pub fn state_name(&self) -> &'static str {
        match self.situation {
            Situation::Unknown => "unknown",
            Situation::Pending => "pending",
            Situation::Accepted => "accepted",
            Situation::Expired => "expired",
            Situation::Revoked => "revoked",
        }
    }

    /// The message `key` with this invitation's `{org}`, `{inviter}`, `{invitee}` and
    /// `{my_email}` filled in.
    pub fn say(&self, t: &Tr, key: &str) -> String {
        t.f(
            key,
            &[
                ("org", &self.org_name),
                ("inviter", &self.inviter),
                ("invitee", &self.invitee),
                ("my_email", &self.my_email),
            ],
        )
    }
}

/// The invitee's page; htmx (the language switch, a retry) gets the invitation's section.
#[derive(Template)]
#[template(path = "invitations/landing.html", blocks = ["partial"])]
struct LandingPage {
    ctx: PageCtx,
    view: LandingView,
}
crate::page_template!(LandingPage);

/// The page with `status`.
fn page(ctx: PageCtx, view: LandingView, status: StatusCode) -> AppResult<Response> {
    let htmx = ctx.htmx();
    Ok((status, htmx.page(&LandingPage { ctx, view })?).into_response())
}

/// A name to show strangers: never the inviter's full email address.
fn public_name(user: &User) -> String {
    [&user.name, &user.username]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .cloned()
        .or_else(|| user.primary_email.as_deref().map(mask_email))
        .unwrap_or_default()
}

pub(super) fn unknown(ctx: PageCtx, id: &str) -> AppResult<Response> {
    let view = LandingView {
        id: id.to_string(),
        situation: Situation::Unknown,
        org_name: String::new(),
        inviter: String::new(),
        roles: Vec::new(),
        expires: None,
        invitee: String::new(),
        signed_in: ctx.user.is_some(),
        my_email: String::new(),
        email_matches: false,
        accepted_by_me: false,
        link: String::new(),
        continue_href: "/".into(),
    };
    page(ctx, view, StatusCode::NOT_FOUND)
}

/// [`fetch`] for an id from the address, within the visitor's look-up limit.
pub(super) async fn fetch_for_visitor(
    state: &AppState,
    ctx: &PageCtx,
    id: &str,
) -> AppResult<Option<Invitation>> {
    // Not a Logto id: the "unknown invitation" page, without asking Logto or counting.
    if LogtoId::parse(id).is_err() {
        return Ok(None);
    }
    lookup_allowed(state, ctx).await?;
    fetch(state, id).await
}

pub(super) async fn fetch(state: &AppState, id: &str) -> AppResult<Option<Invitation>> {
    // Not a Logto id: the same "unknown invitation" page, without asking Logto.
    if LogtoId::parse(id).is_err() {
        return Ok(None);
    }
    match state.logto.get_invitation(id).await {
        Ok(invitation) => Ok(Some(invitation)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(AppError::Logto(e)),
    }
}

/// Each look-up with an id from the address is an attempt: per person when signed in, per
/// client address otherwise (this page is public, so ids cannot be tried by the thousand).
async fn lookup_allowed(state: &AppState, ctx: &PageCtx) -> AppResult<()> {
    let subject = match (&ctx.user, &ctx.ip) {
        (Some(user), _) => format!("user:{}", user.id),
        (None, Some(ip)) => format!("ip:{ip}"),
        (None, None) => "ip:unknown".to_string(),
    };
    let limit = &limits::INVITATION_LOOKUPS;
    if let Reservation::Refused { retry_after } = state.limits.reserve(limit, &subject).await? {
        state
            .audit
            .record_or_log(
                NewEntry::new("security.rate_limited", ctx.actor(), ctx.origin())
                    .details(json!({
                        "limit": limit.name,
                        "retry_after_seconds": retry_after.as_secs().max(1),
                    }))
                    .failed(limit.audit_code),
            )
            .await;
        return Err(AppError::TooManyAttempts { retry_after });
    }
    Ok(())
}

/// Where the person goes after joining: their organization's pages if they administer it,
/// else their profile (which lists their organizations).
pub(super) fn destination(state_access: &crate::auth::session::Access, org_id: &str) -> String {
    if state_access.is_org_admin(org_id) || state_access.is_operator {
        format!("/orgs/{org_id}/members")
    } else {
        "/profile".to_string()
    }
}

/// Renders the landing page for an invitation. `fresh_email` is the signed-in person's address
/// as Logto has it right now, when the caller just read it.
pub(super) async fn render(
    state: &AppState,
    session: &Session,
    mut ctx: PageCtx,
    invitation: &Invitation,
    status: StatusCode,
    fresh_email: Option<String>,
) -> AppResult<Response> {
    let now = state.clock.now_ms();
    let situation = match effective_status(invitation, now) {
        InvitationStatus::Pending => Situation::Pending,
        InvitationStatus::Accepted => Situation::Accepted,
        InvitationStatus::Expired => Situation::Expired,
        InvitationStatus::Revoked => Situation::Revoked,
    };
    let inviter = async {
        match &invitation.inviter_id {
            Some(id) => state.logto.get_user(id).await.map(Some),
            None => Ok(None),
        }
    };
    let (org, inviter) = tokio::join!(
        state.logto.get_organization(&invitation.organization_id),
        inviter
    );
    let org = org?;
    let inviter = match inviter {
        Ok(Some(user)) => public_name(&user),
        Ok(None) => String::new(),
        Err(e) if e.is_not_found() => String::new(),
        Err(e) => return Err(AppError::Logto(e)),
    };
    let signed_in_as = ctx.user.as_ref().map(|u| (u.id.clone(), u.email.clone()));
    let my_email = fresh_email
        .or_else(|| signed_in_as.as_ref().and_then(|(_, e)| e.clone()))
        .unwrap_or_default();
    let signed_in = signed_in_as.is_some();
    let email_matches = signed_in && my_email.eq_ignore_ascii_case(&invitation.invitee);
    if situation == Situation::Pending && !signed_in {
        // The anonymous "Accept" form needs a token; this is the one page that starts a
        // session for someone not signed in yet (sign-in itself needs one next anyway).
        ctx.csrf = csrf_token(session).await?;
    }
    let accepted_by_me = signed_in_as
        .as_ref()
        .is_some_and(|(id, _)| invitation.accepted_user_id.as_deref() == Some(id.as_str()));
    let view = LandingView {
        id: invitation.id.clone(),
        situation,
        org_name: org.name,
        inviter,
        roles: invitation
            .organization_roles
            .iter()
            .map(|r| r.name.clone())
            .collect(),
        expires: Some(Moment::new(&ctx.t, invitation.expires_at, now)),
        // Only the invitee sees the whole address: the link may be forwarded, or opened by
        // someone else signed in on a shared computer.
        invitee: if email_matches {
            invitation.invitee.clone()
        } else {
            mask_email(&invitation.invitee)
        },
        signed_in,
        my_email,
        email_matches,
        accepted_by_me,
        link: super::acceptance_link(state, &invitation.id),
        continue_href: destination(&ctx.access, &invitation.organization_id),
    };
    page(ctx, view, status)
}

/// Someone opening an invitation's address: what the page and the acceptance start from.
pub(super) struct Visit {
    pub state: AppState,
    /// The signed-in person when there is one; anonymous visitors are welcome here.
    pub user: Option<CurrentUser>,
    pub session: Session,
    pub ctx: PageCtx,
    /// The invitation id from the address, not checked yet.
    pub id: String,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => Some(user),
            Err(AppError::NotSignedIn { .. }) => None,
            Err(e) => return Err(e),
        };
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| AppError::Internal(anyhow::anyhow!("session: {why}")))?;
        let ctx = PageCtx::from_request_parts(parts, state).await?;
        let Ids(id) = Ids::<String>::from_request_parts(parts, state).await?;
        Ok(Visit {
            state: state.clone(),
            user,
            session,
            ctx,
            id,
        })
    }
}

/// `GET /invitations/{invitation_id}`
pub async fn show(v: Visit) -> AppResult<Response> {
    let Some(invitation) = fetch_for_visitor(&v.state, &v.ctx, &v.id).await? else {
        return unknown(v.ctx, &v.id);
    };
    let (state, session) = (&v.state, &v.session);
    if let Some(user) = &v.user {
        if take_intent(session, &v.id, state.clock.now_ms()).await? {
            return accept_as(state, session, v.ctx, user, invitation).await;
        }
    }
    render(state, session, v.ctx, &invitation, StatusCode::OK, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_before_asking_logto() {
        assert!(LogtoId::parse("abc123xyz").is_ok());
        assert!(LogtoId::parse("").is_err());
        assert!(LogtoId::parse("../users").is_err());
        assert!(LogtoId::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn strangers_never_see_the_inviter_s_address() {
        let mut user: User = serde_json::from_value(json!({
            "id": "u1", "primaryEmail": "boss@acme.test", "createdAt": 1
        }))
        .unwrap();
        assert_eq!(public_name(&user), "b***@acme.test");
        user.username = Some("boss".into());
        assert_eq!(public_name(&user), "boss");
        user.name = Some("The Boss".into());
        assert_eq!(public_name(&user), "The Boss");
    }
}
