//! Resend, revoke, delete.

use super::*;

// ---------------------------------------------------------------------------------------
// Resend, revoke, delete

#[tokio::test]
async fn resend_revoke_and_delete_follow_the_status() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let accepted = invitations(&app, &org, Some("mia.member@acme.test"))
        .await
        .remove(0);
    let back = format!("/orgs/{org}/invitations?status=pending");

    // Resend: Logto sends the message again, with the link.
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations/{}/resend", pending.id),
            &[("back", &back)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), back, "back to the list with its filters");
    let sent = app.fake.state().sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "new.hire@acme.test");
    assert_eq!(
        sent[0].payload["link"],
        format!("{}/invitations/{}", app.url, pending.id)
    );
    let (_, html) = b.get_text(&back).await;
    assert!(texts(&html, "#alerts .alert-success")[0].contains("new.hire@acme.test"));

    // Revoke (htmx): the table comes back with the message for the alert region.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/revoke", pending.id),
            &[("back", &back)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    // The message sits above the table it changed, not at the top of the page.
    assert!(!fragment.contains("hx-swap-oob"));
    assert!(texts(&fragment, "#invitations-view > .alert-success")[0].contains("revoked"));
    assert!(
        !texts(&fragment, "#invitations .invitee").contains(&"new.hire@acme.test".to_string()),
        "the pending filter no longer shows it"
    );
    assert_eq!(
        invitations(&app, &org, Some("new.hire@acme.test")).await[0].status,
        InvitationStatus::Revoked
    );

    // Now revoked: resending and revoking again are refused with a clear message, no call.
    app.fake.state().clear_requests();
    for action in ["resend", "revoke"] {
        let r = b
            .post_htmx(
                &format!("/orgs/{org}/invitations/{}/{action}", pending.id),
                &[("back", &back)],
            )
            .await;
        let fragment = r.text().await.unwrap();
        assert!(
            texts(&fragment, ".alert-error")[0].contains("Revoked"),
            "{action}: {fragment}"
        );
    }
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // Accepted invitations are kept; revoked ones may be deleted.
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations/{}/delete", accepted.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.get_text(&location(&r)).await;
    assert!(texts(&html, "#alerts .alert-error")[0].contains("record of how the person joined"));
    assert_eq!(
        invitations(&app, &org, Some("mia.member@acme.test"))
            .await
            .len(),
        1
    );
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations/{}/delete", pending.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .is_empty());

    // Each action is in the audit trail, refusals included.
    let results_of = |entries: Vec<Entry>| {
        let mut r: Vec<String> = entries
            .iter()
            .map(|e| format!("{}:{}", e.result, e.error_code.clone().unwrap_or_default()))
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        results_of(audit(&app, "invitation.resend").await),
        ["failure:invitation_revoked", "success:"]
    );
    assert_eq!(
        results_of(audit(&app, "invitation.revoke").await),
        ["failure:invitation_revoked", "success:"]
    );
    assert_eq!(
        results_of(audit(&app, "invitation.delete").await),
        ["failure:invitation_accepted", "success:"]
    );

    // Without the CSRF token nothing happens.
    let contractor = invitations(&app, &org, Some("contractor@example.test"))
        .await
        .remove(0);
    let r = b
        .post_without_csrf(
            &format!("/orgs/{org}/invitations/{}/revoke", contractor.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        invitations(&app, &org, Some("contractor@example.test")).await[0].status,
        InvitationStatus::Pending
    );
}

#[tokio::test]
async fn resend_without_connector_offers_the_link() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("contractor@example.test"))
        .await
        .remove(0);
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/resend", pending.id),
            &[],
        )
        .await;
    let fragment = r.text().await.unwrap();
    let info = texts(&fragment, ".alert-info");
    assert!(info[0].contains("send it to them yourself"), "{fragment}");
    assert!(!info[0].contains("Logto") && !info[0].contains("connector"));
    assert!(info[0].contains(&format!("{}/invitations/{}", app.url, pending.id)));
    let entries = audit(&app, "invitation.resend").await;
    assert_eq!(
        entries[0].error_code.as_deref(),
        Some("connector.not_found")
    );
}
