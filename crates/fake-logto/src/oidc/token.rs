//! `/oidc/token`: client_credentials, authorization_code and refresh_token grants.

use super::*;

// ---------------------------------------------------------------------------------------
// token endpoint

pub(crate) fn oidc_error(status: u16, error: &str, description: &str) -> Response {
    let message = match error {
        "invalid_request" => "Request is invalid.".to_string(),
        "invalid_grant" => "Grant request is invalid.".to_string(),
        "invalid_target" => "Invalid resource indicator.".to_string(),
        "invalid_token" => "Invalid token provided.".to_string(),
        "unsupported_grant_type" => "Unsupported `grant_type` requested.".to_string(),
        other => format!("An OIDC error occurred: oidc.{other}."),
    };
    let mut body = json!({
        "code": format!("oidc.{error}"),
        "message": message,
        "error": error,
        "error_description": description,
    });
    if error == "invalid_grant" {
        body["error_uri"] = json!("https://openid.sh/debug/invalid_grant");
    }
    let mut r = json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &body,
    );
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(crate) fn token_ok(v: &Value) -> Response {
    let mut r = json_response(StatusCode::OK, v);
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Form (or JSON) parameters of a token request, in order.
pub(crate) fn token_params(headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.contains("json") {
        if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) {
            return m
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, s)
                })
                .collect();
        }
        return Vec::new();
    }
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) fn param<'a>(p: &'a [(String, String)], key: &str) -> Option<&'a str> {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A canned failure of the token endpoint (`set_token_endpoint_failure`).
pub fn injected_failure(status: u16) -> Response {
    crate::server::failure_response(status, None)
}

pub(crate) enum ClientKind {
    M2m,
    Web,
}

pub async fn token(State(st): State<FakeState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = token_params(&headers, &body);
    let grant = param(&params, "grant_type").map(str::to_string);
    let failure = {
        let mut s = st.lock();
        if grant.as_deref() == Some("client_credentials") {
            s.token_requests += 1;
        }
        s.faults.token_failure
    };
    if let Some(status) = failure {
        return injected_failure(status);
    }
    if body.contains(&0) {
        return oidc_error(
            400,
            "invalid_request",
            "request body must not contain NUL bytes",
        );
    }

    // client authentication: Basic header or form credentials, never both
    let cfg = st.config().clone();
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(str::to_string);
    let form_id = param(&params, "client_id").map(str::to_string);
    let form_secret = param(&params, "client_secret").map(str::to_string);
    let (client_id, secret, used_basic) = if let Some(b) = basic {
        if form_secret.is_some() {
            return oidc_error(
                400,
                "invalid_request",
                "client authentication must only be provided using one mechanism",
            );
        }
        let decoded = STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok());
        let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return oidc_error(
                400,
                "invalid_request",
                "invalid authorization header value format",
            );
        };
        let dec = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        let (id, secret) = (dec(id), dec(secret));
        if form_id.as_deref().is_some_and(|f| f != id) {
            return oidc_error(
                400,
                "invalid_request",
                "mismatch in body and authorization client ids",
            );
        }
        (id, Some(secret), true)
    } else if let Some(id) = form_id {
        (id, form_secret, false)
    } else {
        return oidc_error(
            400,
            "invalid_request",
            "no client authentication mechanism provided",
        );
    };
    let (kind, expected) = if client_id == cfg.m2m_app_id {
        (ClientKind::M2m, cfg.m2m_app_secret.clone())
    } else if client_id == cfg.web_app_id {
        (ClientKind::Web, cfg.web_app_secret.clone())
    } else {
        return oidc_error(
            400,
            "invalid_client",
            &format!("invalid client {client_id}"),
        );
    };
    if secret.as_deref() != Some(expected.as_str()) {
        let mut r = oidc_error(401, "invalid_client", "client authentication failed");
        if used_basic {
            let issuer = st.lock().issuer();
            let v = format!(
                "Basic realm=\"{issuer}\", error=\"invalid_client\", error_description=\"client authentication failed\""
            );
            if let Ok(hv) = HeaderValue::from_str(&v) {
                r.headers_mut().insert(WWW_AUTHENTICATE, hv);
            }
        }
        return r;
    }
    let Some(grant) = grant else {
        return oidc_error(
            400,
            "invalid_request",
            "missing required parameter 'grant_type'",
        );
    };
    match (grant.as_str(), kind) {
        ("client_credentials", ClientKind::M2m) => client_credentials(&st, &params),
        ("authorization_code", ClientKind::Web) => authorization_code(&st, &params, &client_id),
        ("refresh_token", ClientKind::Web) => refresh(&st, &params, &client_id),
        ("client_credentials" | "authorization_code" | "refresh_token", _) => oidc_error(
            400,
            "unauthorized_client",
            "requested grant type is not allowed for this client",
        ),
        _ => oidc_error(
            400,
            "unsupported_grant_type",
            "unsupported grant_type requested",
        ),
    }
}

