//! `/api/organizations/**` (core/routes/organization/**).

use crate::http::*;
use crate::search::ilike_contains;
use crate::store::{now_ms, FakeState, Store, User};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

fn get_org_err(id: &str) -> ApiError {
    ApiError::not_exists_with_id("organizations", id)
}

fn validate_branding(b: &Map<String, Value>) -> Result<(), ApiError> {
    for key in ["logoUrl", "darkLogoUrl", "favicon", "darkFavicon"] {
        match b.get(key) {
            None => {}
            Some(Value::String(s)) => {
                if url::Url::parse(s).is_err() {
                    return Err(body_error(Issue::invalid_string(&["branding", key], "url")));
                }
            }
            other => {
                return Err(body_error(Issue::invalid_type(
                    &["branding", key],
                    "string",
                    type_name(other),
                )))
            }
        }
    }
    Ok(())
}

struct OrgInput {
    name: Opt<String>,
    description: Opt<String>,
    custom_data: Option<Map<String, Value>>,
    is_mfa_required: Option<bool>,
    color: Option<Map<String, Value>>,
    branding: Option<Map<String, Value>>,
    custom_css: Opt<String>,
}

fn org_input(m: &Map<String, Value>) -> Result<OrgInput, ApiError> {
    let name = f_str(m, &["name"])?;
    if let Opt::Val(n) = &name {
        if n.is_empty() {
            return Err(body_error(Issue::too_small_string(&["name"], 1)));
        }
        if n.chars().count() > 128 {
            return Err(body_error(Issue::too_big_string(&["name"], 128)));
        }
    }
    if name == Opt::Null {
        return Err(body_error(Issue::invalid_type(&["name"], "string", "null")));
    }
    let description = f_str(m, &["description"])?;
    if let Opt::Val(d) = &description {
        if d.chars().count() > 256 {
            return Err(body_error(Issue::too_big_string(&["description"], 256)));
        }
    }
    let branding = f_obj(m, &["branding"])?;
    if let Some(b) = &branding {
        validate_branding(b)?;
    }
    Ok(OrgInput {
        name,
        description,
        custom_data: f_obj(m, &["customData"])?,
        is_mfa_required: f_bool(m, &["isMfaRequired"])?,
        color: f_obj(m, &["color"])?,
        branding,
        custom_css: f_str(m, &["customCss"])?,
    })
}

fn with_featured(s: &Store, org_id: &str, mut v: Value) -> Value {
    let members: Vec<&String> = s.member_ids(org_id).collect();
    v["usersCount"] = json!(members.len());
    v["featuredUsers"] = Value::Array(
        members
            .iter()
            .take(3)
            .filter_map(|u| s.users.get(*u))
            .map(|u| json!({"id": u.id, "avatar": u.avatar, "name": u.name}))
            .collect(),
    );
    v
}

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let q = ctx.get_nonempty("q").and_then(ilike_contains);
    let featured = ctx.is_true("showFeatured");
    let s = st.lock();
    let items: Vec<Value> = s
        .orgs_sorted()
        .into_iter()
        .filter(|o| {
            q.as_ref()
                .is_none_or(|re| re.is_match(&o.id) || re.is_match(&o.name))
        })
        .map(|o| {
            let v = s.org_json(o);
            if featured {
                with_featured(&s, &o.id, v)
            } else {
                v
            }
        })
        .collect();
    Ok(paged(&ctx, page, items))
}

pub async fn create(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let input = org_input(m)?;
    let name = match input.name {
        Opt::Val(n) => n,
        _ => {
            return Err(body_error(Issue::invalid_type(
                &["name"],
                "string",
                "undefined",
            )))
        }
    };
    let mut s = st.lock();
    let id = s.insert_org(&name, None, now_ms());
    let o = s.orgs.get_mut(&id).ok_or_else(ApiError::internal)?;
    o.description = input.description.into_option();
    if let Some(c) = input.custom_data {
        o.custom_data = Value::Object(c);
    }
    o.is_mfa_required = input.is_mfa_required.unwrap_or(false);
    if let Some(c) = input.color {
        o.color = Value::Object(c);
    }
    if let Some(b) = input.branding {
        o.branding = Value::Object(b);
    }
    o.custom_css = input.custom_css.into_option();
    let o = &s.orgs[&id];
    Ok(json(StatusCode::CREATED, &s.org_json(o)))
}

