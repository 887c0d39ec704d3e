//! The last-admin rule: no change through the portal leaves an organization without an admin.
//! Organization admins' changes of one organization's admins are serialized across replicas
//! by a lease; operators may remove the last admin.

use std::future::Future;

use serde_json::json;

use crate::audit::{Actor, NewEntry, Origin};
use crate::leases::{Lease, LeaseError, LEASE_WAIT};
use crate::logto::{LogtoError, OrgMember, OrgRole};
use crate::web::context::PageCtx;
use crate::web::extract::OrgAdmin;
use crate::web::i18n::Tr;
use crate::web::AppState;

use super::refusal::{rule, Refusal};

/// Who changes an organization's admins: a person's request, or a bulk job acting for the
/// person who started it (its audit entries name the job).
pub(super) struct ChangeBy<'a> {
    pub(super) org_id: &'a str,
    pub(super) actor_id: &'a str,
    pub(super) is_operator: bool,
    pub(super) t: &'a Tr,
    pub(super) actor: Actor,
    pub(super) origin: Origin,
    pub(super) job: Option<&'a str>,
}

impl<'a> ChangeBy<'a> {
    /// The signed-in admin (or operator) of this request.
    pub(super) fn request(admin: &'a OrgAdmin, ctx: &'a PageCtx) -> Self {
        ChangeBy {
            org_id: &admin.org_id,
            actor_id: admin.user.id(),
            is_operator: admin.is_operator(),
            t: &ctx.t,
            actor: ctx.actor(),
            origin: ctx.origin(),
            job: None,
        }
    }

    /// The audit entry for `action` on one member, in this change's name.
    pub(super) fn entry(&self, action: &str, member: &Subject) -> NewEntry {
        let entry = NewEntry::new(action, self.actor.clone(), self.origin.clone())
            .target("user", member.id, Some(member.name))
            .org(self.org_id);
        match self.job {
            Some(job) => entry.details(json!({ "job": job })),
            None => entry,
        }
    }
}

/// The member a change is about: their id and the name the messages use.
pub(super) struct Subject<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
}

impl<'a> Subject<'a> {
    pub(super) fn of(member: &'a OrgMember) -> Self {
        Subject {
            id: &member.id,
            name: member.display_name(),
        }
    }
}

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
fn last_admin_refusal(t: &Tr, code: &'static str, member: &Subject) -> Refusal {
    Refusal::rule(
        code,
        t.f("members.err.last_admin", &[("name", &member.name)]),
    )
}

/// Refuses to take the last admin's admin role away (operators may).
async fn last_admin_guard(
    state: &AppState,
    t: &Tr,
    org_id: &str,
    roles: &[OrgRole],
    member: &Subject<'_>,
) -> Result<(), Refusal> {
    if another_admin_exists(state, roles, org_id, member.id).await? {
        return Ok(());
    }
    Err(last_admin_refusal(t, "last_admin_guard", member))
}

/// Refuses when the acting admin lost the admin role after the request was let in (another
/// admin demoted or removed them meanwhile): checked under the lease, from Logto, so two
/// admins acting on each other at once cannot both pass. Fails closed when Logto cannot say.
pub(super) async fn still_an_admin(
    state: &AppState,
    t: &Tr,
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
        t,
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
    by: &ChangeBy<'_>,
    roles: &[OrgRole],
    member: &Subject<'_>,
    change: C,
    undo: U,
) -> Result<(), Refusal>
where
    C: Future<Output = Result<(), LogtoError>>,
    U: Future<Output = Result<(), LogtoError>>,
{
    let (org_id, t) = (by.org_id, by.t);
    if by.is_operator {
        return change.await.map_err(Refusal::from);
    }
    let lease = Lease::acquire(&state.db, &format!("org-admins:{org_id}"), LEASE_WAIT)
        .await
        .map_err(|e| match e {
            LeaseError::Busy => rule(t, "admin_change_busy", "members.err.busy"),
            LeaseError::Db(e) => {
                tracing::error!(error = %e, "lease storage failed");
                rule(t, "storage_unavailable", "error.internal")
            }
        })?;
    let outcome = async {
        still_an_admin(state, t, org_id, by.actor_id).await?;
        last_admin_guard(state, t, org_id, roles, member).await?;
        change.await?;
        // Someone may have changed the admins outside the portal meanwhile.
        let admins = admin_role_ids(state, roles);
        let left = state.logto.org_role_holders(org_id, &admins, 1).await?;
        if left.user_ids.is_empty() {
            let restored = undo.await;
            let mut details = json!({ "reason": "no_admin_left" });
            if let Some(job) = by.job {
                details["job"] = json!(job);
            }
            let entry = by.entry("member.roles_restore", member).details(details);
            state
                .audit
                .record_or_log(match &restored {
                    Ok(()) => entry,
                    Err(e) => entry.failed(&e.failure_code()),
                })
                .await;
            restored?;
            return Err(last_admin_refusal(t, "last_admin_restored", member));
        }
        Ok(())
    }
    .await;
    lease.release().await;
    outcome
}
