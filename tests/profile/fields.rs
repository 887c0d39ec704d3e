//! Profile fields and the deployer's custom fields.

use super::*;

// ---------------------------------------------------------------------------------------
// Profile fields

#[tokio::test]
async fn profile_fields_merge_keeps_untouched_keys() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    // Keys the page does not show, set by another application.
    let mut seed = serde_json::Map::new();
    seed.insert("preferredUsername".into(), json!("mia-pref"));
    seed.insert("familyName".into(), json!("Member"));
    app.state
        .logto
        .update_user_profile(&id, &seed)
        .await
        .unwrap();

    let fragment = member
        .get_htmx("/profile/details/edit")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        attr(&fragment, "#details-given-name", "value").as_deref(),
        Some("Mia")
    );
    assert_eq!(
        attr(&fragment, "#details-family-name", "value").as_deref(),
        Some("Member")
    );
    // Language and time zone are chosen from lists (issue 20, point 10).
    assert!(exists(
        &fragment,
        "select#details-locale option[value=\"zh-TW\"]"
    ));
    assert!(exists(
        &fragment,
        "select#details-zoneinfo option[value=\"Asia/Taipei\"]"
    ));

    // Someone else sets the middle name while the form is open.
    let mut other = serde_json::Map::new();
    other.insert("middleName".into(), json!("Elsewhere"));
    app.state
        .logto
        .update_user_profile(&id, &other)
        .await
        .unwrap();

    app.fake.state().clear_requests();
    let mut form: Vec<(&str, &str)> = vec![
        ("given_name", "Mia"),
        ("was_given_name", "Mia"),
        ("middle_name", ""),
        ("was_middle_name", ""),
        ("family_name", "Member"),
        ("was_family_name", "Member"),
        ("nickname", "Mimi"),
        ("was_nickname", ""),
        ("birthdate", "1990-04-01"),
        ("was_birthdate", ""),
        ("zoneinfo", "Asia/Taipei"),
        ("was_zoneinfo", ""),
        ("locality", "Taipei"),
        ("was_locality", ""),
        ("country", "TW"),
        ("was_country", ""),
    ];
    let r = member.post_htmx("/profile/details", &form).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(fragment.contains("Mimi"));
    assert!(text(&fragment, "#details #details-status").contains("Your profile was saved."));

    let profile = user(&app, &id)["profile"].clone();
    assert_eq!(profile["nickname"], "Mimi");
    assert_eq!(profile["birthdate"], "1990-04-01");
    assert_eq!(profile["zoneinfo"], "Asia/Taipei");
    assert_eq!(
        profile["address"],
        json!({"locality": "Taipei", "country": "TW"})
    );
    assert_eq!(
        profile["preferredUsername"], "mia-pref",
        "a key the page does not show survives"
    );
    assert_eq!(
        profile["middleName"], "Elsewhere",
        "a field the person did not touch survives"
    );
    assert_eq!(profile["givenName"], "Mia");

    // Only the merging route, only the changed keys.
    let reqs: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, format!("/api/users/{id}/profile"));
    let sent: Value = serde_json::from_str(&reqs[0].body).unwrap();
    let mut keys: Vec<_> = sent["profile"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(keys, ["address", "birthdate", "nickname", "zoneinfo"]);

    let entries = audit_of(&app, "profile.update_profile").await;
    assert_eq!(entries.len(), 1);
    let mut fields: Vec<String> =
        serde_json::from_value(details(&entries[0])["fields"].clone()).unwrap();
    fields.sort();
    assert_eq!(fields, ["address", "birthdate", "nickname", "zoneinfo"]);

    // Bad values come back at their fields, nothing is sent.
    app.fake.state().clear_requests();
    form = vec![
        ("birthdate", "2023-02-30"),
        ("website", "javascript:alert(1)"),
        ("locale", "not a locale"),
        ("zoneinfo", "Asia//Taipei"),
    ];
    let r = member.post_htmx("/profile/details", &form).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["birthdate", "website", "locale", "zoneinfo"] {
        assert!(exists(&fragment, &format!("#details-{f}-error")), "{f}");
    }
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
}

// ---------------------------------------------------------------------------------------
// Custom fields

