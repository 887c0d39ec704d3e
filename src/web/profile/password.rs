//! Password: the current one is checked with Logto (`POST /users/:id/password/verify`, through
//! the wrong-password throttle), the new one against the portal's [`PasswordPolicy`], then
//! `PATCH /users/:id/password`. People without a password may set one after a recent sign-in.

use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::form::{focus_first, Input};
use super::page::words;
use super::proof::Proof;
use super::{entry, record_refusal, FieldErrors, PageData, Reply, View};
use crate::auth::revocation::{end_other_logto_sessions, LogtoSessionRef};
use crate::logto::{Feature, User};
use crate::password_policy::{PasswordPolicy, Violation};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::refusal::Refusal;
use crate::web::AppState;

const SECTION: &str = "password";
const ACTION: &str = "profile.password_change";

/// Secrets only: `Debug` never shows them.
#[derive(Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
    /// The "Sign out my other sessions" box (`on` when ticked; an unticked box is not sent).
    #[serde(default)]
    sign_out_others: Option<String>,
}

impl PasswordForm {
    fn signs_out_others(&self) -> bool {
        self.sign_out_others.as_deref() == Some("on")
    }
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm { .. }")
    }
}

/// The password section (`templates/profile/_password.html`).
pub struct PasswordView {
    pub(crate) editing: bool,
    pub(crate) has_password: bool,
    pub(crate) inputs: Vec<Input>,
    pub(crate) needs_sign_in: bool,
}

impl PasswordView {
    pub fn id(&self) -> &'static str {
        SECTION
    }
}

fn has_password(user: &User) -> bool {
    user.has_password.unwrap_or(false)
}

/// The policy in words, under the new-password field.
fn policy_text(ctx: &PageCtx, policy: &PasswordPolicy) -> String {
    let mut s = ctx
        .t
        .count("profile.password.policy_length", policy.min_length as i64);
    if policy.min_classes > 1 {
        s.push(' ');
        s.push_str(&ctx.t.f(
            "profile.password.policy_classes",
            &[("n", &policy.min_classes)],
        ));
    }
    s.push(' ');
    s.push_str(&ctx.t.t("profile.password.policy_rest"));
    s
}

fn violation_text(ctx: &PageCtx, policy: &PasswordPolicy, v: Violation) -> String {
    let t = &ctx.t;
    match v {
        Violation::TooShort => t.count("profile.password.too_short", policy.min_length as i64),
        Violation::TooLong => t.count(
            "profile.password.too_long",
            crate::password_policy::MAX_LENGTH as i64,
        ),
        Violation::TooFewClasses => t.f(
            "profile.password.too_few_classes",
            &[("n", &policy.min_classes)],
        ),
        Violation::ContainsPersonalInfo => t.t("profile.password.personal_info"),
        Violation::Common => t.t("profile.password.common"),
    }
}

fn section(
    ctx: &PageCtx,
    state: &AppState,
    user: &User,
    proof: Proof,
    editing: bool,
    errors: &FieldErrors,
    sign_out_others: bool,
) -> PasswordView {
    let t = &ctx.t;
    let has = has_password(user);
    let mut inputs = Vec::new();
    if editing {
        if has {
            inputs.push(
                Input::new(
                    SECTION,
                    "current_password",
                    t.t("profile.proof.current_password"),
                    "password",
                )
                .autocomplete("current-password")
                .required(true)
                .errors(errors),
            );
        }
        let policy = PasswordPolicy::from_config(&state.config);
        inputs.push(
            Input::new(
                SECTION,
                "new_password",
                t.t("profile.password.new"),
                "password",
            )
            .autocomplete("new-password")
            .required(true)
            .hint(policy_text(ctx, &policy))
            .errors(errors),
        );
        inputs.push(
            Input::new(
                SECTION,
                "confirm_password",
                t.t("profile.password.confirm"),
                "password",
            )
            .autocomplete("new-password")
            .required(true)
            .errors(errors),
        );
        inputs.push(
            Input::new(
                SECTION,
                "sign_out_others",
                t.t("profile.password.sign_out_others"),
                "checkbox",
            )
            .checked(sign_out_others)
            .hint(t.t("profile.password.sign_out_others_hint")),
        );
        focus_first(&mut inputs);
    }
    PasswordView {
        editing,
        has_password: has,
        inputs,
        needs_sign_in: editing && proof == Proof::NeedsSignIn,
    }
}

pub fn view_of(ctx: &PageCtx, state: &AppState, data: &PageData, editing: bool) -> PasswordView {
    section(
        ctx,
        state,
        &data.user,
        data.proof,
        editing,
        &FieldErrors::new(),
        true,
    )
}

async fn refuse(
    state: &AppState,
    ctx: &PageCtx,
    me: &CurrentUser,
    user: User,
    errors: &FieldErrors,
    sign_out_others: bool,
) -> AppResult<Response> {
    let proof = super::proof::state(state, me, &user).await?;
    let view = section(ctx, state, &user, proof, true, errors, sign_out_others);
    Reply::new(View::Password(view))
        .refused(state, ctx, me, user)
        .await
}

