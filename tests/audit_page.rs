//! The audit trail page (issue 8): visibility per role, filters, paging, exports.

mod common;

use common::{spawn_app, TestApp};
use logto_portal::audit::{Actor, NewEntry, Origin};
use reqwest::StatusCode;

async fn seed_entries(app: &TestApp) -> (String, String) {
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let actor = Actor {
        id: Some("actor1".into()),
        name: Some("Ada Actor".into()),
        email: Some("ada@example.com".into()),
    };
    let origin = Origin {
        request_id: Some("req-123".into()),
        ip: Some("203.0.113.9".into()),
        user_agent: Some("TestAgent/1.0".into()),
    };
    for n in 0..25 {
        app.state
            .audit
            .record(
                NewEntry::new("member.add", actor.clone(), origin.clone())
                    .target("user", &format!("u{n}"), Some(&format!("Person {n}")))
                    .org(&acme),
            )
            .await
            .unwrap();
    }
    app.state
        .audit
        .record(
            NewEntry::new("member.remove", actor.clone(), origin.clone())
                .target("user", "secret-globex-user", Some("=cmd|' /C calc'!A0"))
                .org(&globex)
                .failed("organization.require_membership"),
        )
        .await
        .unwrap();
    (acme, globex)
}

#[tokio::test]
async fn visibility_follows_the_role() {
    let app = spawn_app().await;
    let (_acme, _globex) = seed_entries(&app).await;

    let op = app.operator().await;
    let (status, html) = op.get_text("/audit?page_size=100").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("secret-globex-user"),
        "operators see everything"
    );
    assert!(html.contains("Person 3"));
    assert!(html.contains("req-123") && html.contains("203.0.113.9"));
    assert!(
        html.contains("href=\"/users/actor1\""),
        "operators get actor links"
    );

    let admin = app.admin().await;
    let (status, html) = admin.get_text("/audit?page_size=100").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Person 3"), "admin of Acme sees Acme entries");
    assert!(
        !html.contains("secret-globex-user"),
        "…but not Globex entries"
    );
    assert!(!html.contains("href=\"/users/actor1\""));
    // Asking for another organization by URL gives nothing from it.
    let globex = app.fake.state().find_org_id_by_name("Globex").unwrap();
    let (_, html) = admin.get_text(&format!("/audit?org={globex}")).await;
    assert!(!html.contains("secret-globex-user"));
    let r = admin
        .get(&format!("/audit/export.jsonl?org={globex}"))
        .await;
    assert_eq!(r.text().await.unwrap(), "");

    let member = app.member().await;
    assert_eq!(member.get("/audit").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        member.get("/audit/export.csv").await.status(),
        StatusCode::FORBIDDEN
    );

    let anon = app.browser();
    assert_eq!(anon.get("/audit").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn filters_paging_and_htmx() {
    let app = spawn_app().await;
    seed_entries(&app).await;
    let op = app.operator().await;

    let (_, html) = op.get_text("/audit?result=failure").await;
    assert!(html.contains("organization.require_membership"));
    assert!(!html.contains("Person 3"));

    let (_, html) = op.get_text("/audit?action=member.add&page_size=20").await;
    let doc = scraper::Html::parse_document(&html);
    let rows = doc
        .select(&scraper::Selector::parse("#audit-table tbody tr").unwrap())
        .count();
    assert_eq!(rows, 20);
    assert!(html.contains("1–20 of 25"), "pager summary");
    let (_, html) = op
        .get_text("/audit?action=member.add&page_size=20&page=2")
        .await;
    assert!(html.contains("21–25 of 25"));

    let (_, html) = op.get_text("/audit?target=u7").await;
    assert!(html.contains("Person 7") && !html.contains("Person 8"));
    let (_, html) = op
        .get_text("/audit?actor=ADA%40example.com&action=member.remove")
        .await;
    assert!(html.contains("secret-globex-user"));
    let (_, html) = op.get_text("/audit?from=2000-01-01&to=2000-01-02").await;
    assert!(html.contains("No entries match"));

    // htmx asks for the table only and gets the URL to push.
    let r = op.get_htmx("/audit?result=failure").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers().get("hx-push-url").unwrap(),
        "/audit?result=failure&page=1&page_size=20"
    );
    let body = r.text().await.unwrap();
    assert!(!body.contains("<html"), "a fragment, not a page");
    assert!(body.contains("organization.require_membership"));
}

