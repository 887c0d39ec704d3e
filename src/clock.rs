//! The portal's one notion of "now", below every other layer.
//!
//! Time is epoch milliseconds (`i64`, UTC): what sessions, the audit trail and the database
//! already store, so a time read from the clock can be saved and compared without
//! conversion. The web layer's display type (`web::format::Moment`) is built from it; it is
//! text for a page, not something to compute with.
//!
//! Production uses [`Clock::system`]. Tests build a [`ManualClock`] and move it forward
//! instead of sleeping, so expiry rules are tested without waiting on the wall clock.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Where the time comes from; cheap to clone (the manual one is shared by its clones).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// Now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            Some(now) => now.load(Ordering::SeqCst),
            None => system_now_ms(),
        }
    }

    /// `d` in milliseconds, saturating (so `now_ms() + ms(d)` never wraps for huge settings).
    pub fn ms(d: Duration) -> i64 {
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    }
}

/// A clock that stands still until a test moves it forward.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// Starts at the current wall time, so stored times look like real ones.
    pub fn starting_now() -> ManualClock {
        ManualClock::at(system_now_ms())
    }

    /// Starts at `now_ms` (epoch milliseconds).
    pub fn at(now_ms: i64) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(now_ms)))
    }

    /// Lets `by` pass for everything that reads this clock.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(Clock::ms(by), Ordering::SeqCst);
    }

    /// The [`Clock`] to hand to the code under test.
    pub fn clock(&self) -> Clock {
        Clock {
            manual: Some(self.0.clone()),
        }
    }
}

/// The wall clock in epoch milliseconds (for times that are only recorded, not tested
/// against a rule, such as when an audit entry happened).
pub fn system_now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_its_clones_follow() {
        let manual = ManualClock::at(1_000);
        let clock = manual.clock();
        let copy = clock.clone();
        assert_eq!(clock.now_ms(), 1_000);
        manual.advance(Duration::from_millis(1_500));
        assert_eq!(clock.now_ms(), 2_500);
        assert_eq!(copy.now_ms(), 2_500);
    }

    #[test]
    fn the_system_clock_reads_the_wall_clock() {
        let before = system_now_ms();
        let now = Clock::system().now_ms();
        assert!(now >= before && now - before < 60_000);
        assert!(Clock::default().now_ms() >= before);
    }

    #[test]
    fn durations_saturate() {
        assert_eq!(Clock::ms(Duration::from_secs(2)), 2_000);
        assert_eq!(Clock::ms(Duration::MAX), i64::MAX);
    }
}
