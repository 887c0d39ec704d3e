//! Inviting: one, many, CSV, per-row results, email or a link to share.

use super::*;

// ---------------------------------------------------------------------------------------
// Inviting

#[tokio::test]
async fn single_invitation_without_connector_gives_a_link_to_share() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;
    let admin_role = role_id(&app, "admin").await;
    app.fake.state().clear_requests();

    let before = now_ms();
    let (status, html) = invite(
        &b,
        &org,
        "Newcomer@Example.com",
        &[&member, &admin_role],
        "10",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        results(&html),
        [("newcomer@example.com".to_string(), "Invited".to_string())]
    );

    // Created in Logto with the roles, the inviter and the chosen expiry; not emailed.
    let created = invitations(&app, &org, Some("newcomer@example.com")).await;
    assert_eq!(created.len(), 1);
    let inv = &created[0];
    assert_eq!(inv.status, InvitationStatus::Pending);
    assert_eq!(
        inv.inviter_id.as_deref(),
        Some(app.user_id(&app.seed.admin_username).as_str())
    );
    let mut roles: Vec<_> = inv
        .organization_roles
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    roles.sort();
    assert_eq!(roles, ["admin", "member"]);
    assert!(
        (inv.expires_at - (before + 10 * DAY_MS)).abs() < 60_000,
        "expiry is 10 days out"
    );
    assert!(app.fake.state().sent_messages().is_empty());

    // The page says clearly that Logto cannot email, and shows the link to copy.
    let link = format!("{}/invitations/{}", app.url, inv.id);
    assert_eq!(texts(&html, "#no-connector").len(), 1, "{html}");
    // In plain words: no backend names, and what to do instead.
    let no_connector = &texts(&html, "#no-connector")[0];
    assert!(
        no_connector.contains("send it to them yourself"),
        "{no_connector}"
    );
    assert!(!no_connector.contains("Logto") && !no_connector.contains("connector"));
    assert_eq!(
        attrs(
            &html,
            "#invite-results-table input.invitation-link",
            "value"
        ),
        [link.as_str()]
    );
    assert_eq!(
        texts(&html, "#invite-links"),
        [format!("newcomer@example.com,{link}")]
    );
    assert!(attrs(&html, "button[data-copy='#invite-links']", "data-copy").len() == 1);

    // One create and no message attempt: the tenant's connectors said up front that there is
    // no email connector.
    let calls: Vec<String> = app
        .fake
        .state()
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(calls, ["/api/organization-invitations".to_string()]);

    // Audited with the admin as actor.
    let entries = audit(&app, "invitation.create").await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.result, "success");
    assert_eq!(e.target_id.as_deref(), Some(inv.id.as_str()));
    assert_eq!(e.org_id.as_deref(), Some(org.as_str()));
    assert_eq!(
        e.actor_id.as_deref(),
        Some(app.user_id(&app.seed.admin_username).as_str())
    );
    assert!(e.details.contains("no_connector"), "{}", e.details);

    // The list shows the new invitation, pending, with its link.
    let (_, list) = b
        .get_text(&format!("/orgs/{org}/invitations?q=newcomer"))
        .await;
    assert_eq!(
        texts(&list, "#invitations .invitee"),
        ["newcomer@example.com"]
    );
    assert_eq!(texts(&list, "#invitations .status"), ["Pending"]);
    assert_eq!(attrs(&list, &format!("#link-{}", inv.id), "value"), [link]);
    assert!(texts(&list, "#invitations .expires")[0].contains("in 10 days"));
}

