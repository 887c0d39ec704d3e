//! The profile page: one template (`templates/profile/page.html`) whose sections are blocks.
//! A full page has every section the deployer shows; an htmx answer is one section's block,
//! built from the same struct with only that section filled in. A section answers with its
//! confirmation or refusal inside itself (`role="status"`), next to what changed.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{basics, contact, custom, delete, details, identities, password, PageData, Section};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::i18n::Tr;
use crate::web::refusal::{Refusal, Wording};
use crate::web::AppState;

/// How the profile words Logto's refusals.
pub const WORDING: Wording = Wording {
    codes: &[
        (
            "user.username_already_in_use",
            "profile.basics.username_taken",
        ),
        ("user.email_already_in_use", "profile.email.taken"),
        ("user.phone_already_in_use", "profile.phone.taken"),
    ],
    not_found: "profile.gone",
};

/// Session key of the notice a plain (no-JS) form leaves for the page it is redirected to.
const NOTICE_KEY: &str = "profile_notice";

/// A confirmation or refusal shown inside the section it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// `success` or `error`.
    pub kind: String,
    pub message: String,
}

/// One section in the state to show. One lives per request, so its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum View {
    Basics(basics::BasicsView),
    Details(details::DetailsView),
    Custom(custom::CustomView),
    Password(password::PasswordView),
    Email(contact::ContactView),
    Phone(contact::ContactView),
    Identities(identities::IdentitiesView),
    Delete(delete::DeleteView),
}

impl View {
    pub fn section(&self) -> Section {
        match self {
            View::Basics(_) => Section::Basics,
            View::Details(_) => Section::Details,
            View::Custom(_) => Section::Custom,
            View::Password(_) => Section::Password,
            View::Email(_) => Section::Email,
            View::Phone(_) => Section::Phone,
            View::Identities(_) => Section::Identities,
            View::Delete(_) => Section::Delete,
        }
    }
}

#[derive(Template)]
#[template(
    path = "profile/page.html",
    blocks = [
        "partial", "basics", "details", "custom", "password", "email", "phone", "identities",
        "delete"
    ]
)]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub basics: Option<basics::BasicsView>,
    pub details: Option<details::DetailsView>,
    pub custom: Option<custom::CustomView>,
    pub password: Option<password::PasswordView>,
    pub email: Option<contact::ContactView>,
    pub phone: Option<contact::ContactView>,
    pub identities: Option<identities::IdentitiesView>,
    pub delete: Option<delete::DeleteView>,
    /// The id of the section the notice is about.
    pub noticed: &'static str,
    pub notice: Option<Notice>,
    /// The header's new "signed in as" line, swapped in by htmx after a change of name.
    pub who: Option<String>,
}
crate::page_template!(ProfilePage);

impl ProfilePage {
    fn empty(ctx: PageCtx) -> Self {
        ProfilePage {
            ctx,
            basics: None,
            details: None,
            custom: None,
            password: None,
            email: None,
            phone: None,
            identities: None,
            delete: None,
            noticed: "",
            notice: None,
            who: None,
        }
    }

    /// Every section the deployer shows, in its default state; `editing` opens one editor.
    pub fn full(ctx: PageCtx, state: &AppState, data: &PageData, editing: Option<Section>) -> Self {
        let mut page = ProfilePage::empty(ctx);
        for section in Section::ALL.into_iter().filter(|s| s.shown(state)) {
            let view = default_view(section, &page.ctx, state, data, editing == Some(section));
            page.put(view);
        }
        page
    }

    pub fn put(&mut self, view: View) {
        match view {
            View::Basics(v) => self.basics = Some(v),
            View::Details(v) => self.details = Some(v),
            View::Custom(v) => self.custom = Some(v),
            View::Password(v) => self.password = Some(v),
            View::Email(v) => self.email = Some(v),
            View::Phone(v) => self.phone = Some(v),
            View::Identities(v) => self.identities = Some(v),
            View::Delete(v) => self.delete = Some(v),
        }
    }

    fn with_notice(mut self, section: Section, notice: Option<Notice>) -> Self {
        self.noticed = section.id();
        self.notice = notice;
        self
    }

    /// One section's block, for htmx.
    fn render_section(&self, section: Section) -> askama::Result<String> {
        match section {
            Section::Basics => self.as_basics().render(),
            Section::Details => self.as_details().render(),
            Section::Custom => self.as_custom().render(),
            Section::Password => self.as_password().render(),
            Section::Email => self.as_email().render(),
            Section::Phone => self.as_phone().render(),
            Section::Identities => self.as_identities().render(),
            Section::Delete => self.as_delete().render(),
        }
    }

    /// The section alone for htmx, the whole page otherwise.
    pub fn answer(&self, section: Section, status: StatusCode) -> AppResult<Response> {
        let body = if self.ctx.htmx().fragment {
            self.render_section(section)
        } else {
            self.render()
        }
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
        Ok((status, axum::response::Html(body)).into_response())
    }
}

/// A section in its default state: the view, or its editor when `editing`.
fn default_view(
    section: Section,
    ctx: &PageCtx,
    state: &AppState,
    data: &PageData,
    editing: bool,
) -> View {
    match section {
        Section::Basics => View::Basics(basics::view_of(ctx, data, editing)),
        Section::Details => View::Details(details::view_of(ctx, state, data, editing)),
        Section::Custom => View::Custom(custom::view_of(ctx, state, data, editing)),
        Section::Password => View::Password(password::view_of(ctx, state, data, editing)),
        Section::Email => View::Email(contact::view_of(
            ctx,
            data,
            contact::ContactKind::Email,
            editing,
        )),
        Section::Phone => View::Phone(contact::view_of(
            ctx,
            data,
            contact::ContactKind::Phone,
            editing,
        )),
        Section::Identities => View::Identities(identities::view_of(ctx, data)),
        Section::Delete => View::Delete(delete::view_of(ctx, data)),
    }
}

