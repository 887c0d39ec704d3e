//! The "Security" section of `/users/{id}`: what the person's own security page shows
//! ([`crate::web::profile::security::facts`]), read-only for the operator: two-step methods,
//! Logto sessions (1.38 on) and personal access token names. The section's forms (sign out
//! one session, sign out everywhere) post to `actions::sessions`; the reset of two-step
//! verification goes through the users' confirmation (`actions::mfa`).
//!
//! The section is one region (`#user-security`): htmx swaps it with the answer of its forms;
//! without JavaScript the forms post and come back to the page with a message.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::logto::Feature;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::format::Dates;
use crate::web::htmx::html;
use crate::web::profile::security::facts::{self, Methods, Session, Token};
use crate::web::AppState;

/// Where htmx puts the answer of the section's forms.
pub const REGION: &str = "#user-security";

/// A message at the top of the section: `success` or `error` (the alert's style).
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: &'static str,
    pub message: String,
}

/// The section's facts, as Logto has them now.
#[derive(Debug, Clone)]
pub struct UserSecurity {
    pub user_id: String,
    /// The operator is looking at their own account: the reset is on their own page.
    pub is_self: bool,
    /// `None`: this Logto does not list two-step methods.
    pub methods: Option<Methods>,
    /// `None`: this Logto has no sessions endpoint (see `missing`).
    pub sessions: Option<Vec<Session>>,
    /// `None`: this Logto has no personal access tokens.
    pub tokens: Option<Vec<Token>>,
    /// Sentences naming the Logto release that brings a part this Logto lacks.
    pub missing: Vec<String>,
    /// The person's sessions in this portal.
    pub portal_sessions: u64,
    pub notice: Option<Notice>,
}

impl UserSecurity {
    /// Reads the person's methods, sessions and tokens (what this Logto has) at once.
    pub async fn load(
        state: &AppState,
        ctx: &PageCtx,
        user_id: &str,
        is_self: bool,
    ) -> AppResult<UserSecurity> {
        let caps = state.logto.capabilities();
        let (has_mfa, has_sessions, has_tokens) = (
            caps.has(Feature::MfaVerifications),
            caps.has(Feature::UserSessions),
            caps.has(Feature::PersonalAccessTokens),
        );
        let (factors, sessions, tokens, portal) = tokio::join!(
            async {
                match has_mfa {
                    true => state.logto.list_mfa_verifications(user_id).await.map(Some),
                    false => Ok(None),
                }
            },
            async {
                match has_sessions {
                    true => state.logto.list_user_sessions(user_id).await.map(Some),
                    false => Ok(None),
                }
            },
            async {
                match has_tokens {
                    true => state.logto.list_access_tokens(user_id).await.map(Some),
                    false => Ok(None),
                }
            },
            state.db.count_sessions_of(user_id),
        );
        let (factors, sessions, tokens) = (factors?, sessions?, tokens?);
        let portal_sessions = portal.map_err(anyhow::Error::from)?;
        let dates = Dates::new(ctx.t, state.clock.now_ms());
        let missing = if has_sessions {
            Vec::new()
        } else {
            let since = Feature::UserSessions.since();
            vec![ctx
                .t
                .f("users.security.sessions_missing", &[("version", &since)])]
        };
        Ok(UserSecurity {
            user_id: user_id.to_owned(),
            is_self,
            methods: factors.map(|f| Methods::new(ctx, &dates, f)),
            sessions: sessions.map(|s| facts::sessions(ctx, &dates, s)),
            tokens: tokens.map(|t| facts::tokens(&dates, t)),
            missing,
            portal_sessions,
            notice: None,
        })
    }

    /// "Signed in to this portal in 2 browsers."
    pub fn portal_label(&self, ctx: &PageCtx) -> String {
        ctx.t.count(
            "users.security.portal_sessions",
            i64::try_from(self.portal_sessions).unwrap_or(i64::MAX),
        )
    }

    /// The reset is offered: someone else's account with a method to remove.
    pub fn can_reset(&self) -> bool {
        !self.is_self && self.methods.as_ref().is_some_and(|m| !m.is_empty())
    }
}

/// The section alone, for htmx.
#[derive(Template)]
#[template(
    source = r#"{% include "users/_security.html" %}{% if clear_action %}<div id="user-action" hx-swap-oob="true" aria-live="polite"></div>{% endif %}"#,
    ext = "html"
)]
struct SecuritySection<'a> {
    ctx: &'a PageCtx,
    security: &'a UserSecurity,
    /// Also empty the page's action panel (after a confirmation there).
    clear_action: bool,
}

/// The section read again with `notice` on top, for htmx; `clear_action` also empties the
/// confirmation panel (`#user-action`) out of band.
pub async fn region(
    state: &AppState,
    ctx: &PageCtx,
    user_id: &str,
    is_self: bool,
    notice: Notice,
    clear_action: bool,
) -> AppResult<Response> {
    let status = if notice.kind == "error" {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut security = UserSecurity::load(state, ctx, user_id, is_self).await?;
    security.notice = Some(notice);
    let mut resp = html(&SecuritySection {
        ctx,
        security: &security,
        clear_action,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}
