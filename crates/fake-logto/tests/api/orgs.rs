//! Organizations, members, roles and invitations.

use super::*;

#[tokio::test]
pub(crate) async fn organizations_members_and_roles() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let r = t.post("/api/organizations", json!({"name": "Acme"})).await;
    assert_eq!(r.status, 201);
    let org = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json()["tenantId"], "default");
    let ids: Vec<String> = ["zed", "amy", "kim"]
        .iter()
        .map(|n| st.create_user(user(n, Some(&format!("{n}@x.io")), n)))
        .collect();
    let r = t
        .post(
            &format!("/api/organizations/{org}/users"),
            json!({"userIds": ids}),
        )
        .await;
    assert_eq!(r.status, 201);
    if common::version().at_least(39) {
        assert_eq!(r.json(), json!({"userIds": ids}));
    } else {
        assert_eq!(r.text, "Created");
    }
    let r = t
        .post(
            &format!("/api/organizations/{org}/users"),
            json!({"userIds": ["nosuch"]}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "entity.relation_foreign_key_not_found".into())
    );
    st.create_org_role("member", "m");
    st.create_org_role("admin", "a");
    let r = t
        .post(
            &format!("/api/organizations/{org}/users/{}/roles", ids[0]),
            json!({"organizationRoleNames": ["member", "admin"]}),
        )
        .await;
    assert_eq!(r.status, 201);
    if common::version().at_least(39) {
        assert_eq!(r.json()["organizationRoleIds"].as_array().unwrap().len(), 2);
    } else {
        assert_eq!(r.text, "Created");
    }
    let r = t
        .post(
            &format!("/api/organizations/{org}/users/{}/roles", ids[0]),
            json!({"organizationRoleNames": ["nosuch"]}),
        )
        .await;
    assert_eq!(r.code(), "organization.role_names_not_found");
    // members by user id asc, roles by name
    let r = t.get(&format!("/api/organizations/{org}/users")).await;
    let got: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(got, sorted);
    let zed = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == ids[0].as_str())
        .unwrap()
        .clone();
    let names: Vec<&str> = zed["organizationRoles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["admin", "member"]);
    assert!(zed.get("hasPassword").is_none());
    // q search and role filter
    // (`q` also matches random ids: an `@` keeps the match to the address, case-insensitively.)
    let r = t
        .get(&format!("/api/organizations/{org}/users?q=AMY%40X"))
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let roles = t.get("/api/organization-roles").await.json();
    let admin_id = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "admin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t
        .get(&format!(
            "/api/organizations/{org}/users?organizationRoleId={admin_id}"
        ))
        .await;
    // the filter came in 1.41; 1.37 ignores it and lists every member
    let expected = if common::version().at_least(41) {
        "1"
    } else {
        "3"
    };
    assert_eq!(r.header("total-number").as_deref(), Some(expected));
    // non-members
    let outsider = st.create_user(user("out", None, "o"));
    let r = t
        .get(&format!("/api/organizations/{org}/users/{outsider}/roles"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "organization.require_membership".into())
    );
    assert_eq!(
        t.delete(&format!("/api/organizations/{org}/users/{outsider}"))
            .await
            .code(),
        "entity.not_found"
    );
    assert_eq!(
        t.get("/api/organizations/nosuch/users").await.json(),
        json!([])
    );
    // user's organizations with roles; token claims source
    let r = t.get(&format!("/api/users/{}/organizations", ids[0])).await;
    assert_eq!(
        r.json()[0]["organizationRoles"].as_array().unwrap().len(),
        2
    );
    // PUT replace members drops roles
    t.put(
        &format!("/api/organizations/{org}/users"),
        json!({"userIds": [ids[1]]}),
    )
    .await;
    assert_eq!(
        t.get(&format!("/api/organizations/{org}/users"))
            .await
            .header("total-number")
            .as_deref(),
        Some("1")
    );
    // org roles list ordered by name with scopes arrays; duplicates
    let r = t.get("/api/organization-roles").await;
    let list = r.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["admin", "member"]);
    assert_eq!(r.json()[0]["scopes"], json!([]));
    assert_eq!(
        t.post("/api/organization-roles", json!({"name": "admin"}))
            .await
            .code(),
        "entity.unique_integrity_violation"
    );
    // orgs q
    t.post("/api/organizations", json!({"name": "Globex"}))
        .await;
    let r = t.get("/api/organizations?q=glob").await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert_eq!(
        t.delete(&format!("/api/organizations/{org}")).await.status,
        204
    );
}

