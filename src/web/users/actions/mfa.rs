//! Reset two-step verification: every method of the person (authenticator app, backup codes,
//! passkeys) is removed, so they can sign in with their password alone and set up new ones.
//! Not on one's own account: operators use their own security page for that.

use axum::{extract::State, response::Response};
use serde_json::json;

use super::{load_user, render, user_href, Confirm, UserAction, WORDING};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::Operator;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

const SELF_KEY: &str = "users.self.mfa_reset";

fn mfa_reset_confirm(ctx: &PageCtx, u: &User, is_self: bool) -> Confirm {
    let name = u.display_name();
    let paragraphs = if is_self {
        vec![ctx.t.t(SELF_KEY)]
    } else {
        vec![
            ctx.t.f("users.mfa_reset.effect", &[("name", &name)]),
            ctx.t.t("users.mfa_reset.after"),
        ]
    };
    Confirm {
        title: ctx.t.f("users.mfa_reset.title", &[("name", &name)]),
        paragraphs,
        action: (!is_self).then(|| format!("/users/{}/mfa-reset", u.id)),
        button: ctx.t.t("users.mfa_reset.button"),
        danger: true,
        back: user_href(&u.id),
        typed: None,
        choice: None,
        // Drawn in the user page's action panel (htmx), the answer replaces the Security
        // section; on a page of its own, a plain post.
        hx_target: ctx.is_htmx.then_some(crate::web::users::security::REGION),
    }
}

/// `GET /users/{id}/mfa-reset`: what the reset does, and the button.
pub async fn confirm_mfa_reset(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let c = mfa_reset_confirm(&ctx, &u, op.id() == u.id);
    render(ctx, c)
}

/// `POST /users/{id}/mfa-reset`: removes every two-step method; the audit entry says how many.
pub async fn mfa_reset(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    let entry = act.entry("security.mfa_reset");
    if act.is_self() {
        return act.refuse_self_in_security(entry, SELF_KEY).await;
    }
    let result = state.logto.reset_mfa(&act.user.id).await;
    let (entry, msg) = match &result {
        Ok(removed) => (
            entry.detail("removed", json!(removed)),
            ctx.t.count_with(
                "users.mfa_reset.done",
                i64::try_from(*removed).unwrap_or(i64::MAX),
                &[("name", &act.user.display_name())],
            ),
        ),
        Err(_) => (entry, String::new()),
    };
    act.finish_in_security(entry, result, &WORDING, msg).await
}
