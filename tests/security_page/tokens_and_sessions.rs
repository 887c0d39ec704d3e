//! Access tokens, snapshots, devices and apps, social accounts, signing out everywhere else.

use super::*;

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
pub(crate) async fn link_social(app: &TestApp, b: &Browser) -> (StatusCode, String) {
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
