//! Page protection: anonymous requests, sign-out, CSRF, security headers, sessions across restarts.

use super::*;

#[tokio::test]
async fn anonymous_pages_redirect_and_fragments_get_401() {
    let app = spawn_app().await;
    let anon = app.browser();
    let r = anon.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/sign-in?return_to=%2Fprofile");
    let r = anon.get_htmx("/users?page=2").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let hx = r.headers().get("hx-redirect").unwrap().to_str().unwrap();
    assert!(hx.starts_with("/sign-in?return_to="), "{hx}");
}

#[tokio::test]
async fn sign_out_ends_the_session_everywhere_and_at_logto() {
    let app = spawn_app().await;
    let member = app.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    let r = member.post_form("/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let target = url::Url::parse(&location(&r)).unwrap();
    assert!(
        target
            .as_str()
            .starts_with(&format!("{}/oidc/session/end", app.fake.url())),
        "{target}"
    );
    let q: std::collections::HashMap<_, _> = target.query_pairs().into_owned().collect();
    assert_eq!(
        q["post_logout_redirect_uri"],
        format!("{}/signed-out", app.url)
    );
    assert_eq!(q["client_id"], "portal-web");
    assert!(q.contains_key("id_token_hint"));
    // The portal session is gone.
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
    let (status, html) = member.get_text("/signed-out").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You are signed out"));
}

#[tokio::test]
async fn csrf_is_required_for_state_changes() {
    let app = spawn_app().await;
    let member = app.member().await;
    let r = member.post_without_csrf("/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert!(html.contains("Your form expired"), "{html}");
    let r = member
        .post_without_csrf("/sign-out", &[("_csrf", "wrong")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = member
        .client
        .post(member.url("/sign-out"))
        .header("X-CSRF-Token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Still signed in, and the refusals are in the audit trail.
    assert_eq!(home_location(&member).await.1, "/profile");
    let (entries, total) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some("security.csrf_refused".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(total, 3);
    assert!(entries
        .iter()
        .all(|e| e.result == "failure" && e.actor_id.is_some()));
    // With the token (header, as htmx sends it) it works.
    let r = member.post_htmx("/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_response_has_strict_security_headers() {
    let app = spawn_app().await;
    let r = app.browser().get("/").await;
    let h = r.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("style-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    assert!(h.get("x-request-id").is_some());
    assert!(
        !h.contains_key("strict-transport-security"),
        "no HSTS on http"
    );
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style=\""),
        "no inline script/style"
    );
    assert!(!html.contains(" onclick="), "no inline handlers");
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let first = spawn_app().await;
    let member = first.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    let database_url = first.database_url.clone();
    let fake_url = first.fake.url();
    // The same portal restarted on the same database (on another port: cookies are per host).
    let restarted = Spawn::default()
        .database_url(database_url)
        .env("LOGTO_ENDPOINT", fake_url)
        .start()
        .await;
    let r = member
        .client
        .get(format!("{}/", restarted.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile");
}
