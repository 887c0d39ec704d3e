//! Retry policy: exponential backoff with jitter, `Retry-After`, and which
//! failures may be retried at all.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// Retries after the first attempt (so at most 4 attempts).
pub(crate) const MAX_RETRIES: u32 = 3;
const BASE_DELAY: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(4);
/// A longer `Retry-After` is not waited for: a page render should not hang, so
/// the 429/503 is returned to the caller instead.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Statuses that mean "not processed, try later" (Logto Cloud's edge limiter,
/// a proxy in front of Logto restarting).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The delay range of retry number `retry` (0-based): the upper half of an
/// exponentially growing, capped interval ("equal jitter"), so retries never
/// bunch up at zero yet still spread out.
pub(crate) fn backoff_bounds(retry: u32) -> (Duration, Duration) {
    let exp = BASE_DELAY
        .saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .min(MAX_DELAY);
    (exp / 2, exp)
}

pub(crate) fn backoff(retry: u32) -> Duration {
    let (lo, hi) = backoff_bounds(retry);
    let span = (hi - lo).as_millis() as u64;
    lo + Duration::from_millis(rand::thread_rng().gen_range(0..=span))
}

/// `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // An HTTP date (IMF-fixdate and the two obsolete forms HTTP still allows).
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_grows_and_is_capped() {
        assert_eq!(
            backoff_bounds(0),
            (Duration::from_millis(125), Duration::from_millis(250))
        );
        assert_eq!(
            backoff_bounds(1),
            (Duration::from_millis(250), Duration::from_millis(500))
        );
        assert_eq!(
            backoff_bounds(2),
            (Duration::from_millis(500), Duration::from_secs(1))
        );
        assert_eq!(
            backoff_bounds(10),
            (Duration::from_secs(2), Duration::from_secs(4))
        );
        assert_eq!(
            backoff_bounds(40),
            (Duration::from_secs(2), Duration::from_secs(4))
        );
        for retry in 0..6 {
            let (lo, hi) = backoff_bounds(retry);
            for _ in 0..50 {
                let d = backoff(retry);
                assert!(d >= lo && d <= hi, "{retry}: {d:?}");
            }
        }
    }

    #[test]
    fn jitter_varies() {
        let samples: std::collections::HashSet<_> = (0..50).map(|_| backoff(3)).collect();
        assert!(samples.len() > 1);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [400, 401, 403, 404, 422, 500, 501] {
            assert!(!is_retryable_status(s));
        }
    }
}
