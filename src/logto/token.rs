//! Machine-to-machine token: client-credentials grant via the `oauth2` crate,
//! cached until shortly before expiry, refreshed by one caller at a time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    ClientId, ClientSecret, EndpointNotSet, EndpointSet, RequestTokenError, Scope, TokenResponse,
    TokenUrl,
};

use super::client::{request_id, Inner, RetryPolicy};
use super::error::{api_error, LogtoError};
use super::secret::Secret;
use super::stats::Counters;
use crate::clock::Clock;

pub(crate) type OAuthClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The Management API needs exactly this scope.
pub(crate) const MANAGEMENT_SCOPE: &str = "all";
/// Refresh this long before expiry (what `@logto/api` does).
const LEEWAY: Duration = Duration::from_secs(60);
/// Logto's default `expires_in`, assumed if a token response omits it.
const DEFAULT_TTL: Duration = Duration::from_secs(3600);

pub(crate) fn oauth_client(
    base: &str,
    app_id: &str,
    secret: &Secret,
) -> Result<OAuthClient, LogtoError> {
    let token_url = TokenUrl::new(format!("{base}/oidc/token"))
        .map_err(|e| LogtoError::Config(format!("bad Logto endpoint: {e}")))?;
    // BasicClient defaults to HTTP Basic client authentication.
    Ok(BasicClient::new(ClientId::new(app_id.to_owned()))
        .set_client_secret(ClientSecret::new(secret.expose().to_owned()))
        .set_token_uri(token_url))
}

#[derive(Clone)]
pub(crate) struct CachedToken {
    pub(crate) access: Secret,
    /// Epoch ms (from the client's [`crate::clock::Clock`]) after which a new token is fetched.
    pub(crate) refresh_at: i64,
    /// Epoch ms after which this token is no longer used at all.
    pub(crate) expires_at: i64,
    /// Identifies this token so a late 401 cannot evict a newer one.
    pub(crate) generation: u64,
}

/// Status and request id of the token endpoint's answer (the `oauth2` crate
/// does not expose them, but they tell a wrong secret from an unknown app).
type SeenResponse = (u16, Option<String>);

type TokenFuture = Shared<BoxFuture<'static, Result<CachedToken, LogtoError>>>;

#[derive(Default)]
pub(crate) struct TokenState {
    current: Option<CachedToken>,
    inflight: Option<TokenFuture>,
    generation: u64,
}

/// When to stop using a token that lives `ttl`: 60 s before expiry, or at half
/// its life for very short lifetimes (else it would be refreshed on every call).
pub(crate) fn refresh_after(ttl: Duration) -> Duration {
    ttl - LEEWAY.min(ttl / 2)
}

/// A token as issued, before the scope check.
pub(crate) struct Issued {
    pub(crate) access: Secret,
    pub(crate) expires_in: Duration,
    pub(crate) scopes: Option<Vec<String>>,
}

impl Inner {
    /// The cached token, or a fresh one. Concurrent callers share one refresh,
    /// run as its own task so a cancelled caller cannot abandon it.
    pub(crate) async fn access_token(self: &Arc<Self>) -> Result<CachedToken, LogtoError> {
        let fut = {
            let mut st = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(t) = &st.current {
                if self.clock.now_ms() < t.refresh_at {
                    return Ok(t.clone());
                }
            }
            match &st.inflight {
                Some(f) => f.clone(),
                None => {
                    let inner = self.clone();
                    let task = tokio::spawn(async move {
                        let res = inner.fetch_token().await;
                        inner.store_token(res)
                    });
                    let f = async move {
                        task.await.unwrap_or_else(|e| {
                            Err(LogtoError::Unavailable(format!(
                                "token refresh aborted: {e}"
                            )))
                        })
                    }
                    .boxed()
                    .shared();
                    st.inflight = Some(f.clone());
                    f
                }
            }
        };
        fut.await
    }

    /// Publishes a refresh result: the cache is set before any waiter wakes up.
    /// A failed early refresh keeps serving the old token until it really
    /// expires, so a short Logto hiccup in the last minute costs nothing.
    fn store_token(&self, res: Result<Issued, LogtoError>) -> Result<CachedToken, LogtoError> {
        let mut st = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        st.inflight = None;
        match res {
            Ok(issued) => self.remember(&mut st, issued),
            Err(e) => match st.current.as_ref() {
                Some(t) if self.clock.now_ms() < t.expires_at => {
                    tracing::debug!(error = %e, "token refresh failed; the current token is still valid");
                    Ok(t.clone())
                }
                _ => Err(e),
            },
        }
    }

    /// Checks the scope of a token and caches it (used by `check`, outside
    /// the single-flight path).
    pub(crate) fn cache_token(&self, issued: Issued) -> Result<CachedToken, LogtoError> {
        let mut st = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        self.remember(&mut st, issued)
    }

    fn remember(&self, st: &mut TokenState, issued: Issued) -> Result<CachedToken, LogtoError> {
        let issued = self.require_scope(issued)?;
        st.generation += 1;
        let now = self.clock.now_ms();
        let token = CachedToken {
            access: issued.access,
            refresh_at: now.saturating_add(Clock::ms(refresh_after(issued.expires_in))),
            expires_at: now.saturating_add(Clock::ms(issued.expires_in)),
            generation: st.generation,
        };
        st.current = Some(token.clone());
        Ok(token)
    }

    /// Drops the cached token if it is still the one that was rejected.
    pub(crate) fn invalidate_token(&self, generation: u64) {
        let mut st = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if st.current.as_ref().map(|t| t.generation) == Some(generation) {
            st.current = None;
        }
    }

