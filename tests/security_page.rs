//! The account security page `/profile/security`, through real HTTP against the fake Logto (run
//! with `FAKE_LOGTO_VERSION=1.37` and `=1.42`): the proof of identity in front of it, the parts
//! this Logto has, the authenticator app, backup codes, passkeys and personal access tokens,
//! and that every change lands in the audit trail without a secret.

mod common;

use std::time::Duration;

use common::{texts, Browser, Spawn, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::{Entry, Filter};
use logto_portal::security::totp::TotpSecret;
use reqwest::StatusCode;
use serde_json::Value;

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

#[tokio::test]
async fn the_page_asks_for_the_password_first_and_again_after_ten_minutes() {
    let app = app().await;
    let (id, b) = person(&app, "gate_gary").await;
    let (status, html) = b.get_text("/profile/security").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"security-current-password\""), "{html}");
    assert!(
        !html.contains("id=\"security-totp\""),
        "parts hidden until proven"
    );

    // A change without the proof is refused and nothing reaches Logto.
    let r = b
        .post_form(
            "/profile/security/tokens",
            &[("name", "ci"), ("expiry", "30")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.fake.state().personal_access_token_names(&id).is_empty());

    let (status, html) = body(
        b.post_form("/profile/security/proof", &[("current_password", "wrong")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-proof-error").contains("not your current password"));
    let failed = audit_of(&app, "security.reauthenticate").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].result, "failure");

    let (status, html) = body(
        b.post_form(
            "/profile/security/proof",
            &[("current_password", &app.seed.password)],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"security-totp\""), "{html}");
    let ok: Vec<Entry> = audit_of(&app, "security.reauthenticate")
        .await
        .into_iter()
        .filter(|e| e.result == "success")
        .collect();
    assert_eq!(details(&ok[0])["method"], "password");

    // Within ten minutes the page stays open; after them it asks again.
    app.advance_clock(Duration::from_secs(9 * 60));
    assert!(b
        .get_text("/profile/security")
        .await
        .1
        .contains("id=\"security-totp\""));
    app.advance_clock(Duration::from_secs(2 * 60));
    let (_, html) = b.get_text("/profile/security").await;
    assert!(html.contains("id=\"security-current-password\""));
}

#[tokio::test]
async fn parts_follow_what_this_logto_declares() {
    let app = app().await;
    let (_, b) = proven(&app, "caps_cara").await;
    let (_, html) = b.get_text("/profile/security").await;
    let minor = fake_logto::LogtoVersion::from_env().minor();
    let missing = text(&html, ".security-missing");
    if minor < 38 {
        assert!(missing.contains("Logto 1.38 or later"), "{missing}");
    } else {
        assert!(missing.is_empty(), "{missing}");
    }
    assert!(html.contains("id=\"security-tokens\""));
    assert!(html.contains("id=\"security-passkeys\""));
}

#[tokio::test]
async fn an_authenticator_is_set_up_with_a_current_code_replaced_and_removed() {
    let app = app().await;
    let (id, b) = proven(&app, "totp_tina").await;
    let (_, html) = body(b.post_form("/profile/security/totp", &[]).await).await;
    let secret = shown_secret(&html);
    assert_eq!(
        attr(&html, "img.security-qr", "src").as_deref(),
        Some("/profile/security/totp/qr.svg")
    );
    let qr = b.get("/profile/security/totp/qr.svg").await;
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert_eq!(qr.headers()["cache-control"], "no-store");
    assert!(qr.text().await.unwrap().starts_with("<svg"));

    // A wrong code: nothing is saved, the message is at the field.
    let wrong = if code_now(&app, &secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (status, html) = body(
        b.post_form("/profile/security/totp/confirm", &[("code", wrong)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-totp-error").contains("does not match"));
    assert!(fake_factors(&app, &id, "Totp").is_empty());
    // The step before still counts (±1 step).
    let previous = secret.code_at(app.state.clock.now_ms() - 30_000);
    let (status, html) = body(
        b.post_form("/profile/security/totp/confirm", &[("code", &previous)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        app.fake.state().totp_secret(&id).as_deref(),
        Some(secret.base32().expose())
    );
    assert!(html.contains("id=\"security-totp-bound\""));
    assert!(
        !html.contains("security-totp-secret"),
        "the key is gone once saved"
    );

    // Replace: a new key, the old one removed.
    let second = enrol(&app, &b).await;
    assert_ne!(second, secret);
    assert_eq!(fake_factors(&app, &id, "Totp").len(), 1);
    assert_eq!(
        app.fake.state().totp_secret(&id).as_deref(),
        Some(second.base32().expose())
    );
    let enrolled = audit_of(&app, "security.totp_enrol").await;
    assert_eq!(enrolled.len(), 2);
    let replaced: Vec<bool> = enrolled
        .iter()
        .map(|e| details(e)["replaced"].as_bool().unwrap())
        .collect();
    assert!(replaced.contains(&true) && replaced.contains(&false));
    for e in &enrolled {
        assert!(!e.details.contains(second.base32().expose()));
        assert!(!e.details.contains(secret.base32().expose()));
    }

    // Remove: the row menu asks in place, then the factor goes.
    let vid = fake_factors(&app, &id, "Totp")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, html) = body(
        b.get_htmx(&format!("/profile/security?confirm=totp&id={vid}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<main"));
    assert!(text(&html, "#security-totp .confirm-question").contains("Remove the authenticator"));
    let (status, html) = body(
        b.post_form("/profile/security/factors/remove", &[("id", &vid)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html, "#security-totp .alert-success").contains("removed"));
    assert!(fake_factors(&app, &id, "Totp").is_empty());
    let removed = audit_of(&app, "security.totp_remove").await;
    assert_eq!(details(&removed[0])["verificationId"], vid.as_str());
}

#[tokio::test]
async fn backup_codes_are_shown_once_downloaded_once_and_regenerated() {
    let app = app().await;
    let (id, b) = proven(&app, "backup_bea").await;
    // Alone they are not offered.
    let (_, html) = b.get_text("/profile/security").await;
    assert!(text(&html, "#security-backup").contains("authenticator app first"));
    assert!(!html.contains("action=\"/profile/security/backup-codes\""));

    enrol(&app, &b).await;
    let (status, html) = body(b.post_form("/profile/security/backup-codes", &[]).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let codes = texts(&html, "#security-new-codes code");
    assert_eq!(codes.len(), 10);
    assert!(text(&html, "#security-backup-left").contains("10 unused codes"));
    assert_eq!(fake_factors(&app, &id, "BackupCode").len(), 1);

    // Shown once: the page again does not show them.
    let (_, again) = b.get_text("/profile/security").await;
    assert!(!again.contains(&codes[0]));

    // The download, once.
    let r = b.post_form("/profile/security/backup-codes.txt", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let file = r.text().await.unwrap();
    for c in &codes {
        assert!(file.contains(c.as_str()));
    }
    assert!(file.contains("backup_bea"));
    let (status, html) = body(b.post_form("/profile/security/backup-codes.txt", &[]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-backup .alert-error").contains("only once"));

    // Regenerate: a new set replaces the old.
    let (_, html) = body(b.post_form("/profile/security/backup-codes", &[]).await).await;
    let fresh = texts(&html, "#security-new-codes code");
    assert_eq!(fresh.len(), 10);
    assert_ne!(fresh, codes);
    assert_eq!(fake_factors(&app, &id, "BackupCode").len(), 1);
    let made = audit_of(&app, "security.backup_codes_generate").await;
    assert_eq!(made.len(), 2);
    for e in &made {
        assert_eq!(details(e)["count"], 10);
        for c in codes.iter().chain(&fresh) {
            assert!(!e.details.contains(c.as_str()));
        }
    }
    assert!(made.iter().any(|e| details(e)["replaced"] == 10));
}

#[tokio::test]
async fn passkeys_are_listed_and_removed() {
    let app = app().await;
    let (id, b) = proven(&app, "passkey_pia").await;
    let pk = app
        .fake
        .state()
        .add_passkey(&id, Some("Work laptop"), "Chrome on macOS");
    let (_, html) = b.get_text("/profile/security").await;
    assert!(text(&html, "#security-passkeys").contains("added when you sign in"));
    assert!(text(&html, "#security-passkeys li").contains("Work laptop"));
    let (_, html) = b
        .get_text(&format!("/profile/security?confirm=passkey&id={pk}"))
        .await;
    assert!(text(&html, "#security-passkeys .confirm-question").contains("Work laptop"));
    let (status, html) = body(
        b.post_form("/profile/security/factors/remove", &[("id", &pk)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html, "#security-passkeys .alert-success").contains("removed"));
    assert!(fake_factors(&app, &id, "WebAuthn").is_empty());
    let e = &audit_of(&app, "security.passkey_remove").await[0];
    assert_eq!(details(e)["name"], "Work laptop");

    // Someone else's factor id is not theirs to remove.
    let other = app.user_id(&app.seed.member_username.clone());
    let theirs = app.fake.state().add_passkey(&other, None, "Safari");
    let before = fake_factors(&app, &other, "WebAuthn").len();
    let (status, _) = body(
        b.post_form("/profile/security/factors/remove", &[("id", &theirs)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fake_factors(&app, &other, "WebAuthn").len(), before);
}

#[tokio::test]
async fn tokens_are_created_shown_once_renamed_and_deleted() {
    let app = app().await;
    let (id, b) = proven(&app, "token_tom").await;
    let (_, html) = b.get_text("/profile/security").await;
    assert!(text(&html, "#security-tokens .empty-state").contains("No tokens"));

    let (status, html) = body(
        b.post_form(
            "/profile/security/tokens",
            &[("name", "  "), ("expiry", "30")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-token-error").contains("name"));

    let (status, html) = body(
        b.post_form(
            "/profile/security/tokens",
            &[("name", "ci"), ("expiry", "30")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let value = attr(&html, "#security-token-value", "value").unwrap();
    assert!(!value.is_empty());
    assert!(html.contains("data-select-on-focus"));
    assert!(html.contains("readonly"));
    assert_eq!(app.fake.state().personal_access_token_names(&id), ["ci"]);
    let created = &audit_of(&app, "security.token_create").await[0];
    assert_eq!(details(created)["name"], "ci");
    let expires = details(created)["expiresAt"].as_i64().unwrap();
    assert_eq!(expires, app.state.clock.now_ms() + 30 * 86_400_000);
    assert!(!created.details.contains(&value));
    // Listed, never with the value again.
    let (_, html) = b.get_text("/profile/security").await;
    assert!(text(&html, "table.security-tokens").contains("ci"));
    assert!(!html.contains(&value));

    // The same name again is refused at the form.
    let (status, html) = body(
        b.post_form(
            "/profile/security/tokens",
            &[("name", "ci"), ("expiry", "never")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-token-error").contains("already have a token"));

    // Rename in place.
    let (_, html) = b.get_text("/profile/security?rename=ci").await;
    assert_eq!(
        attr(&html, "#security-token-rename", "value").as_deref(),
        Some("ci")
    );
    let (status, html) = body(
        b.post_form(
            "/profile/security/tokens/rename",
            &[("current", "ci"), ("name", "deploy")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html, "#security-tokens .alert-success").contains("deploy"));
    assert_eq!(
        app.fake.state().personal_access_token_names(&id),
        ["deploy"]
    );
    let renamed = &audit_of(&app, "security.token_rename").await[0];
    assert_eq!(
        (
            details(renamed)["from"].as_str(),
            details(renamed)["to"].as_str()
        ),
        (Some("ci"), Some("deploy"))
    );

    // Delete after a confirmation in place.
    let (_, html) = b
        .get_text("/profile/security?confirm=token&id=deploy")
        .await;
    assert!(text(&html, "#security-tokens .confirm-question").contains("deploy"));
    let (status, _) = body(
        b.post_form("/profile/security/tokens/delete", &[("name", "deploy")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(app.fake.state().personal_access_token_names(&id).is_empty());
    assert_eq!(audit_of(&app, "security.token_delete").await.len(), 1);
}

/// The page (proof, then every part with something in it) and its htmx fragment, in both
/// languages, as reviewed snapshots.
#[tokio::test]
async fn the_page_is_a_snapshot_in_both_languages() {
    let app = app().await;
    let (id, b) = person(&app, "snap_sam").await;
    let st = app.fake.state();
    st.add_totp(&id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    st.add_backup_codes(
        &id,
        &[
            "1111111111",
            "2222222222",
            "3333333333",
            "4444444444",
            "5555555555",
            "6666666666",
            "7777777777",
            "8888888888",
            "9999999999",
            "0000000000",
        ],
    );
    st.add_passkey(&id, Some("Phone"), "Safari on iOS");
    st.add_personal_access_token(&id, "deploy", None);
    let version = fake_logto::LogtoVersion::from_env().minor();
    for lang in ["en", "zh-TW"] {
        let r = b
            .get(&format!("/lang/{lang}?return_to=/profile/security"))
            .await;
        assert!(r.status().is_redirection());
        if lang == "en" {
            let (_, html) = b.get_text("/profile/security").await;
            insta::assert_snapshot!(
                format!("security_proof_{lang}"),
                common::snapshot::main_markup(&html)
            );
            b.post_form(
                "/profile/security/proof",
                &[("current_password", &app.seed.password)],
            )
            .await;
        }
        let (status, html) = b.get_text("/profile/security").await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(
            format!("security_page_{lang}_logto_1_{version}"),
            common::snapshot::main_markup(&html)
        );
        let fragment = b
            .get_htmx("/profile/security?confirm=token&id=deploy")
            .await;
        assert_eq!(
            fragment.headers().get("vary").map(|v| v.to_str().unwrap()),
            Some("hx-request")
        );
        let body = fragment.text().await.unwrap();
        assert!(
            !body.contains("<main") && body.trim_start().starts_with("<div id=\"security-body\""),
            "{body}"
        );
    }
}

#[tokio::test]
async fn devices_are_signed_out_and_apps_revoked_from_logto_1_38() {
    let app = app().await;
    let (id, b) = proven(&app, "devices_dan").await;
    if fake_logto::LogtoVersion::from_env().minor() < 38 {
        let (_, html) = b.get_text("/profile/security").await;
        assert!(texts(&html, "#security-sessions li").is_empty());
        assert!(!html.contains("id=\"security-grants\""));
        assert!(text(&html, ".security-missing").contains("1.38"));
        return;
    }
    let phone = app.fake.state().add_user_session(
        &id,
        fake_logto::SessionSeed {
            ip: Some("203.0.113.7".into()),
            user_agent: Some(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
                    .into(),
            ),
            ..Default::default()
        },
    );
    let (_, html) = b.get_text("/profile/security").await;
    let listed = text(&html, "#security-sessions li");
    assert!(
        listed.contains("Safari on iOS") && listed.contains("203.0.113.7"),
        "{listed}"
    );

    let (_, html) = b
        .get_text(&format!("/profile/security?confirm=session&id={phone}"))
        .await;
    assert!(text(&html, "#security-sessions .confirm-question").contains("Safari on iOS"));
    let (status, html) = body(
        b.post_form("/profile/security/sessions/end", &[("id", &phone)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text(&html, "#security-sessions .alert-success").contains("signed out"));
    assert!(!text(&html, "#security-sessions").contains("203.0.113.7"));
    let e = &audit_of(&app, "security.session_end").await[0];
    assert_eq!(details(e)["sessionId"], phone.as_str());
    assert_eq!(details(e)["kind"], "logto");
    // Ending it again: it is gone, said at the part.
    let (status, html) = body(
        b.post_form("/profile/security/sessions/end", &[("id", &phone)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-sessions .alert-error").contains("no longer there"));

    // Authorized apps (ending the session revoked its app's grant; the person allows it again).
    let grant_id = app
        .fake
        .state()
        .add_user_grant(&id, &fake_logto::FakeLogtoConfig::default().web_app_id);
    let (_, html) = b.get_text("/profile/security").await;
    assert_eq!(
        texts(&html, "#security-grants li strong").len(),
        1,
        "{html}"
    );
    let (_, html) = b
        .get_text(&format!("/profile/security?confirm=grant&id={grant_id}"))
        .await;
    assert!(text(&html, "#security-grants .confirm-question").contains("Revoke access"));
    let (status, html) = body(
        b.post_form("/profile/security/grants/revoke", &[("id", &grant_id)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text(&html, "#security-grants .alert-success").contains("revoked"));
    let e = &audit_of(&app, "security.grant_revoke").await[0];
    assert_eq!(details(e)["grantId"], grant_id.as_str());
    assert!(details(e)["application"].is_string());
}

/// Follows the link form through the fake provider and back; the callback's answer.
async fn link_social(app: &TestApp, b: &Browser) -> (StatusCode, String) {
    let connector = app.fake.state().social_connector_id();
    let r = b
        .post_form(
            "/profile/security/social/link",
            &[("connector", &connector)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let provider = common::location(&r);
    let back = b.client.get(&provider).send().await.unwrap();
    assert!(back.status().is_redirection());
    let callback = common::location(&back);
    assert!(
        callback.contains("/profile/security/social/callback?"),
        "{callback}"
    );
    body(b.client.get(&callback).send().await.unwrap()).await
}

#[tokio::test]
async fn a_social_account_is_linked_unless_it_belongs_to_someone_else() {
    let app = app().await;
    let (id, b) = proven(&app, "social_sue").await;
    let (_, html) = b.get_text("/profile/security").await;
    assert!(text(&html, "#security-social").contains("Link"), "{html}");

    app.fake
        .state()
        .set_next_social_profile("gh-4242", Some("Sue"), None);
    let (status, html) = link_social(&app, &b).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text(&html, "#security-social .alert-success").contains("linked"));
    assert!(text(&html, "#security-social .badge").contains("Linked"));
    let identities = app.fake.state().user_json(&id).unwrap()["identities"].clone();
    assert!(
        identities.as_object().is_some_and(|m| !m.is_empty()),
        "{identities}"
    );
    let e = &audit_of(&app, "security.identity_link").await[0];
    assert_eq!(e.result, "success");
    assert!(!e.details.contains("code"), "no provider code in the trail");

    // Someone else tries to link the same account.
    let (_, other) = proven(&app, "social_sid").await;
    app.fake
        .state()
        .set_next_social_profile("gh-4242", Some("Sue"), None);
    let (status, html) = link_social(&app, &other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-social .alert-error").contains("belongs to someone else"));
    let failed: Vec<Entry> = audit_of(&app, "security.identity_link")
        .await
        .into_iter()
        .filter(|e| e.result == "failure")
        .collect();
    assert_eq!(
        failed[0].error_code.as_deref(),
        Some("user.identity_already_in_use")
    );

    // A callback without the link under way is refused.
    let (status, html) = body(
        b.get("/profile/security/social/callback?code=x&state=y")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-social .alert-error").contains("did not finish"));
}

#[tokio::test]
async fn signing_out_everywhere_else_ends_the_other_portal_and_logto_sessions() {
    let app = app().await;
    let (id, b) = proven(&app, "everywhere_eve").await;
    let other_browser = app.sign_in("everywhere_eve").await;
    let (_, html) = b.get_text("/profile/security").await;
    assert!(
        text(&html, "#security-portal-sessions").contains("1 other browser"),
        "{html}"
    );

    let (status, html) = body(
        b.post_form("/profile/security/sessions/end-others", &[])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text(&html, "#security-sessions .alert-success").contains("everywhere else"));
    assert!(text(&html, "#security-portal-sessions").contains("only in this browser"));
    // This browser stays signed in; the other one is signed out.
    assert_eq!(b.get("/profile").await.status(), StatusCode::OK);
    assert!(other_browser
        .get("/profile")
        .await
        .status()
        .is_redirection());
    let e = &audit_of(&app, "security.sessions_end_others").await[0];
    assert_eq!(details(e)["sessionsEnded"], 1);
    if fake_logto::LogtoVersion::from_env().minor() >= 38 {
        assert!(details(e)["logtoSessionsEnded"].as_u64().unwrap() >= 1);
        let left = app.state.logto.list_user_sessions(&id).await.unwrap();
        assert!(left.is_empty());
    } else {
        assert_eq!(details(e)["logtoSessionsEnded"], 0);
    }
}
