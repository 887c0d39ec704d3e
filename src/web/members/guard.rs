//! The last-admin rule: no change through the portal leaves an organization without an admin.
//! Organization admins' changes of one organization's admins are serialized across replicas
//! by a lease; operators may remove the last admin.

use std::future::Future;

use serde_json::json;

use crate::leases::{Lease, LeaseError, LEASE_WAIT};
use crate::logto::{LogtoError, OrgMember, OrgRole};
use crate::web::context::PageCtx;
use crate::web::extract::OrgAdmin;
use crate::web::AppState;

use super::act::member_entry;
use super::refusal::{rule, Refusal};

/// The ids of the organization roles that make someone an admin here.
fn admin_role_ids(state: &AppState, roles: &[OrgRole]) -> Vec<String> {
    roles
        .iter()
        .filter(|r| state.config.is_admin_role(&r.name))
        .map(|r| r.id.clone())
        .collect()
}

/// Would someone other than `user_id` still be an admin of the organization? Every holder
/// Logto names is checked against their own roles, so a Logto that ignores the role filter
/// (before 1.41) cannot make this pass; when the members could not all be read, the answer
/// is no (fail closed).
pub(super) async fn another_admin_exists(
    state: &AppState,
    roles: &[OrgRole],
    org_id: &str,
    user_id: &str,
) -> Result<bool, LogtoError> {
    let admin_roles = admin_role_ids(state, roles);
    if admin_roles.is_empty() {
        return Ok(false);
    }
    let holders = state
        .logto
        .org_role_holders(org_id, &admin_roles, 2)
        .await?;
    Ok(holders.user_ids.iter().any(|id| id != user_id))
}

/// Does one of `names` make its holder an admin here?
pub(super) fn holds_admin_role(
    state: &AppState,
    names: impl IntoIterator<Item = impl AsRef<str>>,
) -> bool {
    names
        .into_iter()
        .any(|n| state.config.is_admin_role(n.as_ref()))
}

/// Refused: `member` is the organization's last admin.
fn last_admin_refusal(ctx: &PageCtx, code: &'static str, member: &OrgMember) -> Refusal {
    Refusal::rule(
        code,
        ctx.t.f(
            "members.err.last_admin",
            &[("name", &member.display_name())],
        ),
    )
}

/// Refuses to take the last admin's admin role away (operators may).
pub(super) async fn last_admin_guard(
    state: &AppState,
    ctx: &PageCtx,
    org_id: &str,
    roles: &[OrgRole],
    member: &OrgMember,
) -> Result<(), Refusal> {
    if another_admin_exists(state, roles, org_id, &member.id).await? {
        return Ok(());
    }
    Err(last_admin_refusal(ctx, "last_admin_guard", member))
}

/// Refuses when the acting admin lost the admin role after the request was let in (another
/// admin demoted or removed them meanwhile): checked under the lease, from Logto, so two
/// admins acting on each other at once cannot both pass. Fails closed when Logto cannot say.
async fn still_an_admin(
    state: &AppState,
    ctx: &PageCtx,
    org_id: &str,
    actor_id: &str,
) -> Result<(), Refusal> {
    let held = match state.logto.member_roles(org_id, actor_id).await {
        Ok(roles) => roles,
        // Not a member any more: Logto answers 422 `organization.require_membership`.
        Err(e) if e.status() == Some(422) || e.status() == Some(404) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    if holds_admin_role(state, held.iter().map(|r| &r.name)) {
        return Ok(());
    }
    Err(rule(
        &ctx.t,
        "actor_no_longer_admin",
        "members.err.no_longer_admin",
    ))
}

/// Runs `change`, which takes `member`'s admin role away, so that the organization never
/// loses its last admin through the portal: changes of one organization's admins are
/// serialized across replicas by a lease, checked before, re-counted after, and undone by
/// `undo` (with an audit entry) when no admin remains. Operators may remove the last admin.
pub(super) async fn without_losing_last_admin<C, U>(
    state: &AppState,
    admin: &OrgAdmin,
    ctx: &PageCtx,
    roles: &[OrgRole],
    member: &OrgMember,
    change: C,
    undo: U,
) -> Result<(), Refusal>
where
    C: Future<Output = Result<(), LogtoError>>,
    U: Future<Output = Result<(), LogtoError>>,
{
    let org_id = &admin.org_id;
    if admin.is_operator() {
        return change.await.map_err(Refusal::from);
    }
    let lease = Lease::acquire(&state.db, &format!("org-admins:{org_id}"), LEASE_WAIT)
        .await
        .map_err(|e| match e {
            LeaseError::Busy => rule(&ctx.t, "admin_change_busy", "members.err.busy"),
            LeaseError::Db(e) => {
                tracing::error!(error = %e, "lease storage failed");
                rule(&ctx.t, "storage_unavailable", "error.internal")
            }
        })?;
    let outcome = async {
        still_an_admin(state, ctx, org_id, admin.user.id()).await?;
        last_admin_guard(state, ctx, org_id, roles, member).await?;
        change.await?;
        // Someone may have changed the admins outside the portal meanwhile.
        let admins = admin_role_ids(state, roles);
        let left = state.logto.org_role_holders(org_id, &admins, 1).await?;
        if left.user_ids.is_empty() {
            let restored = undo.await;
            let label = Some(member.display_name());
            let entry = member_entry(ctx, "member.roles_restore", org_id, &member.id, label)
                .details(json!({ "reason": "no_admin_left" }));
            state
                .audit
                .record_or_log(match &restored {
                    Ok(()) => entry,
                    Err(e) => entry.failed(&e.failure_code()),
                })
                .await;
            restored?;
            return Err(last_admin_refusal(ctx, "last_admin_restored", member));
        }
        Ok(())
    }
    .await;
    lease.release().await;
    outcome
}
