//! The outgoing budget (issue 19): at most N calls reach Logto in *every* window of W, counted
//! where it matters (the fake's log of what arrived), for one client alone, for one client
//! counting in PostgreSQL, and for two replicas sharing one PostgreSQL, neither starving.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{DbKind, Spawn};
use fake_logto::{FakeLogto, FakeLogtoConfig, RecordedRequest};
use logto_portal::db::Db;
use logto_portal::logto::{LogtoClient, LogtoClientConfig, Secret, SharedBudget, UserQuery};
use reqwest::StatusCode;

const LIMIT: usize = 20;
const WINDOW: Duration = Duration::from_secs(2);

/// What counts against Logto's limit: Management API calls and the M2M token requests.
fn counted(requests: Vec<RecordedRequest>) -> Vec<i64> {
    let mut at: Vec<i64> = requests
        .into_iter()
        .filter(|r| {
            r.path.starts_with("/api/")
                || (r.path == "/oidc/token" && r.body.contains("client_credentials"))
        })
        .map(|r| r.at_ms)
        .collect();
    at.sort_unstable();
    at
}

/// The most arrivals within any window of `window` (every window starting at an arrival is
/// checked, which covers every window).
fn most_in_any_window(at: &[i64], window: Duration) -> usize {
    let w = window.as_millis() as i64;
    (0..at.len())
        .map(|i| at[i..].iter().take_while(|t| **t - at[i] < w).count())
        .max()
        .unwrap_or(0)
}

fn client_config(url: &str, shared: Option<Arc<dyn SharedBudget>>) -> LogtoClientConfig {
    let defaults = FakeLogtoConfig::default();
    let mut cfg = LogtoClientConfig::new(
        url.parse().unwrap(),
        defaults.m2m_app_id,
        Secret::new(defaults.m2m_app_secret),
        "https://default.logto.app/api",
    );
    cfg.requests_per_window = LIMIT as u32;
    cfg.window = WINDOW;
    cfg.shared_budget = shared;
    cfg
}

