//! The start page, the language switcher, and the routes of every page family.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Redirect, Response},
    Router,
};
use serde::Deserialize;

use crate::auth::session::safe_return_to;
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::htmx::html;
use crate::web::i18n::Lang;
use crate::web::AppState;

/// Routes of the page families (members, invitations, profile, users, audit).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(crate::web::users::routes())
        .merge(crate::web::orgs::routes())
        .merge(crate::web::members::routes())
        .merge(crate::web::invitations::routes())
        .merge(crate::web::profile::routes())
        .merge(crate::web::profile::security::routes())
        .merge(crate::web::audit::routes())
        .merge(crate::web::tenant::routes())
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct Welcome {
    ctx: PageCtx,
}

/// `/` sends each person where they belong: operators to `/users`, organization admins to
/// their organization (or `/orgs` when they have several), everyone else to `/profile`.
pub async fn home(user: Result<CurrentUser, AppError>, ctx: PageCtx) -> AppResult<Response> {
    let user = match user {
        Ok(u) => u,
        Err(AppError::NotSignedIn { .. }) => {
            return html(&Welcome {
                ctx: PageCtx { user: None, ..ctx },
            })
        }
        Err(e) => return Err(e),
    };
    let target = if user.access.is_operator {
        "/users".to_string()
    } else {
        let admin: Vec<_> = user.access.admin_orgs().collect();
        match admin.as_slice() {
            [] => "/profile".to_string(),
            [only] => format!("/orgs/{}/members", only.id),
            _ => "/orgs".to_string(),
        }
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Deserialize)]
pub struct LangQuery {
    return_to: Option<String>,
}

/// `GET /lang/{code}`: remembers the language in a cookie (`Secure` on https, like the
/// session's) and returns to the page.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let back = safe_return_to(q.return_to.as_deref());
    let mut resp = Redirect::to(&back).into_response();
    if let Some(lang) = Lang::parse(&code) {
        let cookie = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
            lang.code(),
            if state.config.is_https() {
                "; Secure"
            } else {
                ""
            }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    resp
}
