//! Automated accessibility audit (axe-core) of every page family, in the light and the dark
//! theme, plus a phone-width check that nothing forces horizontal scrolling of the page.

mod common;

use common::{browser::Chrome, spawn_app, TestApp};

/// A background invitation batch of two rows (one invited, one refused) and a directory
/// export, made once per app, for their pages.
async fn jobs(app: &TestApp, acme: &str) -> (String, String) {
    use logto_portal::jobs::{NewJob, NewRow};
    let jobs = &app.state.jobs;
    let batch = match jobs
        .recent_for_org("invitations", acme, 1)
        .await
        .unwrap()
        .pop()
    {
        Some(job) => job.id,
        None => {
            let admin = app.user_id(&app.seed.admin_username);
            let row = |line: i64, email: &str, refused: serde_json::Value| NewRow {
                line,
                input: serde_json::json!({
                    "line": line, "email": email, "role_ids": [], "role_names": [],
                    "refused": refused,
                }),
            };
            jobs.enqueue(NewJob {
                kind: "invitations",
                org_id: Some(acme.to_string()),
                created_by: admin.clone(),
                params: serde_json::json!({
                    "org_id": acme, "org_name": "Acme Corp", "inviter_id": admin,
                    "inviter_name": "Adam Admin", "expires_at": logto_portal::audit::now_ms() + 86_400_000,
                    "source": "form", "locale": "en", "actor": {}, "origin": {},
                }),
                rows: vec![
                    row(1, "a11y.batch@example.com", serde_json::Value::Null),
                    row(2, "not-an-address", serde_json::json!("InvalidAddress")),
                ],
            })
            .await
            .unwrap()
        }
    };
    let operator = app.user_id(&app.seed.operator_username);
    let export = match jobs
        .recent_by("user_export", &operator, 1)
        .await
        .unwrap()
        .pop()
    {
        Some(job) => job.id,
        None => jobs
            .enqueue(NewJob {
                kind: "user_export",
                org_id: None,
                created_by: operator.clone(),
                params: serde_json::json!({ "search": [], "total": 0, "filename": "users.csv" }),
                rows: Vec::new(),
            })
            .await
            .unwrap(),
    };
    (
        format!("/orgs/{acme}/invitations/batches/{batch}"),
        format!("/users/exports/{export}"),
    )
}

async fn pages(app: &TestApp) -> Vec<(&'static str, String)> {
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let member = app.user_id(&app.seed.member_username);
    let (batch, export) = jobs(app, &acme).await;
    let roles = app.state.org_facts.roles(&app.state.logto).await.unwrap();
    let member_role = roles
        .iter()
        .find(|r| r.name == "member")
        .unwrap()
        .id
        .clone();
    // A bulk role change of Acme, for its page (finished or running, both are audited).
    let bulk_job = app
        .state
        .jobs
        .enqueue(logto_portal::jobs::NewJob {
            kind: "member_roles",
            org_id: Some(acme.clone()),
            created_by: "a11y".into(),
            params: serde_json::json!({
                "org_id": acme, "change": "add", "role_id": member_role, "role_name": "member",
                "actor_id": "a11y", "is_operator": true, "actor": {}, "origin": {},
            }),
            rows: vec![logto_portal::jobs::NewRow {
                line: 1,
                input: serde_json::json!({ "user_id": member }),
            }],
        })
        .await
        .unwrap();
    vec![
        ("operator", export),
        ("admin", batch),
        ("operator", "/users".to_string()),
        ("operator", format!("/users/{member}")),
        ("operator", "/orgs".to_string()),
        ("operator", "/orgs/new".to_string()),
        ("operator", format!("/orgs/{acme}/settings")),
        ("operator", format!("/orgs/{acme}/delete")),
        ("operator", "/audit".to_string()),
        ("operator", "/tenant".to_string()),
        ("operator", "/tenant?section=resources".to_string()),
        ("operator", "/tenant?section=roles".to_string()),
        ("operator", "/tenant?section=org-roles".to_string()),
        ("operator", "/tenant?section=connectors".to_string()),
        ("operator", "/tenant?section=sso".to_string()),
        ("admin", format!("/orgs/{acme}/members")),
        ("admin", format!("/orgs/{acme}/members/add")),
        (
            "admin",
            format!("/orgs/{acme}/members/bulk?user_ids={member}&change=add&role_id={member_role}"),
        ),
        ("admin", format!("/orgs/{acme}/members/batches/{bulk_job}")),
        ("admin", format!("/orgs/{acme}/invitations")),
        ("member", "/profile".to_string()),
    ]
}

