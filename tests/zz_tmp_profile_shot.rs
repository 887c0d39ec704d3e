mod common;
use common::browser::Chrome;
use thirtyfour::prelude::*;
#[tokio::test]
async fn shot() {
    let app = common::Spawn::default().env("PORTAL_ALLOW_SELF_DELETE", "true").start().await;
    app.fake.state().set_storage_configured(true);
    let chrome = Chrome::start(true).await;
    chrome.sign_in(&app, &app.seed.member_username).await;
    chrome.wait_for("#basics-edit").await;
    chrome.screenshot("/tmp/pw/profile_view.png").await;
    chrome.driver.find(By::Css("#basics-edit")).await.unwrap().click().await.unwrap();
    chrome.wait_for("#basics-name").await;
    chrome.driver.find(By::Css("#details-edit")).await.unwrap().click().await.unwrap();
    chrome.wait_for("#details-given-name").await;
    chrome.driver.find(By::Css("#password-edit")).await.unwrap().click().await.unwrap();
    chrome.wait_for("#password-new-password").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    chrome.driver.execute("document.body.style.zoom='0.6'", vec![]).await.unwrap();
    chrome.screenshot("/tmp/pw/profile_edit.png").await;
    chrome.quit().await;
}