/// `GET /profile`, and a section's `GET` without htmx: the page, with the notice a plain form
/// left for it.
pub async fn page(
    state: &AppState,
    ctx: PageCtx,
    me: &CurrentUser,
    editing: Option<Section>,
) -> AppResult<Response> {
    let data = PageData::load(state, me, true).await?;
    // Read first: removing marks the session changed, which would write it on every view.
    let left: Option<(String, Notice)> = me.session.get(NOTICE_KEY).await?;
    if left.is_some() {
        me.session.remove_value(NOTICE_KEY).await?;
    }
    let htmx = ctx.htmx();
    let mut page = ProfilePage::full(ctx, state, &data, editing);
    if let Some((id, notice)) = left {
        if let Some(section) = Section::ALL.into_iter().find(|s| s.id() == id) {
            page = page.with_notice(section, Some(notice));
        }
    }
    htmx.page(&page)
}

/// `GET` of one section: its block for htmx.
pub async fn section(
    state: &AppState,
    ctx: PageCtx,
    me: &CurrentUser,
    section: Section,
    editing: bool,
) -> AppResult<Response> {
    if !ctx.htmx().fragment {
        return page(state, ctx, me, editing.then_some(section)).await;
    }
    let contact = matches!(section, Section::Email | Section::Phone);
    let data = PageData::load(state, me, contact).await?;
    let mut page = ProfilePage::empty(ctx);
    let view = default_view(section, &page.ctx, state, &data, editing);
    page.put(view);
    page.answer(section, StatusCode::OK)
}

/// How a post answers: the section in its new state, with a message inside it and (after a
/// change of name or email) the header's new "signed in as" line.
pub struct Reply {
    pub view: View,
    pub message: Option<String>,
    pub who: Option<String>,
}

impl Reply {
    pub fn new(view: View) -> Self {
        Reply {
            view,
            message: None,
            who: None,
        }
    }

    pub fn message(mut self, message: String) -> Self {
        self.message = Some(message);
        self
    }

    pub fn maybe_message(mut self, message: Option<String>) -> Self {
        self.message = message;
        self
    }

    pub fn who(mut self, who: Option<String>) -> Self {
        self.who = who;
        self
    }

    /// The change went through (or a step of it did): htmx gets the section with the message
    /// in it; a plain form is redirected back to the section (post → redirect → get), which
    /// shows the message.
    pub async fn done(self, ctx: &PageCtx, session: &Session) -> AppResult<Response> {
        let section = self.view.section();
        let notice = self.message.map(|message| Notice {
            kind: "success".into(),
            message,
        });
        if !ctx.htmx().fragment {
            if let Some(n) = notice {
                session.insert(NOTICE_KEY, (section.id(), n)).await?;
            }
            return Ok(Redirect::to(&format!("/profile#{}", section.id())).into_response());
        }
        let mut page = ProfilePage::empty(ctx.clone()).with_notice(section, notice);
        page.who = self.who;
        page.put(self.view);
        page.answer(section, StatusCode::OK)
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
        let section = self.view.section();
        let notice = self.message.map(|message| Notice {
            kind: "error".into(),
            message,
        });
        let mut page = if ctx.htmx().fragment {
            ProfilePage::empty(ctx.clone())
        } else {
            let data = PageData::reload_around(state, me, user).await?;
            ProfilePage::full(ctx.clone(), state, &data, None)
        }
        .with_notice(section, notice);
        page.put(self.view);
        page.answer(section, StatusCode::UNPROCESSABLE_ENTITY)
    }
}

/// What the person reads when a change was refused: the profile's words for Logto's codes,
/// "this change was not accepted" for other refusals of the input, the general words for
/// outages. Never Logto's own text.
pub fn words(t: &Tr, refusal: &Refusal) -> String {
    let known = WORDING.codes.iter().any(|(c, _)| *c == refusal.code());
    match refusal {
        Refusal::Logto(e) if !known && e.is_input_refusal() => t.t("profile.logto_refused"),
        _ => refusal.message(t, &WORDING),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logto::LogtoError;
    use crate::web::i18n::Lang;

    fn api(status: u16, code: Option<&str>) -> Refusal {
        Refusal::from(LogtoError::Api {
            status,
            code: code.map(String::from),
            message: "raw upstream text".into(),
            request_id: None,
        })
    }

    #[test]
    fn refusals_read_in_the_profiles_words() {
        let t = Tr::new(Lang::En);
        let taken = api(422, Some("user.username_already_in_use"));
        assert_eq!(words(&t, &taken), t.t("profile.basics.username_taken"));
        assert_eq!(taken.code(), "user.username_already_in_use");
        let other = api(400, Some("guard.invalid_input"));
        assert_eq!(words(&t, &other), t.t("profile.logto_refused"));
        let down = Refusal::from(LogtoError::Unavailable("x".into()));
        assert_eq!(words(&t, &down), t.t("error.logto_unavailable"));
        let rule = Refusal::rule("last_sign_in_method", "Keep one.".into());
        assert_eq!(
            (words(&t, &rule), rule.code()),
            ("Keep one.".into(), "last_sign_in_method".into())
        );
        for r in [&taken, &other] {
            assert!(!words(&t, r).contains("raw upstream"));
            assert!(!words(&t, r).contains("Logto"));
        }
    }
}