async fn audit_all(dark: bool) {
    let app = spawn_app().await;
    let mut problems = Vec::new();
    // One browser for every role, each signing in after the last one's cookies are gone.
    let chrome = Chrome::start_with(true, dark, (1280, 1000)).await;
    for role in ["anonymous", "operator", "admin", "member"] {
        chrome.forget_sign_ins().await;
        let username = match role {
            "operator" => Some(app.seed.operator_username.clone()),
            "admin" => Some(app.seed.admin_username.clone()),
            "member" => Some(app.seed.member_username.clone()),
            _ => None,
        };
        let paths: Vec<String> = match &username {
            Some(u) => {
                chrome.sign_in(&app, u).await;
                pages(&app)
                    .await
                    .into_iter()
                    .filter(|(r, _)| *r == role)
                    .map(|(_, p)| p)
                    .collect()
            }
            None => vec!["/".into(), "/signed-out".into(), "/no/such/page".into()],
        };
        for path in paths {
            chrome.load(&format!("{}{}", app.url, path), "main").await;
            for v in chrome.accessibility_violations().await {
                problems.push(format!("{role} {path}: {v}"));
            }
        }
    }
    chrome.quit().await;
    assert!(
        problems.is_empty(),
        "accessibility violations ({}):\n{}",
        if dark { "dark" } else { "light" },
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_pass_the_accessibility_audit_in_the_light_theme() {
    audit_all(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_pass_the_accessibility_audit_in_the_dark_theme() {
    audit_all(true).await;
}

/// Issue 20: at a phone's width (390 px) no page of any family, for any role, in either
/// language, is wider than the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_screen_in_both_languages() {
    let app = spawn_app().await;
    let mut wide = Vec::new();
    // One browser for every role, each signing in after the last one's cookies are gone.
    let chrome = Chrome::start_with(true, false, (390, 844)).await;
    for role in ["anonymous", "operator", "admin", "member"] {
        chrome.forget_sign_ins().await;
        let paths: Vec<String> = match role {
            "anonymous" => {
                // On the portal, so the language cookie below is the portal's.
                chrome.load(&format!("{}/", app.url), "main").await;
                vec!["/".into(), "/signed-out".into(), "/no/such/page".into()]
            }
            _ => {
                let username = match role {
                    "operator" => &app.seed.operator_username,
                    "admin" => &app.seed.admin_username,
                    _ => &app.seed.member_username,
                };
                chrome.sign_in(&app, username).await;
                let mut paths: Vec<String> = pages(&app)
                    .await
                    .into_iter()
                    .filter(|(r, _)| *r == role)
                    .map(|(_, p)| p)
                    .collect();
                paths.push("/no/such/page".into());
                paths
            }
        };
        for lang in ["en", "zh-TW"] {
            // The language travels in a cookie, as the switcher sets it.
            chrome
                .driver
                .add_cookie(thirtyfour::Cookie::new("lang", lang))
                .await
                .unwrap();
            for path in &paths {
                chrome.load(&format!("{}{}", app.url, path), "main").await;
                let html_lang: String = chrome
                    .driver
                    .execute("return document.documentElement.lang;", vec![])
                    .await
                    .unwrap()
                    .convert()
                    .unwrap();
                assert_eq!(html_lang, lang, "{path} is not in {lang}");
                let overflow = chrome
                    .driver
                    .execute(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                        vec![],
                    )
                    .await
                    .unwrap();
                let px = overflow.json().as_i64().unwrap_or(0);
                if px > 0 {
                    wide.push(format!(
                        "{role} {lang} {path}: {px}px wider than the screen"
                    ));
                }
            }
        }
    }
    chrome.quit().await;
    assert!(wide.is_empty(), "{}", wide.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_catches_a_known_violation() {
    // Guards the audit itself: an unlabeled input and an image without alt text are reported.
    let chrome = Chrome::start(true).await;
    chrome
        .driver
        .goto("data:text/html,<html lang=en><head><title>t</title></head><body><main><input type=text><img src=x.png></main></body></html>")
        .await
        .unwrap();
    let v = chrome.accessibility_violations().await;
    chrome.quit().await;
    assert!(v.iter().any(|l| l.contains("\"label\"")), "{v:?}");
    assert!(v.iter().any(|l| l.contains("\"image-alt\"")), "{v:?}");
}
