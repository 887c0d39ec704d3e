//! The fresh proof of identity the whole page sits behind ([`crate::web::profile::proof`]): the
//! current password, or for people without one a new sign-in through Logto (`prompt=login`),
//! within the last 10 minutes by the state's clock.

use axum::{extract::State, http::StatusCode, response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::{show, SecurityPage, View};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::{CurrentUser, Htmx};
use crate::web::profile::proof::{self, Proof};
use crate::web::AppState;

/// What the person must do before the page opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Type the current password; `error` from the last try.
    Password { error: Option<String> },
    /// No password: sign in again through Logto.
    SignIn,
}

impl Gate {
    pub fn error(&self) -> Option<&str> {
        match self {
            Gate::Password { error } => error.as_deref(),
            Gate::SignIn => None,
        }
    }

    pub fn asks_password(&self) -> bool {
        matches!(self, Gate::Password { .. })
    }
}

/// The person as Logto has them when proven; otherwise the page asking for the proof,
/// answered with `status`.
pub async fn enter(
    state: &AppState,
    ctx: &PageCtx,
    htmx: Htmx,
    me: &CurrentUser,
    status: StatusCode,
) -> AppResult<Result<User, Response>> {
    let user = state.logto.get_user(me.id()).await?;
    let now = state.clock.now_ms();
    let gate = match proof::state_at(&me.session, &user, me.user.signed_in_at, now).await? {
        Proof::Fresh => return Ok(Ok(user)),
        Proof::NeedsPassword => Gate::Password { error: None },
        Proof::NeedsSignIn => Gate::SignIn,
    };
    Ok(Err(closed(ctx.clone(), htmx, gate, status)?))
}

fn closed(ctx: PageCtx, htmx: Htmx, gate: Gate, status: StatusCode) -> AppResult<Response> {
    let mut resp = htmx.page(&SecurityPage {
        ctx,
        gate: Some(gate),
        view: View::default(),
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct ProofForm {
    #[serde(default)]
    current_password: String,
}

/// `POST /profile/security/proof`: the current password opens the page for 10 minutes.
pub async fn prove(
    State(state): State<AppState>,
    ctx: PageCtx,
    htmx: Htmx,
    me: CurrentUser,
    Form(form): Form<ProofForm>,
) -> AppResult<Response> {
    let user = state.logto.get_user(me.id()).await?;
    if !user.has_password.unwrap_or(false) {
        return closed(ctx, htmx, Gate::SignIn, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let checked = proof::verify_current(
        &state,
        &ctx,
        &me,
        &user,
        &form.current_password,
        "security.reauthenticate",
    )
    .await?;
    if let Err(message) = checked {
        let gate = Gate::Password {
            error: Some(message),
        };
        return closed(ctx, htmx, gate, StatusCode::UNPROCESSABLE_ENTITY);
    }
    state
        .audit
        .record_or_log(
            super::super::entry("security.reauthenticate", &ctx, &user)
                .details(json!({"method": "password"})),
        )
        .await;
    let view = View::load(&state, &ctx, &me, &user).await?;
    show(ctx, htmx, view, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    fn page(gate: Gate) -> String {
        SecurityPage {
            ctx: PageCtx::for_tests(),
            gate: Some(gate),
            view: View::default(),
        }
        .render()
        .unwrap()
    }

    #[test]
    fn people_without_a_password_sign_in_again_with_prompt_login() {
        let html = page(Gate::SignIn);
        assert!(
            html.contains("href=\"/sign-in?prompt=login&amp;return_to=%2Fprofile%2Fsecurity\""),
            "{html}"
        );
        assert!(!html.contains("current_password"));
        assert!(!html.contains("id=\"security-totp\""));
    }

    #[test]
    fn the_password_form_shows_the_last_error_at_the_field() {
        let html = page(Gate::Password {
            error: Some("Wrong".into()),
        });
        assert!(html.contains("name=\"current_password\""));
        assert!(html.contains("aria-describedby=\"security-proof-error\""));
        assert!(
            html.contains("<span id=\"security-proof-error\" class=\"field-error\">Wrong</span>")
        );
    }
}
