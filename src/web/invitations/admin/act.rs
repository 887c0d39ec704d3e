//! Resend, revoke and delete: one flow for the three row actions of the invitations table.
//! Revoking and deleting are asked about in the row first (`GET …/revoke`, a confirmation
//! that htmx swaps into the row, or a page of its own without JavaScript); resending is not.

use askama::Template;
use axum::{
    extract::FromRequestParts,
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Router,
};
use axum_extra::extract::{Form, Query};
use serde::Deserialize;
use serde_json::json;

use super::list::ListPage;
use super::table::{list_path, ListQuery, Notice, VIEW_TARGET};
use crate::audit::NewEntry;
use crate::auth::session::safe_return_to;
use crate::logto::{Invitation, InvitationStatus};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Htmx, OrgAdmin};
use crate::web::i18n::Tr;
use crate::web::ids::{Ids, LogtoId};
use crate::web::invitations::present::{effective_status, ended_code, status_label};
use crate::web::invitations::send::{self, Delivery};
use crate::web::parts::{org_tabs, MenuItem, OrgSection, Tab};
use crate::web::refusal::{Refusal, Wording};
use crate::web::AppState;

/// How Logto's refusals of a row action read.
const WORDING: Wording = Wording {
    codes: &[(
        // The status can no longer change: accepted, revoked or expired meanwhile.
        "request.invalid_input",
        "invitations.action.changed_meanwhile",
    )],
    not_found: "invitations.action.gone",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Resend,
    Revoke,
    Delete,
}

impl Action {
    pub(super) const ALL: [Action; 3] = [Action::Resend, Action::Revoke, Action::Delete];

    /// The last segment of the action's URL.
    fn path_segment(self) -> &'static str {
        match self {
            Action::Resend => "resend",
            Action::Revoke => "revoke",
            Action::Delete => "delete",
        }
    }

    /// Resending and revoking only make sense while the invitation can still be accepted.
    /// Deleting is for ended invitations that did not lead anywhere: a pending one is revoked
    /// first (so its link says "withdrawn" rather than "unknown"), and an accepted one is kept
    /// as the record of how the person joined.
    pub(super) fn allowed(self, status: InvitationStatus) -> bool {
        match self {
            Action::Resend | Action::Revoke => status == InvitationStatus::Pending,
            Action::Delete => matches!(
                status,
                InvitationStatus::Expired | InvitationStatus::Revoked
            ),
        }
    }

    /// Revoking and deleting cannot be undone: the row asks first.
    fn asks_first(self) -> bool {
        self != Action::Resend
    }

    fn audit_action(self) -> &'static str {
        match self {
            Action::Resend => "invitation.resend",
            Action::Revoke => "invitation.revoke",
            Action::Delete => "invitation.delete",
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            Action::Resend => "invitations.action.resend",
            Action::Revoke => "invitations.action.revoke",
            Action::Delete => "invitations.action.delete",
        }
    }

    fn question_key(self) -> &'static str {
        match self {
            Action::Delete => "invitations.action.delete_question",
            _ => "invitations.action.revoke_question",
        }
    }

    fn refusal_key(self, status: InvitationStatus) -> &'static str {
        match (self, status) {
            (Action::Delete, InvitationStatus::Pending) => "invitations.action.delete_pending",
            (Action::Delete, _) => "invitations.action.delete_accepted",
            (Action::Resend, _) => "invitations.action.resend_ended",
            (Action::Revoke, _) => "invitations.action.revoke_ended",
        }
    }

    fn path(self, org_id: &str, invitation_id: &str) -> String {
        format!(
            "{}/{invitation_id}/{}",
            list_path(org_id),
            self.path_segment()
        )
    }

    /// The row menu's entry: resending posts at once and refreshes the table; revoking and
    /// deleting bring their confirmation into the row. `back` is the list view to return to.
    pub(super) fn menu_item(
        self,
        t: &Tr,
        org_id: &str,
        invitation_id: &str,
        back: &str,
    ) -> MenuItem {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("back", back);
        let href = format!("{}?{}", self.path(org_id, invitation_id), query.finish());
        let label = t.t(self.label_key());
        if self.asks_first() {
            MenuItem::link(label, href)
                .swapping(format!("#invitation-{invitation_id}"))
                .danger()
        } else {
            MenuItem::post(label, href).swapping(VIEW_TARGET)
        }
    }
}

/// The list view to return to, from the form or the action's address.
#[derive(Debug, Default, Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

/// What a row action (or its confirmation) is asked with: who, in which organization, on
/// which invitation (this organization's; another's is "not found"), and the list view to
/// return to (from the address; a form may name it).
struct RowRequest {
    state: AppState,
    admin: OrgAdmin,
    ctx: PageCtx,
    htmx: Htmx,
    invitation: Invitation,
    back: String,
}

