//! The tenant at a glance (issue 18): operators see the tenant's applications, global roles
//! (with how many users and applications hold each), organization roles with their scopes,
//! connectors and enterprise SSO connectors, each paged with `Total-Number`; no secret appears
//! anywhere (1.37 still answers applications' `secret`; connectors and SSO connectors carry
//! their `config`). The tabs swap the section with htmx, the tab bar following out of band.
//! Through real HTTP against the fake Logto; run with `FAKE_LOGTO_VERSION=1.37` and `1.42`.

#[path = "../common/mod.rs"]
mod common;

use common::{texts, Browser};
use reqwest::StatusCode;

async fn page(b: &Browser, path: &str) -> String {
    let (status, html) = b.get_text(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {html}");
    html
}

fn app_ids() -> [String; 2] {
    let cfg = fake_logto::FakeLogtoConfig::default();
    [cfg.web_app_id, cfg.m2m_app_id]
}

#[tokio::test]
async fn applications_match_the_fake_and_no_secret_shows() {
    let app = common::spawn_app().await;
    let b = app.operator().await;
    let html = page(&b, "/tenant").await;
    assert_eq!(
        texts(&html, ".tenant-apps tbody th"),
        ["Portal web", "Portal M2M"]
    );
    let kinds = texts(&html, ".tenant-apps tbody td.app-type");
    assert_eq!(kinds.len(), 2);
    assert!(kinds[0].ends_with("Traditional web"), "{kinds:?}");
    assert!(kinds[1].ends_with("Machine-to-machine"), "{kinds:?}");
    assert!(html.contains(&app_ids()[0]), "the id is shown");
    assert!(html.contains("1–2 of 2"), "the count");
    assert!(texts(&html, "nav.mainnav a[aria-current=page]") == ["Tenant"]);

    // Neither the applications' secrets (1.37 answers them) nor a connector's config shows,
    // on any section, whole page or fragment.
    let mut secrets: Vec<String> = app_ids()
        .iter()
        .filter_map(|id| app.fake.state().internal_secret(id))
        .collect();
    assert!(!secrets.is_empty(), "the fake keeps internal secrets");
    app.fake.state().set_email_connector(true);
    secrets.push(fake_logto::EMAIL_CONNECTOR_API_KEY.to_string());
    secrets.push(fake_logto::SSO_CONNECTOR_CLIENT_SECRET.to_string());
    for section in [
        "applications",
        "resources",
        "roles",
        "org-roles",
        "connectors",
        "sso",
    ] {
        let path = format!("/tenant?section={section}");
        for html in [
            page(&b, &path).await,
            b.get_htmx(&path).await.text().await.unwrap(),
        ] {
            for secret in &secrets {
                assert!(!html.contains(secret.as_str()), "{section} shows a secret");
            }
            assert!(!html.contains("#internal:"), "{section}");
        }
    }
}

#[tokio::test]
async fn roles_with_their_counts_paged_with_total_number() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    for i in 0..25 {
        st.create_role(&format!("extra-{i:02}"), "An extra role");
    }
    let fake = st.role_counts();
    assert!(fake.len() > 20, "more than one page");
    let b = app.operator().await;
    let html = page(&b, "/tenant?section=roles").await;
    let names = texts(&html, ".tenant-roles tbody th");
    let users = texts(&html, ".tenant-roles tbody td.role-users");
    assert_eq!(names.len(), 20);
    for (i, (name, count)) in fake.iter().take(20).enumerate() {
        assert_eq!(&names[i], name);
        assert!(
            users[i].ends_with(&count.to_string()),
            "{name}: {}",
            users[i]
        );
    }
    let operator_row = fake
        .iter()
        .position(|(n, _)| n == "portal-operator")
        .expect("seeded");
    assert!(fake[operator_row].1 >= 1, "someone is an operator");
    assert!(
        html.contains(&format!("1–20 of {}", fake.len())),
        "Total-Number"
    );
    // Page 2 through htmx: only the region, with the rest of the roles.
    let r = b.get_htmx("/tenant?section=roles&page=2").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers().get("hx-push-url").unwrap(),
        "/tenant?section=roles&page=2&page_size=20"
    );
    let fragment = r.text().await.unwrap();
    assert!(!fragment.contains("<html"), "a fragment");
    assert!(!fragment.contains("class=\"page-header\""), "no header");
    let rest: Vec<String> = fake.iter().skip(20).map(|(n, _)| n.clone()).collect();
    assert_eq!(texts(&fragment, ".tenant-roles tbody th"), rest);
    // The same address without htmx: the whole page, tabs included.
    let full = page(&b, "/tenant?section=roles&page=2").await;
    assert!(full.contains("<html"));
    assert_eq!(
        texts(&full, ".tabs a[aria-current=page]"),
        ["Roles"],
        "the current tab"
    );
}

