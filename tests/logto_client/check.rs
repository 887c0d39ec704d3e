//! `check()`: explaining wrong settings.

use super::*;

#[tokio::test]
async fn check_reports_success() {
    let (fake, client) = setup().await;
    user(&fake.state(), "x", "X");
    let report = client.check().await;
    assert!(report.ok, "{report}");
    assert_eq!(report.lines.len(), 3);
    assert!(report.lines[2].text.contains("1 users"), "{report}");
    assert!(received(&fake.state(), "GET", "/api/users")
        .iter()
        .any(|r| r.query == "page=1&page_size=1"));
}

#[tokio::test]
async fn check_explains_wrong_settings() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let run = |tweak: fn(&mut LogtoClientConfig)| {
        let mut cfg = config(&fake.url());
        tweak(&mut cfg);
        async move { LogtoClient::new(cfg).unwrap().check().await }
    };

    let r = run(|c| c.app_secret = Secret::new("nope")).await;
    assert!(!r.ok);
    assert!(r.lines[0].text.contains("401 invalid_client"), "{r}");
    assert!(r.lines[0].text.contains("secret"), "{r}");

    let r = run(|c| c.app_id = "nosuchapp".into()).await;
    assert!(r.lines[0].text.contains("400 invalid_client"), "{r}");
    assert!(r.lines[0].text.contains("app id"), "{r}");

    let r = run(|c| c.resource = "https://nope.example/api".into()).await;
    assert!(r.lines[0].text.contains("invalid_target"), "{r}");
    assert!(r.lines[0].text.contains("resource indicator"), "{r}");
    assert_eq!(r.lines.len(), 1);

    // The app lacks the Management API role: 403 auth.forbidden from the API.
    fake.state().fail_next_api(1, 403);
    let r = run(|_| {}).await;
    assert!(!r.ok);
    assert!(r.lines[0].ok && r.lines[1].ok);
    assert!(r.lines[2].text.contains("403 auth.forbidden"), "{r}");
    assert!(r.lines[2].text.contains("role"), "{r}");
}

#[tokio::test]
async fn check_explains_unreachable_endpoint() {
    // A port that was free a moment ago: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = LogtoClient::new(config(&format!("http://127.0.0.1:{port}"))).unwrap();
    let r = client.check().await;
    assert!(!r.ok);
    assert_eq!(r.lines.len(), 1);
    assert!(r.lines[0].text.contains("unreachable"), "{r}");
    assert!(r.lines[0].text.contains(&port.to_string()), "{r}");

    let client = LogtoClient::new(config("http://no-such-host.invalid")).unwrap();
    let r = client.check().await;
    assert!(r.lines[0].text.contains("unreachable"), "{r}");
}
