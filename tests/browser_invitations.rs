//! Invitations in headless Chromium: an admin invites someone (the tenant has no email
//! connector, so the page offers the link), the invitee opens the link in their own browser,
//! registers through the fake Logto, accepts, and shows up in the organization's member list.
//! Once with JavaScript (htmx swaps the form and reloads the table in place), once without.

mod common;

use common::{browser::Chrome, TestApp};
use logto_portal::logto::{InvitationFilter, InvitationStatus};
use thirtyfour::prelude::*;

async fn text_of(chrome: &Chrome, css: &str) -> String {
    chrome.wait_for(css).await.text().await.unwrap_or_default()
}

async fn value_of(chrome: &Chrome, css: &str) -> String {
    chrome
        .wait_for(css)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The admin invites `email` from the invitations page and returns the link the page shows.
async fn admin_invites(
    app: &TestApp,
    admin: &Chrome,
    org_id: &str,
    email: &str,
    js: bool,
) -> String {
    admin
        .sign_in_to(
            app,
            &app.seed.admin_username,
            &format!("/orgs/{org_id}/invitations"),
        )
        .await;
    admin
        .wait_until_url_starts_with(&format!("{}/orgs/{org_id}/invitations", app.url))
        .await;
    if js {
        admin.mark_page().await;
    }
    admin
        .wait_for("#invite-emails")
        .await
        .send_keys(email)
        .await
        .unwrap();
    admin
        .wait_for("#invite-submit")
        .await
        .click()
        .await
        .unwrap();
    admin.wait_for("#invite-results").await;
    assert_eq!(
        text_of(admin, "#invite-results-table .result-label").await,
        "Invited"
    );
    assert!(text_of(admin, "#no-connector")
        .await
        .contains("send it to them yourself"));
    if js {
        assert!(
            admin.page_was_not_reloaded().await,
            "htmx swapped the form only"
        );
        // The table below reloads itself and lists the new invitation.
        admin
            .wait_for_source("the new invitation in the table", |s| {
                s.contains(&format!("<th scope=\"row\" class=\"invitee\">{email}</th>"))
            })
            .await;
        assert!(admin.page_was_not_reloaded().await);
    }
    if js {
        // axe-core runs as a script: only where scripts run.
        let violations = admin.accessibility_violations().await;
        assert!(violations.is_empty(), "{violations:#?}");
    }
    // "Copy": the person takes the link from the read-only field beside the copy button.
    assert!(admin
        .driver
        .find(By::Css("#invite-results-table button[data-copy]"))
        .await
        .is_ok());
    value_of(admin, "#invite-results-table input.invitation-link").await
}

/// The invitee, in a browser of their own, opens the link, registers and accepts.
async fn invitee_accepts(app: &TestApp, invitee: &Chrome, link: &str, email: &str, js: bool) {
    invitee.driver.goto(link).await.unwrap();
    assert_eq!(text_of(invitee, "#invitation-org").await, "Acme Corp");
    assert_eq!(text_of(invitee, "#invitation-inviter").await, "Adam Admin");
    let masked = text_of(invitee, "#invitation-invitee").await;
    assert!(
        masked.contains("***@") && !masked.contains(email),
        "{masked}"
    );
    if js {
        let violations = invitee.accessibility_violations().await;
        assert!(violations.is_empty(), "{violations:#?}");
    }
    invitee.wait_for("#accept").await.click().await.unwrap();

    // No account with that address yet: the fake Logto opens on registration, address filled in.
    let email_field = invitee.wait_for("#email").await;
    assert_eq!(
        email_field.prop("value").await.unwrap().unwrap_or_default(),
        email
    );
    invitee
        .wait_for("#password")
        .await
        .send_keys("a-Long-passw0rd")
        .await
        .unwrap();
    invitee.wait_for("#register").await.click().await.unwrap();

    // Back in the portal, signed in: the acceptance completes by itself.
    invitee
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;
    invitee
        .wait_for_source("the welcome message", |s| {
            s.contains("you joined Acme Corp")
        })
        .await;
}

/// The admin sees the new person in the member list and the invitation as accepted.
async fn admin_sees_member(app: &TestApp, admin: &Chrome, org_id: &str, email: &str) {
    admin
        .driver
        .goto(format!(
            "{}/orgs/{org_id}/members?q={}",
            app.url,
            common::urlencode(email)
        ))
        .await
        .unwrap();
    admin.wait_for("#members-table").await;
    admin
        .wait_for_source("the new member", |s| s.contains(email))
        .await;
    let mut names = Vec::new();
    for el in admin
        .driver
        .find_all(By::Css("#members-table tbody tr"))
        .await
        .unwrap()
    {
        names.push(el.text().await.unwrap_or_default());
    }
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].contains(email), "{names:?}");

    admin
        .driver
        .goto(format!(
            "{}/orgs/{org_id}/invitations?status=accepted",
            app.url
        ))
        .await
        .unwrap();
    admin
        .wait_for_source("the accepted invitation", |s| {
            s.contains(&format!("<th scope=\"row\" class=\"invitee\">{email}</th>"))
        })
        .await;
}

