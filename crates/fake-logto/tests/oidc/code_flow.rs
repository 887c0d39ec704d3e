//! Discovery, the code flow with PKCE and signed ID tokens, refresh tokens.

use super::*;

#[tokio::test]
pub(crate) async fn discovery_and_jwks() {
    let t = TestLogto::start().await;
    let d: Value = t
        .http
        .get(format!("{}/oidc/.well-known/openid-configuration", t.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = t.url();
    assert_eq!(d["issuer"], format!("{base}/oidc"));
    assert_eq!(d["authorization_endpoint"], format!("{base}/oidc/auth"));
    assert_eq!(d["token_endpoint"], format!("{base}/oidc/token"));
    assert_eq!(d["userinfo_endpoint"], format!("{base}/oidc/me"));
    assert_eq!(d["jwks_uri"], format!("{base}/oidc/jwks"));
    assert_eq!(
        d["end_session_endpoint"],
        format!("{base}/oidc/session/end")
    );
    assert_eq!(d["id_token_signing_alg_values_supported"], json!(["ES384"]));
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(d["response_types_supported"], json!(["code"]));
    assert_eq!(d["subject_types_supported"], json!(["public"]));
    let jwks: Value = t
        .http
        .get(format!("{base}/oidc/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
}

#[tokio::test]
pub(crate) async fn code_flow_with_pkce_and_signed_id_token() {
    let t = TestLogto::start().await;
    let uid = seed(&t);
    let st = t.logto.state();
    // wrong password: re-rendered form with an error, failed-attempt log without userId
    let html = t
        .http
        .get(auth_url(&t.url(), "&login_hint=alice"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"value="alice""#), "login_hint pre-fills");
    let r = t
        .http
        .post(format!("{}/oidc/auth/submit", t.url()))
        .form(&[
            ("interaction", interaction(&html).as_str()),
            ("identifier", "alice"),
            ("password", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Incorrect account or password"));
    let logs = t
        .get("/api/logs?logKey=Interaction.SignIn.Verification.Password.Submit")
        .await
        .json();
    let failed = logs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["payload"]["result"] == "Error")
        .expect("failed log");
    assert!(failed["payload"].get("userId").is_none());

    let (loc, cookie) = sign_in(&t, "", "alice@example.com", "Passw0rd!").await;
    assert!(loc.starts_with(REDIRECT), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st4te"));
    assert_eq!(query_param(&loc, "iss"), Some(format!("{}/oidc", t.url())));
    assert!(loc.contains(&format!("iss={}", url_escape(&format!("{}/oidc", t.url())))));
    assert!(cookie.starts_with("_fake_logto_session=") && cookie.contains("HttpOnly"));
    let code = query_param(&loc, "code").unwrap();
    let u = st.user_json(&uid).unwrap();
    assert!(u["lastSignInAt"].is_number());
    assert_eq!(
        t.get(&format!(
            "/api/logs?userId={uid}&logKey=Interaction.SignIn.Submit"
        ))
        .await
        .header("total-number")
        .as_deref(),
        Some("1")
    );

    // wrong verifier fails; the code cannot be used afterwards either
    let r = exchange(
        &t,
        &code,
        "wrong-verifier-wrong-verifier-wrong-verifier-123",
    )
    .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_grant");

    let (loc, _) = sign_in(&t, "", "alice", "Passw0rd!").await;
    let code = query_param(&loc, "code").unwrap();
    let r = exchange(&t, &code, VERIFIER).await;
    assert_eq!(r.status(), 200);
    let tok: Value = r.json().await.unwrap();
    for k in [
        "access_token",
        "expires_in",
        "id_token",
        "scope",
        "token_type",
    ] {
        assert!(tok.get(k).is_some(), "{k}");
    }
    assert!(
        tok.get("refresh_token").is_none(),
        "offline_access needs prompt=consent"
    );
    assert!(!tok["scope"].as_str().unwrap().contains("offline_access"));
    let claims = verify_jwt(&t, tok["id_token"].as_str().unwrap())
        .await
        .expect("valid signature");
    assert_eq!(claims["sub"], uid.as_str());
    assert_eq!(claims["aud"], FakeLogtoConfig::default().web_app_id);
    assert_eq!(claims["iss"], format!("{}/oidc", t.url()));
    assert_eq!(claims["nonce"], "n0nce");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["username"], "alice");
    let org = t
        .get(&format!("/api/users/{uid}/organizations"))
        .await
        .json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(claims["organizations"], json!([org]));
    assert_eq!(
        claims["organization_roles"],
        json!([format!("{org}:admin")])
    );
    assert_eq!(claims["roles"], json!(["portal-operator"]));
    // userinfo
    let access = tok["access_token"].as_str().unwrap();
    let me = t
        .http
        .get(format!("{}/oidc/me", t.url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["sub"], uid.as_str());
    // replay: 400 invalid_grant (Logto-shaped) and the issued access token is revoked
    let r = exchange(&t, &code, VERIFIER).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["code"].as_str(), v["error"].as_str()),
        (Some("oidc.invalid_grant"), Some("invalid_grant"))
    );
    let me = t
        .http
        .get(format!("{}/oidc/me", t.url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(
        me.json::<Value>().await.unwrap()["code"],
        "oidc.invalid_token"
    );

    // the session cookie signs in silently; prompt=login forces the form
    let sid = cookie.split(';').next().unwrap().to_string();
    let r = t
        .http
        .get(auth_url(&t.url(), ""))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(query_param(r.headers()["location"].to_str().unwrap(), "code").is_some());
    let r = t
        .http
        .get(auth_url(&t.url(), "&prompt=login"))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // sign out
    let r = t
        .http
        .get(format!(
            "{}/oidc/session/end?post_logout_redirect_uri={}&state=bye",
            t.url(),
            url_escape("http://127.0.0.1:9/")
        ))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "http://127.0.0.1:9/?state=bye");
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let r = t
        .http
        .get(auth_url(&t.url(), ""))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "session gone");
    let r = t
        .http
        .get(format!("{}/oidc/session/end", t.url()))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("signed out"));
}

#[tokio::test]
pub(crate) async fn refresh_tokens_client_secret_post_and_faults() {
    let t = TestLogto::start().await;
    seed(&t);
    let st = t.logto.state();
    let cfg = FakeLogtoConfig::default();
    let (loc, _) = sign_in(&t, "&prompt=consent", "alice", "Passw0rd!").await;
    let code = query_param(&loc, "code").unwrap();
    // client_secret_post
    let r = t
        .http
        .post(format!("{}/oidc/token", t.url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", cfg.web_app_id.as_str()),
            ("client_secret", cfg.web_app_secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tok: Value = r.json().await.unwrap();
    let refresh = tok["refresh_token"]
        .as_str()
        .expect("refresh token with prompt=consent")
        .to_string();
    let r = t
        .http
        .post(format!("{}/oidc/token", t.url()))
        .basic_auth(&cfg.web_app_id, Some(&cfg.web_app_secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tok2: Value = r.json().await.unwrap();
    assert!(verify_jwt(&t, tok2["id_token"].as_str().unwrap())
        .await
        .is_ok());
    let r = t
        .http
        .post(format!("{}/oidc/token", t.url()))
        .basic_auth(&cfg.web_app_id, Some(&cfg.web_app_secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("resource", cfg.resource.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // expired codes
    let (loc, _) = sign_in(&t, "", "alice", "Passw0rd!").await;
    st.expire_authorization_codes();
    let r = exchange(&t, &query_param(&loc, "code").unwrap(), VERIFIER).await;
    assert_eq!(r.status(), 400);
    // tampered ID token
    let (loc, _) = sign_in(&t, "", "alice", "Passw0rd!").await;
    st.tamper_next_id_token();
    let tok: Value = exchange(&t, &query_param(&loc, "code").unwrap(), VERIFIER)
        .await
        .json()
        .await
        .unwrap();
    assert!(verify_jwt(&t, tok["id_token"].as_str().unwrap())
        .await
        .is_err());
    let (loc, _) = sign_in(&t, "", "alice", "Passw0rd!").await;
    let tok: Value = exchange(&t, &query_param(&loc, "code").unwrap(), VERIFIER)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        verify_jwt(&t, tok["id_token"].as_str().unwrap())
            .await
            .is_ok(),
        "only the next one"
    );
}
