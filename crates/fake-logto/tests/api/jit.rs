//! Just-in-time provisioning: answers as Logto's `jit/email-domains.ts` and `SchemaRouter`
//! relation routes give them.

use super::*;

#[tokio::test]
async fn jit_domains_roles_and_sso_connectors_answer_like_logto() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let org = st.create_organization("Acme", None);
    let member = st.create_org_role("jit-member", "x");
    let base = format!("/api/organizations/{org}/jit");

    // Domains: any non-empty text (no format check), duplicates 422, unknown ones 404.
    let r = t
        .post(
            &format!("{base}/email-domains"),
            json!({"emailDomain": "acme.com"}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json(),
        json!({"tenantId": "default", "organizationId": org, "emailDomain": "acme.com"})
    );
    let r = t
        .post(
            &format!("{base}/email-domains"),
            json!({"emailDomain": "not a domain"}),
        )
        .await;
    assert_eq!(r.status, 201, "Logto checks only min(1)");
    let r = t
        .post(
            &format!("{base}/email-domains"),
            json!({"emailDomain": "acme.com"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.code(), "entity.unique_integrity_violation");
    let r = t
        .post(&format!("{base}/email-domains"), json!({"emailDomain": ""}))
        .await;
    assert_eq!(r.status, 400);
    let r = t
        .get(&format!("{base}/email-domains?page=1&page_size=1"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("total-number").as_deref(), Some("2"));
    let r = t
        .delete(&format!("{base}/email-domains/not%20a%20domain"))
        .await;
    assert_eq!(r.status, 204);
    let r = t.delete(&format!("{base}/email-domains/other.com")).await;
    assert_eq!(r.status, 404);
    assert_eq!(st.jit_domains(&org), vec!["acme.com"]);
    let r = t
        .put(
            &format!("{base}/email-domains"),
            json!({"emailDomains": ["a.io", "b.io"]}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(st.jit_domains(&org), vec!["a.io", "b.io"]);

    // Roles: relation routes.
    let r = t.get("/api/organizations/nosuchorg/jit/roles").await;
    assert_eq!(r.status, 404);
    let r = t
        .put(
            &format!("{base}/roles"),
            json!({"organizationRoleIds": ["nosuchrole"]}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.code(), "entity.relation_foreign_key_not_found");
    let r = t
        .put(
            &format!("{base}/roles"),
            json!({"organizationRoleIds": [member]}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = t.get(&format!("{base}/roles")).await;
    assert_eq!(r.json()[0]["name"], "jit-member");
    let r = t.delete(&format!("{base}/roles/{member}")).await;
    assert_eq!(r.status, 204);
    let r = t.delete(&format!("{base}/roles/{member}")).await;
    assert_eq!(r.status, 404);

    // SSO connectors: read back what is bound.
    let r = t.get(&format!("{base}/sso-connectors")).await;
    assert_eq!(r.json(), json!([]));
    st.bind_sso_connector(&org, "Acme Okta", "acme.com");
    let r = t.get(&format!("{base}/sso-connectors")).await;
    assert_eq!(r.json()[0]["connectorName"], "Acme Okta");

    // Deleting the organization takes its JIT rows along.
    let r = t.delete(&format!("/api/organizations/{org}")).await;
    assert_eq!(r.status, 204);
    assert!(st.jit_domains(&org).is_empty());
}

#[tokio::test]
async fn sso_connectors_answer_like_logto_with_optional_pagination() {
    let t = TestLogto::start().await;
    let st = t.logto.state();
    let okta = st.add_sso_connector("Okta", "Acme Okta", &["acme.com"], true);
    let saml = st.add_sso_connector("AzureAD", "Globex Entra", &[], false);

    // Without page or page_size: every connector, no Total-Number (koaPagination isOptional).
    let r = t.get("/api/sso-connectors").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("total-number"), None);
    let all = r.json();
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [okta.as_str(), saml.as_str()], "creation order");
    // The stored row, `config` included, with the provider's details.
    let first = &all[0];
    assert_eq!(first["connectorName"], "Acme Okta");
    assert_eq!(first["providerName"], "Okta");
    assert_eq!(first["name"], "Okta");
    assert_eq!(first["providerType"], "oidc");
    assert_eq!(first["domains"], json!(["acme.com"]));
    assert_eq!(first["syncProfile"], true);
    assert_eq!(
        first["config"]["clientSecret"],
        fake_logto::SSO_CONNECTOR_CLIENT_SECRET
    );
    assert!(
        first.get("providerConfig").is_none(),
        "the IdP is not reachable"
    );
    assert_eq!(all[1]["name"], "Microsoft Entra ID (SAML)");
    assert_eq!(all[1]["providerType"], "saml");

    // Paged: Total-Number and the slice.
    let r = t.get("/api/sso-connectors?page=2&page_size=1").await;
    assert_eq!(r.header("total-number").as_deref(), Some("2"));
    assert_eq!(r.json()[0]["id"], saml.as_str());

    // A Logto without the route: gone from its document, 404 before authentication.
    st.withdraw_path("/api/sso-connectors");
    let r = t.get("/api/sso-connectors").await;
    assert_eq!(r.status, 404);
    let doc = t
        .get("/api/.well-known/management.openapi.json")
        .await
        .json();
    assert!(doc["paths"].get("/api/sso-connectors").is_none());
    assert!(doc["paths"].get("/api/sso-connectors/{id}").is_some());
}
