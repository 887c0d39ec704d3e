//! Settings from environment variables. A missing or malformed value stops start-up with one
//! line naming the variable and what it expects; secrets never print.

pub mod branding;
pub mod custom_fields;
mod env;
mod proxies;

pub use env::ConfigError;
pub use proxies::{Cidr, TrustedProxies};

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use url::Url;

use crate::logto::Secret;
use env::{err, strip_trailing_slash, Env};

#[derive(Debug, Clone)]
pub struct Config {
    pub logto_endpoint: Url,
    pub m2m_app_id: String,
    pub m2m_app_secret: Secret,
    pub management_resource: String,
    pub app_id: String,
    pub app_secret: Secret,
    pub public_url: Url,
    pub listen: SocketAddr,
    pub database_url: String,
    pub operator_role: String,
    pub admin_org_roles: Vec<String>,
    pub access_recheck: Duration,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub throttle_requests: u32,
    pub throttle_window: Duration,
    pub max_in_flight: usize,
    pub logto_timeout: Duration,
    pub log_json: bool,
    pub invitation_expiry_days: u32,
    /// Directory exports of up to this many people download at once; larger ones are
    /// prepared in the background (a job) and downloaded when ready.
    pub export_inline_max: u64,
    pub allow_self_delete: bool,
    /// Organization admins may change their organization's name, description and logos
    /// (`PORTAL_ADMINS_EDIT_ORG`); operators always may.
    pub admins_edit_org: bool,
    pub profile_fields: Option<PathBuf>,
    /// The custom profile fields defined in that file (checked at start-up).
    pub custom_fields: custom_fields::CustomFields,
    pub metrics_token: Option<Secret>,
    pub audit_retention_days: Option<u32>,
    pub password_min_length: usize,
    pub password_min_classes: usize,
    /// Peers whose `X-Forwarded-For` is believed (`PORTAL_TRUSTED_PROXIES`); empty: nobody's.
    pub trusted_proxies: TrustedProxies,
    /// How organization admins find people to add (`PORTAL_ADMIN_USER_SEARCH`).
    pub admin_user_search: AdminUserSearch,
    /// The product name in every page's header and title (`PORTAL_PRODUCT_NAME`); unset: the
    /// translated default ("Account portal").
    pub product_name: Option<String>,
    /// Accent colours, logos and favicon (`PORTAL_ACCENT_COLOR*`, `PORTAL_LOGO*_FILE`,
    /// `PORTAL_FAVICON_FILE`).
    pub branding: branding::Branding,
}

/// How an organization admin's add-member picker searches the tenant's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminUserSearch {
    /// Only an exact email address or username finds someone (one person or nobody).
    #[default]
    Exact,
    /// Substring search over every user of the tenant, as operators have it.
    Tenant,
}

