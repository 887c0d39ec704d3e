//! Errors of the Logto client.

use serde::Deserialize;

/// Everything that can go wrong talking to Logto.
///
/// `Api::message` is Logto's (localized) text, meant for logs; pages should pick
/// their own wording keyed by `code`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LogtoError {
    #[error("Logto answered {status}{}: {message}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Api {
        status: u16,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    /// Connect error, timeout, DNS failure; the text is safe to log.
    #[error("Logto is unavailable: {0}")]
    Unavailable(String),
    /// HTTP 429, still 429 after the retries (except the per-recipient
    /// `request.message_rate_limited`, which stays `Api` so pages can explain it).
    #[error("Logto rate limit reached; try again later")]
    RateLimited,
    /// The portal's Logto settings are wrong (credentials, resource, missing role).
    #[error("Logto configuration error: {0}")]
    Config(String),
    /// Logto answered 2xx with a body we cannot read.
    #[error("unexpected answer from Logto: {0}")]
    Decode(String),
    /// The request needs an operation or query parameter this Logto does not declare in its
    /// OpenAPI document; it was not sent.
    #[error("not supported by this Logto: {0}")]
    Unsupported(String),
}

impl LogtoError {
    /// Logto's error `code`, e.g. `user.email_already_in_use`.
    pub fn code(&self) -> Option<&str> {
        match self {
            LogtoError::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            LogtoError::Api { status, .. } => Some(*status),
            LogtoError::RateLimited => Some(429),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            LogtoError::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Any 429, with or without a Logto code (e.g. `request.message_rate_limited`).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// The one code the audit trail records for this failure: Logto's own `code`, else the
    /// HTTP status, else what kind of failure it was (`logto_rate_limited`, …).
    pub fn failure_code(&self) -> String {
        match self {
            LogtoError::Api { code: Some(c), .. } => c.clone(),
            LogtoError::Api { status, .. } => format!("http_{status}"),
            LogtoError::RateLimited => "logto_rate_limited".into(),
            LogtoError::Unavailable(_) => "logto_unavailable".into(),
            LogtoError::Config(_) => "logto_config".into(),
            LogtoError::Decode(_) => "logto_decode".into(),
            LogtoError::Unsupported(_) => "logto_unsupported".into(),
        }
    }

    /// 422: Logto's status for conflicts and business rules.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(422)
    }

    /// Logto refused the input itself (400 validation or 422 business rule): the person can
    /// correct it, so pages show it at the form rather than as an outage.
    pub fn is_input_refusal(&self) -> bool {
        matches!(self.status(), Some(400 | 422))
    }
}

/// Logto's error body: `{code, message, data?, details?}`; `code` is absent on
/// body-parser errors and 500s.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
    pub details: Option<String>,
}

impl ErrorBody {
    pub(crate) fn parse(body: &[u8]) -> Self {
        serde_json::from_slice(body).unwrap_or_default()
    }
}

/// Logto's limit of 10 messages per recipient per 10 minutes: a business rule
/// about one address, not load on Logto.
const MESSAGE_RATE_LIMITED: &str = "request.message_rate_limited";

/// Builds `LogtoError::Api` (or `RateLimited`) from a non-2xx answer.
pub(crate) fn api_error(status: u16, body: &[u8], request_id: Option<String>) -> LogtoError {
    let parsed = ErrorBody::parse(body);
    if status == 429 && parsed.code.as_deref() != Some(MESSAGE_RATE_LIMITED) {
        return LogtoError::RateLimited;
    }
    let message = match (parsed.message, parsed.details) {
        (Some(m), Some(d)) => format!("{m} {d}"),
        (Some(m), None) => m,
        // Koa's plain-text bodies ("Not Found", "Method Not Allowed"); bounded for logs.
        (None, _) => String::from_utf8_lossy(body).chars().take(200).collect(),
    };
    LogtoError::Api {
        status,
        code: parsed.code,
        message,
        request_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_code_and_message() {
        let e = api_error(
            422,
            br#"{"code":"user.email_already_in_use","message":"This email is associated with an existing account."}"#,
            Some("rid".into()),
        );
        assert_eq!(e.code(), Some("user.email_already_in_use"));
        assert_eq!(e.status(), Some(422));
        assert_eq!(e.request_id(), Some("rid"));
        assert!(e.is_conflict());
        assert!(!e.is_not_found());
    }

    #[test]
    fn plain_text_404() {
        let e = api_error(404, b"Not Found", None);
        assert!(e.is_not_found());
        assert_eq!(e.code(), None);
        assert!(e.to_string().contains("Not Found"));
    }

    #[test]
    fn rate_limits() {
        assert!(matches!(api_error(429, b"", None), LogtoError::RateLimited));
        assert!(matches!(
            api_error(
                429,
                br#"{"code":"request.rate_limited","message":"x"}"#,
                None
            ),
            LogtoError::RateLimited
        ));
        let e = api_error(
            429,
            br#"{"code":"request.message_rate_limited","message":"x"}"#,
            None,
        );
        assert_eq!(e.code(), Some("request.message_rate_limited"));
        assert!(e.is_rate_limited());
    }
}
