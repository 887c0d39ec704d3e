//! Settings of the Logto client.

use std::sync::Arc;
use std::time::Duration;

use super::budget::SharedBudget;
use super::secret::Secret;
use crate::clock::Clock;

/// Settings of the Logto client.
#[derive(Debug, Clone)]
pub struct LogtoClientConfig {
    /// Logto's core endpoint, e.g. `http://127.0.0.1:3001` (not the console port).
    pub endpoint: url::Url,
    /// Id of the machine-to-machine app.
    pub app_id: String,
    pub app_secret: Secret,
    /// Management API resource indicator: `https://default.logto.app/api` on OSS.
    pub resource: String,
    /// Outgoing budget: at most this many requests in any `window` (default 200).
    pub requests_per_window: u32,
    /// Default 10 s.
    pub window: Duration,
    /// Where every replica's calls are counted (the database); `None`: this process alone.
    pub shared_budget: Option<Arc<dyn SharedBudget>>,
    /// Concurrent requests to Logto (default 10).
    pub max_in_flight: usize,
    /// Per-request timeout (default 10 s); connecting gets at most 5 s of it.
    pub timeout: Duration,
    /// When cached tokens are due for refresh (the system clock unless a test moves time).
    pub clock: Clock,
    /// The most members of one organization the member index reads (Logto before 1.41);
    /// default [`super::INDEX_LIMIT`].
    pub member_index_limit: u64,
}

impl LogtoClientConfig {
    /// A config with the default budget (this process alone), concurrency, timeout and the system clock.
    pub fn new(
        endpoint: url::Url,
        app_id: impl Into<String>,
        app_secret: Secret,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            endpoint,
            app_id: app_id.into(),
            app_secret,
            resource: resource.into(),
            requests_per_window: 200,
            window: Duration::from_secs(10),
            shared_budget: None,
            max_in_flight: 10,
            timeout: Duration::from_secs(10),
            clock: Clock::system(),
            member_index_limit: super::INDEX_LIMIT,
        }
    }

    /// A configuration for unit tests: made-up credentials, the OSS resource.
    #[cfg(test)]
    pub fn for_tests(endpoint: &str) -> Self {
        LogtoClientConfig::new(
            endpoint.parse().unwrap(),
            "app",
            Secret::new("s3cr3t-value"),
            "https://default.logto.app/api",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logto::{LogtoClient, LogtoError};

    fn cfg(endpoint: &str) -> LogtoClientConfig {
        LogtoClientConfig::for_tests(endpoint)
    }

    #[test]
    fn config_validation_and_redaction() {
        assert!(LogtoClient::new(cfg("http://127.0.0.1:3001")).is_ok());
        assert!(matches!(
            LogtoClient::new(cfg("ftp://x")),
            Err(LogtoError::Config(_))
        ));
        let mut c = cfg("http://x");
        c.app_secret = Secret::new("");
        assert!(matches!(LogtoClient::new(c), Err(LogtoError::Config(_))));
        let mut c = cfg("http://x");
        c.max_in_flight = 0;
        assert!(matches!(LogtoClient::new(c), Err(LogtoError::Config(_))));
        let c = cfg("http://x");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let client = LogtoClient::new(c).unwrap();
        assert!(!format!("{client:?}").contains("s3cr3t"));
    }
}
