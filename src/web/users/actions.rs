//! What operators do to an account. Each action has a confirmation view (`GET`) that explains
//! its effect, and the change itself (`POST`, plain form → redirect with a message). Every
//! attempt, refused or not, lands in the audit trail.
//!
//! Every change follows one flow ([`UserAction`]): load the person, check, build the audit
//! entry, call Logto, let the person's sessions follow, record, and send the operator back
//! with a message. The files below hold what differs per action.

mod delete;
mod mfa;
mod orgs;
mod password;
mod roles;
mod sessions;
mod suspend;

pub use delete::{confirm_delete, delete};
pub use mfa::{confirm_mfa_reset, mfa_reset};
pub use orgs::{confirm_org_remove, org_add, org_remove};
pub use password::{confirm_password_expire, password_expire};
pub use roles::{confirm_role_remove, role_assign, role_remove};
pub use sessions::{end_all_sessions, end_session};
pub use suspend::{confirm_suspend, confirm_unsuspend, suspend, unsuspend};

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::plausible_id;
use crate::audit::NewEntry;
use crate::auth::revocation::{after_access_change, AccessChange};
use crate::logto::{Feature, LogtoError, User};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::refusal::{Refusal, Wording};
use crate::web::AppState;

/// Audit code of a refusal by the portal itself (acting on one's own account).
const SELF_GUARD: &str = "self_guard";

/// A confirmation: what will happen, and the button that does it.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub title: String,
    pub paragraphs: Vec<String>,
    /// Where the form posts; `None` when the portal refuses the action outright.
    pub action: Option<String>,
    pub button: String,
    pub danger: bool,
    pub back: String,
    /// Delete asks the person to type this word.
    pub typed: Option<Typed>,
    /// A choice that goes with the action (a checkbox), or why it is not offered.
    pub choice: Option<Choice>,
    /// Where htmx puts the answer of the form (replacing that element); `None`: a plain
    /// form post, answered with a redirect to the person's page.
    pub hx_target: Option<&'static str>,
}

/// A checkbox beside the confirmation.
#[derive(Debug, Clone)]
pub struct Choice {
    pub name: &'static str,
    pub label: String,
    /// Set when this Logto cannot offer the choice: one sentence instead of the checkbox.
    pub unavailable: Option<String>,
}

impl Confirm {
    /// "Type alice to confirm".
    pub fn type_word_label(&self, ctx: &PageCtx) -> String {
        let word = self
            .typed
            .as_ref()
            .map(|t| t.expected.as_str())
            .unwrap_or("");
        ctx.t.f("users.delete.type_word", &[("word", &word)])
    }
}

#[derive(Debug, Clone)]
pub struct Typed {
    pub expected: String,
    pub value: String,
    pub error: Option<String>,
}

/// A confirmation before an action on an account; htmx swaps the card in place.
#[derive(Template)]
#[template(path = "users/confirm.html", blocks = ["partial"])]
struct ConfirmPage {
    ctx: PageCtx,
    confirm: Confirm,
}
crate::page_template!(ConfirmPage);

fn render(ctx: PageCtx, confirm: Confirm) -> AppResult<Response> {
    ctx.htmx().page(&ConfirmPage { ctx, confirm })
}

async fn load_user(state: &AppState, user_id: &str) -> AppResult<User> {
    if !plausible_id(user_id) {
        return Err(AppError::NotFound);
    }
    Ok(state.logto.get_user(user_id).await?)
}

fn user_href(user_id: &str) -> String {
    format!("/users/{user_id}")
}

/// How Logto's refusals read on a user's page.
pub(super) const WORDING: Wording = Wording {
    codes: &[
        (
            "entity.relation_foreign_key_not_found",
            "users.error.missing_reference",
        ),
        ("organization.require_membership", "users.error.not_member"),
        ("user.invalid_role_type", "users.error.role_type"),
        ("entity.db_constraint_violated", "users.error.role_type"),
        (
            "sign_in_experiences.password_expiration_not_enabled",
            "users.error.expiry_off",
        ),
    ],
    not_found: "users.error.gone",
};

/// After a change that Logto accepted, the person's portal sessions follow it at once
/// (ended or re-read); the audit entry says how many.
async fn sessions_follow<T>(
    state: &AppState,
    entry: NewEntry,
    result: &Result<T, LogtoError>,
    user_id: &str,
    change: AccessChange,
) -> NewEntry {
    if result.is_ok() {
        after_access_change(&state.sessions, entry, user_id, change).await
    } else {
        entry
    }
}

