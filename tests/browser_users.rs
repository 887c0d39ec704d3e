//! The user directory in headless Chromium. With JavaScript, typing narrows the table without
//! a reload, paging updates the address bar and the back button restores the previous page;
//! without JavaScript the same form and links reload the page to the same views.

mod common;

use std::time::Duration;

use common::{browser::Chrome, TestApp};
use fake_logto::NewUser;
use thirtyfour::prelude::*;

/// 45 users `bp_000`…`bp_044` ("Browse Person …"), created in that order, then one newer
/// user outside that group, so the unfiltered first page differs from any search.
fn seed_people(app: &TestApp) {
    let st = app.fake.state();
    let newest = NewUser {
        username: Some("newest_outsider".into()),
        name: Some("Newest Outsider".into()),
        ..Default::default()
    };
    for i in 0..45 {
        st.create_user(NewUser {
            username: Some(format!("bp_{i:03}")),
            primary_email: Some(format!("bp{i:03}@browse.test")),
            name: Some(format!("Browse Person {i:03}")),
            ..Default::default()
        });
    }
    st.create_user(newest);
}

async fn row_names(chrome: &Chrome) -> Vec<String> {
    let mut out = Vec::new();
    for el in chrome
        .driver
        .find_all(By::Css("#users-table tbody th .users-name"))
        .await
        .unwrap_or_default()
    {
        out.push(el.text().await.unwrap_or_default());
    }
    out
}

/// Waits until the table shows `n` rows, the first of them `first` and all of them in the
/// same group (a read racing a swap sees empty names and simply tries again).
async fn wait_for_rows(chrome: &Chrome, n: usize, first: &str) {
    let group = first.split(' ').next().unwrap_or(first).to_string();
    let mut names = Vec::new();
    for _ in 0..200 {
        names = row_names(chrome).await;
        if names.len() == n
            && names.first().map(String::as_str) == Some(first)
            && (group == "Newest" || names.iter().all(|n| n.starts_with(&group)))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} rows starting with {first:?}, saw {names:?}");
}

