//! `POST /orgs/{org_id}/invitations`: invite one person or many, typed or from a CSV upload,
//! and show what happened to each row.

use std::collections::HashSet;

use axum::{
    extract::{FromRequest, Multipart, Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::list::ListPage;
use super::table::{build_table, org_filter, ListQuery};
use crate::logto::{Invitation, InvitationStatus, OrgRole, RoleType};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Htmx, OrgAdmin};
use crate::web::i18n::Tr;
use crate::web::invitations::batch;
use crate::web::invitations::input::{
    parse_address_list, parse_csv, CsvError, Requested, MAX_CSV_BYTES, MAX_ROWS,
};
use crate::web::invitations::present::effective_status;
use crate::web::invitations::send::{self, Batch, RowResult};
use crate::web::AppState;

/// Longest expiry an admin may choose.
const MAX_EXPIRY_DAYS: u32 = 365;
const DAY_MS: i64 = 86_400_000;

/// A role the admin can tick.
#[derive(Debug, Clone)]
pub struct RoleOption {
    pub id: String,
    pub name: String,
    pub description: String,
    pub checked: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    pub emails: Option<String>,
    pub file: Option<String>,
    pub roles: Option<String>,
    pub expiry: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.emails.is_some()
            || self.file.is_some()
            || self.roles.is_some()
            || self.expiry.is_some()
    }
}

/// What a batch did, for the results table under the form.
#[derive(Debug, Clone)]
pub struct Report {
    pub rows: Vec<RowResult>,
    /// `(label, count)` of each kind of result that occurred.
    pub summary: Vec<(String, usize)>,
    /// `email,link` lines for invitations whose link has to be shared by hand.
    pub links: String,
    pub retry_count: usize,
}

impl Report {
    pub(super) fn new(t: &Tr, rows: Vec<RowResult>) -> Report {
        let mut summary: Vec<(String, usize)> = Vec::new();
        for row in &rows {
            let label = row.label(t);
            match summary.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => summary.push((label, 1)),
            }
        }
        let links = rows
            .iter()
            .filter_map(|r| r.link_to_share().map(|l| format!("{},{l}", r.email)))
            .collect::<Vec<_>>()
            .join("\n");
        let retry_count = rows.iter().filter(|r| r.is_retryable()).count();
        Report {
            rows,
            summary,
            links,
            retry_count,
        }
    }
}

/// The invite form (typed addresses and CSV upload) with its results.
#[derive(Debug, Clone)]
pub struct InviteCard {
    pub org_id: String,
    pub roles: Vec<RoleOption>,
    pub emails: String,
    pub expiry_days: String,
    pub errors: FieldErrors,
    pub report: Option<Report>,
    pub no_connector: bool,
    pub emails_hint: String,
    pub max_expiry_days: u32,
}

/// Roles a person can be given (machine-to-machine roles cannot).
pub(super) fn person_roles(roles: Vec<OrgRole>) -> Vec<OrgRole> {
    roles
        .into_iter()
        .filter(|r| r.r#type == RoleType::User)
        .collect()
}

/// An empty invitation form; `no_connector` when invitation emails cannot go out.
pub(super) fn fresh_card(
    state: &AppState,
    t: &Tr,
    org_id: &str,
    roles: &[OrgRole],
    no_connector: bool,
) -> InviteCard {
    InviteCard {
        org_id: org_id.to_string(),
        roles: roles
            .iter()
            .map(|r| RoleOption {
                id: r.id.clone(),
                name: r.name.clone(),
                description: r.description.clone().unwrap_or_default(),
                // Most invitations are for ordinary members; admins tick more if needed.
                checked: r.name == "member",
            })
            .collect(),
        emails: String::new(),
        expiry_days: state.config.invitation_expiry_days.to_string(),
        errors: FieldErrors::default(),
        report: None,
        no_connector,
        emails_hint: t.f("invitations.form.emails_hint", &[("max", &MAX_ROWS)]),
        max_expiry_days: MAX_EXPIRY_DAYS,
    }
}

/// A submission of the invite form, typed or uploaded.
struct Submission {
    source: &'static str,
    /// The rows, or the message for the field that could not be read.
    rows: Result<Vec<Requested>, String>,
    emails_text: String,
    role_ids: Vec<String>,
    expiry_raw: String,
}

/// The invite form posted urlencoded (no file): `roles` repeats, one per ticked role.
#[derive(Debug, Default, Deserialize)]
struct InviteFields {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    expiry_days: String,
}

/// `POST /orgs/{org_id}/invitations`: the invite form. The page posts it as multipart (it
/// carries the optional CSV file, and the CSRF token as its `_csrf` part); a urlencoded post with
/// `emails`, `roles` and `expiry_days` works the same without the file.
pub async fn invite(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    htmx: Htmx,
    request: Request,
) -> AppResult<Response> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let submission = if is_multipart {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|_| AppError::BadRequest("invitations.form.upload_unreadable"))?;
        read_multipart(&ctx.t, multipart).await?
    } else {
        let Form(fields) = Form::<InviteFields>::from_request(request, &state)
            .await
            .map_err(|_| AppError::BadRequest("invitations.form.upload_unreadable"))?;
        Submission {
            source: "form",
            rows: Ok(parse_address_list(&fields.emails)),
            emails_text: fields.emails,
            role_ids: fields.roles,
            expiry_raw: fields.expiry_days,
        }
    };
    process(state, admin, ctx, htmx, submission).await
}

