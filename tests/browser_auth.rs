//! Sign-in in a real browser (headless Chromium): through the fake Logto's form, land on the
//! right page for the role, sign out.

mod common;

use common::{browser::Chrome, spawn_app};
use thirtyfour::prelude::*;

#[tokio::test]
async fn sign_in_lands_by_role_and_sign_out_ends_it() {
    let app = spawn_app().await;
    let chrome = Chrome::start(true).await;

    // Anonymous: the welcome page, with a sign-in button.
    chrome
        .load(&app.url, "#sign-in")
        .await
        .click()
        .await
        .unwrap();
    let identifier = chrome.wait_for("#identifier").await;
    identifier
        .send_keys(&app.seed.member_username)
        .await
        .unwrap();
    chrome
        .driver
        .find(By::Css("#password"))
        .await
        .unwrap()
        .send_keys(&app.seed.password)
        .await
        .unwrap();
    chrome
        .driver
        .find(By::Css("#sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chrome
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;

    // Sign out: the portal and Logto sessions end, and the person lands on the signed-out page.
    chrome
        .wait_for("form[action='/sign-out'] button")
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_until_url_starts_with(&format!("{}/signed-out", app.url))
        .await;
    chrome
        .wait_for_source("the signed-out page", |s| s.contains("You are signed out"))
        .await;
    // Protected pages ask for sign-in again, and Logto asks for the password again.
    chrome
        .load(&format!("{}/profile", app.url), "#identifier")
        .await;
    chrome.quit().await;

    // An operator lands on the user directory.
    let chrome = Chrome::start(true).await;
    chrome.sign_in(&app, &app.seed.operator_username).await;
    chrome
        .wait_until_url_starts_with(&format!("{}/users", app.url))
        .await;
    chrome.quit().await;
}
