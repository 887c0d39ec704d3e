//! Why an action was refused, one shape for every page: the words a person reads, the one
//! code the audit trail records ([`LogtoError::failure_code`] for Logto's answers) and the
//! status the answer carries. Each page family names, in a [`Wording`], how Logto's codes read
//! in its context; anything else reads as the general Logto failure.

use axum::http::StatusCode;

use crate::logto::LogtoError;
use crate::web::error::logto_view;
use crate::web::i18n::Tr;

/// Why an action was refused before or by Logto.
#[derive(Debug)]
pub enum Refusal {
    /// A rule of the portal said no (the last admin, a limit, bad input): the audit code
    /// and the message already in the person's language.
    Rule { code: &'static str, message: String },
    /// Logto said no, or could not answer.
    Logto(LogtoError),
}

/// How one page family words Logto's refusals: message keys by Logto error code, and the
/// key for "it no longer exists" (a 404 without a known code).
pub struct Wording {
    pub codes: &'static [(&'static str, &'static str)],
    pub not_found: &'static str,
}

impl Refusal {
    pub fn rule(code: &'static str, message: String) -> Self {
        Refusal::Rule { code, message }
    }

    /// What the audit trail records.
    pub fn code(&self) -> String {
        match self {
            Refusal::Rule { code, .. } => (*code).to_string(),
            Refusal::Logto(e) => e.failure_code(),
        }
    }

    /// What the person reads (never Logto's raw text).
    pub fn message(&self, t: &Tr, wording: &Wording) -> String {
        match self {
            Refusal::Rule { message, .. } => message.clone(),
            Refusal::Logto(e) => t.t(logto_message_key(e, wording)),
        }
    }

    /// 422 for what the person can fix; Logto's availability status otherwise.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Logto(e) if is_outage(e) => logto_view(e).0,
            Refusal::Logto(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// Logto refused this request for a reason about the request (4xx other than 401, 403
    /// and 429), not because it is down, throttling or misconfigured.
    pub fn is_about_the_request(&self) -> bool {
        match self {
            Refusal::Rule { .. } => true,
            Refusal::Logto(e) => !is_outage(e),
        }
    }
}

impl From<LogtoError> for Refusal {
    fn from(e: LogtoError) -> Self {
        Refusal::Logto(e)
    }
}

/// Down, throttling, misconfigured or unreadable: nothing the person can fix.
fn is_outage(e: &LogtoError) -> bool {
    match e {
        LogtoError::Unavailable(_)
        | LogtoError::RateLimited
        | LogtoError::Config(_)
        | LogtoError::Decode(_) => true,
        LogtoError::Unsupported(_) => false,
        LogtoError::Api { status, .. } => *status >= 500 || matches!(status, 401 | 403 | 429),
    }
}

/// The message key for a Logto failure in a family's words.
pub fn logto_message_key(e: &LogtoError, wording: &Wording) -> &'static str {
    if let Some(code) = e.code() {
        if let Some((_, key)) = wording.codes.iter().find(|(c, _)| *c == code) {
            return key;
        }
    }
    if e.is_not_found() {
        return wording.not_found;
    }
    logto_view(e).2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    const WORDS: Wording = Wording {
        codes: &[("organization.require_membership", "members.err.not_member")],
        not_found: "members.err.gone",
    };

    fn api(status: u16, code: Option<&str>) -> LogtoError {
        LogtoError::Api {
            status,
            code: code.map(String::from),
            message: "raw upstream text".into(),
            request_id: None,
        }
    }

    #[test]
    fn one_audit_code_per_logto_failure() {
        assert_eq!(
            Refusal::from(LogtoError::RateLimited).code(),
            "logto_rate_limited"
        );
        assert_eq!(Refusal::from(api(422, Some("x.y"))).code(), "x.y");
        assert_eq!(Refusal::from(api(400, None)).code(), "http_400");
        assert_eq!(Refusal::rule("last_admin", "m".into()).code(), "last_admin");
    }

    #[test]
    fn words_come_from_the_family_then_the_general_keys() {
        let t = Tr::new(Lang::En);
        let known = Refusal::from(api(422, Some("organization.require_membership")));
        assert_eq!(known.message(&t, &WORDS), t.t("members.err.not_member"));
        let gone = Refusal::from(api(404, None));
        assert_eq!(gone.message(&t, &WORDS), t.t("members.err.gone"));
        let down = Refusal::from(LogtoError::Unavailable("x".into()));
        assert_eq!(down.message(&t, &WORDS), t.t("error.logto_unavailable"));
        assert!(!known.message(&t, &WORDS).contains("raw upstream"));
    }

    #[test]
    fn outages_keep_their_status_and_refusals_are_422() {
        assert_eq!(
            Refusal::from(api(422, Some("x"))).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            Refusal::from(LogtoError::RateLimited).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert!(!Refusal::from(api(503, None)).is_about_the_request());
        assert!(Refusal::from(api(400, None)).is_about_the_request());
    }
}