pub(crate) fn client_credentials(st: &FakeState, params: &[(String, String)]) -> Response {
    let cfg = st.config();
    let resources: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "resource")
        .flat_map(|(_, v)| v.split(','))
        .filter(|v| !v.is_empty())
        .collect();
    if resources.is_empty() {
        return oidc_error(
            400,
            "invalid_target",
            "both `resource` and `organization_id` are not provided",
        );
    }
    if resources.len() > 1 {
        return oidc_error(
            400,
            "invalid_target",
            "only a single resource indicator value is supported for this grant type",
        );
    }
    if resources[0] != cfg.resource {
        return oidc_error(
            400,
            "invalid_target",
            "resource indicator is missing, or unknown",
        );
    }
    let all = param(params, "scope").is_some_and(|s| s.split_whitespace().any(|x| x == "all"));
    let token = gen_token(48);
    let ttl = cfg.access_token_ttl_secs;
    st.lock().tokens.insert(
        token.clone(),
        AccessToken {
            owner: TokenOwner::M2m { all },
            expires_at: now_ms() + (ttl as i64) * 1000,
            code: None,
        },
    );
    let mut body = json!({"access_token": token, "expires_in": ttl, "token_type": "Bearer"});
    if all {
        body["scope"] = json!("all");
    }
    token_ok(&body)
}

/// Claims about `u` released for `scopes` (ID token and userinfo).
pub fn user_claims(s: &Store, u: &User, scopes: &[String]) -> Map<String, Value> {
    let has = |x: &str| scopes.iter().any(|s| s == x);
    let mut c = Map::new();
    c.insert("sub".into(), json!(u.id));
    if has("profile") {
        c.insert("name".into(), json!(u.name));
        for (from, to) in [
            ("familyName", "family_name"),
            ("givenName", "given_name"),
            ("middleName", "middle_name"),
            ("nickname", "nickname"),
            ("preferredUsername", "preferred_username"),
            ("profile", "profile"),
            ("website", "website"),
            ("gender", "gender"),
            ("birthdate", "birthdate"),
            ("zoneinfo", "zoneinfo"),
            ("locale", "locale"),
        ] {
            if let Some(v) = u.profile.get(from) {
                c.insert(to.into(), v.clone());
            }
        }
        c.insert("picture".into(), json!(u.avatar));
        c.insert("updated_at".into(), json!(u.updated_at));
        c.insert("username".into(), json!(u.username));
        c.insert("created_at".into(), json!(u.created_at));
    }
    if has("email") {
        c.insert("email".into(), json!(u.primary_email));
        c.insert("email_verified".into(), json!(u.primary_email.is_some()));
    }
    if has("phone") {
        c.insert("phone_number".into(), json!(u.primary_phone));
        c.insert(
            "phone_number_verified".into(),
            json!(u.primary_phone.is_some()),
        );
    }
    if has("custom_data") {
        c.insert("custom_data".into(), Value::Object(u.custom_data.clone()));
    }
    if has("urn:logto:scope:organizations") {
        c.insert("organizations".into(), json!(s.user_org_ids(&u.id)));
    }
    if has("urn:logto:scope:organization_roles") {
        let mut list = Vec::new();
        for org in s.user_org_ids(&u.id) {
            for r in s.member_role_refs(&org, &u.id) {
                if let Some(n) = r["name"].as_str() {
                    list.push(format!("{org}:{n}"));
                }
            }
        }
        c.insert("organization_roles".into(), json!(list));
    }
    if has("roles") {
        c.insert("roles".into(), json!(s.user_role_names(&u.id)));
    }
    c
}

/// What a token request grants to a user.
pub(crate) struct Grant<'a> {
    user_id: &'a str,
    client_id: &'a str,
    scopes: &'a [String],
    nonce: Option<&'a str>,
    code: Option<&'a str>,
    refresh: Option<String>,
}

/// The `sid` claim of ID tokens issued under the code `code` (and refresh tokens from it).
fn sid_of(s: &Store, code: Option<&str>) -> Option<String> {
    s.auth_codes.get(code?)?.sid.clone()
}

