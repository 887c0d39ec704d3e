//! A template as an HTML response, for fragments that exist only for htmx (a table row, the
//! picker's results). Pages use the one page pattern ([`crate::web::page`]).

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
