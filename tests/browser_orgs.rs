//! Issue 18's walk in headless Chromium: an operator creates an organization, gives it a
//! verified email domain and a default role, invites its first admin, and finds all of it in
//! the audit trail.

mod common;

use std::time::Duration;

use common::browser::Chrome;
use logto_portal::audit::Filter;
use thirtyfour::prelude::*;

async fn type_into(chrome: &Chrome, css: &str, text: &str) {
    let el = chrome.wait_for(css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn click(chrome: &Chrome, css: &str) {
    chrome.wait_for(css).await.click().await.unwrap();
}

/// The text of `css` once it contains `what` (up to 10 s).
async fn wait_text(chrome: &Chrome, css: &str, what: &str) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(el) = chrome.driver.find(By::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(what) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never contained {what:?}; last {last:?}");
}

/// Ticks the checkbox whose label is `name` inside `scope`.
async fn tick(chrome: &Chrome, scope: &str, name: &str, on: bool) {
    let boxes = chrome
        .driver
        .find_all(By::Css(format!("{scope} input[type=checkbox]")))
        .await
        .unwrap();
    for b in boxes {
        let id = b.attr("id").await.unwrap().unwrap_or_default();
        let label = chrome
            .driver
            .find(By::Css(format!("label[for='{id}']")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if label.split_whitespace().next() == Some(name) && b.is_selected().await.unwrap() != on {
            b.click().await.unwrap();
        }
    }
}

#[tokio::test]
async fn an_operator_sets_up_a_customer_organization_end_to_end() {
    let app = common::spawn_app().await;
    let chrome = Chrome::start(true).await;
    chrome
        .sign_in_to(&app, &app.seed.operator_username, "/orgs")
        .await;

    click(&chrome, "#org-new").await;
    type_into(&chrome, "#org-new-name", "Globex").await;
    type_into(&chrome, "#org-new-description", "Our newest customer").await;
    click(&chrome, "#org-new-panel button.primary").await;
    chrome
        .wait_until_url_starts_with(&format!("{}/orgs/", app.url))
        .await;
    chrome.wait_for("#jit-domain").await;
    let org_id = app
        .fake
        .state()
        .find_org_id_by_name("Globex")
        .expect("created in Logto");
    assert!(chrome
        .driver
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with(&format!("/orgs/{org_id}/settings")));

    type_into(&chrome, "#jit-domain", "globex.test").await;
    chrome
        .driver
        .find(By::XPath(
            "//input[@id='jit-domain']/ancestor::form//button[@type='submit']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&chrome, "#jit", "@globex.test").await;
    tick(&chrome, "#jit", "member", true).await;
    chrome
        .driver
        .find(By::XPath(
            "//section[@id='jit']//fieldset/ancestor::form//button[@type='submit']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let effect = wait_text(&chrome, "#jit-effect", "member").await;
    assert!(
        effect.contains("@globex.test") && effect.contains("Globex"),
        "{effect}"
    );

    // Its first admin, invited from the organization's Invitations tab.
    chrome
        .driver
        .goto(format!("{}/orgs/{org_id}/invitations", app.url))
        .await
        .unwrap();
    type_into(&chrome, "#invite-emails", "first.admin@globex.test").await;
    tick(&chrome, "#invite-card", "admin", true).await;
    tick(&chrome, "#invite-card", "member", false).await;
    click(&chrome, "#invite-submit").await;
    let results = wait_text(&chrome, "#invite-card", "first.admin@globex.test").await;
    assert!(results.contains("Invited"), "{results}");

    // All of it in the audit trail, in words, for this organization.
    chrome
        .driver
        .goto(format!("{}/audit", app.url))
        .await
        .unwrap();
    let trail = wait_text(&chrome, "main", "created the organization Globex").await;
    assert!(
        trail.contains("made @globex.test a verified domain of Globex"),
        "{trail}"
    );
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                org_id: Some(org_id.clone()),
                ..Default::default()
            },
            1,
            50,
        )
        .await
        .unwrap();
    let mut actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "invitation.create",
            "org.create",
            "org.jit_domain_add",
            "org.jit_roles_set"
        ]
    );
    assert!(entries.iter().all(|e| e.result == "success"));
    chrome.quit().await;
}
