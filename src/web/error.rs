//! One error type for the web layer, one rendering: a full page, or for htmx requests a
//! fragment placed in the page's alert region, always with the request id.

use askama::Template;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::logto::LogtoError;
use crate::web::context::{PageCtx, SignedIn};
use crate::web::i18n::{Lang, Tr};
use crate::web::AppState;

#[derive(Debug)]
pub enum AppError {
    /// Not signed in; pages redirect to sign-in and come back to `return_to`.
    NotSignedIn {
        return_to: String,
    },
    /// Signed in but not allowed (operator-only pages).
    Forbidden,
    /// Missing, or not the person's to see (cross-organization requests answer this too).
    NotFound,
    /// CSRF token missing or wrong.
    Csrf,
    /// Input the portal could not accept; the message key explains it.
    BadRequest(&'static str),
    /// An attempt limit (src/limits.rs) refused the request; the window ends in `retry_after`.
    TooManyAttempts {
        retry_after: std::time::Duration,
    },
    /// Logto failed in a way the handler did not turn into a field message.
    Logto(LogtoError),
    Internal(anyhow::Error),
}

impl From<LogtoError> for AppError {
    fn from(e: LogtoError) -> Self {
        if e.is_not_found() {
            AppError::NotFound
        } else {
            AppError::Logto(e)
        }
    }
}

impl From<crate::auth::access::AccessError> for AppError {
    fn from(e: crate::auth::access::AccessError) -> Self {
        match e {
            crate::auth::access::AccessError::Logto(e) => AppError::Logto(e),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("session store: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// What the rendering middleware needs to draw the error.
#[derive(Debug, Clone)]
pub struct ErrorView {
    pub status: StatusCode,
    pub title_key: &'static str,
    pub message_key: &'static str,
    /// Seconds to wait, for `{wait}` in the message and the `Retry-After` header.
    pub wait_secs: Option<u64>,
}

impl AppError {
    fn view(&self) -> ErrorView {
        let (status, title_key, message_key) = match self {
            AppError::NotSignedIn { .. } => (
                StatusCode::UNAUTHORIZED,
                "error.title",
                "error.sign_in_again",
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "error.forbidden_title",
                "error.forbidden",
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "error.not_found_title",
                "error.not_found",
            ),
            AppError::Csrf => (StatusCode::FORBIDDEN, "error.csrf_title", "error.csrf"),
            AppError::BadRequest(key) => (StatusCode::BAD_REQUEST, "error.bad_request_title", *key),
            AppError::TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "error.too_many_title",
                "common.too_many_attempts",
            ),
            AppError::Logto(e) => logto_view(e),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "error.title",
                "error.internal",
            ),
        };
        ErrorView {
            status,
            title_key,
            message_key,
            wait_secs: match self {
                AppError::TooManyAttempts { retry_after } => {
                    Some(retry_after.as_millis().div_ceil(1000) as u64)
                }
                _ => None,
            },
        }
    }
}

/// How a Logto failure reads to a person (and which status the portal answers).
pub fn logto_view(e: &LogtoError) -> (StatusCode, &'static str, &'static str) {
    match e {
        LogtoError::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "error.logto_unavailable_title",
            "error.logto_unavailable",
        ),
        LogtoError::RateLimited => (
            StatusCode::SERVICE_UNAVAILABLE,
            "error.logto_unavailable_title",
            "error.logto_rate_limited",
        ),
        LogtoError::Config(_) => (StatusCode::BAD_GATEWAY, "error.title", "error.logto_auth"),
        LogtoError::Api {
            status: 401 | 403, ..
        } => (StatusCode::BAD_GATEWAY, "error.title", "error.logto_auth"),
        LogtoError::Api { status: 404, .. } => (
            StatusCode::NOT_FOUND,
            "error.not_found_title",
            "error.not_found",
        ),
        LogtoError::Api { status: 429, .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "error.logto_unavailable_title",
            "error.logto_rate_limited",
        ),
        LogtoError::Unsupported(_) => (
            StatusCode::NOT_IMPLEMENTED,
            "error.title",
            "error.logto_unsupported",
        ),
        _ => (StatusCode::BAD_GATEWAY, "error.title", "error.logto_failed"),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(e) => tracing::error!(error = %e, "internal error"),
            AppError::Logto(e) => tracing::warn!(error = %e, "Logto request failed"),
            _ => {}
        }
        if let AppError::NotSignedIn { return_to } = &self {
            let target = format!(
                "/sign-in?return_to={}",
                percent_encoding::utf8_percent_encode(
                    return_to,
                    percent_encoding::NON_ALPHANUMERIC
                )
            );
            let mut resp = Redirect::to(&target).into_response();
            resp.extensions_mut().insert(SignInRedirect(target));
            return resp;
        }
        let view = self.view();
        let mut resp = view.status.into_response();
        resp.extensions_mut().insert(view);
        resp
    }
}

/// Marks a sign-in redirect so htmx requests get 401 + `HX-Redirect` instead of a 303.
#[derive(Debug, Clone)]
struct SignInRedirect(String);

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    title: String,
    message: String,
}

