//! Changing roles, removing members, the last-admin guard, other organizations.

use super::*;

#[tokio::test]
async fn changing_roles_puts_the_whole_set_and_updates_the_row() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Roles Co", 3);
    let url = members_url(&org.id);
    let target = org.member_ids[1].clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");

    // The inline editor (htmx) and the page (no JavaScript) carry the same form.
    let r = b.get_htmx(&format!("{url}/{target}/roles")).await;
    let editor = in_table(&r.text().await.unwrap());
    assert_eq!(attrs(&editor, "tr", "id"), vec![format!("member-{target}")]);
    assert_eq!(
        attrs(&editor, "input[name=role_ids][checked]", "value"),
        vec![member_role.clone()]
    );
    let (status, page) = b
        .get_text(&format!(
            "{url}/{target}/roles?back={}",
            common::urlencode(&format!("{url}?page=1"))
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html"));
    assert_eq!(attrs(&page, "form.roles-form", "method"), vec!["post"]);
    assert_eq!(
        attrs(&page, "form.roles-form input[name=back]", "value"),
        vec![format!("{url}?page=1")]
    );

    app.fake.state().clear_requests();
    let r = b
        .post_htmx(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &admin_role), ("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let row = in_table(&r.text().await.unwrap());
    assert_eq!(attrs(&row, "tr", "id"), vec![format!("member-{target}")]);
    assert_eq!(texts(&row, ".member-roles .badge"), vec!["admin", "member"]);
    assert_eq!(texts(&row, ".row-notice"), vec!["Roles saved."]);
    let puts: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert_eq!(puts.len(), 1, "one write: {puts:?}");
    assert_eq!(puts[0].method, "PUT");
    assert_eq!(
        puts[0].path,
        format!("/api/organizations/{}/users/{target}/roles", org.id)
    );
    let body: serde_json::Value = serde_json::from_str(&puts[0].body).unwrap();
    let sent: BTreeSet<String> = body["organizationRoleIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sent,
        BTreeSet::from([admin_role.clone(), member_role.clone()])
    );
    assert_eq!(
        member_roles(&app, &org.id, &target).await,
        Some(vec!["admin".into(), "member".into()])
    );

    // Plain form: back to the list the person came from.
    let back = format!("{url}?page=1&page_size=50");
    let r = b
        .post_form(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &member_role), ("back", &back)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), back);
    assert_eq!(
        member_roles(&app, &org.id, &target).await,
        Some(vec!["member".into()])
    );
    // A `back` elsewhere is not followed.
    let r = b
        .post_form(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &member_role), ("back", "https://evil.test/")],
        )
        .await;
    assert_eq!(location(&r), url);

    let entries = audit(&app, &org.id, "member.roles_change").await;
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.result == "success"));
    assert!(
        entries
            .iter()
            .any(|e| e.details.contains("\"after\":[\"admin\",\"member\"]")),
        "{entries:?}"
    );

    // Logto's refusal reads as a sentence, next to the form, and is recorded.
    // Someone else removed the member meanwhile.
    app.state
        .logto
        .remove_org_member(&org.id, &target)
        .await
        .unwrap();
    let r = b
        .post_htmx(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("not a member of the organization any more"),
        "{html}"
    );
    assert!(!html.contains("organization.require_membership"));
}