/// The multipart form: typed addresses (`emails`) or a CSV file (`file`), not both.
async fn read_multipart(t: &Tr, mut multipart: Multipart) -> AppResult<Submission> {
    let unreadable = |_| AppError::BadRequest("invitations.form.upload_unreadable");
    let mut file: Option<Vec<u8>> = None;
    let mut too_large = false;
    let mut emails_text = String::new();
    let mut role_ids = Vec::new();
    let mut expiry_raw = String::new();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if bytes.len() + chunk.len() > MAX_CSV_BYTES {
                        too_large = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some(bytes).filter(|b| !b.iter().all(u8::is_ascii_whitespace));
            }
            "emails" => emails_text = field.text().await.map_err(unreadable)?,
            "roles" => role_ids.push(field.text().await.map_err(unreadable)?),
            "expiry_days" => expiry_raw = field.text().await.map_err(unreadable)?,
            _ => {}
        }
    }
    let typed = parse_address_list(&emails_text);
    let (source, rows) = match file {
        _ if too_large => (
            "csv",
            Err(t.f(
                "invitations.form.file_too_large",
                &[("kb", &(MAX_CSV_BYTES / 1024))],
            )),
        ),
        Some(_) if !typed.is_empty() => ("csv", Err(t.t("invitations.form.file_and_emails"))),
        Some(bytes) => (
            "csv",
            parse_csv(&bytes).map_err(|e| match e {
                CsvError::UnclosedQuote(line) => {
                    t.f("invitations.form.csv_unclosed_quote", &[("line", &line)])
                }
                CsvError::NotUtf8 => t.t("invitations.form.csv_not_utf8"),
            }),
        ),
        None => ("form", Ok(typed)),
    };
    Ok(Submission {
        source,
        rows,
        emails_text,
        role_ids,
        expiry_raw,
    })
}

/// A submission that can be sent.
struct Valid {
    rows: Vec<Requested>,
    chosen: Vec<OrgRole>,
    days: u32,
}

/// Checks the form: rows present and not too many, known roles, a sane expiry.
fn validate(t: &Tr, sub: &Submission, roles: &[OrgRole]) -> Result<Valid, FieldErrors> {
    let mut errors = FieldErrors::default();
    let chosen: Vec<OrgRole> = roles
        .iter()
        .filter(|r| sub.role_ids.contains(&r.id))
        .cloned()
        .collect();
    if chosen.len() != sub.role_ids.iter().collect::<HashSet<_>>().len() {
        errors.roles = Some(t.t("invitations.form.roles_unknown"));
    }
    let days = sub
        .expiry_raw
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_EXPIRY_DAYS).contains(d));
    if days.is_none() {
        errors.expiry = Some(t.f(
            "invitations.form.expiry_invalid",
            &[("max", &MAX_EXPIRY_DAYS)],
        ));
    }
    let rows_error = match &sub.rows {
        Err(message) => Some(message.clone()),
        Ok(rows) if rows.is_empty() => Some(t.t(if sub.source == "csv" {
            "invitations.form.csv_empty"
        } else {
            "invitations.form.emails_required"
        })),
        Ok(rows) if rows.len() > MAX_ROWS => Some(t.f(
            "invitations.form.too_many",
            &[("max", &MAX_ROWS), ("count", &rows.len())],
        )),
        Ok(_) => None,
    };
    if sub.source == "csv" {
        errors.file = rows_error;
    } else {
        errors.emails = rows_error;
    }
    match (&sub.rows, days) {
        (Ok(rows), Some(days)) if !errors.any() => Ok(Valid {
            rows: rows.clone(),
            chosen,
            days,
        }),
        _ => Err(errors),
    }
}

