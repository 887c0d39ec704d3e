//! Member management in headless Chromium: an organization admin searches, pages, changes a
//! member's roles and removes a member. With JavaScript every step swaps only part of the page
//! (a marker set on `window` survives); without JavaScript the same links and forms reload it.

mod common;

use std::time::Duration;

use common::{browser::Chrome, TestApp};
use fake_logto::NewUser;
use logto_portal::logto::MemberQuery;
use thirtyfour::prelude::*;

struct Org {
    id: String,
    url: String,
}

/// An organization administered by the seeded admin, with 45 members `pm_000`…`pm_044`.
fn org_with_members(app: &TestApp, name: &str) -> Org {
    let st = app.fake.state();
    let id = st.create_organization(name, None);
    st.add_member(&id, &app.user_id(&app.seed.admin_username), &["admin"]);
    for i in 0..45 {
        let uid = st.create_user(NewUser {
            username: Some(format!("pm_{i:03}")),
            primary_email: Some(format!("pm_{i:03}@members.test")),
            name: Some(format!("Paging Member {i:03}")),
            ..Default::default()
        });
        st.add_member(&id, &uid, &["member"]);
    }
    Org {
        url: format!("{}/orgs/{id}/members", app.url),
        id,
    }
}

async fn roles_of(app: &TestApp, org_id: &str, user_id: &str) -> Option<Vec<String>> {
    let page = app
        .state
        .logto
        .list_org_members(
            org_id,
            &MemberQuery {
                q: Some(user_id.to_string()),
                page_size: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    page.items.into_iter().find(|m| m.id == user_id).map(|m| {
        let mut r: Vec<String> = m.organization_roles.into_iter().map(|r| r.name).collect();
        r.sort();
        r
    })
}

async fn row_names(chrome: &Chrome) -> Vec<String> {
    let mut out = Vec::new();
    for el in chrome
        .driver
        .find_all(By::Css("#members-table tbody th.member-name"))
        .await
        .unwrap()
    {
        out.push(el.text().await.unwrap_or_default());
    }
    out
}

/// Waits until the table shows exactly `n` rows whose names all start with `prefix`.
async fn wait_for_rows(chrome: &Chrome, n: usize, prefix: &str) {
    for _ in 0..200 {
        let names = row_names(chrome).await;
        if names.len() == n && names.iter().all(|s| s.starts_with(prefix)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "expected {n} rows starting with {prefix:?}, got {:?}",
        row_names(chrome).await
    );
}

/// Opens the "⋯" menu of a row (`#member-…`).
async fn open_menu(chrome: &Chrome, row: &str) {
    chrome
        .wait_for(&format!("{row} details.row-menu > summary"))
        .await
        .click()
        .await
        .unwrap();
}

async fn current_url(chrome: &Chrome) -> String {
    chrome.driver.current_url().await.unwrap().to_string()
}

async fn admin_role_id(chrome: &Chrome) -> String {
    for el in chrome
        .driver
        .find_all(By::Css("#members-role option"))
        .await
        .unwrap()
    {
        if el.text().await.unwrap().trim() == "admin" {
            return el.attr("value").await.unwrap().unwrap();
        }
    }
    panic!("no admin role in the filter");
}

#[tokio::test]
async fn with_javascript_every_step_swaps_in_place() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Browser Co");
    let chrome = Chrome::start(true).await;
    chrome
        .sign_in_to(
            &app,
            &app.seed.admin_username,
            &format!("/orgs/{}/members", org.id),
        )
        .await;
    chrome.wait_until_url_starts_with(&org.url).await;
    chrome.wait_for("#members-table tbody tr").await;
    let admin_role = admin_role_id(&chrome).await;
    let violations = chrome.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    chrome.mark_page().await;

    // Paging: next page, address bar follows.
    chrome
        .wait_for(".pager a[rel=next]")
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for_source("page 2", |s| s.contains("21–40 of 46"))
        .await;
    assert!(
        current_url(&chrome).await.contains("page=2"),
        "{}",
        current_url(&chrome).await
    );
    assert!(
        chrome.page_was_not_reloaded().await,
        "paging swapped the table only"
    );

    // Searching (debounced) swaps the table and updates the address.
    chrome
        .wait_for("#members-q")
        .await
        .send_keys("member 03")
        .await
        .unwrap();
    wait_for_rows(&chrome, 10, "Paging Member 03").await;
    for _ in 0..100 {
        if current_url(&chrome).await.contains("q=member+03") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        current_url(&chrome).await.contains("q=member+03"),
        "{}",
        current_url(&chrome).await
    );
    assert!(
        chrome.page_was_not_reloaded().await,
        "search swapped the table only"
    );

    // Change roles inline: the row becomes a form, then the updated row.
    let target = app.user_id("pm_031");
    let row = format!("#member-{target}");
    open_menu(&chrome, &row).await;
    chrome
        .wait_for(&format!("{row} a[href*='/roles']"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for(&format!("tr.editing#member-{target}"))
        .await;
    let violations = chrome.accessibility_violations().await;
    assert!(violations.is_empty(), "inline role editor: {violations:#?}");
    chrome
        .wait_for(&format!("#role-{target}-{admin_role}"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for(&format!("{row} button[type=submit]"))
        .await
        .click()
        .await
        .unwrap();
    let notice = chrome.wait_for(&format!("{row} .row-notice")).await;
    assert_eq!(notice.text().await.unwrap(), "Roles saved.");
    let badges = chrome
        .driver
        .find(By::Css(format!("{row} .member-roles")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        badges.contains("admin") && badges.contains("member"),
        "{badges}"
    );
    assert_eq!(
        roles_of(&app, &org.id, &target).await,
        Some(vec!["admin".to_string(), "member".to_string()])
    );
    assert!(
        chrome.page_was_not_reloaded().await,
        "role change updated the row in place"
    );

    // Remove after the inline confirmation.
    let gone = app.user_id("pm_032");
    let row = format!("#member-{gone}");
    open_menu(&chrome, &row).await;
    chrome
        .wait_for(&format!("{row} a[href*='/remove']"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for(&format!("tr.confirming{row} button.danger"))
        .await
        .click()
        .await
        .unwrap();
    let removed = chrome.wait_for(&format!("tr.removed{row}")).await;
    assert!(removed
        .text()
        .await
        .unwrap()
        .contains("Paging Member 032 was removed from Browser Co."));
    assert_eq!(roles_of(&app, &org.id, &gone).await, None);
    assert!(
        chrome.page_was_not_reloaded().await,
        "removal replaced the row in place"
    );

    // Add an existing user with the picker: the table reloads itself to show them.
    let newcomer = app.fake.state().create_user(NewUser {
        username: Some("newcomer".into()),
        primary_email: Some("newcomer@members.test".into()),
        name: Some("Member 03 Newcomer".into()),
        ..Default::default()
    });
    chrome.wait_for("#add-member").await.click().await.unwrap();
    chrome
        .wait_for("#add-q")
        .await
        .send_keys("newcomer")
        .await
        .unwrap();
    chrome
        .wait_for(&format!("#candidate-{newcomer}"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for("#add-panel button.primary")
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for_source("the confirmation", |s| {
            s.contains("Member 03 Newcomer was added to Browser Co.")
        })
        .await;
    chrome.wait_for(&format!("#member-{newcomer}")).await;
    assert_eq!(roles_of(&app, &org.id, &newcomer).await, Some(vec![]));
    assert!(
        chrome.page_was_not_reloaded().await,
        "adding swapped the panel and the table"
    );

    // The back button restores the previous view from its address (one member removed, one added).
    chrome.driver.back().await.unwrap();
    chrome
        .wait_for_source("page 2 again", |s| s.contains("21–40 of 46"))
        .await;
    assert!(current_url(&chrome).await.contains("page=2"));

    chrome.quit().await;
}

#[tokio::test]
async fn without_javascript_the_same_links_and_forms_reload_the_page() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Plain Co");
    let chrome = Chrome::start(false).await;
    chrome
        .sign_in_to(
            &app,
            &app.seed.admin_username,
            &format!("/orgs/{}/members", org.id),
        )
        .await;
    chrome.wait_until_url_starts_with(&org.url).await;
    chrome.wait_for("#members-table tbody tr").await;
    let admin_role = admin_role_id(&chrome).await;

    // Search with the form's button.
    chrome
        .wait_for("#members-q")
        .await
        .send_keys("member 03")
        .await
        .unwrap();
    chrome
        .wait_for("#members-filter button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_rows(&chrome, 10, "Paging Member 03").await;
    assert!(current_url(&chrome).await.contains("q=member+03"));

    // Paging links are plain links.
    chrome.driver.goto(&org.url).await.unwrap();
    chrome
        .wait_for(".pager a[rel=next]")
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for_source("page 2", |s| s.contains("21–40 of 46"))
        .await;
    assert!(current_url(&chrome).await.contains("page=2"));

    // Change roles on its own page, then back to the same view with a message.
    chrome
        .driver
        .goto(format!("{}?q=member+03", org.url))
        .await
        .unwrap();
    let target = app.user_id("pm_031");
    open_menu(&chrome, &format!("#member-{target}")).await;
    chrome
        .wait_for(&format!("#member-{target} a[href*='/roles']"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for(&format!("#role-{target}-{admin_role}"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for("form.roles-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for_source("the saved message", |s| {
            s.contains("Roles of Paging Member 031 saved.")
        })
        .await;
    assert!(
        current_url(&chrome).await.contains("q=member+03"),
        "back to the same view"
    );
    assert_eq!(
        roles_of(&app, &org.id, &target).await,
        Some(vec!["admin".to_string(), "member".to_string()])
    );

    // Remove: a confirmation page, then the list with a message.
    let gone = app.user_id("pm_032");
    open_menu(&chrome, &format!("#member-{gone}")).await;
    chrome
        .wait_for(&format!("#member-{gone} a[href*='/remove']"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for("form.confirm button.danger")
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for_source("the removal message", |s| {
            s.contains("Paging Member 032 was removed from Plain Co.")
        })
        .await;
    assert_eq!(roles_of(&app, &org.id, &gone).await, None);
    wait_for_rows(&chrome, 9, "Paging Member 03").await;

    chrome.quit().await;
}

/// An organization with three plain members that look alike (no admin row, nobody signed
/// in), so a picture does not depend on the order Logto lists them in.
fn screen_org(app: &TestApp) -> String {
    let st = app.fake.state();
    let id = st.create_organization("Screen Co", None);
    for i in 0..3 {
        let uid = st.create_user(NewUser {
            username: Some(format!("screen_{i}")),
            primary_email: Some(format!("screen_{i}@members.test")),
            name: Some(format!("Screen Member {i}")),
            ..Default::default()
        });
        st.add_member(&id, &uid, &["member"]);
    }
    id
}

async fn js_number(chrome: &Chrome, script: &str, el: Option<&WebElement>) -> f64 {
    let args = el.map(|e| vec![e.to_json().unwrap()]).unwrap_or_default();
    chrome
        .driver
        .execute(script, args)
        .await
        .unwrap()
        .convert()
        .unwrap()
}

/// Point 2: at 390 px the member table is cards, nothing scrolls sideways, and the row menu
/// and the removal's confirmation fit on the screen.
#[tokio::test]
async fn on_a_phone_members_are_cards_and_their_actions_fit() {
    let app = common::spawn_app().await;
    let org = screen_org(&app);
    let chrome = Chrome::start_with(true, false, (390, 844)).await;
    let url = format!("/orgs/{org}/members");
    chrome
        .sign_in_to(&app, &app.seed.operator_username, &url)
        .await;
    chrome.wait_for("#members-table tbody tr").await;
    let width = "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);";
    assert!(js_number(&chrome, width, None).await <= 390.0);
    let head = chrome
        .driver
        .find(By::Css("table.members thead"))
        .await
        .unwrap();
    assert!(
        !head.is_displayed().await.unwrap(),
        "cards have no header row"
    );
    let label = chrome
        .driver
        .find(By::Css("table.members tbody tr .cell-label"))
        .await
        .unwrap();
    assert!(label.is_displayed().await.unwrap());

    let target = app.user_id("screen_1");
    let row = format!("#member-{target}");
    open_menu(&chrome, &row).await;
    let remove = chrome
        .wait_for(&format!("{row} .row-menu-list a.danger-quiet"))
        .await;
    assert!(remove.is_displayed().await.unwrap());
    let right = "return arguments[0].getBoundingClientRect().right;";
    assert!(js_number(&chrome, right, Some(&remove)).await <= 390.0);
    remove.click().await.unwrap();
    let confirm = chrome
        .wait_for(&format!("tr.confirming{row} button.danger"))
        .await;
    assert!(confirm.is_displayed().await.unwrap());
    assert!(js_number(&chrome, right, Some(&confirm)).await <= 390.0);
    assert!(
        js_number(&chrome, width, None).await <= 390.0,
        "the confirmation widens the page"
    );
    // Cancel brings the row back.
    chrome
        .wait_for(&format!("tr.confirming{row} a.button"))
        .await
        .click()
        .await
        .unwrap();
    chrome
        .wait_for(&format!("{row}:not(.confirming) details.row-menu"))
        .await;
    chrome.quit().await;
}

/// The member page as reviewed pictures: light and dark, desktop and phone.
#[tokio::test]
async fn the_member_page_looks_as_reviewed() {
    let app = common::spawn_app().await;
    let org = screen_org(&app);
    let page = format!("{}/orgs/{org}/members", app.url);
    for (dark, theme) in [(false, "light"), (true, "dark")] {
        // The theme is the browser's from its start; the width changes in the same browser.
        let chrome = Chrome::start_with(true, dark, (1280, 800)).await;
        chrome.sign_in(&app, &app.seed.operator_username).await;
        for (window, width) in [((1280, 800), "1280"), ((390, 844), "390")] {
            chrome
                .view_at(window, &page, "#members-table tbody tr")
                .await;
            chrome
                .assert_screenshot(&format!("members_{theme}_{width}"))
                .await;
        }
        chrome.quit().await;
    }
}