async fn wait_for_url(chrome: &Chrome, wanted: &str) {
    let mut url = String::new();
    for _ in 0..200 {
        url = chrome.driver.current_url().await.unwrap().to_string();
        if url == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("address bar shows {url}, expected {wanted}");
}

#[tokio::test]
async fn live_search_paging_and_back_with_javascript() {
    let app = common::spawn_app().await;
    seed_people(&app);
    let chrome = Chrome::start(true).await;
    chrome
        .sign_in_to(&app, &app.seed.operator_username, "/users")
        .await;
    wait_for_url(&chrome, &format!("{}/users", app.url)).await;
    wait_for_rows(&chrome, 20, "Newest Outsider").await;
    chrome.mark_page().await;

    // Typing narrows the table after a pause, without reloading the page.
    let q = chrome.wait_for("#users-q").await;
    q.send_keys("bp_").await.unwrap();
    wait_for_rows(&chrome, 20, "Browse Person 044").await;
    assert!(
        chrome.page_was_not_reloaded().await,
        "live search swapped only the table"
    );
    wait_for_url(&chrome, &format!("{}/users?q=bp_", app.url)).await;
    let status = chrome.driver.find(By::Id("users-status")).await.unwrap();
    assert!(status.text().await.unwrap().contains("of 45"));
    // The box keeps what was typed (it was not replaced by the swap).
    assert_eq!(q.value().await.unwrap().as_deref(), Some("bp_"));

    // Paging swaps the table and updates the address bar.
    chrome
        .driver
        .find(By::Css(".pager a[rel=next]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_rows(&chrome, 20, "Browse Person 024").await;
    // The address is the view's canonical form (default page size left out).
    wait_for_url(&chrome, &format!("{}/users?q=bp_&page=2", app.url)).await;
    assert!(chrome.page_was_not_reloaded().await);

    // Back restores the previous page of results, then the unfiltered list.
    chrome.driver.back().await.unwrap();
    wait_for_url(&chrome, &format!("{}/users?q=bp_", app.url)).await;
    wait_for_rows(&chrome, 20, "Browse Person 044").await;
    chrome.driver.back().await.unwrap();
    wait_for_url(&chrome, &format!("{}/users", app.url)).await;
    wait_for_rows(&chrome, 20, "Newest Outsider").await;
    let q = chrome.wait_for("#users-q").await;
    assert_eq!(q.value().await.unwrap().as_deref(), Some(""));

    // "Add condition" reshapes the panel in place and puts the cursor in the new row.
    chrome.mark_page().await;
    chrome
        .wait_for("#users-advanced summary")
        .await
        .click()
        .await
        .unwrap();
    chrome
        .driver
        .find(By::Css("button[name=add]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chrome.wait_for("#v2").await;
    assert!(chrome.page_was_not_reloaded().await);
    let mut focused = String::new();
    for _ in 0..100 {
        let ret = chrome
            .driver
            .execute(
                "return document.activeElement && document.activeElement.id;",
                vec![],
            )
            .await
            .unwrap();
        focused = ret.json().as_str().unwrap_or_default().to_string();
        if focused == "v2" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(focused, "v2");

    // A refused search: the message appears beside the panel and the table empties.
    chrome
        .load(
            &format!("{}/users?f1=username&m1=regex&v1=bp", app.url),
            "#users-table",
        )
        .await;
    let v1 = chrome.wait_for("#v1").await;
    v1.send_keys("(").await.unwrap();
    chrome
        .wait_for_source("the refusal beside the search", |s| {
            // In words for people, never Logto's own text.
            s.contains("a pattern in the conditions is not valid")
                && !s.contains("Invalid regular expression")
                && !s.contains("id=\"users-table\"")
        })
        .await;

    let violations = chrome.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    chrome.quit().await;
}

#[tokio::test]
async fn the_same_views_work_without_javascript() {
    let app = common::spawn_app().await;
    seed_people(&app);
    let chrome = Chrome::start(false).await;
    chrome
        .sign_in_to(&app, &app.seed.operator_username, "/users")
        .await;
    wait_for_url(&chrome, &format!("{}/users", app.url)).await;

    // The quick box submits as a plain GET form.
    let q = chrome.wait_for("#users-q").await;
    q.send_keys("bp_0").await.unwrap();
    chrome
        .driver
        .find(By::Css("#users-search .toolbar button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The browser sends every field of the form; the view is the same.
    wait_for_url(
        &chrome,
        &format!(
            "{}/users?q=bp_0&f1=name&m1=contains&v1=&joint=all&exclude=",
            app.url
        ),
    )
    .await;
    wait_for_rows(&chrome, 20, "Browse Person 044").await;

    // Paging links are plain links.
    chrome
        .driver
        .find(By::Css(".pager a[rel=next]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(
        &chrome,
        &format!("{}/users?q=bp_0&page=2&page_size=20", app.url),
    )
    .await;
    wait_for_rows(&chrome, 20, "Browse Person 024").await;

    // The advanced panel: a condition, then "add condition" as a plain submit.
    chrome
        .driver
        .goto(format!("{}/users", app.url))
        .await
        .unwrap();
    chrome
        .wait_for("#users-advanced summary")
        .await
        .click()
        .await
        .unwrap();
    let field = chrome.wait_for("#f1").await;
    field
        .find(By::Css("option[value=username]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chrome
        .driver
        .find(By::Css("#m1 option[value=starts]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chrome
        .driver
        .find(By::Id("v1"))
        .await
        .unwrap()
        .send_keys("bp_04")
        .await
        .unwrap();
    chrome
        .driver
        .find(By::Css("button[name=add]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chrome.wait_for("#v2").await;
    wait_for_rows(&chrome, 5, "Browse Person 044").await;
    let url = chrome.driver.current_url().await.unwrap().to_string();
    assert!(
        url.contains("f1=username") && url.contains("m1=starts") && url.contains("v1=bp_04"),
        "{url}"
    );
    chrome.quit().await;
}

#[tokio::test]
async fn user_page_confirms_actions_in_place() {
    let app = common::spawn_app().await;
    let id = app.user_id("alice_lovelace");
    let chrome = Chrome::start(true).await;
    let path = format!("/users/{id}");
    chrome
        .sign_in_to(&app, &app.seed.operator_username, &path)
        .await;
    wait_for_url(&chrome, &format!("{}{path}", app.url)).await;
    chrome.mark_page().await;

    // The explanation comes into the page before anything happens.
    chrome
        .driver
        .find(By::Css(format!("a[href='/users/{id}/suspend']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chrome
        .wait_for_source("the suspend explanation", |s| {
            s.contains("revokes all their sessions")
        })
        .await;
    assert!(chrome.page_was_not_reloaded().await);
    let violations = chrome.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");

    chrome
        .driver
        .find(By::Css("#user-action button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chrome
        .wait_for_source("the success message", |s| {
            s.contains("is suspended and signed out everywhere")
        })
        .await;
    let suspended = app.fake.state().user_json(&id).unwrap()["isSuspended"].as_bool();
    assert_eq!(suspended, Some(true));
    chrome.quit().await;
}

const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 1000);

async fn scroll_width(chrome: &Chrome) -> i64 {
    chrome
        .driver
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap()
        .json()
        .as_i64()
        .unwrap()
}

/// Issue 20, point 2: at 390 px the directory's rows are cards, and a user's page with a
/// long email wraps it inside its card: neither page is wider than the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_and_user_page_fit_a_phone() {
    let app = common::spawn_app().await;
    let long = app.fake.state().create_user(NewUser {
        username: Some("long_mail".into()),
        name: Some("Long Mail".into()),
        primary_email: Some(
            "a.very.long.address.that.goes.on.and.on.and.on@subdomain.example-company.test".into(),
        ),
        ..Default::default()
    });
    let chrome = Chrome::start_with(false, false, PHONE).await;
    chrome.sign_in(&app, &app.seed.operator_username).await;

    chrome.open(&app, "/users").await;
    assert!(scroll_width(&chrome).await <= 390, "/users is too wide");
    let head = chrome
        .driver
        .find(By::Css("#users-table thead"))
        .await
        .unwrap();
    assert!(!head.is_displayed().await.unwrap(), "cards: no header row");
    let label = chrome
        .driver
        .find(By::Css("#users-table tbody tr .cell-label"))
        .await
        .unwrap();
    assert!(label.is_displayed().await.unwrap());

    chrome.open(&app, &format!("/users/{long}")).await;
    assert!(
        scroll_width(&chrome).await <= 390,
        "the user page is too wide"
    );
    chrome.quit().await;
}

/// A few entries by one actor, so the audit screenshots show sentences, a failure and
/// nothing that depends on the run.
async fn seed_audit(app: &TestApp) {
    use logto_portal::audit::{Actor, NewEntry, Origin};
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let actor = Actor {
        id: Some("adam1".into()),
        name: Some("Adam Admin".into()),
        email: Some("adam@example.com".into()),
    };
    let origin = Origin {
        request_id: Some("req-1".into()),
        ip: Some("198.51.100.7".into()),
        user_agent: Some("TestAgent/2.0".into()),
    };
    let entries = [
        NewEntry::new("invitation.create", actor.clone(), origin.clone())
            .target(
                "invitee",
                "new.person@example.com",
                Some("new.person@example.com"),
            )
            .org(&acme)
            .details(
                serde_json::json!({ "invitee": "new.person@example.com", "roles": ["member"] }),
            ),
        NewEntry::new("member.remove", actor.clone(), origin.clone())
            .target("user", "u9", Some("Ann Member"))
            .org(&acme)
            .failed("not_org_admin"),
        NewEntry::new("user.suspend", actor, origin).target("user", "u8", Some("Bo Person")),
    ];
    for e in entries {
        app.state.audit.record(e).await.unwrap();
    }
}

/// The directory and the audit trail, light and dark, at 1280 and 390 px (the portal's clock
/// stands still, so relative times do not move between runs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_and_audit_screenshots() {
    let app = common::Spawn::default().manual_clock().start().await;
    seed_audit(&app).await;
    for dark in [false, true] {
        // The theme is the browser's from its start; the width changes in the same browser.
        let chrome = Chrome::start_with(true, dark, DESKTOP).await;
        chrome.sign_in(&app, &app.seed.operator_username).await;
        for (size, width) in [(DESKTOP, "1280"), (PHONE, "390")] {
            let theme = if dark { "dark" } else { "light" };
            chrome.set_viewport(size).await;
            chrome.open(&app, "/users").await;
            chrome
                .assert_screenshot(&format!("users_directory_{theme}_{width}"))
                .await;
            chrome.open(&app, "/audit?actor=adam%40example.com").await;
            chrome
                .assert_screenshot(&format!("audit_page_{theme}_{width}"))
                .await;
        }
        chrome.quit().await;
    }
}
