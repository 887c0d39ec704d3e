//! The Security section of a user's page: the person's two-step methods, Logto sessions and
//! token names (read-only), the reset of two-step verification and the sign-outs, each with
//! its audit entry; operators only, and never on their own account.

use super::*;

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

fn has_sessions() -> bool {
    fake_logto::LogtoVersion::from_env().minor() >= 38
}

fn details(e: &Entry) -> serde_json::Value {
    serde_json::from_str(&e.details).unwrap()
}

/// A person with a password; returns their id.
fn person(app: &TestApp, username: &str) -> String {
    app.fake.state().create_user(NewUser {
        username: Some(username.into()),
        name: Some(format!("{username} person")),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    })
}

/// A person with a password, an authenticator app, three backup codes and a passkey;
/// returns their id.
fn secured_person(app: &TestApp, username: &str) -> String {
    let id = person(app, username);
    let st = app.fake.state();
    st.add_totp(&id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    st.add_backup_codes(&id, &["1111111111", "2222222222", "3333333333"]);
    st.add_passkey(&id, Some("Work laptop"), "Chrome on macOS");
    id
}

fn methods_in_fake(app: &TestApp, id: &str) -> usize {
    app.fake.state().mfa_verifications(id).len()
}

#[tokio::test]
async fn the_section_shows_methods_sessions_and_token_names_never_values() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let id = secured_person(&app, "facts_fay");
    let st = app.fake.state();
    let value = st.add_personal_access_token(&id, "deploy-bot", None);
    let session = has_sessions().then(|| {
        st.add_user_session(
            &id,
            fake_logto::SessionSeed {
                ip: Some("203.0.113.7".into()),
                user_agent: Some(IPHONE.into()),
                ..Default::default()
            },
        )
    });

    let (status, html) = b.get_text(&format!("/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let mfa = text_of(&html, "#user-mfa");
    assert!(
        mfa.contains("Authenticator app") && mfa.contains("Yes"),
        "{mfa}"
    );
    assert!(mfa.contains("3 unused codes left."), "{mfa}");
    assert_eq!(select_all(&html, "#user-passkeys strong"), ["Work laptop"]);
    assert_eq!(select_all(&html, "#user-tokens tbody th"), ["deploy-bot"]);
    assert!(text_of(&html, "#user-tokens").contains("Never"));
    assert!(
        !html.contains(&value),
        "a token's value never reaches the page"
    );
    assert!(
        !html.contains("JBSWY3DPEHPK3PXP") && !html.contains("1111111111"),
        "no secret on the page"
    );
    // Read-only: the only forms are the sign-outs; the reset asks first.
    assert_eq!(
        attr(&html, "#user-security a.button", "href"),
        Some(format!("/users/{id}/mfa-reset"))
    );
    assert!(text_of(&html, "#user-portal-sessions").contains("Not signed in to this portal"));
    if let Some(session) = session {
        let listed = text_of(&html, "#user-sessions");
        assert!(
            listed.contains("Safari on iOS") && listed.contains("203.0.113.7"),
            "{listed}"
        );
        assert!(html.contains(&format!("value=\"{session}\"")));
        assert!(select_all(&html, "#user-security .security-missing").is_empty());
    } else {
        // 1.37: one sentence naming the release that brings sessions, instead of the list.
        assert!(select_all(&html, "#user-sessions").is_empty());
        let missing = select_all(&html, "#user-security .security-missing");
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].contains("Logto 1.38"), "{}", missing[0]);
    }

    // Someone without any method: nothing to reset, no button.
    let plain = app.user_id("alice_lovelace");
    let (_, html) = b.get_text(&format!("/users/{plain}")).await;
    assert!(text_of(&html, "#user-mfa").contains("No"));
    assert!(attr(&html, "#user-security a.button", "href").is_none());
}