/// "Also sign them out of every app", so their next tokens carry the change: Logto sessions
/// can be ended through the Management API from 1.38.
fn end_logto_sessions_choice(ctx: &PageCtx, state: &AppState) -> Choice {
    let available = state.logto.capabilities().has(Feature::UserSessions);
    Choice {
        name: "end_logto_sessions",
        label: ctx.t.t("users.end_logto_sessions"),
        unavailable: (!available).then(|| {
            ctx.t.f(
                "users.end_logto_sessions_unavailable",
                &[("version", &Feature::UserSessions.since())],
            )
        }),
    }
}

/// The answer to that choice.
#[derive(Debug, Default, Deserialize)]
pub struct EndSessionsForm {
    #[serde(default)]
    end_logto_sessions: Option<String>,
}

/// Ends the person's Logto sessions when the operator asked (and Logto allows it); the audit
/// entry says how many.
async fn end_logto_sessions_if_asked<T>(
    state: &AppState,
    entry: NewEntry,
    result: &Result<T, LogtoError>,
    user_id: &str,
    form: &EndSessionsForm,
) -> NewEntry {
    if result.is_err() || form.end_logto_sessions.is_none() {
        return entry;
    }
    match state.logto.revoke_all_user_sessions(user_id).await {
        Ok(n) => entry.detail("logtoSessionsEnded", json!(n)),
        Err(e) => {
            tracing::warn!(error = %e, user_id, "could not end the Logto sessions");
            entry.detail("logtoSessionsError", json!(e.failure_code()))
        }
    }
}

/// How the person's sessions follow a change Logto accepted.
#[derive(Clone, Copy, Default)]
struct Follow<'f> {
    /// The portal's own sessions end or are re-read (`sessionsEnded` / `sessionsRefreshed`).
    portal: Option<AccessChange>,
    /// The operator's answer to "also sign them out of every app" (`logtoSessionsEnded`).
    logto: Option<&'f EndSessionsForm>,
}

impl Follow<'_> {
    fn portal(change: AccessChange) -> Self {
        Follow {
            portal: Some(change),
            logto: None,
        }
    }
}

/// One change to one account: the person it is about, the operator making it, and the way
/// back to the person's page, where the outcome is told.
struct UserAction<'a> {
    state: &'a AppState,
    ctx: &'a PageCtx,
    op: &'a CurrentUser,
    user: User,
    back: String,
}

impl<'a> UserAction<'a> {
    /// Loads the person (404 for an implausible or unknown id).
    async fn load(
        state: &'a AppState,
        ctx: &'a PageCtx,
        op: &'a CurrentUser,
        user_id: &str,
    ) -> AppResult<Self> {
        let user = load_user(state, user_id).await?;
        let back = user_href(&user.id);
        Ok(UserAction {
            state,
            ctx,
            op,
            user,
            back,
        })
    }

    /// The operator is acting on their own account.
    fn is_self(&self) -> bool {
        self.op.id() == self.user.id
    }

    /// The audit entry for `action` on this person.
    fn entry(&self, action: &str) -> NewEntry {
        NewEntry::new(action, self.ctx.actor(), self.ctx.origin()).target(
            "user",
            &self.user.id,
            Some(self.user.display_name()),
        )
    }

    /// A message naming the person (`{name}`), plus any other named values.
    fn message(&self, key: &str, extra: &[(&str, &dyn std::fmt::Display)]) -> String {
        let name = self.user.display_name();
        let mut args: Vec<(&str, &dyn std::fmt::Display)> = vec![("name", &name)];
        args.extend_from_slice(extra);
        self.ctx.t.f(key, &args)
    }

    async fn flash(&self, kind: &str, message: String, to: &str) -> AppResult<Response> {
        set_flash(&self.op.session, kind, message).await?;
        Ok(Redirect::to(to).into_response())
    }

    /// Back to the person's page with an error message; nothing was attempted.
    async fn back_with_error(&self, message: String) -> AppResult<Response> {
        self.flash("error", message, &self.back).await
    }

    /// A refusal before or by Logto: recorded with its one code, then explained on the
    /// person's page.
    async fn refuse(&self, entry: NewEntry, refusal: Refusal) -> AppResult<Response> {
        self.state
            .audit
            .record_or_log(entry.failed(&refusal.code()))
            .await;
        self.back_with_error(refusal.message(&self.ctx.t, &WORDING))
            .await
    }

    /// The portal's own refusal (acting on one's own account): recorded, then explained.
    async fn refuse_self(&self, entry: NewEntry, message_key: &str) -> AppResult<Response> {
        let refusal = Refusal::rule(SELF_GUARD, self.ctx.t.t(message_key));
        self.refuse(entry, refusal).await
    }

