//! Creating invitations in bulk: each requested row gets its own result (invited, already a
//! member, already invited, invalid address, Logto error …) instead of all-or-nothing, and its
//! own audit entry. Rows go out a few at a time; the Logto client's throttle paces them.

use std::collections::HashSet;
use std::sync::Arc;

use futures::{stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::input::{is_valid_email, normalize_email, Requested};
use crate::audit::{Actor, NewEntry, Origin};
use crate::logto::{ConnectorType, LogtoError, NewInvitation, OrgRole};
use crate::web::i18n::Tr;
use crate::web::refusal::{logto_message_key, Wording};
use crate::web::AppState;

/// Rows in flight at once. The Logto client also bounds its own concurrency and rate; this
/// keeps one big batch from taking every slot other pages need meanwhile.
pub(super) const CONCURRENCY: usize = 4;

/// Logto's foreign-key refusal: the organization, a role or the inviter is gone.
const ROLES_CHANGED: &str = "invitations.result.roles_changed";

/// How Logto's refusals of a new invitation read, when they are not the person's situation
/// (already a member, already invited, not an address).
const CREATE_WORDING: Wording = Wording {
    codes: &[("entity.relation_foreign_key_not_found", ROLES_CHANGED)],
    not_found: ROLES_CHANGED,
};

/// Logto's code when the tenant cannot send email; also the audit code when the portal
/// already knows it and does not ask.
pub const NO_CONNECTOR_CODE: &str = "connector.not_found";

/// What happened to the invitation email: a domain result (emailed, or a link to share), not
/// a refusal; when Logto refused to send, the reason and its audit code
/// ([`LogtoError::failure_code`]) come along.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    Emailed,
    /// The tenant has no email connector: the link has to be shared by hand.
    NoConnector,
    /// It could not be sent (too many messages, the mail service failed): the message key
    /// says so, the code is the audit trail's.
    NotSent {
        reason: String,
        code: String,
    },
    /// A background batch stopped while asking Logto to send it (the portal restarted): it
    /// may or may not have gone out, and the portal does not ask twice.
    Unconfirmed,
}

impl Delivery {
    pub fn audit_value(&self) -> &'static str {
        match self {
            Delivery::Emailed => "sent",
            Delivery::NoConnector => "no_connector",
            Delivery::NotSent { .. } => "not_sent",
            Delivery::Unconfirmed => "unconfirmed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Invited {
        invitation_id: String,
        link: String,
        delivery: Delivery,
    },
    AlreadyMember,
    AlreadyInvited,
    InvalidAddress,
    /// The same address appeared earlier in this submission.
    Duplicate,
    /// Role names from the CSV that the tenant does not have.
    UnknownRoles(String),
    /// Logto refused or failed; the message key explains it (in [`CREATE_WORDING`]).
    Failed(String),
}

/// One row of the submission, planned: either refused by the portal already, or to send.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Planned {
    pub line: usize,
    pub email: String,
    pub role_ids: Vec<String>,
    pub role_names: Vec<String>,
    pub refused: Option<Outcome>,
}

/// The result shown for one row.
#[derive(Debug, Clone)]
pub struct RowResult {
    pub line: usize,
    pub email: String,
    pub role_names: Vec<String>,
    pub outcome: Outcome,
}

impl RowResult {
    pub fn label(&self, t: &Tr) -> String {
        t.t(match &self.outcome {
            Outcome::Invited { .. } => "invitations.result.invited",
            Outcome::AlreadyMember => "invitations.result.already_member",
            Outcome::AlreadyInvited => "invitations.result.already_invited",
            Outcome::InvalidAddress => "invitations.result.invalid_address",
            Outcome::Duplicate => "invitations.result.duplicate",
            Outcome::UnknownRoles(_) => "invitations.result.unknown_roles",
            Outcome::Failed(_) => "invitations.result.failed",
        })
    }

