//! Outgoing rate limit: a token bucket shaped like Logto Cloud's own limiter
//! (default 200 requests per 10 s). Callers wait for their turn; nobody fails.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct Throttle {
    capacity: f64,
    /// Tokens per second.
    rate: f64,
    state: Mutex<Bucket>,
    waits: AtomicU64,
    waited_micros: AtomicU64,
}

#[derive(Debug)]
struct Bucket {
    /// May go negative: each waiter reserves its token up front, which queues
    /// callers fairly without a background task.
    tokens: f64,
    last: Instant,
}

impl Throttle {
    pub(crate) fn new(requests_per_window: u32, window: Duration) -> Self {
        let capacity = f64::from(requests_per_window.max(1));
        let secs = window.as_secs_f64().max(0.001);
        Self {
            capacity,
            rate: capacity / secs,
            state: Mutex::new(Bucket {
                tokens: capacity,
                last: Instant::now(),
            }),
            waits: AtomicU64::new(0),
            waited_micros: AtomicU64::new(0),
        }
    }

    /// Reserves one request slot and returns how long the caller must wait.
    fn reserve(&self) -> Duration {
        let mut b = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.rate).min(self.capacity);
        b.last = now;
        b.tokens -= 1.0;
        if b.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-b.tokens / self.rate)
        }
    }

    /// Waits until a request may go out.
    pub(crate) async fn acquire(&self) {
        let wait = self.reserve();
        if !wait.is_zero() {
            self.waits.fetch_add(1, Ordering::Relaxed);
            self.waited_micros.fetch_add(
                u64::try_from(wait.as_micros()).unwrap_or(u64::MAX),
                Ordering::Relaxed,
            );
            tracing::debug!(wait_ms = wait.as_millis() as u64, "Logto throttle: waiting");
            tokio::time::sleep(wait).await;
        }
    }

    pub(crate) fn waits(&self) -> u64 {
        self.waits.load(Ordering::Relaxed)
    }

    pub(crate) fn waited(&self) -> Duration {
        Duration::from_micros(self.waited_micros.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_paced() {
        let t = Throttle::new(5, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..5 {
            t.acquire().await;
        }
        assert_eq!(t.waits(), 0);
        assert_eq!(start.elapsed(), Duration::ZERO);
        // The 6th and 7th wait one refill interval each (10 s / 5 = 2 s).
        t.acquire().await;
        assert_eq!(t.waits(), 1);
        let e = start.elapsed();
        assert!(
            e >= Duration::from_secs(2) && e < Duration::from_millis(2100),
            "{e:?}"
        );
        t.acquire().await;
        let e = start.elapsed();
        assert!(
            e >= Duration::from_secs(4) && e < Duration::from_millis(4100),
            "{e:?}"
        );
        assert_eq!(t.waits(), 2);
        assert!(t.waited() >= Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_are_spread_over_the_window() {
        let t = std::sync::Arc::new(Throttle::new(10, Duration::from_secs(1)));
        let start = Instant::now();
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let t = t.clone();
                tokio::spawn(async move {
                    t.acquire().await;
                    Instant::now()
                })
            })
            .collect();
        let mut done = Vec::new();
        for task in tasks {
            done.push(task.await.unwrap() - start);
        }
        done.sort();
        // 10 at once, then 10 per second: the last one after ~2 s, never earlier.
        assert_eq!(done.iter().filter(|d| d.is_zero()).count(), 10);
        let last = *done.last().unwrap();
        assert!(
            last >= Duration::from_secs(2) && last < Duration::from_millis(2100),
            "{last:?}"
        );
        assert_eq!(t.waits(), 20);
        // Never more than capacity + rate * t requests by time t.
        for (i, d) in done.iter().enumerate() {
            assert!(
                (i as f64) < 10.0 + 10.0 * d.as_secs_f64() + 1e-6,
                "{i} at {d:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn refills_after_idle() {
        let t = Throttle::new(2, Duration::from_secs(1));
        t.acquire().await;
        t.acquire().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        // Bucket is full again but not above capacity.
        t.acquire().await;
        t.acquire().await;
        assert_eq!(t.waits(), 0);
        t.acquire().await;
        assert_eq!(t.waits(), 1);
    }
}
