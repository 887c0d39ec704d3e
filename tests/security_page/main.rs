//! The account security page `/profile/security`, through real HTTP against the fake Logto (run
//! with `FAKE_LOGTO_VERSION=1.37` and `=1.42`): the proof of identity in front of it, the parts
//! this Logto has, the authenticator app, backup codes, passkeys and personal access tokens,
//! and that every change lands in the audit trail without a secret.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use common::{texts, Browser, Spawn, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::{Entry, Filter};
use logto_portal::security::totp::TotpSecret;
use reqwest::StatusCode;
use serde_json::Value;

mod factors;
mod portal_sessions;
mod tokens_and_sessions;

fn text(html: &str, css: &str) -> String {
    texts(html, css).join(" | ")
}

fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    common::attrs(html, css, name).into_iter().next()
}

async fn body(r: reqwest::Response) -> (StatusCode, String) {
    let s = r.status();
    (s, r.text().await.unwrap())
}

async fn audit_of(app: &TestApp, action: &str) -> Vec<Entry> {
    app.state
        .audit
        .list(&Filter::default(), 1, 500)
        .await
        .unwrap()
        .0
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

fn details(e: &Entry) -> Value {
    serde_json::from_str(&e.details).unwrap()
}

async fn app() -> TestApp {
    Spawn::default().manual_clock().start().await
}

/// A person of our own with a password, signed in (not yet proven for the page).
async fn person(app: &TestApp, username: &str) -> (String, Browser) {
    let id = app.fake.state().create_user(NewUser {
        username: Some(username.into()),
        name: Some(format!("{username} person")),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    });
    (id, app.sign_in(username).await)
}

/// Signed in and proven with the password: the page is open.
async fn proven(app: &TestApp, username: &str) -> (String, Browser) {
    let (id, b) = person(app, username).await;
    let r = b
        .post_form(
            "/profile/security/proof",
            &[("current_password", &app.seed.password)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    (id, b)
}

fn shown_secret(html: &str) -> TotpSecret {
    TotpSecret::parse(&text(html, "#security-totp-secret")).expect("the page shows the key")
}

fn code_now(app: &TestApp, secret: &TotpSecret) -> String {
    secret.code_at(app.state.clock.now_ms())
}

/// Sets up the authenticator app through the page; returns the key it showed.
async fn enrol(app: &TestApp, b: &Browser) -> TotpSecret {
    let (status, html) = body(b.post_form("/profile/security/totp", &[]).await).await;
    assert_eq!(status, StatusCode::OK);
    let secret = shown_secret(&html);
    let code = code_now(app, &secret);
    let (status, html) = body(
        b.post_form("/profile/security/totp/confirm", &[("code", &code)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text(&html, "#security-totp .alert-success").contains("set up"));
    secret
}

fn fake_factors(app: &TestApp, id: &str, kind: &str) -> Vec<Value> {
    app.fake
        .state()
        .mfa_verifications(id)
        .into_iter()
        .filter(|v| v["type"] == kind)
        .collect()
}
