//! Ids taken from a URL path. Every route segment that names a Logto entity is read as a
//! [`LogtoId`]; anything else answers 404 before any call to Logto.

use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

pub use crate::logto::LogtoId;
use crate::web::error::AppError;

/// Like axum's `Path`, but a segment that does not parse is "not found" (not 400): a URL
/// with a malformed id names nothing.
#[derive(Debug, Clone)]
pub struct Ids<T>(pub T);

impl<T, S> FromRequestParts<S> for Ids<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Ids(value)),
            Err(_) => Err(AppError::NotFound),
        }
    }
}

/// Routes whose id segment gets a page of its own when it is not an id (the invitation
/// landing page says "this invitation does not exist").
const OWN_NOT_FOUND: [&str; 2] = [
    "/invitations/{invitation_id}",
    "/invitations/{invitation_id}/accept",
];

/// Before any handler or extractor runs (and so before any call to Logto, the signed-in
/// person's access re-check included): a path parameter named `id` or `…_id` that is not a
/// Logto id answers 404.
pub async fn refuse_malformed_ids(
    matched: Option<axum::extract::MatchedPath>,
    params: axum::extract::RawPathParams,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let exempt = matched
        .as_ref()
        .is_some_and(|m| OWN_NOT_FOUND.contains(&m.as_str()));
    let malformed = params.iter().any(|(name, value)| {
        (name == "id" || name.ends_with("_id")) && !crate::logto::id_is_valid(value)
    });
    if malformed && !exempt {
        return AppError::NotFound.into_response();
    }
    next.run(req).await
}
