//! How the member pages word Logto's refusals ([`crate::web::refusal::Refusal`] carries the
//! audit code and the status), and the status an answer carries.

use axum::{http::StatusCode, response::Response};

use crate::logto::LogtoError;
use crate::web::i18n::Tr;
use crate::web::refusal::{logto_message_key, Wording};

pub(super) use crate::web::refusal::Refusal;

/// Logto's codes in the words of the member pages.
pub(super) const WORDING: Wording = Wording {
    codes: &[
        ("organization.require_membership", "members.err.not_member"),
        ("entity.not_found", "members.err.not_member"),
        (
            "organization.role_names_not_found",
            "members.err.unknown_role",
        ),
        ("entity.relation_foreign_key_not_found", "members.err.gone"),
        (
            "entity.db_constraint_violated",
            "members.err.role_not_assignable",
        ),
    ],
    not_found: "members.err.not_member",
};

/// A Logto failure in words a person understands (never Logto's raw text).
pub(super) fn logto_message(t: &Tr, e: &LogtoError) -> String {
    t.t(logto_message_key(e, &WORDING))
}

/// A rule of the portal said no: the audit `code` and the message under `key`.
pub(super) fn rule(t: &Tr, code: &'static str, key: &str) -> Refusal {
    Refusal::rule(code, t.t(key))
}

pub(super) fn with_status(mut resp: Response, status: StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}
