//! `/api/organization-roles/**` and `/api/organization-scopes/**`.

use crate::http::*;
use crate::search::ilike_contains;
use crate::store::{FakeState, OrgScope, Store};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

fn role_404(id: &str) -> ApiError {
    ApiError::not_exists_with_id("organization_roles", id)
}

fn role_with_scopes(s: &Store, id: &str) -> Value {
    let r = &s.org_roles[id];
    let mut v = s.org_role_json(r);
    let mut scopes: Vec<&OrgScope> = r
        .scope_ids
        .iter()
        .filter_map(|sid| s.org_scopes.get(sid))
        .collect();
    scopes.sort_by(|a, b| a.name.cmp(&b.name));
    v["scopes"] = Value::Array(
        scopes
            .iter()
            .map(|sc| json!({"id": sc.id, "name": sc.name}))
            .collect(),
    );
    v["resourceScopes"] = json!([]);
    v
}

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let q = ctx.get_nonempty("q").and_then(ilike_contains);
    let s = st.lock();
    let items: Vec<Value> = s
        .org_roles_sorted()
        .into_iter()
        .filter(|r| {
            q.as_ref().is_none_or(|re| {
                re.is_match(&r.id)
                    || re.is_match(&r.name)
                    || r.description.as_deref().is_some_and(|d| re.is_match(d))
            })
        })
        .map(|r| role_with_scopes(&s, &r.id))
        .collect();
    Ok(paged(&ctx, page, items))
}

fn kind_field(m: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match f_str(m, &["type"])? {
        Opt::Val(k) => {
            if k != "User" && k != "MachineToMachine" {
                return Err(body_error(Issue::invalid_enum(
                    &["type"],
                    &k,
                    &["User", "MachineToMachine"],
                )));
            }
            Ok(Some(k))
        }
        _ => Ok(None),
    }
}

pub async fn create(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let name = f_str_req(m, &["name"])?;
    if name.is_empty() {
        return Err(body_error(Issue::too_small_string(&["name"], 1)));
    }
    let description = f_str(m, &["description"])?;
    let kind = kind_field(m)?.unwrap_or_else(|| "User".into());
    let scope_ids = f_str_array(m, &["organizationScopeIds"])?.unwrap_or_default();
    let resource_scope_ids = f_str_array(m, &["resourceScopeIds"])?.unwrap_or_default();
    let mut s = st.lock();
    if s.find_org_role_by_name(&name).is_some() {
        return Err(ApiError::unique_violation());
    }
    if scope_ids.iter().any(|sid| !s.org_scopes.contains_key(sid)) || !resource_scope_ids.is_empty()
    {
        return Err(ApiError::foreign_key());
    }
    let id = s.insert_org_role(&name, description.into_option().as_deref(), &kind);
    if let Some(r) = s.org_roles.get_mut(&id) {
        r.scope_ids = scope_ids.into_iter().collect();
    }
    let r = &s.org_roles[&id];
    Ok(json(StatusCode::CREATED, &s.org_role_json(r)))
}

pub async fn get_one(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let r = s.org_roles.get(&id).ok_or_else(|| role_404(&id))?;
    Ok(ok(&s.org_role_json(r)))
}

pub async fn patch(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let name = f_str(m, &["name"])?;
    let description = f_str(m, &["description"])?;
    let kind = kind_field(m)?;
    let mut s = st.lock();
    if !s.org_roles.contains_key(&id) {
        return Err(role_404(&id));
    }
    if let Opt::Val(n) = &name {
        if s.org_roles.values().any(|r| r.name == *n && r.id != id) {
            return Err(ApiError::unique_violation());
        }
    }
    let r = s.org_roles.get_mut(&id).ok_or_else(|| role_404(&id))?;
    if let Opt::Val(n) = name {
        r.name = n;
    }
    match description {
        Opt::Absent => {}
        d => r.description = d.into_option(),
    }
    if let Some(k) = kind {
        r.kind = k;
    }
    let r = &s.org_roles[&id];
    Ok(ok(&s.org_role_json(r)))
}

pub async fn delete(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let mut s = st.lock();
    if s.org_roles.remove(&id).is_none() {
        return Err(ApiError::not_found());
    }
    s.member_roles.retain(|(_, _, r)| *r != id);
    for inv in s.invitations.values_mut() {
        inv.role_ids.retain(|r| *r != id);
    }
    Ok(no_content())
}

pub async fn role_scopes(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let s = st.lock();
    let r = s.org_roles.get(&id).ok_or_else(|| role_404(&id))?;
    let mut scopes: Vec<&OrgScope> = r
        .scope_ids
        .iter()
        .filter_map(|sid| s.org_scopes.get(sid))
        .collect();
    scopes.sort_by(|a, b| a.name.cmp(&b.name));
    let items = scopes.iter().map(|sc| s.org_scope_json(sc)).collect();
    Ok(paged(&ctx, page, items))
}

pub async fn add_role_scopes(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let ids = f_str_array_req(m, &["organizationScopeIds"], 1)?;
    let mut s = st.lock();
    if !s.org_roles.contains_key(&id) || ids.iter().any(|sid| !s.org_scopes.contains_key(sid)) {
        return Err(ApiError::foreign_key());
    }
    if let Some(r) = s.org_roles.get_mut(&id) {
        r.scope_ids.extend(ids);
    }
    Ok(created_text())
}

// ----- organization scopes -----

pub async fn list_scopes(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let q = ctx.get_nonempty("q").and_then(ilike_contains);
    let s = st.lock();
    let mut scopes: Vec<&OrgScope> = s
        .org_scopes
        .values()
        .filter(|sc| q.as_ref().is_none_or(|re| re.is_match(&sc.name)))
        .collect();
    scopes.sort_by(|a, b| a.name.cmp(&b.name));
    let items = scopes.iter().map(|sc| s.org_scope_json(sc)).collect();
    Ok(paged(&ctx, page, items))
}

pub async fn create_scope(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let name = f_str_req(m, &["name"])?;
    if name.is_empty() {
        return Err(body_error(Issue::too_small_string(&["name"], 1)));
    }
    let description = f_str(m, &["description"])?;
    let mut s = st.lock();
    if s.org_scopes.values().any(|sc| sc.name == name) {
        return Err(ApiError::unique_violation());
    }
    let id = s.new_unique_id(21, |id| s.org_scopes.contains_key(id));
    let scope = OrgScope {
        id: id.clone(),
        name,
        description: description.into_option(),
    };
    let v = s.org_scope_json(&scope);
    s.org_scopes.insert(id, scope);
    Ok(json(StatusCode::CREATED, &v))
}

pub async fn get_scope(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let sc = s
        .org_scopes
        .get(&id)
        .ok_or_else(|| ApiError::not_exists_with_id("organization_scopes", &id))?;
    Ok(ok(&s.org_scope_json(sc)))
}

pub async fn delete_scope(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let mut s = st.lock();
    if s.org_scopes.remove(&id).is_none() {
        return Err(ApiError::not_found());
    }
    for r in s.org_roles.values_mut() {
        r.scope_ids.remove(&id);
    }
    Ok(no_content())
}
