//! The settings page: what operators change, what an organization's admin may change
//! (`PORTAL_ADMINS_EDIT_ORG`), messages at the fields.

use super::*;

const ORG_FIELDS: &str = r#"
[[field]]
key = "employee_id"
type = "text"

[[organization_field]]
key = "contract_tier"
label = { en = "Contract tier", zh-TW = "合約等級" }
type = "select"
options = ["basic", "enterprise"]

[[organization_field]]
key = "seats"
label = "Seats"
type = "number"
min = 1
"#;

fn fields_file(text: &str) -> String {
    let dir = std::env::temp_dir().join("logto-portal-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("org-fields-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Every field of the details form, as the page shows them, with some changed.
fn form<'a>(
    changes: &[(&'a str, &'a str)],
    base: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut all: Vec<(&str, &str)> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    all.extend_from_slice(changes);
    all
}

#[tokio::test]
async fn operators_change_every_setting_and_other_custom_data_stays() {
    let app = Spawn::default()
        .env("PORTAL_PROFILE_FIELDS", fields_file(ORG_FIELDS))
        .start()
        .await;
    let acme = acme(&app);
    let plan_before = org_json(&app, &acme)["customData"]["plan"].clone();
    assert!(!plan_before.is_null());
    let op = signed_in(
        &app,
        &app.seed.operator_username.clone(),
        &settings_url(&acme),
    )
    .await;
    let (_, html) = op.get_text(&settings_url(&acme)).await;
    // The tab sits next to Members | Invitations and is the current one.
    let tabs = texts(&html, "nav.tabs a");
    assert_eq!(tabs.len(), 3, "{tabs:?}");
    assert!(tabs[2].starts_with("Settings"));
    assert_eq!(
        attrs(&html, "nav.tabs a[aria-current=page]", "href"),
        vec![settings_url(&acme)]
    );
    for id in [
        "org-name",
        "org-description",
        "org-logo-url",
        "org-dark-logo-url",
        "org-cf-contract-tier",
        "org-cf-seats",
        "org-is-mfa-required",
        "jit",
        "org-danger",
    ] {
        assert_eq!(attrs(&html, &format!("#{id}"), "id").len(), 1, "#{id}");
    }

    let r = op
        .post_form(
            &settings_url(&acme),
            &[
                ("name", "Acme Corporation"),
                ("description", ""),
                ("logo_url", "https://cdn.acme.test/logo.svg"),
                ("dark_logo_url", "https://cdn.acme.test/logo-dark.svg"),
                ("cf_contract_tier", "enterprise"),
                ("cf_seats", "25"),
                ("is_mfa_required", ""),
                ("is_mfa_required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), settings_url(&acme));
    let org = org_json(&app, &acme);
    assert_eq!(org["name"], "Acme Corporation");
    assert_eq!(org["description"], Value::Null);
    assert_eq!(org["branding"]["logoUrl"], "https://cdn.acme.test/logo.svg");
    assert_eq!(
        org["branding"]["darkLogoUrl"],
        "https://cdn.acme.test/logo-dark.svg"
    );
    assert_eq!(org["customData"]["contract_tier"], "enterprise");
    assert_eq!(org["customData"]["seats"], 25);
    assert_eq!(
        org["customData"]["plan"], plan_before,
        "keys the portal does not manage stay"
    );
    assert_eq!(org["isMfaRequired"], true);

    let entries = audit(&app, "org.update").await;
    assert_eq!(entries.len(), 1);
    let fields = details(&entries[0])["fields"].clone();
    assert_eq!(
        fields,
        serde_json::json!([
            "name",
            "description",
            "branding.logoUrl",
            "branding.darkLogoUrl",
            "customData.contract_tier",
            "customData.seats",
            "isMfaRequired"
        ])
    );
    // The page shows the logo as an address only: no image from another host.
    let (_, html) = op.get_text(&settings_url(&acme)).await;
    assert!(html.contains("The changes were saved."));
    assert!(!html.contains("<img src=\"https://cdn.acme.test"), "{html}");
    assert_eq!(
        attrs(&html, "#org-logo-url", "value"),
        vec!["https://cdn.acme.test/logo.svg"]
    );

    // htmx: the section alone with its message; unchanged fields are not sent again.
    let r = op
        .post_htmx(
            &settings_url(&acme),
            &[("name", "Acme Corporation"), ("cf_seats", "30")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html") && html.contains("id=\"org-details\""));
    assert!(html.contains("The changes were saved."));
    let entries = audit(&app, "org.update").await;
    assert_eq!(
        details(&entries[0])["fields"],
        serde_json::json!(["customData.seats"])
    );
    // Nothing changed: nothing sent, nothing recorded.
    app.fake.state().clear_requests();
    let r = op
        .post_htmx(&settings_url(&acme), &[("name", "Acme Corporation")])
        .await;
    assert!(r.text().await.unwrap().contains("Nothing was changed."));
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
    assert_eq!(audit(&app, "org.update").await.len(), 2);
    let (_, html) = op.get_text("/audit?action=org.update").await;
    assert!(html.contains("changed the settings of Acme Corp"), "{html}");
}

#[tokio::test]
async fn refused_values_are_explained_at_their_fields() {
    let app = Spawn::default()
        .env("PORTAL_PROFILE_FIELDS", fields_file(ORG_FIELDS))
        .start()
        .await;
    let acme = acme(&app);
    let before = org_json(&app, &acme);
    let op = signed_in(
        &app,
        &app.seed.operator_username.clone(),
        &settings_url(&acme),
    )
    .await;
    let base = [("name", "Acme Corp")];
    // (the form, the id of the message, what it says)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            form(&[("name", " ")], &base),
            "org-name-error",
            "Enter a name.",
        ),
        (
            form(&[("logo_url", "http://cdn.acme.test/logo.svg")], &base),
            "org-logo-url-error",
            "Use an https address",
        ),
        (
            form(&[("dark_logo_url", "logo.svg")], &base),
            "org-dark-logo-url-error",
            "Enter a full web address",
        ),
        (form(&[("cf_seats", "0")], &base), "org-cf-seats-error", "1"),
        (
            form(&[("cf_contract_tier", "platinum")], &base),
            "org-cf-contract-tier-error",
            "",
        ),
    ];
    for (fields, error_id, says) in cases {
        let r = op.post_form(&settings_url(&acme), &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let html = r.text().await.unwrap();
        let msg = text_of(&html, error_id);
        assert!(!msg.is_empty() && msg.contains(says), "{error_id}: {msg:?}");
        let r = op.post_htmx(&settings_url(&acme), &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(!html.contains("<html"));
        assert!(!text_of(&html, error_id).is_empty());
    }
    assert_eq!(org_json(&app, &acme), before);
    assert!(audit(&app, "org.update").await.is_empty());
}

#[tokio::test]
async fn admins_edit_the_basics_only_when_the_deployer_allows_it() {
    // Off (the default): no tab, and the page and the form are refused.
    let app = common::spawn_app().await;
    let acme = acme(&app);
    let admin = signed_in(
        &app,
        &app.seed.admin_username.clone(),
        &format!("/orgs/{acme}/members"),
    )
    .await;
    let (_, html) = admin.get_text(&format!("/orgs/{acme}/members")).await;
    assert!(!html.contains(&settings_url(&acme)), "no Settings tab");
    assert_eq!(
        admin.get(&settings_url(&acme)).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = admin
        .post_form(&settings_url(&acme), &[("name", "Mine now")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(org_json(&app, &acme)["name"], "Acme Corp");
    let denied = audit(&app, "security.access_denied").await;
    assert!(denied
        .iter()
        .any(|e| e.error_code.as_deref() == Some("org_edit_off")));

    // On: name, description and logos; nothing else, even when posted.
    let app = Spawn::default()
        .env("PORTAL_ADMINS_EDIT_ORG", "true")
        .env("PORTAL_PROFILE_FIELDS", fields_file(ORG_FIELDS))
        .start()
        .await;
    let acme = super::acme(&app);
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let admin = signed_in(
        &app,
        &app.seed.admin_username.clone(),
        &format!("/orgs/{acme}/members"),
    )
    .await;
    let (_, html) = admin.get_text(&format!("/orgs/{acme}/members")).await;
    assert_eq!(
        attrs(&html, "nav.tabs a", "href").last(),
        Some(&settings_url(&acme))
    );
    let (status, html) = admin.get_text(&settings_url(&acme)).await;
    assert_eq!(status, StatusCode::OK);
    for id in [
        "org-name",
        "org-description",
        "org-logo-url",
        "org-dark-logo-url",
    ] {
        assert_eq!(attrs(&html, &format!("#{id}"), "id").len(), 1, "#{id}");
    }
    for id in ["org-is-mfa-required", "org-cf-seats", "jit", "org-danger"] {
        assert!(
            attrs(&html, &format!("#{id}"), "id").is_empty(),
            "#{id} is for operators"
        );
    }
    let r = admin
        .post_form(
            &settings_url(&acme),
            &[
                ("name", "Acme Corp"),
                ("description", "Now with more anvils"),
                ("logo_url", "https://cdn.acme.test/a.png"),
                ("is_mfa_required", "on"),
                ("cf_seats", "99"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let org = org_json(&app, &acme);
    assert_eq!(org["description"], "Now with more anvils");
    assert_eq!(org["branding"]["logoUrl"], "https://cdn.acme.test/a.png");
    assert_eq!(org["isMfaRequired"], false);
    assert!(org["customData"].get("seats").is_none());
    let entries = audit(&app, "org.update").await;
    assert_eq!(
        details(&entries[0])["fields"],
        serde_json::json!(["description", "branding.logoUrl"])
    );
    // A new name shows at once on the admin's own pages (named from the session).
    let r = admin
        .post_form(&settings_url(&acme), &[("name", "Acme Renamed")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&format!("/orgs/{acme}/members")).await;
    assert!(
        texts(&html, "h1").join(" ").contains("Acme Renamed"),
        "{html}"
    );
    admin
        .post_form(&settings_url(&acme), &[("name", "Acme Corp")])
        .await;
    // Not their organization: 404 as everywhere; the operator's parts: 403.
    assert_eq!(
        admin.get(&settings_url(&globex)).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = admin
        .post_form(&settings_url(&globex), &[("name", "Mine")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = admin
        .post_form(
            &format!("/orgs/{acme}/jit/domains"),
            &[("domain", "acme.com")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.fake.state().jit_domains(&acme).is_empty());
    // A plain member never sees it.
    let member = signed_in(&app, &app.seed.member_username.clone(), "/orgs").await;
    assert_eq!(
        member.get(&settings_url(&acme)).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = member
        .post_form(&settings_url(&acme), &[("name", "Mine")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(org_json(&app, &acme)["name"], "Acme Corp");
}

#[tokio::test]
async fn the_settings_page_speaks_both_languages() {
    let app = common::spawn_app().await;
    let acme = acme(&app);
    let op = app.operator().await;
    let r = op
        .client
        .get(op.url(&settings_url(&acme)))
        .header("Accept-Language", "zh-TW")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Acme Corp 的設定"), "{html}");
    assert!(html.contains("即時加入"));
    assert!(
        !html.contains("orgs-") && !html.contains("orgs."),
        "untranslated key"
    );
}
