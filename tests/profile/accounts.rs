//! Linked accounts, avatar upload, deleting one's account.

use super::*;

// ---------------------------------------------------------------------------------------
// Linked accounts

#[tokio::test]
async fn linked_accounts_unlink_and_last_method_guard() {
    let app = common::spawn_app().await;
    let (id, b) = person(
        &app,
        NewUser {
            username: Some("social_sam".into()),
            identities: json!({
                "github": {"userId": "gh-42", "details": {"email": "sam@github.test"}},
                "google": {"userId": "g-7"}
            }),
            ..Default::default()
        },
    )
    .await;
    let (_, html) = b.get_text("/profile").await;
    let rows = texts(&html, "#identities tbody tr th");
    assert_eq!(rows, ["GitHub", "Google"]);
    assert!(text(&html, "#identities tbody").contains("sam@github.test"));

    // Not the person's own connector: 404, whoever has it.
    let r = b.post_htmx("/profile/identities/apple/unlink", &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = b.post_htmx("/profile/identities/github/unlink", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#identities").contains("current password"));
    let r = b
        .post_htmx(
            "/profile/identities/github/unlink",
            &[("current_password", &app.seed.password)],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(
        text(&fragment, "#identities #identities-status").contains("GitHub account was unlinked")
    );
    assert_eq!(texts(&fragment, "#identities tbody tr th"), ["Google"]);
    assert!(user(&app, &id)["identities"].get("github").is_none());

    // Google becomes the only way in once the username is gone (changed elsewhere).
    app.state
        .logto
        .update_user(
            &id,
            &UserPatch {
                username: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = b.post_htmx("/profile/identities/google/unlink", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#identities .field-error").contains("last way you can sign in"));
    assert!(user(&app, &id)["identities"].get("google").is_some());

    let entries = audit_of(&app, "profile.identity_unlink").await;
    let summary: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                details(e)["target"].as_str().unwrap_or("").to_string(),
                e.error_code.clone(),
            )
        })
        .collect();
    assert!(
        summary.contains(&("github".to_string(), None)),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("google".to_string(), Some("last_sign_in_method".into()))),
        "{summary:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Avatar upload

pub(crate) fn multipart(bytes: &[u8], content_type: &str) -> (Vec<u8>, String) {
    let boundary = "portal-test-boundary-7f3a";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me.png\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (body, format!("multipart/form-data; boundary={boundary}"))
}

pub(crate) async fn upload(b: &Browser, bytes: &[u8], content_type: &str) -> reqwest::Response {
    let (body, ct) = multipart(bytes, content_type);
    b.client
        .post(b.url("/profile/avatar"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", b.csrf.clone().unwrap())
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn avatar_upload_when_storage_is_configured() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let png: Vec<u8> = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        &[0u8; 64][..],
    ]
    .concat();

    // No storage: no upload form, and an upload is refused with a clear message.
    let fragment = member
        .get_htmx("/profile/basics/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(!exists(&fragment, "#basics-file"));
    let (status, fragment) = body(upload(&member, &png, "image/png").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("not available"));

    app.fake.state().set_storage_configured(true);
    // The portal keeps the storage status for 5 minutes; the deployer's change shows after that.
    app.state.storage_ready.clear();
    let fragment = member
        .get_htmx("/profile/basics/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(
        &fragment,
        "form[enctype='multipart/form-data'] #basics-file"
    ));
    // Plain forms carry the token in the body, never in the address.
    let action = attr(&fragment, "form.avatar-upload", "action").unwrap();
    assert_eq!(action, "/profile/avatar");
    assert_eq!(
        attr(&fragment, "form.avatar-upload input[name=_csrf]", "value"),
        member.csrf
    );

    let (status, fragment) =
        body(upload(&member, b"<svg onload=alert(1)>", "image/png").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("not a PNG"));

    let (status, fragment) = body(upload(&member, &png, "application/octet-stream").await).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let avatar = user(&app, &id)["avatar"].as_str().unwrap().to_string();
    assert!(
        avatar.starts_with(&app.fake.url()) && avatar.ends_with(".png"),
        "{avatar}"
    );
    // Shown through the portal (issue 15), which serves only what it can decode and
    // re-encode: this file is a PNG signature and zeros, so the initials show instead.
    let src = attr(&fragment, "#basics img.avatar", "src").unwrap();
    assert!(src.starts_with(&format!("/avatars/{id}?v=")), "{src}");
    assert_eq!(member.get(&src).await.status(), StatusCode::NOT_FOUND);

    let too_big = vec![0x89u8; 3 * 1024 * 1024];
    let (status, fragment) = body(upload(&member, &too_big, "image/png").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("too large"));
    let uploads = audit_of(&app, "profile.update_basics").await;
    assert!(uploads
        .iter()
        .any(|e| e.result == "success" && details(e)["upload"] == json!(true)));
    assert!(uploads
        .iter()
        .any(|e| e.error_code.as_deref() == Some("storage.not_configured")));
}

// ---------------------------------------------------------------------------------------
// Delete my account

#[tokio::test]
async fn delete_account_needs_confirmation_and_signs_out() {
    let app = Spawn::default()
        .env("PORTAL_ALLOW_SELF_DELETE", "true")
        .start()
        .await;
    let (id, b) = person(
        &app,
        NewUser {
            username: Some("leaving_lee".into()),
            primary_email: Some("lee@leaving.test".into()),
            ..Default::default()
        },
    )
    .await;
    let (_, html) = b.get_text("/profile").await;
    assert!(exists(&html, "section#delete"));
    assert!(text(&html, "label[for=delete-confirm]").contains("leaving_lee"));

    let r = b
        .post_form(
            "/profile/delete",
            &[
                ("confirm", "leaving"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, html) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#delete-confirm-error").contains("leaving_lee"));
    let r = b
        .post_form(
            "/profile/delete",
            &[("confirm", "leaving_lee"), ("current_password", "wrong")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.fake.state().user_json(&id).is_some());

    let r = b
        .post_form(
            "/profile/delete",
            &[
                ("confirm", "leaving_lee"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/signed-out");
    assert!(
        app.fake.state().user_json(&id).is_none(),
        "deleted in Logto"
    );
    let r = b.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&r).starts_with("/sign-in"),
        "signed out of the portal"
    );
    let entries = audit_of(&app, "profile.delete_account").await;
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].target_id.as_deref(), Some(id.as_str()));

    // htmx: the browser is sent to the signed-out page.
    let (_, other) = person(
        &app,
        NewUser {
            username: Some("leaving_too".into()),
            ..Default::default()
        },
    )
    .await;
    let r = other
        .post_htmx(
            "/profile/delete",
            &[
                ("confirm", "leaving_too"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["hx-redirect"], "/signed-out");
}

#[tokio::test]
async fn delete_is_absent_unless_allowed() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let r = member
        .post_form(
            "/profile/delete",
            &[
                ("confirm", "mia_member"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(app
        .fake
        .state()
        .user_json(&app.user_id(&app.seed.member_username))
        .is_some());
}
