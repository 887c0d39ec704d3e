//! The invitee's side: the public page and accepting.

use super::*;

// ---------------------------------------------------------------------------------------
// The invitee's side

#[tokio::test]
async fn landing_page_shows_little_to_strangers() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let inv = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    let anonymous = app.browser();
    let (status, html) = anonymous
        .get_text(&format!("/invitations/{}", inv.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "#invitation-org"), ["Acme Corp"]);
    assert_eq!(texts(&html, "#invitation-inviter"), ["Adam Admin"]);
    assert_eq!(texts(&html, "#invitation-roles"), ["member"]);
    assert_eq!(texts(&html, "#invitation-invitee"), ["n***@acme.test"]);
    assert!(!html.contains("new.hire@acme.test"));
    assert!(!html.contains("adam.admin@acme.test"));
    assert!(texts(&html, "#invitation-expiry")[0].starts_with("in 7 days"));
    assert_eq!(texts(&html, "#accept"), ["Accept and sign in"]);

    // Unknown and malformed ids: a clear "not found" page.
    for id in ["aaaaaaaaaaaaaaaaaaaaa", "..%2Fusers"] {
        let (status, html) = anonymous.get_text(&format!("/invitations/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(texts(&html, "#invitation-unknown").len(), 1, "{id}");
    }
}

#[tokio::test]
async fn strangers_cannot_try_invitation_ids_by_the_thousand() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let inv = invitations(&app, &org, Some("new.hire@acme.test"))
        .await
        .remove(0);
    // 60 look-ups per 10 minutes from one client address (src/limits.rs), known ids or not.
    let anonymous = app.browser();
    for i in 0..60 {
        let id = if i % 2 == 0 {
            inv.id.clone()
        } else {
            format!("unknown{i:04}")
        };
        let r = anonymous.get(&format!("/invitations/{id}")).await;
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS, "look-up {i}");
    }
    app.fake.state().clear_requests();
    // Another browser from the same address is counted with the first.
    let r = app.browser().get(&format!("/invitations/{}", inv.id)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
    let html = r.text().await.unwrap();
    assert!(html.contains("Too many attempts. Try again in"), "{html}");
    assert!(
        app.fake.state().api_requests().is_empty(),
        "Logto is not asked"
    );
    let refused = audit(&app, "security.rate_limited").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].error_code.as_deref(),
        Some("invitation_lookups_throttled")
    );
    assert_eq!(refused[0].ip.as_deref(), Some("127.0.0.1"));
    // A signed-in person is counted on their own.
    let member = app.member().await;
    let r = member.get(&format!("/invitations/{}", inv.id)).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_invited_person_accepts_after_signing_in() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let user_id = new_user(&app, "casey", "Casey@Example.com");
    let (admin, _) = admin_on_page(&app).await;
    let admin_role = role_id(&app, "admin").await;
    let (_, html) = invite(&admin, &org, "casey@example.com", &[&admin_role], "7").await;
    let link = attrs(
        &html,
        "#invite-results-table input.invitation-link",
        "value",
    )
    .remove(0);
    let path = link.strip_prefix(&app.url).unwrap().to_string();
    let id = path.rsplit('/').next().unwrap().to_string();

    // Anonymous "Accept": remembered, then off to sign in with the address filled in.
    let mut b = app.browser();
    let (_, html) = b.get_text(&path).await;
    b.csrf = hidden_value(&html, "_csrf");
    let r = b.post_form(&format!("{path}/accept"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sign_in = location(&r);
    assert_eq!(
        sign_in,
        format!("/sign-in?return_to=%2Finvitations%2F{id}&login_hint=casey%40example%2Ecom&first_screen=signIn"),
        "an account exists: the sign-in screen, with the invited address"
    );
    assert!(
        invitations(&app, &org, Some("casey@example.com")).await[0].status
            == InvitationStatus::Pending
    );

    let (back, authorize) = through_logto(
        &app,
        &b,
        &sign_in,
        Login::SignIn {
            identifier: "casey",
            password: &app.seed.password,
        },
    )
    .await;
    assert!(
        authorize.contains("login_hint=casey%40example.com"),
        "{authorize}"
    );
    assert_eq!(back, path);

    // Back on the page, signed in: the acceptance completes and lands in the organization.
    let r = b.get(&path).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/orgs/{org}/members"),
        "an admin role: the org's pages"
    );
    let accepted = invitations(&app, &org, Some("casey@example.com"))
        .await
        .remove(0);
    assert_eq!(accepted.id, id);
    assert_eq!(accepted.status, InvitationStatus::Accepted);
    assert_eq!(accepted.accepted_user_id.as_deref(), Some(user_id.as_str()));
    let members = app
        .state
        .logto
        .list_org_members(
            &org,
            &MemberQuery {
                q: Some(user_id.clone()),
                page_size: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let casey = members
        .items
        .iter()
        .find(|m| m.id == user_id)
        .expect("member now");
    assert!(casey.has_role("admin"));
    // The session already knows: the org's invitation page opens without waiting for a recheck.
    let (status, _) = b.get_text(&format!("/orgs/{org}/invitations")).await;
    assert_eq!(status, StatusCode::OK);

    let entries = audit(&app, "invitation.accept").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].actor_id.as_deref(), Some(user_id.as_str()));

    // The link now says it was accepted, by this person.
    let (status, html) = b.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#invitation-accepted")[0].contains("you are a member of Acme Corp"));
}

