//! Authentication errors, HTTP conventions and users.

use super::*;

#[tokio::test]
pub(crate) async fn auth_errors_and_http_conventions() {
    let t = TestLogto::start().await;
    let r = t
        .http
        .get(format!("{}/api/users", t.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "auth.authorization_header_missing");
    let r = t
        .http
        .get(format!("{}/api/users", t.url()))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let noscope = common::m2m_token(&t.http, &t.url(), Some("other")).await;
    let r = t
        .http
        .get(format!("{}/api/users", t.url()))
        .bearer_auth(noscope)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // request id, 404 text, 405, ETag/304
    let r = t.get("/api/nope").await;
    assert_eq!((r.status.as_u16(), r.text.as_str()), (404, "Not Found"));
    assert!(r.header("logto-core-request-id").is_some());
    let r = t.call("PUT", "/api/users", Some(json!({}))).await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (405, "Method Not Allowed")
    );
    let r = t.get("/api/users").await;
    let tag = r.header("etag").expect("etag");
    let r2 = t
        .http
        .get(format!("{}/api/users", t.url()))
        .bearer_auth(&t.token)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r2.status(), 304);
    // invalid JSON
    let r = t
        .http
        .post(format!("{}/api/users", t.url()))
        .bearer_auth(&t.token)
        .header("content-type", "application/json")
        .body("{bad")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(v["message"].is_string() && v.get("code").is_none());
}

#[tokio::test]
pub(crate) async fn users_crud_and_merges() {
    let t = TestLogto::start().await;
    let r = t.post("/api/users", json!({"username": "alice", "primaryEmail": "Alice@Example.com", "password": "pw", "profile": {"givenName": "A", "familyName": "B"}, "customData": {"a": 1}})).await;
    assert_eq!(r.status, 200);
    let u = r.json();
    let id = u["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 12);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert_eq!(u["hasPassword"], true);
    assert!(u.get("tenantId").is_none());
    let dup = t
        .post("/api/users", json!({"primaryEmail": "alice@example.COM"}))
        .await;
    assert_eq!(
        (dup.status.as_u16(), dup.code()),
        (422, "user.email_already_in_use".into())
    );
    let dup = t.post("/api/users", json!({"username": "alice"})).await;
    assert_eq!(dup.code(), "user.username_already_in_use");
    assert_eq!(
        t.post("/api/users", json!({"username": "9bad"}))
            .await
            .code(),
        "guard.invalid_input"
    );
    assert_eq!(
        t.post("/api/users", json!({"primaryPhone": "+1555"}))
            .await
            .code(),
        "guard.invalid_input"
    );
    // merges vs replace
    let r = t
        .patch(
            &format!("/api/users/{id}/custom-data"),
            json!({"customData": {"b": 2}}),
        )
        .await;
    assert_eq!(r.json(), json!({"a": 1, "b": 2}));
    let r = t
        .patch(
            &format!("/api/users/{id}/profile"),
            json!({"profile": {"givenName": "X"}}),
        )
        .await;
    assert_eq!(r.json(), json!({"givenName": "X", "familyName": "B"}));
    let r = t
        .patch(
            &format!("/api/users/{id}"),
            json!({"customData": {"only": true}, "profile": {"nickname": "n"}}),
        )
        .await;
    assert_eq!(r.json()["customData"], json!({"only": true}));
    assert_eq!(r.json()["profile"], json!({"nickname": "n"}));
    assert_eq!(
        t.get(&format!("/api/users/{id}/custom-data")).await.json(),
        json!({"only": true})
    );
    // password
    assert_eq!(
        t.post(
            &format!("/api/users/{id}/password/verify"),
            json!({"password": "pw"})
        )
        .await
        .status,
        204
    );
    let r = t
        .post(
            &format!("/api/users/{id}/password/verify"),
            json!({"password": "no"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "session.invalid_credentials".into())
    );
    t.patch(
        &format!("/api/users/{id}/password"),
        json!({"password": "new"}),
    )
    .await;
    assert_eq!(
        t.post(
            &format!("/api/users/{id}/password/verify"),
            json!({"password": "new"})
        )
        .await
        .status,
        204
    );
    assert_eq!(
        t.get(&format!("/api/users/{id}/has-password")).await.json(),
        json!({"hasPassword": true})
    );
    // suspension and identities
    let r = t
        .patch(
            &format!("/api/users/{id}/is-suspended"),
            json!({"isSuspended": true}),
        )
        .await;
    assert_eq!(r.json()["isSuspended"], true);
    let r = t
        .put(
            &format!("/api/users/{id}/identities/github"),
            json!({"userId": "gh1"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = t
        .put(
            &format!("/api/users/{id}/identities/github"),
            json!({"userId": "gh2"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["github"]["userId"], "gh2");
    assert_eq!(
        t.get(&format!("/api/users/{id}/identities/github"))
            .await
            .json()["identity"]["userId"],
        "gh2"
    );
    assert_eq!(
        t.delete(&format!("/api/users/{id}/identities/github"))
            .await
            .status,
        200
    );
    assert_eq!(
        t.delete(&format!("/api/users/{id}/identities/github"))
            .await
            .code(),
        "user.identity_not_exist"
    );
    // state hooks
    assert_eq!(t.logto.state().user_json(&id).unwrap()["username"], "alice");
    assert_eq!(t.delete(&format!("/api/users/{id}")).await.status, 204);
    assert_eq!(
        t.get(&format!("/api/users/{id}")).await.code(),
        "entity.not_found"
    );
}
