//! `/profile`: every signed-in person sees and edits their own Logto profile here (Logto has
//! no profile UI of its own).
//!
//! The portal acts through the Management API with its M2M token, so it enforces what the
//! Account API would: the user id comes only from the session ([`CurrentUser`]), never from a
//! form or URL; sensitive changes need proof of identity ([`proof`]); new passwords pass the
//! [`crate::password_policy`]; new addresses are proven with a code. `profile` and
//! `customData` are only written through Logto's merging routes, so untouched keys survive.
//!
//! Each section is an inline editor: htmx swaps the section between its view and its form
//! (`GET /profile/<section>` and `/profile/<section>/edit`), and posts answer with the section
//! alone; without JavaScript the same URLs render the whole page and posts redirect back.

pub mod basics;
pub mod contact;
pub mod custom;
pub mod delete;
pub mod details;
pub mod form;
pub mod identities;
pub mod password;
pub mod proof;
pub mod security;

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post, MethodRouter},
    Router,
};
use tower_sessions::Session;

use crate::audit::NewEntry;
use crate::auth::session::{Flash, SessionUser, USER_KEY};
use crate::logto::User;
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::htmx::html;
use crate::web::AppState;

use contact::{ContactKind, PendingContacts};
use proof::Proof;

pub fn routes() -> Router<AppState> {
    use contact::ContactKind::{Email, Phone};
    Router::new()
        .route("/profile", get(page))
        .route(
            "/profile/basics",
            section_get(Section::Basics, false).post(basics::save),
        )
        .route("/profile/basics/edit", section_get(Section::Basics, true))
        .route("/profile/avatar", post(basics::upload_avatar))
        .route(
            "/profile/details",
            section_get(Section::Details, false).post(details::save),
        )
        .route("/profile/details/edit", section_get(Section::Details, true))
        .route(
            "/profile/custom",
            section_get(Section::Custom, false).post(custom::save),
        )
        .route("/profile/custom/edit", section_get(Section::Custom, true))
        .route(
            "/profile/password",
            section_get(Section::Password, false).post(password::save),
        )
        .route(
            "/profile/password/edit",
            section_get(Section::Password, true),
        )
        .merge(contact::routes(Email))
        .merge(contact::routes(Phone))
        .route(
            "/profile/identities",
            section_get(Section::Identities, false),
        )
        .route(
            "/profile/identities/{target}/unlink",
            post(identities::unlink),
        )
        .route(
            "/profile/delete",
            section_get(Section::Delete, false).post(delete::delete_account),
        )
}

/// `GET` of a section: its view, or with `editing` its editor.
pub(crate) fn section_get(section: Section, editing: bool) -> MethodRouter<AppState> {
    get(move |s: State<AppState>, c: PageCtx, m: CurrentUser| show(s, c, m, section, editing))
}

/// The parts of the page, in page order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Basics,
    Details,
    Custom,
    Password,
    Email,
    Phone,
    Identities,
    Delete,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Basics,
        Section::Details,
        Section::Custom,
        Section::Password,
        Section::Email,
        Section::Phone,
        Section::Identities,
        Section::Delete,
    ];

    /// The element id of the section (and the fragment of its URL).
    pub fn id(self) -> &'static str {
        match self {
            Section::Basics => "basics",
            Section::Details => "details",
            Section::Custom => "custom",
            Section::Password => "password",
            Section::Email => "email",
            Section::Phone => "phone",
            Section::Identities => "identities",
            Section::Delete => "delete",
        }
    }

    fn shown(self, state: &AppState) -> bool {
        match self {
            Section::Custom => !state.config.custom_fields.is_empty(),
            Section::Delete => state.config.allow_self_delete,
            _ => true,
        }
    }
}

/// Field name → message, shown at the field.
pub type FieldErrors = BTreeMap<String, String>;

/// Everything the sections read to render.
pub struct PageData {
    pub user: User,
    /// Logto has a storage provider, so avatars can be uploaded.
    pub storage_ready: bool,
    pub proof: Proof,
    pub pending: PendingContacts,
}

impl PageData {
    pub async fn load(state: &AppState, me: &CurrentUser) -> AppResult<Self> {
        let (user, ready) = tokio::join!(
            state.logto.get_user(me.id()),
            state
                .storage_ready
                .get_or_load(state.logto.user_assets_ready())
        );
        Self::with_user(me, user?, storage_ready(ready)).await
    }

