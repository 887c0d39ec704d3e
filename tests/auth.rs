//! Sign-in with Logto, sessions, the access rules and page protection (issue 3), through real
//! HTTP against the fake Logto.

mod common;

use common::location;

use common::{hidden_value, new_client, spawn_app, Spawn};
use logto_portal::audit::Filter;
use reqwest::StatusCode;

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

async fn home_location(b: &common::Browser) -> (StatusCode, String) {
    let r = b.get("/").await;
    (r.status(), location(&r))
}

#[tokio::test]
async fn each_role_lands_where_it_belongs() {
    let app = spawn_app().await;
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();

    let (op, dest) = app
        .sign_in_to(&app.seed.operator_username, &app.seed.password, "/")
        .await;
    assert_eq!(dest, "/");
    assert_eq!(
        home_location(&op).await,
        (StatusCode::SEE_OTHER, "/users".into())
    );

    let admin = app.admin().await;
    assert_eq!(
        home_location(&admin).await,
        (StatusCode::SEE_OTHER, format!("/orgs/{acme}/members"))
    );

    let member = app.member().await;
    assert_eq!(
        home_location(&member).await,
        (StatusCode::SEE_OTHER, "/profile".into())
    );

    // An admin of several organizations goes to the list.
    let user = app.user_id(&app.seed.admin_username);
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    app.fake.state().add_member(&globex, &user, &["admin"]);
    let admin2 = app.admin().await;
    assert_eq!(
        home_location(&admin2).await,
        (StatusCode::SEE_OTHER, "/orgs".into())
    );

    // Anonymous visitors see the welcome page with a sign-in link.
    let anon = app.browser();
    let (status, html) = anon.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/sign-in\""), "{html}");

    // The sign-in was recorded with the person as actor.
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some("auth.sign_in".into()),
                ..Default::default()
            },
            1,
            50,
        )
        .await
        .unwrap();
    assert!(entries.len() >= 4);
    assert!(entries
        .iter()
        .all(|e| e.actor_id.is_some() && e.result == "success"));
}