#[tokio::test]
async fn reset_asks_first_removes_every_method_and_is_audited() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let op_id = app.user_id(&app.seed.operator_username);
    let id = secured_person(&app, "reset_rob");
    assert_eq!(methods_in_fake(&app, &id), 3);

    let (status, html) = b.get_text(&format!("/users/{id}/mfa-reset")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&html, ".users-confirm").contains("authenticator app, backup codes and passkeys")
    );
    assert_eq!(methods_in_fake(&app, &id), 3, "asking changes nothing");
    let frag = b
        .get_htmx(&format!("/users/{id}/mfa-reset"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!frag.contains("<html") && frag.contains("hx-target=\"#user-security\""));
    // On a page of its own the form is a plain post (there is no section to swap).
    assert!(!html.contains("hx-target=\"#user-security\""));

    // Without JavaScript: a plain post, back to the page with the message.
    let r = b.post_form(&format!("/users/{id}/mfa-reset"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/users/{id}"));
    assert_eq!(methods_in_fake(&app, &id), 0);
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    assert!(text_of(&html, "#alerts").contains("Removed 3 two-step methods of reset_rob person"));
    assert!(text_of(&html, "#user-mfa").contains("No"));
    let entries = audit(&app, "security.mfa_reset").await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.result, "success");
    assert_eq!(e.actor_id.as_deref(), Some(op_id.as_str()));
    assert_eq!(e.target_id.as_deref(), Some(id.as_str()));
    assert_eq!(details(e)["removed"], 3);

    // With htmx: the section comes back with the message, and the confirmation panel empties.
    app.fake.state().add_passkey(&id, None, "Firefox");
    let r = b.post_htmx(&format!("/users/{id}/mfa-reset"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.trim_start()
            .starts_with("<section id=\"user-security\""),
        "{html}"
    );
    assert!(html.contains("id=\"user-action\" hx-swap-oob=\"true\""));
    assert!(text_of(&html, ".alert-success").contains("Removed 1 two-step method of"));
    assert_eq!(methods_in_fake(&app, &id), 0);
}

#[tokio::test]
async fn operators_cannot_reset_their_own_two_step_sign_in_here() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let me = app.user_id(&app.seed.operator_username);
    app.fake
        .state()
        .add_totp(&me, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");

    let (_, html) = b.get_text(&format!("/users/{me}")).await;
    assert!(attr(&html, "#user-security a.button", "href").is_none());
    assert!(text_of(&html, "#user-security-self").contains("your own security page"));
    assert!(!html.contains("/sessions/end-all"));
    let (_, html) = b.get_text(&format!("/users/{me}/mfa-reset")).await;
    assert!(
        select_all(&html, ".users-confirm form").is_empty(),
        "no button"
    );

    let r = b.post_form(&format!("/users/{me}/mfa-reset"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(methods_in_fake(&app, &me), 1, "nothing removed");
    let html = b.get(&format!("/users/{me}")).await.text().await.unwrap();
    assert!(text_of(&html, "#alerts").contains("cannot reset your own"));
    let r = b
        .post_htmx(&format!("/users/{me}/sessions/end-all"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b.get("/profile").await.status().is_success(),
        "still signed in"
    );
    for action in ["security.mfa_reset", "security.sessions_end_all"] {
        let e = &audit(&app, action).await[0];
        assert_eq!(e.result, "failure");
        assert_eq!(e.error_code.as_deref(), Some("self_guard"));
    }
}

#[tokio::test]
async fn one_session_or_every_session_is_signed_out_and_audited() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let op_id = app.user_id(&app.seed.operator_username);
    // Signed in with the password alone (no two-step method yet).
    let id = person(&app, "sessions_sam");
    let person = app.sign_in("sessions_sam").await;
    assert!(person.get("/profile").await.status().is_success());

    if has_sessions() {
        let phone = app.fake.state().add_user_session(
            &id,
            fake_logto::SessionSeed {
                user_agent: Some(IPHONE.into()),
                ..Default::default()
            },
        );
        let r = b
            .post_form(&format!("/users/{id}/sessions/end"), &[("id", &phone)])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!app.fake.state().user_session_ids(&id).contains(&phone));
        let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
        assert!(text_of(&html, "#alerts").contains("signed out of that device"));
        let e = &audit(&app, "security.session_end").await[0];
        assert_eq!(e.actor_id.as_deref(), Some(op_id.as_str()));
        assert_eq!(e.target_id.as_deref(), Some(id.as_str()));
        assert_eq!(details(e)["sessionId"], phone.as_str());
        assert_eq!(details(e)["kind"], "logto");
        // Again, with htmx: it is gone, said in the section.
        let r = b
            .post_htmx(&format!("/users/{id}/sessions/end"), &[("id", &phone)])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(text_of(&html, "#user-security .alert-error").contains("no longer there"));
    }

    let logto_before = app.fake.state().user_session_ids(&id).len();
    let r = b
        .post_htmx(&format!("/users/{id}/sessions/end-all"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "#user-security .alert-success").contains("signed out everywhere"));
    assert!(text_of(&html, "#user-portal-sessions").contains("Not signed in"));
    // The person's portal session ended: their next request is signed out.
    assert!(person.get("/profile").await.status().is_redirection());
    let e = &audit(&app, "security.sessions_end_all").await[0];
    assert_eq!(e.result, "success");
    assert_eq!(e.actor_id.as_deref(), Some(op_id.as_str()));
    assert_eq!(e.target_id.as_deref(), Some(id.as_str()));
    assert_eq!(details(e)["sessionsEnded"], 1);
    if has_sessions() {
        assert!(logto_before >= 1);
        assert_eq!(details(e)["logtoSessionsEnded"], logto_before);
        assert!(app.fake.state().user_session_ids(&id).is_empty());
    } else {
        assert!(
            details(e).get("logtoSessionsEnded").is_none(),
            "{}",
            e.details
        );
    }
}

#[tokio::test]
async fn members_and_admins_cannot_reach_the_security_actions() {
    let app = common::spawn_app().await;
    let id = secured_person(&app, "guarded_gus");
    let session = has_sessions().then(|| {
        app.fake
            .state()
            .add_user_session(&id, fake_logto::SessionSeed::default())
    });
    let sessions_before = app.fake.state().user_session_ids(&id);
    for who in [app.admin().await, app.member().await] {
        assert_eq!(
            who.get(&format!("/users/{id}/mfa-reset")).await.status(),
            StatusCode::FORBIDDEN
        );
        let end = [("id", session.as_deref().unwrap_or("x"))];
        for (path, form) in [
            (format!("/users/{id}/mfa-reset"), &[][..]),
            (format!("/users/{id}/sessions/end"), &end[..]),
            (format!("/users/{id}/sessions/end-all"), &[][..]),
        ] {
            assert_eq!(
                who.post_form(&path, form).await.status(),
                StatusCode::FORBIDDEN,
                "{path}"
            );
            assert_eq!(
                who.post_htmx(&path, form).await.status(),
                StatusCode::FORBIDDEN,
                "htmx {path}"
            );
        }
    }
    assert_eq!(methods_in_fake(&app, &id), 3);
    assert_eq!(app.fake.state().user_session_ids(&id), sessions_before);
    assert!(audit(&app, "security.mfa_reset").await.is_empty());
}
