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
