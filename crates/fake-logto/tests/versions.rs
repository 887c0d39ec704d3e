//! What differs between the Logto releases the fake imitates (1.37 and 1.42), each release
//! started explicitly (independent of `FAKE_LOGTO_VERSION`).

mod common;

use common::{now_ms, shared_dir, TestLogto};
use fake_logto::{LogtoVersion, NewUser, SessionSeed};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const V37: LogtoVersion = LogtoVersion::V1_37;
const V42: LogtoVersion = LogtoVersion::V1_42;

fn user(username: &str) -> NewUser {
    NewUser {
        username: Some(username.into()),
        primary_email: Some(format!("{username}@example.com")),
        password: Some("pw".into()),
        ..Default::default()
    }
}

/// (method, path, operationId) of an OpenAPI document.
fn operations(doc: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.insert((method.to_uppercase(), path.clone(), id.to_string()));
            }
        }
    }
    out
}

#[tokio::test]
async fn each_release_serves_its_own_openapi_anonymously() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let r = t
            .http
            .get(format!(
                "{}/api/.well-known/management.openapi.json",
                t.url()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{v}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["info"]["version"], "Cloud");
        let paths = doc["paths"].as_object().unwrap();
        let members = &paths["/api/organizations/{id}/users"]["get"]["parameters"];
        let role_filter = members
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "organizationRoleId");
        let newer = [
            "/api/users/{userId}/sessions",
            "/api/users/{userId}/sessions/{sessionId}",
            "/api/users/{userId}/grants",
            "/api/users/{userId}/grants/{grantId}",
            "/api/users/{userId}/password/expiration",
        ];
        let has_newer = newer.iter().filter(|p| paths.contains_key(**p)).count();
        if v.at_least(42) {
            assert!(role_filter && has_newer == newer.len(), "{v}");
        } else {
            assert!(!role_filter && has_newer == 0, "{v}");
        }
    }
    // 1.37: the real document, unchanged
    let shared: Value = serde_json::from_str(
        &std::fs::read_to_string(shared_dir().join("logto-openapi-1.37.1.json")).unwrap(),
    )
    .unwrap();
    assert!(*V37.openapi() == shared);
}

/// The 275 operations of Logto 1.42's Management API (`../shared/logto-api-operations.tsv`)
/// are exactly those of the generated document, with the same operationIds.
#[test]
fn generated_1_42_document_has_every_operation() {
    let tsv = std::fs::read_to_string(shared_dir().join("logto-api-operations.tsv")).unwrap();
    let listed: BTreeSet<(String, String, String)> = tsv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect();
    assert_eq!(listed.len(), 275);
    let generated = operations(V42.openapi());
    let missing: Vec<_> = listed.difference(&generated).collect();
    let extra: Vec<_> = generated.difference(&listed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    // free-form search parameters are kept as Logto declares them
    let users = &V42.openapi()["paths"]["/api/users"]["get"]["parameters"];
    let search = users
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "search_params")
        .expect("search_params");
    assert_eq!(search["explode"], true);
    assert_eq!(search["schema"]["type"], "object");
}

#[tokio::test]
async fn undeclared_paths_answer_404_before_authentication() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let uid = t.logto.state().create_user(user("ann"));
        let r = t.get("/api/nonexistent-route").await;
        assert_eq!((r.status.as_u16(), r.text.as_str()), (404, "Not Found"));
        let anonymous = t
            .http
            .get(format!("{}/api/users/{uid}/sessions", t.url()))
            .send()
            .await
            .unwrap();
        let sessions = t.get(&format!("/api/users/{uid}/sessions")).await;
        if v.at_least(38) {
            assert_eq!(anonymous.status(), 401);
            assert_eq!(sessions.status, 200);
        } else {
            assert_eq!(anonymous.status(), 404);
            assert_eq!(
                (sessions.status.as_u16(), sessions.text.as_str()),
                (404, "Not Found")
            );
        }
        // declared everywhere
        assert_eq!(t.get(&format!("/api/users/{uid}")).await.status, 200);
        assert_eq!(t.get("/api/status").await.status, 204);
    }
}

