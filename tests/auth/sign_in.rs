//! Signing in: where each role lands, the authorization request, the callback and the new session.

use super::*;

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
