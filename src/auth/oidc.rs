//! Sign-in with Logto: OIDC authorization code flow with PKCE, `state` and `nonce`, using the
//! "traditional web" app. The ID token is verified against the provider's JWKS (`iss`, `aud`,
//! `exp`, `nonce`, signature); the session id is renewed at sign-in.

use std::time::{Duration, Instant};

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    Form,
};
use openidconnect::{
    core::{CoreAuthenticationFlow, CoreClient},
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use tokio::sync::RwLock;
use tower_sessions::Session;

use crate::audit::NewEntry;
use crate::auth::access::load_access;
use crate::auth::session::{
    safe_return_to, PendingSignIn, SessionUser, ACCESS_KEY, ID_TOKEN_KEY, PENDING_KEY, USER_KEY,
};
use crate::web::context::{renew_csrf_token, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::AppState;

/// A sign-in must come back within this time.
const PENDING_TTL_MS: i64 = 10 * 60 * 1000;
/// How many sign-ins may be in progress at once in one browser (one per tab).
const MAX_PENDING: usize = 5;
/// Discovery (and its JWKS) is refreshed after this long, so key rotation is picked up.
const DISCOVERY_TTL: Duration = Duration::from_secs(600);

pub const SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "phone",
    "urn:logto:scope:organizations",
    "urn:logto:scope:organization_roles",
];

/// The provider's discovery document, fetched lazily and cached.
pub struct OidcProvider {
    issuer: String,
    http: reqwest::Client,
    cached: RwLock<Option<(ProviderMetadataWithLogout, Instant)>>,
}

impl OidcProvider {
    pub fn new(logto_endpoint: &url::Url, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            // openidconnect requires no redirects on its HTTP client (SSRF safety).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()?;
        Ok(OidcProvider {
            issuer: format!("{}/oidc", logto_endpoint.as_str().trim_end_matches('/')),
            http,
            cached: RwLock::new(None),
        })
    }

    pub async fn metadata(&self, force: bool) -> anyhow::Result<ProviderMetadataWithLogout> {
        if !force {
            if let Some((m, at)) = self.cached.read().await.as_ref() {
                if at.elapsed() < DISCOVERY_TTL {
                    return Ok(m.clone());
                }
            }
        }
        let mut slot = self.cached.write().await;
        if !force {
            if let Some((m, at)) = slot.as_ref() {
                if at.elapsed() < DISCOVERY_TTL {
                    return Ok(m.clone());
                }
            }
        }
        let issuer = IssuerUrl::new(self.issuer.clone())?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| anyhow::anyhow!("OIDC discovery at {} failed: {e}", self.issuer))?;
        *slot = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }
}

fn client(
    state: &AppState,
    metadata: ProviderMetadataWithLogout,
) -> anyhow::Result<
    openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
> {
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(state.config.app_id.clone()),
        Some(ClientSecret::new(
            state.config.app_secret.expose().to_string(),
        )),
    )
    .set_redirect_uri(RedirectUrl::new(state.config.callback_url())?))
}

#[derive(Debug, Deserialize, Default)]
pub struct SignInQuery {
    pub return_to: Option<String>,
    pub login_hint: Option<String>,
    pub first_screen: Option<String>,
    /// `login` makes Logto ask for credentials even with a session (switching accounts).
    pub prompt: Option<String>,
}

