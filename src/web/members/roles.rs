//! Changing a member's roles: the form (inline in the table for htmx, or its own page) and
//! the change, which replaces the member's role set with one PUT.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Form;
use serde_json::json;

use crate::auth::revocation::{after_access_change, AccessChange};
use crate::logto::{OrgMember, OrgRole, RoleRef};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::AppResult;
use crate::web::extract::OrgAdmin;
use crate::web::htmx::html;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

use super::act::{leave_after_losing_access, member_entry, member_for_form, member_gone, MemberAt};
use super::guard::{holds_admin_role, without_losing_last_admin, ChangeBy, Subject};
use super::params::MemberForm;
use super::refusal::{rule, with_status, Refusal, WORDING};
use super::{choices, fetch_member, held_role_ids, role_names};
use super::{MemberRow, Notice, RoleChoice, RowForm, RowFragment};

/// The role form of one member.
#[derive(Debug, Clone)]
pub struct RolesForm {
    pub row: RowForm,
    pub legend: String,
    pub choices: Vec<RoleChoice>,
}

/// The role form: its own page, or (htmx) the member's row holding it.
#[derive(Template)]
#[template(path = "members/roles.html", blocks = ["partial"])]
struct RolesPage {
    ctx: PageCtx,
    form: RolesForm,
}
crate::page_template!(RolesPage);

/// The role form for `member` of `org_id`: inline in the table for htmx, else its own page.
fn render_roles_form(
    ctx: PageCtx,
    org_id: &str,
    member: &OrgMember,
    choices: Vec<RoleChoice>,
    error: Option<String>,
    back: String,
) -> AppResult<Response> {
    let name = member.display_name();
    let title = ctx.t.f("members.roles_title", &[("name", &name)]);
    let form = RolesForm {
        row: RowForm::new(org_id, member, title, error, back),
        legend: ctx.t.f("members.roles_legend", &[("name", &name)]),
        choices,
    };
    ctx.htmx().page(&RolesPage { ctx, form })
}

/// `GET /orgs/{org_id}/members/{user_id}/roles`
pub(super) async fn edit_roles(
    State(state): State<AppState>,
    ctx: PageCtx,
    at: MemberAt,
) -> AppResult<Response> {
    let roles = state.org_facts.roles(&state.logto);
    let (member, roles) = member_for_form(&state, &at, roles).await?;
    let choices = choices(&roles?, &held_role_ids(&member));
    render_roles_form(ctx, &at.admin.org_id, &member, choices, None, at.back)
}

/// `POST /orgs/{org_id}/members/{user_id}/roles`: replaces the member's role set with one PUT.
pub(super) async fn save_roles(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    Form(fields): Form<MemberForm>,
) -> AppResult<Response> {
    let cache = &state.org_facts;
    let back = fields.back(&admin.org_id);
    let wanted = fields.role_ids;
    let org_id = admin.org_id.clone();
    let (member, resolved) = tokio::join!(
        fetch_member(&state.logto, &org_id, &user_id),
        cache.resolve(&state.logto, &wanted)
    );
    let Some(member) = member? else {
        let entry = member_entry(&ctx, "member.roles_change", &org_id, &user_id, None)
            .details(json!({ "requestedRoleIds": wanted }));
        return member_gone(&state, &admin, &ctx, entry, &back).await;
    };
    let name = member.display_name().to_string();
    let all_roles = cache.roles(&state.logto).await?;
    let before: Vec<String> = member
        .organization_roles
        .iter()
        .map(|r| r.name.clone())
        .collect();

    let outcome: Result<Vec<OrgRole>, Refusal> = async {
        let chosen =
            resolved?.ok_or_else(|| rule(&ctx.t, "unknown_role", "members.err.unknown_role"))?;
        let ids: Vec<String> = chosen.iter().map(|r| r.id.clone()).collect();
        let set = state.logto.set_member_roles(&org_id, &member.id, &ids);
        let loses_admin =
            holds_admin_role(&state, member.organization_roles.iter().map(|r| &r.name))
                && !holds_admin_role(&state, chosen.iter().map(|r| &r.name));
        if loses_admin {
            let held = held_role_ids(&member);
            let undo = state.logto.set_member_roles(&org_id, &member.id, &held);
            let by = ChangeBy::request(&admin, &ctx);
            let subject = Subject::of(&member);
            without_losing_last_admin(&state, &by, &all_roles, &subject, set, undo).await?;
        } else {
            set.await?;
        }
        Ok(chosen)
    }
    .await;

    let entry = member_entry(
        &ctx,
        "member.roles_change",
        &org_id,
        &member.id,
        Some(&name),
    );
    let chosen = match outcome {
        Ok(chosen) => chosen,
        Err(refusal) => {
            let entry = entry
                .details(json!({ "before": before, "requestedRoleIds": wanted }))
                .failed(&refusal.code());
            state.audit.record_or_log(entry).await;
            let choices = choices(&all_roles, &wanted);
            let error = Some(refusal.message(&ctx.t, &WORDING));
            let form = render_roles_form(ctx, &org_id, &member, choices, error, back)?;
            return Ok(with_status(form, refusal.status()));
        }
    };
    let after = role_names(&chosen);
    let entry = entry.details(json!({ "before": before, "after": after }));
    let entry = after_access_change(
        &state.sessions,
        entry,
        &member.id,
        AccessChange::RolesChanged,
    )
    .await;
    state.audit.record_or_log(entry).await;
    let lost_own_admin = member.id == admin.user.user.id
        && !admin.is_operator()
        && !holds_admin_role(&state, &after);
    if lost_own_admin {
        let org = org_name_or_id(&admin);
        let message = ctx.t.f("members.self_demoted", &[("org", &org)]);
        return leave_after_losing_access(&admin, &ctx, message).await;
    }
    if ctx.is_htmx {
        let mut updated = member;
        updated.organization_roles = chosen
            .iter()
            .map(|r| RoleRef {
                id: r.id.clone(),
                name: r.name.clone(),
            })
            .collect();
        updated
            .organization_roles
            .sort_by(|a, b| a.name.cmp(&b.name));
        let dates = ctx.dates(&state.clock);
        let mut row = MemberRow::new(updated, &admin, &back, &ctx.t, &dates);
        row.notice = Some(Notice::ok(ctx.t.t("members.roles_saved")));
        html(&RowFragment { ctx, row })
    } else {
        let message = ctx.t.f("members.roles_saved_of", &[("name", &name)]);
        set_flash(&admin.user.session, "success", message).await?;
        Ok(Redirect::to(&back).into_response())
    }
}

/// The organization's name from the session (admins), else its id (operators).
fn org_name_or_id(admin: &OrgAdmin) -> String {
    admin
        .user
        .access
        .orgs
        .iter()
        .find(|o| o.id == admin.org_id)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| admin.org_id.clone())
}
