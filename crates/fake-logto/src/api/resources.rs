//! `GET /api/resources[?includeScopes=true]` and `GET /api/resources/:id/scopes`
//! (core/routes/resource.ts; pagination optional in both). Read-only: every tenant has the
//! Logto Management API (its one scope `all`); the fake also seeds one API of its own with
//! two scopes, so the portal has something to list.

use crate::http::*;
use crate::store::{FakeState, TENANT};
use axum::extract::{Path, State};
use serde_json::{json, Value};

pub const MANAGEMENT_API_ID: &str = "managementapi000";
pub const DEMO_API_ID: &str = "demoreportsapi01";
pub const DEMO_API_NAME: &str = "Reports API";
pub const DEMO_API_INDICATOR: &str = "https://reports.example.com/api";
pub const DEMO_API_SCOPES: &[&str] = &["read:reports", "write:reports"];

/// `(id, name, indicator, scopes as (name, description))`.
type Resource = (String, String, String, Vec<(String, String)>);

/// Every resource, newest first as Logto lists them.
fn resources(st: &FakeState) -> Vec<Resource> {
    let cfg = st.config();
    vec![
        (
            DEMO_API_ID.into(),
            DEMO_API_NAME.into(),
            DEMO_API_INDICATOR.into(),
            DEMO_API_SCOPES
                .iter()
                .map(|s| (s.to_string(), format!("{s} (fake Logto)")))
                .collect(),
        ),
        (
            MANAGEMENT_API_ID.into(),
            "Logto Management API".into(),
            cfg.resource.clone(),
            vec![(
                "all".into(),
                "Default scope for Management API, allows all permissions.".into(),
            )],
        ),
    ]
}

fn scope_json(resource_id: &str, i: usize, name: &str, description: &str) -> Value {
    json!({
        "tenantId": TENANT,
        "id": format!("{resource_id}s{i}"),
        "resourceId": resource_id,
        "name": name,
        "description": description,
        "createdAt": 0,
    })
}

fn scopes_json(id: &str, scopes: &[(String, String)]) -> Vec<Value> {
    scopes
        .iter()
        .enumerate()
        .map(|(i, (n, d))| scope_json(id, i, n, d))
        .collect()
}

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let include_scopes = ctx.get("includeScopes") == Some("true");
    let items = resources(&st)
        .into_iter()
        .map(|(id, name, indicator, scopes)| {
            let mut v = json!({
                "tenantId": TENANT,
                "id": id,
                "name": name,
                "indicator": indicator,
                "isDefault": false,
                "accessTokenTtl": 3600,
            });
            if include_scopes {
                v["scopes"] = Value::Array(scopes_json(&id, &scopes));
            }
            v
        })
        .collect();
    Ok(paged(&ctx, page, items))
}

pub async fn list_scopes(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let (id, _, _, scopes) = resources(&st)
        .into_iter()
        .find(|r| r.0 == id)
        .ok_or_else(|| ApiError::not_exists_with_id("resources", &id))?;
    Ok(paged(&ctx, page, scopes_json(&id, &scopes)))
}
