//! Access changes take effect at once; avatars come from the portal only.

use super::export::parse_csv;
use super::*;

// ---------------------------------------------------------------------------------------
// Access changed through the portal takes effect at once (issue 15)

#[tokio::test]
async fn a_demoted_or_removed_admin_is_refused_on_the_next_request() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Demote Co", 2);
    let url = members_url(&org.id);
    let (demoted_id, removed_id) = (org.member_ids[0].clone(), org.member_ids[1].clone());
    for id in [&demoted_id, &removed_id] {
        app.fake.state().add_member(&org.id, id, &["admin"]);
    }
    let demoted = signed_in(&app, "pm_000", &url).await;
    let removed = signed_in(&app, "pm_001", &url).await;
    let adam = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = adam.get_text(&url).await;
    let member_role = role_id(&html, "member");

    let r = adam
        .post_form(
            &format!("{url}/{demoted_id}/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        member_roles(&app, &org.id, &demoted_id).await,
        Some(vec!["member".to_string()])
    );
    // The very next request (no clock moved) reads the new roles: no longer an admin.
    assert_eq!(demoted.get(&url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(demoted.get("/profile").await.status(), StatusCode::OK);
    let entries = audit(&app, &org.id, "member.roles_change").await;
    let details: serde_json::Value = serde_json::from_str(&entries[0].details).unwrap();
    assert_eq!(details["sessionsRefreshed"], 1, "{details}");

    let r = adam
        .post_form(&format!("{url}/{removed_id}/remove"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(removed.get(&url).await.status(), StatusCode::NOT_FOUND);
    let entries = audit(&app, &org.id, "member.remove").await;
    let details: serde_json::Value = serde_json::from_str(&entries[0].details).unwrap();
    assert_eq!(details["sessionsRefreshed"], 1, "{details}");
    // The admin who made the changes keeps working.
    assert_eq!(adam.get(&url).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn csv_formulas_behind_separators_are_neutralized() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Formula Co", 0);
    let st = app.fake.state();
    let mia = st.create_user(NewUser {
        username: Some("formula_mia".into()),
        name: Some("Mia;=1+1;-2+3".into()),
        primary_email: Some("mia@formula.test".into()),
        ..Default::default()
    });
    st.add_member(&org.id, &mia, &["member"]);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let body = b
        .get(&format!("{url}/export.csv"))
        .await
        .text()
        .await
        .unwrap();
    // Every cell quoted; each `;`-separated part that starts a formula gets a `'`.
    assert!(
        body.contains(&format!("\"{mia}\",\"Mia;'=1+1;'-2+3\",")),
        "{body}"
    );
    assert!(!body.contains(";=1+1"), "{body}");
    let rows = parse_csv(&body);
    let row = rows.iter().find(|r| r[0] == mia).unwrap();
    assert_eq!(row[1], "Mia;'=1+1;'-2+3");
}

// ---------------------------------------------------------------------------------------
// Avatars come from the portal only (issue 15)

pub(crate) async fn set_avatar(app: &TestApp, user_id: &str, url: &str) {
    app.state
        .logto
        .update_user(
            user_id,
            &logto_portal::logto::UserPatch {
                avatar: Some(Some(url.to_string())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

/// Every `<img src>` of a page.
/// The images of the page's content (the header's logo is a static asset, checked below).
pub(crate) fn image_sources(html: &str) -> Vec<String> {
    attrs(html, "main img[src]", "src")
}

#[tokio::test]
async fn pages_never_load_images_from_another_host() {
    let app = common::spawn_app().await;
    let acme = app.seed.org_ids[0].clone();
    let mia = app.user_id(&app.seed.member_username);
    set_avatar(&app, &mia, "https://attacker.example/t.png?u=mia").await;
    let op = app.operator().await;
    let me = app.member().await;
    let pages = [
        // Members are ordered by user id (random here): one page holds everyone.
        (&op, format!("/orgs/{acme}/members?page_size=100")),
        (&op, format!("/orgs/{acme}/members?q=mia")),
        (&op, "/users?q=mia".to_string()),
        (&op, format!("/users/{mia}")),
        (&me, "/profile".to_string()),
        (&me, "/profile/basics/edit".to_string()),
    ];
    for (b, page) in pages {
        let r = b.get(&page).await;
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("img-src 'self';"), "{csp}");
        let html = r.text().await.unwrap();
        // (The person's own edit form shows the address as text; no page loads it.)
        for bad in ["src=\"http", "src=\"//", "src=\"https://attacker"] {
            assert!(!html.contains(bad), "{page}: {bad}");
        }
        let logos = attrs(&html, "header.topbar img[src]", "src");
        assert!(
            logos.iter().all(|s| s.starts_with("/static/logo.svg?v=")),
            "{page}: {logos:?}"
        );
        let sources = image_sources(&html);
        assert!(
            sources.iter().all(|s| s.starts_with("/avatars/")),
            "{page}: {sources:?}"
        );
        assert!(
            sources
                .iter()
                .any(|s| s.starts_with(&format!("/avatars/{mia}?v="))),
            "{page}: Mia's avatar through the portal: {sources:?}"
        );
    }
}

#[tokio::test]
async fn the_avatar_route_refuses_private_addresses_and_strangers() {
    let app = common::spawn_app().await;
    // Something listening on loopback that must never be contacted.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = trap.local_addr().unwrap().port();
    let contacted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = contacted.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = trap.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let op = app.operator().await;
    let targets = [
        format!("https://127.0.0.1:{port}/a.png"),
        format!("https://localhost:{port}/a.png"),
        format!("http://127.0.0.1:{port}/a.png"),
        format!("https://[::ffff:127.0.0.1]:{port}/a.png"),
        "https://169.254.169.254/latest/meta-data".to_string(),
        "https://10.0.0.1/a.png".to_string(),
    ];
    for (i, target) in targets.iter().enumerate() {
        let id = person(&app, &format!("trap_{i}"), &format!("Trap {i}"));
        set_avatar(&app, &id, target).await;
        let (_, html) = op.get_text(&format!("/users/{id}")).await;
        let src = image_sources(&html).remove(0);
        let r = op.get(&src).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{target}");
    }
    assert_eq!(contacted.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Someone who may not see the person gets 404 too, whatever the image.
    let adam = app.user_id(&app.seed.admin_username);
    set_avatar(&app, &adam, "https://127.0.0.1/a.png").await;
    let mia = app.member().await;
    assert_eq!(
        mia.get(&format!("/avatars/{adam}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Not signed in: off to sign in.
    let anonymous = app.browser();
    assert_eq!(
        anonymous.get(&format!("/avatars/{adam}")).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_avatar_on_logto_s_host_is_fetched_re_encoded_and_cached() {
    let app = common::spawn_app().await;
    app.fake.state().set_storage_configured(true);
    // 300×150 with a text chunk (metadata the portal must not pass on).
    let mut original = std::io::Cursor::new(Vec::new());
    let mut pixels = image::RgbaImage::new(300, 150);
    for (x, y, p) in pixels.enumerate_pixels_mut() {
        *p = image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255]);
    }
    image::DynamicImage::ImageRgba8(pixels)
        .write_to(&mut original, image::ImageFormat::Png)
        .unwrap();
    let original = original.into_inner();
    let url = app
        .state
        .logto
        .upload_user_asset(original.clone(), "me.png", "image/png")
        .await
        .unwrap();
    assert!(url.starts_with(&app.fake.url()), "{url}");
    let mia = app.user_id(&app.seed.member_username);
    set_avatar(&app, &mia, &url).await;

    // An admin of Mia's organization sees it, from the members page.
    let acme = app.seed.org_ids[0].clone();
    let adam = app.admin().await;
    let (_, html) = adam.get_text(&format!("/orgs/{acme}/members?q=mia")).await;
    let src = image_sources(&html)
        .into_iter()
        .find(|s| s.starts_with(&format!("/avatars/{mia}?v=")))
        .expect("Mia's avatar");
    app.fake.state().clear_requests();
    let r = adam.get(&src).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let caching = r.headers()["cache-control"].to_str().unwrap().to_string();
    assert!(
        caching.contains("private") && caching.contains("max-age=31536000"),
        "{caching}"
    );
    let served = r.bytes().await.unwrap();
    assert_ne!(served.as_ref(), original.as_slice());
    let decoded = image::load_from_memory(&served).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (96, 96));

    // Asked again (Mia herself this time): from memory, Logto's storage is not asked again.
    let me = app.member().await;
    let asset_fetches = || {
        app.fake
            .state()
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/user-assets/"))
            .count()
    };
    assert_eq!(asset_fetches(), 1);
    let again = me.get(&src).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.bytes().await.unwrap(), served);
    assert_eq!(asset_fetches(), 1);
}
