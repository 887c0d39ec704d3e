//! The outgoing budget: at most `limit` requests to Logto in **every** window of `window`
//! (Logto Cloud counts about 200 per 10 s per tenant), wherever they come from.
//!
//! A sliding window: a call may go out only when fewer than `limit` calls are in flight or
//! ended during the last `window`. A call counts from its grant until a window after its
//! answer came back: Logto saw it somewhere in between, so every window *as Logto counts it*
//! holds at most `limit` calls, however long a granted call took to reach Logto (a busy
//! machine can take hundreds of milliseconds). With a [`SharedBudget`] (PostgreSQL, every
//! replica) the calls are rows in the shared database, granted one at a time under one lock,
//! and callers that must wait queue in the database in arrival order, so replicas share the
//! budget fairly. Without one (SQLite: one process) the same window is kept in memory.
//!
//! When the shared store fails, this replica keeps to `limit / replicas` (the most replicas
//! it has seen calling in one window) in memory and asks the store again after
//! [`FALLBACK_RETRY`]: it never knowingly sends more than its share.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

/// How much longer than the window a call counts: times are whole milliseconds.
pub const SEND_MARGIN: Duration = Duration::from_millis(2);

/// How long after its grant a call counts as in flight at most when its end is never
/// reported (the process stopped): the request timeout plus this.
const END_SLACK: Duration = Duration::from_secs(1);

/// How long a replica keeps to its local share after the shared store failed, before
/// asking the store again.
pub const FALLBACK_RETRY: Duration = Duration::from_secs(5);

/// The shortest pause between two asks of a waiting call (when the store cannot tell when
/// its turn comes).
const MIN_POLL: Duration = Duration::from_millis(20);

/// One ask for a grant.
#[derive(Debug, Clone)]
pub struct BudgetAsk<'a> {
    /// The asking replica (a random id per process), to count replicas.
    pub replica: &'a str,
    /// The caller's place in the queue, from an earlier [`BudgetAnswer::Wait`].
    pub ticket: Option<i64>,
    pub limit: u32,
    /// How long a call counts after it ended: the window plus [`SEND_MARGIN`].
    pub span: Duration,
    /// The longest a granted call can be in flight (its end is assumed then if never
    /// reported).
    pub longest_call: Duration,
}

/// The store's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetAnswer {
    /// Go ahead, and report the end of `call`; `in_use` calls (this one included) count
    /// now, from `replicas` replicas.
    Granted {
        call: i64,
        in_use: u32,
        replicas: u32,
    },
    /// Not yet: ask again after `wait` with `ticket`, which keeps the caller's place.
    Wait {
        ticket: i64,
        wait: Duration,
        in_use: u32,
        replicas: u32,
    },
}

/// A budget shared by every replica (implemented on the database by `crate::db`).
#[async_trait]
pub trait SharedBudget: Send + Sync + std::fmt::Debug {
    /// Grants one call if the span has room and nobody queued earlier is still waiting;
    /// otherwise queues the caller (or keeps its place) and says how long to wait.
    async fn take(&self, ask: &BudgetAsk<'_>) -> anyhow::Result<BudgetAnswer>;
    /// The granted `call` has its answer (or failed): it counts for one span from now.
    async fn ended(&self, call: i64) -> anyhow::Result<()>;
    /// Gives a queued place up (the caller went away).
    async fn leave(&self, ticket: i64) -> anyhow::Result<()>;
    /// Calls in flight or ended during the last `span`, by every replica.
    async fn in_use(&self, span: Duration) -> anyhow::Result<u32>;
}

/// How long the caller at `position` in the queue (0: first) waits until it may be granted,
/// given the ends (epoch ms, earliest first; `now` for calls still in flight: they end
/// later) of the calls that count at `now`. `None` when those calls do not tell (the
/// callers ahead have not taken theirs yet).
pub fn turn_in(
    grants: &[i64],
    limit: u32,
    position: u32,
    now_ms: i64,
    span: Duration,
) -> Option<Duration> {
    // Room for this caller once `grants.len() - (limit - position - 1)` grants have left.
    let must_leave = grants.len() as i64 - i64::from(limit) + i64::from(position) + 1;
    if must_leave <= 0 {
        return Some(Duration::ZERO);
    }
    let leaves_at = grants.get(usize::try_from(must_leave - 1).ok()?)? + span.as_millis() as i64;
    Some(Duration::from_millis(
        u64::try_from(leaves_at - now_ms).unwrap_or(0).max(1),
    ))
}

/// The sliding window in memory: the whole budget of a single process, or one replica's
/// share while the shared store is unreachable. Callers are served in arrival order.
#[derive(Debug)]
pub(crate) struct LocalWindow {
    span: Duration,
    /// Held by the caller whose turn it is (tokio's mutex queues waiters in order).
    turn: tokio::sync::Mutex<()>,
    calls: Mutex<LocalCalls>,
}

#[derive(Debug, Default)]
struct LocalCalls {
    next_id: u64,
    /// id → when the call ended (or, while in flight, the latest it can end), in the order
    /// the calls were granted.
    ends: Vec<(u64, Instant)>,
    /// Forget old calls once `ends` is this long: amortized, so a grant costs O(1) however
    /// many calls a window holds (a budget lifted for a benchmark holds thousands).
    prune_at: usize,
}

impl LocalCalls {
    /// Forgets calls that ended a span ago; how many still count.
    fn prune(&mut self, span: Duration, now: Instant) -> usize {
        self.ends.retain(|(_, end)| *end + span > now);
        self.prune_at = (self.ends.len() * 2).max(64);
        self.ends.len()
    }