#[tokio::test]
async fn the_page_says_before_anyone_tries_that_emails_cannot_go_out() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    // The tenant's connectors are listed with the page: it says so before any attempt.
    let (_, html) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(texts(&html, "#no-connector").len(), 1, "{html}");

    app.fake.state().clear_requests();
    let (status, html) = invite(
        &b,
        &org,
        "one@example.com\ntwo@example.com\nthree@example.com",
        &[],
        "7",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        results(&html)
            .iter()
            .filter(|(_, l)| l == "Invited")
            .count(),
        3
    );
    let calls = |app: &TestApp, path: &str| {
        app.fake
            .state()
            .api_requests()
            .iter()
            .filter(|r| r.path.ends_with(path))
            .count()
    };
    assert_eq!(calls(&app, "/message"), 0, "no doomed attempt");
    assert_eq!(
        calls(&app, "/api/connectors"),
        0,
        "the list is kept a while"
    );
    assert_eq!(
        attrs(
            &html,
            "#invite-results-table input.invitation-link",
            "value"
        )
        .len(),
        3
    );

    // A connector added in the Console shows once the list is read again (within a minute).
    app.fake.state().set_email_connector(true);
    app.state.connectors.forget();
    let (_, page) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert!(texts(&page, "#no-connector").is_empty());
    app.fake.state().clear_requests();
    let (_, html) = invite(&b, &org, "four@example.com", &[], "7").await;
    assert_eq!(
        results(&html),
        [("four@example.com".to_string(), "Invited".to_string())],
        "{html}"
    );
    assert!(texts(&html, "#invite-results-table td")
        .iter()
        .any(|t| t.contains("Invitation email sent")));
    assert_eq!(calls(&app, "/message"), 1);
}

#[tokio::test]
async fn connector_path_emails_the_acceptance_link() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;

    let (status, html) = invite(&b, &org, "mailed@example.com", &[&member], "7").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        results(&html),
        [("mailed@example.com".to_string(), "Invited".to_string())]
    );
    assert!(texts(&html, "#invite-results-table td")
        .iter()
        .any(|t| t.contains("Invitation email sent")));
    assert!(texts(&html, "#no-connector").is_empty());
    assert!(
        texts(&html, "#invite-links").is_empty(),
        "nothing to share by hand"
    );

    let inv = invitations(&app, &org, Some("mailed@example.com"))
        .await
        .remove(0);
    let sent = app.fake.state().sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "mailed@example.com");
    assert_eq!(
        sent[0].kind,
        fake_logto::MessageKind::OrganizationInvitation
    );
    assert_eq!(
        sent[0].payload["link"],
        format!("{}/invitations/{}", app.url, inv.id)
    );
    assert_eq!(sent[0].payload["organization"]["name"], "Acme Corp");
    assert_eq!(sent[0].payload["inviter"]["name"], "Adam Admin");
    assert_eq!(
        sent[0].payload["locale"], "en",
        "the email goes out in the inviter's language"
    );

    let entries = audit(&app, "invitation.create").await;
    assert!(
        entries[0].details.contains("\"email\":\"sent\""),
        "{}",
        entries[0].details
    );
}

#[tokio::test]
async fn bulk_invitations_give_one_result_per_row() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;
    let emails = "fresh.one@example.com, mia.member@acme.test\n\
                  new.hire@acme.test\n\
                  not-an-address\n\
                  FRESH.ONE@example.com\n\
                  fresh.two@example.com;late.reply@acme.test o'@example.com";
    let (status, html) = invite(&b, &org, emails, &[&member], "7").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let got = results(&html);
    let expect = [
        ("fresh.one@example.com", "Invited"),
        ("mia.member@acme.test", "Already a member"),
        ("new.hire@acme.test", "Already invited"),
        ("not-an-address", "Invalid address"),
        ("fresh.one@example.com", "Listed twice"),
        ("fresh.two@example.com", "Invited"),
        // Its earlier invitation expired: a new one can be sent.
        ("late.reply@acme.test", "Invited"),
        // Looks fine to the portal, Logto refuses it.
        ("o'@example.com", "Invalid address"),
    ];
    assert_eq!(
        got,
        expect
            .iter()
            .map(|(e, l)| (e.to_string(), l.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(texts(&html, "#invite-results .summary")
        .iter()
        .any(|s| s.contains("Invited: 3")));

    // Exactly the good rows exist in Logto, and nothing else changed.
    for email in ["fresh.one@example.com", "fresh.two@example.com"] {
        assert_eq!(
            invitations(&app, &org, Some(email)).await.len(),
            1,
            "{email}"
        );
    }
    assert_eq!(
        invitations(&app, &org, Some("new.hire@acme.test"))
            .await
            .len(),
        1
    );
    assert_eq!(
        invitations(&app, &org, Some("late.reply@acme.test"))
            .await
            .len(),
        2
    );

    // Every row but the repeat is in the audit trail, refusals with their reason.
    let entries = audit(&app, "invitation.create").await;
    assert_eq!(entries.len(), 7);
    let mut codes: Vec<String> = entries
        .iter()
        .filter_map(|e| e.error_code.clone())
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "already_invited",
            "guard.invalid_input",
            "invalid_address",
            "request.invalid_input"
        ]
    );
}

