//! The page's design (issue 20) and its one page pattern (issue 16).

use super::*;

// ---------------------------------------------------------------------------------------
// The page's design (issue 20) and its one page pattern (issue 16)

/// The row of `email` in a list page.
pub(crate) fn row_of(html: &str, email: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("#invitations tbody tr").unwrap();
    let invitee = scraper::Selector::parse(".invitee").unwrap();
    doc.select(&rows)
        .find(|r| {
            r.select(&invitee)
                .any(|i| i.text().collect::<String>() == email)
        })
        .map(|r| r.html())
        .unwrap_or_else(|| panic!("no row for {email}"))
}

#[tokio::test]
async fn the_page_has_tabs_a_toolbar_and_one_primary_action() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (_, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    // Point 1: Members | Invitations, the current one marked, with the pending count.
    assert_eq!(
        attrs(&html, "main nav.tabs a", "href"),
        [
            format!("/orgs/{org}/members"),
            format!("/orgs/{org}/invitations")
        ]
    );
    assert_eq!(
        attrs(&html, "main nav.tabs a[aria-current=page]", "href"),
        [format!("/orgs/{org}/invitations")]
    );
    let pending = invitations(&app, &org, None)
        .await
        .iter()
        .filter(|i| i.status == InvitationStatus::Pending && i.expires_at > now_ms())
        .count();
    assert_eq!(
        texts(&html, "main nav.tabs a[aria-current=page] .tab-count"),
        [pending.to_string()]
    );
    // Point 9: one primary action, "Invite people"; Search is secondary.
    assert_eq!(texts(&html, "main .primary"), ["Invite people"]);
    assert_eq!(attrs(&html, "main .primary", "id"), ["invite-submit"]);
    assert_eq!(
        attrs(&html, "form.toolbar button[type=submit]", "class"),
        Vec::<String>::new(),
        "Search is an ordinary button"
    );
    // Point 8: the toolbar's fields on one row, the hint below, a compact pager.
    assert_eq!(
        attrs(
            &html,
            "form.toolbar > .toolbar-field > input, form.toolbar > .toolbar-field > select",
            "id"
        ),
        ["invitations-q", "invitations-status"]
    );
    assert_eq!(
        attrs(&html, "#invitations-q", "aria-describedby"),
        ["invitations-q-hint"]
    );
    assert_eq!(
        texts(&html, "form.toolbar > p.toolbar-hint#invitations-q-hint").len(),
        1
    );
    assert_eq!(texts(&html, ".pager .summary").len(), 1);
    assert!(
        texts(&html, ".pager ul").is_empty(),
        "one page: no page links"
    );
    // Point 2: a table that becomes cards, each cell saying what it is on a phone.
    assert_eq!(attrs(&html, "table#invitations", "class"), ["table-cards"]);
    assert!(texts(&html, "#invitations tbody tr .cell-label")
        .iter()
        .any(|l| l == "Expires"));
}

#[tokio::test]
async fn revoke_and_delete_are_quiet_menu_items_confirmed_in_the_row() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let (_, html) = b
        .get_text(&format!("/orgs/{org}/invitations?status=pending"))
        .await;
    assert!(!html.contains("hx-confirm"), "no browser dialogs");
    assert!(
        texts(&html, "main button.danger").is_empty(),
        "nothing loud in the list"
    );
    // Point 5: Resend an ordinary item, Revoke a quiet danger item leading to a confirmation.
    let row = row_of(&html, "new.hire@acme.test");
    assert_eq!(texts(&row, "details.row-menu button.menu-item"), ["Resend"]);
    assert_eq!(
        attrs(&row, "details.row-menu button.menu-item", "class"),
        ["menu-item"]
    );
    assert_eq!(texts(&row, "details.row-menu a.danger-quiet"), ["Revoke"]);
    let revoke_href = attrs(&row, "a.danger-quiet", "href").remove(0);
    assert!(
        revoke_href.starts_with(&format!(
            "/orgs/{org}/invitations/{}/revoke?back=%2Forgs%2F{org}%2Finvitations%3Fstatus%3Dpending",
            pending.id
        )),
        "the menu remembers the view: {revoke_href}"
    );
    assert_eq!(
        attrs(&row, "a.danger-quiet", "hx-target"),
        [format!("#invitation-{}", pending.id)]
    );
    let (_, all) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(
        texts(&row_of(&all, "changed.mind@acme.test"), "a.danger-quiet"),
        ["Delete"]
    );
    assert!(texts(&row_of(&all, "mia.member@acme.test"), "details.row-menu").is_empty());

    // htmx: the confirmation replaces the row; nothing changes yet.
    let r = b.get_htmx(&revoke_href).await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    assert!(
        fragment
            .trim_start()
            .starts_with(&format!("<tr id=\"invitation-{}\"", pending.id)),
        "{fragment}"
    );
    assert!(texts(&fragment, "form.confirm .confirm-question")[0].contains("new.hire@acme.test"));
    assert_eq!(texts(&fragment, "form.confirm button.danger"), ["Revoke"]);
    assert_eq!(
        attrs(&fragment, "form.confirm", "hx-target"),
        ["#invitations-view"]
    );
    let back = attrs(&fragment, "form.confirm input[name=back]", "value").remove(0);
    assert!(
        back.starts_with(&format!("/orgs/{org}/invitations?status=pending")),
        "{back}"
    );
    assert_eq!(
        attrs(&fragment, "form.confirm a.button", "href"),
        [back.as_str()]
    );
    assert_eq!(
        invitations(&app, &org, Some("new.hire@acme.test")).await[0].status,
        InvitationStatus::Pending
    );
    // Cancel (htmx) brings the list view back.
    let r = b.get_htmx(&back).await;
    let view = r.text().await.unwrap();
    assert!(
        view.trim_start()
            .starts_with("<div id=\"invitations-view\""),
        "{view}"
    );

    // Without JavaScript: a page of its own, a plain form and a plain link.
    let (status, page) = b.get_text(&revoke_href).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<main"));
    assert!(attrs(&page, "form.confirm", "hx-post").is_empty());
    assert_eq!(texts(&page, "main nav.tabs a[aria-current=page]").len(), 1);
    // Resend has nothing to confirm.
    let r = b
        .get(&format!("/orgs/{org}/invitations/{}/resend", pending.id))
        .await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);

    // Confirming (htmx) answers the list view with the message above the table.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/revoke", pending.id),
            &[("back", &back)],
        )
        .await;
    let view = r.text().await.unwrap();
    assert!(texts(
        &view,
        "#invitations-view > #invitations-notice.alert-success"
    )[0]
    .contains("new.hire@acme.test"));
    let entries = audit(&app, "invitation.revoke").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
}