#[tokio::test]
async fn connectors_say_what_they_make_possible() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    app.fake.state().set_sms_connector(true);
    let b = app.operator().await;
    let html = page(&b, "/tenant?section=connectors").await;
    assert_eq!(
        texts(&html, ".tenant-connectors tbody th"),
        ["GitHub", "Email", "SMS"]
    );
    let enables = texts(&html, ".tenant-connectors tbody td.connector-enables");
    assert!(enables[0].contains("Linking accounts"), "{enables:?}");
    assert!(enables[1].contains("Invitation emails"), "{enables:?}");
    assert!(enables[2].contains("Phone number changes"), "{enables:?}");
    assert!(html.contains("1–3 of 3"));
}

#[tokio::test]
async fn only_operators_see_the_tenant() {
    let app = common::spawn_app().await;
    for b in [app.admin().await, app.member().await] {
        let (status, html) = b.get_text("/tenant").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!html.contains("Portal M2M"));
        assert!(
            !html.contains("href=\"/tenant\""),
            "no link in their navigation"
        );
    }
    let r = app.browser().get("/tenant").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_page_in_both_languages() {
    let app = common::spawn_app().await;
    let b = app.operator().await;
    for lang in ["en", "zh-TW"] {
        let r = b
            .get(&format!("/lang/{lang}?return_to=/tenant?section=roles"))
            .await;
        assert!(r.status().is_redirection());
        let html = page(&b, "/tenant?section=roles").await;
        insta::assert_snapshot!(
            format!("tenant_roles_{lang}"),
            common::snapshot::main_markup(&html)
        );
    }
}

#[tokio::test]
async fn a_logto_failure_reads_plainly_with_a_retry() {
    let app = common::spawn_app().await;
    let b = app.operator().await;
    app.fake.state().fail_next_api(20, 500);
    for fragment in [false, true] {
        let r = if fragment {
            b.get_htmx("/tenant?section=roles").await
        } else {
            b.get("/tenant?section=roles").await
        };
        assert!(r.status().is_server_error(), "{}", r.status());
        let html = r.text().await.unwrap();
        assert!(html.contains("details could not be loaded."), "{html}");
        assert_eq!(
            common::attrs(&html, "#tenant-retry", "href"),
            ["/tenant?section=roles&page=1&page_size=20"]
        );
        assert!(!html.contains("Internal server error."), "no raw body");
    }
}

#[tokio::test]
async fn organization_roles_with_their_scopes() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    let admin_role = st.create_org_role("auditor", "Reads the organization's trail");
    st.grant_org_scope(&admin_role, "read:audit");
    st.grant_org_scope(&admin_role, "read:members");
    let b = app.operator().await;
    let path = "/tenant?section=org-roles";
    let html = page(&b, path).await;
    // Logto orders organization roles by name; the seeded admin and member, and the new one.
    assert_eq!(
        texts(&html, ".tenant-org-roles tbody th"),
        ["admin", "auditor", "member"]
    );
    assert_eq!(
        texts(&html, &format!("#org-role-{admin_role} .badge")),
        ["read:audit", "read:members"]
    );
    assert!(html.contains("1–3 of 3"), "Total-Number");
    assert_eq!(
        texts(&html, ".tabs a[aria-current=page]"),
        ["Organization roles"]
    );
    let fragment = b.get_htmx(path).await.text().await.unwrap();
    assert!(!fragment.contains("<html"));
    assert_eq!(texts(&fragment, ".tenant-org-roles tbody th").len(), 3);
}