    pub fn badge(&self) -> &'static str {
        match &self.outcome {
            Outcome::Invited { .. } => "badge badge-ok",
            Outcome::AlreadyMember | Outcome::AlreadyInvited | Outcome::Duplicate => "badge",
            Outcome::InvalidAddress | Outcome::UnknownRoles(_) | Outcome::Failed(_) => {
                "badge badge-danger"
            }
        }
    }

    /// The sentence beside the label.
    pub fn detail(&self, t: &Tr) -> String {
        match &self.outcome {
            Outcome::Invited { delivery, .. } => match delivery {
                Delivery::Emailed => t.t("invitations.delivery.emailed"),
                Delivery::NoConnector => t.t("invitations.delivery.no_connector"),
                Delivery::NotSent { reason, .. } => t.t(reason),
                Delivery::Unconfirmed => t.t("invitations.delivery.unconfirmed"),
            },
            Outcome::AlreadyMember => t.t("invitations.result.already_member_detail"),
            Outcome::AlreadyInvited => t.t("invitations.result.already_invited_detail"),
            Outcome::InvalidAddress => t.t("invitations.result.invalid_address_detail"),
            Outcome::Duplicate => t.t("invitations.result.duplicate_detail"),
            Outcome::UnknownRoles(names) => t.f(
                "invitations.result.unknown_roles_detail",
                &[("roles", names)],
            ),
            Outcome::Failed(key) => t.t(key),
        }
    }

    /// The acceptance link when the person was invited but not emailed.
    pub fn link_to_share(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Invited { link, delivery, .. } if *delivery != Delivery::Emailed => Some(link),
            _ => None,
        }
    }

    pub fn is_invited(&self) -> bool {
        matches!(self.outcome, Outcome::Invited { .. })
    }

    /// Worth submitting again as is (Logto was down or busy).
    pub fn is_retryable(&self) -> bool {
        matches!(&self.outcome, Outcome::Failed(key) if key != ROLES_CHANGED)
    }
}

/// Resolves roles and refuses what the portal can already tell will fail, without a call:
/// bad addresses, repeats, unknown CSV roles, and addresses with a pending invitation (the
/// portal compares those ignoring case; Logto's own check does not).
pub fn plan(
    rows: Vec<Requested>,
    form_roles: &[OrgRole],
    all_roles: &[OrgRole],
    pending_invitees: &HashSet<String>,
) -> Vec<Planned> {
    let mut seen: HashSet<String> = HashSet::new();
    rows.into_iter()
        .map(|row| {
            let email = normalize_email(&row.email);
            let (roles, unknown): (Vec<&OrgRole>, Vec<String>) = match &row.role_names {
                None => (form_roles.iter().collect(), Vec::new()),
                Some(names) => {
                    let mut found = Vec::new();
                    let mut unknown = Vec::new();
                    for name in names {
                        match all_roles.iter().find(|r| r.name.eq_ignore_ascii_case(name)) {
                            Some(r) if !found.iter().any(|f: &&OrgRole| f.id == r.id) => {
                                found.push(r)
                            }
                            Some(_) => {}
                            None => unknown.push(name.clone()),
                        }
                    }
                    (found, unknown)
                }
            };
            let refused = if !is_valid_email(&email) {
                Some(Outcome::InvalidAddress)
            } else if !seen.insert(email.clone()) {
                Some(Outcome::Duplicate)
            } else if !unknown.is_empty() {
                Some(Outcome::UnknownRoles(unknown.join(", ")))
            } else if pending_invitees.contains(&email) {
                Some(Outcome::AlreadyInvited)
            } else {
                None
            };
            Planned {
                line: row.line,
                email: if refused == Some(Outcome::InvalidAddress) {
                    row.email.trim().to_string()
                } else {
                    email
                },
                role_ids: roles.iter().map(|r| r.id.clone()).collect(),
                role_names: roles.iter().map(|r| r.name.clone()).collect(),
                refused,
            }
        })
        .collect()
}

/// Who invites whom into what, shared by every row of a batch (kept with a background
/// batch, so it survives a restart).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    pub org_id: String,
    pub org_name: String,
    pub inviter_id: String,
    pub inviter_name: String,
    pub expires_at: i64,
    /// `form` or `csv`, for the audit trail.
    pub source: String,
    /// Language of the invitation email (the inviter's page language; Logto picks the
    /// connector's template for it).
    pub locale: String,
    pub actor: Actor,
    pub origin: Origin,
}

