//! `GET /orgs/{org_id}/invitations`: the invite form above the organization's invitations.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};

use super::invite::{fresh_card, person_roles, InviteCard};
use super::table::{
    build_table, org_filter, table_partial, vary_html, ListQuery, Notice, TableView,
};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::OrgAdmin;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "invitations/list.html")]
pub(super) struct ListPage {
    ctx: PageCtx,
    heading: String,
    org_name: String,
    members_href: String,
    card: InviteCard,
    table: TableView,
    notice: Option<Notice>,
}

impl ListPage {
    /// The whole page: the invite form above the table.
    pub(super) fn new(
        ctx: PageCtx,
        org_name: &str,
        card: InviteCard,
        table: TableView,
    ) -> ListPage {
        ListPage {
            heading: ctx.t.f("invitations.heading", &[("org", &org_name)]),
            members_href: format!("/orgs/{}/members", card.org_id),
            org_name: org_name.to_string(),
            ctx,
            card,
            table,
            notice: None,
        }
    }
}

/// `GET /orgs/{org_id}/invitations`: the form and the table (htmx: the table alone).
pub async fn list(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let org_id = admin.org_id.clone();
    if ctx.is_htmx {
        return table_partial(&state, ctx, &org_id, &query, None).await;
    }
    let filter = org_filter(&org_id);
    // The organization's name and roles come from the shared short-lived cache.
    let (org_name, invitations, roles) = tokio::try_join!(
        crate::web::members::org_name(&state, &admin),
        state.logto.list_invitations(&filter),
        state.org_facts.roles(&state.logto),
    )?;
    let table = build_table(&state, &ctx.t, &org_id, &invitations, &query).await?;
    let card = fresh_card(&state, &ctx.t, &org_id, &person_roles(roles.to_vec()));
    vary_html(&ListPage::new(ctx, &org_name, card, table))
}