async fn run(js: bool) {
    let app = common::spawn_app().await;
    let org_id = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let email = if js {
        "browser.invitee@example.com"
    } else {
        "plain.invitee@example.com"
    };
    let admin = Chrome::start(js).await;
    let link = admin_invites(&app, &admin, &org_id, email, js).await;
    assert!(
        link.starts_with(&format!("{}/invitations/", app.url)),
        "{link}"
    );

    let invitee = Chrome::start(js).await;
    invitee_accepts(&app, &invitee, &link, email, js).await;

    let invitation = app
        .state
        .logto
        .list_invitations(&InvitationFilter {
            organization_id: Some(org_id.clone()),
            invitee: Some(email.to_string()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    assert_eq!(invitation.status, InvitationStatus::Accepted);

    admin_sees_member(&app, &admin, &org_id, email).await;
    // The page the invitee keeps says they are in.
    invitee.driver.goto(&link).await.unwrap();
    let accepted = text_of(&invitee, "#invitation-accepted").await;
    assert!(accepted.contains("member of Acme Corp"), "{accepted}");

    invitee.quit().await;
    admin.quit().await;
}

#[tokio::test]
async fn invite_share_accept_and_join_with_javascript() {
    run(true).await;
}

#[tokio::test]
async fn invite_share_accept_and_join_without_javascript() {
    run(false).await;
}

// ---------------------------------------------------------------------------------------
// The page's design (issue 20): a phone's width, the row menu, screenshots

const PHONE: (u32, u32) = (390, 844);
/// Tall enough for the form and the table.
const DESKTOP: (u32, u32) = (1280, 1500);

/// Acme's admin on the invitations page, in a browser of the given kind.
async fn on_invitations_page(
    app: &TestApp,
    js: bool,
    dark: bool,
    window: (u32, u32),
) -> (Chrome, String) {
    let org_id = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let chrome = Chrome::start_with(js, dark, window).await;
    chrome
        .sign_in_to(
            app,
            &app.seed.admin_username,
            &format!("/orgs/{org_id}/invitations"),
        )
        .await;
    chrome
        .wait_until_url_starts_with(&format!("{}/orgs/{org_id}/invitations", app.url))
        .await;
    chrome.wait_for("#invitations").await;
    (chrome, org_id)
}

async fn right_edge(chrome: &Chrome, element: &WebElement) -> f64 {
    chrome
        .driver
        .execute(
            "return arguments[0].getBoundingClientRect().right;",
            vec![element.to_json().unwrap()],
        )
        .await
        .unwrap()
        .convert()
        .unwrap()
}

/// Point 2: at 390 px the table is cards, nothing scrolls sideways, and Revoke is reachable
/// from the row menu and asks in the row (with JavaScript) or on its own page (without).
async fn phone_cards_and_row_menu(js: bool) {
    let app = common::spawn_app().await;
    let (chrome, org_id) = on_invitations_page(&app, js, false, PHONE).await;
    assert!(
        chrome.page_width().await <= 390,
        "the page scrolls sideways"
    );
    let head = chrome
        .driver
        .find(By::Css("#invitations thead"))
        .await
        .unwrap();
    assert!(
        !head.is_displayed().await.unwrap(),
        "cards have no header row"
    );
    let label = chrome
        .driver
        .find(By::Css("#invitations tbody tr .cell-label"))
        .await
        .unwrap();
    assert!(label.is_displayed().await.unwrap());

    let pending = app
        .state
        .logto
        .list_invitations(&InvitationFilter {
            organization_id: Some(org_id.clone()),
            invitee: Some("new.hire@acme.test".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let row = format!("#invitation-{}", pending.id);
    chrome
        .wait_for(&format!("{row} details.row-menu > summary"))
        .await
        .click()
        .await
        .unwrap();
    let revoke = chrome
        .wait_for(&format!("{row} .row-menu-list a.danger-quiet"))
        .await;
    assert!(revoke.is_displayed().await.unwrap());
    assert!(right_edge(&chrome, &revoke).await <= 390.0);
    assert!(
        chrome.page_width().await <= 390,
        "an open menu widens the page"
    );
    if js {
        chrome.mark_page().await;
    }
    revoke.click().await.unwrap();
    let confirm = chrome
        .wait_for(&format!("{row} form.confirm button.danger"))
        .await;
    assert_eq!(confirm.text().await.unwrap(), "Revoke");
    assert!(right_edge(&chrome, &confirm).await <= 390.0);
    assert!(
        chrome.page_width().await <= 390,
        "the confirmation widens the page"
    );
    if js {
        assert!(chrome.page_was_not_reloaded().await, "asked in the row");
        let violations = chrome.accessibility_violations().await;
        assert!(violations.is_empty(), "{violations:#?}");
    }
    confirm.click().await.unwrap();
    let notice = if js {
        chrome.wait_for("#invitations-notice.alert-success").await
    } else {
        chrome.wait_for("#alerts .alert-success").await
    };
    assert!(notice.text().await.unwrap().contains("new.hire@acme.test"));
    if js {
        assert!(chrome.page_was_not_reloaded().await);
    }

    // The results of inviting, with the link to copy, fit too.
    chrome
        .wait_for("#invite-emails")
        .await
        .send_keys("phone.invitee@example.com")
        .await
        .unwrap();
    chrome
        .wait_for("#invite-submit")
        .await
        .click()
        .await
        .unwrap();
    let link = chrome
        .wait_for("#invite-results-table input.invitation-link")
        .await;
    assert!(right_edge(&chrome, &link).await <= 390.0);
    assert!(
        chrome.page_width().await <= 390,
        "the results widen the page"
    );
    chrome.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_phone_s_width_the_table_is_cards_with_a_working_menu_with_javascript() {
    phone_cards_and_row_menu(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_phone_s_width_the_table_is_cards_with_a_working_menu_without_javascript() {
    phone_cards_and_row_menu(false).await;
}

/// The invitations page light and dark, on a desktop and a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitations_page_looks_as_reviewed() {
    let app = common::spawn_app().await;
    for (dark, theme) in [(false, "light"), (true, "dark")] {
        // The theme is the browser's from its start; the width changes in the same browser.
        let (chrome, org_id) = on_invitations_page(&app, true, dark, DESKTOP).await;
        for (window, width) in [(DESKTOP, "1280"), (PHONE, "390")] {
            let name = format!("invitations_{theme}_{width}");
            if window != DESKTOP {
                let page = format!("{}/orgs/{org_id}/invitations", app.url);
                chrome.view_at(window, &page, "#invitations").await;
            }
            assert!(chrome.page_width().await <= i64::from(window.0), "{name}");
            // The exact times move on from run to run; the relative ones stay.
            chrome
            .driver
            .execute(
                "document.querySelectorAll('#invitations .small.muted').forEach(e => e.textContent = '2026-01-01 00:00 UTC');",
                vec![],
            )
            .await
            .unwrap();
            if window == PHONE {
                // The table, below the form.
                chrome
                    .driver
                    .execute(
                        "document.getElementById('invitations-heading').scrollIntoView();",
                        vec![],
                    )
                    .await
                    .unwrap();
            }
            chrome.assert_screenshot(&name).await;
        }
        chrome.quit().await;
    }
}

/// A batch over 25 addresses goes to its own page. With JavaScript the page follows the
/// batch by itself (htmx polls the progress region) until the results appear, without a
/// reload; without JavaScript the Refresh link brings them.
async fn batch_page_follows_the_batch(js: bool) {
    let app = common::spawn_app().await;
    let org_id = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let admin = Chrome::start(js).await;
    admin
        .sign_in_to(
            &app,
            &app.seed.admin_username,
            &format!("/orgs/{org_id}/invitations"),
        )
        .await;
    admin
        .wait_until_url_starts_with(&format!("{}/orgs/{org_id}/invitations", app.url))
        .await;
    let emails: Vec<String> = (0..30).map(|i| format!("wave{i:02}@example.com")).collect();
    // Slow enough that the batch is still running when its page first shows.
    app.fake
        .state()
        .set_latency(std::time::Duration::from_millis(120));
    admin
        .wait_for("#invite-emails")
        .await
        .send_keys(emails.join("\n"))
        .await
        .unwrap();
    admin
        .wait_for("#invite-submit")
        .await
        .click()
        .await
        .unwrap();
    admin
        .wait_until_url_starts_with(&format!("{}/orgs/{org_id}/invitations/batches/", app.url))
        .await;
    admin.wait_for("#batch-bar").await;
    if js {
        admin.mark_page().await;
    }
    let mut refreshed = 0;
    for _ in 0..300 {
        if admin
            .driver
            .find(By::Css("#invite-results-table"))
            .await
            .is_ok()
        {
            break;
        }
        if !js {
            if let Ok(link) = admin.driver.find(By::Css("#batch-refresh")).await {
                link.click().await.unwrap();
                refreshed += 1;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    app.fake.state().set_latency(std::time::Duration::ZERO);
    let labels = admin
        .driver
        .find_all(By::Css("#invite-results-table .result-label"))
        .await
        .unwrap();
    assert_eq!(labels.len(), 30, "one result per row");
    if js {
        assert!(
            admin.page_was_not_reloaded().await,
            "htmx brought the results without a reload"
        );
        let violations = admin.accessibility_violations().await;
        assert!(violations.is_empty(), "{violations:#?}");
    } else {
        assert!(
            refreshed > 0,
            "the batch was still running when its page showed"
        );
    }
    admin.quit().await;
}

#[tokio::test]
async fn a_batch_page_follows_the_batch_with_javascript() {
    batch_page_follows_the_batch(true).await;
}

#[tokio::test]
async fn a_batch_page_follows_the_batch_without_javascript() {
    batch_page_follows_the_batch(false).await;
}
