//! A user's global roles: `/api/users/:id/roles`.

use super::users::get_user;
use crate::http::*;
use crate::search;
use crate::store::{FakeState, Store};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};

pub async fn list_roles(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let s = st.lock();
    get_user(&s, &id)?;
    let search = search::parse(&ctx.pairs, super::roles::ROLE_SEARCH_FIELDS)
        .map_err(|e| ApiError::invalid_input(400, &e).with_data(json!({})))?;
    let items: Vec<Value> = s
        .roles_sorted()
        .into_iter()
        .filter(|r| r.kind == "User" && s.user_roles.contains(&(id.clone(), r.id.clone())))
        .filter(|r| search.matches(|f| super::roles::role_field(r, f)))
        .map(|r| s.role_json(r))
        .collect();
    Ok(paged(&ctx, page, items))
}

fn check_role_ids(s: &Store, ids: &[String]) -> Result<(), ApiError> {
    for r in ids {
        let role = s
            .roles
            .get(r)
            .ok_or_else(|| ApiError::not_exists_with_id("roles", r))?;
        if role.kind != "User" {
            return Err(ApiError::new(
                422,
                "user.invalid_role_type",
                "Invalid role type, can not assign machine-to-machine role to user.",
            ));
        }
    }
    Ok(())
}

pub async fn assign_roles(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let ids = f_str_array_req(m, &["roleIds"], 1)?;
    let mut s = st.lock();
    get_user(&s, &id)?;
    check_role_ids(&s, &ids)?;
    let mut added = Vec::new();
    for r in &ids {
        if s.user_roles.insert((id.clone(), r.clone())) {
            added.push(r.clone());
        }
    }
    Ok(json(
        StatusCode::CREATED,
        &json!({"roleIds": ids, "addedRoleIds": added}),
    ))
}

pub async fn replace_roles(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let ids = f_str_array_req(m, &["roleIds"], 0)?;
    let mut s = st.lock();
    get_user(&s, &id)?;
    check_role_ids(&s, &ids)?;
    s.user_roles.retain(|(u, _)| *u != id);
    for r in &ids {
        s.user_roles.insert((id.clone(), r.clone()));
    }
    Ok(ok(&json!({"roleIds": ids})))
}

pub async fn delete_role(
    State(st): State<FakeState>,
    Path((id, role_id)): Path<(String, String)>,
) -> ApiResult {
    let mut s = st.lock();
    get_user(&s, &id)?;
    if !s.roles.contains_key(&role_id) {
        return Err(ApiError::not_exists_with_id("roles", &role_id));
    }
    if !s.user_roles.remove(&(id, role_id)) {
        return Err(ApiError::not_found());
    }
    Ok(no_content())
}