#[tokio::test]
pub(crate) async fn invitations_rules() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let org = st.create_organization("Acme", None);
    st.create_org_role("member", "m");
    let member = st.create_user(user("mem", Some("mem@x.io"), "Mem"));
    let other = st.create_user(user("oth", Some("other@x.io"), "Oth"));
    st.add_member(&org, &member, &[]);
    let future = now_ms() + 3_600_000;
    let body =
        |invitee: &str| json!({"invitee": invitee, "organizationId": org, "expiresAt": future});
    let r = t
        .post(
            "/api/organization-invitations",
            json!({"invitee": "a@x.io", "organizationId": org, "expiresAt": 1000}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "request.invalid_input".into())
    );
    let r = t
        .post("/api/organization-invitations", body("mem@x.io"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "request.invalid_input".into())
    );
    let r = t
        .post(
            "/api/organization-invitations",
            json!({"invitee": "a@x.io", "organizationId": "nosuch", "expiresAt": future}),
        )
        .await;
    assert_eq!(r.code(), "entity.relation_foreign_key_not_found");
    // no email connector: 501 and nothing stored
    let mut b = body("new@x.io");
    b["messagePayload"] = json!({"link": "https://portal/invite"});
    let r = t.post("/api/organization-invitations", b.clone()).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (501, "connector.not_found".into())
    );
    assert_eq!(
        t.get("/api/organization-invitations").await.json(),
        json!([])
    );
    st.set_email_connector(true);
    let r = t.post("/api/organization-invitations", b).await;
    assert_eq!(r.status, 201);
    let inv = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(inv.len(), 21);
    let sent = st.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, MessageKind::OrganizationInvitation);
    assert_eq!(sent[0].to, "new@x.io");
    assert_eq!(sent[0].payload["link"], "https://portal/invite");
    let r = t
        .post("/api/organization-invitations", body("new@x.io"))
        .await;
    assert_eq!(r.code(), "entity.unique_integrity_violation");
    assert_eq!(
        t.post(
            &format!("/api/organization-invitations/{inv}/message"),
            json!({"link": "x"})
        )
        .await
        .status,
        204
    );
    assert_eq!(st.sent_messages().len(), 2);
    // accept: user required, email must match, then membership with roles
    let r = t
        .put(
            &format!("/api/organization-invitations/{inv}/status"),
            json!({"status": "Accepted"}),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = t
        .put(
            &format!("/api/organization-invitations/{inv}/status"),
            json!({"status": "Accepted", "acceptedUserId": other}),
        )
        .await;
    assert!(r.json()["message"].as_str().unwrap().contains("same email"));
    let newbie = st.create_user(user("newbie", Some("NEW@x.io"), "N"));
    let r = t
        .put(
            &format!("/api/organization-invitations/{inv}/status"),
            json!({"status": "Accepted", "acceptedUserId": newbie}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "Accepted");
    assert_eq!(r.json()["acceptedUserId"], newbie.as_str());
    let members = t.get(&format!("/api/organizations/{org}/users")).await;
    assert!(members.text.contains(&newbie));
    let r = t
        .put(
            &format!("/api/organization-invitations/{inv}/status"),
            json!({"status": "Revoked"}),
        )
        .await;
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("cannot be changed anymore"));
    assert_eq!(
        t.put(
            &format!("/api/organization-invitations/{inv}/status"),
            json!({"status": "Expired"})
        )
        .await
        .code(),
        "guard.invalid_input"
    );
    // computed Expired, filters, order
    let old = st.create_invitation(
        &org,
        Some(&member),
        "late@x.io",
        &["member"],
        now_ms() - 1000,
        "Pending",
    );
    let r = t.get(&format!("/api/organization-invitations/{old}")).await;
    assert_eq!(r.json()["status"], "Expired");
    assert_eq!(r.json()["organizationRoles"][0]["name"], "member");
    let r = t
        .put(
            &format!("/api/organization-invitations/{old}/status"),
            json!({"status": "Revoked"}),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = t
        .get("/api/organization-invitations?invitee=LATE@X.IO")
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert!(r.header("total-number").is_none());
    let r = t
        .get(&format!("/api/organization-invitations?inviterId={member}"))
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let all = t
        .get(&format!(
            "/api/organization-invitations?organizationId={org}"
        ))
        .await
        .json();
    assert_eq!(all[0]["id"], old.as_str(), "createdAt desc");
    assert_eq!(
        t.delete(&format!("/api/organization-invitations/{old}"))
            .await
            .status,
        204
    );
    assert_eq!(
        t.delete(&format!("/api/organization-invitations/{old}"))
            .await
            .status,
        404
    );
}
