//! `/profile`: every signed-in person sees and edits their own Logto profile here (Logto has
//! no profile UI of its own).
//!
//! The portal acts through the Management API with its M2M token, so it enforces what the
//! Account API would: the user id comes only from the session ([`CurrentUser`]), never from a
//! form or URL; sensitive changes need proof of identity ([`proof`]); new passwords pass the
//! [`crate::password_policy`]; new addresses are proven with a code. `profile` and
//! `customData` are only written through Logto's merging routes, so untouched keys survive.
//!
//! The page is one template with a block per section ([`page`]). Each section is an inline
//! editor: htmx swaps the section between its view and its form (`GET /profile/<section>` and
//! `/profile/<section>/edit`), and posts answer with the section alone, its confirmation inside
//! it; without JavaScript the same URLs render the whole page and posts redirect back.

pub mod basics;
pub mod choices;
pub mod contact;
pub mod custom;
pub mod delete;
pub mod details;
pub mod form;
pub mod identities;
pub mod page;
pub mod password;
pub mod proof;
pub mod security;

use std::collections::BTreeMap;

use axum::{
    extract::State,
    response::Response,
    routing::{get, post, MethodRouter},
    Router,
};

use crate::audit::NewEntry;
use crate::auth::session::{SessionUser, USER_KEY};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::refusal::Refusal;
use crate::web::AppState;

use contact::{CodeChannels, PendingContacts};
pub use page::{Reply, View};
use proof::Proof;

pub fn routes() -> Router<AppState> {
    use contact::ContactKind::{Email, Phone};
    Router::new()
        .route("/profile", get(profile_page))
        .route(
            "/profile/basics",
            section_get(Section::Basics, false).post(basics::save),
        )
        .route("/profile/basics/edit", section_get(Section::Basics, true))
        .route(
            "/profile/avatar",
            // The portal keeps uploads up to 5 MB itself: more than the 2 MiB of other forms.
            post(basics::upload_avatar).layer(axum::extract::DefaultBodyLimit::max(
                basics::AVATAR_BODY_LIMIT,
            )),
        )
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
    /// Whether codes can be sent by email and by text message.
    pub channels: CodeChannels,
}

impl PageData {
    /// Everything the page reads; `with_channels`: whether the email and phone sections are
    /// drawn, so the tenant's connectors are asked about (alongside the person).
    pub async fn load(state: &AppState, me: &CurrentUser, with_channels: bool) -> AppResult<Self> {
        let (user, ready, channels) = tokio::join!(
            state.logto.get_user(me.id()),
            state
                .storage_ready
                .get_or_load(state.logto.user_assets_ready()),
            CodeChannels::load_if(state, with_channels),
        );
        Self::with_user(state, me, user?, storage_ready(ready), channels).await
    }

    /// With the user already read (a handler re-rendering the page after refusing input).
    pub async fn reload_around(state: &AppState, me: &CurrentUser, user: User) -> AppResult<Self> {
        let (ready, channels) = tokio::join!(
            state
                .storage_ready
                .get_or_load(state.logto.user_assets_ready()),
            CodeChannels::load_if(state, true),
        );
        Self::with_user(state, me, user, storage_ready(ready), channels).await
    }

    async fn with_user(
        state: &AppState,
        me: &CurrentUser,
        user: User,
        storage_ready: bool,
        channels: CodeChannels,
    ) -> AppResult<Self> {
        let proof = proof::state(state, me, &user).await?;
        let pending = PendingContacts::load(&me.session, state.clock.now_ms()).await?;
        Ok(PageData {
            user,
            storage_ready,
            proof,
            pending,
            channels,
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

/// `GET /profile`.
async fn profile_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
) -> AppResult<Response> {
    page::page(&state, ctx, &me, None).await
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
    page::section(&state, ctx, &me, section, editing).await
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

/// Records a refusal (Logto's, or a rule of the portal) with its one audit code.
pub async fn record_refusal(state: &AppState, entry: NewEntry, refusal: &Refusal) {
    state
        .audit
        .record_or_log(entry.failed(&refusal.code()))
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
