//! Removing a member: the confirmation (inline in the table for htmx, or its own page) and
//! the removal.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Form;
use serde_json::json;

use crate::auth::revocation::{after_access_change, AccessChange};
use crate::logto::OrgMember;
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::AppResult;
use crate::web::extract::OrgAdmin;
use crate::web::htmx::html;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

use super::act::{
    leave_after_losing_access, member_entry, member_for_form, member_gone, MemberAt, RemovedRow,
};
use super::guard::{holds_admin_role, without_losing_last_admin, ChangeBy, Subject};
use super::params::MemberForm;
use super::refusal::{with_status, Refusal, WORDING};
use super::{fetch_member, held_role_ids, org_name, Notice, RowForm};

#[derive(Debug, Clone)]
pub struct RemoveForm {
    pub row: RowForm,
    pub question: String,
}

impl RemoveForm {
    /// The confirmation's hidden fields: the list to return to.
    pub fn fields(&self) -> [(&str, &str); 1] {
        [("back", self.row.back.as_str())]
    }
}

/// The confirmation: its own page, or (htmx) the member's row asking the question.
#[derive(Template)]
#[template(path = "members/remove.html", blocks = ["partial"])]
struct RemovePage {
    ctx: PageCtx,
    form: RemoveForm,
}
crate::page_template!(RemovePage);

/// The confirmation for removing `member` from `org` (its name): inline in the table for
/// htmx, else its own page.
fn render_remove_form(
    ctx: PageCtx,
    admin: &OrgAdmin,
    org: &str,
    member: &OrgMember,
    error: Option<String>,
    back: String,
) -> AppResult<Response> {
    let name = member.display_name().to_string();
    let title = ctx.t.f("members.remove_title", &[("name", &name)]);
    let form = RemoveForm {
        row: RowForm::new(&admin.org_id, member, title, error, back),
        question: ctx
            .t
            .f("members.remove_question", &[("name", &name), ("org", &org)]),
    };
    ctx.htmx().page(&RemovePage { ctx, form })
}

/// `GET /orgs/{org_id}/members/{user_id}/remove`: the confirmation.
pub(super) async fn confirm_remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    at: MemberAt,
) -> AppResult<Response> {
    let (member, org) = member_for_form(&state, &at, org_name(&state, &at.admin)).await?;
    render_remove_form(ctx, &at.admin, &org?, &member, None, at.back)
}

/// `POST /orgs/{org_id}/members/{user_id}/remove`
pub(super) async fn remove(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    Form(fields): Form<MemberForm>,
) -> AppResult<Response> {
    let back = fields.back(&admin.org_id);
    let org_id = admin.org_id.clone();
    let (member, org, roles) = tokio::join!(
        fetch_member(&state.logto, &org_id, &user_id),
        org_name(&state, &admin),
        state.org_facts.roles(&state.logto)
    );
    let Some(member) = member? else {
        let entry = member_entry(&ctx, "member.remove", &org_id, &user_id, None).details(json!({}));
        return member_gone(&state, &admin, &ctx, entry, &back).await;
    };
    let org = org.unwrap_or_else(|_| org_id.clone());
    let name = member.display_name().to_string();
    let held: Vec<String> = member
        .organization_roles
        .iter()
        .map(|r| r.name.clone())
        .collect();

    let outcome: Result<(), Refusal> = async {
        let roles = roles?;
        let remove = state.logto.remove_org_member(&org_id, &member.id);
        if holds_admin_role(&state, member.organization_roles.iter().map(|r| &r.name)) {
            let held = held_role_ids(&member);
            let member_ids = [member.id.clone()];
            let undo = async {
                state.logto.add_org_members(&org_id, &member_ids).await?;
                state
                    .logto
                    .set_member_roles(&org_id, &member.id, &held)
                    .await
            };
            let by = ChangeBy::request(&admin, &ctx);
            without_losing_last_admin(&state, &by, &roles, &Subject::of(&member), remove, undo)
                .await?;
        } else {
            remove.await?;
        }
        Ok(())
    }
    .await;

    let entry = member_entry(&ctx, "member.remove", &org_id, &member.id, Some(&name))
        .details(json!({ "roles": held }));
    if let Err(refusal) = outcome {
        state
            .audit
            .record_or_log(entry.failed(&refusal.code()))
            .await;
        let error = Some(refusal.message(&ctx.t, &WORDING));
        let form = render_remove_form(ctx, &admin, &org, &member, error, back)?;
        return Ok(with_status(form, refusal.status()));
    }
    let change = AccessChange::MembershipChanged;
    let entry = after_access_change(&state.sessions, entry, &member.id, change).await;
    state.audit.record_or_log(entry).await;
    let message = ctx
        .t
        .f("members.removed", &[("name", &name), ("org", &org)]);
    if member.id == admin.user.user.id && !admin.is_operator() {
        return leave_after_losing_access(&admin, &ctx, message).await;
    }
    if ctx.is_htmx {
        html(&RemovedRow::new(&member.id, Notice::ok(message)))
    } else {
        set_flash(&admin.user.session, "success", message).await?;
        Ok(Redirect::to(&back).into_response())
    }
}
