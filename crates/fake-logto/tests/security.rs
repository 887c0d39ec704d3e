//! Account security endpoints on every release the fake imitates: MFA verifications, personal
//! access tokens, social connectors with linking, and the sign-in's TOTP step.

mod common;

use common::{now_ms, TestLogto};
use fake_logto::{FakeLogtoConfig, LogtoVersion, NewUser};
use hmac::{Hmac, Mac};
use regex::Regex;
use serde_json::{json, Value};
use sha1::Sha1;

fn alice(t: &TestLogto) -> String {
    t.logto.state().create_user(NewUser {
        username: Some("alice".into()),
        primary_email: Some("alice@example.com".into()),
        password: Some("Passw0rd!".into()),
        ..Default::default()
    })
}

/// RFC 6238 with SHA-1, 6 digits, 30 s: computed here independently of the fake.
fn totp(secret: &str, at_ms: i64) -> String {
    let key = data_encoding::BASE32_NOPAD
        .decode(secret.trim_end_matches('=').as_bytes())
        .unwrap();
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).unwrap();
    mac.update(&(at_ms / 30_000).to_be_bytes());
    let d = mac.finalize().into_bytes();
    let o = (d[19] & 0x0f) as usize;
    let n = u32::from_be_bytes([d[o] & 0x7f, d[o + 1], d[o + 2], d[o + 3]]);
    format!("{:06}", n % 1_000_000)
}

#[tokio::test]
async fn mfa_verifications_follow_logtos_rules() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let id = alice(&t);
        let path = format!("/api/users/{id}/mfa-verifications");
        assert_eq!(t.get(&path).await.json(), json!([]), "{v}");
        assert_eq!(
            t.get("/api/users/nobody/mfa-verifications").await.status,
            404
        );

        let r = t.post(&path, json!({"type": "BackupCode"})).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (422, "session.mfa.backup_code_can_not_be_alone".into())
        );
        let r = t
            .post(&path, json!({"type": "Totp", "secret": "not base32"}))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (422, "user.totp_secret_invalid".into())
        );
        let r = t.post(&path, json!({"type": "Sms"})).await;
        assert_eq!(r.status, 400, "{v}: {}", r.text);

        let r = t.post(&path, json!({"type": "Totp"})).await;
        assert_eq!(r.status, 200, "{v}: {}", r.text);
        let body = r.json();
        assert_eq!(body["type"], "Totp");
        let secret = body["secret"].as_str().unwrap().to_string();
        assert_eq!(secret.len(), 32);
        assert!(body["secretQrCode"]
            .as_str()
            .unwrap()
            .starts_with("data:image/"));
        assert_eq!(
            t.logto.state().totp_secret(&id).as_deref(),
            Some(secret.as_str())
        );
        let r = t.post(&path, json!({"type": "Totp"})).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (422, "user.totp_already_in_use".into())
        );

        let r = t
            .post(&path, json!({"type": "BackupCode", "codes": ["abc"]}))
            .await;
        assert_eq!(r.code(), "user.wrong_backup_code_format");
        let r = t.post(&path, json!({"type": "BackupCode"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let codes = r.json()["codes"].as_array().unwrap().clone();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| {
            let c = c.as_str().unwrap();
            c.len() == 10
                && c.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        }));
        let r = t.post(&path, json!({"type": "BackupCode"})).await;
        assert_eq!(r.code(), "user.backup_code_already_in_use");

        t.logto
            .state()
            .add_passkey(&id, Some("MacBook"), "Chrome on macOS");
        let list = t.get(&path).await.json();
        let list = list.as_array().unwrap();
        let types: Vec<&str> = list.iter().map(|m| m["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["Totp", "BackupCode", "WebAuthn"]);
        assert!(
            list[0]["createdAt"].as_str().unwrap().ends_with('Z'),
            "ISO dates"
        );
        assert!(
            list[0].get("secret").is_none(),
            "the secret is never listed"
        );
        assert_eq!(list[1]["remainCodes"], 10);
        assert_eq!(list[2]["name"], "MacBook");
        assert_eq!(list[2]["agent"], "Chrome on macOS");

        let r = t.delete(&format!("{path}/nope")).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (404, "entity.not_found".into())
        );
        let totp_id = list[0]["id"].as_str().unwrap();
        assert_eq!(t.delete(&format!("{path}/{totp_id}")).await.status, 204);
        assert_eq!(t.get(&path).await.json().as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn personal_access_tokens_are_named_per_user() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let id = alice(&t);
        let path = format!("/api/users/{id}/personal-access-tokens");
        let expires = now_ms() + 86_400_000;
        let r = t
            .post(&path, json!({"name": "ci", "expiresAt": expires}))
            .await;
        assert_eq!(r.status, 201, "{v}: {}", r.text);
        let created = r.json();
        assert!(created["value"].as_str().unwrap().starts_with("pat_"));
        assert_eq!(created["expiresAt"], expires);
        assert_eq!(created["userId"], id.as_str());
        let r = t.post(&path, json!({"name": "ci"})).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (422, "user.personal_access_token_name_exists".into())
        );
        let r = t
            .post(&path, json!({"name": "old", "expiresAt": now_ms() - 1}))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (400, "request.invalid_input".into())
        );
        let r = t.post(&path, json!({"name": ""})).await;
        assert_eq!(r.status, 400);
        let r = t
            .post(&path, json!({"name": "laptop", "expiresAt": null}))
            .await;
        assert_eq!(r.json()["expiresAt"], Value::Null);
        let r = t
            .post(
                "/api/users/nobody/personal-access-tokens",
                json!({"name": "x"}),
            )
            .await;
        assert_eq!(r.status, 404);

        let list = t.get(&path).await.json();
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert!(
            list[0]["value"].as_str().is_some(),
            "Logto lists the values too"
        );

        let r = t
            .patch(&path, json!({"currentName": "ci", "name": "deploy"}))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["name"].clone()),
            (200, json!("deploy"))
        );
        let r = t
            .patch(&path, json!({"currentName": "deploy", "name": "laptop"}))
            .await;
        assert_eq!(r.code(), "user.personal_access_token_name_exists");
        let r = t
            .patch(&path, json!({"currentName": "gone", "name": "x"}))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (404, "entity.not_exists".into())
        );
        let r = t
            .patch(&format!("{path}/laptop"), json!({"name": "desk top"}))
            .await;
        assert_eq!(r.status, 200, "legacy rename by path");
        assert_eq!(
            t.logto.state().personal_access_token_names(&id),
            ["deploy", "desk top"]
        );

        let r = t
            .post(&format!("{path}/delete"), json!({"name": "desk top"}))
            .await;
        assert_eq!(r.status, 204);
        let r = t
            .post(&format!("{path}/delete"), json!({"name": "desk top"}))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (404, "entity.not_found".into())
        );
        assert_eq!(t.delete(&format!("{path}/deploy")).await.status, 204);
        assert_eq!(t.get(&path).await.json(), json!([]));
    }
}

