//! The page and the basics section.

use super::*;

// ---------------------------------------------------------------------------------------
// The page

#[tokio::test]
async fn profile_page_shows_the_signed_in_persons_sections() {
    let app = common::spawn_app().await;
    let anon = app.browser();
    let r = anon.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/sign-in?return_to=%2Fprofile");

    let member = app.member().await;
    let (status, html) = member.get_text("/profile").await;
    assert_eq!(status, StatusCode::OK);
    for id in [
        "basics",
        "details",
        "password",
        "email",
        "phone",
        "identities",
    ] {
        assert!(exists(&html, &format!("section#{id}")), "section {id}");
    }
    // Not configured: no custom fields, no self-deletion.
    assert!(!exists(&html, "section#custom"));
    assert!(!exists(&html, "section#delete"));
    assert_eq!(text(&html, "#basics-name-value"), "Mia Member");
    assert_eq!(text(&html, "#basics-username-value"), "mia_member");
    assert_eq!(text(&html, "#email-current"), "mia.member@acme.test");
    assert!(!html.contains("Adam Admin"), "only the person's own data");
    // Every section works without JavaScript: plain links to the editors.
    assert_eq!(
        attr(&html, "#basics-edit", "href").as_deref(),
        Some("/profile/basics/edit#basics")
    );
    let (status, html) = member.get_text("/profile/basics/edit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html"), "a whole page without htmx");
    assert_eq!(
        attr(&html, "#basics-name", "value").as_deref(),
        Some("Mia Member")
    );
    assert_eq!(
        attr(&html, "form[action='/profile/basics']", "method").as_deref(),
        Some("post")
    );

    // Traditional Chinese.
    let zh = member
        .client
        .get(member.url("/profile"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("我的個人資料"));
    assert!(!zh.contains("profile.basics.title"), "no missing keys");
}

// ---------------------------------------------------------------------------------------
// Basics

#[tokio::test]
async fn basics_inline_edit_saves_name_and_refreshes_the_header() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);

    let r = member.get_htmx("/profile/basics/edit").await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!fragment.contains("<html"), "a fragment for htmx");
    assert_eq!(
        attr(&fragment, "form", "hx-post").as_deref(),
        Some("/profile/basics")
    );
    assert_eq!(
        attr(&fragment, "#basics-name", "data-autofocus").as_deref(),
        Some("")
    );
    assert_eq!(
        attr(&fragment, "input[name=was_name]", "value").as_deref(),
        Some("Mia Member")
    );

    app.fake.state().clear_requests();
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia M. Renamed"),
                ("was_name", "Mia Member"),
                ("username", "mia_member"),
                ("was_username", "mia_member"),
                ("avatar", ""),
                ("was_avatar", ""),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_eq!(text(&fragment, "#basics-name-value"), "Mia M. Renamed");
    assert_eq!(
        attr(&fragment, "#basics #basics-status", "role").as_deref(),
        Some("status")
    );
    assert!(text(&fragment, "#basics #basics-status").contains("saved"));
    assert_eq!(
        attr(&fragment, "span.who", "hx-swap-oob").as_deref(),
        Some("outerHTML:.topbar .who")
    );
    assert!(text(&fragment, "span.who").contains("Mia M. Renamed"));
    assert_eq!(user(&app, &id)["name"], "Mia M. Renamed");
    // Only the name was sent, to the person's own id.
    let patches: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].path, format!("/api/users/{id}"));
    assert_eq!(
        serde_json::from_str::<Value>(&patches[0].body).unwrap(),
        json!({"name": "Mia M. Renamed"})
    );
    // The session's display name follows.
    let (_, html) = member.get_text("/profile").await;
    assert!(text(&html, ".topbar .who").contains("Mia M. Renamed"));

    let entries = audit_of(&app, "profile.update_basics").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].target_id.as_deref(), Some(id.as_str()));
    assert_eq!(details(&entries[0]), json!({"fields": ["name"]}));

    // Saving an unchanged form changes nothing.
    app.fake.state().clear_requests();
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia M. Renamed"),
                ("username", "mia_member"),
                ("avatar", ""),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&fragment, "#basics #basics-status").contains("Nothing changed"));
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
}