impl FromRequestParts<AppState> for RowRequest {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let admin = OrgAdmin::from_request_parts(parts, state).await?;
        let ctx = PageCtx::from_request_parts(parts, state).await?;
        let Ok(htmx) = Htmx::from_request_parts(parts, state).await;
        let Ids((_, invitation_id)) =
            Ids::<(LogtoId, LogtoId)>::from_request_parts(parts, state).await?;
        let Query(Back { back }) = Query::<Back>::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let invitation = state.logto.get_invitation(&invitation_id).await?;
        if invitation.organization_id != admin.org_id {
            return Err(AppError::NotFound);
        }
        Ok(RowRequest {
            state: state.clone(),
            back: safe_back(&admin.org_id, &back),
            admin,
            ctx,
            htmx,
            invitation,
        })
    }
}

/// `/orgs/{org_id}/invitations/{invitation_id}/{resend|revoke|delete}`: `POST` acts (all
/// three through [`act`]), `GET` asks first (revoke and delete, through [`ask`]).
pub fn action_routes() -> Router<AppState> {
    Action::ALL
        .into_iter()
        .fold(Router::new(), |router, action| {
            let path = Action::path(action, "{org_id}", "{invitation_id}");
            let mut route = post(
                move |mut row: RowRequest, Form(form): Form<Back>| async move {
                    if !form.back.is_empty() {
                        row.back = safe_back(&row.admin.org_id, &form.back);
                    }
                    act(row, action).await
                },
            );
            if action.asks_first() {
                route = route.get(move |row: RowRequest| ask(row, action));
            }
            router.route(&path, route)
        })
}

/// `back` if it is a view of this organization's list, else the list itself.
fn safe_back(org_id: &str, back: &str) -> String {
    let path = list_path(org_id);
    let back = safe_return_to(Some(back));
    if back == path || back.starts_with(&format!("{path}?")) {
        back
    } else {
        path
    }
}

