//! `/api/roles/**` (global RBAC roles; core/routes/role.ts).

use crate::http::*;
use crate::search;
use crate::store::{FakeState, Role, Store};
use axum::extract::{Path, State};
use serde_json::{json, Value};

pub const ROLE_SEARCH_FIELDS: &[&str] = &["id", "name", "description"];

pub fn role_field<'a>(r: &'a Role, f: &str) -> Option<&'a str> {
    match f {
        "id" => Some(r.id.as_str()),
        "name" => Some(r.name.as_str()),
        "description" => Some(r.description.as_str()),
        _ => None,
    }
}

fn featured(s: &Store, r: &Role) -> Value {
    let mut users: Vec<&str> = s
        .user_roles
        .iter()
        .filter(|(_, role)| *role == r.id)
        .map(|(u, _)| u.as_str())
        .collect();
    users.sort();
    let count = users.len();
    let featured: Vec<Value> = users
        .iter()
        .take(3)
        .filter_map(|u| s.users.get(*u))
        .map(|u| json!({"id": u.id, "avatar": u.avatar, "name": u.name}))
        .collect();
    let mut v = s.role_json(r);
    v["usersCount"] = json!(count);
    v["featuredUsers"] = Value::Array(featured);
    v["applicationsCount"] = json!(0);
    v["featuredApplications"] = json!([]);
    v
}

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let kind = ctx.get_nonempty("type").map(str::to_string);
    if let Some(k) = &kind {
        if k != "User" && k != "MachineToMachine" {
            return Err(guard_error(
                "query",
                vec![Issue::invalid_enum(
                    &["type"],
                    k,
                    &["User", "MachineToMachine"],
                )],
            ));
        }
    }
    let search = search::parse(&ctx.pairs, ROLE_SEARCH_FIELDS)
        .map_err(|e| ApiError::invalid_input(400, &e).with_data(json!({})))?;
    let exclude_user = ctx.get_nonempty("excludeUserId").map(str::to_string);
    let s = st.lock();
    let items: Vec<Value> = s
        .roles_sorted()
        .into_iter()
        .filter(|r| kind.as_deref().is_none_or(|k| r.kind == k))
        .filter(|r| search.matches(|f| role_field(r, f)))
        .filter(|r| {
            exclude_user
                .as_ref()
                .is_none_or(|u| !s.user_roles.contains(&(u.clone(), r.id.clone())))
        })
        .map(|r| featured(&s, r))
        .collect();
    Ok(paged(&ctx, page, items))
}

pub async fn create(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let name = f_str_req(m, &["name"])?;
    let description = f_str_req(m, &["description"])?;
    let kind = match f_str(m, &["type"])? {
        Opt::Val(k) => {
            if k != "User" && k != "MachineToMachine" {
                return Err(body_error(Issue::invalid_enum(
                    &["type"],
                    &k,
                    &["User", "MachineToMachine"],
                )));
            }
            k
        }
        _ => "User".to_string(),
    };
    if name.is_empty() {
        return Err(body_error(Issue::too_small_string(&["name"], 1)));
    }
    let mut s = st.lock();
    if s.roles.values().any(|r| r.name == name) {
        return Err(ApiError::new(
            422,
            "role.name_in_use",
            &format!("This role name {name} is already in use"),
        ));
    }
    let id = s.insert_role(&name, &description, &kind);
    let r = &s.roles[&id];
    Ok(ok(&s.role_json(r)))
}

pub async fn get_one(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let r = s
        .roles
        .get(&id)
        .ok_or_else(|| ApiError::not_exists_with_id("roles", &id))?;
    Ok(ok(&s.role_json(r)))
}

pub async fn delete(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let mut s = st.lock();
    if s.roles.remove(&id).is_none() {
        return Err(ApiError::not_found());
    }
    s.user_roles.retain(|(_, r)| *r != id);
    Ok(no_content())
}

pub async fn users(State(st): State<FakeState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let s = st.lock();
    if !s.roles.contains_key(&id) {
        return Err(ApiError::not_exists_with_id("roles", &id));
    }
    let items: Vec<Value> = s
        .users_sorted()
        .into_iter()
        .filter(|u| s.user_roles.contains(&(u.id.clone(), id.clone())))
        .map(|u| s.user_json(u, true))
        .collect();
    Ok(paged(&ctx, page, items))
}
