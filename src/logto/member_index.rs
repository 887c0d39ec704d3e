//! Who holds which organization role, per organization, for a Logto that cannot filter members
//! by role (before 1.41). Reading an organization's members to filter them costs one call per
//! 100 members on every view; this index is read once (up to [`INDEX_LIMIT`] members, a few
//! pages at a time) and kept for [`INDEX_TTL`], so a warm role-filtered member page costs one
//! call (the page's people, by id) and the last-admin guard one call per admin it confirms.
//!
//! Changes made through this client update the index in place (a failed or unclear change
//! drops it), and are announced through [`LogtoClient::on_member_change`] so other replicas
//! drop theirs. Changes made elsewhere (Logto Console) show within [`INDEX_TTL`]; the guard
//! confirms every holder with a fresh call and reads the members again before it refuses.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{stream, StreamExt, TryStreamExt};
// tokio's clock: tests pause and advance it instead of sleeping.
use tokio::time::Instant;

use super::client::LogtoClient;
use super::error::LogtoError;
use super::models::{OrgMember, RoleRef};
use super::organizations::MemberQuery;
use super::page::MAX_PAGE_SIZE;

/// The most members indexed per organization (200 calls of 100); beyond, filters say they
/// covered only these.
pub const INDEX_LIMIT: u64 = 20_000;
/// How long an index is used; changes made outside the portal show within this time.
pub const INDEX_TTL: Duration = Duration::from_secs(60);
/// Pages read at once while building an index (each still goes through the outgoing budget).
const BUILD_CONCURRENCY: usize = 4;
/// Organizations whose index is kept at once (about 2 MB each at [`INDEX_LIMIT`]).
const MAX_INDEXED_ORGS: usize = 8;

/// One organization's members and the roles each holds, in Logto's member order.
#[derive(Debug, Clone)]
pub struct MemberRoles {
    /// Each role seen once; members refer to it by position.
    roles: Vec<RoleRef>,
    members: Vec<(Box<str>, Vec<u16>)>,
    /// Every member was read (the organization has at most [`INDEX_LIMIT`]).
    pub complete: bool,
    built_at: Instant,
}

impl MemberRoles {
    fn new(complete: bool) -> Self {
        MemberRoles {
            roles: Vec::new(),
            members: Vec::new(),
            complete,
            built_at: Instant::now(),
        }
    }

    /// Adds a page of members, up to `limit` in all (`seen`: the ids added so far; offset
    /// paging while people join or leave can show someone twice).
    fn add(&mut self, page: Vec<OrgMember>, seen: &mut HashSet<String>, limit: u64) {
        for m in page {
            if self.members.len() as u64 >= limit {
                return;
            }
            if seen.insert(m.id.clone()) {
                let held = self.intern(&m.organization_roles);
                self.members.push((m.id.into_boxed_str(), held));
            }
        }
    }

    #[cfg(test)]
    fn from_members(members: Vec<OrgMember>, complete: bool) -> Self {
        let mut index = MemberRoles::new(complete);
        index.add(members, &mut HashSet::new(), INDEX_LIMIT);
        index
    }

    fn intern(&mut self, roles: &[RoleRef]) -> Vec<u16> {
        roles
            .iter()
            .map(|r| match self.roles.iter().position(|k| k.id == r.id) {
                Some(i) => i as u16,
                None => {
                    self.roles.push(r.clone());
                    (self.roles.len() - 1) as u16
                }
            })
            .collect()
    }

