//! The machine-to-machine token: requested once, cached, refreshed before expiry (on a manual
//! clock), dropped when revoked.

use super::*;

#[tokio::test]
async fn concurrent_calls_share_one_token_request() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let id = user(&st, "alice", "Alice");
    // Slow answers make the 50 calls really overlap the token request.
    st.set_latency(Duration::from_millis(30));
    let calls = (0..50).map(|_| {
        let client = client.clone();
        let id = id.clone();
        tokio::spawn(async move { client.get_user(&id).await })
    });
    for c in futures::future::join_all(calls).await {
        assert_eq!(c.unwrap().unwrap().username.as_deref(), Some("alice"));
    }
    assert_eq!(st.token_requests(), 1);
    let stats = client.stats();
    assert_eq!(stats.token_refreshes, 1);
    assert_eq!(stats.calls_with_status("GET /api/users/{userId}", 200), 50);
    assert_eq!(stats.calls_with_status("POST /oidc/token", 200), 1);
}

#[tokio::test]
async fn token_request_is_client_credentials_with_basic_auth() {
    let (fake, client) = setup().await;
    client.token_is_obtainable().await.unwrap();
    let req = received(&fake.state(), "POST", "/oidc/token")
        .pop()
        .unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(req.body.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("grant_type"), Some("client_credentials"));
    assert_eq!(get("scope"), Some("all"));
    assert_eq!(get("resource"), Some(RESOURCE));
    // Credentials travel in the Basic header, never in the form.
    assert_eq!(get("client_secret"), None);
    assert_eq!(get("client_id"), None);
}

/// Headers as the stub saw them, and a gzip-compressed answer to decode.
#[tokio::test]
async fn sends_bearer_and_accepts_gzip() {
    use axum::http::HeaderMap;
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let users: Vec<Value> = (0..30)
        .map(|i| json!({"id": format!("u{i}"), "username": format!("user{i}"), "createdAt": 1, "updatedAt": 1}))
        .collect();
    let app = {
        let seen = seen.clone();
        axum::Router::new()
            .route(
                "/oidc/token",
                axum::routing::post(|| async {
                    axum::Json(json!({"access_token": "tok-123", "expires_in": 3600, "token_type": "Bearer", "scope": "all"}))
                }),
            )
            .route(
                "/api/users",
                axum::routing::get(move |headers: HeaderMap| async move {
                    seen.lock().unwrap().push(headers);
                    ([("total-number", "30")], axum::Json(Value::Array(users)))
                }),
            )
            .layer(tower_http::compression::CompressionLayer::new())
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = LogtoClient::new(config(&format!("http://{addr}"))).unwrap();
    let page = client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(page.items.len(), 30);
    assert_eq!(page.total, 30);
    let headers = seen.lock().unwrap().pop().unwrap();
    assert_eq!(headers["authorization"], "Bearer tok-123");
    assert!(headers["accept-encoding"]
        .to_str()
        .unwrap()
        .contains("gzip"));
}

#[tokio::test]
async fn token_is_cached_and_refreshed_before_expiry() {
    let fake_cfg = FakeLogtoConfig {
        access_token_ttl_secs: 2,
        ..Default::default()
    };
    let time = ManualClock::starting_now();
    let (fake, client) = setup_with(fake_cfg, |c| c.clock = time.clock()).await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    client.list_users(&UserQuery::default()).await.unwrap();
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(st.token_requests(), 1);
    // A 2 s token is replaced after half its life, while still valid:
    // no call ever meets a 401.
    time.advance(Duration::from_millis(1200));
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(st.token_requests(), 2);
    assert_eq!(client.stats().auth_retries, 0);
    assert!(st.api_requests().iter().all(|r| r.path == "/api/users"));
}

#[tokio::test]
async fn failed_early_refresh_keeps_the_valid_token() {
    let fake_cfg = FakeLogtoConfig {
        access_token_ttl_secs: 2,
        ..Default::default()
    };
    let time = ManualClock::starting_now();
    let (fake, client) = setup_with(fake_cfg, |c| c.clock = time.clock()).await;
    let st = fake.state();
    client.list_users(&UserQuery::default()).await.unwrap();
    // 500 is not retried, so each refresh attempt is one quick request.
    st.set_token_endpoint_failure(Some(500));
    time.advance(Duration::from_millis(1200));
    // Refresh is due and fails, but the token has ~0.8 s left: the call works.
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(st.token_requests(), 2);
    time.advance(Duration::from_millis(1000));
    // Now it has expired: the refresh error surfaces.
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    st.set_token_endpoint_failure(None);
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(client.stats().auth_retries, 0);
}

#[tokio::test]
async fn revoked_token_is_dropped_and_the_call_retried_once() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.list_users(&UserQuery::default()).await.unwrap();
    st.revoke_access_tokens();
    st.clear_requests();
    let page = client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(page.total, 0);
    assert_eq!(st.token_requests(), 2);
    assert_eq!(received(&st, "GET", "/api/users").len(), 2);
    assert_eq!(client.stats().auth_retries, 1);
}

#[tokio::test]
async fn a_second_401_is_returned_not_looped() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.fail_next_api(5, 401);
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("auth.unauthorized"));
    assert_eq!(received(&st, "GET", "/api/users").len(), 2);
    assert_eq!(st.token_requests(), 2);
}

#[tokio::test]
async fn token_without_scope_all_is_a_config_error() {
    let url = stub_logto(
        json!({"access_token": "opaque", "expires_in": 3600, "token_type": "Bearer"}),
        403,
        json!({"code": "auth.forbidden", "message": "Forbidden."}),
    )
    .await;
    let client = LogtoClient::new(config(&url)).unwrap();
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    let LogtoError::Config(msg) = &err else {
        panic!("expected Config, got {err:?}");
    };
    assert!(msg.contains("scope `all`"), "{msg}");
    assert!(msg.contains("Management API"), "{msg}");
    assert!(matches!(
        client.token_is_obtainable().await,
        Err(LogtoError::Config(_))
    ));
    assert_eq!(client.stats().token_failures, 2);

    let report = client.check().await;
    assert!(!report.ok);
    assert!(report.lines[0].ok, "{report}");
    assert!(!report.lines[1].ok);
    assert!(report.lines[1].text.contains("role"), "{report}");
}

#[tokio::test]
async fn token_endpoint_failures_map_to_errors() {
    let (fake, client) = setup().await;
    let st = fake.state();
    st.set_token_endpoint_failure(Some(500));
    let err = client.token_is_obtainable().await.unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    // 500 is not retried.
    assert_eq!(st.token_requests(), 1);
    st.set_token_endpoint_failure(None);
    client.token_is_obtainable().await.unwrap();
    assert_eq!(st.token_requests(), 2);
}

#[tokio::test]
async fn wrong_credentials_are_config_errors() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let mut cfg = config(&fake.url());
    cfg.app_secret = Secret::new("wrong");
    let client = LogtoClient::new(cfg).unwrap();
    let err = client.get_user("x").await.unwrap_err();
    match &err {
        LogtoError::Config(m) => assert!(m.contains("secret"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err:?}").contains("wrong"));
}
