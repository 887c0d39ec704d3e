//! The access matrix (issue 3): every route × {anonymous, end user, admin of org A, operator}
//! → the expected status; cross-organization URL tampering is refused; CSRF on every state
//! change.

mod common;

use common::{spawn_app, Browser, TestApp};
use logto_portal::audit::Filter;
use reqwest::StatusCode;

const SEE_OTHER: u16 = 303;
const PERMANENT: u16 = 308;
const OK: u16 = 200;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;
const BAD_REQUEST: u16 = 400;
/// Well-formed, and names nothing in the fake.
const UNKNOWN_ID: &str = "zz0000000000000000000";

struct Ids {
    acme: String,
    globex: String,
    member: String,
    globex_user: String,
    invitation_acme: String,
    invitation_globex: String,
}

async fn ids(app: &TestApp) -> Ids {
    let s = app.fake.state();
    let acme = s.find_org_id_by_name("Acme Corp").unwrap();
    let globex = s.find_org_id_by_name("Globex").unwrap();
    let member = app.user_id(&app.seed.member_username);
    let globex_user = app
        .state
        .logto
        .list_org_members(
            &globex,
            &logto_portal::logto::MemberQuery {
                page: 1,
                page_size: 1,
                q: None,
                organization_role_id: None,
            },
        )
        .await
        .unwrap()
        .items[0]
        .id
        .clone();
    let far_future = logto_portal::audit::now_ms() + 5 * 86_400_000;
    let invitation_acme = s.create_invitation(
        &acme,
        None,
        "matrix-a@example.com",
        &["member"],
        far_future,
        "Pending",
    );
    let invitation_globex = s.create_invitation(
        &globex,
        None,
        "matrix-g@example.com",
        &["member"],
        far_future,
        "Pending",
    );
    Ids {
        acme,
        globex,
        member,
        globex_user,
        invitation_acme,
        invitation_globex,
    }
}