/// `GET /sign-in`: redirect to Logto's authorization endpoint.
pub async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<SignInQuery>,
) -> AppResult<Response> {
    let metadata = state.oidc.metadata(false).await.map_err(|e| {
        tracing::warn!(error = %e, "sign-in: discovery failed");
        AppError::Logto(crate::logto::LogtoError::Unavailable(
            "OIDC discovery failed".into(),
        ))
    })?;
    let client = client(&state, metadata)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in SCOPES.iter().skip(1) {
        request = request.add_scope(Scope::new(scope.to_string()));
    }
    if let Some(hint) = q
        .login_hint
        .as_deref()
        .filter(|h| !h.is_empty() && h.len() <= 256)
    {
        request = request.add_extra_param("login_hint", hint.to_string());
    }
    if let Some(screen) = q.first_screen.as_deref().filter(|s| {
        matches!(
            *s,
            "signIn"
                | "register"
                | "sign_in"
                | "identifier:sign_in"
                | "identifier:register"
                | "reset_password"
        )
    }) {
        request = request.add_extra_param("first_screen", screen.to_string());
    }
    if q.prompt.as_deref() == Some("login") {
        request = request.add_extra_param("prompt", "login");
    }
    let (url, csrf_state, nonce) = request.url();
    let mut pending: Vec<PendingSignIn> = session.get(PENDING_KEY).await?.unwrap_or_default();
    let now = state.clock.now_ms();
    pending.retain(|p| now - p.created_at < PENDING_TTL_MS);
    if pending.len() >= MAX_PENDING {
        pending.remove(0);
    }
    pending.push(PendingSignIn {
        state: csrf_state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to: safe_return_to(q.return_to.as_deref()),
        created_at: now,
    });
    session.insert(PENDING_KEY, &pending).await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/callback_failed.html")]
struct CallbackFailed {
    ctx: PageCtx,
    retry_href: String,
    reason_key: &'static str,
}

fn callback_failed(ctx: PageCtx, return_to: &str, reason_key: &'static str) -> Response {
    let page = CallbackFailed {
        retry_href: format!(
            "/sign-in?return_to={}",
            percent_encoding::utf8_percent_encode(return_to, percent_encoding::NON_ALPHANUMERIC)
        ),
        ctx,
        reason_key,
    };
    (
        StatusCode::BAD_REQUEST,
        Html(page.render().unwrap_or_default()),
    )
        .into_response()
}

/// `GET /callback`: exchange the code, verify the ID token, start a fresh session.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    ctx: PageCtx,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let mut pending: Vec<PendingSignIn> = session.get(PENDING_KEY).await?.unwrap_or_default();
    let found = q
        .state
        .as_deref()
        .and_then(|s| pending.iter().position(|p| p.state == s));
    // Whatever happens next, this state is used up (a replayed callback finds nothing).
    let Some(index) = found else {
        tracing::info!("sign-in callback with unknown or reused state");
        return Ok(callback_failed(ctx, "/", "auth.callback_failed"));
    };
    let entry = pending.remove(index);
    session.insert(PENDING_KEY, &pending).await?;
    if state.clock.now_ms() - entry.created_at > PENDING_TTL_MS {
        return Ok(callback_failed(
            ctx,
            &entry.return_to,
            "auth.callback_failed",
        ));
    }
    if q.error.is_some() {
        return Ok(callback_failed(ctx, &entry.return_to, "auth.denied"));
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return Ok(callback_failed(
            ctx,
            &entry.return_to,
            "auth.callback_failed",
        ));
    };
    let claims_sub = match exchange_and_verify(&state, &entry, code).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in callback failed");
            state
                .audit
                .record_or_log(
                    NewEntry::new("auth.sign_in", ctx.actor(), ctx.origin())
                        .failed("callback_invalid"),
                )
                .await;
            return Ok(callback_failed(
                ctx,
                &entry.return_to,
                "auth.callback_failed",
            ));
        }
    };
    let (sub, id_token) = claims_sub;
    let Some((user, access)) = load_access(&state, &sub).await.map_err(AppError::Logto)? else {
        return Ok(callback_failed(ctx, "/", "auth.suspended"));
    };
    // A new session id at sign-in: nothing from before sign-in carries a usable id.
    session.cycle_id().await?;
    session.remove::<Vec<PendingSignIn>>(PENDING_KEY).await?;
    let session_user = SessionUser {
        id: user.id.clone(),
        name: user.name.clone(),
        username: user.username.clone(),
        email: user.primary_email.clone(),
        avatar: user.avatar.clone(),
        signed_in_at: state.clock.now_ms(),
    };
    session.insert(USER_KEY, &session_user).await?;
    session.insert(ACCESS_KEY, &access).await?;
    session.insert(ID_TOKEN_KEY, &id_token).await?;
    session
        .insert(crate::auth::session::TOUCHED_KEY, state.clock.now_ms())
        .await?;
    // A new token too: one planted before sign-in (or from an earlier sign-in) is worthless.
    renew_csrf_token(&session).await?;
    let actor = crate::audit::Actor {
        id: Some(session_user.id.clone()),
        name: Some(session_user.display_name()),
        email: session_user.email.clone(),
    };
    state
        .audit
        .record_or_log(NewEntry::new("auth.sign_in", actor, ctx.origin()).target(
            "user",
            &session_user.id,
            Some(&session_user.display_name()),
        ))
        .await;
    Ok(Redirect::to(&entry.return_to).into_response())
}