#[tokio::test]
async fn exports_are_streamed_and_safe() {
    let app = spawn_app().await;
    seed_entries(&app).await;
    let op = app.operator().await;

    let r = op.get("/audit/export.csv?org=").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("audit.csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    // Header + 26 seeded + the operator's sign-in (and any other sign-ins).
    assert!(
        lines[0].starts_with("\u{feff}id,time,actor_id"),
        "BOM, then the header"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(",\"member.add\","))
            .count(),
        25
    );
    assert!(
        csv.contains(",\"'=cmd|' /C calc'!A0\","),
        "formula neutralized: {csv}"
    );

    let r = op.get("/audit/export.jsonl?result=failure").await;
    let body = r.text().await.unwrap();
    let entries: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["result"] == "failure"));
    assert!(entries
        .iter()
        .all(|e| e["hash"].as_str().unwrap().len() == 64));
}

/// Logto ids that happen to be all letters, which the shared normalizer leaves: in actor
/// links and in the details' target id.
fn stable_ids(markup: &str) -> String {
    let link = regex::Regex::new(r"/users/[0-9a-z]{12}\b").unwrap();
    let code = regex::Regex::new(r"<code>[0-9a-z]{12}</code>").unwrap();
    let markup = link.replace_all(markup, "/users/[id]");
    code.replace_all(&markup, "<code>[id]</code>").into_owned()
}

/// The page and its htmx fragment, in both languages, as reviewed snapshots.
#[tokio::test]
async fn the_page_and_its_fragment_are_snapshots_in_both_languages() {
    let app = spawn_app().await;
    seed_entries(&app).await;
    let op = app.operator().await;
    for lang in ["en", "zh-TW"] {
        let r = op.get(&format!("/lang/{lang}?return_to=/audit")).await;
        assert!(r.status().is_redirection());
        let (status, html) = op.get_text("/audit?page_size=5").await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(
            format!("audit_page_{lang}"),
            stable_ids(&common::snapshot::main_markup(&html))
        );
        let fragment = op.get_htmx("/audit?page_size=5&page=2").await;
        assert_eq!(
            fragment.headers().get("vary").map(|v| v.to_str().unwrap()),
            Some("hx-request")
        );
        let body = fragment.text().await.unwrap();
        assert!(!body.contains("<main"), "htmx gets the table alone");
        insta::assert_snapshot!(
            format!("audit_fragment_{lang}"),
            stable_ids(&common::snapshot::normalize(&body))
        );
    }
}

