//! What operators do to an account. Each action has a confirmation view (`GET`) that explains
//! its effect, and the change itself (`POST`, plain form → redirect with a message). Every
//! attempt, refused or not, lands in the audit trail.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::plausible_id;
use crate::audit::NewEntry;
use crate::auth::access::Operator;
use crate::auth::revocation::{after_access_change, AccessChange};
use crate::logto::{Feature, LogtoError, User};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{logto_view, AppError, AppResult};
use crate::web::htmx::page_or_partial;
use crate::web::ids::{Ids, LogtoId};
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

#[derive(Template)]
#[template(path = "users/confirm.html")]
struct ConfirmPage {
    ctx: PageCtx,
    confirm: Confirm,
}

#[derive(Template)]
#[template(path = "users/confirm_partial.html")]
struct ConfirmPartial {
    ctx: PageCtx,
    confirm: Confirm,
}

fn render(ctx: PageCtx, confirm: Confirm) -> AppResult<Response> {
    let page = ConfirmPage {
        ctx: ctx.clone(),
        confirm: confirm.clone(),
    };
    let is_htmx = ctx.is_htmx;
    page_or_partial(is_htmx, &page, &ConfirmPartial { ctx, confirm }, None)
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

/// The word typed to confirm a deletion: the username, else the email, else the id.
fn confirm_word(u: &User) -> String {
    [&u.username, &u.primary_email]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| u.id.clone())
}

/// A 4xx answer that says "not like this" (shown as a message on the user's page), as
/// opposed to Logto being down, throttled or misconfigured (shown as an error page).
fn is_refusal(e: &LogtoError) -> bool {
    matches!(e, LogtoError::Api { status, .. } if (400..500).contains(status) && !matches!(status, 401 | 403 | 429))
}

/// Audit code for a failed call: Logto's code, or what kind of failure it was.
fn failure_code(e: &LogtoError) -> String {
    match e {
        LogtoError::Api {
            code: Some(code), ..
        } => code.clone(),
        LogtoError::Api { status, .. } => format!("http_{status}"),
        LogtoError::Unavailable(_) => "logto_unavailable".into(),
        LogtoError::RateLimited => "logto_rate_limited".into(),
        LogtoError::Config(_) => "logto_config".into(),
        LogtoError::Decode(_) => "logto_decode".into(),
        LogtoError::Unsupported(_) => "logto_unsupported".into(),
    }
}

/// Why Logto refused, in the person's language.
fn refusal_message(ctx: &PageCtx, e: &LogtoError) -> String {
    let key = match e.code() {
        Some("entity.relation_foreign_key_not_found") => "users.error.missing_reference",
        Some("organization.require_membership") => "users.error.not_member",
        Some("user.invalid_role_type") | Some("entity.db_constraint_violated") => {
            "users.error.role_type"
        }
        _ if e.is_not_found() => "users.error.gone",
        _ => logto_view(e).2,
    };
    let mut msg = ctx.t.t(key);
    if let Some(code) = e.code() {
        msg.push(' ');
        msg.push_str(&ctx.t.f("users.error.logto_code", &[("code", &code)]));
    }
    msg
}

/// What every action needs to answer: where to record, whom to tell.
struct Act<'a> {
    state: &'a AppState,
    ctx: &'a PageCtx,
    session: &'a Session,
}

impl Act<'_> {
    async fn flash(&self, kind: &str, message: String, to: &str) -> AppResult<Response> {
        set_flash(self.session, kind, message).await?;
        Ok(Redirect::to(to).into_response())
    }

    /// Records the outcome of a Logto call and answers: success → `after_success` with a
    /// message; refusal → `back` with Logto's reason; Logto unreachable or failing → the
    /// error page.
    async fn finish(
        &self,
        entry: NewEntry,
        result: Result<(), LogtoError>,
        success: String,
        back: &str,
        after_success: &str,
    ) -> AppResult<Response> {
        match result {
            Ok(()) => {
                self.state.audit.record_or_log(entry).await;
                self.flash("success", success, after_success).await
            }
            Err(e) => {
                self.state
                    .audit
                    .record_or_log(entry.failed(&failure_code(&e)))
                    .await;
                if is_refusal(&e) {
                    self.flash("error", refusal_message(self.ctx, &e), back)
                        .await
                } else {
                    Err(AppError::Logto(e))
                }
            }
        }
    }

    /// The portal's own refusal (acting on one's own account): recorded, then explained.
    async fn refuse(&self, entry: NewEntry, message_key: &str, back: &str) -> AppResult<Response> {
        self.state
            .audit
            .record_or_log(entry.failed(SELF_GUARD))
            .await;
        self.flash("error", self.ctx.t.t(message_key), back).await
    }
}

