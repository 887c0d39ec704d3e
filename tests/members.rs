//! Organization member management, through real HTTP against the fake Logto: paging, search,
//! role filter, adding, role changes, removal, the last-admin guard, cross-organization
//! refusal, the CSV export and what a person sees when Logto fails.

mod common;

use common::{attrs, location, texts};

use std::collections::BTreeSet;

use common::{Browser, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::{Entry, Filter};
use logto_portal::logto::{Feature, MemberQuery};
use reqwest::StatusCode;

// ---------------------------------------------------------------------------------------
// Helpers

/// A table-row fragment as htmx receives it, in a table so the HTML parser keeps the rows.
fn in_table(fragment: &str) -> String {
    format!("<table><tbody>{fragment}</tbody></table>")
}

fn person(app: &TestApp, handle: &str, name: &str) -> String {
    app.fake.state().create_user(NewUser {
        username: Some(handle.to_string()),
        primary_email: Some(format!("{handle}@members.test")),
        name: Some(name.to_string()),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    })
}

/// A fresh organization whose admin is the seeded admin, with `n` plain members.
struct Org {
    id: String,
    admin_id: String,
    member_ids: Vec<String>,
}

fn org_with_members(app: &TestApp, name: &str, n: usize) -> Org {
    let st = app.fake.state();
    let id = st.create_organization(name, None);
    let admin_id = app.user_id(&app.seed.admin_username);
    st.add_member(&id, &admin_id, &["admin"]);
    let member_ids = (0..n)
        .map(|i| {
            let uid = person(app, &format!("pm_{i:03}"), &format!("Paging Member {i:03}"));
            st.add_member(&id, &uid, &["member"]);
            uid
        })
        .collect();
    Org {
        id,
        admin_id,
        member_ids,
    }
}

/// Signs in and takes the CSRF token from a page of this family (every page carries one).
async fn signed_in(app: &TestApp, username: &str, page: &str) -> Browser {
    let mut b = app.sign_in(username).await;
    let (status, html) = b.get_text(page).await;
    assert_eq!(status, StatusCode::OK, "{page}: {html}");
    b.csrf = common::hidden_value(&html, "_csrf");
    assert!(b.csrf.is_some(), "CSRF token on {page}");
    b
}

/// `(id, name)` of the organization roles, from the role filter.
fn role_ids(html: &str) -> Vec<(String, String)> {
    let ids = attrs(html, "#members-role option", "value");
    let names = texts(html, "#members-role option");
    ids.into_iter()
        .zip(names)
        .filter(|(id, _)| !id.is_empty())
        .collect()
}

fn role_id(html: &str, name: &str) -> String {
    role_ids(html)
        .into_iter()
        .find(|(_, n)| n == name)
        .unwrap_or_else(|| panic!("role {name} in the filter"))
        .0
}

async fn member_roles(app: &TestApp, org_id: &str, user_id: &str) -> Option<Vec<String>> {
    let page = app
        .state
        .logto
        .list_org_members(
            org_id,
            &MemberQuery {
                q: Some(user_id.to_string()),
                page_size: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    page.items.into_iter().find(|m| m.id == user_id).map(|m| {
        let mut r: Vec<String> = m.organization_roles.into_iter().map(|r| r.name).collect();
        r.sort();
        r
    })
}

async fn audit(app: &TestApp, org_id: &str, action: &str) -> Vec<Entry> {
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                org_id: Some(org_id.to_string()),
                action: Some(action.to_string()),
                ..Default::default()
            },
            1,
            100,
        )
        .await
        .unwrap();
    entries
}

fn member_calls(app: &TestApp, org_id: &str) -> Vec<String> {
    let path = format!("/api/organizations/{org_id}/users");
    app.fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .map(|r| r.query)
        .collect()
}

/// Does the Logto under test filter members by role itself (1.41 on)?
fn server_filters_by_role(app: &TestApp) -> bool {
    app.state
        .logto
        .capabilities()
        .has(Feature::MemberRoleFilter)
}

fn members_url(org_id: &str) -> String {
    format!("/orgs/{org_id}/members")
}

// ---------------------------------------------------------------------------------------
// The table

#[tokio::test]
async fn paging_follows_total_number_and_keeps_the_url() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Paging Co", 45);
    let url = members_url(&org.id);
    let b = app.admin().await;

    let (status, html) = b.get_text(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), vec!["Members of Paging Co"]);
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 20);
    assert!(html.contains("1–20 of 46"), "{html}");
    let next = attrs(&html, ".pager a[rel=next]", "href");
    assert_eq!(next, vec![format!("{url}?page=2&page_size=20")]);
    assert_eq!(
        attrs(&html, ".pager a[rel=next]", "hx-push-url"),
        vec!["true"]
    );
    // Compact pager: three pages are reached with previous/next, so no "Go to page" box
    // (it appears past five pages; src/web/pager.rs tests it).
    assert!(attrs(&html, ".pager input[name=page]", "max").is_empty());
    assert_eq!(
        attrs(&html, ".pager select[name=page_size]", "name"),
        vec!["page_size"]
    );
    assert!(member_calls(&app, &org.id).contains(&"page=1&page_size=20".to_string()));

    app.fake.state().clear_requests();
    let (_, html) = b.get_text(&format!("{url}?page=3&page_size=20")).await;
    assert!(html.contains("41–46 of 46"), "{html}");
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 6);
    assert!(attrs(&html, ".pager a[rel=next]", "href").is_empty());
    assert_eq!(member_calls(&app, &org.id), vec!["page=3&page_size=20"]);

    // Members come ordered by user id, as Logto sends them: page 1 + 2 + 3 = everyone once.
    let mut seen = BTreeSet::new();
    for page in 1..=3 {
        let (_, html) = b.get_text(&format!("{url}?page={page}")).await;
        for id in attrs(&html, "#members-table tbody tr", "id") {
            assert!(seen.insert(id));
        }
    }
    assert_eq!(seen.len(), 46);

    let (_, html) = b.get_text(&format!("{url}?page_size=50")).await;
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 46);
    assert!(html.contains("1–46 of 46"));
    // Bad paging values fall back instead of reaching Logto.
    app.fake.state().clear_requests();
    let (status, _) = b.get_text(&format!("{url}?page=0&page_size=1000")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(member_calls(&app, &org.id), vec!["page=1&page_size=20"]);

    // Past the end: an explanation and a way back, not a broken pager.
    let (_, html) = b.get_text(&format!("{url}?page=9")).await;
    assert!(html.contains("past the end"), "{html}");
    assert_eq!(
        attrs(&html, "#members-table .empty-state a", "href"),
        vec![format!("{url}?page=1&page_size=20")]
    );
}