pub async fn get_one(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let o = s.orgs.get(&id).ok_or_else(|| get_org_err(&id))?;
    Ok(ok(&s.org_json(o)))
}

pub async fn patch(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let input = org_input(m)?;
    let mut s = st.lock();
    let o = s.orgs.get_mut(&id).ok_or_else(|| get_org_err(&id))?;
    if let Opt::Val(n) = input.name {
        o.name = n;
    }
    match input.description {
        Opt::Absent => {}
        d => o.description = d.into_option(),
    }
    if let Some(c) = input.custom_data {
        o.custom_data = Value::Object(c);
    }
    if let Some(b) = input.is_mfa_required {
        o.is_mfa_required = b;
    }
    if let Some(c) = input.color {
        o.color = Value::Object(c);
    }
    if let Some(b) = input.branding {
        o.branding = Value::Object(b);
    }
    match input.custom_css {
        Opt::Absent => {}
        c => o.custom_css = c.into_option(),
    }
    let o = &s.orgs[&id];
    Ok(ok(&s.org_json(o)))
}

pub async fn delete(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    if st.lock().delete_org(&id) {
        Ok(no_content())
    } else {
        Err(ApiError::not_found())
    }
}

// ----- members -----

pub async fn list_users(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let q = ctx.get_nonempty("q").and_then(ilike_contains);
    // Logto 1.41 added the role filter; older releases ignore the parameter silently.
    let role_filter = ctx
        .get_nonempty("organizationRoleId")
        .filter(|_| st.version().at_least(41))
        .map(str::to_string);
    let s = st.lock();
    let mut items: Vec<&User> = Vec::new();
    // BTreeSet order of (org, user) = user id ascending within the org
    for uid in s.member_ids(&id) {
        let Some(u) = s.users.get(uid) else { continue };
        if let Some(re) = &q {
            let hit = [
                Some(u.id.as_str()),
                u.primary_email.as_deref(),
                u.primary_phone.as_deref(),
                u.username.as_deref(),
                u.name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|v| re.is_match(v));
            if !hit {
                continue;
            }
        }
        if let Some(r) = &role_filter {
            if !s.member_holds(&id, uid, r) {
                continue;
            }
        }
        items.push(u);
    }
    Ok(paged_map(&ctx, page, items, |u| {
        let mut v = s.user_json(u, false);
        v["organizationRoles"] = Value::Array(s.member_role_refs(&id, &u.id));
        v
    }))
}

fn check_users_exist(s: &Store, org_id: &str, ids: &[String]) -> Result<(), ApiError> {
    if !s.orgs.contains_key(org_id) || ids.iter().any(|u| !s.users.contains_key(u)) {
        return Err(ApiError::foreign_key());
    }
    Ok(())
}

pub async fn add_users(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let ids = f_str_array_req(m, &["userIds"], 1)?;
    let mut s = st.lock();
    check_users_exist(&s, &id, &ids)?;
    for u in &ids {
        s.add_member(&id, u);
    }
    // 1.39 answers the ids; before, the text `Created` (recorded on 1.37.1)
    if st.version().at_least(39) {
        Ok(json(StatusCode::CREATED, &json!({"userIds": ids})))
    } else {
        Ok(created_text())
    }
}

pub async fn replace_users(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let ids = f_str_array_req(m, &["userIds"], 0)?;
    let mut s = st.lock();
    check_users_exist(&s, &id, &ids)?;
    let current: Vec<String> = s.member_ids(&id).cloned().collect();
    let keep_roles = st.version().at_least(40);
    for u in current {
        if !ids.contains(&u) {
            s.remove_member(&id, &u);
        } else if !keep_roles {
            // before 1.40 the replacement re-inserted everyone, dropping every role
            s.clear_member_roles(&id, &u);
        }
    }
    for u in &ids {
        s.add_member(&id, u);
    }
    Ok(no_content())
}

pub async fn remove_user(
    State(st): State<FakeState>,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let mut s = st.lock();
    if !s.is_member(&id, &user_id) {
        return Err(ApiError::not_found());
    }
    s.remove_member(&id, &user_id);
    Ok(no_content())
}

