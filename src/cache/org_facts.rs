//! Short-lived copies of the organization-role list and organization names, so a warm member
//! page costs one Logto call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::logto::{LogtoClient, LogtoError, OrgRole, RoleType};

/// How long the organization-role list is reused (roles rarely change; a stale list only
/// costs a fresh fetch when a submitted role is not in it).
const ROLES_TTL: Duration = Duration::from_secs(30);
/// How long an organization's name is reused for the heading (operators only).
const ORG_NAME_TTL: Duration = Duration::from_secs(300);

/// Short-lived copies of the organization-role list and organization names, one per portal
/// (kept in `AppState`, so test apps with their own fake Logto never share it).
#[derive(Clone, Default)]
pub struct OrgFacts(Arc<Mutex<CacheState>>);

#[derive(Default)]
struct CacheState {
    roles: Option<(Instant, Arc<Vec<OrgRole>>)>,
    org_names: HashMap<String, (Instant, String)>,
    /// Bumped by every forget: a read from Logto that started before one (possibly an
    /// invalidation from another replica) is used but not kept.
    generation: u64,
}

impl OrgFacts {
    fn state(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The roles that can be given to people (type `User`), by name.
    pub async fn roles(&self, logto: &LogtoClient) -> Result<Arc<Vec<OrgRole>>, LogtoError> {
        let cached = {
            let st = self.state();
            st.roles
                .as_ref()
                .filter(|(at, _)| at.elapsed() < ROLES_TTL)
                .map(|(_, roles)| roles.clone())
        };
        match cached {
            Some(roles) => Ok(roles),
            None => self.fresh_roles(logto).await,
        }
    }

    async fn fresh_roles(&self, logto: &LogtoClient) -> Result<Arc<Vec<OrgRole>>, LogtoError> {
        let generation = self.state().generation;
        let roles: Vec<OrgRole> = logto
            .list_org_roles()
            .await?
            .into_iter()
            .filter(|r| r.r#type == RoleType::User)
            .collect();
        let roles = Arc::new(roles);
        let mut st = self.state();
        if st.generation == generation {
            st.roles = Some((Instant::now(), roles.clone()));
        }
        Ok(roles)
    }

    pub async fn org_name(&self, logto: &LogtoClient, org_id: &str) -> Result<String, LogtoError> {
        let (cached, generation) = {
            let st = self.state();
            let cached = st
                .org_names
                .get(org_id)
                .filter(|(at, _)| at.elapsed() < ORG_NAME_TTL)
                .map(|(_, name)| name.clone());
            (cached, st.generation)
        };
        if let Some(name) = cached {
            return Ok(name);
        }
        let org = logto.get_organization(org_id).await?;
        let mut st = self.state();
        st.org_names
            .retain(|_, (at, _)| at.elapsed() < ORG_NAME_TTL);
        if st.generation == generation {
            st.org_names
                .insert(org_id.to_string(), (Instant::now(), org.name.clone()));
        }
        Ok(org.name)
    }

    /// After a rename or a deletion: the next heading reads the name from Logto. Through
    /// [`crate::cache::CacheBus::publish`], so every replica forgets it.
    pub fn forget_org_name(&self, org_id: &str) {
        let mut st = self.state();
        st.generation += 1;
        st.org_names.remove(org_id);
    }

    /// After a change to the organization roles: the next page reads the list from Logto.
    pub fn forget_roles(&self) {
        let mut st = self.state();
        st.generation += 1;
        st.roles = None;
    }

    /// Forgets everything (a notification from another replica may have been missed).
    pub fn forget_all(&self) {
        let mut st = self.state();
        st.generation += 1;
        st.roles = None;
        st.org_names.clear();
    }

    /// The chosen role ids resolved against the list; a miss refreshes the list once (a role
    /// may have been created since). `None` when a role does not exist or cannot be given.
    pub async fn resolve(
        &self,
        logto: &LogtoClient,
        ids: &[String],
    ) -> Result<Option<Vec<OrgRole>>, LogtoError> {
        let pick = |roles: &[OrgRole]| -> Option<Vec<OrgRole>> {
            ids.iter()
                .map(|id| roles.iter().find(|r| &r.id == id).cloned())
                .collect()
        };
        let cached = self.roles(logto).await?;
        if let Some(found) = pick(&cached) {
            return Ok(Some(found));
        }
        Ok(pick(&self.fresh_roles(logto).await?))
    }
}
