//! Organization membership: add the person to an organization with roles, or remove them.

use axum::{extract::State, response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::{
    end_logto_sessions_choice, load_user, render, sessions_follow, user_href, Confirm,
    EndSessionsForm, Follow, UserAction,
};
use crate::auth::revocation::AccessChange;
use crate::logto::{User, UserOrganization};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Operator;
use crate::web::ids::{Ids, LogtoId};
use crate::web::refusal::Refusal;
use crate::web::users::plausible_id;
use crate::web::AppState;

/// The add form: an organization and any number of roles (`role_ids` repeated).
#[derive(Debug, Default, Deserialize)]
pub struct OrgAddForm {
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    role_ids: Vec<String>,
}

/// `POST /users/{id}/orgs`: `org_id` plus any number of `role_ids`.
pub async fn org_add(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<OrgAddForm>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    let u = &act.user;
    let org_id = form.org_id.trim().to_string();
    let mut role_ids: Vec<String> = form
        .role_ids
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    role_ids.dedup();
    if !plausible_id(&org_id) {
        return act.back_with_error(ctx.t.t("users.orgs.choose")).await;
    }
    let (org, all_roles) = tokio::join!(
        state.logto.get_organization(&org_id),
        state.logto.list_org_roles()
    );
    let org = match org {
        Ok(o) => o,
        Err(e) if e.is_not_found() => {
            return act
                .back_with_error(ctx.t.t("users.error.missing_reference"))
                .await
        }
        Err(e) => return Err(AppError::Logto(e)),
    };
    let all_roles = all_roles?;
    let role_names: Vec<String> = role_ids
        .iter()
        .map(|id| {
            all_roles
                .iter()
                .find(|r| &r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    let entry = act
        .entry("user.org_add")
        .org(&org.id)
        .details(json!({ "organization": org.name, "roles": role_names }));
    let added = state
        .logto
        .add_org_members(&org.id, std::slice::from_ref(&u.id))
        .await;
    let result = match &added {
        Ok(()) => {
            state
                .logto
                .add_member_roles(&org.id, &u.id, &role_ids)
                .await
        }
        Err(e) => Err(e.clone()),
    };
    if let (Ok(()), Err(e)) = (&added, &result) {
        // Membership stands without the roles: say exactly that.
        let entry = entry.details(json!({
            "organization": org.name,
            "roles": role_names,
            "membershipAdded": true,
        }));
        let entry = sessions_follow(
            &state,
            entry,
            &added,
            &u.id,
            AccessChange::MembershipChanged,
        )
        .await;
        // Logto's one code for the record; the words say what stands.
        let code = Refusal::from(e.clone()).code();
        state.audit.record_or_log(entry.failed(&code)).await;
        let msg = act.message("users.orgs.roles_failed", &[("org", &org.name)]);
        return act.back_with_error(msg).await;
    }
    let msg = act.message("users.orgs.added", &[("org", &org.name)]);
    let follow = Follow::portal(AccessChange::MembershipChanged);
    act.finish(entry, result, follow, msg, &act.back).await
}

/// The user's membership in `org_id`, or 404 when there is none.
async fn membership(state: &AppState, u: &User, org_id: &str) -> AppResult<UserOrganization> {
    let orgs = state.logto.user_organizations(&u.id).await?;
    orgs.into_iter()
        .find(|o| o.id == org_id)
        .ok_or(AppError::NotFound)
}

fn org_remove_confirm(
    ctx: &PageCtx,
    state: &AppState,
    u: &User,
    org: &UserOrganization,
) -> Confirm {
    let name = u.display_name();
    let roles: Vec<&str> = org
        .organization_roles
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let roles = if roles.is_empty() {
        ctx.t.t("users.orgs.no_roles")
    } else {
        roles.join(", ")
    };
    Confirm {
        title: ctx.t.f(
            "users.orgs.remove_title",
            &[("name", &name), ("org", &org.name)],
        ),
        paragraphs: vec![ctx.t.f(
            "users.orgs.remove_effect",
            &[("name", &name), ("org", &org.name), ("roles", &roles)],
        )],
        action: Some(format!("/users/{}/orgs/{}/remove", u.id, org.id)),
        button: ctx.t.t("users.orgs.remove_button"),
        danger: true,
        back: user_href(&u.id),
        typed: None,
        choice: Some(end_logto_sessions_choice(ctx, state)),
        hx_target: None,
    }
}

pub async fn confirm_org_remove(
    Operator(_op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, org_id)): Ids<(LogtoId, LogtoId)>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let org = membership(&state, &u, &org_id).await?;
    let c = org_remove_confirm(&ctx, &state, &u, &org);
    render(ctx, c)
}

pub async fn org_remove(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, org_id)): Ids<(LogtoId, LogtoId)>,
    Form(form): Form<EndSessionsForm>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    if !plausible_id(&org_id) {
        return Err(AppError::NotFound);
    }
    let orgs = state.logto.user_organizations(&act.user.id).await?;
    let org_name = orgs.iter().find(|o| o.id == org_id).map(|o| o.name.clone());
    let entry = act
        .entry("user.org_remove")
        .org(&org_id)
        .details(json!({ "organization": org_name }));
    let result = state.logto.remove_org_member(&org_id, &act.user.id).await;
    let label = org_name.unwrap_or_else(|| org_id.to_string());
    let msg = act.message("users.orgs.removed", &[("org", &label)]);
    let follow = Follow {
        portal: Some(AccessChange::MembershipChanged),
        logto: Some(&form),
    };
    act.finish(entry, result, follow, msg, &act.back).await
}
