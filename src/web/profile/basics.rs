//! Basics: name, username and avatar (`PATCH /api/users/:id`), plus avatar upload through
//! Logto's user assets when the tenant has storage.

use askama::Template;
use axum::extract::{multipart::MultipartRejection, Multipart, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::form::{focus_first, touched, Input};
use super::proof::Proof;
use super::{entry, record_refusal, refresh_session_user, FieldErrors, PageData, Reply, Section};
use crate::auth::access::CurrentUser;
use crate::logto::{User, UserPatch};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::AppState;

const SECTION: &str = "basics";
const ACTION: &str = "profile.update_basics";
/// Logto's limits (`users` table and guards).
const MAX_NAME: usize = 128;
const MAX_USERNAME: usize = 128;
const MAX_AVATAR_URL: usize = 2048;
/// The portal accepts request bodies up to 2 MiB; the file must fit with the form around it.
pub const MAX_AVATAR_BYTES: usize = 2 * 1024 * 1024 - 16 * 1024;

/// The three editable values, as the form shows them.
#[derive(Debug, Clone, Default)]
struct Values {
    name: String,
    username: String,
    avatar: String,
}

impl Values {
    fn from_user(user: &User) -> Self {
        Values {
            name: user.name.clone().unwrap_or_default(),
            username: user.username.clone().unwrap_or_default(),
            avatar: user.avatar.clone().unwrap_or_default(),
        }
    }
}

/// What the form sends. A field left out is not changed; `was_*` carry the values the form
/// was opened with, so only what the person touched is saved.
#[derive(Default, Deserialize)]
pub struct BasicsForm {
    name: Option<String>,
    username: Option<String>,
    avatar: Option<String>,
    was_name: Option<String>,
    was_username: Option<String>,
    was_avatar: Option<String>,
    #[serde(default)]
    current_password: String,
}

impl std::fmt::Debug for BasicsForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicsForm")
            .field("name", &self.name)
            .field("username", &self.username)
            .field("avatar", &self.avatar)
            .finish_non_exhaustive()
    }
}

#[derive(Template)]
#[template(path = "profile/basics.html")]
struct BasicsSection<'a> {
    ctx: &'a PageCtx,
    user: &'a User,
    editing: bool,
    inputs: Vec<Input>,
    storage_ready: bool,
    /// The avatar shown in the editor's preview.
    preview: String,
    upload_error: Option<String>,
    upload_hint: String,
    needs_sign_in: bool,
}

impl BasicsSection<'_> {
    /// Shown under the avatar, and in its place when it cannot be loaded.
    fn initials(&self) -> String {
        crate::web::users::initials(self.user.display_name())
    }

    /// The saved avatar, through the portal.
    fn avatar(&self) -> Option<String> {
        crate::web::avatars::avatar_src(&self.user.id, self.user.avatar.as_deref())
    }
}

pub fn render(ctx: &PageCtx, data: &PageData, editing: bool) -> AppResult<String> {
    if editing {
        let values = Values::from_user(&data.user);
        editor(
            ctx,
            &data.user,
            &values,
            &values,
            &FieldErrors::new(),
            data.storage_ready,
            data.proof,
            None,
        )
    } else {
        view(ctx, &data.user)
    }
}

fn view(ctx: &PageCtx, user: &User) -> AppResult<String> {
    render_template(BasicsSection {
        ctx,
        user,
        editing: false,
        inputs: Vec::new(),
        storage_ready: false,
        preview: String::new(),
        upload_error: None,
        upload_hint: String::new(),
        needs_sign_in: false,
    })
}

#[allow(clippy::too_many_arguments)]
fn editor(
    ctx: &PageCtx,
    user: &User,
    form: &Values,
    originals: &Values,
    errors: &FieldErrors,
    storage_ready: bool,
    proof: Proof,
    upload_error: Option<String>,
) -> AppResult<String> {
    let t = &ctx.t;
    let mut inputs = vec![
        Input::new(SECTION, "name", t.t("profile.basics.name"), "text")
            .value(&form.name)
            .original(&originals.name)
            .autocomplete("name")
            .max_length(MAX_NAME)
            .errors(errors),
        Input::new(SECTION, "username", t.t("profile.basics.username"), "text")
            .value(&form.username)
            .original(&originals.username)
            .autocomplete("username")
            .max_length(MAX_USERNAME)
            .hint(t.t("profile.basics.username_hint"))
            .errors(errors),
        Input::new(SECTION, "avatar", t.t("profile.basics.avatar_url"), "url")
            .value(&form.avatar)
            .original(&originals.avatar)
            .autocomplete("photo")
            .max_length(MAX_AVATAR_URL)
            .hint(t.t("profile.basics.avatar_hint"))
            .preview("#basics-avatar-preview")
            .errors(errors),
    ];
    if proof == Proof::NeedsPassword {
        inputs.push(
            Input::new(
                SECTION,
                "current_password",
                t.t("profile.proof.current_password"),
                "password",
            )
            .autocomplete("current-password")
            .hint(t.t("profile.basics.password_hint"))
            .errors(errors),
        );
    }
    focus_first(&mut inputs);
    // The saved avatar, through the portal: the CSP loads no image from another host, so a
    // typed address is previewed once saved (the script hides the preview while it differs).
    let preview =
        crate::web::avatars::avatar_src(&user.id, user.avatar.as_deref()).unwrap_or_default();
    render_template(BasicsSection {
        ctx,
        user,
        editing: true,
        inputs,
        storage_ready,
        preview,
        upload_error,
        upload_hint: ctx.t.f("profile.basics.upload_hint", &[("max", &2)]),
        needs_sign_in: proof == Proof::NeedsSignIn,
    })
}

