//! Ids in URLs that are not Logto ids answer 404 before any call to Logto.

use super::*;

pub(crate) const RAW_CSRF: &str = "raw-csrf-token-for-malformed-id-tests";

/// A signed-in session made directly in the store, for raw requests that a URL library would
/// normalize (`..`, `%2E%2E`): returns the cookie.
pub(crate) async fn raw_session(
    app: &TestApp,
    username: &str,
    operator: bool,
    checked_at: i64,
) -> String {
    use tower_sessions::{session::Record, SessionStore};
    let id = app.user_id(username);
    let now = logto_portal::audit::now_ms();
    let mut data = std::collections::HashMap::new();
    data.insert(
        "user".to_string(),
        serde_json::json!({ "id": id, "name": username, "username": username,
            "email": null, "avatar": null, "signed_in_at": now }),
    );
    data.insert("csrf".to_string(), serde_json::json!(RAW_CSRF));
    data.insert(
        "access".to_string(),
        serde_json::json!({ "is_operator": operator, "orgs": [], "checked_at": checked_at }),
    );
    let mut record = Record {
        id: Default::default(),
        data,
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + tower_sessions::cookie::time::Duration::hours(1),
    };
    app.state
        .db
        .session_store()
        .create(&mut record)
        .await
        .unwrap();
    format!("portal_session={}", record.id)
}

/// Sends `method path` exactly as written (no normalization) and returns the status.
pub(crate) async fn raw_status(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: Option<&str>,
) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let body = if method == "POST" {
        format!("_csrf={RAW_CSRF}")
    } else {
        String::new()
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{cookie}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let head = String::from_utf8_lossy(&answer);
    head.split(' ').nth(1).unwrap().parse().unwrap()
}

/// Ids in URLs (issue 15): whatever is not a Logto id answers 404 before any call to
/// Logto, for every route that takes one, whoever asks.
#[tokio::test]
async fn malformed_ids_answer_not_found_before_reaching_logto() {
    let app = spawn_app().await;
    let i = ids(&app).await;
    let now = logto_portal::audit::now_ms();
    let operator = raw_session(&app, &app.seed.operator_username, true, now).await;
    let acme_admin = raw_session(&app, &app.seed.admin_username, false, now).await;
    // Access due for its re-check: the malformed id is refused before even that call.
    let due = raw_session(&app, &app.seed.operator_username, true, 0).await;
    let (acme, member) = (&i.acme, &i.member);
    let bad = [
        "..",
        "%2E%2E",
        ".",
        "..%2F..%2Fusers",
        "%2E%2E%2F%2E%2E%2Fapi%2Froles",
        "a.b",
        "x%2Fy",
        "%00",
    ];
    app.fake.state().clear_requests();
    let mut asked = Vec::new();
    for id in bad {
        asked.push(("GET", format!("/invitations/{id}"), None));
        asked.push((
            "GET",
            format!("/orgs/go?org_id={id}"),
            Some(operator.clone()),
        ));
        for who in [&operator, &acme_admin] {
            for path in [
                format!("/orgs/{id}/members"),
                format!("/orgs/{id}/members/export.csv"),
                format!("/orgs/{id}/invitations"),
                format!("/orgs/{acme}/invitations/batches/{id}"),
                format!("/orgs/{acme}/members/batches/{id}"),
                format!("/orgs/{id}/members/bulk"),
                format!("/orgs/{id}/settings"),
                format!("/orgs/{id}/delete"),
                format!("/orgs/{acme}/members/{id}"),
                format!("/orgs/{acme}/members/{id}/roles"),
                format!("/orgs/{acme}/members/{id}/remove"),
            ] {
                asked.push(("GET", path, Some(who.clone())));
            }
        }
        for path in [
            format!("/users/{id}"),
            format!("/users/{id}/suspend"),
            format!("/users/{id}/delete"),
            format!("/users/{id}/mfa-reset"),
            format!("/users/{id}/password-expire"),
            format!("/users/exports/{id}"),
            format!("/users/{member}/orgs/{id}/remove"),
            format!("/users/{member}/roles/{id}/remove"),
        ] {
            asked.push(("GET", path.clone(), Some(operator.clone())));
            asked.push(("GET", path, Some(due.clone())));
        }
        // State changes too (with a valid CSRF token, so only the id is wrong).
        for path in [
            format!("/users/{id}/suspend"),
            format!("/users/{id}/mfa-reset"),
            format!("/users/{id}/sessions/end-all"),
            format!("/users/{member}/orgs/{id}/remove"),
            format!("/orgs/{acme}/members/{id}/remove"),
            format!("/orgs/{acme}/invitations/{id}/revoke"),
            format!("/orgs/{id}/members/{member}/remove"),
            format!("/orgs/{id}/members/bulk"),
            format!("/orgs/{id}/settings"),
            format!("/orgs/{id}/jit/domains"),
            format!("/orgs/{id}/jit/roles"),
            format!("/orgs/{id}/delete"),
        ] {
            asked.push(("POST", path, Some(operator.clone())));
        }
        asked.push((
            "POST",
            format!("/orgs/{acme}/invitations/{id}/resend"),
            Some(acme_admin.clone()),
        ));
    }
    for (method, path, cookie) in &asked {
        let status = raw_status(&app, method, path, cookie.as_deref()).await;
        assert_eq!(status, NOT_FOUND, "{method} {path}");
    }
    let reached: Vec<String> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(reached.is_empty(), "reached Logto: {reached:?}");
}