    /// How many calls count, exact when it matters: below `capacity` without looking at
    /// every call (what is kept is never fewer than what counts).
    fn count_up_to(&mut self, capacity: usize, span: Duration, now: Instant) -> usize {
        if self.ends.len() >= capacity || self.ends.len() >= self.prune_at {
            self.prune(span, now)
        } else {
            self.ends.len()
        }
    }

    /// When the window has room again for one call, with `capacity` counting now: a call in
    /// flight counts as ending `now`, and leaves a span after it ends.
    fn room_at(&mut self, capacity: usize, span: Duration, now: Instant) -> Instant {
        let mut ends: Vec<Instant> = self.ends.iter().map(|(_, end)| (*end).min(now)).collect();
        let nth = ends.len().saturating_sub(capacity);
        let (_, end, _) = ends.select_nth_unstable(nth);
        *end + span
    }

    fn push(&mut self, latest_end: Instant) -> u64 {
        self.next_id += 1;
        self.ends.push((self.next_id, latest_end));
        self.next_id
    }
}

impl LocalWindow {
    pub(crate) fn new(span: Duration) -> Self {
        Self {
            span,
            turn: tokio::sync::Mutex::new(()),
            calls: Mutex::new(LocalCalls::default()),
        }
    }

    fn calls(&self) -> std::sync::MutexGuard<'_, LocalCalls> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until fewer than `capacity` calls count, then grants one that may last up to
    /// `longest_call`. Returns its id and whether the caller had to wait.
    pub(crate) async fn acquire(&self, capacity: u32, longest_call: Duration) -> (u64, bool) {
        let capacity = capacity.max(1) as usize;
        // Waiting behind a full window counts as waiting, even when room has come by the
        // time this caller's turn comes.
        let mut waited = self
            .calls()
            .count_up_to(capacity, self.span, Instant::now())
            >= capacity;
        let _turn = self.turn.lock().await;
        loop {
            let until = {
                let mut calls = self.calls();
                let now = Instant::now();
                if calls.count_up_to(capacity, self.span, now) < capacity {
                    return (calls.push(now + longest_call), waited);
                }
                // Look again when the earliest of the calls over capacity leaves.
                calls.room_at(capacity, self.span, now)
            };
            waited = true;
            tokio::time::sleep_until(until).await;
        }
    }

    /// Notes a call granted elsewhere (by the shared store), so a fallback starts from what
    /// this replica really sent.
    pub(crate) fn record(&self, longest_call: Duration) -> u64 {
        self.calls().push(Instant::now() + longest_call)
    }

    /// The call `id` has its answer.
    pub(crate) fn ended(&self, id: u64) {
        let now = Instant::now();
        // From the newest: the calls still in flight are the latest granted.
        if let Some((_, end)) = self.calls().ends.iter_mut().rev().find(|(i, _)| *i == id) {
            *end = now;
        }
    }

