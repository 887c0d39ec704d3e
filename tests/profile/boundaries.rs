//! Only oneself; secrets never reach a page or a log line.

use super::*;

// ---------------------------------------------------------------------------------------
// Only oneself

#[tokio::test]
async fn another_user_id_in_forms_or_urls_has_no_effect() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let me = app.user_id(&app.seed.member_username);
    let admin = app.user_id(&app.seed.admin_username);
    let other_gh = app.fake.state().create_user(NewUser {
        username: Some("other_gh".into()),
        identities: json!({"github": {"userId": "99"}}),
        ..Default::default()
    });
    app.fake.state().clear_requests();

    // Forms carrying someone else's id.
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Tampered"),
                ("id", &admin),
                ("user_id", &admin),
                ("userId", &admin),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(user(&app, &me)["name"], "Tampered");
    assert_eq!(user(&app, &admin)["name"], "Adam Admin");
    let r = member
        .post_htmx(
            "/profile/details",
            &[("nickname", "Nick"), ("user_id", &admin)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(user(&app, &admin)["profile"].get("nickname"), None);
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &app.seed.password),
                ("new_password", "Violet-Harbor-93"),
                ("confirm_password", "Violet-Harbor-93"),
                ("user_id", &admin),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = member
        .post_htmx(
            "/profile/email",
            &[("address", "x.new@acme.test"), ("userId", &admin)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Someone else's social account: not on the person's own account, so 404.
    let r = member
        .post_htmx(
            "/profile/identities/github/unlink",
            &[("user_id", &other_gh)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(user(&app, &other_gh)["identities"].get("github").is_some());

    // URLs with an id.
    for path in [
        format!("/profile/{admin}"),
        format!("/profile/{admin}/basics"),
        format!("/profile/basics/{admin}"),
    ] {
        assert_eq!(
            member.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let r = member.post_htmx(&path, &[("name", "X")]).await;
        assert!(
            matches!(
                r.status(),
                StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
            ),
            "{path}: {}",
            r.status()
        );
    }
    let (_, html) = member
        .get_text(&format!("/profile?user_id={admin}&id={admin}"))
        .await;
    assert_eq!(text(&html, "#basics-name-value"), "Tampered");

    // Every single-user request the portal made was about the person themselves.
    let paths = user_paths(&app);
    assert!(!paths.is_empty());
    for p in &paths {
        assert!(p.starts_with(&format!("/api/users/{me}")), "{p}");
    }
    assert_eq!(user(&app, &admin)["name"], "Adam Admin");
    // (Checked last: this call is the test's own request about the admin.)
    assert!(app
        .state
        .logto
        .verify_password(&admin, &app.seed.password)
        .await
        .unwrap());
}

#[tokio::test]
async fn state_changes_need_csrf_and_logto_failures_read_clearly() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let r = member
        .post_without_csrf("/profile/basics", &[("name", "No Token")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(user(&app, &id)["name"], "Mia Member");

    app.fake.stop().await;
    let r = member
        .post_htmx("/profile/basics", &[("name", "While Down")])
        .await;
    let status = r.status();
    let retarget = r
        .headers()
        .get("hx-retarget")
        .map(|v| v.to_str().unwrap().to_string());
    let fragment = r.text().await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(retarget.as_deref(), Some("#alerts"));
    assert!(fragment.contains("did not answer"), "{fragment}");
    app.fake.resume().await;
    assert_eq!(user(&app, &id)["name"], "Mia Member");
}

// ---------------------------------------------------------------------------------------
// Secrets

#[tokio::test]
async fn secrets_never_reach_the_audit_trail_or_logs() {
    capture_logs();
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let old = app.seed.password.clone();
    let wrong = "Wrong-Secret-Guess-4417";
    let new = "Secret-Lantern-Zebra-8812";

    member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", wrong),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &old),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    member
        .post_htmx("/profile/email", &[("address", "secret.mia@acme.test")])
        .await;
    let code = app
        .fake
        .state()
        .last_verification_code("secret.mia@acme.test")
        .unwrap();
    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let trail = serde_json::to_string(&audit(&app).await).unwrap();
    assert!(trail.contains("profile.password_change") && trail.contains("profile.email_change"));
    let logs = logs();
    assert!(
        logs.contains("/profile/password"),
        "the capture sees this test's requests"
    );
    for secret in [old.as_str(), wrong, new, code.as_str()] {
        assert!(
            !contains_token(&trail, secret),
            "audit trail holds {secret:?}"
        );
        assert!(!contains_token(&logs, secret), "logs hold {secret:?}");
    }
    assert!(contains_token("x=123456&", "123456") && !contains_token("a1234567", "123456"));
}
