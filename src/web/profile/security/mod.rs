//! `/profile/security`: the signed-in person looks after their account's safety in one place:
//! the authenticator app, backup codes, passkeys, personal access tokens, and (Logto 1.38 on)
//! signed-in devices and authorized apps.
//!
//! Everything acts on the person's own user id (from the session, never a form) and only after
//! a fresh proof of identity ([`gate`]): the current password, or for people without one a new
//! sign-in through Logto with `prompt=login`, within the last 10 minutes. Every change lands in
//! the audit trail under the actions of [`crate::security`], never with a secret value.
//!
//! One page ([`SecurityPage`], `templates/profile/security.html`): every form posts to its
//! own URL and the answer is the page again, with the message next to the part that changed
//! (htmx swaps `#security-body`; without JavaScript the whole page is drawn).

mod backup;
pub mod facts;
mod gate;
mod portal;
mod sessions;
mod social;
mod tokens;
mod totp;
mod view;

use askama::Template;
use axum::{
    extract::FromRequestParts,
    http::{request::Parts, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use axum_extra::extract::Query;
use serde::Deserialize;

use crate::audit::NewEntry;
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::{CurrentUser, Htmx};
use crate::web::refusal::{Refusal, Wording};
use crate::web::AppState;

pub use gate::Gate;
pub use sessions::this_device;
pub use view::{Confirm, Notice, Part, View};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profile/security", get(page))
        .route("/profile/security/proof", post(gate::prove))
        .route("/profile/security/totp", post(totp::start))
        .route("/profile/security/totp/qr.svg", get(totp::qr))
        .route("/profile/security/totp/confirm", post(totp::confirm))
        .route("/profile/security/totp/cancel", post(totp::cancel))
        .route("/profile/security/factors/remove", post(totp::remove))
        .route("/profile/security/backup-codes", post(backup::generate))
        .route("/profile/security/backup-codes.txt", post(backup::download))
        .route("/profile/security/tokens", post(tokens::create))
        .route("/profile/security/tokens/rename", post(tokens::rename))
        .route("/profile/security/tokens/delete", post(tokens::delete))
        .route("/profile/security/sessions/end", post(sessions::end))
        .route(
            "/profile/security/sessions/end-others",
            post(sessions::end_others),
        )
        .route("/profile/security/portal-sessions/end", post(portal::end))
        .route("/profile/security/grants/revoke", post(sessions::revoke))
        .route("/profile/security/social/link", post(social::start))
        .route("/profile/security/social/callback", get(social::callback))
}

/// How Logto's refusals read on this page.
pub const WORDING: Wording = Wording {
    codes: &[
        ("user.totp_already_in_use", "security.err.totp_in_use"),
        ("user.totp_secret_invalid", "security.err.totp_invalid"),
        (
            "session.mfa.backup_code_can_not_be_alone",
            "security.err.backup_alone",
        ),
        (
            "user.backup_code_already_in_use",
            "security.err.backup_in_use",
        ),
        (
            "user.personal_access_token_name_exists",
            "security.err.token_name_taken",
        ),
        ("request.invalid_input", "security.err.invalid"),
        ("oidc.session_not_found", "security.err.gone"),
        ("oidc.grant_not_found", "security.err.gone"),
    ],
    not_found: "security.err.gone",
};

#[derive(Template)]
#[template(path = "profile/security.html", blocks = ["partial"])]
pub struct SecurityPage {
    pub ctx: PageCtx,
    /// What the person must do first to prove it is them; `None`: proven, the parts show.
    pub gate: Option<Gate>,
    pub view: View,
}
crate::page_template!(SecurityPage);

/// What `GET /profile/security` may ask for: a confirmation or a rename form in place.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// `totp`, `passkey`, `token`, `session`, `portal`, `grant`: which removal to confirm.
    #[serde(default)]
    pub confirm: Option<String>,
    /// The factor id or token name the confirmation or rename is about.
    #[serde(default)]
    pub id: Option<String>,
    /// A token name to rename.
    #[serde(default)]
    pub rename: Option<String>,
}

/// `GET /profile/security`.
async fn page(act: Act, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let mut view = act.view().await?;
    view.ask(&act.ctx, &q);
    act.show(view, StatusCode::OK)
}

/// A request on the page by a proven person: everything a handler needs. Extracting it
/// checks the proof; without one the answer is the page asking for it (200 for a `GET`,
/// 403 for a change, which then never reaches Logto).
pub struct Act {
    pub state: AppState,
    pub ctx: PageCtx,
    pub htmx: Htmx,
    pub me: CurrentUser,
    /// The person as Logto has them now.
    pub user: User,
}

impl FromRequestParts<AppState> for Act {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = PageCtx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(htmx) = Htmx::from_request_parts(parts, state).await;
        let me = CurrentUser::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let status = if parts.method == Method::GET {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        match gate::enter(state, &ctx, htmx, &me, status).await {
            Ok(Ok(user)) => Ok(Act {
                state: state.clone(),
                ctx,
                htmx,
                me,
                user,
            }),
            Ok(Err(closed)) => Err(closed),
            Err(e) => Err(e.into_response()),
        }
    }
}

impl Act {
    /// The parts as Logto has them now.
    pub async fn view(&self) -> AppResult<View> {
        View::load(&self.state, &self.ctx, &self.me, &self.user).await
    }

    /// The page with `view`, answered with `status`.
    pub fn show(self, view: View, status: StatusCode) -> AppResult<Response> {
        show(self.ctx, self.htmx, view, status)
    }

    /// The page read again, with a message next to the part it is about.
    pub async fn reply(self, notice: Notice) -> AppResult<Response> {
        let status = if notice.is_error() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        let mut view = self.view().await?;
        view.notice = Some(notice);
        self.show(view, status)
    }

    pub async fn done(self, part: Part, message: String) -> AppResult<Response> {
        self.reply(Notice::success(part, message)).await
    }

    pub async fn fail(self, part: Part, message: String) -> AppResult<Response> {
        self.reply(Notice::error(part, message)).await
    }

    /// An audit entry about the person's own account.
    pub fn entry(&self, action: &str) -> NewEntry {
        super::entry(action, &self.ctx, &self.user)
    }

    pub async fn record(&self, entry: NewEntry) {
        self.state.audit.record_or_log(entry).await;
    }

    /// Records a refusal under `entry`, then: Logto down or throttling is an error page; a
    /// refusal about the request is its message at `part`.
    pub async fn refused(
        self,
        entry: NewEntry,
        part: Part,
        refusal: impl Into<Refusal>,
    ) -> AppResult<Response> {
        let refusal = refusal.into();
        self.record(entry.failed(&refusal.code())).await;
        if !refusal.is_about_the_request() {
            if let Refusal::Logto(e) = refusal {
                return Err(e.into());
            }
        }
        let message = refusal.message(&self.ctx.t, &WORDING);
        self.fail(part, message).await
    }
}

/// The page with `view`, answered with `status`.
pub fn show(ctx: PageCtx, htmx: Htmx, view: View, status: StatusCode) -> AppResult<Response> {
    let mut resp = htmx.page(&SecurityPage {
        ctx,
        gate: None,
        view,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub use tokens::EXPIRIES;