#[tokio::test]
async fn removing_a_member_after_confirmation() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Remove Co", 3);
    let url = members_url(&org.id);
    let target = org.member_ids[0].clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;

    // The confirmation, inline and as a page; nothing is removed by looking at it.
    let html = b
        .get_htmx(&format!("{url}/{target}/remove"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Remove Paging Member 000 from Remove Co?"),
        "{html}"
    );
    let (status, page) = b.get_text(&format!("{url}/{target}/remove")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        attrs(&page, "form.confirm", "action"),
        vec![format!("{url}/{target}/remove")]
    );
    assert!(member_roles(&app, &org.id, &target).await.is_some());

    // Without the CSRF token: refused.
    let r = b
        .post_without_csrf(&format!("{url}/{target}/remove"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(member_roles(&app, &org.id, &target).await.is_some());

    let r = b.post_htmx(&format!("{url}/{target}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let row = in_table(&r.text().await.unwrap());
    assert_eq!(
        attrs(&row, "tr.removed", "id"),
        vec![format!("member-{target}")]
    );
    assert!(row.contains("Paging Member 000 was removed from Remove Co."));
    assert_eq!(member_roles(&app, &org.id, &target).await, None);

    let second = org.member_ids[1].clone();
    let r = b
        .post_form(
            &format!("{url}/{second}/remove"),
            &[("back", &format!("{url}?q=paging"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{url}?q=paging"));
    assert_eq!(member_roles(&app, &org.id, &second).await, None);
    // The message stands above the table it is about, not at the top of the page.
    let (_, html) = b.get_text(&location(&r)).await;
    assert_eq!(
        texts(&html, "#members-table #members-flash"),
        vec!["Paging Member 001 was removed from Remove Co."]
    );
    assert!(texts(&html, "#alerts .alert").is_empty(), "{html}");

    // Already gone: said plainly, in place of the row.
    let r = b.post_htmx(&format!("{url}/{second}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not a member of the organization any more"));

    let entries = audit(&app, &org.id, "member.remove").await;
    let ok: Vec<_> = entries.iter().filter(|e| e.result == "success").collect();
    assert_eq!(ok.len(), 2);
    assert!(ok
        .iter()
        .all(|e| e.actor_id.as_deref() == Some(org.admin_id.as_str())));
    let failed: Vec<_> = entries.iter().filter(|e| e.result == "failure").collect();
    assert_eq!(failed.len(), 1);
    // A refusal of the portal's own: its code, not a Logto code written by hand.
    assert_eq!(failed[0].error_code.as_deref(), Some("not_member"));
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed_or_demoted() {
    let app = common::spawn_app().await;
    // More members than fit on a page, so the guard cannot rely on what the page shows.
    let org = org_with_members(&app, "Guard Co", 45);
    let url = members_url(&org.id);
    let me = org.admin_id.clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");

    app.fake.state().clear_requests();
    let r = b.post_htmx(&format!("{url}/{me}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Adam Admin is the last admin of this organization"),
        "{html}"
    );
    let counted_with = if server_filters_by_role(&app) {
        format!("organizationRoleId={admin_role}&page=1&page_size=2")
    } else {
        "page=1&page_size=100".to_string()
    };
    assert!(
        member_calls(&app, &org.id).contains(&counted_with),
        "the guard counts the admins across the organization: {:?}",
        member_calls(&app, &org.id)
    );
    assert!(
        member_calls(&app, &org.id)
            .iter()
            .all(|q| server_filters_by_role(&app) || !q.contains("organizationRoleId")),
        "never a parameter this Logto does not declare"
    );
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));

    let r = b
        .post_form(&format!("{url}/{me}/roles"), &[("role_ids", &member_role)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("last admin"), "{html}");
    assert_eq!(
        attrs(&html, "fieldset[aria-invalid=true]", "aria-describedby").len(),
        1
    );
    assert_eq!(
        member_roles(&app, &org.id, &me).await,
        Some(vec!["admin".into()])
    );
    let failed = audit(&app, &org.id, "member.roles_change").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error_code.as_deref(), Some("last_admin_guard"));
    assert_eq!(
        audit(&app, &org.id, "member.remove").await[0]
            .error_code
            .as_deref(),
        Some("last_admin_guard")
    );

    // Another admin somewhere in the organization (whatever page): now allowed.
    let last = org.member_ids[44].clone();
    let r = b
        .post_htmx(&format!("{url}/{last}/roles"), &[("role_ids", &admin_role)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = b
        .post_form(
            &format!("{url}/{last}/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "demoting a non-last admin is fine"
    );
    let r = b
        .post_htmx(&format!("{url}/{last}/roles"), &[("role_ids", &admin_role)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Demoting oneself now leaves an admin; the person is sent away from the page they lost.
    let r = b
        .post_htmx(&format!("{url}/{me}/roles"), &[("role_ids", &member_role)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get("hx-redirect").unwrap(), "/");
    assert_eq!(
        member_roles(&app, &org.id, &me).await,
        Some(vec!["member".into()])
    );
    let (status, _) = b.get_text(&url).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "access re-read at once");

    // Operators may do what the guard refuses admins.
    let op = signed_in(&app, &app.seed.operator_username, &url).await;
    let r = op.post_form(&format!("{url}/{last}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(member_roles(&app, &org.id, &last).await, None);
}

#[tokio::test]
async fn other_organizations_answer_not_found() {
    let app = common::spawn_app().await;
    let acme = app.seed.org_ids[0].clone();
    let globex = app.seed.org_ids[1].clone();
    let admin = signed_in(&app, &app.seed.admin_username, &members_url(&acme)).await;

    let r = admin.get(&members_url(&globex)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let globex_member = attrs(
        &app.sign_in(&app.seed.operator_username)
            .await
            .get_text(&members_url(&globex))
            .await
            .1,
        "#members-table tbody tr",
        "id",
    )[0]
    .trim_start_matches("member-")
    .to_string();
    app.fake.state().clear_requests();
    for path in [
        format!("{}/{globex_member}/remove", members_url(&globex)),
        format!("{}/{globex_member}/roles", members_url(&globex)),
        format!("{}/add", members_url(&globex)),
    ] {
        let r = admin.post_form(&path, &[("user_id", &globex_member)]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let r = admin.get(&path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = admin
        .get(&format!("{}/export.csv", members_url(&globex)))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        app.fake.state().api_requests().is_empty(),
        "refused before Logto is asked"
    );

    // The switcher: own organizations only.
    let r = admin.get(&format!("/orgs/go?org_id={globex}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = admin.get(&format!("/orgs/go?org_id={acme}")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), members_url(&acme));

    // A plain member administers nothing.
    let member = app.member().await;
    assert_eq!(
        member.get(&members_url(&acme)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        member
            .get(&format!("/orgs/go?org_id={acme}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn organizations_page_lists_what_the_person_administers() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Second Co", 4);
    let admin = app.admin().await;
    let (status, html) = admin.get_text("/orgs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&html, "table.orgs tbody th"),
        vec!["Acme Corp", "Second Co"]
    );
    assert_eq!(
        texts(&html, &format!("#org-{} .org-members", org.id)),
        vec!["5"]
    );
    assert!(!html.contains("Globex"));
    // Two organizations: the header offers the switcher.
    assert_eq!(
        attrs(&html, "form.org-switcher", "action"),
        vec!["/orgs/go"]
    );

    let operator = app.operator().await;
    app.fake.state().clear_requests();
    let (_, html) = operator.get_text("/orgs?q=glob").await;
    assert_eq!(texts(&html, "table.orgs tbody th"), vec!["Globex"]);
    let calls = app.fake.state().api_requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].query,
        "q=glob&showFeatured=true&page=1&page_size=20"
    );
    // A key given twice (a bookmark edited by hand): the last value counts, no error.
    let (status, html) = operator.get_text("/orgs?q=zzz&q=glob&page=x").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "table.orgs tbody th"), vec!["Globex"]);
    let (_, html) = operator.get_text("/orgs").await;
    assert!(html.contains("1–4 of 4"), "{html}");
    let r = operator.get_htmx("/orgs?q=co").await;
    assert_eq!(
        r.headers().get("hx-push-url").unwrap(),
        "/orgs?q=co&page=1&page_size=20"
    );
}