#[tokio::test]
async fn search_and_role_filter_reach_logto_and_swap_only_the_table() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Search Co", 25);
    let url = members_url(&org.id);
    let b = app.admin().await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");

    app.fake.state().clear_requests();
    let r = b.get_htmx(&format!("{url}?q=member+01&page_size=50")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let push = r
        .headers()
        .get("hx-push-url")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(push, format!("{url}?q=member+01&page=1&page_size=50"));
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html"), "a fragment, not a page");
    let names = texts(&html, "tbody th.member-name");
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("Paging Member 01")));
    assert_eq!(
        member_calls(&app, &org.id),
        vec!["q=member+01&page=1&page_size=50"]
    );
    // The filter form's page size and the live status follow out of band.
    assert_eq!(
        attrs(&html, "#members-page-size[hx-swap-oob]", "value"),
        vec!["50"]
    );
    assert_eq!(texts(&html, "#members-status"), vec!["10 members found."]);

    // Role filter: the admin alone.
    app.fake.state().clear_requests();
    let (_, html) = b.get_text(&format!("{url}?role={admin_role}")).await;
    assert_eq!(texts(&html, "tbody th.member-name"), vec!["Adam Admin you"]);
    if server_filters_by_role(&app) {
        assert_eq!(
            member_calls(&app, &org.id),
            vec![format!(
                "organizationRoleId={admin_role}&page=1&page_size=20"
            )]
        );
    } else {
        // Logto before 1.41 ignores the parameter: the portal reads the members and filters.
        assert_eq!(member_calls(&app, &org.id), vec!["page=1&page_size=100"]);
    }
    assert_eq!(
        attrs(&html, "#members-role option[selected]", "value"),
        vec![admin_role.clone()]
    );
    // Paging links and the export keep the filter.
    let (_, html) = b
        .get_text(&format!("{url}?role={member_role}&q=paging"))
        .await;
    assert!(html.contains("1–20 of 25"));
    let next = attrs(&html, ".pager a[rel=next]", "href");
    assert_eq!(
        next,
        vec![format!(
            "{url}?q=paging&role={member_role}&page=2&page_size=20"
        )]
    );
    assert_eq!(
        attrs(&html, "#members-export", "href"),
        vec![format!("{url}/export.csv?q=paging&role={member_role}")]
    );
    // The search form works without JavaScript too: a plain GET to the same address.
    assert_eq!(attrs(&html, "#members-filter", "method"), vec!["get"]);
    assert_eq!(attrs(&html, "#members-filter", "action"), vec![url.clone()]);
    assert_eq!(attrs(&html, "#members-q", "value"), vec!["paging"]);

    // Nothing matches: an empty state, not an empty table.
    let (_, html) = b.get_text(&format!("{url}?q=nobody-here")).await;
    assert_eq!(
        texts(&html, "#members-table .empty-state"),
        vec!["No member matches this search or role."]
    );
    // Wildcards are escaped: `%` matches only a literal percent sign.
    app.fake.state().clear_requests();
    let (_, html) = b.get_text(&format!("{url}?q=%25")).await;
    assert!(texts(&html, "#members-table tbody tr").is_empty());
    assert_eq!(
        member_calls(&app, &org.id),
        vec!["q=%5C%25&page=1&page_size=20"]
    );
}

#[tokio::test]
async fn a_warm_member_page_costs_one_call_and_a_cold_one_at_most_two() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Cost Co", 30);
    let url = members_url(&org.id);
    let admin = app.admin().await;
    let operator = app.operator().await;

    app.fake.state().clear_requests();
    let (status, _) = admin.get_text(&url).await;
    assert_eq!(status, StatusCode::OK);
    let cold = app.fake.state().api_requests();
    assert!(cold.len() <= 2, "{cold:?}");
    app.fake.state().clear_requests();
    admin.get_text(&format!("{url}?page=2")).await;
    let warm = app.fake.state().api_requests();
    assert_eq!(warm.len(), 1, "{warm:?}");
    assert_eq!(warm[0].path, format!("/api/organizations/{}/users", org.id));

    // Operators need the organization's name too; it is cached like the roles.
    operator.get_text(&url).await;
    app.fake.state().clear_requests();
    let (status, html) = operator.get_text(&format!("{url}?page=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), vec!["Members of Cost Co"]);
    let warm = app.fake.state().api_requests();
    assert_eq!(warm.len(), 1, "{warm:?}");
    assert_eq!(warm[0].path, format!("/api/organizations/{}/users", org.id));
    assert_eq!(
        texts(&html, "#members-table tbody tr").len(),
        11,
        "20 + 11 = 31 members"
    );
}

#[tokio::test]
async fn the_url_alone_reproduces_the_view_without_htmx() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Bookmark Co", 30);
    let url = members_url(&org.id);
    let b = app.admin().await;
    let (_, html) = b.get_text(&url).await;
    let member_role = role_id(&html, "member");
    let view = format!("{url}?q=paging&role={member_role}&page=2&page_size=20");
    let (_, full) = b.get_text(&view).await;
    let fragment = b.get_htmx(&view).await.text().await.unwrap();
    let rows = |h: &str| attrs(h, "#members-table tbody tr, tbody tr", "id");
    assert_eq!(rows(&full), rows(&fragment));
    assert_eq!(rows(&full).len(), 10);
    assert!(full.contains("<html"));
    assert_eq!(
        attrs(&full, "#members-role option[selected]", "value"),
        vec![member_role]
    );
}

// ---------------------------------------------------------------------------------------
// Actions

