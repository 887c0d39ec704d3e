//! Organization members for tenant admins (and operators): the member table with search, role
//! filter and paging ([`list`]), adding an existing user ([`add`], found through the
//! [`picker`] by exact email or username for admins, see [`picker::PickerScope`]), changing a member's
//! roles ([`roles`]), removing a member ([`remove`]), and a streamed CSV export ([`export`]).
//! Every change goes through the Management API and into the audit trail with the signed-in
//! person as actor; no change may take an organization's last admin away ([`guard`]).
//!
//! Cost of one member page: the member list (members carry `organizationRoles`) plus the
//! organization-role list, which is cached briefly ([`cache`]); operators also need the
//! organization name (cached too). A warm page is one call.

mod act;
mod add;
mod bulk;
pub mod bulk_job;
mod export;
mod guard;
mod list;
mod params;
mod picker;
mod refusal;
mod remove;
mod roles;

pub(crate) use params::last as last_value;

use axum::{routing::get, Router};

use crate::logto::{LogtoClient, LogtoError, MemberQuery, OrgMember, OrgRole};
use crate::web::context::PageCtx;
use crate::web::extract::OrgAdmin;
use crate::web::format::{Dates, Moment};
use crate::web::i18n::Tr;
use crate::web::parts::MenuItem;
use crate::web::AppState;

/// Columns of the member table (rows that replace a member span them all).
const COLUMNS: u32 = 8;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org_id}/members", get(list::list))
        .route("/orgs/{org_id}/members/export.csv", get(export::export_csv))
        .route(
            "/orgs/{org_id}/members/add",
            get(add::add_form).post(add::add),
        )
        .route("/orgs/{org_id}/members/candidates", get(picker::candidates))
        .route(
            "/orgs/{org_id}/members/bulk",
            get(bulk::confirm).post(bulk::start),
        )
        .route("/orgs/{org_id}/members/batches/{job_id}", get(bulk::show))
        .route("/orgs/{org_id}/members/{user_id}", get(list::row))
        .route(
            "/orgs/{org_id}/members/{user_id}/roles",
            get(roles::edit_roles).post(roles::save_roles),
        )
        .route(
            "/orgs/{org_id}/members/{user_id}/remove",
            get(remove::confirm_remove).post(remove::remove),
        )
}

// ---------------------------------------------------------------------------------------
// Addresses

/// `segment` percent-encoded, written where it goes.
fn encoded(segment: &str) -> percent_encoding::PercentEncode<'_> {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC)
}

fn enc(segment: &str) -> String {
    // Collected rather than formatted: `to_string` goes through `fmt` a chunk at a time, and
    // every row of the member table encodes its list address twice.
    encoded(segment).collect()
}

fn members_path(org_id: &str) -> String {
    format!("/orgs/{}/members", enc(org_id))
}

fn member_path(org_id: &str, user_id: &str) -> String {
    format!("{}/{}", members_path(org_id), enc(user_id))
}

/// The member's row with the list to return to: where a form's "cancel" leads.
fn row_href(org_id: &str, user_id: &str, back: &str) -> String {
    format!("{}?back={}", member_path(org_id, user_id), enc(back))
}

// ---------------------------------------------------------------------------------------
// Shared view models

/// A short message shown inside a row or form.
#[derive(Debug, Clone)]
pub struct Notice {
    pub class: &'static str,
    pub text: String,
}

impl Notice {
    fn ok(text: String) -> Self {
        Notice {
            class: "alert alert-success",
            text,
        }
    }

    fn error(text: String) -> Self {
        Notice {
            class: "alert alert-error",
            text,
        }
    }
}

/// One line of the member table.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub avatar: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub roles: Vec<String>,
    pub last_sign_in: Option<Moment>,
    pub is_self: bool,
    pub is_suspended: bool,
    /// The checkbox's label: "Select Ann" (for the bulk role change).
    pub select_label: String,
    /// The user's page in the directory, for operators (admins have no directory).
    pub detail_href: Option<String>,
    /// The row's "⋯" menu: change roles, remove (confirmed in the row).
    pub menu: Vec<MenuItem>,
    pub notice: Option<Notice>,
}

/// What the links of every row of one member table share, encoded once for the table.
pub(super) struct RowLinks {
    /// `/orgs/{org}/members`
    members: String,
    /// `?back=<the table's address>`
    back_query: String,
}

impl RowLinks {
    pub(super) fn new(org_id: &str, back: &str) -> Self {
        let members = members_path(org_id);
        // The list's first page at the first size is where a missing `back` leads
        // (`params::safe_back`): its rows' four links each go without 70 bytes of it.
        let first_page = format!(
            "{members}?page=1&page_size={}",
            crate::web::pager::PAGE_SIZES[0]
        );
        let back_query = if back == first_page {
            String::new()
        } else {
            format!("?back={}", enc(back))
        };
        RowLinks {
            members,
            back_query,
        }
    }

