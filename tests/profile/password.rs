//! Changing the password.

use super::*;

// ---------------------------------------------------------------------------------------
// Password

#[tokio::test]
async fn password_policy_refuses_weak_passwords_without_asking_logto() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let pw = app.seed.password.clone();
    let fragment = member
        .get_htmx("/profile/password/edit")
        .await
        .text()
        .await
        .unwrap();
    let hint = text(&fragment, "#password-new-password-hint");
    assert!(hint.contains("At least 10 characters"), "{hint}");

    app.fake.state().clear_requests();
    for (new, expect) in [
        ("Sh0rt!", "at least 10 characters"),
        ("alllowercaseletters", "at least 3 of"),
        ("Qwertyuiop123!", "too common"),
        ("Monkey2024!!", "too common"),
        ("xMia_Member99!", "username or email"),
        ("Mia.Member@Acme1", "username or email"),
    ] {
        let r = member
            .post_htmx(
                "/profile/password",
                &[
                    ("current_password", &pw),
                    ("new_password", new),
                    ("confirm_password", new),
                ],
            )
            .await;
        let (status, fragment) = body(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        let msg = text(&fragment, "#password-new-password-error");
        assert!(msg.contains(expect), "{new}: {msg}");
    }
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &pw),
                ("new_password", "Violet-Harbor-93"),
                ("confirm_password", "Violet-Harbor-39"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#password-confirm-password-error").contains("not the same"));
    assert!(
        app.fake
            .state()
            .api_requests()
            .iter()
            .all(|r| !r.path.contains("/password")),
        "nothing was verified or changed"
    );
    let policy = audit_of(&app, "profile.password_change").await;
    assert!(policy
        .iter()
        .all(|e| e.error_code.as_deref() == Some("password_policy")));
    assert!(policy
        .iter()
        .any(|e| details(e)["rules"] == json!(["common"])));
}

#[tokio::test]
async fn password_change_checks_the_current_password() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let new = "Violet-Harbor-93";

    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", "not-my-password"),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&fragment, "#password-current-password-error").contains("not your current password")
    );
    assert!(!app.state.logto.verify_password(&id, new).await.unwrap());

    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &app.seed.password),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(text(&fragment, "#password #password-status").contains("Your password was changed."));
    assert!(app.state.logto.verify_password(&id, new).await.unwrap());

    // Even right after a proof, a password change asks for the current password again.
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("new_password", "Another-Harbor-77"),
                ("confirm_password", "Another-Harbor-77"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exists(&fragment, "#password-current-password-error"));

    let entries = audit_of(&app, "profile.password_change").await;
    let results: Vec<_> = entries
        .iter()
        .map(|e| (e.result.as_str(), e.error_code.as_deref()))
        .collect();
    assert!(
        results.contains(&("failure", Some("invalid_current_password"))),
        "{results:?}"
    );
    assert!(results.contains(&("success", None)), "{results:?}");
}

#[tokio::test]
async fn wrong_current_passwords_are_slowed_down_per_user() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let new = "Violet-Harbor-93";
    let attempt = |pw: String| {
        let member = &member;
        async move {
            member
                .post_htmx(
                    "/profile/password",
                    &[
                        ("current_password", pw.as_str()),
                        ("new_password", new),
                        ("confirm_password", new),
                    ],
                )
                .await
        }
    };
    app.fake.state().clear_requests();
    // Five tries per quarter of an hour (src/limits.rs); the fifth wrong one says so.
    for i in 1..=5 {
        let (status, fragment) = body(attempt("wrong-guess".into()).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let msg = text(&fragment, "#password-current-password-error");
        assert!(msg.contains("not your current password"), "{msg}");
        assert_eq!(msg.contains("wait 15 minutes"), i == 5, "try {i}: {msg}");
    }
    // Now even the right password waits, and Logto is not asked.
    let (status, fragment) = body(attempt(app.seed.password.clone()).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text(&fragment, "#password-current-password-error"),
        "Too many attempts. Try again in 15 minutes."
    );
    assert_eq!(verify_calls(&app), 5);
    assert!(audit_of(&app, "profile.password_change")
        .await
        .iter()
        .any(|e| e.error_code.as_deref() == Some("password_attempts_throttled")));

    // Another person is not slowed down.
    let admin = app.admin().await;
    let r = admin
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &app.seed.password),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// How many `POST /api/users/{id}/password/verify` reached the fake Logto.
pub(crate) fn verify_calls(app: &TestApp) -> usize {
    app.fake
        .state()
        .api_requests()
        .iter()
        .filter(|r| r.path.ends_with("/password/verify"))
        .count()
}

