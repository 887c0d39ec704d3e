//! The plain-HTML sign-in and register pages, the authorization endpoint and end-session.

use super::*;
use crate::store::SessionAuthorization;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------
// sign-in pages

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}\
label{{display:block;margin-top:.8rem}}input{{width:100%;padding:.4rem;box-sizing:border-box}}\
button{{margin-top:1rem;padding:.5rem 1rem}}.error{{color:#b00020}}</style></head>\
<body><p><strong>Fake Logto</strong></p><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    )
}

pub(crate) fn error_page(status: u16, error: &str, description: &str) -> Response {
    html(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        page(
            "Oops! An error occurred",
            &format!(
                "<p class=\"error\" id=\"error\">{}</p><p id=\"error-description\">{}</p>",
                esc(error),
                esc(description)
            ),
        ),
    )
}

/// The form's error paragraph, empty without an error.
pub(crate) fn error_line(error: Option<&str>) -> String {
    error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
                esc(e)
            )
        })
        .unwrap_or_default()
}

pub(crate) fn sign_in_form(interaction: &str, identifier: &str, error: Option<&str>) -> Response {
    let err = error_line(error);
    let body = format!(
        "{err}<form method=\"post\" action=\"/oidc/auth/submit\">\
<input type=\"hidden\" name=\"interaction\" value=\"{i}\">\
<label for=\"identifier\">Username or email</label>\
<input id=\"identifier\" name=\"identifier\" type=\"text\" autocomplete=\"username\" value=\"{id}\" required>\
<label for=\"password\">Password</label>\
<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
<button type=\"submit\" id=\"sign-in\">Sign in</button></form>\
<p><a id=\"create-account\" href=\"/oidc/auth/register?interaction={i}\">Create account</a></p>",
        i = esc(interaction),
        id = esc(identifier)
    );
    html(StatusCode::OK, page("Sign in", &body))
}

pub(crate) fn register_form(
    interaction: &str,
    email: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let err = error_line(error);
    let body = format!(
        "{err}<form method=\"post\" action=\"/oidc/auth/register\">\
<input type=\"hidden\" name=\"interaction\" value=\"{i}\">\
<label for=\"email\">Email</label>\
<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" value=\"{e}\" required>\
<label for=\"username\">Username</label>\
<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" value=\"{u}\">\
<label for=\"password\">Password</label>\
<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required>\
<button type=\"submit\" id=\"register\">Create account</button></form>\
<p><a id=\"go-sign-in\" href=\"/oidc/auth/register?interaction={i}&amp;screen=sign_in\">Sign in instead</a></p>",
        i = esc(interaction),
        e = esc(email),
        u = esc(username)
    );
    html(StatusCode::OK, page("Create account", &body))
}

pub(crate) fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

pub(crate) fn session_user(s: &Store, headers: &HeaderMap) -> Option<(String, String)> {
    let cookies = headers.get_all(COOKIE);
    for c in cookies {
        let Ok(c) = c.to_str() else { continue };
        for part in c.split(';') {
            if let Some((k, v)) = part.trim().split_once('=') {
                if k == SESSION_COOKIE {
                    if let Some(sess) = s.sessions.get(v).filter(|x| x.expires_at > now_ms()) {
                        if s.users.get(&sess.user_id).is_some_and(|u| !u.is_suspended) {
                            return Some((v.to_string(), sess.user_id.clone()));
                        }
                    }
                }
            }
        }
    }
    None
}

/// Store a code for the signed-in user and redirect back to the client.
pub(crate) fn redirect_with_code(
    s: &mut Store,
    req: AuthRequest,
    user_id: &str,
    sid: Option<String>,
    set_cookie: Option<String>,
) -> Response {
    let code = gen_token(43);
    let now = now_ms();
    let mut url = match url::Url::parse(&req.redirect_uri) {
        Ok(u) => u,
        Err(_) => return error_page(400, "invalid_redirect_uri", "redirect_uri is invalid"),
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(state) = &req.state {
            q.append_pair("state", state);
        }
        q.append_pair("iss", &s.issuer());
    }
    s.auth_codes.insert(
        code,
        AuthCode {
            req,
            user_id: user_id.to_string(),
            sid,
            created_at: now,
            used: false,
            expired: false,
        },
    );
    let mut r = (StatusCode::SEE_OTHER, "").into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        r.headers_mut().insert(LOCATION, v);
    }
    if let Some(c) = set_cookie {
        if let Ok(v) = HeaderValue::from_str(&c) {
            r.headers_mut().insert(SET_COOKIE, v);
        }
    }
    r
}