#[tokio::test]
async fn a_social_identity_is_linked_through_the_connector() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let st = t.logto.state();
        st.set_email_connector(true);
        let id = alice(&t);
        let connectors = t.get("/api/connectors").await.json();
        let social: Vec<&Value> = connectors
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["type"] == "Social")
            .collect();
        assert_eq!(social.len(), 1, "{v}: one seeded social connector");
        assert_eq!(social[0]["target"], "github");
        let connector = st.social_connector_id();
        assert_eq!(social[0]["id"], connector.as_str());
        assert_eq!(
            t.get(&format!("/api/connectors/{connector}")).await.status,
            200
        );
        assert_eq!(
            t.get("/api/connectors?target=email")
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            1
        );

        let redirect = "http://127.0.0.1:9/profile/security/social/callback";
        let r = t
            .post(
                "/api/connectors/nope/authorization-uri",
                json!({"state": "s", "redirectUri": redirect}),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (404, "entity.not_found".into())
        );
        let r = t
            .post(
                "/api/connectors/fake-email/authorization-uri",
                json!({"state": "s", "redirectUri": redirect}),
            )
            .await;
        assert_eq!(r.code(), "connector.unexpected_type");

        // Follow the provider: it answers with a code and the state, on the given redirect URI.
        st.set_next_social_profile("gh-42", Some("Alice GH"), Some("alice@github.test"));
        let code = follow_provider(&t, &connector, "st4te", redirect).await;

        let path = format!("/api/users/{id}/identities");
        let data = json!({"connectorId": connector, "connectorData": {"code": code, "state": "st4te", "redirectUri": redirect}});
        let r = t.post(&path, data.clone()).await;
        assert_eq!(r.status, 200, "{v}: {}", r.text);
        assert_eq!(r.json()["github"]["userId"], "gh-42");
        assert_eq!(r.json()["github"]["details"]["name"], "Alice GH");
        let r = t.post(&path, data).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (401, "connector.social_auth_code_invalid".into()),
            "a code works once"
        );

        // The same social account for someone else: Logto's conflict.
        let bob = st.create_user(NewUser {
            username: Some("bob".into()),
            ..Default::default()
        });
        st.set_next_social_profile("gh-42", None, None);
        let code = follow_provider(&t, &connector, "x", redirect).await;
        let r = t
            .post(
                &format!("/api/users/{bob}/identities"),
                json!({"connectorId": connector, "connectorData": {"code": code, "redirectUri": redirect}}),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (422, "user.identity_already_in_use".into())
        );
        let r = t
            .post(
                &path,
                json!({"connectorId": "fake-email", "connectorData": {}}),
            )
            .await;
        assert_eq!(r.code(), "session.invalid_connector_id");
    }
}

