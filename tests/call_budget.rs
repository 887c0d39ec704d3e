//! Management API calls per page view with warm caches (issue 10's budget: at most 2), so the
//! portal stays well inside Logto Cloud's ~200 requests per 10 s.

mod common;

use common::spawn_app;

async fn calls_for(
    app: &common::TestApp,
    b: &common::Browser,
    path: &str,
    htmx: bool,
) -> Vec<String> {
    // Warm the caches first.
    let _ = if htmx {
        b.get_htmx(path).await
    } else {
        b.get(path).await
    };
    app.fake.state().clear_requests();
    let r = if htmx {
        b.get_htmx(path).await
    } else {
        b.get(path).await
    };
    assert_eq!(r.status(), 200, "{path}");
    app.recorded_calls()
}

#[tokio::test]
async fn warm_pages_need_at_most_two_calls() {
    let app = spawn_app().await;
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let op = app.operator().await;
    let admin = app.admin().await;
    let member = app.member().await;
    let cases: Vec<(&common::Browser, String, bool, usize)> = vec![
        (&admin, format!("/orgs/{acme}/members"), false, 2),
        (&admin, format!("/orgs/{acme}/members?page=2"), true, 2),
        (&op, format!("/orgs/{acme}/members"), false, 2),
        (&op, "/users?q=an".to_string(), false, 2),
        (&op, "/users?q=an&page=2".to_string(), true, 2),
        (&member, "/profile".to_string(), false, 2),
        (&admin, format!("/orgs/{acme}/invitations"), false, 2),
        (&op, "/audit".to_string(), false, 2),
    ];
    let mut over = Vec::new();
    for (b, path, htmx, budget) in cases {
        let calls = calls_for(&app, b, &path, htmx).await;
        if calls.len() > budget {
            over.push(format!(
                "{path} (htmx: {htmx}): {} calls {calls:?}",
                calls.len()
            ));
        }
    }
    assert!(over.is_empty(), "{}", over.join("\n"));
}
