//! Delete: the account is gone for good, so the operator types the person's name to confirm.

use axum::{extract::State, http::StatusCode, response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::{load_user, render, user_href, Confirm, Follow, Typed, UserAction};
use crate::auth::revocation::AccessChange;
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::Operator;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

/// The word typed to confirm a deletion: the username, else the email, else the id.
fn confirm_word(u: &User) -> String {
    [&u.username, &u.primary_email]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| u.id.clone())
}

fn delete_confirm(ctx: &PageCtx, u: &User, is_self: bool, typed: Typed) -> Confirm {
    let name = u.display_name();
    let (paragraphs, action, typed) = if is_self {
        (vec![ctx.t.t("users.self.delete")], None, None)
    } else {
        (
            vec![
                ctx.t.f("users.delete.effect", &[("name", &name)]),
                ctx.t.t("users.delete.final"),
            ],
            Some(format!("/users/{}/delete", u.id)),
            Some(typed),
        )
    };
    Confirm {
        title: ctx.t.f("users.delete.title", &[("name", &name)]),
        paragraphs,
        action,
        button: ctx.t.t("users.delete.button"),
        danger: true,
        back: user_href(&u.id),
        typed,
        choice: None,
        hx_target: None,
    }
}

pub async fn confirm_delete(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let typed = Typed {
        expected: confirm_word(&u),
        value: String::new(),
        error: None,
    };
    let c = delete_confirm(&ctx, &u, op.id() == u.id, typed);
    render(ctx, c)
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

pub async fn delete(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    let u = &act.user;
    let entry = act.entry("user.delete").details(json!({
        "username": u.username,
        "primaryEmail": u.primary_email,
    }));
    if act.is_self() {
        return act.refuse_self(entry, "users.self.delete").await;
    }
    let expected = confirm_word(u);
    if form.confirm.trim() != expected {
        // A typing slip is not an attempt: nothing is sent or recorded; the form says why.
        let typed = Typed {
            error: Some(ctx.t.f("users.delete.mismatch", &[("word", &expected)])),
            expected,
            value: form.confirm,
        };
        let c = delete_confirm(&ctx, u, false, typed);
        let mut resp = render(ctx.clone(), c)?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    }
    let result = state.logto.delete_user(&u.id).await;
    let msg = act.message("users.delete.done", &[]);
    let follow = Follow::portal(AccessChange::Deleted);
    act.finish(entry, result, follow, msg, "/users").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirm_word_prefers_username() {
        let mut u: User = serde_json::from_value(serde_json::json!({
            "id": "u1", "username": "ann", "primaryEmail": "a@x.io", "createdAt": 0
        }))
        .unwrap();
        assert_eq!(confirm_word(&u), "ann");
        u.username = None;
        assert_eq!(confirm_word(&u), "a@x.io");
        u.primary_email = Some(String::new());
        assert_eq!(confirm_word(&u), "u1");
    }
}
