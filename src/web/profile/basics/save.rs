//! Saving the form: only the fields the person touched, each checked as Logto would; a new
//! username needs proof, and clearing it must leave a way to sign in.

use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::view::{editor, saved};
use super::{Values, ACTION, MAX_AVATAR_URL, MAX_NAME, MAX_USERNAME};
use crate::logto::{User, UserPatch};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::profile::form::touched;
use crate::web::profile::page::words;
use crate::web::profile::{entry, record_refusal, refresh_session_user, FieldErrors, Reply, View};
use crate::web::refusal::Refusal;
use crate::web::AppState;

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
        errors.insert("name".into(), t.count("profile.too_long", MAX_NAME as i64));
    }
    if username_touched && !shown.username.is_empty() {
        if shown.username.chars().count() > MAX_USERNAME {
            errors.insert(
                "username".into(),
                t.count("profile.too_long", MAX_USERNAME as i64),
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
            if let Err(message) = crate::web::profile::proof::confirm(
                &state,
                &ctx,
                &me,
                &user,
                &form.current_password,
                ACTION,
            )
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
        return Reply::new(View::Basics(saved(&user)))
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
            Reply::new(View::Basics(saved(&updated)))
                .message(t.t("profile.basics.saved"))
                .who(Some(who))
                .done(&ctx, &me.session)
                .await
        }
        Err(e) if e.is_input_refusal() => {
            let refusal = Refusal::from(e);
            let attempt = entry(ACTION, &ctx, &user).details(json!({ "fields": fields }));
            record_refusal(&state, attempt, &refusal).await;
            // A taken username is said at its field; anything else above the form.
            let message = if refusal.code() == "user.username_already_in_use" {
                errors.insert("username".into(), words(t, &refusal));
                None
            } else {
                Some(words(t, &refusal))
            };
            refuse(
                &state,
                &ctx,
                &me,
                user,
                (&shown, &originals),
                &errors,
                message,
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
    counts && crate::web::profile::sign_in_methods(user) <= 1
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
    let proof = crate::web::profile::proof::state(state, me, &user).await?;
    let storage_ready = state
        .storage_ready
        .get_or_load(state.logto.user_assets_ready())
        .await
        .unwrap_or(false);
    let view = editor(
        ctx,
        &user,
        shown,
        originals,
        errors,
        storage_ready,
        proof,
        None,
    );
    Reply::new(View::Basics(view))
        .maybe_message(message)
        .refused(state, ctx, me, user)
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
