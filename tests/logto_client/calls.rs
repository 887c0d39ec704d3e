//! Error mapping and the typed calls.

use super::*;

#[tokio::test]
async fn errors_keep_logto_codes() {
    let (fake, client) = setup().await;
    let st = fake.state();
    user(&st, "erin", "Erin");
    let dup = NewUser {
        username: Some("erin2".into()),
        primary_email: Some("ERIN@example.com".into()),
        ..Default::default()
    };
    let err = client.create_user(&dup).await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.code(), Some("user.email_already_in_use"));
    assert!(err.is_conflict());
    assert!(err.request_id().is_some(), "Logto-Core-Request-Id kept");

    let err = client.get_user("nosuchuser").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.code(), Some("entity.not_found"));
    let err = client
        .delete_identity("nosuchuser", "github")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn user_lifecycle() {
    let (_fake, client) = setup().await;
    let created = client
        .create_user(&NewUser {
            username: Some("frank".into()),
            primary_email: Some("frank@example.com".into()),
            name: Some("Frank".into()),
            password: Some(Secret::new("Passw0rd!long")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.has_password, Some(true));
    assert!(created.created_at > 1_600_000_000_000, "epoch ms");
    let id = created.id;

    assert!(client.verify_password(&id, "Passw0rd!long").await.unwrap());
    assert!(!client.verify_password(&id, "wrong").await.unwrap());
    client.set_password(&id, "Another1!").await.unwrap();
    assert!(client.verify_password(&id, "Another1!").await.unwrap());

    let patched = client
        .update_user(
            &id,
            &UserPatch {
                name: Some(Some("Franky".into())),
                primary_email: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(patched.name.as_deref(), Some("Franky"));
    assert_eq!(patched.primary_email, None);
    // An empty patch is not sent (Logto would answer 422).
    assert_eq!(
        client
            .update_user(&id, &UserPatch::default())
            .await
            .unwrap(),
        patched
    );

    let mut data = Map::new();
    data.insert("a".into(), json!(1));
    client.update_custom_data(&id, &data).await.unwrap();
    let mut data = Map::new();
    data.insert("b".into(), json!(2));
    let merged = client.update_custom_data(&id, &data).await.unwrap();
    assert_eq!(merged, json!({"a": 1, "b": 2}));
    assert_eq!(client.get_custom_data(&id).await.unwrap(), merged);

    let mut p = Map::new();
    p.insert("givenName".into(), json!("Frank"));
    client.update_user_profile(&id, &p).await.unwrap();
    let mut p = Map::new();
    p.insert("familyName".into(), json!("F"));
    let profile = client.update_user_profile(&id, &p).await.unwrap();
    assert_eq!(profile, json!({"givenName": "Frank", "familyName": "F"}));
    let u = client.get_user(&id).await.unwrap();
    assert_eq!(u.profile.given_name.as_deref(), Some("Frank"));

    assert!(client.set_suspended(&id, true).await.unwrap().is_suspended);
    assert!(!client.set_suspended(&id, false).await.unwrap().is_suspended);
    assert!(client.has_password(&id).await.unwrap());

    let err = client.delete_identity(&id, "github").await.unwrap_err();
    assert_eq!(err.code(), Some("user.identity_not_exist"));

    client.delete_user(&id).await.unwrap();
    assert!(client.get_user(&id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn global_roles() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let u = user(&st, "gina", "Gina");
    let viewer = st.create_role("portal-viewer", "Viewer");
    let editor = st.create_role("portal-editor", "Editor");
    for i in 0..120 {
        st.create_role(&format!("bulk-{i:03}"), "bulk");
    }
    client
        .assign_user_roles(&u, &[viewer.clone(), editor.clone()])
        .await
        .unwrap();
    let mut names: Vec<_> = client
        .user_roles(&u)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    names.sort();
    assert_eq!(names, ["portal-editor", "portal-viewer"]);
    client.remove_user_role(&u, &editor).await.unwrap();
    assert_eq!(client.user_roles(&u).await.unwrap().len(), 1);

    let found = client.find_role_by_name("portal-viewer").await.unwrap();
    assert_eq!(found.map(|r| r.id), Some(viewer));
    assert!(client.find_role_by_name("portal").await.unwrap().is_none());
    let page = client.list_roles(1, 20, Some("bulk-1")).await.unwrap();
    assert_eq!(page.total, 20);
    assert_eq!(
        client.list_roles(2, 100, None).await.unwrap().items.len(),
        22
    );
}

#[tokio::test]
async fn organizations_members_and_roles() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", Some("Acme Inc."));
    st.create_organization("Beta", None);
    let admin_role = st.create_org_role("admin", "Admin");
    let member_role = st.create_org_role("member", "Member");
    let alice = user(&st, "alice", "Alice");
    let bob = user(&st, "bob", "Bob");
    st.add_member(&org, &alice, &["admin"]);

    let orgs = client
        .list_organizations(&OrgQuery {
            q: Some("acm".into()),
            show_featured: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(orgs.total, 1);
    assert_eq!(orgs.items[0].users_count, Some(1));
    assert_eq!(
        client
            .get_organization(&org)
            .await
            .unwrap()
            .description
            .as_deref(),
        Some("Acme Inc.")
    );

    client
        .add_org_members(&org, std::slice::from_ref(&bob))
        .await
        .unwrap();
    client
        .add_member_roles(&org, &bob, std::slice::from_ref(&member_role))
        .await
        .unwrap();
    let members = client
        .list_org_members(&org, &MemberQuery::default())
        .await
        .unwrap();
    assert_eq!(members.total, 2);
    let bob_m = members.items.iter().find(|m| m.id == bob).unwrap();
    assert!(bob_m.has_role("member"));
    let filtered = client
        .list_org_members(
            &org,
            &MemberQuery {
                q: Some("ali".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filtered.items.len(), 1);
    assert_eq!(filtered.items[0].organization_roles[0].id, admin_role);

    client
        .set_member_roles(&org, &bob, &[admin_role.clone(), member_role.clone()])
        .await
        .unwrap();
    let mut roles: Vec<_> = client
        .member_roles(&org, &bob)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    roles.sort();
    assert_eq!(roles, ["admin", "member"]);
    client
        .remove_member_role(&org, &bob, &admin_role)
        .await
        .unwrap();

    let orgs_of_bob = client.user_organizations(&bob).await.unwrap();
    assert_eq!(orgs_of_bob.len(), 1);
    assert_eq!(orgs_of_bob[0].id, org);
    assert_eq!(orgs_of_bob[0].organization_roles[0].name, "member");

    let all_roles = client.list_org_roles().await.unwrap();
    assert_eq!(all_roles.len(), 2);

    client.remove_org_member(&org, &bob).await.unwrap();
    let err = client.remove_org_member(&org, &bob).await.unwrap_err();
    assert!(err.is_not_found());
    let err = client.member_roles(&org, &bob).await.unwrap_err();
    assert_eq!(err.code(), Some("organization.require_membership"));

    let exported: Vec<_> = client
        .org_members_stream(&org, MemberQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(exported.len(), 1);

    let stats = client.stats();
    assert!(stats.calls_with_status("GET /api/organizations/{id}/users", 200) >= 3);
    assert_eq!(
        stats.calls_with_status("DELETE /api/organizations/{id}/users/{userId}", 404),
        1
    );
}

#[tokio::test]
async fn invitations() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", None);
    let role = st.create_org_role("member", "Member");
    let inviter = user(&st, "ivy", "Ivy");
    let expires_at = (time::OffsetDateTime::now_utc().unix_timestamp() + 86_400) * 1000;
    let new = NewInvitation {
        inviter_id: Some(inviter.clone()),
        invitee: "newbie@example.com".into(),
        organization_id: org.clone(),
        expires_at,
        organization_role_ids: vec![role.clone()],
        message_payload: None,
    };
    let inv = client.create_invitation(&new).await.unwrap();
    assert_eq!(inv.status, InvitationStatus::Pending);
    assert_eq!(inv.organization_roles[0].name, "member");
    let body: Value =
        serde_json::from_str(&received(&st, "POST", "/api/organization-invitations")[0].body)
            .unwrap();
    assert_eq!(body["messagePayload"], json!(false));

    let dup = client.create_invitation(&new).await.unwrap_err();
    assert_eq!(dup.code(), Some("entity.unique_integrity_violation"));

    let listed = client
        .list_invitations(&InvitationFilter {
            organization_id: Some(org.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(client.get_invitation(&inv.id).await.unwrap().id, inv.id);

    // No email connector: Logto answers 501 `connector.not_found`.
    st.set_email_connector(false);
    let err = client
        .send_invitation_message(&inv.id, &json!({"link": "https://portal/x"}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(501));

    let newbie = st.create_user(fake_logto::NewUser {
        primary_email: Some("newbie@example.com".into()),
        ..Default::default()
    });
    let accepted = client
        .set_invitation_status(&inv.id, InvitationStatus::Accepted, Some(&newbie))
        .await
        .unwrap();
    assert_eq!(accepted.status, InvitationStatus::Accepted);
    assert_eq!(accepted.accepted_user_id.as_deref(), Some(newbie.as_str()));
    assert_eq!(
        client.member_roles(&org, &newbie).await.unwrap()[0].id,
        role
    );
    let again = client
        .set_invitation_status(&inv.id, InvitationStatus::Revoked, None)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("request.invalid_input"));

    client.delete_invitation(&inv.id).await.unwrap();
    assert!(client
        .get_invitation(&inv.id)
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn verification_codes() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let to = CodeTarget::Email("new@example.com".into());
    st.set_email_connector(false);
    let err = client.send_verification_code(&to).await.unwrap_err();
    assert_eq!(err.code(), Some("connector.not_found"));

    st.set_email_connector(true);
    client.send_verification_code(&to).await.unwrap();
    let code = st.last_verification_code("new@example.com").unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = client.verify_code(&to, wrong).await.unwrap_err();
    assert!(err.code().unwrap().starts_with("verification_code."));
    client.verify_code(&to, &code).await.unwrap();
}

#[tokio::test]
async fn logs_and_assets() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let u = user(&st, "lena", "Lena");
    st.add_log(
        Some(&u),
        "Interaction.SignIn.Submit",
        "Success",
        "10.0.0.1",
        "UA/1",
        1_700_000_000_000,
    );
    st.add_log(
        None,
        "Interaction.SignIn.Verification.Password.Submit",
        "Error",
        "10.0.0.2",
        "UA/2",
        1_700_000_000_500,
    );
    let page = client
        .list_logs(&LogQuery {
            user_id: Some(u.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let log = &page.items[0];
    assert_eq!(log.ip(), Some("10.0.0.1"));
    assert_eq!(log.user_agent(), Some("UA/1"));
    assert!(!log.is_error());
    assert_eq!(
        received(&st, "GET", "/api/logs").pop().unwrap().query,
        format!("userId={u}&page=1&page_size=20")
    );

    st.set_storage_configured(false);
    assert!(!client.user_assets_ready().await.unwrap());
    st.set_storage_configured(true);
    assert!(client.user_assets_ready().await.unwrap());
    let url = client
        .upload_user_asset(b"\x89PNG fake".to_vec(), "me.png", "image/png")
        .await
        .unwrap();
    assert!(url.starts_with("http"), "{url}");
}