#[tokio::test]
async fn api_resources_with_their_scopes() {
    let app = common::spawn_app().await;
    let b = app.operator().await;
    let path = "/tenant?section=resources";
    let html = page(&b, path).await;
    // The fake's seeded API, then the Management API every tenant has.
    assert_eq!(
        texts(&html, ".tenant-resources tbody th"),
        [fake_logto::DEMO_API_NAME, "Logto Management API"]
    );
    let indicators = texts(&html, ".tenant-resources tbody td.resource-indicator code");
    assert_eq!(
        indicators,
        [
            fake_logto::DEMO_API_INDICATOR.to_string(),
            fake_logto::FakeLogtoConfig::default().resource
        ]
    );
    assert_eq!(
        texts(&html, ".tenant-resources tbody tr:first-child .badge"),
        fake_logto::DEMO_API_SCOPES
    );
    assert_eq!(
        texts(&html, ".tenant-resources tbody tr:last-child .badge"),
        ["all"]
    );
    assert!(html.contains("1–2 of 2"), "Total-Number");
    // One call for the page: the scopes come with the list.
    let calls: Vec<String> = app
        .fake
        .state()
        .api_requests()
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.starts_with("/api/resources"))
        .collect();
    assert_eq!(calls, ["/api/resources"]);
}

#[tokio::test]
async fn sso_connectors_match_the_fake_and_no_secret_shows() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    // The seed: Acme's Okta (OIDC, bound to Acme's just-in-time membership) and Globex's SAML.
    let seeded = st.sso_connector_names();
    assert_eq!(seeded, ["Acme Okta", "Globex SAML"]);
    let google = st.add_sso_connector(
        "GoogleWorkspace",
        "Initech Google",
        &["initech.test", "initech.example"],
        true,
    );
    let b = app.operator().await;
    let path = "/tenant?section=sso";
    let html = page(&b, path).await;
    assert_eq!(
        texts(&html, ".tenant-sso tbody th"),
        ["Acme Okta", "Globex SAML", "Initech Google"]
    );
    let providers = texts(&html, ".tenant-sso tbody td.sso-provider");
    assert!(providers[0].ends_with("OIDC"), "{providers:?}");
    assert!(providers[1].ends_with("SAML"), "{providers:?}");
    assert!(providers[2].ends_with("Google Workspace"), "{providers:?}");
    assert_eq!(
        texts(&html, ".tenant-sso tbody tr:first-child .badge"),
        ["acme.test"]
    );
    assert_eq!(
        texts(&html, &format!("#sso-{google} .badge")),
        ["initech.test", "initech.example"]
    );
    let synced = texts(&html, ".tenant-sso tbody td.sso-sync");
    assert!(synced[0].ends_with("No"), "{synced:?}");
    assert!(synced[1].ends_with("Yes"), "{synced:?}");
    let enables = texts(&html, ".tenant-sso tbody td.sso-enables");
    assert!(
        enables.iter().all(|e| e.contains("identity provider")),
        "{enables:?}"
    );
    assert!(html.contains("1–3 of 3"), "Total-Number");
    assert_eq!(
        texts(&html, ".tabs a[aria-current=page]"),
        ["SSO connectors"]
    );
    // Which organizations use each connector would cost a call per organization: the page
    // points to their settings instead.
    assert_eq!(texts(&html, "#tenant-sso-orgs").len(), 1);
    // One paged call, its `config` (client secrets) never on the page nor in the fragment.
    let calls: Vec<(String, String)> = st
        .api_requests()
        .into_iter()
        .filter(|r| r.path.contains("sso-connectors"))
        .map(|r| (r.path, r.query))
        .collect();
    assert_eq!(
        calls,
        [(
            "/api/sso-connectors".to_string(),
            "page=1&page_size=20".to_string()
        )]
    );
    let fragment = b.get_htmx(path).await.text().await.unwrap();
    for markup in [&html, &fragment] {
        assert!(!markup.contains(fake_logto::SSO_CONNECTOR_CLIENT_SECRET));
        assert!(!markup.contains("clientSecret"));
        assert!(!markup.contains(".idp.test"), "nothing of the config");
    }
}

