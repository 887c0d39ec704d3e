//! Why a change to a member was refused, in the words a person reads, the code the audit trail
//! records and the status the answer carries.

use axum::{http::StatusCode, response::Response};

use crate::logto::LogtoError;
use crate::web::error::logto_view;
use crate::web::i18n::Tr;

/// Why a change was refused before or by Logto.
pub(super) enum Refusal {
    Guard(&'static str, String),
    Logto(LogtoError),
}

impl Refusal {
    pub(super) fn code(&self) -> String {
        match self {
            Refusal::Guard(code, _) => (*code).to_string(),
            Refusal::Logto(e) => failure_code(e),
        }
    }

    pub(super) fn message(&self, t: &Tr) -> String {
        match self {
            Refusal::Guard(_, msg) => msg.clone(),
            Refusal::Logto(e) => logto_message(t, e),
        }
    }

    pub(super) fn status(&self) -> StatusCode {
        match self {
            Refusal::Guard(..) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Logto(e) => failure_status(Some(e)),
        }
    }
}

impl From<LogtoError> for Refusal {
    fn from(e: LogtoError) -> Self {
        Refusal::Logto(e)
    }
}

/// A Logto failure in words a person understands (never Logto's raw text).
pub(super) fn logto_message(t: &Tr, e: &LogtoError) -> String {
    match e.code() {
        Some("organization.require_membership") | Some("entity.not_found") => {
            t.t("members.err.not_member")
        }
        Some("organization.role_names_not_found") => t.t("members.err.unknown_role"),
        Some("entity.relation_foreign_key_not_found") => t.t("members.err.gone"),
        Some("entity.db_constraint_violated") => t.t("members.err.role_not_assignable"),
        _ if e.is_not_found() => t.t("members.err.not_member"),
        _ => t.t(logto_view(e).2),
    }
}

/// What the audit trail records for a failed Logto call.
pub(super) fn failure_code(e: &LogtoError) -> String {
    match e {
        LogtoError::Api { code: Some(c), .. } => c.clone(),
        LogtoError::Api { status, .. } => format!("http_{status}"),
        LogtoError::RateLimited => "rate_limited".into(),
        LogtoError::Unavailable(_) => "logto_unavailable".into(),
        LogtoError::Config(_) => "logto_config".into(),
        LogtoError::Decode(_) => "logto_decode".into(),
        LogtoError::Unsupported(_) => "logto_unsupported".into(),
    }
}

/// The status a refused action answers with: 422 for what the person can fix, Logto's
/// availability status otherwise.
pub(super) fn failure_status(e: Option<&LogtoError>) -> StatusCode {
    match e {
        Some(
            e @ (LogtoError::Unavailable(_)
            | LogtoError::RateLimited
            | LogtoError::Config(_)
            | LogtoError::Decode(_)),
        ) => logto_view(e).0,
        Some(e)
            if e.status()
                .is_some_and(|s| s >= 500 || s == 429 || s == 401 || s == 403) =>
        {
            logto_view(e).0
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub(super) fn with_status(mut resp: Response, status: StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}
