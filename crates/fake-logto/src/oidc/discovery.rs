//! Discovery, JWKS and userinfo.

use super::*;

// ---------------------------------------------------------------------------------------
// discovery, JWKS, userinfo

pub async fn discovery(State(st): State<FakeState>) -> Response {
    let base = st.lock().base_url.clone();
    let iss = format!("{base}/oidc");
    json_response(
        StatusCode::OK,
        &json!({
            "authorization_endpoint": format!("{iss}/auth"),
            "claims_parameter_supported": false,
            "claims_supported": ["sub", "name", "family_name", "given_name", "middle_name", "nickname",
                "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo",
                "locale", "updated_at", "username", "created_at", "email", "email_verified", "phone_number",
                "phone_number_verified", "address", "custom_data", "identities", "sso_identities", "roles",
                "organizations", "organization_data", "organization_roles", "sid", "auth_time", "iss"],
            "code_challenge_methods_supported": ["S256"],
            "end_session_endpoint": format!("{iss}/session/end"),
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "issuer": iss,
            "jwks_uri": format!("{iss}/jwks"),
            "authorization_response_iss_parameter_supported": true,
            "response_modes_supported": ["query"],
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "offline_access", "profile", "email", "phone", "address",
                "custom_data", "identities", "roles", "urn:logto:scope:organizations",
                "urn:logto:scope:organization_roles", "urn:logto:scope:sessions"],
            "subject_types_supported": ["public"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_jwt",
                "client_secret_post", "private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported": ["HS256", "RS256", "PS256", "ES256", "ES384", "EdDSA"],
            "token_endpoint": format!("{iss}/token"),
            "id_token_signing_alg_values_supported": ["ES384"],
            "pushed_authorization_request_endpoint": format!("{iss}/request"),
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("{iss}/me"),
            "claim_types_supported": ["normal"],
        }),
    )
}

pub async fn jwks(State(st): State<FakeState>) -> Response {
    json_response(StatusCode::OK, &st.keys().jwks())
}

pub(crate) fn invalid_token() -> Response {
    let mut r = oidc_error(401, "invalid_token", "invalid token provided");
    r.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer realm=\"oidc\", error=\"invalid_token\", error_description=\"invalid token provided\"",
        ),
    );
    r
}

pub async fn userinfo(State(st): State<FakeState>, headers: HeaderMap) -> Response {
    let Some(token) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
    else {
        return invalid_token();
    };
    let s = st.lock();
    let Some(t) = s.tokens.get(token.trim()) else {
        return invalid_token();
    };
    if t.expires_at <= now_ms() {
        return invalid_token();
    }
    let TokenOwner::User {
        user_id, scopes, ..
    } = &t.owner
    else {
        return invalid_token();
    };
    let Some(u) = s.users.get(user_id) else {
        return invalid_token();
    };
    let claims = user_claims(&s, u, scopes);
    token_ok(&Value::Object(claims))
}
