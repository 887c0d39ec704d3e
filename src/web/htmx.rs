//! One code path, two renderings: a handler builds its partial once and returns it alone for
//! htmx requests, or wrapped in the full page otherwise.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::web::error::{AppError, AppResult};

/// Renders a template into an HTML response.
pub fn html<T: Template>(template: &T) -> AppResult<Response> {
    template
        .render()
        .map(|body| Html(body).into_response())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

/// The partial for htmx requests, the page otherwise; with `push_url`, htmx puts the address
/// of the view in the address bar so bookmarks and the back button work.
pub fn page_or_partial<P: Template, F: Template>(
    is_htmx: bool,
    page: &P,
    partial: &F,
    push_url: Option<&str>,
) -> AppResult<Response> {
    if is_htmx {
        let mut resp = html(partial)?;
        if let Some(url) = push_url {
            if let Ok(v) = axum::http::HeaderValue::from_str(url) {
                resp.headers_mut().insert("hx-push-url", v);
            }
        }
        // The same URL serves page and fragment: caches must keep them apart.
        resp.headers_mut().insert(
            axum::http::header::VARY,
            axum::http::HeaderValue::from_static("HX-Request"),
        );
        Ok(resp)
    } else {
        let mut resp = html(page)?;
        resp.headers_mut().insert(
            axum::http::header::VARY,
            axum::http::HeaderValue::from_static("HX-Request"),
        );
        Ok(resp)
    }
}