#[tokio::test]
async fn sign_in_request_carries_pkce_state_nonce_and_scopes() {
    let app = spawn_app().await;
    let client = new_client();
    let r = client
        .get(format!(
            "{}/sign-in?login_hint=a%40b.example&first_screen=register",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let target = url::Url::parse(&location(&r)).unwrap();
    assert_eq!(target.path(), "/oidc/auth");
    let q: std::collections::HashMap<_, _> = target.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "portal-web");
    assert_eq!(q["redirect_uri"], format!("{}/callback", app.url));
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["code_challenge"].len() >= 43);
    assert!(q["state"].len() >= 16 && q["nonce"].len() >= 16);
    assert_eq!(q["login_hint"], "a@b.example");
    assert_eq!(q["first_screen"], "register");
    let scopes: Vec<&str> = q["scope"].split(' ').collect();
    for s in [
        "openid",
        "profile",
        "email",
        "phone",
        "urn:logto:scope:organizations",
        "urn:logto:scope:organization_roles",
    ] {
        assert!(scopes.contains(&s), "scope {s} in {scopes:?}");
    }
    // The pending sign-in lives in a session cookie with the right flags.
    let cookie = set_cookies(&r).join("\n");
    assert!(cookie.contains("portal_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "no Secure on plain http: {cookie}"
    );
    assert!(
        !cookie.to_lowercase().contains("domain="),
        "host-only: {cookie}"
    );
}

#[tokio::test]
async fn cookie_is_secure_when_public_url_is_https() {
    let app = Spawn::default()
        .env("PORTAL_PUBLIC_URL", "https://portal.example.com")
        .start()
        .await;
    let r = new_client()
        .get(format!("{}/sign-in", app.url))
        .send()
        .await
        .unwrap();
    let cookie = set_cookies(&r).join("\n");
    assert!(cookie.contains("Secure"), "{cookie}");
    let hsts = app.browser().get("/").await;
    assert!(hsts.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn return_to_survives_and_refuses_other_sites() {
    let app = spawn_app().await;
    let (_, dest) = app
        .sign_in_to(
            &app.seed.member_username,
            &app.seed.password,
            "/profile?tab=password",
        )
        .await;
    assert_eq!(dest, "/profile?tab=password");
    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let (_, dest) = app
            .sign_in_to(&app.seed.member_username, &app.seed.password, evil)
            .await;
        assert_eq!(dest, "/", "{evil}");
    }
}

/// Walks the sign-in up to the callback URL, without calling it.
async fn callback_url(app: &common::TestApp, client: &reqwest::Client) -> String {
    let r = client
        .get(format!("{}/sign-in", app.url))
        .send()
        .await
        .unwrap();
    let form = client
        .get(location(&r))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let interaction = hidden_value(&form, "interaction").unwrap();
    let r = client
        .post(format!("{}/oidc/auth/submit", app.fake.url()))
        .form(&[
            ("interaction", interaction.as_str()),
            ("identifier", app.seed.member_username.as_str()),
            ("password", app.seed.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let loc = location(&r);
    assert!(loc.starts_with(&app.url), "{loc}");
    loc
}

async fn assert_callback_fails(r: reqwest::Response) {
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("Sign-in did not complete"), "{html}");
    assert!(
        html.contains("href=\"/sign-in?return_to="),
        "try-again link: {html}"
    );
}

#[tokio::test]
async fn failed_callbacks_show_a_try_again_page() {
    let app = spawn_app().await;
    let client = new_client();

    // Unknown state.
    let r = client
        .get(format!("{}/callback?code=abc&state=not-mine", app.url))
        .send()
        .await
        .unwrap();
    assert_callback_fails(r).await;

    // Wrong state with a real code.
    let url = callback_url(&app, &client).await;
    let tampered = url.replace("state=", "state=x");
    assert_callback_fails(client.get(&tampered).send().await.unwrap()).await;

    // Replayed callback: the first use succeeds, the second fails.
    let client = new_client();
    let url = callback_url(&app, &client).await;
    let first = client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_callback_fails(client.get(&url).send().await.unwrap()).await;

    // Tampered ID token signature.
    let client = new_client();
    let url = callback_url(&app, &client).await;
    app.fake.state().tamper_next_id_token();
    assert_callback_fails(client.get(&url).send().await.unwrap()).await;

    // Expired authorization code.
    let client = new_client();
    let url = callback_url(&app, &client).await;
    app.fake.state().expire_authorization_codes();
    assert_callback_fails(client.get(&url).send().await.unwrap()).await;

    // Logto reports an error (the person cancelled).
    let client = new_client();
    let r = client
        .get(format!("{}/sign-in", app.url))
        .send()
        .await
        .unwrap();
    let state = url::Url::parse(&location(&r))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let r = client
        .get(format!(
            "{}/callback?error=access_denied&state={state}",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_callback_fails(r).await;

    // None of these signed anyone in.
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some("auth.sign_in".into()),
                ..Default::default()
            },
            1,
            50,
        )
        .await
        .unwrap();
    assert_eq!(entries.iter().filter(|e| e.result == "success").count(), 1);
    assert!(entries.iter().any(|e| e.result == "failure"));
}

#[tokio::test]
async fn session_id_changes_at_sign_in() {
    let app = spawn_app().await;
    let client = new_client();
    let r = client
        .get(format!("{}/sign-in", app.url))
        .send()
        .await
        .unwrap();
    let before = set_cookies(&r)
        .into_iter()
        .find(|c| c.starts_with("portal_session="))
        .unwrap();
    let url = {
        let form = client
            .get(location(&r))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let interaction = hidden_value(&form, "interaction").unwrap();
        let r = client
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
    let r = client.get(&url).send().await.unwrap();
    let after = set_cookies(&r)
        .into_iter()
        .find(|c| c.starts_with("portal_session="))
        .expect("a new session cookie at sign-in");
    let id = |c: &str| c.split(';').next().unwrap().to_string();
    assert_ne!(id(&before), id(&after));
}

#[tokio::test]
async fn suspended_people_cannot_sign_in_and_lose_their_session() {
    let app = Spawn::default()
        .env("PORTAL_ACCESS_RECHECK_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    let id = app.user_id(&app.seed.member_username);
    app.state.logto.set_suspended(&id, true).await.unwrap();
    app.advance_clock(std::time::Duration::from_millis(1100));
    let (status, loc) = home_location(&member).await;
    // The portal ended the session: `/` shows the welcome page again.
    assert_eq!(status, StatusCode::OK, "{loc}");
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
}

#[tokio::test]
async fn removed_admin_loses_access_within_the_recheck_interval() {
    let app = Spawn::default()
        .env("PORTAL_ACCESS_RECHECK_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let admin = app.admin().await;
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    assert_eq!(
        home_location(&admin).await.1,
        format!("/orgs/{acme}/members")
    );
    let id = app.user_id(&app.seed.admin_username);
    let roles = app.state.logto.list_org_roles().await.unwrap();
    let member_role = roles
        .iter()
        .find(|r| r.name == "member")
        .unwrap()
        .id
        .clone();
    app.state
        .logto
        .set_member_roles(&acme, &id, &[member_role])
        .await
        .unwrap();
    app.advance_clock(std::time::Duration::from_millis(1100));
    assert_eq!(home_location(&admin).await.1, "/profile");
}

#[tokio::test]
async fn absolute_session_lifetime_ends_the_session() {
    let app = Spawn::default()
        .env("PORTAL_SESSION_MAX_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    app.advance_clock(std::time::Duration::from_millis(1200));
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in?return_to=%2Fprofile"));
}

#[tokio::test]
async fn anonymous_pages_redirect_and_fragments_get_401() {
    let app = spawn_app().await;
    let anon = app.browser();
    let r = anon.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/sign-in?return_to=%2Fprofile");
    let r = anon.get_htmx("/users?page=2").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let hx = r.headers().get("hx-redirect").unwrap().to_str().unwrap();
    assert!(hx.starts_with("/sign-in?return_to="), "{hx}");
}

#[tokio::test]
async fn sign_out_ends_the_session_everywhere_and_at_logto() {
    let app = spawn_app().await;
    let member = app.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    let r = member.post_form("/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let target = url::Url::parse(&location(&r)).unwrap();
    assert!(
        target
            .as_str()
            .starts_with(&format!("{}/oidc/session/end", app.fake.url())),
        "{target}"
    );
    let q: std::collections::HashMap<_, _> = target.query_pairs().into_owned().collect();
    assert_eq!(
        q["post_logout_redirect_uri"],
        format!("{}/signed-out", app.url)
    );
    assert_eq!(q["client_id"], "portal-web");
    assert!(q.contains_key("id_token_hint"));
    // The portal session is gone.
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
    let (status, html) = member.get_text("/signed-out").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You are signed out"));
}

#[tokio::test]
async fn csrf_is_required_for_state_changes() {
    let app = spawn_app().await;
    let member = app.member().await;
    let r = member.post_without_csrf("/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert!(html.contains("Your form expired"), "{html}");
    let r = member
        .post_without_csrf("/sign-out", &[("_csrf", "wrong")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = member
        .client
        .post(member.url("/sign-out"))
        .header("X-CSRF-Token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Still signed in, and the refusals are in the audit trail.
    assert_eq!(home_location(&member).await.1, "/profile");
    let (entries, total) = app
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
    assert_eq!(total, 3);
    assert!(entries
        .iter()
        .all(|e| e.result == "failure" && e.actor_id.is_some()));
    // With the token (header, as htmx sends it) it works.
    let r = member.post_htmx("/sign-out", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_response_has_strict_security_headers() {
    let app = spawn_app().await;
    let r = app.browser().get("/").await;
    let h = r.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("style-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    assert!(h.get("x-request-id").is_some());
    assert!(
        !h.contains_key("strict-transport-security"),
        "no HSTS on http"
    );
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style=\""),
        "no inline script/style"
    );
    assert!(!html.contains(" onclick="), "no inline handlers");
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let first = spawn_app().await;
    let member = first.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    let database_url = first.database_url.clone();
    let fake_url = first.fake.url();
    // The same portal restarted on the same database (on another port: cookies are per host).
    let restarted = Spawn::default()
        .database_url(database_url)
        .env("LOGTO_ENDPOINT", fake_url)
        .start()
        .await;
    let r = member
        .client
        .get(format!("{}/", restarted.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile");
}

#[tokio::test]
async fn idle_sessions_expire_and_activity_keeps_them() {
    let app = Spawn::default()
        .env("PORTAL_SESSION_IDLE_SECS", "2")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    for _ in 0..3 {
        app.advance_clock(std::time::Duration::from_millis(900));
        assert_eq!(
            home_location(&member).await.1,
            "/profile",
            "activity keeps the session"
        );
    }
    app.advance_clock(std::time::Duration::from_millis(2600));
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
}

#[tokio::test]
async fn page_views_do_not_rewrite_the_session_every_time() {
    use sqlx::Connection;
    let app = spawn_app().await;
    let member = app.member().await;
    let snapshot = || async {
        let mut c = sqlx::SqliteConnection::connect(&app.database_url)
            .await
            .unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, CAST(expiry_date AS TEXT) FROM sessions ORDER BY id")
                .fetch_all(&mut c)
                .await
                .unwrap();
        rows
    };
    let before = snapshot().await;
    for _ in 0..5 {
        assert_eq!(member.get("/profile").await.status(), StatusCode::OK);
    }
    // Within the keep-alive interval (a minute by default) nothing was written.
    assert_eq!(snapshot().await, before);
}

#[tokio::test]
async fn concurrent_requests_share_one_access_recheck() {
    let app = Spawn::default()
        .env("PORTAL_ACCESS_RECHECK_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    app.advance_clock(std::time::Duration::from_millis(1100));
    app.fake.state().clear_requests();
    let requests = (0..20).map(|_| member.get("/profile"));
    for r in futures::future::join_all(requests).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let rechecks = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/roles"))
        .count();
    assert_eq!(rechecks, 1, "one re-check for 20 concurrent requests");
}

// ---------------------------------------------------------------------------------------
// CSRF token hygiene, the language cookie and the client address (issue 15)

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
