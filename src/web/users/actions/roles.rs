//! Global (user) roles: assign one to the person, or take one away.

use axum::{extract::State, response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::{
    end_logto_sessions_choice, load_user, render, user_href, Confirm, EndSessionsForm, Follow,
    UserAction,
};
use crate::auth::revocation::AccessChange;
use crate::logto::{Role, User};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Operator;
use crate::web::ids::{Ids, LogtoId};
use crate::web::refusal::Refusal;
use crate::web::users::plausible_id;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role_id: String,
}

pub async fn role_assign(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    let role_id = form.role_id.trim().to_string();
    if !plausible_id(&role_id) {
        return act.back_with_error(ctx.t.t("users.roles.choose")).await;
    }
    // Only user roles may be assigned; the listing is filtered to type `User`.
    let found = state
        .logto
        .list_roles(1, 100, Some(&role_id))
        .await?
        .items
        .into_iter()
        .find(|r| r.id == role_id);
    let entry = act.entry("user.role_assign").details(json!({
        "roleId": role_id,
        "role": found.as_ref().map(|r| r.name.clone()),
    }));
    let Some(role) = found else {
        let refusal = Refusal::rule("role_not_assignable", ctx.t.t("users.error.role_type"));
        return act.refuse(entry, refusal).await;
    };
    let result = state
        .logto
        .assign_user_roles(&act.user.id, std::slice::from_ref(&role.id))
        .await;
    let msg = act.message("users.roles.assigned", &[("role", &role.name)]);
    let follow = Follow::portal(AccessChange::RolesChanged);
    act.finish(entry, result, follow, msg, &act.back).await
}

async fn held_role(state: &AppState, u: &User, role_id: &str) -> AppResult<Role> {
    let roles = state.logto.user_roles(&u.id).await?;
    roles
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or(AppError::NotFound)
}

pub async fn confirm_role_remove(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, role_id)): Ids<(LogtoId, LogtoId)>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let role = held_role(&state, &u, &role_id).await?;
    let name = u.display_name();
    let is_operator_role = role.name == state.config.operator_role;
    let refused = is_operator_role && op.id() == u.id;
    let mut paragraphs = vec![ctx.t.f(
        "users.roles.remove_effect",
        &[("name", &name), ("role", &role.name)],
    )];
    if is_operator_role {
        paragraphs.push(ctx.t.t("users.roles.operator_note"));
    }
    if refused {
        paragraphs = vec![ctx.t.t("users.self.operator_role")];
    }
    let c = Confirm {
        title: ctx.t.f(
            "users.roles.remove_title",
            &[("name", &name), ("role", &role.name)],
        ),
        paragraphs,
        action: (!refused).then(|| format!("/users/{}/roles/{}/remove", u.id, role.id)),
        button: ctx.t.t("users.roles.remove_button"),
        danger: true,
        back: user_href(&u.id),
        typed: None,
        choice: (!refused).then(|| end_logto_sessions_choice(&ctx, &state)),
        hx_target: None,
    };
    render(ctx, c)
}

pub async fn role_remove(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, role_id)): Ids<(LogtoId, LogtoId)>,
    Form(form): Form<EndSessionsForm>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    if !plausible_id(&role_id) {
        return Err(AppError::NotFound);
    }
    let held = state
        .logto
        .user_roles(&act.user.id)
        .await?
        .into_iter()
        .find(|r| r.id == role_id);
    let role_name = held.as_ref().map(|r| r.name.clone());
    let entry = act
        .entry("user.role_remove")
        .details(json!({ "roleId": role_id, "role": role_name }));
    if act.is_self() && role_name.as_deref() == Some(state.config.operator_role.as_str()) {
        return act.refuse_self(entry, "users.self.operator_role").await;
    }
    let result = state.logto.remove_user_role(&act.user.id, &role_id).await;
    let label = role_name.unwrap_or_else(|| role_id.to_string());
    let msg = act.message("users.roles.removed", &[("role", &label)]);
    let follow = Follow {
        portal: Some(AccessChange::RolesChanged),
        logto: Some(&form),
    };
    act.finish(entry, result, follow, msg, &act.back).await
}