#[tokio::test]
async fn member_role_filter_and_relation_answers_follow_the_release() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let st = t.logto.state();
        let org = st.create_organization("Acme", None);
        let admin_role = st.create_org_role("admin", "a");
        st.create_org_role("member", "m");
        let a = st.create_user(user("a1"));
        let b = st.create_user(user("b1"));
        let r = t
            .post(
                &format!("/api/organizations/{org}/users"),
                json!({"userIds": [a, b]}),
            )
            .await;
        assert_eq!(r.status, 201);
        if v.at_least(39) {
            assert_eq!(r.json(), json!({"userIds": [a, b]}));
        } else {
            // recorded on 1.37.1
            assert_eq!(r.text, "Created");
            assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        }
        let r = t
            .post(
                &format!("/api/organizations/{org}/users/{a}/roles"),
                json!({"organizationRoleNames": ["admin"]}),
            )
            .await;
        assert_eq!(r.status, 201);
        if v.at_least(39) {
            assert_eq!(r.json(), json!({"organizationRoleIds": [admin_role]}));
        } else {
            assert_eq!(r.text, "Created");
        }
        let r = t
            .get(&format!(
                "/api/organizations/{org}/users?organizationRoleId={admin_role}"
            ))
            .await;
        let ids: BTreeSet<String> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect();
        if v.at_least(41) {
            assert_eq!(ids, BTreeSet::from([a.clone()]), "{v}");
        } else {
            // silently ignored: every member
            assert_eq!(ids, BTreeSet::from([a.clone(), b.clone()]), "{v}");
        }
        // PUT keeps the roles of members who stay from 1.40
        t.put(
            &format!("/api/organizations/{org}/users"),
            json!({"userIds": [a]}),
        )
        .await;
        let kept = st.member_role_ids(&org, &a).unwrap();
        assert_eq!(kept.is_empty(), !v.at_least(40), "{v}: {kept:?}");
    }
}

#[tokio::test]
async fn log_time_window_from_1_40() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let st = t.logto.state();
        let now = now_ms();
        st.add_log(
            Some("u"),
            "Interaction.SignIn.Submit",
            "Success",
            "1.1.1.1",
            "ua",
            now - 3000,
        );
        st.add_log(
            Some("u"),
            "Interaction.SignIn.Submit",
            "Success",
            "1.1.1.1",
            "ua",
            now - 2000,
        );
        st.add_log(
            Some("u"),
            "Interaction.SignIn.Submit",
            "Success",
            "1.1.1.1",
            "ua",
            now - 1000,
        );
        let window = format!(
            "/api/logs?start_time={}&end_time={}",
            now - 2000,
            now - 1000
        );
        let total = t.get(&window).await.header("total-number");
        let reversed = t
            .get(&format!(
                "/api/logs?start_time={}&end_time={}",
                now,
                now - 1000
            ))
            .await;
        if v.at_least(40) {
            // both bounds inclusive; start after end is refused
            assert_eq!(total.as_deref(), Some("2"));
            assert_eq!(reversed.status, 400);
        } else {
            assert_eq!(total.as_deref(), Some("3"));
            assert_eq!(reversed.status, 200);
        }
    }
}

#[tokio::test]
async fn sessions_and_grants_from_1_38() {
    let t = TestLogto::start_version(V42).await;
    let st = t.logto.state();
    let uid = st.create_user(user("sam"));
    let sid = st.add_user_session(
        &uid,
        SessionSeed {
            ip: Some("203.0.113.7".into()),
            user_agent: Some("Firefox/140".into()),
            ..Default::default()
        },
    );
    let list = t.get(&format!("/api/users/{uid}/sessions")).await.json();
    let s = &list["sessions"][0];
    assert_eq!(s["payload"]["jti"], sid.as_str());
    assert_eq!(s["payload"]["accountId"], uid.as_str());
    assert_eq!(s["accountId"], uid.as_str());
    assert_eq!(s["clientId"], "portal-web");
    assert_eq!(s["lastSubmission"]["signInContext"]["ip"], "203.0.113.7");
    assert_eq!(
        s["lastSubmission"]["signInContext"]["userAgent"],
        "Firefox/140"
    );
    assert_eq!(s["lastSubmission"]["interactionEvent"], "SignIn");
    assert!(s["expiresAt"].as_i64().unwrap() > now_ms());
    let grant_id = s["payload"]["authorizations"]["portal-web"]["grantId"]
        .as_str()
        .unwrap()
        .to_string();
    let one = t.get(&format!("/api/users/{uid}/sessions/{sid}")).await;
    assert_eq!(one.json(), *s);
    assert_eq!(
        t.get(&format!("/api/users/{uid}/sessions/nosuch"))
            .await
            .status,
        404
    );

    let grants = t.get(&format!("/api/users/{uid}/grants")).await.json();
    assert_eq!(grants["grants"][0]["id"], grant_id.as_str());
    assert_eq!(grants["grants"][0]["application"]["id"], "portal-web");
    assert_eq!(
        t.get(&format!("/api/users/{uid}/grants?appType=thirdParty"))
            .await
            .json(),
        json!({"grants": []})
    );
    assert_eq!(
        t.get(&format!("/api/users/{uid}/grants?appType=bogus"))
            .await
            .status,
        400
    );

    // revoking the session with its grants
    let r = t
        .delete(&format!(
            "/api/users/{uid}/sessions/{sid}?revokeGrantsTarget=all"
        ))
        .await;
    assert_eq!(r.status, 204);
    assert!(st.user_session_ids(&uid).is_empty());
    assert!(st.user_grant_ids(&uid).is_empty());

    // a session kept, its grant revoked on its own
    let sid2 = st.add_user_session(&uid, SessionSeed::default());
    let grant = st.user_grant_ids(&uid).pop().unwrap();
    assert_eq!(
        t.delete(&format!("/api/users/{uid}/grants/{grant}"))
            .await
            .status,
        204
    );
    assert_eq!(st.user_session_ids(&uid), vec![sid2.clone()]);
    assert_eq!(
        t.delete(&format!("/api/users/{uid}/grants/{grant}"))
            .await
            .status,
        404
    );
    assert_eq!(
        t.delete(&format!("/api/users/{uid}/sessions/{sid2}"))
            .await
            .status,
        204
    );
    assert!(st.user_session_ids(&uid).is_empty());
}

