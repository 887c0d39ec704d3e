//! Reading one environment variable at a time: each reader names the variable and what it
//! expects when the value will not do.

use std::fmt;

use url::Url;

use super::{Cidr, TrustedProxies};

/// One configuration problem, worded for the person starting the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub var: &'static str,
    pub expected: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {} {}", self.var, self.expected)
    }
}

impl std::error::Error for ConfigError {}

pub(super) fn err(var: &'static str, expected: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        expected: expected.into(),
    }
}

pub(super) struct Env<F: Fn(&str) -> Option<String>>(pub(super) F);

impl<F: Fn(&str) -> Option<String>> Env<F> {
    /// The value, trimmed; an empty value counts as unset.
    pub(super) fn get(&self, var: &str) -> Option<String> {
        (self.0)(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn required(&self, var: &'static str, what: &str) -> Result<String, ConfigError> {
        self.get(var)
            .ok_or_else(|| err(var, format!("is missing: expected {what}")))
    }

    pub(super) fn url(
        &self,
        var: &'static str,
        default: Option<&str>,
        example: &str,
    ) -> Result<Url, ConfigError> {
        let raw = match (self.get(var), default) {
            (Some(v), _) => v,
            (None, Some(d)) => d.to_string(),
            (None, None) => {
                return Err(err(
                    var,
                    format!("is missing: expected an http(s) URL such as {example}"),
                ))
            }
        };
        let url = Url::parse(&raw).map_err(|_| {
            err(
                var,
                format!("is not a URL: expected an http(s) URL such as {example}, got {raw:?}"),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(err(
                var,
                format!("must be an http(s) URL such as {example}, got {raw:?}"),
            ));
        }
        Ok(url)
    }

    pub(super) fn number<T: std::str::FromStr>(
        &self,
        var: &'static str,
        default: T,
        what: &str,
    ) -> Result<T, ConfigError> {
        match self.get(var) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| err(var, format!("must be {what}, got {v:?}"))),
        }
    }

    pub(super) fn positive(
        &self,
        var: &'static str,
        default: u64,
        what: &str,
    ) -> Result<u64, ConfigError> {
        let v: u64 = self.number(var, default, what)?;
        if v == 0 {
            return Err(err(var, format!("must be {what}, got 0")));
        }
        Ok(v)
    }

    pub(super) fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(var).map(|v| v.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if matches!(v.as_str(), "true" | "1" | "yes" | "on") => Ok(true),
            Some(v) if matches!(v.as_str(), "false" | "0" | "no" | "off") => Ok(false),
            Some(v) => Err(err(var, format!("must be true or false, got {v:?}"))),
        }
    }

    /// A comma-separated list of addresses or networks; unset or empty: none.
    pub(super) fn networks(&self, var: &'static str) -> Result<TrustedProxies, ConfigError> {
        let networks = self
            .get(var)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<Cidr>().map_err(|_| {
                    err(
                        var,
                        format!(
                            "must be a comma-separated list of addresses or networks such as 10.0.0.0/8, ::1, got {p:?}"
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies(networks))
    }
}

pub(super) fn strip_trailing_slash(mut url: Url) -> Url {
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    url
}