fn render_template(section: BasicsSection<'_>) -> AppResult<String> {
    section
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

/// Logto's rule for usernames: `^[A-Za-z_]\w*$` (ASCII word characters).
pub fn valid_username(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An `https://` address with a host.
fn valid_avatar_url(s: &str) -> bool {
    url::Url::parse(s)
        .map(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()))
        .unwrap_or(false)
}

/// The patch value for a field: `None` when untouched or equal to what Logto has.
fn changed(touched: bool, current: &str, new: &str) -> Option<Option<String>> {
    (touched && current != new).then(|| Some(new.to_string()).filter(|s| !s.is_empty()))
}

/// The value to show and whether the person touched it.
fn pick(submitted: &Option<String>, was: &Option<String>, current: &str) -> (String, bool) {
    match submitted {
        None => (current.to_string(), false),
        Some(v) => {
            let v = v.trim();
            (v.to_string(), touched(v, was.as_deref(), current))
        }
    }
}

/// `POST /profile/basics`.
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<BasicsForm>,
) -> AppResult<Response> {
    let user = state.logto.get_user(me.id()).await?;
    let current = Values::from_user(&user);
    let (name, name_touched) = pick(&form.name, &form.was_name, &current.name);
    let (username, username_touched) = pick(&form.username, &form.was_username, &current.username);
    let (avatar, avatar_touched) = pick(&form.avatar, &form.was_avatar, &current.avatar);
    let shown = Values {
        name,
        username,
        avatar,
    };
    let originals = Values {
        name: form
            .was_name
            .clone()
            .unwrap_or_else(|| current.name.clone()),
        username: form
            .was_username
            .clone()
            .unwrap_or_else(|| current.username.clone()),
        avatar: form
            .was_avatar
            .clone()
            .unwrap_or_else(|| current.avatar.clone()),
    };
    let t = &ctx.t;
    let mut errors = FieldErrors::new();
    if name_touched && shown.name.chars().count() > MAX_NAME {
        errors.insert(
            "name".into(),
            t.f("profile.too_long", &[("max", &MAX_NAME)]),
        );
    }
    if username_touched && !shown.username.is_empty() {
        if shown.username.chars().count() > MAX_USERNAME {
            errors.insert(
                "username".into(),
                t.f("profile.too_long", &[("max", &MAX_USERNAME)]),
            );
        } else if !valid_username(&shown.username) {
            errors.insert("username".into(), t.t("profile.basics.username_invalid"));
        }
    }
    if avatar_touched
        && !shown.avatar.is_empty()
        && (shown.avatar.len() > MAX_AVATAR_URL || !valid_avatar_url(&shown.avatar))
    {
        errors.insert("avatar".into(), t.t("profile.basics.avatar_invalid"));
    }
    let patch = UserPatch {
        name: changed(name_touched, &current.name, &shown.name),
        username: changed(username_touched, &current.username, &shown.username),
        avatar: changed(avatar_touched, &current.avatar, &shown.avatar),
        ..Default::default()
    };
    if errors.is_empty() {
        if let Some(new_username) = &patch.username {
            // Logto's Account API requires identity verification for a username change.
            if let Err(message) =
                super::proof::confirm(&state, &ctx, &me, &user, &form.current_password, ACTION)
                    .await?
            {
                errors.insert("current_password".into(), message);
            } else if new_username.is_none() && refuses_last_method(&user) {
                state
                    .audit
                    .record_or_log(
                        entry(ACTION, &ctx, &user)
                            .failed("last_sign_in_method")
                            .details(json!({ "fields": ["username"] })),
                    )
                    .await;
                errors.insert("username".into(), t.t("profile.last_sign_in_method"));
            }
        }
    }
    if !errors.is_empty() {
        return refuse(&state, &ctx, &me, user, (&shown, &originals), &errors, None).await;
    }
    if patch.is_empty() {
        let html = view(&ctx, &user)?;
        return Reply::new(Section::Basics, html)
            .message(t.t("profile.nothing_changed"))
            .done(&ctx, &me.session)
            .await;
    }
    let fields = changed_fields(&patch);
    match state.logto.update_user(&user.id, &patch).await {
        Ok(updated) => {
            state
                .audit
                .record_or_log(entry(ACTION, &ctx, &updated).details(json!({ "fields": fields })))
                .await;
            let who = refresh_session_user(&ctx, &me, &updated).await?;
            Reply::new(Section::Basics, view(&ctx, &updated)?)
                .message(t.t("profile.basics.saved"))
                .who(Some(who))
                .done(&ctx, &me.session)
                .await
        }
        Err(e) if e.code() == Some("user.username_already_in_use") => {
            state
                .audit
                .record_or_log(
                    entry(ACTION, &ctx, &user)
                        .failed("user.username_already_in_use")
                        .details(json!({ "fields": fields })),
                )
                .await;
            errors.insert("username".into(), t.t("profile.basics.username_taken"));
            refuse(&state, &ctx, &me, user, (&shown, &originals), &errors, None).await
        }
        Err(e) if e.is_input_refusal() => {
            let attempt = entry(ACTION, &ctx, &user).details(json!({ "fields": fields }));
            record_refusal(&state, attempt, &e).await;
            refuse(
                &state,
                &ctx,
                &me,
                user,
                (&shown, &originals),
                &errors,
                Some(t.t("profile.logto_refused")),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Clearing the username leaves no way to sign in.
fn refuses_last_method(user: &User) -> bool {
    let counts = user.has_password.unwrap_or(false)
        && user.username.as_deref().is_some_and(|u| !u.is_empty());
    counts && super::sign_in_methods(user) <= 1
}

fn changed_fields(patch: &UserPatch) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if patch.name.is_some() {
        fields.push("name");
    }
    if patch.username.is_some() {
        fields.push("username");
    }
    if patch.avatar.is_some() {
        fields.push("avatar");
    }
    fields
}

async fn refuse(
    state: &AppState,
    ctx: &PageCtx,
    me: &CurrentUser,
    user: User,
    (shown, originals): (&Values, &Values),
    errors: &FieldErrors,
    message: Option<String>,
) -> AppResult<Response> {
    let proof = super::proof::state(&me.session, &user, me.user.signed_in_at).await?;
    let storage_ready = state
        .storage_ready
        .get_or_load(state.logto.user_assets_ready())
        .await
        .unwrap_or(false);
    let html = editor(
        ctx,
        &user,
        shown,
        originals,
        errors,
        storage_ready,
        proof,
        None,
    )?;
    let mut reply = Reply::new(Section::Basics, html);
    reply.message = message;
    reply.refused(state, ctx, me, user).await
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
    let proof = super::proof::state(&me.session, &user, me.user.signed_in_at).await?;
    let values = Values::from_user(&user);
    let html = editor(
        ctx,
        &user,
        &values,
        &values,
        &FieldErrors::new(),
        true,
        proof,
        Some(message),
    )?;
    Reply::new(Section::Basics, html)
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
            let code = e.code().unwrap_or("invalid_input").to_string();
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
    Reply::new(Section::Basics, view(&ctx, &updated)?)
        .message(t.t("profile.basics.avatar_uploaded"))
        .who(Some(who))
        .done(&ctx, &me.session)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_logto() {
        for ok in ["alice", "_x", "A1_b2", "z"] {
            assert!(valid_username(ok), "{ok}");
        }
        for bad in ["", "1abc", "a-b", "a b", "ünï", "a.b"] {
            assert!(!valid_username(bad), "{bad}");
        }
    }

    #[test]
    fn avatars_must_be_https() {
        assert!(valid_avatar_url("https://cdn.example.com/a.png"));
        assert!(!valid_avatar_url("http://cdn.example.com/a.png"));
        assert!(!valid_avatar_url("javascript:alert(1)"));
        assert!(!valid_avatar_url("data:image/png;base64,AAAA"));
    }

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

    #[test]
    fn only_changed_fields_are_sent() {
        assert_eq!(changed(true, "a", "a"), None);
        assert_eq!(changed(false, "a", "b"), None);
        assert_eq!(changed(true, "a", ""), Some(None));
        assert_eq!(changed(true, "", "b"), Some(Some("b".into())));
        // Someone else renamed the person meanwhile; the form still shows the old name.
        assert_eq!(
            pick(&Some("Old".into()), &Some("Old".into()), "New"),
            ("Old".into(), false)
        );
        assert_eq!(pick(&None, &None, "Kept"), ("Kept".into(), false));
        assert_eq!(pick(&Some(" B ".into()), &None, "A"), ("B".into(), true));
    }
}