#[tokio::test]
async fn adding_an_existing_user_with_roles() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Add Co", 3);
    let url = members_url(&org.id);
    let newcomer = person(&app, "zoe_newcomer", "Zoe Newcomer");
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let member_role = role_id(&html, "member");

    // The picker finds only people who are not members yet; an admin types the exact
    // username or email address (the substring search is for operators, see below).
    app.fake.state().clear_requests();
    let r = b
        .get_htmx(&format!("{url}/candidates?q=zoe_newcomer"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(
        attrs(&html, "input[name=user_id]", "value"),
        vec![newcomer.clone()]
    );
    let calls = app.fake.state().api_requests();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/api/users");
    assert!(
        calls[0]
            .query
            .contains(&format!("excludeOrganizationId={}", org.id)),
        "{}",
        calls[0].query
    );
    assert!(
        calls[0]
            .query
            .contains("search.username=zoe_newcomer&mode.username=exact"),
        "{}",
        calls[0].query
    );
    for q in ["pm_000", "pm_000%40members.test"] {
        let (_, html) = b.get_text(&format!("{url}/add?q={q}")).await;
        assert!(
            attrs(&html, "input[name=user_id]", "value").is_empty(),
            "members are not offered: {q}"
        );
    }
    let (_, html) = b.get_text(&format!("{url}/add?q=z")).await;
    assert!(html.contains("full email address or username"));

    // Nobody chosen: the form comes back with a message.
    let r = b
        .post_form(
            &format!("{url}/add"),
            &[("role_ids", &member_role), ("q", "zoe_newcomer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        texts(&html, "#add-error"),
        vec!["Choose the person to add."]
    );
    assert_eq!(
        attrs(&html, "input[name=user_id]", "value"),
        vec![newcomer.clone()],
        "the search is kept"
    );

    // Plain form: added, with the role, then back to the list with a message.
    let r = b
        .post_form(
            &format!("{url}/add"),
            &[
                ("user_id", &newcomer),
                ("role_ids", &member_role),
                ("q", "zoe_newcomer"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), url);
    assert_eq!(
        member_roles(&app, &org.id, &newcomer).await,
        Some(vec!["member".to_string()])
    );
    let (_, html) = b.get_text(&url).await;
    assert_eq!(
        texts(&html, "#members-table .alert-success"),
        vec!["Zoe Newcomer was added to Add Co."]
    );
    let entries = audit(&app, &org.id, "member.add").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].actor_id.as_deref(), Some(org.admin_id.as_str()));
    assert_eq!(entries[0].target_id.as_deref(), Some(newcomer.as_str()));
    assert!(entries[0].details.contains("member"));

    // htmx: the panel answers, and the table is told to reload itself.
    let other = person(&app, "yann_other", "Yann Other");
    let r = b
        .post_htmx(&format!("{url}/add"), &[("user_id", &other)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get("hx-trigger").unwrap(), "members-changed");
    let html = r.text().await.unwrap();
    assert_eq!(
        texts(&html, "#add-panel .alert-success"),
        vec!["Yann Other was added to Add Co."]
    );
    assert_eq!(member_roles(&app, &org.id, &other).await, Some(vec![]));

    // An unknown role is refused before anything changes.
    let third = person(&app, "xena_third", "Xena Third");
    let r = b
        .post_form(
            &format!("{url}/add"),
            &[("user_id", &third), ("role_ids", "no-such-role")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("does not exist"));
    assert_eq!(member_roles(&app, &org.id, &third).await, None);
    let failed: Vec<_> = audit(&app, &org.id, "member.add")
        .await
        .into_iter()
        .filter(|e| e.result == "failure")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error_code.as_deref(), Some("unknown_role"));
}

/// The picker's answer for `q`: status, offered user ids, and the markup with `q` blanked.
async fn pick(b: &Browser, url: &str, q: &str) -> (StatusCode, Vec<String>, String) {
    let r = b
        .get_htmx(&format!("{url}/candidates?q={}", common::urlencode(q)))
        .await;
    let status = r.status();
    let html = r.text().await.unwrap();
    let ids = attrs(&html, "input[name=user_id]", "value");
    let shape = html.replace(&format!("value=\"{q}\""), "value=\"…\"");
    (status, ids, shape)
}

#[tokio::test]
async fn admins_find_people_only_by_exact_email_or_username() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Exact Co", 2);
    let url = members_url(&org.id);
    let zoe = person(&app, "zoe_outsider", "Zoe Outsider");
    let b = signed_in(&app, &app.seed.admin_username, &url).await;

    // The hint says what to type.
    let (_, html) = b.get_text(&format!("{url}/add")).await;
    assert!(
        texts(&html, "#add-q-hint")[0].contains("full email address or the exact username"),
        "{html}"
    );
    // Parts of a name, username or address find nobody.
    for partial in [
        "zoe",
        "Zoe Outsider",
        "outsider",
        "zoe_outsider@members",
        "members.test",
    ] {
        let (status, ids, _) = pick(&b, &url, partial).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ids.is_empty(), "{partial}: {ids:?}");
    }
    // The exact address or username finds the one person.
    for exact in ["zoe_outsider@members.test", "zoe_outsider"] {
        let (_, ids, _) = pick(&b, &url, exact).await;
        assert_eq!(ids, vec![zoe.clone()], "{exact}");
    }
    // A member, an unknown address and a malformed one all answer the same markup.
    let (_, ids, member_shape) = pick(&b, &url, "pm_001@members.test").await;
    assert!(ids.is_empty());
    let (_, _, unknown_shape) = pick(&b, &url, "nobody@members.test").await;
    let (_, _, malformed_shape) = pick(&b, &url, "no@body@members.test").await;
    assert_eq!(member_shape, unknown_shape);
    assert_eq!(member_shape, malformed_shape);
    // No substring search ever reached Logto for the admin.
    let substring = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.path == "/api/users" && r.query.contains("%25"))
        .count();
    assert_eq!(substring, 0);
}

#[tokio::test]
async fn operators_and_the_tenant_setting_keep_the_substring_search() {
    for tenant in [false, true] {
        let app = if tenant {
            common::Spawn::default()
                .env("PORTAL_ADMIN_USER_SEARCH", "tenant")
                .start()
                .await
        } else {
            common::spawn_app().await
        };
        let org = org_with_members(&app, "Wide Co", 1);
        let url = members_url(&org.id);
        let zoe = person(&app, "zoe_wide", "Zoe Wide");
        let who = if tenant {
            app.seed.admin_username.clone()
        } else {
            app.seed.operator_username.clone()
        };
        let b = signed_in(&app, &who, &url).await;
        app.fake.state().clear_requests();
        let (status, ids, html) = pick(&b, &url, "zoe").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ids, vec![zoe.clone()], "tenant={tenant}: {html}");
        let calls = app.fake.state().api_requests();
        assert!(
            calls[0].query.contains("search.primaryEmail=%25zoe%25"),
            "{}",
            calls[0].query
        );
        let (_, _, html) = pick(&b, &url, "z").await;
        assert!(html.contains("at least 2 characters"), "{html}");
        let (_, html) = b.get_text(&format!("{url}/add")).await;
        assert!(texts(&html, "#add-q-hint")[0].contains("at least 2 characters"));
    }
}