pub async fn bulk_assign_roles(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let users = f_str_array_req(m, &["userIds"], 1)?;
    let roles = f_str_array_req(m, &["organizationRoleIds"], 1)?;
    let mut s = st.lock();
    if users.iter().any(|u| !s.is_member(&id, u))
        || roles.iter().any(|r| !s.org_roles.contains_key(r))
    {
        return Err(ApiError::foreign_key());
    }
    for u in &users {
        s.grant_member_roles(&id, u, roles.iter().cloned());
    }
    Ok(created_text())
}

pub async fn member_roles(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let s = st.lock();
    if !s.is_member(&id, &user_id) {
        return Err(ApiError::require_membership());
    }
    let items: Vec<Value> = s
        .member_role_ids(&id, &user_id)
        .iter()
        .filter_map(|r| s.org_roles.get(r))
        .map(|r| s.org_role_json(r))
        .collect();
    Ok(paged(&ctx, page, items))
}

/// Resolve `organizationRoleIds` + `organizationRoleNames` to ids (deduplicated).
fn resolve_role_ids(s: &Store, m: &Map<String, Value>) -> Result<Vec<String>, ApiError> {
    let ids = f_str_array(m, &["organizationRoleIds"])?.unwrap_or_default();
    let names = f_str_array(m, &["organizationRoleNames"])?.unwrap_or_default();
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| s.find_org_role_by_name(n).is_none())
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::new(
            422,
            "organization.role_names_not_found",
            &format!("Invalid role names detected: {list}. Please create these roles first before proceeding."),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for r in ids.into_iter().chain(
        names
            .iter()
            .filter_map(|n| s.find_org_role_by_name(n).map(|r| r.id.clone())),
    ) {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    for r in &out {
        match s.org_roles.get(r) {
            None => return Err(ApiError::foreign_key()),
            Some(role) if role.kind != "User" => {
                return Err(ApiError::new(
                    422,
                    "entity.db_constraint_violated",
                    "Database constraint violated.",
                ))
            }
            Some(_) => {}
        }
    }
    Ok(out)
}

pub async fn assign_member_roles(
    State(st): State<FakeState>,
    Path((id, user_id)): Path<(String, String)>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let mut s = st.lock();
    if !s.is_member(&id, &user_id) {
        return Err(ApiError::require_membership());
    }
    let roles = resolve_role_ids(&s, m)?;
    for r in &roles {
        s.member_roles
            .insert((id.clone(), user_id.clone(), r.clone()));
    }
    // 1.39 answers the role ids; before, the text `Created` (recorded on 1.37.1)
    if st.version().at_least(39) {
        Ok(json(
            StatusCode::CREATED,
            &json!({"organizationRoleIds": roles}),
        ))
    } else {
        Ok(created_text())
    }
}

pub async fn replace_member_roles(
    State(st): State<FakeState>,
    Path((id, user_id)): Path<(String, String)>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let mut s = st.lock();
    if !s.is_member(&id, &user_id) {
        return Err(ApiError::require_membership());
    }
    let roles = resolve_role_ids(&s, m)?;
    s.clear_member_roles(&id, &user_id);
    s.grant_member_roles(&id, &user_id, roles);
    Ok(no_content())
}

pub async fn remove_member_role(
    State(st): State<FakeState>,
    Path((id, user_id, role_id)): Path<(String, String, String)>,
) -> ApiResult {
    let mut s = st.lock();
    if !s.is_member(&id, &user_id) {
        return Err(ApiError::require_membership());
    }
    if !s.member_roles.remove(&(id, user_id, role_id)) {
        return Err(ApiError::not_found());
    }
    Ok(no_content())
}

pub async fn member_scopes(
    State(st): State<FakeState>,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let s = st.lock();
    if !s.is_member(&id, &user_id) {
        return Err(ApiError::require_membership());
    }
    let mut scope_ids: Vec<String> = s
        .member_role_ids(&id, &user_id)
        .iter()
        .filter_map(|r| s.org_roles.get(r))
        .flat_map(|r| r.scope_ids.iter().cloned())
        .collect();
    scope_ids.sort();
    scope_ids.dedup();
    let items: Vec<Value> = scope_ids
        .iter()
        .filter_map(|sid| s.org_scopes.get(sid))
        .map(|sc| s.org_scope_json(sc))
        .collect();
    Ok(ok(&Value::Array(items)))
}
