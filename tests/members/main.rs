//! Organization member management, through real HTTP against the fake Logto: paging, search,
//! role filter, adding, role changes, removal, the last-admin guard, cross-organization
//! refusal, the CSV export and what a person sees when Logto fails.

#[path = "../common/mod.rs"]
mod common;

use common::{attrs, location, texts};

use std::collections::BTreeSet;

use common::{Browser, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::{Entry, Filter};
use logto_portal::logto::{Feature, MemberQuery};
use reqwest::StatusCode;

mod access;
mod adding;
mod bulk;
mod design;
mod export;
mod roles_and_removal;
mod scale;
mod table;

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