/// "Revoke the invitation for ann@example.com? [Revoke] [Cancel]" in the invitation's row.
#[derive(Template)]
#[template(path = "invitations/confirm.html", blocks = ["partial"])]
struct ConfirmPage {
    ctx: PageCtx,
    tabs: Vec<Tab>,
    row_id: String,
    question: String,
    action: String,
    confirm_label: String,
    fields: Vec<(&'static str, String)>,
    cancel_href: String,
    /// With htmx: the list view the answer (and Cancel) replaces; empty on a page of its own.
    target: &'static str,
}
crate::page_template!(ConfirmPage);

/// `GET …/revoke`, `GET …/delete`: the confirmation.
async fn ask(row: RowRequest, action: Action) -> AppResult<Response> {
    let (t, org_id, id) = (row.ctx.t, &row.admin.org_id, &row.invitation.id);
    let settings = row.ctx.may_edit_org(org_id);
    let page = ConfirmPage {
        tabs: org_tabs(&t, org_id, OrgSection::Invitations, None, None, settings),
        row_id: format!("invitation-{id}"),
        question: t.f(action.question_key(), &[("email", &row.invitation.invitee)]),
        action: action.path(org_id, id),
        confirm_label: t.t(action.label_key()),
        fields: vec![("back", row.back.clone())],
        cancel_href: row.back.clone(),
        target: if row.htmx.fragment { VIEW_TARGET } else { "" },
        ctx: row.ctx.clone(),
    };
    row.htmx.page(&page)
}

/// What an allowed action came to: the message for the admin, and the failure code for the
/// audit entry (`None` when it was done).
struct Done {
    notice: Notice,
    failure: Option<String>,
}

impl Done {
    fn ok(message: String) -> Done {
        Done {
            notice: Notice::new("success", message),
            failure: None,
        }
    }
}

/// Loads the invitation, checks that it is this organization's and that its status allows the
/// action, does it, and answers with the refreshed list view or a redirect. Every attempt,
/// refused or not, goes to the audit trail.
async fn act(row: RowRequest, action: Action) -> AppResult<Response> {
    let (state, t, invitation) = (&row.state, row.ctx.t, &row.invitation);
    let status = effective_status(invitation, state.clock.now_ms());
    let invitee = invitation.invitee.as_str();
    let entry = NewEntry::new(action.audit_action(), row.ctx.actor(), row.ctx.origin())
        .target("invitation", &invitation.id, Some(invitee))
        .org(&row.admin.org_id)
        .details(json!({ "invitee": invitee, "status": status.as_str() }));

    let outcome = if action.allowed(status) {
        perform(state, &row.admin, &row.ctx, invitation, action).await?
    } else {
        Err(Refusal::rule(
            ended_code(status),
            t.f(
                action.refusal_key(status),
                &[("email", &invitee), ("status", &status_label(&t, status))],
            ),
        ))
    };
    let notice = match outcome {
        Ok(Done { notice, failure }) => {
            let entry = match failure {
                Some(code) => entry.failed(&code),
                None => entry,
            };
            state.audit.record_or_log(entry).await;
            notice
        }
        Err(refusal) => {
            state
                .audit
                .record_or_log(entry.failed(&refusal.code()))
                .await;
            // Logto down or throttling: the error page, not a message about this invitation.
            let about_the_request = refusal.is_about_the_request();
            match refusal {
                Refusal::Logto(e) if !about_the_request => return Err(AppError::Logto(e)),
                refusal => Notice::new("error", refusal.message(&t, &WORDING)),
            }
        }
    };
    respond(row, notice).await
}

/// Does an allowed action. The inner error is Logto refusing the action itself (audited as a
/// failure); the outer one ends the request before anything was attempted.
async fn perform(
    state: &AppState,
    admin: &OrgAdmin,
    ctx: &PageCtx,
    invitation: &Invitation,
    action: Action,
) -> AppResult<Result<Done, Refusal>> {
    let named = |key: &str| ctx.t.f(key, &[("email", &invitation.invitee)]);
    let id = invitation.id.as_str();
    Ok(match action {
        Action::Resend => Ok(resend(state, admin, ctx, invitation).await?),
        Action::Revoke => state
            .logto
            .set_invitation_status(id, InvitationStatus::Revoked, None)
            .await
            .map(|_| Done::ok(named("invitations.action.revoked")))
            .map_err(Refusal::from),
        Action::Delete => state
            .logto
            .delete_invitation(id)
            .await
            .map(|_| Done::ok(named("invitations.action.deleted")))
            .map_err(Refusal::from),
    })
}

/// Emails the acceptance link again, or says to share it when the portal cannot send email.
/// Reading the organization's name for the email may fail before anything is sent.
async fn resend(
    state: &AppState,
    admin: &OrgAdmin,
    ctx: &PageCtx,
    invitation: &Invitation,
) -> AppResult<Done> {
    let t = ctx.t;
    let org_id = &admin.org_id;
    let link = crate::web::invitations::acceptance_link(state, &invitation.id);
    let delivery = if !crate::web::invitations::send::emails_impossible(state).await {
        let org = state.logto.get_organization(org_id).await?;
        let inviter_name = admin.user.user.display_name();
        send::deliver(
            state,
            &invitation.id,
            &link,
            (org_id, &org.name),
            (&admin.user.user.id, &inviter_name),
            ctx.lang.code(),
        )
        .await
    } else {
        Delivery::NoConnector
    };
    let invitee = invitation.invitee.as_str();
    Ok(match delivery {
        Delivery::Emailed => Done::ok(t.f("invitations.action.resent", &[("email", &invitee)])),
        Delivery::NoConnector => Done {
            notice: Notice::new(
                "info",
                t.f(
                    "invitations.action.resend_no_connector",
                    &[("email", &invitee), ("link", &link)],
                ),
            ),
            failure: Some(send::NO_CONNECTOR_CODE.to_string()),
        },
        Delivery::NotSent { reason, code } => Done {
            notice: Notice::new("error", t.t(&reason)),
            failure: Some(code),
        },
        // Only a background batch that stopped halfway leaves this; a resend asks once.
        Delivery::Unconfirmed => Done::ok(t.f("invitations.action.resent", &[("email", &invitee)])),
    })
}

/// htmx: the refreshed list view (`partial`) with the message above the table. Plain forms:
/// back to the list (with its filters) and the message on the next page.
async fn respond(row: RowRequest, notice: Notice) -> AppResult<Response> {
    if !row.htmx.fragment {
        set_flash(&row.admin.user.session, notice.kind, notice.message).await?;
        return Ok(Redirect::to(&row.back).into_response());
    }
    let query: ListQuery = row
        .back
        .parse()
        .ok()
        .and_then(|uri| Query::try_from_uri(&uri).ok())
        .map(|Query(q)| q)
        .unwrap_or_default();
    let mut page = ListPage::load(&row.state, &row.admin, row.ctx, &query).await?;
    page.table.notice = Some(notice);
    row.htmx.page(&page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::invitations::present::STATUSES;
    use crate::web::parts::SwapTarget;

    #[test]
    fn actions_follow_the_status() {
        use InvitationStatus::*;
        let allowed = |a: Action| {
            STATUSES
                .into_iter()
                .filter(|s| a.allowed(*s))
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Action::Resend), [Pending]);
        assert_eq!(allowed(Action::Revoke), [Pending]);
        assert_eq!(allowed(Action::Delete), [Expired, Revoked]);
    }

    #[test]
    fn destructive_actions_are_quiet_menu_links_that_ask_first() {
        let t = Tr::new(crate::web::i18n::Lang::En);
        let back = "/orgs/o1/invitations?status=pending";
        let resend = Action::Resend.menu_item(&t, "o1", "i1", back);
        assert!(resend.is_post() && !resend.danger);
        assert_eq!(resend.swap, SwapTarget::Element(VIEW_TARGET.into()));
        assert_eq!(
            resend.href,
            "/orgs/o1/invitations/i1/resend?back=%2Forgs%2Fo1%2Finvitations%3Fstatus%3Dpending"
        );
        for action in [Action::Revoke, Action::Delete] {
            let item = action.menu_item(&t, "o1", "i1", back);
            assert!(!item.is_post() && item.danger, "{action:?}");
            assert_eq!(item.swap, SwapTarget::Element("#invitation-i1".into()));
        }
        assert_eq!(safe_back("o1", back), back);
        assert_eq!(
            safe_back("o1", "/orgs/o2/invitations"),
            "/orgs/o1/invitations"
        );
        assert_eq!(
            safe_back("o1", "https://evil.test/"),
            "/orgs/o1/invitations"
        );
    }
}