/// Issue 20, point 4: each entry reads as one sentence with its actor, failures say why in
/// words, the technical details fold into the row, and the action filter lists names.
#[tokio::test]
async fn entries_read_as_sentences_with_details_folded() {
    let app = spawn_app().await;
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let actor = Actor {
        id: Some("adam1".into()),
        name: Some("Adam Admin".into()),
        email: Some("adam@example.com".into()),
    };
    let origin = Origin {
        request_id: Some("req-777".into()),
        ip: Some("198.51.100.7".into()),
        user_agent: Some("TestAgent/2.0".into()),
    };
    let invite = NewEntry::new("invitation.create", actor.clone(), origin.clone())
        .target(
            "invitee",
            "new.person@example.com",
            Some("new.person@example.com"),
        )
        .org(&acme)
        .details(serde_json::json!({ "invitee": "new.person@example.com", "roles": ["member"] }));
    app.state.audit.record(invite).await.unwrap();
    let refused = NewEntry::new("member.remove", actor.clone(), origin.clone())
        .target("user", "u9", Some("Ann Member"))
        .org(&acme)
        .failed("not_org_admin");
    app.state.audit.record(refused).await.unwrap();
    let throttled = NewEntry::new("user.suspend", actor, origin)
        .target("user", "u8", Some("Bo Person"))
        .failed("logto_rate_limited");
    app.state.audit.record(throttled).await.unwrap();

    let op = app.operator().await;
    let (_, html) = op.get_text("/audit").await;
    let doc = scraper::Html::parse_document(&html);
    let sel = |css: &str| scraper::Selector::parse(css).unwrap();
    let sentences: Vec<String> = doc
        .select(&sel("#audit-table tbody .audit-sentence"))
        .map(|e| e.text().collect::<String>())
        .collect();
    assert!(
        sentences
            .iter()
            .any(|s| s == "Adam Admin invited new.person@example.com to Acme Corp as member"),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s == "Adam Admin tried to remove Ann Member from Acme Corp"),
        "{sentences:?}"
    );
    let reasons: Vec<String> = doc
        .select(&sel("#audit-table .audit-reason"))
        .map(|e| e.text().collect::<String>())
        .collect();
    assert!(
        reasons.contains(&"They may not do this here.".to_string()),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("Logto was busy")),
        "{reasons:?}"
    );
    // The codes, request id, address and browser are in the row's folded details.
    let details: String = doc
        .select(&sel("#audit-table tbody tr details.audit-more"))
        .map(|e| e.text().collect::<String>())
        .collect();
    for raw in [
        "not_org_admin",
        "logto_rate_limited",
        "req-777",
        "198.51.100.7",
        "TestAgent/2.0",
        "invitation.create",
    ] {
        assert!(details.contains(raw), "{raw} in the details");
    }
    let visible: String = doc
        .select(&sel(
            "#audit-table tbody .audit-sentence, #audit-table tbody .audit-reason",
        ))
        .map(|e| e.text().collect::<String>())
        .collect();
    assert!(!visible.contains("not_org_admin") && !visible.contains("logto_"));
    // At most four columns; the time is relative with the exact time on hover.
    assert!(doc.select(&sel("#audit-table thead th")).count() <= 4);
    let time = doc
        .select(&sel("#audit-table tbody td.audit-when time"))
        .next()
        .unwrap();
    assert!(time.value().attr("title").unwrap().contains("UTC"));
    // The filter offers names in groups, never raw keys.
    let group_labels: Vec<&str> = doc
        .select(&sel("#f-action optgroup"))
        .map(|g| g.value().attr("label").unwrap())
        .collect();
    assert!(group_labels.contains(&"Invitations"), "{group_labels:?}");
    let option = doc
        .select(&sel("#f-action option[value='invitation.create']"))
        .next()
        .unwrap();
    assert_eq!(option.text().collect::<String>(), "Invitation sent");
    for o in doc.select(&sel("#f-action option")) {
        assert!(!o.text().collect::<String>().contains('.'), "a raw key");
    }

    // Target and dates fold away until one is set.
    assert!(doc
        .select(&sel("details.audit-more-filters:not([open]) #f-from"))
        .next()
        .is_some());
    let (_, html) = op.get_text("/audit?from=2000-01-01").await;
    assert!(html.contains("<details class=\"audit-more-filters\" open>"));

    // The same in Chinese.
    op.get("/lang/zh-TW?return_to=/audit").await;
    let (_, html) = op.get_text("/audit").await;
    assert!(
        html.contains(
            "Adam Admin</a> 邀請 new.person@example.com 以 member 身分加入 Acme Corp</p>"
        ),
        "{html}"
    );
    assert!(html.contains("對方無權在此執行這項操作。"));
    assert!(html.contains(">寄出邀請</option>"));
}
