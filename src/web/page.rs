//! The one page pattern. A page is an askama template that extends `base.html` and wraps its
//! content in `{% block partial %}`; the handler builds that template once and answers the
//! partial alone to htmx, or the whole page otherwise. The same URL serves both, so the
//! response varies on `HX-Request` (set by `axum_htmx::AutoVaryLayer` when [`Htmx`] is used).
//!
//! ```ignore
//! #[derive(Template)]
//! #[template(path = "orgs/page.html", blocks = ["partial"])]
//! struct OrgsPage { ctx: PageCtx, rows: Vec<OrgRow> }
//! page_template!(OrgsPage);
//!
//! async fn list(htmx: Htmx, ctx: PageCtx) -> AppResult<Response> {
//!     htmx.page(&OrgsPage { ctx, rows })
//! }
//! ```

use askama::Template;
use axum::{
    extract::FromRequestParts,
    http::{request::Parts, HeaderMap, HeaderValue},
    response::{Html, IntoResponse, Response},
};
use axum_htmx::{HxHistoryRestoreRequest, HxRequest};

use crate::web::error::{AppError, AppResult};

/// A page template that can draw its `partial` block alone. Implement it with
/// [`page_template!`](crate::page_template).
pub trait PageTemplate: Template {
    fn render_partial(&self) -> askama::Result<String>;
}

/// `page_template!(MyPage)` or `page_template!(MyPage<'_>)`: the template declares
/// `blocks = ["partial"]` and this draws that block for htmx.
#[macro_export]
macro_rules! page_template {
    ($page:ty) => {
        impl $crate::web::page::PageTemplate for $page {
            fn render_partial(&self) -> askama::Result<String> {
                askama::Template::render(&self.as_partial())
            }
        }
    };
}

/// Whether the request wants a fragment: htmx asked, and it is not restoring history (a
/// history restore needs the whole page).
pub fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

/// What htmx asked for. Using this extractor marks the response `Vary: HX-Request`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Htmx {
    pub fragment: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Htmx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let HxRequest(request) = HxRequest::from_request_parts(parts, state).await?;
        let HxHistoryRestoreRequest(restore) =
            HxHistoryRestoreRequest::from_request_parts(parts, state).await?;
        Ok(Htmx {
            fragment: request && !restore,
        })
    }
}

impl Htmx {
    /// The partial for htmx, the page otherwise.
    pub fn page<T: PageTemplate>(self, page: &T) -> AppResult<Response> {
        let body = if self.fragment {
            page.render_partial()
        } else {
            page.render()
        };
        body.map(|b| Html(b).into_response())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
    }

    /// One region of a larger page (a table with its own pager) that htmx asked for alone,
    /// where loading the whole page would cost calls the region does not need; `url` goes in
    /// the address bar.
    pub fn region_at<T: Template>(self, region: &T, url: &str) -> AppResult<Response> {
        let mut resp = region
            .render()
            .map(|b| Html(b).into_response())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
        push_url(&mut resp, url);
        Ok(resp)
    }

    /// As [`Self::page`], and htmx puts `url` in the address bar, so bookmarks and the back
    /// button follow what the person sees (filters, page number).
    pub fn page_at<T: PageTemplate>(self, page: &T, url: &str) -> AppResult<Response> {
        let mut resp = self.page(page)?;
        if self.fragment {
            push_url(&mut resp, url);
        }
        Ok(resp)
    }
}

fn push_url(resp: &mut Response, url: &str) {
    if let Ok(v) = HeaderValue::from_str(url) {
        resp.headers_mut().insert("hx-push-url", v);
    }
}
