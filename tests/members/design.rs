//! The page's design (issue 20) and its one page pattern (issue 16).

use super::*;

// ---------------------------------------------------------------------------------------
// Design (issue 20)

/// Point 1: Members | Invitations tabs with the member count; Export CSV and Add member (the
/// one primary action) beside the title; the export follows the search, also after htmx.
#[tokio::test]
async fn the_member_page_has_tabs_and_its_actions_in_the_header() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Tabs Co", 3);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    assert_eq!(
        attrs(&html, ".page-header nav.tabs a", "href"),
        vec![url.clone(), format!("/orgs/{}/invitations", org.id)]
    );
    assert_eq!(
        attrs(&html, ".page-header nav.tabs a[aria-current=page]", "href"),
        vec![url.clone()]
    );
    assert_eq!(
        texts(&html, "nav.tabs a[aria-current=page] .tab-count"),
        vec!["4"]
    );
    assert_eq!(
        attrs(&html, ".page-header .page-actions a", "id"),
        vec!["members-export", "add-member"]
    );
    assert_eq!(
        texts(&html, "main .primary"),
        vec!["Add member"],
        "one primary action"
    );
    assert_eq!(
        attrs(&html, ".page-header #members-export", "href"),
        vec![format!("{url}/export.csv")]
    );

    // A search: no count in the tab (it would be the matches), the export follows.
    let (_, html) = b.get_text(&format!("{url}?q=paging")).await;
    assert!(texts(&html, "nav.tabs .tab-count").is_empty());
    assert_eq!(
        attrs(&html, "#members-export", "href"),
        vec![format!("{url}/export.csv?q=paging")]
    );
    let fragment = b
        .get_htmx(&format!("{url}?q=member"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        attrs(&fragment, "#members-export[hx-swap-oob]", "href"),
        vec![format!("{url}/export.csv?q=member")]
    );
}

/// Points 2 and 5: the table becomes cards (labels per cell); Change roles and Remove sit in
/// the row's menu, Remove quiet there, and its confirmation is a sentence in the row.
#[tokio::test]
async fn row_actions_are_in_a_menu_and_removal_is_confirmed_in_the_row() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Menu Co", 2);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    assert_eq!(attrs(&html, "table.members.table-cards", "class").len(), 1);
    assert!(texts(&html, "tbody .cell-label").contains(&"Email".to_string()));
    let target = &org.member_ids[0];
    let row = format!("#member-{target}");
    assert_eq!(
        texts(&html, &format!("{row} td.row-actions details.row-menu a")),
        vec!["Change roles", "Remove"]
    );
    let quiet = attrs(&html, &format!("{row} .row-menu a.danger-quiet"), "href");
    assert_eq!(quiet.len(), 1);
    // The first page at the first size is where a missing `back` leads: its rows go without.
    assert_eq!(quiet[0], format!("{url}/{target}/remove"), "{quiet:?}");
    let (_, larger) = b.get_text(&format!("{url}?page_size=50")).await;
    let back = attrs(&larger, &format!("{row} .row-menu a.danger-quiet"), "href");
    assert_eq!(back.len(), 1);
    assert!(
        back[0].starts_with(&format!("{url}/{target}/remove?back=")) && back[0].ends_with("50"),
        "another view's rows lead back to it: {back:?}"
    );
    assert!(
        attrs(&html, "#members-table .danger:not(.danger-quiet)", "class").is_empty(),
        "no red button in the table"
    );

    let html = b
        .get_htmx(&format!("{url}/{target}/remove"))
        .await
        .text()
        .await
        .unwrap();
    let confirm = in_table(&html);
    assert_eq!(
        texts(&confirm, "tr.confirming .confirm-question"),
        vec!["Remove Paging Member 000 from Menu Co? They lose their roles in this organization; their account itself is not deleted."]
    );
    assert_eq!(
        texts(&confirm, "tr.confirming button.danger"),
        vec!["Remove from organization"]
    );
    // Cancel is a link-button, back to the row.
    assert_eq!(
        attrs(&confirm, "tr.confirming a.button", "hx-target"),
        vec![row.clone()]
    );
    let editor = in_table(
        &b.get_htmx(&format!("{url}/{target}/roles"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(texts(&editor, "tr.editing a.button"), vec!["Cancel"]);
}

/// Point 8: search, role and button in one toolbar, the hint below; one page of members
/// shows only the count.
#[tokio::test]
async fn the_filters_share_one_toolbar_and_a_short_list_a_compact_pager() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Toolbar Co", 2);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    assert_eq!(
        attrs(&html, "form#members-filter.toolbar > .toolbar-field input, form#members-filter.toolbar > .toolbar-field select", "id"),
        vec!["members-q", "members-role"]
    );
    assert_eq!(
        attrs(&html, "form#members-filter > p.toolbar-hint", "id"),
        vec!["members-q-hint"]
    );
    assert_eq!(
        attrs(&html, "form#members-filter > button", "type"),
        vec!["submit"]
    );
    assert!(html.contains("1–3 of 3"), "{html}");
    assert!(
        attrs(&html, ".pager a", "href").is_empty(),
        "no paging links"
    );
    assert!(attrs(&html, ".pager select", "name").is_empty());
}

