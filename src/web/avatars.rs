//! `GET /avatars/{user_id}?v=…`: a person's avatar, fetched and re-encoded by the portal
//! ([`crate::avatars`]), for viewers who may see that person.

use axum::{
    extract::{Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::avatars::version;
use crate::security::avatar_store;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;

#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    v: String,
}

/// `GET /avatars/{user_id}?v=…`
pub async fn serve(
    Ids(user_id): Ids<LogtoId>,
    State(state): State<AppState>,
    viewer: CurrentUser,
    Query(q): Query<VersionQuery>,
) -> AppResult<Response> {
    let subject = state
        .avatars
        .subject(&state.logto, &user_id, &q.v)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = viewer.id() == user_id.as_str()
        || viewer.access.is_operator
        || subject
            .org_ids
            .iter()
            .any(|org| viewer.access.is_org_admin(org));
    if !allowed {
        return Err(AppError::NotFound);
    }
    let url = subject.avatar.ok_or(AppError::NotFound)?;
    let png = state
        .avatars
        .image(&state.config.logto_endpoint, &url)
        .await
        .ok_or(AppError::NotFound)?;
    // The address names this version of the image: keep it (privately) for long.
    let caching = if q.v == version(&url) {
        "private, max-age=31536000, immutable"
    } else {
        "private, no-cache"
    };
    let mut resp = (StatusCode::OK, png).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    Ok(resp)
}

/// `GET /avatars/u/{file}`: an avatar the portal keeps itself (`crate::security::avatar_store`).
/// Public, like the storage URLs Logto hands out, and named by its content, so browsers and
/// proxies may keep it forever.
pub async fn serve_stored(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> AppResult<Response> {
    let (hash, size) = avatar_store::parse_file_name(&file).ok_or(AppError::NotFound)?;
    let png = avatar_store::load(&state.db, &hash, size)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("avatar storage: {e}")))?
        .ok_or(AppError::NotFound)?;
    let mut resp = (StatusCode::OK, png).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(resp)
}