    pub(crate) fn in_use(&self) -> u32 {
        self.calls().prune(self.span, Instant::now()) as u32
    }
}

/// A granted call: report its end with [`Budget::ended`]. Dropped unreported (the caller
/// went away mid-call), it counts until the latest it could have ended.
#[derive(Debug)]
#[must_use]
pub(crate) struct Grant {
    local: u64,
    shared: Option<i64>,
}

/// The client's budget: shared when a store is given, in memory otherwise.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: u32,
    window: Duration,
    span: Duration,
    longest_call: Duration,
    shared: Option<Arc<dyn SharedBudget>>,
    replica: String,
    local: LocalWindow,
    /// Until when the shared store is not asked (after it failed).
    fallback_until: Mutex<Option<Instant>>,
    /// The most replicas seen calling within one span: the divisor of the fallback share.
    replicas_seen: AtomicU32,
    waits: AtomicU64,
    waited_micros: AtomicU64,
    fallbacks: AtomicU64,
}

impl Budget {
    /// `request_timeout` bounds how long a call can be in flight.
    pub(crate) fn new(
        limit: u32,
        window: Duration,
        request_timeout: Duration,
        shared: Option<Arc<dyn SharedBudget>>,
    ) -> Self {
        let span = window + SEND_MARGIN;
        Self {
            limit: limit.max(1),
            window,
            span,
            longest_call: request_timeout + END_SLACK,
            shared,
            replica: uuid::Uuid::new_v4().simple().to_string(),
            local: LocalWindow::new(span),
            fallback_until: Mutex::new(None),
            replicas_seen: AtomicU32::new(1),
            waits: AtomicU64::new(0),
            waited_micros: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
        }
    }

    /// Waits until a request may go out.
    pub(crate) async fn acquire(&self) -> Grant {
        let started = Instant::now();
        let (grant, waited) = match &self.shared {
            Some(shared) if !self.falling_back() => self.acquire_shared(shared).await,
            Some(_) => self.acquire_local(self.fallback_share()).await,
            None => self.acquire_local(self.limit).await,
        };
        if waited {
            let wait = started.elapsed();
            self.waits.fetch_add(1, Ordering::Relaxed);
            self.waited_micros.fetch_add(
                u64::try_from(wait.as_micros()).unwrap_or(u64::MAX),
                Ordering::Relaxed,
            );
            tracing::debug!(wait_ms = wait.as_millis() as u64, "Logto budget: waited");
        }
        grant
    }

    /// The granted call has its answer (or failed for good).
    pub(crate) async fn ended(&self, grant: Grant) {
        self.local.ended(grant.local);
        if let (Some(call), Some(shared)) = (grant.shared, &self.shared) {
            if let Err(e) = shared.ended(call).await {
                // The call keeps counting until the latest it could have ended: safe.
                tracing::debug!(error = %e, "Logto budget: the end of a call was not recorded");
            }
        }
    }

    async fn acquire_local(&self, capacity: u32) -> (Grant, bool) {
        let (local, waited) = self.local.acquire(capacity, self.longest_call).await;
        (
            Grant {
                local,
                shared: None,
            },
            waited,
        )
    }

    async fn acquire_shared(&self, shared: &Arc<dyn SharedBudget>) -> (Grant, bool) {
        let mut place = QueuePlace {
            shared: shared.clone(),
            ticket: None,
        };
        let mut waited = false;
        loop {
            let ask = BudgetAsk {
                replica: &self.replica,
                ticket: place.ticket,
                limit: self.limit,
                span: self.span,
                longest_call: self.longest_call,
            };
            match shared.take(&ask).await {
                Ok(BudgetAnswer::Granted { call, replicas, .. }) => {
                    // The grant removed the queued place.
                    place.ticket = None;
                    self.note_replicas(replicas);
                    self.shared_again();
                    let local = self.local.record(self.longest_call);
                    return (
                        Grant {
                            local,
                            shared: Some(call),
                        },
                        waited,
                    );
                }
                Ok(BudgetAnswer::Wait {
                    ticket,
                    wait,
                    replicas,
                    ..
                }) => {
                    place.ticket = Some(ticket);
                    self.note_replicas(replicas);
                    waited = true;
                    tokio::time::sleep(wait.clamp(MIN_POLL, self.span)).await;
                }
                Err(e) => {
                    self.start_fallback(&e);
                    drop(place);
                    let (grant, local_wait) = self.acquire_local(self.fallback_share()).await;
                    return (grant, waited || local_wait);
                }
            }
        }
    }

