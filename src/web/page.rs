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
    fn render_partial_into(&self, buf: &mut String) -> askama::Result<()>;

    /// How long this page and its partial were when last drawn.
    fn last_sizes() -> &'static LastSizes;
}

/// The length of a page's last rendering, so the next one starts in a buffer of about its
/// size: grown from askama's estimate, a 40 KB page is copied four times on the way.
#[derive(Debug, Default)]
pub struct LastSizes {
    page: std::sync::atomic::AtomicUsize,
    partial: std::sync::atomic::AtomicUsize,
}

impl LastSizes {
    pub const fn new() -> Self {
        LastSizes {
            page: std::sync::atomic::AtomicUsize::new(0),
            partial: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn render(
        slot: &std::sync::atomic::AtomicUsize,
        hint: usize,
        draw: impl FnOnce(&mut String) -> askama::Result<()>,
    ) -> askama::Result<String> {
        use std::sync::atomic::Ordering::Relaxed;
        let last = slot.load(Relaxed);
        // An eighth more than last time: the same page with a longer name still fits.
        let mut buf = String::with_capacity(hint.max(last + last / 8));
        draw(&mut buf)?;
        slot.store(buf.len(), Relaxed);
        Ok(buf)
    }
}

/// `page_template!(MyPage)` or `page_template!(MyPage<'_>)`: the template declares
/// `blocks = ["partial"]` and this draws that block for htmx.
#[macro_export]
macro_rules! page_template {
    ($page:ty) => {
        impl $crate::web::page::PageTemplate for $page {
            fn render_partial_into(&self, buf: &mut String) -> askama::Result<()> {
                askama::Template::render_into(&self.as_partial(), buf)
            }

            fn last_sizes() -> &'static $crate::web::page::LastSizes {
                static SIZES: $crate::web::page::LastSizes = $crate::web::page::LastSizes::new();
                &SIZES
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
        let sizes = T::last_sizes();
        let body = if self.fragment {
            LastSizes::render(&sizes.partial, 0, |buf| page.render_partial_into(buf))
        } else {
            LastSizes::render(&sizes.page, T::SIZE_HINT, |buf| page.render_into(buf))
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
