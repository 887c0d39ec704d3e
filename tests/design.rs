//! The shared design parts seen through real HTTP: the styled "not found" page for unknown
//! addresses, error pages that keep the navigation and the signed-in person, the current-page
//! marker, the product name and the favicon.

mod common;

use common::{attrs, texts, Spawn};
use reqwest::StatusCode;

#[tokio::test]
async fn an_unknown_address_answers_the_styled_not_found_page() {
    let app = common::spawn_app().await;

    // Anonymous: the page, its header and a way to sign in.
    let anonymous = app.browser();
    let r = anonymous.get("/no/such/page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let request_id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert_eq!(texts(&html, "main h1"), vec!["Not found"]);
    assert_eq!(texts(&html, "main code"), vec![request_id]);
    assert_eq!(
        texts(&html, "header.topbar .brand-name"),
        vec!["Account portal"]
    );
    assert_eq!(attrs(&html, "header.topbar .account a", "href").len(), 1);
    assert_eq!(
        attrs(&html, "link[rel=icon]", "type"),
        vec!["image/svg+xml"]
    );

    // Signed in: the navigation and the person stay.
    let admin = app.admin().await;
    let (status, html) = admin.get_text("/orgs/nothing/here/at/all").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(texts(&html, "main h1"), vec!["Not found"]);
    assert_eq!(
        attrs(&html, "nav.mainnav a", "href"),
        vec!["/orgs", "/audit", "/profile"]
    );
    assert!(
        texts(&html, ".account .who")[0].contains("Signed in as"),
        "{html}"
    );
    // The sign-out form carries the session's token, so it still works from here.
    assert_eq!(
        attrs(&html, ".account form input[name=_csrf]", "value"),
        vec![admin.csrf.clone().unwrap()]
    );
}

#[tokio::test]
async fn refusals_keep_the_navigation_and_speak_plainly() {
    let app = common::spawn_app().await;
    let admin = app.admin().await;
    // An organization admin on an operator page.
    let (status, html) = admin.get_text("/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(texts(&html, "main h1"), vec!["Access denied"]);
    assert!(!texts(&html, "nav.mainnav a").is_empty(), "{html}");
    assert!(!texts(&html, ".account .who").is_empty());
    let text = texts(&html, "main").join(" ");
    assert!(
        text.contains("ask your organization's administrator or the team that runs this portal"),
        "{text}"
    );
    assert!(!text.contains("operator"), "{text}");

    // The same in Traditional Chinese.
    let r = admin
        .client
        .get(admin.url("/users"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("負責此入口網站的團隊"), "{html}");
    assert!(!html.contains("營運人員"), "{html}");
}

#[tokio::test]
async fn htmx_errors_stay_fragments_with_the_request_id() {
    let app = common::spawn_app().await;
    let admin = app.admin().await;
    let r = admin.get_htmx("/no/such/fragment").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["hx-retarget"], "#alerts");
    let request_id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html"), "{html}");
    assert!(!html.contains("mainnav"), "{html}");
    assert_eq!(texts(&html, ".alert-error code"), vec![request_id]);
}

#[tokio::test]
async fn the_navigation_marks_the_current_section() {
    let app = common::spawn_app().await;
    let operator = app.operator().await;
    let (_, html) = operator.get_text("/orgs?q=acme").await;
    assert_eq!(
        attrs(&html, "nav.mainnav a[aria-current=page]", "href"),
        vec!["/orgs"]
    );
    let (_, html) = operator.get_text("/users").await;
    assert_eq!(
        attrs(&html, "nav.mainnav a[aria-current=page]", "href"),
        vec!["/users"]
    );
}

#[tokio::test]
async fn the_product_name_is_configurable_and_the_favicon_is_served() {
    let app = Spawn::default()
        .env("PORTAL_PRODUCT_NAME", "Acme Accounts")
        .start()
        .await;
    let member = app.member().await;
    let (_, html) = member.get_text("/profile").await;
    assert_eq!(texts(&html, ".brand-name"), vec!["Acme Accounts"]);
    assert!(
        texts(&html, "title")[0].ends_with("· Acme Accounts"),
        "{html}"
    );
    let (_, html) = member.get_text("/missing").await;
    assert_eq!(texts(&html, ".brand-name"), vec!["Acme Accounts"]);

    let r = member.get("/favicon.ico").await;
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    let icon = common::location(&r);
    assert!(icon.starts_with("/static/favicon.svg?v="), "{icon}");
    let r = member.get(&icon).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
}