fn act<'a>(
    state: &'a AppState,
    ctx: &'a PageCtx,
    op: &'a crate::auth::access::CurrentUser,
) -> Act<'a> {
    Act {
        state,
        ctx,
        session: &op.session,
    }
}

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
        after_access_change(state, entry, user_id, change).await
    } else {
        entry
    }
}

fn user_entry(action: &str, ctx: &PageCtx, u: &User) -> NewEntry {
    NewEntry::new(action, ctx.actor(), ctx.origin()).target("user", &u.id, Some(u.display_name()))
}

// ---------------------------------------------------------------------------------------
// Suspend / unsuspend

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
            entry.detail("logtoSessionsError", json!(failure_code(&e)))
        }
    }
}

pub async fn confirm_suspend(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let c = suspend_confirm(&ctx, &u, op.id() == u.id, true);
    render(ctx, c)
}

pub async fn confirm_unsuspend(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let c = suspend_confirm(&ctx, &u, op.id() == u.id, false);
    render(ctx, c)
}

async fn set_suspended(
    op: &crate::auth::access::CurrentUser,
    ctx: PageCtx,
    state: AppState,
    user_id: String,
    suspend: bool,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let action = if suspend {
        "user.suspend"
    } else {
        "user.unsuspend"
    };
    let entry = user_entry(action, &ctx, &u);
    let back = user_href(&u.id);
    if suspend && op.id() == u.id {
        return act(&state, &ctx, op)
            .refuse(entry, "users.self.suspend", &back)
            .await;
    }
    let result = state.logto.set_suspended(&u.id, suspend).await.map(|_| ());
    let done = if suspend {
        "users.suspend.done"
    } else {
        "users.unsuspend.done"
    };
    let msg = ctx.t.f(done, &[("name", &u.display_name())]);
    // Suspension ends the person's portal sessions at once; unsuspension has nothing to end.
    // Logto itself ends a suspended person's sessions and tokens; the portal ends its own.
    let entry = if suspend {
        sessions_follow(&state, entry, &result, &u.id, AccessChange::Suspended).await
    } else {
        entry
    };
    act(&state, &ctx, op)
        .finish(entry, result, msg, &back, &back)
        .await
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

// ---------------------------------------------------------------------------------------
// Delete

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
    let u = load_user(&state, &user_id).await?;
    let entry = user_entry("user.delete", &ctx, &u).details(json!({
        "username": u.username,
        "primaryEmail": u.primary_email,
    }));
    let back = user_href(&u.id);
    if op.id() == u.id {
        return act(&state, &ctx, &op)
            .refuse(entry, "users.self.delete", &back)
            .await;
    }
    let expected = confirm_word(&u);
    if form.confirm.trim() != expected {
        // A typing slip is not an attempt: nothing is sent or recorded; the form says why.
        let typed = Typed {
            error: Some(ctx.t.f("users.delete.mismatch", &[("word", &expected)])),
            expected,
            value: form.confirm,
        };
        let c = delete_confirm(&ctx, &u, false, typed);
        let mut resp = render(ctx, c)?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    }
    let result = state.logto.delete_user(&u.id).await;
    let msg = ctx.t.f("users.delete.done", &[("name", &u.display_name())]);
    let entry = sessions_follow(&state, entry, &result, &u.id, AccessChange::Deleted).await;
    act(&state, &ctx, &op)
        .finish(entry, result, msg, &back, "/users")
        .await
}

// ---------------------------------------------------------------------------------------
// Organizations