    pub(crate) fn require_scope(&self, issued: Issued) -> Result<Issued, LogtoError> {
        let has_all = issued
            .scopes
            .as_ref()
            .is_some_and(|s| s.iter().any(|s| s == MANAGEMENT_SCOPE));
        if has_all {
            Ok(issued)
        } else {
            Counters::inc(&self.counters.token_failures);
            Err(LogtoError::Config(self.no_scope_message()))
        }
    }

    pub(crate) fn no_scope_message(&self) -> String {
        format!(
            "Logto issued a token without scope `all` for app `{}`: the app lacks the Management API \
             role; assign the \"Logto Management API access\" role to this machine-to-machine app \
             in the Logto Console",
            self.app_id
        )
    }

    /// `POST /oidc/token` (client credentials, Basic auth, `resource`, scope `all`),
    /// through the same throttle, concurrency limit and retries as API calls.
    pub(crate) async fn fetch_token(self: &Arc<Self>) -> Result<Issued, LogtoError> {
        let seen: Arc<Mutex<Option<SeenResponse>>> = Arc::default();
        let http = {
            let inner = self.clone();
            let seen = seen.clone();
            move |req: oauth2::HttpRequest| {
                let inner = inner.clone();
                let seen = seen.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    let resp = inner
                        .send_with_retry(
                            &parts.method,
                            "POST /oidc/token",
                            &parts.uri.to_string(),
                            parts.headers,
                            Some(body),
                            // Issuing a token changes nothing, so it may be retried.
                            RetryPolicy::Idempotent,
                        )
                        .await?;
                    *seen.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some((resp.status, request_id(&resp.headers)));
                    let mut builder = oauth2::http::Response::builder().status(resp.status);
                    for (k, v) in &resp.headers {
                        builder = builder.header(k, v);
                    }
                    builder
                        .body(resp.body)
                        .map_err(|e| LogtoError::Decode(format!("token response: {e}")))
                }
            }
        };
        let result = self
            .oauth
            .exchange_client_credentials()
            .add_scope(Scope::new(MANAGEMENT_SCOPE.to_owned()))
            .add_extra_param("resource", self.resource.clone())
            .request_async(&http)
            .await;
        let (status, rid) = seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or((0, None));
        match result {
            Ok(tok) => {
                Counters::inc(&self.counters.token_refreshes);
                let expires_in = tok.expires_in().unwrap_or(DEFAULT_TTL);
                tracing::debug!(
                    expires_in_s = expires_in.as_secs(),
                    "obtained a Logto Management API token"
                );
                Ok(Issued {
                    access: Secret::new(tok.access_token().secret().clone()),
                    expires_in,
                    scopes: tok
                        .scopes()
                        .map(|s| s.iter().map(|s| s.to_string()).collect()),
                })
            }
            Err(err) => {
                Counters::inc(&self.counters.token_failures);
                let err = self.map_token_error(err, status, rid.clone());
                tracing::debug!(status, request_id = rid.as_deref(), error = %err, "Logto token request failed");
                Err(err)
            }
        }
    }

    fn map_token_error(
        &self,
        err: RequestTokenError<LogtoError, oauth2::basic::BasicErrorResponse>,
        status: u16,
        rid: Option<String>,
    ) -> LogtoError {
        match err {
            RequestTokenError::Request(e) => e,
            RequestTokenError::ServerResponse(resp) => {
                let description = resp.error_description().cloned().unwrap_or_default();
                match resp.error() {
                    BasicErrorResponseType::InvalidClient if status == 401 => {
                        LogtoError::Config(format!(
                            "Logto rejected the secret of app `{}` (401 invalid_client): check \
                             the configured M2M app secret",
                            self.app_id
                        ))
                    }
                    BasicErrorResponseType::InvalidClient => LogtoError::Config(format!(
                        "Logto does not know the app id `{}` ({status} invalid_client: \
                         {description}): check the configured M2M app id",
                        self.app_id
                    )),
                    BasicErrorResponseType::UnauthorizedClient => LogtoError::Config(format!(
                        "app `{}` may not use the client-credentials grant ({status} \
                         unauthorized_client): it must be a machine-to-machine app",
                        self.app_id
                    )),
                    BasicErrorResponseType::Extension(e) if e == "invalid_target" => {
                        LogtoError::Config(format!(
                            "Logto rejected the resource indicator `{}` ({status} invalid_target): \
                             use the Management API indicator, `https://default.logto.app/api` on \
                             self-hosted Logto or `https://<tenant-id>.logto.app/api` on Logto Cloud",
                            self.resource
                        ))
                    }
                    other => LogtoError::Api {
                        status,
                        code: Some(format!("oidc.{}", other.as_ref())),
                        message: description,
                        request_id: rid,
                    },
                }
            }
            // Not an OAuth error body (e.g. a Logto error without `error`, a proxy page).
            RequestTokenError::Parse(_, body) if status != 200 => api_error(status, &body, rid),
            RequestTokenError::Parse(e, _) => {
                LogtoError::Decode(format!("token response from Logto: {e}"))
            }
            RequestTokenError::Other(msg) if status >= 400 => LogtoError::Api {
                status,
                code: None,
                message: msg,
                request_id: rid,
            },
            RequestTokenError::Other(msg) => {
                LogtoError::Decode(format!("token response from Logto: {msg}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_schedule() {
        assert_eq!(
            refresh_after(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(120)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(4)),
            Duration::from_secs(2)
        );
        assert_eq!(refresh_after(Duration::ZERO), Duration::ZERO);
    }
}