#[tokio::test]
async fn the_picker_is_rate_limited_for_admins() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Limit Co", 1);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    app.fake.state().clear_requests();
    // 30 look-ups per 10 minutes (src/limits.rs), then a clear refusal without a call.
    for i in 0..30 {
        let (status, _, _) = pick(&b, &url, &format!("guess{i}@example.com")).await;
        assert_eq!(status, StatusCode::OK, "look-up {i}");
    }
    let (status, ids, html) = pick(&b, &url, "zoe@example.com").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(ids.is_empty());
    assert!(
        texts(&html, "#candidates-message")[0].starts_with("Too many attempts. Try again in"),
        "{html}"
    );
    let lookups = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.path == "/api/users")
        .count();
    assert_eq!(lookups, 30);
    let refused = audit(&app, &org.id, "security.rate_limited").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].error_code.as_deref(),
        Some("directory_searches_throttled")
    );
    // Operators are not counted (they read the whole directory on /users anyway).
    let op = signed_in(&app, &app.seed.operator_username, &url).await;
    let (status, _, _) = pick(&op, &url, "zoe").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn changing_roles_puts_the_whole_set_and_updates_the_row() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Roles Co", 3);
    let url = members_url(&org.id);
    let target = org.member_ids[1].clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");

    // The inline editor (htmx) and the page (no JavaScript) carry the same form.
    let r = b.get_htmx(&format!("{url}/{target}/roles")).await;
    let editor = in_table(&r.text().await.unwrap());
    assert_eq!(attrs(&editor, "tr", "id"), vec![format!("member-{target}")]);
    assert_eq!(
        attrs(&editor, "input[name=role_ids][checked]", "value"),
        vec![member_role.clone()]
    );
    let (status, page) = b
        .get_text(&format!(
            "{url}/{target}/roles?back={}",
            common::urlencode(&format!("{url}?page=1"))
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html"));
    assert_eq!(attrs(&page, "form.roles-form", "method"), vec!["post"]);
    assert_eq!(
        attrs(&page, "form.roles-form input[name=back]", "value"),
        vec![format!("{url}?page=1")]
    );

    app.fake.state().clear_requests();
    let r = b
        .post_htmx(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &admin_role), ("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let row = in_table(&r.text().await.unwrap());
    assert_eq!(attrs(&row, "tr", "id"), vec![format!("member-{target}")]);
    assert_eq!(texts(&row, ".member-roles .badge"), vec!["admin", "member"]);
    assert_eq!(texts(&row, ".row-notice"), vec!["Roles saved."]);
    let puts: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert_eq!(puts.len(), 1, "one write: {puts:?}");
    assert_eq!(puts[0].method, "PUT");
    assert_eq!(
        puts[0].path,
        format!("/api/organizations/{}/users/{target}/roles", org.id)
    );
    let body: serde_json::Value = serde_json::from_str(&puts[0].body).unwrap();
    let sent: BTreeSet<String> = body["organizationRoleIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sent,
        BTreeSet::from([admin_role.clone(), member_role.clone()])
    );
    assert_eq!(
        member_roles(&app, &org.id, &target).await,
        Some(vec!["admin".into(), "member".into()])
    );

    // Plain form: back to the list the person came from.
    let back = format!("{url}?page=1&page_size=50");
    let r = b
        .post_form(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &member_role), ("back", &back)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), back);
    assert_eq!(
        member_roles(&app, &org.id, &target).await,
        Some(vec!["member".into()])
    );
    // A `back` elsewhere is not followed.
    let r = b
        .post_form(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &member_role), ("back", "https://evil.test/")],
        )
        .await;
    assert_eq!(location(&r), url);

    let entries = audit(&app, &org.id, "member.roles_change").await;
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.result == "success"));
    assert!(
        entries
            .iter()
            .any(|e| e.details.contains("\"after\":[\"admin\",\"member\"]")),
        "{entries:?}"
    );

    // Logto's refusal reads as a sentence, next to the form, and is recorded.
    // Someone else removed the member meanwhile.
    app.state
        .logto
        .remove_org_member(&org.id, &target)
        .await
        .unwrap();
    let r = b
        .post_htmx(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("not a member of the organization any more"),
        "{html}"
    );
    assert!(!html.contains("organization.require_membership"));
}