/// `https://<tenant>.logto.app` → `https://<tenant>.logto.app/api`; anything else (OSS) →
/// `https://default.logto.app/api`.
pub fn derive_management_resource(endpoint: &Url) -> String {
    if let Some(host) = endpoint.host_str() {
        if let Some(tenant) = host.strip_suffix(".logto.app") {
            if !tenant.is_empty() && !tenant.contains('.') {
                return format!("https://{tenant}.logto.app/api");
            }
        }
    }
    "https://default.logto.app/api".to_string()
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(lookup);
        let logto_endpoint = strip_trailing_slash(env.url(
            "LOGTO_ENDPOINT",
            None,
            "https://abc123.logto.app or http://localhost:3001",
        )?);
        let m2m_app_id = env.required(
            "LOGTO_M2M_APP_ID",
            "the app ID of a Logto machine-to-machine app",
        )?;
        let m2m_app_secret = Secret::new(env.required(
            "LOGTO_M2M_APP_SECRET",
            "the app secret of that machine-to-machine app",
        )?);
        let management_resource = match env.get("LOGTO_MANAGEMENT_API_RESOURCE") {
            Some(v) => {
                let parsed = Url::parse(&v).map_err(|_| {
                    err(
                        "LOGTO_MANAGEMENT_API_RESOURCE",
                        format!("must be a URL such as https://default.logto.app/api, got {v:?}"),
                    )
                })?;
                parsed.as_str().trim_end_matches('/').to_string()
            }
            None => derive_management_resource(&logto_endpoint),
        };
        let app_id = env.required("LOGTO_APP_ID", "the app ID of a Logto traditional web app")?;
        let app_secret = Secret::new(env.required(
            "LOGTO_APP_SECRET",
            "the app secret of that traditional web app",
        )?);
        let public_url = strip_trailing_slash(env.url(
            "PORTAL_PUBLIC_URL",
            Some("http://localhost:8080"),
            "https://portal.example.com",
        )?);
        let listen_raw = env
            .get("PORTAL_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let listen: SocketAddr = listen_raw.parse().map_err(|_| {
            err(
                "PORTAL_LISTEN",
                format!("must be an address and port such as 127.0.0.1:8080, got {listen_raw:?}"),
            )
        })?;
        let database_url = env
            .get("DATABASE_URL")
            .unwrap_or_else(|| "sqlite://data/portal.db".to_string());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err(
                "DATABASE_URL",
                "must start with sqlite: or postgres:// (e.g. sqlite://data/portal.db or postgres://user@host/db)",
            ));
        }
        let operator_role = env
            .get("PORTAL_OPERATOR_ROLE")
            .unwrap_or_else(|| "portal-operator".to_string());
        let admin_org_roles: Vec<String> = env
            .get("PORTAL_ADMIN_ORG_ROLES")
            .unwrap_or_else(|| "admin".to_string())
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if admin_org_roles.is_empty() {
            return Err(err(
                "PORTAL_ADMIN_ORG_ROLES",
                "must name at least one organization role, e.g. admin",
            ));
        }
        let secs =
            |var, default, what: &str| env.positive(var, default, what).map(Duration::from_secs);
        let log_format = env
            .get("PORTAL_LOG_FORMAT")
            .unwrap_or_else(|| "text".into());
        let log_json = match log_format.as_str() {
            "json" => true,
            "text" => false,
            other => {
                return Err(err(
                    "PORTAL_LOG_FORMAT",
                    format!("must be text or json, got {other:?}"),
                ))
            }
        };
        let audit_retention_days = match env.get("PORTAL_AUDIT_RETENTION_DAYS") {
            None => None,
            Some(_) => Some(env.positive(
                "PORTAL_AUDIT_RETENTION_DAYS",
                1,
                "a whole number of days above 0",
            )? as u32),
        };
        let trusted_proxies = env.networks("PORTAL_TRUSTED_PROXIES")?;
        let admin_user_search = match env
            .get("PORTAL_ADMIN_USER_SEARCH")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("exact") => AdminUserSearch::Exact,
            Some("tenant") => AdminUserSearch::Tenant,
            Some(other) => {
                return Err(err(
                    "PORTAL_ADMIN_USER_SEARCH",
                    format!("must be exact or tenant, got {other:?}"),
                ))
            }
        };
        Ok(Config {
            logto_endpoint,
            m2m_app_id,
            m2m_app_secret,
            management_resource,
            app_id,
            app_secret,
            public_url,
            listen,
            database_url,
            operator_role,
            admin_org_roles,
            access_recheck: secs(
                "PORTAL_ACCESS_RECHECK_SECS",
                60,
                "a number of seconds above 0",
            )?,
            session_idle: secs(
                "PORTAL_SESSION_IDLE_SECS",
                60 * 60,
                "a number of seconds above 0",
            )?,
            session_absolute: secs(
                "PORTAL_SESSION_MAX_SECS",
                12 * 60 * 60,
                "a number of seconds above 0",
            )?,
            throttle_requests: env.positive(
                "PORTAL_LOGTO_RATE_LIMIT",
                200,
                "a whole number of requests above 0",
            )? as u32,
            throttle_window: secs(
                "PORTAL_LOGTO_RATE_WINDOW_SECS",
                10,
                "a number of seconds above 0",
            )?,
            max_in_flight: env.positive(
                "PORTAL_LOGTO_MAX_IN_FLIGHT",
                10,
                "a whole number above 0",
            )? as usize,
            logto_timeout: secs(
                "PORTAL_LOGTO_TIMEOUT_SECS",
                10,
                "a number of seconds above 0",
            )?,
            log_json,
            invitation_expiry_days: env.positive(
                "PORTAL_INVITATION_EXPIRY_DAYS",
                7,
                "a whole number of days above 0",
            )? as u32,
            export_inline_max: env.positive(
                "PORTAL_EXPORT_INLINE_MAX",
                5000,
                "a whole number of people above 0",
            )?,
            allow_self_delete: env.flag("PORTAL_ALLOW_SELF_DELETE", false)?,
            admins_edit_org: env.flag("PORTAL_ADMINS_EDIT_ORG", false)?,
            profile_fields: env.get("PORTAL_PROFILE_FIELDS").map(PathBuf::from),
            custom_fields: match env.get("PORTAL_PROFILE_FIELDS") {
                Some(p) => custom_fields::CustomFields::load(std::path::Path::new(&p))
                    .map_err(|e| err("PORTAL_PROFILE_FIELDS", format!("is not usable: {e}")))?,
                None => Default::default(),
            },
            metrics_token: env.get("PORTAL_METRICS_TOKEN").map(Secret::new),
            audit_retention_days,
            password_min_length: env.positive(
                "PORTAL_PASSWORD_MIN_LENGTH",
                10,
                "a whole number above 0",
            )? as usize,
            password_min_classes: env.number(
                "PORTAL_PASSWORD_MIN_CLASSES",
                3,
                "a number of character classes from 0 to 4",
            )?,
            trusted_proxies,
            admin_user_search,
            // Long names would push the navigation off a phone's header.
            product_name: env
                .get("PORTAL_PRODUCT_NAME")
                .map(|name| name.chars().take(60).collect()),
            branding: branding::Branding::read(&env)?,
        })
    }

    /// Every configuration problem at once (for `check`), not only the first: each variable
    /// found wrong is set aside with a stand-in value and the reading tried again. Returns
    /// the configuration read with stand-ins (None if even that failed) and the problems.
    pub fn diagnose(lookup: impl Fn(&str) -> Option<String>) -> (Option<Config>, Vec<ConfigError>) {
        // Values that satisfy one variable's kind or another; the first accepted is kept.
        const STAND_INS: [&str; 8] = [
            "http://stand-in.invalid",
            "stand-in",
            "1",
            "true",
            "text",
            "sqlite::memory:",
            "127.0.0.1:0",
            // Unset, for optional variables no value of another kind satisfies (files, colours).
            "",
        ];
        let mut stand_ins: std::collections::HashMap<&'static str, &'static str> =
            std::collections::HashMap::new();
        let mut problems: Vec<ConfigError> = Vec::new();
        loop {
            let read = Self::from_lookup(|k| match stand_ins.get(k) {
                Some(v) => Some((*v).to_string()),
                None => lookup(k),
            });
            let problem = match read {
                Ok(config) => return (Some(config), problems),
                Err(e) => e,
            };
            if stand_ins.contains_key(problem.var) {
                // No stand-in satisfies it: stop here.
                problems.push(problem);
                return (None, problems);
            }
            let var = problem.var;
            problems.push(problem);
            let accepted = STAND_INS.iter().find(|candidate| {
                let mut trial = stand_ins.clone();
                trial.insert(var, candidate);
                match Self::from_lookup(|k| match trial.get(k) {
                    Some(v) => Some((*v).to_string()),
                    None => lookup(k),
                }) {
                    Ok(_) => true,
                    Err(e) => e.var != var,
                }
            });
            match accepted {
                Some(v) => {
                    stand_ins.insert(var, v);
                }
                None => return (None, problems),
            }
        }
    }

    /// Cookies get `Secure` when the portal is served over https.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// Where Logto sends the person back after sign-out (registered in the Logto app).
    pub fn signed_out_url(&self) -> String {
        format!("{}/signed-out", self.public_base())
    }

    /// The OIDC redirect URI registered in the Logto app.
    pub fn callback_url(&self) -> String {
        format!(
            "{}/callback",
            self.public_url.as_str().trim_end_matches('/')
        )
    }

    /// The portal's public URL without a trailing slash.
    pub fn public_base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_string()
    }

    pub fn is_admin_role(&self, role_name: &str) -> bool {
        self.admin_org_roles.iter().any(|r| r == role_name)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::net::IpAddr;

    use super::*;

    fn base() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("LOGTO_ENDPOINT", "https://abc123.logto.app/"),
            ("LOGTO_M2M_APP_ID", "m2m"),
            ("LOGTO_M2M_APP_SECRET", "s3cret-m2m"),
            ("LOGTO_APP_ID", "web"),
            ("LOGTO_APP_SECRET", "s3cret-web"),
        ])
    }

    #[test]
    fn diagnose_lists_every_problem() {
        let vars = HashMap::from([
            ("LOGTO_ENDPOINT", "https://abc123.logto.app/"),
            ("LOGTO_APP_SECRET", "s3cret-web"),
            ("PORTAL_LOGTO_TIMEOUT_SECS", "soon"),
            ("PORTAL_ACCENT_COLOR", "#ffee00"),
            ("PORTAL_LOGO_FILE", "/nonexistent/logo.png"),
        ]);
        let (config, problems) = Config::diagnose(|k| vars.get(k).map(|v| v.to_string()));
        let vars: Vec<&str> = problems.iter().map(|p| p.var).collect();
        assert_eq!(
            vars,
            [
                "LOGTO_M2M_APP_ID",
                "LOGTO_M2M_APP_SECRET",
                "LOGTO_APP_ID",
                "PORTAL_LOGTO_TIMEOUT_SECS",
                "PORTAL_ACCENT_COLOR",
                "PORTAL_LOGO_FILE"
            ]
        );
        let config = config.expect("read with stand-ins");
        assert_eq!(config.logto_endpoint.as_str(), "https://abc123.logto.app/");
        let (config, problems) = Config::diagnose(|k| base().get(k).map(|v| v.to_string()));
        assert!(problems.is_empty());
        assert_eq!(config.unwrap().m2m_app_id, "m2m");
    }

    fn load(vars: &HashMap<&'static str, &'static str>) -> Result<Config, ConfigError> {
        Config::from_lookup(|k| vars.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn defaults_and_cloud_resource() {
        let c = load(&base()).unwrap();
        assert_eq!(c.management_resource, "https://abc123.logto.app/api");
        assert_eq!(c.logto_endpoint.as_str(), "https://abc123.logto.app/");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_base(), "http://localhost:8080");
        assert_eq!(c.callback_url(), "http://localhost:8080/callback");
        assert_eq!(c.admin_org_roles, vec!["admin"]);
        assert_eq!(c.operator_role, "portal-operator");
        assert!(c.database_url.starts_with("sqlite:"));
        assert!(!c.is_https());
    }

    #[test]
    fn oss_resource_is_default_tenant() {
        let mut v = base();
        v.insert("LOGTO_ENDPOINT", "http://localhost:3001");
        assert_eq!(
            load(&v).unwrap().management_resource,
            "https://default.logto.app/api"
        );
        v.insert("LOGTO_ENDPOINT", "https://auth.example.com");
        assert_eq!(
            load(&v).unwrap().management_resource,
            "https://default.logto.app/api"
        );
        v.insert("LOGTO_MANAGEMENT_API_RESOURCE", "https://xyz.logto.app/api");
        assert_eq!(
            load(&v).unwrap().management_resource,
            "https://xyz.logto.app/api"
        );
    }

    #[test]
    fn missing_and_malformed_values_name_the_variable() {
        for var in [
            "LOGTO_ENDPOINT",
            "LOGTO_M2M_APP_ID",
            "LOGTO_M2M_APP_SECRET",
            "LOGTO_APP_ID",
            "LOGTO_APP_SECRET",
        ] {
            let mut v = base();
            v.remove(var);
            let e = load(&v).unwrap_err();
            assert_eq!(e.var, var);
            assert!(e.to_string().contains("is missing"), "{e}");
        }
        let cases = [
            ("LOGTO_ENDPOINT", "not a url"),
            ("LOGTO_ENDPOINT", "ftp://x.example"),
            ("PORTAL_LISTEN", "localhost"),
            ("PORTAL_PUBLIC_URL", "portal.example.com"),
            ("DATABASE_URL", "mysql://x"),
            ("PORTAL_ACCESS_RECHECK_SECS", "soon"),
            ("PORTAL_ACCESS_RECHECK_SECS", "0"),
            ("PORTAL_ALLOW_SELF_DELETE", "maybe"),
            ("PORTAL_LOG_FORMAT", "xml"),
            ("PORTAL_ADMIN_ORG_ROLES", " , "),
            ("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"),
            ("PORTAL_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("PORTAL_ADMIN_USER_SEARCH", "everyone"),
        ];
        for (var, value) in cases {
            let mut v = base();
            v.insert(var, value);
            let e = load(&v).unwrap_err();
            assert_eq!(e.var, var, "{value}");
            let line = e.to_string();
            assert!(line.starts_with("configuration error: "), "{line}");
            assert!(!line.contains('\n'));
        }
    }

    #[test]
    fn product_name_is_optional_and_bounded() {
        assert_eq!(load(&base()).unwrap().product_name, None);
        let mut v = base();
        v.insert("PORTAL_PRODUCT_NAME", "  Acme Accounts ");
        assert_eq!(
            load(&v).unwrap().product_name.as_deref(),
            Some("Acme Accounts")
        );
        let long: &'static str = "x".repeat(100).leak();
        v.insert("PORTAL_PRODUCT_NAME", long);
        assert_eq!(load(&v).unwrap().product_name.unwrap().len(), 60);
    }

    #[test]
    fn trusted_proxies_and_admin_search() {
        let c = load(&base()).unwrap();
        assert_eq!(c.trusted_proxies, TrustedProxies::default());
        assert_eq!(c.admin_user_search, AdminUserSearch::Exact);
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        // Nobody trusted: the forwarded header is ignored.
        assert_eq!(
            c.trusted_proxies
                .client_address(peer, ["198.51.100.1"].into_iter()),
            peer
        );

        let mut v = base();
        v.insert("PORTAL_TRUSTED_PROXIES", "10.1.2.3/8, ::1, 192.168.0.7");
        v.insert("PORTAL_ADMIN_USER_SEARCH", "Tenant");
        let c = load(&v).unwrap();
        assert_eq!(c.admin_user_search, AdminUserSearch::Tenant);
        let p = &c.trusted_proxies;
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(p.contains(ip("10.200.0.1")));
        assert!(p.contains(ip("::ffff:10.0.0.1")));
        assert!(p.contains(ip("::1")));
        assert!(!p.contains(ip("11.0.0.1")));
        assert!(!p.contains(ip("192.168.0.8")));
        let hops = |h: &'static str| h.split(',');
        // From a trusted proxy: the right-most untrusted hop, never what the client wrote.
        assert_eq!(
            p.client_address(ip("10.0.0.5"), hops("6.6.6.6, 198.51.100.1, 10.0.0.9")),
            ip("198.51.100.1")
        );
        // An untrusted peer's header means nothing.
        assert_eq!(
            p.client_address(ip("203.0.113.9"), hops("198.51.100.1")),
            ip("203.0.113.9")
        );
        // Only proxies, or garbage further left: the last trusted hop.
        assert_eq!(
            p.client_address(ip("10.0.0.5"), hops("10.0.0.9")),
            ip("10.0.0.9")
        );
        assert_eq!(
            p.client_address(ip("10.0.0.5"), hops("evil, 10.0.0.9")),
            ip("10.0.0.9")
        );
        assert_eq!(
            p.client_address(ip("10.0.0.5"), std::iter::empty()),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn secrets_never_print() {
        let c = load(&base()).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn https_public_url_and_role_list() {
        let mut v = base();
        v.insert("PORTAL_PUBLIC_URL", "https://portal.example.com/");
        v.insert("PORTAL_ADMIN_ORG_ROLES", "admin, owner");
        let c = load(&v).unwrap();
        assert!(c.is_https());
        assert_eq!(c.callback_url(), "https://portal.example.com/callback");
        assert!(c.is_admin_role("owner"));
        assert!(!c.is_admin_role("member"));
    }
}
