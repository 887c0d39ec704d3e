//! Email and phone, with codes.

use super::*;

// ---------------------------------------------------------------------------------------
// Email and phone

#[tokio::test]
async fn one_address_receives_a_few_codes_an_hour_whoever_asks() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let target = "inbox.of.someone@elsewhere.test";
    // Five people may each ask for a code to the same address (src/limits.rs)…
    for i in 0..6 {
        let (_, b) = person(
            &app,
            NewUser {
                username: Some(format!("sender_{i}")),
                primary_email: Some(format!("sender.{i}@acme.test")),
                ..Default::default()
            },
        )
        .await;
        let r = b
            .post_htmx(
                "/profile/email",
                &[
                    ("address", target),
                    ("current_password", &app.seed.password),
                ],
            )
            .await;
        let (status, fragment) = body(r).await;
        if i < 5 {
            assert_eq!(status, StatusCode::OK, "sender {i}: {fragment}");
        } else {
            // …the sixth is refused before Logto sends anything.
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                text(&fragment, "#email-address-error").starts_with("Too many attempts."),
                "{fragment}"
            );
        }
    }
    let sent = app
        .fake
        .state()
        .sent_messages()
        .into_iter()
        .filter(|m| m.to == target)
        .count();
    assert_eq!(sent, 5);
    let refused = audit_of(&app, "profile.email_change")
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("code_sends_throttled"))
        .collect::<Vec<_>>();
    assert_eq!(refused.len(), 1);
    assert_eq!(details(&refused[0])["limit"], "codes_per_address");
}

