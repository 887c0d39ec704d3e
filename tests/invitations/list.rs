//! The invitation list.

use super::*;

// ---------------------------------------------------------------------------------------
// The list

#[tokio::test]
async fn list_shows_status_expiry_and_filters() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (status, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(status, StatusCode::OK);
    let invitees = texts(&html, "#invitations .invitee");
    let statuses = texts(&html, "#invitations .status");
    let status_of =
        |email: &str| statuses[invitees.iter().position(|e| e == email).unwrap()].clone();
    assert_eq!(status_of("new.hire@acme.test"), "Pending");
    // Stored as Pending, past its expiry: Expired.
    assert_eq!(status_of("late.reply@acme.test"), "Expired");
    assert_eq!(status_of("changed.mind@acme.test"), "Revoked");
    assert_eq!(status_of("mia.member@acme.test"), "Accepted");
    // Only Acme's invitations.
    assert!(!invitees.iter().any(|e| e.contains("globex")));
    // Inviter by name, times relative with the absolute one beside.
    assert!(texts(&html, "#invitations tbody tr")
        .iter()
        .all(|r| r.contains("Adam Admin")));
    let expires = texts(&html, "#invitations .expires");
    let row = |email: &str| invitees.iter().position(|e| e == email).unwrap();
    assert!(
        expires[row("new.hire@acme.test")].starts_with("in 7 days"),
        "{expires:?}"
    );
    assert!(
        expires[row("late.reply@acme.test")].starts_with("1 day ago"),
        "{expires:?}"
    );
    assert!(expires[row("new.hire@acme.test")].contains(" UTC"));
    assert_eq!(
        attrs(&html, "#invitations .expires time", "datetime").len(),
        invitees.len()
    );
    // Actions only where the status allows them.
    let pending_row = texts(
        &html,
        &format!(
            "#invitations tbody tr:nth-child({})",
            row("new.hire@acme.test") + 1
        ),
    );
    assert!(pending_row[0].contains("Resend") && pending_row[0].contains("Revoke"));
    assert!(!pending_row[0].contains("Delete"));
    let accepted_row = texts(
        &html,
        &format!(
            "#invitations tbody tr:nth-child({})",
            row("mia.member@acme.test") + 1
        ),
    );
    assert!(!accepted_row[0].contains("Resend") && !accepted_row[0].contains("Delete"));

    // Status filter with counts, search by email.
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?status=expired"))
        .await;
    assert_eq!(
        texts(&html, "#invitations .invitee"),
        ["late.reply@acme.test"]
    );
    assert!(texts(&html, "#invitations-status option[selected]")[0].starts_with("Expired (1)"));
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?q=CONTRACTOR"))
        .await;
    assert_eq!(
        texts(&html, "#invitations .invitee"),
        ["contractor@example.test"]
    );
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?q=nobody-matches"))
        .await;
    assert_eq!(texts(&html, "#invitations-empty").len(), 1);

    // htmx asks for the table alone.
    let r = b
        .get_htmx(&format!("/orgs/{org}/invitations?status=pending"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    assert!(!fragment.contains("<html"));
    assert_eq!(
        texts(&fragment, "#invitations .status")
            .iter()
            .filter(|s| *s != "Pending")
            .count(),
        0
    );
}

#[tokio::test]
async fn the_portal_pages_logto_s_unpaginated_list() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let emails: Vec<String> = (0..25)
        .map(|i| format!("pager{i:02}@example.com"))
        .collect();
    let (status, _) = invite(&b, &org, &emails.join("\n"), &[], "7").await;
    assert_eq!(status, StatusCode::OK);
    app.fake.state().clear_requests();
    let (_, page1) = b
        .get_text(&format!("/orgs/{org}/invitations?q=pager&page_size=20"))
        .await;
    let (_, page2) = b
        .get_text(&format!(
            "/orgs/{org}/invitations?q=pager&page=2&page_size=20"
        ))
        .await;
    assert_eq!(texts(&page1, "#invitations .invitee").len(), 20);
    assert_eq!(texts(&page2, "#invitations .invitee").len(), 5);
    assert!(texts(&page2, ".pager .summary")[0].contains("21–25 of 25"));
    // Logto got no paging parameters (it has none for this list); the portal did the paging.
    let lists: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/organization-invitations")
        .collect();
    assert!(!lists.is_empty());
    assert!(
        lists
            .iter()
            .all(|r| r.query == format!("organizationId={org}")),
        "{:?}",
        lists[0].query
    );
    // A page past the end shows the last one.
    let (_, past) = b
        .get_text(&format!(
            "/orgs/{org}/invitations?q=pager&page=9&page_size=20"
        ))
        .await;
    assert_eq!(texts(&past, "#invitations .invitee").len(), 5);
}

#[tokio::test]
async fn only_the_organization_s_admins_reach_its_invitations() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let mut admin = app.admin().await;
    let (status, _) = admin.get_text(&format!("/orgs/{globex}/invitations")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let member = app.member().await;
    let (status, _) = member.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = app.browser();
    let r = anonymous.get(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));

    // An Acme admin cannot act on another organization's invitation through Acme's address.
    let globex_invitation = invitations(&app, &globex, Some("partner@globex.test"))
        .await
        .remove(0);
    let (_, html) = admin.get_text(&format!("/orgs/{org}/invitations")).await;
    admin.csrf = hidden_value(&html, "_csrf");
    let r = admin
        .post_form(
            &format!("/orgs/{org}/invitations/{}/revoke", globex_invitation.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        invitations(&app, &globex, Some("partner@globex.test")).await[0].status,
        InvitationStatus::Pending
    );
    // The operator administers every organization.
    let operator = app.operator().await;
    let (status, html) = operator
        .get_text(&format!("/orgs/{globex}/invitations"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#invitations .invitee").contains(&"partner@globex.test".to_string()));
}