#[tokio::test]
async fn csv_upload_takes_roles_per_row() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let member = role_id(&app, "member").await;
    let csv = "email,roles\n\
               csv.admin@example.com,admin\n\
               csv.both@example.com,\"admin,member\"\n\
               csv.default@example.com,\n\
               csv.ghost@example.com,owner\n\
               broken,member\n";
    // The page's form sends its token as a part of the body, as a browser does.
    let csrf = b.csrf.clone().unwrap();
    let (content_type, body) = multipart(
        &[
            ("_csrf", &csrf),
            ("emails", ""),
            ("roles", &member),
            ("expiry_days", "3"),
        ],
        Some(("people.csv", csv.as_bytes())),
    );
    let r = b
        .client
        .post(b.url(&format!("/orgs/{org}/invitations")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let got = results(&html);
    assert_eq!(
        got.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(),
        [
            "Invited",
            "Invited",
            "Invited",
            "Unknown role",
            "Invalid address"
        ]
    );
    assert_eq!(
        texts(&html, "#invite-results-table td:first-child .result-line"),
        ["2", "3", "4", "5", "6"]
    );
    let roles_of = |list: Vec<Invitation>| {
        let mut r: Vec<String> = list[0]
            .organization_roles
            .iter()
            .map(|r| r.name.clone())
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        roles_of(invitations(&app, &org, Some("csv.admin@example.com")).await),
        ["admin"]
    );
    assert_eq!(
        roles_of(invitations(&app, &org, Some("csv.both@example.com")).await),
        ["admin", "member"]
    );
    assert_eq!(
        roles_of(invitations(&app, &org, Some("csv.default@example.com")).await),
        ["member"]
    );
    assert!(invitations(&app, &org, Some("csv.ghost@example.com"))
        .await
        .is_empty());
    let expires = invitations(&app, &org, Some("csv.admin@example.com")).await[0].expires_at;
    assert!((expires - (now_ms() + 3 * DAY_MS)).abs() < 60_000);
    let entries = audit(&app, "invitation.create").await;
    assert!(entries
        .iter()
        .all(|e| e.details.contains("\"source\":\"csv\"")));

    // A file that cannot be read is a field message, and nothing is sent.
    let (content_type, body) = multipart(
        &[("_csrf", &csrf), ("expiry_days", "7")],
        Some(("bad.csv", b"email\n\"open,admin\n")),
    );
    let r = b
        .client
        .post(b.url(&format!("/orgs/{org}/invitations")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        texts(&html, "#invite-file-error")[0].contains("Line 2"),
        "{html}"
    );
    assert_eq!(attrs(&html, "#invite-file", "aria-invalid"), ["true"]);

    // Without the token, the upload is refused; a token in the address does not count
    // (it would stay in the address bar, the history and the logs).
    for path in [
        format!("/orgs/{org}/invitations"),
        format!("/orgs/{org}/invitations?_csrf={csrf}"),
    ] {
        let (content_type, body) =
            multipart(&[("expiry_days", "7")], Some(("p.csv", b"x@example.com\n")));
        let r = b
            .client
            .post(b.url(&path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(invitations(&app, &org, Some("x@example.com"))
        .await
        .is_empty());
}

#[tokio::test]
async fn bad_input_rerenders_the_form_with_messages() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let (status, html) = invite(&b, &org, "  ", &["no-such-role"], "0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&html, "#invite-emails-error").len(), 1);
    assert_eq!(texts(&html, "#invite-roles-error").len(), 1);
    assert_eq!(texts(&html, "#invite-expiry-error").len(), 1);
    assert_eq!(attrs(&html, "#invite-expiry", "aria-invalid"), ["true"]);

    let many: Vec<String> = (0..501).map(|i| format!("p{i}@example.com")).collect();
    let (status, html) = invite(&b, &org, &many.join("\n"), &[], "7").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        texts(&html, "#invite-emails-error")[0].contains("501"),
        "{html}"
    );
    // What was typed is kept.
    assert!(texts(&html, "#invite-emails")[0].contains("p500@example.com"));
    assert!(audit(&app, "invitation.create").await.is_empty());

    // htmx gets the card alone, still with the messages.
    let r = b
        .post_htmx(
            &format!("/orgs/{org}/invitations"),
            &[("emails", ""), ("expiry_days", "7")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.trim_start()
            .starts_with("<section class=\"card\" id=\"invite-card\""),
        "{html}"
    );
}

#[tokio::test]
async fn logto_failures_are_rows_not_a_lost_batch() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    // Slow Logto down so the first create can be caught in flight, then make it fail as if
    // Logto were overloaded; the rows after it go through.
    app.fake
        .state()
        .set_latency(std::time::Duration::from_millis(300));
    app.fake.state().clear_requests();
    let path = format!("/orgs/{org}/invitations");
    let post = b.post_htmx(
        &path,
        &[
            ("emails", "a.one@example.com\nb.two@example.com"),
            ("expiry_days", "7"),
        ],
    );
    let fault = async {
        for _ in 0..500 {
            let creating = app
                .fake
                .state()
                .api_requests()
                .iter()
                .any(|r| r.method == "POST" && r.path == "/api/organization-invitations");
            if creating {
                app.fake.state().fail_next_api(1, 500);
                app.fake.state().set_latency(std::time::Duration::ZERO);
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("the batch never reached Logto");
    };
    let (r, ()) = tokio::join!(post, fault);
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    // The table comes along (out of band) and lists the new invitation.
    assert_eq!(
        attrs(&html, "#invitations-view", "hx-swap-oob"),
        ["true"],
        "the table reloads itself"
    );
    assert!(texts(&html, "#invitations .invitee").contains(&"b.two@example.com".to_string()));
    assert_eq!(
        results(&html),
        [
            ("a.one@example.com".to_string(), "Not invited".to_string()),
            ("b.two@example.com".to_string(), "Invited".to_string())
        ]
    );
    // The failed row is back in the box, ready to send again; the other was kept.
    assert_eq!(texts(&html, "#invite-emails"), ["a.one@example.com"]);
    assert!(invitations(&app, &org, Some("a.one@example.com"))
        .await
        .is_empty());
    assert_eq!(
        invitations(&app, &org, Some("b.two@example.com"))
            .await
            .len(),
        1
    );
    let failed: Vec<_> = audit(&app, "invitation.create")
        .await
        .into_iter()
        .filter(|e| e.result == "failure")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error_code.as_deref(), Some("http_500"));
}

#[tokio::test]
async fn bulk_rows_go_out_a_few_at_a_time() {
    let app = common::spawn_app().await;
    let (b, org) = admin_on_page(&app).await;
    let latency = 50;
    app.fake
        .state()
        .set_latency(std::time::Duration::from_millis(latency));
    app.fake.state().clear_requests();
    let emails: Vec<String> = (0..60).map(|i| format!("wave{i:02}@example.com")).collect();
    // 60 rows are a background batch: follow it to its end.
    let r = b
        .post_form(
            &format!("/orgs/{org}/invitations"),
            &[("emails", emails.join("\n").as_str()), ("expiry_days", "7")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html =
        super::batches::wait_for_batch(&b, &location(&r), std::time::Duration::from_secs(60)).await;
    app.fake.state().set_latency(std::time::Duration::ZERO);
    assert_eq!(
        results(&html)
            .iter()
            .filter(|(_, l)| l == "Invited")
            .count(),
        60
    );
    // Each create takes `latency` ms at the fake: creates that arrive within a shorter window
    // were in flight together. Never more than four at once, and more than one.
    let arrivals: Vec<i64> = app
        .fake
        .state()
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/organization-invitations")
        .map(|r| r.at_ms)
        .collect();
    assert_eq!(arrivals.len(), 60);
    let busiest = arrivals
        .iter()
        .map(|start| {
            arrivals
                .iter()
                .filter(|t| **t >= *start && **t < start + latency as i64 - 5)
                .count()
        })
        .max()
        .unwrap();
    assert!(
        (2..=4).contains(&busiest),
        "{busiest} creates in flight at once"
    );
}