#[tokio::test]
async fn admins_read_no_backend_words() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    // Point 6: no email service: the invitation is made and the page says, plainly, to send
    // the link by hand.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations"),
            &[("emails", "plain.words@example.com"), ("expiry_days", "7")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The address bar shows the unfiltered list the table now is.
    assert_eq!(
        r.headers().get("hx-push-url").map(|v| v.to_str().unwrap()),
        Some(format!("/orgs/{org}/invitations").as_str())
    );
    let card = r.text().await.unwrap();
    assert!(!card.contains("<main"), "htmx gets the form and the table");
    assert!(texts(&card, "#invite-results-table td")
        .iter()
        .any(|t| t.contains("send it to the person yourself")));
    let (_, page) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    for html in [&card, &page] {
        let words = texts(html, "#invite-card, #invitations-view").join(" ");
        for jargon in ["Logto", "connector", "tenant", "connector.not_found"] {
            assert!(!words.contains(jargon), "{jargon}: {words}");
        }
    }
    let pending = invitations(&app, &org, Some("plain.words@example.com"))
        .await
        .remove(0);
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations/{}/resend", pending.id),
            &[],
        )
        .await;
    let words = texts(&r.text().await.unwrap(), "#invitations-notice").join(" ");
    assert!(words.contains("Copy the invitation link"), "{words}");
    assert!(
        !words.contains("Logto") && !words.contains("connector"),
        "{words}"
    );
}

#[tokio::test]
async fn a_repeated_filter_takes_its_last_value() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (status, html) = b
        .get_text(&format!(
            "/orgs/{org}/invitations?status=pending&status=expired&q=&q=late"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        texts(&html, "#invitations .invitee"),
        ["late.reply@acme.test"]
    );
}

#[tokio::test]
async fn the_landing_page_answers_htmx_with_its_section() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let visitor = app.browser();
    let r = visitor
        .get_htmx(&format!("/invitations/{}", pending.id))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let fragment = r.text().await.unwrap();
    assert!(!fragment.contains("<main"), "{fragment}");
    assert!(fragment.trim_start().starts_with("<section"), "{fragment}");
    assert_eq!(texts(&fragment, "#invitation-org"), ["Acme Corp"]);
}

/// `main_markup`, with what else differs between runs here: the fake's ids (even those
/// without a digit), form CSRF fields and the port of the links.
pub(crate) fn snapshot_markup(html: &str, ids: &[String]) -> String {
    let html = ids
        .iter()
        .fold(html.to_string(), |h, id| h.replace(id.as_str(), "[id]"));
    let markup = common::snapshot::main_markup(&html);
    [
        (
            r#"name="_csrf" value="[^"]*""#,
            r#"name="_csrf" value="[csrf]""#,
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
    ]
    .into_iter()
    .fold(markup, |m, (re, to)| {
        regex::Regex::new(re)
            .unwrap()
            .replace_all(&m, to)
            .into_owned()
    })
}

/// The list and the landing page, in both languages, as reviewed snapshots.
#[tokio::test]
async fn the_list_and_the_landing_page_are_snapshots_in_both_languages() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let pending = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let mut ids: Vec<String> = invitations(&app, &org, None)
        .await
        .into_iter()
        .map(|i| i.id)
        .collect();
    ids.push(org.clone());
    for role in ["admin", "member"] {
        ids.push(role_id(&app, role).await);
    }
    let visitor = app.browser();
    for lang in ["en", "zh-TW"] {
        let list = format!("/orgs/{org}/invitations");
        let r = b.get(&format!("/lang/{lang}?return_to={list}")).await;
        assert!(r.status().is_redirection());
        let (status, html) = b.get_text(&list).await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(
            format!("invitations_list_{lang}"),
            snapshot_markup(&html, &ids)
        );
        let landing = format!("/invitations/{}", pending.id);
        let r = visitor
            .get(&format!("/lang/{lang}?return_to={landing}"))
            .await;
        assert!(r.status().is_redirection());
        let (status, html) = visitor.get_text(&landing).await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(
            format!("invitations_landing_{lang}"),
            snapshot_markup(&html, &ids)
        );
    }
}
