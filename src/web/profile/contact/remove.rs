//! Removing an address, refused when it is the last way to sign in.

use axum::{extract::State, response::Response, Form};

use super::request::StartForm;
use super::turn::Turn;
use super::view::{no_errors, Mode};
use super::ContactKind;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::profile::{refresh_session_user, sign_in_methods, FieldErrors};
use crate::web::AppState;

/// `POST /profile/{email,phone}/remove`: unless it is the last way to sign in.
pub(super) async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<StartForm>,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn::new(&state, &ctx, &me, kind);
    let t = &ctx.t;
    let user = state.logto.get_user(me.id()).await?;
    if kind.current(&user).is_none() {
        let text = t.t("profile.contact.nothing_to_remove");
        return turn
            .refuse(user, Mode::View, "", no_errors(), Some(text))
            .await;
    }
    let mut errors = FieldErrors::new();
    if let Err(message) = crate::web::profile::proof::confirm(
        &state,
        &ctx,
        &me,
        &user,
        &form.current_password,
        kind.action(),
    )
    .await?
    {
        errors.insert("current_password".into(), message);
        return turn.refuse(user, Mode::Edit, "", &errors, None).await;
    }
    if sign_in_methods(&user) <= 1 {
        turn.audit(&user, Some("last_sign_in_method"), "remove")
            .await;
        errors.insert("address".into(), t.t("profile.last_sign_in_method"));
        return turn.refuse(user, Mode::Edit, "", &errors, None).await;
    }
    let updated = match state.logto.update_user(&user.id, &kind.patch(None)).await {
        Ok(u) => u,
        Err(e) if e.status() == Some(422) || e.status() == Some(400) => {
            let code = e.failure_code();
            turn.audit(&user, Some(&code), "remove").await;
            let text = t.t("profile.logto_refused");
            return turn
                .refuse(user, Mode::Edit, "", no_errors(), Some(text))
                .await;
        }
        Err(e) => return Err(e.into()),
    };
    turn.audit(&updated, None, "removed").await;
    let who = refresh_session_user(&ctx, &me, &updated).await?;
    turn.done(
        &updated,
        Mode::View,
        None,
        t.t(&format!("profile.{}.removed", kind.id())),
        Some(who),
    )
    .await
}
