//! `/api/organization-invitations/**` (core/routes/organization-invitation/index.ts,
//! core/libraries/organization-invitation.ts).

use crate::http::*;
use crate::store::{now_ms, FakeState, Invitation, MessageKind, SentMessage, Store};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Roughly zod's `.email()`.
static ZOD_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+\-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$")
        .expect("regex")
});

pub fn is_zod_email(s: &str) -> bool {
    ZOD_EMAIL.is_match(s) && !s.starts_with('.') && !s.contains("..")
}

fn cannot_change() -> ApiError {
    ApiError::invalid_input(
        422,
        "The status of the invitation cannot be changed anymore.",
    )
}

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let org = ctx.get_nonempty("organizationId");
    let inviter = ctx.get_nonempty("inviterId");
    let invitee = ctx.get_nonempty("invitee").map(str::to_lowercase);
    let s = st.lock();
    let now = now_ms();
    let mut list: Vec<&Invitation> = s
        .invitations
        .values()
        .filter(|i| org.is_none_or(|o| i.organization_id == o))
        .filter(|i| inviter.is_none_or(|u| i.inviter_id.as_deref() == Some(u)))
        .filter(|i| {
            invitee
                .as_deref()
                .is_none_or(|e| i.invitee.to_lowercase() == e)
        })
        .collect();
    list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.seq.cmp(&a.seq)));
    let items: Vec<Value> = list.iter().map(|i| s.invitation_json(i, now)).collect();
    Ok(ok(&Value::Array(items)))
}

pub async fn get_one(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let inv = s
        .invitations
        .get(&id)
        // recorded on 1.37.1: a plain `entity.not_found` here
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(&s.invitation_json(inv, now_ms())))
}

/// Send an invitation mail through the simulated email connector.
fn send_invitation(s: &mut Store, to: &str, payload: Map<String, Value>) -> Result<(), ApiError> {
    if !s.email_connector {
        return Err(ApiError::connector_not_found("Email"));
    }
    let now = now_ms();
    if !s.allow_message(to, now) {
        return Err(ApiError::message_rate_limited());
    }
    s.sent.push(SentMessage {
        kind: MessageKind::OrganizationInvitation,
        to: to.to_string(),
        payload: Value::Object(payload),
        code: None,
        at_ms: now,
    });
    Ok(())
}

pub async fn create(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let inviter = f_str(m, &["inviterId"])?.into_option();
    let invitee = f_str_req(m, &["invitee"])?;
    if !is_zod_email(&invitee) {
        return Err(body_error(Issue::invalid_string(&["invitee"], "email")));
    }
    let org_id = f_str_req(m, &["organizationId"])?;
    let expires_at = f_num(m, &["expiresAt"])?
        .ok_or_else(|| body_error(Issue::invalid_type(&["expiresAt"], "number", "undefined")))?;
    let role_ids = f_str_array(m, &["organizationRoleIds"])?.unwrap_or_default();
    let payload = match m.get("messagePayload") {
        None | Some(Value::Bool(false)) => None,
        Some(Value::Object(p)) => Some(p.clone()),
        Some(other) => {
            return Err(body_error(Issue::invalid_type(
                &["messagePayload"],
                "object",
                type_name(Some(other)),
            )))
        }
    };
    let now = now_ms();
    if expires_at <= now as f64 {
        return Err(ApiError::invalid_input(
            400,
            "The value of `expiresAt` must be in the future.",
        ));
    }
    let mut s = st.lock();
    let is_member_email = s.member_ids(&org_id).any(|u| {
        s.users
            .get(u)
            .is_some_and(|u| u.primary_email.as_deref() == Some(invitee.as_str()))
    });
    if is_member_email {
        return Err(ApiError::invalid_input(
            422,
            "The invitee is already a member of the organization.",
        ));
    }
    // Lazily rewrite expired pending invitations for the same invitee + org.
    for inv in s.invitations.values_mut() {
        if inv.organization_id == org_id
            && inv.invitee == invitee
            && inv.status == "Pending"
            && inv.expires_at < now
        {
            inv.status = "Expired".into();
        }
    }
    if s.invitations
        .values()
        .any(|i| i.organization_id == org_id && i.invitee == invitee && i.status == "Pending")
    {
        return Err(ApiError::unique_violation());
    }
    if !s.orgs.contains_key(&org_id)
        || inviter.as_ref().is_some_and(|u| !s.users.contains_key(u))
        || role_ids.iter().any(|r| !s.org_roles.contains_key(r))
    {
        return Err(ApiError::foreign_key());
    }
    if let Some(p) = payload {
        // Sent before anything is stored: a failure leaves no invitation behind.
        send_invitation(&mut s, &invitee, p)?;
    }
    let id = s.new_unique_id(21, |id| s.invitations.contains_key(id));
    let seq = s.next_seq();
    let mut roles: Vec<String> = Vec::new();
    for r in role_ids {
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    let inv = Invitation {
        id: id.clone(),
        inviter_id: inviter,
        invitee,
        accepted_user_id: None,
        organization_id: org_id,
        status: "Pending".into(),
        created_at: now,
        updated_at: now,
        expires_at: expires_at as i64,
        role_ids: roles,
        seq,
    };
    let v = s.invitation_json(&inv, now);
    s.invitations.insert(id, inv);
    Ok(json(StatusCode::CREATED, &v))
}

pub async fn send_message(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?.clone();
    let mut s = st.lock();
    let invitee = s
        .invitations
        .get(&id)
        .ok_or_else(|| ApiError::not_exists_with_id("organization_invitations", &id))?
        .invitee
        .clone();
    send_invitation(&mut s, &invitee, m)?;
    Ok(no_content())
}

pub async fn set_status(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let status = f_str_req(m, &["status"])?;
    if status != "Accepted" && status != "Revoked" {
        return Err(body_error(Issue::invalid_enum(
            &["status"],
            &status,
            &["Accepted", "Revoked"],
        )));
    }
    let accepted_user = f_str(m, &["acceptedUserId"])?.into_option();
    let mut s = st.lock();
    let now = now_ms();
    let inv = s
        .invitations
        .get(&id)
        .ok_or_else(ApiError::not_found)?
        .clone();
    if status == "Accepted" {
        let Some(uid) = accepted_user.as_deref() else {
            return Err(ApiError::invalid_input(
                422,
                "The `acceptedUserId` is required when accepting an invitation.",
            ));
        };
        let user = s.users.get(uid).ok_or_else(ApiError::not_found)?;
        if user.primary_email.as_deref().map(str::to_lowercase) != Some(inv.invitee.to_lowercase())
        {
            return Err(ApiError::invalid_input(
                422,
                "The accepted user must have the same email as the invitee.",
            ));
        }
    }
    if s.invitation_status(&inv, now) != "Pending" {
        return Err(cannot_change());
    }
    if status == "Accepted" {
        let uid = accepted_user.clone().unwrap_or_default();
        s.add_member(&inv.organization_id, &uid);
        for r in &inv.role_ids {
            s.member_roles
                .insert((inv.organization_id.clone(), uid.clone(), r.clone()));
        }
    }
    let entry = s.invitations.get_mut(&id).ok_or_else(ApiError::not_found)?;
    entry.status = status.clone();
    if status == "Accepted" {
        entry.accepted_user_id = accepted_user;
    }
    entry.updated_at = now.max(entry.updated_at + 1);
    let inv = s.invitations[&id].clone();
    Ok(ok(&s.invitation_json(&inv, now)))
}

pub async fn delete(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    if st.lock().invitations.remove(&id).is_some() {
        Ok(no_content())
    } else {
        Err(ApiError::not_found())
    }
}