#[tokio::test]
async fn a_new_person_registers_and_joins() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let (admin, _) = admin_on_page(&app).await;
    let (_, html) = invite(&admin, &org, "brand.new@example.com", &[], "7").await;
    let link = attrs(
        &html,
        "#invite-results-table input.invitation-link",
        "value",
    )
    .remove(0);
    let path = link.strip_prefix(&app.url).unwrap().to_string();

    let mut b = app.browser();
    let (_, html) = b.get_text(&path).await;
    b.csrf = hidden_value(&html, "_csrf");
    let r = b.post_form(&format!("{path}/accept"), &[]).await;
    let sign_in = location(&r);
    assert!(sign_in.ends_with("&first_screen=register"), "{sign_in}");
    let (back, _) = through_logto(
        &app,
        &b,
        &sign_in,
        Login::Register {
            email: "brand.new@example.com",
            password: "a-Long-passw0rd",
        },
    )
    .await;
    assert_eq!(back, path);
    let r = b.get(&path).await;
    assert_eq!(
        location(&r),
        "/profile",
        "a member without admin role: their profile"
    );
    let inv = invitations(&app, &org, Some("brand.new@example.com"))
        .await
        .remove(0);
    assert_eq!(inv.status, InvitationStatus::Accepted);
}

#[tokio::test]
async fn the_wrong_person_is_refused_and_told_which_email_to_use() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let inv = invitations(&app, &org, Some("contractor@example.test"))
        .await
        .remove(0);
    let path = format!("/invitations/{}", inv.id);
    // Mia is signed in, the invitation is for someone else.
    let mut mia = app.member().await;
    let (status, html) = mia.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#email-mismatch")[0].contains("mia.member@acme.test"));
    // The invited address stays masked for anyone but the invitee (issue 15).
    assert!(texts(&html, "#email-mismatch")[0].contains("c***@example.test"));
    assert_eq!(texts(&html, "#invitation-invitee"), ["c***@example.test"]);
    assert!(!html.contains("contractor@example.test"), "{html}");
    assert!(!html.contains("contractor%40example.test"), "{html}");
    assert!(
        texts(&html, "#accept").is_empty(),
        "no accept button for the wrong person"
    );
    assert_eq!(texts(&html, "#sign-out-retry"), ["Sign out"]);
    // One click signs in again as the invited person (Logto asks for credentials).
    let switch = attrs(&html, "#switch-account", "href");
    assert_eq!(switch.len(), 1);
    assert!(switch[0].contains("prompt=login"), "{switch:?}");
    assert!(!switch[0].contains("login_hint"), "{switch:?}");
    assert!(
        switch[0].contains(&format!("return_to=%2Finvitations%2F{}", inv.id)),
        "{switch:?}"
    );
    assert_eq!(
        attrs(&html, "#invitation-link", "value"),
        [format!("{}{path}", app.url)]
    );

    // Posting anyway (a crafted request) is refused and recorded.
    mia.csrf = hidden_value(&html, "_csrf");
    let r = mia.post_form(&format!("{path}/accept"), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert_eq!(texts(&html, "#email-mismatch").len(), 1);
    let entries = audit(&app, "invitation.accept").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "failure");
    assert_eq!(entries[0].error_code.as_deref(), Some("email_mismatch"));
    assert_eq!(
        invitations(&app, &org, Some("contractor@example.test")).await[0].status,
        InvitationStatus::Pending
    );
    let mia_id = app.user_id(&app.seed.member_username);
    assert!(
        !app.state
            .logto
            .user_organizations(&mia_id)
            .await
            .unwrap()
            .iter()
            .any(|o| o.id != org),
        "Mia joined nothing"
    );

    // An anonymous accept without the token is refused outright.
    let anonymous = app.browser();
    let r = anonymous
        .post_without_csrf(&format!("{path}/accept"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn expired_and_revoked_links_say_so_and_cannot_be_accepted() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let expired = invitations(&app, &org, Some("late.reply@acme.test"))
        .await
        .remove(0);
    let revoked = invitations(&app, &org, Some("changed.mind@acme.test"))
        .await
        .remove(0);
    let accepted = invitations(&app, &org, Some("mia.member@acme.test"))
        .await
        .remove(0);
    let anonymous = app.browser();

    let (status, html) = anonymous
        .get_text(&format!("/invitations/{}", expired.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#invitation-expired")[0].contains("Ask Adam Admin for a new one"));
    assert!(texts(&html, "#accept").is_empty());
    let (_, html) = anonymous
        .get_text(&format!("/invitations/{}", revoked.id))
        .await;
    assert!(texts(&html, "#invitation-revoked")[0].contains("withdrawn by Acme Corp"));
    assert!(texts(&html, "#accept").is_empty());
    let (_, html) = anonymous
        .get_text(&format!("/invitations/{}", accepted.id))
        .await;
    assert!(texts(&html, "#invitation-accepted")[0].contains("already been accepted"));

    // Someone invited with that address, signed in, still cannot accept an expired one.
    let late = new_user(&app, "late_reply", "late.reply@acme.test");
    let (mut b, _) = app
        .sign_in_to(
            "late_reply",
            &app.seed.password,
            &format!("/invitations/{}", expired.id),
        )
        .await;
    let (_, html) = b.get_text(&format!("/invitations/{}", expired.id)).await;
    b.csrf = hidden_value(&html, "_csrf");
    let r = b
        .post_form(&format!("/invitations/{}/accept", expired.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert_eq!(texts(&html, "#invitation-expired").len(), 1);
    let entries = audit(&app, "invitation.accept").await;
    assert_eq!(entries[0].error_code.as_deref(), Some("invitation_expired"));
    assert!(!app
        .state
        .logto
        .user_organizations(&late)
        .await
        .unwrap()
        .iter()
        .any(|o| o.id == org));
}

#[tokio::test]
async fn a_signed_in_invitee_accepts_with_one_click() {
    let app = common::spawn_app().await;
    let org = acme(&app);
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let inv_id = app.fake.state().create_invitation(
        &globex,
        None,
        "MIA.member@acme.test",
        &["member"],
        now_ms() + DAY_MS,
        "Pending",
    );
    let mut mia = app.member().await;
    let (status, html) = mia.get_text(&format!("/invitations/{inv_id}")).await;
    assert_eq!(status, StatusCode::OK);
    // Signed in with the invited address (ignoring case): the full address, one button.
    assert_eq!(
        texts(&html, "#invitation-invitee"),
        ["MIA.member@acme.test"]
    );
    assert!(
        texts(&html, "#invitation-inviter").is_empty(),
        "no inviter recorded"
    );
    assert_eq!(texts(&html, "#accept"), ["Accept invitation"]);
    mia.csrf = hidden_value(&html, "_csrf");
    let r = mia
        .post_form(&format!("/invitations/{inv_id}/accept"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile");
    let mia_id = app.user_id(&app.seed.member_username);
    let orgs = app.state.logto.user_organizations(&mia_id).await.unwrap();
    assert!(orgs.iter().any(|o| o.id == globex));
    assert!(orgs.iter().any(|o| o.id == org));
}

/// Issue 15: the invited address is whole only for the invitee, signed in with it; a stranger
/// and anyone else signed in see it masked, and nowhere else on the page either.
#[tokio::test]
async fn the_invited_address_is_whole_only_for_the_invitee() {
    let app = common::spawn_app().await;
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let inv_id = app.fake.state().create_invitation(
        &globex,
        None,
        "mia.member@acme.test",
        &["member"],
        now_ms() + DAY_MS,
        "Pending",
    );
    let path = format!("/invitations/{inv_id}");
    let anonymous = app.browser();
    let adam = app.admin().await;
    for (who, b) in [("anonymous", &anonymous), ("someone else", &adam)] {
        let (status, html) = b.get_text(&path).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(
            texts(&html, "#invitation-invitee"),
            ["m***@acme.test"],
            "{who}"
        );
        assert!(!html.contains("mia.member"), "{who}: {html}");
    }
    let mia = app.member().await;
    let (_, html) = mia.get_text(&path).await;
    assert_eq!(
        texts(&html, "#invitation-invitee"),
        ["mia.member@acme.test"]
    );
}