    /// Positions of known role ids; `None` when one is unknown here (its name is not known).
    fn positions(&self, role_ids: &[String]) -> Option<Vec<u16>> {
        role_ids
            .iter()
            .map(|id| {
                self.roles
                    .iter()
                    .position(|r| &r.id == id)
                    .map(|i| i as u16)
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Members holding any of `role_ids`, in member order.
    pub fn holders<'a>(&'a self, role_ids: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
        let wanted: Vec<u16> = role_ids
            .iter()
            .filter_map(|id| self.roles.iter().position(|r| &r.id == id))
            .map(|i| i as u16)
            .collect();
        self.members
            .iter()
            .filter(move |(_, held)| held.iter().any(|r| wanted.contains(r)))
            .map(|(id, _)| &**id)
    }

    /// The member's roles as Logto names them, sorted by name; `None` for a non-member.
    pub fn roles_of(&self, user_id: &str) -> Option<Vec<RoleRef>> {
        let (_, held) = self.members.iter().find(|(id, _)| &**id == user_id)?;
        let mut roles: Vec<RoleRef> = held
            .iter()
            .filter_map(|&i| self.roles.get(usize::from(i)).cloned())
            .collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Some(roles)
    }

    fn entry(&mut self, user_id: &str) -> Option<&mut Vec<u16>> {
        self.members
            .iter_mut()
            .find(|(id, _)| &**id == user_id)
            .map(|(_, held)| held)
    }

    /// Applies a change that Logto confirmed; false when it cannot be applied exactly (a role
    /// the index does not know by name), and the index must be read again.
    fn apply(&mut self, change: &Applied) -> bool {
        match change {
            Applied::Joined(ids) => {
                for id in ids {
                    if self.entry(id).is_none() {
                        // Logto lists members by user id.
                        let at = self.members.partition_point(|(m, _)| **m < **id);
                        self.members
                            .insert(at, (id.clone().into_boxed_str(), Vec::new()));
                    }
                }
                true
            }
            Applied::Left(id) => {
                self.members.retain(|(m, _)| &**m != id);
                true
            }
            Applied::RolesSet(id, roles) | Applied::RolesAdded(id, roles) => {
                let Some(positions) = self.positions(roles) else {
                    return false;
                };
                let replace = matches!(change, Applied::RolesSet(..));
                let complete = self.complete;
                let Some(held) = self.entry(id) else {
                    // Beyond the members read, the index says nothing about them anyway.
                    return !complete;
                };
                if replace {
                    held.clear();
                }
                for p in positions {
                    if !held.contains(&p) {
                        held.push(p);
                    }
                }
                true
            }
            Applied::RoleRemoved(id, role) => {
                let position = self.roles.iter().position(|r| &r.id == role);
                if let (Some(p), Some(held)) = (position, self.entry(id)) {
                    held.retain(|r| usize::from(*r) != p);
                }
                true
            }
        }
    }
}

/// A membership change Logto confirmed.
#[derive(Debug, Clone)]
pub(crate) enum Applied {
    Joined(Vec<String>),
    Left(String),
    RolesSet(String, Vec<String>),
    RolesAdded(String, Vec<String>),
    RoleRemoved(String, String),
}

/// What changed, as told to [`LogtoClient::on_member_change`] listeners (other replicas drop
/// their copies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    /// The members or member roles of this organization.
    Org(String),
    /// A user was deleted: any organization may have lost a member.
    AnyOrg,
}

/// One organization's slot: its index and the build in progress.
#[derive(Default)]
struct Slot {
    /// One build at a time: concurrent views of a cold organization share it.
    building: tokio::sync::Mutex<()>,
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    /// Bumped by every change and forget: a build that started before one is not kept.
    generation: u64,
    value: Option<Arc<MemberRoles>>,
}

/// Every organization's index, kept by the client.
pub(crate) struct MemberIndexes {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// The most members read per organization ([`INDEX_LIMIT`] unless configured).
    limit: u64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl MemberIndexes {
    pub(crate) fn new(limit: u64) -> Self {
        MemberIndexes {
            slots: Mutex::default(),
            limit: limit.max(1),
        }
    }

    /// The most members read per organization.
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }

    fn slot(&self, org_id: &str) -> Arc<Slot> {
        lock(&self.slots)
            .entry(org_id.to_owned())
            .or_default()
            .clone()
    }

    fn fresh(slot: &Slot) -> Option<Arc<MemberRoles>> {
        lock(&slot.state)
            .value
            .clone()
            .filter(|v| v.built_at.elapsed() < INDEX_TTL)
    }

    /// Drops the organization's index.
    pub(crate) fn forget(&self, org_id: &str) {
        if let Some(slot) = lock(&self.slots).get(org_id) {
            let mut st = lock(&slot.state);
            st.generation += 1;
            st.value = None;
        }
    }

    /// Drops every index.
    pub(crate) fn forget_all(&self) {
        for slot in lock(&self.slots).values() {
            let mut st = lock(&slot.state);
            st.generation += 1;
            st.value = None;
        }
    }