/// `n` calls released together by one barrier.
async fn burst(client: &LogtoClient, n: usize) {
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                client.list_users(&UserQuery::default()).await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

async fn sliding_window_holds(shared: Option<Arc<dyn SharedBudget>>) {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let client = LogtoClient::new(client_config(&fake.url(), shared)).unwrap();
    let started = Instant::now();
    // 50 calls and one token request: three windows' worth.
    burst(&client, 50).await;
    let elapsed = started.elapsed();
    let at = counted(fake.state().requests());
    assert_eq!(at.len(), 51);
    let most = most_in_any_window(&at, WINDOW);
    assert!(
        most <= LIMIT,
        "{most} calls within one window of {WINDOW:?}"
    );
    // Nobody failed or gave up, and the window was used: the first 20 went at once.
    assert_eq!(most, LIMIT, "the budget was never used in full");
    assert!(elapsed >= WINDOW * 2, "{elapsed:?}");
    // At least the ten callers holding a connection slot when the first window filled up
    // waited for the budget (later ones may find room as the first calls leave the window).
    let waits = client.stats().throttle_waits;
    assert!((10..=31).contains(&waits), "{waits} waits");
    let budget = client.budget_use().await;
    assert_eq!(budget.limit, LIMIT as u32);
    assert!(
        budget.in_use >= 1 && budget.in_use <= LIMIT as u32,
        "{budget:?}"
    );
}

#[tokio::test]
async fn one_process_never_exceeds_the_budget_in_any_window() {
    sliding_window_holds(None).await;
}

#[tokio::test]
async fn counted_in_postgres_the_budget_holds_in_any_window() {
    let db = Db::connect(&common::postgres_url().await).await.unwrap();
    db.migrate().await.unwrap();
    let shared = db.shared_logto_budget();
    assert!(shared.is_some());
    sliding_window_holds(shared).await;
}

#[tokio::test]
async fn two_replicas_share_one_budget_and_neither_starves() {
    let env = |s: Spawn| {
        s.env("PORTAL_LOGTO_RATE_LIMIT", LIMIT.to_string()).env(
            "PORTAL_LOGTO_RATE_WINDOW_SECS",
            WINDOW.as_secs().to_string(),
        )
    };
    let first = env(Spawn::default().db(DbKind::Postgres)).start().await;
    let second = env(Spawn::default()
        .database_url(first.database_url.clone())
        .env("LOGTO_ENDPOINT", first.fake.url()))
    .start()
    .await;
    let person = first.member().await;
    // Both replicas hold a token and have served the page once: from now on one profile
    // view is one Logto call.
    for app in [&first, &second] {
        let mut b = person.fork();
        b.base = app.url.clone();
        assert_eq!(b.get("/profile").await.status(), StatusCode::OK);
    }
    // Start from an empty window, so the first grants are not held back by the sign-in's.
    tokio::time::sleep(WINDOW + logto_portal::logto::SEND_MARGIN).await;
    first.fake.state().clear_requests();
    let before = [
        first
            .state
            .logto
            .stats()
            .calls_to("GET /api/users/{userId}"),
        second
            .state
            .logto
            .stats()
            .calls_to("GET /api/users/{userId}"),
    ];

    // 30 page views on each replica at once: 60 calls, three windows' worth.
    let per_replica = 30;
    let barrier = Arc::new(tokio::sync::Barrier::new(2 * per_replica));
    let started = Instant::now();
    let tasks: Vec<_> = (0..2 * per_replica)
        .map(|i| {
            let mut b = person.fork();
            let replica = i % 2;
            b.base = [&first.url, &second.url][replica].clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                // The connection is open before anyone starts.
                assert!(b.get("/healthz").await.status().is_success());
                barrier.wait().await;
                let status = b.get("/profile").await.status();
                (replica, status, started.elapsed())
            })
        })
        .collect();
    let mut done = Vec::new();
    for t in tasks {
        done.push(t.await.unwrap());
    }
    assert!(
        done.iter().all(|(_, s, _)| *s == StatusCode::OK),
        "{done:?}"
    );

    let at = counted(first.fake.state().requests());
    let most = most_in_any_window(&at, WINDOW);
    assert!(
        most <= LIMIT,
        "two replicas sent {most} calls within one window of {WINDOW:?}"
    );
    assert_eq!(at.len(), 2 * per_replica, "one Logto call per page view");
    let calls = [
        first
            .state
            .logto
            .stats()
            .calls_to("GET /api/users/{userId}")
            - before[0],
        second
            .state
            .logto
            .stats()
            .calls_to("GET /api/users/{userId}")
            - before[1],
    ];
    assert_eq!(calls, [per_replica as u64; 2]);

    // Neither starves: while both still had views waiting, each got at least 30 % of them.
    let last_of = |replica: usize| {
        done.iter()
            .filter(|(r, _, _)| *r == replica)
            .map(|(_, _, t)| *t)
            .max()
            .unwrap()
    };
    let both_busy_until = last_of(0).min(last_of(1));
    let served = |replica: usize| {
        done.iter()
            .filter(|(r, _, t)| *r == replica && *t <= both_busy_until)
            .count()
    };
    let (a, b) = (served(0), served(1));
    let share = a.min(b) as f64 / (a + b) as f64;
    assert!(
        share >= 0.3,
        "while both replicas were busy one got {a} and the other {b} of the calls"
    );
    println!(
        "two replicas, {LIMIT} per {WINDOW:?}: {} calls in {:?}, at most {most} in any window; \
         served while both busy: {a} and {b}",
        at.len(),
        started.elapsed()
    );
    // For scripts/bench.
    println!(
        "BUDGET {}",
        serde_json::json!({
            "limit": LIMIT,
            "window_s": WINDOW.as_secs_f64(),
            "calls": at.len(),
            "seconds": started.elapsed().as_secs_f64(),
            "most_in_any_window": most,
            "served_while_both_busy": [a, b],
        })
    );

    // /metrics shows the tenant-wide use, the same on both replicas.
    for app in [&first, &second] {
        let text = reqwest::get(format!("{}/metrics", app.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains(&format!("portal_logto_budget_limit {LIMIT}")),
            "{text}"
        );
        let in_use: u32 = text
            .lines()
            .find_map(|l| l.strip_prefix("portal_logto_budget_in_use "))
            .unwrap()
            .parse()
            .unwrap();
        // The last window's calls, from both replicas.
        assert!(in_use >= 1 && in_use as usize <= LIMIT, "{in_use}");
        assert!(text.contains("portal_logto_throttle_waits_total"));
    }
}
