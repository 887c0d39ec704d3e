//! How the section looks: the saved values, or the editor with its fields.

use super::{Values, MAX_AVATAR_URL, MAX_NAME, MAX_USERNAME, SECTION};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::profile::form::{focus_first, Input};
use crate::web::profile::proof::Proof;
use crate::web::profile::{FieldErrors, PageData};

/// The basics section (`templates/profile/_basics.html`).
pub struct BasicsView {
    pub(crate) user: User,
    pub(crate) editing: bool,
    pub(crate) inputs: Vec<Input>,
    /// The avatar shown in the editor's preview.
    pub(crate) preview: String,
    pub(crate) upload_error: Option<String>,
    pub(crate) upload_hint: String,
    pub(crate) needs_sign_in: bool,
}

impl BasicsView {
    pub fn id(&self) -> &'static str {
        SECTION
    }

    /// "Edit" in the view; none while editing.
    pub fn edit_label(&self, ctx: &PageCtx) -> String {
        if self.editing {
            String::new()
        } else {
            ctx.t.t("profile.edit")
        }
    }

    /// Shown under the avatar, and in its place when it cannot be loaded.
    pub(crate) fn initials(&self) -> String {
        crate::web::users::initials(self.user.display_name())
    }

    /// The saved avatar, through the portal.
    pub(crate) fn avatar(&self) -> Option<String> {
        crate::avatars::avatar_src_large(&self.user.id, self.user.avatar.as_deref())
    }
}

pub fn view_of(ctx: &PageCtx, data: &PageData, editing: bool) -> BasicsView {
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
        saved(&data.user)
    }
}

/// The saved values.
pub(super) fn saved(user: &User) -> BasicsView {
    BasicsView {
        user: user.clone(),
        editing: false,
        inputs: Vec::new(),
        preview: String::new(),
        upload_error: None,
        upload_hint: String::new(),
        needs_sign_in: false,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn editor(
    ctx: &PageCtx,
    user: &User,
    form: &Values,
    originals: &Values,
    errors: &FieldErrors,
    storage_ready: bool,
    proof: Proof,
    upload_error: Option<String>,
) -> BasicsView {
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
        crate::avatars::avatar_src_large(&user.id, user.avatar.as_deref()).unwrap_or_default();
    BasicsView {
        user: user.clone(),
        editing: true,
        inputs,
        preview,
        upload_error,
        upload_hint: ctx.t.f(
            "profile.basics.upload_hint",
            &[(
                "max",
                &super::upload::AvatarStorage::from_logto_ready(storage_ready).max_mb(),
            )],
        ),
        needs_sign_in: proof == Proof::NeedsSignIn,
    }
}