#[tokio::test]
async fn basics_plain_form_redirects_with_a_message_and_keeps_others_changes() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);

    let r = member
        .post_form(
            "/profile/basics",
            &[
                ("name", "Mia Plain"),
                ("was_name", "Mia Member"),
                ("username", "mia_member"),
                ("was_username", "mia_member"),
                ("avatar", "https://cdn.example.com/mia.png"),
                ("was_avatar", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile#basics");
    let (_, html) = member.get_text("/profile").await;
    assert!(text(&html, "#basics #basics-status").contains("Your basics were saved."));
    assert_eq!(text(&html, "#basics-name-value"), "Mia Plain");
    // Shown through the portal, never from the other host (issue 15).
    let src = attr(&html, "#basics img.avatar", "src").unwrap();
    assert!(src.starts_with(&format!("/avatars/{id}?v=")), "{src}");
    assert_eq!(user(&app, &id)["avatar"], "https://cdn.example.com/mia.png");

    // Someone else renames the person while their form is open: saving the avatar alone
    // does not put the old name back.
    app.state
        .logto
        .update_user(
            &id,
            &UserPatch {
                name: Some(Some("Renamed Elsewhere".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = member
        .post_form(
            "/profile/basics",
            &[
                ("name", "Mia Plain"),
                ("was_name", "Mia Plain"),
                ("username", "mia_member"),
                ("was_username", "mia_member"),
                ("avatar", ""),
                ("was_avatar", "https://cdn.example.com/mia.png"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let u = user(&app, &id);
    assert_eq!(u["name"], "Renamed Elsewhere");
    assert_eq!(u["avatar"], Value::Null);
}

#[tokio::test]
async fn basics_refuses_bad_input_at_the_field() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let long = "x".repeat(129);

    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", &long),
                ("username", "1bad"),
                ("avatar", "http://not-https.example/a.png"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "username", "avatar"] {
        assert_eq!(
            attr(&fragment, &format!("#basics-{field}"), "aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
        let described = attr(&fragment, &format!("#basics-{field}"), "aria-describedby").unwrap();
        assert!(
            described.contains(&format!("basics-{field}-error")),
            "{described}"
        );
        assert!(
            exists(&fragment, &format!("#basics-{field}-error")),
            "{field}"
        );
    }
    assert!(text(&fragment, "#basics-username-error").contains("letters, digits and underscores"));
    assert!(text(&fragment, "#basics-avatar-error").contains("https://"));
    // What the person typed is kept.
    assert_eq!(
        attr(&fragment, "#basics-username", "value").as_deref(),
        Some("1bad")
    );

    // Without htmx: the whole page, with the form open and the messages.
    let r = member
        .post_form(
            "/profile/basics",
            &[("name", "Ok"), ("username", "a b"), ("avatar", "")],
        )
        .await;
    let (status, html) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<html"));
    assert!(exists(&html, "#basics-username-error"));
    assert!(
        exists(&html, "section#details"),
        "the rest of the page is there"
    );

    let u = user(&app, &id);
    assert_eq!(u["name"], "Mia Member");
    assert_eq!(u["username"], "mia_member");
}

#[tokio::test]
async fn username_change_needs_the_password_and_reports_taken() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let pw = app.seed.password.clone();

    // The editor asks for the password (only needed for the username).
    let fragment = member
        .get_htmx("/profile/basics/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(&fragment, "#basics-current-password"));

    let r = member
        .post_htmx(
            "/profile/basics",
            &[("name", "Mia Member"), ("username", "adam_admin")],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-current-password-error").contains("current password"));

    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "wrong_pw_try"),
                ("current_password", "nope"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-current-password-error").contains("not your current password"));

    // Right password, but Logto answers 422 username_already_in_use.
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "adam_admin"),
                ("current_password", &pw),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-username-error").contains("taken"));
    // Proven a moment ago: the form no longer asks for the password.
    assert!(!exists(&fragment, "#basics-current-password"));

    let r = member
        .post_htmx(
            "/profile/basics",
            &[("name", "Mia Member"), ("username", "mia_renamed")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(user(&app, &id)["username"], "mia_renamed");

    let entries = audit_of(&app, "profile.update_basics").await;
    let codes: Vec<_> = entries.iter().map(|e| e.error_code.clone()).collect();
    assert!(
        codes.contains(&Some("invalid_current_password".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&Some("user.username_already_in_use".into())),
        "{codes:?}"
    );
    assert!(codes.contains(&None), "{codes:?}");
}
