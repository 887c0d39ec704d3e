//! The Management API under `/api`.

pub mod applications;
pub mod invitations;
pub mod mfa;
pub mod misc;
pub mod org_jit;
pub mod org_roles;
pub mod organizations;
pub mod resources;
pub mod roles;
pub mod sessions;
pub mod social;
pub mod sso;
pub mod user_roles;
pub mod users;

use crate::http::ApiError;
use crate::store::{now_ms, FakeState, TokenOwner};
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::Router;
use serde_json::json;

/// koa-auth: `Authorization: Bearer <token issued by /oidc/token>` with scope `all`.
async fn auth(State(st): State<FakeState>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let Some(header) = header else {
        return ApiError::new(
            401,
            "auth.authorization_header_missing",
            "Authorization header is missing.",
        )
        .into_response();
    };
    let Some(token) = header.strip_prefix("Bearer ") else {
        return ApiError::new(
            401,
            "auth.authorization_token_type_not_supported",
            "Authorization type is not supported.",
        )
        .with_data(json!({"supportedTypes": ["Bearer"]}))
        .into_response();
    };
    let unauthorized = |code: &str, name: &str| {
        ApiError::new(
            401,
            "auth.unauthorized",
            "Unauthorized. Please check credentials and its scope.",
        )
        .with_data(json!({"code": code, "name": name}))
        .into_response()
    };
    let verdict = {
        let s = st.lock();
        match s.tokens.get(token.trim()) {
            None => Err(unauthorized("ERR_JWS_INVALID", "JWSInvalid")),
            Some(t) if t.expires_at <= now_ms() => {
                Err(unauthorized("ERR_JWT_EXPIRED", "JWTExpired"))
            }
            Some(t) => match &t.owner {
                TokenOwner::M2m { all: true, .. } => Ok(()),
                TokenOwner::M2m { all: false, .. } => Err(ApiError::new(
                    403,
                    "auth.forbidden",
                    "Forbidden. Please check your user roles and permissions.",
                )
                .into_response()),
                // opaque user tokens are not JWTs for the Management API resource
                TokenOwner::User { .. } => Err(unauthorized("ERR_JWS_INVALID", "JWSInvalid")),
            },
        }
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(r) => r,
    }
}

