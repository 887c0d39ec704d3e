//! Delete my account: only when `PORTAL_ALLOW_SELF_DELETE=true`. The person types a
//! confirmation (their username, else email, else phone) and proves who they are; the account
//! is deleted in Logto (which also ends its sessions there) and the portal session ends.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::form::Input;
use super::proof::Proof;
use super::{entry, FieldErrors, PageData, Reply, View};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::AppState;

const SECTION: &str = "delete";
const ACTION: &str = "profile.delete_account";
/// Where the person lands afterwards.
const AFTER: &str = "/signed-out";

/// Deleting the account (`templates/profile/_delete.html`): a button that opens the form.
pub struct DeleteView {
    pub(crate) inputs: Vec<Input>,
    pub(crate) needs_sign_in: bool,
    /// The form starts open (it was refused).
    pub(crate) open: bool,
}

impl DeleteView {
    pub fn id(&self) -> &'static str {
        SECTION
    }
}

/// What the person types to confirm: something of their own they know by heart.
pub fn confirmation_phrase(user: &User) -> String {
    [&user.username, &user.primary_email]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .cloned()
        .or_else(|| user.primary_phone.as_ref().map(|p| format!("+{p}")))
        .unwrap_or_else(|| "DELETE".to_string())
}

fn section(ctx: &PageCtx, user: &User, proof: Proof, errors: &FieldErrors) -> DeleteView {
    let phrase = confirmation_phrase(user);
    let mut inputs = vec![Input::new(
        SECTION,
        "confirm",
        ctx.t
            .f("profile.delete.type_to_confirm", &[("phrase", &phrase)]),
        "text",
    )
    .autocomplete("off")
    .required(true)
    .errors(errors)];
    if proof == Proof::NeedsPassword {
        inputs.push(
            Input::new(
                SECTION,
                "current_password",
                ctx.t.t("profile.proof.current_password"),
                "password",
            )
            .autocomplete("current-password")
            .required(true)
            .errors(errors),
        );
    }
    if !errors.is_empty() {
        super::form::focus_first(&mut inputs);
    }
    DeleteView {
        inputs,
        needs_sign_in: proof == Proof::NeedsSignIn,
        open: !errors.is_empty(),
    }
}

pub fn view_of(ctx: &PageCtx, data: &PageData) -> DeleteView {
    section(ctx, &data.user, data.proof, &FieldErrors::new())
}

#[derive(Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    current_password: String,
}

/// `POST /profile/delete`.
pub async fn delete_account(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    if !state.config.allow_self_delete {
        return Err(AppError::NotFound);
    }
    let user = state.logto.get_user(me.id()).await?;
    let mut errors = FieldErrors::new();
    let phrase = confirmation_phrase(&user);
    if form.confirm.trim() != phrase {
        errors.insert(
            "confirm".into(),
            ctx.t.f("profile.delete.mismatch", &[("phrase", &phrase)]),
        );
    } else if let Err(message) =
        super::proof::confirm(&state, &ctx, &me, &user, &form.current_password, ACTION).await?
    {
        errors.insert("current_password".into(), message);
    }
    if !errors.is_empty() {
        let proof = super::proof::state(&state, &me, &user).await?;
        let view = section(&ctx, &user, proof, &errors);
        return Reply::new(View::Delete(view))
            .refused(&state, &ctx, &me, user)
            .await;
    }
    if let Err(e) = state.logto.delete_user(&user.id).await {
        // The one code per Logto failure, as `Refusal::code` records it.
        state
            .audit
            .record_or_log(entry(ACTION, &ctx, &user).failed(&e.failure_code()))
            .await;
        return Err(e.into());
    }
    // The person's other portal sessions (other browsers) end with the account.
    let done = crate::auth::revocation::after_access_change(
        &state.sessions,
        entry(ACTION, &ctx, &user),
        &user.id,
        crate::auth::revocation::AccessChange::Deleted,
    )
    .await;
    state.audit.record_or_log(done).await;
    me.session.flush().await?;
    if ctx.htmx().fragment {
        return Ok((axum_htmx::HxRedirect(AFTER.to_string()), ()).into_response());
    }
    Ok(Redirect::to(AFTER).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_prefers_username_then_email_then_phone() {
        let u = |j: serde_json::Value| -> User {
            let mut base = serde_json::json!({"id": "u1", "createdAt": 1});
            base.as_object_mut()
                .unwrap()
                .extend(j.as_object().unwrap().clone());
            serde_json::from_value(base).unwrap()
        };
        assert_eq!(
            confirmation_phrase(&u(
                serde_json::json!({"username": "mia", "primaryEmail": "m@x.io"})
            )),
            "mia"
        );
        assert_eq!(
            confirmation_phrase(&u(
                serde_json::json!({"username": "", "primaryEmail": "m@x.io"})
            )),
            "m@x.io"
        );
        assert_eq!(
            confirmation_phrase(&u(serde_json::json!({"primaryPhone": "15550100"}))),
            "+15550100"
        );
        assert_eq!(confirmation_phrase(&u(serde_json::json!({}))), "DELETE");
    }
}
