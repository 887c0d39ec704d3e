//! The profile page in headless Chromium. With JavaScript a person edits their name inline and
//! changes their email with the code from the (fake) message, and the page updates without a
//! full reload (a marker set on `window` survives). Without JavaScript the same editor works as
//! plain links and forms.

mod common;

use std::time::Duration;

use common::browser::Chrome;
use thirtyfour::prelude::*;

/// The text of the element, once it satisfies `ok` (up to 10 s).
async fn wait_text(chrome: &Chrome, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(el) = chrome.driver.find(By::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if ok(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let html = chrome.driver.source().await.unwrap_or_default();
    panic!("{css} never matched; last text {last:?}\n{html}");
}

async fn type_into(chrome: &Chrome, css: &str, text: &str) {
    let el = chrome.wait_for(css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn click(chrome: &Chrome, css: &str) {
    chrome.wait_for(css).await.click().await.unwrap();
}

#[tokio::test]
async fn edit_name_inline_and_change_email_with_the_code_without_reloading() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let id = app.user_id(&app.seed.member_username);
    let chrome = Chrome::start(true).await;
    chrome.sign_in(&app, &app.seed.member_username).await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;
    chrome.wait_for("#basics-edit").await;
    chrome.mark_page().await;

    // Name, inline.
    click(&chrome, "#basics-edit").await;
    type_into(&chrome, "#basics-name", "Mia Browser").await;
    click(&chrome, "#basics-save").await;
    wait_text(&chrome, "#basics-name-value", |t| t == "Mia Browser").await;
    wait_text(&chrome, ".topbar .who", |t| t.contains("Mia Browser")).await;
    wait_text(&chrome, "#alerts", |t| t.contains("saved")).await;
    assert!(chrome.page_was_not_reloaded().await, "the name was saved without a reload");
    assert_eq!(app.fake.state().user_json(&id).unwrap()["name"], "Mia Browser");

    // Email, with the code the fake "sent".
    let new = "mia.browser@acme.test";
    click(&chrome, "#email-edit").await;
    type_into(&chrome, "#email-address", new).await;
    type_into(&chrome, "#email-current-password", &app.seed.password).await;
    click(&chrome, "#email-send").await;
    wait_text(&chrome, "#email-pending", |t| t.contains(new)).await;
    let code = app
        .fake
        .state()
        .last_verification_code(new)
        .expect("a code was sent");
    // A wrong code first: the message appears at the field.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    type_into(&chrome, "#email-code", wrong).await;
    click(&chrome, "#email-verify").await;
    wait_text(&chrome, "#email-code-error", |t| t.contains("not right")).await;
    type_into(&chrome, "#email-code", &code).await;
    click(&chrome, "#email-verify").await;
    wait_text(&chrome, "#email-current", |t| t == new).await;
    wait_text(&chrome, "#alerts", |t| t.contains(new)).await;
    assert!(chrome.page_was_not_reloaded().await, "the email changed without a reload");
    assert_eq!(app.fake.state().user_json(&id).unwrap()["primaryEmail"], new);
    chrome.quit().await;
}

#[tokio::test]
async fn without_javascript_the_editor_is_plain_links_and_forms() {
    let app = common::spawn_app().await;
    let id = app.user_id(&app.seed.member_username);
    let chrome = Chrome::start(false).await;
    chrome.sign_in(&app, &app.seed.member_username).await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;
    click(&chrome, "#basics-edit").await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile/basics/edit", app.url))
        .await;
    type_into(&chrome, "#basics-name", "Mia Plain").await;
    click(&chrome, "#basics-save").await;
    wait_text(&chrome, "#basics-name-value", |t| t == "Mia Plain").await;
    wait_text(&chrome, "#alerts", |t| t.contains("saved")).await;
    let url = chrome.driver.current_url().await.unwrap();
    assert_eq!(url.path(), "/profile", "post → redirect → page");
    assert_eq!(app.fake.state().user_json(&id).unwrap()["name"], "Mia Plain");

    // A refused value comes back at its field.
    click(&chrome, "#basics-edit").await;
    type_into(&chrome, "#basics-username", "9lives").await;
    click(&chrome, "#basics-save").await;
    wait_text(&chrome, "#basics-username-error", |t| t.contains("underscores")).await;
    chrome.quit().await;
}