    fn note_replicas(&self, replicas: u32) {
        self.replicas_seen.fetch_max(replicas, Ordering::Relaxed);
    }

    fn fallback_share(&self) -> u32 {
        (self.limit / self.replicas_seen.load(Ordering::Relaxed).max(1)).max(1)
    }

    fn falling_back(&self) -> bool {
        let until = self
            .fallback_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        until.is_some_and(|t| Instant::now() < t)
    }

    fn start_fallback(&self, error: &anyhow::Error) {
        let mut until = self
            .fallback_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if until.is_none() {
            tracing::warn!(
                error = %error,
                share = self.fallback_share(),
                of = self.limit,
                "the shared Logto budget is unreachable; keeping to this replica's share"
            );
        }
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
        *until = Some(Instant::now() + FALLBACK_RETRY);
    }

    fn shared_again(&self) {
        let mut until = self
            .fallback_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if until.take().is_some() {
            tracing::info!("the shared Logto budget is reachable again");
        }
    }

    /// Calls in flight or ended during the last window: every replica's when shared.
    pub(crate) async fn in_use(&self) -> u32 {
        match &self.shared {
            Some(shared) if !self.falling_back() => match shared.in_use(self.span).await {
                Ok(n) => n,
                Err(_) => self.local.in_use(),
            },
            _ => self.local.in_use(),
        }
    }

    pub(crate) fn limit(&self) -> u32 {
        self.limit
    }

    pub(crate) fn window(&self) -> Duration {
        self.window
    }

    pub(crate) fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    pub(crate) fn waits(&self) -> u64 {
        self.waits.load(Ordering::Relaxed)
    }

    pub(crate) fn waited(&self) -> Duration {
        Duration::from_micros(self.waited_micros.load(Ordering::Relaxed))
    }

    pub(crate) fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }
}

/// A caller's place in the shared queue; given up when the caller goes away while waiting
/// (a closed connection drops the request's future), so nobody waits behind it.
struct QueuePlace {
    shared: Arc<dyn SharedBudget>,
    ticket: Option<i64>,
}

impl Drop for QueuePlace {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket.take() else {
            return;
        };
        let shared = self.shared.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                // On failure the place expires by itself.
                let _ = shared.leave(ticket).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: Duration = Duration::from_millis(1000);
    const TIMEOUT: Duration = Duration::from_secs(10);

    #[test]
    fn turn_in_reads_the_grant_that_must_leave() {
        // Room: no wait.
        assert_eq!(turn_in(&[1, 2], 5, 0, 10, SPAN), Some(Duration::ZERO));
        assert_eq!(turn_in(&[1, 2], 5, 2, 10, SPAN), Some(Duration::ZERO));
        // Full: the first in line waits for the oldest grant to leave.
        assert_eq!(
            turn_in(&[100, 200, 300], 3, 0, 500, SPAN),
            Some(Duration::from_millis(600))
        );
        // The second in line for the second oldest.
        assert_eq!(
            turn_in(&[100, 200, 300], 3, 1, 500, SPAN),
            Some(Duration::from_millis(700))
        );
        // Further back than the grants tell.
        assert_eq!(turn_in(&[100, 200, 300], 3, 3, 500, SPAN), None);
        assert_eq!(turn_in(&[], 2, 2, 500, SPAN), None);
    }