pub async fn authorize(
    State(st): State<FakeState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let p = query_pairs(uri.query());
    let get = |k: &str| param(&p, k).map(str::to_string);
    let cfg = st.config();
    let Some(client_id) = get("client_id") else {
        return error_page(
            400,
            "invalid_request",
            "missing required parameter 'client_id'",
        );
    };
    if client_id != cfg.web_app_id {
        return error_page(400, "invalid_client", "client is invalid");
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(
            400,
            "invalid_request",
            "missing required parameter 'redirect_uri'",
        );
    };
    let registered = st.lock().web_redirect_uris.clone();
    let valid_redirect = url::Url::parse(&redirect_uri)
        .is_ok_and(|u| (u.scheme() == "http" || u.scheme() == "https") && u.has_host())
        && (registered.is_empty() || registered.contains(&redirect_uri));
    if !valid_redirect {
        return error_page(
            400,
            "invalid_redirect_uri",
            "redirect_uri did not match any of the client's registered redirect_uris",
        );
    }
    if get("response_type").as_deref() != Some("code") {
        return error_page(
            400,
            "unsupported_response_type",
            "unsupported response_type requested",
        );
    }
    let scope = get("scope").unwrap_or_default();
    if !scope.split_whitespace().any(|s| s == "openid") {
        return error_page(400, "invalid_scope", "openid scope must be requested");
    }
    let Some(code_challenge) = get("code_challenge") else {
        return error_page(
            400,
            "invalid_request",
            "Authorization Server policy requires PKCE to be used for this request",
        );
    };
    if get("code_challenge_method").as_deref() != Some("S256") {
        return error_page(
            400,
            "invalid_request",
            "plain code_challenge_method fallback disabled, code_challenge_method must be provided",
        );
    }
    let prompt = get("prompt").unwrap_or_default();
    let req = AuthRequest {
        client_id,
        redirect_uri,
        scope,
        state: get("state"),
        nonce: get("nonce"),
        code_challenge,
        prompt: prompt.clone(),
        login_hint: get("login_hint"),
    };
    let mut s = st.lock();
    let force_login = prompt.split_whitespace().any(|p| p == "login");
    if !force_login {
        if let Some((session_id, user_id)) = session_user(&s, &headers) {
            let grant_id = s.ensure_grant(&user_id, &req.client_id, now_ms());
            let include = s.includes_sid(&req.client_id);
            let sid = s.sessions.get_mut(&session_id).map(|sess| {
                sess.authorizations
                    .entry(req.client_id.clone())
                    .or_insert_with(|| SessionAuthorization::new(grant_id))
                    .sid
                    .clone()
            });
            return redirect_with_code(&mut s, req, &user_id, sid.filter(|_| include), None);
        }
    }
    let interaction = gen_token(21);
    let hint = req.login_hint.clone().unwrap_or_default();
    s.auth_requests.insert(interaction.clone(), req);
    drop(s);
    if get("first_screen").as_deref() == Some("register") {
        let email = if hint.contains('@') {
            hint
        } else {
            String::new()
        };
        register_form(&interaction, &email, "", None)
    } else {
        sign_in_form(&interaction, &hint, None)
    }
}

pub(crate) fn form_map(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) fn session_cookie(sid: &str) -> String {
    format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax")
}

pub(crate) fn log_payload(client: &Client, app: &str) -> Value {
    json!({"ip": client.ip, "userAgent": client.user_agent, "applicationId": app})
}