/// `POST /users/{id}/orgs`: `org_id` plus any number of `role_ids`.
pub async fn org_add(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let back = user_href(&u.id);
    let org_id = fields
        .iter()
        .find(|(k, _)| k == "org_id")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let mut role_ids: Vec<String> = fields
        .iter()
        .filter(|(k, v)| k == "role_ids" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect();
    role_ids.dedup();
    if !plausible_id(&org_id) {
        return act(&state, &ctx, &op)
            .flash("error", ctx.t.t("users.orgs.choose"), &back)
            .await;
    }
    let (org, all_roles) = tokio::join!(
        state.logto.get_organization(&org_id),
        state.logto.list_org_roles()
    );
    let org = match org {
        Ok(o) => o,
        Err(e) if e.is_not_found() => {
            return act(&state, &ctx, &op)
                .flash("error", ctx.t.t("users.error.missing_reference"), &back)
                .await
        }
        Err(e) => return Err(AppError::Logto(e)),
    };
    let all_roles = all_roles?;
    let role_names: Vec<String> = role_ids
        .iter()
        .map(|id| {
            all_roles
                .iter()
                .find(|r| &r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    let entry = user_entry("user.org_add", &ctx, &u)
        .org(&org.id)
        .details(json!({ "organization": org.name, "roles": role_names }));
    let added = state
        .logto
        .add_org_members(&org.id, std::slice::from_ref(&u.id))
        .await;
    let result = match &added {
        Ok(()) => {
            state
                .logto
                .add_member_roles(&org.id, &u.id, &role_ids)
                .await
        }
        Err(e) => Err(e.clone()),
    };
    if let (Ok(()), Err(e)) = (&added, &result) {
        // Membership stands without the roles: say exactly that.
        let entry = entry.details(json!({
            "organization": org.name,
            "roles": role_names,
            "membershipAdded": true,
        }));
        let entry = sessions_follow(
            &state,
            entry,
            &added,
            &u.id,
            AccessChange::MembershipChanged,
        )
        .await;
        state
            .audit
            .record_or_log(entry.failed(&failure_code(e)))
            .await;
        let msg = ctx.t.f(
            "users.orgs.roles_failed",
            &[("name", &u.display_name()), ("org", &org.name)],
        );
        return act(&state, &ctx, &op).flash("error", msg, &back).await;
    }
    let msg = ctx.t.f(
        "users.orgs.added",
        &[("name", &u.display_name()), ("org", &org.name)],
    );
    let entry = sessions_follow(
        &state,
        entry,
        &result,
        &u.id,
        AccessChange::MembershipChanged,
    )
    .await;
    act(&state, &ctx, &op)
        .finish(entry, result, msg, &back, &back)
        .await
}

/// The user's membership in `org_id`, or 404 when there is none.
async fn membership(
    state: &AppState,
    u: &User,
    org_id: &str,
) -> AppResult<crate::logto::UserOrganization> {
    let orgs = state.logto.user_organizations(&u.id).await?;
    orgs.into_iter()
        .find(|o| o.id == org_id)
        .ok_or(AppError::NotFound)
}

fn org_remove_confirm(
    ctx: &PageCtx,
    state: &AppState,
    u: &User,
    org: &crate::logto::UserOrganization,
) -> Confirm {
    let name = u.display_name();
    let roles: Vec<&str> = org
        .organization_roles
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let roles = if roles.is_empty() {
        ctx.t.t("users.orgs.no_roles")
    } else {
        roles.join(", ")
    };
    Confirm {
        title: ctx.t.f(
            "users.orgs.remove_title",
            &[("name", &name), ("org", &org.name)],
        ),
        paragraphs: vec![ctx.t.f(
            "users.orgs.remove_effect",
            &[("name", &name), ("org", &org.name), ("roles", &roles)],
        )],
        action: Some(format!("/users/{}/orgs/{}/remove", u.id, org.id)),
        button: ctx.t.t("users.orgs.remove_button"),
        danger: true,
        back: user_href(&u.id),
        typed: None,
        choice: Some(end_logto_sessions_choice(ctx, state)),
    }
}

pub async fn confirm_org_remove(
    Operator(_op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, org_id)): Ids<(LogtoId, LogtoId)>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let org = membership(&state, &u, &org_id).await?;
    let c = org_remove_confirm(&ctx, &state, &u, &org);
    render(ctx, c)
}

pub async fn org_remove(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, org_id)): Ids<(LogtoId, LogtoId)>,
    Form(form): Form<EndSessionsForm>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let back = user_href(&u.id);
    if !plausible_id(&org_id) {
        return Err(AppError::NotFound);
    }
    let orgs = state.logto.user_organizations(&u.id).await?;
    let org_name = orgs.iter().find(|o| o.id == org_id).map(|o| o.name.clone());
    let entry = user_entry("user.org_remove", &ctx, &u)
        .org(&org_id)
        .details(json!({ "organization": org_name }));
    let result = state.logto.remove_org_member(&org_id, &u.id).await;
    let label = org_name.unwrap_or_else(|| org_id.to_string());
    let msg = ctx.t.f(
        "users.orgs.removed",
        &[("name", &u.display_name()), ("org", &label)],
    );
    let entry = sessions_follow(
        &state,
        entry,
        &result,
        &u.id,
        AccessChange::MembershipChanged,
    )
    .await;
    let entry = end_logto_sessions_if_asked(&state, entry, &result, &u.id, &form).await;
    act(&state, &ctx, &op)
        .finish(entry, result, msg, &back, &back)
        .await
}

// ---------------------------------------------------------------------------------------
// Global roles

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role_id: String,
}