#[tokio::test]
async fn parallel_wrong_passwords_reach_logto_at_most_the_limit() {
    let app = common::spawn_app().await;
    // Logto takes a moment per answer, as a real one does: without an atomic reservation
    // every request would pass the check before the first failure is counted.
    app.fake.state().set_latency(Duration::from_millis(20));
    let member = app.member().await;
    app.fake.state().clear_requests();
    let answers = all_at_once(&member, &[&app.url], 30, |b, i| async move {
        b.post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "mia_guessed"),
                ("current_password", &format!("guess-{i}")),
            ],
        )
        .await
    })
    .await;
    let verifies = verify_calls(&app);
    assert!(
        (1..=5).contains(&verifies),
        "{verifies} guesses reached Logto"
    );
    let refused = answers
        .iter()
        .filter(|(status, fragment)| {
            *status == StatusCode::UNPROCESSABLE_ENTITY
                && text(fragment, "#basics-current-password-error")
                    .starts_with("Too many attempts. Try again in")
        })
        .count();
    assert_eq!(refused, 30 - verifies, "every other guess was refused");

    // The right password now is refused as well, without asking Logto.
    app.fake.state().set_latency(Duration::ZERO);
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "mia_guessed"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text(&fragment, "#basics-current-password-error"),
        "Too many attempts. Try again in 15 minutes."
    );
    assert_eq!(verify_calls(&app), verifies);
    let id = app.user_id(&app.seed.member_username);
    assert_eq!(user(&app, &id)["username"], "mia_member");
    let throttled = audit_of(&app, "profile.update_basics")
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("password_attempts_throttled"))
        .count();
    assert_eq!(
        throttled,
        30 - verifies + 1,
        "every refusal is in the trail"
    );
}

#[tokio::test]
async fn the_code_cooldown_holds_across_sessions_and_parallel_requests() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let pw = app.seed.password.clone();
    let first = app.member().await;
    let r = first
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.first@acme.test"),
                ("current_password", &pw),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // A second sign-in is a new session: it waits all the same.
    let second = app.member().await;
    let r = second
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.second@acme.test"),
                ("current_password", &pw),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&fragment, "#email-address-error").contains("before asking for another code"),
        "{fragment}"
    );
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // Another person, ten parallel requests to ten addresses: one code goes out.
    let (_, other) = person(
        &app,
        NewUser {
            username: Some("paula_parallel".into()),
            primary_email: Some("paula@acme.test".into()),
            ..Default::default()
        },
    )
    .await;
    // Proven once (the address is taken, so nothing is sent), then no password is needed.
    let r = other
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.member@acme.test"),
                ("current_password", &pw),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap(), "#email-address-error").contains("already used"));
    let answers = all_at_once(&other, &[&app.url], 10, |b, i| async move {
        b.post_htmx(
            "/profile/email",
            &[("address", &format!("paula.{i}@acme.test"))],
        )
        .await
    })
    .await;
    let sent: Vec<String> = app
        .fake
        .state()
        .sent_messages()
        .into_iter()
        .map(|m| m.to)
        .filter(|to| to.starts_with("paula."))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        answers
            .iter()
            .filter(|(status, _)| *status == StatusCode::OK)
            .count(),
        1
    );
    // A resend waits too.
    let r = other.post_htmx("/profile/email/resend", &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.fake.state().sent_messages().len(), 2);
    let throttled = audit_of(&app, "profile.email_change")
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("code_sends_throttled"))
        .count();
    assert!(throttled >= 9, "{throttled} refusals in the trail");
}