    /// Applies a confirmed change to the organization's index, or drops it when the change
    /// cannot be applied exactly.
    pub(crate) fn apply(&self, org_id: &str, change: &Applied) {
        let Some(slot) = lock(&self.slots).get(org_id).cloned() else {
            return;
        };
        let mut st = lock(&slot.state);
        st.generation += 1;
        if let Some(value) = st.value.as_mut() {
            if !Arc::make_mut(value).apply(change) {
                st.value = None;
            }
        }
    }

    /// A deleted user leaves every index.
    pub(crate) fn user_deleted(&self, user_id: &str) {
        let slots: Vec<Arc<Slot>> = lock(&self.slots).values().cloned().collect();
        for slot in slots {
            let mut st = lock(&slot.state);
            st.generation += 1;
            if let Some(value) = st.value.as_mut() {
                Arc::make_mut(value).apply(&Applied::Left(user_id.to_owned()));
            }
        }
    }

    /// Keeps at most [`MAX_INDEXED_ORGS`] indexes: the oldest go first.
    fn trim(&self) {
        let mut slots = lock(&self.slots);
        slots.retain(|_, slot| Arc::strong_count(slot) > 1 || MemberIndexes::fresh(slot).is_some());
        while slots.len() > MAX_INDEXED_ORGS {
            let oldest = slots
                .iter()
                .filter(|(_, slot)| Arc::strong_count(slot) == 1)
                .min_by_key(|(_, slot)| lock(&slot.state).value.as_ref().map(|v| v.built_at))
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => {
                    slots.remove(&id);
                }
                None => break,
            }
        }
    }
}

impl LogtoClient {
    /// The organization's member→roles index: the kept one while younger than [`INDEX_TTL`]
    /// (unless `read_again`), else read from Logto (one call per 100 members, up to
    /// [`INDEX_LIMIT`]), once for all concurrent callers.
    pub async fn member_role_index(
        &self,
        org_id: &str,
        read_again: bool,
    ) -> Result<Arc<MemberRoles>, LogtoError> {
        let indexes = &self.inner.member_indexes;
        let slot = indexes.slot(org_id);
        if !read_again {
            if let Some(index) = MemberIndexes::fresh(&slot) {
                return Ok(index);
            }
        }
        let asked_at = Instant::now();
        let build_turn = slot.building.lock().await;
        // Someone else may have read it while this call waited.
        if let Some(index) = MemberIndexes::fresh(&slot) {
            if !read_again || index.built_at >= asked_at {
                return Ok(index);
            }
        }
        let generation = lock(&slot.state).generation;
        let index = Arc::new(self.read_member_roles(org_id).await?);
        {
            let mut st = lock(&slot.state);
            if st.generation == generation {
                st.value = Some(index.clone());
            }
        }
        drop(build_turn);
        drop(slot);
        indexes.trim();
        Ok(index)
    }

    /// Reads the organization's members, the first page alone (for the total), then the
    /// others a few at a time; each page is folded in as it comes, so no more than a few
    /// pages of full member records are held at once.
    async fn read_member_roles(&self, org_id: &str) -> Result<MemberRoles, LogtoError> {
        let page_of = |page: u32| MemberQuery {
            page,
            page_size: MAX_PAGE_SIZE,
            ..MemberQuery::default()
        };
        let limit = self.inner.member_indexes.limit();
        let first = self.list_org_members(org_id, &page_of(1)).await?;
        let wanted = first.total.min(limit);
        let pages = u32::try_from(wanted.div_ceil(u64::from(MAX_PAGE_SIZE))).unwrap_or(u32::MAX);
        let mut seen = HashSet::new();
        let mut index = MemberRoles::new(first.total <= limit);
        index.add(first.items, &mut seen, limit);
        let mut rest = std::pin::pin!(stream::iter(2..=pages)
            .map(|page| {
                let q = page_of(page);
                async move { self.list_org_members(org_id, &q).await.map(|p| p.items) }
            })
            .buffered(BUILD_CONCURRENCY));
        while let Some(page) = rest.try_next().await? {
            index.add(page, &mut seen, limit);
        }
        index.members.shrink_to_fit();
        Ok(index)
    }