    /// `/orgs/{org}/members/{user}/{action}?back=…`
    fn action(&self, user_id: &str, action: &str) -> String {
        // Logto ids are alphanumeric: encoded, they keep their length.
        let mut href = String::with_capacity(
            self.members.len() + user_id.len() + action.len() + self.back_query.len() + 2,
        );
        href.push_str(&self.members);
        href.push('/');
        href.extend(encoded(user_id));
        for part in ["/", action, &self.back_query] {
            href.push_str(part);
        }
        href
    }
}

impl MemberRow {
    fn new(m: OrgMember, admin: &OrgAdmin, back: &str, t: &Tr, dates: &Dates) -> Self {
        Self::with_links(m, admin, &RowLinks::new(&admin.org_id, back), t, dates)
    }

    /// A row of a table whose links were encoded once ([`RowLinks`]). The member is taken,
    /// not borrowed: its strings move into the row (a member page has 20 rows).
    fn with_links(m: OrgMember, admin: &OrgAdmin, links: &RowLinks, t: &Tr, dates: &Dates) -> Self {
        let name = m.display_name().to_string();
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        let menu = vec![
            MenuItem::link(t.text("members.change_roles"), links.action(&m.id, "roles"))
                .swapping_its_row(),
            MenuItem::link(t.text("members.remove"), links.action(&m.id, "remove"))
                .swapping_its_row()
                .danger(),
        ];
        MemberRow {
            initials: crate::web::users::initials(&name),
            // Through the portal: the browser never contacts the avatar's host.
            avatar: crate::avatars::avatar_src(&m.id, m.avatar.as_deref()),
            email: non_empty(m.primary_email),
            username: non_empty(m.username),
            roles: m.organization_roles.into_iter().map(|r| r.name).collect(),
            last_sign_in: m.last_sign_in_at.map(|ms| dates.moment(ms)),
            is_self: m.id == admin.user.user.id,
            select_label: t.f("members.bulk.select", &[("name", &name)]),
            is_suspended: m.is_suspended,
            detail_href: admin.is_operator().then(|| {
                let mut href = String::with_capacity("/users/".len() + m.id.len());
                href.push_str("/users/");
                href.extend(encoded(&m.id));
                href
            }),
            menu,
            id: m.id,
            name,
            notice: None,
        }
    }
}

/// A form that takes a member's row (change roles, remove): its own page without JavaScript
/// (`members/_row_page.html`), the row itself for htmx.
#[derive(Debug, Clone)]
pub struct RowForm {
    pub org_id: String,
    pub user_id: String,
    /// The page's title.
    pub title: String,
    pub error: Option<String>,
    /// The member list to return to.
    pub back: String,
}

impl RowForm {
    fn new(
        org_id: &str,
        member: &OrgMember,
        title: String,
        error: Option<String>,
        back: String,
    ) -> Self {
        RowForm {
            org_id: org_id.to_string(),
            user_id: member.id.clone(),
            title,
            error,
            back,
        }
    }

    /// `/orgs/{org}/members/{user}/{verb}`: where the form posts.
    pub fn action(&self, verb: &str) -> String {
        format!("{}/{verb}", member_path(&self.org_id, &self.user_id))
    }

    /// The member's row again (htmx "cancel").
    pub fn row_href(&self) -> String {
        row_href(&self.org_id, &self.user_id, &self.back)
    }

    pub fn row_target(&self) -> String {
        format!("#member-{}", self.user_id)
    }

    pub fn columns(&self) -> u32 {
        COLUMNS
    }
}

#[derive(askama::Template)]
#[template(path = "members/_row.html")]
struct RowFragment {
    ctx: PageCtx,
    row: MemberRow,
}

/// A role as a checkbox (role forms) or an option (the role filter).
#[derive(Debug, Clone)]
pub struct RoleChoice {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub checked: bool,
}

fn choices(roles: &[OrgRole], checked: &[String]) -> Vec<RoleChoice> {
    roles
        .iter()
        .map(|r| RoleChoice {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone().filter(|d| !d.is_empty()),
            checked: checked.iter().any(|c| c == &r.id),
        })
        .collect()
}

fn role_names(roles: &[OrgRole]) -> Vec<String> {
    let mut names: Vec<String> = roles.iter().map(|r| r.name.clone()).collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------
// Reading one member

/// One member, found through the member list (it carries the organization roles): the
/// search matches the id, the exact id is then picked. `None` when not a member.
async fn fetch_member(
    logto: &LogtoClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<OrgMember>, LogtoError> {
    let page = logto
        .list_org_members(
            org_id,
            &MemberQuery {
                q: Some(user_id.to_string()),
                page: 1,
                page_size: 100,
                organization_role_id: None,
            },
        )
        .await?;
    Ok(page.items.into_iter().find(|m| m.id == user_id))
}

/// The ids of the organization roles the member holds now.
fn held_role_ids(member: &OrgMember) -> Vec<String> {
    member
        .organization_roles
        .iter()
        .map(|r| r.id.clone())
        .collect()
}

/// The organization's name: from the session for its admins, else (operators) from Logto.
pub async fn org_name(state: &AppState, admin: &OrgAdmin) -> Result<String, LogtoError> {
    if let Some(o) = admin.user.access.orgs.iter().find(|o| o.id == admin.org_id) {
        return Ok(o.name.clone());
    }
    state.org_facts.org_name(&state.logto, &admin.org_id).await
}
