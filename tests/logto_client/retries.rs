//! Retries, the outgoing throttle and the bound on requests in flight.

use super::*;

#[tokio::test]
async fn get_backs_off_on_429_then_succeeds() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.fail_next_api(2, 429);
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(received(&st, "GET", "/api/users").len(), 3);
    let stats = client.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.retries, 2);
    assert_eq!(stats.calls_with_status("GET /api/users", 429), 2);
    assert_eq!(stats.calls_with_status("GET /api/users", 200), 1);
}

#[tokio::test]
async fn retry_after_is_respected() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.set_retry_after(Some(1));
    st.fail_next_api(1, 429);
    let t = Instant::now();
    client.list_users(&UserQuery::default()).await.unwrap();
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
}

#[tokio::test]
async fn persistent_429_ends_as_rate_limited_after_three_retries() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.fail_next_api(10, 429);
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    assert!(matches!(err, LogtoError::RateLimited), "{err:?}");
    assert_eq!(received(&st, "GET", "/api/users").len(), 4);
}

#[tokio::test]
async fn gateway_errors_are_retried_for_get_put_delete() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", None);
    let u = user(&st, "bob", "Bob");
    let role = st.create_org_role("admin", "Admin");
    st.add_member(&org, &u, &[]);
    client.token_is_obtainable().await.unwrap();

    st.fail_next_api(3, 503);
    client.get_user(&u).await.unwrap();
    st.fail_next_api(1, 502);
    client
        .set_member_roles(&org, &u, std::slice::from_ref(&role))
        .await
        .unwrap();
    st.fail_next_api(1, 504);
    client.remove_org_member(&org, &u).await.unwrap();
    assert_eq!(client.stats().retries, 5);
}

#[tokio::test]
async fn post_and_patch_are_never_retried_on_503() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let id = user(&st, "carol", "Carol");
    client.token_is_obtainable().await.unwrap();

    st.fail_next_api(1, 503);
    let new = NewUser {
        username: Some("dave".into()),
        ..Default::default()
    };
    let err = client.create_user(&new).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(received(&st, "POST", "/api/users").len(), 1);

    st.fail_next_api(1, 503);
    let patch = UserPatch {
        name: Some(Some("C".into())),
        ..Default::default()
    };
    assert_eq!(
        client.update_user(&id, &patch).await.unwrap_err().status(),
        Some(503)
    );
    assert_eq!(received(&st, "PATCH", &format!("/api/users/{id}")).len(), 1);

    st.fail_next_api(1, 429);
    assert!(matches!(
        client.create_user(&new).await,
        Err(LogtoError::RateLimited)
    ));
    assert_eq!(received(&st, "POST", "/api/users").len(), 2);
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn unreachable_and_slow_logto_are_unavailable() {
    let (fake, client) = setup_with(FakeLogtoConfig::default(), |c| {
        c.timeout = Duration::from_millis(500);
    })
    .await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();

    st.set_latency(Duration::from_secs(3));
    let t = Instant::now();
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    let LogtoError::Unavailable(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("no answer"), "{msg}");
    // A read timeout is not retried: one timeout, not four.
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    st.set_latency(Duration::ZERO);

    fake.stop().await;
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    let LogtoError::Unavailable(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("cannot connect"), "{msg}");
    // The text never carries the query (search terms are personal data).
    assert!(!msg.contains("page_size"), "{msg}");
    fake.resume().await;
    // Back up, the same client serves again. The 500 ms timeout is tight for a loaded CI
    // machine, so recovery is allowed a few tries; what matters is that it comes.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client.list_users(&UserQuery::default()).await {
            Ok(_) => break,
            Err(LogtoError::Unavailable(msg)) if Instant::now() < deadline => {
                eprintln!("not yet back: {msg}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("{err:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// throttle and concurrency

#[tokio::test]
async fn throttle_waits_instead_of_failing() {
    let (fake, client) = setup_with(FakeLogtoConfig::default(), |c| {
        c.requests_per_window = 4;
        c.window = Duration::from_secs(1);
    })
    .await;
    let t = Instant::now();
    // 1 token request + 7 calls = 8 requests: 4 at once, the other 4 once the first have
    // left the 1 s window.
    for _ in 0..7 {
        client.list_users(&UserQuery::default()).await.unwrap();
    }
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    let stats = client.stats();
    // The fifth waits for the first to leave the window; the later ones wait too unless the
    // call they follow left in the meantime (one after another, the calls keep the rhythm
    // of the first four).
    assert!(
        (1..=4).contains(&stats.throttle_waits),
        "{}",
        stats.throttle_waits
    );
    assert!(stats.throttle_wait_time > Duration::ZERO);
    assert_eq!(fake.state().token_requests(), 1);
}

#[tokio::test]
async fn in_flight_requests_are_bounded() {
    let (fake, client) = setup_with(FakeLogtoConfig::default(), |c| {
        c.max_in_flight = 2;
    })
    .await;
    client.token_is_obtainable().await.unwrap();
    fake.state().set_latency(Duration::from_millis(150));
    let t = Instant::now();
    let calls = (0..6).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.list_users(&UserQuery::default()).await })
    });
    for c in futures::future::join_all(calls).await {
        c.unwrap().unwrap();
    }
    // 6 calls, 2 at a time, 150 ms each: at least 3 rounds.
    assert!(
        t.elapsed() >= Duration::from_millis(450),
        "{:?}",
        t.elapsed()
    );
}