/// Issue an access token (+ ID token, + refresh token when granted) for a user; `None` when the
/// user is gone or suspended.
pub(crate) fn issue_user_tokens(st: &FakeState, s: &mut Store, g: Grant<'_>) -> Option<Value> {
    let Grant {
        user_id,
        client_id,
        scopes,
        nonce,
        code,
        refresh,
    } = g;
    let u = s.users.get(user_id).cloned()?;
    if u.is_suspended {
        return None;
    }
    let now = now_ms();
    let access = gen_token(43);
    s.tokens.insert(
        access.clone(),
        AccessToken {
            owner: TokenOwner::User {
                user_id: user_id.to_string(),
                scopes: scopes.to_vec(),
            },
            expires_at: now + USER_TOKEN_TTL_SECS * 1000,
            code: code.map(str::to_string),
        },
    );
    let mut claims = user_claims(s, &u, scopes);
    let iat = now / 1000;
    claims.insert("iss".into(), json!(s.issuer()));
    claims.insert("aud".into(), json!(client_id));
    claims.insert("iat".into(), json!(iat));
    claims.insert("exp".into(), json!(iat + 3600));
    claims.insert("at_hash".into(), json!(at_hash(&access)));
    if let Some(n) = nonce {
        claims.insert("nonce".into(), json!(n));
    }
    if let Some(sid) = sid_of(s, code) {
        claims.insert("sid".into(), json!(sid));
    }
    let tamper = std::mem::take(&mut s.faults.tamper_next_id_token);
    let id_token = st.keys().sign(&Value::Object(claims), tamper);
    let granted: Vec<&String> = scopes
        .iter()
        .filter(|x| *x != "offline_access" || refresh.is_some())
        .collect();
    let mut body = json!({
        "access_token": access,
        "expires_in": USER_TOKEN_TTL_SECS,
        "id_token": id_token,
        "scope": granted.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "),
        "token_type": "Bearer",
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    Some(body)
}

pub(crate) fn authorization_code(
    st: &FakeState,
    params: &[(String, String)],
    client_id: &str,
) -> Response {
    let Some(code) = param(params, "code").map(str::to_string) else {
        return oidc_error(400, "invalid_request", "missing required parameter 'code'");
    };
    let mut s = st.lock();
    let Some(rec) = s.auth_codes.get(&code).cloned() else {
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    };
    if rec.used {
        // replay: revoke everything this code issued
        s.tokens
            .retain(|_, t| t.code.as_deref() != Some(code.as_str()));
        s.refresh_tokens
            .retain(|_, t| t.code.as_deref() != Some(code.as_str()));
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    }
    let expired = rec.expired || rec.created_at + AUTH_CODE_TTL_MS < now_ms();
    let redirect_ok = param(params, "redirect_uri") == Some(rec.req.redirect_uri.as_str());
    let pkce_ok =
        param(params, "code_verifier").is_some_and(|v| pkce_s256(v) == rec.req.code_challenge);
    if expired || rec.req.client_id != client_id || !redirect_ok || !pkce_ok {
        if let Some(c) = s.auth_codes.get_mut(&code) {
            c.used = true;
        }
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    }
    if let Some(c) = s.auth_codes.get_mut(&code) {
        c.used = true;
    }
    let scopes: Vec<String> = rec
        .req
        .scope
        .split_whitespace()
        .map(str::to_string)
        .collect();
    // Like Logto: offline_access is granted only with prompt=consent.
    let offline = scopes.iter().any(|x| x == "offline_access")
        && rec.req.prompt.split_whitespace().any(|p| p == "consent");
    let refresh = offline.then(|| gen_token(43));
    if let Some(r) = &refresh {
        s.refresh_tokens.insert(
            r.clone(),
            RefreshToken {
                user_id: rec.user_id.clone(),
                client_id: client_id.to_string(),
                scopes: scopes.clone(),
                code: Some(code.clone()),
            },
        );
    }
    let grant = Grant {
        user_id: &rec.user_id,
        client_id,
        scopes: &scopes,
        nonce: rec.req.nonce.as_deref(),
        code: Some(&code),
        refresh,
    };
    match issue_user_tokens(st, &mut s, grant) {
        Some(body) => token_ok(&body),
        None => oidc_error(400, "invalid_grant", "grant request is invalid"),
    }
}

pub(crate) fn refresh(st: &FakeState, params: &[(String, String)], client_id: &str) -> Response {
    let Some(token) = param(params, "refresh_token").map(str::to_string) else {
        return oidc_error(
            400,
            "invalid_request",
            "missing required parameter 'refresh_token'",
        );
    };
    if param(params, "resource").is_some() {
        return oidc_error(
            400,
            "invalid_target",
            "resource indicator is missing, or unknown",
        );
    }
    let mut s = st.lock();
    let Some(rec) = s.refresh_tokens.get(&token).cloned() else {
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    };
    if rec.client_id != client_id {
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    }
    let grant = Grant {
        user_id: &rec.user_id,
        client_id,
        scopes: &rec.scopes,
        nonce: None,
        code: rec.code.as_deref(),
        refresh: Some(token),
    };
    match issue_user_tokens(st, &mut s, grant) {
        Some(body) => token_ok(&body),
        None => oidc_error(400, "invalid_grant", "grant request is invalid"),
    }
}