#[tokio::test]
async fn removing_a_member_after_confirmation() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Remove Co", 3);
    let url = members_url(&org.id);
    let target = org.member_ids[0].clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;

    // The confirmation, inline and as a page; nothing is removed by looking at it.
    let html = b
        .get_htmx(&format!("{url}/{target}/remove"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Remove Paging Member 000 from Remove Co?"),
        "{html}"
    );
    let (status, page) = b.get_text(&format!("{url}/{target}/remove")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        attrs(&page, "form.confirm", "action"),
        vec![format!("{url}/{target}/remove")]
    );
    assert!(member_roles(&app, &org.id, &target).await.is_some());

    // Without the CSRF token: refused.
    let r = b
        .post_without_csrf(&format!("{url}/{target}/remove"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(member_roles(&app, &org.id, &target).await.is_some());

    let r = b.post_htmx(&format!("{url}/{target}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let row = in_table(&r.text().await.unwrap());
    assert_eq!(
        attrs(&row, "tr.removed", "id"),
        vec![format!("member-{target}")]
    );
    assert!(row.contains("Paging Member 000 was removed from Remove Co."));
    assert_eq!(member_roles(&app, &org.id, &target).await, None);

    let second = org.member_ids[1].clone();
    let r = b
        .post_form(
            &format!("{url}/{second}/remove"),
            &[("back", &format!("{url}?q=paging"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{url}?q=paging"));
    assert_eq!(member_roles(&app, &org.id, &second).await, None);
    // The message stands above the table it is about, not at the top of the page.
    let (_, html) = b.get_text(&location(&r)).await;
    assert_eq!(
        texts(&html, "#members-table #members-flash"),
        vec!["Paging Member 001 was removed from Remove Co."]
    );
    assert!(texts(&html, "#alerts .alert").is_empty(), "{html}");

    // Already gone: said plainly, in place of the row.
    let r = b.post_htmx(&format!("{url}/{second}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not a member of the organization any more"));

    let entries = audit(&app, &org.id, "member.remove").await;
    let ok: Vec<_> = entries.iter().filter(|e| e.result == "success").collect();
    assert_eq!(ok.len(), 2);
    assert!(ok
        .iter()
        .all(|e| e.actor_id.as_deref() == Some(org.admin_id.as_str())));
    let failed: Vec<_> = entries.iter().filter(|e| e.result == "failure").collect();
    assert_eq!(failed.len(), 1);
    // A refusal of the portal's own: its code, not a Logto code written by hand.
    assert_eq!(failed[0].error_code.as_deref(), Some("not_member"));
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed_or_demoted() {
    let app = common::spawn_app().await;
    // More members than fit on a page, so the guard cannot rely on what the page shows.
    let org = org_with_members(&app, "Guard Co", 45);
    let url = members_url(&org.id);
    let me = org.admin_id.clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");

    app.fake.state().clear_requests();
    let r = b.post_htmx(&format!("{url}/{me}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Adam Admin is the last admin of this organization"),
        "{html}"
    );
    let counted_with = if server_filters_by_role(&app) {
        format!("organizationRoleId={admin_role}&page=1&page_size=2")
    } else {
        "page=1&page_size=100".to_string()
    };
    assert!(
        member_calls(&app, &org.id).contains(&counted_with),
        "the guard counts the admins across the organization: {:?}",
        member_calls(&app, &org.id)
    );
    assert!(
        member_calls(&app, &org.id)
            .iter()
            .all(|q| server_filters_by_role(&app) || !q.contains("organizationRoleId")),
        "never a parameter this Logto does not declare"
    );
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));

    let r = b
        .post_form(&format!("{url}/{me}/roles"), &[("role_ids", &member_role)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("last admin"), "{html}");
    assert_eq!(
        attrs(&html, "fieldset[aria-invalid=true]", "aria-describedby").len(),
        1
    );
    assert_eq!(
        member_roles(&app, &org.id, &me).await,
        Some(vec!["admin".into()])
    );
    let failed = audit(&app, &org.id, "member.roles_change").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error_code.as_deref(), Some("last_admin_guard"));
    assert_eq!(
        audit(&app, &org.id, "member.remove").await[0]
            .error_code
            .as_deref(),
        Some("last_admin_guard")
    );

    // Another admin somewhere in the organization (whatever page): now allowed.
    let last = org.member_ids[44].clone();
    let r = b
        .post_htmx(&format!("{url}/{last}/roles"), &[("role_ids", &admin_role)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = b
        .post_form(
            &format!("{url}/{last}/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "demoting a non-last admin is fine"
    );
    let r = b
        .post_htmx(&format!("{url}/{last}/roles"), &[("role_ids", &admin_role)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Demoting oneself now leaves an admin; the person is sent away from the page they lost.
    let r = b
        .post_htmx(&format!("{url}/{me}/roles"), &[("role_ids", &member_role)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get("hx-redirect").unwrap(), "/");
    assert_eq!(
        member_roles(&app, &org.id, &me).await,
        Some(vec!["member".into()])
    );
    let (status, _) = b.get_text(&url).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "access re-read at once");

    // Operators may do what the guard refuses admins.
    let op = signed_in(&app, &app.seed.operator_username, &url).await;
    let r = op.post_form(&format!("{url}/{last}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(member_roles(&app, &org.id, &last).await, None);
}

#[tokio::test]
async fn other_organizations_answer_not_found() {
    let app = common::spawn_app().await;
    let acme = app.seed.org_ids[0].clone();
    let globex = app.seed.org_ids[1].clone();
    let admin = signed_in(&app, &app.seed.admin_username, &members_url(&acme)).await;

    let r = admin.get(&members_url(&globex)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let globex_member = attrs(
        &app.sign_in(&app.seed.operator_username)
            .await
            .get_text(&members_url(&globex))
            .await
            .1,
        "#members-table tbody tr",
        "id",
    )[0]
    .trim_start_matches("member-")
    .to_string();
    app.fake.state().clear_requests();
    for path in [
        format!("{}/{globex_member}/remove", members_url(&globex)),
        format!("{}/{globex_member}/roles", members_url(&globex)),
        format!("{}/add", members_url(&globex)),
    ] {
        let r = admin.post_form(&path, &[("user_id", &globex_member)]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let r = admin.get(&path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = admin
        .get(&format!("{}/export.csv", members_url(&globex)))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        app.fake.state().api_requests().is_empty(),
        "refused before Logto is asked"
    );

    // The switcher: own organizations only.
    let r = admin.get(&format!("/orgs/go?org_id={globex}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = admin.get(&format!("/orgs/go?org_id={acme}")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), members_url(&acme));

    // A plain member administers nothing.
    let member = app.member().await;
    assert_eq!(
        member.get(&members_url(&acme)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        member
            .get(&format!("/orgs/go?org_id={acme}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn organizations_page_lists_what_the_person_administers() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Second Co", 4);
    let admin = app.admin().await;
    let (status, html) = admin.get_text("/orgs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&html, "table.orgs tbody th"),
        vec!["Acme Corp", "Second Co"]
    );
    assert_eq!(
        texts(&html, &format!("#org-{} .org-members", org.id)),
        vec!["5"]
    );
    assert!(!html.contains("Globex"));
    // Two organizations: the header offers the switcher.
    assert_eq!(
        attrs(&html, "form.org-switcher", "action"),
        vec!["/orgs/go"]
    );

    let operator = app.operator().await;
    app.fake.state().clear_requests();
    let (_, html) = operator.get_text("/orgs?q=glob").await;
    assert_eq!(texts(&html, "table.orgs tbody th"), vec!["Globex"]);
    let calls = app.fake.state().api_requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].query,
        "q=glob&showFeatured=true&page=1&page_size=20"
    );
    // A key given twice (a bookmark edited by hand): the last value counts, no error.
    let (status, html) = operator.get_text("/orgs?q=zzz&q=glob&page=x").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "table.orgs tbody th"), vec!["Globex"]);
    let (_, html) = operator.get_text("/orgs").await;
    assert!(html.contains("1–4 of 4"), "{html}");
    let r = operator.get_htmx("/orgs?q=co").await;
    assert_eq!(
        r.headers().get("hx-push-url").unwrap(),
        "/orgs?q=co&page=1&page_size=20"
    );
}

// ---------------------------------------------------------------------------------------
// Export

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte-order mark");
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn csv_export_matches_the_member_set_and_is_safe() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Export Co", 230);
    let st = app.fake.state();
    let evil = st.create_user(NewUser {
        username: Some("evil".into()),
        name: Some("=HYPERLINK(\"http://x\",\"y\")".into()),
        primary_email: Some("@evil.test".into()),
        ..Default::default()
    });
    st.add_member(&org.id, &evil, &["member"]);
    let url = members_url(&org.id);
    let b = app.admin().await;

    app.fake.state().clear_requests();
    let r = b.get(&format!("{url}/export.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(r
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert!(r.headers().get("content-length").is_none(), "streamed");
    let rows = parse_csv(&r.text().await.unwrap());
    assert_eq!(rows[0][0], "id");
    let ids: BTreeSet<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    let mut expected: BTreeSet<String> = org.member_ids.iter().cloned().collect();
    expected.insert(org.admin_id.clone());
    expected.insert(evil.clone());
    assert_eq!(ids, expected);
    assert_eq!(rows.len() - 1, 232, "each member once");
    // 232 members, 100 per call: three pages, nothing per row.
    let calls = member_calls(&app, &org.id);
    assert_eq!(
        calls,
        vec![
            "page=1&page_size=100",
            "page=2&page_size=100",
            "page=3&page_size=100"
        ]
    );
    let evil_row = rows.iter().find(|r| r[0] == evil).unwrap();
    assert_eq!(evil_row[1], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(evil_row[3], "'@evil.test");
    assert_eq!(evil_row[5], "member");

    // The current filter applies.
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let r = b.get(&format!("{url}/export.csv?role={admin_role}")).await;
    let rows = parse_csv(&r.text().await.unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], org.admin_id);
    assert_eq!(rows[1][5], "admin");

    // Logto down before the first row: an error page, not an empty file.
    app.fake.state().fail_next_api(1, 500);
    let r = b.get(&format!("{url}/export.csv")).await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(audit(&app, &org.id, "member.export").await.len(), 2);
}

// ---------------------------------------------------------------------------------------
// Failures

#[tokio::test]
async fn logto_failures_show_an_error_row_with_a_retry() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Fail Co", 5);
    let url = members_url(&org.id);
    let b = app.admin().await;
    b.get_text(&url).await; // warms the role cache: the next call is the member list

    app.fake.state().fail_next_api(1, 500);
    let (status, html) = b.get_text(&format!("{url}?q=paging")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(html.contains("<html"), "the page around the error row");
    let error = texts(&html, "#members-table [role=alert]");
    assert_eq!(error.len(), 1, "{html}");
    assert!(error[0].starts_with("The member list could not be loaded from Logto."));
    assert!(
        !html.contains("Internal server error"),
        "never Logto's body"
    );
    assert_eq!(
        attrs(&html, "#members-retry", "href"),
        vec![format!("{url}?q=paging&page=1&page_size=20")]
    );
    assert_eq!(
        attrs(&html, "#members-q", "value"),
        vec!["paging"],
        "the search survives"
    );

    // Rate limited (after the client's own retries): said so, as a fragment for htmx.
    app.fake.state().fail_next_api(4, 429);
    let r = b.get_htmx(&url).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html"));
    assert!(html.contains("too many requests"), "{html}");
    assert_eq!(
        attrs(&html, "#members-retry", "hx-get"),
        vec![format!("{url}?page=1&page_size=20")]
    );

    // The retry works once Logto is back.
    let (status, html) = b.get_text(&format!("{url}?page=1&page_size=20")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 6);

    // A failing action changes nothing and says so in the alert region; the row stays.
    let target = org.member_ids[0].clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    app.fake.state().clear_requests();
    app.fake.state().fail_next_api(1, 500);
    let r = b
        .post_htmx(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &admin_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(r.headers().get("hx-retarget").unwrap(), "#alerts");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Logto could not complete the request"),
        "{html}"
    );
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
    assert_eq!(
        member_roles(&app, &org.id, &target).await,
        Some(vec!["member".into()])
    );
}

// ---------------------------------------------------------------------------------------
// Access changed through the portal takes effect at once (issue 15)

#[tokio::test]
async fn a_demoted_or_removed_admin_is_refused_on_the_next_request() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Demote Co", 2);
    let url = members_url(&org.id);
    let (demoted_id, removed_id) = (org.member_ids[0].clone(), org.member_ids[1].clone());
    for id in [&demoted_id, &removed_id] {
        app.fake.state().add_member(&org.id, id, &["admin"]);
    }
    let demoted = signed_in(&app, "pm_000", &url).await;
    let removed = signed_in(&app, "pm_001", &url).await;
    let adam = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = adam.get_text(&url).await;
    let member_role = role_id(&html, "member");

    let r = adam
        .post_form(
            &format!("{url}/{demoted_id}/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        member_roles(&app, &org.id, &demoted_id).await,
        Some(vec!["member".to_string()])
    );
    // The very next request (no clock moved) reads the new roles: no longer an admin.
    assert_eq!(demoted.get(&url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(demoted.get("/profile").await.status(), StatusCode::OK);
    let entries = audit(&app, &org.id, "member.roles_change").await;
    let details: serde_json::Value = serde_json::from_str(&entries[0].details).unwrap();
    assert_eq!(details["sessionsRefreshed"], 1, "{details}");

    let r = adam
        .post_form(&format!("{url}/{removed_id}/remove"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(removed.get(&url).await.status(), StatusCode::NOT_FOUND);
    let entries = audit(&app, &org.id, "member.remove").await;
    let details: serde_json::Value = serde_json::from_str(&entries[0].details).unwrap();
    assert_eq!(details["sessionsRefreshed"], 1, "{details}");
    // The admin who made the changes keeps working.
    assert_eq!(adam.get(&url).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn csv_formulas_behind_separators_are_neutralized() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Formula Co", 0);
    let st = app.fake.state();
    let mia = st.create_user(NewUser {
        username: Some("formula_mia".into()),
        name: Some("Mia;=1+1;-2+3".into()),
        primary_email: Some("mia@formula.test".into()),
        ..Default::default()
    });
    st.add_member(&org.id, &mia, &["member"]);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let body = b
        .get(&format!("{url}/export.csv"))
        .await
        .text()
        .await
        .unwrap();
    // Every cell quoted; each `;`-separated part that starts a formula gets a `'`.
    assert!(
        body.contains(&format!("\"{mia}\",\"Mia;'=1+1;'-2+3\",")),
        "{body}"
    );
    assert!(!body.contains(";=1+1"), "{body}");
    let rows = parse_csv(&body);
    let row = rows.iter().find(|r| r[0] == mia).unwrap();
    assert_eq!(row[1], "Mia;'=1+1;'-2+3");
}

// ---------------------------------------------------------------------------------------
// Avatars come from the portal only (issue 15)

async fn set_avatar(app: &TestApp, user_id: &str, url: &str) {
    app.state
        .logto
        .update_user(
            user_id,
            &logto_portal::logto::UserPatch {
                avatar: Some(Some(url.to_string())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

/// Every `<img src>` of a page.
/// The images of the page's content (the header's logo is a static asset, checked below).
fn image_sources(html: &str) -> Vec<String> {
    attrs(html, "main img[src]", "src")
}

#[tokio::test]
async fn pages_never_load_images_from_another_host() {
    let app = common::spawn_app().await;
    let acme = app.seed.org_ids[0].clone();
    let mia = app.user_id(&app.seed.member_username);
    set_avatar(&app, &mia, "https://attacker.example/t.png?u=mia").await;
    let op = app.operator().await;
    let me = app.member().await;
    let pages = [
        // Members are ordered by user id (random here): one page holds everyone.
        (&op, format!("/orgs/{acme}/members?page_size=100")),
        (&op, format!("/orgs/{acme}/members?q=mia")),
        (&op, "/users?q=mia".to_string()),
        (&op, format!("/users/{mia}")),
        (&me, "/profile".to_string()),
        (&me, "/profile/basics/edit".to_string()),
    ];
    for (b, page) in pages {
        let r = b.get(&page).await;
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("img-src 'self';"), "{csp}");
        let html = r.text().await.unwrap();
        // (The person's own edit form shows the address as text; no page loads it.)
        for bad in ["src=\"http", "src=\"//", "src=\"https://attacker"] {
            assert!(!html.contains(bad), "{page}: {bad}");
        }
        let logos = attrs(&html, "header.topbar img[src]", "src");
        assert!(
            logos.iter().all(|s| s.starts_with("/static/logo.svg?v=")),
            "{page}: {logos:?}"
        );
        let sources = image_sources(&html);
        assert!(
            sources.iter().all(|s| s.starts_with("/avatars/")),
            "{page}: {sources:?}"
        );
        assert!(
            sources
                .iter()
                .any(|s| s.starts_with(&format!("/avatars/{mia}?v="))),
            "{page}: Mia's avatar through the portal: {sources:?}"
        );
    }
}

#[tokio::test]
async fn the_avatar_route_refuses_private_addresses_and_strangers() {
    let app = common::spawn_app().await;
    // Something listening on loopback that must never be contacted.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = trap.local_addr().unwrap().port();
    let contacted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = contacted.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = trap.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let op = app.operator().await;
    let targets = [
        format!("https://127.0.0.1:{port}/a.png"),
        format!("https://localhost:{port}/a.png"),
        format!("http://127.0.0.1:{port}/a.png"),
        format!("https://[::ffff:127.0.0.1]:{port}/a.png"),
        "https://169.254.169.254/latest/meta-data".to_string(),
        "https://10.0.0.1/a.png".to_string(),
    ];
    for (i, target) in targets.iter().enumerate() {
        let id = person(&app, &format!("trap_{i}"), &format!("Trap {i}"));
        set_avatar(&app, &id, target).await;
        let (_, html) = op.get_text(&format!("/users/{id}")).await;
        let src = image_sources(&html).remove(0);
        let r = op.get(&src).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{target}");
    }
    assert_eq!(contacted.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Someone who may not see the person gets 404 too, whatever the image.
    let adam = app.user_id(&app.seed.admin_username);
    set_avatar(&app, &adam, "https://127.0.0.1/a.png").await;
    let mia = app.member().await;
    assert_eq!(
        mia.get(&format!("/avatars/{adam}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Not signed in: off to sign in.
    let anonymous = app.browser();
    assert_eq!(
        anonymous.get(&format!("/avatars/{adam}")).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_avatar_on_logto_s_host_is_fetched_re_encoded_and_cached() {
    let app = common::spawn_app().await;
    app.fake.state().set_storage_configured(true);
    // 300×150 with a text chunk (metadata the portal must not pass on).
    let mut original = std::io::Cursor::new(Vec::new());
    let mut pixels = image::RgbaImage::new(300, 150);
    for (x, y, p) in pixels.enumerate_pixels_mut() {
        *p = image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255]);
    }
    image::DynamicImage::ImageRgba8(pixels)
        .write_to(&mut original, image::ImageFormat::Png)
        .unwrap();
    let original = original.into_inner();
    let url = app
        .state
        .logto
        .upload_user_asset(original.clone(), "me.png", "image/png")
        .await
        .unwrap();
    assert!(url.starts_with(&app.fake.url()), "{url}");
    let mia = app.user_id(&app.seed.member_username);
    set_avatar(&app, &mia, &url).await;

    // An admin of Mia's organization sees it, from the members page.
    let acme = app.seed.org_ids[0].clone();
    let adam = app.admin().await;
    let (_, html) = adam.get_text(&format!("/orgs/{acme}/members?q=mia")).await;
    let src = image_sources(&html)
        .into_iter()
        .find(|s| s.starts_with(&format!("/avatars/{mia}?v=")))
        .expect("Mia's avatar");
    app.fake.state().clear_requests();
    let r = adam.get(&src).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let caching = r.headers()["cache-control"].to_str().unwrap().to_string();
    assert!(
        caching.contains("private") && caching.contains("max-age=31536000"),
        "{caching}"
    );
    let served = r.bytes().await.unwrap();
    assert_ne!(served.as_ref(), original.as_slice());
    let decoded = image::load_from_memory(&served).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (96, 96));

    // Asked again (Mia herself this time): from memory, Logto's storage is not asked again.
    let me = app.member().await;
    let asset_fetches = || {
        app.fake
            .state()
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/user-assets/"))
            .count()
    };
    assert_eq!(asset_fetches(), 1);
    let again = me.get(&src).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.bytes().await.unwrap(), served);
    assert_eq!(asset_fetches(), 1);
}

// ---------------------------------------------------------------------------------------
// Design (issue 20)

/// Point 1: Members | Invitations tabs with the member count; Export CSV and Add member (the
/// one primary action) beside the title; the export follows the search, also after htmx.
#[tokio::test]
async fn the_member_page_has_tabs_and_its_actions_in_the_header() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Tabs Co", 3);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    assert_eq!(
        attrs(&html, ".page-header nav.tabs a", "href"),
        vec![url.clone(), format!("/orgs/{}/invitations", org.id)]
    );
    assert_eq!(
        attrs(&html, ".page-header nav.tabs a[aria-current=page]", "href"),
        vec![url.clone()]
    );
    assert_eq!(
        texts(&html, "nav.tabs a[aria-current=page] .tab-count"),
        vec!["4"]
    );
    assert_eq!(
        attrs(&html, ".page-header .page-actions a", "id"),
        vec!["members-export", "add-member"]
    );
    assert_eq!(
        texts(&html, "main .primary"),
        vec!["Add member"],
        "one primary action"
    );
    assert_eq!(
        attrs(&html, ".page-header #members-export", "href"),
        vec![format!("{url}/export.csv")]
    );

    // A search: no count in the tab (it would be the matches), the export follows.
    let (_, html) = b.get_text(&format!("{url}?q=paging")).await;
    assert!(texts(&html, "nav.tabs .tab-count").is_empty());
    assert_eq!(
        attrs(&html, "#members-export", "href"),
        vec![format!("{url}/export.csv?q=paging")]
    );
    let fragment = b
        .get_htmx(&format!("{url}?q=member"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        attrs(&fragment, "#members-export[hx-swap-oob]", "href"),
        vec![format!("{url}/export.csv?q=member")]
    );
}

/// Points 2 and 5: the table becomes cards (labels per cell); Change roles and Remove sit in
/// the row's menu, Remove quiet there, and its confirmation is a sentence in the row.
#[tokio::test]
async fn row_actions_are_in_a_menu_and_removal_is_confirmed_in_the_row() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Menu Co", 2);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    assert_eq!(attrs(&html, "table.members.table-cards", "class").len(), 1);
    assert!(texts(&html, "tbody .cell-label").contains(&"Email".to_string()));
    let target = &org.member_ids[0];
    let row = format!("#member-{target}");
    assert_eq!(
        texts(&html, &format!("{row} td.row-actions details.row-menu a")),
        vec!["Change roles", "Remove"]
    );
    let quiet = attrs(&html, &format!("{row} .row-menu a.danger-quiet"), "href");
    assert_eq!(quiet.len(), 1);
    assert!(
        quiet[0].starts_with(&format!("{url}/{target}/remove?back=")),
        "{quiet:?}"
    );
    assert!(
        attrs(&html, "#members-table .danger:not(.danger-quiet)", "class").is_empty(),
        "no red button in the table"
    );

    let html = b
        .get_htmx(&format!("{url}/{target}/remove"))
        .await
        .text()
        .await
        .unwrap();
    let confirm = in_table(&html);
    assert_eq!(
        texts(&confirm, "tr.confirming .confirm-question"),
        vec!["Remove Paging Member 000 from Menu Co? They lose their roles in this organization; their account itself is not deleted."]
    );
    assert_eq!(
        texts(&confirm, "tr.confirming button.danger"),
        vec!["Remove from organization"]
    );
    // Cancel is a link-button, back to the row.
    assert_eq!(
        attrs(&confirm, "tr.confirming a.button", "hx-target"),
        vec![row.clone()]
    );
    let editor = in_table(
        &b.get_htmx(&format!("{url}/{target}/roles"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(texts(&editor, "tr.editing a.button"), vec!["Cancel"]);
}

/// Point 8: search, role and button in one toolbar, the hint below; one page of members
/// shows only the count.
#[tokio::test]
async fn the_filters_share_one_toolbar_and_a_short_list_a_compact_pager() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Toolbar Co", 2);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    assert_eq!(
        attrs(&html, "form#members-filter.toolbar > .toolbar-field input, form#members-filter.toolbar > .toolbar-field select", "id"),
        vec!["members-q", "members-role"]
    );
    assert_eq!(
        attrs(&html, "form#members-filter > p.toolbar-hint", "id"),
        vec!["members-q-hint"]
    );
    assert_eq!(
        attrs(&html, "form#members-filter > button", "type"),
        vec!["submit"]
    );
    assert!(html.contains("1–3 of 3"), "{html}");
    assert!(
        attrs(&html, ".pager a", "href").is_empty(),
        "no paging links"
    );
    assert!(attrs(&html, ".pager select", "name").is_empty());
}

/// Point 9: two-letter initials as in the user directory; names link to the user's page for
/// operators only (admins have no directory).
#[tokio::test]
async fn initials_have_two_letters_and_only_operators_get_user_links() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Names Co", 1);
    let url = members_url(&org.id);
    let target = &org.member_ids[0];
    let admin = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = admin.get_text(&url).await;
    assert_eq!(
        texts(&html, &format!("#member-{target} .avatar-initials")),
        vec!["PM"]
    );
    assert!(
        attrs(&html, "th.member-name a", "href").is_empty(),
        "{html}"
    );
    assert_eq!(
        admin.get(&format!("/users/{target}")).await.status(),
        StatusCode::FORBIDDEN
    );

    let op = signed_in(&app, &app.seed.operator_username, &url).await;
    let (_, html) = op.get_text(&url).await;
    assert_eq!(
        attrs(&html, &format!("#member-{target} th.member-name a"), "href"),
        vec![format!("/users/{target}")]
    );
}

/// Point 11: someone who administers nothing sees the organizations they belong to with
/// their own roles, read-only, from their session (no other member, no link to manage).
#[tokio::test]
async fn a_plain_member_sees_their_organizations_and_roles() {
    let app = common::spawn_app().await;
    let member_id = app.user_id(&app.seed.member_username);
    let second = app.fake.state().create_organization("Second Home", None);
    app.fake.state().add_member(&second, &member_id, &[]);
    let member = app.member().await;
    app.fake.state().clear_requests();
    let (status, html) = member.get_text("/orgs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&html, "table.orgs tbody th"),
        vec!["Acme Corp", "Second Home"]
    );
    let acme_row = attrs(&html, "table.orgs tbody tr", "id")[0].clone();
    assert_eq!(
        texts(&html, &format!("#{acme_row} .org-roles .badge")),
        vec!["member"]
    );
    assert_eq!(
        texts(&html, &format!("#org-{second} .org-roles .muted")),
        vec!["No roles"]
    );
    assert!(texts(&html, ".page-subtitle")[0].contains("you belong to"));
    assert!(
        attrs(&html, "table.orgs a", "href").is_empty(),
        "nothing to manage"
    );
    assert!(attrs(&html, "table.orgs details", "class").is_empty());
    assert!(!html.contains("do not administer"));
    assert!(!html.contains("Adam Admin"), "no other member is named");
    let calls = app.fake.state().api_requests();
    assert!(
        calls.iter().all(|c| !c.path.contains("/organizations/")),
        "{calls:?}"
    );
}

/// The members page and /orgs in both languages, as reviewed snapshots.
#[tokio::test]
async fn member_and_organization_pages_are_snapshots_in_both_languages() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Snapshot Co", 0);
    let url = members_url(&org.id);
    let admin = signed_in(&app, &app.seed.admin_username, &url).await;
    let member = app.member().await;
    for lang in ["en", "zh-TW"] {
        for b in [&admin, &member] {
            let r = b.get(&format!("/lang/{lang}?return_to=/orgs")).await;
            assert!(r.status().is_redirection());
        }
        let (status, html) = admin.get_text(&url).await;
        assert_eq!(status, StatusCode::OK);
        // The organization's id also appears percent-encoded inside the forms' `back`.
        insta::assert_snapshot!(
            format!("members_page_{lang}"),
            common::snapshot::main_markup(&html).replace(&org.id, "[id]")
        );
        let (_, html) = admin.get_text("/orgs").await;
        insta::assert_snapshot!(
            format!("orgs_admin_{lang}"),
            common::snapshot::main_markup(&html)
        );
        let (_, html) = member.get_text("/orgs").await;
        insta::assert_snapshot!(
            format!("orgs_member_{lang}"),
            common::snapshot::main_markup(&html)
        );
    }
}
