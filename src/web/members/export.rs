//! The member list as a CSV file, streamed as Logto answers.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, HeaderValue},
    response::Response,
};
use axum_extra::extract::Query;
use futures::{stream, StreamExt, TryStreamExt};
use serde_json::json;

use crate::audit::NewEntry;
use crate::logto::OrgMember;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::OrgAdmin;
use crate::web::AppState;

use super::params::ViewQuery;

const CSV_HEADER: [&str; 9] = [
    "id",
    "name",
    "username",
    "email",
    "phone",
    "organization_roles",
    "last_sign_in",
    "created_at",
    "suspended",
];

fn member_csv_line(m: &OrgMember) -> String {
    let iso = |ms: Option<i64>| ms.map(crate::web::format::iso).unwrap_or_default();
    crate::web::csv::line([
        m.id.clone(),
        m.name.clone().unwrap_or_default(),
        m.username.clone().unwrap_or_default(),
        m.primary_email.clone().unwrap_or_default(),
        m.primary_phone.clone().unwrap_or_default(),
        m.organization_roles
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        iso(m.last_sign_in_at),
        iso(Some(m.created_at)),
        m.is_suspended.to_string(),
    ])
}

/// `GET /orgs/{org_id}/members/export.csv?q=&role=`: every member matching the view's
/// filters, 100 per Logto call through the client's throttle, streamed as it arrives. The
/// first page is read before answering, so an early Logto failure is a proper error page; a
/// later one cuts the download short (the browser reports it failed) rather than lying.
pub(super) async fn export_csv(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Query(view): Query<ViewQuery>,
) -> AppResult<Response> {
    let params = view.view();
    let query = params.member_query();
    let mut members = Box::pin(state.logto.org_members_stream(&admin.org_id, query));
    let first = members.next().await.transpose()?;
    state
        .audit
        .record_or_log(
            NewEntry::new("member.export", ctx.actor(), ctx.origin())
                .org(&admin.org_id)
                .details(json!({ "q": params.q, "role": params.role })),
        )
        .await;
    let org_id = admin.org_id.clone();
    // A byte-order mark so spreadsheet programs read the file as UTF-8.
    let head = format!(
        "{}{}",
        crate::web::csv::BOM,
        crate::web::csv::header_line(&CSV_HEADER)
    );
    let rows = stream::iter(first.map(Ok))
        .chain(members)
        .map_ok(|m| Bytes::from(member_csv_line(&m)))
        .map_err(move |e| {
            tracing::warn!(error = %e, org_id = %org_id, "CSV export cut short: Logto failed");
            e
        });
    let body = Body::from_stream(stream::once(async move { Ok(Bytes::from(head)) }).chain(rows));
    let safe_id: String = admin
        .org_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"members-{safe_id}.csv\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
