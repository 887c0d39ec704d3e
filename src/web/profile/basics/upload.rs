//! Uploading an avatar: the file is checked here (size, and an image by its first bytes),
//! stored in Logto's user assets, and made the avatar.

use axum::extract::{multipart::MultipartRejection, Multipart, State};
use axum::response::Response;
use serde_json::json;

use super::view::{editor, saved};
use super::{Values, ACTION};
use crate::logto::{User, UserPatch};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::profile::{entry, refresh_session_user, FieldErrors, Reply, View};
use crate::web::AppState;

/// The portal accepts request bodies up to 2 MiB; the file must fit with the form around it.
pub const MAX_AVATAR_BYTES: usize = 2 * 1024 * 1024 - 16 * 1024;

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
        if bytes.len() > MAX_AVATAR_BYTES {
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

/// `POST /profile/avatar` (multipart, field `file`): uploads the image to Logto's storage and
/// makes it the avatar.
pub async fn upload_avatar(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let upload = read_upload(multipart).await;
    let user = state.logto.get_user(me.id()).await?;
    let t = &ctx.t;
    let bytes = match upload {
        Ok(b) => b,
        Err(key) => return refuse_upload(&state, &ctx, &me, user, t.f(key, &[("max", &2)])).await,
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
    let patch = UserPatch {
        avatar: Some(Some(url)),
        ..Default::default()
    };
    let updated = state.logto.update_user(&user.id, &patch).await?;
    state
        .audit
        .record_or_log(
            entry(ACTION, &ctx, &updated).details(json!({ "fields": ["avatar"], "upload": true })),
        )
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
