//! `/metrics` (Prometheus) and request ids that tie a response to its audit entry.

mod common;

use common::{spawn_app, Spawn};
use logto_portal::audit::Filter;
use reqwest::StatusCode;

#[tokio::test]
async fn metrics_count_requests_logto_calls_and_tokens() {
    let app = spawn_app().await;
    let member = app.member().await;
    let _ = member.get("/").await;
    // Loopback without a configured token may read the metrics.
    let (status, text) = app.browser().get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains(
            "portal_http_requests_total{method=\"GET\",route=\"/callback\",status=\"303\"}"
        ),
        "{text}"
    );
    assert!(text.contains(
        "portal_http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"+Inf\"}"
    ));
    assert!(
        text.contains(
            "portal_logto_api_calls_total{endpoint=\"GET /api/users/{userId}\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("portal_logto_token_refreshes_total 1"),
        "{text}"
    );
    assert!(text.contains("portal_logto_throttle_waits_total"));
    assert!(text.contains("portal_logto_rate_limited_total"));
    // Route templates, never raw paths with ids.
    assert!(!text.contains(&app.user_id(&app.seed.member_username)));
    // Behind a proxy (X-Forwarded-For) the loopback rule does not apply.
    let r = app
        .browser()
        .client
        .get(format!("{}/metrics", app.url))
        .header("X-Forwarded-For", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn metrics_token_protects_the_endpoint() {
    let app = Spawn::default()
        .env("PORTAL_METRICS_TOKEN", "metrics-s3cret")
        .start()
        .await;
    let b = app.browser();
    assert_eq!(b.get("/metrics").await.status(), StatusCode::FORBIDDEN);
    let r = b
        .client
        .get(format!("{}/metrics", app.url))
        .header("Authorization", "Bearer wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .client
        .get(format!("{}/metrics", app.url))
        .header("Authorization", "Bearer metrics-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_id_is_in_the_response_and_the_audit_trail() {
    let app = spawn_app().await;
    let member = app.member().await;
    let r = member.post_without_csrf("/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains(&id), "the error page shows the request id");
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some("security.csrf_refused".into()),
                ..Default::default()
            },
            1,
            5,
        )
        .await
        .unwrap();
    assert_eq!(entries[0].request_id.as_deref(), Some(id.as_str()));
}
