//! The sign-in page, client credentials, sessions and redirect URIs.

use super::*;

#[tokio::test]
pub(crate) async fn sign_in_page_errors_register_and_suspension() {
    let t = TestLogto::start().await;
    let uid = seed(&t);
    let base = t.url();
    for bad in [
        auth_url(&base, "").replace("client_id=portal-web", "client_id=nope"),
        auth_url(&base, "").replace("code_challenge_method=S256", "code_challenge_method=plain"),
        auth_url(&base, "").replace("response_type=code", "response_type=token"),
        auth_url(&base, "").replace("scope=openid+", "scope="),
        auth_url(&base, "").replace(
            &format!("redirect_uri={}", url_escape(REDIRECT)),
            "redirect_uri=not-a-uri",
        ),
    ] {
        let r = t.http.get(&bad).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    // register
    let html = t
        .http
        .get(auth_url(&base, "&first_screen=register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"action="/oidc/auth/register""#));
    let r = t
        .http
        .post(format!("{base}/oidc/auth/register"))
        .form(&[
            ("interaction", interaction(&html).as_str()),
            ("email", "alice@example.com"),
            ("username", "x"),
            ("password", "p"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "email taken: form again");
    let html = t
        .http
        .get(auth_url(&base, "&first_screen=register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = t
        .http
        .post(format!("{base}/oidc/auth/register"))
        .form(&[
            ("interaction", interaction(&html).as_str()),
            ("email", "new@example.com"),
            ("username", "newbie"),
            ("password", "p"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let found = t
        .get("/api/users?search.username=newbie&mode.username=exact")
        .await
        .json();
    assert_eq!(found[0]["primaryEmail"], "new@example.com");
    // suspended users cannot sign in
    t.patch(
        &format!("/api/users/{uid}/is-suspended"),
        json!({"isSuspended": true}),
    )
    .await;
    let html = t
        .http
        .get(auth_url(&base, ""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = t
        .http
        .post(format!("{base}/oidc/auth/submit"))
        .form(&[
            ("interaction", interaction(&html).as_str()),
            ("identifier", "alice"),
            ("password", "Passw0rd!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("suspended"));
}

#[tokio::test]
pub(crate) async fn client_credentials_rules() {
    let t = TestLogto::start().await;
    let cfg = FakeLogtoConfig::default();
    let st = t.logto.state();
    let before = st.token_requests();
    let http = client();
    let url = format!("{}/oidc/token", t.url());
    let form = |extra: &[(&str, &str)]| {
        let mut f = vec![
            ("grant_type", "client_credentials"),
            ("resource", cfg.resource.as_str()),
        ];
        f.extend_from_slice(extra);
        f.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    let r = http
        .post(&url)
        .basic_auth(&cfg.m2m_app_id, Some("bad"))
        .form(&form(&[("scope", "all")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic realm="));
    assert_eq!(
        r.json::<Value>().await.unwrap()["error_description"],
        "client authentication failed"
    );
    let r = http
        .post(&url)
        .form(&form(&[
            ("client_id", &cfg.m2m_app_id),
            ("client_secret", "bad"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_none());
    let r = http
        .post(&url)
        .basic_auth("nosuchapp", Some("x"))
        .form(&form(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error_description"],
        "invalid client nosuchapp"
    );
    let r = http
        .post(&url)
        .basic_auth(&cfg.m2m_app_id, Some(&cfg.m2m_app_secret))
        .form(&form(&[("client_secret", &cfg.m2m_app_secret)]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    let r = http
        .post(&url)
        .basic_auth(&cfg.m2m_app_id, Some(&cfg.m2m_app_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", "https://nope.example/api"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_target");
    let r = http
        .post(&url)
        .basic_auth(&cfg.m2m_app_id, Some(&cfg.m2m_app_secret))
        .form(&form(&[("scope", "all")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (
            v["scope"].as_str(),
            v["expires_in"].as_u64(),
            v["token_type"].as_str()
        ),
        (Some("all"), Some(3600), Some("Bearer"))
    );
    let r = http
        .post(&url)
        .basic_auth(&cfg.m2m_app_id, Some(&cfg.m2m_app_secret))
        .form(&form(&[]))
        .send()
        .await
        .unwrap();
    assert!(r.json::<Value>().await.unwrap().get("scope").is_none());
    assert_eq!(st.token_requests() - before, 7);
    // the web app may not use client_credentials
    let r = http
        .post(&url)
        .basic_auth(&cfg.web_app_id, Some(&cfg.web_app_secret))
        .form(&form(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unauthorized_client"
    );
}

#[tokio::test]
pub(crate) async fn signing_in_starts_a_session_the_management_api_lists() {
    let t = TestLogto::start_version(fake_logto::LogtoVersion::V1_42).await;
    let uid = seed(&t);
    let (loc, cookie) = sign_in(&t, "", "alice", "Passw0rd!").await;
    assert!(query_param(&loc, "code").is_some());
    let sid = cookie
        .split(';')
        .next()
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap();
    let list = t.get(&format!("/api/users/{uid}/sessions")).await.json();
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s["payload"]["jti"], sid.as_str());
    assert_eq!(
        s["clientId"],
        FakeLogtoConfig::default().web_app_id.as_str()
    );
    let submission = &s["lastSubmission"];
    assert_eq!(submission["userId"], uid.as_str());
    assert_eq!(submission["signInContext"]["ip"], "127.0.0.1");
    assert!(submission["signInContext"]["userAgent"].is_string());
    assert_eq!(
        submission["verificationRecords"][0]["identifier"],
        json!({"type": "username", "value": "alice"})
    );
    let grants = t.get(&format!("/api/users/{uid}/grants")).await.json();
    assert_eq!(grants["grants"].as_array().unwrap().len(), 1);
    // revoked through the Management API: the browser session is gone
    let r = t.delete(&format!("/api/users/{uid}/sessions/{sid}")).await;
    assert_eq!(r.status, 204);
    let again = t
        .http
        .get(auth_url(&t.url(), ""))
        .header("cookie", format!("_fake_logto_session={sid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "the sign-in form again, no code");
}

#[tokio::test]
pub(crate) async fn registered_redirect_uris_are_enforced() {
    let t = TestLogto::start().await;
    t.logto
        .state()
        .set_web_app_redirect_uris(&["http://127.0.0.1:9/other"], &[]);
    let r = t.http.get(auth_url(&t.url(), "")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("redirect_uri"));
    t.logto.state().set_web_app_redirect_uris(&[REDIRECT], &[]);
    let r = t.http.get(auth_url(&t.url(), "")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
