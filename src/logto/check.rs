//! `logto-portal check`: is the Logto connection configured right, and if
//! not, what exactly is wrong, in words.

use std::fmt;

use super::client::LogtoClient;
use super::error::LogtoError;
use super::search::UserQuery;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    pub ok: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// True when every line is ok.
    pub ok: bool,
    pub lines: Vec<CheckLine>,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            writeln!(f, "[{}] {}", if l.ok { " ok " } else { "FAIL" }, l.text)?;
        }
        Ok(())
    }
}

impl CheckReport {
    fn push(&mut self, ok: bool, text: impl Into<String>) {
        self.ok &= ok;
        self.lines.push(CheckLine {
            ok,
            text: text.into(),
        });
    }
}

impl LogtoClient {
    /// Fetches a fresh token, confirms scope `all`, then calls
    /// `GET /api/users?page_size=1`. Each step adds a line; a failed step stops.
    pub async fn check(&self) -> CheckReport {
        let inner = &self.inner;
        let mut report = CheckReport {
            ok: true,
            lines: Vec::new(),
        };
        let token_url = format!("{}/oidc/token", inner.base);

        let issued = match inner.fetch_token().await {
            Ok(i) => i,
            Err(e) => {
                report.push(false, self.explain_token_error(&token_url, &e));
                return report;
            }
        };
        report.push(
            true,
            format!(
                "{token_url} issued a token to app `{}` for `{}` (valid {} s)",
                inner.app_id,
                inner.resource,
                issued.expires_in.as_secs()
            ),
        );
        if let Err(e) = inner.cache_token(issued) {
            report.push(false, e.to_string());
            return report;
        }
        report.push(true, "the token carries scope `all`");

        let q = UserQuery {
            page: 1,
            page_size: 1,
            ..Default::default()
        };
        match self.list_users(&q).await {
            Ok(p) => report.push(
                true,
                format!("GET /api/users works ({} users in Logto)", p.total),
            ),
            Err(e) => report.push(false, self.explain_api_error(&e)),
        }
        report
    }

    fn explain_token_error(&self, token_url: &str, e: &LogtoError) -> String {
        match e {
            // Config messages already name the cause and the fix.
            LogtoError::Config(m) => m.clone(),
            LogtoError::Unavailable(m) => format!(
                "Logto is unreachable at {}: {m}; check the endpoint URL and that Logto is running",
                self.inner.base
            ),
            LogtoError::RateLimited => {
                format!("{token_url} answered 429: rate limited, try again later")
            }
            LogtoError::Api { status: 404, .. } => format!(
                "{token_url} answered 404: the endpoint does not point at Logto's core (port 3001 \
                 on self-hosted Logto, not the admin console)"
            ),
            other => format!("unexpected answer from {token_url}: {other}"),
        }
    }

    fn explain_api_error(&self, e: &LogtoError) -> String {
        match e {
            LogtoError::Api {
                status: 403, code, ..
            } => format!(
                "GET /api/users was refused (403 {}): the app lacks the Management API role; \
                 assign \"Logto Management API access\" to app `{}`",
                code.as_deref().unwrap_or("forbidden"),
                self.inner.app_id
            ),
            LogtoError::Api {
                status: 401, code, ..
            } => format!(
                "GET /api/users rejected the token (401 {}): the resource indicator `{}` is not \
                 this Logto's Management API",
                code.as_deref().unwrap_or("unauthorized"),
                self.inner.resource
            ),
            LogtoError::Api { status: 404, .. } => format!(
                "GET /api/users answered 404: {} does not look like Logto's core endpoint",
                self.inner.base
            ),
            LogtoError::Unavailable(m) => {
                format!("Logto became unreachable at {}: {m}", self.inner.base)
            }
            other => format!("unexpected answer from GET /api/users: {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ok_is_conjunction_and_displays() {
        let mut r = CheckReport {
            ok: true,
            lines: vec![],
        };
        r.push(true, "a");
        assert!(r.ok);
        r.push(false, "b");
        assert!(!r.ok);
        assert_eq!(r.to_string(), "[ ok ] a\n[FAIL] b\n");
    }
}
