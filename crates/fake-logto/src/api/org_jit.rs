//! `/api/organizations/{id}/jit/**` (core/routes/organization/jit/*): just-in-time
//! provisioning. Email domains have their own routes (`jit/email-domains.ts`: any non-empty
//! string is accepted, no format check; a domain already on the organization is a unique
//! violation, 422); roles and SSO connectors are `SchemaRouter` relation routes (GET 404 for an
//! unknown organization, POST/PUT 422 for an unknown role or connector, DELETE 404 for a
//! relation that does not exist).

use crate::http::*;
use crate::store::{FakeState, Store, TENANT};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};

fn domain_json(org_id: &str, domain: &str) -> Value {
    json!({ "tenantId": TENANT, "organizationId": org_id, "emailDomain": domain })
}

fn org_exists(s: &Store, id: &str) -> Result<(), ApiError> {
    if s.orgs.contains_key(id) {
        Ok(())
    } else {
        Err(ApiError::not_exists_with_id("organizations", id))
    }
}

pub async fn list_domains(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    // `koaPagination()` (not optional) and no check that the organization exists.
    let page = pagination(&ctx, false)?;
    let s = st.lock();
    let items = s
        .jit_domains
        .iter()
        .filter(|(o, _)| *o == id)
        .map(|(o, d)| domain_json(o, d))
        .collect();
    Ok(paged(&ctx, page, items))
}

pub async fn add_domain(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let domain = f_str_req(m, &["emailDomain"])?;
    if domain.is_empty() {
        return Err(body_error(Issue::too_small_string(&["emailDomain"], 1)));
    }
    let mut s = st.lock();
    if !s.orgs.contains_key(&id) {
        return Err(ApiError::foreign_key());
    }
    if s.jit_domains.iter().any(|(o, d)| *o == id && *d == domain) {
        return Err(ApiError::unique_violation());
    }
    s.jit_domains.push((id.clone(), domain.clone()));
    Ok(json(StatusCode::CREATED, &domain_json(&id, &domain)))
}

pub async fn replace_domains(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let domains = f_str_array_req(m, &["emailDomains"], 0)?;
    let mut s = st.lock();
    let mut seen: Vec<&String> = Vec::new();
    for d in &domains {
        if seen.contains(&d) {
            return Err(ApiError::unique_violation());
        }
        seen.push(d);
    }
    if !domains.is_empty() && !s.orgs.contains_key(&id) {
        return Err(ApiError::foreign_key());
    }
    s.jit_domains.retain(|(o, _)| *o != id);
    for d in domains {
        s.jit_domains.push((id.clone(), d));
    }
    Ok(no_content())
}

pub async fn remove_domain(
    State(st): State<FakeState>,
    Path((id, domain)): Path<(String, String)>,
) -> ApiResult {
    let mut s = st.lock();
    let before = s.jit_domains.len();
    s.jit_domains.retain(|(o, d)| !(*o == id && *d == domain));
    if s.jit_domains.len() == before {
        return Err(ApiError::not_found());
    }
    Ok(no_content())
}

// ----- default roles -----

pub async fn list_roles(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let s = st.lock();
    org_exists(&s, &id)?;
    let items = s
        .jit_roles
        .iter()
        .filter(|(o, _)| *o == id)
        .filter_map(|(_, r)| s.org_roles.get(r))
        .map(|r| s.org_role_json(r))
        .collect();
    Ok(paged(&ctx, page, items))
}

fn role_ids(s: &Store, id: &str, body: &Value, min: usize) -> Result<Vec<String>, ApiError> {
    let m = body_object(body)?;
    let ids = f_str_array_req(m, &["organizationRoleIds"], min)?;
    if !s.orgs.contains_key(id) || ids.iter().any(|r| !s.org_roles.contains_key(r)) {
        return Err(ApiError::foreign_key());
    }
    Ok(ids)
}

pub async fn add_roles(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let mut s = st.lock();
    let ids = role_ids(&s, &id, &body, 1)?;
    for r in ids {
        s.jit_roles.insert((id.clone(), r));
    }
    Ok(created_text())
}

pub async fn replace_roles(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let mut s = st.lock();
    let ids = role_ids(&s, &id, &body, 0)?;
    s.jit_roles.retain(|(o, _)| *o != id);
    for r in ids {
        s.jit_roles.insert((id.clone(), r));
    }
    Ok(no_content())
}

pub async fn remove_role(
    State(st): State<FakeState>,
    Path((id, role_id)): Path<(String, String)>,
) -> ApiResult {
    if st.lock().jit_roles.remove(&(id, role_id)) {
        Ok(no_content())
    } else {
        Err(ApiError::not_found())
    }
}

// ----- enterprise SSO connectors (read by the portal; bound with FakeState helpers) -----

pub async fn list_sso(State(st): State<FakeState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let s = st.lock();
    org_exists(&s, &id)?;
    let items = s
        .jit_sso
        .iter()
        .filter(|(o, _)| *o == id)
        .filter_map(|(_, c)| {
            s.sso_connectors
                .iter()
                .find(|v| v["id"] == c.as_str())
                .cloned()
        })
        .collect();
    Ok(paged(&ctx, page, items))
}

impl FakeState {
    /// The organization as `GET /api/organizations/{id}` answers it.
    pub fn organization_json(&self, org_id: &str) -> Option<Value> {
        let s = self.lock();
        s.orgs.get(org_id).map(|o| s.org_json(o))
    }

    /// The organization's JIT email domains, in the order they were added.
    pub fn jit_domains(&self, org_id: &str) -> Vec<String> {
        self.lock()
            .jit_domains
            .iter()
            .filter(|(o, _)| o == org_id)
            .map(|(_, d)| d.clone())
            .collect()
    }

    /// Names of the organization's JIT default roles (sorted).
    pub fn jit_role_names(&self, org_id: &str) -> Vec<String> {
        let s = self.lock();
        let mut names: Vec<String> = s
            .jit_roles
            .iter()
            .filter(|(o, _)| o == org_id)
            .filter_map(|(_, r)| s.org_roles.get(r).map(|r| r.name.clone()))
            .collect();
        names.sort();
        names
    }

    /// An OIDC enterprise SSO connector (`connectorName`, e.g. "Acme Okta") bound to the
    /// organization for JIT; returns its id.
    pub fn bind_sso_connector(&self, org_id: &str, connector_name: &str, domain: &str) -> String {
        let id = self.add_sso_connector("OIDC", connector_name, &[domain], false);
        self.bind_sso_to_organization(org_id, &id);
        id
    }
}
