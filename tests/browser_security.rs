//! The account security page in headless Chromium: a person proves it is them, sets up an
//! authenticator app with a code computed from the key the page shows (the QR code loads under
//! the CSP), signs out and signs in again through the fake Logto with a code from that key.
//! The page passes the axe audit in both languages and both themes, and fits 390 px.

mod common;

use std::time::Duration;

use common::browser::Chrome;
use common::TestApp;
use fake_logto::NewUser;
use logto_portal::security::totp::TotpSecret;

async fn type_into(chrome: &Chrome, css: &str, text: &str) {
    let el = chrome.wait_for(css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn click(chrome: &Chrome, css: &str) {
    chrome.wait_for(css).await.click().await.unwrap();
}

fn now_ms() -> i64 {
    logto_portal::clock::system_now_ms()
}

fn person(app: &TestApp, username: &str) -> String {
    app.fake.state().create_user(NewUser {
        username: Some(username.into()),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    })
}

/// Signs in, opens the security page and proves it with the password.
async fn open_security(chrome: &Chrome, app: &TestApp, username: &str) {
    chrome.sign_in_to(app, username, "/profile/security").await;
    type_into(chrome, "#security-current-password", &app.seed.password).await;
    click(chrome, "#security-proof button[type=submit]").await;
    chrome.wait_for("#security-totp").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_an_authenticator_then_sign_in_again_with_its_code() {
    let app = common::spawn_app().await;
    let id = person(&app, "browser_totp");
    let chrome = Chrome::start(true).await;
    open_security(&chrome, &app, "browser_totp").await;

    click(&chrome, "#security-totp .section-head button").await;
    let key = chrome
        .wait_for("#security-totp-secret")
        .await
        .text()
        .await
        .unwrap();
    let secret = TotpSecret::parse(&key).expect("the page shows the key");
    // The QR code is an image from the portal itself, allowed by the CSP, and it loaded.
    let mut loaded = false;
    for _ in 0..100 {
        let width = chrome
            .driver
            .execute(
                "const i = document.querySelector('img.security-qr'); return i && i.complete ? i.naturalWidth : 0;",
                vec![],
            )
            .await
            .unwrap();
        if width.json().as_i64().unwrap_or(0) > 0 {
            loaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(loaded, "the QR code image loads");

    type_into(&chrome, "#security-totp-code", &secret.code_at(now_ms())).await;
    click(&chrome, "#security-totp form button.primary").await;
    let done = chrome.wait_for("#security-totp .alert-success").await;
    assert!(done.text().await.unwrap().contains("set up"));
    assert_eq!(
        app.fake.state().totp_secret(&id).as_deref(),
        Some(secret.base32().expose())
    );

    // Sign out, then in again: the fake Logto asks for a code from the app.
    click(&chrome, ".topbar .account button").await;
    chrome
        .wait_until_url_starts_with(&format!("{}/signed-out", app.url))
        .await;
    chrome
        .driver
        .goto(format!("{}/sign-in?return_to=%2Fprofile", app.url))
        .await
        .unwrap();
    type_into(&chrome, "#identifier", "browser_totp").await;
    type_into(&chrome, "#password", &app.seed.password).await;
    click(&chrome, "#sign-in").await;
    type_into(&chrome, "#code", &secret.code_at(now_ms())).await;
    click(&chrome, "#verify").await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;
    chrome.wait_for("#profile-security-link").await;
    chrome.quit().await;
}

/// A new person, proven, with an authenticator, a passkey and a token (added after the
/// sign-in, so it asks for no code), on the security page.
async fn full_page(chrome: &Chrome, app: &TestApp, username: &str) {
    let id = person(app, username);
    open_security(chrome, app, username).await;
    let st = app.fake.state();
    st.add_totp(&id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    st.add_passkey(&id, Some("Phone"), "Safari on iOS");
    st.add_personal_access_token(&id, "deploy", None);
    chrome
        .load(
            &format!("{}/profile/security", app.url),
            "#security-totp-bound",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_passes_the_accessibility_audit_and_fits_a_phone() {
    let app = common::spawn_app().await;
    let mut problems = Vec::new();
    for dark in [false, true] {
        let chrome = Chrome::start_with(true, dark, (1280, 1000)).await;
        full_page(&chrome, &app, &format!("browser_axe_{dark}")).await;
        for lang in ["en", "zh-TW"] {
            chrome
                .load(
                    &format!("{}/lang/{lang}?return_to=/profile/security", app.url),
                    "#security-tokens",
                )
                .await;
            for v in chrome.accessibility_violations().await {
                problems.push(format!("{lang} dark={dark}: {v}"));
            }
            // A token just made, with its value shown once.
            type_into(&chrome, "#security-token-name", &format!("t-{lang}-{dark}")).await;
            click(&chrome, ".security-token-create button[type=submit]").await;
            chrome.wait_for("#security-token-value").await;
            for v in chrome.accessibility_violations().await {
                problems.push(format!("{lang} dark={dark} new token: {v}"));
            }
        }
        chrome.quit().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let chrome = Chrome::start_with(true, false, (390, 844)).await;
    full_page(&chrome, &app, "browser_axe_narrow").await;
    let width = chrome.page_width().await;
    assert!(width <= 390, "the page is {width} px wide at 390 px");
    chrome.quit().await;
}
