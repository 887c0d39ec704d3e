//! Logto's own log entries (sign-in flows).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::empty_object;

/// An audit log entry (sign-in flows; Management API changes are not logged).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    pub id: String,
    pub key: String,
    #[serde(default = "empty_object")]
    pub payload: Value,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogResult {
    Success,
    Error,
}

impl Log {
    fn payload_str(&self, key: &str) -> Option<&str> {
        self.payload.get(key).and_then(Value::as_str)
    }

    pub fn ip(&self) -> Option<&str> {
        self.payload_str("ip")
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.payload_str("userAgent")
    }

    pub fn user_id(&self) -> Option<&str> {
        self.payload_str("userId")
    }

    pub fn application_id(&self) -> Option<&str> {
        self.payload_str("applicationId")
    }

    pub fn result(&self) -> Option<LogResult> {
        match self.payload_str("result")? {
            "Success" => Some(LogResult::Success),
            "Error" => Some(LogResult::Error),
            _ => None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.result() == Some(LogResult::Error)
    }

    /// The Logto error code of a failed step, e.g. `session.invalid_credentials`.
    pub fn error_code(&self) -> Option<&str> {
        match self.payload.get("error")? {
            Value::Object(o) => o.get("code").and_then(Value::as_str),
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The identifier typed in a sign-in attempt (failed attempts carry no user id).
    pub fn identifier(&self) -> Option<&str> {
        let p = &self.payload;
        [
            "/params/identifier",
            "/params/identifier/value",
            "/payload/identifier/value",
        ]
        .iter()
        .find_map(|ptr| p.pointer(ptr).and_then(Value::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_helpers() {
        let l: Log = serde_json::from_str(r#"{"tenantId":"default","id":"kq","key":"Interaction.SignIn.Verification.Password.Submit","payload":{"key":"k","result":"Error","error":{"code":"session.invalid_credentials","message":"m"},"ip":"127.0.0.1","userAgent":"ua","payload":{"identifier":{"type":"username","value":"rl_alice"}}},"createdAt":1795595886892}"#).unwrap();
        assert_eq!(l.ip(), Some("127.0.0.1"));
        assert_eq!(l.user_agent(), Some("ua"));
        assert_eq!(l.result(), Some(LogResult::Error));
        assert_eq!(l.error_code(), Some("session.invalid_credentials"));
        assert_eq!(l.identifier(), Some("rl_alice"));
        assert_eq!(l.user_id(), None);
    }
}