    /// With the user already read (a handler re-rendering the page after refusing input).
    pub async fn reload_around(state: &AppState, me: &CurrentUser, user: User) -> AppResult<Self> {
        let ready = state
            .storage_ready
            .get_or_load(state.logto.user_assets_ready())
            .await;
        Self::with_user(me, user, storage_ready(ready)).await
    }

    async fn with_user(me: &CurrentUser, user: User, storage_ready: bool) -> AppResult<Self> {
        let proof = proof::state(&me.session, &user, me.user.signed_in_at).await?;
        let pending = PendingContacts::load(&me.session).await?;
        Ok(PageData {
            user,
            storage_ready,
            proof,
            pending,
        })
    }
}

/// The storage check only decides whether the upload form shows; a failure hides it.
fn storage_ready(answer: Result<bool, crate::logto::LogtoError>) -> bool {
    answer.unwrap_or_else(|e| {
        tracing::debug!(error = %e, "user-assets status unavailable; hiding avatar upload");
        false
    })
}

/// One section in its default state: the view, or its editor when `editing`.
fn render_section(
    section: Section,
    ctx: &PageCtx,
    state: &AppState,
    data: &PageData,
    editing: bool,
) -> AppResult<String> {
    match section {
        Section::Basics => basics::render(ctx, data, editing),
        Section::Details => details::render(ctx, data, editing),
        Section::Custom => custom::render(ctx, state, data, editing),
        Section::Password => password::render(ctx, state, data, editing),
        Section::Email => contact::render(ctx, state, data, ContactKind::Email, editing),
        Section::Phone => contact::render(ctx, state, data, ContactKind::Phone, editing),
        Section::Identities => identities::render(ctx, data),
        Section::Delete => delete::render(ctx, data),
    }
}

#[derive(Template)]
#[template(path = "profile/page.html")]
struct ProfilePage {
    ctx: PageCtx,
    sections: Vec<String>,
}

