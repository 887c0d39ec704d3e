//! Uploading an avatar: the file is checked here (size, and an image by its first bytes),
//! stored in Logto's user assets when the tenant has storage for them, else kept by the portal
//! itself ([`avatar_store`]: decoded, cropped square, re-encoded at 256 and 64 px), and made
//! the avatar.

use axum::extract::{multipart::MultipartRejection, Multipart, State};
use axum::response::Response;
use serde_json::json;

use super::view::{editor, saved};
use super::{Values, ACTION};
use crate::logto::{User, UserPatch};
use crate::security::avatar_store::{self, AvatarError};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::profile::{entry, refresh_session_user, FieldErrors, Reply, View};
use crate::web::AppState;

/// The portal accepts request bodies up to 2 MiB; a file for Logto's storage must fit with the
/// form around it.
pub const MAX_AVATAR_BYTES: usize = 2 * 1024 * 1024 - 16 * 1024;
/// The body limit of `POST /profile/avatar`: the largest upload the portal keeps itself, with
/// room for the form around it.
pub const AVATAR_BODY_LIMIT: usize = avatar_store::MAX_UPLOAD + 64 * 1024;

/// Where an upload goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvatarStorage {
    /// Logto's user assets (the tenant has a storage provider).
    Logto,
    /// The portal's own database ([`avatar_store`]).
    Portal,
}

impl AvatarStorage {
    pub fn from_logto_ready(ready: bool) -> Self {
        if ready {
            AvatarStorage::Logto
        } else {
            AvatarStorage::Portal
        }
    }

    pub fn max_bytes(self) -> usize {
        match self {
            AvatarStorage::Logto => MAX_AVATAR_BYTES,
            AvatarStorage::Portal => avatar_store::MAX_UPLOAD,
        }
    }

    /// The limit as people read it.
    pub fn max_mb(self) -> usize {
        match self {
            AvatarStorage::Logto => 2,
            AvatarStorage::Portal => 5,
        }
    }
}

/// The image type, from the file's first bytes (the browser's claim is not trusted).
fn sniff_image(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

/// Reads the `file` part; `Err` carries the message key for the person.
async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    max_bytes: usize,
) -> Result<Vec<u8>, &'static str> {
    let mut multipart = multipart.map_err(|_| "profile.basics.upload_missing")?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err("profile.basics.upload_missing"),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err("profile.basics.upload_too_large")
            }
            Err(_) => return Err("profile.basics.upload_missing"),
        };
        if field.name() != Some("file") {
            continue;
        }
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err("profile.basics.upload_too_large")
            }
            Err(_) => return Err("profile.basics.upload_missing"),
        };
        if bytes.is_empty() {
            return Err("profile.basics.upload_missing");
        }
        if bytes.len() > max_bytes {
            return Err("profile.basics.upload_too_large");
        }
        return Ok(bytes.to_vec());
    }
}

async fn refuse_upload(
    state: &AppState,
    ctx: &PageCtx,
    me: &CurrentUser,
    user: User,
    message: String,
) -> AppResult<Response> {
    let proof = crate::web::profile::proof::state(state, me, &user).await?;
    let values = Values::from_user(&user);
    let view = editor(
        ctx,
        &user,
        &values,
        &values,
        &FieldErrors::new(),
        true,
        proof,
        Some(message),
    );
    Reply::new(View::Basics(view))
        .refused(state, ctx, me, user)
        .await
}

