//! Counters for /metrics, kept inside the client.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// (endpoint template, status or `None` for no answer) → count.
    calls: Mutex<BTreeMap<(String, Option<u16>), u64>>,
    pub(crate) token_refreshes: AtomicU64,
    pub(crate) token_failures: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) auth_retries: AtomicU64,
}

impl Counters {
    pub(crate) fn record_call(&self, endpoint: &str, status: Option<u16>) {
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        *calls.entry((endpoint.to_owned(), status)).or_default() += 1;
        if status == Some(429) {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(
        &self,
        throttle_waits: u64,
        throttle_wait_time: Duration,
        budget_fallbacks: u64,
    ) -> ClientStats {
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        ClientStats {
            api_calls: calls
                .iter()
                .map(|((endpoint, status), count)| EndpointCount {
                    endpoint: endpoint.clone(),
                    status: *status,
                    count: *count,
                })
                .collect(),
            token_refreshes: self.token_refreshes.load(Ordering::Relaxed),
            token_failures: self.token_failures.load(Ordering::Relaxed),
            throttle_waits,
            throttle_wait_time,
            budget_fallbacks,
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            auth_retries: self.auth_retries.load(Ordering::Relaxed),
        }
    }
}

/// A snapshot of the client's counters (monotonic since start).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientStats {
    /// One row per HTTP attempt outcome, sorted by endpoint then status.
    pub api_calls: Vec<EndpointCount>,
    /// Tokens obtained from `/oidc/token`.
    pub token_refreshes: u64,
    /// Token requests that failed.
    pub token_failures: u64,
    /// Requests that had to wait for the outgoing budget.
    pub throttle_waits: u64,
    pub throttle_wait_time: Duration,
    /// Calls granted from this replica's local share because the shared budget's store
    /// failed.
    pub budget_fallbacks: u64,
    /// HTTP 429 answers received (before any retry).
    pub rate_limited: u64,
    /// Backoff retries (429/502/503/504/connection errors).
    pub retries: u64,
    /// Calls repeated after a 401 with a fresh token.
    pub auth_retries: u64,
}

/// Calls per endpoint template (`GET /api/organizations/{id}/users`) and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointCount {
    pub endpoint: String,
    /// `None` when no HTTP answer came (connection error, timeout).
    pub status: Option<u16>,
    pub count: u64,
}

/// The outgoing budget at one moment (for /metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetUse {
    /// Calls granted during the last window (every replica's when `shared`).
    pub in_use: u32,
    pub limit: u32,
    pub window: Duration,
    /// Counted in the shared database rather than in this process.
    pub shared: bool,
}

impl ClientStats {
    /// Sum of calls for one endpoint template, all statuses.
    pub fn calls_to(&self, endpoint: &str) -> u64 {
        self.api_calls
            .iter()
            .filter(|c| c.endpoint == endpoint)
            .map(|c| c.count)
            .sum()
    }

    /// Calls for one endpoint template with one status.
    pub fn calls_with_status(&self, endpoint: &str, status: u16) -> u64 {
        self.api_calls
            .iter()
            .filter(|c| c.endpoint == endpoint && c.status == Some(status))
            .map(|c| c.count)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_endpoint_and_status() {
        let c = Counters::default();
        c.record_call("GET /api/users", Some(200));
        c.record_call("GET /api/users", Some(200));
        c.record_call("GET /api/users", Some(429));
        c.record_call("GET /api/users/{userId}", None);
        let s = c.snapshot(2, Duration::from_millis(5), 0);
        assert_eq!(s.calls_to("GET /api/users"), 3);
        assert_eq!(s.calls_with_status("GET /api/users", 200), 2);
        assert_eq!(s.rate_limited, 1);
        assert_eq!(s.throttle_waits, 2);
        assert_eq!(s.api_calls.len(), 3);
        assert_eq!(s.api_calls[2].status, None);
    }
}
