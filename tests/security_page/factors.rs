//! The proof of identity, the parts per Logto version, authenticator app, backup codes, passkeys.

use super::*;

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

/// Signing in anew (`prompt=login`: the way for people without a password) proves it is the
/// person: it opens the page and is audited as a proof by sign-in.
#[tokio::test]
async fn a_fresh_sign_in_opens_the_page() {
    let app = app().await;
    app.fake.state().create_user(NewUser {
        username: Some("social_only".into()),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    });
    let b = app.sign_in("social_only").await;
    let (_, html) = b.get_text("/profile/security").await;
    assert!(!html.contains("id=\"security-totp\""), "{html}");
    assert!(audit_of(&app, "security.reauthenticate").await.is_empty());

    let (b, landing) = app
        .sign_in_query(
            b,
            "social_only",
            &app.seed.password,
            "prompt=login&return_to=%2Fprofile%2Fsecurity",
        )
        .await;
    assert!(landing.ends_with("/profile/security"), "{landing}");
    let (_, html) = b.get_text("/profile/security").await;
    assert!(html.contains("id=\"security-totp\""), "{html}");
    let proofs = audit_of(&app, "security.reauthenticate").await;
    assert_eq!(proofs.len(), 1);
    assert_eq!(proofs[0].result, "success");
    assert_eq!(details(&proofs[0])["method"], "sign_in");
    // An ordinary sign-in is no proof of identity.
    app.sign_in("social_only").await;
    assert_eq!(audit_of(&app, "security.reauthenticate").await.len(), 1);
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
