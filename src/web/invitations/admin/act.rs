//! Resend, revoke and delete: one flow for the three row actions of the invitations table.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use serde::Deserialize;
use serde_json::json;

use super::table::{list_path, table_partial, ListQuery, Notice};
use crate::audit::{now_ms, NewEntry};
use crate::auth::session::safe_return_to;
use crate::logto::{InvitationStatus, LogtoError};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::OrgAdmin;
use crate::web::ids::{Ids, LogtoId};
use crate::web::invitations::present::{effective_status, status_label, status_param};
use crate::web::invitations::send::{self, Delivery};
use crate::web::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Resend,
    Revoke,
    Delete,
}

impl Action {
    const ALL: [Action; 3] = [Action::Resend, Action::Revoke, Action::Delete];

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

    fn audit_action(self) -> &'static str {
        match self {
            Action::Resend => "invitation.resend",
            Action::Revoke => "invitation.revoke",
            Action::Delete => "invitation.delete",
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
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    back: String,
}

/// `POST /orgs/{org_id}/invitations/{invitation_id}/{resend|revoke|delete}`: one route per
/// action, all served by [`act`].
pub fn action_routes() -> Router<AppState> {
    Action::ALL
        .into_iter()
        .fold(Router::new(), |router, action| {
            let path = format!(
                "/orgs/{{org_id}}/invitations/{{invitation_id}}/{}",
                action.path_segment()
            );
            router.route(
                &path,
                post(
                    move |State(state): State<AppState>,
                          admin: OrgAdmin,
                          ctx: PageCtx,
                          Ids((_, invitation_id)): Ids<(LogtoId, LogtoId)>,
                          Form(form): Form<ActionForm>| async move {
                        act(state, admin, ctx, &invitation_id, form, action).await
                    },
                ),
            )
        })
}

/// What an allowed action came to: the message for the admin, and the failure code for the
/// audit entry (`None` when it was done).
struct Done {
    notice: Notice,
    failure: Option<String>,
}

impl Done {
    fn ok(kind: &'static str, message: String) -> Done {
        Done {
            notice: notice(kind, message),
            failure: None,
        }
    }
}

/// Loads the invitation, checks that it is this organization's and that its status allows the
/// action, does it, and answers with the refreshed row's table or a redirect. Every attempt,
/// refused or not, goes to the audit trail.
async fn act(
    state: AppState,
    admin: OrgAdmin,
    ctx: PageCtx,
    invitation_id: &str,
    form: ActionForm,
    action: Action,
) -> AppResult<Response> {
    let org_id = admin.org_id.clone();
    let invitation = state.logto.get_invitation(invitation_id).await?;
    // Another organization's invitation is "not found" to this admin.
    if invitation.organization_id != org_id {
        return Err(AppError::NotFound);
    }
    let t = ctx.t;
    let status = effective_status(&invitation, now_ms());
    let invitee = invitation.invitee.clone();
    let entry = NewEntry::new(action.audit_action(), ctx.actor(), ctx.origin())
        .target("invitation", invitation_id, Some(&invitee))
        .org(&org_id)
        .details(json!({ "invitee": invitee, "status": status.as_str() }));
    let named = |key: &str| t.f(key, &[("email", &invitee)]);

    if !action.allowed(status) {
        state
            .audit
            .record_or_log(entry.failed(&format!("invitation_{}", status_param(status))))
            .await;
        let message = t.f(
            action.refusal_key(status),
            &[("email", &invitee), ("status", &status_label(&t, status))],
        );
        return respond_action(&state, admin, ctx, &form.back, notice("error", message)).await;
    }

    let message = match perform(&state, &admin, &ctx, invitation_id, &invitee, action).await? {
        Ok(Done { notice, failure }) => {
            let entry = match failure {
                Some(code) => entry.failed(&code),
                None => entry,
            };
            state.audit.record_or_log(entry).await;
            notice
        }
        Err(e) => {
            state
                .audit
                .record_or_log(entry.failed(&send::failure_code(&e)))
                .await;
            match e.status() {
                // Someone accepted or revoked it meanwhile.
                Some(422) => notice("error", named("invitations.action.changed_meanwhile")),
                Some(404) => notice("error", named("invitations.action.gone")),
                _ => return Err(AppError::Logto(e)),
            }
        }
    };
    respond_action(&state, admin, ctx, &form.back, message).await
}

/// Does an allowed action. The inner error is Logto refusing the action itself (audited as a
/// failure); the outer one ends the request before anything was attempted.
async fn perform(
    state: &AppState,
    admin: &OrgAdmin,
    ctx: &PageCtx,
    invitation_id: &str,
    invitee: &str,
    action: Action,
) -> AppResult<Result<Done, LogtoError>> {
    let named = |key: &str| ctx.t.f(key, &[("email", &invitee)]);
    Ok(match action {
        Action::Resend => Ok(resend(state, admin, ctx, invitation_id, invitee).await?),
        Action::Revoke => state
            .logto
            .set_invitation_status(invitation_id, InvitationStatus::Revoked, None)
            .await
            .map(|_| Done::ok("success", named("invitations.action.revoked"))),
        Action::Delete => state
            .logto
            .delete_invitation(invitation_id)
            .await
            .map(|_| Done::ok("success", named("invitations.action.deleted"))),
    })
}

/// Emails the acceptance link again, or says to share it when the tenant has no email
/// connector. Reading the organization's name for the email may fail before anything is sent.
async fn resend(
    state: &AppState,
    admin: &OrgAdmin,
    ctx: &PageCtx,
    invitation_id: &str,
    invitee: &str,
) -> AppResult<Done> {
    let t = ctx.t;
    let org_id = &admin.org_id;
    let link = crate::web::invitations::acceptance_link(state, invitation_id);
    let delivery = if state.email_connector.should_try() {
        let org = state.logto.get_organization(org_id).await?;
        let inviter_name = admin.user.user.display_name();
        send::deliver(
            state,
            invitation_id,
            &link,
            (org_id, &org.name),
            (&admin.user.user.id, &inviter_name),
            ctx.lang.code(),
        )
        .await
    } else {
        Delivery::NoConnector
    };
    Ok(match delivery {
        Delivery::Emailed => Done::ok(
            "success",
            t.f("invitations.action.resent", &[("email", &invitee)]),
        ),
        Delivery::NoConnector => Done {
            notice: notice(
                "info",
                t.f(
                    "invitations.action.resend_no_connector",
                    &[("email", &invitee), ("link", &link)],
                ),
            ),
            failure: Some("connector.not_found".to_string()),
        },
        Delivery::NotSent { reason, code } => Done {
            notice: notice("error", t.t(reason)),
            failure: Some(code),
        },
    })
}

fn notice(kind: &'static str, message: String) -> Notice {
    Notice { kind, message }
}

/// htmx: the refreshed table with the message in the alert region. Plain forms: back to the
/// list (with its filters) and the message on the next page.
async fn respond_action(
    state: &AppState,
    admin: OrgAdmin,
    ctx: PageCtx,
    back: &str,
    notice: Notice,
) -> AppResult<Response> {
    let path = list_path(&admin.org_id);
    let back = safe_return_to(Some(back));
    let back = if back == path || back.starts_with(&format!("{path}?")) {
        back
    } else {
        path
    };
    if ctx.is_htmx {
        let query: ListQuery = back
            .split_once('?')
            .and_then(|(_, q)| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        return table_partial(state, ctx, &admin.org_id, &query, Some(notice)).await;
    }
    set_flash(&admin.user.session, notice.kind, notice.message).await?;
    Ok(Redirect::to(&back).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::invitations::present::STATUSES;

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
}
