//! `GET /orgs/{org_id}/invitations`: the invite form above the organization's invitations,
//! under the organization's Members | Invitations tabs.

use askama::Template;
use axum::{extract::State, response::Response};
use axum_extra::extract::Query;

use super::invite::{fresh_card, person_roles, InviteCard};
use super::table::{build_table, org_filter, ListQuery, TableView};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::{Htmx, OrgAdmin};
use crate::web::i18n::Tr;
use crate::web::invitations::batch;
use crate::web::parts::{org_tabs, OrgSection, Tab};
use crate::web::AppState;

/// The invitations page. htmx gets the list view (`partial`: filters, table, pager) after a
/// search or a row action, or the invite form (`card`) after inviting, with the list view
/// out of band.
#[derive(Template)]
#[template(path = "invitations/list.html", blocks = ["partial", "card"])]
pub(super) struct ListPage {
    pub ctx: PageCtx,
    pub heading: String,
    pub org_name: String,
    pub tabs: Vec<Tab>,
    pub card: InviteCard,
    pub table: TableView,
    /// The list view travels with the form (after inviting, for htmx).
    pub table_oob: bool,
    /// The organization's latest background batches, newest first.
    pub batches: Vec<BatchLink>,
}

/// A background invitation batch, as the invitations page lists it.
#[derive(Debug, Clone)]
pub struct BatchLink {
    pub url: String,
    pub started: crate::web::format::Moment,
    pub status: String,
    pub running: bool,
}

/// How many of an organization's batches the invitations page lists.
const RECENT_BATCHES: i64 = 5;

/// The organization's latest batches; a database failure only hides them.
pub(super) async fn recent_batches(state: &AppState, t: &Tr, org_id: &str) -> Vec<BatchLink> {
    let jobs = match state
        .jobs
        .recent_for_org(batch::KIND, org_id, RECENT_BATCHES)
        .await
    {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::warn!(error = %e, "could not list the organization's invitation batches");
            return Vec::new();
        }
    };
    let now = state.clock.now_ms();
    jobs.into_iter()
        .map(|job| {
            let running = !job.state.is_finished();
            BatchLink {
                url: format!("/orgs/{org_id}/invitations/batches/{}", job.id),
                started: crate::web::format::Moment::new(t, job.created_at, now),
                status: if running {
                    t.f(
                        "invitations.batch.recent_running",
                        &[("done", &job.done), ("total", &job.total)],
                    )
                } else {
                    t.f(
                        "invitations.batch.recent_finished",
                        &[("total", &job.total)],
                    )
                },
                running,
            }
        })
        .collect()
}
crate::page_template!(ListPage);

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
            tabs: org_tabs(
                &ctx.t,
                &card.org_id,
                OrgSection::Invitations,
                None,
                Some(table.pending as u64),
                ctx.may_edit_org(&card.org_id),
            ),
            org_name: org_name.to_string(),
            ctx,
            card,
            table,
            table_oob: false,
            batches: Vec::new(),
        }
    }

    /// The page with a fresh form and the list view `query` asks for.
    pub(super) async fn load(
        state: &AppState,
        admin: &OrgAdmin,
        ctx: PageCtx,
        query: &ListQuery,
    ) -> AppResult<ListPage> {
        let org_id = &admin.org_id;
        let filter = org_filter(org_id);
        // The organization's name and roles come from the shared short-lived cache.
        let (org_name, invitations, roles, no_connector) = tokio::try_join!(
            crate::web::members::org_name(state, admin),
            state.logto.list_invitations(&filter),
            state.org_facts.roles(&state.logto),
            async { Ok(crate::web::invitations::send::emails_impossible(state).await) },
        )?;
        let table = build_table(state, &ctx.t, org_id, &invitations, query).await?;
        let roles = person_roles(roles.to_vec());
        let card = fresh_card(state, &ctx.t, org_id, &roles, no_connector);
        let batches = recent_batches(state, &ctx.t, org_id).await;
        let mut page = ListPage::new(ctx, &org_name, card, table);
        page.batches = batches;
        Ok(page)
    }
}

/// `GET /orgs/{org_id}/invitations`: the page (htmx: the list view), its address following
/// the filters and the page.
pub async fn list(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    htmx: Htmx,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let page = ListPage::load(&state, &admin, ctx, &query).await?;
    let url = page.table.self_url.clone();
    htmx.page_at(&page, &url)
}
