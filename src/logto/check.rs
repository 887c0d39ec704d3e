//! `logto-portal check`: is the Logto connection configured right, and if
//! not, what exactly is wrong, in words.

use std::fmt;

use super::capabilities::Feature;
use super::client::{LogtoClient, OPENAPI_PATH};
use super::error::LogtoError;
use super::search::UserQuery;

/// The sign-in app as the portal expects Logto to have it.
#[derive(Debug, Clone)]
pub struct SignInApp {
    pub app_id: String,
    /// `PORTAL_PUBLIC_URL/callback`.
    pub redirect_uri: String,
    /// `PORTAL_PUBLIC_URL/signed-out`.
    pub post_sign_out_uri: String,
}

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

impl Default for CheckReport {
    fn default() -> Self {
        CheckReport {
            ok: true,
            lines: Vec::new(),
        }
    }
}

impl CheckReport {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the lines of another report.
    pub fn extend(&mut self, other: CheckReport) {
        self.ok &= other.ok;
        self.lines.extend(other.lines);
    }

    pub fn push(&mut self, ok: bool, text: impl Into<String>) {
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

    /// Reads the server's OpenAPI document and says which optional parts this Logto has.
    /// A missing part is not a failure (the portal hides or replaces it); an unreadable
    /// document is (the portal then assumes the oldest supported release).
    pub async fn check_capabilities(&self) -> CheckReport {
        let mut report = CheckReport::new();
        match self.refresh_capabilities().await {
            Ok(caps) => {
                report.push(
                    true,
                    format!(
                        "{OPENAPI_PATH} declares {} operations",
                        caps.operation_count()
                    ),
                );
                for f in Feature::ALL {
                    let text = if caps.has(f) {
                        format!("{}: available", f.label())
                    } else {
                        format!(
                            "{}: not on this Logto — it came in {}; the portal works without it",
                            f.label(),
                            f.since()
                        )
                    };
                    report.push(true, text);
                }
            }
            Err(e) => report.push(
                false,
                format!(
                    "cannot read {OPENAPI_PATH} ({e}); the portal will assume Logto {} and hide \
                     what later releases brought",
                    super::capabilities::OLDEST_SUPPORTED
                ),
            ),
        }
        report
    }

    /// Confirms the sign-in app: it exists, is a traditional web app, and lists the portal's
    /// callback and post-sign-out addresses.
    pub async fn check_sign_in_app(&self, app: &SignInApp) -> CheckReport {
        let mut report = CheckReport::new();
        let found = match self.get_application(&app.app_id).await {
            Ok(a) => a,
            Err(e) if e.is_not_found() => {
                report.push(
                    false,
                    format!(
                        "LOGTO_APP_ID `{}` is not an application of this Logto; create a \
                         Traditional web app and use its app ID",
                        app.app_id
                    ),
                );
                return report;
            }
            Err(e) => {
                report.push(
                    false,
                    format!("cannot read the sign-in app `{}`: {e}", app.app_id),
                );
                return report;
            }
        };
        if found.app_type == "Traditional" {
            report.push(
                true,
                format!(
                    "sign-in app `{}` ({}) is a Traditional web app",
                    found.id, found.name
                ),
            );
        } else {
            report.push(
                false,
                format!(
                    "sign-in app `{}` is a {} app; the portal needs a Traditional web app \
                     (it keeps its secret on the server)",
                    found.id, found.app_type
                ),
            );
        }
        let meta = &found.oidc_client_metadata;
        for (list, wanted, what) in [
            (&meta.redirect_uris, &app.redirect_uri, "redirect URI"),
            (
                &meta.post_logout_redirect_uris,
                &app.post_sign_out_uri,
                "post sign-out redirect URI",
            ),
        ] {
            if list
                .iter()
                .any(|u| u.trim_end_matches('/') == wanted.trim_end_matches('/'))
            {
                report.push(true, format!("the sign-in app lists {wanted} as a {what}"));
            } else {
                report.push(
                    false,
                    format!(
                        "the sign-in app does not list {wanted} as a {what}; add it in Logto \
                         Console (Applications → the app → {what}s){}",
                        if list.is_empty() {
                            String::new()
                        } else {
                            format!(" — it has {}", list.join(", "))
                        }
                    ),
                );
            }
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
