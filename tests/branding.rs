//! The deployer's branding (issue 18): accent colours for both themes in a style sheet the
//! portal serves, logos and a favicon read from files at start-up and served by the portal,
//! the product name on every page and in invitation emails.

mod common;

use common::{attrs, Spawn};
use reqwest::StatusCode;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];
const ICO: &[u8] = &[0, 0, 1, 0, 1, 0, 16, 16];

fn file(name: &str, bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("{}-{name}", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn pages_and_invitation_emails_carry_the_deployers_brand() {
    let dark_svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"/>"#;
    let app = Spawn::default()
        .env("PORTAL_PRODUCT_NAME", "Acme Accounts")
        .env("PORTAL_ACCENT_COLOR", "#0b6e4f")
        .env("PORTAL_ACCENT_COLOR_DARK", "#7ee0b8")
        .env("PORTAL_LOGO_FILE", file("logo.png", PNG))
        .env("PORTAL_LOGO_DARK_FILE", file("logo.svg", dark_svg))
        .env("PORTAL_FAVICON_FILE", file("favicon.ico", ICO))
        .start()
        .await;
    let admin = app.admin().await;
    let (status, html) = admin.get_text("/profile").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Acme Accounts"));

    let css = attrs(&html, "link[rel=stylesheet][href^='/brand/']", "href");
    assert_eq!(css.len(), 1, "{html}");
    let r = admin.get(&css[0]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let sheet = r.text().await.unwrap();
    assert!(
        sheet.contains("--accent: #0b6e4f; --accent-fg: #ffffff;"),
        "{sheet}"
    );
    assert!(
        sheet.contains("@media (prefers-color-scheme: dark) { :root { --accent: #7ee0b8; --accent-fg: #0d0d1a; } }"),
        "{sheet}"
    );

    // Images only from the portal: the logos and the icon are served by it.
    let logo = attrs(&html, "img.brand-logo", "src").remove(0);
    assert!(logo.starts_with("/brand/logo?v="), "{logo}");
    let r = admin.get(&logo).await;
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let dark = attrs(
        &html,
        "picture source[media='(prefers-color-scheme: dark)']",
        "srcset",
    )
    .remove(0);
    let r = admin.get(&dark).await;
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert_eq!(r.bytes().await.unwrap().as_ref(), dark_svg);
    assert_eq!(
        attrs(&html, "link[rel=icon]", "type"),
        ["image/x-icon".to_string()]
    );
    let r = admin.get("/favicon.ico").await;
    assert!(r.status().is_redirection());
    let icon = r.headers()["location"].to_str().unwrap().to_string();
    assert!(icon.starts_with("/brand/favicon?v="), "{icon}");
    assert_eq!(admin.get(&icon).await.bytes().await.unwrap().as_ref(), ICO);
    assert_eq!(
        admin.get("/brand/anything").await.status(),
        StatusCode::NOT_FOUND
    );

    // Invitation emails name the product and point at its logo on the portal.
    app.fake.state().set_email_connector(true);
    app.state.connectors.forget();
    let org = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let (_, page) = admin.get_text(&format!("/orgs/{org}/invitations")).await;
    let csrf = common::hidden_value(&page, "_csrf").unwrap();
    let boundary = "brand-test-boundary";
    let body: String = [
        ("_csrf", csrf.as_str()),
        ("emails", "branded@example.com"),
        ("expiry_days", "7"),
    ]
    .iter()
    .map(|(k, v)| {
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
    })
    .chain([format!("--{boundary}--\r\n")])
    .collect();
    let r = admin
        .client
        .post(admin.url(&format!("/orgs/{org}/invitations")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    let sent = app.fake.state().sent_messages();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].payload["product"]["name"], "Acme Accounts");
    assert_eq!(
        sent[0].payload["product"]["logoUrl"],
        format!("{}{logo}", app.url)
    );
}

#[tokio::test]
async fn without_branding_the_portal_keeps_its_own_look() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let (_, html) = member.get_text("/profile").await;
    assert!(attrs(&html, "link[rel=stylesheet][href^='/brand/']", "href").is_empty());
    let logo = attrs(&html, "img.brand-logo", "src").remove(0);
    assert!(logo.starts_with("/static/logo.svg?v="), "{logo}");
    assert_eq!(
        member.get("/brand/brand.css").await.status(),
        StatusCode::NOT_FOUND
    );
}