/// Point 9: two-letter initials as in the user directory; names link to the user's page for
/// operators only (admins have no directory).
#[tokio::test]
async fn initials_have_two_letters_and_only_operators_get_user_links() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Names Co", 1);
    let url = members_url(&org.id);
    let target = &org.member_ids[0];
    let admin = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = admin.get_text(&url).await;
    assert_eq!(
        texts(&html, &format!("#member-{target} .avatar-initials")),
        vec!["PM"]
    );
    assert!(
        attrs(&html, "th.member-name a", "href").is_empty(),
        "{html}"
    );
    assert_eq!(
        admin.get(&format!("/users/{target}")).await.status(),
        StatusCode::FORBIDDEN
    );

    let op = signed_in(&app, &app.seed.operator_username, &url).await;
    let (_, html) = op.get_text(&url).await;
    assert_eq!(
        attrs(&html, &format!("#member-{target} th.member-name a"), "href"),
        vec![format!("/users/{target}")]
    );
}

/// Point 11: someone who administers nothing sees the organizations they belong to with
/// their own roles, read-only, from their session (no other member, no link to manage).
#[tokio::test]
async fn a_plain_member_sees_their_organizations_and_roles() {
    let app = common::spawn_app().await;
    let member_id = app.user_id(&app.seed.member_username);
    let second = app.fake.state().create_organization("Second Home", None);
    app.fake.state().add_member(&second, &member_id, &[]);
    let member = app.member().await;
    app.fake.state().clear_requests();
    let (status, html) = member.get_text("/orgs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&html, "table.orgs tbody th"),
        vec!["Acme Corp", "Second Home"]
    );
    let acme_row = attrs(&html, "table.orgs tbody tr", "id")[0].clone();
    assert_eq!(
        texts(&html, &format!("#{acme_row} .org-roles .badge")),
        vec!["member"]
    );
    assert_eq!(
        texts(&html, &format!("#org-{second} .org-roles .muted")),
        vec!["No roles"]
    );
    assert!(texts(&html, ".page-subtitle")[0].contains("you belong to"));
    assert!(
        attrs(&html, "table.orgs a", "href").is_empty(),
        "nothing to manage"
    );
    assert!(attrs(&html, "table.orgs details", "class").is_empty());
    assert!(!html.contains("do not administer"));
    assert!(!html.contains("Adam Admin"), "no other member is named");
    let calls = app.fake.state().api_requests();
    assert!(
        calls.iter().all(|c| !c.path.contains("/organizations/")),
        "{calls:?}"
    );
}

/// The members page and /orgs in both languages, as reviewed snapshots.
#[tokio::test]
async fn member_and_organization_pages_are_snapshots_in_both_languages() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Snapshot Co", 0);
    let url = members_url(&org.id);
    let admin = signed_in(&app, &app.seed.admin_username, &url).await;
    let member = app.member().await;
    for lang in ["en", "zh-TW"] {
        for b in [&admin, &member] {
            let r = b.get(&format!("/lang/{lang}?return_to=/orgs")).await;
            assert!(r.status().is_redirection());
        }
        let (status, html) = admin.get_text(&url).await;
        assert_eq!(status, StatusCode::OK);
        // The organization's id also appears percent-encoded inside the forms' `back`.
        insta::assert_snapshot!(
            format!("members_page_{lang}"),
            common::snapshot::main_markup(&html).replace(&org.id, "[id]")
        );
        let (_, html) = admin.get_text("/orgs").await;
        insta::assert_snapshot!(
            format!("orgs_admin_{lang}"),
            common::snapshot::main_markup(&html)
        );
        let (_, html) = member.get_text("/orgs").await;
        insta::assert_snapshot!(
            format!("orgs_member_{lang}"),
            common::snapshot::main_markup(&html)
        );
    }
}
