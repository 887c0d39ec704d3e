//! What the client derives from a Logto's own OpenAPI document (issue 14): which optional
//! parts exist, which query parameters it may send, and that the role-dependent answers stay
//! right even when a Logto declares the role filter and ignores it.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Json;
use futures::TryStreamExt;
use logto_portal::logto::{
    CapabilitySource, Feature, LogtoClient, LogtoClientConfig, LogtoError, MemberQuery, Secret,
};
use serde_json::{json, Value};

fn config(url: &str) -> LogtoClientConfig {
    LogtoClientConfig::new(
        url.parse().unwrap(),
        "portal-m2m",
        Secret::new("m2m-secret"),
        "https://default.logto.app/api",
    )
}

/// A member holding `role` (or nobody's role when `None`).
fn member(id: &str, role: Option<(&str, &str)>) -> Value {
    json!({
        "id": id, "username": id, "primaryEmail": null, "primaryPhone": null, "name": id,
        "avatar": null, "customData": {}, "identities": {}, "lastSignInAt": null,
        "createdAt": 1, "updatedAt": 1, "profile": {}, "applicationId": null,
        "isSuspended": false,
        "organizationRoles": role.map(|(id, name)| vec![json!({"id": id, "name": name})]).unwrap_or_default(),
    })
}

