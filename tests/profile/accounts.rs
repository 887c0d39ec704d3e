//! Linked accounts, avatar upload, deleting one's account.

use super::*;
use common::DbKind;

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
}

/// A picture `width`×`height`: left half red, right half blue, with `noise` random pixels
/// over it (noise makes the file large: PNG cannot compress it).
fn picture(width: u32, height: u32, noise: bool, format: image::ImageFormat) -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(width, height, |x, _| {
        if noise {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [a, b, c, _] = seed.to_le_bytes();
            return image::Rgb([a, b, c]);
        }
        if x < width / 2 {
            image::Rgb([220, 0, 0])
        } else {
            image::Rgb([0, 0, 220])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

/// Without Logto storage the portal keeps the avatar: cropped square, 256 and 64 px PNGs,
/// served from its own content-named address and set as the avatar in Logto.
async fn avatar_kept_by_the_portal(app: &TestApp) {
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let fragment = member
        .get_htmx("/profile/basics/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(&fragment, "form.avatar-upload #basics-file"));
    assert!(text(&fragment, "#basics-file-hint").contains("5 MB"));

    let jpeg = picture(600, 300, false, image::ImageFormat::Jpeg);
    let (status, fragment) = body(upload(&member, &jpeg, "image/jpeg").await).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let avatar = user(app, &id)["avatar"].as_str().unwrap().to_string();
    let public = app.url.trim_end_matches('/');
    let path = avatar
        .strip_prefix(public)
        .unwrap_or_else(|| panic!("{avatar} is the portal's address"))
        .to_string();
    assert!(
        path.starts_with("/avatars/u/") && path.ends_with("-256.png"),
        "{path}"
    );
    let src = attr(&fragment, "#basics img.avatar", "src").unwrap();
    assert_eq!(src, path, "shown from the portal, never from another host");

    // Served to anyone with the address (as Logto's storage URLs are), cached for good.
    let anonymous = reqwest::Client::new();
    for (size, file) in [
        (256, path.clone()),
        (64, path.replace("-256.png", "-64.png")),
    ] {
        let r = anonymous.get(member.url(&file)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{file}");
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let png = r.bytes().await.unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(img.dimensions(), (size, size));
        // Cropped around the centre: both halves are still there.
        assert!(img.get_pixel(2, size / 2)[0] > 150, "left is red");
        assert!(img.get_pixel(size - 3, size / 2)[2] > 150, "right is blue");
    }
    let uploads = audit_of(app, "security.avatar_upload").await;
    let done: Vec<_> = uploads.iter().filter(|e| e.result == "success").collect();
    assert_eq!(done.len(), 1);
    assert_eq!(
        details(done[0])["hash"].as_str().map(|h| path.contains(h)),
        Some(true)
    );
    assert_eq!(details(done[0])["bytes"], json!(jpeg.len()));

    // Larger than the 2 MiB of other forms, within the 5 MB the portal keeps.
    let big = picture(1100, 1000, true, image::ImageFormat::Png);
    assert!(big.len() > 3 * 1024 * 1024 && big.len() < 5 * 1024 * 1024);
    let (status, fragment) = body(upload(&member, &big, "image/png").await).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_ne!(user(app, &id)["avatar"].as_str().unwrap(), avatar);

    let too_big = [&big[..], &big[..]].concat();
    let (status, fragment) = body(upload(&member, &too_big, "image/png").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("up to 5 MB"));
    let (status, fragment) = body(upload(&member, b"GIF89a-not-really", "image/gif").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("could not be read"));
    assert!(audit_of(app, "security.avatar_upload")
        .await
        .iter()
        .any(|e| e.error_code.as_deref() == Some("avatar_unreadable")));

    // An address naming no stored image is a 404, whatever it looks like.
    let missing = format!("/avatars/u/{}-64.png", "0".repeat(64));
    assert_eq!(member.get(&missing).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        member.get("/avatars/u/..%2F..%2Fetc-64.png").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn avatar_upload_without_logto_storage_is_kept_in_sqlite() {
    avatar_kept_by_the_portal(&common::spawn_app().await).await;
}

#[tokio::test]
async fn avatar_upload_without_logto_storage_is_kept_in_postgres() {
    avatar_kept_by_the_portal(&Spawn::default().db(DbKind::Postgres).start().await).await;
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