async fn follow_provider(t: &TestLogto, connector: &str, state: &str, redirect: &str) -> String {
    let r = t
        .post(
            &format!("/api/connectors/{connector}/authorization-uri"),
            json!({"state": state, "redirectUri": redirect}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let to = r.json()["redirectTo"].as_str().unwrap().to_string();
    assert!(to.starts_with(&t.url()), "on the fake's own origin: {to}");
    let hop = t.http.get(&to).send().await.unwrap();
    assert_eq!(hop.status(), 302);
    let back = url::Url::parse(hop.headers()["location"].to_str().unwrap()).unwrap();
    assert!(back.as_str().starts_with(redirect));
    let q: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    assert!(q.contains(&("state".into(), state.into())));
    q.into_iter().find(|(k, _)| k == "code").unwrap().1
}

fn field(html: &str, name: &str) -> String {
    Regex::new(&format!(r#"name="{name}" value="([^"]+)""#))
        .unwrap()
        .captures(html)
        .unwrap_or_else(|| panic!("no {name} in {html}"))[1]
        .to_string()
}

/// Start a sign-in and submit the password; the answer.
async fn password_step(t: &TestLogto) -> reqwest::Response {
    let cfg = FakeLogtoConfig::default();
    let auth = format!(
        "{}/oidc/auth?client_id={}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&response_type=code&scope=openid&code_challenge=abc&code_challenge_method=S256&prompt=login",
        t.url(),
        cfg.web_app_id
    );
    let html = t.http.get(auth).send().await.unwrap().text().await.unwrap();
    t.http
        .post(format!("{}/oidc/auth/submit", t.url()))
        .form(&[
            ("interaction", field(&html, "interaction").as_str()),
            ("identifier", "alice"),
            ("password", "Passw0rd!"),
        ])
        .send()
        .await
        .unwrap()
}

async fn code_step(t: &TestLogto, interaction: &str, code: &str) -> reqwest::Response {
    t.http
        .post(format!("{}/oidc/auth/mfa", t.url()))
        .form(&[("interaction", interaction), ("code", code)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_asks_for_a_totp_code_or_a_backup_code() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let id = alice(&t);
        // without a TOTP factor the password is enough
        assert_eq!(password_step(&t).await.status(), 303, "{v}");

        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        t.logto.state().add_totp(&id, secret);
        t.logto
            .state()
            .add_backup_codes(&id, &["0123456789", "abcdefabcd"]);
        let r = password_step(&t).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains(r#"id="code""#), "{html}");
        let interaction = field(&html, "interaction");

        let now = now_ms();
        let accepted: Vec<String> = (-1..=1).map(|d| totp(secret, now + d * 30_000)).collect();
        let wrong = ["000000", "111111", "222222", "333333"]
            .into_iter()
            .find(|c| !accepted.iter().any(|a| a == c))
            .unwrap();
        let r = code_step(&t, &interaction, wrong).await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Invalid TOTP code."));
        // the previous step's code is still accepted (±1 step)
        let r = code_step(&t, &interaction, &totp(secret, now_ms() - 30_000)).await;
        assert_eq!(r.status(), 303, "{v}");
        assert!(r.headers()["location"].to_str().unwrap().contains("code="));

        // A backup code works once, and the list counts what is left.
        let html = password_step(&t).await.text().await.unwrap();
        let r = code_step(&t, &field(&html, "interaction"), "abcdefabcd").await;
        assert_eq!(r.status(), 303);
        let html = password_step(&t).await.text().await.unwrap();
        let r = code_step(&t, &field(&html, "interaction"), "abcdefabcd").await;
        assert_eq!(r.status(), 200, "a used backup code is refused");
        let list = t.logto.state().mfa_verifications(&id);
        assert_eq!(list[1]["remainCodes"], 1);
        let r = code_step(&t, "unknown", "123456").await;
        assert_eq!(r.status(), 400);
    }
}