/// `POST /profile/avatar` (multipart, field `file`): stores the image (Logto's storage, or the
/// portal's own) and makes it the avatar.
pub async fn upload_avatar(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let storage = AvatarStorage::from_logto_ready(
        state
            .storage_ready
            .get_or_load(state.logto.user_assets_ready())
            .await
            .unwrap_or(false),
    );
    let upload = read_upload(multipart, storage.max_bytes()).await;
    let user = state.logto.get_user(me.id()).await?;
    let t = &ctx.t;
    let too_large = || {
        t.f(
            "profile.basics.upload_too_large",
            &[("max", &storage.max_mb())],
        )
    };
    let bytes = match upload {
        Ok(b) => b,
        Err("profile.basics.upload_too_large") => {
            return refuse_upload(&state, &ctx, &me, user, too_large()).await
        }
        Err(key) => return refuse_upload(&state, &ctx, &me, user, t.t(key)).await,
    };
    let Some((mime, ext)) = sniff_image(&bytes) else {
        return refuse_upload(
            &state,
            &ctx,
            &me,
            user,
            t.t("profile.basics.upload_not_image"),
        )
        .await;
    };
    let (url, audit) = match storage {
        AvatarStorage::Logto => {
            let url = match state
                .logto
                .upload_user_asset(bytes, &format!("avatar.{ext}"), mime)
                .await
            {
                Ok(url) => url,
                Err(e) if e.status() == Some(400) => {
                    let code = e.failure_code();
                    state
                        .audit
                        .record_or_log(
                            entry(ACTION, &ctx, &user)
                                .failed(&code)
                                .details(json!({ "fields": ["avatar"], "upload": true })),
                        )
                        .await;
                    let key = if code == "storage.not_configured" {
                        "profile.basics.upload_unavailable"
                    } else {
                        "profile.basics.upload_refused"
                    };
                    return refuse_upload(&state, &ctx, &me, user, t.t(key)).await;
                }
                Err(e) => return Err(e.into()),
            };
            (
                url,
                (ACTION, json!({ "fields": ["avatar"], "upload": true })),
            )
        }
        AvatarStorage::Portal => {
            let size = bytes.len();
            // Decoding and resizing take CPU time: off the request threads.
            let processed = tokio::task::spawn_blocking(move || avatar_store::process(&bytes))
                .await
                .map_err(|e| anyhow::anyhow!("avatar processing: {e}"))?;
            let processed = match processed {
                Ok(p) => p,
                Err(e) => {
                    let (code, message) = match &e {
                        AvatarError::TooLarge => ("avatar_too_large", too_large()),
                        AvatarError::Unsupported => {
                            ("avatar_not_image", t.t("profile.basics.upload_not_image"))
                        }
                        _ => ("avatar_unreadable", t.t("profile.basics.upload_unreadable")),
                    };
                    state
                        .audit
                        .record_or_log(
                            entry("security.avatar_upload", &ctx, &user)
                                .failed(code)
                                .details(json!({ "bytes": size })),
                        )
                        .await;
                    return refuse_upload(&state, &ctx, &me, user, message).await;
                }
            };
            avatar_store::save(&state.db, &processed, state.clock.now_ms())
                .await
                .map_err(|e| anyhow::anyhow!("avatar storage: {e}"))?;
            let url = format!(
                "{}{}",
                state.config.public_url.as_str().trim_end_matches('/'),
                avatar_store::path(&processed.hash, avatar_store::SIZES[0])
            );
            (
                url,
                (
                    "security.avatar_upload",
                    json!({ "hash": processed.hash, "bytes": size }),
                ),
            )
        }
    };
    let patch = UserPatch {
        avatar: Some(Some(url)),
        ..Default::default()
    };
    let updated = state.logto.update_user(&user.id, &patch).await?;
    let (action, details) = audit;
    state
        .audit
        .record_or_log(entry(action, &ctx, &updated).details(details))
        .await;
    let who = refresh_session_user(&ctx, &me, &updated).await?;
    Reply::new(View::Basics(saved(&updated)))
        .message(t.t("profile.basics.avatar_uploaded"))
        .who(Some(who))
        .done(&ctx, &me.session)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_sniffed() {
        assert_eq!(
            sniff_image(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0]).map(|s| s.0),
            Some("image/png")
        );
        assert_eq!(sniff_image(b"<svg xmlns=...>"), None);
        assert_eq!(
            sniff_image(b"RIFF\0\0\0\0WEBPVP8 ").map(|s| s.1),
            Some("webp")
        );
    }
}