pub async fn role_assign(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let back = user_href(&u.id);
    let role_id = form.role_id.trim().to_string();
    if !plausible_id(&role_id) {
        return act(&state, &ctx, &op)
            .flash("error", ctx.t.t("users.roles.choose"), &back)
            .await;
    }
    // Only user roles may be assigned; the listing is filtered to type `User`.
    let found = state
        .logto
        .list_roles(1, 100, Some(&role_id))
        .await?
        .items
        .into_iter()
        .find(|r| r.id == role_id);
    let entry = user_entry("user.role_assign", &ctx, &u).details(json!({
        "roleId": role_id,
        "role": found.as_ref().map(|r| r.name.clone()),
    }));
    let Some(role) = found else {
        state
            .audit
            .record_or_log(entry.failed("role_not_assignable"))
            .await;
        return act(&state, &ctx, &op)
            .flash("error", ctx.t.t("users.error.role_type"), &back)
            .await;
    };
    let result = state
        .logto
        .assign_user_roles(&u.id, std::slice::from_ref(&role.id))
        .await;
    let msg = ctx.t.f(
        "users.roles.assigned",
        &[("name", &u.display_name()), ("role", &role.name)],
    );
    let entry = sessions_follow(&state, entry, &result, &u.id, AccessChange::RolesChanged).await;
    act(&state, &ctx, &op)
        .finish(entry, result, msg, &back, &back)
        .await
}

async fn held_role(state: &AppState, u: &User, role_id: &str) -> AppResult<crate::logto::Role> {
    let roles = state.logto.user_roles(&u.id).await?;
    roles
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or(AppError::NotFound)
}

pub async fn confirm_role_remove(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, role_id)): Ids<(LogtoId, LogtoId)>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let role = held_role(&state, &u, &role_id).await?;
    let name = u.display_name();
    let is_operator_role = role.name == state.config.operator_role;
    let refused = is_operator_role && op.id() == u.id;
    let mut paragraphs = vec![ctx.t.f(
        "users.roles.remove_effect",
        &[("name", &name), ("role", &role.name)],
    )];
    if is_operator_role {
        paragraphs.push(ctx.t.t("users.roles.operator_note"));
    }
    if refused {
        paragraphs = vec![ctx.t.t("users.self.operator_role")];
    }
    let c = Confirm {
        title: ctx.t.f(
            "users.roles.remove_title",
            &[("name", &name), ("role", &role.name)],
        ),
        paragraphs,
        action: (!refused).then(|| format!("/users/{}/roles/{}/remove", u.id, role.id)),
        button: ctx.t.t("users.roles.remove_button"),
        danger: true,
        back: user_href(&u.id),
        typed: None,
        choice: (!refused).then(|| end_logto_sessions_choice(&ctx, &state)),
    };
    render(ctx, c)
}

pub async fn role_remove(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids((user_id, role_id)): Ids<(LogtoId, LogtoId)>,
    Form(form): Form<EndSessionsForm>,
) -> AppResult<Response> {
    let u = load_user(&state, &user_id).await?;
    let back = user_href(&u.id);
    if !plausible_id(&role_id) {
        return Err(AppError::NotFound);
    }
    let held = state
        .logto
        .user_roles(&u.id)
        .await?
        .into_iter()
        .find(|r| r.id == role_id);
    let role_name = held.as_ref().map(|r| r.name.clone());
    let entry = user_entry("user.role_remove", &ctx, &u)
        .details(json!({ "roleId": role_id, "role": role_name }));
    if op.id() == u.id && role_name.as_deref() == Some(state.config.operator_role.as_str()) {
        return act(&state, &ctx, &op)
            .refuse(entry, "users.self.operator_role", &back)
            .await;
    }
    let result = state.logto.remove_user_role(&u.id, &role_id).await;
    let label = role_name.unwrap_or_else(|| role_id.to_string());
    let msg = ctx.t.f(
        "users.roles.removed",
        &[("name", &u.display_name()), ("role", &label)],
    );
    let entry = sessions_follow(&state, entry, &result, &u.id, AccessChange::RolesChanged).await;
    let entry = end_logto_sessions_if_asked(&state, entry, &result, &u.id, &form).await;
    act(&state, &ctx, &op)
        .finish(entry, result, msg, &back, &back)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_and_codes() {
        let api = |status: u16, code: Option<&str>| LogtoError::Api {
            status,
            code: code.map(str::to_string),
            message: String::new(),
            request_id: None,
        };
        assert!(is_refusal(&api(
            422,
            Some("entity.relation_foreign_key_not_found")
        )));
        assert!(is_refusal(&api(404, None)));
        assert!(!is_refusal(&api(429, Some("x"))));
        assert!(!is_refusal(&api(401, None)));
        assert!(!is_refusal(&api(503, None)));
        assert!(!is_refusal(&LogtoError::Unavailable("t".into())));
        assert_eq!(
            failure_code(&api(404, Some("entity.not_found"))),
            "entity.not_found"
        );
        assert_eq!(failure_code(&api(500, None)), "http_500");
        assert_eq!(failure_code(&LogtoError::RateLimited), "logto_rate_limited");
    }

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
