//! English and Traditional Chinese: chosen from Accept-Language, switched and remembered.

mod common;

use common::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn accept_language_then_the_switcher_decides() {
    let app = spawn_app().await;
    let member = app.member().await;
    let r = member
        .client
        .get(member.url("/profile"))
        .header("Accept-Language", "zh-TW,zh;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-TW\">"), "{html}");
    assert!(html.contains("登出"), "sign-out in Chinese");

    // The switcher remembers English even though the browser prefers Chinese.
    let r = member.get("/lang/en?return_to=%2Fprofile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/profile");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("lang=en;") && cookie.contains("Max-Age="),
        "{cookie}"
    );
    let html = member
        .client
        .get(member.url("/profile"))
        .header("Accept-Language", "zh-TW")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Sign out"));

    // The switcher never redirects off-site.
    let r = member
        .get("/lang/zh-TW?return_to=https%3A%2F%2Fevil.example")
        .await;
    assert_eq!(r.headers()["location"], "/");

    // Error pages follow the language too.
    let anon = app.browser();
    let r = anon
        .client
        .get(format!("{}/callback?state=nope", app.url))
        .header("Accept-Language", "zh-TW")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("登入未完成"));
}