/// "Sign out my other sessions" (ticked by default): after the change the person's other portal
/// sessions end, and from Logto 1.38 their Logto sessions but this browser's; unticked, they
/// stay. The message and the audit entry say how many.
#[tokio::test]
async fn a_password_change_signs_out_the_other_sessions_unless_kept() {
    let app = common::spawn_app().await;
    let logto_sessions = fake_logto::LogtoVersion::from_env().minor() >= 38;
    let name = app.seed.member_username.clone();
    let id = app.user_id(&name);
    // Logto tells the portal which of its sessions is this browser's (`sid`).
    app.fake
        .state()
        .set_web_app_backchannel_logout(Some("https://portal.example/backchannel"), true);
    let member = app.member().await;
    let laptop = app.member().await;
    if logto_sessions {
        app.fake
            .state()
            .add_user_session(&id, fake_logto::SessionSeed::default());
    }
    let mine_at_logto = app.fake.state().user_session_ids(&id);

    let form = member
        .get_htmx("/profile/password/edit")
        .await
        .text()
        .await
        .unwrap();
    let checkbox = "#password input[type=checkbox][name=sign_out_others]";
    assert_eq!(
        attr(&form, checkbox, "checked").as_deref(),
        Some(""),
        "{form}"
    );
    // A refused form keeps the box as it was sent.
    let (status, fragment) = body(
        member
            .post_htmx(
                "/profile/password",
                &[
                    ("current_password", &app.seed.password),
                    ("new_password", "Violet-Harbor-93"),
                    ("confirm_password", "Violet-Harbor-39"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exists(&fragment, checkbox) && attr(&fragment, checkbox, "checked").is_none());

    let new = "Violet-Harbor-93";
    let (status, fragment) = body(
        member
            .post_htmx(
                "/profile/password",
                &[
                    ("current_password", &app.seed.password),
                    ("new_password", new),
                    ("confirm_password", new),
                    ("sign_out_others", "on"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let said = text(&fragment, "#password #password-status");
    assert!(said.contains("Your password was changed."), "{said}");
    assert!(said.contains("signed out in 1 other browser"), "{said}");
    assert_eq!(
        said.contains("2 devices were signed out of your account"),
        logto_sessions,
        "{said}"
    );
    // The other browser is signed out; this one is not.
    let r = laptop.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
    assert_eq!(member.get("/profile").await.status(), StatusCode::OK);
    let left = app.fake.state().user_session_ids(&id);
    if logto_sessions {
        assert_eq!(mine_at_logto.len(), 3);
        assert_eq!(left.len(), 1, "this browser's Logto session stays");
    }
    let changed: Vec<Entry> = audit_of(&app, "profile.password_change")
        .await
        .into_iter()
        .filter(|e| e.result == "success")
        .collect();
    let d = details(&changed[0]);
    assert_eq!(d["signOutOthers"], true);
    assert_eq!(d["sessionsEnded"], 1);
    assert_eq!(d["logtoSessionsEnded"], if logto_sessions { 2 } else { 0 });

    // Unticked: the other sessions stay.
    let (laptop, _) = app.sign_in_to(&name, new, "/").await;
    let (status, fragment) = body(
        member
            .post_htmx(
                "/profile/password",
                &[
                    ("current_password", new),
                    ("new_password", "Another-Harbor-77"),
                    ("confirm_password", "Another-Harbor-77"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let said = text(&fragment, "#password #password-status");
    assert!(!said.contains("signed out"), "{said}");
    assert_eq!(laptop.get("/profile").await.status(), StatusCode::OK);
    if logto_sessions {
        // This browser's and the laptop's new one.
        assert_eq!(app.fake.state().user_session_ids(&id).len(), 2);
    }
    let changed: Vec<Entry> = audit_of(&app, "profile.password_change")
        .await
        .into_iter()
        .filter(|e| e.result == "success")
        .collect();
    let d = details(&changed[0]);
    assert_eq!(d["signOutOthers"], false);
    assert_eq!(d["sessionsEnded"], 0);
    assert_eq!(d["logtoSessionsEnded"], 0);
}
