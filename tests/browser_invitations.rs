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
