//! Fault injection, request recording and stop/resume.

mod common;

use common::{client, m2m_token, TestLogto};
use serde_json::Value;
use std::time::{Duration, Instant};

#[tokio::test]
async fn injected_api_failures() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    st.fail_next_api(2, 429);
    let r = t.get("/api/users").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.code(), "request.rate_limited");
    assert!(r.header("retry-after").is_none());
    st.set_retry_after(Some(3));
    assert_eq!(
        t.get("/api/users").await.header("retry-after").as_deref(),
        Some("3")
    );
    assert_eq!(t.get("/api/users").await.status, 200, "only the next n");
    st.fail_next_api(1, 500);
    let r = t.get("/api/users").await;
    assert_eq!(
        (r.status.as_u16(), r.json()["message"].as_str()),
        (500, Some("Internal server error."))
    );
    st.fail_next_api(1, 503);
    assert_eq!(t.get("/api/users").await.status, 503);
    // token endpoint is not an /api/ request
    st.fail_next_api(1, 502);
    let tok = m2m_token(&t.http, &t.url(), Some("all")).await;
    assert!(!tok.is_empty());
    assert_eq!(t.get("/api/users").await.status, 502);
    // random failures
    st.set_api_failure_rate(503, 1.0);
    assert_eq!(t.get("/api/users").await.status, 503);
    st.set_api_failure_rate(503, 0.0);
    assert_eq!(t.get("/api/users").await.status, 200);
}

#[tokio::test]
async fn token_failures_revocation_and_counting() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let n = st.token_requests();
    st.set_token_endpoint_failure(Some(503));
    let r = t
        .http
        .post(format!("{}/oidc/token", t.url()))
        .basic_auth("portal-m2m", Some("m2m-secret"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", "https://default.logto.app/api"),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(st.token_requests(), n + 1, "failures count too");
    st.set_token_endpoint_failure(None);
    // revocation → 401, a new token works
    st.revoke_access_tokens();
    let r = t.get("/api/users").await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (401, "auth.unauthorized".into())
    );
    let fresh = m2m_token(&t.http, &t.url(), Some("all")).await;
    let r = t
        .http
        .get(format!("{}/api/users", t.url()))
        .bearer_auth(fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn requests_are_recorded_and_latency_applies() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    st.clear_requests();
    t.get("/api/users?search=%25a%25&page=1").await;
    t.post("/api/organizations", serde_json::json!({"name": "R"}))
        .await;
    let all = st.requests();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (
            all[0].method.as_str(),
            all[0].path.as_str(),
            all[0].query.as_str()
        ),
        ("GET", "/api/users", "search=%25a%25&page=1")
    );
    assert!(all[1].body.contains("\"R\""));
    t.http
        .get(format!("{}/oidc/jwks", t.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(st.requests().len(), 3);
    assert_eq!(st.api_requests().len(), 2);
    st.set_latency(Duration::from_millis(150));
    let start = Instant::now();
    t.get("/api/users").await;
    assert!(start.elapsed() >= Duration::from_millis(150));
    st.set_latency(Duration::ZERO);
}

#[tokio::test]
async fn stop_and_resume_keep_port_and_state() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let org = st.create_organization("Kept", None);
    let url = t.url();
    // a pooled keep-alive connection exists
    assert_eq!(t.get("/api/users").await.status, 200);
    t.logto.stop().await;
    let addr = url.trim_start_matches("http://").to_string();
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "connection refused while stopped"
    );
    let fresh = client();
    assert!(fresh.get(format!("{url}/api/users")).send().await.is_err());
    assert!(
        t.http.get(format!("{url}/api/users")).send().await.is_err(),
        "pooled connection dropped too"
    );
    t.logto.resume().await;
    assert_eq!(t.logto.url(), url);
    let r = t.get(&format!("/api/organizations/{org}")).await;
    assert_eq!(r.status, 200, "same state, token still valid");
    let v: Value = r.json();
    assert_eq!(v["name"], "Kept");
    t.logto.resume().await; // idempotent
    t.logto.stop().await;
    t.logto.stop().await; // idempotent
    t.logto.resume().await;
    assert_eq!(t.get("/api/users").await.status, 200);
}
