//! CSRF token hygiene, the language cookie and the client address (issue 15).

use super::*;

/// Signs in again in the same browser (Logto still knows it, or asks again).
async fn sign_in_again(app: &common::TestApp, b: &mut common::Browser) {
    let start = b.get("/sign-in?return_to=/profile").await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let form = b.client.get(location(&start)).send().await.unwrap();
    let landing = if form.status().is_redirection() {
        location(&form)
    } else {
        let html = form.text().await.unwrap();
        let interaction = hidden_value(&html, "interaction").unwrap();
        let r = b
            .client
            .post(format!("{}/oidc/auth/submit", app.fake.url()))
            .form(&[
                ("interaction", interaction.as_str()),
                ("identifier", app.seed.member_username.as_str()),
                ("password", app.seed.password.as_str()),
            ])
            .send()
            .await
            .unwrap();
        location(&r)
    };
    let callback = b.client.get(&landing).send().await.unwrap();
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    b.refresh_csrf().await;
}

#[tokio::test]
async fn the_csrf_token_is_new_after_each_sign_in() {
    let app = spawn_app().await;
    // A token handed out before signing in (the public invitation page gives anonymous
    // visitors one) does not survive the sign-in.
    let org = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let invitation = app.fake.state().create_invitation(
        &org,
        None,
        "planted@example.com",
        &[],
        logto_portal::audit::now_ms() + 86_400_000,
        "Pending",
    );
    let mut b = app.browser();
    let (_, html) = b.get_text(&format!("/invitations/{invitation}")).await;
    let planted = hidden_value(&html, "_csrf").expect("an anonymous token");
    sign_in_again(&app, &mut b).await;
    let first = b.csrf.clone().unwrap();
    assert_ne!(first, planted);

    sign_in_again(&app, &mut b).await;
    let second = b.csrf.clone().unwrap();
    assert_ne!(first, second, "a new token at every sign-in");
    for old in [&planted, &first] {
        let r = b
            .client
            .post(b.url("/profile/basics"))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", old.as_str())
            .form(&[("name", "Mia Member")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = b
        .post_htmx("/profile/basics", &[("name", "Mia Member")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// An avatar upload as a plain browser form sends it: multipart, optional `_csrf` part.
fn avatar_form(csrf_part: Option<&str>) -> (String, Vec<u8>) {
    let boundary = "portal-auth-test-5c1e";
    let mut body = Vec::new();
    if let Some(token) = csrf_part {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]);
    body.extend_from_slice(&[0u8; 32]);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn multipart_posts_take_the_token_from_the_body_never_the_address() {
    let app = spawn_app().await;
    app.fake.state().set_storage_configured(true);
    let member = app.member().await;
    let csrf = member.csrf.clone().unwrap();
    let post = |path: String, part: Option<&str>| {
        let (content_type, body) = avatar_form(part);
        member
            .client
            .post(member.url(&path))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let r = post(format!("/profile/avatar?_csrf={csrf}"), None)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a token in the address");
    let r = post("/profile/avatar".into(), Some("forged"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a wrong token");
    let r = post("/profile/avatar".into(), Some(&csrf)).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the token as a form part"
    );
    let id = app.user_id(&app.seed.member_username);
    let avatar = app.fake.state().user_json(&id).unwrap()["avatar"].clone();
    assert!(
        avatar.as_str().is_some_and(|a| a.ends_with(".png")),
        "{avatar}"
    );
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some("security.csrf_refused".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
    let codes: Vec<_> = entries.iter().map(|e| e.error_code.clone()).collect();
    assert_eq!(
        codes,
        [Some("csrf_mismatch".into()), Some("csrf_missing".into())]
    );
}

#[tokio::test]
async fn no_page_puts_the_csrf_token_in_an_address() {
    // The templates: a token is a hidden field or the htmx header, never `…?_csrf=`.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut folders = vec![root];
    let mut checked = 0;
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(!text.contains("_csrf="), "{}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 20);
    // The rendered upload forms (invitations, avatar).
    let app = spawn_app().await;
    app.fake.state().set_storage_configured(true);
    let admin = app.admin().await;
    let org = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let member = app.member().await;
    for (b, page) in [
        (&admin, format!("/orgs/{org}/invitations")),
        (&member, "/profile/basics/edit".to_string()),
    ] {
        let (status, html) = b.get_text(&page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let forms = common::attrs(&html, "form[enctype='multipart/form-data']", "action");
        assert!(!forms.is_empty(), "{page} has an upload form");
        for attr in ["action", "href", "hx-post", "hx-get", "src"] {
            for value in common::attrs(&html, &format!("[{attr}]"), attr) {
                assert!(!value.contains("_csrf"), "{page}: {attr}={value}");
            }
        }
        assert_eq!(
            common::attrs(
                &html,
                "form[enctype='multipart/form-data'] input[name=_csrf]",
                "value"
            ),
            vec![b.csrf.clone().unwrap()],
            "{page}"
        );
    }
}

#[tokio::test]
async fn the_language_cookie_is_secure_on_https() {
    let secure = Spawn::default()
        .env("PORTAL_PUBLIC_URL", "https://portal.example.com")
        .start()
        .await;
    let plain = spawn_app().await;
    for (app, want) in [(&secure, true), (&plain, false)] {
        let r = new_client()
            .get(format!("{}/lang/zh-TW?return_to=/", app.url))
            .send()
            .await
            .unwrap();
        let cookie = set_cookies(&r)
            .into_iter()
            .find(|c| c.starts_with("lang="))
            .unwrap();
        assert_eq!(cookie.contains("; Secure"), want, "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
    }
}

/// The address the audit trail recorded for a refused (anonymous, token-less) post sent with
/// `X-Forwarded-For: forwarded`.
async fn audited_ip(app: &common::TestApp, forwarded: &str) -> Option<String> {
    let r = new_client()
        .post(format!("{}/sign-out", app.url))
        .header("x-forwarded-for", forwarded)
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some("security.csrf_refused".into()),
                ..Default::default()
            },
            1,
            1,
        )
        .await
        .unwrap();
    entries[0].ip.clone()
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    // Nobody trusted (the default): the socket address, whatever the header says.
    let app = spawn_app().await;
    assert_eq!(
        audited_ip(&app, "203.0.113.7").await.as_deref(),
        Some("127.0.0.1")
    );
    // Another peer is trusted, this one is not.
    let app = Spawn::default()
        .env("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8")
        .start()
        .await;
    assert_eq!(
        audited_ip(&app, "203.0.113.7").await.as_deref(),
        Some("127.0.0.1")
    );
    // From a trusted proxy: the right-most hop that is not a proxy; what the client put in
    // front of it is ignored.
    let app = Spawn::default()
        .env("PORTAL_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8")
        .start()
        .await;
    assert_eq!(
        audited_ip(&app, "203.0.113.7").await.as_deref(),
        Some("203.0.113.7")
    );
    assert_eq!(
        audited_ip(&app, "6.6.6.6, 198.51.100.4, 10.1.1.1")
            .await
            .as_deref(),
        Some("198.51.100.4")
    );
}

#[tokio::test]
async fn a_bad_trusted_proxy_list_or_search_setting_stops_start_up() {
    for (var, value) in [
        ("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
        ("PORTAL_ADMIN_USER_SEARCH", "all"),
    ] {
        let vars = std::collections::HashMap::from([
            ("LOGTO_ENDPOINT", "http://127.0.0.1:1"),
            ("LOGTO_M2M_APP_ID", "m2m"),
            ("LOGTO_M2M_APP_SECRET", "secret"),
            ("LOGTO_APP_ID", "web"),
            ("LOGTO_APP_SECRET", "secret"),
            (var, value),
        ]);
        let e = logto_portal::config::Config::from_lookup(|k| vars.get(k).map(|v| v.to_string()))
            .unwrap_err();
        assert_eq!(e.var, var);
        assert!(
            e.to_string().contains(value.split(", ").last().unwrap()),
            "{e}"
        );
    }
}