/// `POST /profile/password`.
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let user = state.logto.get_user(me.id()).await?;
    let had_password = has_password(&user);
    let policy = PasswordPolicy::from_config(&state.config);
    let t = &ctx.t;
    let mut errors = FieldErrors::new();
    if had_password && form.current_password.is_empty() {
        errors.insert("current_password".into(), t.t("profile.proof.required"));
    }
    if form.new_password.is_empty() {
        errors.insert("new_password".into(), t.t("profile.password.new_required"));
    } else {
        let violations = policy.check(
            &form.new_password,
            &[user.username.as_deref(), user.primary_email.as_deref()],
        );
        if !violations.is_empty() {
            state
                .audit
                .record_or_log(
                    entry(ACTION, &ctx, &user)
                        .failed("password_policy")
                        .details(json!({
                            "rules": violations.iter().map(|v| v.code()).collect::<Vec<_>>()
                        })),
                )
                .await;
            let text: Vec<String> = violations
                .iter()
                .map(|v| violation_text(&ctx, &policy, *v))
                .collect();
            errors.insert("new_password".into(), text.join(" "));
        } else if form.confirm_password != form.new_password {
            errors.insert("confirm_password".into(), t.t("profile.password.mismatch"));
        }
    }
    if !errors.is_empty() {
        return refuse(&state, &ctx, &me, user, &errors, form.signs_out_others()).await;
    }
    // Changing a password always takes the current one, however recent the last proof.
    let proven = if had_password {
        super::proof::verify_current(&state, &ctx, &me, &user, &form.current_password, ACTION)
            .await?
    } else {
        super::proof::confirm(&state, &ctx, &me, &user, "", ACTION).await?
    };
    if let Err(message) = proven {
        // Without a password there is no current-password field: the message goes to the new one.
        let field = if had_password {
            "current_password"
        } else {
            "new_password"
        };
        errors.insert(field.into(), message);
        return refuse(&state, &ctx, &me, user, &errors, form.signs_out_others()).await;
    }
    let updated = match state.logto.set_password(&user.id, &form.new_password).await {
        Ok(u) => u,
        Err(e) if e.is_input_refusal() => {
            let refusal = Refusal::from(e);
            record_refusal(&state, entry(ACTION, &ctx, &user), &refusal).await;
            errors.insert("new_password".into(), words(t, &refusal));
            return refuse(&state, &ctx, &me, user, &errors, form.signs_out_others()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let key = if had_password {
        "profile.password.changed"
    } else {
        "profile.password.set"
    };
    let mut message = t.t(key);
    let mut details = json!({
        "had_password": had_password,
        "signOutOthers": form.signs_out_others(),
        "sessionsEnded": 0,
        "logtoSessionsEnded": 0,
    });
    if form.signs_out_others() {
        let ended = end_other_sessions(&state, &me, &user.id).await?;
        details["sessionsEnded"] = json!(ended.portal);
        message.push(' ');
        message.push_str(&t.count("profile.password.portal_ended", ended.portal as i64));
        match ended.logto {
            Some(Ok(n)) => {
                details["logtoSessionsEnded"] = json!(n);
                message.push(' ');
                message.push_str(&t.count("profile.password.logto_ended", n as i64));
            }
            Some(Err(code)) => {
                details["logtoSessionsError"] = json!(code);
                message.push(' ');
                message.push_str(&t.t("profile.password.logto_failed"));
            }
            None => {}
        }
    }
    state
        .audit
        .record_or_log(entry(ACTION, &ctx, &updated).details(details))
        .await;
    let mut shown = updated;
    shown.has_password = Some(true);
    Reply::new(View::Password(section(
        &ctx,
        &state,
        &shown,
        Proof::Fresh,
        false,
        &FieldErrors::new(),
        true,
    )))
    .message(message)
    .done(&ctx, &me.session)
    .await
}

/// What "Sign out my other sessions" ended after a password change.
struct Ended {
    /// Portal sessions in other browsers.
    portal: u64,
    /// Logto's sessions but this browser's (`None`: this Logto has none; `Err`: Logto's
    /// failure code, the password is changed all the same).
    logto: Option<Result<usize, String>>,
}

async fn end_other_sessions(state: &AppState, me: &CurrentUser, user_id: &str) -> AppResult<Ended> {
    let keep = me.session.id().map(|id| id.to_string()).unwrap_or_default();
    let portal = state
        .sessions
        .delete_other_sessions_of(user_id, &keep, state.clock.now_ms())
        .await
        .map_err(anyhow::Error::from)?;
    let logto = if state.logto.capabilities().has(Feature::UserSessions) {
        let sid = super::security::this_device(me).await;
        let keep = sid.as_deref().map(|sid| LogtoSessionRef {
            client_id: &state.config.app_id,
            sid,
        });
        Some(
            end_other_logto_sessions(&state.logto, user_id, keep)
                .await
                .map_err(|e| {
                    tracing::warn!(error = %e, "password change: Logto sessions not ended");
                    e.failure_code()
                }),
        )
    } else {
        None
    };
    Ok(Ended { portal, logto })
}