/// Returns the verified subject and the raw ID token (kept for the end-session hint).
async fn exchange_and_verify(
    state: &AppState,
    entry: &PendingSignIn,
    code: String,
) -> anyhow::Result<(String, String)> {
    let metadata = state.oidc.metadata(false).await?;
    let client = client(state, metadata)?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))?
        .set_pkce_verifier(PkceCodeVerifier::new(entry.pkce_verifier.clone()))
        .request_async(&state.oidc.http)
        .await
        .map_err(|e| anyhow::anyhow!("token exchange failed: {e}"))?;
    let id_token = response
        .id_token()
        .ok_or_else(|| anyhow::anyhow!("no ID token in the token response"))?;
    let nonce = Nonce::new(entry.nonce.clone());
    let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(c) => c.clone(),
        Err(first) => {
            // The signing key may have rotated: refresh the JWKS once and retry.
            let fresh = client_with_fresh_keys(state).await?;
            let verifier = fresh.id_token_verifier();
            let claims = id_token
                .claims(&verifier, &nonce)
                .map_err(|e| {
                    anyhow::anyhow!("ID token rejected: {first}; after JWKS refresh: {e}")
                })?
                .clone();
            claims
        }
    };
    Ok((claims.subject().to_string(), id_token.to_string()))
}

async fn client_with_fresh_keys(
    state: &AppState,
) -> anyhow::Result<
    openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
> {
    let metadata = state.oidc.metadata(true).await?;
    client(state, metadata)
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(rename = "_csrf")]
    pub _csrf: Option<String>,
}

/// `POST /sign-out`: end the portal session (for every tab) and the Logto session.
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    ctx: PageCtx,
    Form(_form): Form<SignOutForm>,
) -> AppResult<Response> {
    let id_token: Option<String> = session.get(ID_TOKEN_KEY).await?;
    if ctx.user.is_some() {
        state
            .audit
            .record_or_log(NewEntry::new("auth.sign_out", ctx.actor(), ctx.origin()))
            .await;
    }
    session.flush().await?;
    let signed_out = format!("{}/signed-out", state.config.public_base());
    let target = match state.oidc.metadata(false).await {
        Ok(metadata) => match metadata.additional_metadata().end_session_endpoint.clone() {
            Some(endpoint) => {
                let mut request = LogoutRequest::from(endpoint)
                    .set_client_id(ClientId::new(state.config.app_id.clone()));
                if let Ok(url) = PostLogoutRedirectUrl::new(signed_out.clone()) {
                    request = request.set_post_logout_redirect_uri(url);
                }
                if let Some(token) = id_token
                    .as_deref()
                    .and_then(|t| t.parse::<openidconnect::core::CoreIdToken>().ok())
                {
                    request = request.set_id_token_hint(&token);
                }
                request.http_get_url().to_string()
            }
            None => signed_out,
        },
        Err(_) => signed_out,
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Template)]
#[template(path = "auth/signed_out.html")]
struct SignedOutPage {
    ctx: PageCtx,
}

/// `GET /signed-out`: where Logto sends the person back after ending its session.
pub async fn signed_out(ctx: PageCtx) -> AppResult<Html<String>> {
    Ok(Html(
        SignedOutPage { ctx }
            .render()
            .map_err(|e| AppError::Internal(e.into()))?,
    ))
}