pub fn router(state: FakeState) -> Router<FakeState> {
    use invitations as inv;
    use misc::*;
    use org_roles as orr;
    use organizations as org;
    let authed = Router::new()
        // users
        .route("/api/users", get(users::list).post(users::create))
        .route(
            "/api/users/{id}",
            get(users::get_one)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/api/users/{id}/profile", patch(users::patch_profile))
        .route(
            "/api/users/{id}/custom-data",
            get(users::get_custom_data).patch(users::patch_custom_data),
        )
        .route("/api/users/{id}/password", patch(users::set_password))
        .route(
            "/api/users/{id}/password/expiration",
            patch(sessions::set_password_expiration),
        )
        .route("/api/users/{id}/sessions", get(sessions::list))
        .route(
            "/api/users/{id}/sessions/{session_id}",
            get(sessions::get_one).delete(sessions::delete),
        )
        .route("/api/users/{id}/grants", get(sessions::list_grants))
        .route(
            "/api/users/{id}/grants/{grant_id}",
            axum::routing::delete(sessions::delete_grant),
        )
        // applications (the configured M2M and web apps)
        // API resources and their scopes (read-only)
        .route("/api/resources", get(resources::list))
        .route("/api/resources/{id}/scopes", get(resources::list_scopes))
        .route("/api/applications", get(applications::list))
        .route("/api/applications/{id}", get(applications::get_one))
        .route(
            "/api/users/{id}/password/verify",
            post(users::verify_password),
        )
        .route("/api/users/{id}/has-password", get(users::has_password))
        .route("/api/users/{id}/is-suspended", patch(users::set_suspended))
        .route(
            "/api/users/{id}/identities/{target}",
            get(users::get_identity)
                .put(users::put_identity)
                .delete(users::delete_identity),
        )
        .route("/api/users/{id}/all-identities", get(users::all_identities))
        .route("/api/users/{id}/identities", post(social::link_identity))
        // two-step verification and personal access tokens
        .route(
            "/api/users/{id}/mfa-verifications",
            get(mfa::list_mfa).post(mfa::create_mfa),
        )
        .route(
            "/api/users/{id}/mfa-verifications/{verification_id}",
            axum::routing::delete(mfa::delete_mfa),
        )
        .route(
            "/api/users/{id}/personal-access-tokens",
            get(mfa::list_tokens)
                .post(mfa::create_token)
                .patch(mfa::rename_token),
        )
        .route(
            "/api/users/{id}/personal-access-tokens/delete",
            post(mfa::delete_token),
        )
        .route(
            "/api/users/{id}/personal-access-tokens/{name}",
            patch(mfa::rename_token_by_path).delete(mfa::delete_token_by_path),
        )
        // social connectors
        .route("/api/connectors", get(social::list_connectors))
        .route("/api/connectors/{id}", get(social::get_connector))
        .route(
            "/api/connectors/{id}/authorization-uri",
            post(social::authorization_uri),
        )
        .route("/api/users/{id}/organizations", get(users::organizations))
        .route(
            "/api/users/{id}/roles",
            get(user_roles::list_roles)
                .post(user_roles::assign_roles)
                .put(user_roles::replace_roles),
        )
        .route(
            "/api/users/{id}/roles/{role_id}",
            axum::routing::delete(user_roles::delete_role),
        )
        // global roles
        .route("/api/roles", get(roles::list).post(roles::create))
        .route("/api/roles/{id}", get(roles::get_one).delete(roles::delete))
        .route("/api/roles/{id}/users", get(roles::users))
        // organizations
        .route("/api/organizations", get(org::list).post(org::create))
        .route(
            "/api/organizations/{id}",
            get(org::get_one).patch(org::patch).delete(org::delete),
        )
        .route(
            "/api/organizations/{id}/users",
            get(org::list_users)
                .post(org::add_users)
                .put(org::replace_users),
        )
        .route(
            "/api/organizations/{id}/users/roles",
            post(org::bulk_assign_roles),
        )
        .route(
            "/api/organizations/{id}/users/{user_id}",
            axum::routing::delete(org::remove_user),
        )
        .route(
            "/api/organizations/{id}/users/{user_id}/roles",
            get(org::member_roles)
                .post(org::assign_member_roles)
                .put(org::replace_member_roles),
        )
        .route(
            "/api/organizations/{id}/users/{user_id}/roles/{role_id}",
            axum::routing::delete(org::remove_member_role),
        )
        .route(
            "/api/organizations/{id}/users/{user_id}/scopes",
            get(org::member_scopes),
        )
        // just-in-time provisioning
        .route(
            "/api/organizations/{id}/jit/email-domains",
            get(org_jit::list_domains)
                .post(org_jit::add_domain)
                .put(org_jit::replace_domains),
        )
        .route(
            "/api/organizations/{id}/jit/email-domains/{domain}",
            axum::routing::delete(org_jit::remove_domain),
        )
        .route(
            "/api/organizations/{id}/jit/roles",
            get(org_jit::list_roles)
                .post(org_jit::add_roles)
                .put(org_jit::replace_roles),
        )
        .route(
            "/api/organizations/{id}/jit/roles/{role_id}",
            axum::routing::delete(org_jit::remove_role),
        )
        .route(
            "/api/organizations/{id}/jit/sso-connectors",
            get(org_jit::list_sso),
        )
        // enterprise SSO connectors (read-only)
        .route("/api/sso-connectors", get(sso::list))
        // organization roles / scopes
        .route("/api/organization-roles", get(orr::list).post(orr::create))
        .route(
            "/api/organization-roles/{id}",
            get(orr::get_one).patch(orr::patch).delete(orr::delete),
        )
        .route(
            "/api/organization-roles/{id}/scopes",
            get(orr::role_scopes).post(orr::add_role_scopes),
        )
        .route(
            "/api/organization-scopes",
            get(orr::list_scopes).post(orr::create_scope),
        )
        .route(
            "/api/organization-scopes/{id}",
            get(orr::get_scope).delete(orr::delete_scope),
        )
        // invitations
        .route(
            "/api/organization-invitations",
            get(inv::list).post(inv::create),
        )
        .route(
            "/api/organization-invitations/{id}",
            get(inv::get_one).delete(inv::delete),
        )
        .route(
            "/api/organization-invitations/{id}/message",
            post(inv::send_message),
        )
        .route(
            "/api/organization-invitations/{id}/status",
            put(inv::set_status),
        )
        // verification codes, logs, assets
        .route("/api/verification-codes", post(request_code))
        .route("/api/verification-codes/verify", post(verify_code))
        .route("/api/logs", get(list_logs))
        .route("/api/logs/{id}", get(get_log))
        .route("/api/user-assets/service-status", get(asset_status))
        .route("/api/user-assets", post(upload_asset))
        .route_layer(middleware::from_fn_with_state(state, auth));
    Router::new()
        .merge(authed)
        .route("/api/status", get(status))
        .route(
            "/api/.well-known/management.openapi.json",
            get(management_openapi),
        )
        .route("/api/swagger.json", get(management_openapi))
        .route("/user-assets/{name}", get(serve_asset))
        .route(
            "/social/{connector_id}/authorize",
            get(social::social_authorize),
        )
}
