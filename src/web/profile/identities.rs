//! Linked accounts: the social identities on the user, each with an unlink button
//! (`DELETE /api/users/:id/identities/:target`), refused when it is the last way to sign in.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Value};

use super::form::Input;
use super::page::words;
use super::proof::Proof;
use super::{entry, record_refusal, sign_in_methods, FieldErrors, PageData, Reply, View};
use crate::logto::{Identity, User};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::refusal::Refusal;
use crate::web::AppState;

const ACTION: &str = "profile.identity_unlink";

pub(crate) struct Row {
    /// "GitHub", or the connector target as Logto names it.
    pub(crate) provider: String,
    /// The account at the provider: its email or name when Logto kept them, else its id.
    pub(crate) account: String,
    pub(crate) unlink_url: String,
    pub(crate) password: Option<Input>,
    pub(crate) error: Option<String>,
    pub(crate) error_id: String,
}

/// Linked social accounts (`templates/profile/_identities.html`).
pub struct IdentitiesView {
    pub(crate) rows: Vec<Row>,
    pub(crate) needs_sign_in: bool,
}

impl IdentitiesView {
    pub fn id(&self) -> &'static str {
        "identities"
    }
}

fn provider_name(target: &str) -> String {
    match target {
        "github" => "GitHub".into(),
        "google" => "Google".into(),
        "apple" => "Apple".into(),
        "facebook" => "Facebook".into(),
        "microsoft" | "azuread" => "Microsoft".into(),
        "discord" => "Discord".into(),
        "gitlab" => "GitLab".into(),
        "linkedin" => "LinkedIn".into(),
        "wechat" => "WeChat".into(),
        "line" => "LINE".into(),
        "x" | "twitter" => "X".into(),
        other => other.to_string(),
    }
}

fn account(identity: &Identity) -> String {
    let detail = |k: &str| {
        identity
            .details
            .as_ref()
            .and_then(|d| d.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    detail("email")
        .or_else(|| detail("name"))
        .unwrap_or_else(|| identity.user_id.clone())
}

/// A piece of an element id from a connector target.
fn dom_safe(target: &str) -> String {
    target
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn section(ctx: &PageCtx, user: &User, proof: Proof, errors: &FieldErrors) -> IdentitiesView {
    let rows = user
        .identities
        .iter()
        .map(|(target, identity)| {
            let dom = format!("identities-{}", dom_safe(target));
            let password = (proof == Proof::NeedsPassword).then(|| {
                Input::new(
                    &dom,
                    "current_password",
                    ctx.t.t("profile.proof.current_password"),
                    "password",
                )
                .autocomplete("current-password")
            });
            Row {
                provider: provider_name(target),
                account: account(identity),
                unlink_url: format!(
                    "/profile/identities/{}/unlink",
                    percent_encoding::utf8_percent_encode(
                        target,
                        percent_encoding::NON_ALPHANUMERIC
                    )
                ),
                password,
                error: errors.get(target).cloned(),
                error_id: format!("{dom}-error"),
            }
        })
        .collect();
    IdentitiesView {
        needs_sign_in: proof == Proof::NeedsSignIn && !user.identities.is_empty(),
        rows,
    }
}

pub fn view_of(ctx: &PageCtx, data: &PageData) -> IdentitiesView {
    section(ctx, &data.user, data.proof, &FieldErrors::new())
}

#[derive(Default, Deserialize)]
pub struct UnlinkForm {
    #[serde(default)]
    current_password: String,
}

/// `POST /profile/identities/{target}/unlink`. `target` names a connector on the person's own
/// account (the user id comes from the session); one they do not have is a 404.
pub async fn unlink(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Path(target): Path<String>,
    Form(form): Form<UnlinkForm>,
) -> AppResult<Response> {
    let user = state.logto.get_user(me.id()).await?;
    if !user.identities.contains_key(&target) {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::new();
    if let Err(message) =
        super::proof::confirm(&state, &ctx, &me, &user, &form.current_password, ACTION).await?
    {
        errors.insert(target.clone(), message);
    } else if sign_in_methods(&user) <= 1 {
        let refusal = Refusal::rule(
            "last_sign_in_method",
            ctx.t.t("profile.last_sign_in_method"),
        );
        let attempt = entry(ACTION, &ctx, &user).details(json!({ "target": target }));
        record_refusal(&state, attempt, &refusal).await;
        errors.insert(target.clone(), words(&ctx.t, &refusal));
    }
    if !errors.is_empty() {
        return refuse(&state, &ctx, &me, user, &errors).await;
    }
    match state.logto.delete_identity(&user.id, &target).await {
        Ok(updated) => {
            state
                .audit
                .record_or_log(entry(ACTION, &ctx, &updated).details(json!({ "target": target })))
                .await;
            let proof = super::proof::state(&state, &me, &updated).await?;
            let message = ctx.t.f(
                "profile.identities.unlinked",
                &[("provider", &provider_name(&target))],
            );
            Reply::new(View::Identities(section(&ctx, &updated, proof, &errors)))
                .message(message)
                .done(&ctx, &me.session)
                .await
        }
        Err(e) if e.is_input_refusal() => {
            let refusal = Refusal::from(e);
            let attempt = entry(ACTION, &ctx, &user).details(json!({ "target": target }));
            record_refusal(&state, attempt, &refusal).await;
            errors.insert(target.clone(), words(&ctx.t, &refusal));
            refuse(&state, &ctx, &me, user, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refuse(
    state: &AppState,
    ctx: &PageCtx,
    me: &CurrentUser,
    user: User,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let proof = super::proof::state(state, me, &user).await?;
    let view = section(ctx, &user, proof, errors);
    Reply::new(View::Identities(view))
        .refused(state, ctx, me, user)
        .await
}
