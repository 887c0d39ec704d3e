//! The access matrix (issue 3): every route × {anonymous, end user, admin of org A, operator}
//! → the expected status; cross-organization URL tampering is refused; CSRF on every state
//! change.

#[path = "../common/mod.rs"]
mod common;

use common::{spawn_app, Browser, TestApp};
use logto_portal::audit::Filter;
use reqwest::StatusCode;

mod matrix;
use matrix::get_routes;
mod csrf;
use csrf::state_changes;
mod malformed;

const SEE_OTHER: u16 = 303;
const PERMANENT: u16 = 308;
const OK: u16 = 200;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;
const UNPROCESSABLE: u16 = 422;
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
    /// A directory export prepared in the background.
    export: String,
    /// A finished background invitation batch of each organization.
    batch_acme: String,
    batch_globex: String,
    /// A finished bulk role change (no rows) of each organization.
    bulk_acme: String,
    bulk_globex: String,
}

/// A bulk role change of `org` with no rows (it finishes at once).
async fn empty_bulk(app: &TestApp, org: &str) -> String {
    app.state
        .jobs
        .enqueue(logto_portal::jobs::NewJob {
            kind: "member_roles",
            org_id: Some(org.to_string()),
            created_by: "matrix".into(),
            params: serde_json::json!({
                "org_id": org, "change": "add", "role_id": "r", "role_name": "member",
                "actor_id": "matrix", "is_operator": false, "actor": {}, "origin": {},
            }),
            rows: Vec::new(),
        })
        .await
        .unwrap()
}

/// A background invitation batch of `org` with no rows (it finishes at once).
async fn empty_batch(app: &TestApp, org: &str) -> String {
    app.state
        .jobs
        .enqueue(logto_portal::jobs::NewJob {
            kind: "invitations",
            org_id: Some(org.to_string()),
            created_by: app.user_id(&app.seed.operator_username),
            params: serde_json::json!({
                "org_id": org, "org_name": "", "inviter_id": app.user_id(&app.seed.operator_username),
                "inviter_name": "",
                "expires_at": 0, "source": "form", "locale": "en",
                "actor": {}, "origin": {},
            }),
            rows: Vec::new(),
        })
        .await
        .unwrap()
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
    let export = app
        .state
        .jobs
        .enqueue(logto_portal::jobs::NewJob {
            kind: "user_export",
            org_id: None,
            created_by: app.user_id(&app.seed.operator_username),
            params: serde_json::json!({ "search": [], "total": 0, "filename": "users.csv" }),
            rows: Vec::new(),
        })
        .await
        .unwrap();
    let batch_acme = empty_batch(app, &acme).await;
    let batch_globex = empty_batch(app, &globex).await;
    let bulk_acme = empty_bulk(app, &acme).await;
    let bulk_globex = empty_bulk(app, &globex).await;
    // Every job done before the matrix runs: the export's download then answers the operator
    // with the file, and no job's own calls to Logto land among the requests a test counts.
    for id in [
        &export,
        &batch_acme,
        &batch_globex,
        &bulk_acme,
        &bulk_globex,
    ] {
        let started = std::time::Instant::now();
        while !app
            .state
            .jobs
            .get(id)
            .await
            .unwrap()
            .unwrap()
            .state
            .is_finished()
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "a job never ran"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    Ids {
        export,
        bulk_acme,
        bulk_globex,
        batch_acme,
        batch_globex,
        acme,
        globex,
        member,
        globex_user,
        invitation_acme,
        invitation_globex,
    }
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
            format!("/orgs/{g}/members/bulk"),
            vec![
                ("user_ids", gu.as_str()),
                ("change", "remove"),
                ("role_id", "admin"),
            ],
        ),
        (
            format!("/orgs/{g}/invitations"),
            vec![("emails", "x@example.com")],
        ),
        (format!("/orgs/{g}/invitations/{gi}/resend"), vec![]),
        (format!("/orgs/{g}/invitations/{gi}/revoke"), vec![]),
        (format!("/orgs/{g}/invitations/{gi}/delete"), vec![]),
        (format!("/orgs/{g}/settings"), vec![("name", "Taken over")]),
        (
            format!("/orgs/{g}/jit/domains"),
            vec![("domain", "evil.example")],
        ),
        (format!("/orgs/{g}/jit/roles"), vec![]),
        (
            format!("/orgs/{g}/delete"),
            vec![("confirm_name", "Globex")],
        ),
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
            format!("/users/{}/mfa-reset", ids.member),
            format!("/users/{}/password-expire", ids.member),
            format!("/users/{}/sessions/end", ids.member),
            format!("/users/{}/sessions/end-all", ids.member),
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

/// Every (method, path) the portal serves, read from its route table (the `Debug` form of a
/// router lists each path with its method router), so a new route cannot be left out of this
/// file.
fn router_routes(app: &TestApp) -> Vec<(&'static str, String)> {
    let table = logto_portal::web::route_table().with_state::<()>(app.state.clone());
    let text = format!("{table:?}");
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
    let routes = router_routes(&app);
    // The table was read: a change to the router's `Debug` form must not pass as "no routes".
    for known in [
        ("GET", "/healthz"),
        ("GET", "/orgs/{org_id}/members"),
        ("POST", "/sign-out"),
    ] {
        assert!(
            routes.iter().any(|(m, t)| (*m, t.as_str()) == known),
            "{known:?} not in the route table read: {routes:?}"
        );
    }
    for (method, template) in routes {
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