/// GET routes with the status each role gets: (path, anonymous, end user, admin of Acme, operator).
fn get_routes(i: &Ids) -> Vec<(String, u16, u16, u16, u16)> {
    let a = &i.acme;
    let g = &i.globex;
    let m = &i.member;
    let gu = &i.globex_user;
    vec![
        ("/profile".into(), SEE_OTHER, OK, OK, OK),
        ("/orgs".into(), SEE_OTHER, OK, OK, OK),
        (
            format!("/orgs/go?org_id={a}"),
            SEE_OTHER,
            NOT_FOUND,
            SEE_OTHER,
            SEE_OTHER,
        ),
        (
            format!("/orgs/go?org_id={g}"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            SEE_OTHER,
        ),
        (format!("/orgs/{a}/members"), SEE_OTHER, NOT_FOUND, OK, OK),
        (
            format!("/orgs/{g}/members"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{g}/members/export.csv"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{g}/members/add"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        // The picker's fragment; without htmx it sends the browser to the add page.
        (
            format!("/orgs/{g}/members/candidates?q=an"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            SEE_OTHER,
        ),
        (
            format!("/orgs/{g}/members/{gu}/roles"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{g}/members/{gu}/remove"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        (
            format!("/orgs/{a}/invitations"),
            SEE_OTHER,
            NOT_FOUND,
            OK,
            OK,
        ),
        (
            format!("/orgs/{g}/invitations"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        // Revoking and deleting ask first (the confirmation; nothing changes).
        (
            format!("/orgs/{a}/invitations/{}/revoke", i.invitation_acme),
            SEE_OTHER,
            NOT_FOUND,
            OK,
            OK,
        ),
        (
            format!("/orgs/{g}/invitations/{}/delete", i.invitation_globex),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            OK,
        ),
        ("/users".into(), SEE_OTHER, FORBIDDEN, FORBIDDEN, OK),
        (
            "/users/export.csv".into(),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (format!("/users/{m}"), SEE_OTHER, FORBIDDEN, FORBIDDEN, OK),
        (
            format!("/users/{m}/suspend"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/users/{m}/delete"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        ("/audit".into(), SEE_OTHER, FORBIDDEN, OK, OK),
        ("/audit/export.csv".into(), SEE_OTHER, FORBIDDEN, OK, OK),
        // Public pages.
        (
            format!("/invitations/{}", i.invitation_acme),
            OK,
            OK,
            OK,
            OK,
        ),
        ("/signed-out".into(), OK, OK, OK, OK),
        ("/healthz".into(), OK, OK, OK, OK),
        // Avatars the portal keeps are public, like Logto's storage URLs; an unknown one is 404.
        (
            format!("/avatars/u/{}-256.png", "a".repeat(64)),
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        ("/readyz".into(), OK, OK, OK, OK),
        // Loopback may read the metrics without a token.
        ("/metrics".into(), OK, OK, OK, OK),
        ("/static/app.css".into(), OK, OK, OK, OK),
        // Browsers ask for it on their own: the fingerprinted icon.
        (
            "/favicon.ico".into(),
            PERMANENT,
            PERMANENT,
            PERMANENT,
            PERMANENT,
        ),
        // The welcome page for visitors; everyone else goes where they belong.
        ("/".into(), OK, SEE_OTHER, SEE_OTHER, SEE_OTHER),
        // To Logto's sign-in page; a callback without a sign-in in progress is refused.
        (
            "/sign-in".into(),
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
        ),
        (
            "/callback".into(),
            BAD_REQUEST,
            BAD_REQUEST,
            BAD_REQUEST,
            BAD_REQUEST,
        ),
        (
            "/lang/zh-TW".into(),
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
            SEE_OTHER,
        ),
        // The member has no avatar: nothing to serve, to anyone who may see them.
        (
            format!("/avatars/{m}"),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        ("/audit/export.jsonl".into(), SEE_OTHER, FORBIDDEN, OK, OK),
        (
            format!("/users/{m}/unsuspend"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        (
            format!("/users/{m}/orgs/{a}/remove"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            OK,
        ),
        // A role the member does not hold: nothing to confirm.
        (
            format!("/users/{m}/roles/{UNKNOWN_ID}/remove"),
            SEE_OTHER,
            FORBIDDEN,
            FORBIDDEN,
            NOT_FOUND,
        ),
        ("/profile/basics".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/basics/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/details".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/details/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/email".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/email/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/phone".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/phone/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/password".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/password/edit".into(), SEE_OTHER, OK, OK, OK),
        ("/profile/identities".into(), SEE_OTHER, OK, OK, OK),
        // Off unless the deployer declares custom fields / allows deleting one's account.
        (
            "/profile/custom".into(),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        (
            "/profile/custom/edit".into(),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
        (
            "/profile/delete".into(),
            SEE_OTHER,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
        ),
    ]
}

#[tokio::test]
async fn every_route_answers_each_role_as_expected() {
    let app = spawn_app().await;
    let ids = ids(&app).await;
    let browsers: Vec<(&str, Browser)> = vec![
        ("anonymous", app.browser()),
        ("end user", app.member().await),
        ("admin of Acme", app.admin().await),
        ("operator", app.operator().await),
    ];
    let mut wrong = Vec::new();
    for (path, anon, user, admin, op) in get_routes(&ids) {
        for ((role, b), expected) in browsers.iter().zip([anon, user, admin, op]) {
            let status = b.get(&path).await.status().as_u16();
            if status != expected {
                wrong.push(format!(
                    "GET {path} as {role}: {status}, expected {expected}"
                ));
            }
            // Anonymous htmx requests to signed-in pages get 401, not a redirect (routes
            // that redirect everyone, like /sign-in, are not signed-in pages).
            if *role == "anonymous" && expected == SEE_OTHER && user != SEE_OTHER {
                let s = b.get_htmx(&path).await.status().as_u16();
                if s != 401 {
                    wrong.push(format!("htmx GET {path} as anonymous: {s}, expected 401"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn cross_organization_changes_are_refused_and_recorded() {
    let app = spawn_app().await;
    let ids = ids(&app).await;
    let admin = app.admin().await;
    let g = &ids.globex;
    let gu = &ids.globex_user;
    let gi = &ids.invitation_globex;
    let before = app.fake.state().user_json(gu).unwrap();
    let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/orgs/{g}/members/add"),
            vec![("user_id", ids.member.as_str()), ("role", "admin")],
        ),
        (
            format!("/orgs/{g}/members/{gu}/roles"),
            vec![("role", "admin")],
        ),
        (format!("/orgs/{g}/members/{gu}/remove"), vec![]),
        (
            format!("/orgs/{g}/invitations"),
            vec![("emails", "x@example.com")],
        ),
        (format!("/orgs/{g}/invitations/{gi}/resend"), vec![]),
        (format!("/orgs/{g}/invitations/{gi}/revoke"), vec![]),
        (format!("/orgs/{g}/invitations/{gi}/delete"), vec![]),
    ];
    app.fake.state().clear_requests();
    for (path, form) in &attempts {
        let r = admin.post_form(path, form).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "POST {path}");
        let r = admin.post_htmx(path, form).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "htmx POST {path}");
    }
    // Nothing reached Logto's write endpoints.
    let writes: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(app.fake.state().user_json(gu).unwrap(), before);
    // Operator-only actions are refused for admins and end users.
    for who in [&admin, &app.member().await] {
        for path in [
            format!("/users/{}/suspend", ids.member),
            format!("/users/{}/delete", ids.member),
        ] {
            assert_eq!(
                who.post_form(&path, &[]).await.status(),
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
    let (entries, total) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some("security.access_denied".into()),
                ..Default::default()
            },
            1,
            100,
        )
        .await
        .unwrap();
    assert!(total >= attempts.len() as u64 * 2, "{total}");
    assert!(entries
        .iter()
        .any(|e| e.org_id.as_deref() == Some(g.as_str())
            && e.error_code.as_deref() == Some("not_org_admin")));
}

/// Every state-changing route, with ids that exist: each needs the CSRF token.
fn state_changes(ids: &Ids) -> Vec<String> {
    let a = &ids.acme;
    let m = &ids.member;
    let ia = &ids.invitation_acme;
    vec![
        "/sign-out".to_string(),
        format!("/orgs/{a}/members/add"),
        format!("/orgs/{a}/members/{m}/roles"),
        format!("/orgs/{a}/members/{m}/remove"),
        format!("/orgs/{a}/invitations"),
        format!("/orgs/{a}/invitations/{ia}/resend"),
        format!("/orgs/{a}/invitations/{ia}/revoke"),
        format!("/orgs/{a}/invitations/{ia}/delete"),
        format!("/invitations/{ia}/accept"),
        format!("/users/{m}/suspend"),
        format!("/users/{m}/unsuspend"),
        format!("/users/{m}/delete"),
        format!("/users/{m}/orgs"),
        format!("/users/{m}/roles"),
        "/profile/basics".to_string(),
        "/profile/details".to_string(),
        "/profile/password".to_string(),
        "/profile/avatar".to_string(),
        "/profile/custom".to_string(),
        "/profile/email".to_string(),
        "/profile/email/verify".to_string(),
        "/profile/email/resend".to_string(),
        "/profile/email/cancel".to_string(),
        "/profile/email/remove".to_string(),
        "/profile/phone".to_string(),
        "/profile/phone/verify".to_string(),
        "/profile/phone/resend".to_string(),
        "/profile/phone/cancel".to_string(),
        "/profile/phone/remove".to_string(),
        "/profile/identities/github/unlink".to_string(),
        "/profile/delete".to_string(),
        format!("/users/{m}/orgs/{a}/remove"),
        format!("/users/{m}/roles/{UNKNOWN_ID}/remove"),
    ]
}

#[tokio::test]
async fn every_state_change_needs_the_csrf_token() {
    let app = spawn_app().await;
    let ids = ids(&app).await;
    let op = app.operator().await;
    let posts = state_changes(&ids);
    app.fake.state().clear_requests();
    for path in &posts {
        let r = op.post_without_csrf(path, &[("name", "x")]).await;
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "POST {path} without a token"
        );
        let r = op.post_without_csrf(path, &[("_csrf", "forged")]).await;
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "POST {path} with a wrong token"
        );
    }
    let writes: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

const RAW_CSRF: &str = "raw-csrf-token-for-malformed-id-tests";

/// A signed-in session made directly in the store, for raw requests that a URL library would
/// normalize (`..`, `%2E%2E`): returns the cookie.
async fn raw_session(app: &TestApp, username: &str, operator: bool, checked_at: i64) -> String {
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
async fn raw_status(app: &TestApp, method: &str, path: &str, cookie: Option<&str>) -> u16 {
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
            format!("/users/{member}/orgs/{id}/remove"),
            format!("/users/{member}/roles/{id}/remove"),
        ] {
            asked.push(("GET", path.clone(), Some(operator.clone())));
            asked.push(("GET", path, Some(due.clone())));
        }
        // State changes too (with a valid CSRF token, so only the id is wrong).
        for path in [
            format!("/users/{id}/suspend"),
            format!("/users/{member}/orgs/{id}/remove"),
            format!("/orgs/{acme}/members/{id}/remove"),
            format!("/orgs/{acme}/invitations/{id}/revoke"),
            format!("/orgs/{id}/members/{member}/remove"),
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

/// Every (method, path) the router serves, read from the router itself (its `Debug` form
/// lists each path with its method router), so a new route cannot be left out of this file.
fn router_routes(app: &TestApp) -> Vec<(&'static str, String)> {
    let text = format!("{:?}", logto_portal::router(app.state.clone()));
    // The main path router comes first; the fallback router's ids restart at 1.
    let main = text.split(", node: Node { paths: {").collect::<Vec<_>>();
    let (methods_part, paths_part) = (main[0], main[1]);
    let path_re = regex::Regex::new(r#"RouteId\((\d+)\): "([^"]+)""#).unwrap();
    let method_re = regex::Regex::new(
        r"RouteId\((\d+)\): MethodRouter\(MethodRouter \{ get: (\w+), head: \w+, delete: (\w+), options: \w+, patch: (\w+), post: (\w+), put: (\w+)",
    )
    .unwrap();
    let paths: std::collections::HashMap<String, String> = path_re
        .captures_iter(paths_part)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    let mut routes = Vec::new();
    for c in method_re.captures_iter(methods_part) {
        let Some(path) = paths.get(&c[1]) else {
            continue;
        };
        for (i, method) in [
            (2, "GET"),
            (3, "DELETE"),
            (4, "PATCH"),
            (5, "POST"),
            (6, "PUT"),
        ] {
            if &c[i] != "None" {
                routes.push((method, path.clone()));
            }
        }
    }
    assert!(
        routes.len() > 40,
        "could not read the router's routes (axum's Debug output changed?): {routes:?}"
    );
    routes
}

/// Whether the concrete `path` (query ignored) is an instance of the route `template`.
fn instance_of(path: &str, template: &str) -> bool {
    let path = path.split('?').next().unwrap();
    let (p, t): (Vec<_>, Vec<_>) = (path.split('/').collect(), template.split('/').collect());
    p.len() == t.len()
        && p.iter()
            .zip(&t)
            .all(|(a, b)| a == b || (b.starts_with('{') && !a.is_empty()))
}

#[tokio::test]
async fn every_route_of_the_router_is_in_the_matrix() {
    let app = spawn_app().await;
    let ids = ids(&app).await;
    let gets: Vec<String> = get_routes(&ids).into_iter().map(|r| r.0).collect();
    let posts = state_changes(&ids);
    let mut missing = Vec::new();
    for (method, template) in router_routes(&app) {
        let covered = match method {
            "GET" => gets.iter().any(|p| instance_of(p, &template)),
            "POST" => posts.iter().any(|p| instance_of(p, &template)),
            _ => false,
        };
        if !covered && template != "/{*__private__axum_fallback}" {
            missing.push(format!("{method} {template}"));
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the access matrix (get_routes / state_changes):\n{}",
        missing.join("\n")
    );
}
