//! Just-in-time membership: verified email domains, default roles, SSO connectors.

use super::*;

fn jit_url(org_id: &str, rest: &str) -> String {
    format!("/orgs/{org_id}/jit/{rest}")
}

/// `(id, name)` of the role checkboxes.
fn role_choices(html: &str) -> Vec<(String, String)> {
    let ids = attrs(html, "#jit input[name=role_ids]", "value");
    let names = texts(html, "#jit .check label");
    ids.into_iter().zip(names).collect()
}

#[tokio::test]
async fn domains_and_default_roles_reach_logto_and_the_effect_is_spelled_out() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    let org = st.create_organization("Acme Rockets", None);
    let op = signed_in(
        &app,
        &app.seed.operator_username.clone(),
        &settings_url(&org),
    )
    .await;
    let (_, html) = op.get_text(&settings_url(&org)).await;
    assert!(text_of(&html, "jit-effect").starts_with("No email domain is verified"));
    assert!(text_of(&html, "jit-sso-effect").contains("(none)"));

    // Added in Logto's form (lower case, no @), shown with its effect.
    let r = op
        .post_form(&jit_url(&org, "domains"), &[("domain", " @Acme.COM ")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{}#jit", settings_url(&org)));
    assert_eq!(st.jit_domains(&org), vec!["acme.com"]);
    let (_, html) = op.get_text(&settings_url(&org)).await;
    assert_eq!(
        text_of(&html, "jit-effect"),
        "People who sign up with an @acme.com address join Acme Rockets without a role."
    );

    // Default role: member.
    let member_role = role_choices(&html)
        .into_iter()
        .find(|(_, n)| n == "member")
        .expect("member role offered")
        .0;
    let r = op
        .post_htmx(&jit_url(&org, "roles"), &[("role_ids", &member_role)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html") && html.contains("id=\"jit\""));
    assert_eq!(st.jit_role_names(&org), vec!["member"]);
    assert_eq!(
        text_of(&html, "jit-effect"),
        "People who sign up with an @acme.com address join Acme Rockets as member."
    );
    assert_eq!(
        attrs(&html, "#jit input[name=role_ids][checked]", "value"),
        vec![member_role.clone()]
    );

    // A second domain, then the first removed.
    let r = op
        .post_htmx(&jit_url(&org, "domains"), &[("domain", "acme.org")])
        .await;
    let html = r.text().await.unwrap();
    assert!(
        text_of(&html, "jit-effect").contains("@acme.com or @acme.org"),
        "{html}"
    );
    let r = op
        .post_form(&jit_url(&org, "domains/remove"), &[("domain", "acme.com")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(st.jit_domains(&org), vec!["acme.org"]);
    // Removing it again: someone else was first, the page says so.
    let r = op
        .post_htmx(&jit_url(&org, "domains/remove"), &[("domain", "acme.com")])
        .await;
    assert!(r.text().await.unwrap().contains("had already been removed"));
    // No role: said as such.
    let r = op.post_form(&jit_url(&org, "roles"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(st.jit_role_names(&org).is_empty());

    // Every change is in the audit trail, in words.
    let added = audit(&app, "org.jit_domain_add").await;
    assert_eq!(added.len(), 2);
    assert_eq!(details(&added[1])["domain"], "acme.com");
    assert_eq!(added[1].org_id.as_deref(), Some(org.as_str()));
    let removed = audit(&app, "org.jit_domain_remove").await;
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[0].result, "failure");
    let roles = audit(&app, "org.jit_roles_set").await;
    assert_eq!(details(&roles[1])["roles"], serde_json::json!(["member"]));
    assert_eq!(details(&roles[0])["roles"], serde_json::json!([]));
    let (_, html) = op.get_text("/audit?page_size=100").await;
    assert!(
        html.contains("made @acme.com a verified domain of Acme Rockets"),
        "{html}"
    );
    assert!(html.contains("removed the verified domain @acme.com from Acme Rockets"));
    assert!(html.contains("set that people joining Acme Rockets by themselves get member"));
}

#[tokio::test]
async fn bad_and_duplicate_domains_are_explained_at_the_field() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    let org = st.create_organization("Domain Co", None);
    let op = signed_in(
        &app,
        &app.seed.operator_username.clone(),
        &settings_url(&org),
    )
    .await;
    for bad in ["not a domain", "acme", "person@acme.com", "-acme.com", ""] {
        let r = op
            .post_form(&jit_url(&org, "domains"), &[("domain", bad)])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        let html = r.text().await.unwrap();
        assert!(
            text_of(&html, "jit-domain-error").starts_with("Enter a domain name"),
            "{bad:?}: {html}"
        );
        assert_eq!(attrs(&html, "#jit-domain", "aria-invalid"), vec!["true"]);
        assert_eq!(
            attrs(&html, "#jit-domain", "value"),
            vec![bad.trim().to_string()]
        );
    }
    assert!(st.jit_domains(&org).is_empty());
    // Logto's 422 for a domain the organization already has.
    let r = op
        .post_form(&jit_url(&org, "domains"), &[("domain", "domain.test")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = op
        .post_htmx(&jit_url(&org, "domains"), &[("domain", "DOMAIN.test")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        text_of(&html, "jit-domain-error"),
        "domain.test is already a verified domain of this organization."
    );
    assert_eq!(st.jit_domains(&org), vec!["domain.test"]);
    let failed = audit(&app, "org.jit_domain_add").await;
    assert_eq!(failed[0].result, "failure");
    assert_eq!(
        failed[0].error_code.as_deref(),
        Some("entity.unique_integrity_violation")
    );
    // A role that does not exist: refused at the roles.
    let r = op
        .post_form(&jit_url(&org, "roles"), &[("role_ids", "nosuchrole1")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text_of(&r.text().await.unwrap(), "jit-roles-error").is_empty());
    assert!(st.jit_role_names(&org).is_empty());
}

#[tokio::test]
async fn bound_sso_connectors_are_listed_read_only() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    let org = st.create_organization("SSO Co", None);
    st.bind_sso_connector(&org, "SSO Co Okta", "sso.test");
    let op = app.operator().await;
    let (_, html) = op.get_text(&settings_url(&org)).await;
    assert_eq!(texts(&html, "#jit .jit-sso-name"), vec!["SSO Co Okta"]);
    assert!(text_of(&html, "jit-sso-effect").contains("also join SSO Co"));
    // Read-only: no form posts to the connectors.
    assert!(!html.contains("sso-connectors"));
}
