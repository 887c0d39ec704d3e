//! How the section looks: the address, its editor, the code form, or "unavailable".

use super::{ContactKind, Pending};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::profile::form::{focus_first, Input};
use crate::web::profile::proof::Proof;
use crate::web::profile::{FieldErrors, PageData, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    View,
    Edit,
    Code,
    Unavailable,
}

/// The email or phone section (`templates/profile/_contact.html`).
pub struct ContactView {
    pub(crate) kind: ContactKind,
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) current: Option<String>,
    pub(crate) mode: Mode,
    pub(crate) inputs: Vec<Input>,
    /// "Enter the code we sent to …" (code mode).
    pub(crate) pending_text: String,
    pub(crate) unavailable_text: String,
    pub(crate) can_remove: bool,
    /// Messages of this kind (`profile.email.*` / `profile.phone.*`).
    pub(crate) change_label: String,
    pub(crate) remove_label: String,
    /// No password to ask for and the sign-in is old: offer a fresh sign-in.
    pub(crate) needs_sign_in: bool,
}

impl ContactView {
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The section as a page block.
    pub fn into_view(self) -> View {
        match self.kind {
            ContactKind::Email => View::Email(self),
            ContactKind::Phone => View::Phone(self),
        }
    }

    pub(crate) fn is(&self, mode: &str) -> bool {
        let m = match self.mode {
            Mode::View => "view",
            Mode::Edit => "edit",
            Mode::Code => "code",
            Mode::Unavailable => "unavailable",
        };
        m == mode
    }
}

/// What an editor shows besides its fields.
pub(super) struct Draft<'a> {
    pub(super) address: &'a str,
    pub(super) errors: &'a FieldErrors,
    pub(super) proof: Proof,
}

pub(super) fn section(
    ctx: &PageCtx,
    kind: ContactKind,
    user: &User,
    mode: Mode,
    pending: Option<&Pending>,
    draft: Draft<'_>,
) -> ContactView {
    let t = &ctx.t;
    let id = kind.id();
    let mut inputs = Vec::new();
    match mode {
        Mode::Edit => {
            let (kind_attr, autocomplete, label) = match kind {
                ContactKind::Email => ("email", "email", t.t("profile.email.new")),
                ContactKind::Phone => ("tel", "tel", t.t("profile.phone.new")),
            };
            inputs.push(
                Input::new(id, "address", label, kind_attr)
                    .value(draft.address)
                    .autocomplete(autocomplete)
                    .hint(t.t(&format!("profile.{id}.new_hint")))
                    .errors(draft.errors),
            );
            if draft.proof == Proof::NeedsPassword {
                inputs.push(
                    Input::new(
                        id,
                        "current_password",
                        t.t("profile.proof.current_password"),
                        "password",
                    )
                    .autocomplete("current-password")
                    .hint(t.t("profile.proof.why"))
                    .errors(draft.errors),
                );
            }
        }
        Mode::Code => {
            inputs.push(
                Input::new(id, "code", t.t("profile.contact.code"), "text")
                    .autocomplete("one-time-code")
                    .inputmode("numeric")
                    .max_length(10)
                    .hint(t.t("profile.contact.code_hint"))
                    .errors(draft.errors),
            );
        }
        Mode::View | Mode::Unavailable => {}
    }
    focus_first(&mut inputs);
    let current = kind.current(user).map(|c| kind.display(c));
    ContactView {
        kind,
        id,
        title: t.t(&format!("profile.{id}.title")),
        can_remove: current.is_some(),
        current,
        mode,
        inputs,
        pending_text: pending
            .map(|p| {
                t.f(
                    "profile.contact.enter_code",
                    &[("to", &kind.display(&p.address))],
                )
            })
            .unwrap_or_default(),
        unavailable_text: t.t(&format!("profile.{id}.unavailable")),
        change_label: t.t(&format!(
            "profile.{id}.{}",
            if kind.current(user).is_some() {
                "change"
            } else {
                "add"
            }
        )),
        remove_label: t.t(&format!("profile.{id}.remove")),
        needs_sign_in: mode == Mode::Edit && draft.proof == Proof::NeedsSignIn,
    }
}

pub(super) fn no_errors() -> &'static FieldErrors {
    static EMPTY: FieldErrors = FieldErrors::new();
    &EMPTY
}

/// The section in its default state: "unavailable" comes first, before any field is asked.
pub fn view_of(ctx: &PageCtx, data: &PageData, kind: ContactKind, editing: bool) -> ContactView {
    let pending = data.pending.get(kind);
    let mode = if !data.channels.can_send(kind) {
        Mode::Unavailable
    } else if editing {
        Mode::Edit
    } else if pending.is_some() {
        Mode::Code
    } else {
        Mode::View
    };
    section(
        ctx,
        kind,
        &data.user,
        mode,
        pending,
        Draft {
            address: "",
            errors: no_errors(),
            proof: data.proof,
        },
    )
}
