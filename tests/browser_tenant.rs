//! The tenant at a glance in headless Chromium. With JavaScript a tab swaps the section in
//! place (a marker set on `window` survives), the address bar and the current tab follow, and
//! the back button brings the previous section back; without JavaScript the same tabs are
//! links that load the page.

mod common;

use common::browser::Chrome;
use thirtyfour::prelude::*;

async fn current_url(chrome: &Chrome) -> String {
    chrome.driver.current_url().await.unwrap().to_string()
}

async fn current_tab(chrome: &Chrome) -> Vec<String> {
    let mut out = Vec::new();
    for el in chrome
        .driver
        .find_all(By::Css(".tabs a[aria-current=page]"))
        .await
        .unwrap()
    {
        out.push(el.text().await.unwrap_or_default());
    }
    out
}

async fn click_tab(chrome: &Chrome, label: &str) {
    chrome
        .driver
        .find(By::LinkText(label))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn with_javascript_a_tab_swaps_the_section_in_place() {
    let app = common::spawn_app().await;
    let chrome = Chrome::start(true).await;
    chrome
        .sign_in_to(&app, &app.seed.operator_username, "/tenant")
        .await;
    chrome
        .wait_until_url_starts_with(&format!("{}/tenant", app.url))
        .await;
    chrome.wait_for(".tenant-apps tbody tr").await;
    chrome.mark_page().await;

    click_tab(&chrome, "SSO connectors").await;
    chrome.wait_for(".tenant-sso tbody tr").await;
    assert!(
        current_url(&chrome).await.contains("section=sso"),
        "{}",
        current_url(&chrome).await
    );
    assert!(
        chrome.page_was_not_reloaded().await,
        "the tab swapped the section only"
    );
    assert_eq!(current_tab(&chrome).await, ["SSO connectors"]);
    assert!(
        chrome
            .driver
            .find_all(By::Css(".tenant-apps"))
            .await
            .unwrap()
            .is_empty(),
        "the applications are gone"
    );
    let violations = chrome.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");

    // The swapped-in tab bar swaps too.
    click_tab(&chrome, "Roles").await;
    chrome.wait_for(".tenant-roles tbody tr").await;
    assert!(current_url(&chrome).await.contains("section=roles"));
    assert_eq!(current_tab(&chrome).await, ["Roles"]);
    assert!(chrome.page_was_not_reloaded().await);

    // Back: the previous section and its tab.
    chrome.driver.back().await.unwrap();
    chrome.wait_for(".tenant-sso tbody tr").await;
    assert!(current_url(&chrome).await.contains("section=sso"));
    assert_eq!(current_tab(&chrome).await, ["SSO connectors"]);
    chrome.quit().await;
}

#[tokio::test]
async fn without_javascript_the_tabs_are_links() {
    let app = common::spawn_app().await;
    let chrome = Chrome::start(false).await;
    chrome
        .sign_in_to(&app, &app.seed.operator_username, "/tenant")
        .await;
    chrome.wait_for(".tenant-apps tbody tr").await;
    click_tab(&chrome, "SSO connectors").await;
    chrome.wait_for(".tenant-sso tbody tr").await;
    assert!(current_url(&chrome).await.contains("section=sso"));
    assert_eq!(current_tab(&chrome).await, ["SSO connectors"]);
    let names = chrome
        .driver
        .find_all(By::Css(".tenant-sso tbody th"))
        .await
        .unwrap();
    assert_eq!(names.len(), app.fake.state().sso_connector_names().len());
    chrome.quit().await;
}