#[tokio::test]
async fn custom_fields_validate_and_touch_only_defined_keys() {
    let app = Spawn::default()
        .env("PORTAL_PROFILE_FIELDS", profile_fields_file(FIELDS))
        .start()
        .await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let mut seed = serde_json::Map::new();
    seed.insert("department".into(), json!("sales"));
    seed.insert("other_app".into(), json!({"keep": true}));
    app.state
        .logto
        .update_custom_data(&id, &seed)
        .await
        .unwrap();

    let (_, html) = member.get_text("/profile").await;
    assert!(exists(&html, "section#custom"));
    let shown = text(&html, "#custom dl");
    assert!(shown.contains("Department sales"), "{shown}");
    assert!(shown.contains("Employee ID"));

    let fragment = member
        .get_htmx("/profile/custom/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(&fragment, "#custom-cf-employee-id[required]"));
    assert!(exists(&fragment, "input#custom-cf-shoe-size[type=number]"));
    assert!(exists(
        &fragment,
        "input#custom-cf-newsletter[type=checkbox]"
    ));
    // The read-only field is shown, not editable.
    assert!(!exists(&fragment, "[name=cf_department]"));
    assert!(text(&fragment, "#custom dl").contains("read-only"));

    app.fake.state().clear_requests();
    let r = member
        .post_htmx(
            "/profile/custom",
            &[
                ("cf_employee_id", "X1"),
                ("cf_shoe_size", "12"),
                ("cf_start_date", "2024-13-01"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#custom-cf-employee-id-error").contains("format"));
    assert!(text(&fragment, "#custom-cf-shoe-size-error").contains("at least 30"));
    assert!(exists(&fragment, "#custom-cf-start-date-error"));
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));

    let r = member
        .post_htmx(
            "/profile/custom",
            &[
                ("cf_employee_id", "E12345"),
                ("cf_shoe_size", "42"),
                ("cf_newsletter", ""),
                ("cf_newsletter", "on"),
                ("cf_start_date", ""),
                // Tampering: a read-only field and an undefined key.
                ("cf_department", "engineering"),
                ("cf_other_app", "hacked"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let data = user(&app, &id)["customData"].clone();
    assert_eq!(data["employee_id"], "E12345");
    assert_eq!(data["shoe_size"], 42);
    assert_eq!(data["newsletter"], true);
    assert_eq!(
        data["department"], "sales",
        "read-only fields are never written"
    );
    assert_eq!(
        data["other_app"],
        json!({"keep": true}),
        "undefined keys are never touched"
    );
    let reqs: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, format!("/api/users/{id}/custom-data"));
    let sent: Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"customData": {"employee_id": "E12345", "shoe_size": 42, "newsletter": true}})
    );

    // Unticking the box stores false; the other fields are untouched.
    let r = member
        .post_htmx(
            "/profile/custom",
            &[
                ("cf_employee_id", "E12345"),
                ("was_cf_employee_id", "E12345"),
                ("cf_newsletter", ""),
                ("was_cf_newsletter", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let data = user(&app, &id)["customData"].clone();
    assert_eq!(data["newsletter"], false);
    assert_eq!(data["shoe_size"], 42);

    let entries = audit_of(&app, "profile.update_custom").await;
    assert_eq!(entries.len(), 2);
    assert!(entries
        .iter()
        .any(|e| details(e) == json!({"fields": ["newsletter"]})));
}

#[tokio::test]
async fn a_broken_profile_fields_file_stops_start_up() {
    let path = profile_fields_file("[[field]]\nkey = \"x\"\ntype = \"select\"\n");
    let vars = |k: &str| match k {
        "LOGTO_ENDPOINT" => Some("http://127.0.0.1:1".to_string()),
        "LOGTO_M2M_APP_ID" | "LOGTO_M2M_APP_SECRET" | "LOGTO_APP_ID" | "LOGTO_APP_SECRET" => {
            Some("x".to_string())
        }
        "PORTAL_PROFILE_FIELDS" => Some(path.clone()),
        _ => None,
    };
    let e = logto_portal::config::Config::from_lookup(vars).unwrap_err();
    assert_eq!(e.var, "PORTAL_PROFILE_FIELDS");
    assert!(e.to_string().contains("needs options"), "{e}");
}