/// Sends every planned row and returns the results in input order.
///
/// The work runs in its own task: if the browser goes away or the request times out, the batch
/// still finishes and every row still reaches the audit trail.
pub async fn run(state: AppState, batch: Batch, planned: Vec<Planned>) -> Vec<RowResult> {
    let task = tokio::spawn(async move {
        let batch = Arc::new(batch);
        let mut results = Vec::with_capacity(planned.len());
        let mut to_send = Vec::new();
        for p in planned {
            match p.refused.clone() {
                Some(outcome) => {
                    if outcome != Outcome::Duplicate {
                        audit_refusal(&state, &batch, &p, &outcome, None).await;
                    }
                    results.push(result_of(p, outcome));
                }
                None => to_send.push(p),
            }
        }
        let mut rest = to_send.into_iter();
        // The first row goes alone: it learns whether the tenant can send email, so the
        // others do not all try (and fail) at once.
        if let Some(first) = rest.next() {
            results.push(invite_one(&state, &batch, first).await);
        }
        let sent: Vec<RowResult> = stream::iter(rest)
            .map(|p| {
                let state = state.clone();
                let batch = batch.clone();
                async move { invite_one(&state, &batch, p).await }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        results.extend(sent);
        results.sort_by_key(|r| r.line);
        results
    });
    match task.await {
        Ok(results) => results,
        Err(e) => {
            tracing::error!(error = %e, "invitation batch task failed");
            Vec::new()
        }
    }
}

pub(super) fn result_of(p: Planned, outcome: Outcome) -> RowResult {
    RowResult {
        line: p.line,
        email: p.email,
        role_names: p.role_names,
        outcome,
    }
}

fn refusal_code(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::InvalidAddress => "invalid_address",
        Outcome::UnknownRoles(_) => "unknown_role",
        Outcome::AlreadyInvited => "already_invited",
        Outcome::AlreadyMember => "already_member",
        _ => "refused",
    }
}

pub(super) async fn audit_refusal(
    state: &AppState,
    batch: &Batch,
    p: &Planned,
    outcome: &Outcome,
    job: Option<&str>,
) {
    let mut details = json!({
        "invitee": p.email,
        "roles": p.role_names,
        "source": batch.source,
        "line": p.line,
    });
    if let Some(job) = job {
        details["job"] = json!(job);
    }
    state
        .audit
        .record_or_log(
            NewEntry::new(
                "invitation.create",
                batch.actor.clone(),
                batch.origin.clone(),
            )
            .target("invitee", &p.email, Some(&p.email))
            .org(&batch.org_id)
            .details(details)
            .failed(refusal_code(outcome)),
        )
        .await;
}

/// How a failed create reads: Logto's 422s name the person's situation; anything else is a
/// Logto failure with the portal's usual wording.
pub fn create_failure(e: &LogtoError) -> Outcome {
    match (e.status(), e.code()) {
        // The only 422 `request.invalid_input` of this route: "already a member".
        (Some(422), Some("request.invalid_input")) => Outcome::AlreadyMember,
        (Some(422), Some("entity.unique_integrity_violation")) => Outcome::AlreadyInvited,
        (Some(400), Some("guard.invalid_input")) | (Some(422), Some("entity.value_too_long")) => {
            Outcome::InvalidAddress
        }
        _ => Outcome::Failed(logto_message_key(e, &CREATE_WORDING).to_string()),
    }
}

async fn invite_one(state: &AppState, batch: &Batch, p: Planned) -> RowResult {
    match state
        .logto
        .create_invitation(&new_invitation(batch, &p))
        .await
    {
        Ok(invitation) => {
            let link = super::acceptance_link(state, &invitation.id);
            let delivery = deliver_for(state, batch, &invitation.id, &link).await;
            audit_invited(state, batch, &p, &invitation.id, &delivery, None).await;
            result_of(
                p,
                Outcome::Invited {
                    invitation_id: invitation.id,
                    link,
                    delivery,
                },
            )
        }
        Err(e) => {
            audit_create_failed(state, batch, &p, &e, None).await;
            let outcome = create_failure(&e);
            result_of(p, outcome)
        }
    }
}

/// What Logto is asked to create for one row.
pub(super) fn new_invitation(batch: &Batch, p: &Planned) -> NewInvitation {
    NewInvitation {
        inviter_id: Some(batch.inviter_id.clone()),
        invitee: p.email.clone(),
        organization_id: batch.org_id.clone(),
        expires_at: batch.expires_at,
        organization_role_ids: p.role_ids.clone(),
        message_payload: None,
    }
}

/// The audit details of one row; `job` names the background batch it belongs to.
fn row_details(batch: &Batch, p: &Planned, job: Option<&str>) -> serde_json::Value {
    let mut d = json!({
        "invitee": p.email,
        "roles": p.role_names,
        "expiresAt": batch.expires_at,
        "source": batch.source,
        "line": p.line,
    });
    if let (Some(job), Some(d)) = (job, d.as_object_mut()) {
        d.insert("job".into(), json!(job));
    }
    d
}

/// Asks Logto to email one row's invitation, with the batch's organization and inviter.
pub(super) async fn deliver_for(
    state: &AppState,
    batch: &Batch,
    invitation_id: &str,
    link: &str,
) -> Delivery {
    deliver(
        state,
        invitation_id,
        link,
        (&batch.org_id, &batch.org_name),
        (&batch.inviter_id, &batch.inviter_name),
        &batch.locale,
    )
    .await
}

pub(super) async fn audit_invited(
    state: &AppState,
    batch: &Batch,
    p: &Planned,
    invitation_id: &str,
    delivery: &Delivery,
    job: Option<&str>,
) {
    let mut details = row_details(batch, p, job);
    details["email"] = json!(delivery.audit_value());
    state
        .audit
        .record_or_log(
            NewEntry::new(
                "invitation.create",
                batch.actor.clone(),
                batch.origin.clone(),
            )
            .org(&batch.org_id)
            .target("invitation", invitation_id, Some(&p.email))
            .details(details),
        )
        .await;
}

pub(super) async fn audit_create_failed(
    state: &AppState,
    batch: &Batch,
    p: &Planned,
    e: &LogtoError,
    job: Option<&str>,
) {
    tracing::info!(error = %e, line = p.line, "invitation not created");
    state
        .audit
        .record_or_log(
            NewEntry::new(
                "invitation.create",
                batch.actor.clone(),
                batch.origin.clone(),
            )
            .org(&batch.org_id)
            .target("invitee", &p.email, Some(&p.email))
            .details(row_details(batch, p, job))
            .failed(&e.failure_code()),
        )
        .await;
}

/// Whether invitation emails cannot go out: the tenant has no email connector, as far as the
/// portal knows ([`crate::cache::TenantConnectors`]).
pub async fn emails_impossible(state: &AppState) -> bool {
    !state
        .connectors
        .sending(&state.logto, ConnectorType::Email)
        .await
        .is_possible()
}

/// The product's name (in the invitation's language when not configured) and its logo's
/// absolute address.
fn product(state: &AppState, locale: &str) -> serde_json::Value {
    let lang = crate::lang::Lang::parse(locale).unwrap_or(crate::lang::Lang::En);
    let name = state
        .config
        .product_name
        .clone()
        .unwrap_or_else(|| Tr::new(lang).t("app.name"));
    let logo = crate::web::assets::BrandLinks::of(&state.config.branding).logo;
    let base = state.config.public_url.as_str().trim_end_matches('/');
    json!({ "name": name, "logoUrl": format!("{base}{logo}") })
}

/// Asks Logto to email the acceptance link, unless the tenant is known to have no email
/// connector. The payload carries the organization and inviter the way Logto's own
/// create-with-message context does, so the same email templates work.
pub async fn deliver(
    state: &AppState,
    invitation_id: &str,
    link: &str,
    org: (&str, &str),
    inviter: (&str, &str),
    locale: &str,
) -> Delivery {
    if emails_impossible(state).await {
        return Delivery::NoConnector;
    }
    let payload = json!({
        "link": link,
        "organization": { "id": org.0, "name": org.1 },
        "inviter": { "id": inviter.0, "name": inviter.1 },
        "locale": locale,
        "uiLocales": locale,
        // The deployer's branding, for the email template to show (`{{product.name}}`).
        "product": product(state, locale),
    });
    match state
        .logto
        .send_invitation_message(invitation_id, &payload)
        .await
    {
        Ok(()) => {
            state.connectors.record(ConnectorType::Email, true);
            Delivery::Emailed
        }
        Err(e) if e.code() == Some(NO_CONNECTOR_CODE) => {
            tracing::info!("Logto has no email connector: invitations carry a link to share");
            state.connectors.record(ConnectorType::Email, false);
            state
                .cache_bus
                .publish(crate::cache::Invalidation::Connectors)
                .await;
            Delivery::NoConnector
        }
        Err(e) => {
            tracing::warn!(error = %e, "invitation email not sent");
            Delivery::NotSent {
                reason: if e.is_rate_limited() {
                    "invitations.delivery.rate_limited"
                } else {
                    "invitations.delivery.failed"
                }
                .to_string(),
                code: e.failure_code(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logto::RoleType;

    fn role(id: &str, name: &str) -> OrgRole {
        OrgRole {
            id: id.into(),
            name: name.into(),
            description: None,
            r#type: RoleType::User,
        }
    }

    fn row(line: usize, email: &str, roles: Option<&[&str]>) -> Requested {
        Requested {
            line,
            email: email.into(),
            role_names: roles.map(|r| r.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn plan_refuses_what_cannot_work() {
        let all = vec![role("r1", "admin"), role("r2", "member")];
        let form = vec![all[1].clone()];
        let pending: HashSet<String> = ["pending@x.io".to_string()].into();
        let planned = plan(
            vec![
                row(1, "Good@X.io", None),
                row(2, "not-an-address", None),
                row(3, "good@x.io", None),
                row(4, "PENDING@x.io", None),
                row(5, "csv@x.io", Some(&["Admin", "owner", "ghost"])),
                row(6, "csv2@x.io", Some(&["admin", "ADMIN"])),
            ],
            &form,
            &all,
            &pending,
        );
        let outcomes: Vec<_> = planned.iter().map(|p| p.refused.clone()).collect();
        assert_eq!(
            outcomes,
            vec![
                None,
                Some(Outcome::InvalidAddress),
                Some(Outcome::Duplicate),
                Some(Outcome::AlreadyInvited),
                Some(Outcome::UnknownRoles("owner, ghost".into())),
                None,
            ]
        );
        assert_eq!(planned[0].email, "good@x.io");
        assert_eq!(planned[0].role_ids, ["r2"]);
        assert_eq!(planned[1].email, "not-an-address");
        assert_eq!(planned[5].role_ids, ["r1"]);
        assert_eq!(planned[5].role_names, ["admin"]);
    }

    fn api(status: u16, code: &str) -> LogtoError {
        LogtoError::Api {
            status,
            code: Some(code.into()),
            message: String::new(),
            request_id: None,
        }
    }

    #[test]
    fn create_failures_read_as_the_person_s_situation() {
        assert_eq!(
            create_failure(&api(422, "request.invalid_input")),
            Outcome::AlreadyMember
        );
        assert_eq!(
            create_failure(&api(422, "entity.unique_integrity_violation")),
            Outcome::AlreadyInvited
        );
        assert_eq!(
            create_failure(&api(400, "guard.invalid_input")),
            Outcome::InvalidAddress
        );
        assert_eq!(
            create_failure(&LogtoError::Unavailable("x".into())),
            Outcome::Failed("error.logto_unavailable".into())
        );
        assert_eq!(
            create_failure(&api(422, "entity.relation_foreign_key_not_found")),
            Outcome::Failed(ROLES_CHANGED.into())
        );
        // One audit code per Logto failure, the same on every page.
        assert_eq!(api(422, "x.y").failure_code(), "x.y");
        assert_eq!(LogtoError::RateLimited.failure_code(), "logto_rate_limited");
    }
}
