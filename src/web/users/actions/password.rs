//! Expiring a person's password (Logto 1.41+): they keep signing in with it until Logto asks
//! them, at their next sign-in, to choose a new one.

use axum::{extract::State, response::Response};

use super::{load_user, render, user_href, Confirm, Follow, UserAction};
use crate::logto::{Feature, User};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Operator;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

/// The confirmation; without a form when there is nothing to expire or this Logto cannot.
fn expire_confirm(ctx: &PageCtx, u: &User, logto_can: bool) -> Confirm {
    let name = u.display_name();
    let has_password = u.has_password.unwrap_or(false);
    let paragraphs = if !logto_can {
        let since = Feature::PasswordExpiry.since();
        vec![ctx
            .t
            .f("users.password_expire.missing", &[("version", &since)])]
    } else if has_password {
        vec![ctx.t.f("users.password_expire.effect", &[("name", &name)])]
    } else {
        vec![ctx
            .t
            .f("users.password_expire.no_password", &[("name", &name)])]
    };
    Confirm {
        title: ctx.t.f("users.password_expire.title", &[("name", &name)]),
        paragraphs,
        action: (logto_can && has_password).then(|| format!("/users/{}/password-expire", u.id)),
        button: ctx.t.t("users.password_expire.button"),
        danger: false,
        back: user_href(&u.id),
        typed: None,
        choice: None,
        hx_target: None,
    }
}

fn logto_can(state: &AppState) -> bool {
    state.logto.capabilities().has(Feature::PasswordExpiry)
}

/// `GET /users/{id}/password-expire`: what expiring does, and the button.
pub async fn confirm_password_expire(
    Operator(_): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let c = expire_confirm(&ctx, &u, logto_can(&state));
    render(ctx, c)
}

/// `POST /users/{id}/password-expire`: marks the password expired; audited as
/// `user.password_expire`. A tenant whose password policy has expiry turned off is told so.
pub async fn password_expire(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    // A Logto without the endpoint has nothing to expire with (the page said which release
    // brings it).
    if !logto_can(&state) {
        return Err(AppError::NotFound);
    }
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    let entry = act.entry("user.password_expire");
    let result = state.logto.set_password_expired(&act.user.id, true).await;
    let msg = act.message("users.password_expire.done", &[]);
    act.finish(entry, result, Follow::default(), msg, &act.back)
        .await
}