#[derive(Template)]
#[template(path = "error_fragment.html")]
struct ErrorFragment<'a> {
    t: Tr,
    message: String,
    request_id: &'a str,
}

/// `GET` of an address no route knows: the styled "not found" page.
pub async fn unknown_address() -> AppError {
    AppError::NotFound
}

/// Inside the session layer: when the answer is an error, notes who is signed in, so the
/// error page keeps the navigation and the account menu.
pub async fn note_signed_in_person(req: Request, next: Next) -> Response {
    let session = req.extensions().get::<tower_sessions::Session>().cloned();
    let mut resp = next.run(req).await;
    if resp.extensions().get::<ErrorView>().is_none() {
        return resp;
    }
    if let Some(session) = session {
        match SignedIn::read(&session).await {
            Ok(signed_in) => {
                resp.extensions_mut().insert(signed_in);
            }
            // The error page still renders, without the person's navigation.
            Err(e) => tracing::warn!(error = ?e, "error page: session unreadable"),
        }
    }
    resp
}

/// Turns an [`ErrorView`] left by a handler into a page or an htmx fragment.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    // Any htmx request follows `HX-Redirect` to sign in; a history restore still needs a page.
    let is_htmx = req.headers().contains_key("hx-request");
    let fragment = crate::web::page::wants_fragment(req.headers());
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut resp = next.run(req).await;
    if let Some(SignInRedirect(target)) = resp.extensions_mut().remove::<SignInRedirect>() {
        if is_htmx {
            let mut r = StatusCode::UNAUTHORIZED.into_response();
            if let Ok(v) = HeaderValue::from_str(&target) {
                r.headers_mut().insert("hx-redirect", v);
            }
            return r;
        }
        return resp;
    }
    let Some(view) = resp.extensions_mut().remove::<ErrorView>() else {
        return resp;
    };
    let t = Tr::new(lang);
    let message = match view.wait_secs {
        Some(secs) => t.f(
            view.message_key,
            &[("wait", &crate::web::format::wait(&t, secs))],
        ),
        None => t.t(view.message_key),
    };
    let body = if fragment {
        ErrorFragment {
            t,
            message,
            request_id: &request_id,
        }
        .render()
    } else {
        let signed_in = resp
            .extensions_mut()
            .remove::<SignedIn>()
            .unwrap_or_default();
        ErrorPage {
            ctx: PageCtx::for_error_page(lang, request_id.clone(), path, signed_in, &state.config),
            title: t.t(view.title_key),
            message,
        }
        .render()
    };
    let mut out = (view.status, body.unwrap_or_default()).into_response();
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if fragment {
        // Errors go to the page's alert region so the form the person was filling stays intact.
        out.headers_mut()
            .insert("hx-retarget", HeaderValue::from_static("#alerts"));
        out.headers_mut()
            .insert("hx-reswap", HeaderValue::from_static("innerHTML"));
    }
    if let Some(secs) = view.wait_secs {
        out.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    for (k, v) in resp.headers() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}
