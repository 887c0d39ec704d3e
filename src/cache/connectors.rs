//! What the portal learned about the tenant's connectors from the answers it got.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// What the portal last learned about the tenant's email connector, kept per process.
///
/// Logto answers 501 `connector.not_found` to a message when the tenant has no email
/// connector. Once seen, further invitations skip the doomed call for [`Self::RECHECK_AFTER`],
/// then try again in case someone has added a connector since.
#[derive(Debug, Default)]
pub struct EmailConnectorMemo {
    /// `(has_connector, when learned)`; `None` until the first attempt.
    last: Mutex<Option<(bool, Instant)>>,
}

impl EmailConnectorMemo {
    pub const RECHECK_AFTER: Duration = Duration::from_secs(600);

    fn read(&self) -> Option<(bool, Instant)> {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// False while a recent attempt showed there is no connector.
    pub fn should_try(&self) -> bool {
        !matches!(self.read(), Some((false, at)) if at.elapsed() < Self::RECHECK_AFTER)
    }

    /// True when the last attempt found no email connector (the page says so).
    pub fn known_missing(&self) -> bool {
        matches!(self.read(), Some((false, _)))
    }

    pub fn record(&self, has_connector: bool) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((has_connector, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_skips_only_while_recent() {
        let memo = EmailConnectorMemo::default();
        assert!(memo.should_try() && !memo.known_missing());
        memo.record(false);
        assert!(!memo.should_try() && memo.known_missing());
        let long_ago = EmailConnectorMemo::RECHECK_AFTER + Duration::from_secs(1);
        if let Some(past) = Instant::now().checked_sub(long_ago) {
            *memo.last.lock().unwrap() = Some((false, past));
            assert!(memo.should_try(), "re-probes after a while");
            assert!(
                memo.known_missing(),
                "the page keeps saying so until an email goes out"
            );
        }
        memo.record(true);
        assert!(memo.should_try() && !memo.known_missing());
    }
}
