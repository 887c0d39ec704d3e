//! Token endpoint and the OIDC sign-in (authorization code + PKCE, ES384 ID tokens).

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{client, TestLogto};
use fake_logto::{FakeLogtoConfig, NewUser};
use p384::ecdsa::signature::Verifier;
use p384::ecdsa::{Signature, VerifyingKey};
use regex::Regex;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const VERIFIER: &str = "a-very-long-code-verifier-string-with-enough-entropy-1234567890";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

fn auth_url(base: &str, extra: &str) -> String {
    let cfg = FakeLogtoConfig::default();
    format!(
        "{base}/oidc/auth?client_id={}&redirect_uri={}&response_type=code&scope=openid+profile+email+phone+offline_access+urn%3Alogto%3Ascope%3Aorganizations+urn%3Alogto%3Ascope%3Aorganization_roles+roles&state=st4te&nonce=n0nce&code_challenge={}&code_challenge_method=S256{extra}",
        cfg.web_app_id,
        url_escape(REDIRECT),
        challenge()
    )
}

fn url_escape(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn interaction(html: &str) -> String {
    Regex::new(r#"name="interaction" value="([^"]+)""#)
        .unwrap()
        .captures(html)
        .expect("interaction field")[1]
        .to_string()
}

fn query_param(url: &str, key: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    u.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Sign in through the form; returns (Location, Set-Cookie).
async fn sign_in(t: &TestLogto, extra: &str, identifier: &str, password: &str) -> (String, String) {
    let page = t.http.get(auth_url(&t.url(), extra)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"id="identifier""#)
            && html.contains(r#"id="password""#)
            && html.contains(r#"id="sign-in""#)
    );
    let r = t
        .http
        .post(format!("{}/oidc/auth/submit", t.url()))
        .form(&[
            ("interaction", interaction(&html).as_str()),
            ("identifier", identifier),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    (loc, cookie)
}

async fn exchange(t: &TestLogto, code: &str, verifier: &str) -> reqwest::Response {
    let cfg = FakeLogtoConfig::default();
    t.http
        .post(format!("{}/oidc/token", t.url()))
        .basic_auth(&cfg.web_app_id, Some(&cfg.web_app_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
}

/// Verify an ES384 JWT against the fake's JWKS; returns the claims.
async fn verify_jwt(t: &TestLogto, jwt: &str) -> Result<Value, String> {
    let jwks: Value = t
        .http
        .get(format!("{}/oidc/jwks", t.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("EC"), Some("P-384"), Some("ES384"), Some("sig"))
    );
    let x = URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap();
    let y = URL_SAFE_NO_PAD.decode(key["y"].as_str().unwrap()).unwrap();
    let mut sec1 = vec![0x04];
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let point = p384::EncodedPoint::from_bytes(&sec1).map_err(|e| e.to_string())?;
    let vk = VerifyingKey::from_encoded_point(&point).map_err(|e| e.to_string())?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES384");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["kid"], key["kid"]);
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    assert_eq!(sig.len(), 96);
    let sig = Signature::from_slice(&sig).map_err(|e| e.to_string())?;
    vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .map_err(|e| e.to_string())?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap())
}

fn seed(t: &TestLogto) -> String {
    let st = t.logto.state();
    let uid = st.create_user(NewUser {
        username: Some("alice".into()),
        primary_email: Some("alice@example.com".into()),
        name: Some("Alice".into()),
        password: Some("Passw0rd!".into()),
        ..Default::default()
    });
    let org = st.create_organization("Acme", None);
    st.create_org_role("admin", "a");
    st.add_member(&org, &uid, &["admin"]);
    let role = st.create_role("portal-operator", "op");
    st.assign_role(&uid, &role);
    uid
}

#[tokio::test]
async fn discovery_and_jwks() {
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
async fn code_flow_with_pkce_and_signed_id_token() {
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
async fn refresh_tokens_client_secret_post_and_faults() {
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

#[tokio::test]
async fn sign_in_page_errors_register_and_suspension() {
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
async fn client_credentials_rules() {
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
async fn signing_in_starts_a_session_the_management_api_lists() {
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
async fn registered_redirect_uris_are_enforced() {
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