    /// [`Self::refuse_self`] for the Security section: recorded, then explained there.
    async fn refuse_self_in_security(
        &self,
        entry: NewEntry,
        message_key: &str,
    ) -> AppResult<Response> {
        let refusal = Refusal::rule(SELF_GUARD, self.ctx.t.t(message_key));
        self.state
            .audit
            .record_or_log(entry.failed(&refusal.code()))
            .await;
        let message = refusal.message(&self.ctx.t, &WORDING);
        self.answer_in_security("error", message).await
    }

    /// The answer after a change to the person's account security: htmx gets the Security
    /// section again with `message` on top (and the confirmation panel emptied); a plain form
    /// post goes back to the person's page, where the message is shown.
    async fn answer_in_security(&self, kind: &'static str, message: String) -> AppResult<Response> {
        if self.ctx.is_htmx {
            let notice = super::security::Notice { kind, message };
            let is_self = self.is_self();
            super::security::region(self.state, self.ctx, &self.user.id, is_self, notice, true)
                .await
        } else {
            self.flash(kind, message, &self.back).await
        }
    }

    /// Records the outcome of a change to the person's account security and answers in the
    /// Security section ([`Self::answer_in_security`]): `success`, or Logto's refusal in the
    /// words of `wording`; Logto unreachable or failing is the error page.
    async fn finish_in_security<T>(
        &self,
        entry: NewEntry,
        result: Result<T, LogtoError>,
        wording: &Wording,
        success: String,
    ) -> AppResult<Response> {
        match result {
            Ok(_) => {
                self.state.audit.record_or_log(entry).await;
                self.answer_in_security("success", success).await
            }
            Err(e) => {
                let refusal = Refusal::from(e.clone());
                self.state
                    .audit
                    .record_or_log(entry.failed(&refusal.code()))
                    .await;
                if refusal.is_about_the_request() {
                    let message = refusal.message(&self.ctx.t, wording);
                    self.answer_in_security("error", message).await
                } else {
                    Err(AppError::Logto(e))
                }
            }
        }
    }

    /// Lets the sessions follow a change Logto accepted, records the outcome and answers:
    /// success → `after_success` with `success`; refusal → the person's page with Logto's
    /// reason; Logto unreachable or failing → the error page.
    async fn finish<T>(
        &self,
        entry: NewEntry,
        result: Result<T, LogtoError>,
        follow: Follow<'_>,
        success: String,
        after_success: &str,
    ) -> AppResult<Response> {
        let user_id = &self.user.id;
        let entry = match follow.portal {
            Some(change) => sessions_follow(self.state, entry, &result, user_id, change).await,
            None => entry,
        };
        let entry = match follow.logto {
            Some(form) => {
                end_logto_sessions_if_asked(self.state, entry, &result, user_id, form).await
            }
            None => entry,
        };
        match result {
            Ok(_) => {
                self.state.audit.record_or_log(entry).await;
                self.flash("success", success, after_success).await
            }
            Err(e) => {
                let refusal = Refusal::from(e.clone());
                if refusal.is_about_the_request() {
                    return self.refuse(entry, refusal).await;
                }
                // Logto unreachable or failing: recorded, then the error page.
                self.state
                    .audit
                    .record_or_log(entry.failed(&refusal.code()))
                    .await;
                Err(AppError::Logto(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, Tr};

    #[test]
    fn logto_refusals_read_in_the_users_words_without_codes() {
        let api = |status: u16, code: Option<&str>| LogtoError::Api {
            status,
            code: code.map(str::to_string),
            message: "raw upstream text".into(),
            request_id: None,
        };
        let t = Tr::new(Lang::En);
        let missing = Refusal::from(api(422, Some("entity.relation_foreign_key_not_found")));
        assert!(missing.is_about_the_request());
        assert_eq!(
            missing.message(&t, &WORDING),
            t.t("users.error.missing_reference")
        );
        let gone = Refusal::from(api(404, Some("entity.not_found")));
        assert_eq!(gone.code(), "entity.not_found");
        let words = gone.message(&t, &WORDING);
        assert_eq!(words, t.t("users.error.gone"));
        assert!(!words.contains("entity.not_found") && !words.contains("raw upstream"));
        assert!(!Refusal::from(api(429, Some("x"))).is_about_the_request());
        assert!(!Refusal::from(api(503, None)).is_about_the_request());
        assert!(!Refusal::from(LogtoError::Unavailable("t".into())).is_about_the_request());
    }
}