/// Validates a submission, sends it, and shows the per-row results.
async fn process(
    state: AppState,
    admin: OrgAdmin,
    ctx: PageCtx,
    htmx: Htmx,
    sub: Submission,
) -> AppResult<Response> {
    let org_id = admin.org_id.clone();
    let filter = org_filter(&org_id);
    let (org_name, roles, invitations) = tokio::try_join!(
        crate::web::members::org_name(&state, &admin),
        state.org_facts.roles(&state.logto),
        state.logto.list_invitations(&filter),
    )?;
    let roles = person_roles(roles.to_vec());
    let t = ctx.t;
    let mut card = fresh_card(&state, &t, &org_id, &roles, false);
    for option in &mut card.roles {
        option.checked = sub.role_ids.contains(&option.id);
    }
    card.expiry_days = sub.expiry_raw.trim().to_string();
    let Valid { rows, chosen, days } = match validate(&t, &sub, &roles) {
        Ok(valid) => valid,
        Err(errors) => {
            card.emails = sub.emails_text;
            card.errors = errors;
            let page = with_table(&state, ctx, &org_name, card, &invitations).await?;
            return respond(page, htmx, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };

    let now = state.clock.now_ms();
    let pending: HashSet<String> = invitations
        .iter()
        .filter(|i| effective_status(i, now) == InvitationStatus::Pending)
        .map(|i| i.invitee.to_lowercase())
        .collect();
    let planned = send::plan(rows, &chosen, &roles, &pending);
    let batch = Batch {
        org_id: org_id.clone(),
        org_name: org_name.clone(),
        inviter_id: admin.user.user.id.clone(),
        inviter_name: admin.user.user.display_name(),
        expires_at: now + i64::from(days) * DAY_MS,
        source: sub.source.to_string(),
        locale: ctx.lang.code().to_string(),
        actor: ctx.actor(),
        origin: ctx.origin(),
    };
    if planned.len() > batch::INLINE_MAX_ROWS {
        // Too long for one request: the batch runs in the background, on any replica, and
        // its page follows it.
        let job_id = batch::enqueue(&state, &batch, &planned)
            .await
            .map_err(AppError::Internal)?;
        let to = format!("/orgs/{org_id}/invitations/batches/{job_id}");
        return Ok(if htmx.fragment {
            (axum_htmx::HxRedirect(to), ()).into_response()
        } else {
            Redirect::to(&to).into_response()
        });
    }
    let results = send::run(state.clone(), batch, planned).await;
    let invited_any = results.iter().any(RowResult::is_invited);
    // Rows Logto could not take for a passing reason stay in the box, ready to send again.
    card.emails = results
        .iter()
        .filter(|r| r.is_retryable() && sub.source == "form")
        .map(|r| r.email.clone())
        .collect::<Vec<_>>()
        .join("\n");
    card.report = Some(Report::new(&t, results));
    card.no_connector = send::emails_impossible(&state).await;
    // The table must show the new invitations.
    let invitations = if invited_any {
        state.logto.list_invitations(&org_filter(&org_id)).await?
    } else {
        invitations
    };
    let page = with_table(&state, ctx, &org_name, card, &invitations).await?;
    respond(page, htmx, StatusCode::OK)
}

/// The page around the form, with the unfiltered table.
async fn with_table(
    state: &AppState,
    ctx: PageCtx,
    org_name: &str,
    card: InviteCard,
    invitations: &[Invitation],
) -> AppResult<ListPage> {
    let table = build_table(
        state,
        &ctx.t,
        &card.org_id,
        invitations,
        &ListQuery::default(),
    )
    .await?;
    let batches = super::list::recent_batches(state, &ctx.t, &card.org_id).await;
    let mut page = ListPage::new(ctx, org_name, card, table);
    page.batches = batches;
    Ok(page)
}

/// htmx: the form with its results, and the table out of band (the address bar shows the
/// unfiltered list it now is). Otherwise the whole page.
fn respond(mut page: ListPage, htmx: Htmx, status: StatusCode) -> AppResult<Response> {
    let mut resp = if htmx.fragment {
        page.table_oob = true;
        htmx.region_at(&page.as_card(), &page.table.list_path)?
    } else {
        htmx.page(&page)?
    };
    *resp.status_mut() = status;
    Ok(resp)
}