/// A Logto whose document says what `document` says and whose member list ignores every
/// filter, like 1.37 does (or like a server that claims the filter and does not apply it).
/// Returns the URL and the query strings the member list received.
async fn stub(document: Option<Value>, members: Vec<Value>) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_in = seen.clone();
    let members = Arc::new(members);
    let (by_id_roles, by_id_users) = (members.clone(), members.clone());
    let app = axum::Router::new()
        .route(
            "/oidc/token",
            post(|| async {
                Json(json!({"access_token": "opaque", "expires_in": 3600,
                            "token_type": "Bearer", "scope": "all"}))
            }),
        )
        .route(
            "/api/.well-known/management.openapi.json",
            get(move || async move {
                match &document {
                    Some(d) => Json(d.clone()).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .route(
            "/api/organizations/{id}/users",
            get(move |Path(_id): Path<String>, RawQuery(q): RawQuery| {
                let members = members.clone();
                let seen = seen_in.clone();
                async move {
                    let q = q.unwrap_or_default();
                    seen.lock().unwrap().push(q.clone());
                    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .collect();
                    let get = |k: &str| {
                        pairs
                            .iter()
                            .find(|(key, _)| key == k)
                            .and_then(|(_, v)| v.parse::<usize>().ok())
                    };
                    let page = get("page").unwrap_or(1);
                    let size = get("page_size").unwrap_or(20);
                    let items: Vec<Value> = members
                        .iter()
                        .skip((page - 1) * size)
                        .take(size)
                        .cloned()
                        .collect();
                    let mut headers = HeaderMap::new();
                    headers.insert(
                        "total-number",
                        HeaderValue::from_str(&members.len().to_string()).unwrap(),
                    );
                    (headers, Json(Value::Array(items)))
                }
            }),
        )
        .route(
            // The portal confirms each holder the member index names with a fresh read.
            "/api/organizations/{id}/users/{user_id}/roles",
            get(move |Path((_id, user_id)): Path<(String, String)>| {
                let members = by_id_roles.clone();
                async move {
                    let roles = members
                        .iter()
                        .find(|m| m["id"] == user_id.as_str())
                        .map(|m| m["organizationRoles"].clone())
                        .unwrap_or(json!([]));
                    Json(roles)
                }
            }),
        )
        .route(
            // Users by id (`search.id=…&mode.id=exact`): the people of a role-filtered page.
            "/api/users",
            get(move |RawQuery(q): RawQuery| {
                let members = by_id_users.clone();
                async move {
                    let q = q.unwrap_or_default();
                    let ids: Vec<String> = url::form_urlencoded::parse(q.as_bytes())
                        .filter(|(k, _)| k == "search.id")
                        .map(|(_, v)| v.into_owned())
                        .collect();
                    let users: Vec<Value> = members
                        .iter()
                        .filter(|m| ids.iter().any(|id| m["id"] == id.as_str()))
                        .map(|m| {
                            let mut u = m.clone();
                            u.as_object_mut().unwrap().remove("organizationRoles");
                            u
                        })
                        .collect();
                    let mut headers = HeaderMap::new();
                    headers.insert(
                        "total-number",
                        HeaderValue::from_str(&users.len().to_string()).unwrap(),
                    );
                    (headers, Json(Value::Array(users)))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

fn document(with_role_filter: bool) -> Value {
    let mut params = vec![
        json!({"name": "id", "in": "path"}),
        json!({"name": "q", "in": "query"}),
        json!({"name": "page", "in": "query"}),
        json!({"name": "page_size", "in": "query"}),
    ];
    if with_role_filter {
        params.push(json!({"name": "organizationRoleId", "in": "query"}));
    }
    json!({
        "openapi": "3.0.1",
        "info": {"version": "Cloud"},
        "paths": {
            "/api/organizations/{id}/users": {"get": {"parameters": params}},
            "/api/organizations/{id}/users/{userId}/roles": {"get": {"parameters": [
                {"name": "page", "in": "query"},
                {"name": "page_size", "in": "query"}
            ]}},
            "/api/users": {"get": {"parameters": [
                {"name": "search_params", "in": "query", "explode": true,
                 "schema": {"type": "object"}},
                {"name": "page", "in": "query"},
                {"name": "page_size", "in": "query"}
            ]}},
            "/api/users/{userId}/sessions": {"get": {"parameters": []}},
        }
    })
}

/// An organization of 250 people: two admins far apart, everyone else a member.
fn people() -> Vec<Value> {
    (0..250)
        .map(|i| {
            let id = format!("u{i:03}");
            let role = if i == 3 || i == 230 {
                ("r-admin", "admin")
            } else {
                ("r-member", "member")
            };
            member(&id, Some(role))
        })
        .collect()
}

#[tokio::test]
async fn without_a_document_the_oldest_release_is_assumed() {
    let (url, seen) = stub(None, people()).await;
    let client = LogtoClient::new(config(&url)).unwrap();
    assert!(client.refresh_capabilities().await.is_err());
    let caps = client.capabilities();
    assert_eq!(caps.source(), CapabilitySource::Baseline);
    assert!(!caps.has(Feature::MemberRoleFilter));
    assert!(!caps.has(Feature::UserSessions));

    // The role filter works anyway: read and filtered in the portal, never sent.
    let q = MemberQuery {
        organization_role_id: Some("r-admin".into()),
        ..Default::default()
    };
    let found = client.list_org_members_by_role("o1", &q).await.unwrap();
    assert!(found.complete);
    assert_eq!(found.page.total, 2);
    let ids: Vec<&str> = found.page.items.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["u003", "u230"]);
    let names: Vec<&str> = found.page.items[0]
        .organization_roles
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["admin"]);
    let seen_now = seen.lock().unwrap().clone();
    assert!(
        seen_now.iter().all(|q| !q.contains("organizationRoleId")),
        "{seen_now:?}"
    );
    assert_eq!(seen_now.len(), 3, "three pages of 100: {seen_now:?}");

    // The member index is kept: the next page of the filter reads no member page at all.
    let q2 = MemberQuery {
        organization_role_id: Some("r-member".into()),
        page: 2,
        ..Default::default()
    };
    let found = client.list_org_members_by_role("o1", &q2).await.unwrap();
    assert_eq!(found.page.total, 248);
    let ids: Vec<&str> = found.page.items.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids.first(),
        Some(&"u021"),
        "holders 21 to 40 (u003 is not one): {ids:?}"
    );
    assert_eq!(ids.len(), 20);
    assert_eq!(seen.lock().unwrap().len(), 3, "no member page read again");

    // Sending it by hand is refused before it leaves.
    let err = client.list_org_members("o1", &q).await.unwrap_err();
    assert!(matches!(err, LogtoError::Unsupported(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_that_declares_the_filter_and_ignores_it_cannot_fool_the_guard() {
    let (url, seen) = stub(Some(document(true)), people()).await;
    let client = LogtoClient::new(config(&url)).unwrap();
    let caps = client.refresh_capabilities().await.unwrap();
    assert!(matches!(caps.source(), CapabilitySource::Server(_)));
    assert!(caps.has(Feature::MemberRoleFilter));
    assert!(caps.has(Feature::UserSessions));
    assert!(!caps.has(Feature::UserGrants));

    // Asked for two admins, the server answers with two plain members: the client notices
    // and counts itself.
    let holders = client
        .org_role_holders("o1", &["r-admin".to_string()], 2)
        .await
        .unwrap();
    assert_eq!(holders.user_ids, ["u003", "u230"]);
    assert!(holders.conclusive);
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|q| q.contains("organizationRoleId=r-admin")));

    // The same for a page of the member list and the export.
    let q = MemberQuery {
        organization_role_id: Some("r-admin".into()),
        ..Default::default()
    };
    let found = client.list_org_members_by_role("o1", &q).await.unwrap();
    assert_eq!(found.page.total, 2);
    let exported: Vec<String> = client
        .org_members_stream("o1", q)
        .map_ok(|m| m.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(exported, ["u003", "u230"]);
}

#[tokio::test]
async fn a_sole_admin_is_found_alone_and_nobody_else_is_invented() {
    let mut members = people();
    members.remove(230);
    let (url, _) = stub(Some(document(false)), members).await;
    let client = LogtoClient::new(config(&url)).unwrap();
    client.refresh_capabilities().await.unwrap();
    let holders = client
        .org_role_holders("o1", &["r-admin".to_string()], 2)
        .await
        .unwrap();
    assert_eq!(holders.user_ids, ["u003"]);
    assert!(holders.conclusive);
}

#[tokio::test]
async fn past_the_index_limit_the_answer_is_inconclusive() {
    // The limit of 20,000 members, lowered so the test reads 350 rather than 20,050.
    let many: Vec<Value> = (0..350)
        .map(|i| member(&format!("m{i:05}"), Some(("r-member", "member"))))
        .collect();
    let (url, seen) = stub(Some(document(false)), many).await;
    let mut cfg = config(&url);
    cfg.member_index_limit = 300;
    let client = LogtoClient::new(cfg).unwrap();
    client.refresh_capabilities().await.unwrap();
    let holders = client
        .org_role_holders("o1", &["r-admin".to_string()], 2)
        .await
        .unwrap();
    assert!(holders.user_ids.is_empty());
    assert!(
        !holders.conclusive,
        "could not read everyone: no conclusion"
    );
    let q = MemberQuery {
        organization_role_id: Some("r-admin".into()),
        ..Default::default()
    };
    let found = client.list_org_members_by_role("o1", &q).await.unwrap();
    assert!(!found.complete);
    assert_eq!(found.members_read, 300);
    assert!(
        seen.lock().unwrap().iter().all(|q| !q.contains("page=4&")),
        "never past the limit: {:?}",
        seen.lock().unwrap()
    );
}

/// A person's Logto sessions exist from 1.38: listed and ended there; on 1.37 the call never
/// leaves the portal.
#[tokio::test]
async fn logto_sessions_follow_the_release() {
    use fake_logto::{FakeLogto, FakeLogtoConfig, LogtoVersion, NewUser, SessionSeed};
    for (version, has_sessions) in [(LogtoVersion::V1_42, true), (LogtoVersion::V1_37, false)] {
        let fake = FakeLogto::start(FakeLogtoConfig::for_version(version)).await;
        let st = fake.state();
        let user = st.create_user(NewUser {
            username: Some("sam".into()),
            ..Default::default()
        });
        let client = LogtoClient::new(config(&fake.url())).unwrap();
        client.refresh_capabilities().await.unwrap();
        assert_eq!(
            client.capabilities().has(Feature::UserSessions),
            has_sessions
        );
        if has_sessions {
            for ua in ["Firefox", "Safari"] {
                st.add_user_session(
                    &user,
                    SessionSeed {
                        user_agent: Some(ua.into()),
                        ip: Some("203.0.113.7".into()),
                        ..Default::default()
                    },
                );
            }
            let sessions = client.list_user_sessions(&user).await.unwrap();
            assert_eq!(sessions.len(), 2);
            assert_eq!(client.revoke_all_user_sessions(&user).await.unwrap(), 2);
            assert!(st.user_session_ids(&user).is_empty());
        } else {
            st.clear_requests();
            let err = client.list_user_sessions(&user).await.unwrap_err();
            assert!(matches!(err, LogtoError::Unsupported(_)), "{err:?}");
            assert!(st.api_requests().is_empty(), "nothing reached Logto");
        }
    }
}
