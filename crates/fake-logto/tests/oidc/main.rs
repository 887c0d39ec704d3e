//! Token endpoint and the OIDC sign-in (authorization code + PKCE, ES384 ID tokens).

#[path = "../common/mod.rs"]
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

mod code_flow;
mod sign_in;

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