#[tokio::test]
async fn email_change_with_a_code_from_the_fake() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let new = "mia.new@acme.test";

    let fragment = member
        .get_htmx("/profile/email/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(&fragment, "#email-address[type=email]"));
    assert!(exists(&fragment, "#email-current-password"));

    let r = member
        .post_htmx(
            "/profile/email",
            &[("address", new), ("current_password", &app.seed.password)],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(text(&fragment, "#email-pending").contains(new));
    assert_eq!(
        attr(&fragment, "#email-code", "autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert!(text(&fragment, "#email #email-status").contains("A code was sent"));
    let code = app
        .fake
        .state()
        .last_verification_code(new)
        .expect("a code was sent");
    assert_eq!(
        user(&app, &id)["primaryEmail"],
        "mia.member@acme.test",
        "not saved yet"
    );

    // The pending change survives a reload (it lives in the session).
    let (_, html) = member.get_text("/profile").await;
    assert!(text(&html, "#email-pending").contains(new));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = member
        .post_htmx("/profile/email/verify", &[("code", wrong)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-code-error").contains("not right"));
    let r = member
        .post_htmx("/profile/email/verify", &[("code", "12ab")])
        .await;
    let (_, fragment) = body(r).await;
    assert!(text(&fragment, "#email-code-error").contains("digits"));

    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_eq!(text(&fragment, "#email-current"), new);
    assert!(text(&fragment, "#email #email-status")
        .contains(&format!("Your email address is now {new}")));
    assert_eq!(user(&app, &id)["primaryEmail"], new);

    let steps: Vec<(String, Option<String>)> = audit_of(&app, "profile.email_change")
        .await
        .iter()
        .rev()
        .map(|e| {
            (
                details(e)["step"].as_str().unwrap().to_string(),
                e.error_code.clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("code_sent".to_string(), None),
            (
                "verify".to_string(),
                Some("verification_code.code_mismatch".to_string())
            ),
            ("saved".to_string(), None),
        ]
    );
    // The session's email follows (shown as the actor's email from now on).
    member
        .post_htmx("/profile/basics", &[("name", "Mia Again")])
        .await;
    let last = audit_of(&app, "profile.update_basics").await;
    assert_eq!(last[0].actor_email.as_deref(), Some(new));
}

#[tokio::test]
async fn email_change_refusals() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let pw = app.seed.password.clone();

    for (address, expect) in [
        ("not-an-email", "such as name@example.com"),
        ("MIA.member@acme.test", "already your email"),
        ("ADAM.ADMIN@acme.test", "already used by another account"),
    ] {
        let r = member
            .post_htmx(
                "/profile/email",
                &[("address", address), ("current_password", &pw)],
            )
            .await;
        let (status, fragment) = body(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{address}");
        assert!(
            text(&fragment, "#email-address-error").contains(expect),
            "{address}: {fragment}"
        );
        assert_eq!(
            attr(&fragment, "#email-address", "aria-invalid").as_deref(),
            Some("true")
        );
    }
    assert!(
        app.fake.state().sent_messages().is_empty(),
        "no code to a taken address"
    );
    assert!(audit_of(&app, "profile.email_change")
        .await
        .iter()
        .any(|e| e.error_code.as_deref() == Some("user.email_already_in_use")));

    // A code is sent; asking again within a minute is refused, to any address.
    let r = member
        .post_htmx("/profile/email", &[("address", "mia.two@acme.test")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = member.post_htmx("/profile/email/resend", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-code-error").contains("before asking for another code"));
    let r = member
        .post_htmx("/profile/email", &[("address", "mia.three@acme.test")])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-address-error").contains("before asking for another code"));
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // An expired code says so.
    let code = app
        .fake
        .state()
        .last_verification_code("mia.two@acme.test")
        .unwrap();
    app.fake
        .state()
        .age_verification_codes(Duration::from_secs(601));
    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-code-error").contains("expired"));

    // Cancelled: nothing waits any more.
    let r = member.post_htmx("/profile/email/cancel", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email #email-status").contains("no change waiting"));
    let id = app.user_id(&app.seed.member_username);
    assert_eq!(user(&app, &id)["primaryEmail"], "mia.member@acme.test");
}

#[tokio::test]
async fn email_section_is_read_only_without_a_connector() {
    let app = common::spawn_app().await;
    // Text messages can go out; email cannot.
    app.fake.state().set_sms_connector(true);
    let member = app.member().await;
    let r = member
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.new@acme.test"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email").contains("cannot be changed here"));
    assert!(!exists(&fragment, "#email form"), "read-only");
    assert!(audit_of(&app, "profile.email_change")
        .await
        .iter()
        .any(|e| e.error_code.as_deref() == Some("connector.not_found")));
    // The page remembers it: no change button, the explanation instead.
    let (_, html) = member.get_text("/profile").await;
    assert!(!exists(&html, "#email-edit"));
    assert!(text(&html, "#email").contains("cannot be changed here"));
    assert_eq!(text(&html, "#email-current"), "mia.member@acme.test");
    // Phone has its own connector and is not affected.
    assert!(exists(&html, "#phone-edit"));
}

#[tokio::test]
async fn phone_change_and_removal() {
    let app = common::spawn_app().await;
    app.fake.state().set_sms_connector(true);
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);

    let r = member
        .post_htmx(
            "/profile/phone",
            &[
                ("address", "+886 912-345 678"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let code = app
        .fake
        .state()
        .last_verification_code("886912345678")
        .unwrap();
    let r = member
        .post_htmx("/profile/phone/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_eq!(text(&fragment, "#phone-current"), "+886912345678");
    assert_eq!(user(&app, &id)["primaryPhone"], "886912345678");

    // Removing it: the person still has a username and an email, so it is allowed.
    let r = member.post_htmx("/profile/phone/remove", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(text(&fragment, "#phone #phone-status").contains("removed"));
    assert_eq!(user(&app, &id)["primaryPhone"], Value::Null);
    let steps: Vec<String> = audit_of(&app, "profile.phone_change")
        .await
        .iter()
        .map(|e| details(e)["step"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(steps, ["removed", "saved", "code_sent"]);

    // A number taken by another person (a seeded user has 15550100000).
    let r = member
        .post_htmx("/profile/phone", &[("address", "+1 555 010 0000")])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#phone-address-error").contains("already used"));
    let r = member
        .post_htmx("/profile/phone", &[("address", "12ab")])
        .await;
    let (_, fragment) = body(r).await;
    assert!(text(&fragment, "#phone-address-error").contains("country code"));
}

#[tokio::test]
async fn removing_the_last_sign_in_identifier_is_refused() {
    let app = common::spawn_app().await;
    // Email and password only.
    let (mail_id, mail) = person(
        &app,
        NewUser {
            primary_email: Some("only.mail@solo.test".into()),
            ..Default::default()
        },
    )
    .await;
    let r = mail
        .post_htmx(
            "/profile/email/remove",
            &[("current_password", &app.seed.password)],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-address-error").contains("last way you can sign in"));
    assert_eq!(user(&app, &mail_id)["primaryEmail"], "only.mail@solo.test");

    // Username and password only: clearing the username is refused.
    let (name_id, named) = person(
        &app,
        NewUser {
            username: Some("only_name".into()),
            ..Default::default()
        },
    )
    .await;
    let r = named
        .post_htmx(
            "/profile/basics",
            &[
                ("name", ""),
                ("username", ""),
                ("avatar", ""),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-username-error").contains("last way"));
    assert_eq!(user(&app, &name_id)["username"], "only_name");

    let failures: Vec<_> = audit(&app)
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("last_sign_in_method"))
        .map(|e| e.action)
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
}