#[tokio::test]
async fn password_expiration_from_1_41() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let st = t.logto.state();
        let uid = st.create_user(user("pat"));
        let path = format!("/api/users/{uid}/password/expiration");
        let expire = || t.patch(&path, json!({"isExpired": true}));
        if v.at_least(41) {
            // Logto's default sign-in experience has password expiry off.
            let r = expire().await;
            assert_eq!(r.status, 400);
            assert_eq!(
                r.code(),
                "sign_in_experiences.password_expiration_not_enabled"
            );
            assert_eq!(st.password_expired(&uid), Some(false));
            st.set_password_expiration_policy(true);
        }
        let r = expire().await;
        if v.at_least(41) {
            assert_eq!(r.status, 200);
            assert_eq!(r.json()["id"], uid.as_str());
            assert_eq!(st.password_expired(&uid), Some(true));
            assert_eq!(
                t.patch(&format!("/api/users/{uid}/password/expiration"), json!({}))
                    .await
                    .code(),
                "guard.invalid_input"
            );
        } else {
            assert_eq!(r.status, 404);
            assert_eq!(st.password_expired(&uid), Some(false));
        }
        // 1.42's OpenAPI has no password fields on users
        let body = t.get(&format!("/api/users/{uid}")).await.json();
        assert!(body.get("isPasswordExpired").is_none() && body.get("passwordUpdatedAt").is_none());
    }
}

#[tokio::test]
async fn applications_show_the_configured_apps() {
    for v in LogtoVersion::SUPPORTED {
        let t = TestLogto::start_version(v).await;
        let st = t.logto.state();
        st.set_web_app_redirect_uris(
            &["http://127.0.0.1:8099/callback"],
            &["http://127.0.0.1:8099/signed-out"],
        );
        let list = t.get("/api/applications").await;
        assert!(list.header("total-number").is_none());
        let apps = list.json();
        assert_eq!(apps.as_array().unwrap().len(), 2);
        let web = t.get("/api/applications/portal-web").await.json();
        assert_eq!(web["type"], "Traditional");
        assert_eq!(web["isAdmin"], false);
        assert_eq!(
            web["oidcClientMetadata"],
            json!({"redirectUris": ["http://127.0.0.1:8099/callback"],
                   "postLogoutRedirectUris": ["http://127.0.0.1:8099/signed-out"]})
        );
        let m2m = t.get("/api/applications/portal-m2m").await.json();
        assert_eq!(m2m["type"], "MachineToMachine");
        if v.at_least(42) {
            assert!(web.get("secret").is_none() && m2m.get("secret").is_none());
        } else {
            assert!(web["secret"].as_str().unwrap().starts_with("#internal:"));
            assert!(apps[0]["secret"]
                .as_str()
                .unwrap()
                .starts_with("#internal:"));
        }
        let only_m2m = t
            .get("/api/applications?types=MachineToMachine")
            .await
            .json();
        assert_eq!(only_m2m.as_array().unwrap().len(), 1);
        assert_eq!(t.get("/api/applications?types=Bogus").await.status, 400);
        assert_eq!(
            t.get("/api/applications/nosuch").await.code(),
            "entity.not_exists_with_id"
        );
    }
}

#[test]
fn unknown_versions_are_refused_with_the_supported_list() {
    let e = LogtoVersion::parse("1.40").unwrap_err();
    assert!(e.contains("1.37") && e.contains("1.42"), "{e}");
}