/// Start a session for the user (with the app's grant) and send them back with a code.
pub(crate) fn finish_sign_in(
    s: &mut Store,
    interaction: &str,
    user_id: &str,
    client: &Client,
    identifier: (String, String),
) -> Response {
    let Some(req) = s.auth_requests.remove(interaction) else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let now = now_ms();
    if let Some(u) = s.users.get_mut(user_id) {
        u.last_sign_in_at = Some(now);
        if u.application_id.is_none() {
            u.application_id = Some(req.client_id.clone());
        }
        u.updated_at = now.max(u.updated_at + 1);
    }
    let grant_id = s.ensure_grant(user_id, &req.client_id, now);
    let authorization = SessionAuthorization::new(grant_id);
    let claim = s
        .includes_sid(&req.client_id)
        .then(|| authorization.sid.clone());
    let authorizations = BTreeMap::from([(req.client_id.clone(), authorization)]);
    let session_id = s.insert_session(Session {
        user_id: user_id.to_string(),
        uid: gen_token(21),
        login_at: now,
        expires_at: now + SESSION_TTL_MS,
        client_id: Some(req.client_id.clone()),
        authorizations,
        ip: Some(client.ip.clone()),
        user_agent: Some(client.user_agent.clone()),
        identifier: Some(identifier),
    });
    redirect_with_code(s, req, user_id, claim, Some(session_cookie(&session_id)))
}

