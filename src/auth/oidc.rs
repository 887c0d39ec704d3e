//! Sign-in with Logto: OIDC authorization code flow with PKCE, `state` and `nonce`, using the
//! "traditional web" app. The ID token is verified against the provider's JWKS (`iss`, `aud`,
//! `exp`, `nonce`, signature); the session id is renewed at sign-in.

use std::time::{Duration, Instant};

use openidconnect::{
    core::{CoreAuthenticationFlow, CoreClient},
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse,
};
use tokio::sync::RwLock;

use crate::auth::session::{safe_return_to, PendingSignIn};
use crate::clock::Clock;
use crate::config::Config;

/// A sign-in must come back within this time.
pub const PENDING_TTL_MS: i64 = 10 * 60 * 1000;
/// How many sign-ins may be in progress at once in one browser (one per tab).
pub const MAX_PENDING: usize = 5;
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

type Client = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn client(config: &Config, metadata: ProviderMetadataWithLogout) -> anyhow::Result<Client> {
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.app_id.clone()),
        Some(ClientSecret::new(config.app_secret.expose().to_string())),
    )
    .set_redirect_uri(RedirectUrl::new(config.callback_url())?))
}

/// What the sign-in link may ask Logto for, as the portal received it.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SignInRequest {
    pub return_to: Option<String>,
    pub login_hint: Option<String>,
    pub first_screen: Option<String>,
    /// `login` makes Logto ask for credentials even with a session (switching accounts).
    pub prompt: Option<String>,
}

/// The authorization URL to send the browser to, and what must be remembered (in the session)
/// to check the callback.
pub async fn authorization_url(
    provider: &OidcProvider,
    config: &Config,
    clock: &Clock,
    q: &SignInRequest,
) -> anyhow::Result<(url::Url, PendingSignIn)> {
    let metadata = provider.metadata(false).await?;
    let client = client(config, metadata)?;
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
    let fresh_login = q.prompt.as_deref() == Some("login");
    if fresh_login {
        request = request.add_extra_param("prompt", "login");
    }
    let (url, csrf_state, nonce) = request.url();
    let pending = PendingSignIn {
        state: csrf_state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to: safe_return_to(q.return_to.as_deref()),
        created_at: clock.now_ms(),
        fresh_login,
    };
    Ok((url, pending))
}

/// Logto's end-session URL that comes back to `signed_out`, or `signed_out` itself when the
/// provider has none (or cannot be reached).
pub async fn end_session_url(
    provider: &OidcProvider,
    config: &Config,
    id_token: Option<&str>,
    signed_out: String,
) -> String {
    let Ok(metadata) = provider.metadata(false).await else {
        return signed_out;
    };
    let Some(endpoint) = metadata.additional_metadata().end_session_endpoint.clone() else {
        return signed_out;
    };
    let mut request =
        LogoutRequest::from(endpoint).set_client_id(ClientId::new(config.app_id.clone()));
    if let Ok(url) = PostLogoutRedirectUrl::new(signed_out) {
        request = request.set_post_logout_redirect_uri(url);
    }
    if let Some(token) = id_token.and_then(|t| t.parse::<openidconnect::core::CoreIdToken>().ok()) {
        request = request.set_id_token_hint(&token);
    }
    request.http_get_url().to_string()
}

/// What a verified sign-in tells the portal.
#[derive(Debug, Clone)]
pub struct VerifiedSignIn {
    pub subject: String,
    /// The raw ID token (kept for the end-session hint).
    pub id_token: String,
    /// The token's `sid` claim: Logto's per-app id of the sign-in session
    /// (`payload.authorizations[<app id>].sid` in `GET /api/users/{id}/sessions`). Logto puts
    /// it in ID tokens only for apps with a back-channel logout URI that require the session
    /// (`backchannelLogoutSessionRequired`); otherwise `None`.
    pub sid: Option<String>,
}

/// A claim of a JWT whose signature was already checked: its payload read as JSON.
fn verified_claim(jwt: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get(name)?
        .as_str()
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .map(str::to_owned)
}

/// Exchanges the code and verifies the ID token.
pub async fn exchange_and_verify(
    provider: &OidcProvider,
    config: &Config,
    entry: &PendingSignIn,
    code: String,
) -> anyhow::Result<VerifiedSignIn> {
    let metadata = provider.metadata(false).await?;
    let client = client(config, metadata)?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))?
        .set_pkce_verifier(PkceCodeVerifier::new(entry.pkce_verifier.clone()))
        .request_async(&provider.http)
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
            let fresh = client_with_fresh_keys(provider, config).await?;
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
    let raw = id_token.to_string();
    Ok(VerifiedSignIn {
        subject: claims.subject().to_string(),
        sid: verified_claim(&raw, "sid"),
        id_token: raw,
    })
}

async fn client_with_fresh_keys(
    provider: &OidcProvider,
    config: &Config,
) -> anyhow::Result<Client> {
    let metadata = provider.metadata(true).await?;
    client(config, metadata)
}

#[cfg(test)]
mod tests {
    use super::verified_claim;
    use base64::Engine;

    fn jwt(claims: &str) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", enc(r#"{"alg":"ES384"}"#), enc(claims))
    }

    #[test]
    fn the_sid_claim_is_read_from_the_verified_token() {
        assert_eq!(
            verified_claim(&jwt(r#"{"sub":"u1","sid":"Qx7_session"}"#), "sid").as_deref(),
            Some("Qx7_session")
        );
        assert_eq!(verified_claim(&jwt(r#"{"sub":"u1"}"#), "sid"), None);
        assert_eq!(verified_claim(&jwt(r#"{"sid":""}"#), "sid"), None);
        assert_eq!(verified_claim(&jwt(r#"{"sid":42}"#), "sid"), None);
        assert_eq!(verified_claim("not a token", "sid"), None);
    }
}