/// The whole page; `editing` opens one section's editor, `replaced` puts in a section already
/// rendered (a form with its messages).
fn render_page(
    ctx: PageCtx,
    state: &AppState,
    data: &PageData,
    editing: Option<Section>,
    replaced: Option<(Section, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let mut sections = Vec::new();
    let mut replaced = replaced;
    for section in Section::ALL.into_iter().filter(|s| s.shown(state)) {
        match replaced.take() {
            Some((s, html)) if s == section => sections.push(html),
            other => {
                replaced = other;
                sections.push(render_section(
                    section,
                    &ctx,
                    state,
                    data,
                    editing == Some(section),
                )?);
            }
        }
    }
    let mut resp = html(&ProfilePage { ctx, sections })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /profile`.
async fn page(State(state): State<AppState>, ctx: PageCtx, me: CurrentUser) -> AppResult<Response> {
    let data = PageData::load(&state, &me).await?;
    render_page(ctx, &state, &data, None, None, StatusCode::OK)
}

/// `GET /profile/<section>` and `/profile/<section>/edit`: the section for htmx, the whole
/// page (with that editor open) otherwise.
async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    section: Section,
    editing: bool,
) -> AppResult<Response> {
    if !section.shown(&state) {
        return Err(crate::web::error::AppError::NotFound);
    }
    let data = PageData::load(&state, &me).await?;
    if ctx.is_htmx {
        let mut resp = html(&Raw {
            html: render_section(section, &ctx, &state, &data, editing)?,
        })?;
        resp.headers_mut().insert(
            axum::http::header::VARY,
            HeaderValue::from_static("HX-Request"),
        );
        return Ok(resp);
    }
    render_page(
        ctx,
        &state,
        &data,
        editing.then_some(section),
        None,
        StatusCode::OK,
    )
}

/// Already-escaped HTML assembled from rendered templates.
#[derive(Template)]
#[template(source = "{{ html|safe }}", ext = "html")]
struct Raw {
    html: String,
}

#[derive(Template)]
#[template(path = "profile/oob.html")]
struct OutOfBand<'a> {
    alert: Option<(&'a str, &'a str)>,
    who: Option<&'a str>,
}

/// How a post answers: the section, plus a message and (after a name or email change) the new
/// "signed in as" line for the header.
pub struct Reply {
    pub section: Section,
    pub html: String,
    pub message: Option<String>,
    pub who: Option<String>,
}

impl Reply {
    pub fn new(section: Section, html: String) -> Self {
        Reply {
            section,
            html,
            message: None,
            who: None,
        }
    }

    pub fn message(mut self, message: String) -> Self {
        self.message = Some(message);
        self
    }

    pub fn who(mut self, who: Option<String>) -> Self {
        self.who = who;
        self
    }

    fn fragment(&self, kind: &str) -> AppResult<Response> {
        let extra = OutOfBand {
            alert: self.message.as_deref().map(|m| (kind, m)),
            who: self.who.as_deref(),
        }
        .render()
        .map_err(|e| crate::web::error::AppError::Internal(anyhow::anyhow!("template: {e}")))?;
        html(&Raw {
            html: format!("{}{}", self.html, extra),
        })
    }

    /// The change went through (or a step of it did): htmx gets the section and the message;
    /// a plain form is redirected back to the page, which shows the message (post → redirect → get).
    pub async fn done(self, ctx: &PageCtx, session: &Session) -> AppResult<Response> {
        if ctx.is_htmx {
            return self.fragment("success");
        }
        if let Some(m) = &self.message {
            set_flash(session, "success", m.clone()).await?;
        }
        Ok(Redirect::to(&format!("/profile#{}", self.section.id())).into_response())
    }

    /// The input was refused: the section with its messages (422); the whole page around it
    /// for plain forms.
    pub async fn refused(
        self,
        state: &AppState,
        ctx: &PageCtx,
        me: &CurrentUser,
        user: User,
    ) -> AppResult<Response> {
        if ctx.is_htmx {
            let mut resp = self.fragment("error")?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(resp);
        }
        let data = PageData::reload_around(state, me, user).await?;
        let mut page_ctx = ctx.clone();
        if let Some(m) = &self.message {
            page_ctx.flash = Some(Flash {
                kind: "error".into(),
                message: m.clone(),
            });
        }
        render_page(
            page_ctx,
            state,
            &data,
            None,
            Some((self.section, self.html)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    }
}

/// Keeps the session's copy of the person in step with Logto after a change, and returns
/// the header's new "signed in as" line.
pub async fn refresh_session_user(
    ctx: &PageCtx,
    me: &CurrentUser,
    user: &User,
) -> AppResult<String> {
    let fresh = SessionUser {
        id: me.user.id.clone(),
        name: user.name.clone(),
        username: user.username.clone(),
        email: user.primary_email.clone(),
        avatar: user.avatar.clone(),
        signed_in_at: me.user.signed_in_at,
    };
    me.session.insert(USER_KEY, &fresh).await?;
    Ok(ctx
        .t
        .f("nav.signed_in_as", &[("name", &fresh.display_name())]))
}

/// An audit entry about the person's own account.
pub fn entry(action: &str, ctx: &PageCtx, user: &User) -> NewEntry {
    NewEntry::new(action, ctx.actor(), ctx.origin()).target(
        "user",
        &user.id,
        Some(user.display_name()),
    )
}

/// Records that Logto refused the person's input, with Logto's code.
pub async fn record_refusal(state: &AppState, entry: NewEntry, e: &crate::logto::LogtoError) {
    state
        .audit
        .record_or_log(entry.failed(e.code().unwrap_or("invalid_input")))
        .await;
}

/// Ways the person can still sign in: username (with a password), email, phone, and each
/// linked social account. Email and phone count on their own (a code, or the password).
pub fn sign_in_methods(user: &User) -> usize {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    let password = user.has_password.unwrap_or(false);
    usize::from(password && set(&user.username))
        + usize::from(set(&user.primary_email))
        + usize::from(set(&user.primary_phone))
        + user.identities.len()
}

/// "30 seconds" / "2 minutes" for waits.
pub fn wait_text(ctx: &PageCtx, secs: u64) -> String {
    crate::web::format::wait(&ctx.t, secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(json: serde_json::Value) -> User {
        let mut base = serde_json::json!({"id": "u1", "createdAt": 1});
        base.as_object_mut()
            .unwrap()
            .extend(json.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn counts_ways_to_sign_in() {
        assert_eq!(sign_in_methods(&user(serde_json::json!({}))), 0);
        assert_eq!(
            sign_in_methods(&user(
                serde_json::json!({"username": "a", "hasPassword": false})
            )),
            0
        );
        assert_eq!(
            sign_in_methods(&user(
                serde_json::json!({"username": "a", "hasPassword": true, "primaryEmail": "a@x.io"})
            )),
            2
        );
        assert_eq!(
            sign_in_methods(&user(
                serde_json::json!({"primaryPhone": "", "identities": {"github": {"userId": "1"}}})
            )),
            1
        );
    }
}