    /// The grant times of `n` callers released together.
    async fn grant_times(budget: Arc<Budget>, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let b = budget.clone();
                tokio::spawn(async move {
                    let grant = b.acquire().await;
                    let at = Instant::now() - start;
                    b.ended(grant).await;
                    at
                })
            })
            .collect();
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap());
        }
        done.sort();
        done
    }

    #[tokio::test(start_paused = true)]
    async fn every_window_holds_at_most_the_limit() {
        let budget = Arc::new(Budget::new(10, Duration::from_secs(1), TIMEOUT, None));
        let done = grant_times(budget.clone(), 35).await;
        // 10 at once, then 10 more each time the first ten leave the span (1 s + margin).
        let span = Duration::from_secs(1) + SEND_MARGIN;
        assert_eq!(done.iter().filter(|d| d.is_zero()).count(), 10);
        assert_eq!(*done.last().unwrap(), span * 3);
        for (i, first) in done.iter().enumerate() {
            let inside = done[i..].iter().filter(|d| **d - *first < span).count();
            assert!(inside <= 10, "{inside} grants within {span:?} of {first:?}");
        }
        assert_eq!(budget.waits(), 25);
        assert_eq!(budget.in_use().await, 5);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_never_adds_a_window_of_refill() {
        // A token bucket of 5 per 10 s lets 10 through in 10 s (full bucket + refill); the
        // sliding window lets through 5.
        let budget = Arc::new(Budget::new(5, Duration::from_secs(10), TIMEOUT, None));
        let done = grant_times(budget, 10).await;
        let within_ten_seconds = done
            .iter()
            .filter(|d| **d < Duration::from_secs(10))
            .count();
        assert_eq!(within_ten_seconds, 5, "{done:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_large_budget_keeps_only_the_calls_of_about_a_window() {
        // Lifted far above what a window sees (as the benchmark does): nothing waits, and what
        // is remembered stays within twice the calls of one window, not every call ever made.
        let window = LocalWindow::new(Duration::from_secs(1));
        let mut longest_kept = 0;
        for _ in 0..5_000 {
            let (id, waited) = window.acquire(1_000_000, Duration::from_millis(5)).await;
            assert!(!waited);
            window.ended(id);
            longest_kept = longest_kept.max(window.calls().ends.len());
            tokio::time::advance(Duration::from_millis(1)).await;
        }
        // 1,000 calls a window (one a millisecond).
        assert!(longest_kept <= 2 * 1_000 + 64, "{longest_kept} calls kept");
        assert!(
            (990..=1_010).contains(&window.in_use()),
            "{}",
            window.in_use()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn room_comes_back_after_idle() {
        let budget = Budget::new(2, Duration::from_secs(1), TIMEOUT, None);
        for _ in 0..2 {
            let g = budget.acquire().await;
            budget.ended(g).await;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(budget.in_use().await, 0);
        for _ in 0..2 {
            let g = budget.acquire().await;
            budget.ended(g).await;
        }
        assert_eq!(budget.waits(), 0);
        let g = budget.acquire().await;
        budget.ended(g).await;
        assert_eq!(budget.waits(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_counts_until_a_window_after_its_answer() {
        // However late a granted call reached Logto, it did so before its answer came back:
        // counting it for a window from then keeps Logto's every window within the limit.
        let budget = Arc::new(Budget::new(1, Duration::from_secs(1), TIMEOUT, None));
        let start = Instant::now();
        let slow = budget.acquire().await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(budget.in_use().await, 1, "in flight, it counts");
        budget.ended(slow).await;
        let next = budget.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(4) + SEND_MARGIN);
        budget.ended(next).await;
        // Never reported (the caller went away): it counts until the timeout, then a window.
        let _lost = budget.acquire().await;
        let started = Instant::now();
        let after = budget.acquire().await;
        assert_eq!(
            started.elapsed(),
            TIMEOUT + END_SLACK + Duration::from_secs(1) + SEND_MARGIN
        );
        budget.ended(after).await;
    }

    /// A store that always fails, to see the fallback.
    #[derive(Debug)]
    struct Unreachable;

    #[async_trait]
    impl SharedBudget for Unreachable {
        async fn take(&self, _: &BudgetAsk<'_>) -> anyhow::Result<BudgetAnswer> {
            anyhow::bail!("connection refused")
        }
        async fn ended(&self, _: i64) -> anyhow::Result<()> {
            anyhow::bail!("connection refused")
        }
        async fn leave(&self, _: i64) -> anyhow::Result<()> {
            anyhow::bail!("connection refused")
        }
        async fn in_use(&self, _: Duration) -> anyhow::Result<u32> {
            anyhow::bail!("connection refused")
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_unreachable_store_leaves_this_replica_its_share() {
        let budget = Budget::new(
            12,
            Duration::from_secs(1),
            TIMEOUT,
            Some(Arc::new(Unreachable)),
        );
        // Three replicas were seen calling: a third of the budget.
        budget.note_replicas(3);
        let budget = Arc::new(budget);
        let done = grant_times(budget.clone(), 8).await;
        assert_eq!(done.iter().filter(|d| d.is_zero()).count(), 4, "{done:?}");
        assert!(budget.fallbacks() >= 1);
        assert_eq!(budget.in_use().await, 4);
    }
}