#[tokio::test]
async fn sso_connectors_page_with_total_number() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    for i in 0..25 {
        st.add_sso_connector("Okta", &format!("Extra Okta {i:02}"), &[], false);
    }
    let all = st.sso_connector_names();
    assert_eq!(all.len(), 27);
    let b = app.operator().await;
    let html = page(&b, "/tenant?section=sso").await;
    assert_eq!(texts(&html, ".tenant-sso tbody th"), all[..20]);
    assert!(html.contains("1–20 of 27"), "Total-Number");
    let r = b.get_htmx("/tenant?section=sso&page=2").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers().get("hx-push-url").unwrap(),
        "/tenant?section=sso&page=2&page_size=20"
    );
    let fragment = r.text().await.unwrap();
    assert!(!fragment.contains("<html"), "a fragment");
    assert_eq!(texts(&fragment, ".tenant-sso tbody th"), all[20..]);
    assert!(fragment.contains("21–27 of 27"));
    let empty = texts(&fragment, ".tenant-sso tbody td.sso-domains .muted");
    assert_eq!(empty, vec!["No domains"; 7]);
}

#[tokio::test]
async fn a_logto_without_the_sso_list_says_so_instead_of_failing() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    st.withdraw_path("/api/sso-connectors");
    let caps = app.state.logto.refresh_capabilities().await.unwrap();
    assert!(!caps.has(logto_portal::logto::Feature::SsoConnectors));
    let b = app.operator().await;
    for html in [
        page(&b, "/tenant?section=sso").await,
        b.get_htmx("/tenant?section=sso")
            .await
            .text()
            .await
            .unwrap(),
    ] {
        let notice = texts(&html, "#tenant-sso-undeclared");
        assert_eq!(notice.len(), 1, "{html}");
        assert!(notice[0].contains("GET /api/sso-connectors"), "{notice:?}");
        assert!(texts(&html, ".tenant-sso").is_empty());
        assert!(!html.contains("Nothing here yet."));
    }
    assert!(
        !st.api_requests()
            .iter()
            .any(|r| r.path == "/api/sso-connectors"),
        "nothing asked of a Logto that does not declare it"
    );
    // The other sections are unaffected.
    let html = page(&b, "/tenant?section=connectors").await;
    assert!(!texts(&html, ".tenant-connectors tbody th").is_empty());
}

#[tokio::test]
async fn a_tab_swaps_the_section_with_htmx_and_the_tab_bar_follows() {
    let app = common::spawn_app().await;
    let b = app.operator().await;
    // The whole page: every tab a plain link (no JavaScript) that htmx turns into a swap.
    let full = page(&b, "/tenant").await;
    let hrefs = common::attrs(&full, "#page-tabs a", "href");
    assert_eq!(hrefs.len(), 6);
    assert_eq!(common::attrs(&full, "#page-tabs a", "hx-get"), hrefs);
    assert_eq!(
        common::attrs(&full, "#page-tabs a", "hx-target"),
        vec!["#tenant-section"; 6]
    );
    assert_eq!(
        common::attrs(&full, "#page-tabs a", "hx-push-url"),
        vec!["true"; 6]
    );
    assert!(common::attrs(&full, "#page-tabs", "hx-swap-oob").is_empty());
    assert_eq!(texts(&full, "#page-tabs").len(), 1, "one tab bar");

    // A tab through htmx: the section only, with the tab bar out of band, its current tab
    // moved; the address bar follows.
    let r = b.get_htmx("/tenant?section=org-roles").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers().get("hx-push-url").unwrap(),
        "/tenant?section=org-roles&page=1&page_size=20"
    );
    let fragment = r.text().await.unwrap();
    assert!(!fragment.contains("<html"), "a fragment, not the page");
    assert!(!fragment.contains("class=\"page-header\""));
    assert!(
        !fragment.contains("id=\"tenant-section\""),
        "the region's content"
    );
    assert_eq!(
        common::attrs(&fragment, "nav#page-tabs", "hx-swap-oob"),
        ["true"]
    );
    assert_eq!(
        texts(&fragment, "#page-tabs a[aria-current=page]"),
        ["Organization roles"]
    );
    assert!(!texts(&fragment, ".tenant-org-roles tbody th").is_empty());
    assert!(texts(&fragment, ".tenant-apps").is_empty());
}