    /// After a membership change through this client: the index follows it (or is dropped
    /// when the change failed or cannot be followed exactly), and listeners are told.
    pub(crate) fn member_change_done(&self, org_id: &str, applied: Option<Applied>) {
        match applied {
            Some(change) => self.inner.member_indexes.apply(org_id, &change),
            None => self.inner.member_indexes.forget(org_id),
        }
        self.tell_member_change(MemberChange::Org(org_id.to_owned()));
    }

    /// The `result` of a membership change, after the index has followed it: `applied` says
    /// what changed when it succeeded.
    pub(crate) fn member_change_result<T>(
        &self,
        org_id: &str,
        result: Result<T, LogtoError>,
        applied: impl FnOnce() -> Applied,
    ) -> Result<T, LogtoError> {
        self.member_change_done(org_id, result.is_ok().then(applied));
        result
    }

    /// After a user's deletion through this client.
    pub(crate) fn user_deletion_done(&self, user_id: &str, deleted: bool) {
        if !deleted {
            return self.memberships_unclear();
        }
        self.inner.member_indexes.user_deleted(user_id);
        self.tell_member_change(MemberChange::AnyOrg);
    }

    /// After a change that may or may not have changed some organization's members (it
    /// failed half-way): every index is read again.
    pub(crate) fn memberships_unclear(&self) {
        self.inner.member_indexes.forget_all();
        self.tell_member_change(MemberChange::AnyOrg);
    }

    fn tell_member_change(&self, change: MemberChange) {
        if let Some(listener) = self.inner.member_change_listener.get() {
            listener(change);
        }
    }

    /// Called after every membership change made through this client (the cache bus tells
    /// the other replicas). Set once; later calls are ignored.
    pub fn on_member_change(&self, listener: impl Fn(MemberChange) + Send + Sync + 'static) {
        let _ = self.inner.member_change_listener.set(Box::new(listener));
    }

    /// Another replica changed `what`: drop the copies it makes stale.
    pub fn forget_member_roles(&self, what: &MemberChange) {
        match what {
            MemberChange::Org(id) => self.inner.member_indexes.forget(id),
            MemberChange::AnyOrg => self.inner.member_indexes.forget_all(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, roles: &[(&str, &str)]) -> OrgMember {
        serde_json::from_value(serde_json::json!({
            "id": id, "createdAt": 0, "isSuspended": false,
            "organizationRoles": roles.iter().map(|(i, n)| serde_json::json!({"id": i, "name": n})).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    fn index() -> MemberRoles {
        MemberRoles::from_members(
            vec![
                member("a", &[("r-admin", "admin")]),
                member("b", &[("r-member", "member")]),
                member("b", &[("r-member", "member")]),
                member("c", &[("r-member", "member"), ("r-admin", "admin")]),
                member("d", &[]),
            ],
            true,
        )
    }

    #[test]
    fn holders_in_member_order_once_each() {
        let ix = index();
        assert_eq!(ix.len(), 4);
        let admin = ["r-admin".to_owned()];
        assert_eq!(ix.holders(&admin).collect::<Vec<_>>(), ["a", "c"]);
        let unknown = ["r-nobody".to_owned()];
        assert_eq!(ix.holders(&unknown).count(), 0);
        let names: Vec<String> = ix
            .roles_of("c")
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["admin", "member"]);
        assert!(ix.roles_of("z").is_none());
    }

    #[test]
    fn confirmed_changes_are_followed() {
        let mut ix = index();
        let admin = vec!["r-admin".to_owned()];
        assert!(ix.apply(&Applied::RolesSet("c".into(), vec!["r-member".into()])));
        assert!(ix.apply(&Applied::RolesAdded("d".into(), admin.clone())));
        assert_eq!(ix.holders(&admin).collect::<Vec<_>>(), ["a", "d"]);
        assert!(ix.apply(&Applied::RoleRemoved("a".into(), "r-admin".into())));
        assert!(ix.apply(&Applied::Joined(vec!["bb".into()])));
        assert!(ix.apply(&Applied::Left("b".into())));
        let order: Vec<&str> = ix.members.iter().map(|(id, _)| &**id).collect();
        assert_eq!(order, ["a", "bb", "c", "d"]);
        assert_eq!(ix.holders(&admin).collect::<Vec<_>>(), ["d"]);
        // A role the index cannot name: it must be read again.
        assert!(!ix.apply(&Applied::RolesSet("a".into(), vec!["r-new".into()])));
    }
}
