//! Suspend and unsuspend: the person keeps their account but cannot sign in while suspended.

use axum::{extract::State, response::Response};

use super::{load_user, render, user_href, Confirm, Follow, UserAction};
use crate::auth::revocation::AccessChange;
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::{CurrentUser, Operator};
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

fn suspend_confirm(ctx: &PageCtx, u: &User, is_self: bool, suspend: bool) -> Confirm {
    let name = u.display_name();
    let (title, effect, button, action) = if suspend {
        (
            "users.suspend.title",
            "users.suspend.effect",
            "users.suspend.button",
            "suspend",
        )
    } else {
        (
            "users.unsuspend.title",
            "users.unsuspend.effect",
            "users.unsuspend.button",
            "unsuspend",
        )
    };
    let mut paragraphs = vec![ctx.t.f(effect, &[("name", &name)])];
    if suspend {
        paragraphs.push(ctx.t.t("users.suspend.keeps"));
    }
    let refused = suspend && is_self;
    if refused {
        paragraphs = vec![ctx.t.t("users.self.suspend")];
    }
    Confirm {
        title: ctx.t.f(title, &[("name", &name)]),
        paragraphs,
        action: (!refused).then(|| format!("/users/{}/{action}", u.id)),
        button: ctx.t.t(button),
        danger: suspend,
        back: user_href(&u.id),
        typed: None,
        choice: None,
        hx_target: None,
    }
}

/// The confirmation of a suspension (`suspend`) or of its end.
async fn confirm(
    op: &CurrentUser,
    ctx: PageCtx,
    state: &AppState,
    user_id: &str,
    suspend: bool,
) -> AppResult<Response> {
    let u = load_user(state, user_id).await?;
    let c = suspend_confirm(&ctx, &u, op.id() == u.id, suspend);
    render(ctx, c)
}

pub async fn confirm_suspend(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    confirm(&op, ctx, &state, &user_id, true).await
}

pub async fn confirm_unsuspend(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    confirm(&op, ctx, &state, &user_id, false).await
}

async fn set_suspended(
    op: &CurrentUser,
    ctx: PageCtx,
    state: AppState,
    user_id: String,
    suspend: bool,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, op, &user_id).await?;
    let action = if suspend {
        "user.suspend"
    } else {
        "user.unsuspend"
    };
    let entry = act.entry(action);
    if suspend && act.is_self() {
        return act.refuse_self(entry, "users.self.suspend").await;
    }
    let result = state.logto.set_suspended(&act.user.id, suspend).await;
    let done = if suspend {
        "users.suspend.done"
    } else {
        "users.unsuspend.done"
    };
    let msg = act.message(done, &[]);
    // Suspension ends the person's portal sessions at once; unsuspension has nothing to end.
    // Logto itself ends a suspended person's sessions and tokens; the portal ends its own.
    let follow = if suspend {
        Follow::portal(AccessChange::Suspended)
    } else {
        Follow::default()
    };
    act.finish(entry, result, follow, msg, &act.back).await
}

pub async fn suspend(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    set_suspended(&op, ctx, state, user_id.into_string(), true).await
}

pub async fn unsuspend(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    set_suspended(&op, ctx, state, user_id.into_string(), false).await
}
