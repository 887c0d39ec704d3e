//! Expiring a person's password (Logto 1.41+) from their page: explained, refused in plain
//! words while the tenant's policy has expiry off, done and audited once it is on; an older
//! Logto gets one sentence naming the release.

use super::*;

#[tokio::test]
async fn operators_expire_a_password_where_logto_has_it() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let id = app.user_id(&app.seed.member_username);
    let (status, html) = b.get_text(&format!("/users/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let version = app.fake.state().version();
    if !version.at_least(41) {
        assert!(attr(&html, "#password-expire", "href").is_none());
        assert!(text_of(&html, "#password-expire-missing").contains("Logto 1.41"));
        let (status, confirm) = b.get_text(&format!("/users/{id}/password-expire")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(confirm.contains("needs Logto 1.41"), "{confirm}");
        assert!(!confirm.contains(&format!("action=\"/users/{id}/password-expire\"")));
        let r = b
            .post_form(&format!("/users/{id}/password-expire"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(audit(&app, "user.password_expire").await.is_empty());
        return;
    }
    assert_eq!(
        attr(&html, "#password-expire", "href"),
        Some(format!("/users/{id}/password-expire"))
    );
    let (status, confirm) = b.get_text(&format!("/users/{id}/password-expire")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("choose a new one"), "{confirm}");
    assert_eq!(app.fake.state().password_expired(&id), Some(false));

    // Logto's default: expiry off. The operator learns what to turn on; nothing changed.
    let r = b
        .post_form(&format!("/users/{id}/password-expire"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    assert!(
        text_of(&html, "#alerts").contains("Password expiry is turned off"),
        "{}",
        text_of(&html, "#alerts")
    );
    assert_eq!(app.fake.state().password_expired(&id), Some(false));

    app.fake.state().set_password_expiration_policy(true);
    let r = b
        .post_form(&format!("/users/{id}/password-expire"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.fake.state().password_expired(&id), Some(true));
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    assert!(text_of(&html, "#alerts").contains("choose a new one at their next sign-in"));

    let entries = audit(&app, "user.password_expire").await;
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().any(|e| e.result == "success"));
    assert!(entries
        .iter()
        .any(|e| e.error_code.as_deref()
            == Some("sign_in_experiences.password_expiration_not_enabled")));

    // Someone without a password has nothing to expire: no button, no form.
    let social = app.fake.state().create_user(NewUser {
        username: Some("no_password_nia".into()),
        ..Default::default()
    });
    let html = b
        .get(&format!("/users/{social}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(attr(&html, "#password-expire", "href").is_none());
    let confirm = b
        .get(&format!("/users/{social}/password-expire"))
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("nothing to expire"));
    assert!(!confirm.contains(&format!("action=\"/users/{social}/password-expire\"")));
}