pub async fn submit(State(st): State<FakeState>, client: Client, body: Bytes) -> Response {
    let f = form_map(&body);
    let get = |k: &str| {
        f.iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let interaction = get("interaction");
    let identifier = get("identifier").trim().to_string();
    let password = get("password");
    let mut s = st.lock();
    let Some(req) = s.auth_requests.get(&interaction).cloned() else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let app = req.client_id.clone();
    let id_type = if identifier.contains('@') {
        "email"
    } else {
        "username"
    };
    let user = if identifier.contains('@') {
        s.find_user_by_email(&identifier).cloned()
    } else {
        s.find_user_by_username(&identifier)
            .or_else(|| s.find_user_by_phone(&identifier))
            .cloned()
    };
    let identifier_json = json!({"type": id_type, "value": identifier});
    let now = now_ms();
    let verified = user
        .as_ref()
        .filter(|u| u.password.is_some() && u.password.as_deref() == Some(password.as_str()));
    let Some(u) = verified else {
        let mut payload = log_payload(&client, &app);
        payload["result"] = json!("Error");
        payload["error"] = json!({"code": "session.invalid_credentials", "message": "Incorrect account or password. Please check your input."});
        payload["params"] = json!({"identifier": identifier_json});
        payload["payload"] = json!({"password": "******", "identifier": identifier_json});
        s.insert_log(
            "Interaction.SignIn.Verification.Password.Submit",
            payload,
            now,
        );
        drop(s);
        return sign_in_form(
            &interaction,
            &identifier,
            Some("Incorrect account or password. Please check your input."),
        );
    };
    let user_id = u.id.clone();
    let mut payload = log_payload(&client, &app);
    payload["result"] = json!("Success");
    payload["payload"] = json!({"password": "******", "identifier": identifier_json});
    s.insert_log(
        "Interaction.SignIn.Verification.Password.Submit",
        payload,
        now,
    );
    if u.is_suspended {
        let mut payload = log_payload(&client, &app);
        payload["result"] = json!("Error");
        payload["userId"] = json!(user_id);
        payload["error"] =
            json!({"code": "user.suspended", "message": "This account has been suspended."});
        s.insert_log("Interaction.SignIn.Submit", payload, now);
        drop(s);
        return sign_in_form(
            &interaction,
            &identifier,
            Some("This account has been suspended."),
        );
    }
    let identifier = (id_type.to_string(), identifier);
    if s.totp_secret(&user_id).is_some() {
        // the second step: an authenticator code or a backup code (crate::oidc_mfa)
        s.mfa_pending
            .insert(interaction.clone(), (user_id, identifier));
        drop(s);
        return crate::oidc_mfa::form(&interaction, None);
    }
    complete_sign_in(&mut s, &interaction, &user_id, &client, identifier)
}

/// Log the successful sign-in, start the session and send the person back with a code.
pub(crate) fn complete_sign_in(
    s: &mut Store,
    interaction: &str,
    user_id: &str,
    client: &Client,
    identifier: (String, String),
) -> Response {
    let app = s
        .auth_requests
        .get(interaction)
        .map(|r| r.client_id.clone())
        .unwrap_or_default();
    let identifier_json = json!({"type": identifier.0, "value": identifier.1});
    let mut payload = log_payload(client, &app);
    payload["result"] = json!("Success");
    payload["userId"] = json!(user_id);
    payload["interaction"] = json!({"userId": user_id, "interactionEvent": "SignIn", "verificationRecords": [{"type": "Password", "verified": true, "identifier": identifier_json}]});
    s.insert_log("Interaction.SignIn.Submit", payload, now_ms());
    finish_sign_in(s, interaction, user_id, client, identifier)
}

pub async fn register_page(State(st): State<FakeState>, uri: axum::http::Uri) -> Response {
    let p = query_pairs(uri.query());
    let interaction = param(&p, "interaction").unwrap_or("").to_string();
    let s = st.lock();
    let Some(req) = s.auth_requests.get(&interaction) else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let hint = req.login_hint.clone().unwrap_or_default();
    drop(s);
    if param(&p, "screen") == Some("sign_in") {
        return sign_in_form(&interaction, &hint, None);
    }
    let email = if hint.contains('@') {
        hint
    } else {
        String::new()
    };
    register_form(&interaction, &email, "", None)
}

pub async fn register(State(st): State<FakeState>, client: Client, body: Bytes) -> Response {
    let f = form_map(&body);
    let get = |k: &str| {
        f.iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let interaction = get("interaction");
    let email = get("email");
    let username = get("username");
    let password = f
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut s = st.lock();
    let Some(req) = s.auth_requests.get(&interaction).cloned() else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let fail = |msg: &str| register_form(&interaction, &email, &username, Some(msg));
    if !EMAIL_RE.is_match(&email) {
        return fail("Invalid email address.");
    }
    if !username.is_empty() && !USERNAME_RE.is_match(&username) {
        return fail("Username must start with a letter or underscore and contain only letters, digits and underscores.");
    }
    if password.is_empty() {
        return fail("Password is required.");
    }
    if s.find_user_by_email(&email).is_some() {
        return fail("The email address has been registered.");
    }
    if !username.is_empty() && s.find_user_by_username(&username).is_some() {
        return fail("The username has been registered.");
    }
    let now = now_ms();
    let user_id = s.insert_user(
        NewUser {
            username: (!username.is_empty()).then(|| username.clone()),
            primary_email: Some(email.clone()),
            password: Some(password),
            ..Default::default()
        },
        now,
    );
    let mut payload = log_payload(&client, &req.client_id);
    payload["result"] = json!("Success");
    payload["userId"] = json!(user_id);
    payload["interaction"] = json!({"userId": user_id, "interactionEvent": "Register"});
    s.insert_log("Interaction.Register.Submit", payload, now);
    finish_sign_in(
        &mut s,
        &interaction,
        &user_id,
        &client,
        ("email".to_string(), email.clone()),
    )
}

pub async fn end_session(
    State(st): State<FakeState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let p = query_pairs(uri.query());
    let mut s = st.lock();
    if let Some((sid, _)) = session_user(&s, &headers) {
        s.sessions.remove(&sid);
    }
    drop(s);
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let mut r = match param(&p, "post_logout_redirect_uri").and_then(|u| url::Url::parse(u).ok()) {
        Some(mut url) => {
            if let Some(state) = param(&p, "state") {
                url.query_pairs_mut().append_pair("state", state);
            }
            let mut r = (StatusCode::SEE_OTHER, "").into_response();
            if let Ok(v) = HeaderValue::from_str(url.as_str()) {
                r.headers_mut().insert(LOCATION, v);
            }
            r
        }
        None => html(
            StatusCode::OK,
            page(
                "Signed out",
                "<p id=\"signed-out\">You have been signed out.</p>",
            ),
        ),
    };
    if let Ok(v) = HeaderValue::from_str(&clear) {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    r
}
